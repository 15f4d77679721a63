//! Refreshing a working set by delta: what the token a set carries says, when only a whole
//! set will do, and which enclaves a delta must send.
//!
//! A set is up to date with a point of the change log (`seq`), for a window of days that
//! starts on a Belgian date, and for a scope: the user's region, the rules of check 1, and
//! the register's enclaves and organisations as they were. A delta sends every enclave of
//! the set with a contract or registration change after `seq`, and every enclave whose
//! floating supervisors a new registration elsewhere (anywhere in Flanders) may have changed.
//! A whole set is sent instead when the window moved (a new Belgian day), the number of days
//! or the scope changed, the log holds a deleted registration (its team is no longer known),
//! or the token is from another log (a restored database).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::dto::registration::{MemberRole, Registration};

/// What a working set is up to date with; the device passes it back as `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetToken {
    /// The last change of the log the set includes.
    pub seq: i64,
    /// The first day of the set's window.
    pub from: NaiveDate,
    /// How many days the window holds.
    pub days: u32,
    /// [`scope`] of what the set was made for.
    pub scope: u64,
}

/// The form's version: a token of another form asks for a whole set (the server refuses it
/// and the device downloads a whole set). `w2`: enclaves carry their team's support need.
const FORM: &str = "w2";

impl SetToken {
    /// The token as sent: `w1.<seq>.<from, as days since 1 January of year 1>.<days>.<scope
    /// in 16 hex digits>`. Every string of that form reads back, so the API's documented
    /// pattern admits nothing the server refuses.
    pub fn format(&self) -> String {
        format!(
            "{FORM}.{}.{}.{}.{:016x}",
            self.seq,
            self.from.num_days_from_ce(),
            self.days,
            self.scope
        )
    }

    /// Reads a token of the form [`Self::format`] makes; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        if parts.next()? != FORM {
            return None;
        }
        let seq = digits(parts.next()?, 18)?.parse().ok()?;
        let day = digits(parts.next()?, 7)?.parse().ok()?;
        let days = digits(parts.next()?, 9)?.parse().ok()?;
        let scope = parts.next()?;
        if scope.len() != 16
            || !scope
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return None;
        }
        let token = Self {
            seq,
            from: NaiveDate::from_num_days_from_ce_opt(day)?,
            days,
            scope: u64::from_str_radix(scope, 16).ok()?,
        };
        parts.next().is_none().then_some(token)
    }
}

/// `p` when it is 1 to `most` ASCII digits.
fn digits(p: &str, most: usize) -> Option<&str> {
    (!p.is_empty() && p.len() <= most && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
}

/// Why a refresh sends the whole set rather than a delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeSet {
    /// The Belgian date moved: the window of days is another.
    NewDay,
    /// Another number of days was asked.
    OtherDays,
    /// The region, the rules or the register's enclaves or organisations changed.
    OtherScope,
    /// The token is ahead of the change log: it was made by another database.
    UnknownLog,
    /// A registration was deleted after the token.
    DeletedRegistration,
}

/// Whether a set up to date with `token` can be refreshed by delta, given today's Belgian
/// date, the days asked, the current scope, the log's last change and whether a
/// registration was deleted since the token.
pub fn refresh_by_delta(
    token: &SetToken,
    today: NaiveDate,
    days: u32,
    scope: u64,
    last_seq: i64,
    deleted_registration: bool,
) -> Result<(), WholeSet> {
    if token.from != today {
        Err(WholeSet::NewDay)
    } else if token.days != days {
        Err(WholeSet::OtherDays)
    } else if token.scope != scope {
        Err(WholeSet::OtherScope)
    } else if token.seq > last_seq {
        Err(WholeSet::UnknownLog)
    } else if deleted_registration {
        Err(WholeSet::DeletedRegistration)
    } else {
        Ok(())
    }
}

/// A stable fingerprint (64-bit FNV-1a) of what a set was made for: the parts, in order.
pub fn scope(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// The enclaves a delta must send: those with a register change (`changed`), and those with
/// a registration in `window` (every registration of the window's days, all of Flanders)
/// that shares a supervisor with a registration of another enclave added since the token
/// (`added`, by id) on the same day — its floating flags may have changed.
pub fn delta_enclaves(
    changed: &HashSet<Uuid>,
    added: &HashSet<Uuid>,
    window: &[Registration],
) -> HashSet<Uuid> {
    let supervisors = |r: &Registration| -> Vec<Uuid> {
        r.members
            .iter()
            .filter(|m| m.role == MemberRole::Supervisor)
            .map(|m| m.person_id)
            .collect()
    };
    // Per day, the supervisors of the added registrations, with their enclave.
    let mut new_supervisors: HashMap<(NaiveDate, Uuid), HashSet<Uuid>> = HashMap::new();
    for r in window.iter().filter(|r| added.contains(&r.id)) {
        for person in supervisors(r) {
            new_supervisors
                .entry((r.work_date, person))
                .or_default()
                .insert(r.enclave_id);
        }
    }
    let mut out = changed.clone();
    for r in window {
        let touched = supervisors(r).into_iter().any(|person| {
            new_supervisors
                .get(&(r.work_date, person))
                .is_some_and(|enclaves| enclaves.iter().any(|e| *e != r.enclave_id))
        });
        if touched {
            out.insert(r.enclave_id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone, Utc};

    use super::*;
    use crate::dto::registration::RegistrationMember;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn registration(
        n: u128,
        enclave: u128,
        on: u32,
        members: &[(u128, MemberRole)],
    ) -> Registration {
        Registration {
            id: id(n),
            enclave_id: id(enclave),
            work_date: day(on),
            registered_at: Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap(),
            planned_start: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            members: members
                .iter()
                .map(|(person, role)| RegistrationMember {
                    person_id: id(*person),
                    display_name: format!("P{person}"),
                    company_reference: format!("R{person}"),
                    role: *role,
                })
                .collect(),
        }
    }

    #[test]
    fn a_token_reads_back_and_nothing_else_does() {
        let token = SetToken {
            seq: 42,
            from: day(7),
            days: 3,
            scope: 0xdead_beef,
        };
        assert_eq!(token.format(), "w2.42.739957.3.00000000deadbeef");
        assert_eq!(SetToken::parse(&token.format()), Some(token));
        // The extremes of the documented pattern read.
        assert!(
            SetToken::parse("w2.999999999999999999.9999999.999999999.ffffffffffffffff").is_some()
        );
        assert!(SetToken::parse("w2.0.0.0.0000000000000000").is_some());
        for bad in [
            "",
            "42",
            "w1.42.739957.3.00000000deadbeef",
            "w2.-1.739957.3.00000000deadbeef",
            "w2.+1.739957.3.00000000deadbeef",
            "w2.42.2026-12-07.3.00000000deadbeef",
            "w2.42.739957.x.00000000deadbeef",
            "w2.42.739957.3.DEADBEEF00000000",
            "w2.42.739957.3.zz",
            "w2.42.739957.3.00000000deadbeef.1",
        ] {
            assert_eq!(SetToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_whole_set_when_the_window_or_the_scope_moved() {
        let token = SetToken {
            seq: 10,
            from: day(7),
            days: 3,
            scope: 1,
        };
        assert_eq!(refresh_by_delta(&token, day(7), 3, 1, 10, false), Ok(()));
        assert_eq!(refresh_by_delta(&token, day(7), 3, 1, 99, false), Ok(()));
        assert_eq!(
            refresh_by_delta(&token, day(8), 3, 1, 10, false),
            Err(WholeSet::NewDay)
        );
        assert_eq!(
            refresh_by_delta(&token, day(7), 2, 1, 10, false),
            Err(WholeSet::OtherDays)
        );
        assert_eq!(
            refresh_by_delta(&token, day(7), 3, 2, 10, false),
            Err(WholeSet::OtherScope)
        );
        assert_eq!(
            refresh_by_delta(&token, day(7), 3, 1, 9, false),
            Err(WholeSet::UnknownLog)
        );
        assert_eq!(
            refresh_by_delta(&token, day(7), 3, 1, 10, true),
            Err(WholeSet::DeletedRegistration)
        );
    }

    #[test]
    fn the_scope_is_stable_and_tells_parts_apart() {
        assert_eq!(scope(&["a", "b"]), scope(&["a", "b"]));
        assert_ne!(scope(&["a", "b"]), scope(&["ab"]));
        assert_ne!(scope(&["a", "b"]), scope(&["b", "a"]));
        // FNV-1a's offset basis: the hash is fixed for ever, as tokens outlive a server's restart.
        assert_eq!(scope(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn a_new_registration_elsewhere_touches_the_enclaves_sharing_a_supervisor_that_day() {
        use MemberRole::{Supervisor, Worker};
        let window = vec![
            // Enclave 1 on the 7th and the 8th with supervisor 100.
            registration(11, 1, 7, &[(100, Supervisor), (101, Worker)]),
            registration(12, 1, 8, &[(100, Supervisor)]),
            // Enclave 2 on the 7th: 100 is only a worker there.
            registration(21, 2, 7, &[(100, Worker), (200, Supervisor)]),
            // Enclave 3, added: 100 supervises there on the 8th.
            registration(31, 3, 8, &[(100, Supervisor)]),
            // Enclave 4 on the 8th with another supervisor.
            registration(41, 4, 8, &[(400, Supervisor)]),
        ];
        let added = HashSet::from([id(31)]);
        let changed = HashSet::from([id(3)]);
        let touched = delta_enclaves(&changed, &added, &window);
        assert_eq!(touched, HashSet::from([id(1), id(3)]));
        // Nothing added: only what changed.
        let touched = delta_enclaves(&HashSet::from([id(4)]), &HashSet::new(), &window);
        assert_eq!(touched, HashSet::from([id(4)]));
    }
}
