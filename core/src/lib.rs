//! # chargefinder
//!
//! Find a charger that **works**, **fits the car** and is **free now**.
//!
//! Data flows one way:
//!
//! ```text
//! OCPI JSON ──import (tolerant, reports problems)──▶ Location model
//!     ──Station::from_location──▶ compact stations ──StationIndex::new──▶ static index
//!                                                    + live status (a filter, never a rebuild)
//! ```
//!
//! * [`ocpi`]: the OCPI 2.2.1 wire types (2.1.1 / 2.2 differences read too), as lenient as real
//!   feeds need.
//! * [`import_locations`]: the one conversion from wire JSON to the domain model; it keeps every
//!   location and EVSE it can and reports the rest with location id, EVSE uid, JSON path and reason.
//!   [`import_ocm_pois`] does the same for Open Charge Map POIs.
//! * [`Station`]: the compact form the browser downloads (JSON rows; format fixed).
//! * [`StationIndex`]: static; a flat 3D k-d tree of unit-sphere points (chord order is
//!   great-circle order, so pruning is exact) plus flat per-station/EVSE/connector columns.
//!   Queries: [`nearest`](StationIndex::nearest) / [`nearest_live`](StationIndex::nearest_live),
//!   [`in_bbox`](StationIndex::in_bbox) (`[west, south, east, north]`, antimeridian-safe),
//!   [`along_route`](StationIndex::along_route) (corridor, ordered along the route).
//! * [`Availability`]: live EVSE statuses keyed by dense slot ([`StationIndex::evse_slot`]),
//!   13 bytes per EVSE; stale updates ignored; freshness and a reliability score.
//! * [`Filter`]: plugs, standards, vehicle, power, AC/DC, status, reliability, operators,
//!   capabilities, opening hours, parking, publish; evaluated per connector during the query.
//! * [`Vehicle`] and [`vehicle_catalogue`]: which connectors fit a car and what it draws.
//! * [`ClusterIndex`]: map clusters per zoom on a web-mercator grid quadtree, counted for any
//!   filter with prefix sums.
//!
//! Benchmarks: `core/BENCHMARKS.md` (`cargo bench -p chargefinder --bench queries`).
//!
//! ```
//! use chargefinder::{import_locations, Station, StationIndex, Filter};
//! let json = r#"[{"id":"L1","name":"Delft station","country_code":"NL","party_id":"ABC",
//!   "address":"Stationsplein 1","city":"Delft","country":"NLD",
//!   "coordinates":{"latitude":"52.006","longitude":"4.356"},"time_zone":"Europe/Amsterdam",
//!   "evses":[{"uid":"E1","status":"AVAILABLE","connectors":[{"id":"1","standard":"IEC_62196_T2",
//!   "format":"SOCKET","power_type":"AC_3_PHASE","max_voltage":230,"max_amperage":16}]}]}]"#;
//! let imported = import_locations(json.as_bytes()).unwrap();
//! let stations: Vec<Station> = imported.locations.iter().map(Station::from_location).collect();
//! let index = StationIndex::new(stations);
//! let hits = index.nearest(52.0116, 4.3571, 10, 50_000.0, &Filter::default());
//! assert_eq!(hits.len(), 1);
//! assert!((index.station(hits[0].station).max_power_kw() - 11.04).abs() < 0.01);
//! ```

mod availability;
mod bbox;
mod cluster;
mod columns;
mod filter;
mod hours;
mod import;
mod index;
mod kdtree;
mod model;
mod ocm;
pub mod ocpi;
mod plug;
mod route;
mod sphere;
mod station;
pub mod tariff;
pub mod tz;
mod tz_table;
mod vehicle;
mod view;

pub use availability::{Applied, Availability, AvailabilityConfig};
pub use cluster::{
    mercator, viewport_bbox, Cluster, ClusterCounts, ClusterIndex, CELL_PX, MAX_CLUSTER_ZOOM, PRECOMPUTED_MAX_ZOOM,
};
pub use filter::{Current, Filter, Live};
pub use hours::{parse_instant, Schedule};
pub use import::{import_locations, ImportError, Imported, Problem, ProblemKind, Report};
pub use index::{Hit, StationIndex};
pub use model::{
    Capabilities, Capability, Connector, ConnectorFormat, Evse, EvseStatus, ExceptionalPeriod, Hours, Location,
    ParkingRestriction, ParkingRestrictions, PowerType, RegularHours,
};
pub use ocm::{import_ocm_pois, ocm_connection_type, ocm_current_type, ocm_status};
pub use plug::{PlugFamily, PlugSet, CONNECTOR_TYPES};
pub use route::{distance_to_route_m, RouteHit};
pub use sphere::{haversine_m, EARTH_RADIUS_M};
pub use station::{EvseSummary, Extra, Station, DRIVER_CAPS};
pub use tz::time_zone;
pub use vehicle::{catalogue_vehicle, compatible, effective_power_kw, vehicle_catalogue, CatalogueVehicle, Vehicle};
pub use view::{FilteredIndex, ViewCache};
