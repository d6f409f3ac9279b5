//! "Report a problem": a small form on the station screen (kind, optional charge point, text),
//! sent to `POST /api/reports`; the operator reads reports through its own API.

use leptos::prelude::*;

use crate::api::{self, NewReport, ReportOutcome};
use crate::app::Ctx;
use crate::i18n::Msg;
use crate::station_state::{check_report, ReportProblem, REPORT_KINDS, REPORT_MAX_CHARS};

pub mod msg {
    use crate::i18n::Msg;

    macro_rules! msgs {
        ($($name:ident = $en:literal, $nl:literal, $de:literal, $fr:literal;)*) => {
            $(pub const $name: Msg = Msg { en: $en, nl: $nl, de: $de, fr: $fr };)*
        };
    }

    msgs! {
        TITLE = "Report a problem", "Probleem melden", "Problem melden", "Signaler un problème";
        INTRO = "Your report goes to the operator of this station.", "Je melding gaat naar de exploitant van dit station.",
            "Deine Meldung geht an den Betreiber dieser Station.", "Votre signalement est transmis à l’opérateur de cette station.";
        KIND = "What is wrong?", "Wat is er mis?", "Was stimmt nicht?", "Quel est le problème ?";
        BROKEN = "The charger does not work", "De laadpaal werkt niet", "Die Ladesäule funktioniert nicht",
            "La borne ne fonctionne pas";
        BLOCKED = "The spot is blocked (e.g. by a car that is not charging)",
            "De plek is bezet (bijv. door een auto die niet laadt)",
            "Der Platz ist blockiert (z. B. von einem Auto, das nicht lädt)",
            "La place est bloquée (p. ex. par une voiture qui ne recharge pas)";
        WRONG_INFO = "The information shown is wrong", "De getoonde informatie klopt niet", "Die Angaben stimmen nicht",
            "Les informations affichées sont erronées";
        PAYMENT = "Paying does not work", "Betalen lukt niet", "Bezahlen klappt nicht", "Le paiement ne fonctionne pas";
        OTHER = "Something else", "Iets anders", "Etwas anderes", "Autre chose";
        WHICH = "Which charge point?", "Welk laadpunt?", "Welcher Ladepunkt?", "Quel point de charge ?";
        WHOLE = "The whole station, or not sure", "Het hele station, of weet ik niet", "Die ganze Station oder unsicher",
            "Toute la station, ou je ne sais pas";
        TEXT = "Tell us more (optional when the charger does not work or the spot is blocked)",
            "Vertel meer (niet nodig als de laadpaal niet werkt of de plek bezet is)",
            "Erzähl uns mehr (nicht nötig, wenn die Ladesäule nicht geht oder der Platz blockiert ist)",
            "Précisez (facultatif si la borne ne fonctionne pas ou si la place est bloquée)";
        CHARS_LEFT = "{} characters left", "Nog {} tekens", "Noch {} Zeichen", "{} caractères restants";
        SEND = "Send report", "Melding versturen", "Meldung senden", "Envoyer le signalement";
        SENDING = "Sending…", "Bezig met versturen…", "Wird gesendet…", "Envoi en cours…";
        SENT = "Thank you. Your report (number {}) has been passed on to the operator.",
            "Bedankt. Je melding (nummer {}) is doorgegeven aan de exploitant.",
            "Danke. Deine Meldung (Nummer {}) wurde an den Betreiber weitergegeben.",
            "Merci. Votre signalement (n° {}) a été transmis à l’opérateur.";
        NEEDS_TEXT = "Please describe the problem in a few words.", "Beschrijf het probleem in een paar woorden.",
            "Bitte beschreibe das Problem in ein paar Worten.", "Décrivez le problème en quelques mots, s’il vous plaît.";
        TOO_LONG = "Please keep it to 1000 characters or fewer.", "Houd het bij maximaal 1000 tekens.",
            "Bitte höchstens 1000 Zeichen.", "1000 caractères au maximum, s’il vous plaît.";
        REFUSED = "Your report was not accepted: {}", "Je melding is niet aangenomen: {}",
            "Deine Meldung wurde nicht angenommen: {}", "Votre signalement n’a pas été accepté : {}";
        TOO_MANY = "You have sent several reports in a short time. Please wait a few minutes and try again.",
            "Je hebt in korte tijd meerdere meldingen gestuurd. Wacht een paar minuten en probeer het opnieuw.",
            "Du hast in kurzer Zeit mehrere Meldungen geschickt. Bitte warte ein paar Minuten und versuche es dann noch einmal.",
            "Vous avez envoyé plusieurs signalements en peu de temps. Patientez quelques minutes, puis réessayez.";
        OFFLINE = "We could not reach the server, so your report was not sent. Please try again.",
            "We konden de server niet bereiken, dus je melding is niet verstuurd. Probeer het opnieuw.",
            "Wir konnten den Server nicht erreichen, deshalb wurde deine Meldung nicht gesendet. Bitte versuche es noch einmal.",
            "Impossible de joindre le serveur : votre signalement n’a pas été envoyé. Veuillez réessayer.";
        FAILED = "Something went wrong on the server ({}). Your report was not sent; please try again later.",
            "Er ging iets mis op de server ({}). Je melding is niet verstuurd; probeer het later opnieuw.",
            "Auf dem Server ist etwas schiefgegangen ({}). Deine Meldung wurde nicht gesendet; bitte versuche es später noch einmal.",
            "Une erreur s’est produite sur le serveur ({}). Votre signalement n’a pas été envoyé ; veuillez réessayer plus tard.";
    }
}

fn kind_msg(kind: &str) -> Msg {
    match kind {
        "broken" => msg::BROKEN,
        "blocked" => msg::BLOCKED,
        "wrong_info" => msg::WRONG_INFO,
        "payment" => msg::PAYMENT,
        _ => msg::OTHER,
    }
}

/// What the form says after a try: a success or an error, in the driver's language.
#[derive(Debug, Clone, PartialEq)]
enum Said {
    Sent(i64),
    Error(Msg, Option<String>),
}

#[component]
pub fn ReportForm(location_id: String, evses: Vec<(String, String)>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.lang;
    let kind = RwSignal::new(REPORT_KINDS[0].to_string());
    let evse = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let said: RwSignal<Option<Said>> = RwSignal::new(None);
    let left = move || REPORT_MAX_CHARS as i64 - text.with(|t| t.chars().count()) as i64;
    let on_submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let (k, t) = (kind.get_untracked(), text.get_untracked());
        match check_report(&k, &t) {
            Err(ReportProblem::NeedsText) => return said.set(Some(Said::Error(msg::NEEDS_TEXT, None))),
            Err(ReportProblem::TooLong) => return said.set(Some(Said::Error(msg::TOO_LONG, None))),
            Ok(()) => {}
        }
        let report = NewReport {
            location_id: location_id.clone(),
            evse_uid: Some(evse.get_untracked()).filter(|u| !u.is_empty()),
            kind: k,
            text: t.trim().to_string(),
        };
        sending.set(true);
        said.set(None);
        leptos::task::spawn_local(async move {
            let outcome = api::send_report(&report).await;
            sending.set(false);
            said.set(Some(match outcome {
                ReportOutcome::Sent(id) => {
                    text.set(String::new());
                    Said::Sent(id)
                }
                ReportOutcome::Refused(why) => Said::Error(msg::REFUSED, Some(why)),
                ReportOutcome::TooMany => Said::Error(msg::TOO_MANY, None),
                ReportOutcome::Offline => Said::Error(msg::OFFLINE, None),
                ReportOutcome::Failed(s) => Said::Error(msg::FAILED, Some(s.to_string())),
            }));
        });
    };
    let feedback = move || {
        said.get().map(|s| match s {
            Said::Sent(id) => view! {
                <p class="cf-report-ok" role="status" data-testid="report-result" data-ok="true">
                    {move || msg::SENT.fill(lang.get(), &[&id.to_string()])}
                </p>
            }
            .into_any(),
            Said::Error(m, detail) => view! {
                <p class="cf-error" role="alert" data-testid="report-result" data-ok="false">
                    {move || m.fill(lang.get(), &[detail.as_deref().unwrap_or("")])}
                </p>
            }
            .into_any(),
        })
    };
    view! {
        <section class="cf-report" aria-labelledby="cf-report-title" data-testid="report">
            <h3 id="cf-report-title">{move || msg::TITLE.get(lang.get())}</h3>
            <p class="cf-report-intro">{move || msg::INTRO.get(lang.get())}</p>
            <form class="cf-report-form" on:submit=on_submit novalidate>
                <label class="cf-report-label">
                    <span>{move || msg::KIND.get(lang.get())}</span>
                    <select data-testid="report-kind" on:change=move |e| {
                            kind.set(event_target_value(&e));
                            said.set(None);
                        }>
                        {REPORT_KINDS
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <option value=k selected=move || kind.with(|c| c == k)>
                                        {move || kind_msg(k).get(lang.get())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="cf-report-label">
                    <span>{move || msg::WHICH.get(lang.get())}</span>
                    <select data-testid="report-evse" on:change=move |e| {
                            evse.set(event_target_value(&e));
                            said.set(None);
                        }>
                        <option value="">{move || msg::WHOLE.get(lang.get())}</option>
                        {evses
                            .into_iter()
                            .map(|(uid, label)| view! { <option value=uid>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="cf-report-label">
                    <span>{move || msg::TEXT.get(lang.get())}</span>
                    <textarea
                        data-testid="report-text"
                        rows="4"
                        maxlength=REPORT_MAX_CHARS.to_string()
                        aria-describedby="cf-report-left"
                        prop:value=move || text.get()
                        on:input=move |e| {
                            text.set(event_target_value(&e));
                            // What was said was about the text before this edit.
                            said.set(None);
                        }
                    ></textarea>
                </label>
                <p id="cf-report-left" class="cf-report-left">
                    {move || msg::CHARS_LEFT.fill(lang.get(), &[&left().max(0).to_string()])}
                </p>
                <button type="submit" class="cf-button cf-button--primary" data-testid="report-send" disabled=move || sending.get()>
                    {move || if sending.get() { msg::SENDING.get(lang.get()) } else { msg::SEND.get(lang.get()) }}
                </button>
                {feedback}
            </form>
        </section>
    }
}
