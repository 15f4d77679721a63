//! Follow-up of measures: a warning or a regularisation order with a deadline opens a
//! follow-up, due at the deadline. A later inspection of the same enclave that names it
//! answers, per shortcoming of the earlier inspection (a failed check, a finding), whether it
//! was remedied. These rules say which shortcomings there are, when a follow-up is due, where
//! it stands on a day, and whether a follow-up record answers its earlier inspection.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::inspection::{Problem, ProblemCode};
use super::verdict::VerdictStatus;
use crate::dto::follow_up::ShortcomingText;
use crate::dto::inspection::{CheckKind, Conclusion, InspectionRecord, Remedy, Shortcoming};

/// A follow-up is due (rather than open) from this many days before its deadline.
pub const DUE_SOON_DAYS: u64 = 7;

/// Where a follow-up stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// Not followed up; the deadline is more than [`DUE_SOON_DAYS`] away.
    Open,
    /// Not followed up; the deadline is today or within [`DUE_SOON_DAYS`].
    Due,
    /// Not followed up, and the deadline has passed.
    Overdue,
    /// Followed up: every shortcoming was remedied.
    Remedied,
    /// Followed up: at least one shortcoming was not remedied.
    NotRemedied,
}

impl FollowUpStatus {
    /// Every status, in the order above.
    pub const ALL: [Self; 5] = [
        Self::Open,
        Self::Due,
        Self::Overdue,
        Self::Remedied,
        Self::NotRemedied,
    ];

    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Due => "due",
            Self::Overdue => "overdue",
            Self::Remedied => "remedied",
            Self::NotRemedied => "not_remedied",
        }
    }

    /// Dutch and English names.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Open => ("open", "open"),
            Self::Due => ("te doen", "due"),
            Self::Overdue => ("achterstallig", "overdue"),
            Self::Remedied => ("verholpen", "remedied"),
            Self::NotRemedied => ("niet verholpen", "not remedied"),
        }
    }

    /// Whether a follow-up inspection was recorded.
    pub fn is_followed_up(self) -> bool {
        matches!(self, Self::Remedied | Self::NotRemedied)
    }
}

/// The day a (corrected) `conclusion` must be followed up by: the deadline of a warning or a
/// regularisation order; `None` for other measures.
pub fn due(conclusion: &Conclusion) -> Option<NaiveDate> {
    conclusion
        .deadline
        .filter(|_| conclusion.measure.needs_deadline())
}

/// The shortcomings of `record` a follow-up answers: its failed checks (statuses as they
/// count, overrides included), then its findings, in the record's order.
pub fn shortcomings(record: &InspectionRecord) -> Vec<Shortcoming> {
    let checks = [
        (CheckKind::ContractFiled, &record.contract_filed),
        (CheckKind::DailyRegistration, &record.daily_registration),
        (CheckKind::SupervisorPresent, &record.supervisor_present),
    ];
    checks
        .into_iter()
        .filter(|(_, check)| check.status() == VerdictStatus::Fail)
        .map(|(kind, _)| Shortcoming::Check(kind))
        .chain(record.findings.iter().map(|f| Shortcoming::Finding(f.id)))
        .collect()
}

/// The shortcomings of `record` (as [`shortcomings`]) with what it said of them: a finding's
/// category and text; nothing for a check, which the app names.
pub fn described_shortcomings(record: &InspectionRecord) -> Vec<ShortcomingText> {
    shortcomings(record)
        .into_iter()
        .map(|shortcoming| {
            let finding = match shortcoming {
                Shortcoming::Finding(id) => record.findings.iter().find(|f| f.id == id),
                Shortcoming::Check(_) => None,
            };
            ShortcomingText {
                shortcoming,
                category: finding.map(|f| f.category.clone()).unwrap_or_default(),
                text: finding.map(|f| f.text.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// What a follow-up inspection found: how many shortcomings were remedied and how many not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub remedied: u32,
    pub not_remedied: u32,
}

/// Where a follow-up due on `due` stands on `today`, given the `outcome` of the latest
/// inspection that followed it up (`None`: none did).
pub fn status(due: NaiveDate, today: NaiveDate, outcome: Option<Outcome>) -> FollowUpStatus {
    match outcome {
        Some(o) if o.not_remedied == 0 => FollowUpStatus::Remedied,
        Some(_) => FollowUpStatus::NotRemedied,
        None if today > due => FollowUpStatus::Overdue,
        None if today + Days::new(DUE_SOON_DAYS) >= due => FollowUpStatus::Due,
        None => FollowUpStatus::Open,
    }
}

/// The problems of `record`'s follow-up of `earlier` (the inspection it names); empty when
/// it is valid or follows nothing. A follow-up is of the same enclave, later than the
/// earlier inspection, and answers each of its shortcomings exactly once.
pub fn validate_follow_up(record: &InspectionRecord, earlier: &InspectionRecord) -> Vec<Problem> {
    let Some(follows) = &record.follows else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut problem = |field: String, nl: String, en: String| {
        problems.push(Problem::new(field, ProblemCode::Inconsistent, nl, en));
    };
    if earlier.id == record.id || earlier.enclave_id != record.enclave_id {
        problem(
            "follows.inspection_id".into(),
            "De opgevolgde inspectie is niet van deze enclave.".into(),
            "The inspection followed up is not of this enclave.".into(),
        );
        return problems;
    }
    if earlier.on >= record.on {
        problem(
            "follows.inspection_id".into(),
            "Een opvolging valt na de inspectie die ze opvolgt.".into(),
            "A follow-up comes after the inspection it follows up.".into(),
        );
    }
    let expected = shortcomings(earlier);
    let mut answered: Vec<Shortcoming> = Vec::new();
    for (i, remedy) in follows.remedies.iter().enumerate() {
        let field = format!("follows.remedies[{i}]");
        if !expected.contains(&remedy.shortcoming) {
            problem(
                field,
                "Deze tekortkoming hoort niet bij de opgevolgde inspectie.".into(),
                "This shortcoming is not one of the inspection followed up.".into(),
            );
        } else if answered.contains(&remedy.shortcoming) {
            problem(
                field,
                "Deze tekortkoming is al beantwoord.".into(),
                "This shortcoming is already answered.".into(),
            );
        } else {
            answered.push(remedy.shortcoming);
        }
    }
    let missing = expected.iter().filter(|s| !answered.contains(s)).count();
    if missing > 0 {
        problem(
            "follows.remedies".into(),
            format!("Zeg van elke tekortkoming of ze verholpen is ({missing} onbeantwoord)."),
            format!("Say of every shortcoming whether it was remedied ({missing} unanswered)."),
        );
    }
    problems
}

/// How many of `remedies` were remedied and how many not.
pub fn tally(remedies: &[Remedy]) -> Outcome {
    let remedied = remedies.iter().filter(|r| r.remedied).count() as u32;
    Outcome {
        remedied,
        not_remedied: remedies.len() as u32 - remedied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::inspection::{Finding, FollowUpRecord, Measure, Severity};
    use crate::fixtures;
    use uuid::Uuid;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn finding(n: u8) -> Finding {
        Finding {
            id: Uuid::from_bytes([n; 16]),
            check: None,
            category: "veiligheid".into(),
            severity: Severity::Medium,
            text: "Geen veiligheidsschoenen.".into(),
            photos: Vec::new(),
        }
    }

    /// An earlier inspection on 2 March failing check 2, with two findings, and a follow-up
    /// on 20 March answering all three.
    fn pair() -> (InspectionRecord, InspectionRecord) {
        let mut earlier = fixtures::inspection_record();
        earlier.on = day(2);
        earlier.daily_registration.override_status = Some(VerdictStatus::Fail);
        earlier.daily_registration.note = Some("Niet geregistreerd.".into());
        earlier.contract_filed.override_status = Some(VerdictStatus::Pass);
        earlier.contract_filed.note = Some("Gezien.".into());
        earlier.supervisor_present.override_status = Some(VerdictStatus::Pass);
        earlier.supervisor_present.note = Some("Gezien.".into());
        earlier.findings = vec![finding(1), finding(2)];
        let mut later = fixtures::inspection_record();
        later.id = Uuid::from_bytes([9; 16]);
        later.enclave_id = earlier.enclave_id;
        later.on = day(20);
        later.follows = Some(FollowUpRecord {
            inspection_id: earlier.id,
            remedies: shortcomings(&earlier)
                .into_iter()
                .map(|shortcoming| Remedy {
                    shortcoming,
                    remedied: true,
                })
                .collect(),
        });
        (earlier, later)
    }

    #[test]
    fn shortcomings_are_failed_checks_then_findings() {
        let (earlier, _) = pair();
        assert_eq!(
            shortcomings(&earlier),
            vec![
                Shortcoming::Check(CheckKind::DailyRegistration),
                Shortcoming::Finding(Uuid::from_bytes([1; 16])),
                Shortcoming::Finding(Uuid::from_bytes([2; 16])),
            ]
        );
    }

    #[test]
    fn findings_are_described_checks_are_not() {
        let (earlier, _) = pair();
        let described = described_shortcomings(&earlier);
        assert_eq!(
            described.iter().map(|d| d.shortcoming).collect::<Vec<_>>(),
            shortcomings(&earlier)
        );
        assert_eq!(
            (described[0].category.as_str(), described[0].text.as_str()),
            ("", "")
        );
        assert_eq!(described[1].category, "veiligheid");
        assert_eq!(described[1].text, "Geen veiligheidsschoenen.");
    }

    #[test]
    fn only_warnings_and_orders_are_due() {
        let conclusion = |measure| Conclusion {
            measure,
            deadline: Some(day(30)),
            motivation: "m".into(),
        };
        assert_eq!(due(&conclusion(Measure::Warning)), Some(day(30)));
        assert_eq!(
            due(&conclusion(Measure::RegularisationOrder)),
            Some(day(30))
        );
        assert_eq!(due(&conclusion(Measure::Advice)), None);
        assert_eq!(due(&conclusion(Measure::ReportProposed)), None);
        let mut undated = conclusion(Measure::Warning);
        undated.deadline = None;
        assert_eq!(due(&undated), None);
    }

    #[test]
    fn status_over_time_and_outcome() {
        let found = |remedied, not_remedied| Some(found(remedied, not_remedied));
        let cases = [
            (day(1), None, FollowUpStatus::Open),
            (day(22), None, FollowUpStatus::Open),
            (day(23), None, FollowUpStatus::Due),
            (day(30), None, FollowUpStatus::Due),
            (day(31), None, FollowUpStatus::Overdue),
            (day(31), found(2, 0), FollowUpStatus::Remedied),
            (day(1), found(2, 1), FollowUpStatus::NotRemedied),
            (day(31), found(0, 0), FollowUpStatus::Remedied),
        ];
        for (today, remedies, expected) in cases {
            assert_eq!(
                status(day(30), today, remedies),
                expected,
                "{today} {remedies:?}"
            );
        }
    }

    #[test]
    fn a_complete_follow_up_is_valid() {
        let (earlier, later) = pair();
        assert_eq!(validate_follow_up(&later, &earlier), Vec::new());
        let mut plain = later.clone();
        plain.follows = None;
        assert_eq!(validate_follow_up(&plain, &earlier), Vec::new());
    }

    #[test]
    fn a_follow_up_answers_every_shortcoming_once_and_nothing_else() {
        let (earlier, later) = pair();
        let fields = |record: &InspectionRecord| -> Vec<String> {
            validate_follow_up(record, &earlier)
                .into_iter()
                .map(|p| p.field)
                .collect()
        };
        let mut missing = later.clone();
        missing.follows.as_mut().unwrap().remedies.pop();
        assert_eq!(fields(&missing), ["follows.remedies"]);

        let mut twice = later.clone();
        let first = twice.follows.as_ref().unwrap().remedies[0];
        twice.follows.as_mut().unwrap().remedies.push(first);
        assert_eq!(fields(&twice), ["follows.remedies[3]"]);

        let mut foreign = later.clone();
        foreign.follows.as_mut().unwrap().remedies[1].shortcoming =
            Shortcoming::Check(CheckKind::SupervisorPresent);
        assert_eq!(
            fields(&foreign),
            ["follows.remedies[1]", "follows.remedies"]
        );
    }

    #[test]
    fn a_follow_up_is_of_the_same_enclave_and_later() {
        let (earlier, later) = pair();
        let mut elsewhere = later.clone();
        elsewhere.enclave_id = Uuid::from_bytes([7; 16]);
        let problems = validate_follow_up(&elsewhere, &earlier);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "follows.inspection_id");

        let mut before = later.clone();
        before.on = earlier.on;
        let problems = validate_follow_up(&before, &earlier);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message_en.contains("after"));

        assert_eq!(validate_follow_up(&earlier.clone(), &earlier), Vec::new());
        let mut itself = earlier.clone();
        itself.follows = later.follows.clone();
        assert_eq!(validate_follow_up(&itself, &earlier).len(), 1);
    }

    fn found(remedied: u32, not_remedied: u32) -> Outcome {
        Outcome {
            remedied,
            not_remedied,
        }
    }

    #[test]
    fn tally_counts_both_ways() {
        let (_, mut later) = pair();
        later.follows.as_mut().unwrap().remedies[0].remedied = false;
        assert_eq!(tally(&later.follows.unwrap().remedies), found(2, 1));
    }
}
