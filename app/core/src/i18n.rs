//! Dutch and English: the interface texts, the chosen language (kept in localStorage) and
//! the formatting of dates, times and distances.
//!
//! One way to translate: every interface text is a key of a table ([`texts!`](crate::texts))
//! with its Dutch and English side by side — [`Key`] here, `FieldKey` and `OfficeKey` in the
//! apps — shown with [`I18n::text`] (a view) or [`I18n::t`] (a `&str`). Texts that come in
//! both languages already (verdict reasons and error messages from the server, names from
//! `shared`, problems kept on the device) are chosen between with [`I18n::pick`].

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use leptos::prelude::*;

const STORAGE_KEY: &str = "ei.lang";

/// A table of interface texts: every key with its Dutch and its English text side by side,
/// written with [`texts!`](crate::texts). Each app has its own table, so an app's wasm holds
/// only the texts it can show.
pub trait Text: Copy + Send + Sync + 'static {
    /// The (Dutch, English) texts.
    fn texts(self) -> (&'static str, &'static str);
}

/// Declares a table of interface texts: an enum of keys, each with its Dutch and English text,
/// and its [`Text`] implementation; in tests also `ALL`, every key, for [`table_problems`].
///
/// ```ignore
/// app_core::texts! {
///     /// The review pages' texts.
///     pub enum ReviewText {
///         // The queue
///         Queue => ("Te beoordelen", "To review"),
///         DaysLeft => ("nog {n} dagen", "{n} days left"),
///     }
/// }
/// ```
#[macro_export]
macro_rules! texts {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$key_meta:meta])* $key:ident => ($nl:expr, $en:expr $(,)?)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$key_meta])* $key),*
        }

        impl $crate::i18n::Text for $name {
            fn texts(self) -> (&'static str, &'static str) {
                match self {
                    $(Self::$key => ($nl, $en)),*
                }
            }
        }

        #[cfg(test)]
        impl $name {
            /// Every key, for the table's test (`app_core::i18n::table_problems`).
            const ALL: &'static [Self] = &[$(Self::$key),*];
        }
    };
}

/// Both texts of `key`, each `(name, value)` of `values` filled in: a problem in both
/// languages, the form in which the server sends problems and the device keeps them (shown
/// with [`I18n::pick`]).
pub fn both(key: impl Text, values: &[(&str, &str)]) -> (String, String) {
    let fill = |text: &str| {
        values.iter().fold(text.to_owned(), |text, (name, value)| {
            text.replace(name, value)
        })
    };
    let (nl, en) = key.texts();
    (fill(nl), fill(en))
}

/// What is wrong with a table of texts, one line per problem: a key without a Dutch or an
/// English text, or whose two texts do not have the same `{placeholders}`. Each table's unit
/// test runs it on every key (`ALL`, which [`texts!`](crate::texts) declares in tests).
pub fn table_problems<T: Text + std::fmt::Debug>(all: &[T]) -> Vec<String> {
    let mut problems = Vec::new();
    for &key in all {
        let (nl, en) = key.texts();
        if nl.trim().is_empty() {
            problems.push(format!("{key:?} has no Dutch text"));
        }
        if en.trim().is_empty() {
            problems.push(format!("{key:?} has no English text"));
        }
        let (in_nl, in_en) = (placeholders(nl), placeholders(en));
        if in_nl != in_en {
            problems.push(format!(
                "{key:?}: placeholders {in_nl:?} in Dutch, {in_en:?} in English"
            ));
        }
    }
    problems
}

/// The `{name}` placeholders in `text`, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .match_indices('{')
        .filter_map(|(start, _)| {
            let end = start + text[start..].find('}')?;
            let name = &text[start + 1..end];
            let is_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            is_name.then_some(&text[start..=end])
        })
        .collect();
    found.sort_unstable();
    found
}

/// An interface language. Dutch is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    /// The BCP 47 code, as stored and set on `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
        }
    }

    /// The code in capitals, as on the switch.
    pub fn label(self) -> &'static str {
        match self {
            Self::Nl => "NL",
            Self::En => "EN",
        }
    }

    /// The other language: what the switch offers.
    pub fn other(self) -> Self {
        match self {
            Self::Nl => Self::En,
            Self::En => Self::Nl,
        }
    }

    fn stored() -> Self {
        let stored = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        match stored.as_deref() {
            Some("en") => Self::En,
            _ => Self::Nl,
        }
    }
}

/// The language context: read it to translate, toggle it to switch.
#[derive(Clone, Copy)]
pub struct I18n(RwSignal<Lang>);

impl I18n {
    /// Creates the context from the stored choice and keeps storage and `<html lang>` in step.
    pub fn provide() -> Self {
        let lang = RwSignal::new(Lang::stored());
        Effect::new(move || {
            let code = lang.get().code();
            if let Ok(Some(storage)) = window().local_storage() {
                // A full or disabled storage only costs the choice after a reload.
                let _ = storage.set_item(STORAGE_KEY, code);
            }
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("lang", code);
            }
        });
        let i18n = Self(lang);
        provide_context(i18n);
        i18n
    }

    /// The context provided by the app.
    pub fn expect() -> Self {
        expect_context()
    }

    /// The current language (tracked).
    pub fn lang(self) -> Lang {
        self.0.get()
    }

    /// Switches to the other language.
    pub fn toggle(self) {
        self.0.update(|l| *l = l.other());
    }

    /// The text for `key` in the current language (tracked).
    pub fn t(self, key: impl Text) -> &'static str {
        let (nl, en) = key.texts();
        self.pick(nl, en)
    }

    /// The text for `key` as a view that follows the language. One closure type for all
    /// texts, so the renderer is instantiated once (a closure per call site would cost
    /// wasm size for each).
    pub fn text<T: Text>(self, key: T) -> impl IntoView + use<T> {
        move || self.t(key)
    }

    /// Chooses between a Dutch and an English text (tracked): for texts that come in both
    /// languages from the server, from `shared` or from the device's store. The app's own
    /// texts are keys of its table ([`I18n::t`], [`I18n::text`]).
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self.lang() {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

texts! {
    /// The core's table: the texts of the shell, login, the password change and the record
    /// and verdict cards, which both apps show. Its last group holds texts both apps show
    /// that core itself does not, kept here once rather than in each app's table; a text
    /// only one app shows is in that app's table (`FieldKey`, `OfficeKey`). `{…}` marks a
    /// value filled in by the caller.
    pub enum Key {
        // The header, the menu and the connection state
        Online => ("Online", "Online"),
        Offline => ("Offline", "Offline"),
        OfflineCopy => (
            "Offline: opgeslagen kopie van {time}. De gegevens kunnen verouderd zijn.",
            "Offline: saved copy from {time}. The data may be out of date.",
        ),
        MainMenu => ("Hoofdmenu", "Main menu"),
        Search => ("Zoeken", "Search"),
        PrepareForField => ("Voorbereiden op het terrein", "Prepare for the field"),
        Review => ("Beoordelen", "Review"),
        Register => ("Register", "Register"),
        Import => ("Importeren", "Import"),
        Users => ("Gebruikers", "Users"),
        Overview => ("Overzicht", "Overview"),
        Statistics => ("Statistiek", "Statistics"),
        AuditTrail => ("Audittrail", "Audit trail"),
        FollowUps => ("Opvolgingen", "Follow-ups"),
        Planning => ("Planning", "Planning"),
        ToTheField => ("Naar het terrein", "To the field"),
        ToTheOffice => ("Naar kantoor", "To the office"),
        Logout => ("Afmelden", "Log out"),
        SwitchLanguage => ("Switch to English", "Schakel naar Nederlands"),
        SessionEnded => (
            "Je sessie is beëindigd. Wat nog niet verzonden is, blijft op dit toestel en wordt verzonden zodra je je opnieuw aanmeldt.",
            "Your session has ended. What has not been sent yet stays on this device and is sent as soon as you sign in again.",
        ),
        SignInAgain => ("Opnieuw aanmelden", "Sign in again"),
        NotFound => ("Deze pagina bestaat niet.", "This page does not exist."),
        BackToSearch => ("← Zoeken", "← Search"),
        // Login and the password change
        LoginTitle => ("Aanmelden", "Sign in"),
        LoginIntro => (
            "Controle van enclavewerking ter plaatse.",
            "On-site checks of enclave work.",
        ),
        Username => ("Gebruikersnaam", "Username"),
        Password => ("Wachtwoord", "Password"),
        SignIn => ("Aanmelden", "Sign in"),
        SigningIn => ("Bezig met aanmelden…", "Signing in…"),
        ChooseNewPassword => ("Kies een nieuw wachtwoord", "Choose a new password"),
        PasswordSetByAdmin => (
            "Je wachtwoord werd door een beheerder ingesteld. Kies er zelf een (minstens 10 tekens) voor je verder gaat.",
            "Your password was set by an administrator. Choose your own (at least 10 characters) before you go on.",
        ),
        CurrentPassword => ("Huidig wachtwoord", "Current password"),
        NewPassword => ("Nieuw wachtwoord", "New password"),
        NewPasswordAgain => ("Nieuw wachtwoord, nog eens", "New password, again"),
        ChangePassword => ("Wachtwoord wijzigen", "Change password"),
        PasswordTooShort => (
            "Een wachtwoord heeft minstens 10 tekens.",
            "A password needs at least 10 characters.",
        ),
        PasswordsDiffer => (
            "De twee nieuwe wachtwoorden verschillen.",
            "The two new passwords differ.",
        ),
        // The API's failures
        SessionExpired => (
            "Je sessie is verlopen. Meld je opnieuw aan.",
            "Your session has expired. Please sign in again.",
        ),
        ErrOffline => (
            "Geen verbinding met de server, en geen opgeslagen kopie op dit toestel.",
            "Cannot reach the server, and there is no saved copy on this device.",
        ),
        ErrServer => (
            "Onverwacht antwoord van de server (HTTP {status}).",
            "Unexpected answer from the server (HTTP {status}).",
        ),
        // The verdict card
        ContractFiled => ("Contract gemeld", "Contract filed"),
        DailyRegistration => ("Dagelijkse registratie", "Daily registration"),
        SupervisorPresent => ("Begeleider aanwezig", "Supervisor present"),
        VerdictPass => ("In orde", "Pass"),
        VerdictFail => ("Niet in orde", "Fail"),
        VerdictUnknown => ("Onbekend", "Unknown"),
        OverriddenPass => ("Toch in orde (inspecteur)", "Overridden by the inspector: in order"),
        OverriddenFail => (
            "Toch niet in orde (inspecteur)",
            "Overridden by the inspector: not in order",
        ),
        OverriddenUnknown => ("Toch onbekend (inspecteur)", "Overridden by the inspector: unknown"),
        Computed => ("Berekend: ", "Computed: "),
        Rule => ("Regel", "Rule"),
        // The record card: who was present
        Checks => ("Controles", "Checks"),
        Present => ("Aanwezig", "Present"),
        RoleWorker => ("Doelgroepwerknemer", "Target-group worker"),
        RoleSupervisor => ("Begeleider", "Supervisor"),
        StaffNumber => ("pers.nr. ", "staff no. "),
        NameNotKept => ("(naam niet bewaard)", "(name not kept)"),
        NotRegistered => ("niet geregistreerd", "not registered"),
        States => ("verklaart: ", "states: "),
        RegisteredWorker => ("geregistreerde doelgroepwerknemer", "registered target-group worker"),
        RegisteredWorkers => (
            "geregistreerde doelgroepwerknemers",
            "registered target-group workers",
        ),
        RegisteredSupervisor => ("geregistreerde begeleider", "registered supervisor"),
        RegisteredSupervisors => ("geregistreerde begeleiders", "registered supervisors"),
        WorkingButNotRegistered => (
            "Aan het werk maar niet geregistreerd",
            "Working but not registered",
        ),
        UnregisteredFinding => (
            "Vaststelling: wie niet geregistreerd is, telt niet als doelgroepwerknemer of begeleider van het team, welke rol die ook opgeeft.",
            "Finding: people who are not registered do not count as the team's workers or supervisors, whatever role they state.",
        ),
        // The record card: instructions
        Instructions => ("Instructies", "Instructions"),
        InstructionsGivenBy => ("Instructies gegeven door", "Instructions given by"),
        OnlySupervisor => ("alleen de begeleider", "only the supervisor"),
        HostStaff => ("personeel van het gastbedrijf", "host staff"),
        Both => ("allebei", "both"),
        CannotBeEstablished => ("niet vast te stellen", "cannot be established"),
        HostAssignsTasks => (
            "Gastbedrijf verdeelt of controleert taken",
            "Host assigns or checks tasks",
        ),
        SupervisorWholeShift => (
            "Begeleider de hele shift aanwezig",
            "Supervisor present the whole shift",
        ),
        AnswerYes => ("ja", "yes"),
        AnswerNo => ("nee", "no"),
        NotAnswered => ("niet beantwoord", "not answered"),
        Note => ("Toelichting", "Note"),
        // The record card: findings
        Findings => ("Vaststellingen", "Findings"),
        NoFindings => ("Geen vaststellingen.", "No findings."),
        General => ("Algemeen", "General"),
        SeverityLabel => ("Ernst: ", "Severity: "),
        Low => ("laag", "low"),
        Medium => ("middel", "medium"),
        High => ("hoog", "high"),
        Photo => ("Foto", "Photo"),
        Enlarge => ("vergroten", "enlarge"),
        Close => ("✕ Sluiten", "✕ Close"),
        // The record card: conclusion and amendments
        Conclusion => ("Conclusie", "Conclusion"),
        Measure => ("Maatregel", "Measure"),
        DeadlineLower => ("termijn", "deadline"),
        Originally => ("Oorspronkelijk: ", "Originally: "),
        Corrected => ("rechtgezet", "corrected"),
        Motivation => ("Motivering", "Motivation"),
        Amendments => ("Rechtzettingen", "Amendments"),
        MeasureLabel => ("maatregel: ", "measure: "),
        DeadlineLabel => ("termijn: ", "deadline: "),
        // A contract's status (`Key::contract_status`)
        ContractNotified => ("Gemeld", "Notified"),
        ContractApproved => ("Goedgekeurd", "Approved"),
        ContractRejected => ("Geweigerd", "Rejected"),
        StatusEnded => ("Beëindigd", "Ended"),
        // Texts both apps show and core itself does not
        Loading => ("Laden…", "Loading…"),
        // Follow-ups of measures
        FollowUpsIntro => (
            "Elke waarschuwing en elk bevel tot regularisatie met een termijn, vroegste termijn eerst.",
            "Every warning and regularisation order with a deadline, soonest deadline first.",
        ),
        OnlyOverdue => ("Alleen achterstallige", "Only overdue"),
        FollowUpCount => (
            "Opvolgingen: {n} · achterstallig: {late}",
            "Follow-ups: {n} · overdue: {late}",
        ),
        FollowUpInspected => ("{measure} bij de inspectie van {date}", "{measure} at the inspection of {date}"),
        FollowUpDue => ("Termijn: {date}", "Deadline: {date}"),
        FollowUpResult => (
            "Opgevolgd op {date}: {yes} verholpen, {no} niet verholpen",
            "Followed up on {date}: {yes} remedied, {no} not remedied",
        ),
        FollowUpsNone => ("Geen opvolgingen.", "No follow-ups."),
        FollowUp => ("Opvolging", "Follow-up"),
        MainActivity => ("Hoofdactiviteit gastorganisatie", "The host's main activity"),
        FollowUpSummary => (
            "Volgt een eerdere inspectie op: {yes} verholpen, {no} niet verholpen.",
            "Follows up an earlier inspection: {yes} remedied, {no} not remedied.",
        ),
        FollowsInspection => ("Opgevolgde inspectie:", "Inspection followed up:"),
        AFinding => ("Een vaststelling", "A finding"),
        Remedied => ("verholpen", "remedied"),
        NotRemedied => ("niet verholpen", "not remedied"),
        FollowUpsMore => (
            "Er zijn er meer; de eerste {n} staan hier.",
            "There are more; the first {n} are shown.",
        ),
        LoadMore => ("Meer laden", "Load more"),
        Cancel => ("Annuleren", "Cancel"),
        Unknown => ("onbekend", "unknown"),
        Host => ("Gastbedrijf", "Host"),
        Maatwerkbedrijf => ("Maatwerkbedrijf", "Maatwerkbedrijf"),
        Activity => ("Activiteit", "Activity"),
        Contracts => ("Contracten", "Contracts"),
        Start => ("Start", "Start"),
        End => ("Einde", "End"),
        Status => ("Status", "Status"),
        RejectionReason => ("Reden weigering", "Reason for rejection"),
    }
}

impl Key {
    /// The name of a contract's status.
    pub fn contract_status(status: shared::dto::contract::ContractStatus) -> Self {
        use shared::dto::contract::ContractStatus;
        match status {
            ContractStatus::Notified => Key::ContractNotified,
            ContractStatus::Approved => Key::ContractApproved,
            ContractStatus::Rejected => Key::ContractRejected,
            ContractStatus::Ended => Key::StatusEnded,
        }
    }
}

/// A calendar date as written in Belgium in both languages (and in the server's verdict
/// reasons): `05/03/2025`.
pub fn date(d: NaiveDate) -> String {
    // Plain integer formatting: chrono's strftime machinery would cost ~10 KB of wasm.
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// A wall-clock time, `07:30`.
pub fn time(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// An instant in Belgian local time: `05/03/2025 07:12`.
pub fn belgian_datetime(instant: DateTime<Utc>) -> String {
    let local = shared::rules::time::belgian_local(instant);
    format!("{} {}", date(local.date()), time(local.time()))
}

/// A distance in kilometres with one decimal, with a decimal comma in Dutch.
pub fn km(lang: Lang, distance: f64) -> String {
    let point = match lang {
        Lang::Nl => ',',
        Lang::En => '.',
    };
    format!("{} km", fixed(distance, 1).replace('.', &point.to_string()))
}

/// `value` with `decimals` decimals and a decimal point, without float formatting (which
/// would pull ~15 KB of `core::fmt` float code into the wasm).
pub fn fixed(value: f64, decimals: u32) -> String {
    let scale = 10_i64.pow(decimals);
    let scaled = (value * scale as f64).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, frac) = (scaled.abs() / scale, scaled.abs() % scale);
    format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_texts_with_the_same_placeholders() {
        assert_eq!(table_problems(Key::ALL), Vec::<String>::new());
    }

    #[test]
    fn a_table_problem_is_reported() {
        texts! {
            enum Broken {
                Fine => ("{n} dagen", "{n} days"),
                NoEnglish => ("Hallo", " "),
                Renamed => ("{n} rijen", "{count} rows"),
            }
        }
        assert_eq!(
            table_problems(Broken::ALL),
            [
                "NoEnglish has no English text",
                r#"Renamed: placeholders ["{n}"] in Dutch, ["{count}"] in English"#,
            ]
        );
    }

    #[test]
    fn placeholders_are_names_in_braces() {
        assert_eq!(
            placeholders("{b} en {a}, niet { } of {x y}"),
            ["{a}", "{b}"]
        );
    }
}
