//! The outbox: records waiting for the server, as the device keeps them. A submitted draft
//! enters it in one device-store transaction, an amendment is queued against the newest
//! version the device knows the server has, and a record that needs attention is sent again
//! (as it is, or rebased on the server's version). Each record has one entry; [`super::sync`]
//! sends them.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::dto::inspection::{AmendmentRecord, Correction, InspectionRecord, PhotoRef};
use shared::dto::review::ReviewState;
use shared::dto::sync::SyncRecord;
use shared::rules::sync::{OutboxState, amendment_base_version, rebased_version};
use shared::rules::validate_amendment;
use uuid::Uuid;

use super::{Device, label};
use crate::draft::Draft;
use crate::store::{self, Broken, Moved, Op, Store, StoreError};
use crate::texts::FieldKey;
use app_core::i18n;

/// A record to sync, as stored on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub record: SyncRecord,
    pub owner: Uuid,
    pub inspection_id: Uuid,
    /// Host and site, for lists.
    pub label: String,
    pub state: OutboxState,
    /// Device clock; also the order of sending.
    pub queued_at: DateTime<Utc>,
    /// Why it needs attention, or why it still waits (Dutch, English).
    pub problem: Option<(String, String)>,
    /// The inspection's version on the server after this record, or the server's version
    /// it conflicts with.
    pub server_version: Option<u32>,
    /// The latest review decision (on the inspection's entry), pulled from the server.
    #[serde(default)]
    pub review: Option<ReviewNote>,
}

impl OutboxEntry {
    /// The photos the record names.
    pub fn photos(&self) -> impl Iterator<Item = &PhotoRef> {
        match &self.record {
            SyncRecord::Inspection(r) => Some(r.photos()),
            SyncRecord::Amendment(_) => None,
        }
        .into_iter()
        .flatten()
    }

    /// The base version an amendment in conflict is sent again with, if it is one.
    pub fn rebase_to(&self) -> Option<u32> {
        let conflict = self.server_version.filter(|v| *v > 0)?;
        matches!(self.record, SyncRecord::Amendment(_)).then(|| rebased_version(conflict))
    }
}

/// Puts `entry` in `outbox` in place of the one with its id, if any: one entry per record.
fn upsert(outbox: &mut Vec<OutboxEntry>, entry: OutboxEntry) {
    match outbox
        .iter_mut()
        .find(|e| e.record.id() == entry.record.id())
    {
        Some(e) => *e = entry,
        None => outbox.push(entry),
    }
}

/// Where review of a submitted inspection stands, as the inspector sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewNote {
    pub state: ReviewState,
    /// The reviewer's comment of the latest decision.
    pub comment: String,
    pub decided_at: Option<DateTime<Utc>>,
}

/// What became of a submit.
#[derive(Debug, Clone, PartialEq)]
pub enum Submission {
    /// In the outbox now; a sync has started.
    Queued,
    /// It was in the outbox already (a second tab, a reload during the submit): nothing added.
    AlreadySubmitted,
    /// The draft is no longer on the device (discarded in another tab): nothing changed.
    DraftGone,
    /// These photos of the record have no bytes on the device: nothing changed.
    MissingPhotos(Vec<String>),
    /// This draft is being submitted already.
    Busy,
    /// The device store failed.
    Failed(StoreError),
}

impl Device {
    /// The user's outbox entries (tracked).
    pub fn my_outbox(self) -> Vec<OutboxEntry> {
        let me = self.me();
        self.outbox
            .with(|o| o.iter().filter(|e| Some(e.owner) == me).cloned().collect())
    }

    /// The user's records not yet on the server, those waiting for photos the server still
    /// lacks included (tracked).
    pub fn pending(self) -> usize {
        let me = self.me();
        self.outbox.with(|o| {
            o.iter()
                .filter(|e| {
                    Some(e.owner) == me
                        && matches!(e.state, OutboxState::Waiting | OutboxState::Sending)
                })
                .count()
        })
    }

    /// The user's records that need attention, and entries the app can no longer read
    /// (tracked).
    pub fn attention(self) -> usize {
        let me = self.me();
        self.broken.with(Vec::len)
            + self.outbox.with(|o| {
                o.iter()
                    .filter(|e| Some(e.owner) == me && e.state == OutboxState::NeedsAttention)
                    .count()
            })
    }

    /// The user's inspections a reviewer returned that no amendment written after the return
    /// answers yet, oldest first (tracked).
    pub fn returned(self) -> Vec<Uuid> {
        let me = self.me();
        self.outbox.with(|o| {
            o.iter()
                .filter(|e| Some(e.owner) == me && matches!(e.record, SyncRecord::Inspection(_)))
                .filter_map(|e| {
                    let review = e.review.as_ref()?;
                    let answered = o.iter().any(|a| {
                        a.inspection_id == e.inspection_id
                            && matches!(a.record, SyncRecord::Amendment(_))
                            && review.decided_at.is_none_or(|at| a.queued_at > at)
                    });
                    (review.state == ReviewState::Returned && !answered).then_some(e.inspection_id)
                })
                .collect()
        })
    }

    /// Shows the inspection `id` as submitted, with the outbox entry the store holds for it
    /// (`entry`, JSON): it is no draft any more.
    pub(super) fn adopt_submitted(self, id: Uuid, entry: String) {
        self.drafts.update(|all| all.retain(|d| d.id != id));
        match serde_json::from_str::<OutboxEntry>(&entry) {
            Ok(entry) => self.outbox.update(|o| upsert(o, entry)),
            Err(_) => {
                let key = id.to_string();
                self.broken.update(|b| {
                    if !b.iter().any(|x| x.store == Store::Outbox && x.key == key) {
                        b.push(Broken {
                            store: Store::Outbox,
                            key,
                            raw: entry,
                        });
                    }
                });
            }
        }
    }

    /// Moves a draft into the outbox as `record`, in one transaction, and starts a sync.
    /// Only one submit of a draft runs at a time; the store adds the record once, whatever
    /// other tabs do, and only with the bytes of every photo it names on the device.
    pub async fn submit(self, draft: &Draft, record: InspectionRecord) -> Submission {
        let id = draft.id;
        let mut first = false;
        self.submitting.update_value(|s| {
            if !s.contains(&id) {
                s.push(id);
                first = true;
            }
        });
        if !first {
            return Submission::Busy;
        }
        let submission = self.move_to_outbox(draft, record).await;
        self.submitting.update_value(|s| s.retain(|x| *x != id));
        submission
    }

    async fn move_to_outbox(self, draft: &Draft, record: InspectionRecord) -> Submission {
        let entry = OutboxEntry {
            inspection_id: draft.id,
            label: label(&draft.enclave),
            record: SyncRecord::Inspection(Box::new(record)),
            owner: draft.owner,
            state: OutboxState::Waiting,
            queued_at: Utc::now(),
            problem: None,
            server_version: None,
            review: None,
        };
        let mut photos: Vec<String> = entry.photos().map(|p| p.sha256.clone()).collect();
        photos.sort_unstable();
        photos.dedup();
        let key = entry.record.id().to_string();
        match store::move_to_outbox(&key, &entry, &photos).await {
            Ok(Moved::Done) => {
                self.drafts.update(|all| all.retain(|d| d.id != draft.id));
                self.outbox.update(|o| upsert(o, entry));
                self.sync();
                Submission::Queued
            }
            Ok(Moved::AlreadyThere(stored)) => {
                self.adopt_submitted(draft.id, stored);
                Submission::AlreadySubmitted
            }
            Ok(Moved::DraftGone) => {
                self.drafts.update(|all| all.retain(|d| d.id != draft.id));
                Submission::DraftGone
            }
            Ok(Moved::MissingPhotos(missing)) => Submission::MissingPhotos(missing),
            Err(e) => {
                self.store_failure.set(Some(e.0.clone()));
                Submission::Failed(e)
            }
        }
    }

    /// Queues an amendment to a submitted inspection and starts a sync. It is written
    /// against the newest version of the inspection the device knows the server has, plus
    /// the amendments still on their way; `correction` corrects the measure and the deadline
    /// as such. `Err`: why not (Dutch, English) — the same checks as the server's, or the
    /// device store failed.
    pub async fn amend(
        self,
        inspection_id: Uuid,
        text: String,
        correction: Option<Correction>,
    ) -> Result<(), Vec<(String, String)>> {
        let me = self.me().ok_or_else(Vec::new)?;
        let (label, known, queued) = self.outbox.with_untracked(|o| {
            let of = || o.iter().filter(|e| e.inspection_id == inspection_id);
            let label = of().next().map(|e| e.label.clone()).unwrap_or_default();
            let known = of().filter_map(|e| e.server_version).max();
            let queued = of()
                .filter(|e| {
                    matches!(e.record, SyncRecord::Amendment(_))
                        && matches!(e.state, OutboxState::Waiting | OutboxState::Sending)
                })
                .count();
            (label, known, u32::try_from(queued).unwrap_or(u32::MAX))
        });
        let now = Utc::now();
        let amendment = AmendmentRecord {
            id: Uuid::new_v4(),
            inspection_id,
            base_version: amendment_base_version(known, queued),
            text,
            measure: correction.and_then(|c| c.measure),
            deadline: correction.and_then(|c| c.deadline),
            written_at: now,
        };
        let problems = validate_amendment(&amendment);
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|p| (p.message_nl, p.message_en))
                .collect());
        }
        let entry = OutboxEntry {
            record: SyncRecord::Amendment(amendment),
            owner: me,
            inspection_id,
            label,
            state: OutboxState::Waiting,
            queued_at: now,
            problem: None,
            server_version: None,
            review: None,
        };
        match self.put_entries(vec![entry], Vec::new()).await {
            Ok(()) => {
                self.sync();
                Ok(())
            }
            Err(e) => Err(vec![i18n::both(
                FieldKey::AmendmentNotSaved,
                &[("{error}", &e.0)],
            )]),
        }
    }

    /// Sends a record that needs attention again, as it is.
    pub async fn retry(self, id: Uuid) -> bool {
        self.requeue(id, |_| ()).await
    }

    /// Sends an amendment in conflict again, written against the version the server has
    /// (same id: the server never applied it).
    pub async fn rebase(self, id: Uuid) -> bool {
        self.requeue(id, |entry| {
            let base = entry.rebase_to();
            if let (Some(base), SyncRecord::Amendment(a)) = (base, &mut entry.record) {
                a.base_version = base;
            }
        })
        .await
    }

    /// Puts the entry `id` back to waiting, changed by `change`, and starts a sync.
    async fn requeue(self, id: Uuid, change: impl FnOnce(&mut OutboxEntry)) -> bool {
        let Some(mut entry) = self
            .outbox
            .with_untracked(|o| o.iter().find(|e| e.record.id() == id).cloned())
        else {
            return false;
        };
        change(&mut entry);
        entry.state = OutboxState::Waiting;
        entry.problem = None;
        let ok = self.put_entries(vec![entry], Vec::new()).await.is_ok();
        if ok {
            self.sync();
        }
        ok
    }

    /// Stores `entries` together with `also`, in one transaction, then shows them — by id,
    /// so entries added meanwhile stay.
    pub(super) async fn put_entries(
        self,
        entries: Vec<OutboxEntry>,
        also: Vec<Op>,
    ) -> Result<(), StoreError> {
        let mut ops: Vec<Op> = entries
            .iter()
            .map(|e| Op::put(Store::Outbox, e.record.id().to_string(), e))
            .collect();
        ops.extend(also);
        if let Err(e) = store::write(ops).await {
            self.store_failure.set(Some(e.0.clone()));
            return Err(e);
        }
        self.outbox.update(|o| {
            for entry in entries {
                upsert(o, entry);
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use shared::fixtures::id;

    use super::*;
    use crate::draft::tests::draft;

    fn entry(record: SyncRecord, state: OutboxState) -> OutboxEntry {
        OutboxEntry {
            inspection_id: match &record {
                SyncRecord::Inspection(r) => r.id,
                SyncRecord::Amendment(a) => a.inspection_id,
            },
            record,
            owner: id(9),
            label: "Org 11 — Site 1, Gent".into(),
            state,
            queued_at: Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap(),
            problem: None,
            server_version: None,
            review: None,
        }
    }

    fn inspection() -> SyncRecord {
        let mut d = draft();
        d.measure = Some(shared::dto::inspection::Measure::Advice);
        SyncRecord::Inspection(Box::new(d.record(d.started_at).expect("a record")))
    }

    fn amendment(inspection_id: Uuid) -> SyncRecord {
        SyncRecord::Amendment(AmendmentRecord {
            id: id(77),
            inspection_id,
            base_version: 1,
            text: "Begeleider kwam om 9 uur.".into(),
            measure: None,
            deadline: None,
            written_at: Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap(),
        })
    }

    #[test]
    fn the_outbox_holds_one_entry_per_record() {
        let record = inspection();
        let mut outbox = Vec::new();
        upsert(&mut outbox, entry(record.clone(), OutboxState::Waiting));
        upsert(&mut outbox, entry(record.clone(), OutboxState::Sending));
        assert_eq!(outbox.len(), 1, "a record sent again replaces its entry");
        assert_eq!(outbox[0].state, OutboxState::Sending);
        let on = record.id();
        upsert(&mut outbox, entry(amendment(on), OutboxState::Waiting));
        upsert(&mut outbox, entry(record, OutboxState::Synced));
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox[0].state, OutboxState::Synced);
        assert_eq!(outbox[1].inspection_id, on);
    }

    #[test]
    fn only_an_amendment_in_conflict_is_sent_again_on_the_servers_version() {
        let record = inspection();
        let mut first = entry(record.clone(), OutboxState::NeedsAttention);
        first.server_version = Some(3);
        assert_eq!(first.rebase_to(), None, "an inspection is never rebased");
        let mut later = entry(amendment(record.id()), OutboxState::NeedsAttention);
        assert_eq!(later.rebase_to(), None, "no server version known");
        later.server_version = Some(3);
        assert_eq!(later.rebase_to(), Some(rebased_version(3)));
        assert!(
            entry(record, OutboxState::Waiting)
                .photos()
                .next()
                .is_none(),
            "a record without findings names no photos"
        );
    }
}
