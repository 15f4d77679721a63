//! Login throttling with the database as the source of truth, so every instance on one
//! database applies the same limits.
//!
//! An attempt is inserted (and committed) as `pending` *before* its password is checked, and
//! only then are the attempts counted, its own included: of any number of parallel attempts
//! the k-th to commit sees at least k, so no more than a limit's worth can get past it. An
//! attempt ends as `failure`, `success` or `refused` (a 429, which does not count against the
//! client). Rows older than the window are deleted on the way.

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;

use crate::config::LoginLimits;
use crate::db::DbConnection;
use crate::db::schema::login_attempts;

/// Outcomes that count as failed: checked and wrong, or not checked yet.
const COUNTED: [&str; 2] = ["pending", "failure"];

/// Why an attempt is refused and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// Seconds until an attempt may succeed in passing this limit (`Retry-After`).
    pub retry_after_secs: i64,
    /// Which limit: `username_and_client` (the growing back-off) or `client` (spraying).
    pub limit: &'static str,
}

/// Records a pending attempt of `username` from `client` and decides whether it may go on.
/// Must not run inside a transaction: other instances have to see the row before they count.
pub fn begin(
    conn: &mut DbConnection,
    id: &str,
    username: &str,
    client: &str,
    now: NaiveDateTime,
    limits: &LoginLimits,
) -> QueryResult<Option<Refusal>> {
    let window_start = now - Duration::seconds(limits.window_secs);
    diesel::delete(login_attempts::table.filter(login_attempts::attempted_at.lt(window_start)))
        .execute(conn)?;
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(id),
            login_attempts::username.eq(username),
            login_attempts::client.eq(client),
            login_attempts::attempted_at.eq(now),
            login_attempts::outcome.eq("pending"),
        ))
        .execute(conn)?;

    // Per username and client: the failures since the last success from there.
    let last_success: Option<NaiveDateTime> = login_attempts::table
        .filter(login_attempts::username.eq(username))
        .filter(login_attempts::client.eq(client))
        .filter(login_attempts::outcome.eq("success"))
        .select(max(login_attempts::attempted_at))
        .first(conn)?;
    let since = last_success.map_or(window_start, |t| t.max(window_start));
    let pair = || {
        login_attempts::table
            .filter(login_attempts::username.eq(username))
            .filter(login_attempts::client.eq(client))
            .filter(login_attempts::outcome.eq_any(COUNTED))
            .filter(login_attempts::attempted_at.gt(since))
    };
    let pair_count: i64 = pair().select(count_star()).first(conn)?;
    let previous: Option<NaiveDateTime> = pair()
        .filter(login_attempts::id.ne(id))
        .select(max(login_attempts::attempted_at))
        .first(conn)?;

    // Per client, across usernames.
    let from_client = || {
        login_attempts::table
            .filter(login_attempts::client.eq(client))
            .filter(login_attempts::outcome.eq_any(COUNTED))
            .filter(login_attempts::attempted_at.gt(window_start))
    };
    let client_count: i64 = from_client().select(count_star()).first(conn)?;
    let oldest: Option<NaiveDateTime> = from_client()
        .select(min(login_attempts::attempted_at))
        .first(conn)?;

    let refusal = decide(
        limits,
        now,
        Counts {
            pair: pair_count,
            previous,
            client: client_count,
            oldest,
        },
    );
    if refusal.is_some() {
        finish(conn, id, "refused")?;
    }
    Ok(refusal)
}

/// Settles an attempt: `failure` or `success` (or `refused`).
pub fn finish(conn: &mut DbConnection, id: &str, outcome: &str) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(id))
        .set(login_attempts::outcome.eq(outcome))
        .execute(conn)?;
    Ok(())
}

/// What the limits are applied to; every count includes the attempt being decided.
#[derive(Debug, Clone, Copy)]
struct Counts {
    /// Failed or pending attempts of the username from the client since its last success.
    pair: i64,
    /// The newest of those other than this one.
    previous: Option<NaiveDateTime>,
    /// Failed or pending attempts from the client in the window.
    client: i64,
    /// The oldest of those.
    oldest: Option<NaiveDateTime>,
}

/// The longest `Retry-After` of the limits this attempt is over, if any.
fn decide(limits: &LoginLimits, now: NaiveDateTime, counts: Counts) -> Option<Refusal> {
    let ceil_secs = |d: Duration| ((d.num_milliseconds() + 999) / 1000).max(1);
    let mut refusal: Option<Refusal> = None;
    let mut refuse = |retry_after_secs: i64, limit: &'static str| {
        if refusal.is_none_or(|r| r.retry_after_secs < retry_after_secs) {
            refusal = Some(Refusal {
                retry_after_secs,
                limit,
            });
        }
    };
    let beyond_free = counts.pair - limits.free_failures;
    if beyond_free > 0 {
        // The first wait, twice that, four times, ... up to the maximum.
        let doublings = (beyond_free - 1).min(40) as u32;
        let wait = Duration::seconds(
            limits
                .first_backoff_secs
                .saturating_mul(1 << doublings)
                .min(limits.max_backoff_secs),
        );
        let since_previous = counts.previous.map_or(wait, |t| now - t);
        if since_previous < wait {
            refuse(ceil_secs(wait - since_previous), "username_and_client");
        }
    }
    if counts.client > limits.failures_per_client {
        let frees_up = counts
            .oldest
            .map_or(now, |t| t + Duration::seconds(limits.window_secs));
        refuse(ceil_secs(frees_up - now), "client");
    }
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: LoginLimits = LoginLimits {
        window_secs: 900,
        free_failures: 5,
        first_backoff_secs: 1,
        max_backoff_secs: 300,
        failures_per_client: 20,
    };

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    fn counts(pair: i64, previous: i64, client: i64, oldest: i64) -> Counts {
        Counts {
            pair,
            previous: Some(at(previous)),
            client,
            oldest: Some(at(oldest)),
        }
    }

    #[test]
    fn the_free_failures_pass_at_once() {
        assert_eq!(decide(&LIMITS, at(0), counts(5, 0, 5, 0)), None);
    }

    #[test]
    fn beyond_them_the_wait_doubles_up_to_the_maximum() {
        let wait = |pair: i64| {
            decide(&LIMITS, at(0), counts(pair, 0, pair, 0)).map(|r| (r.retry_after_secs, r.limit))
        };
        assert_eq!(wait(6), Some((1, "username_and_client")));
        assert_eq!(wait(7), Some((2, "username_and_client")));
        assert_eq!(wait(10), Some((16, "username_and_client")));
        assert_eq!(wait(15), Some((300, "username_and_client")));
        assert_eq!(
            wait(200).map(|w| w.0),
            Some(900),
            "the client limit waits longer"
        );
        // Once the wait since the previous attempt has passed, the attempt goes on.
        assert_eq!(decide(&LIMITS, at(16), counts(10, 0, 10, 0)), None);
        assert_eq!(
            decide(&LIMITS, at(10), counts(10, 0, 10, 0)).map(|r| r.retry_after_secs),
            Some(6)
        );
    }

    #[test]
    fn spraying_from_one_client_is_refused_until_its_oldest_failure_ages_out() {
        let refusal = decide(&LIMITS, at(600), counts(1, 0, 21, 100)).unwrap();
        assert_eq!(refusal.limit, "client");
        assert_eq!(refusal.retry_after_secs, 400);
        assert_eq!(decide(&LIMITS, at(600), counts(1, 0, 20, 100)), None);
    }
}
