//! The audit trail: who did what, when (UTC) and from where.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::insert_chunks;
use crate::db::DbConnection;
use crate::db::rows::AuditEventRow;
use crate::db::schema::audit_events;

/// One event to record.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub actor_id: Option<&'a str>,
    pub actor_username: Option<&'a str>,
    pub client: &'a str,
    pub action: &'a str,
    pub outcome: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub detail: Option<String>,
}

impl Event<'_> {
    /// The row of this event, stamped now.
    pub fn into_row(self) -> AuditEventRow {
        AuditEventRow {
            id: uuid::Uuid::new_v4().to_string(),
            occurred_at: super::now(),
            actor_id: self.actor_id.map(str::to_owned),
            actor_username: self.actor_username.map(str::to_owned),
            client: self.client.to_owned(),
            action: self.action.to_owned(),
            outcome: self.outcome.to_owned(),
            object_type: self.object_type.map(str::to_owned),
            object_id: self.object_id.map(str::to_owned),
            detail: self.detail,
        }
    }
}

/// Appends an event.
pub fn record(conn: &mut DbConnection, event: Event<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(&event.into_row())
        .execute(conn)?;
    Ok(())
}

/// Appends rows with one multi-row statement per thousand, in the caller's transaction.
pub fn record_rows(conn: &mut DbConnection, rows: &[AuditEventRow]) -> QueryResult<()> {
    insert_chunks!(conn, audit_events::table, rows, 1000)
}

/// What the administrator's audit view asks for; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The actor's username.
    pub username: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Events at or after this instant (UTC).
    pub from: Option<NaiveDateTime>,
    /// Events before this instant (UTC).
    pub to: Option<NaiveDateTime>,
    /// Keyset: strictly older than this `(occurred_at, id)`.
    pub before: Option<(NaiveDateTime, String)>,
}

/// The newest events matching `filter` first, at most `limit`.
pub fn page(
    conn: &mut DbConnection,
    filter: &Filter,
    limit: i64,
) -> QueryResult<Vec<AuditEventRow>> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(username) = &filter.username {
        query = query.filter(audit_events::actor_username.eq(username.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(object_type) = &filter.object_type {
        query = query.filter(audit_events::object_type.eq(object_type.clone()));
    }
    if let Some(object_id) = &filter.object_id {
        query = query.filter(audit_events::object_id.eq(object_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if let Some((at, id)) = &filter.before {
        query = query.filter(
            audit_events::occurred_at
                .lt(*at)
                .or(audit_events::occurred_at
                    .eq(*at)
                    .and(audit_events::id.lt(id.clone()))),
        );
    }
    query.load(conn)
}

/// Deletes the events that occurred before `cutoff`; returns how many.
pub fn delete_before(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_events::table.filter(audit_events::occurred_at.lt(cutoff))).execute(conn)
}
