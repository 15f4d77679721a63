//! Check 3: every enclave team is actually led by at least 1 begeleider on site ("daadwerkelijk
//! aangestuurd door minstens 1 begeleider"), compared with the day's registration.
//!
//! Only a registered supervisor the inspector saw counts; someone who is not in the
//! registration never does, whatever role they state. Supervision is permanent: a supervisor
//! registered for another enclave the same day ("floating") fails the check.
//!
//! The sector's supervision norm (one begeleider per 13, 10 or 7 workers, by the team's
//! support need; [`super::supervision_norm`]) is compared with the workers and registered
//! begeleiders present. A shortfall is named but does not fail the check: the decree asks
//! for at least one begeleider, the norm is the sector's guidance.

use super::count;
use std::collections::HashSet;

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::supervision_norm::{SupervisionNorm, SupportNeed, compare_with_norm};
use super::time::{belgian_local, format_date, format_time};
use super::verdict::{Reason, ReasonCode, Verdict};
use crate::dto::inspection::{PresentPerson, UnregisteredPerson};
use crate::dto::registration::{MemberRole, Registration, RegistrationMember};

/// The `rule_version` of check 3's verdicts.
pub const RULE_VERSION: &str = "supervisor_present/2";

/// What the inspector recorded on site.
#[derive(Debug, Clone, Copy, Default)]
pub struct Presence<'a> {
    /// Registered people ticked present.
    pub present: &'a [PresentPerson],
    /// People working who are not in the registration.
    pub unregistered: &'a [UnregisteredPerson],
}

/// The supervision norm a team is held to: its support need as the enclave records it
/// (`None`: not recorded, the most lenient figure applies) and the norm's figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamNorm {
    pub need: Option<SupportNeed>,
    pub norm: SupervisionNorm,
}

/// The verdict of check 3 for the team's `registration`, with the `presence` the inspector
/// recorded at `now` (Belgian local time) and the ids of the registered supervisors who are
/// also registered for another enclave that day (`floating`, see [`floating_supervisors`]).
///
/// A registration for a date after today is unknown. Otherwise the deciding reason comes
/// first: the reasons are a registration made after the planned start; a registered
/// supervisor present or not; floating supervisors; people working without being
/// registered — the failing ones before the others, in that order — and last the registered
/// people not seen and a shortfall against the team's supervision `norm` (both
/// informational: they do not fail the check). Without a registration, its
/// absence is the first reason. Roles are those of the
/// registration; present ids it does not contain are ignored. Without a registration nobody
/// present is registered, so the check fails.
pub fn check_supervisor_present(
    registration: Option<&Registration>,
    presence: Presence<'_>,
    floating: &[Uuid],
    norm: TeamNorm,
    now: NaiveDateTime,
) -> Verdict {
    let Some(registration) = registration else {
        let mut reasons = vec![no_registration()];
        reasons.extend(not_registered(presence.unregistered));
        return Verdict::from_reasons(reasons, version(norm.norm));
    };
    if registration.work_date > now.date() {
        return Verdict::from_reasons(vec![date_in_future(registration, now)], version(norm.norm));
    }
    let ticked: HashSet<Uuid> = presence.present.iter().map(|p| p.person_id).collect();
    let members = distinct_members(registration);
    let (present, absent): (Vec<&RegistrationMember>, Vec<&RegistrationMember>) =
        members.iter().partition(|m| ticked.contains(&m.person_id));
    let supervisors: Vec<&RegistrationMember> = present
        .iter()
        .copied()
        .filter(|m| m.role == MemberRole::Supervisor)
        .collect();
    let floating: Vec<&RegistrationMember> = members
        .iter()
        .copied()
        .filter(|m| m.role == MemberRole::Supervisor && floating.contains(&m.person_id))
        .collect();

    // The deciding reason first: a late registration, then the other failures, then what
    // passes, then what is only informational.
    let mut reasons: Vec<Reason> = registered_after_start(registration).into_iter().collect();
    reasons.push(if supervisors.is_empty() {
        no_supervisor_present(&members)
    } else {
        supervisor_present(&supervisors)
    });
    reasons.extend(supervisors_floating(&floating));
    reasons.extend(not_registered(presence.unregistered));
    reasons.sort_by_key(|r| !r.code.is_failure());
    if !supervisors.is_empty() {
        let workers = present
            .iter()
            .filter(|m| m.role == MemberRole::Worker)
            .count()
            + presence
                .unregistered
                .iter()
                .filter(|p| p.stated_role == MemberRole::Worker)
                .count();
        reasons.extend(norm_shortfall(workers, supervisors.len(), norm));
    }
    reasons.extend(registered_but_absent(&absent));
    Verdict::from_reasons(reasons, version(norm.norm))
}

/// The rule version: [`RULE_VERSION`], naming the norm's figures when they are not the
/// sector federation's (an operator's `SUPERVISION_NORM`).
fn version(norm: SupervisionNorm) -> String {
    if norm == SupervisionNorm::default() {
        RULE_VERSION.to_owned()
    } else {
        format!(
            "{RULE_VERSION};norm={}-{}-{}",
            norm.low, norm.medium, norm.high
        )
    }
}

/// The supervisors of `this_enclave` who are also supervisors in another enclave's
/// registration of the same work date, in registration order and without repeats.
pub fn floating_supervisors(
    this_enclave: &Registration,
    same_day_others: &[Registration],
) -> Vec<Uuid> {
    let elsewhere: HashSet<Uuid> = same_day_others
        .iter()
        .filter(|r| {
            r.work_date == this_enclave.work_date && r.enclave_id != this_enclave.enclave_id
        })
        .flat_map(|r| &r.members)
        .filter(|m| m.role == MemberRole::Supervisor)
        .map(|m| m.person_id)
        .collect();
    let mut seen = HashSet::new();
    this_enclave
        .members
        .iter()
        .filter(|m| m.role == MemberRole::Supervisor && elsewhere.contains(&m.person_id))
        .map(|m| m.person_id)
        .filter(|id| seen.insert(*id))
        .collect()
}

/// The registration's members, each person once (the first entry wins).
fn distinct_members(registration: &Registration) -> Vec<&RegistrationMember> {
    let mut seen = HashSet::new();
    registration
        .members
        .iter()
        .filter(|m| seen.insert(m.person_id))
        .collect()
}

/// Items as "A", "A en B", "A, B en C" (with `and` as the last separator).
fn list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

/// How a registered person is named: the display name, else the company's reference.
fn name(member: &RegistrationMember) -> String {
    let display = member.display_name.trim();
    if display.is_empty() {
        member.company_reference.trim().to_owned()
    } else {
        display.to_owned()
    }
}

/// The role in Dutch and English.
fn role_words(role: MemberRole) -> (&'static str, &'static str) {
    match role {
        MemberRole::Worker => ("doelgroepwerknemer", "target-group worker"),
        MemberRole::Supervisor => ("begeleider", "supervisor"),
    }
}

fn date_in_future(registration: &Registration, now: NaiveDateTime) -> Reason {
    let (day, today) = (format_date(registration.work_date), format_date(now.date()));
    Reason::new(
        ReasonCode::DateInFuture,
        format!(
            "De registratie is voor {day}, na vandaag ({today}): de aanwezigheid kan nog niet \
             gecontroleerd worden."
        ),
        format!(
            "The registration is for {day}, after today ({today}): presence cannot be checked \
             yet."
        ),
    )
}

fn supervisor_present(supervisors: &[&RegistrationMember]) -> Reason {
    let names: Vec<String> = supervisors.iter().map(|m| name(m)).collect();
    let n = supervisors.len();
    Reason::new(
        ReasonCode::SupervisorPresent,
        format!(
            "Aanwezig: {} ({}).",
            count(n, "geregistreerde begeleider", "geregistreerde begeleiders"),
            list(&names, "en")
        ),
        format!(
            "Present: {} ({}).",
            count(n, "registered supervisor", "registered supervisors"),
            list(&names, "and")
        ),
    )
}

/// Without a registration nobody on site is a registered supervisor: that absence decides.
fn no_registration() -> Reason {
    Reason::new(
        ReasonCode::NoSupervisorPresent,
        "Er is geen dagelijkse registratie van het team: niemand ter plaatse is geregistreerd, \
         dus er is geen geregistreerde begeleider aanwezig.",
        "There is no daily registration of the team: nobody on site is registered, so no \
         registered supervisor is present.",
    )
}

/// No registered supervisor among the registration's `members` is present.
fn no_supervisor_present(members: &[&RegistrationMember]) -> Reason {
    let registered: Vec<String> = members
        .iter()
        .filter(|m| m.role == MemberRole::Supervisor)
        .map(|m| name(m))
        .collect();
    let (why_nl, why_en) = if registered.is_empty() {
        (
            "de registratie vermeldt geen begeleider".to_owned(),
            "the registration names no supervisor".to_owned(),
        )
    } else {
        (
            format!(
                "geregistreerd maar niet aangetroffen: {}",
                list(&registered, "en")
            ),
            format!("registered but not found: {}", list(&registered, "and")),
        )
    };
    Reason::new(
        ReasonCode::NoSupervisorPresent,
        format!(
            "Geen geregistreerde begeleider aanwezig ({why_nl}): elk enclaveteam moet \
             daadwerkelijk aangestuurd worden door minstens 1 begeleider."
        ),
        format!(
            "No registered supervisor present ({why_en}): every enclave team must actually be \
             led by at least 1 supervisor."
        ),
    )
}

fn supervisors_floating(floating: &[&RegistrationMember]) -> Option<Reason> {
    if floating.is_empty() {
        return None;
    }
    let names: Vec<String> = floating.iter().map(|m| name(m)).collect();
    let (nl, en) = if floating.len() == 1 {
        (
            format!("Begeleider {} is", names[0]),
            format!("Supervisor {} is", names[0]),
        )
    } else {
        (
            format!("De begeleiders {} zijn", list(&names, "en")),
            format!("Supervisors {} are", list(&names, "and")),
        )
    };
    Some(Reason::new(
        ReasonCode::SupervisorFloating,
        format!(
            "{nl} dezelfde dag ook geregistreerd voor een andere enclave: de begeleiding moet \
             permanent zijn en mag niet verdeeld worden over meerdere enclaves."
        ),
        format!(
            "{en} also registered for another enclave the same day: supervision must be \
             permanent and may not float between enclaves."
        ),
    ))
}

/// One reason listing everyone working without being registered.
fn not_registered(people: &[UnregisteredPerson]) -> Option<Reason> {
    if people.is_empty() {
        return None;
    }
    let (nl, en): (Vec<String>, Vec<String>) = people
        .iter()
        .map(|p| {
            let (role_nl, role_en) = role_words(p.stated_role);
            match p.name.trim() {
                "" => (
                    format!("een persoon zonder opgegeven naam (verklaart {role_nl} te zijn)"),
                    format!("a person who gave no name (states they are a {role_en})"),
                ),
                name => (
                    format!("{name} (verklaart {role_nl} te zijn)"),
                    format!("{name} (states they are a {role_en})"),
                ),
            }
        })
        .unzip();
    let n = people.len();
    let mut message_nl = format!(
        "{} aan het werk maar niet geregistreerd: {}.",
        count(n, "persoon", "personen"),
        list(&nl, "en")
    );
    let mut message_en = format!(
        "{} working but not registered: {}.",
        count(n, "person", "people"),
        list(&en, "and")
    );
    if people
        .iter()
        .any(|p| p.stated_role == MemberRole::Supervisor)
    {
        message_nl
            .push_str(" Een niet-geregistreerde begeleider telt niet als begeleider van het team.");
        message_en.push_str(" An unregistered supervisor does not count as the team's supervisor.");
    }
    Some(Reason::new(
        ReasonCode::PresentNotRegistered,
        message_nl,
        message_en,
    ))
}

/// Registered after the planned start, compared in Belgian local time (as in check 2).
fn registered_after_start(registration: &Registration) -> Option<Reason> {
    let registered = belgian_local(registration.registered_at);
    let planned = registration.work_date.and_time(registration.planned_start);
    if registered <= planned {
        return None;
    }
    let (reg_date, reg_time) = (
        format_date(registered.date()),
        format_time(registered.time()),
    );
    let (plan_date, plan_time) = (format_date(planned.date()), format_time(planned.time()));
    Some(Reason::new(
        ReasonCode::RegisteredAfterStart,
        format!(
            "De registratie werd gemaakt op {reg_date} om {reg_time}, na de geplande start op \
             {plan_date} om {plan_time}: wie aan het werk was, was bij de start niet \
             geregistreerd."
        ),
        format!(
            "The registration was made on {reg_date} at {reg_time}, after the planned start \
             on {plan_date} at {plan_time}: those at work were not registered when it started."
        ),
    ))
}

/// Informational: more workers at work (registered or not) per registered begeleider present
/// than the team's norm allows, with how many begeleiders are missing.
fn norm_shortfall(workers: usize, supervisors: usize, team: TeamNorm) -> Option<Reason> {
    let as_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let outcome = compare_with_norm(as_u32(workers), as_u32(supervisors), team.need, &team.norm);
    if outcome.is_met() {
        return None;
    }
    let per = outcome.workers_per_supervisor;
    let (need_nl, need_en) = match team.need {
        Some(need) => {
            let (nl, en) = need.names();
            (
                format!("bij een {nl} ondersteuningsnood"),
                format!("for a {en} support need"),
            )
        }
        None => (
            "de ondersteuningsnood is niet gekend, dus geldt de mildste norm".to_owned(),
            "the support need is not recorded, so the most lenient norm applies".to_owned(),
        ),
    };
    let short = outcome.shortfall;
    Some(Reason::new(
        ReasonCode::SupervisionNormShortfall,
        format!(
            "{} aan het werk met {}: de norm is 1 begeleider per {per} ({need_nl}), er \
             {} {} te weinig.",
            count(workers, "doelgroepwerknemer", "doelgroepwerknemers"),
            count(supervisors, "begeleider", "begeleiders"),
            if short == 1 { "is" } else { "zijn" },
            count(short, "begeleider", "begeleiders"),
        ),
        format!(
            "{} at work with {}: the norm is 1 supervisor per {per} ({need_en}), {} short.",
            count(workers, "target-group worker", "target-group workers"),
            count(supervisors, "supervisor", "supervisors"),
            count(short, "supervisor", "supervisors"),
        ),
    ))
}

/// One informational reason listing the registered people not seen.
fn registered_but_absent(absent: &[&RegistrationMember]) -> Option<Reason> {
    if absent.is_empty() {
        return None;
    }
    let (nl, en): (Vec<String>, Vec<String>) = absent
        .iter()
        .map(|m| {
            let (role_nl, role_en) = role_words(m.role);
            let name = name(m);
            (format!("{name} ({role_nl})"), format!("{name} ({role_en})"))
        })
        .unzip();
    let n = absent.len();
    Some(Reason::new(
        ReasonCode::RegisteredButAbsent,
        format!(
            "{} geregistreerd maar niet aangetroffen: {}.",
            count(n, "persoon", "personen"),
            list(&nl, "en")
        ),
        format!(
            "{} registered but not found on site: {}.",
            count(n, "person", "people"),
            list(&en, "and")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::time::from_belgian_local;
    use crate::rules::verdict::VerdictStatus;
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
    use proptest::prelude::*;

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

    /// Monday 15 July 2024 (CEST, UTC+2).
    fn day() -> NaiveDate {
        ymd(2024, 7, 15)
    }

    /// The inspector's visit.
    fn visit() -> NaiveDateTime {
        day().and_time(hm(10, 15))
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn member(n: u128, name: &str, role: MemberRole) -> RegistrationMember {
        RegistrationMember {
            person_id: id(n),
            display_name: name.to_owned(),
            company_reference: format!("P-{n}"),
            role,
        }
    }

    fn registration(
        registered_at: DateTime<Utc>,
        members: Vec<RegistrationMember>,
    ) -> Registration {
        Registration {
            id: Uuid::nil(),
            enclave_id: id(1000),
            work_date: day(),
            registered_at,
            planned_start: hm(8, 0),
            members,
        }
    }

    /// Anna and Bert (workers), Chris (supervisor), registered at 07:30.
    fn team() -> Registration {
        use MemberRole::*;
        registration(
            at(day(), 7, 30),
            vec![
                member(1, "Anna Peeters", Worker),
                member(2, "Bert Claes", Worker),
                member(3, "Chris Janssens", Supervisor),
            ],
        )
    }

    fn ticked(ids: &[u128], role: MemberRole) -> Vec<PresentPerson> {
        ids.iter()
            .map(|n| PresentPerson {
                name: String::new(),
                staff_ref: String::new(),
                person_id: id(*n),
                role,
            })
            .collect()
    }

    fn stranger(name: &str, stated_role: MemberRole) -> UnregisteredPerson {
        UnregisteredPerson {
            name: name.to_owned(),
            stated_role,
        }
    }

    /// A team of `supervisors` begeleiders (ids 1..) and `workers` workers after them, all
    /// registered in time and all present.
    fn crew(supervisors: u128, workers: u128) -> (Registration, Vec<PresentPerson>) {
        let members: Vec<RegistrationMember> = (1..=supervisors + workers)
            .map(|n| {
                let role = if n <= supervisors {
                    MemberRole::Supervisor
                } else {
                    MemberRole::Worker
                };
                member(n, &format!("Persoon {n}"), role)
            })
            .collect();
        let present = ticked(
            &(1..=supervisors + workers).collect::<Vec<_>>(),
            MemberRole::Worker,
        );
        (registration(at(day(), 7, 30), members), present)
    }

    fn codes(v: &Verdict) -> Vec<ReasonCode> {
        v.reasons.iter().map(|r| r.code).collect()
    }

    /// Name, registration, present ids, unregistered people, floating ids, expected status
    /// and reason codes.
    type Row<'a> = (
        &'a str,
        Option<&'a Registration>,
        &'a [u128],
        &'a [UnregisteredPerson],
        &'a [u128],
        VerdictStatus,
        &'a [ReasonCode],
    );

    /// One row per reason code of check 3, and their combinations.
    #[test]
    fn each_reason_code() {
        use MemberRole::*;
        use ReasonCode::*;
        use VerdictStatus::*;
        let team = team();
        let late = Registration {
            registered_at: at(day(), 8, 5),
            ..team.clone()
        };
        let no_supervisor = registration(at(day(), 7, 0), vec![member(1, "Anna Peeters", Worker)]);
        let boss = [stranger("Dirk Maes", Supervisor)];
        let helper = [stranger("Eva Wouters", Worker)];
        let rows: [Row; 15] = [
            (
                "all present",
                Some(&team),
                &[1, 2, 3],
                &[],
                &[],
                Pass,
                &[SupervisorPresent],
            ),
            (
                "a worker absent",
                Some(&team),
                &[1, 3],
                &[],
                &[],
                Pass,
                &[SupervisorPresent, RegisteredButAbsent],
            ),
            (
                "supervisor absent",
                Some(&team),
                &[1, 2],
                &[],
                &[],
                Fail,
                &[NoSupervisorPresent, RegisteredButAbsent],
            ),
            (
                "nobody ticked",
                Some(&team),
                &[],
                &[],
                &[],
                Fail,
                &[NoSupervisorPresent, RegisteredButAbsent],
            ),
            (
                "no supervisor registered",
                Some(&no_supervisor),
                &[1],
                &[],
                &[],
                Fail,
                &[NoSupervisorPresent],
            ),
            (
                "unregistered worker",
                Some(&team),
                &[1, 2, 3],
                &helper,
                &[],
                Fail,
                &[PresentNotRegistered, SupervisorPresent],
            ),
            (
                "unregistered supervisor does not count",
                Some(&team),
                &[1, 2],
                &boss,
                &[],
                Fail,
                &[
                    NoSupervisorPresent,
                    PresentNotRegistered,
                    RegisteredButAbsent,
                ],
            ),
            (
                "registered after the start",
                Some(&late),
                &[1, 2, 3],
                &[],
                &[],
                Fail,
                &[RegisteredAfterStart, SupervisorPresent],
            ),
            (
                "present supervisor floats",
                Some(&team),
                &[1, 2, 3],
                &[],
                &[3],
                Fail,
                &[SupervisorFloating, SupervisorPresent],
            ),
            (
                "absent supervisor floats",
                Some(&team),
                &[1, 2],
                &[],
                &[3],
                Fail,
                &[NoSupervisorPresent, SupervisorFloating, RegisteredButAbsent],
            ),
            (
                "a floating worker id is not a floating supervisor",
                Some(&team),
                &[1, 2, 3],
                &[],
                &[1],
                Pass,
                &[SupervisorPresent],
            ),
            (
                "everything wrong",
                Some(&late),
                &[1],
                &boss,
                &[3],
                Fail,
                &[
                    RegisteredAfterStart,
                    NoSupervisorPresent,
                    SupervisorFloating,
                    PresentNotRegistered,
                    RegisteredButAbsent,
                ],
            ),
            (
                "no registration, nobody",
                None,
                &[],
                &[],
                &[],
                Fail,
                &[NoSupervisorPresent],
            ),
            (
                "no registration, people working",
                None,
                &[],
                &boss,
                &[],
                Fail,
                &[NoSupervisorPresent, PresentNotRegistered],
            ),
            (
                "unknown ids are ignored",
                Some(&team),
                &[3, 77, 3],
                &[],
                &[],
                Pass,
                &[SupervisorPresent, RegisteredButAbsent],
            ),
        ];
        for (name, reg, present, unregistered, floating, status, expected) in rows {
            let present = ticked(present, Supervisor);
            let floating: Vec<Uuid> = floating.iter().map(|n| id(*n)).collect();
            let presence = Presence {
                present: &present,
                unregistered,
            };
            let v =
                check_supervisor_present(reg, presence, &floating, TeamNorm::default(), visit());
            assert_eq!(v.status, status, "{name}");
            assert_eq!(codes(&v), expected, "{name}");
            assert_eq!(v.rule_version, RULE_VERSION);
            for r in &v.reasons {
                assert!(
                    !r.message_nl.is_empty() && !r.message_en.is_empty(),
                    "{name}"
                );
                assert_ne!(r.message_nl, r.message_en, "{name}");
            }
        }
    }

    #[test]
    fn date_in_future_is_unknown() {
        let reg = Registration {
            work_date: ymd(2024, 7, 16),
            ..team()
        };
        let present = ticked(&[1, 2, 3], MemberRole::Worker);
        let presence = Presence {
            present: &present,
            unregistered: &[],
        };
        let v = check_supervisor_present(Some(&reg), presence, &[], TeamNorm::default(), visit());
        assert_eq!(v.status, VerdictStatus::Unknown);
        assert_eq!(codes(&v), [ReasonCode::DateInFuture]);
        assert_eq!(
            v.reasons[0].message_nl,
            "De registratie is voor 16/07/2024, na vandaag (15/07/2024): de aanwezigheid kan \
             nog niet gecontroleerd worden."
        );
    }

    #[test]
    fn roles_come_from_the_registration() {
        // Chris is ticked with the wrong role, Anna as a supervisor: the registration decides.
        let present = [
            PresentPerson {
                person_id: id(1),
                role: MemberRole::Supervisor,
                name: String::new(),
                staff_ref: String::new(),
            },
            PresentPerson {
                person_id: id(3),
                role: MemberRole::Worker,
                name: String::new(),
                staff_ref: String::new(),
            },
        ];
        let presence = Presence {
            present: &present,
            unregistered: &[],
        };
        let v =
            check_supervisor_present(Some(&team()), presence, &[], TeamNorm::default(), visit());
        assert_eq!(
            v.reasons[0].message_nl,
            "Aanwezig: 1 geregistreerde begeleider (Chris Janssens)."
        );
        assert_eq!(
            v.reasons[0].message_en,
            "Present: 1 registered supervisor (Chris Janssens)."
        );
    }

    #[test]
    fn messages_name_the_people() {
        use MemberRole::*;
        let mut reg = Registration {
            registered_at: at(day(), 8, 0) + chrono::Duration::seconds(30),
            ..team()
        };
        reg.members.push(member(4, "Dana Wuyts", Supervisor));
        reg.members.push(member(5, " ", Worker));
        let present = ticked(&[3, 4], Supervisor);
        let unregistered = [stranger("Dirk Maes", Supervisor), stranger("", Worker)];
        let presence = Presence {
            present: &present,
            unregistered: &unregistered,
        };
        let v = check_supervisor_present(
            Some(&reg),
            presence,
            &[id(3), id(4)],
            TeamNorm::default(),
            visit(),
        );
        let nl: Vec<&str> = v.reasons.iter().map(|r| r.message_nl.as_str()).collect();
        let en: Vec<&str> = v.reasons.iter().map(|r| r.message_en.as_str()).collect();
        assert_eq!(
            nl,
            [
                "De registratie werd gemaakt op 15/07/2024 om 08:00:30, na de geplande start op \
                 15/07/2024 om 08:00: wie aan het werk was, was bij de start niet \
                 geregistreerd.",
                "De begeleiders Chris Janssens en Dana Wuyts zijn dezelfde dag ook geregistreerd \
                 voor een andere enclave: de begeleiding moet permanent zijn en mag niet \
                 verdeeld worden over meerdere enclaves.",
                "2 personen aan het werk maar niet geregistreerd: Dirk Maes (verklaart \
                 begeleider te zijn) en een persoon zonder opgegeven naam (verklaart \
                 doelgroepwerknemer te zijn). Een niet-geregistreerde begeleider telt niet als \
                 begeleider van het team.",
                "Aanwezig: 2 geregistreerde begeleiders (Chris Janssens en Dana Wuyts).",
                "3 personen geregistreerd maar niet aangetroffen: Anna Peeters \
                 (doelgroepwerknemer), Bert Claes (doelgroepwerknemer) en P-5 \
                 (doelgroepwerknemer).",
            ]
        );
        assert_eq!(
            en,
            [
                "The registration was made on 15/07/2024 at 08:00:30, after the planned start \
                 on 15/07/2024 at 08:00: those at work were not registered when it started.",
                "Supervisors Chris Janssens and Dana Wuyts are also registered for another \
                 enclave the same day: supervision must be permanent and may not float between \
                 enclaves.",
                "2 people working but not registered: Dirk Maes (states they are a supervisor) \
                 and a person who gave no name (states they are a target-group worker). An \
                 unregistered supervisor does not count as the team's supervisor.",
                "Present: 2 registered supervisors (Chris Janssens and Dana Wuyts).",
                "3 people registered but not found on site: Anna Peeters (target-group worker), \
                 Bert Claes (target-group worker) and P-5 (target-group worker).",
            ]
        );
    }

    #[test]
    fn no_supervisor_messages() {
        let message = |reg: Option<&Registration>| {
            let presence = Presence::default();
            check_supervisor_present(reg, presence, &[], TeamNorm::default(), visit()).reasons[0]
                .message_nl
                .clone()
        };
        assert_eq!(
            message(Some(&team())),
            "Geen geregistreerde begeleider aanwezig (geregistreerd maar niet aangetroffen: \
             Chris Janssens): elk enclaveteam moet daadwerkelijk aangestuurd worden door \
             minstens 1 begeleider."
        );
        let workers_only = registration(
            at(day(), 7, 0),
            vec![member(1, "Anna Peeters", MemberRole::Worker)],
        );
        assert!(message(Some(&workers_only)).starts_with(
            "Geen geregistreerde begeleider aanwezig (de registratie vermeldt geen begeleider)"
        ));
        assert!(message(None).starts_with("Er is geen dagelijkse registratie van het team:"));
    }

    /// When check 3 fails because the registration was late or missing, that reason opens
    /// the card, not "a registered supervisor is present".
    #[test]
    fn the_deciding_reason_comes_first() {
        let present = ticked(&[1, 2, 3], MemberRole::Worker);
        let presence = Presence {
            present: &present,
            unregistered: &[],
        };
        let late = Registration {
            registered_at: at(day(), 9, 0),
            ..team()
        };
        let v = check_supervisor_present(Some(&late), presence, &[], TeamNorm::default(), visit());
        assert_eq!(v.status, VerdictStatus::Fail);
        assert!(
            v.reasons[0]
                .message_nl
                .starts_with("De registratie werd gemaakt op 15/07/2024 om 09:00"),
            "{}",
            v.reasons[0].message_nl
        );
        assert_eq!(v.reasons[1].code, ReasonCode::SupervisorPresent);
        let none = check_supervisor_present(None, presence, &[], TeamNorm::default(), visit());
        assert_eq!(none.status, VerdictStatus::Fail);
        assert!(
            none.reasons[0]
                .message_en
                .starts_with("There is no daily registration")
        );
        // On time and present: the passing reason is first and alone.
        let v =
            check_supervisor_present(Some(&team()), presence, &[], TeamNorm::default(), visit());
        assert_eq!(codes(&v), [ReasonCode::SupervisorPresent]);
    }

    #[test]
    fn registration_timing_is_belgian_local_time() {
        let present = ticked(&[1, 2, 3], MemberRole::Worker);
        let check = |registered_at| {
            let reg = Registration {
                registered_at,
                ..team()
            };
            let presence = Presence {
                present: &present,
                unregistered: &[],
            };
            codes(&check_supervisor_present(
                Some(&reg),
                presence,
                &[],
                TeamNorm::default(),
                visit(),
            ))
        };
        // Exactly at the start is in time; 06:30 UTC is 08:30 CEST, late.
        assert_eq!(check(at(day(), 8, 0)), [ReasonCode::SupervisorPresent]);
        assert_eq!(
            check(day().and_time(hm(6, 30)).and_utc()),
            [
                ReasonCode::RegisteredAfterStart,
                ReasonCode::SupervisorPresent
            ]
        );
        // The day before is in time.
        assert_eq!(
            check(at(ymd(2024, 7, 12), 16, 0)),
            [ReasonCode::SupervisorPresent]
        );
    }

    #[test]
    fn floating_supervisors_of_the_same_day_elsewhere() {
        use MemberRole::*;
        let this = team();
        let other = |enclave: u128, date: NaiveDate, members| Registration {
            id: id(enclave + 1),
            enclave_id: id(enclave),
            work_date: date,
            ..registration(at(day(), 7, 0), members)
        };
        let others = [
            // Chris supervises another enclave the same day: floating.
            other(2000, day(), vec![member(3, "Chris Janssens", Supervisor)]),
            // Anna supervises elsewhere, but is a worker here: not a floating supervisor.
            other(2001, day(), vec![member(1, "Anna Peeters", Supervisor)]),
            // Chris is a worker elsewhere: no.
            other(2002, day(), vec![member(3, "Chris Janssens", Worker)]),
        ];
        assert_eq!(floating_supervisors(&this, &others), [id(3)]);
        assert!(floating_supervisors(&this, &others[1..]).is_empty());

        // Another day, or the same enclave (a second registration), does not count.
        let not_floating = [
            other(
                2000,
                ymd(2024, 7, 16),
                vec![member(3, "Chris Janssens", Supervisor)],
            ),
            other(1000, day(), vec![member(3, "Chris Janssens", Supervisor)]),
        ];
        assert!(floating_supervisors(&this, &not_floating).is_empty());

        // Each supervisor once, in registration order.
        let mut twice = this.clone();
        twice.members.insert(0, member(4, "Dana Wuyts", Supervisor));
        twice.members.push(member(3, "Chris Janssens", Supervisor));
        let both = [
            others[0].clone(),
            other(2003, day(), vec![member(4, "Dana Wuyts", Supervisor)]),
            other(2004, day(), vec![member(3, "Chris Janssens", Supervisor)]),
        ];
        assert_eq!(floating_supervisors(&twice, &both), [id(4), id(3)]);
    }

    /// Per registered person: supervisor?, ticked present?, floating?
    fn people() -> impl Strategy<Value = Vec<(bool, bool, bool)>> {
        prop::collection::vec(any::<(bool, bool, bool)>(), 0..8)
    }

    fn build(people: &[(bool, bool, bool)], late: bool) -> Registration {
        let members = people
            .iter()
            .enumerate()
            .map(|(i, (supervisor, _, _))| {
                let role = if *supervisor {
                    MemberRole::Supervisor
                } else {
                    MemberRole::Worker
                };
                member(i as u128 + 1, &format!("Persoon {i}"), role)
            })
            .collect();
        let registered_at = if late {
            at(day(), 8, 1)
        } else {
            at(day(), 7, 59)
        };
        registration(registered_at, members)
    }

    #[test]
    fn a_shortfall_against_the_norm_is_named_and_does_not_fail() {
        use SupportNeed::*;
        // (begeleiders, workers, need, shortfall named): 13 per begeleider for a low need, 10
        // for a medium, 7 for a high one; the most lenient (13) when the need is unknown.
        let rows: [(u128, u128, Option<SupportNeed>, Option<u32>); 9] = [
            (1, 13, Some(Low), None),
            (1, 14, Some(Low), Some(1)),
            (1, 10, Some(Medium), None),
            (1, 11, Some(Medium), Some(1)),
            (1, 7, Some(High), None),
            (1, 15, Some(High), Some(2)),
            (2, 14, Some(High), None),
            (1, 13, None, None),
            (1, 27, None, Some(2)),
        ];
        for (supervisors, workers, need, shortfall) in rows {
            let (reg, present) = crew(supervisors, workers);
            let presence = Presence {
                present: &present,
                unregistered: &[],
            };
            let team = TeamNorm {
                need,
                norm: SupervisionNorm::default(),
            };
            let v = check_supervisor_present(Some(&reg), presence, &[], team, visit());
            let case = format!("{supervisors} / {workers} / {need:?}");
            assert_eq!(v.status, VerdictStatus::Pass, "{case}");
            let named = v
                .reasons
                .iter()
                .find(|r| r.code == ReasonCode::SupervisionNormShortfall);
            assert_eq!(named.is_some(), shortfall.is_some(), "{case}");
            if let (Some(reason), Some(short)) = (named, shortfall) {
                let per = match need {
                    Some(need) => SupervisionNorm::default().workers_per_supervisor(need),
                    None => 13,
                };
                assert!(
                    reason
                        .message_nl
                        .contains(&format!("1 begeleider per {per}")),
                    "{case}"
                );
                assert!(
                    reason
                        .message_en
                        .contains(&format!("1 supervisor per {per}")),
                    "{case}"
                );
                assert!(
                    reason.message_en.contains(&format!("{short} supervisor")),
                    "{case}"
                );
            }
        }
    }

    #[test]
    fn the_norm_reason_states_the_facts() {
        let (reg, present) = crew(1, 8);
        let presence = Presence {
            present: &present,
            unregistered: &[stranger("Iemand", MemberRole::Worker)],
        };
        let team = TeamNorm {
            need: Some(SupportNeed::High),
            norm: SupervisionNorm::default(),
        };
        let v = check_supervisor_present(Some(&reg), presence, &[], team, visit());
        // An unregistered worker counts as working (and fails the check on its own).
        assert_eq!(v.status, VerdictStatus::Fail);
        let norm = v
            .reasons
            .iter()
            .find(|r| r.code == ReasonCode::SupervisionNormShortfall)
            .expect("named");
        assert_eq!(
            norm.message_nl,
            "9 doelgroepwerknemers aan het werk met 1 begeleider: de norm is 1 begeleider per 7 \
             (bij een hoge ondersteuningsnood), er is 1 begeleider te weinig."
        );
        assert_eq!(
            norm.message_en,
            "9 target-group workers at work with 1 supervisor: the norm is 1 supervisor per 7 \
             (for a high support need), 1 supervisor short."
        );
        assert!(!ReasonCode::SupervisionNormShortfall.is_failure());
    }

    #[test]
    fn an_operators_norm_is_compared_with_and_named_in_the_rule_version() {
        let (reg, present) = crew(1, 6);
        let presence = || Presence {
            present: &present,
            unregistered: &[],
        };
        let shortfall = |v: &Verdict| {
            v.reasons
                .iter()
                .any(|r| r.code == ReasonCode::SupervisionNormShortfall)
        };
        let default = TeamNorm {
            need: Some(SupportNeed::Low),
            norm: SupervisionNorm::default(),
        };
        let v = check_supervisor_present(Some(&reg), presence(), &[], default, visit());
        assert!(!shortfall(&v), "6 workers are within 13");
        assert_eq!(v.rule_version, RULE_VERSION);
        let strict = TeamNorm {
            need: Some(SupportNeed::Low),
            norm: SupervisionNorm {
                low: 5,
                medium: 4,
                high: 3,
            },
        };
        let v = check_supervisor_present(Some(&reg), presence(), &[], strict, visit());
        assert!(shortfall(&v), "6 workers are over 5");
        assert_eq!(v.rule_version, "supervisor_present/2;norm=5-4-3");
    }

    #[test]
    fn no_norm_reason_without_a_begeleider_present() {
        let (reg, _) = crew(1, 20);
        let present = ticked(&(2..=21).collect::<Vec<_>>(), MemberRole::Worker);
        let presence = Presence {
            present: &present,
            unregistered: &[],
        };
        let v = check_supervisor_present(Some(&reg), presence, &[], TeamNorm::default(), visit());
        assert_eq!(v.status, VerdictStatus::Fail);
        assert!(!codes(&v).contains(&ReasonCode::SupervisionNormShortfall));
    }

    proptest! {
        #[test]
        fn fails_iff_a_failing_reason(
            people in people(),
            strangers in prop::collection::vec(any::<bool>(), 0..3),
            unknown_ids in prop::collection::vec(100u128..200, 0..3),
            late: bool,
            registered: bool,
        ) {
            let reg = build(&people, late);
            let mut present: Vec<PresentPerson> = people
                .iter()
                .enumerate()
                .filter(|(_, (_, ticked, _))| *ticked)
                .map(|(i, _)| PresentPerson {
                    name: String::new(),
                    staff_ref: String::new(),
                    person_id: id(i as u128 + 1),
                    role: MemberRole::Worker,
                })
                .collect();
            present.extend(ticked(&unknown_ids, MemberRole::Supervisor));
            let floating: Vec<Uuid> = people
                .iter()
                .enumerate()
                .filter(|(_, (_, _, floating))| *floating)
                .map(|(i, _)| id(i as u128 + 1))
                .collect();
            let unregistered: Vec<UnregisteredPerson> = strangers
                .iter()
                .map(|s| {
                    let role = if *s { MemberRole::Supervisor } else { MemberRole::Worker };
                    stranger("Iemand", role)
                })
                .collect();
            let presence = Presence { present: &present, unregistered: &unregistered };
            let reg = registered.then_some(&reg);
            let v = check_supervisor_present(reg, presence, &floating, TeamNorm::default(), visit());

            let any_failing = v.reasons.iter().any(|r| r.code.is_failure());
            prop_assert_eq!(v.status == VerdictStatus::Fail, any_failing);
            prop_assert_ne!(v.status, VerdictStatus::Unknown);
            let expected_fail = !registered
                || !people.iter().any(|(s, t, _)| *s && *t)
                || !strangers.is_empty()
                || late
                || people.iter().any(|(s, _, f)| *s && *f);
            prop_assert_eq!(v.status == VerdictStatus::Fail, expected_fail);
            let absent = registered && people.iter().any(|(_, t, _)| !*t);
            prop_assert_eq!(codes(&v).contains(&ReasonCode::RegisteredButAbsent), absent);
        }

        #[test]
        fn everyone_registered_and_present_passes(
            people in people(),
            shuffle in any::<u64>(),
        ) {
            // At least one supervisor, nobody floating, registered in time.
            let mut people: Vec<(bool, bool, bool)> =
                people.into_iter().map(|(s, _, _)| (s, true, false)).collect();
            people.push((true, true, false));
            let reg = build(&people, false);
            let mut present = ticked(
                &(1..=people.len() as u128).collect::<Vec<_>>(),
                MemberRole::Worker,
            );
            let n = present.len();
            present.rotate_left(shuffle as usize % n);
            let presence = Presence { present: &present, unregistered: &[] };
            let v = check_supervisor_present(Some(&reg), presence, &[], TeamNorm::default(), visit());
            prop_assert_eq!(v.status, VerdictStatus::Pass);
            prop_assert_eq!(codes(&v), [ReasonCode::SupervisorPresent]);
        }
    }
}
