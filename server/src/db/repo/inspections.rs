//! Inspections, amendments and the change log devices pull from.
//!
//! Every write that adds a change takes the change-log lock first ([`lock_change_log`]), so
//! change numbers are assigned and committed in order: a pull by cursor never skips a change
//! that commits late, on SQLite or on any number of PostgreSQL instances.

use diesel::connection::SimpleConnection;
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::{AmendmentRow, ChangeRow, InspectionRow};
use crate::db::schema::{amendments, changes, inspections};
use crate::error::AppError;

/// Serialises writers of the change log until the transaction ends. PostgreSQL: a table
/// lock. SQLite: take the database write lock now (what `BEGIN IMMEDIATE` does), so the
/// transaction never has to upgrade a read lock and fail with `SQLITE_BUSY`.
pub fn lock_change_log(conn: &mut DbConnection) -> Result<(), AppError> {
    let sql = match conn {
        DbConnection::Pg(_) => "LOCK TABLE changes IN EXCLUSIVE MODE",
        DbConnection::Sqlite(_) => "UPDATE changes SET seq = seq WHERE 0",
    };
    conn.batch_execute(sql)?;
    Ok(())
}

/// The next change number; call only after [`lock_change_log`] in the same transaction.
pub fn next_seq(conn: &mut DbConnection) -> Result<i64, AppError> {
    let current: Option<i64> = changes::table.select(max(changes::seq)).first(conn)?;
    Ok(current.unwrap_or(0) + 1)
}

/// Inserts rows with one multi-row statement per chunk. `MultiConnection` cannot express a
/// batch insert for SQLite, so this dispatches on the backend.
macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {
        for chunk in $rows.chunks($chunk) {
            match &mut *$conn {
                DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

/// Appends changes.
pub fn add_changes(conn: &mut DbConnection, rows: &[ChangeRow]) -> Result<(), AppError> {
    insert_chunks!(conn, changes::table, rows, 1000);
    Ok(())
}

/// Stores new inspections.
pub fn insert_many(conn: &mut DbConnection, rows: &[InspectionRow]) -> Result<(), AppError> {
    insert_chunks!(conn, inspections::table, rows, 500);
    Ok(())
}

/// The inspections among `ids` that exist.
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<InspectionRow>, AppError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        found.extend(
            inspections::table
                .filter(inspections::id.eq_any(chunk))
                .select(InspectionRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// An inspection by id.
pub fn by_id(conn: &mut DbConnection, id: &str) -> Result<Option<InspectionRow>, AppError> {
    Ok(inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets an inspection's version (after an amendment).
pub fn set_version(conn: &mut DbConnection, id: &str, version: i32) -> Result<(), AppError> {
    diesel::update(inspections::table.find(id))
        .set(inspections::version.eq(version))
        .execute(conn)?;
    Ok(())
}

/// An amendment by id.
pub fn amendment_by_id(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<AmendmentRow>, AppError> {
    Ok(amendments::table
        .find(id)
        .select(AmendmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores an amendment.
pub fn insert_amendment(conn: &mut DbConnection, row: &AmendmentRow) -> Result<(), AppError> {
    diesel::insert_into(amendments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The amendments of an inspection, oldest first.
pub fn amendments_of(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> Result<Vec<AmendmentRow>, AppError> {
    Ok(amendments::table
        .filter(amendments::inspection_id.eq(inspection_id))
        .order((amendments::received_at.asc(), amendments::id.asc()))
        .select(AmendmentRow::as_select())
        .load(conn)?)
}

/// Up to `limit` changes for `owner` after `since`, in order.
pub fn changes_since(
    conn: &mut DbConnection,
    owner: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, AppError> {
    Ok(changes::table
        .filter(changes::owner_id.eq(owner))
        .filter(changes::seq.gt(since))
        .order(changes::seq.asc())
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?)
}
