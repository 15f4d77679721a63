//! The enclave register for the lookup index, and the day's registration for the enclave page.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use shared::rules::supervision_norm::SupportNeed;

use crate::db::DbConnection;
use crate::db::rows::{
    ContractRow, EnclaveRow, OrganisationRow, PersonRow, RegistrationMemberRow, RegistrationRow,
};
use crate::db::schema::{
    contracts, enclaves, organisations, people, registration_members, registrations,
};

/// The register as the lookup index needs it: every enclave, organisation and contract.
pub struct Register {
    /// Sorted by `(sort_key, id)`.
    pub enclaves: Vec<EnclaveRow>,
    pub organisations: Vec<OrganisationRow>,
    /// Newest start first.
    pub contracts: Vec<ContractRow>,
}

/// Loads the whole register (three queries).
pub fn register(conn: &mut DbConnection) -> QueryResult<Register> {
    Ok(Register {
        enclaves: enclaves::table
            .select(EnclaveRow::as_select())
            .order((enclaves::sort_key.asc(), enclaves::id.asc()))
            .load(conn)?,
        organisations: organisations::table
            .select(OrganisationRow::as_select())
            .load(conn)?,
        contracts: contracts::table
            .select(ContractRow::as_select())
            .order((contracts::start_date.desc(), contracts::id.asc()))
            .load(conn)?,
    })
}

/// A cheap fingerprint of the register: row counts and latest updates of enclaves,
/// organisations and contracts. When it changes, the lookup index reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisterVersion {
    pub enclaves: (i64, Option<NaiveDateTime>),
    pub organisations: (i64, Option<NaiveDateTime>),
    pub contracts: (i64, Option<NaiveDateTime>),
}

/// The register's current fingerprint (one aggregate query per table).
pub fn register_version(conn: &mut DbConnection) -> QueryResult<RegisterVersion> {
    let enclaves = enclaves::table
        .select((count_star(), max(enclaves::updated_at)))
        .first(conn)?;
    let organisations = organisations::table
        .select((count_star(), max(organisations::updated_at)))
        .first(conn)?;
    let contracts = contracts::table
        .select((count_star(), max(contracts::updated_at)))
        .first(conn)?;
    Ok(RegisterVersion {
        enclaves,
        organisations,
        contracts,
    })
}

/// Records the support need of an enclave's team (the register import's column).
pub fn set_support_need(
    conn: &mut DbConnection,
    id: &str,
    need: SupportNeed,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(enclaves::table.find(id))
        .set((
            enclaves::support_need.eq(need.as_str()),
            enclaves::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A registration with its members and who they are.
pub type RegistrationWithMembers = (RegistrationRow, Vec<(RegistrationMemberRow, PersonRow)>);

/// The registration of an enclave for a work date, with its members (supervisors first), in
/// one query.
pub fn registration(
    conn: &mut DbConnection,
    enclave_id: &str,
    on: NaiveDate,
) -> QueryResult<Option<RegistrationWithMembers>> {
    let rows: Vec<RegistrationMemberJoin> = registrations::table
        // A flat chain of left joins: a nested `LEFT JOIN (a JOIN b)` makes SQLite
        // materialise the inner join over every member of every registration.
        .left_join(registration_members::table)
        .left_join(people::table.on(people::id.eq(registration_members::person_id)))
        .filter(registrations::enclave_id.eq(enclave_id))
        .filter(registrations::work_date.eq(on))
        .order((registration_members::role.asc(), people::display_name.asc()))
        .select((
            RegistrationRow::as_select(),
            Option::<RegistrationMemberRow>::as_select(),
            Option::<PersonRow>::as_select(),
        ))
        .load(conn)?;
    let Some(registration) = rows.first().map(|(r, _, _)| r.clone()) else {
        return Ok(None);
    };
    let members = rows
        .into_iter()
        .filter_map(|(_, member, person)| member.zip(person))
        .collect();
    Ok(Some((registration, members)))
}

/// A cheap fingerprint of one work day's registrations: how many there are, the newest
/// one's creation, and how many members they have. Registrations are added (with their members,
/// in one transaction) and purged long after their day, never rewritten; when the fingerprint
/// changes, the lookup index reloads the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayVersion {
    pub day: NaiveDate,
    pub registrations: (i64, Option<NaiveDateTime>),
    pub members: i64,
}

/// The fingerprint of the registrations of `day` (two aggregate queries over its index).
pub fn day_version(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<DayVersion> {
    let registrations = registrations::table
        .filter(registrations::work_date.eq(day))
        .select((count_star(), max(registrations::created_at)))
        .first(conn)?;
    let members = registration_members::table
        .inner_join(registrations::table)
        .filter(registrations::work_date.eq(day))
        .count()
        .get_result(conn)?;
    Ok(DayVersion {
        day,
        registrations,
        members,
    })
}

/// Every registration with a work date in `from..=to`, with its members (supervisors
/// first), in one query; ordered by registration.
pub fn registrations_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<RegistrationWithMembers>> {
    let rows: Vec<RegistrationMemberJoin> = registrations::table
        .left_join(registration_members::table)
        .left_join(people::table.on(people::id.eq(registration_members::person_id)))
        .filter(registrations::work_date.between(from, to))
        .order((
            registrations::id.asc(),
            registration_members::role.asc(),
            people::display_name.asc(),
        ))
        .select((
            RegistrationRow::as_select(),
            Option::<RegistrationMemberRow>::as_select(),
            Option::<PersonRow>::as_select(),
        ))
        .load(conn)?;
    Ok(with_members(rows))
}

/// A registration joined with each of its members (or none), ordered by registration.
type RegistrationMemberJoin = (
    RegistrationRow,
    Option<RegistrationMemberRow>,
    Option<PersonRow>,
);

/// Joined rows ordered by registration, grouped: each registration with its members.
fn with_members(rows: Vec<RegistrationMemberJoin>) -> Vec<RegistrationWithMembers> {
    let mut out: Vec<RegistrationWithMembers> = Vec::new();
    for (registration, member, person) in rows {
        if out.last().is_none_or(|(r, _)| r.id != registration.id) {
            out.push((registration, Vec::new()));
        }
        if let (Some((_, members)), Some(pair)) = (out.last_mut(), member.zip(person)) {
            members.push(pair);
        }
    }
    out
}

/// The provinces of the enclaves among `ids` that exist.
pub fn provinces(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        found.extend(
            enclaves::table
                .filter(enclaves::id.eq_any(chunk))
                .select((enclaves::id, enclaves::province))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(found)
}
