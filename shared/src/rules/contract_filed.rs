//! Check 1: the enclave has a contract covering the date, notified to WSE in time (or, under
//! the approval regime, approved).
//!
//! Since 1 January 2019 (and during the first maatwerk period, 1 April 2015 – 7 February
//! 2016) the maatwerkbedrijf notifies the contract to the Departement WSE "minimaal 1 werkdag
//! voor de start". Before 1 April 2015 and from 8 February 2016 to 31 December 2018 the
//! department approved contracts by letter.

use super::count;
use super::supervision_norm::SupervisionNorm;
use chrono::NaiveDate;

use super::calendar::{CalendarSettings, working_days_before, working_days_between};
use super::time::{belgian_local, format_date};
use super::verdict::{Reason, ReasonCode, Verdict};
use crate::dto::contract::{Contract, ContractStatus, Regime};

/// How long before the start the notification must reach WSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "unit",
    content = "n",
    rename_all = "snake_case",
    from = "LeadTimeWire"
)]
pub enum LeadTime {
    /// At the latest on the n-th working day before the start (the department's reading
    /// of "minimaal 1 werkdag voor de start": start on Monday, Friday at the latest).
    WorkingDays(u32),
    /// At the latest n calendar days before the start (the sector federation's reading).
    CalendarDays(u32),
}

/// A [`LeadTime`] as read, `{"unit": "working_days", "n": 1}` in any key order, without
/// serde's buffering of adjacently tagged enums.
#[derive(serde::Deserialize)]
struct LeadTimeWire {
    unit: LeadTimeUnit,
    n: u32,
}

/// The units of [`LeadTime`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum LeadTimeUnit {
    WorkingDays,
    CalendarDays,
}

impl From<LeadTimeWire> for LeadTime {
    fn from(wire: LeadTimeWire) -> Self {
        match wire.unit {
            LeadTimeUnit::WorkingDays => Self::WorkingDays(wire.n),
            LeadTimeUnit::CalendarDays => Self::CalendarDays(wire.n),
        }
    }
}

/// Settings of check 1, and the supervision norm check 3 compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleSettings {
    pub lead_time: LeadTime,
    pub calendar: CalendarSettings,
    /// Workers per begeleider by support need (absent in sets stored before it: the default).
    #[serde(default)]
    pub norm: SupervisionNorm,
}

impl Default for RuleSettings {
    /// One working day, 11 July not a holiday, the sector federation's norm.
    fn default() -> Self {
        Self {
            lead_time: LeadTime::WorkingDays(1),
            calendar: CalendarSettings::default(),
            norm: SupervisionNorm::default(),
        }
    }
}

impl RuleSettings {
    /// The verdict's `rule_version`, e.g. `contract_filed/1;lead=1wd;11jul=no`
    /// (`1cd` for one calendar day, `11jul=yes` when 11 July is a holiday).
    pub fn version_tag(&self) -> String {
        let lead = match self.lead_time {
            LeadTime::WorkingDays(n) => format!("{n}wd"),
            LeadTime::CalendarDays(n) => format!("{n}cd"),
        };
        let flemish = if self.calendar.flemish_holiday {
            "yes"
        } else {
            "no"
        };
        format!("contract_filed/1;lead={lead};11jul={flemish}")
    }
}

/// The regime that applies to an enclave starting on `start`.
pub fn regime_for_start(start: NaiveDate) -> Regime {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    if start < date(2015, 4, 1) || (date(2016, 2, 8)..date(2019, 1, 1)).contains(&start) {
        Regime::Approval
    } else {
        Regime::Notification
    }
}

/// The last Belgian calendar date on which the notification may reach WSE for an enclave
/// starting on `start`.
pub fn notification_deadline(start: NaiveDate, settings: &RuleSettings) -> NaiveDate {
    match settings.lead_time {
        LeadTime::WorkingDays(n) => working_days_before(start, n, settings.calendar),
        LeadTime::CalendarDays(n) => start - chrono::Days::new(u64::from(n)),
    }
}

/// The lead time in words, Dutch and English.
fn lead_time_words(lead_time: LeadTime) -> (String, String) {
    let (n, nl, en) = match lead_time {
        LeadTime::WorkingDays(n) => (n, ("werkdag", "werkdagen"), ("working day", "working days")),
        LeadTime::CalendarDays(n) => (
            n,
            ("kalenderdag", "kalenderdagen"),
            ("calendar day", "calendar days"),
        ),
    };
    let n = i64::from(n);
    (count(n, nl.0, nl.1), count(n, en.0, en.1))
}

/// The verdict of check 1 for the enclave with `contracts`, on date `on`.
///
/// Only contracts whose dates cover `on` count. If all of them were rejected, the check
/// fails with one reason per rejected contract. Otherwise each non-rejected covering contract
/// is judged by its stored regime; the check passes on the first passing one (latest start
/// first), else it takes the reason of the covering contract with the latest start.
pub fn check_contract_filed(
    contracts: &[Contract],
    on: NaiveDate,
    settings: &RuleSettings,
) -> Verdict {
    let version = settings.version_tag();
    if contracts.is_empty() {
        let reason = Reason::new(
            ReasonCode::NoContract,
            "Er staat geen enkel enclavecontract in het register.",
            "The register holds no enclave contract at all.",
        );
        return Verdict::from_reasons(vec![reason], version);
    }
    let mut covering: Vec<&Contract> = contracts
        .iter()
        .filter(|c| c.start_date <= on && c.end_date.is_none_or(|e| on <= e))
        .collect();
    if covering.is_empty() {
        return Verdict::from_reasons(vec![no_covering_contract(contracts, on)], version);
    }
    // Latest start first; the sort is stable, so ties keep the register's order.
    covering.sort_by_key(|c| std::cmp::Reverse(c.start_date));
    let (rejected, open): (Vec<&Contract>, Vec<&Contract>) = covering
        .into_iter()
        .partition(|c| c.status == ContractStatus::Rejected);
    if open.is_empty() {
        let reasons = rejected.into_iter().map(rejected_reason).collect();
        return Verdict::from_reasons(reasons, version);
    }
    let judged: Vec<Reason> = open.iter().map(|c| judge(c, settings)).collect();
    let chosen = judged
        .iter()
        .find(|r| {
            matches!(
                r.code,
                ReasonCode::NotifiedInTime | ReasonCode::ContractApproved
            )
        })
        .unwrap_or(&judged[0]);
    Verdict::from_reasons(vec![chosen.clone()], version)
}

/// The reason when contracts exist but none covers `on`: it names the next start, or else
/// the last end date.
fn no_covering_contract(contracts: &[Contract], on: NaiveDate) -> Reason {
    let day = format_date(on);
    let next_start = contracts
        .iter()
        .map(|c| c.start_date)
        .filter(|s| *s > on)
        .min();
    let last_end = contracts
        .iter()
        .filter_map(|c| c.end_date)
        .filter(|e| *e < on)
        .max();
    let (nl, en) = match (next_start, last_end) {
        (Some(start), _) => (
            format!(
                " Het eerstvolgende contract start op {}.",
                format_date(start)
            ),
            format!(" The next contract starts on {}.", format_date(start)),
        ),
        (None, Some(end)) => (
            format!(" Het laatste contract liep af op {}.", format_date(end)),
            format!(" The last contract ended on {}.", format_date(end)),
        ),
        (None, None) => (String::new(), String::new()),
    };
    Reason::new(
        ReasonCode::NoContractCoveringDate,
        format!("Geen enkel enclavecontract loopt op {day}.{nl}"),
        format!("No enclave contract is in force on {day}.{en}"),
    )
}

fn rejected_reason(contract: &Contract) -> Reason {
    let (why_nl, why_en) = match contract.rejection_reason.as_deref() {
        Some(why) => (why.to_owned(), why.to_owned()),
        None => (
            "geen reden opgegeven".to_owned(),
            "no reason given".to_owned(),
        ),
    };
    Reason::new(
        ReasonCode::ContractRejected,
        format!(
            "Contract {} werd afgekeurd door het departement WSE (reden: {why_nl}).",
            contract.reference
        ),
        format!(
            "Contract {} was rejected by the Departement WSE (reason: {why_en}).",
            contract.reference
        ),
    )
}

/// Judges one covering, non-rejected contract by its regime.
fn judge(contract: &Contract, settings: &RuleSettings) -> Reason {
    let reference = &contract.reference;
    let start = format_date(contract.start_date);
    match contract.regime {
        Regime::Approval => {
            if let Some(at) = contract.approved_at {
                let at = format_date(belgian_local(at).date());
                Reason::new(
                    ReasonCode::ContractApproved,
                    format!("Contract {reference}: goedgekeurd door het departement WSE op {at}."),
                    format!("Contract {reference}: approved by the Departement WSE on {at}."),
                )
            } else if contract.status == ContractStatus::Approved {
                Reason::new(
                    ReasonCode::ContractApproved,
                    format!("Contract {reference}: goedgekeurd door het departement WSE."),
                    format!("Contract {reference}: approved by the Departement WSE."),
                )
            } else {
                Reason::new(
                    ReasonCode::NotApproved,
                    format!(
                        "Contract {reference}: valt onder de goedkeuringsregeling (start op \
                         {start}), maar werd niet goedgekeurd door het departement WSE."
                    ),
                    format!(
                        "Contract {reference}: falls under the approval regime (start on \
                         {start}), but was not approved by the Departement WSE."
                    ),
                )
            }
        }
        Regime::Notification => {
            let Some(notified_at) = contract.notified_at else {
                return Reason::new(
                    ReasonCode::NotificationDateUnknown,
                    format!(
                        "Contract {reference}: het register vermeldt niet wanneer de \
                         kennisgeving bij het departement WSE binnenkwam."
                    ),
                    format!(
                        "Contract {reference}: the register does not say when the \
                         notification reached the Departement WSE."
                    ),
                );
            };
            let received = belgian_local(notified_at).date();
            let deadline = notification_deadline(contract.start_date, settings);
            let (lead_nl, lead_en) = lead_time_words(settings.lead_time);
            let (got, due) = (format_date(received), format_date(deadline));
            let nl = format!(
                "Contract {reference}: kennisgeving ontvangen op {got}, uiterlijk {due} \
                 ({lead_nl} vóór de start op {start})"
            );
            let en = format!(
                "Contract {reference}: notification received on {got}, deadline {due} \
                 ({lead_en} before the start on {start})"
            );
            if received <= deadline {
                return Reason::new(
                    ReasonCode::NotifiedInTime,
                    format!("{nl}: tijdig."),
                    format!("{en}: in time."),
                );
            }
            // Received on a non-working day just after the deadline: 0 working days later,
            // so say how many calendar days instead.
            let working = working_days_between(deadline, received, settings.calendar);
            let (late_nl, late_en) = if working > 0 {
                (
                    count(working, "werkdag", "werkdagen"),
                    count(working, "working day", "working days"),
                )
            } else {
                let days = (received - deadline).num_days();
                (
                    count(days, "kalenderdag", "kalenderdagen"),
                    count(days, "calendar day", "calendar days"),
                )
            };
            Reason::new(
                ReasonCode::NotifiedLate,
                format!("{nl}: {late_nl} te laat."),
                format!("{en}: {late_en} late."),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::time::from_belgian_local;
    use crate::rules::verdict::VerdictStatus;
    use chrono::{DateTime, NaiveTime, Utc};
    use uuid::Uuid;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A Belgian local moment as UTC.
    fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        from_belgian_local(date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()))
    }

    fn contract(reference: &str, start: NaiveDate) -> Contract {
        Contract {
            id: Uuid::nil(),
            enclave_id: Uuid::nil(),
            reference: reference.to_owned(),
            start_date: start,
            end_date: None,
            notified_at: None,
            approved_at: None,
            regime: regime_for_start(start),
            status: ContractStatus::Notified,
            rejection_reason: None,
            min_supervisors: 1,
        }
    }

    fn notified(reference: &str, start: NaiveDate, received: DateTime<Utc>) -> Contract {
        Contract {
            notified_at: Some(received),
            ..contract(reference, start)
        }
    }

    fn codes(v: &Verdict) -> Vec<ReasonCode> {
        v.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn version_tags() {
        assert_eq!(
            RuleSettings::default().version_tag(),
            "contract_filed/1;lead=1wd;11jul=no"
        );
        let s = RuleSettings {
            lead_time: LeadTime::CalendarDays(1),
            calendar: CalendarSettings {
                flemish_holiday: true,
            },
            ..RuleSettings::default()
        };
        assert_eq!(s.version_tag(), "contract_filed/1;lead=1cd;11jul=yes");
    }

    #[test]
    fn regimes() {
        use Regime::*;
        for (date, regime) in [
            (ymd(2010, 6, 1), Approval),
            (ymd(2015, 3, 31), Approval),
            (ymd(2015, 4, 1), Notification),
            (ymd(2016, 2, 7), Notification),
            (ymd(2016, 2, 8), Approval),
            (ymd(2018, 12, 31), Approval),
            (ymd(2019, 1, 1), Notification),
            (ymd(2025, 9, 1), Notification),
        ] {
            assert_eq!(regime_for_start(date), regime, "{date}");
        }
    }

    #[test]
    fn known_deadlines() {
        let wd = RuleSettings::default();
        let cd = RuleSettings {
            lead_time: LeadTime::CalendarDays(1),
            ..wd
        };
        let flemish = RuleSettings {
            calendar: CalendarSettings {
                flemish_holiday: true,
            },
            ..wd
        };
        // Monday 11 March 2024: Friday 8 March (calendar reading: Sunday 10 March).
        assert_eq!(
            notification_deadline(ymd(2024, 3, 11), &wd),
            ymd(2024, 3, 8)
        );
        assert_eq!(
            notification_deadline(ymd(2024, 3, 11), &cd),
            ymd(2024, 3, 10)
        );
        // Tuesday 2 April 2024, the day after Easter Monday: Friday 29 March.
        assert_eq!(
            notification_deadline(ymd(2024, 4, 2), &wd),
            ymd(2024, 3, 29)
        );
        // Thursday 1 January 2026 (itself a holiday): Wednesday 31 December 2025.
        assert_eq!(
            notification_deadline(ymd(2026, 1, 1), &wd),
            ymd(2025, 12, 31)
        );
        // Friday 2 January 2026: Wednesday 31 December 2025.
        assert_eq!(
            notification_deadline(ymd(2026, 1, 2), &wd),
            ymd(2025, 12, 31)
        );
        // Friday 12 July 2024: Thursday 11 July, or Wednesday 10 July when it is a holiday.
        assert_eq!(
            notification_deadline(ymd(2024, 7, 12), &wd),
            ymd(2024, 7, 11)
        );
        assert_eq!(
            notification_deadline(ymd(2024, 7, 12), &flemish),
            ymd(2024, 7, 10)
        );
        // Zero lead time: the start day itself.
        let zero = RuleSettings {
            lead_time: LeadTime::WorkingDays(0),
            ..wd
        };
        assert_eq!(
            notification_deadline(ymd(2024, 3, 11), &zero),
            ymd(2024, 3, 11)
        );
    }

    #[test]
    fn saturday_is_too_late_for_a_monday_start() {
        let start = ymd(2024, 3, 11);
        let on = ymd(2024, 3, 12);
        let friday_evening = notified("E-1", start, at(ymd(2024, 3, 8), 23, 59));
        let v = check_contract_filed(&[friday_evening], on, &RuleSettings::default());
        assert_eq!(codes(&v), [ReasonCode::NotifiedInTime]);

        let saturday = notified("E-1", start, at(ymd(2024, 3, 9), 0, 1));
        let v = check_contract_filed(
            std::slice::from_ref(&saturday),
            on,
            &RuleSettings::default(),
        );
        assert_eq!(v.status, VerdictStatus::Fail);
        assert_eq!(codes(&v), [ReasonCode::NotifiedLate]);
        assert_eq!(
            v.reasons[0].message_nl,
            "Contract E-1: kennisgeving ontvangen op 09/03/2024, uiterlijk 08/03/2024 \
             (1 werkdag vóór de start op 11/03/2024): 1 kalenderdag te laat."
        );

        // The federation's calendar-day reading accepts Saturday (and Sunday).
        let cd = RuleSettings {
            lead_time: LeadTime::CalendarDays(1),
            ..RuleSettings::default()
        };
        let v = check_contract_filed(&[saturday], on, &cd);
        assert_eq!(v.status, VerdictStatus::Pass);
        assert_eq!(v.rule_version, "contract_filed/1;lead=1cd;11jul=no");
    }

    #[test]
    fn late_message_counts_working_days() {
        let c = notified("ENC-2024-001", ymd(2024, 3, 11), at(ymd(2024, 3, 12), 9, 0));
        let v = check_contract_filed(&[c], ymd(2024, 3, 12), &RuleSettings::default());
        assert_eq!(
            v.reasons[0].message_nl,
            "Contract ENC-2024-001: kennisgeving ontvangen op 12/03/2024, uiterlijk 08/03/2024 \
             (1 werkdag vóór de start op 11/03/2024): 2 werkdagen te laat."
        );
        assert_eq!(
            v.reasons[0].message_en,
            "Contract ENC-2024-001: notification received on 12/03/2024, deadline 08/03/2024 \
             (1 working day before the start on 11/03/2024): 2 working days late."
        );
    }

    #[test]
    fn notification_date_is_the_belgian_date() {
        // 23:30 UTC on Friday 8 March 2024 is 00:30 on Saturday in Brussels: late.
        let utc_friday = ymd(2024, 3, 8).and_hms_opt(23, 30, 0).unwrap().and_utc();
        let c = notified("E-1", ymd(2024, 3, 11), utc_friday);
        let v = check_contract_filed(&[c], ymd(2024, 3, 11), &RuleSettings::default());
        assert_eq!(codes(&v), [ReasonCode::NotifiedLate]);
    }

    /// One row per reason code of check 1.
    #[test]
    fn each_reason_code() {
        use ReasonCode::*;
        use VerdictStatus::*;
        let on = ymd(2024, 6, 3);
        let start = ymd(2024, 3, 11);
        let in_time = notified("N-1", start, at(ymd(2024, 3, 7), 10, 0));
        let late = notified("N-2", start, at(ymd(2024, 3, 12), 10, 0));
        let unknown = contract("N-3", start);
        let rejected = Contract {
            status: ContractStatus::Rejected,
            rejection_reason: Some("geen begeleider voorzien".to_owned()),
            ..in_time.clone()
        };
        let old_start = ymd(2017, 5, 2);
        let approved_at = Contract {
            approved_at: Some(at(ymd(2017, 4, 20), 14, 0)),
            status: ContractStatus::Approved,
            ..contract("A-1", old_start)
        };
        let approved_status = Contract {
            status: ContractStatus::Approved,
            ..contract("A-2", old_start)
        };
        let not_approved = contract("A-3", old_start);
        let ended = Contract {
            end_date: Some(ymd(2024, 5, 31)),
            status: ContractStatus::Ended,
            ..in_time.clone()
        };
        let future = notified("N-9", ymd(2024, 9, 2), at(ymd(2024, 8, 1), 10, 0));

        let rows = [
            ("in time", vec![in_time.clone()], Pass, NotifiedInTime),
            ("approved at", vec![approved_at], Pass, ContractApproved),
            (
                "approved status",
                vec![approved_status],
                Pass,
                ContractApproved,
            ),
            ("none", vec![], Fail, NoContract),
            ("ended", vec![ended.clone()], Fail, NoContractCoveringDate),
            ("future", vec![future.clone()], Fail, NoContractCoveringDate),
            ("rejected", vec![rejected.clone()], Fail, ContractRejected),
            ("late", vec![late], Fail, NotifiedLate),
            ("not approved", vec![not_approved], Fail, NotApproved),
            ("unknown", vec![unknown], Unknown, NotificationDateUnknown),
        ];
        for (name, cs, status, code) in rows {
            let v = check_contract_filed(&cs, on, &RuleSettings::default());
            assert_eq!(v.status, status, "{name}");
            assert_eq!(codes(&v), [code], "{name}");
            assert_eq!(v.rule_version, "contract_filed/1;lead=1wd;11jul=no");
            assert!(!v.reasons[0].message_nl.is_empty() && !v.reasons[0].message_en.is_empty());
        }

        let message = |cs: &[Contract]| {
            check_contract_filed(cs, on, &RuleSettings::default()).reasons[0]
                .message_nl
                .clone()
        };
        assert_eq!(
            message(std::slice::from_ref(&ended)),
            "Geen enkel enclavecontract loopt op 03/06/2024. \
             Het laatste contract liep af op 31/05/2024."
        );
        assert_eq!(
            message(&[ended, future]),
            "Geen enkel enclavecontract loopt op 03/06/2024. \
             Het eerstvolgende contract start op 02/09/2024."
        );
        assert_eq!(
            message(&[rejected]),
            "Contract N-1 werd afgekeurd door het departement WSE \
             (reden: geen begeleider voorzien)."
        );
    }

    #[test]
    fn a_passing_contract_wins() {
        let on = ymd(2024, 6, 3);
        let old = notified("OLD", ymd(2024, 1, 8), at(ymd(2024, 1, 4), 9, 0));
        let newer_late = notified("NEW", ymd(2024, 3, 11), at(ymd(2024, 3, 12), 9, 0));
        let rejected = Contract {
            status: ContractStatus::Rejected,
            ..notified("REJ", ymd(2024, 5, 6), at(ymd(2024, 4, 1), 9, 0))
        };
        let v = check_contract_filed(
            &[newer_late.clone(), old, rejected.clone()],
            on,
            &RuleSettings::default(),
        );
        assert_eq!(v.status, VerdictStatus::Pass);
        assert!(v.reasons[0].message_nl.starts_with("Contract OLD:"));

        // No pass: the reasons of the (non-rejected) covering contract with the latest start.
        let unknown_older = contract("UNK", ymd(2024, 1, 8));
        let v = check_contract_filed(
            &[unknown_older, newer_late, rejected],
            on,
            &RuleSettings::default(),
        );
        assert_eq!(codes(&v), [ReasonCode::NotifiedLate]);
        assert!(v.reasons[0].message_nl.starts_with("Contract NEW:"));
    }

    #[test]
    fn rejected_without_reason_and_several_rejected() {
        let on = ymd(2024, 6, 3);
        let a = Contract {
            status: ContractStatus::Rejected,
            ..contract("R-1", ymd(2024, 1, 8))
        };
        let b = Contract {
            reference: "R-2".to_owned(),
            start_date: ymd(2024, 2, 5),
            ..a.clone()
        };
        let v = check_contract_filed(&[a, b], on, &RuleSettings::default());
        assert_eq!(
            codes(&v),
            [ReasonCode::ContractRejected, ReasonCode::ContractRejected]
        );
        assert_eq!(
            v.reasons[0].message_en,
            "Contract R-2 was rejected by the Departement WSE (reason: no reason given)."
        );
    }

    #[test]
    fn contract_boundaries_cover_inclusively() {
        let c = Contract {
            end_date: Some(ymd(2024, 3, 15)),
            ..notified("E-1", ymd(2024, 3, 11), at(ymd(2024, 3, 7), 9, 0))
        };
        let check = |on| {
            check_contract_filed(std::slice::from_ref(&c), on, &RuleSettings::default()).status
        };
        assert_eq!(check(ymd(2024, 3, 10)), VerdictStatus::Fail);
        assert_eq!(check(ymd(2024, 3, 11)), VerdictStatus::Pass);
        assert_eq!(check(ymd(2024, 3, 15)), VerdictStatus::Pass);
        assert_eq!(check(ymd(2024, 3, 16)), VerdictStatus::Fail);
    }

    #[test]
    fn lead_times_keep_their_wire_form_in_any_key_order() {
        for (lead, json, reversed) in [
            (
                LeadTime::WorkingDays(1),
                r#"{"unit":"working_days","n":1}"#,
                r#"{"n":1,"unit":"working_days"}"#,
            ),
            (
                LeadTime::CalendarDays(3),
                r#"{"unit":"calendar_days","n":3}"#,
                r#"{"n":3,"unit":"calendar_days"}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&lead).unwrap(), json);
            assert_eq!(serde_json::from_str::<LeadTime>(json).unwrap(), lead);
            assert_eq!(serde_json::from_str::<LeadTime>(reversed).unwrap(), lead);
        }
        for bad in [r#"{"unit":"weeks","n":1}"#, r#"{"unit":"working_days"}"#] {
            assert!(serde_json::from_str::<LeadTime>(bad).is_err(), "{bad}");
        }
    }
}
