//! Dates as scenarios write them: days and Belgian local times from text, and "today" as the
//! server sees it (the day in Brussels, whatever the machine's time zone).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use shared::rules::time::{belgian_local, from_belgian_local};

/// `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// `YYYY-MM-DD HH:MM` (Belgian local).
pub fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("local time")
}

/// The instant of `YYYY-MM-DD HH:MM` Belgian local time.
pub fn at(s: &str) -> DateTime<Utc> {
    from_belgian_local(local(s))
}

/// The time in Brussels now.
pub fn now_local() -> NaiveDateTime {
    belgian_local(Utc::now())
}

/// Today in Brussels.
pub fn today() -> NaiveDate {
    now_local().date()
}
