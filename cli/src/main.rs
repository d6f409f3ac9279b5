//! `chargefinder`: what we make of an OCPI feed, from the command line.
//!
//! ```text
//! chargefinder check FILE                       import report as JSON
//! chargefinder nearest FILE LAT LON [K]         the K nearest stations as JSON (default 10)
//! chargefinder price --tariff FILE --tz ZONE --start TIME --end TIME --kw P --kwh E
//!                                               the price of a session under an OCPI tariff
//! ```
//! FILE is OCPI locations JSON, plain or `.gz`: an envelope, `{data}` or a bare array.

use std::io::Read;
use std::process::ExitCode;

use chargefinder::{import_locations, Filter, Imported, StationIndex};

mod price;

const USAGE: &str = "usage:
  chargefinder check FILE                 print the import report of an OCPI locations file as JSON
  chargefinder nearest FILE LAT LON [K] [--plugs CCS2,TYPE2_SOCKET] [--min-kw KW] [--available] [--working] [--operator NAME]
                [--vehicle ID] [--pay-app] [--pay-card] [--open-at UNIX_S] [--max-price CENTS] [--min-reliability PCT]
                [--compact [--tariffs FILE --price-at UNIX_S]]
                                          print the K (default 10) nearest matching stations as JSON
                                          (--compact: from the compact stations, as the browser does;
                                          --tariffs: with prices per kWh for a charge at --price-at, as the server computes them)
  chargefinder price --tariff FILE --tz ZONE --start TIME --end TIME --kw P --kwh E [--amps A] [--lang en|nl|de|fr]
                                          price a session under an OCPI tariff, as JSON
FILE may be plain JSON or gzip (.gz).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chargefinder: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("check") => {
            let [_, file] = args else {
                return Err(USAGE.into());
            };
            let imported = load(file)?;
            print_json(&imported.report)
        }
        Some("nearest") => {
            // Positional FILE LAT LON [K], then options.
            let split = args.iter().position(|a| a.starts_with("--")).unwrap_or(args.len());
            let (pos, opts) = args.split_at(split);
            let (file, lat, lon, k) = match pos {
                [_, f, lat, lon] => (f, lat, lon, "10"),
                [_, f, lat, lon, k] => (f, lat, lon, k.as_str()),
                _ => return Err(USAGE.into()),
            };
            let lat: f64 = lat.parse().map_err(|_| format!("LAT {lat:?} is not a number"))?;
            let lon: f64 = lon.parse().map_err(|_| format!("LON {lon:?} is not a number"))?;
            let k: usize = k.parse().map_err(|_| format!("K {k:?} is not a whole number"))?;
            let (filter, compact, prices) = filter_options(opts)?;
            let imported = load(file)?;
            // --compact: the index the browser builds from /api/stations (no connector detail).
            let index = if compact {
                let table = match &prices {
                    Some((tariffs, _)) => chargefinder::tariff::TariffTable::new(
                        chargefinder::tariff::parse_tariffs(&read(tariffs)?)
                            .map_err(|e| format!("{tariffs}: {}", e.reason))?
                            .tariffs,
                    ),
                    None => chargefinder::tariff::TariffTable::default(),
                };
                let at = prices.as_ref().map_or(0, |p| p.1);
                let at = jiff::Timestamp::from_second(at).map_err(|e| format!("--price-at: {e}"))?;
                let mut pricer = chargefinder::tariff::KwhPricer::new(&table, at);
                let stations = imported.locations.iter().map(|loc| {
                    let mut s = chargefinder::Station::from_location(loc);
                    if prices.is_some() {
                        pricer.price(&mut s, loc);
                    }
                    s
                });
                let mut stations: Vec<chargefinder::Station> = stations.collect();
                // Reliability as the server's download has it with no status history yet:
                // from the imported statuses (see server/src/reliability.rs).
                let seeded = StationIndex::new(stations.clone());
                let now = jiff::Timestamp::now().as_second();
                let table = chargefinder::Availability::new(&seeded, now, Default::default());
                for (i, s) in stations.iter_mut().enumerate() {
                    s.extra.reliability_pct = table
                        .station_reliability(&seeded, i as u32, now)
                        .map(|r| (r * 100.0).round().clamp(0.0, 100.0) as u8);
                }
                StationIndex::new(stations)
            } else {
                StationIndex::from_locations(&imported.locations)
            };
            let hits = index.nearest(lat, lon, k, f64::INFINITY, &filter);
            let rows: Vec<_> = hits
                .iter()
                .map(|h| {
                    let s = index.station(h.station);
                    serde_json::json!({
                        "id": s.id,
                        "name": s.name,
                        "distance_m": h.distance_m,
                        "max_power_kw": s.max_power_kw(),
                        "best_power_kw": h.best_power_kw,
                        "plugs": s.plugs().iter().map(|p| p.code()).collect::<Vec<_>>(),
                        "evses": s.evses.len(),
                        "matching": h.matching_evses,
                        "available": h.available_evses,
                        "min_price": h.min_price,
                        "reliability_pct": s.extra.reliability_pct,
                    })
                })
                .collect();
            print_json(&rows)
        }
        Some("price") => price::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

/// The filter options, `--compact`, and `--tariffs FILE` with `--price-at` (0 when not given).
type Options = (Filter, bool, Option<(String, i64)>);

/// `--plugs CCS2,TYPE2_SOCKET --min-kw 22 --available --working --vehicle ID --compact`.
fn filter_options(opts: &[String]) -> Result<Options, String> {
    let mut f = Filter::default();
    let mut compact = false;
    let (mut tariffs, mut price_at) = (None, 0i64);
    let mut it = opts.iter();
    while let Some(o) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{o} needs a value\n{USAGE}"));
        match o.as_str() {
            "--plugs" => {
                for code in value()?.split(',').filter(|c| !c.is_empty()) {
                    let fam = chargefinder::PlugFamily::from_code(code)
                        .ok_or_else(|| format!("--plugs: unknown plug {code:?} (CCS2, TYPE2_SOCKET, CHADEMO, …)"))?;
                    f.plugs = f.plugs.with(fam);
                }
            }
            "--min-kw" => {
                let v = value()?;
                f.min_power_kw = v.parse().map_err(|_| format!("--min-kw {v:?} is not a number"))?;
            }
            "--vehicle" => {
                let id = value()?;
                let v = chargefinder::catalogue_vehicle(id)
                    .ok_or_else(|| format!("--vehicle: no catalogue vehicle {id:?}"))?;
                f.vehicle = Some(v.vehicle.clone());
            }
            "--available" => f.available_now = true,
            "--working" => f.working_only = true,
            "--operator" => f.operators.push(value()?.to_string()),
            // The app's payment filters: start from the app, pay by card.
            "--pay-app" => f.capabilities = f.capabilities.with(chargefinder::Capability::RemoteStartStopCapable),
            "--pay-card" => f.capabilities = f.capabilities.with(chargefinder::Capability::CreditCardPayable),
            "--open-at" => {
                let v = value()?;
                f.open_at = Some(v.parse().map_err(|_| format!("--open-at {v:?} is not unix seconds"))?);
            }
            "--compact" => compact = true,
            "--max-price" => {
                let v = value()?;
                f.max_price = Some(v.parse().map_err(|_| format!("--max-price {v:?} is not whole cents"))?);
            }
            "--min-reliability" => {
                let v = value()?;
                f.min_station_reliability_pct =
                    Some(v.parse().map_err(|_| format!("--min-reliability {v:?} is not a whole percentage"))?);
            }
            "--tariffs" => tariffs = Some(value()?.to_string()),
            "--price-at" => {
                let v = value()?;
                price_at = v.parse().map_err(|_| format!("--price-at {v:?} is not unix seconds"))?;
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok((f, compact, tariffs.map(|t| (t, price_at))))
}

fn load(file: &str) -> Result<Imported, String> {
    let bytes = read(file)?;
    import_locations(&bytes).map_err(|e| format!("{file}: {e}"))
}

/// A file's bytes, gunzipped when it is gzip.
fn read(file: &str) -> Result<Vec<u8>, String> {
    let raw = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("{file} looks like gzip but does not decompress: {e}"))?;
        out
    } else {
        raw
    };
    Ok(bytes)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), String> {
    let s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    println!("{s}");
    Ok(())
}
