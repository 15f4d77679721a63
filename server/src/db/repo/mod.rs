//! Repositories: every SQL statement of the server, one module per resource. Functions take a
//! connection; the caller decides the transaction boundary.

pub mod attachments;
pub mod audit;
pub mod contracts;
pub mod enclaves;
pub mod inspections;
pub mod login_attempts;
pub mod people;
pub mod retention;
pub mod sessions;
pub mod settings;
pub mod users;

use chrono::{NaiveDateTime, Timelike, Utc};

/// The current time as stored: naive UTC, truncated to microseconds (PostgreSQL's precision),
/// so a value read back equals the value written.
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}
