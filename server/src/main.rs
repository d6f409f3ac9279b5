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
//! * `CHARGEFINDER_STRIPE_SECRET_KEY`: turns paid sessions on (the server's Stripe key, never
//!   sent to the browser); `CHARGEFINDER_STRIPE_URL` (default `https://api.stripe.com`; a
//!   localstripe's `http://127.0.0.1:PORT` in tests and the default run);
//!   `CHARGEFINDER_STRIPE_PUBLISHABLE_KEY` for the browser; `CHARGEFINDER_STRIPE_JS_URL` where the
//!   browser loads Stripe.js (default: `https://js.stripe.com/v3/` for real Stripe, else
//!   `{CHARGEFINDER_STRIPE_URL}/js.stripe.com/v3/`, where localstripe serves its own);
//! * `CHARGEFINDER_NETWORK_SPEED`: the simulated charging network's clock, times real time
//!   (default 1; tests use hundreds so a session takes seconds);
//! * `CHARGEFINDER_EMBED_ORIGINS`: partner sites that may frame the app or load the
//!   `<charge-finder>` element (CORS is granted to exactly these; comma-separated exact origins;
//!   see `embed.rs` and `docs/embed.md`); only our own origin by default.
//! * `CHARGEFINDER_START_TIMEOUT_S`: how long we wait for the charging network to answer a start
//!   before failing it as "charger did not respond" and releasing the hold (default 90);
//! * `CHARGEFINDER_NETWORK_TEST_CONTROL=1`: **tests only**: enables
//!   `POST /api/test/network/next-start`, which scripts the network's next start result.

mod api;
mod embed;
mod live;
mod network;
mod ocpi_api;
mod payments;
mod places;
mod prices;
mod push_location;
mod reliability;
mod reports;
mod sessions;
mod simulator;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

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
    /// Stripe, when paid sessions are on.
    pub stripe: Option<payments::StripeConfig>,
    /// The simulated charging network's speed, times real time.
    pub network_speed: f64,
    /// How long we wait for the network to answer a start before giving up ourselves.
    pub start_timeout: Duration,
    /// Test-only controls of the network (scripted results).
    pub network_test_control: bool,
    /// Partner sites that may frame the app (`CHARGEFINDER_EMBED_ORIGINS`).
    pub embed_origins: Vec<String>,
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
        let env = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let stripe = env("CHARGEFINDER_STRIPE_SECRET_KEY").map(|secret_key| {
            let base_url = env("CHARGEFINDER_STRIPE_URL").unwrap_or_else(|| "https://api.stripe.com".into());
            let js_url = env("CHARGEFINDER_STRIPE_JS_URL").unwrap_or_else(|| {
                if base_url.contains("api.stripe.com") {
                    "https://js.stripe.com/v3/".into()
                } else {
                    format!("{}/js.stripe.com/v3/", base_url.trim_end_matches('/'))
                }
            });
            payments::StripeConfig {
                base_url,
                secret_key,
                publishable_key: env("CHARGEFINDER_STRIPE_PUBLISHABLE_KEY").unwrap_or_default(),
                js_url,
            }
        });
        let positive = |name: &str, default: &str| -> Result<f64, String> {
            let v = env(name).unwrap_or_else(|| default.into());
            v.parse::<f64>()
                .ok()
                .filter(|x| *x > 0.0 && x.is_finite())
                .ok_or_else(|| format!("{name} {v:?} is not a positive number"))
        };
        let start_timeout = Duration::from_secs_f64(positive("CHARGEFINDER_START_TIMEOUT_S", "90")?);
        let speed_s = env("CHARGEFINDER_NETWORK_SPEED").unwrap_or_else(|| "1".into());
        let network_speed = speed_s
            .parse::<f64>()
            .ok()
            .filter(|x| *x > 0.0 && x.is_finite())
            .ok_or_else(|| format!("CHARGEFINDER_NETWORK_SPEED {speed_s:?} is not a positive number"))?;
        let embed_origins = embed::parse_origins(&env("CHARGEFINDER_EMBED_ORIGINS").unwrap_or_default())?;
        Ok(Config {
            embed_origins,
            stripe,
            network_speed,
            start_timeout,
            network_test_control: env("CHARGEFINDER_NETWORK_TEST_CONTROL").is_some_and(|v| v == "1"),
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
    let stripe = match config.stripe.clone().map(payments::Stripe::new).transpose() {
        Ok(s) => s,
        Err(e) => return Err(e),
    };
    let (network, messages) = network::Network::new(live.clone(), config.network_speed);
    let sessions = sessions::Sessions::new(
        live.store.clone(),
        stripe,
        network.clone(),
        config.network_test_control,
        config.start_timeout,
    );
    // Before serving: finish what a crash left half done (payments, starts, stops), and have the
    // network re-send the state of every open session.
    match sessions.reconcile().await {
        Ok(0) => {}
        Ok(n) => println!("chargefinder-server: reconciled {n} open sessions"),
        Err(e) => eprintln!("chargefinder-server: reconciliation incomplete (retried every 30 s): {e}"),
    }
    tokio::spawn(sessions.clone().follow(messages));
    tokio::spawn(network.run());
    tokio::spawn(sessions.clone().keep_reconciling());
    let app = api::router(live, sessions, &config.web);
    // Embedding (issue 8): the page's security headers and the partner allow list.
    let app = embed::protect(
        app,
        embed::Policy::new(config.embed_origins.clone(), &api::tiles_url(), config.stripe.as_ref()),
    );
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
