//! Inspections, their amendments and review decisions. Their changes devices pull are
//! appended through the [`journal`](super::journal).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::{DbBackend, DbConnection};
use shared::dto::inspection::{CheckKind, Correction, Measure};
use shared::dto::review::ReviewState;
use shared::rules::verdict::VerdictStatus;

use super::insert_chunks;
use crate::db::rows::{AmendmentRow, InspectionRow, ReviewRow};
use crate::db::schema::{amendments, inspections, reviews};

/// Stores new inspections.
pub fn insert_many(conn: &mut DbConnection, rows: &[InspectionRow]) -> QueryResult<()> {
    insert_chunks!(conn, inspections::table, rows, 500)?;
    Ok(())
}

/// The inspections among `ids` that exist.
pub fn by_ids(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<InspectionRow>> {
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
pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<InspectionRow>> {
    inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()
}

/// Sets an inspection's version after an amendment; an amended inspection waits for review
/// again.
pub fn set_version(conn: &mut DbConnection, id: &str, version: i32) -> QueryResult<()> {
    diesel::update(inspections::table.find(id))
        .set((
            inspections::version.eq(version),
            inspections::review_state.eq(ReviewState::Submitted.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets when an inspection's follow-up is due (after an amendment corrected its measure or
/// deadline).
pub fn set_follow_up_due(
    conn: &mut DbConnection,
    id: &str,
    due: Option<chrono::NaiveDate>,
) -> QueryResult<()> {
    diesel::update(inspections::table.find(id))
        .set(inspections::follow_up_due.eq(due))
        .execute(conn)?;
    Ok(())
}

/// Stores a review decision and the inspection's new review state.
pub fn insert_review(
    conn: &mut DbConnection,
    row: &ReviewRow,
    state: ReviewState,
) -> QueryResult<()> {
    diesel::insert_into(reviews::table)
        .values(row)
        .execute(conn)?;
    diesel::update(inspections::table.find(&row.inspection_id))
        .set(inspections::review_state.eq(state.as_str()))
        .execute(conn)?;
    Ok(())
}

/// The decisions on an inspection, oldest first.
pub fn reviews_of(conn: &mut DbConnection, inspection_id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(reviews::inspection_id.eq(inspection_id))
        .order((reviews::decided_at.asc(), reviews::id.asc()))
        .select(ReviewRow::as_select())
        .load(conn)
}

/// An inspection, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; SQLite
/// holds the database write lock once
/// [`lock_change_log`](super::journal::lock_change_log) ran).
pub fn by_id_for_update(conn: &mut DbConnection, id: &str) -> QueryResult<Option<InspectionRow>> {
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
pub fn amendment_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AmendmentRow>> {
    amendments::table
        .find(id)
        .select(AmendmentRow::as_select())
        .first(conn)
        .optional()
}

/// Stores an amendment.
pub fn insert_amendment(conn: &mut DbConnection, row: &AmendmentRow) -> QueryResult<()> {
    diesel::insert_into(amendments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The structured corrections of an inspection's conclusion, oldest first.
pub fn corrections_of(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> QueryResult<Vec<Correction>> {
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
) -> QueryResult<Vec<AmendmentRow>> {
    amendments::table
        .filter(amendments::inspection_id.eq(inspection_id))
        .order((amendments::received_at.asc(), amendments::id.asc()))
        .select(AmendmentRow::as_select())
        .load(conn)
}

/// An inspection as the risk planning weighs it: the statuses that count and the record
/// (whose conclusion holds the deadline).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inspections)]
pub struct HistoryRow {
    pub id: String,
    pub enclave_id: String,
    pub on_date: chrono::NaiveDate,
    pub contract_filed: String,
    pub daily_registration: String,
    pub supervisor_present: String,
    pub record: String,
}

/// Every inspection on or after `since`.
pub fn history_since(
    conn: &mut DbConnection,
    since: chrono::NaiveDate,
) -> QueryResult<Vec<HistoryRow>> {
    inspections::table
        .filter(inspections::on_date.ge(since))
        .select(HistoryRow::as_select())
        .load(conn)
}

/// The structured corrections of the inspections on or after `since`, by inspection, each
/// inspection's oldest first (as [`corrections_of`]).
pub fn corrections_since(
    conn: &mut DbConnection,
    since: chrono::NaiveDate,
) -> QueryResult<HashMap<String, Vec<Correction>>> {
    let ids: Vec<String> = inspections::table
        .filter(inspections::on_date.ge(since))
        .select(inspections::id)
        .load(conn)?;
    corrections_of_many(conn, &ids)
}

/// The day of each inspected enclave's last inspection, as `(enclave id, day)`.
pub fn last_inspections(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(String, Option<chrono::NaiveDate>)>> {
    inspections::table
        .group_by(inspections::enclave_id)
        .select((
            inspections::enclave_id,
            diesel::dsl::max(inspections::on_date),
        ))
        .load(conn)
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
    pub report_notified_on: Option<chrono::NaiveDate>,
}

/// Filters of the review queue; `None` matches any value.
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub inspector: Option<String>,
    pub state: Option<ReviewState>,
    pub measure: Option<Measure>,
    /// Only reports whose offender was not yet notified.
    pub not_notified: bool,
    /// Only inspections that fail this check.
    pub failing: Option<CheckKind>,
    /// Only these enclaves.
    pub enclaves: Option<Vec<String>>,
    /// Keyset: strictly before this `(received_at, id)`, newest first.
    pub before: (chrono::NaiveDateTime, String),
    pub limit: i64,
}

/// The inspections that pass the queue's filters (all but the keyset).
fn queue_filtered(f: &QueueFilter) -> inspections::BoxedQuery<'_, DbBackend> {
    let mut query = inspections::table
        .filter(inspections::on_date.between(f.from, f.to))
        .into_boxed();
    if let Some(inspector) = &f.inspector {
        query = query.filter(inspections::inspector_id.eq(inspector));
    }
    if let Some(state) = f.state {
        query = query.filter(inspections::review_state.eq(state.as_str()));
    }
    if let Some(measure) = f.measure {
        query = query.filter(inspections::measure.eq(measure.as_str()));
    }
    if f.not_notified {
        query = query.filter(inspections::report_notified_on.is_null());
    }
    let fail = VerdictStatus::Fail.as_str();
    query = match f.failing {
        None => query,
        Some(CheckKind::ContractFiled) => query.filter(inspections::contract_filed.eq(fail)),
        Some(CheckKind::DailyRegistration) => {
            query.filter(inspections::daily_registration.eq(fail))
        }
        Some(CheckKind::SupervisorPresent) => {
            query.filter(inspections::supervisor_present.eq(fail))
        }
    };
    if let Some(ids) = &f.enclaves {
        query = query.filter(inspections::enclave_id.eq_any(ids));
    }
    query
}

/// One page of the review queue, newest first.
pub fn queue(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Vec<QueueRow>> {
    let (ts, id) = (f.before.0, f.before.1.clone());
    queue_filtered(f)
        .filter(
            inspections::received_at
                .lt(ts)
                .or(inspections::received_at.eq(ts).and(inspections::id.lt(id))),
        )
        .order((inspections::received_at.desc(), inspections::id.desc()))
        .limit(f.limit)
        .select(QueueRow::as_select())
        .load(conn)
}

/// How many inspections the queue's filters match, over every page.
pub fn queue_count(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<i64> {
    queue_filtered(f).count().get_result(conn)
}

/// How many inspections wait for a reviewer (the review queue's depth, for metrics).
pub fn awaiting_review(conn: &mut DbConnection) -> QueryResult<i64> {
    inspections::table
        .filter(inspections::review_state.eq(ReviewState::Submitted.as_str()))
        .count()
        .get_result(conn)
}

/// Records when the offender was notified of a report.
pub fn set_report_notified(
    conn: &mut DbConnection,
    id: &str,
    on: chrono::NaiveDate,
) -> QueryResult<()> {
    diesel::update(inspections::table.find(id))
        .set(inspections::report_notified_on.eq(on))
        .execute(conn)?;
    Ok(())
}

/// Display names of users by id.
pub fn display_names(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::users;
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}

/// An inspection whose measure opened a follow-up, as the follow-ups list it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inspections)]
pub struct FollowUpRow {
    pub id: String,
    pub enclave_id: String,
    pub inspector_id: String,
    pub on_date: chrono::NaiveDate,
    pub follow_up_due: Option<chrono::NaiveDate>,
}

/// Which follow-ups to list; `None` matches any.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub inspector: Option<String>,
    pub enclave: Option<String>,
    /// Only those due before this day.
    pub due_before: Option<chrono::NaiveDate>,
}

/// The inspections whose measure opened a follow-up, that pass `f`.
pub fn follow_ups(conn: &mut DbConnection, f: &FollowUpFilter) -> QueryResult<Vec<FollowUpRow>> {
    let mut query = inspections::table
        .filter(inspections::follow_up_due.is_not_null())
        .into_boxed();
    if let Some(inspector) = &f.inspector {
        query = query.filter(inspections::inspector_id.eq(inspector));
    }
    if let Some(enclave) = &f.enclave {
        query = query.filter(inspections::enclave_id.eq(enclave));
    }
    if let Some(day) = f.due_before {
        query = query.filter(inspections::follow_up_due.lt(day));
    }
    query.select(FollowUpRow::as_select()).load(conn)
}

/// An inspection that followed up another: which, when, and what it found.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inspections)]
pub struct FollowerRow {
    pub id: String,
    pub follows_id: Option<String>,
    pub on_date: chrono::NaiveDate,
    pub received_at: chrono::NaiveDateTime,
    pub remedied: Option<i32>,
    pub not_remedied: Option<i32>,
}

impl FollowerRow {
    /// What it found, as stored beside it.
    pub fn outcome(&self) -> shared::rules::follow_up::Outcome {
        let count = |n: Option<i32>| u32::try_from(n.unwrap_or(0)).unwrap_or(0);
        shared::rules::follow_up::Outcome {
            remedied: count(self.remedied),
            not_remedied: count(self.not_remedied),
        }
    }
}

/// The latest inspection (by day, then arrival) that followed up each of `ids` that was
/// followed up, by the id of the inspection it followed up.
pub fn latest_followers(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, FollowerRow>> {
    let mut latest: HashMap<String, FollowerRow> = HashMap::new();
    for f in followers_of(conn, ids)? {
        let Some(of) = f.follows_id.clone() else {
            continue;
        };
        if latest
            .get(&of)
            .is_none_or(|seen| (seen.on_date, seen.received_at) < (f.on_date, f.received_at))
        {
            latest.insert(of, f);
        }
    }
    Ok(latest)
}

/// The inspections that followed up any of `ids`.
fn followers_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<FollowerRow>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        found.extend(
            inspections::table
                .filter(inspections::follows_id.eq_any(chunk))
                .select(FollowerRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// The structured corrections of the inspections among `ids`, by inspection, each
/// inspection's oldest first (as [`corrections_of`]).
pub fn corrections_of_many(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<Correction>>> {
    let mut found: HashMap<String, Vec<Correction>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(String, Option<String>, Option<chrono::NaiveDate>)> = amendments::table
            .filter(amendments::inspection_id.eq_any(chunk))
            .filter(
                amendments::measure
                    .is_not_null()
                    .or(amendments::deadline.is_not_null()),
            )
            .order((amendments::received_at.asc(), amendments::id.asc()))
            .select((
                amendments::inspection_id,
                amendments::measure,
                amendments::deadline,
            ))
            .load(conn)?;
        for (id, measure, deadline) in rows {
            let measure = measure.as_deref().and_then(Measure::parse);
            found
                .entry(id)
                .or_default()
                .push(Correction { measure, deadline });
        }
    }
    Ok(found)
}

/// Every inspection of an enclave, oldest first.
pub fn of_enclave(conn: &mut DbConnection, enclave_id: &str) -> QueryResult<Vec<InspectionRow>> {
    inspections::table
        .filter(inspections::enclave_id.eq(enclave_id))
        .order((inspections::on_date.asc(), inspections::received_at.asc()))
        .select(InspectionRow::as_select())
        .load(conn)
}

/// The amendments of the inspections among `ids`: `(inspection id, received at, corrected
/// measure)`, oldest first.
pub fn amendment_days(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(String, chrono::NaiveDateTime, Option<String>)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        found.extend(
            amendments::table
                .filter(amendments::inspection_id.eq_any(chunk))
                .order((amendments::received_at.asc(), amendments::id.asc()))
                .select((
                    amendments::inspection_id,
                    amendments::received_at,
                    amendments::measure,
                ))
                .load::<(String, chrono::NaiveDateTime, Option<String>)>(conn)?,
        );
    }
    Ok(found)
}

/// The review decisions on the inspections among `ids`, oldest first.
pub fn reviews_of_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<ReviewRow>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(1000) {
        found.extend(
            reviews::table
                .filter(reviews::inspection_id.eq_any(chunk))
                .order((reviews::decided_at.asc(), reviews::id.asc()))
                .select(ReviewRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}
