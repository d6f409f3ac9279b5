//! SQLite storage: the OCPI objects as received, the compact stations, the import report.
//!
//! The import runs once per input: the SHA-256 of the data files is kept in `meta`, and a start
//! with the same files opens the database as it is. A new import is written to a temporary file
//! and renamed into place only when complete, so a bad input never leaves a half-written database.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chargefinder::{import_locations, ocpi, Station};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use sha2::{Digest, Sha256};

// 3: reports (created by `reports::migrate` on every open) and location upserts by PUT.
// 4: compact stations carry payment capabilities, opening hours and prices.
const SCHEMA_VERSION: &str = "4";

#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// Which OCPI object list.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Locations,
    Tariffs,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Locations => "locations",
            Table::Tariffs => "tariffs",
        }
    }
}

/// One page of OCPI objects.
#[derive(Debug)]
pub struct Page {
    pub total: u64,
    pub items: Vec<String>,
}

impl Store {
    /// Opens the database, importing `data_dir` first if the database is missing or was built from
    /// other input.
    pub fn open_or_import(db: &Path, data_dir: &Path) -> Result<Store, String> {
        let loc_path = data_dir.join("locations.json.gz");
        let tariff_path = data_dir.join("tariffs.json.gz");
        let loc_raw = read_file(&loc_path)?;
        let tariff_raw = read_file(&tariff_path)?;
        let hash = {
            let mut h = Sha256::new();
            h.update(SCHEMA_VERSION);
            h.update(&loc_raw);
            h.update(&tariff_raw);
            format!("{:x}", h.finalize())
        };
        if db.exists() {
            match Connection::open(db).and_then(|c| {
                let v: Option<String> =
                    c.query_row("SELECT value FROM meta WHERE key = 'input_sha256'", [], |r| r.get(0)).optional()?;
                Ok((c, v))
            }) {
                Ok((conn, Some(v))) if v == hash => return Store::from_conn(conn),
                Ok(_) => println!("chargefinder-server: data changed, re-importing into {}", db.display()),
                Err(e) => eprintln!("chargefinder-server: {} is unreadable ({e}), re-importing", db.display()),
            }
        }
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let tmp = tmp_path(db);
        let _ = std::fs::remove_file(&tmp);
        let result = import_into(&tmp, &loc_path, &loc_raw, &tariff_path, &tariff_raw, &hash)
            // Drivers' reports are not derived from the data files: keep them.
            .and_then(|()| crate::reports::carry_over(db, &tmp))
            // Drivers, sessions and payments are not derived from the data files: they move over.
            .and_then(|()| carry_sessions_over(db, &tmp))
            .and_then(|()| {
                std::fs::rename(&tmp, db).map_err(|e| format!("cannot move {} into place: {e}", tmp.display()))
            });
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let conn = Connection::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
        Store::from_conn(conn)
    }

    fn from_conn(conn: Connection) -> Result<Store, String> {
        crate::reports::migrate(&conn).map_err(|e| format!("cannot prepare the reports table: {e}"))?;
        migrate_sessions(&conn).map_err(|e| format!("cannot prepare the session tables: {e}"))?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    pub(crate) fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, String> {
        // A poisoned lock only means another request panicked mid-read; SQLite itself is intact.
        let guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard).map_err(|e| format!("database error: {e}"))
    }

    /// A page of OCPI objects, in import order, optionally limited to `last_updated` in
    /// `[date_from, date_to)` (unix seconds), as OCPI's GET list defines.
    pub fn page(
        &self,
        table: Table,
        offset: u64,
        limit: u64,
        date_from: Option<i64>,
        date_to: Option<i64>,
    ) -> Result<Page, String> {
        let t = table.name();
        let from = date_from.unwrap_or(i64::MIN);
        let to = date_to.unwrap_or(i64::MAX);
        self.with_conn(|c| {
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM {t} WHERE last_updated >= ?1 AND last_updated < ?2"),
                params![from, to],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare_cached(&format!(
                "SELECT ocpi FROM {t} WHERE last_updated >= ?1 AND last_updated < ?2 ORDER BY seq LIMIT ?3 OFFSET ?4"
            ))?;
            let items = stmt
                .query_map(params![from, to, limit as i64, offset as i64], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page { total: total.max(0) as u64, items })
        })
    }

    /// One location's live EVSE statuses: `(evse_uid, status, last_updated unix seconds)`.
    pub fn evse_statuses(&self, location_id: &str) -> Result<Vec<(String, String, i64)>, String> {
        self.with_conn(|c| {
            c.prepare_cached("SELECT evse_uid, status, last_updated FROM evse_status WHERE location_id = ?1")?
                .query_map([location_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
    }

    /// One location's OCPI object by id.
    pub fn location(&self, id: &str) -> Result<Option<String>, String> {
        self.with_conn(|c| {
            c.query_row("SELECT ocpi FROM locations WHERE id = ?1 ORDER BY seq LIMIT 1", [id], |r| r.get(0)).optional()
        })
    }
}

fn tmp_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".importing");
    PathBuf::from(s)
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read data file {}: {e}", path.display()))
}

fn gunzip(path: &Path, raw: &[u8]) -> Result<Vec<u8>, String> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw.to_vec()); // plain JSON is fine too
    }
    let mut out = Vec::with_capacity(raw.len() * 12);
    flate2::read::MultiGzDecoder::new(raw)
        .read_to_end(&mut out)
        .map_err(|e| format!("data file {} is not valid gzip: {e}", path.display()))?;
    Ok(out)
}

/// RFC 3339 → unix seconds; `0` when absent or unreadable (sorts first, still listed).
pub fn unix_seconds(s: Option<&str>) -> i64 {
    s.and_then(|s| s.trim().parse::<jiff::Timestamp>().ok()).map(|t| t.as_second()).unwrap_or(0)
}

fn import_into(
    tmp: &Path,
    loc_path: &Path,
    loc_raw: &[u8],
    tariff_path: &Path,
    tariff_raw: &[u8],
    hash: &str,
) -> Result<(), String> {
    let loc_json = gunzip(loc_path, loc_raw)?;
    let imported = import_locations(&loc_json).map_err(|e| format!("data file {}: {e}", loc_path.display()))?;
    // The raw objects, to serve them as received (the domain model keeps only what we query).
    let raw_items = serde_json::from_slice::<Value>(&loc_json)
        .map_err(|e| e.to_string())
        .and_then(ocpi::payload_items)
        .map_err(|e| format!("data file {}: {e}", loc_path.display()))?;
    let tariff_json = gunzip(tariff_path, tariff_raw)?;
    let tariffs = serde_json::from_slice::<Value>(&tariff_json)
        .map_err(|e| format!("data file {} is not valid JSON: {e}", tariff_path.display()))
        .and_then(|v| ocpi::payload_items(v).map_err(|e| format!("data file {}: {e}", tariff_path.display())))?;

    // Each EVSE's price per kWh in the compact stations, for a charge starting now (see
    // `chargefinder::tariff::KwhPricer`); unreadable tariffs are left out (no price, never a
    // made-up one). The instant is kept in `meta` (`prices_at`), so it can be reproduced.
    let table = chargefinder::tariff::TariffTable::new(
        chargefinder::tariff::parse_tariffs(&tariff_json).map(|t| t.tariffs).unwrap_or_default(),
    );
    let prices_at = jiff::Timestamp::now();
    let mut pricer = chargefinder::tariff::KwhPricer::new(&table, prices_at);
    let db = |e: rusqlite::Error| format!("cannot write {}: {e}", tmp.display());
    let mut conn = Connection::open(tmp).map_err(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE locations (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, last_updated INTEGER NOT NULL,
                                 ocpi TEXT NOT NULL, station TEXT NOT NULL);
         CREATE INDEX locations_id ON locations (id);
         CREATE TABLE tariffs (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, last_updated INTEGER NOT NULL, ocpi TEXT NOT NULL);
         CREATE INDEX tariffs_id ON tariffs (id);
         CREATE TABLE import_problems (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, location_id TEXT,
                                       evse_uid TEXT, path TEXT NOT NULL, reason TEXT NOT NULL);
         -- Live status: the latest per EVSE, and every change in order (the SSE stream's log).
         CREATE TABLE evse_status (location_id TEXT NOT NULL, evse_uid TEXT NOT NULL, status TEXT NOT NULL,
                                   last_updated INTEGER NOT NULL, PRIMARY KEY (location_id, evse_uid));
         CREATE TABLE status_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, location_id TEXT NOT NULL,
                                     evse_uid TEXT NOT NULL, status TEXT NOT NULL, last_updated INTEGER NOT NULL,
                                     source TEXT NOT NULL);",
    )
    .map_err(db)?;
    let tx = conn.transaction().map_err(db)?;
    {
        let mut ins = tx
            .prepare("INSERT INTO locations (id, last_updated, ocpi, station) VALUES (?1, ?2, ?3, ?4)")
            .map_err(db)?;
        for (loc, &i) in imported.locations.iter().zip(&imported.source_index) {
            let ocpi = raw_items.get(i).map(Value::to_string).unwrap_or_default();
            let mut station = Station::from_location(loc);
            pricer.price(&mut station, loc);
            let station = serde_json::to_string(&station).map_err(|e| e.to_string())?;
            ins.execute(params![loc.id, unix_seconds(loc.last_updated.as_deref()), ocpi, station]).map_err(db)?;
            seed_status(&tx, loc).map_err(db)?;
        }
        let mut ins = tx.prepare("INSERT INTO tariffs (id, last_updated, ocpi) VALUES (?1, ?2, ?3)").map_err(db)?;
        for t in &tariffs {
            let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
            let lu = unix_seconds(t.get("last_updated").and_then(Value::as_str));
            ins.execute(params![id, lu, t.to_string()]).map_err(db)?;
        }
        let mut ins = tx
            .prepare(
                "INSERT INTO import_problems (kind, location_id, evse_uid, path, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(db)?;
        for p in &imported.report.problems {
            let kind =
                serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            ins.execute(params![kind, p.location_id, p.evse_uid, p.path, p.reason]).map_err(db)?;
        }
        tx.execute("INSERT INTO meta (key, value) VALUES ('input_sha256', ?1)", [hash]).map_err(db)?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('prices_at', ?1)", [prices_at.as_second().to_string()])
            .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    // stdout, like the "is up" line after it, so that readers see the two in order.
    println!(
        "chargefinder-server: imported {} locations, {} EVSEs, {} tariffs ({} problems reported)",
        imported.report.locations,
        imported.report.evses,
        tariffs.len(),
        imported.report.problems.len()
    );
    Ok(())
}

/// Version of the session tables (drivers, sessions, the simulated network's own sessions).
/// They are not part of the import: they are created in place, migrated by this number, and
/// carried over when a data change rebuilds the database, because they hold money.
pub const SESSIONS_SCHEMA_VERSION: i64 = 1;

/// The tables that hold state no data file can rebuild.
const SESSION_TABLES: &[&str] = &["drivers", "sessions", "cpo_sessions"];

/// Creates (or upgrades) the session tables.
///
/// * `drivers`: one row per device token; only its SHA-256 is stored.
/// * `sessions`: the driver's charging session and its payment, a state machine
///   (`requested → held → starting → active → stopping → completed`, or `failed`). A Stripe call
///   is recorded as `pending_op` (+ its idempotency key `op_key`) in the same transaction as the
///   state that calls for it, *before* the call; it is cleared with the state its answer leads to.
///   So after a crash, every unfinished call is in the table, and is finished at start.
/// * `cpo_sessions`: the simulated operator's own record (see `network.rs`).
pub fn migrate_sessions(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")?;
    let v: i64 = c
        .query_row("SELECT value FROM meta WHERE key = 'sessions_schema'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if v >= SESSIONS_SCHEMA_VERSION {
        return Ok(());
    }
    let tx = c.unchecked_transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS drivers (token_sha256 TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS sessions (
             id TEXT PRIMARY KEY,
             driver TEXT NOT NULL,
             idempotency_key TEXT NOT NULL,
             request TEXT NOT NULL,
             location_id TEXT NOT NULL, evse_uid TEXT NOT NULL, connector_id TEXT NOT NULL,
             state TEXT NOT NULL,
             created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
             currency TEXT NOT NULL, hold_minor INTEGER NOT NULL, quote TEXT NOT NULL,
             payment_method TEXT NOT NULL,
             pi_id TEXT, pending_op TEXT, op_key TEXT,
             start_result TEXT, error_code TEXT, error_message TEXT,
             ocpi_session TEXT, started_ms INTEGER, ended_ms INTEGER,
             cdr TEXT, captured_minor INTEGER, released INTEGER NOT NULL DEFAULT 0,
             UNIQUE (driver, idempotency_key));
         CREATE INDEX IF NOT EXISTS sessions_driver ON sessions (driver, created_ms);
         CREATE INDEX IF NOT EXISTS sessions_open ON sessions (state) WHERE state NOT IN ('completed', 'failed');
         CREATE TABLE IF NOT EXISTS cpo_sessions (
             reference TEXT PRIMARY KEY, command TEXT NOT NULL, scripted TEXT, created_ms INTEGER NOT NULL,
             start_result TEXT, start_result_ms INTEGER, session_id TEXT, plugged_ms INTEGER,
             stop_ms INTEGER, stopped_ms INTEGER, cdr TEXT, done INTEGER NOT NULL DEFAULT 0);",
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('sessions_schema', ?1)",
        [SESSIONS_SCHEMA_VERSION.to_string()],
    )?;
    tx.commit()
}

/// Copies the session tables from the database being replaced into the new one.
fn carry_sessions_over(old: &Path, new: &Path) -> Result<(), String> {
    if !old.exists() {
        return Ok(());
    }
    let db = |e: rusqlite::Error| format!("cannot carry sessions over from {}: {e}", old.display());
    let conn = Connection::open(new).map_err(db)?;
    migrate_sessions(&conn).map_err(db)?;
    let old_s = old.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", old.display()))?;
    conn.execute("ATTACH DATABASE ?1 AS old", [old_s]).map_err(db)?;
    let tx = conn.unchecked_transaction().map_err(db)?;
    for t in SESSION_TABLES {
        let exists: bool = tx
            .query_row("SELECT COUNT(*) > 0 FROM old.sqlite_master WHERE type = 'table' AND name = ?1", [t], |r| {
                r.get(0)
            })
            .map_err(db)?;
        if exists {
            tx.execute(&format!("INSERT INTO main.{t} SELECT * FROM old.{t}"), []).map_err(db)?;
        }
    }
    tx.commit().map_err(db)?;
    conn.execute("DETACH DATABASE old", []).map_err(db)?;
    Ok(())
}

/// The imported status of each EVSE is where live status starts. A repeated uid within a
/// location keeps the first, as the core's EVSE lookup does.
pub fn seed_status(tx: &Connection, loc: &chargefinder::Location) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO evse_status (location_id, evse_uid, status, last_updated) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for e in &loc.evses {
        let t = unix_seconds(e.last_updated.as_deref().or(loc.last_updated.as_deref()));
        st.execute(params![loc.id, e.uid, e.status.as_str(), t])?;
    }
    Ok(())
}
