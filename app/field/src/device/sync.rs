//! The sync engine: sends the outbox, then pulls what changed. What each answer or failure
//! means is the planner's (`shared::rules::sync`); this is its I/O.
//!
//! 1. Photos first, in pieces: each piece is its own `PUT /api/attachments/{sha256}` with a
//!    `Content-Range`, sized to the link as measured (`next_piece`), and sent only from where
//!    the server says its stored part ends. After a lost or refused piece (a timeout, a lost
//!    answer, a reload, a server restart) the upload asks `GET …/status` and resumes there.
//!    A photo the server has confirmed whole is not asked about again while the page lives
//!    (unless a push says the server lacks it), so each sync goes on where the last stopped.
//! 2. The waiting records in batches (`POST /api/sync/push`). A batch the server fails on
//!    (500) is halved, down to the records that cause it; a record whose photos the server
//!    still lacks gets them uploaded and is pushed once more in the same sync.
//! 3. `GET /api/sync/pull` from the stored cursor (review decisions on the inspector's
//!    inspections are fetched and shown with them); the cursor is stored only with what the
//!    pull changed, in one transaction. Then the working set is brought up to date by delta
//!    ([`super::working_set`]).
//!
//! A record that fails on its own — a photo the server refuses or that is not on the device,
//! a record the server refuses or fails on — needs attention, and the others go on. A
//! network failure stops the sync with everything still waiting, to be tried again. Every
//! state change of an outbox entry is written to the device store before the next network
//! step, so a reload or a crash at any moment resumes where it stopped: a record that was
//! being sent is sent again, and the server answers `duplicate` if it already had it.
//! Without a live session, sync waits.

use chrono::Utc;
use leptos::prelude::*;
use shared::dto::inspection::{AmendmentRecord, InspectionView, PhotoRef};
use shared::dto::review::ReviewState;
use shared::dto::sync::{Entity, PushRequest, SyncRecord};
use shared::rules::sync::{self as plan, FIRST_PIECE, OutboxState, PushFailure};
use uuid::Uuid;

use super::{Device, OutboxEntry, ReviewNote};
use crate::store::{self, Op, Store};
use crate::texts::FieldKey;
use app_core::api::{self, ApiFailure};
use app_core::i18n;

/// Records per push.
const BATCH: usize = 100;
/// Pieces in a row that get the server no further, after which a photo's upload gives up
/// for this sync.
const PIECE_ATTEMPTS: u32 = 5;
/// A photo's upload that gets the server no further: its record needs attention.
const NO_PROGRESS: ApiFailure = ApiFailure::Api {
    status: 409,
    error: None,
    request_id: None,
};
const PULL_CURSOR: &str = "cursor";
/// Inspections with a review decision not yet fetched.
const REVIEWED: &str = "reviewed";

/// A state change of an outbox record: its id, state, problem and (if the answer says it)
/// the server's version.
type Change = (Uuid, OutboxState, Option<(String, String)>, Option<u32>);

/// What one sync has learnt so far.
struct Round {
    /// The size of the next photo piece.
    piece: u64,
    /// The server answered a push of this sync.
    answered: bool,
    /// Pushes the server failed on while it had answered none.
    failed_unanswered: u32,
    /// Records the server failed on alone: decided once the sync knows whether the server
    /// answered others.
    suspects: Vec<(Uuid, ApiFailure)>,
    /// Records the server lacks photos of, with those photos.
    missing: Vec<(Uuid, Vec<String>)>,
}

/// Why a photo was not uploaded.
enum PhotoFailure {
    /// Its bytes are not on the device (`None`), or could not be read (why).
    NotOnDevice(Option<String>),
    Api(ApiFailure),
}

impl From<ApiFailure> for PhotoFailure {
    fn from(failure: ApiFailure) -> Self {
        Self::Api(failure)
    }
}

/// The status and the server's message (Dutch, English) of a failure; no status when no
/// answer reached the tablet.
fn answer(failure: &ApiFailure) -> (Option<u16>, Option<(String, String)>) {
    match failure {
        ApiFailure::Offline => (None, None),
        ApiFailure::SignedOut => (Some(401), None),
        ApiFailure::Api { status, error, .. } => (
            Some(*status),
            error
                .as_ref()
                .map(|e| (e.message_nl.clone(), e.message_en.clone())),
        ),
    }
}

/// The first characters of a photo's hash, as shown with it.
fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

impl Device {
    /// Starts a sync, unless there is no live session (it waits for a sign-in) or one is
    /// running (then another follows it).
    pub fn sync(self) {
        let live = untrack(|| {
            self.ready.get()
                && self.session.is_signed_in()
                && !self.session.must_change_password()
                && self.me().is_some()
        });
        if !live {
            return;
        }
        if self.syncing.get_untracked() {
            self.sync_again.set_value(true);
            return;
        }
        self.syncing.set(true);
        self.sync_again.set_value(false);
        leptos::task::spawn_local(async move {
            match self.sync_now().await {
                Ok(()) => {
                    self.failure.set(None);
                    self.last_sync.set(Some(Utc::now()));
                }
                Err(failure) => self.failure.set(Some(failure)),
            }
            self.syncing.set(false);
            if self.sync_again.get_value() {
                self.sync();
            }
        });
    }

    async fn sync_now(self) -> Result<(), ApiFailure> {
        let me = untrack(|| self.me()).ok_or(ApiFailure::SignedOut)?;
        let mut round = Round {
            piece: FIRST_PIECE,
            answered: false,
            failed_unanswered: 0,
            suspects: Vec::new(),
            missing: Vec::new(),
        };
        let mut sent = self.send(self.waiting(me, None), &mut round).await;
        if sent.is_ok() && !round.missing.is_empty() {
            // Once more for the records whose photos the server lacked; if it still lacks
            // some, they wait for the next sync.
            let missing = std::mem::take(&mut round.missing);
            self.uploaded.update_value(|uploaded| {
                for sha in missing.iter().flat_map(|(_, photos)| photos) {
                    uploaded.remove(sha);
                }
            });
            let ids: Vec<Uuid> = missing.into_iter().map(|(id, _)| id).collect();
            sent = self.send(self.waiting(me, Some(&ids)), &mut round).await;
        }
        self.settle_suspects(&mut round).await;
        sent?;
        self.pull().await?;
        // Today's registrations are made in the morning, after the inspector prepared; a
        // failed refresh keeps the set as it was, and the next sync asks again.
        self.refresh_working_set().await
    }

    /// The user's waiting records (of `ids`, if given), oldest first.
    fn waiting(self, me: Uuid, ids: Option<&[Uuid]>) -> Vec<OutboxEntry> {
        self.outbox.with_untracked(|o| {
            o.iter()
                .filter(|e| {
                    e.owner == me
                        && e.state == OutboxState::Waiting
                        && ids.is_none_or(|ids| ids.contains(&e.record.id()))
                })
                .cloned()
                .collect()
        })
    }

    /// Uploads the photos of `entries`, then pushes those whose photos the server has.
    async fn send(self, entries: Vec<OutboxEntry>, round: &mut Round) -> Result<(), ApiFailure> {
        let ready = self.upload_photos(entries, round).await?;
        self.push_all(ready, round).await
    }

    /// Uploads the photos of each entry; gives back the entries whose photos are all on the
    /// server. An entry with a photo that cannot be uploaded is marked and left out.
    async fn upload_photos(
        self,
        entries: Vec<OutboxEntry>,
        round: &mut Round,
    ) -> Result<Vec<OutboxEntry>, ApiFailure> {
        let mut ready = Vec::new();
        'entries: for entry in entries {
            for photo in entry.photos() {
                if self.uploaded.with_value(|u| u.contains(&photo.sha256)) {
                    continue;
                }
                let (state, problem) = match self.upload_photo(photo, round).await {
                    Ok(()) => {
                        self.uploaded.update_value(|u| {
                            u.insert(photo.sha256.clone());
                        });
                        continue;
                    }
                    Err(PhotoFailure::NotOnDevice(None)) => (
                        OutboxState::NeedsAttention,
                        i18n::both(FieldKey::PhotoMissing, &[("{photo}", short(&photo.sha256))]),
                    ),
                    Err(PhotoFailure::NotOnDevice(Some(why))) => (
                        OutboxState::NeedsAttention,
                        i18n::both(
                            FieldKey::PhotoNotRead,
                            &[("{photo}", short(&photo.sha256)), ("{error}", &why)],
                        ),
                    ),
                    Err(PhotoFailure::Api(failure)) => {
                        let (status, message) = answer(&failure);
                        let Some(status) = status else {
                            return Err(failure);
                        };
                        let state = match plan::push_failure(Some(status)) {
                            PushFailure::Retry => return Err(failure),
                            // The server failed storing it: the record waits for the next sync.
                            PushFailure::Narrow => OutboxState::Waiting,
                            PushFailure::Refused => OutboxState::NeedsAttention,
                        };
                        let (nl, en) = plan::failure_problem(status, message);
                        let sha = short(&photo.sha256);
                        (
                            state,
                            (format!("Foto {sha}…: {nl}"), format!("Photo {sha}…: {en}")),
                        )
                    }
                };
                self.set_states([(entry.record.id(), state, Some(problem), None)])
                    .await;
                continue 'entries;
            }
            ready.push(entry);
        }
        Ok(ready)
    }

    /// Uploads one photo, piece by piece, from where the server's stored part ends.
    async fn upload_photo(self, photo: &PhotoRef, round: &mut Round) -> Result<(), PhotoFailure> {
        let sha = photo.sha256.as_str();
        let mut status = api::attachment_status(self.session, sha).await?;
        if status.complete {
            return Ok(());
        }
        let bytes = match store::bytes(Store::Photos, sha).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(PhotoFailure::NotOnDevice(None)),
            Err(e) => return Err(PhotoFailure::NotOnDevice(Some(e.0))),
        };
        let total = bytes.len() as u64;
        let mut failed = 0;
        while !status.complete {
            let Some(piece) = plan::piece_at(status.received_bytes, round.piece, total) else {
                // The server holds as many bytes as the photo has, and still not the photo.
                return Err(NO_PROGRESS.into());
            };
            let len = piece.end - piece.start;
            let started = js_sys::Date::now();
            let sent = api::upload_piece(
                self.session,
                sha,
                &bytes[piece.start as usize..piece.end as usize],
                piece.start,
                total,
                &photo.content_type,
            )
            .await;
            let failure = match sent {
                Ok(now) => {
                    let millis = (js_sys::Date::now() - started).max(0.0) as u64;
                    // A photo's short last piece says little about the link.
                    if len >= round.piece {
                        round.piece = plan::next_piece(len, Some(millis));
                    }
                    status = now;
                    NO_PROGRESS
                }
                Err(failure @ (ApiFailure::Offline | ApiFailure::Api { status: 409, .. })) => {
                    if failure == ApiFailure::Offline {
                        round.piece = plan::next_piece(len, None);
                    }
                    // Lost, timed out, or not where the server's part ends: resume from
                    // where the server stands (it may have stored the piece after all).
                    status = api::attachment_status(self.session, sha).await?;
                    failure
                }
                Err(failure) => return Err(failure.into()),
            };
            failed = if status.complete || status.received_bytes > piece.start {
                0
            } else {
                failed + 1
            };
            if failed >= PIECE_ATTEMPTS {
                return Err(failure.into());
            }
        }
        Ok(())
    }

    /// Pushes `ready` in batches. A batch the server fails on is halved, depth first, down to
    /// the single records it fails on — unless it fails on everything.
    async fn push_all(self, ready: Vec<OutboxEntry>, round: &mut Round) -> Result<(), ApiFailure> {
        // A stack: the next batch to push is the last.
        let mut batches: Vec<Vec<OutboxEntry>> =
            ready.chunks(BATCH).rev().map(<[_]>::to_vec).collect();
        while let Some(batch) = batches.pop() {
            let Some(failure) = self.push(&batch, round).await? else {
                continue;
            };
            if let [only] = batch.as_slice() {
                round.suspects.push((only.record.id(), failure));
                continue;
            }
            if !plan::keep_narrowing(round.failed_unanswered, round.answered) {
                return Err(failure);
            }
            if let Some((first, second)) = plan::halves(batch.len()) {
                batches.push(batch[second].to_vec());
                batches.push(batch[first].to_vec());
            }
        }
        Ok(())
    }

    /// Pushes one batch and records the answers. `Ok(Some(failure))`: the server failed on
    /// the batch (its records wait, to be narrowed); `Err`: the sync stops, the records wait.
    async fn push(
        self,
        batch: &[OutboxEntry],
        round: &mut Round,
    ) -> Result<Option<ApiFailure>, ApiFailure> {
        let ids = || batch.iter().map(|e| e.record.id());
        self.set_states(ids().map(|id| (id, OutboxState::Sending, None, None)))
            .await;
        let request = PushRequest {
            records: batch.iter().map(|e| e.record.clone()).collect(),
        };
        let failure = match api::push(self.session, &request).await {
            Ok(response) => {
                round.answered = true;
                let mut changes: Vec<Change> = Vec::new();
                for result in response.results {
                    let t = plan::after_outcome(&result.outcome);
                    if !t.missing_photos.is_empty() {
                        round.missing.push((result.id, t.missing_photos));
                    }
                    changes.push((result.id, t.state, t.problem, t.server_version));
                }
                // A record the answer leaves out waits for the next sync.
                let unanswered: Vec<Change> = ids()
                    .filter(|id| !changes.iter().any(|c| c.0 == *id))
                    .map(|id| (id, OutboxState::Waiting, None, None))
                    .collect();
                changes.extend(unanswered);
                self.set_states(changes).await;
                return Ok(None);
            }
            Err(failure) => failure,
        };
        let (status, message) = answer(&failure);
        match plan::push_failure(status) {
            PushFailure::Retry => {
                self.set_states(ids().map(|id| (id, OutboxState::Waiting, None, None)))
                    .await;
                Err(failure)
            }
            PushFailure::Refused => {
                let problem = plan::failure_problem(status.unwrap_or(400), message);
                self.set_states(
                    ids().map(|id| (id, OutboxState::NeedsAttention, Some(problem.clone()), None)),
                )
                .await;
                Ok(None)
            }
            PushFailure::Narrow => {
                if !round.answered {
                    round.failed_unanswered += 1;
                }
                self.set_states(ids().map(|id| (id, OutboxState::Waiting, None, None)))
                    .await;
                Ok(Some(failure))
            }
        }
    }

    /// Decides the records the server failed on alone: they need attention when it answered
    /// other pushes of this sync (the fault is theirs), and wait otherwise.
    async fn settle_suspects(self, round: &mut Round) {
        if round.suspects.is_empty() {
            return;
        }
        let state = plan::after_server_error(round.answered);
        let changes: Vec<Change> = round
            .suspects
            .drain(..)
            .map(|(id, failure)| {
                let (status, message) = answer(&failure);
                let problem = plan::failure_problem(status.unwrap_or(500), message);
                (id, state, Some(problem), None)
            })
            .collect();
        self.set_states(changes).await;
    }

    /// Changes the state of outbox entries, on the device first, then on screen. A store
    /// failure is shown; what is sent again after it, the server deduplicates.
    async fn set_states(self, changes: impl IntoIterator<Item = Change>) {
        let entries: Vec<OutboxEntry> = self.outbox.with_untracked(|o| {
            changes
                .into_iter()
                .filter_map(|(id, state, problem, version)| {
                    let mut entry = o.iter().find(|e| e.record.id() == id)?.clone();
                    entry.state = state;
                    entry.problem = problem;
                    if version.is_some() {
                        entry.server_version = version;
                    }
                    Some(entry)
                })
                .collect()
        });
        let _ = self.put_entries(entries, Vec::new()).await;
    }

    /// Pulls what changed for this user. A change to a record the device still counts as
    /// unsent means it did arrive (e.g. the answer to a push was lost). Changes to the
    /// register reach the working set through its own refresh, which also sees the
    /// registrations outside the region that make a supervisor floating.
    async fn pull(self) -> Result<(), ApiFailure> {
        let mut cursor: i64 = store::get(Store::Meta, PULL_CURSOR)
            .await
            .ok()
            .flatten()
            .unwrap_or(0);
        let mut reviewed: Vec<Uuid> = store::get(Store::Meta, REVIEWED)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        loop {
            let page = api::pull(self.session, cursor).await?;
            let mut arrived: Vec<OutboxEntry> = Vec::new();
            for change in &page.changes {
                match change.entity {
                    Entity::Inspection | Entity::Amendment => {
                        let unsent = self.outbox.with_untracked(|o| {
                            o.iter()
                                .find(|e| {
                                    e.record.id() == change.id && e.state != OutboxState::Synced
                                })
                                .cloned()
                        });
                        if let Some(mut entry) = unsent {
                            entry.state = OutboxState::Synced;
                            entry.problem = None;
                            arrived.push(entry);
                        }
                    }
                    Entity::Review => {
                        if let Some(id) = change.inspection_id
                            && !reviewed.contains(&id)
                        {
                            reviewed.push(id);
                        }
                    }
                    Entity::Registration | Entity::Contract => {}
                }
            }
            let meta = vec![
                Op::put(Store::Meta, REVIEWED, &reviewed),
                Op::put(Store::Meta, PULL_CURSOR, &page.next_cursor),
            ];
            if self.put_entries(arrived, meta).await.is_err() {
                return Ok(());
            }
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        while let Some(&id) = reviewed.first() {
            let view = api::inspection(self.session, id).await?;
            let decided = self.outbox.with_untracked(|o| {
                o.iter()
                    .find(|e| {
                        e.inspection_id == id && matches!(e.record, SyncRecord::Inspection(_))
                    })
                    .cloned()
            });
            // A returned inspection this device no longer holds (it was emptied at a logout):
            // it comes back from the server with its amendments, so the inspector can answer.
            let decided = match decided {
                None if view.review_state == ReviewState::Returned
                    && untrack(|| self.me()) == Some(view.inspector_id) =>
                {
                    self.restore_returned(&view).await
                }
                found => found.into_iter().collect(),
            };
            let decided: Vec<OutboxEntry> = decided
                .into_iter()
                .map(|mut entry| {
                    let last = view.reviews.last();
                    entry.review = Some(ReviewNote {
                        state: view.review_state,
                        comment: last.map(|r| r.comment.clone()).unwrap_or_default(),
                        decided_at: last.map(|r| r.decided_at),
                    });
                    entry
                })
                .collect();
            reviewed.remove(0);
            let meta = vec![Op::put(Store::Meta, REVIEWED, &reviewed)];
            if self.put_entries(decided, meta).await.is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}

impl Device {
    /// The outbox entries, all synced, of a returned inspection that is not on this device:
    /// the record and the amendments the server holds, labelled by the enclave (from the
    /// working set, else the server).
    async fn restore_returned(self, view: &InspectionView) -> Vec<OutboxEntry> {
        let Some(owner) = untrack(|| self.me()) else {
            return Vec::new();
        };
        let record = &view.record;
        let label = match untrack(|| self.enclave(record.enclave_id)) {
            Some(enclave) => super::label(&enclave),
            None => match api::enclave(self.session, &record.enclave_id.to_string()).await {
                Ok(fetched) => {
                    let e = fetched.value;
                    format!("{} — {}, {}", e.host.name, e.site.name, e.site.municipality)
                }
                Err(_) => String::new(),
            },
        };
        let entry = |record: SyncRecord, queued_at, server_version| OutboxEntry {
            record,
            owner,
            inspection_id: view.record.id,
            label: label.clone(),
            state: OutboxState::Synced,
            queued_at,
            problem: None,
            server_version: Some(server_version),
            review: None,
        };
        let mut entries = vec![entry(
            SyncRecord::Inspection(Box::new(record.clone())),
            view.received_at,
            1,
        )];
        entries.extend(view.amendments.iter().zip(2..).map(|(a, version)| {
            entry(
                SyncRecord::Amendment(AmendmentRecord {
                    id: a.id,
                    inspection_id: record.id,
                    base_version: a.base_version,
                    text: a.text.clone(),
                    measure: a.measure,
                    deadline: a.deadline,
                    written_at: a.written_at,
                }),
                a.received_at,
                version,
            )
        }));
        entries
    }
}
