//! The journal: what was done to the register and the records, in two logs written in the
//! writer's transaction. The change log (`changes`) is what devices pull: the register's
//! changes for a province, and each inspector's own records. The audit trail says who did
//! it, when and from where. Every writer of the register appends both through [`record`], so
//! the two never drift apart. A push of inspection records numbers its own changes as it
//! goes ([`next_seq`], [`append`]).
//!
//! Every write that adds a change takes the change-log lock first ([`lock_change_log`]), so
//! change numbers are assigned and committed in order: a pull by cursor never skips a change
//! that commits late, on SQLite or on any number of PostgreSQL instances.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::dsl::max;
use diesel::prelude::*;
use shared::dto::enclave::Province;
use shared::dto::sync::Entity;

use super::{audit, insert_chunks};
use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::rows::ChangeRow;
use crate::db::schema::changes;

/// Who did it, as the audit trail names them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub username: &'a str,
    /// The client address.
    pub client: &'a str,
}

impl<'a> From<&'a AuthUser> for Actor<'a> {
    fn from(user: &'a AuthUser) -> Self {
        Self {
            id: &user.id,
            username: &user.username,
            client: &user.client,
        }
    }
}

/// A change devices pull.
#[derive(Debug, Clone)]
pub enum Change {
    /// A registration or contract, new, changed or deleted: pulled by every device of the
    /// enclave's province.
    Register {
        entity: Entity,
        id: String,
        enclave_id: String,
        province: Province,
        deleted: bool,
    },
    /// A part of an inspection (a review decision): pulled by its inspector only.
    Record {
        entity: Entity,
        id: String,
        inspection_id: String,
        owner_id: String,
    },
}

impl Change {
    /// A register entity written (not deleted).
    pub fn register(entity: Entity, id: &str, enclave_id: &str, province: Province) -> Self {
        Self::Register {
            entity,
            id: id.to_owned(),
            enclave_id: enclave_id.to_owned(),
            province,
            deleted: false,
        }
    }

    fn row(self, seq: i64, received_at: NaiveDateTime) -> ChangeRow {
        match self {
            Self::Register {
                entity,
                id,
                enclave_id,
                province,
                deleted,
            } => ChangeRow {
                seq,
                entity: entity.as_str().to_owned(),
                entity_id: id,
                inspection_id: String::new(),
                owner_id: String::new(),
                deleted,
                received_at,
                enclave_id: Some(enclave_id),
                province: Some(province.as_str().to_owned()),
            },
            Self::Record {
                entity,
                id,
                inspection_id,
                owner_id,
            } => ChangeRow {
                seq,
                entity: entity.as_str().to_owned(),
                entity_id: id,
                inspection_id,
                owner_id,
                deleted: false,
                received_at,
                enclave_id: None,
                province: None,
            },
        }
    }
}

/// One entry of the journal: what was done (the audit row) and what devices pull of it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    action: &'a str,
    outcome: &'a str,
    /// The object's type and id.
    object: Option<(&'a str, &'a str)>,
    detail: Option<String>,
    changes: Vec<Change>,
}

impl<'a> Entry<'a> {
    /// `action` done successfully, about nothing in particular, changing nothing devices pull.
    pub fn new(action: &'a str) -> Self {
        Self {
            action,
            outcome: "success",
            object: None,
            detail: None,
            changes: Vec::new(),
        }
    }

    /// The outcome, when it is not plain success (a review's decision).
    pub fn outcome(mut self, outcome: &'a str) -> Self {
        self.outcome = outcome;
        self
    }

    /// The object acted on, by type (`contract`, `inspection`) and id.
    pub fn about(mut self, object_type: &'a str, id: &'a str) -> Self {
        self.object = Some((object_type, id));
        self
    }

    /// What the audit trail tells of it.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The changes devices pull.
    pub fn changes(mut self, changes: impl IntoIterator<Item = Change>) -> Self {
        self.changes.extend(changes);
        self
    }
}

/// Appends an entry in the caller's transaction: its changes (under the change-log lock)
/// and its audit row.
pub fn record(conn: &mut DbConnection, actor: Actor<'_>, entry: Entry<'_>) -> QueryResult<()> {
    append_changes(conn, entry.changes)?;
    audit::record(
        conn,
        audit::Event {
            actor_id: Some(actor.id),
            actor_username: Some(actor.username),
            client: actor.client,
            action: entry.action,
            outcome: entry.outcome,
            object_type: entry.object.map(|(t, _)| t),
            object_id: entry.object.map(|(_, id)| id),
            detail: entry.detail,
        },
    )
}

/// Appends changes devices pull, numbered in order under the change-log lock, without an
/// audit row (what [`record`] does first).
pub fn append_changes(conn: &mut DbConnection, changes: Vec<Change>) -> QueryResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    lock_change_log(conn)?;
    let first = next_seq(conn)?;
    let now = super::now();
    let rows: Vec<ChangeRow> = changes
        .into_iter()
        .zip(first..)
        .map(|(change, seq)| change.row(seq, now))
        .collect();
    append(conn, &rows)
}

/// Serialises writers of the change log until the transaction ends. PostgreSQL: a table
/// lock. SQLite: take the database write lock now (what `BEGIN IMMEDIATE` does), so the
/// transaction never has to upgrade a read lock and fail with `SQLITE_BUSY`.
pub fn lock_change_log(conn: &mut DbConnection) -> QueryResult<()> {
    let sql = match conn {
        DbConnection::Pg(_) => "LOCK TABLE changes IN EXCLUSIVE MODE",
        DbConnection::Sqlite(_) => "UPDATE changes SET seq = seq WHERE 0",
    };
    conn.batch_execute(sql)
}

/// The next change number; call only after [`lock_change_log`] in the same transaction.
pub fn next_seq(conn: &mut DbConnection) -> QueryResult<i64> {
    let current: Option<i64> = changes::table.select(max(changes::seq)).first(conn)?;
    Ok(current.unwrap_or(0) + 1)
}

/// The number of the last change in the log (0 when it is empty). Changes are committed in
/// order (see [`lock_change_log`]), so every change up to it is there to read.
pub fn last_seq(conn: &mut DbConnection) -> QueryResult<i64> {
    let current: Option<i64> = changes::table.select(max(changes::seq)).first(conn)?;
    Ok(current.unwrap_or(0))
}

/// The register changes (registrations and contracts, all provinces) after `since` up to
/// `until`, in order.
pub fn register_changes_between(
    conn: &mut DbConnection,
    since: i64,
    until: i64,
) -> QueryResult<Vec<ChangeRow>> {
    changes::table
        .filter(changes::seq.gt(since))
        .filter(changes::seq.le(until))
        .filter(changes::enclave_id.is_not_null())
        .order(changes::seq.asc())
        .select(ChangeRow::as_select())
        .load(conn)
}

/// Appends numbered changes (a push of records numbers its own after [`next_seq`]).
pub fn append(conn: &mut DbConnection, rows: &[ChangeRow]) -> QueryResult<()> {
    insert_chunks!(conn, changes::table, rows, 1000)
}

/// Up to `limit` changes after `since`, in order, that `owner` pulls: their own records, and
/// the register changes of `provinces` (`None`: of every province).
pub fn changes_since(
    conn: &mut DbConnection,
    owner: &str,
    provinces: Option<&[String]>,
    since: i64,
    limit: i64,
) -> QueryResult<Vec<ChangeRow>> {
    let mine = changes::owner_id.eq(owner.to_owned());
    let query = changes::table
        .filter(changes::seq.gt(since))
        .order(changes::seq.asc())
        .limit(limit)
        .select(ChangeRow::as_select());
    match provinces {
        None => query
            .filter(mine.or(changes::province.is_not_null()))
            .load(conn),
        Some(provinces) => query
            .filter(mine.or(changes::province.eq_any(provinces.to_vec())))
            .load(conn),
    }
}
