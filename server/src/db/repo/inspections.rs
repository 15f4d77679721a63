//! Inspections, their amendments and review decisions. Their changes devices pull are
//! appended through the [`journal`](super::journal).

use diesel::prelude::*;

use crate::db::DbConnection;
use shared::dto::inspection::{Correction, Measure};
use shared::dto::review::ReviewState;

use super::insert_chunks;
use crate::db::rows::{AmendmentRow, InspectionRow, ReviewRow};
use crate::db::schema::{amendments, inspections, reviews};
use crate::error::AppError;

/// Stores new inspections.
pub fn insert_many(conn: &mut DbConnection, rows: &[InspectionRow]) -> Result<(), AppError> {
    insert_chunks!(conn, inspections::table, rows, 500)?;
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

/// Sets an inspection's version after an amendment; an amended inspection waits for review
/// again.
pub fn set_version(conn: &mut DbConnection, id: &str, version: i32) -> Result<(), AppError> {
    diesel::update(inspections::table.find(id))
        .set((
            inspections::version.eq(version),
            inspections::review_state.eq(ReviewState::Submitted.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a review decision and the inspection's new review state.
pub fn insert_review(
    conn: &mut DbConnection,
    row: &ReviewRow,
    state: ReviewState,
) -> Result<(), AppError> {
    diesel::insert_into(reviews::table)
        .values(row)
        .execute(conn)?;
    diesel::update(inspections::table.find(&row.inspection_id))
        .set(inspections::review_state.eq(state.as_str()))
        .execute(conn)?;
    Ok(())
}

/// The decisions on an inspection, oldest first.
pub fn reviews_of(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> Result<Vec<ReviewRow>, AppError> {
    Ok(reviews::table
        .filter(reviews::inspection_id.eq(inspection_id))
        .order((reviews::decided_at.asc(), reviews::id.asc()))
        .select(ReviewRow::as_select())
        .load(conn)?)
}

/// An inspection, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; SQLite
/// holds the database write lock once
/// [`lock_change_log`](super::journal::lock_change_log) ran).
pub fn by_id_for_update(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<InspectionRow>, AppError> {
    Ok(match conn {
        DbConnection::Pg(c) => inspections::table
            .find(id)
            .select(InspectionRow::as_select())
            .for_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => inspections::table
            .find(id)
            .select(InspectionRow::as_select())
            .first(c)
            .optional()?,
    })
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

/// The structured corrections of an inspection's conclusion, oldest first.
pub fn corrections_of(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> Result<Vec<Correction>, AppError> {
    Ok(amendments_of(conn, inspection_id)?
        .into_iter()
        .filter_map(|a| {
            let measure = a.measure.as_deref().and_then(Measure::parse);
            (measure.is_some() || a.deadline.is_some()).then_some(Correction {
                measure,
                deadline: a.deadline,
            })
        })
        .collect())
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

/// An inspection as the review queue lists it (without the record itself).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inspections)]
pub struct QueueRow {
    pub id: String,
    pub enclave_id: String,
    pub inspector_id: String,
    pub on_date: chrono::NaiveDate,
    pub measure: String,
    pub contract_filed: String,
    pub daily_registration: String,
    pub supervisor_present: String,
    pub version: i32,
    pub review_state: String,
    pub received_at: chrono::NaiveDateTime,
    pub report_notified_on: String,
}

/// Filters of the review queue. Text filters are SQL `LIKE` patterns (`%` for "any"), so
/// every filter is always present and the query has one static type on both backends.
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub inspector: String,
    pub state: String,
    pub measure: String,
    /// `''` for reports not yet notified, `%` for any.
    pub notified: String,
    /// Patterns for contract_filed, daily_registration, supervisor_present.
    pub checks: [String; 3],
    /// Only these enclaves (`None`: any).
    pub enclaves: Option<Vec<String>>,
    /// Keyset: strictly before this `(received_at, id)`, newest first.
    pub before: (chrono::NaiveDateTime, String),
    pub limit: i64,
}

/// The inspections that pass the queue's filters (all but the keyset), as one query
/// expression on both backends.
macro_rules! queue_filtered {
    ($f:expr) => {
        inspections::table
            .filter(inspections::on_date.between($f.from, $f.to))
            .filter(inspections::inspector_id.like($f.inspector.clone()))
            .filter(inspections::review_state.like($f.state.clone()))
            .filter(inspections::measure.like($f.measure.clone()))
            .filter(inspections::report_notified_on.like($f.notified.clone()))
            .filter(inspections::contract_filed.like($f.checks[0].clone()))
            .filter(inspections::daily_registration.like($f.checks[1].clone()))
            .filter(inspections::supervisor_present.like($f.checks[2].clone()))
    };
}

/// One page of the review queue, newest first.
pub fn queue(conn: &mut DbConnection, f: &QueueFilter) -> Result<Vec<QueueRow>, AppError> {
    let (ts, id) = (f.before.0, f.before.1.clone());
    let base = queue_filtered!(f)
        .filter(
            inspections::received_at
                .lt(ts)
                .or(inspections::received_at.eq(ts).and(inspections::id.lt(id))),
        )
        .order((inspections::received_at.desc(), inspections::id.desc()))
        .limit(f.limit)
        .select(QueueRow::as_select());
    Ok(match &f.enclaves {
        None => base.load(conn)?,
        Some(ids) => base
            .filter(inspections::enclave_id.eq_any(ids.clone()))
            .load(conn)?,
    })
}

/// How many inspections the queue's filters match, over every page.
pub fn queue_count(conn: &mut DbConnection, f: &QueueFilter) -> Result<i64, AppError> {
    let base = queue_filtered!(f).count();
    Ok(match &f.enclaves {
        None => base.get_result(conn)?,
        Some(ids) => queue_filtered!(f)
            .filter(inspections::enclave_id.eq_any(ids.clone()))
            .count()
            .get_result(conn)?,
    })
}

/// How many inspections wait for a reviewer (the review queue's depth, for metrics).
pub fn awaiting_review(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(inspections::table
        .filter(inspections::review_state.eq(ReviewState::Submitted.as_str()))
        .count()
        .get_result(conn)?)
}

/// Records when the offender was notified of a report.
pub fn set_report_notified(
    conn: &mut DbConnection,
    id: &str,
    on: chrono::NaiveDate,
) -> Result<(), AppError> {
    diesel::update(inspections::table.find(id))
        .set(inspections::report_notified_on.eq(on.to_string()))
        .execute(conn)?;
    Ok(())
}

/// Display names of users by id.
pub fn display_names(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, AppError> {
    use crate::db::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)?)
}
