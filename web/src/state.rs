//! The app's state and what it shows, as plain Rust (tested without a browser).

use chargefinder::{Filter, Hit, StationIndex};

/// How many stations the list shows.
pub const LIST_LEN: usize = 10;

/// One row of the nearest-stations list, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub distance_m: f64,
    pub distance: String,
    pub power: String,
    pub plugs: Vec<&'static str>,
    pub evses: usize,
    pub available: u32,
}

/// The nearest stations to a point, as list rows.
pub fn nearest_rows(index: &StationIndex, lat: f64, lon: f64, filter: &Filter) -> Vec<Row> {
    index.nearest(lat, lon, LIST_LEN, f64::INFINITY, filter).iter().map(|h| row(index, h)).collect()
}

fn row(index: &StationIndex, h: &Hit) -> Row {
    let s = index.station(h.station);
    Row {
        id: s.id.clone(),
        name: s.name.clone(),
        distance_m: h.distance_m,
        distance: format_distance(h.distance_m),
        power: format_power(s.max_power_kw()),
        plugs: s.plugs().iter().map(|p| p.label()).collect(),
        evses: s.evses.len(),
        available: h.available_evses,
    }
}

/// "35 m", "950 m", "1.2 km", "12 km": precise near, rounder far.
pub fn format_distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{} m", ((m / 5.0).round() * 5.0) as u64)
    } else if m < 10_000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} km", (m / 1000.0).round() as u64)
    }
}

/// "11 kW", "3.7 kW", "350 kW"; "power unknown" for 0.
pub fn format_power(kw: f32) -> String {
    if kw <= 0.0 {
        "power unknown".to_string()
    } else if kw < 10.0 {
        format!("{:.1} kW", kw)
    } else {
        format!("{} kW", kw.round() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_naturally() {
        assert_eq!(format_distance(3.4), "5 m");
        assert_eq!(format_distance(201.0), "200 m");
        assert_eq!(format_distance(1234.0), "1.2 km");
        assert_eq!(format_distance(15_600.0), "16 km");
    }

    #[test]
    fn powers_read_naturally() {
        assert_eq!(format_power(11.04), "11 kW");
        assert_eq!(format_power(3.68), "3.7 kW");
        assert_eq!(format_power(0.0), "power unknown");
    }
}
