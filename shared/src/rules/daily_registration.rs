//! Check 2: the team was registered (the mandatory daily registration) before it started
//! work, and the registration names at least one supervisor (begeleider).

use super::count;
use chrono::{NaiveDate, NaiveDateTime};

use super::time::{belgian_local, format_date, format_time};
use super::verdict::{Reason, ReasonCode, Verdict};
use crate::dto::registration::{MemberRole, Registration};

/// The `rule_version` of check 2's verdicts.
pub const RULE_VERSION: &str = "daily_registration/1";

/// The verdict of check 2 for the team's `registration` of date `on`, checked at `now`
/// (Belgian local time).
///
/// A date after today is unknown, and a missing registration fails; otherwise the reasons
/// are the timing (registered at or before the planned start, in Belgian local time) and
/// the composition: empty, without supervisor, or with at least one supervisor.
pub fn check_daily_registration(
    registration: Option<&Registration>,
    on: NaiveDate,
    now: NaiveDateTime,
) -> Verdict {
    let day = format_date(on);
    if on > now.date() {
        let reason = Reason::new(
            ReasonCode::DateInFuture,
            format!(
                "De datum {day} ligt na vandaag ({}): er valt nog niets te controleren.",
                format_date(now.date())
            ),
            format!(
                "The date {day} is after today ({}): there is nothing to check yet.",
                format_date(now.date())
            ),
        );
        return Verdict::from_reasons(vec![reason], RULE_VERSION);
    }
    let Some(registration) = registration else {
        let reason = Reason::new(
            ReasonCode::NoRegistration,
            format!("Er is geen dagelijkse registratie van het enclaveteam voor {day}."),
            format!("There is no daily registration of the enclave team for {day}."),
        );
        return Verdict::from_reasons(vec![reason], RULE_VERSION);
    };
    let reasons = vec![timing(registration, on), composition(registration)];
    Verdict::from_reasons(reasons, RULE_VERSION)
}

/// Whether `registration` was made after the team's planned start on day `on`, compared in
/// Belgian local time (at the start itself is in time).
pub fn registered_after_start(registration: &Registration, on: NaiveDate) -> bool {
    belgian_local(registration.registered_at) > on.and_time(registration.planned_start)
}

/// Registered at or before the planned start of day `on`, compared in Belgian local time.
fn timing(registration: &Registration, on: NaiveDate) -> Reason {
    let registered = belgian_local(registration.registered_at);
    let planned = on.and_time(registration.planned_start);
    let (reg_date, reg_time) = (
        format_date(registered.date()),
        format_time(registered.time()),
    );
    let (plan_date, plan_time) = (format_date(on), format_time(planned.time()));
    if registered_after_start(registration, on) {
        Reason::new(
            ReasonCode::RegisteredLate,
            format!(
                "Het team werd geregistreerd op {reg_date} om {reg_time}, na de geplande \
                 start op {plan_date} om {plan_time}."
            ),
            format!(
                "The team was registered on {reg_date} at {reg_time}, after the planned \
                 start on {plan_date} at {plan_time}."
            ),
        )
    } else {
        Reason::new(
            ReasonCode::RegisteredInTime,
            format!(
                "Het team werd geregistreerd op {reg_date} om {reg_time}, vóór de geplande \
                 start op {plan_date} om {plan_time}."
            ),
            format!(
                "The team was registered on {reg_date} at {reg_time}, before the planned \
                 start on {plan_date} at {plan_time}."
            ),
        )
    }
}

/// Whom the registration names: nobody, no supervisor, or at least one supervisor.
fn composition(registration: &Registration) -> Reason {
    if registration.members.is_empty() {
        return Reason::new(
            ReasonCode::EmptyRegistration,
            "De registratie vermeldt geen enkele persoon.",
            "The registration names nobody.",
        );
    }
    let supervisors = registration
        .members
        .iter()
        .filter(|m| m.role == MemberRole::Supervisor)
        .count();
    let workers = registration.members.len() - supervisors;
    let workers_nl = count(workers, "doelgroepwerknemer", "doelgroepwerknemers");
    let workers_en = count(workers, "target-group worker", "target-group workers");
    if supervisors == 0 {
        Reason::new(
            ReasonCode::NoSupervisorRegistered,
            format!(
                "Geen begeleider geregistreerd ({workers_nl}): elk enclaveteam moet \
                 aangestuurd worden door minstens 1 begeleider."
            ),
            format!(
                "No supervisor registered ({workers_en}): every enclave team must be led by \
                 at least 1 supervisor."
            ),
        )
    } else {
        Reason::new(
            ReasonCode::SupervisorRegistered,
            format!(
                "Geregistreerd: {workers_nl} en {}.",
                count(supervisors, "begeleider", "begeleiders")
            ),
            format!(
                "Registered: {workers_en} and {}.",
                count(supervisors, "supervisor", "supervisors")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::registration::RegistrationMember;
    use crate::rules::time::from_belgian_local;
    use crate::rules::verdict::VerdictStatus;
    use chrono::{DateTime, NaiveTime, Utc};
    use uuid::Uuid;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// A Belgian local moment as UTC.
    fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        from_belgian_local(date.and_time(hm(h, m)))
    }

    fn member(role: MemberRole) -> RegistrationMember {
        RegistrationMember {
            person_id: Uuid::nil(),
            display_name: "X".to_owned(),
            company_reference: "P-1".to_owned(),
            role,
        }
    }

    /// Summer day: Monday 15 July 2024 (CEST, UTC+2).
    const DAY: (i32, u32, u32) = (2024, 7, 15);

    fn day() -> NaiveDate {
        ymd(DAY.0, DAY.1, DAY.2)
    }

    fn registration(registered_at: DateTime<Utc>, roles: &[MemberRole]) -> Registration {
        Registration {
            id: Uuid::nil(),
            enclave_id: Uuid::nil(),
            work_date: day(),
            registered_at,
            planned_start: hm(8, 0),
            members: roles.iter().map(|r| member(*r)).collect(),
        }
    }

    fn evening() -> NaiveDateTime {
        day().and_time(hm(18, 0))
    }

    fn codes(v: &Verdict) -> Vec<ReasonCode> {
        v.reasons.iter().map(|r| r.code).collect()
    }

    /// Name, registration, date checked, expected status and reason codes.
    type Row<'a> = (
        &'a str,
        Option<&'a Registration>,
        NaiveDate,
        VerdictStatus,
        &'a [ReasonCode],
    );

    /// One row per reason code of check 2.
    #[test]
    fn each_reason_code() {
        use MemberRole::*;
        use ReasonCode::*;
        use VerdictStatus::*;
        let team = [Worker, Worker, Supervisor];
        let early = at(day(), 7, 59);
        let good = registration(early, &team);
        let late = registration(at(day(), 8, 1), &team);
        let empty = registration(early, &[]);
        let no_supervisor = registration(early, &[Worker, Worker]);
        let rows: [Row; 6] = [
            (
                "in time with supervisor",
                Some(&good),
                day(),
                Pass,
                &[RegisteredInTime, SupervisorRegistered],
            ),
            (
                "late",
                Some(&late),
                day(),
                Fail,
                &[RegisteredLate, SupervisorRegistered],
            ),
            ("none", None, day(), Fail, &[NoRegistration]),
            (
                "empty",
                Some(&empty),
                day(),
                Fail,
                &[RegisteredInTime, EmptyRegistration],
            ),
            (
                "no supervisor",
                Some(&no_supervisor),
                day(),
                Fail,
                &[RegisteredInTime, NoSupervisorRegistered],
            ),
            (
                "future",
                Some(&good),
                day().succ_opt().unwrap(),
                Unknown,
                &[DateInFuture],
            ),
        ];
        for (name, reg, on, status, expected) in rows {
            let v = check_daily_registration(reg, on, evening());
            assert_eq!(v.status, status, "{name}");
            assert_eq!(codes(&v), expected, "{name}");
            assert_eq!(v.rule_version, RULE_VERSION);
            for r in &v.reasons {
                assert!(!r.message_nl.is_empty() && !r.message_en.is_empty());
            }
        }
    }

    #[test]
    fn summer_time_edge() {
        // 07:59 CEST is 05:59 UTC: in time for an 08:00 start.
        let reg = registration(at(day(), 7, 59), &[MemberRole::Supervisor]);
        assert_eq!(reg.registered_at.time(), hm(5, 59));
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(codes(&v)[0], ReasonCode::RegisteredInTime);
        assert_eq!(
            v.reasons[0].message_nl,
            "Het team werd geregistreerd op 15/07/2024 om 07:59, vóór de geplande start op \
             15/07/2024 om 08:00."
        );

        // 06:30 UTC is 08:30 CEST: late (a fixed UTC+1 would wrongly say 07:30).
        let reg = registration(
            day().and_time(hm(6, 30)).and_utc(),
            &[MemberRole::Supervisor],
        );
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(v.status, VerdictStatus::Fail);
        assert_eq!(
            v.reasons[0].message_en,
            "The team was registered on 15/07/2024 at 08:30, after the planned start on \
             15/07/2024 at 08:00."
        );

        // Exactly at the planned start is in time; a second later is not.
        let reg = registration(at(day(), 8, 0), &[MemberRole::Supervisor]);
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(v.status, VerdictStatus::Pass);
        let reg = registration(
            at(day(), 8, 0) + chrono::Duration::seconds(1),
            &[MemberRole::Supervisor],
        );
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(codes(&v)[0], ReasonCode::RegisteredLate);
        assert!(v.reasons[0].message_nl.contains("om 08:00:01"));
    }

    #[test]
    fn registered_the_day_before_is_in_time() {
        let reg = registration(at(ymd(2024, 7, 12), 16, 0), &[MemberRole::Supervisor]);
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(v.status, VerdictStatus::Pass);
    }

    #[test]
    fn composition_messages() {
        use MemberRole::*;
        let reg = registration(at(day(), 7, 0), &[Worker, Supervisor, Worker, Worker]);
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert_eq!(
            v.reasons[1].message_nl,
            "Geregistreerd: 3 doelgroepwerknemers en 1 begeleider."
        );
        assert_eq!(
            v.reasons[1].message_en,
            "Registered: 3 target-group workers and 1 supervisor."
        );
        let reg = registration(at(day(), 7, 0), &[Worker]);
        let v = check_daily_registration(Some(&reg), day(), evening());
        assert!(
            v.reasons[1]
                .message_nl
                .starts_with("Geen begeleider geregistreerd (1 doelgroepwerknemer)")
        );
    }

    #[test]
    fn today_is_checked_and_tomorrow_is_not() {
        let v = check_daily_registration(None, day(), day().and_time(hm(0, 0)));
        assert_eq!(codes(&v), [ReasonCode::NoRegistration]);
        let v = check_daily_registration(None, day(), ymd(2024, 7, 14).and_time(hm(23, 59)));
        assert_eq!(codes(&v), [ReasonCode::DateInFuture]);
        assert_eq!(v.status, VerdictStatus::Unknown);
    }
}
