//! The audit trail: who did what, when (UTC) and from where.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::AuditEventRow;
use crate::db::schema::audit_events;
use crate::error::AppError;

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

/// Appends an event.
pub fn record(conn: &mut DbConnection, event: Event<'_>) -> Result<(), AppError> {
    let row = AuditEventRow {
        id: uuid::Uuid::new_v4().to_string(),
        occurred_at: super::now(),
        actor_id: event.actor_id.map(str::to_owned),
        actor_username: event.actor_username.map(str::to_owned),
        client: event.client.to_owned(),
        action: event.action.to_owned(),
        outcome: event.outcome.to_owned(),
        object_type: event.object_type.map(str::to_owned),
        object_id: event.object_id.map(str::to_owned),
        detail: event.detail,
    };
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// The newest events first, optionally of one action.
pub fn recent(
    conn: &mut DbConnection,
    action: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, AppError> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(action) = action {
        query = query.filter(audit_events::action.eq(action.to_owned()));
    }
    Ok(query.load(conn)?)
}
