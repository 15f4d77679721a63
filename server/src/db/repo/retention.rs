//! The statements of the retention purge (see `crate::retention`): each deletes what lies
//! before a cutoff, so running them twice deletes nothing the second time.

use chrono::NaiveDate;
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    amendments, attachments, changes, inspections, people, registration_members, registrations,
    reviews,
};

/// Ids per statement (well under both databases' parameter limits).
const CHUNK: usize = 500;

/// Deletes the registrations of work days before `before`, with their member lists, and the
/// people only they named; returns how many registrations and how many people.
pub fn delete_registrations_before(
    conn: &mut DbConnection,
    before: NaiveDate,
) -> QueryResult<(usize, usize)> {
    let old = || {
        registrations::table
            .filter(registrations::work_date.lt(before))
            .select(registrations::id)
    };
    let named: Vec<String> = registration_members::table
        .filter(registration_members::registration_id.eq_any(old()))
        .select(registration_members::person_id)
        .distinct()
        .load(conn)?;
    diesel::delete(
        registration_members::table.filter(registration_members::registration_id.eq_any(old())),
    )
    .execute(conn)?;
    let registrations =
        diesel::delete(registrations::table.filter(registrations::work_date.lt(before)))
            .execute(conn)?;
    let mut people_gone = 0;
    for chunk in named.chunks(CHUNK) {
        let still_named = registration_members::table.select(registration_members::person_id);
        people_gone += diesel::delete(
            people::table
                .filter(people::id.eq_any(chunk))
                .filter(people::id.ne_all(still_named)),
        )
        .execute(conn)?;
    }
    Ok((registrations, people_gone))
}

/// The approved inspections of days before `before`: `(id, record JSON)`. Inspections still
/// submitted or returned are open work and never purged.
pub fn approved_inspections_before(
    conn: &mut DbConnection,
    before: NaiveDate,
) -> QueryResult<Vec<(String, String)>> {
    inspections::table
        .filter(inspections::on_date.lt(before))
        .filter(inspections::review_state.eq("approved"))
        .select((inspections::id, inspections::record))
        .load(conn)
}

/// Deletes inspections with their amendments, review decisions and change-log entries (a
/// device pulling from the start must not be sent to an inspection that is gone). The newest
/// change-log entry stays, whatever it names: the next change number is counted from it.
pub fn delete_inspections(conn: &mut DbConnection, ids: &[String]) -> QueryResult<()> {
    let newest: Option<i64> = changes::table.select(max(changes::seq)).first(conn)?;
    for chunk in ids.chunks(CHUNK) {
        diesel::delete(amendments::table.filter(amendments::inspection_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(reviews::table.filter(reviews::inspection_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(
            changes::table
                .filter(changes::inspection_id.eq_any(chunk))
                .filter(changes::seq.lt(newest.unwrap_or(0))),
        )
        .execute(conn)?;
        diesel::delete(inspections::table.filter(inspections::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(())
}

/// Deletes the attachment rows of the photos among `hashes` that no remaining inspection
/// names; returns those hashes (their files are the caller's to delete, after commit).
pub fn delete_unreferenced_photos(
    conn: &mut DbConnection,
    hashes: &[String],
) -> QueryResult<Vec<String>> {
    let mut gone = Vec::new();
    for hash in hashes {
        let still_named: i64 = inspections::table
            .filter(inspections::record.like(format!("%{hash}%")))
            .count()
            .get_result(conn)?;
        if still_named == 0 && diesel::delete(attachments::table.find(hash)).execute(conn)? > 0 {
            gone.push(hash.clone());
        }
    }
    Ok(gone)
}

/// Takes the purge's lock for the rest of the transaction: `false` when another instance is
/// purging now (PostgreSQL). SQLite has one writer at a time anyway.
pub fn try_lock(conn: &mut DbConnection) -> QueryResult<bool> {
    /// Advisory lock key of the purge (the migrations use another).
    const PURGE_LOCK_KEY: i64 = 0x0E4C_0001;
    match conn {
        DbConnection::Pg(c) => Ok(diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &format!("pg_try_advisory_xact_lock({PURGE_LOCK_KEY})"),
        ))
        .get_result(c)?),
        DbConnection::Sqlite(_) => Ok(true),
    }
}
