//! A tariff in words, for a driver: `€0.39/kWh · €2.40/h charging after 2 h · €1.00 start fee`.
//!
//! The words are generated from the same [`Tariff`] the engine prices with, so they cannot
//! disagree with it:
//! * every price shown is a component's price: **including VAT when every component of the
//!   tariff states its VAT** (and its price limits their `incl_vat`), else excluding VAT for all
//!   of them, and then the text ends with "excl. VAT" (never a mix); rounded to at most
//!   4 decimals, at least 2;
//! * a component that can never be used (an earlier element of its dimension has no
//!   restrictions) is not shown; restrictions are shown next to their price, in the tariff's
//!   order, which is the order OCPI tries them in;
//! * a zero price without a condition, and a zero start fee, are not shown (they cost nothing);
//! * a dimension with more than [`MAX_PHRASES`] prices (dynamic tariffs: one per quarter hour)
//!   is summarised as the lowest and highest of those prices, "varies".
//!
//! `tariff_alt_text` is not used: OCPI forbids it from repeating the prices, and it is free text.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::model::{Dimension, PriceComponent, ReservationRestriction, Restrictions, Tariff};

/// More prices than this in one dimension are summarised as a range.
pub const MAX_PHRASES: usize = 4;

/// The languages a tariff can be described in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Nl,
    De,
    Fr,
}

impl Language {
    pub const ALL: [Language; 4] = [Self::En, Self::Nl, Self::De, Self::Fr];

    /// From an ISO 639-1 code (`"nl"`, `"NL"`, `"nl-BE"`).
    pub fn parse(code: &str) -> Option<Language> {
        match code.get(..2)?.to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "nl" => Some(Self::Nl),
            "de" => Some(Self::De),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nl => "nl",
            Self::De => "de",
            Self::Fr => "fr",
        }
    }
}

struct Words {
    per_hour: &'static str,
    charging: &'static str,
    parking: &'static str,
    start_fee: &'static str,
    free: &'static str,
    excl_vat: &'static str,
    varies: &'static str,
    min: &'static str,
    max: &'static str,
    after: &'static str,
    first: &'static str,
    from: &'static str,
    below: &'static str,
    until: &'static str,
    reservation: &'static str,
    expired_reservation: &'static str,
    days: [&'static str; 7],
    decimal_comma: bool,
    /// Currency symbol after the amount (`0,39 €`).
    symbol_after: bool,
}

const EN: Words = Words {
    per_hour: "/h",
    charging: "charging",
    parking: "parking",
    start_fee: "start fee",
    free: "free",
    excl_vat: "excl. VAT",
    varies: "varies",
    min: "min.",
    max: "max.",
    after: "after",
    first: "first",
    from: "from",
    below: "below",
    until: "until",
    reservation: "reservation",
    expired_reservation: "expired reservation",
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    decimal_comma: false,
    symbol_after: false,
};

const NL: Words = Words {
    per_hour: "/uur",
    charging: "laden",
    parking: "parkeren",
    start_fee: "starttarief",
    free: "gratis",
    excl_vat: "excl. btw",
    varies: "wisselend",
    min: "min.",
    max: "max.",
    after: "na",
    first: "eerste",
    from: "vanaf",
    below: "onder",
    until: "t/m",
    reservation: "reservering",
    expired_reservation: "verlopen reservering",
    days: ["ma", "di", "wo", "do", "vr", "za", "zo"],
    decimal_comma: true,
    symbol_after: false,
};

const DE: Words = Words {
    per_hour: "/Std.",
    charging: "Ladezeit",
    parking: "Parken",
    start_fee: "Startgebühr",
    free: "kostenlos",
    excl_vat: "zzgl. MwSt.",
    varies: "variabel",
    min: "mind.",
    max: "max.",
    after: "nach",
    first: "bis",
    from: "ab",
    below: "unter",
    until: "bis",
    reservation: "Reservierung",
    expired_reservation: "abgelaufene Reservierung",
    days: ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    decimal_comma: true,
    symbol_after: true,
};

const FR: Words = Words {
    per_hour: "/h",
    charging: "de charge",
    parking: "de stationnement",
    start_fee: "frais de session",
    free: "gratuit",
    excl_vat: "HT",
    varies: "variable",
    min: "min.",
    max: "max.",
    after: "après",
    first: "jusqu'à",
    from: "dès",
    below: "sous",
    until: "jusqu'au",
    reservation: "réservation",
    expired_reservation: "réservation expirée",
    days: ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"],
    decimal_comma: true,
    symbol_after: true,
};

fn words(lang: Language) -> &'static Words {
    match lang {
        Language::En => &EN,
        Language::Nl => &NL,
        Language::De => &DE,
        Language::Fr => &FR,
    }
}

/// Does the tariff state VAT for every component, and `incl_vat` for its price limits (so its
/// words show prices incl. VAT)?
pub fn shows_incl_vat(t: &Tariff) -> bool {
    t.elements.iter().flat_map(|e| &e.components).all(|c| c.vat.is_some())
        && [t.min_price, t.max_price].iter().flatten().all(|l| l.incl_vat.is_some())
}

/// The price of a component as the words show it (see the module documentation).
pub fn shown_price(c: &PriceComponent, incl_vat: bool) -> Decimal {
    let p = match (incl_vat, c.vat) {
        (true, Some(v)) => c.price * (Decimal::ONE + v / Decimal::ONE_HUNDRED),
        _ => c.price,
    };
    let mut p = p.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).normalize();
    if p.scale() < 2 {
        p.rescale(2);
    }
    p
}

/// The components the words show, per dimension in display order: those some session could
/// reach (no earlier element of the same dimension and kind is unrestricted).
pub fn shown_components(t: &Tariff) -> Vec<(Dimension, Vec<(&PriceComponent, &Restrictions)>)> {
    let order = [Dimension::Energy, Dimension::Time, Dimension::ParkingTime, Dimension::Flat];
    order
        .iter()
        .map(|&dim| {
            let mut out = Vec::new();
            let mut closed = [false, false]; // session, reservation
            for e in &t.elements {
                let Some(c) = e.component(dim) else { continue };
                let kind = usize::from(e.restrictions.reservation.is_some());
                if closed[kind] {
                    continue;
                }
                out.push((c, &e.restrictions));
                closed[kind] = e.restrictions.is_empty()
                    || (kind == 1 && is_only_reservation(&e.restrictions, ReservationRestriction::Reservation));
            }
            (dim, out)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn is_only_reservation(r: &Restrictions, kind: ReservationRestriction) -> bool {
    Restrictions { reservation: None, ..r.clone() }.is_empty() && r.reservation == Some(kind)
}

/// Describes `t` for a driver in `lang`.
///
/// ```
/// use chargefinder::tariff::{describe, Language, Tariff};
/// let t = Tariff::from_json(br#"{"id":"T","currency":"EUR","elements":[
///   {"price_components":[{"type":"ENERGY","price":0.2397,"vat":21,"step_size":1}],
///    "restrictions":{"start_time":"22:00","end_time":"07:00"}},
///   {"price_components":[{"type":"ENERGY","price":0.3223,"vat":21,"step_size":1},
///                        {"type":"FLAT","price":1,"vat":21,"step_size":1}]}]}"#).unwrap();
/// assert_eq!(describe(&t, Language::En), "€0.29/kWh 22:00–07:00 · €0.39/kWh · €1.21 start fee");
/// assert_eq!(describe(&t, Language::De), "0,29 €/kWh 22:00–07:00 · 0,39 €/kWh · 1,21 € Startgebühr");
/// ```
pub fn describe(t: &Tariff, lang: Language) -> String {
    let w = words(lang);
    let incl = shows_incl_vat(t);
    if t.is_free() {
        return w.free.to_string();
    }
    let money = |d: Decimal| format_money(d, &t.currency, w);
    let mut parts: Vec<String> = Vec::new();
    for (dim, comps) in shown_components(t) {
        let unit = |amount: String| match dim {
            Dimension::Energy => format!("{amount}/kWh"),
            Dimension::Time => format!("{amount}{} {}", w.per_hour, w.charging),
            Dimension::ParkingTime => format!("{amount}{} {}", w.per_hour, w.parking),
            Dimension::Flat => format!("{amount} {}", w.start_fee),
        };
        if comps.len() > MAX_PHRASES {
            let prices = comps.iter().map(|(c, _)| shown_price(c, incl));
            let lo = prices.clone().min().unwrap_or_default();
            let hi = prices.max().unwrap_or_default();
            let range = if lo == hi { money(lo) } else { format!("{}–{}", money(lo), money(hi)) };
            parts.push(format!("{} ({})", unit(range), w.varies));
            continue;
        }
        for (c, r) in comps {
            let q = qualifiers(r, w);
            // Reservation time is not charging time, and its fee is not a start fee.
            if let Some(kind) = r.reservation {
                let what = match kind {
                    ReservationRestriction::Reservation => w.reservation,
                    ReservationRestriction::ReservationExpires => w.expired_reservation,
                };
                let amount = money(shown_price(c, incl));
                let phrase = match dim {
                    Dimension::Time => format!("{amount}{} {what}", w.per_hour),
                    _ => format!("{amount} {what}"),
                };
                let rest = qualifiers(&Restrictions { reservation: None, ..r.clone() }, w);
                let phrase = if rest.is_empty() { phrase } else { format!("{phrase} {rest}") };
                if !parts.contains(&phrase) {
                    parts.push(phrase);
                }
                continue;
            }
            // "€0.00/h charging" with no condition, or a zero start fee, says nothing a driver
            // needs (a zero price under a condition does: "€0.00/h parking first 2 h").
            if c.price.is_zero() && (q.is_empty() || dim == Dimension::Flat) {
                continue;
            }
            let phrase = unit(money(shown_price(c, incl)));
            let phrase = if q.is_empty() { phrase } else { format!("{phrase} {q}") };
            if !parts.contains(&phrase) {
                parts.push(phrase);
            }
        }
    }
    let limit = |l: super::PriceLimit| match (incl, l.incl_vat) {
        (true, Some(v)) => v,
        _ => l.excl_vat,
    };
    if let Some(m) = t.min_price.filter(|m| !m.excl_vat.is_zero()) {
        parts.push(format!("{} {}", w.min, money(limit(m))));
    }
    if let Some(m) = t.max_price {
        parts.push(format!("{} {}", w.max, money(limit(m))));
    }
    if parts.is_empty() {
        // Every price a session can reach is zero (the others are shadowed).
        return w.free.to_string();
    }
    let mut out = parts.join(" · ");
    if !incl {
        out.push_str(" · ");
        out.push_str(w.excl_vat);
    }
    out
}

fn format_money(d: Decimal, currency: &str, w: &Words) -> String {
    let mut d = d;
    if d.scale() < 2 {
        d.rescale(2);
    }
    money_in(&d.to_string(), currency, w)
}

/// An amount in a currency as `lang` writes it: `€14.52`, `€ 14,52`, `14,52 €`, `CHF 3.10`.
/// `amount` is a decimal string as the server sends money (`"14.52"`), never a float: the
/// server's price words, the app's list and its payment screens all write amounts with this.
pub fn money(amount: &str, currency: &str, lang: Language) -> String {
    money_in(amount, currency, words(lang))
}

fn money_in(amount: &str, currency: &str, w: &Words) -> String {
    let n = if w.decimal_comma { amount.replace('.', ",") } else { amount.to_string() };
    let symbol = match currency {
        "EUR" => "€",
        "GBP" => "£",
        "USD" => "$",
        other => other,
    };
    let glue = if symbol.chars().count() == 3 || w.decimal_comma { " " } else { "" };
    if w.symbol_after {
        format!("{n} {symbol}")
    } else {
        format!("{symbol}{glue}{n}")
    }
}

fn qualifiers(r: &Restrictions, w: &Words) -> String {
    let mut q: Vec<String> = Vec::new();
    match r.reservation {
        Some(ReservationRestriction::Reservation) => q.push(w.reservation.into()),
        Some(ReservationRestriction::ReservationExpires) => q.push(w.expired_reservation.into()),
        None => {}
    }
    if let Some((from, to)) = r.time_window() {
        if (from, to) != (0, 1440) {
            q.push(format!("{}–{}", hhmm(from), hhmm(to)));
        }
    }
    if r.days != 0 {
        q.push(days(r.days, w));
    }
    let last_day = |d: Date| d.yesterday().unwrap_or(d);
    match (r.start_date, r.end_date) {
        (Some(a), Some(b)) if last_day(b) == a => q.push(a.to_string()),
        (Some(a), Some(b)) => q.push(format!("{a}–{}", last_day(b))),
        (Some(a), None) => q.push(format!("{} {a}", w.from)),
        (None, Some(b)) => q.push(format!("{} {}", w.until, last_day(b))),
        (None, None) => {}
    }
    let range = |lo: Option<String>, hi: Option<String>, first: bool| match (lo, hi) {
        (Some(lo), Some(hi)) => Some(format!("{lo}–{hi}")),
        (Some(lo), None) if first => Some(format!("{} {lo}", w.after)),
        (Some(lo), None) => Some(format!("{} {lo}", w.from)),
        (None, Some(hi)) if first => Some(format!("{} {hi}", w.first)),
        (None, Some(hi)) => Some(format!("{} {hi}", w.below)),
        (None, None) => None,
    };
    let kwh = |d: Decimal| format!("{} kWh", num(d, w));
    let kw = |d: Decimal| format!("{} kW", num(d, w));
    let amp = |d: Decimal| format!("{} A", num(d, w));
    let nonzero = |d: Option<Decimal>| d.filter(|d| !d.is_zero());
    q.extend(range(nonzero(r.min_kwh).map(kwh), r.max_kwh.map(kwh), true));
    q.extend(range(r.min_duration_s.filter(|d| *d > 0).map(duration), r.max_duration_s.map(duration), true));
    q.extend(range(nonzero(r.min_power_kw).map(kw), r.max_power_kw.map(kw), false));
    q.extend(range(nonzero(r.min_current_a).map(amp), r.max_current_a.map(amp), false));
    q.join(" ")
}

fn num(d: Decimal, w: &Words) -> String {
    let s = d.normalize().to_string();
    if w.decimal_comma {
        s.replace('.', ",")
    } else {
        s
    }
}

fn hhmm(minutes: u16) -> String {
    let m = minutes % 1440;
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn duration(s: u64) -> String {
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = Vec::new();
    if h > 0 {
        out.push(format!("{h} h"));
    }
    if m > 0 {
        out.push(format!("{m} min"));
    }
    if sec > 0 || out.is_empty() {
        out.push(format!("{sec} s"));
    }
    out.join(" ")
}

/// Weekday bits as ranges: `Mon–Fri`, `Sat, Sun`.
fn days(bits: u8, w: &Words) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < 7 {
        if bits & (1 << i) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && bits & (1 << (i + 1)) != 0 {
            i += 1;
        }
        out.push(match i - start {
            0 => w.days[start].to_string(),
            1 => format!("{}, {}", w.days[start], w.days[i]),
            _ => format!("{}–{}", w.days[start], w.days[i]),
        });
        i += 1;
    }
    out.join(", ")
}
