//! The contract register: what a registered or edited contract must satisfy, and whether it
//! reached the department in time. The PWA runs this as the admin types; the server runs it
//! again before it writes.

use crate::rules::time::format_date;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::contract_filed::{RuleSettings, notification_deadline};
use super::inspection::{Problem, ProblemCode, control_character};
use super::time::belgian_local;
use crate::dto::contract::{Contract, ContractDraft, ContractStatus, Timeliness};

/// Longest reference.
pub const MAX_REFERENCE: usize = 64;
/// Longest rejection reason.
pub const MAX_REASON: usize = 500;
/// Most supervisors a contract can require.
pub const MAX_SUPERVISORS: u32 = 50;

/// Every problem of a draft; empty when it may be written. `now` is when it is written.
pub fn validate_contract(d: &ContractDraft, now: DateTime<Utc>) -> Vec<Problem> {
    let mut p = Vec::new();
    let reference = d.reference.trim();
    if reference.is_empty() {
        p.push(Problem::new(
            "reference",
            ProblemCode::Required,
            "De referentie ontbreekt.",
            "The reference is missing.",
        ));
    } else if reference.chars().count() > MAX_REFERENCE {
        p.push(Problem::new(
            "reference",
            ProblemCode::TooLong,
            format!("De referentie is langer dan {MAX_REFERENCE} tekens."),
            format!("The reference is longer than {MAX_REFERENCE} characters."),
        ));
    }
    p.extend(control_character(
        "reference",
        &d.reference,
        true,
        ("De referentie", "The reference"),
    ));
    if let Some(reason) = &d.rejection_reason {
        p.extend(control_character(
            "rejection_reason",
            reason,
            false,
            ("De reden van weigering", "The reason for rejection"),
        ));
    }
    if !(2000..=2100).contains(&d.start_date.year()) {
        p.push(Problem::new(
            "start_date",
            ProblemCode::OutOfRange,
            "De startdatum ligt niet tussen 2000 en 2100.",
            "The start date is not between 2000 and 2100.",
        ));
    }
    if d.end_date.is_some_and(|e| e < d.start_date) {
        p.push(Problem::new(
            "end_date",
            ProblemCode::Inconsistent,
            "Het einde ligt voor de start.",
            "The end is before the start.",
        ));
    }
    if d.notified_at.is_none() && d.approved_at.is_none() {
        p.push(Problem::new(
            "notified_at",
            ProblemCode::Required,
            "Wanneer kwam de melding bij het departement binnen?",
            "When did the notification reach the department?",
        ));
    }
    for (field, at) in [
        ("notified_at", d.notified_at),
        ("approved_at", d.approved_at),
    ] {
        if at.is_some_and(|t| t > now) {
            p.push(Problem::new(
                field,
                ProblemCode::OutOfRange,
                "Deze datum ligt in de toekomst.",
                "This date lies in the future.",
            ));
        }
    }
    if let (Some(n), Some(a)) = (d.notified_at, d.approved_at)
        && a < n
    {
        p.push(Problem::new(
            "approved_at",
            ProblemCode::Inconsistent,
            "De goedkeuring ligt voor de ontvangst.",
            "The approval is before the receipt.",
        ));
    }
    let reason = d.rejection_reason.as_deref().map(str::trim).unwrap_or("");
    match d.status {
        ContractStatus::Rejected if reason.is_empty() => p.push(Problem::new(
            "rejection_reason",
            ProblemCode::Required,
            "Een geweigerd contract heeft een reden.",
            "A rejected contract needs a reason.",
        )),
        ContractStatus::Ended if d.end_date.is_none() => p.push(Problem::new(
            "end_date",
            ProblemCode::Required,
            "Een beëindigd contract heeft een einddatum.",
            "An ended contract needs an end date.",
        )),
        ContractStatus::Approved if d.approved_at.is_none() => p.push(Problem::new(
            "approved_at",
            ProblemCode::Required,
            "Een goedgekeurd contract heeft een datum van goedkeuring.",
            "An approved contract needs the date of approval.",
        )),
        _ => {}
    }
    if d.status != ContractStatus::Rejected && !reason.is_empty() {
        p.push(Problem::new(
            "rejection_reason",
            ProblemCode::Inconsistent,
            "Alleen een geweigerd contract heeft een reden van weigering.",
            "Only a rejected contract has a reason for rejection.",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        p.push(Problem::new(
            "rejection_reason",
            ProblemCode::TooLong,
            format!("De reden is langer dan {MAX_REASON} tekens."),
            format!("The reason is longer than {MAX_REASON} characters."),
        ));
    }
    if !(1..=MAX_SUPERVISORS).contains(&d.min_supervisors) {
        p.push(Problem::new(
            "min_supervisors",
            ProblemCode::OutOfRange,
            format!("Minstens 1 en hoogstens {MAX_SUPERVISORS} begeleiders."),
            format!("At least 1 and at most {MAX_SUPERVISORS} supervisors."),
        ));
    }
    p
}

/// Whether two periods share a day; `None` as the end is open-ended.
pub fn periods_overlap(
    a: (NaiveDate, Option<NaiveDate>),
    b: (NaiveDate, Option<NaiveDate>),
) -> bool {
    let ends_after = |end: Option<NaiveDate>, start: NaiveDate| end.is_none_or(|e| e >= start);
    ends_after(a.1, b.0) && ends_after(b.1, a.0)
}

/// The contracts of the same enclave whose period overlaps the draft's: two contracts
/// covering one day leave check 1 judged on whichever the register finds first. A rejected
/// contract covers nothing, and the draft's own reference (the contract being edited or
/// re-imported) is not another contract.
pub fn overlapping<'a>(d: &ContractDraft, others: &'a [Contract]) -> Vec<&'a Contract> {
    if d.status == ContractStatus::Rejected {
        return Vec::new();
    }
    others
        .iter()
        .filter(|c| {
            c.enclave_id == d.enclave_id
                && c.status != ContractStatus::Rejected
                && c.reference.trim() != d.reference.trim()
                && periods_overlap((d.start_date, d.end_date), (c.start_date, c.end_date))
        })
        .collect()
}

/// The problem of a draft overlapping `other`, naming it and its period.
pub fn overlap_problem(other: &Contract) -> Problem {
    let (until_nl, until_en) = match other.end_date.map(format_date) {
        Some(e) => (format!("tot {e}"), format!("until {e}")),
        None => ("zonder einddatum".to_owned(), "open-ended".to_owned()),
    };
    let start = format_date(other.start_date);
    Problem::new(
        "start_date",
        ProblemCode::Inconsistent,
        format!(
            "Overlapt met contract {} van dezelfde enclave (vanaf {start}, {until_nl}). Geef dat contract eerst een einddatum.",
            other.reference
        ),
        format!(
            "Overlaps contract {} of the same enclave (from {start}, {until_en}). Give that contract an end date first.",
            other.reference
        ),
    )
}

/// The deadline of a contract starting on `d.start_date`, and whether what was received
/// (notification, else approval) arrived by then.
pub fn timeliness(d: &ContractDraft, rules: &RuleSettings) -> Timeliness {
    let deadline = notification_deadline(d.start_date, rules);
    let received = d
        .notified_at
        .or(d.approved_at)
        .map(|t| belgian_local(t).date());
    Timeliness {
        deadline,
        received,
        on_time: received.map(|r| r <= deadline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::time::from_belgian_local;
    use chrono::NaiveDate;
    use uuid::Uuid;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn draft() -> ContractDraft {
        ContractDraft {
            enclave_id: Uuid::nil(),
            reference: "ENC-2025-001".into(),
            start_date: date("2025-03-10"),
            end_date: None,
            notified_at: Some(from_belgian_local(
                date("2025-03-07").and_hms_opt(16, 0, 0).unwrap(),
            )),
            approved_at: None,
            status: ContractStatus::Notified,
            rejection_reason: None,
            min_supervisors: 1,
        }
    }

    fn fields(d: &ContractDraft) -> Vec<String> {
        let now = from_belgian_local(date("2025-06-01").and_hms_opt(12, 0, 0).unwrap());
        validate_contract(d, now)
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn control_characters_are_refused_in_the_reference_and_the_reason() {
        let mut d = draft();
        d.reference = "ENC\u{0}1".into();
        assert_eq!(fields(&d), ["reference"]);
        d.reference = "ENC\t1".into();
        assert_eq!(fields(&d), ["reference"], "a reference is one line");
        let mut d = draft();
        d.status = ContractStatus::Rejected;
        d.rejection_reason = Some("Geen begeleider.\nZie brief.".into());
        assert!(!fields(&d).contains(&"rejection_reason".to_owned()));
        d.rejection_reason = Some("Geen\u{1b}begeleider".into());
        assert!(fields(&d).contains(&"rejection_reason".to_owned()));
    }

    #[test]
    fn a_complete_draft_is_valid_and_on_time() {
        let d = draft();
        assert!(fields(&d).is_empty());
        let t = timeliness(&d, &RuleSettings::default());
        // Monday 10 March: the Friday before is the last working day.
        assert_eq!(t.deadline, date("2025-03-07"));
        assert_eq!(t.on_time, Some(true));
    }

    #[test]
    fn late_and_missing_receipts_are_flagged() {
        let mut d = draft();
        d.notified_at = Some(from_belgian_local(
            date("2025-03-10").and_hms_opt(8, 0, 0).unwrap(),
        ));
        assert_eq!(
            timeliness(&d, &RuleSettings::default()).on_time,
            Some(false)
        );
        d.notified_at = None;
        assert_eq!(timeliness(&d, &RuleSettings::default()).on_time, None);
        assert_eq!(fields(&d), ["notified_at"]);
    }

    #[test]
    fn inconsistent_drafts_name_their_fields() {
        let mut d = draft();
        d.reference = "  ".into();
        d.end_date = Some(date("2025-01-01"));
        d.status = ContractStatus::Rejected;
        d.min_supervisors = 0;
        assert_eq!(
            fields(&d),
            [
                "reference",
                "end_date",
                "rejection_reason",
                "min_supervisors"
            ]
        );
        let mut d = draft();
        d.status = ContractStatus::Ended;
        d.rejection_reason = Some("x".into());
        assert_eq!(fields(&d), ["end_date", "rejection_reason"]);
        let mut d = draft();
        d.notified_at = Some(from_belgian_local(
            date("2030-01-01").and_hms_opt(8, 0, 0).unwrap(),
        ));
        assert_eq!(fields(&d), ["notified_at"]);
    }

    fn stored(reference: &str, start: &str, end: Option<&str>, status: ContractStatus) -> Contract {
        Contract {
            id: Uuid::new_v4(),
            enclave_id: Uuid::nil(),
            reference: reference.into(),
            start_date: date(start),
            end_date: end.map(date),
            notified_at: None,
            approved_at: None,
            regime: crate::dto::contract::Regime::Notification,
            status,
            rejection_reason: None,
            min_supervisors: 1,
        }
    }

    #[test]
    fn overlaps_with_open_ended_and_dated_contracts_are_found() {
        let d = draft(); // from 2025-03-10, open-ended
        let others = [
            stored("OPEN", "2024-01-01", None, ContractStatus::Notified),
            stored(
                "BEFORE",
                "2024-01-01",
                Some("2025-03-09"),
                ContractStatus::Ended,
            ),
            stored(
                "LAST-DAY",
                "2024-01-01",
                Some("2025-03-10"),
                ContractStatus::Ended,
            ),
            stored("REJECTED", "2025-01-01", None, ContractStatus::Rejected),
            stored("ENC-2025-001", "2025-01-01", None, ContractStatus::Notified),
        ];
        let found: Vec<&str> = overlapping(&d, &others)
            .into_iter()
            .map(|c| c.reference.as_str())
            .collect();
        assert_eq!(found, ["OPEN", "LAST-DAY"]);
        let mut ended = draft();
        ended.end_date = Some(date("2025-03-31"));
        let later = [stored(
            "LATER",
            "2025-04-01",
            None,
            ContractStatus::Notified,
        )];
        assert!(overlapping(&ended, &later).is_empty());
        ended.end_date = Some(date("2025-04-01"));
        assert_eq!(overlapping(&ended, &later).len(), 1);
        let mut rejected = draft();
        rejected.status = ContractStatus::Rejected;
        assert!(overlapping(&rejected, &others).is_empty());
        assert!(
            overlap_problem(&others[0])
                .message_nl
                .contains("zonder einddatum")
        );
    }
}
