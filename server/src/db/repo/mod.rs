//! Repositories: every SQL statement of the server, one module per resource. Functions take a
//! connection; the caller decides the transaction boundary.

pub mod attachments;
pub mod audit;
pub mod contracts;
pub mod enclaves;
pub mod inspections;
pub mod journal;
pub mod login_attempts;
pub mod people;
pub mod registrations;
pub mod reports;
pub mod retention;
pub mod sessions;
pub mod settings;
pub mod users;

use chrono::{NaiveDateTime, Timelike, Utc};

/// Inserts `rows` into `table` with one multi-row statement per `chunk` rows, in the caller's
/// transaction; evaluates to `QueryResult<()>`. `MultiConnection` cannot express a batch
/// insert, so this dispatches on the backend. Keep `chunk` × columns under PostgreSQL's
/// 65,535 bind parameters and SQLite's 32,766 variables.
macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {
        $rows.chunks($chunk).try_for_each(|chunk| {
            match &mut *$conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)
                }
                $crate::db::DbConnection::Pg(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)
                }
            }
            .map(drop)
        })
    };
}
pub(crate) use insert_chunks;

/// The current time as stored: naive UTC, truncated to microseconds (PostgreSQL's precision),
/// so a value read back equals the value written.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}
