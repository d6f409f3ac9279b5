//! Languages (en, nl, de, fr), units and locale formatting.
//!
//! Every message is a [`Msg`] with all four languages as fields, so a missing translation is a
//! compile error rather than an English word in a Dutch screen. Messages with values are
//! templates with `{}` placeholders filled in order by [`Msg::fill`].

/// The app's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
    De,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Nl, Lang::De, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::De => "de",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, as a language picker shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nl => "Nederlands",
            Lang::De => "Deutsch",
            Lang::Fr => "Français",
        }
    }

    /// `nl`, `nl-BE`, `de_AT`… → the language; anything else → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let base = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == base)
    }

    /// The first of the browser's preferred languages we speak (English when none).
    pub fn from_preferences<'a>(prefs: impl IntoIterator<Item = &'a str>) -> Lang {
        prefs.into_iter().find_map(Lang::from_code).unwrap_or_default()
    }

    /// Decimal separator: a comma everywhere but English.
    fn decimal_comma(self) -> bool {
        self != Lang::En
    }
}

/// Distances in kilometres or miles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Units {
    #[default]
    Km,
    Miles,
}

impl Units {
    pub fn code(self) -> &'static str {
        match self {
            Units::Km => "km",
            Units::Miles => "mi",
        }
    }

    pub fn from_code(code: &str) -> Option<Units> {
        match code {
            "km" => Some(Units::Km),
            "mi" => Some(Units::Miles),
            _ => None,
        }
    }
}

/// One message in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg {
    pub en: &'static str,
    pub nl: &'static str,
    pub de: &'static str,
    pub fr: &'static str,
}

impl Msg {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Nl => self.nl,
            Lang::De => self.de,
            Lang::Fr => self.fr,
        }
    }

    /// The message with each `{}` replaced by the next value, in order.
    pub fn fill(self, lang: Lang, values: &[&str]) -> String {
        let mut out = String::new();
        let mut values = values.iter();
        let mut parts = self.get(lang).split("{}").peekable();
        while let Some(part) = parts.next() {
            out.push_str(part);
            if parts.peek().is_some() {
                out.push_str(values.next().copied().unwrap_or(""));
            }
        }
        out
    }
}

/// A number with `decimals` digits after the separator the language uses.
pub fn number(lang: Lang, x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

/// An amount in minor units (cents) as the language writes it: `€0.39`, `€ 0,39`, `0,39 €`
/// (integer arithmetic: money is never a float).
pub fn money(lang: Lang, minor: u32, currency: &str) -> String {
    let sep = if lang.decimal_comma() { ',' } else { '.' };
    let amount = format!("{}{sep}{:02}", minor / 100, minor % 100);
    let symbol = match currency {
        "EUR" => "€",
        "GBP" => "£",
        "USD" => "$",
        other => other,
    };
    match lang {
        Lang::De | Lang::Fr => format!("{amount} {symbol}"),
        Lang::Nl => format!("{symbol} {amount}"),
        // A code rather than a sign (CHF): a space, as in "CHF 1.00".
        Lang::En if symbol.len() == 3 && symbol.bytes().all(|b| b.is_ascii_uppercase()) => format!("{symbol} {amount}"),
        Lang::En => format!("{symbol}{amount}"),
    }
}

/// "35 m", "950 m", "1.2 km", "12 km" (or feet and miles): precise near, rounder far.
pub fn distance(lang: Lang, units: Units, m: f64) -> String {
    match units {
        Units::Km if m < 1000.0 => format!("{} m", ((m / 5.0).round() * 5.0) as u64),
        Units::Km if m < 10_000.0 => format!("{} km", number(lang, m / 1000.0, 1)),
        Units::Km => format!("{} km", (m / 1000.0).round() as u64),
        Units::Miles => {
            let mi = m / 1609.344;
            if mi < 0.1 {
                format!("{} ft", ((m * 3.28084 / 10.0).round() * 10.0) as u64)
            } else if mi < 10.0 {
                format!("{} mi", number(lang, mi, 1))
            } else {
                format!("{} mi", mi.round() as u64)
            }
        }
    }
}

/// "11 kW", "3.7 kW", "350 kW"; [`msg::POWER_UNKNOWN`] for 0.
pub fn power(lang: Lang, kw: f32) -> String {
    if kw <= 0.0 {
        msg::POWER_UNKNOWN.get(lang).to_string()
    } else if kw < 10.0 {
        format!("{} kW", number(lang, kw as f64, 1))
    } else {
        format!("{} kW", kw.round() as u32)
    }
}

/// "5 min ago", "2 h ago", "3 days ago", "just now".
pub fn ago(lang: Lang, seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 60 {
        msg::JUST_NOW.get(lang).to_string()
    } else if s < 3600 {
        msg::MIN_AGO.fill(lang, &[&(s / 60).to_string()])
    } else if s < 2 * 86_400 {
        msg::HOURS_AGO.fill(lang, &[&(s / 3600).to_string()])
    } else {
        msg::DAYS_AGO.fill(lang, &[&(s / 86_400).to_string()])
    }
}

/// The messages of the finder screens. Other screens keep theirs beside their components.
#[allow(dead_code)] // Some belong to screens still being built.
pub mod msg {
    use super::Msg;

    macro_rules! msgs {
        ($($name:ident = $en:literal, $nl:literal, $de:literal, $fr:literal;)*) => {
            $(pub const $name: Msg = Msg { en: $en, nl: $nl, de: $de, fr: $fr };)*
        };
    }

    msgs! {
        TAGLINE = "Chargers that work, fit your car and are free now.",
            "Laadpalen die werken, bij je auto passen en nu vrij zijn.",
            "Ladesäulen, die funktionieren, zu deinem Auto passen und jetzt frei sind.",
            "Des bornes qui marchent, adaptées à votre voiture et libres maintenant.";
        LOADING = "Loading chargers near you…", "Laadpalen bij jou in de buurt laden…",
            "Ladesäulen in deiner Nähe werden geladen…", "Chargement des bornes près de vous…";
        NEAREST = "Nearest chargers", "Dichtstbijzijnde laadpalen", "Nächste Ladesäulen", "Bornes les plus proches";
        NEAR_YOU = "near you", "bij jou in de buurt", "in deiner Nähe", "près de vous";
        NEAR_DEFAULT = "near Delft station (your position is not shared)",
            "bij station Delft (je locatie wordt niet gedeeld)",
            "am Bahnhof Delft (dein Standort wird nicht geteilt)",
            "près de la gare de Delft (votre position n’est pas partagée)";
        NEAR_POINT = "near {}", "bij {}", "bei {}", "près de {}";
        LOADED = "{} stations loaded", "{} stations geladen", "{} Stationen geladen", "{} stations chargées";
        CONNECTING = "Connecting to live status…", "Verbinden met live status…",
            "Verbindung zum Live-Status…", "Connexion à l’état en direct…";
        LIVE = "Live", "Live", "Live", "En direct";
        RECONNECTING = "Reconnecting… status as of {}, next try in {} s",
            "Opnieuw verbinden… status van {}, volgende poging over {} s",
            "Verbindung wird wiederhergestellt… Stand {}, nächster Versuch in {} s",
            "Reconnexion… état de {}, nouvel essai dans {} s";
        STALE = "Not live: statuses are from {}. Next try in {} s",
            "Niet live: statussen van {}. Volgende poging over {} s",
            "Nicht live: Status von {}. Nächster Versuch in {} s",
            "Pas en direct : états de {}. Nouvel essai dans {} s";
        NO_RESULTS = "No charger matches these filters.", "Geen laadpaal past bij deze filters.",
            "Keine Ladesäule passt zu diesen Filtern.", "Aucune borne ne correspond à ces filtres.";
        FILTERS = "Filters", "Filters", "Filter", "Filtres";
        PLUG = "Plug", "Stekker", "Stecker", "Prise";
        MIN_POWER = "Minimum power", "Minimaal vermogen", "Mindestleistung", "Puissance minimale";
        ANY = "any", "alle", "alle", "toutes";
        AVAILABLE_NOW = "Available now", "Nu beschikbaar", "Jetzt frei", "Disponible maintenant";
        MY_CAR = "My car", "Mijn auto", "Mein Auto", "Ma voiture";
        ANY_CAR = "Any car", "Elke auto", "Jedes Auto", "Toute voiture";
        N_OF_M_AVAILABLE = "{} of {} available", "{} van {} beschikbaar", "{} von {} frei", "{} sur {} disponibles";
        POWER_UNKNOWN = "power unknown", "vermogen onbekend", "Leistung unbekannt", "puissance inconnue";
        JUST_NOW = "just now", "zojuist", "gerade eben", "à l’instant";
        MIN_AGO = "{} min ago", "{} min geleden", "vor {} Min.", "il y a {} min";
        HOURS_AGO = "{} h ago", "{} uur geleden", "vor {} Std.", "il y a {} h";
        DAYS_AGO = "{} days ago", "{} dagen geleden", "vor {} Tagen", "il y a {} jours";
        FOR_YOUR_CAR = "{} for your car", "{} voor jouw auto", "{} für dein Auto", "{} pour votre voiture";
        SKIP_TO_LIST = "Skip the map, go to the list", "Sla de kaart over, naar de lijst",
            "Karte überspringen, zur Liste", "Passer la carte, aller à la liste";
        SEARCH = "Search a town, street, station or coordinates", "Zoek een plaats, straat, station of coördinaten",
            "Ort, Straße, Station oder Koordinaten suchen", "Chercher une ville, une rue, une station ou des coordonnées";
        SEARCH_HINT = "Town, street, station or 52.01, 4.36", "Plaats, straat, station of 52,01; 4,36",
            "Ort, Straße, Station oder 52,01; 4,36", "Ville, rue, station ou 52,01 ; 4,36";
        N_FOUND = "{} found", "{} gevonden", "{} gefunden", "{} trouvé(s)";
        TOWN = "town", "plaats", "Ort", "ville";
        STREET = "street", "straat", "Straße", "rue";
        STATION = "station", "station", "Station", "station";
        COORDINATES = "coordinates", "coördinaten", "Koordinaten", "coordonnées";
        HIDE_BROKEN = "Hide broken", "Verberg defecte", "Defekte ausblenden", "Masquer les bornes en panne";
        OPERATOR = "Operator", "Exploitant", "Betreiber", "Opérateur";
        ANY_OPERATOR = "Any operator", "Elke exploitant", "Alle Betreiber", "Tous les opérateurs";
        LANGUAGE = "Language", "Taal", "Sprache", "Langue";
        UNITS = "Distances in", "Afstanden in", "Entfernungen in", "Distances en";
        CLUSTER_TITLE = "{} stations here: {} of {} chargers available. Zoom in",
            "{} stations hier: {} van {} laadpunten beschikbaar. Inzoomen",
            "{} Stationen hier: {} von {} Ladepunkten frei. Hineinzoomen",
            "{} stations ici : {} bornes sur {} disponibles. Zoomer";
        MAP = "Map of chargers", "Kaart van laadpalen", "Karte der Ladesäulen", "Carte des bornes";
        MAP_FAILED = "The map could not load; the list below still works.",
            "De kaart kon niet laden; de lijst hieronder werkt nog.",
            "Die Karte konnte nicht geladen werden; die Liste unten funktioniert weiterhin.",
            "La carte n’a pas pu se charger ; la liste ci-dessous fonctionne toujours.";
        NEAR_MAP = "near the map’s centre", "bij het midden van de kaart", "nahe der Kartenmitte", "près du centre de la carte";
        BACK = "Back to the map", "Terug naar de kaart", "Zurück zur Karte", "Retour à la carte";
    }

    // Payment, open now, price and reliability in the finder (issue 6).
    msgs! {
        PAYMENT = "Payment", "Betalen", "Bezahlen", "Paiement";
        PAY_APP = "Start from the app", "Starten met de app", "Start per App", "Démarrage par l’appli";
        PAY_CARD = "Pay by card", "Betalen met kaart", "Mit Karte zahlen", "Paiement par carte";
        FILTER_OPEN_NOW = "Open now", "Nu open", "Jetzt geöffnet", "Ouvert maintenant";
        MAX_PRICE = "Price per kWh up to", "Prijs per kWh tot", "Preis pro kWh bis", "Prix par kWh jusqu’à";
        PER_KWH = "{}/kWh", "{}/kWh", "{}/kWh", "{}/kWh";
        PRICE_TITLE = "Cheapest price per kWh for your filter", "Laagste prijs per kWh voor je filter",
            "Günstigster Preis pro kWh für deinen Filter", "Prix par kWh le plus bas pour votre filtre";
        RELIABLE = "{}% reliable", "{}% betrouwbaar", "{} % zuverlässig", "fiable à {} %";
        RELIABLE_TITLE = "Share of the last 14 days its chargers worked",
            "Deel van de afgelopen 14 dagen dat de laadpunten werkten",
            "Anteil der letzten 14 Tage, an denen die Ladepunkte funktionierten",
            "Part des 14 derniers jours où ses bornes ont fonctionné";
        EXCL_VAT = "excl. VAT", "excl. btw", "zzgl. MwSt.", "HT";
        HIDE_UNRELIABLE = "Hide unreliable", "Verberg onbetrouwbare", "Unzuverlässige ausblenden",
            "Masquer les peu fiables";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_browser_preferences() {
        assert_eq!(Lang::from_preferences(["fr-BE", "en"]), Lang::Fr);
        assert_eq!(Lang::from_preferences(["es", "de_AT"]), Lang::De);
        assert_eq!(Lang::from_preferences(["ja"]), Lang::En);
        assert_eq!(Lang::from_code(" NL "), Some(Lang::Nl));
        assert_eq!(Lang::from_code("<script>"), None);
    }

    #[test]
    fn templates_fill_in_order_and_survive_missing_values() {
        assert_eq!(msg::N_OF_M_AVAILABLE.fill(Lang::Nl, &["2", "4"]), "2 van 4 beschikbaar");
        assert_eq!(msg::N_OF_M_AVAILABLE.fill(Lang::Fr, &["1"]), "1 sur  disponibles");
    }

    #[test]
    fn distances_read_naturally_in_each_unit_and_language() {
        assert_eq!(distance(Lang::En, Units::Km, 3.4), "5 m");
        assert_eq!(distance(Lang::En, Units::Km, 201.0), "200 m");
        assert_eq!(distance(Lang::En, Units::Km, 1234.0), "1.2 km");
        assert_eq!(distance(Lang::Nl, Units::Km, 1234.0), "1,2 km");
        assert_eq!(distance(Lang::En, Units::Km, 15_600.0), "16 km");
        assert_eq!(distance(Lang::En, Units::Miles, 50.0), "160 ft");
        assert_eq!(distance(Lang::En, Units::Miles, 1609.344 * 2.34), "2.3 mi");
        assert_eq!(distance(Lang::De, Units::Miles, 1609.344 * 12.6), "13 mi");
    }

    #[test]
    fn powers_and_ages_read_naturally() {
        assert_eq!(power(Lang::En, 11.04), "11 kW");
        assert_eq!(power(Lang::En, 3.68), "3.7 kW");
        assert_eq!(power(Lang::Fr, 3.68), "3,7 kW");
        assert_eq!(power(Lang::De, 0.0), "Leistung unbekannt");
        assert_eq!(ago(Lang::En, 30), "just now");
        assert_eq!(ago(Lang::Nl, 5 * 60 + 3), "5 min geleden");
        assert_eq!(ago(Lang::De, 3 * 3600), "vor 3 Std.");
        assert_eq!(ago(Lang::Fr, 5 * 86_400), "il y a 5 jours");
    }

    #[test]
    fn money_in_cents_as_each_language_writes_it() {
        assert_eq!(money(Lang::En, 39, "EUR"), "€0.39");
        assert_eq!(money(Lang::Nl, 1205, "EUR"), "€ 12,05");
        assert_eq!(money(Lang::De, 7, "EUR"), "0,07 €");
        assert_eq!(money(Lang::Fr, 100, "CHF"), "1,00 CHF");
        assert_eq!(money(Lang::En, 100, "CHF"), "CHF 1.00");
        assert_eq!(msg::PER_KWH.fill(Lang::En, &[&money(Lang::En, 39, "EUR")]), "€0.39/kWh");
    }

    #[test]
    fn every_message_has_the_same_placeholders_in_every_language() {
        use msg::*;
        for m in [
            NEAR_POINT,
            LOADED,
            RECONNECTING,
            STALE,
            FOR_YOUR_CAR,
            CLUSTER_TITLE,
            N_OF_M_AVAILABLE,
            MIN_AGO,
            HOURS_AGO,
            DAYS_AGO,
            TAGLINE,
            BACK,
            PER_KWH,
            RELIABLE,
        ] {
            let n = m.en.matches("{}").count();
            for l in Lang::ALL {
                assert_eq!(m.get(l).matches("{}").count(), n, "{:?} in {}", m.en, l.code());
                assert!(!m.get(l).is_empty());
            }
        }
    }
}
