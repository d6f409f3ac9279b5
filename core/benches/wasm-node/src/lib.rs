//! Wasm timing harness: node loads the NL data into memory, then times `price_all`.
use chargefinder::import_locations;
use chargefinder::tariff::{parse_tariffs, ChargePlan, Pricer, TariffTable};
use rust_decimal::Decimal;
use std::cell::RefCell;

struct Data {
    table: TariffTable,
    rows: Vec<(f64, bool, usize, usize)>,
    flat: Vec<u32>,
    ids: Vec<(f64, bool, Vec<String>)>,
}

thread_local! { static DATA: RefCell<Option<Data>> = const { RefCell::new(None) }; }

#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Both inputs are plain JSON (node gunzips them).
#[no_mangle]
pub extern "C" fn load(loc_ptr: *const u8, loc_len: usize, tar_ptr: *const u8, tar_len: usize) -> u32 {
    // SAFETY: node passes buffers it got from `alloc`.
    let (loc, tar) = unsafe { (std::slice::from_raw_parts(loc_ptr, loc_len), std::slice::from_raw_parts(tar_ptr, tar_len)) };
    let locations = import_locations(loc).map(|i| i.locations).unwrap_or_default();
    let table = TariffTable::new(parse_tariffs(tar).map(|t| t.tariffs).unwrap_or_default());
    let mut flat = Vec::new();
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    for c in locations.iter().flat_map(|l| &l.evses).flat_map(|e| &e.connectors) {
        let from = flat.len();
        flat.extend(c.tariff_ids.iter().filter_map(|id| table.index_of(id)));
        let kw = c.max_power_kw().unwrap_or(11.0);
        rows.push((kw, c.is_dc(), from, flat.len()));
        ids.push((kw, c.is_dc(), c.tariff_ids.clone()));
    }
    let n = rows.len() as u32;
    DATA.with(|d| *d.borrow_mut() = Some(Data { table, rows, flat, ids }));
    n
}

fn plan() -> ChargePlan {
    ChargePlan { battery_kwh: 60.0, soc_from_pct: 20.0, soc_to_pct: 80.0, car_max_ac_kw: 11.0, car_max_dc_kw: 100.0, connector_kw: 0.0, dc: false }
}

/// Prices the plan at every connector; `indexed` = tariff ids resolved at load. Returns how many got a price.
#[no_mangle]
pub extern "C" fn price_all(indexed: u32) -> u32 {
    DATA.with(|d| {
        let d = d.borrow();
        let Some(d) = d.as_ref() else { return 0 };
        let Some(tz) = chargefinder::time_zone("Europe/Amsterdam") else { return 0 };
        let start = jiff::Timestamp::from_second(1_780_999_200).unwrap_or_default(); // 2026-06-09T10:00Z
        let mut p = Pricer::new(&d.table, plan(), start, tz, Decimal::ZERO);
        if indexed == 1 {
            d.rows.iter().filter(|r| p.price_indexed(r.0, r.1, &d.flat[r.2..r.3]).is_ok()).count() as u32
        } else {
            d.ids.iter().filter(|r| p.price(r.0, r.1, &r.2).is_ok()).count() as u32
        }
    })
}
