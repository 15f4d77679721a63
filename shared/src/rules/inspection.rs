//! Validation of an inspection record before the device submits it and before the server
//! accepts it, and of an amendment. Every problem names its field (e.g.
//! `findings[2].photos[0].sha256`, indices from 0) and says what is wrong in Dutch and English.

use super::count;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::time::{belgian_local, format_date, format_time};
use crate::dto::inspection::{
    AmendmentRecord, CheckRecord, Conclusion, Correction, Finding, InspectionRecord, Instructions,
    Measure, corrected_conclusion,
};

/// Maximum length, in characters, of a motivation, finding text, override note or amendment.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Maximum length of a finding's category.
pub const MAX_CATEGORY_CHARS: usize = 100;
/// Maximum length of an unregistered person's name.
pub const MAX_NAME_CHARS: usize = 200;
/// Maximum length of the note on instructions.
pub const MAX_INSTRUCTIONS_NOTE_CHARS: usize = 2000;
/// Maximum number of workers, and of supervisors, counted present.
pub const MAX_PRESENT_COUNT: u32 = 500;
/// Maximum number of findings in one inspection.
pub const MAX_FINDINGS: usize = 200;
/// Maximum number of photos in one finding.
pub const MAX_PHOTOS_PER_FINDING: usize = 20;
/// Maximum size of a photo: 20 MiB.
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;
/// The accepted photo formats.
pub const PHOTO_CONTENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// Missing or blank.
    Required,
    /// Too many characters or items.
    TooLong,
    /// A value outside the accepted range or set.
    OutOfRange,
    /// Contradicts another field.
    Inconsistent,
    /// Not a SHA-256 hash as 64 lowercase hex characters.
    BadHash,
    /// Holds a control character (NUL and the like; a line break where one line is expected):
    /// no database stores those alike, and nobody types them.
    ControlCharacter,
}

/// One problem with a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Path of the field, e.g. `findings[2].photos[0].sha256`.
    pub field: String,
    pub code: ProblemCode,
    pub message_nl: String,
    pub message_en: String,
}

impl Problem {
    /// A problem with its messages.
    pub fn new(
        field: impl Into<String>,
        code: ProblemCode,
        message_nl: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            message_nl: message_nl.into(),
            message_en: message_en.into(),
        }
    }
}

/// The problems of an inspection `record` submitted on `today` (Belgian date); empty when
/// it is valid. The date may lie one day after `today`, for device clocks that run ahead.
pub fn validate_inspection(record: &InspectionRecord, today: NaiveDate) -> Vec<Problem> {
    let mut p = Problems::default();
    dates(&mut p, record, today);
    let checks = [
        (
            "contract_filed",
            &record.contract_filed,
            ("controle 1 (enclavecontract)", "check 1 (contract filed)"),
        ),
        (
            "daily_registration",
            &record.daily_registration,
            (
                "controle 2 (dagelijkse registratie)",
                "check 2 (daily registration)",
            ),
        ),
        (
            "supervisor_present",
            &record.supervisor_present,
            (
                "controle 3 (aanwezigheid begeleider)",
                "check 3 (supervisor present)",
            ),
        ),
    ];
    for (field, check, name) in checks {
        override_note(&mut p, field, check, name);
    }
    presence(&mut p, record);
    instructions(&mut p, &record.instructions);
    p.optional_text(
        "instructions.note",
        record.instructions.note.as_deref(),
        MAX_INSTRUCTIONS_NOTE_CHARS,
        (
            "De toelichting bij de instructies".to_owned(),
            "The note on instructions".to_owned(),
        ),
    );
    findings(&mut p, &record.findings);
    conclusion(&mut p, &record.conclusion, record.on, "conclusion");
    // Whether the answers fit the inspection followed up is for the server, which has it
    // (`follow_up::validate_follow_up`); here only their number is bounded.
    let answers = record.follows.as_ref().map_or(0, |f| f.remedies.len());
    if answers > MAX_FINDINGS + 3 {
        p.push(
            "follows.remedies",
            ProblemCode::TooLong,
            format!(
                "Een opvolging beantwoordt hoogstens {} tekortkomingen (nu {answers}).",
                MAX_FINDINGS + 3
            ),
            format!(
                "A follow-up answers at most {} shortcomings (now {answers}).",
                MAX_FINDINGS + 3
            ),
        );
    }
    p.0
}

/// The problems of the structured correction an `amendment` makes to `record`'s conclusion,
/// after the `earlier` corrections (oldest first): the conclusion as corrected must hold as
/// a submitted one does (a deadline after the inspection date for a warning or an order).
/// Empty when it is valid or corrects nothing.
pub fn validate_correction(
    amendment: &AmendmentRecord,
    record: &InspectionRecord,
    earlier: &[Correction],
) -> Vec<Problem> {
    let mut p = Problems::default();
    if let Some(correction) = amendment.correction() {
        let corrected = corrected_conclusion(
            &record.conclusion,
            earlier.iter().copied().chain([correction]),
        );
        conclusion(&mut p, &corrected, record.on, "");
    }
    p.0
}

/// The problems of an `amendment`; empty when it is valid.
pub fn validate_amendment(amendment: &AmendmentRecord) -> Vec<Problem> {
    let mut p = Problems::default();
    p.text(
        "text",
        &amendment.text,
        MAX_TEXT_CHARS,
        (
            "De tekst van de rechtzetting".to_owned(),
            "The amendment text".to_owned(),
        ),
    );
    if amendment.base_version < 1 {
        p.push(
            "base_version",
            ProblemCode::OutOfRange,
            format!(
                "Het versienummer waarop de rechtzetting steunt, moet minstens 1 zijn (nu {}).",
                amendment.base_version
            ),
            format!(
                "The base version of the amendment must be at least 1 (now {}).",
                amendment.base_version
            ),
        );
    }
    p.0
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(
        &mut self,
        field: impl Into<String>,
        code: ProblemCode,
        nl: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(Problem::new(field, code, nl, en));
    }

    /// A non-blank text of at most `max` characters, line breaks and tabs allowed; `what`
    /// names it, capitalised.
    fn text(&mut self, field: &str, value: &str, max: usize, what: (String, String)) {
        self.required(field, value, max, what, Lines::Many);
    }

    /// A non-blank text on one line, of at most `max` characters (a name, a category).
    fn line(&mut self, field: &str, value: &str, max: usize, what: (String, String)) {
        self.required(field, value, max, what, Lines::One);
    }

    fn required(
        &mut self,
        field: &str,
        value: &str,
        max: usize,
        what: (String, String),
        lines: Lines,
    ) {
        if value.trim().is_empty() {
            let (nl, en) = what;
            self.push(
                field,
                ProblemCode::Required,
                format!("{nl} is verplicht."),
                format!("{en} is required."),
            );
        } else {
            self.checked(field, value, max, what, lines);
        }
    }

    /// A text, if given, of at most `max` characters, line breaks and tabs allowed.
    fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
        what: (String, String),
    ) {
        if let Some(value) = value {
            self.checked(field, value, max, what, Lines::Many);
        }
    }

    /// At most `max` characters and no control characters but those `lines` allows.
    fn checked(
        &mut self,
        field: &str,
        value: &str,
        max: usize,
        (nl, en): (String, String),
        lines: Lines,
    ) {
        let n = value.chars().count();
        if n > max {
            self.push(
                field,
                ProblemCode::TooLong,
                format!("{nl} mag hoogstens {max} tekens bevatten (nu {n})."),
                format!("{en} may be at most {max} characters long (now {n})."),
            );
        }
        if let Some(problem) = control_character_problem(field, value, lines, (&nl, &en)) {
            self.0.push(problem);
        }
    }
}

/// The first character of `value` that no text may hold, with its position (from 1): a
/// control character (NUL and the like) other than tab, line feed and carriage return, and
/// those three too when the text belongs on `one_line`. No database stores them alike
/// (PostgreSQL refuses a NUL), and nobody types them.
pub fn first_control_character(value: &str, one_line: bool) -> Option<(usize, char)> {
    let lines = if one_line { Lines::One } else { Lines::Many };
    value
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !lines.allows(c))
        .map(|(at, c)| (at + 1, c))
}

/// The problem of a text `field` that holds a control character it may not hold (see
/// [`first_control_character`]); `what` names it, capitalised, in Dutch and English.
pub fn control_character(
    field: &str,
    value: &str,
    one_line: bool,
    what: (&str, &str),
) -> Option<Problem> {
    let lines = if one_line { Lines::One } else { Lines::Many };
    control_character_problem(field, value, lines, what)
}

fn control_character_problem(
    field: &str,
    value: &str,
    lines: Lines,
    (nl, en): (&str, &str),
) -> Option<Problem> {
    let (at, c) = first_control_character(value, matches!(lines, Lines::One))?;
    let code = u32::from(c);
    let (nl, en) = match (c, lines) {
        ('\n' | '\r' | '\t', Lines::One) => (
            format!("{nl} moet op één regel staan, zonder tabs of regeleinden."),
            format!("{en} must be on one line, without tabs or line breaks."),
        ),
        _ => (
            format!(
                "{nl} bevat een onzichtbaar stuurteken (U+{code:04X}) op positie {at}; \
                 verwijder het."
            ),
            format!(
                "{en} contains an invisible control character (U+{code:04X}) at \
                 position {at}; remove it."
            ),
        ),
    };
    Some(Problem::new(field, ProblemCode::ControlCharacter, nl, en))
}

/// Which control characters a text may hold.
#[derive(Clone, Copy)]
enum Lines {
    /// None: names and categories.
    One,
    /// Line breaks and tabs: notes, texts, motivations.
    Many,
}

impl Lines {
    fn allows(self, c: char) -> bool {
        matches!(self, Self::Many) && matches!(c, '\n' | '\r' | '\t')
    }
}

/// An instant as Belgian `dd/mm/yyyy HH:MM`.
fn format_instant(instant: DateTime<Utc>) -> String {
    let local = belgian_local(instant);
    format!(
        "{} {}",
        format_date(local.date()),
        format_time(local.time())
    )
}

/// The inspection date lies between 1 January 2015 and tomorrow; submitted after started.
fn dates(p: &mut Problems, record: &InspectionRecord, today: NaiveDate) {
    let on = format_date(record.on);
    let earliest = NaiveDate::from_ymd_opt(2015, 1, 1).expect("valid date");
    let latest = today.succ_opt().unwrap_or(today);
    if record.on > latest {
        let today = format_date(today);
        p.push(
            "on",
            ProblemCode::OutOfRange,
            format!("De inspectiedatum {on} ligt in de toekomst (vandaag is het {today})."),
            format!("The inspection date {on} is in the future (today is {today})."),
        );
    } else if record.on < earliest {
        p.push(
            "on",
            ProblemCode::OutOfRange,
            format!("De inspectiedatum {on} ligt vóór 01/01/2015."),
            format!("The inspection date {on} is before 01/01/2015."),
        );
    }
    if record.submitted_at < record.started_at {
        let (submitted, started) = (
            format_instant(record.submitted_at),
            format_instant(record.started_at),
        );
        p.push(
            "submitted_at",
            ProblemCode::Inconsistent,
            format!(
                "Het tijdstip van indienen ({submitted}) ligt vóór de start van de inspectie \
                 ({started})."
            ),
            format!(
                "The time of submission ({submitted}) is before the start of the inspection \
                 ({started})."
            ),
        );
    }
}

/// An override of a computed verdict needs a note; a note is at most 4000 characters.
fn override_note(p: &mut Problems, field: &str, check: &CheckRecord, (nl, en): (&str, &str)) {
    let field = format!("{field}.note");
    let note = check.note.as_deref();
    if check.override_status.is_some() && note.is_none_or(|n| n.trim().is_empty()) {
        p.push(
            field,
            ProblemCode::Required,
            format!(
                "Wie afwijkt van de berekende beoordeling van {nl}, moet dat motiveren in de \
                 nota."
            ),
            format!("Overriding the computed verdict of {en} requires a note."),
        );
    } else {
        p.optional_text(
            &field,
            note,
            MAX_TEXT_CHARS,
            (format!("De nota bij {nl}"), format!("The note on {en}")),
        );
    }
}

/// The counts are at most 500 each and cover the people ticked present; names of
/// unregistered people are filled in.
fn presence(p: &mut Problems, record: &InspectionRecord) {
    let (workers, supervisors) = (record.workers_present, record.supervisors_present);
    for (field, n, nl, en) in [
        (
            "workers_present",
            workers,
            "aanwezige doelgroepwerknemers",
            "target-group workers present",
        ),
        (
            "supervisors_present",
            supervisors,
            "aanwezige begeleiders",
            "supervisors present",
        ),
    ] {
        if n > MAX_PRESENT_COUNT {
            p.push(
                field,
                ProblemCode::OutOfRange,
                format!("Het aantal {nl} ({n}) mag niet hoger zijn dan {MAX_PRESENT_COUNT}."),
                format!("The number of {en} ({n}) may not exceed {MAX_PRESENT_COUNT}."),
            );
        }
    }
    let counted = u64::from(workers) + u64::from(supervisors);
    let ticked = record.present.len();
    if counted < ticked as u64 {
        let (w, s) = (workers as usize, supervisors as usize);
        p.push(
            "present",
            ProblemCode::Inconsistent,
            format!(
                "Het aantal als aanwezig aangeduide geregistreerde personen ({ticked}) is groter \
                 dan het totaal aantal getelde aanwezigen ({counted}: {} en {}).",
                count(w, "doelgroepwerknemer", "doelgroepwerknemers"),
                count(s, "begeleider", "begeleiders"),
            ),
            format!(
                "The number of registered people ticked present ({ticked}) exceeds the total \
                 counted present ({counted}: {} and {}).",
                count(w, "target-group worker", "target-group workers"),
                count(s, "supervisor", "supervisors"),
            ),
        );
    }
    for (i, person) in record.unregistered.iter().enumerate() {
        p.line(
            &format!("unregistered[{i}].name"),
            &person.name,
            MAX_NAME_CHARS,
            (
                format!("De naam van niet-geregistreerde persoon {}", i + 1),
                format!("The name of unregistered person {}", i + 1),
            ),
        );
    }
}

/// At most 200 findings with distinct ids, each with a category, a text and at most 20
/// valid photos.
fn findings(p: &mut Problems, findings: &[Finding]) {
    if findings.len() > MAX_FINDINGS {
        let n = findings.len();
        p.push(
            "findings",
            ProblemCode::TooLong,
            format!("Een inspectie mag hoogstens {MAX_FINDINGS} vaststellingen bevatten (nu {n})."),
            format!("An inspection may have at most {MAX_FINDINGS} findings (now {n})."),
        );
    }
    let mut first_with_id: HashMap<Uuid, usize> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        let (field, n) = (format!("findings[{i}]"), i + 1);
        if let Some(first) = first_with_id.get(&finding.id) {
            let first = first + 1;
            p.push(
                format!("{field}.id"),
                ProblemCode::Inconsistent,
                format!("Vaststelling {n} heeft dezelfde id als vaststelling {first}."),
                format!("Finding {n} has the same id as finding {first}."),
            );
        } else {
            first_with_id.insert(finding.id, i);
        }
        p.line(
            &format!("{field}.category"),
            &finding.category,
            MAX_CATEGORY_CHARS,
            (
                format!("De categorie van vaststelling {n}"),
                format!("The category of finding {n}"),
            ),
        );
        p.text(
            &format!("{field}.text"),
            &finding.text,
            MAX_TEXT_CHARS,
            (
                format!("De tekst van vaststelling {n}"),
                format!("The text of finding {n}"),
            ),
        );
        let photos = finding.photos.len();
        if photos > MAX_PHOTOS_PER_FINDING {
            p.push(
                format!("{field}.photos"),
                ProblemCode::TooLong,
                format!(
                    "Vaststelling {n} mag hoogstens {MAX_PHOTOS_PER_FINDING} foto's bevatten \
                     (nu {photos})."
                ),
                format!(
                    "Finding {n} may have at most {MAX_PHOTOS_PER_FINDING} photos (now {photos})."
                ),
            );
        }
        for (j, photo) in finding.photos.iter().enumerate() {
            let (field, nl, en) = (
                format!("{field}.photos[{j}]"),
                format!("Foto {} van vaststelling {n}", j + 1),
                format!("Photo {} of finding {n}", j + 1),
            );
            if !is_sha256_hex(&photo.sha256) {
                p.push(
                    format!("{field}.sha256"),
                    ProblemCode::BadHash,
                    format!(
                        "{nl}: de SHA-256-hash moet uit 64 kleine hexadecimale tekens (0-9, a-f) \
                         bestaan."
                    ),
                    format!(
                        "{en}: the SHA-256 hash must be 64 lowercase hexadecimal characters \
                         (0-9, a-f)."
                    ),
                );
            }
            if !(1..=MAX_PHOTO_BYTES).contains(&photo.bytes) {
                let bytes = photo.bytes;
                p.push(
                    format!("{field}.bytes"),
                    ProblemCode::OutOfRange,
                    format!(
                        "{nl}: de grootte moet tussen 1 byte en 20 MiB liggen (nu {bytes} bytes)."
                    ),
                    format!(
                        "{en}: the size must be between 1 byte and 20 MiB (now {bytes} bytes)."
                    ),
                );
            }
            if !PHOTO_CONTENT_TYPES.contains(&photo.content_type.as_str()) {
                let kind = &photo.content_type;
                p.push(
                    format!("{field}.content_type"),
                    ProblemCode::OutOfRange,
                    format!("{nl}: het bestandstype moet JPEG, PNG of WebP zijn (nu \"{kind}\")."),
                    format!("{en}: the file type must be JPEG, PNG or WebP (now \"{kind}\")."),
                );
            }
        }
    }
}

/// Whether `s` is a SHA-256 in lower-case hex, as photos are named.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Each question on how the work is directed is answered.
fn instructions(p: &mut Problems, instructions: &Instructions) {
    let unanswered = [
        (
            "instructions.given_by",
            instructions.given_by.is_none(),
            "Van wie de werknemers hun instructies krijgen",
            "From whom the workers take instructions",
        ),
        (
            "instructions.host_assigns_tasks",
            instructions.host_assigns_tasks.is_none(),
            "Of het gastbedrijf zelf taken verdeelt of controleert",
            "Whether the host assigns or checks tasks itself",
        ),
        (
            "instructions.supervisor_whole_shift",
            instructions.supervisor_whole_shift.is_none(),
            "Of de begeleider de hele shift aanwezig is",
            "Whether the supervisor is present for the whole shift",
        ),
    ];
    for (field, missing, nl, en) in unanswered {
        if missing {
            p.push(
                field,
                ProblemCode::Required,
                format!("Vraag niet beantwoord: {nl}."),
                format!("Question not answered: {en}."),
            );
        }
    }
}

/// A motivation always (when `prefix` is `conclusion`, the submitted one; an empty prefix
/// checks a corrected conclusion, whose motivation stays the original's); a deadline after
/// the inspection date `on` for a warning or an order.
fn conclusion(p: &mut Problems, conclusion: &Conclusion, on: NaiveDate, prefix: &str) {
    if !prefix.is_empty() {
        p.text(
            &format!("{prefix}.motivation"),
            &conclusion.motivation,
            MAX_TEXT_CHARS,
            (
                "De motivering van de conclusie".to_owned(),
                "The motivation of the conclusion".to_owned(),
            ),
        );
    }
    let field = if prefix.is_empty() {
        "deadline".to_owned()
    } else {
        format!("{prefix}.deadline")
    };
    let measure = match conclusion.measure {
        Measure::Warning => Some(("een waarschuwing", "A warning")),
        Measure::RegularisationOrder => {
            Some(("een bevel tot regularisatie", "A regularisation order"))
        }
        Measure::Advice | Measure::ReportProposed => None,
    };
    match (conclusion.deadline, measure) {
        (None, Some((nl, en))) => p.push(
            field,
            ProblemCode::Required,
            format!("Bij {nl} is een termijn verplicht."),
            format!("{en} requires a deadline."),
        ),
        (Some(deadline), _) if deadline <= on => {
            let (deadline, on) = (format_date(deadline), format_date(on));
            p.push(
                field,
                ProblemCode::Inconsistent,
                format!("De termijn ({deadline}) moet na de inspectiedatum ({on}) vallen."),
                format!("The deadline ({deadline}) must be after the inspection date ({on})."),
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::inspection::{
        CheckKind, Conclusion, InstructionGiver, Instructions, PhotoRef, PresentPerson, Severity,
        UnregisteredPerson,
    };
    use crate::dto::registration::MemberRole;
    use crate::rules::verdict::{Reason, ReasonCode, Verdict, VerdictStatus};
    use ProblemCode::*;
    use chrono::NaiveTime;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The day the record reaches the server: Monday 15 July 2024.
    fn today() -> NaiveDate {
        ymd(2024, 7, 15)
    }

    fn utc(h: u32, m: u32) -> DateTime<Utc> {
        today().and_hms_opt(h, m, 0).unwrap().and_utc()
    }

    fn check() -> CheckRecord {
        let reason = Reason::new(ReasonCode::RegisteredInTime, "Tijdig.", "In time.");
        CheckRecord {
            computed: Verdict::from_reasons(vec![reason], "test/1"),
            override_status: None,
            note: None,
        }
    }

    fn photo() -> PhotoRef {
        PhotoRef {
            sha256: "0123456789abcdef".repeat(4),
            content_type: "image/jpeg".to_owned(),
            bytes: 2_500_000,
        }
    }

    fn finding(n: u128) -> Finding {
        Finding {
            id: Uuid::from_u128(n),
            check: Some(CheckKind::SupervisorPresent),
            category: "begeleiding".to_owned(),
            severity: Severity::Medium,
            text: "De begeleider was om 10:15 niet in de hal.".to_owned(),
            photos: vec![photo(), photo()],
        }
    }

    /// A valid record; each test breaks one thing.
    fn valid() -> InspectionRecord {
        InspectionRecord {
            id: Uuid::from_u128(1),
            enclave_id: Uuid::from_u128(2),
            started_at: utc(8, 10),
            submitted_at: utc(9, 0),
            on: today(),
            at: NaiveTime::from_hms_opt(10, 15, 0).unwrap(),
            position: None,
            contract_filed: check(),
            daily_registration: check(),
            supervisor_present: check(),
            present: vec![
                PresentPerson {
                    person_id: Uuid::from_u128(10),
                    role: MemberRole::Worker,
                    name: "Anna P.".to_owned(),
                    staff_ref: "P-10".to_owned(),
                },
                PresentPerson {
                    person_id: Uuid::from_u128(11),
                    role: MemberRole::Supervisor,
                    name: "Stijn V.".to_owned(),
                    staff_ref: "P-11".to_owned(),
                },
            ],
            unregistered: vec![UnregisteredPerson {
                name: "Dirk Maes".to_owned(),
                stated_role: MemberRole::Worker,
            }],
            workers_present: 2,
            supervisors_present: 1,
            instructions: Instructions {
                given_by: Some(InstructionGiver::Supervisor),
                host_assigns_tasks: Some(false),
                supervisor_whole_shift: Some(true),
                main_activity: Some(true),
                note: Some("Volgens de ploegbaas.".to_owned()),
            },
            findings: vec![finding(1), finding(2)],
            conclusion: Conclusion {
                measure: Measure::Warning,
                deadline: Some(ymd(2024, 8, 15)),
                motivation: "Eén doelgroepwerknemer werkte zonder registratie.".to_owned(),
            },
            follows: None,
        }
    }

    fn amendment() -> AmendmentRecord {
        AmendmentRecord {
            id: Uuid::from_u128(5),
            inspection_id: Uuid::from_u128(1),
            base_version: 1,
            text: "De begeleider kwam om 10:30 terug.".to_owned(),
            measure: None,
            deadline: None,
            written_at: utc(12, 0),
        }
    }

    fn fields(problems: &[Problem]) -> Vec<(&str, ProblemCode)> {
        problems
            .iter()
            .map(|p| (p.field.as_str(), p.code))
            .collect()
    }

    fn assert_messages(problems: &[Problem], name: &str) {
        for p in problems {
            assert!(
                !p.message_nl.is_empty() && !p.message_en.is_empty(),
                "{name}"
            );
            assert_ne!(p.message_nl, p.message_en, "{name}");
        }
    }

    #[test]
    fn baseline_is_valid() {
        assert_eq!(validate_inspection(&valid(), today()), []);
        assert_eq!(validate_amendment(&amendment()), []);
    }

    /// Records made before the app asked about the host's main activity, or before
    /// follow-ups, still apply and serialise (and so hash) as they did.
    #[test]
    fn later_questions_are_optional_and_absent_from_older_records() {
        let mut older = valid();
        older.instructions.main_activity = None;
        older.follows = None;
        assert_eq!(validate_inspection(&older, today()), []);
        let json = serde_json::to_string(&older).unwrap();
        assert!(
            !json.contains("main_activity") && !json.contains("follows"),
            "{json}"
        );
        let mut answered = valid();
        answered.instructions.main_activity = Some(false);
        let json = serde_json::to_string(&answered).unwrap();
        assert!(json.contains(r#""main_activity":false"#), "{json}");
        let back: InspectionRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, answered);
    }

    /// Name, how the valid record is broken, and the expected problems.
    type Row = (
        &'static str,
        fn(&mut InspectionRecord),
        &'static [(&'static str, ProblemCode)],
    );

    /// One row per rule: each breaks (or stretches to its limit) one thing of a valid record.
    #[test]
    fn each_rule() {
        let rows: &[Row] = &[
            // Conclusion.
            (
                "motivation missing",
                |r| r.conclusion.motivation = " \n\t".to_owned(),
                &[("conclusion.motivation", Required)],
            ),
            (
                "motivation too long",
                |r| r.conclusion.motivation = "é".repeat(4001),
                &[("conclusion.motivation", TooLong)],
            ),
            (
                "motivation at the limit (characters, not bytes)",
                |r| r.conclusion.motivation = "é".repeat(4000),
                &[],
            ),
            (
                "warning without deadline",
                |r| r.conclusion.deadline = None,
                &[("conclusion.deadline", Required)],
            ),
            (
                "order without deadline",
                |r| {
                    r.conclusion.measure = Measure::RegularisationOrder;
                    r.conclusion.deadline = None;
                },
                &[("conclusion.deadline", Required)],
            ),
            (
                "advice needs no deadline",
                |r| {
                    r.conclusion.measure = Measure::Advice;
                    r.conclusion.deadline = None;
                },
                &[],
            ),
            (
                "proposed report needs no deadline",
                |r| {
                    r.conclusion.measure = Measure::ReportProposed;
                    r.conclusion.deadline = None;
                },
                &[],
            ),
            (
                "deadline on the inspection date",
                |r| r.conclusion.deadline = Some(r.on),
                &[("conclusion.deadline", Inconsistent)],
            ),
            (
                "deadline before the inspection date",
                |r| r.conclusion.deadline = r.on.pred_opt(),
                &[("conclusion.deadline", Inconsistent)],
            ),
            (
                "deadline the day after",
                |r| r.conclusion.deadline = r.on.succ_opt(),
                &[],
            ),
            (
                "an optional deadline is still after the date",
                |r| {
                    r.conclusion.measure = Measure::Advice;
                    r.conclusion.deadline = Some(r.on);
                },
                &[("conclusion.deadline", Inconsistent)],
            ),
            // Overrides.
            (
                "override without note",
                |r| r.contract_filed.override_status = Some(VerdictStatus::Pass),
                &[("contract_filed.note", Required)],
            ),
            (
                "override with blank note",
                |r| {
                    r.daily_registration.override_status = Some(VerdictStatus::Fail);
                    r.daily_registration.note = Some("  ".to_owned());
                },
                &[("daily_registration.note", Required)],
            ),
            (
                "override with note",
                |r| {
                    r.supervisor_present.override_status = Some(VerdictStatus::Pass);
                    r.supervisor_present.note = Some("Begeleider kwam net terug.".to_owned());
                },
                &[],
            ),
            (
                "note too long",
                |r| r.supervisor_present.note = Some("x".repeat(4001)),
                &[("supervisor_present.note", TooLong)],
            ),
            // Dates and times.
            (
                "on tomorrow (clock tolerance)",
                |r| r.on = ymd(2024, 7, 16),
                &[],
            ),
            (
                "on the day after tomorrow",
                |r| {
                    r.on = ymd(2024, 7, 17);
                    r.conclusion.deadline = Some(ymd(2024, 8, 17));
                },
                &[("on", OutOfRange)],
            ),
            ("on 1 January 2015", |r| r.on = ymd(2015, 1, 1), &[]),
            (
                "on before 2015",
                |r| r.on = ymd(2014, 12, 31),
                &[("on", OutOfRange)],
            ),
            (
                "submitted before started",
                |r| r.submitted_at = r.started_at - chrono::Duration::seconds(1),
                &[("submitted_at", Inconsistent)],
            ),
            (
                "submitted when started",
                |r| r.submitted_at = r.started_at,
                &[],
            ),
            // Counts.
            ("500 workers", |r| r.workers_present = 500, &[]),
            (
                "too many workers",
                |r| r.workers_present = 501,
                &[("workers_present", OutOfRange)],
            ),
            (
                "too many supervisors",
                |r| r.supervisors_present = 501,
                &[("supervisors_present", OutOfRange)],
            ),
            (
                "huge counts do not overflow",
                |r| {
                    r.workers_present = u32::MAX;
                    r.supervisors_present = u32::MAX;
                },
                &[
                    ("workers_present", OutOfRange),
                    ("supervisors_present", OutOfRange),
                ],
            ),
            (
                "fewer counted than ticked",
                |r| {
                    r.workers_present = 1;
                    r.supervisors_present = 0;
                },
                &[("present", Inconsistent)],
            ),
            (
                "counted supervisors need not match ticked roles",
                |r| {
                    r.workers_present = 2;
                    r.supervisors_present = 0;
                },
                &[],
            ),
            // Unregistered people and instructions.
            (
                "unregistered without name",
                |r| r.unregistered[0].name = String::new(),
                &[("unregistered[0].name", Required)],
            ),
            (
                "unregistered name too long",
                |r| r.unregistered[0].name = "n".repeat(201),
                &[("unregistered[0].name", TooLong)],
            ),
            (
                "instructions note too long",
                |r| r.instructions.note = Some("n".repeat(2001)),
                &[("instructions.note", TooLong)],
            ),
            (
                "instructions note at the limit",
                |r| r.instructions.note = Some("n".repeat(2000)),
                &[],
            ),
            ("no instructions note", |r| r.instructions.note = None, &[]),
            (
                "no question answered",
                |r| r.instructions = Instructions::default(),
                &[
                    ("instructions.given_by", Required),
                    ("instructions.host_assigns_tasks", Required),
                    ("instructions.supervisor_whole_shift", Required),
                ],
            ),
            (
                "who gives instructions not answered",
                |r| r.instructions.given_by = None,
                &[("instructions.given_by", Required)],
            ),
            (
                "'no' is an answer",
                |r| {
                    r.instructions.host_assigns_tasks = Some(false);
                    r.instructions.supervisor_whole_shift = Some(false);
                },
                &[],
            ),
            // Findings.
            ("no findings", |r| r.findings.clear(), &[]),
            (
                "200 findings",
                |r| r.findings = (1..=200).map(finding).collect(),
                &[],
            ),
            (
                "201 findings",
                |r| r.findings = (1..=201).map(finding).collect(),
                &[("findings", TooLong)],
            ),
            (
                "duplicate finding id",
                |r| r.findings.push(finding(1)),
                &[("findings[2].id", Inconsistent)],
            ),
            (
                "finding without text",
                |r| r.findings[1].text = " ".to_owned(),
                &[("findings[1].text", Required)],
            ),
            (
                "finding text too long",
                |r| r.findings[1].text = "t".repeat(4001),
                &[("findings[1].text", TooLong)],
            ),
            (
                "finding without category",
                |r| r.findings[0].category = String::new(),
                &[("findings[0].category", Required)],
            ),
            (
                "finding category too long",
                |r| r.findings[0].category = "c".repeat(101),
                &[("findings[0].category", TooLong)],
            ),
            (
                "20 photos",
                |r| r.findings[0].photos = vec![photo(); 20],
                &[],
            ),
            (
                "21 photos",
                |r| r.findings[0].photos = vec![photo(); 21],
                &[("findings[0].photos", TooLong)],
            ),
            (
                "upper-case hash",
                |r| r.findings[1].photos[1].sha256 = "0123456789ABCDEF".repeat(4),
                &[("findings[1].photos[1].sha256", BadHash)],
            ),
            (
                "short hash",
                |r| {
                    r.findings[1].photos[0]
                        .sha256
                        .pop()
                        .map(drop)
                        .unwrap_or_default()
                },
                &[("findings[1].photos[0].sha256", BadHash)],
            ),
            (
                "non-hex hash",
                |r| r.findings[1].photos[0].sha256 = "g".repeat(64),
                &[("findings[1].photos[0].sha256", BadHash)],
            ),
            (
                "empty photo",
                |r| r.findings[0].photos[0].bytes = 0,
                &[("findings[0].photos[0].bytes", OutOfRange)],
            ),
            (
                "photo of 20 MiB",
                |r| r.findings[0].photos[0].bytes = 20 * 1024 * 1024,
                &[],
            ),
            (
                "photo over 20 MiB",
                |r| r.findings[0].photos[0].bytes = 20 * 1024 * 1024 + 1,
                &[("findings[0].photos[0].bytes", OutOfRange)],
            ),
            (
                "png and webp photos",
                |r| {
                    r.findings[0].photos[0].content_type = "image/png".to_owned();
                    r.findings[0].photos[1].content_type = "image/webp".to_owned();
                },
                &[],
            ),
            (
                "gif photo",
                |r| r.findings[0].photos[1].content_type = "image/gif".to_owned(),
                &[("findings[0].photos[1].content_type", OutOfRange)],
            ),
        ];
        for (name, break_it, expected) in rows {
            let mut record = valid();
            break_it(&mut record);
            let problems = validate_inspection(&record, today());
            assert_eq!(fields(&problems), *expected, "{name}");
            assert_messages(&problems, name);
        }
    }

    /// NUL and other control characters are refused in every text, so SQLite and PostgreSQL
    /// treat a record alike; line breaks and tabs only where a text may have several lines.
    #[test]
    fn control_characters() {
        let nul = |r: &mut InspectionRecord| r.findings[1].text = "voor\u{0}na".to_owned();
        let bell = |r: &mut InspectionRecord| r.conclusion.motivation.push('\u{7}');
        let category = |r: &mut InspectionRecord| r.findings[0].category = "a\nb".to_owned();
        let name = |r: &mut InspectionRecord| r.unregistered[0].name = "Dirk\tMaes".to_owned();
        let note = |r: &mut InspectionRecord| {
            r.instructions.note = Some("\u{1b}[31m".to_owned());
        };
        let override_note = |r: &mut InspectionRecord| {
            r.contract_filed.override_status = Some(VerdictStatus::Pass);
            r.contract_filed.note = Some("ok\u{0}".to_owned());
        };
        type Break = fn(&mut InspectionRecord);
        let cases: [(Break, &str); 6] = [
            (nul, "findings[1].text"),
            (bell, "conclusion.motivation"),
            (category, "findings[0].category"),
            (name, "unregistered[0].name"),
            (note, "instructions.note"),
            (override_note, "contract_filed.note"),
        ];
        for (break_it, field) in cases {
            let mut r = valid();
            break_it(&mut r);
            let problems = validate_inspection(&r, today());
            assert_eq!(fields(&problems), [(field, ControlCharacter)], "{field}");
            assert_messages(&problems, field);
        }
        let p = validate_inspection(
            &{
                let mut r = valid();
                nul(&mut r);
                r
            },
            today(),
        );
        assert!(p[0].message_en.contains("U+0000") && p[0].message_en.contains("position 5"));
        // Several lines and tabs where a text may have them.
        let mut r = valid();
        r.findings[0].text = "Eerste regel\r\n\tTweede regel".to_owned();
        r.conclusion.motivation = "a\nb".to_owned();
        assert_eq!(validate_inspection(&r, today()), []);
        let mut a = amendment();
        a.text = "rechtzetting\u{0}".to_owned();
        assert_eq!(
            fields(&validate_amendment(&a)),
            [("text", ControlCharacter)]
        );
        a.text = "regel 1\nregel 2".to_owned();
        assert_eq!(validate_amendment(&a), []);
    }

    #[test]
    fn amendment_rules() {
        type Row = (
            &'static str,
            fn(&mut AmendmentRecord),
            &'static [(&'static str, ProblemCode)],
        );
        let rows: &[Row] = &[
            (
                "blank text",
                |a| a.text = " ".to_owned(),
                &[("text", Required)],
            ),
            (
                "text too long",
                |a| a.text = "t".repeat(4001),
                &[("text", TooLong)],
            ),
            ("text at the limit", |a| a.text = "t".repeat(4000), &[]),
            (
                "base version 0",
                |a| a.base_version = 0,
                &[("base_version", OutOfRange)],
            ),
            ("base version 7", |a| a.base_version = 7, &[]),
        ];
        for (name, break_it, expected) in rows {
            let mut a = amendment();
            break_it(&mut a);
            let problems = validate_amendment(&a);
            assert_eq!(fields(&problems), *expected, "{name}");
            assert_messages(&problems, name);
        }
    }

    #[test]
    fn messages() {
        let mut r = valid();
        r.conclusion.motivation = String::new();
        r.conclusion.measure = Measure::RegularisationOrder;
        r.conclusion.deadline = None;
        r.contract_filed.override_status = Some(VerdictStatus::Pass);
        r.on = ymd(2024, 7, 20);
        r.submitted_at = utc(8, 0);
        r.workers_present = 1;
        r.supervisors_present = 0;
        r.findings[1].photos[0].bytes = 0;
        r.findings[1].photos[0].content_type = "image/heic".to_owned();
        r.findings[1].photos[0].sha256 = "x".to_owned();
        r.findings[0].category = "c".repeat(120);
        let problems = validate_inspection(&r, today());
        let nl: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.message_nl.as_str()))
            .collect();
        assert_eq!(
            nl,
            [
                (
                    "on",
                    "De inspectiedatum 20/07/2024 ligt in de toekomst (vandaag is het 15/07/2024)."
                ),
                (
                    "submitted_at",
                    "Het tijdstip van indienen (15/07/2024 10:00) ligt vóór de start van de \
                     inspectie (15/07/2024 10:10)."
                ),
                (
                    "contract_filed.note",
                    "Wie afwijkt van de berekende beoordeling van controle 1 (enclavecontract), \
                     moet dat motiveren in de nota."
                ),
                (
                    "present",
                    "Het aantal als aanwezig aangeduide geregistreerde personen (2) is groter dan \
                     het totaal aantal getelde aanwezigen (1: 1 doelgroepwerknemer en 0 \
                     begeleiders)."
                ),
                (
                    "findings[0].category",
                    "De categorie van vaststelling 1 mag hoogstens 100 tekens bevatten (nu 120)."
                ),
                (
                    "findings[1].photos[0].sha256",
                    "Foto 1 van vaststelling 2: de SHA-256-hash moet uit 64 kleine \
                     hexadecimale tekens (0-9, a-f) bestaan."
                ),
                (
                    "findings[1].photos[0].bytes",
                    "Foto 1 van vaststelling 2: de grootte moet tussen 1 byte en 20 MiB liggen \
                     (nu 0 bytes)."
                ),
                (
                    "findings[1].photos[0].content_type",
                    "Foto 1 van vaststelling 2: het bestandstype moet JPEG, PNG of WebP zijn \
                     (nu \"image/heic\")."
                ),
                (
                    "conclusion.motivation",
                    "De motivering van de conclusie is verplicht."
                ),
                (
                    "conclusion.deadline",
                    "Bij een bevel tot regularisatie is een termijn verplicht."
                ),
            ]
        );
        assert_eq!(
            problems[3].message_en,
            "The number of registered people ticked present (2) exceeds the total counted \
             present (1: 1 target-group worker and 0 supervisors)."
        );
        assert_eq!(
            problems[9].message_en,
            "A regularisation order requires a deadline."
        );
    }

    #[test]
    fn problems_serialise_in_snake_case() {
        let p = Problem::new("findings[0].photos[0].sha256", BadHash, "nl", "en");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["code"], "bad_hash");
        assert_eq!(json["field"], "findings[0].photos[0].sha256");
        for (code, text) in [
            (Required, "required"),
            (TooLong, "too_long"),
            (OutOfRange, "out_of_range"),
            (Inconsistent, "inconsistent"),
            (BadHash, "bad_hash"),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), text);
        }
        let back: Problem = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn corrections_hold_as_a_conclusion() {
        let record = valid();
        let correct = |measure, deadline| AmendmentRecord {
            measure,
            deadline,
            ..amendment()
        };
        // No correction, or a valid one.
        assert_eq!(validate_correction(&amendment(), &record, &[]), []);
        let order = correct(Some(Measure::RegularisationOrder), None);
        assert_eq!(validate_correction(&order, &record, &[]), []);
        let advice = correct(Some(Measure::Advice), None);
        assert_eq!(validate_correction(&advice, &record, &[]), []);
        // After a correction to advice, the deadline is gone: an order then needs one.
        let earlier = [advice.correction().unwrap()];
        assert_eq!(
            fields(&validate_correction(&order, &record, &earlier)),
            [("deadline", Required)]
        );
        let later = correct(Some(Measure::RegularisationOrder), Some(ymd(2024, 9, 1)));
        assert_eq!(validate_correction(&later, &record, &earlier), []);
        // A deadline on or before the inspection date.
        let early = correct(None, Some(today()));
        let problems = validate_correction(&early, &record, &[]);
        assert_eq!(fields(&problems), [("deadline", Inconsistent)]);
        assert_messages(&problems, "early deadline");
    }

    #[test]
    fn the_latest_correction_counts() {
        let original = valid().conclusion;
        let corrected = corrected_conclusion(
            &original,
            [
                Correction {
                    measure: Some(Measure::RegularisationOrder),
                    deadline: None,
                },
                Correction {
                    measure: None,
                    deadline: Some(ymd(2024, 9, 30)),
                },
            ],
        );
        assert_eq!(corrected.measure, Measure::RegularisationOrder);
        assert_eq!(corrected.deadline, Some(ymd(2024, 9, 30)));
        assert_eq!(corrected.motivation, original.motivation);
        let advice = corrected_conclusion(
            &original,
            [Correction {
                measure: Some(Measure::Advice),
                deadline: None,
            }],
        );
        assert_eq!((advice.measure, advice.deadline), (Measure::Advice, None));
    }
}
