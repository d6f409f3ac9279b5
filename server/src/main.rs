//! chargefinder-server: the reference backend.
//!
//! Settings (environment, or the same names as `--flags` in lower case without the prefix):
//! * `CHARGEFINDER_ADDR`: where to listen (default `127.0.0.1:8080`);
//! * `CHARGEFINDER_DB`: the SQLite file (default `var/chargefinder.sqlite`);
//! * `CHARGEFINDER_DATA`: a folder with `locations.json.gz` and `tariffs.json.gz`
//!   (default `data/nl`, the embedded Dutch set);
//! * `CHARGEFINDER_WEB`: the built web app to serve at `/` (default `dist`);
//! * `CHARGEFINDER_SIMULATE`: run the charging-network simulator (`1`, or a speed such as `60`
//!   for sixty times real time); off by default;
//! * `CHARGEFINDER_CPO_TOKEN`: the token operator platforms push OCPI EVSE updates with
//!   (`Authorization: Token …`); without it, pushes are refused.

mod api;
mod live;
mod ocpi_api;
mod places;
mod prices;
mod push_location;
mod reports;
mod simulator;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub data: PathBuf,
    pub web: PathBuf,
    /// The token operator platforms push OCPI updates with; pushes are refused without one.
    pub cpo_token: Option<String>,
    /// Run the charging-network simulator at this many times real time.
    pub simulate: Option<f64>,
}

impl Config {
    fn from_env_and_args() -> Result<Config, String> {
        let get = |name: &str, default: &str| -> String {
            let flag = format!("--{}", name.to_ascii_lowercase());
            let args: Vec<String> = std::env::args().collect();
            if let Some(pos) = args.iter().position(|a| *a == flag) {
                if let Some(v) = args.get(pos + 1) {
                    return v.clone();
                }
            }
            std::env::var(format!("CHARGEFINDER_{name}")).unwrap_or_else(|_| default.to_string())
        };
        let addr_s = get("ADDR", "127.0.0.1:8080");
        let addr = addr_s
            .parse()
            .map_err(|_| format!("CHARGEFINDER_ADDR {addr_s:?} is not an address like 127.0.0.1:8080"))?;
        Ok(Config {
            addr,
            db: get("DB", "var/chargefinder.sqlite").into(),
            data: get("DATA", "data/nl").into(),
            web: get("WEB", "dist").into(),
            cpo_token: std::env::var("CHARGEFINDER_CPO_TOKEN").ok().filter(|t| !t.trim().is_empty()),
            simulate: match get("SIMULATE", "").as_str() {
                "" | "0" | "false" | "off" => None,
                s => Some(s.parse::<f64>().ok().filter(|x| *x > 0.0 && x.is_finite()).unwrap_or(1.0)),
            },
        })
    }
}

fn main() -> ExitCode {
    let config = match Config::from_env_and_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("chargefinder-server: {e}");
            return ExitCode::from(2);
        }
    };
    // Import (or confirm) the data before the runtime starts: a bad file is a clear exit, not a
    // half-started server.
    let store = match store::Store::open_or_import(&config.db, &config.data) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("chargefinder-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chargefinder-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve(config, store)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chargefinder-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, store: store::Store) -> Result<(), String> {
    let live = live::Live::new(store, config.cpo_token.clone());
    // Build the app's stations body now, so the first driver does not wait for it.
    if let Err(e) = live.stations() {
        return Err(format!("cannot prepare the stations: {e}"));
    }
    if let Some(speed) = config.simulate {
        tokio::spawn(simulator::run(live.clone(), speed, simulator::SimConfig::default()));
    }
    let app = api::router(live, &config.web);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("chargefinder is up: http://{local}/");
    // The peer address feeds the report rate limit.
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
