//! `chargefinder`: what we make of an OCPI feed, from the command line.
//!
//! ```text
//! chargefinder check FILE                       import report as JSON
//! chargefinder nearest FILE LAT LON [K]         the K nearest stations as JSON (default 10)
//! ```
//! FILE is OCPI locations JSON, plain or `.gz`: an envelope, `{data}` or a bare array.

use std::io::Read;
use std::process::ExitCode;

use chargefinder::{import_locations, Filter, Imported, StationIndex};

const USAGE: &str = "usage:
  chargefinder check FILE                 print the import report of an OCPI locations file as JSON
  chargefinder nearest FILE LAT LON [K]   print the K (default 10) nearest stations as JSON
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
            let (file, lat, lon, k) = match args {
                [_, f, lat, lon] => (f, lat, lon, "10"),
                [_, f, lat, lon, k] => (f, lat, lon, k.as_str()),
                _ => return Err(USAGE.into()),
            };
            let lat: f64 = lat.parse().map_err(|_| format!("LAT {lat:?} is not a number"))?;
            let lon: f64 = lon.parse().map_err(|_| format!("LON {lon:?} is not a number"))?;
            let k: usize = k.parse().map_err(|_| format!("K {k:?} is not a whole number"))?;
            let imported = load(file)?;
            let index = StationIndex::from_locations(&imported.locations);
            let hits = index.nearest(lat, lon, k, f64::INFINITY, &Filter::default());
            let rows: Vec<_> = hits
                .iter()
                .map(|h| {
                    let s = index.station(h.station);
                    serde_json::json!({
                        "id": s.id,
                        "name": s.name,
                        "distance_m": h.distance_m,
                        "max_power_kw": s.max_power_kw(),
                        "plugs": s.plugs().iter().map(|p| p.code()).collect::<Vec<_>>(),
                        "evses": s.evses.len(),
                        "available": h.available_evses,
                    })
                })
                .collect();
            print_json(&rows)
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

fn load(file: &str) -> Result<Imported, String> {
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
    import_locations(&bytes).map_err(|e| format!("{file}: {e}"))
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), String> {
    let s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    println!("{s}");
    Ok(())
}
