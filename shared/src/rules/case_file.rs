//! The case file of an enclave as one timeline: what its contracts, its inspections (with
//! their amendments, review decisions and follow-ups) say happened when, newest first, in
//! Dutch and English. Pure: the server gathers the facts, this orders and words them.

use chrono::NaiveDate;
use uuid::Uuid;

use super::follow_up::{self, Outcome};
use super::time::format_date;
use crate::dto::case_file::{CaseEvent, CaseEventKind};
use crate::dto::contract::{Contract, ContractStatus};
use crate::dto::inspection::Measure;
use crate::dto::review::{ReviewDecision, ReviewState};

/// An inspection as the case file tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInspection {
    pub id: Uuid,
    pub on: NaiveDate,
    /// The measure as corrected, and the follow-up's due day if it opens one.
    pub measure: Measure,
    pub due: Option<NaiveDate>,
    pub review_state: ReviewState,
    pub failed_checks: u32,
    /// Days of its amendments, each with the measure it corrected to, if any.
    pub amendments: Vec<(NaiveDate, Option<Measure>)>,
    /// Days of the reviewers' decisions.
    pub decisions: Vec<(NaiveDate, ReviewDecision)>,
    /// The inspection it follows up, with what it found, if it is a follow-up.
    pub follows: Option<(Uuid, Outcome)>,
    /// Whether a later inspection followed it up.
    pub followed_up: Option<Outcome>,
}

fn event(
    on: NaiveDate,
    kind: CaseEventKind,
    inspection_id: Option<Uuid>,
    contract_id: Option<Uuid>,
    (text_nl, text_en): (String, String),
) -> CaseEvent {
    CaseEvent {
        on,
        kind,
        inspection_id,
        contract_id,
        text_nl,
        text_en,
    }
}

/// The timeline of `contracts` and `inspections` as of `today`, newest first, also within a
/// day (which runs: contracts, inspection, what it followed up, amendments, decisions,
/// deadlines).
pub fn events(
    contracts: &[Contract],
    inspections: &[CaseInspection],
    today: NaiveDate,
) -> Vec<CaseEvent> {
    let mut all = Vec::new();
    for c in contracts {
        let id = Some(c.id);
        let reference = &c.reference;
        if let Some(at) = c.notified_at {
            all.push(event(
                super::time::belgian_local(at).date(),
                CaseEventKind::ContractNotified,
                None,
                id,
                (
                    format!("Enclavecontract {reference} gemeld aan het departement."),
                    format!("Enclave contract {reference} notified to the department."),
                ),
            ));
        }
        if c.status == ContractStatus::Rejected {
            continue;
        }
        if c.start_date <= today {
            all.push(event(
                c.start_date,
                CaseEventKind::ContractStarted,
                None,
                id,
                (
                    format!("Enclavecontract {reference} gaat in."),
                    format!("Enclave contract {reference} starts."),
                ),
            ));
        }
        if let Some(end) = c.end_date.filter(|end| *end <= today) {
            all.push(event(
                end,
                CaseEventKind::ContractEnded,
                None,
                id,
                (
                    format!("Enclavecontract {reference} loopt af."),
                    format!("Enclave contract {reference} ends."),
                ),
            ));
        }
    }
    for i in inspections {
        let id = Some(i.id);
        let (measure_nl, measure_en) = i.measure.names();
        let failed = i.failed_checks;
        all.push(event(
            i.on,
            CaseEventKind::Inspection,
            id,
            None,
            (
                format!("Inspectie: {failed} van 3 controles niet in orde; {measure_nl}."),
                format!("Inspection: {failed} of 3 checks failed; {measure_en}."),
            ),
        ));
        if let Some((_, outcome)) = i.follows {
            all.push(event(
                i.on,
                CaseEventKind::FollowedUp,
                id,
                None,
                (
                    format!(
                        "Opvolging van een eerdere maatregel: {} verholpen, {} niet verholpen.",
                        outcome.remedied, outcome.not_remedied
                    ),
                    format!(
                        "Follow-up of an earlier measure: {} remedied, {} not remedied.",
                        outcome.remedied, outcome.not_remedied
                    ),
                ),
            ));
        }
        for (on, corrected) in &i.amendments {
            let (nl, en) = match corrected {
                Some(m) => (
                    format!("Aanvulling: maatregel gewijzigd in {}.", m.names().0),
                    format!("Amendment: measure corrected to {}.", m.names().1),
                ),
                None => (
                    "Aanvulling bij de inspectie.".to_owned(),
                    "Amendment to the inspection.".to_owned(),
                ),
            };
            all.push(event(*on, CaseEventKind::Amendment, id, None, (nl, en)));
        }
        for (on, decision) in &i.decisions {
            let texts = match decision {
                ReviewDecision::Approve => (
                    "Goedgekeurd door de beoordelaar.",
                    "Approved by the reviewer.",
                ),
                ReviewDecision::Return => (
                    "Teruggestuurd door de beoordelaar.",
                    "Returned by the reviewer.",
                ),
            };
            let texts = (texts.0.to_owned(), texts.1.to_owned());
            all.push(event(*on, CaseEventKind::ReviewDecision, id, None, texts));
        }
        if let Some(due) = i.due {
            let status = follow_up::status(due, today, i.followed_up);
            let (status_nl, status_en) = status.names();
            let date = format_date(due);
            all.push(event(
                due,
                CaseEventKind::FollowUpDue,
                id,
                None,
                (
                    format!("Termijn van de {measure_nl} ({date}): {status_nl}."),
                    format!("Deadline of the {measure_en} ({date}): {status_en}."),
                ),
            ));
        }
    }
    // Newest first, a day's events too.
    all.sort_by(|a, b| b.on.cmp(&a.on).then(rank(b.kind).cmp(&rank(a.kind))));
    all
}

/// The order of a day's events.
fn rank(kind: CaseEventKind) -> u8 {
    match kind {
        CaseEventKind::ContractNotified => 0,
        CaseEventKind::ContractStarted => 1,
        CaseEventKind::ContractEnded => 2,
        CaseEventKind::Inspection => 3,
        CaseEventKind::FollowedUp => 4,
        CaseEventKind::Amendment => 5,
        CaseEventKind::ReviewDecision => 6,
        CaseEventKind::FollowUpDue => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::contract::Regime;
    use chrono::{TimeZone, Utc};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn contract() -> Contract {
        Contract {
            id: Uuid::from_u128(1),
            enclave_id: Uuid::from_u128(2),
            reference: "ENC-1".into(),
            start_date: day(3, 2),
            end_date: Some(day(12, 31)),
            notified_at: Some(Utc.with_ymd_and_hms(2026, 2, 20, 9, 0, 0).unwrap()),
            approved_at: None,
            regime: Regime::Notification,
            status: ContractStatus::Notified,
            rejection_reason: None,
            min_supervisors: 1,
        }
    }

    fn warned() -> CaseInspection {
        CaseInspection {
            id: Uuid::from_u128(10),
            on: day(5, 4),
            measure: Measure::Warning,
            due: Some(day(6, 3)),
            review_state: ReviewState::Approved,
            failed_checks: 1,
            amendments: vec![(day(5, 5), None)],
            decisions: vec![(day(5, 6), ReviewDecision::Approve)],
            follows: None,
            followed_up: None,
        }
    }

    #[test]
    fn one_timeline_newest_first() {
        let mut follow_up = warned();
        follow_up.id = Uuid::from_u128(11);
        follow_up.on = day(6, 10);
        follow_up.measure = Measure::Advice;
        follow_up.due = None;
        follow_up.failed_checks = 0;
        follow_up.amendments.clear();
        follow_up.decisions.clear();
        let outcome = Outcome {
            remedied: 2,
            not_remedied: 0,
        };
        follow_up.follows = Some((Uuid::from_u128(10), outcome));
        let mut first = warned();
        first.followed_up = Some(outcome);
        let events = events(&[contract()], &[first, follow_up], day(7, 1));
        let kinds: Vec<CaseEventKind> = events.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                CaseEventKind::FollowedUp,
                CaseEventKind::Inspection,
                CaseEventKind::FollowUpDue,
                CaseEventKind::ReviewDecision,
                CaseEventKind::Amendment,
                CaseEventKind::Inspection,
                CaseEventKind::ContractStarted,
                CaseEventKind::ContractNotified,
            ],
            "the contract's end lies ahead: not yet in the file"
        );
        assert_eq!(
            events[2].text_en,
            "Deadline of the warning (03/06/2026): remedied."
        );
        assert_eq!(
            events[5].text_nl,
            "Inspectie: 1 van 3 controles niet in orde; waarschuwing."
        );
        assert_eq!(
            events[0].text_en,
            "Follow-up of an earlier measure: 2 remedied, 0 not remedied."
        );
    }

    #[test]
    fn a_deadline_shows_its_state() {
        let events = |today| {
            events(&[], &[warned()], today)
                .into_iter()
                .find(|e| e.kind == CaseEventKind::FollowUpDue)
                .map(|e| e.text_en)
        };
        assert_eq!(
            events(day(5, 10)).as_deref(),
            Some("Deadline of the warning (03/06/2026): open.")
        );
        assert_eq!(
            events(day(6, 4)).as_deref(),
            Some("Deadline of the warning (03/06/2026): overdue.")
        );
    }
}
