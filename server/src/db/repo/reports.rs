//! The reports' counting, done where the data are: the people of a year's daily registrations
//! (for the yearly contract overview) are read from the counts the database keeps as
//! registrations arrive and go, and a year's inspections (for the statistics) are grouped and
//! counted in SQL, so that some thousands of counts leave the database instead of every
//! registered person-day or every inspection record.
//!
//! What is counted is stated in `shared::rules::overview` and `shared::rules::statistics`;
//! these functions fill the same [`RegisteredCounts`] and [`InspectionTally`] the rules fill
//! from single rows, and the API tests hold both ways of counting equal.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{case_when, count_star, sum};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::Integer;
use shared::dto::inspection::Measure;
use shared::dto::registration::MemberRole;
use shared::dto::report::{CheckCounts, Headcount, MaatwerkbedrijfHeadcount};
use shared::dto::review::ReviewState;
use shared::rules::overview::{Owners, RegisteredCounts};
use shared::rules::statistics::{InspectionTally, Visited};
use shared::rules::verdict::VerdictStatus;
use uuid::Uuid;

use crate::db::DbConnection;
use crate::db::schema::{
    enclaves, inspections, registered_people, registration_members, registrations,
};

/// The people registered in `year`, counted per enclave, over `overview_enclaves` together
/// and per maatwerkbedrijf (`owners`, which also names them).
///
/// The database keeps each person's registered days per year, enclave and role up to date
/// (`registered_people`, some thousands of rows a year), so the year's counts are read, not
/// grouped from its registered person-days. A person's days for a maatwerkbedrijf are their
/// days in its enclaves together, except for the few registered in two of its enclaves (a
/// floating supervisor), who may have been in both on one day: a second, small query counts
/// their days in several enclaves of one maatwerkbedrijf (the enclave's as stored), which
/// are taken off once for each further enclave.
pub fn registered_counts(
    conn: &mut DbConnection,
    year: i32,
    overview_enclaves: &HashSet<Uuid>,
    owners: &Owners,
) -> QueryResult<RegisteredCounts> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        // A year no stored day can fall in.
        return Ok(RegisteredCounts::default());
    };
    let per_enclave: Vec<(String, String, String, i32)> = registered_people::table
        .filter(registered_people::year.eq(year))
        .select((
            registered_people::enclave_id,
            registered_people::person_id,
            registered_people::role,
            registered_people::days,
        ))
        .load(conn)?;

    let mut counts = RegisteredCounts::default();
    let mut total_people = HashSet::new();
    let mut enclaves_of: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    // Per (maatwerkbedrijf, person, role): in how many of its enclaves, and the days summed.
    let mut people_of: HashMap<(Uuid, Uuid, MemberRole), (u32, u32)> = HashMap::new();
    for (enclave, person, role, days) in per_enclave {
        let (enclave, person, role) = (uuid(&enclave)?, uuid(&person)?, member_role(&role)?);
        let days = days as u32;
        tick(counts.per_enclave.entry(enclave).or_default(), role, days);
        if overview_enclaves.contains(&enclave) {
            if total_people.insert((person, role)) {
                add_person(&mut counts.total, role);
            }
            add_days(&mut counts.total, role, days);
        }
        counts.registered_days += days;
        if let Some((maatwerkbedrijf, _)) = owners.get(&enclave) {
            enclaves_of
                .entry(*maatwerkbedrijf)
                .or_default()
                .insert(enclave);
            let (in_enclaves, summed) = people_of
                .entry((*maatwerkbedrijf, person, role))
                .or_default();
            *in_enclaves += 1;
            *summed += days;
        }
    }

    let in_several: Vec<String> = people_of
        .iter()
        .filter(|(_, (in_enclaves, _))| *in_enclaves > 1)
        .map(|((_, person, _), _)| person.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Per (maatwerkbedrijf, person, role): the days counted twice or more, once for each
    // further enclave of the maatwerkbedrijf the person was registered in that day.
    let mut counted_again: HashMap<(Uuid, Uuid, MemberRole), u32> = HashMap::new();
    for people in in_several.chunks(1000) {
        let same_days: Vec<(String, String, String, i64)> = registrations::table
            .inner_join(registration_members::table)
            .inner_join(enclaves::table)
            .filter(registrations::work_date.between(from, to))
            .filter(registration_members::person_id.eq_any(people))
            .group_by((
                enclaves::maatwerkbedrijf_id,
                registration_members::person_id,
                registration_members::role,
                registrations::work_date,
            ))
            .having(count_star().gt(1))
            .select((
                enclaves::maatwerkbedrijf_id,
                registration_members::person_id,
                registration_members::role,
                count_star(),
            ))
            .load(conn)?;
        for (maatwerkbedrijf, person, role, enclaves) in same_days {
            *counted_again
                .entry((uuid(&maatwerkbedrijf)?, uuid(&person)?, member_role(&role)?))
                .or_default() += enclaves as u32 - 1;
        }
    }

    let mut per_mwb: HashMap<Uuid, Headcount> = HashMap::new();
    for (key, (_, summed)) in people_of {
        let days = summed - counted_again.get(&key).copied().unwrap_or(0);
        let (maatwerkbedrijf, _, role) = key;
        tick(per_mwb.entry(maatwerkbedrijf).or_default(), role, days);
    }
    let names: HashMap<Uuid, &str> = owners
        .values()
        .map(|(id, name)| (*id, name.as_str()))
        .collect();
    counts.per_maatwerkbedrijf = per_mwb
        .into_iter()
        .map(|(id, headcount)| MaatwerkbedrijfHeadcount {
            maatwerkbedrijf_id: id,
            maatwerkbedrijf: names.get(&id).copied().unwrap_or_default().to_owned(),
            enclaves: enclaves_of.get(&id).map_or(0, |e| e.len() as u32),
            headcount,
        })
        .collect();
    Ok(counts)
}

/// Counts one more person of `role` with their `days`.
fn tick(headcount: &mut Headcount, role: MemberRole, days: u32) {
    add_person(headcount, role);
    add_days(headcount, role, days);
}

/// Counts one more person of `role`.
fn add_person(headcount: &mut Headcount, role: MemberRole) {
    match role {
        MemberRole::Worker => headcount.workers += 1,
        MemberRole::Supervisor => headcount.supervisors += 1,
    }
}

/// Counts `days` more registered days of `role`.
fn add_days(headcount: &mut Headcount, role: MemberRole, days: u32) {
    match role {
        MemberRole::Worker => headcount.worker_days += days,
        MemberRole::Supervisor => headcount.supervisor_days += days,
    }
}

/// `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`: the inspections meeting a condition.
macro_rules! counted_if {
    ($condition:expr) => {
        sum(case_when($condition, 1.into_sql::<Integer>()).otherwise(0))
    };
}

/// `COUNT(*)` and, per check and for any check, the inspections that found it failing, as
/// read by [`check_counts`].
macro_rules! check_counts {
    () => {{
        use inspections::{contract_filed, daily_registration, supervisor_present};
        let fail = VerdictStatus::Fail.as_str();
        (
            count_star(),
            counted_if!(contract_filed.eq(fail)),
            counted_if!(daily_registration.eq(fail)),
            counted_if!(supervisor_present.eq(fail)),
            counted_if!(
                contract_filed
                    .eq(fail)
                    .or(daily_registration.eq(fail))
                    .or(supervisor_present.eq(fail))
            ),
        )
    }};
}

/// What [`check_counts!`] selects.
type Checked = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// The inspections done between `from` and `to` (one year), counted per month, per enclave
/// (placed by `visited`; inspections of an enclave it does not know are left out of the
/// places) and per measure, with the people present summed. Two grouped queries, planned for
/// the dates asked ([`crate::db::planned_for_values`]): one row per enclave, and one per (day,
/// measure, review state).
pub fn inspection_tally(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    visited: impl Fn(Uuid) -> Option<Visited>,
) -> QueryResult<InspectionTally> {
    crate::db::planned_for_values(conn, |conn| tally(conn, from, to, visited))
}

fn tally(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    visited: impl Fn(Uuid) -> Option<Visited>,
) -> QueryResult<InspectionTally> {
    let per_enclave: Vec<(String, Checked)> = inspections::table
        .filter(inspections::on_date.between(from, to))
        .group_by(inspections::enclave_id)
        .select((inspections::enclave_id, check_counts!()))
        .load(conn)?;
    type People = (Option<i64>, Option<i64>, Option<i64>);
    type FollowedUp = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let per_day: Vec<(NaiveDate, String, String, Checked, People, FollowedUp)> = inspections::table
        .filter(inspections::on_date.between(from, to))
        .group_by((
            inspections::on_date,
            inspections::measure,
            inspections::review_state,
        ))
        .select((
            inspections::on_date,
            inspections::measure,
            inspections::review_state,
            check_counts!(),
            (
                sum(inspections::workers_present),
                sum(inspections::supervisors_present),
                sum(inspections::unregistered),
            ),
            (
                counted_if!(inspections::not_remedied.eq(0)),
                counted_if!(inspections::not_remedied.gt(0)),
                sum(inspections::remedied),
                sum(inspections::not_remedied),
            ),
        ))
        .load(conn)?;

    let mut tally = InspectionTally::default();
    for (enclave, checked) in per_enclave {
        if let Some(place) = visited(uuid(&enclave)?) {
            tally.visits.push((place, check_counts(checked)));
        }
    }
    for (day, measure, state, checked, (workers, supervisors, unregistered), followed_up) in per_day
    {
        let (remedied, not_remedied, shortcomings_remedied, shortcomings_not_remedied) =
            followed_up;
        let f = &mut tally.follow_ups;
        f.remedied += summed(remedied);
        f.not_remedied += summed(not_remedied);
        f.shortcomings_remedied += summed(shortcomings_remedied);
        f.shortcomings_not_remedied += summed(shortcomings_not_remedied);
        let n = checked.0 as u32;
        tally.months[day.month0() as usize].merge(&check_counts(checked));
        tally.workers_present += summed(workers);
        tally.supervisors_present += summed(supervisors);
        tally.unregistered += summed(unregistered);
        let measure = Measure::parse(&measure).ok_or_else(|| corrupt("measure", &measure))?;
        let state = ReviewState::parse(&state).ok_or_else(|| corrupt("review state", &state))?;
        let (proposed, taken) = tally.measures.entry(measure).or_default();
        *proposed += n;
        if state == ReviewState::Approved {
            *taken += n;
        }
    }
    Ok(tally)
}

/// Check counts as [`check_counts!`] selected them.
fn check_counts((inspections, contract, registration, supervisor, any): Checked) -> CheckCounts {
    CheckCounts {
        inspections: inspections as u32,
        contract_filed_failed: summed(contract),
        daily_registration_failed: summed(registration),
        supervisor_present_failed: summed(supervisor),
        any_failed: summed(any),
    }
}

/// A `SUM` as a count (`NULL` over no rows is 0).
fn summed(sum: Option<i64>) -> u32 {
    sum.unwrap_or(0) as u32
}

fn uuid(s: &str) -> QueryResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt("uuid", s))
}

fn member_role(s: &str) -> QueryResult<MemberRole> {
    MemberRole::parse(s).ok_or_else(|| corrupt("role", s))
}

/// A stored value the server cannot read: the database holds what no writer wrote.
fn corrupt(what: &str, value: &str) -> DieselError {
    DieselError::DeserializationError(format!("bad stored {what}: {value:?}").into())
}
