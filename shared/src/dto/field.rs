//! The working set: what an inspector takes into the field ("prepare for the field") so that
//! lookup, the enclave page, the three checks and recording all work without a network.
//!
//! The server sends, per enclave, the register data and the registrations of the coming
//! days, with the floating supervisors already found: a supervisor registered for another
//! enclave the same day may be registered anywhere in Flanders, outside the working set.
//!
//! It travels in a compact form ([`wire`]); after the first download the device asks only
//! what changed since its set (`since`, the token the set carries) and merges the answer
//! ([`WorkingSet::apply`]).

mod wire;

pub use wire::{WireError, WireHeader, WireSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contract::Contract;
use super::enclave::{Checks, EnclaveSummary};
use super::organisation::Organisation;
use super::registration::Registration;
use crate::rules::contract_filed::{RuleSettings, check_contract_filed};
use crate::rules::daily_registration::check_daily_registration;

/// Most days of registrations a working set may cover.
pub const MAX_WORKING_SET_DAYS: u32 = 7;
/// Most enclaves a chosen list may name.
pub const MAX_WORKING_SET_IDS: usize = 500;

/// The working set as the device holds it: a [`WireSet`] read, with later deltas merged in.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingSet {
    /// Server clock when the set was made, or last brought up to date: how fresh it is.
    pub generated_at: DateTime<Utc>,
    /// First and last Belgian work date whose registrations are included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The settings of check 1 the server applies, so the device judges alike.
    pub rules: RuleSettings,
    /// What the set is up to date with: pass as `since` to get what changed after it.
    pub token: String,
    /// In the order the server sends them (by host name).
    pub enclaves: Vec<FieldEnclave>,
}

/// What merging an answer changed: the device stores only that.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// The whole set was replaced.
    pub full: bool,
    /// Enclaves added or replaced.
    pub changed: Vec<Uuid>,
    /// Enclaves dropped.
    pub removed: Vec<Uuid>,
}

impl WorkingSet {
    /// A whole set from the server's answer (a delta's enclaves alone when `answer` is one).
    pub fn read(answer: &WireSet) -> Result<Self, WireError> {
        Ok(Self {
            generated_at: answer.generated_at,
            from: answer.from,
            to: answer.to,
            rules: answer.rules,
            token: answer.token.clone(),
            enclaves: answer.enclaves()?,
        })
    }

    /// Merges the answer to `GET /api/field/working-set?since=<self.token>`: a full answer
    /// replaces the set; a delta replaces the enclaves it sends, adds the new ones and drops
    /// those it says are removed. The set then carries the answer's token, dates and rules.
    /// A malformed answer changes nothing.
    pub fn apply(&mut self, answer: &WireSet) -> Result<Applied, WireError> {
        let incoming = answer.enclaves()?;
        let changed: Vec<Uuid> = incoming.iter().map(|e| e.summary.id).collect();
        let applied = if answer.full {
            let removed = self
                .enclaves
                .iter()
                .map(|e| e.summary.id)
                .filter(|id| !changed.contains(id))
                .collect();
            self.enclaves = incoming;
            Applied {
                full: true,
                changed,
                removed,
            }
        } else {
            let removed: Vec<Uuid> = self
                .enclaves
                .iter()
                .map(|e| e.summary.id)
                .filter(|id| answer.removed.contains(id))
                .collect();
            self.enclaves.retain(|e| !removed.contains(&e.summary.id));
            for enclave in incoming {
                match self
                    .enclaves
                    .iter_mut()
                    .find(|e| e.summary.id == enclave.summary.id)
                {
                    Some(held) => *held = enclave,
                    None => self.enclaves.push(enclave),
                }
            }
            self.enclaves.sort_by(|a, b| a.host.name.cmp(&b.host.name));
            Applied {
                full: false,
                changed,
                removed,
            }
        };
        self.generated_at = answer.generated_at;
        self.from = answer.from;
        self.to = answer.to;
        self.rules = answer.rules;
        self.token = answer.token.clone();
        Ok(applied)
    }
}

/// One enclave of the working set, as the device stores it (in its store of enclaves, and
/// in every draft, which keeps its own copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEnclave {
    pub summary: EnclaveSummary,
    pub maatwerkbedrijf: Organisation,
    pub host: Organisation,
    /// Newest start first.
    pub contracts: Vec<Contract>,
    /// The registrations from `from` to `to`, one per work date at most.
    pub registrations: Vec<FieldRegistration>,
}

/// A registration with the supervisors in it who are also registered for another enclave
/// that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRegistration {
    pub registration: Registration,
    pub floating: Vec<Uuid>,
}

impl FieldEnclave {
    /// The registration for `on`, if the set holds one.
    pub fn registration(&self, on: NaiveDate) -> Option<&FieldRegistration> {
        self.registrations
            .iter()
            .find(|r| r.registration.work_date == on)
    }

    /// Checks 1 and 2 for `on` at `now` (Belgian local time), as the server computes them
    /// for the enclave page.
    pub fn checks(&self, on: NaiveDate, now: NaiveDateTime, rules: &RuleSettings) -> Checks {
        Checks {
            contract_filed: check_contract_filed(&self.contracts, on, rules),
            daily_registration: check_daily_registration(
                self.registration(on).map(|r| &r.registration),
                on,
                now,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::fixtures::{enclave, id};

    fn header(token: &str, full: bool, removed: Vec<Uuid>) -> WireHeader {
        WireHeader {
            generated_at: Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap(),
            from: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
            rules: RuleSettings::default(),
            token: token.into(),
            full,
            removed,
        }
    }

    /// `e` as the tablet reads it back: without the ids and codes it never reads.
    fn as_sent(mut e: FieldEnclave) -> FieldEnclave {
        for o in [&mut e.maatwerkbedrijf, &mut e.host] {
            o.id = Uuid::nil();
            o.nace_code = None;
        }
        e.summary.maatwerkbedrijf.id = Uuid::nil();
        e.summary.host.id = Uuid::nil();
        e.contracts.iter_mut().for_each(|c| c.id = Uuid::nil());
        for r in &mut e.registrations {
            r.registration.id = Uuid::nil();
        }
        e
    }

    fn by_id(mut enclaves: Vec<FieldEnclave>) -> Vec<FieldEnclave> {
        enclaves.sort_by_key(|e| e.summary.id);
        enclaves
    }

    #[test]
    fn the_compact_form_gives_back_what_the_server_built() {
        let enclaves = vec![
            enclave(1, 1, 0, &[1, 2, 3]),
            enclave(2, 0, 0, &[]),
            enclave(3, 2, 1, &[3, 4]),
        ];
        let wire = WireSet::encode(header("t", true, Vec::new()), &enclaves);
        // The maatwerkbedrijf of two enclaves and the person of two teams are sent once.
        assert_eq!(wire.organisations.len(), 5);
        assert_eq!(wire.people.len(), 4);
        let json = serde_json::to_string(&wire).unwrap();
        assert!(!json.contains("\"reference\""), "no field names per record");
        let back: WireSet = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.enclaves().unwrap(),
            enclaves.into_iter().map(as_sent).collect::<Vec<_>>()
        );
        assert_eq!(back.header(), header("t", true, Vec::new()));
    }

    #[test]
    fn a_broken_answer_is_refused_and_changes_nothing() {
        let held = WorkingSet::read(&WireSet::encode(
            header("t1", true, Vec::new()),
            &[enclave(1, 0, 0, &[1])],
        ))
        .unwrap();
        let mut wire = WireSet::encode(header("t2", false, Vec::new()), &[enclave(2, 1, 0, &[2])]);
        wire.people.clear();
        let mut set = held.clone();
        assert!(set.apply(&wire).is_err());
        assert_eq!(set, held);
    }

    #[test]
    fn a_delta_replaces_adds_and_removes() {
        let mut set = WorkingSet::read(&WireSet::encode(
            header("t1", true, Vec::new()),
            &[enclave(1, 0, 0, &[1]), enclave(2, 0, 0, &[2])],
        ))
        .unwrap();
        let delta = WireSet::encode(
            header("t2", false, vec![id(2), id(9)]),
            &[enclave(1, 1, 0, &[1, 5]), enclave(3, 0, 1, &[])],
        );
        let applied = set.apply(&delta).unwrap();
        assert_eq!(
            applied,
            Applied {
                full: false,
                changed: vec![id(1), id(3)],
                removed: vec![id(2)],
            }
        );
        assert_eq!(set.token, "t2");
        assert_eq!(
            by_id(set.enclaves),
            vec![
                as_sent(enclave(1, 1, 0, &[1, 5])),
                as_sent(enclave(3, 0, 1, &[]))
            ]
        );
    }

    /// A register: enclave number → (version, mwb, team), or gone.
    fn register() -> impl Strategy<Value = Vec<Option<(u64, u64, Vec<u64>)>>> {
        proptest::collection::vec(
            proptest::option::weighted(
                0.8,
                (0..4u64, 0..3u64, proptest::collection::vec(0..20u64, 0..4)),
            ),
            1..12,
        )
    }

    fn enclaves_of(register: &[Option<(u64, u64, Vec<u64>)>]) -> Vec<FieldEnclave> {
        register
            .iter()
            .enumerate()
            .filter_map(|(n, e)| {
                let (version, mwb, people) = e.as_ref()?;
                let mut people = people.clone();
                people.dedup();
                Some(enclave(n as u64, *version, *mwb, &people))
            })
            .collect()
    }

    proptest! {
        /// The set held, merged with a delta of what changed, is the fresh whole set.
        #[test]
        fn delta_merged_is_the_fresh_set(before in register(), after in register()) {
            let old = enclaves_of(&before);
            let new = enclaves_of(&after);
            let mut set = WorkingSet::read(&WireSet::encode(header("t1", true, Vec::new()), &old)).unwrap();
            let changed: Vec<FieldEnclave> = new.iter().filter(|e| !old.contains(e)).cloned().collect();
            let removed: Vec<Uuid> = old
                .iter()
                .map(|e| e.summary.id)
                .filter(|id| !new.iter().any(|e| e.summary.id == *id))
                .collect();
            let delta = WireSet::encode(header("t2", false, removed), &changed);
            let delta: WireSet = serde_json::from_str(&serde_json::to_string(&delta).unwrap()).unwrap();
            set.apply(&delta).unwrap();
            let fresh = WorkingSet::read(&WireSet::encode(header("t2", true, Vec::new()), &new)).unwrap();
            prop_assert_eq!(set.token, fresh.token);
            prop_assert_eq!(by_id(set.enclaves), by_id(fresh.enclaves));
        }

        /// A whole answer replaces whatever the device held.
        #[test]
        fn a_full_answer_replaces(before in register(), after in register()) {
            let mut set = WorkingSet::read(&WireSet::encode(header("t1", true, Vec::new()), &enclaves_of(&before))).unwrap();
            let full = WireSet::encode(header("t2", true, Vec::new()), &enclaves_of(&after));
            set.apply(&full).unwrap();
            prop_assert_eq!(by_id(set.enclaves), by_id(enclaves_of(&after).into_iter().map(as_sent).collect()));
        }
    }
}
