//! The review state machine: a submitted inspection is approved or returned; a returned one
//! waits for the inspector's amendment, which submits it again; an approved one is final
//! until the inspector amends it. A decision is on the version the reviewer read. An approved
//! report (proces-verbaal) must reach the offender within 14 days of the finding.

use super::inspection::MAX_TEXT_CHARS;
use crate::dto::review::{ReviewDecision, ReviewState};

/// Why a decision cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// The inspection changed since the reviewer read it.
    StaleVersion,
    /// Returned, and the inspector has not answered yet.
    AwaitingAmendment,
    /// Already approved.
    AlreadyApproved,
    /// A return needs a comment (of at most [`MAX_TEXT_CHARS`]).
    CommentRequired,
    CommentTooLong,
}

impl ReviewRefusal {
    /// What to tell the reviewer (Dutch, English).
    pub fn messages(self) -> (&'static str, &'static str) {
        match self {
            Self::StaleVersion => (
                "De inspectie werd intussen aangevuld; lees ze opnieuw.",
                "The inspection was amended meanwhile; read it again.",
            ),
            Self::AwaitingAmendment => (
                "De inspectie is teruggestuurd; wacht op het antwoord van de inspecteur.",
                "The inspection was returned; wait for the inspector's answer.",
            ),
            Self::AlreadyApproved => (
                "De inspectie is al goedgekeurd.",
                "The inspection is already approved.",
            ),
            Self::CommentRequired => (
                "Wie een inspectie terugstuurt, zegt waarom.",
                "Returning an inspection requires a comment.",
            ),
            Self::CommentTooLong => (
                "De opmerking is te lang (hoogstens 4000 tekens).",
                "The comment is too long (at most 4000 characters).",
            ),
        }
    }
}

/// The state after `decision` on an inspection in `state` at `current` version, taken by a
/// reviewer who read version `seen`.
pub fn decide(
    state: ReviewState,
    current: u32,
    seen: u32,
    decision: ReviewDecision,
    comment: &str,
) -> Result<ReviewState, ReviewRefusal> {
    if decision == ReviewDecision::Return {
        if comment.trim().is_empty() {
            return Err(ReviewRefusal::CommentRequired);
        }
        if comment.chars().count() > MAX_TEXT_CHARS {
            return Err(ReviewRefusal::CommentTooLong);
        }
    }
    match state {
        ReviewState::Approved => Err(ReviewRefusal::AlreadyApproved),
        ReviewState::Returned => Err(ReviewRefusal::AwaitingAmendment),
        ReviewState::Submitted if seen != current => Err(ReviewRefusal::StaleVersion),
        ReviewState::Submitted => Ok(match decision {
            ReviewDecision::Approve => ReviewState::Approved,
            ReviewDecision::Return => ReviewState::Returned,
        }),
    }
}

/// Days after the finding within which the offender must receive a copy of a report.
pub const REPORT_NOTIFICATION_DAYS: u64 = 14;

/// The last day to notify the offender of a report on an inspection of `on`.
pub fn report_deadline(on: chrono::NaiveDate) -> chrono::NaiveDate {
    on + chrono::Days::new(REPORT_NOTIFICATION_DAYS)
}

/// Whether an approved report on an inspection of `on`, not yet notified, is overdue `today`.
pub fn report_overdue(
    on: chrono::NaiveDate,
    notified: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> bool {
    notified.is_none() && today > report_deadline(on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewDecision::*;
    use ReviewState::*;

    #[test]
    fn submitted_is_approved_or_returned_on_the_version_read() {
        assert_eq!(decide(Submitted, 1, 1, Approve, ""), Ok(Approved));
        assert_eq!(decide(Submitted, 2, 2, Return, "naam?"), Ok(Returned));
        assert_eq!(
            decide(Submitted, 2, 1, Approve, ""),
            Err(ReviewRefusal::StaleVersion)
        );
    }

    #[test]
    fn returned_waits_and_approved_is_final() {
        assert_eq!(
            decide(Returned, 1, 1, Approve, ""),
            Err(ReviewRefusal::AwaitingAmendment)
        );
        assert_eq!(
            decide(Approved, 1, 1, Approve, ""),
            Err(ReviewRefusal::AlreadyApproved)
        );
    }

    #[test]
    fn a_report_is_due_within_14_days() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(report_deadline(d("2026-11-02")), d("2026-11-16"));
        assert!(!report_overdue(d("2026-11-02"), None, d("2026-11-16")));
        assert!(report_overdue(d("2026-11-02"), None, d("2026-11-17")));
        assert!(!report_overdue(
            d("2026-11-02"),
            Some(d("2026-11-20")),
            d("2026-11-30")
        ));
    }

    #[test]
    fn a_return_needs_a_comment() {
        assert_eq!(
            decide(Submitted, 1, 1, Return, "  "),
            Err(ReviewRefusal::CommentRequired)
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            decide(Submitted, 1, 1, Return, &long),
            Err(ReviewRefusal::CommentTooLong)
        );
        for r in [
            ReviewRefusal::StaleVersion,
            ReviewRefusal::AwaitingAmendment,
            ReviewRefusal::AlreadyApproved,
            ReviewRefusal::CommentRequired,
            ReviewRefusal::CommentTooLong,
        ] {
            let (nl, en) = r.messages();
            assert!(!nl.is_empty() && !en.is_empty() && nl != en);
        }
    }
}
