//! Inspections, amendments and the change log devices pull from.
//!
//! Every write that adds a change takes the change-log lock first ([`lock_change_log`]), so
//! change numbers are assigned and committed in order: a pull by cursor never skips a change
//! that commits late, on SQLite or on any number of PostgreSQL instances.

use chrono::NaiveDateTime;
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

/// Appends a change.
pub fn add_change(conn: &mut DbConnection, change: &ChangeRow) -> Result<(), AppError> {
    diesel::insert_into(changes::table)
        .values(change)
        .execute(conn)?;
    Ok(())
}

/// An inspection by id.
pub fn by_id(conn: &mut DbConnection, id: &str) -> Result<Option<InspectionRow>, AppError> {
    Ok(inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a new inspection.
pub fn insert(conn: &mut DbConnection, row: &InspectionRow) -> Result<(), AppError> {
    diesel::insert_into(inspections::table)
        .values(row)
        .execute(conn)?;
    Ok(())
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

/// A change row for an entity, numbered now.
pub fn change(
    conn: &mut DbConnection,
    entity: &str,
    entity_id: &str,
    inspection_id: &str,
    owner_id: &str,
    received_at: NaiveDateTime,
) -> Result<ChangeRow, AppError> {
    Ok(ChangeRow {
        seq: next_seq(conn)?,
        entity: entity.to_owned(),
        entity_id: entity_id.to_owned(),
        inspection_id: inspection_id.to_owned(),
        owner_id: owner_id.to_owned(),
        deleted: false,
        received_at,
    })
}
