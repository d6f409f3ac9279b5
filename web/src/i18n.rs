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

    /// The core's language (tariff words, amounts).
    pub fn language(self) -> chargefinder::tariff::Language {
        use chargefinder::tariff::Language;
        match self {
            Lang::En => Language::En,
            Lang::Nl => Language::Nl,
            Lang::De => Language::De,
            Lang::Fr => Language::Fr,
        }
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

/// An amount in minor units (cents), as [`money`] writes it: `€0.39`, `€ 0,39`, `0,39 €`
/// (integer arithmetic: money is never a float).
pub fn money_cents(lang: Lang, minor: u32, currency: &str) -> String {
    money(lang, currency, &format!("{}.{:02}", minor / 100, minor % 100))
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

    // ----- Paid charging: web/src/charge.rs and charge_api.rs (issue 7) -----
    msgs! {
        CHARGE_HERE = "Charge here and pay by card", "Hier laden en met je kaart betalen",
            "Hier laden und mit Karte bezahlen", "Recharger ici et payer par carte";
        NO_SESSION = "No charging session is open on this device.",
            "Er loopt geen laadsessie op dit apparaat.",
            "Auf diesem Gerät läuft kein Ladevorgang.",
            "Aucune session de charge n’est ouverte sur cet appareil.";
        CHARGE_BACK = "← Back", "← Terug", "← Zurück", "← Retour";
        CHARGERS_LOADING = "Loading the chargers…", "Laadpunten worden geladen…", "Ladepunkte werden geladen…",
            "Chargement des points de charge…";
        STEP_CONNECTOR = "1. Pick a connector", "1. Kies een aansluiting", "1. Wähle einen Anschluss",
            "1. Choisissez une prise";
        NONE_STARTABLE = "None of these chargers can be started from an app.",
            "Geen van deze laadpunten kan vanuit een app worden gestart.",
            "Keiner dieser Ladepunkte lässt sich per App starten.",
            "Aucune de ces bornes ne peut être démarrée depuis une application.";
        STEP_PRICE = "2. Price", "2. Prijs", "2. Preis", "2. Prix";
        PRICE_LABEL = "Price", "Prijs", "Preis", "Prix";
        ESTIMATE_LABEL = "Estimate", "Schatting", "Schätzung", "Estimation";
        HOLD_LABEL = "Hold", "Reservering", "Reservierung", "Pré-autorisation";
        ESTIMATE_TEXT = "{} to charge {} from {}% to full", "{} om {} van {}% tot vol te laden",
            "{}, um {} von {} % bis voll zu laden", "{} pour charger {} de {} % à plein";
        ESTIMATE_TEXT_EXCL = "{} to charge {} from {}% to full (excl. VAT: the operator does not state it)",
            "{} om {} van {}% tot vol te laden (excl. btw: de exploitant vermeldt die niet)",
            "{}, um {} von {} % bis voll zu laden (zzgl. MwSt.: der Betreiber gibt sie nicht an)",
            "{} pour charger {} de {} % à plein (HT : l’opérateur ne l’indique pas)";
        TYPICAL_CAR = "a typical car", "een gemiddelde auto", "ein typisches Auto", "une voiture type";
        HOLD_TEXT = "We hold {} on your card. You pay only what you charge; the rest is released when you stop.",
            "We reserveren {} op je kaart. Je betaalt alleen wat je laadt; de rest komt vrij als je stopt.",
            "Wir reservieren {} auf deiner Karte. Du zahlst nur, was du lädst; der Rest wird beim Beenden freigegeben.",
            "Nous bloquons {} sur votre carte. Vous ne payez que ce que vous chargez ; le reste est libéré à l’arrêt.";
        STEP_CARD = "3. Card", "3. Kaart", "3. Karte", "3. Carte";
        CARD_PRIVATE = "Card details go straight to our payment provider; chargefinder never sees them.",
            "Kaartgegevens gaan rechtstreeks naar onze betaaldienst; chargefinder ziet ze nooit.",
            "Kartendaten gehen direkt an unseren Zahlungsdienst; chargefinder sieht sie nie.",
            "Les données de carte vont directement à notre prestataire de paiement ; chargefinder ne les voit jamais.";
        STEP_CONFIRM = "4. Plug in and confirm", "4. Sluit aan en bevestig", "4. Einstecken und bestätigen",
            "4. Branchez et confirmez";
        CONFIRM = "Plug in and confirm", "Sluit aan en bevestig", "Einstecken und bestätigen", "Branchez et confirmez";
        CONFIRM_BUSY = "Starting…", "Bezig met starten…", "Wird gestartet…", "Démarrage…";
        CARD_FORM_MISSING = "The card form did not appear. Please reload.",
            "Het kaartformulier verscheen niet. Laad de pagina opnieuw.",
            "Das Kartenformular ist nicht erschienen. Bitte lade die Seite neu.",
            "Le formulaire de carte ne s’est pas affiché. Veuillez recharger la page.";
        PAYMENTS_OFF = "Card payments are not set up on this server.",
            "Betalen met een kaart is op deze server niet ingesteld.",
            "Kartenzahlung ist auf diesem Server nicht eingerichtet.",
            "Le paiement par carte n’est pas configuré sur ce serveur.";
        CARD_CHECK = "Please check the card details.", "Controleer de kaartgegevens.",
            "Bitte prüfe die Kartendaten.", "Veuillez vérifier les données de la carte.";
        CARD_NOT_CHECKED = "The card could not be checked. Please try again.",
            "De kaart kon niet worden gecontroleerd. Probeer het opnieuw.",
            "Die Karte konnte nicht geprüft werden. Bitte versuche es noch einmal.",
            "La carte n’a pas pu être vérifiée. Veuillez réessayer.";
        STATE_HOLDING = "Placing the hold on your card…", "Bedrag wordt gereserveerd op je kaart…",
            "Betrag wird auf deiner Karte reserviert…", "Pré-autorisation sur votre carte…";
        STATE_AUTHENTICATING = "Confirm the payment with your bank…", "Bevestig de betaling bij je bank…",
            "Bestätige die Zahlung bei deiner Bank…", "Confirmez le paiement auprès de votre banque…";
        E_AUTH_FAILED = "Your bank did not confirm the payment. Nothing was charged; try again or use another card.",
            "Je bank heeft de betaling niet bevestigd. Er is niets afgeschreven; probeer het opnieuw of gebruik een andere kaart.",
            "Deine Bank hat die Zahlung nicht bestätigt. Es wurde nichts abgebucht; versuche es noch einmal oder nutze eine andere Karte.",
            "Votre banque n’a pas confirmé le paiement. Rien n’a été débité ; réessayez ou utilisez une autre carte.";
        E_AUTH_PENDING = "Your bank has not confirmed the payment yet. Confirm it, then try again.",
            "Je bank heeft de betaling nog niet bevestigd. Bevestig haar en probeer het dan opnieuw.",
            "Deine Bank hat die Zahlung noch nicht bestätigt. Bestätige sie und versuche es dann noch einmal.",
            "Votre banque n’a pas encore confirmé le paiement. Confirmez-le, puis réessayez.";
        STATE_STARTING = "Plug in your car. Waiting for the charger to start…",
            "Sluit je auto aan. Wachten tot het laadpunt start…",
            "Stecke dein Auto ein. Warten, bis der Ladepunkt startet…",
            "Branchez votre voiture. En attente du démarrage de la borne…";
        STATE_ACTIVE = "Charging", "Aan het laden", "Lädt", "En charge";
        STATE_STOPPING = "Stopping and settling the payment…", "Stoppen en betaling afronden…",
            "Wird beendet, Zahlung wird abgerechnet…", "Arrêt et règlement du paiement…";
        STATE_COMPLETED = "Done. Thank you!", "Klaar. Bedankt!", "Fertig. Danke!", "Terminé. Merci !";
        STATE_FAILED = "The session did not start", "De laadsessie is niet gestart", "Der Ladevorgang hat nicht begonnen",
            "La session n’a pas démarré";
        NO_TOKEN = "This device has no driver token; start a session first.",
            "Dit apparaat heeft nog geen bestuurderstoken; start eerst een sessie.",
            "Dieses Gerät hat noch kein Fahrer-Token; starte zuerst einen Ladevorgang.",
            "Cet appareil n’a pas de jeton conducteur ; démarrez d’abord une session.";
        SESSION_LOADING = "Loading your session…", "Je sessie wordt geladen…", "Dein Ladevorgang wird geladen…",
            "Chargement de votre session…";
        METER_TIME = "charging", "laden", "Ladezeit", "de charge";
        METER_COST = "so far", "tot nu toe", "bisher", "jusqu’ici";
        HELD_ON_CARD = "Held on your card: {}", "Gereserveerd op je kaart: {}", "Auf deiner Karte reserviert: {}",
            "Bloqué sur votre carte : {}";
        STOP = "Stop charging", "Stop met laden", "Laden beenden", "Arrêter la charge";
        STOP_BUSY = "Stopping…", "Bezig met stoppen…", "Wird beendet…", "Arrêt…";
        CANCEL_START = "Cancel", "Annuleren", "Abbrechen", "Annuler";
        RECEIPT = "Receipt", "Bon", "Beleg", "Reçu";
        R_FROM = "From", "Van", "Von", "Début";
        R_TO = "To", "Tot", "Bis", "Fin";
        R_ENERGY = "Energy", "Energie", "Energie", "Énergie";
        R_EXCL_VAT = "Excl. VAT", "Excl. btw", "Netto", "HT";
        R_VAT = "VAT", "Btw", "MwSt.", "TVA";
        R_TOTAL = "Total", "Totaal", "Gesamt", "Total";
        R_PAID = "Paid by card", "Betaald met kaart", "Mit Karte bezahlt", "Payé par carte";
        R_REFERENCE = "Reference", "Referentie", "Referenz", "Référence";
        PRINT = "Print", "Afdrukken", "Drucken", "Imprimer";
        NOTHING_TO_PAY = "Nothing to pay: your hold was released.",
            "Niets te betalen: je reservering is vrijgegeven.",
            "Nichts zu zahlen: deine Reservierung wurde freigegeben.",
            "Rien à payer : votre pré-autorisation a été libérée.";
        BELOW_MINIMUM = "Not charged: the total is below the card minimum of {}, so your hold was released.",
            "Niet afgeschreven: het totaal ligt onder het kaartminimum van {}, dus je reservering is vrijgegeven.",
            "Nicht abgebucht: der Betrag liegt unter dem Kartenminimum von {}, deine Reservierung wurde freigegeben.",
            "Non débité : le total est inférieur au minimum par carte de {}, votre pré-autorisation a donc été libérée.";
        E_OFFLINE = "We could not reach the chargefinder server. Check your connection and try again.",
            "We konden de chargefinder-server niet bereiken. Controleer je verbinding en probeer het opnieuw.",
            "Wir konnten den chargefinder-Server nicht erreichen. Prüfe deine Verbindung und versuche es noch einmal.",
            "Impossible de joindre le serveur chargefinder. Vérifiez votre connexion et réessayez.";
        E_SERVER = "The server answered with an error ({}). Please try again.",
            "De server gaf een foutmelding ({}). Probeer het opnieuw.",
            "Der Server hat mit einem Fehler geantwortet ({}). Bitte versuche es noch einmal.",
            "Le serveur a répondu par une erreur ({}). Veuillez réessayer.";
        E_DAMAGED = "The server's answer was damaged. Please try again.",
            "Het antwoord van de server was onleesbaar. Probeer het opnieuw.",
            "Die Antwort des Servers war nicht lesbar. Bitte versuche es noch einmal.",
            "La réponse du serveur était illisible. Veuillez réessayer.";
        E_NO_LOCATION = "We could not find this charging location.", "We konden deze laadlocatie niet vinden.",
            "Wir konnten diesen Ladeort nicht finden.", "Nous n’avons pas trouvé ce lieu de recharge.";
        E_BAD_LOCATION = "This location could not be read.", "Deze locatie kon niet worden gelezen.",
            "Dieser Ort konnte nicht gelesen werden.", "Ce lieu n’a pas pu être lu.";
        E_CARD_DECLINED = "Your card was declined. Nothing was charged; try another card.",
            "Je kaart is geweigerd. Er is niets afgeschreven; probeer een andere kaart.",
            "Deine Karte wurde abgelehnt. Es wurde nichts abgebucht; versuche eine andere Karte.",
            "Votre carte a été refusée. Rien n’a été débité ; essayez une autre carte.";
        E_CARD_AUTH = "Your bank wants to confirm this payment in its app, which we cannot do yet. Nothing was charged; try another card.",
            "Je bank wil deze betaling in haar app laten bevestigen; dat kunnen we nog niet. Er is niets afgeschreven; probeer een andere kaart.",
            "Deine Bank möchte diese Zahlung in ihrer App bestätigen lassen; das können wir noch nicht. Es wurde nichts abgebucht; versuche eine andere Karte.",
            "Votre banque veut confirmer ce paiement dans son application, ce que nous ne savons pas encore faire. Rien n’a été débité ; essayez une autre carte.";
        E_PAYMENT_FAILED = "The payment provider refused the hold. Nothing was charged.",
            "De betaaldienst weigerde de reservering. Er is niets afgeschreven.",
            "Der Zahlungsdienst hat die Reservierung abgelehnt. Es wurde nichts abgebucht.",
            "Le prestataire de paiement a refusé la pré-autorisation. Rien n’a été débité.";
        E_PAYMENT_UNREACHABLE = "We could not reach the payment provider. If a hold was placed, it will be released.",
            "We konden de betaaldienst niet bereiken. Als er een bedrag is gereserveerd, komt het vrij.",
            "Wir konnten den Zahlungsdienst nicht erreichen. Falls etwas reserviert wurde, wird es freigegeben.",
            "Impossible de joindre le prestataire de paiement. Si une pré-autorisation a été faite, elle sera libérée.";
        E_OCCUPIED = "The charger is occupied. Your hold was released.",
            "Het laadpunt is bezet. Je reservering is vrijgegeven.",
            "Der Ladepunkt ist belegt. Deine Reservierung wurde freigegeben.",
            "La borne est occupée. Votre pré-autorisation a été libérée.";
        E_OUT_OF_ORDER = "The charger is out of order. Your hold was released.",
            "Het laadpunt is buiten gebruik. Je reservering is vrijgegeven.",
            "Der Ladepunkt ist außer Betrieb. Deine Reservierung wurde freigegeben.",
            "La borne est hors service. Votre pré-autorisation a été libérée.";
        E_NO_ANSWER = "The charger did not respond. Your hold was released.",
            "Het laadpunt reageerde niet. Je reservering is vrijgegeven.",
            "Der Ladepunkt hat nicht geantwortet. Deine Reservierung wurde freigegeben.",
            "La borne n’a pas répondu. Votre pré-autorisation a été libérée.";
        E_REFUSED = "The charging network refused to start this charger. Your hold was released.",
            "Het laadnetwerk weigerde dit laadpunt te starten. Je reservering is vrijgegeven.",
            "Das Ladenetz hat den Start dieses Ladepunkts abgelehnt. Deine Reservierung wurde freigegeben.",
            "Le réseau de recharge a refusé de démarrer cette borne. Votre pré-autorisation a été libérée.";
        E_START_FAILED = "The charger could not start. Your hold was released.",
            "Het laadpunt kon niet starten. Je reservering is vrijgegeven.",
            "Der Ladepunkt konnte nicht starten. Deine Reservierung wurde freigegeben.",
            "La borne n’a pas pu démarrer. Votre pré-autorisation a été libérée.";
        E_CANCELLED = "You stopped before the charger started. Nothing was charged; your hold was released.",
            "Je stopte voordat het laadpunt startte. Er is niets afgeschreven; je reservering is vrijgegeven.",
            "Du hast beendet, bevor der Ladepunkt startete. Es wurde nichts abgebucht; deine Reservierung wurde freigegeben.",
            "Vous avez arrêté avant le démarrage de la borne. Rien n’a été débité ; votre pré-autorisation a été libérée.";
        E_INTERRUPTED = "The start was interrupted on our side. Nothing was charged; please try again.",
            "De start werd aan onze kant onderbroken. Er is niets afgeschreven; probeer het opnieuw.",
            "Der Start wurde bei uns unterbrochen. Es wurde nichts abgebucht; bitte versuche es noch einmal.",
            "Le démarrage a été interrompu de notre côté. Rien n’a été débité ; veuillez réessayer.";
        E_NOT_STARTED = "Your card is still being checked; stop again in a moment.",
            "Je kaart wordt nog gecontroleerd; stop zo meteen opnieuw.",
            "Deine Karte wird noch geprüft; beende gleich noch einmal.",
            "Votre carte est encore en cours de vérification ; arrêtez de nouveau dans un instant.";
        E_NO_PRICE = "This charger does not publish a price we can read, so we cannot take payment for it.",
            "Dit laadpunt publiceert geen prijs die we kunnen lezen, dus we kunnen er niet voor laten betalen.",
            "Dieser Ladepunkt veröffentlicht keinen lesbaren Preis, daher können wir keine Zahlung dafür annehmen.",
            "Cette borne ne publie pas de prix lisible : nous ne pouvons donc pas encaisser de paiement.";
        E_NOT_REMOTE = "This charger cannot be started from an app; use the operator's card or the charger's own payment.",
            "Dit laadpunt kan niet vanuit een app worden gestart; gebruik de pas van de exploitant of de betaalautomaat van het laadpunt.",
            "Dieser Ladepunkt lässt sich nicht per App starten; nutze die Karte des Betreibers oder die Bezahlfunktion am Ladepunkt.",
            "Cette borne ne peut pas être démarrée depuis une application ; utilisez la carte de l’opérateur ou le paiement de la borne.";
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

/// An amount in a currency, as the language writes it (`€5.16`, `€ 5,16`, `5,16 €`): the core's
/// rule, the same as the server's price words, on the decimal string as sent.
pub fn money(lang: Lang, currency: &str, amount: &str) -> String {
    chargefinder::tariff::money(amount, currency, lang.language())
}

/// A decimal string (as the server sends amounts and kWh: never a float) with the language's
/// decimal separator.
pub fn decimal(lang: Lang, s: &str) -> String {
    if lang.decimal_comma() {
        s.replace('.', ",")
    } else {
        s.to_string()
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
    fn money_reads_as_each_language_writes_it() {
        assert_eq!(money(Lang::En, "EUR", "5.16"), "€5.16");
        assert_eq!(money(Lang::Nl, "EUR", "5.16"), "€ 5,16");
        assert_eq!(money(Lang::De, "EUR", "5.16"), "5,16 €");
        assert_eq!(money(Lang::Fr, "GBP", "0.30"), "0,30 £");
        assert_eq!(money(Lang::En, "CHF", "1.00"), "CHF 1.00");
        assert_eq!(decimal(Lang::De, "12.345"), "12,345");
    }

    #[test]
    fn money_in_cents_as_each_language_writes_it() {
        assert_eq!(money_cents(Lang::En, 39, "EUR"), "€0.39");
        assert_eq!(money_cents(Lang::Nl, 1205, "EUR"), "€ 12,05");
        assert_eq!(money_cents(Lang::De, 7, "EUR"), "0,07 €");
        assert_eq!(money_cents(Lang::Fr, 100, "CHF"), "1,00 CHF");
        assert_eq!(money_cents(Lang::En, 100, "CHF"), "CHF 1.00");
        assert_eq!(msg::PER_KWH.fill(Lang::En, &[&money_cents(Lang::En, 39, "EUR")]), "€0.39/kWh");
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
            ESTIMATE_TEXT,
            ESTIMATE_TEXT_EXCL,
            HOLD_TEXT,
            HELD_ON_CARD,
            BELOW_MINIMUM,
            E_SERVER,
            E_CANCELLED,
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
