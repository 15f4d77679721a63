//! Daily registrations as imports store them: one per enclave and work date, with its
//! members (people of the maatwerkbedrijf, known by their staff number there). An import
//! reads what its file's window already holds with a few bounded queries and writes in
//! batches, whatever the file's size.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::insert_chunks;
use crate::db::DbConnection;
use crate::db::rows::{PersonRow, RegistrationMemberRow, RegistrationRow};
use crate::db::schema::{people, registration_members, registrations};

/// Enclave ids per `IN` list: well under SQLite's variable limit.
const IDS_PER_QUERY: usize = 500;

/// A stored registration and its members as (staff number, role).
#[derive(Debug, Clone)]
pub struct Stored {
    pub registration: RegistrationRow,
    pub members: Vec<(String, String)>,
}

/// The registrations of `enclave_ids` with a work date in `from..=to`, with their members:
/// one query per 500 enclaves.
pub fn in_window(
    conn: &mut DbConnection,
    enclave_ids: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Stored>> {
    let mut stored: BTreeMap<String, Stored> = BTreeMap::new();
    for chunk in enclave_ids.chunks(IDS_PER_QUERY) {
        let rows: Vec<(RegistrationRow, Option<String>, Option<String>)> = registrations::table
            .left_join(registration_members::table)
            .left_join(people::table.on(people::id.eq(registration_members::person_id)))
            .filter(registrations::enclave_id.eq_any(chunk))
            .filter(registrations::work_date.between(from, to))
            .select((
                RegistrationRow::as_select(),
                people::company_reference.nullable(),
                registration_members::role.nullable(),
            ))
            .load(conn)?;
        for (registration, staff_number, role) in rows {
            let entry = stored
                .entry(registration.id.clone())
                .or_insert_with(|| Stored {
                    registration,
                    members: Vec::new(),
                });
            if let (Some(staff_number), Some(role)) = (staff_number, role) {
                entry.members.push((staff_number, role));
            }
        }
    }
    Ok(stored.into_values().collect())
}

/// The people of the maatwerkbedrijven `ids`.
pub fn people_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<PersonRow>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        found.extend(
            people::table
                .filter(people::maatwerkbedrijf_id.eq_any(chunk))
                .select(PersonRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Stores new people, registrations and their members, in batches.
pub fn insert(
    conn: &mut DbConnection,
    new_people: &[PersonRow],
    new_registrations: &[RegistrationRow],
    members: &[RegistrationMemberRow],
) -> QueryResult<()> {
    insert_chunks!(conn, people::table, new_people, 2000)?;
    insert_chunks!(conn, registrations::table, new_registrations, 2000)?;
    insert_chunks!(conn, registration_members::table, members, 5000)
}
