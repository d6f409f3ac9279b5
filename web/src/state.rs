//! The app's state and what it shows, as plain Rust (tested without a browser).

use crate::i18n::{Lang, Units};
use chargefinder::{catalogue_vehicle, Availability, Filter, Hit, Live, PlugFamily, PlugSet, StationIndex};

/// How many stations the list shows.
pub const LIST_LEN: usize = 10;

/// The plug families offered as filters, most common first.
pub const PLUG_CHOICES: [PlugFamily; 7] = [
    PlugFamily::Ccs2,
    PlugFamily::Type2Socket,
    PlugFamily::Type2Cable,
    PlugFamily::Chademo,
    PlugFamily::Ccs1,
    PlugFamily::Type1,
    PlugFamily::Nacs,
];

/// Minimum power choices, kW (0 = any).
pub const POWER_CHOICES: [u32; 5] = [0, 11, 22, 50, 150];

/// What the driver picked, as plain data (the URL and the device remember it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub plugs: Vec<PlugFamily>,
    pub min_kw: u32,
    pub available_now: bool,
    /// A catalogue vehicle id.
    pub vehicle: Option<String>,
}

impl Choice {
    /// The core filter for this choice.
    pub fn filter(&self) -> Filter {
        Filter {
            plugs: self.plugs.iter().copied().collect::<PlugSet>(),
            min_power_kw: self.min_kw as f32,
            available_now: self.available_now,
            vehicle: self.vehicle.as_deref().and_then(catalogue_vehicle).map(|c| c.vehicle.clone()),
            ..Filter::default()
        }
    }

    /// The query string for this choice and a position (`lat`, `lon`, `plugs`, `kw`, `free`,
    /// `car`), the view a shared link reproduces.
    pub fn to_query(&self, at: Option<(f64, f64)>) -> String {
        let mut q = Vec::new();
        if let Some((lat, lon)) = at {
            q.push(format!("lat={lat:.5}&lon={lon:.5}"));
        }
        if !self.plugs.is_empty() {
            q.push(format!("plugs={}", self.plugs.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")));
        }
        if self.min_kw > 0 {
            q.push(format!("kw={}", self.min_kw));
        }
        if self.available_now {
            q.push("free=1".to_string());
        }
        if let Some(car) = &self.vehicle {
            q.push(format!(
                "car={}",
                car.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>()
            ));
        }
        q.join("&")
    }

    /// Reads a query string; unknown or malformed parts are ignored (a link is outside data).
    pub fn from_query(query: &str) -> (Choice, Option<(f64, f64)>) {
        let mut c = Choice::default();
        let (mut lat, mut lon) = (None, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "lat" => lat = v.parse::<f64>().ok().filter(|x| (-90.0..=90.0).contains(x)),
                "lon" => lon = v.parse::<f64>().ok().filter(|x| (-180.0..=180.0).contains(x)),
                "plugs" => c.plugs = v.split(',').filter_map(PlugFamily::from_code).collect(),
                "kw" => c.min_kw = v.parse().ok().filter(|kw| POWER_CHOICES.contains(kw)).unwrap_or(0),
                "free" => c.available_now = v == "1",
                "car" => c.vehicle = catalogue_vehicle(v).map(|_| v.to_string()),
                _ => {}
            }
        }
        (c, lat.zip(lon))
    }

    pub fn toggle_plug(&mut self, p: PlugFamily) {
        if let Some(i) = self.plugs.iter().position(|x| *x == p) {
            self.plugs.remove(i);
        } else {
            self.plugs.push(p);
        }
    }
}

/// The rest of the view a link holds: the map's position and zoom, the open station, language
/// and units. Together with [`Choice`] it is the whole URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    pub at: Option<(f64, f64)>,
    pub zoom: Option<f64>,
    /// The open station's OCPI location id.
    pub station: Option<String>,
    pub lang: Option<Lang>,
    pub units: Option<Units>,
}

/// Zoom levels the map offers.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f64> = 3.0..=18.0;

impl Place {
    pub fn to_query(&self) -> String {
        let mut q = Vec::new();
        if let Some((lat, lon)) = self.at {
            q.push(format!("lat={lat:.5}&lon={lon:.5}"));
        }
        if let Some(z) = self.zoom {
            q.push(format!("z={z:.1}").replace(".0", ""));
        }
        if let Some(id) = &self.station {
            q.push(format!("station={}", encode(id)));
        }
        if let Some(l) = self.lang {
            q.push(format!("lang={}", l.code()));
        }
        if let Some(u) = self.units {
            q.push(format!("units={}", u.code()));
        }
        q.join("&")
    }

    /// Reads a query string; unknown or malformed parts are ignored (a link is outside data).
    pub fn from_query(query: &str) -> Place {
        let mut p = Place::default();
        let (mut lat, mut lon) = (None, None);
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "lat" => lat = v.parse::<f64>().ok().filter(|x| (-90.0..=90.0).contains(x)),
                "lon" => lon = v.parse::<f64>().ok().filter(|x| (-180.0..=180.0).contains(x)),
                "z" => p.zoom = v.parse::<f64>().ok().filter(|z| ZOOM_RANGE.contains(z)),
                "station" => p.station = decode(v).filter(|id| !id.is_empty() && id.len() <= 64),
                "lang" => p.lang = Lang::from_code(v),
                "units" => p.units = Units::from_code(v),
                _ => {}
            }
        }
        p.at = lat.zip(lon);
        p
    }
}

/// The whole URL query for a view.
pub fn view_query(choice: &Choice, place: &Place) -> String {
    let parts = [place.to_query(), choice.to_query(None)];
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes; `None` for broken escapes or bytes that are not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// One row of the nearest-stations list, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub distance_m: f64,
    /// The most powerful EVSE, kW (0 when unknown).
    pub power_kw: f32,
    pub plugs: Vec<&'static str>,
    pub evses: usize,
    pub available: u32,
}

/// The nearest stations to a point, as list rows, by live status as of `now_s`.
pub fn nearest_rows(
    index: &StationIndex,
    live: &Availability,
    now_s: i64,
    lat: f64,
    lon: f64,
    filter: &Filter,
) -> Vec<Row> {
    let live = Live { availability: live, now_s };
    index.nearest_live(lat, lon, LIST_LEN, f64::INFINITY, filter, Some(live)).iter().map(|h| row(index, h)).collect()
}

fn row(index: &StationIndex, h: &Hit) -> Row {
    let s = index.station(h.station);
    Row {
        id: s.id.clone(),
        name: s.name.clone(),
        distance_m: h.distance_m,
        power_kw: s.max_power_kw(),
        plugs: s.plugs().iter().map(|p| p.label()).collect(),
        evses: h.matching_evses as usize,
        available: h.available_evses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chargefinder::{AvailabilityConfig, EvseStatus, EvseSummary, PlugFamily, PlugSet, Station};

    #[test]
    fn rows_follow_live_status_without_a_rebuild() {
        let evse = |uid: &str| EvseSummary {
            uid: uid.into(),
            plugs: PlugSet::EMPTY.with(PlugFamily::Type2Socket),
            max_power_kw: 11.0,
            status: EvseStatus::Available,
        };
        let stations = vec![Station {
            id: "L".into(),
            name: "Here".into(),
            lat: 52.0,
            lon: 4.0,
            operator: None,
            evses: vec![evse("A"), evse("B")],
        }];
        let index = StationIndex::new(stations);
        let t0 = 1_800_000_000;
        let mut live = Availability::new(&index, t0, AvailabilityConfig::default());
        let rows = nearest_rows(&index, &live, t0, 52.0, 4.0, &Filter::default());
        assert_eq!((rows[0].available, rows[0].evses), (2, 2));
        let slot = index.evse_slot("L", "A").unwrap();
        live.apply(slot, EvseStatus::Charging, t0 + 5);
        let rows = nearest_rows(&index, &live, t0 + 6, 52.0, 4.0, &Filter::default());
        assert_eq!(rows[0].available, 1);
    }

    #[test]
    fn choices_become_core_filters() {
        let mut c = Choice::default();
        assert_eq!(c.filter(), Filter::default());
        c.toggle_plug(PlugFamily::Ccs2);
        c.toggle_plug(PlugFamily::Chademo);
        c.toggle_plug(PlugFamily::Chademo);
        c.min_kw = 50;
        c.vehicle = Some("vw-id3-pro".into());
        let f = c.filter();
        assert_eq!(f.plugs, PlugSet::EMPTY.with(PlugFamily::Ccs2));
        assert_eq!(f.min_power_kw, 50.0);
        assert_eq!(f.vehicle.map(|v| v.max_dc_kw), Some(120.0));
        c.vehicle = Some("no-such-car".into());
        assert!(c.filter().vehicle.is_none(), "an unknown remembered car is ignored, not a crash");
    }

    #[test]
    fn links_round_trip_and_bad_links_are_ignored() {
        let c = Choice {
            plugs: vec![PlugFamily::Ccs2, PlugFamily::Chademo],
            min_kw: 50,
            available_now: true,
            vehicle: Some("vw-id3-pro".into()),
        };
        let q = c.to_query(Some((52.0116, 4.3571)));
        assert_eq!(q, "lat=52.01160&lon=4.35710&plugs=CCS2,CHADEMO&kw=50&free=1&car=vw-id3-pro");
        assert_eq!(Choice::from_query(&format!("?{q}")), (c, Some((52.0116, 4.3571))));
        let (bad, at) = Choice::from_query("lat=95&lon=4&plugs=USB_C,<script>&kw=-3&car=%3Cscript%3E&x");
        assert_eq!((bad, at), (Choice::default(), None));
    }

    #[test]
    fn places_round_trip_and_bad_links_are_ignored() {
        let p = Place {
            at: Some((52.0116, 4.3571)),
            zoom: Some(13.0),
            station: Some("NL*ABC/1 2".into()),
            lang: Some(Lang::Nl),
            units: Some(Units::Miles),
        };
        let q = p.to_query();
        assert_eq!(q, "lat=52.01160&lon=4.35710&z=13&station=NL%2AABC%2F1%202&lang=nl&units=mi");
        assert_eq!(Place::from_query(&q), p);
        let bad = Place::from_query("z=99&station=%ZZ&lang=xx&units=parsec&lat=1");
        assert_eq!(bad, Place::default());
        let c = Choice { min_kw: 50, ..Choice::default() };
        assert_eq!(view_query(&c, &Place { zoom: Some(9.5), ..Place::default() }), "z=9.5&kw=50");
    }
}
