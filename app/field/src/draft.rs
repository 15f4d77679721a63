//! An inspection being recorded on the device. It is saved to the device store at every
//! step, so closing the tab, a reload or an empty battery loses nothing; submitting turns it
//! into an [`InspectionRecord`] for the outbox.
//!
//! The draft carries its own copy of the enclave's register data for the day, taken when the
//! inspection started: the verdicts are computed from it by the `shared` rules, the same as
//! on the server, with no network.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use shared::dto::field::FieldEnclave;
use shared::dto::follow_up::{FollowUp, ShortcomingText};
use shared::dto::inspection::{
    CheckKind, CheckRecord, Conclusion, Finding, FollowUpRecord, InspectionRecord, Instructions,
    Measure, Position, PresentPerson, Remedy, UnregisteredPerson,
};
use shared::dto::registration::{MemberRole, Registration};
use shared::rules::contract_filed::RuleSettings;
use shared::rules::verdict::{Verdict, VerdictStatus};
use shared::rules::{Presence, TeamNorm, check_supervisor_present};
use uuid::Uuid;

use crate::texts::FieldKey;
use app_core::i18n::Text;

/// The inspector's answer to a computed verdict: confirmed, or overridden with a note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckAnswer {
    pub confirmed: bool,
    pub override_status: Option<VerdictStatus>,
    pub note: String,
}

/// An inspection in progress. Nothing in it starts answered: the questions, the checks'
/// confirmations and the measure wait for the inspector (drafts stored before that still
/// load, with the answers they held).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: Uuid,
    /// The inspector who started it (tablets are shared).
    pub owner: Uuid,
    pub enclave: FieldEnclave,
    pub rules: RuleSettings,
    /// Device clock.
    pub started_at: DateTime<Utc>,
    /// The Belgian date and time the checks are for: when the inspection started.
    pub on: NaiveDate,
    pub at: NaiveTime,
    pub position: Option<Position>,
    pub contract_filed: CheckAnswer,
    pub daily_registration: CheckAnswer,
    pub supervisor_present: CheckAnswer,
    pub present: Vec<PresentPerson>,
    pub unregistered: Vec<UnregisteredPerson>,
    /// Registered workers ticked present.
    pub workers_present: u32,
    /// Registered begeleiders ticked present (never an unregistered person).
    pub supervisors_present: u32,
    pub instructions: Instructions,
    pub findings: Vec<Finding>,
    pub measure: Option<Measure>,
    pub deadline: Option<NaiveDate>,
    pub motivation: String,
    /// Set when this inspection follows up an earlier one's measure.
    #[serde(default)]
    pub follows: Option<FollowUpDraft>,
}

/// The follow-up part of a draft: the earlier inspection, and per shortcoming the answer
/// (none until the inspector gives it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpDraft {
    pub inspection_id: Uuid,
    pub inspected_on: NaiveDate,
    pub measure: Measure,
    pub due: NaiveDate,
    pub answers: Vec<FollowUpAnswer>,
}

/// Whether one shortcoming was remedied; `None` until answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpAnswer {
    pub item: ShortcomingText,
    pub remedied: Option<bool>,
}

impl FollowUpDraft {
    /// The follow-up of `f`, nothing answered.
    pub fn of(f: &FollowUp) -> Self {
        Self {
            inspection_id: f.inspection_id,
            inspected_on: f.inspected_on,
            measure: f.measure,
            due: f.due,
            answers: f
                .to_answer
                .iter()
                .map(|item| FollowUpAnswer {
                    item: item.clone(),
                    remedied: None,
                })
                .collect(),
        }
    }
}

impl Draft {
    /// A new draft for `enclave`, started at `now` by `owner`.
    pub fn new(
        owner: Uuid,
        enclave: FieldEnclave,
        rules: RuleSettings,
        now: DateTime<Utc>,
    ) -> Self {
        let local = shared::rules::time::belgian_local(now);
        Self {
            id: Uuid::new_v4(),
            owner,
            enclave,
            rules,
            started_at: now,
            on: local.date(),
            at: NaiveTime::from_hms_opt(
                chrono::Timelike::hour(&local),
                chrono::Timelike::minute(&local),
                0,
            )
            .unwrap_or_default(),
            position: None,
            contract_filed: CheckAnswer::default(),
            daily_registration: CheckAnswer::default(),
            supervisor_present: CheckAnswer::default(),
            present: Vec::new(),
            unregistered: Vec::new(),
            workers_present: 0,
            supervisors_present: 0,
            instructions: Instructions::default(),
            findings: Vec::new(),
            measure: None,
            deadline: None,
            motivation: String::new(),
            follows: None,
        }
    }

    /// The moment the checks are for.
    pub fn moment(&self) -> NaiveDateTime {
        self.on.and_time(self.at)
    }

    /// The day's registration, if the device has it.
    pub fn registration(&self) -> Option<&Registration> {
        self.enclave.registration(self.on).map(|r| &r.registration)
    }

    /// Supervisors of the day's registration also registered elsewhere that day.
    pub fn floating(&self) -> &[Uuid] {
        self.enclave
            .registration(self.on)
            .map_or(&[], |r| r.floating.as_slice())
    }

    /// The computed verdict of a check.
    pub fn verdict(&self, check: CheckKind) -> Verdict {
        match check {
            CheckKind::ContractFiled | CheckKind::DailyRegistration => {
                let checks = self.enclave.checks(self.on, self.moment(), &self.rules);
                if check == CheckKind::ContractFiled {
                    checks.contract_filed
                } else {
                    checks.daily_registration
                }
            }
            CheckKind::SupervisorPresent => check_supervisor_present(
                self.registration(),
                Presence {
                    present: &self.present,
                    unregistered: &self.unregistered,
                },
                self.floating(),
                TeamNorm {
                    need: self.enclave.summary.support_need,
                    norm: self.rules.norm,
                },
                self.moment(),
            ),
        }
    }

    /// The answer to a check.
    pub fn answer(&self, check: CheckKind) -> &CheckAnswer {
        match check {
            CheckKind::ContractFiled => &self.contract_filed,
            CheckKind::DailyRegistration => &self.daily_registration,
            CheckKind::SupervisorPresent => &self.supervisor_present,
        }
    }

    /// The answer to a check, to change it.
    pub fn answer_mut(&mut self, check: CheckKind) -> &mut CheckAnswer {
        match check {
            CheckKind::ContractFiled => &mut self.contract_filed,
            CheckKind::DailyRegistration => &mut self.daily_registration,
            CheckKind::SupervisorPresent => &mut self.supervisor_present,
        }
    }

    /// Ticks or unticks a registered person, and recounts who is present.
    pub fn set_present(&mut self, person_id: Uuid, present: bool) {
        self.present.retain(|p| p.person_id != person_id);
        if present
            && let Some(member) = self
                .registration()
                .and_then(|r| r.members.iter().find(|m| m.person_id == person_id))
        {
            self.present.push(PresentPerson {
                person_id,
                role: member.role,
                name: member.display_name.trim().to_owned(),
                staff_ref: member.company_reference.trim().to_owned(),
            });
        }
        self.recount();
    }

    /// Counts the registered people ticked present by role. People who are not registered
    /// are listed apart and never counted as the team's workers or begeleiders, whatever
    /// role they state.
    pub fn recount(&mut self) {
        let (mut workers, mut supervisors) = (0, 0);
        for role in self.present.iter().map(|p| p.role) {
            match role {
                MemberRole::Worker => workers += 1,
                MemberRole::Supervisor => supervisors += 1,
            }
        }
        self.workers_present = workers;
        self.supervisors_present = supervisors;
    }

    /// The check as it will be recorded: the computed verdict with the inspector's answer.
    pub fn check_record(&self, kind: CheckKind) -> CheckRecord {
        let answer = self.answer(kind);
        let note = answer.note.trim();
        CheckRecord {
            computed: self.verdict(kind),
            override_status: answer.override_status,
            note: (!note.is_empty()).then(|| note.to_owned()),
        }
    }

    /// Every photo the findings name.
    pub fn photos(&self) -> impl Iterator<Item = &shared::dto::inspection::PhotoRef> {
        self.findings.iter().flat_map(|f| f.photos.iter())
    }

    /// The checks neither confirmed nor overridden, as (Dutch, English) problems.
    pub fn unanswered_checks(&self) -> Vec<(String, String)> {
        [
            (CheckKind::ContractFiled, FieldKey::CheckOneName),
            (CheckKind::DailyRegistration, FieldKey::CheckTwoName),
            (CheckKind::SupervisorPresent, FieldKey::CheckThreeName),
        ]
        .into_iter()
        .filter(|(kind, _)| {
            let a = self.answer(*kind);
            !a.confirmed && a.override_status.is_none()
        })
        .map(|(_, check)| {
            let (nl, en) = FieldKey::ConfirmOrOverride.texts();
            let (check_nl, check_en) = check.texts();
            (
                nl.replace("{check}", check_nl),
                en.replace("{check}", check_en),
            )
        })
        .collect()
    }

    /// The follow-up's shortcomings not answered yet, as (Dutch, English) problems.
    pub fn unanswered_remedies(&self) -> Vec<(String, String)> {
        let open = self.follows.as_ref().map_or(0, |f| {
            f.answers.iter().filter(|a| a.remedied.is_none()).count()
        });
        if open == 0 {
            return Vec::new();
        }
        let (nl, en) = FieldKey::RemedyUnanswered.texts();
        let n = open.to_string();
        vec![(nl.replace("{n}", &n), en.replace("{n}", &n))]
    }

    /// The main-activity question while unanswered, as a (Dutch, English) problem. The app
    /// asks it of every inspection; the server also takes records made before it was asked.
    pub fn unanswered_main_activity(&self) -> Option<(String, String)> {
        let (nl, en) = FieldKey::MainActivityUnanswered.texts();
        self.instructions
            .main_activity
            .is_none()
            .then(|| (nl.to_owned(), en.to_owned()))
    }

    /// The record to submit at `now`, or `None` while no measure is chosen.
    pub fn record(&self, now: DateTime<Utc>) -> Option<InspectionRecord> {
        let check = |kind: CheckKind| self.check_record(kind);
        Some(InspectionRecord {
            id: self.id,
            enclave_id: self.enclave.summary.id,
            started_at: self.started_at,
            submitted_at: now,
            on: self.on,
            at: self.at,
            position: self.position.clone(),
            contract_filed: check(CheckKind::ContractFiled),
            daily_registration: check(CheckKind::DailyRegistration),
            supervisor_present: check(CheckKind::SupervisorPresent),
            present: self.present.clone(),
            unregistered: self.unregistered.clone(),
            workers_present: self.workers_present,
            supervisors_present: self.supervisors_present,
            instructions: self.instructions.clone(),
            findings: self.findings.clone(),
            conclusion: Conclusion {
                measure: self.measure?,
                deadline: self.deadline,
                motivation: self.motivation.trim().to_owned(),
            },
            // Unanswered shortcomings are left out: `unanswered_remedies` holds the submit.
            follows: self.follows.as_ref().map(|f| FollowUpRecord {
                inspection_id: f.inspection_id,
                remedies: f
                    .answers
                    .iter()
                    .filter_map(|a| {
                        Some(Remedy {
                            shortcoming: a.item.shortcoming,
                            remedied: a.remedied?,
                        })
                    })
                    .collect(),
            }),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use shared::dto::inspection::Measure;
    use shared::fixtures::{enclave, id};

    use super::*;

    /// A draft at 08:00 Brussels time on 7 December 2026, the fixtures' registered day, in
    /// enclave 1 whose team is begeleider 1 and workers 2 and 3.
    pub(crate) fn draft() -> Draft {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 7, 0, 0).unwrap();
        Draft::new(
            id(9),
            enclave(1, 0, 0, &[1, 2, 3]),
            RuleSettings::default(),
            now,
        )
    }

    #[test]
    fn a_new_draft_answers_nothing_and_is_no_record_yet() {
        let d = draft();
        assert_eq!(d.on, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(d.at, NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        assert_eq!(d.unanswered_checks().len(), 3);
        assert!(d.unanswered_main_activity().is_some());
        assert!(d.present.is_empty() && d.measure.is_none());
        assert_eq!(d.record(Utc::now()), None, "no measure chosen, no record");
    }

    #[test]
    fn a_follow_up_answers_every_shortcoming_before_it_is_submitted() {
        use shared::dto::inspection::Shortcoming;
        let mut d = draft();
        d.measure = Some(Measure::Advice);
        let item = |shortcoming| ShortcomingText {
            shortcoming,
            category: String::new(),
            text: String::new(),
        };
        let (check, finding) = (
            Shortcoming::Check(CheckKind::DailyRegistration),
            Shortcoming::Finding(id(77)),
        );
        d.follows = Some(FollowUpDraft {
            inspection_id: id(70),
            inspected_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            measure: Measure::Warning,
            due: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            answers: vec![
                FollowUpAnswer {
                    item: item(check),
                    remedied: None,
                },
                FollowUpAnswer {
                    item: item(finding),
                    remedied: None,
                },
            ],
        });
        assert_eq!(d.unanswered_remedies().len(), 1);
        let answers = &mut d.follows.as_mut().unwrap().answers;
        answers[0].remedied = Some(false);
        answers[1].remedied = Some(true);
        assert!(d.unanswered_remedies().is_empty());
        let follows = d.record(Utc::now()).unwrap().follows.expect("follows");
        assert_eq!(follows.inspection_id, id(70));
        assert_eq!(
            follows.remedies,
            vec![
                Remedy {
                    shortcoming: check,
                    remedied: false
                },
                Remedy {
                    shortcoming: finding,
                    remedied: true
                },
            ]
        );
        assert_eq!(draft().record(Utc::now()), None);
    }

    #[test]
    fn ticking_counts_registered_people_by_role_and_only_them() {
        let mut d = draft();
        let (begeleider, worker) = (id(10_001), id(10_002));
        d.set_present(begeleider, true);
        d.set_present(worker, true);
        d.set_present(worker, true);
        d.set_present(id(99), true);
        assert_eq!((d.supervisors_present, d.workers_present), (1, 1));
        assert_eq!(
            d.present.len(),
            2,
            "a second tick and a stranger add no one"
        );
        d.set_present(begeleider, false);
        assert_eq!((d.supervisors_present, d.workers_present), (0, 1));
    }

    #[test]
    fn the_record_carries_the_verdicts_the_answers_and_the_conclusion() {
        let mut d = draft();
        d.set_present(id(10_001), true);
        d.set_present(id(10_002), true);
        for kind in [CheckKind::ContractFiled, CheckKind::DailyRegistration] {
            d.answer_mut(kind).confirmed = true;
        }
        let overridden = d.verdict(CheckKind::SupervisorPresent).status;
        let other = if overridden == VerdictStatus::Pass {
            VerdictStatus::Fail
        } else {
            VerdictStatus::Pass
        };
        *d.answer_mut(CheckKind::SupervisorPresent) = CheckAnswer {
            confirmed: false,
            override_status: Some(other),
            note: "  de begeleider was even weg  ".into(),
        };
        assert!(d.unanswered_checks().is_empty());
        d.measure = Some(Measure::Warning);
        d.motivation = " Registratie te laat. ".into();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 30, 0).unwrap();
        let record = d.record(now).expect("a record once a measure is chosen");
        assert_eq!(record.id, d.id);
        assert_eq!(record.enclave_id, id(1));
        assert_eq!(
            (record.started_at, record.submitted_at),
            (d.started_at, now)
        );
        assert_eq!(
            record.contract_filed.computed,
            d.verdict(CheckKind::ContractFiled)
        );
        assert_eq!(record.supervisor_present.status(), other);
        assert_eq!(
            record.supervisor_present.note.as_deref(),
            Some("de begeleider was even weg")
        );
        assert_eq!((record.supervisors_present, record.workers_present), (1, 1));
        assert_eq!(record.conclusion.measure, Measure::Warning);
        assert_eq!(record.conclusion.motivation, "Registratie te laat.");
    }
}
