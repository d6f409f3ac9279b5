//! What an estimate wants a driver to know, as data (for the UI) with text in four languages.
//!
//! In JSON a note is `{"kind": "vat_unknown", "dimensions": ["ENERGY"]}` and so on; `Display`
//! is the English text.

use rust_decimal::Decimal;
use serde::Serialize;

use super::estimate::Limit;
use super::model::Dimension;
use super::words::Language;

/// One remark on an [`super::Estimate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// These components state no VAT rate (omitted is not 0 %): the incl.-VAT total is unknown.
    VatUnknown { dimensions: Vec<Dimension> },
    /// No element prices this much of the dimension (kWh, or seconds): it costs nothing.
    Unpriced { dimension: Dimension, quantity: Decimal },
    /// A price limit without `incl_vat` changed the total: the incl.-VAT total is unknown.
    LimitWithoutInclVat { limit: Limit },
    /// Elements left out of the tariff because they can never apply.
    ElementsLeftOut { count: usize },
    /// The session starts before the tariff's `start_date_time`.
    NotYetValid,
    /// The session starts at or after the tariff's `end_date_time`.
    Expired,
}

impl Note {
    /// The note for a driver, in `lang`.
    pub fn text(&self, lang: Language) -> String {
        use Language::{De, En, Fr, Nl};
        match self {
            Note::VatUnknown { dimensions } => {
                let dims = dimensions.iter().map(|d| dimension(*d, lang)).collect::<Vec<_>>().join(", ");
                match lang {
                    En => format!("the tariff gives no VAT rate for {dims}: the price including VAT is unknown"),
                    Nl => format!("het tarief noemt geen btw-tarief voor {dims}: de prijs inclusief btw is onbekend"),
                    De => format!("der Tarif nennt keinen MwSt.-Satz für {dims}: der Preis inkl. MwSt. ist unbekannt"),
                    Fr => format!("le tarif n'indique pas de taux de TVA pour {dims} : le prix TTC est inconnu"),
                }
            }
            Note::Unpriced { dimension: d, quantity } => {
                let q = match d {
                    Dimension::Energy => format!("{} kWh", quantity.round_dp(3).normalize()),
                    _ => format!("{} s", quantity.round_dp(0)),
                };
                let q = if lang == En { q } else { q.replace('.', ",") };
                let dim = dimension(*d, lang);
                match lang {
                    En => format!("no {dim} price applies to {q} of this session: not charged"),
                    Nl => format!("geen prijs voor {dim} geldt voor {q} van deze sessie: niet in rekening gebracht"),
                    De => format!("für {q} dieser Sitzung gilt kein Preis für {dim}: nicht berechnet"),
                    Fr => format!("aucun prix {dim} ne s'applique à {q} de cette session : non facturé"),
                }
            }
            Note::LimitWithoutInclVat { limit } => {
                let l = match limit {
                    Limit::MinPrice => "min_price",
                    Limit::MaxPrice => "max_price",
                };
                match lang {
                    En => format!("{l} has no incl_vat: the price including VAT is unknown"),
                    Nl => format!("{l} heeft geen incl_vat: de prijs inclusief btw is onbekend"),
                    De => format!("{l} hat kein incl_vat: der Preis inkl. MwSt. ist unbekannt"),
                    Fr => format!("{l} n'a pas d'incl_vat : le prix TTC est inconnu"),
                }
            }
            Note::ElementsLeftOut { count } => match lang {
                En => format!("{count} tariff element(s) left out because they can never apply"),
                Nl => format!("{count} tariefelement(en) weggelaten omdat ze nooit kunnen gelden"),
                De => format!("{count} Tarifelement(e) ausgelassen, da sie nie gelten können"),
                Fr => format!("{count} élément(s) tarifaire(s) ignoré(s) car jamais applicables"),
            },
            Note::NotYetValid => match lang {
                En => "the tariff is not yet valid at the session's start".into(),
                Nl => "het tarief geldt nog niet bij de start van de sessie".into(),
                De => "der Tarif gilt zu Beginn der Sitzung noch nicht".into(),
                Fr => "le tarif n'est pas encore valable au début de la session".into(),
            },
            Note::Expired => match lang {
                En => "the tariff has expired by the session's start".into(),
                Nl => "het tarief is verlopen bij de start van de sessie".into(),
                De => "der Tarif ist zu Beginn der Sitzung abgelaufen".into(),
                Fr => "le tarif a expiré au début de la session".into(),
            },
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::En))
    }
}

/// English keeps OCPI's names (support desks search for them); the others say what they mean.
fn dimension(d: Dimension, lang: Language) -> &'static str {
    match (lang, d) {
        (Language::En, d) => d.as_str(),
        (Language::Nl, Dimension::Energy) => "energie",
        (Language::Nl, Dimension::Flat) => "starttarief",
        (Language::Nl, Dimension::Time) => "laadtijd",
        (Language::Nl, Dimension::ParkingTime) => "parkeertijd",
        (Language::De, Dimension::Energy) => "Energie",
        (Language::De, Dimension::Flat) => "Startgebühr",
        (Language::De, Dimension::Time) => "Ladezeit",
        (Language::De, Dimension::ParkingTime) => "Parkzeit",
        (Language::Fr, Dimension::Energy) => "d'énergie",
        (Language::Fr, Dimension::Flat) => "de session",
        (Language::Fr, Dimension::Time) => "de temps de charge",
        (Language::Fr, Dimension::ParkingTime) => "de stationnement",
    }
}
