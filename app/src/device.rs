//! What the tablet holds and how it reaches the server: the working set ("prepare for the
//! field"), drafts, the outbox and the sync engine, as one reactive context.
//!
//! Sync, in order: photos first (`PUT /api/attachments/{sha256}`, resumed from what the
//! server already has), then the waiting records in batches (`POST /api/sync/push`), then
//! `GET /api/sync/pull` from the stored cursor (review decisions on the inspector's
//! inspections are fetched and shown with them); the cursor is stored only with what the pull
//! changed, in one transaction. Every state change of an outbox entry is written to the
//! device store before the next network step, so a reload or a crash at any moment resumes
//! where it stopped: a record that was being sent is sent again, and the server answers
//! `duplicate` if it already had it. Sync runs when the app starts, when the network comes
//! back, every [`RETRY_EVERY`] while something waits, and on demand.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::dto::field::{FieldEnclave, WorkingSet};
use shared::dto::inspection::AmendmentRecord;
use shared::dto::review::ReviewState;
use shared::dto::sync::{Entity, PushOutcome, PushRequest, SyncRecord};
use shared::rules::contract_filed::RuleSettings;
use uuid::Uuid;

use shared::dto::enclave::EnclaveSummary;
use shared::rules::geo::haversine_km;

use crate::api::{self, ApiFailure, SearchQuery};
use crate::draft::Draft;
use crate::session::Session;
use crate::store::{self, Op, Store};

/// How often sync retries while records wait.
const RETRY_EVERY: Duration = Duration::from_secs(30);
/// Records per push.
const BATCH: usize = 100;
/// Days of registrations in the working set.
const WORKING_SET_DAYS: u32 = 3;
/// A working set older than this is refreshed by the next sync (today's registrations are
/// made in the morning, after the inspector prepared).
const REFRESH_AFTER_MINUTES: i64 = 30;

/// Where an outbox record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Waiting,
    Sending,
    Synced,
    /// Rejected or in conflict: the inspector must look at it.
    NeedsAttention,
}

impl OutboxState {
    /// As in `data-state` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Synced => "synced",
            Self::NeedsAttention => "needs_attention",
        }
    }
}

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
    /// Why it needs attention (Dutch, English).
    pub problem: Option<(String, String)>,
    /// The inspection's version on the server after this record.
    pub server_version: Option<u32>,
    /// The latest review decision (on the inspection's entry), pulled from the server.
    #[serde(default)]
    pub review: Option<ReviewNote>,
}

/// Where review of a submitted inspection stands, as the inspector sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewNote {
    pub state: ReviewState,
    /// The reviewer's comment of the latest decision.
    pub comment: String,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The working set's facts (the enclaves themselves are in their own store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMeta {
    pub owner: Uuid,
    pub generated_at: DateTime<Utc>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub rules: RuleSettings,
    pub enclaves: usize,
}

const FIELD_META: &str = "field";
const PULL_CURSOR: &str = "cursor";
/// Enclaves of the working set whose register changed and that must be downloaded again.
const STALE_ENCLAVES: &str = "stale";
/// Inspections with a review decision not yet fetched.
const REVIEWED: &str = "reviewed";

/// The device context.
#[derive(Clone, Copy)]
pub struct Device {
    session: Session,
    /// Loaded from the store at start.
    pub ready: RwSignal<bool>,
    pub field: RwSignal<Option<FieldMeta>>,
    /// The working set's enclaves, for lookup offline.
    pub enclaves: StoredValue<Vec<FieldEnclave>>,
    /// Every outbox entry on the device, of every user, oldest first.
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    pub drafts: RwSignal<Vec<Draft>>,
    pub syncing: RwSignal<bool>,
    pub preparing: RwSignal<bool>,
    /// The last sync or preparation failure (cleared by the next success).
    pub failure: RwSignal<Option<ApiFailure>>,
    /// A failure of the device store itself.
    pub store_failure: RwSignal<Option<String>>,
    pub last_sync: RwSignal<Option<DateTime<Utc>>>,
    /// Set while the logout warning is shown.
    pub logout_warning: RwSignal<bool>,
}

impl Device {
    /// Creates the context, loads the store, and starts syncing by itself.
    pub fn provide(session: Session) -> Self {
        let device = Self {
            session,
            ready: RwSignal::new(false),
            field: RwSignal::new(None),
            enclaves: StoredValue::new(Vec::new()),
            outbox: RwSignal::new(Vec::new()),
            drafts: RwSignal::new(Vec::new()),
            syncing: RwSignal::new(false),
            preparing: RwSignal::new(false),
            failure: RwSignal::new(None),
            store_failure: RwSignal::new(None),
            last_sync: RwSignal::new(None),
            logout_warning: RwSignal::new(false),
        };
        provide_context(device);
        leptos::task::spawn_local(async move {
            device.load().await;
            device.sync();
        });
        // The app lives as long as the page: the listener and the interval stay.
        let _ = window_event_listener(leptos::ev::online, move |_| device.sync());
        let _ = set_interval_with_handle(
            move || {
                if device.pending() > 0 {
                    device.sync();
                }
            },
            RETRY_EVERY,
        );
        request_persistent_storage();
        device
    }

    /// The context provided by the app.
    pub fn expect() -> Self {
        expect_context()
    }

    fn me(self) -> Option<Uuid> {
        self.session.user().map(|u| u.id)
    }

    async fn load(self) {
        let loaded = async {
            let meta: Option<FieldMeta> = store::get(Store::Meta, FIELD_META).await?;
            let enclaves: Vec<FieldEnclave> = if meta.is_some() {
                store::all(Store::Enclaves).await?
            } else {
                Vec::new()
            };
            let mut outbox: Vec<OutboxEntry> = store::all(Store::Outbox).await?;
            for entry in &mut outbox {
                // Cut off mid-send (reload, crash): send again; the server deduplicates.
                if entry.state == OutboxState::Sending {
                    entry.state = OutboxState::Waiting;
                }
            }
            outbox.sort_by_key(|e| e.queued_at);
            let mut drafts: Vec<Draft> = store::all(Store::Drafts).await?;
            drafts.sort_by_key(|d| d.started_at);
            Ok::<_, store::StoreError>((meta, enclaves, outbox, drafts))
        }
        .await;
        match loaded {
            Ok((meta, mut enclaves, outbox, drafts)) => {
                enclaves.sort_by(|a, b| a.host.name.cmp(&b.host.name));
                self.enclaves.set_value(enclaves);
                self.field.set(meta);
                self.outbox.set(outbox);
                self.drafts.set(drafts);
            }
            Err(e) => self.store_failure.set(Some(e.0)),
        }
        self.ready.set(true);
        // For the cold-start benchmark: from here on, lookup and recording work.
        if let Some(performance) = window().performance() {
            let _ = performance.mark("ei-ready");
        }
    }

    /// The working set, if it belongs to the signed-in user.
    pub fn field_meta(self) -> Option<FieldMeta> {
        let me = self.me()?;
        self.field.get().filter(|m| m.owner == me)
    }

    /// An enclave of the working set.
    pub fn enclave(self, id: Uuid) -> Option<FieldEnclave> {
        self.field_meta()?;
        self.enclaves
            .with_value(|all| all.iter().find(|e| e.summary.id == id).cloned())
    }

    /// The signed-in user's outbox entries (tracked).
    pub fn my_outbox(self) -> Vec<OutboxEntry> {
        let me = self.me();
        self.outbox
            .with(|o| o.iter().filter(|e| Some(e.owner) == me).cloned().collect())
    }

    /// The signed-in user's drafts (tracked).
    pub fn my_drafts(self) -> Vec<Draft> {
        let me = self.me();
        self.drafts
            .with(|d| d.iter().filter(|d| Some(d.owner) == me).cloned().collect())
    }

    /// Records of the signed-in user not yet on the server (tracked).
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

    /// Records of the signed-in user that need attention (tracked).
    pub fn attention(self) -> usize {
        let me = self.me();
        self.outbox.with(|o| {
            o.iter()
                .filter(|e| Some(e.owner) == me && e.state == OutboxState::NeedsAttention)
                .count()
        })
    }

    /// Everything on the device that is not safely on the server: drafts and unsynced
    /// records of any user (tracked).
    pub fn unsynced(self) -> usize {
        self.drafts.with(Vec::len)
            + self
                .outbox
                .with(|o| o.iter().filter(|e| e.state != OutboxState::Synced).count())
    }

    fn store_result(self, result: Result<(), store::StoreError>) -> bool {
        match result {
            Ok(()) => true,
            Err(e) => {
                self.store_failure.set(Some(e.0));
                false
            }
        }
    }

    /// "Prepare for the field": downloads the working set (the user's region, or `ids`) and
    /// replaces what the device held.
    pub async fn prepare(self, ids: Option<Vec<Uuid>>) -> bool {
        let Some(me) = self.me() else { return false };
        self.preparing.set(true);
        let result = api::working_set(self.session, ids.as_deref(), WORKING_SET_DAYS).await;
        let ok = match result {
            Ok(set) => {
                self.failure.set(None);
                self.keep_working_set(me, set, ids.is_none()).await
            }
            Err(failure) => {
                self.failure.set(Some(failure));
                false
            }
        };
        self.preparing.set(false);
        ok
    }

    /// Stores a downloaded working set: the whole set replaces the old one; a chosen list
    /// is added to it.
    async fn keep_working_set(self, me: Uuid, set: WorkingSet, whole: bool) -> bool {
        let mut enclaves = if whole || self.field_meta().is_none() {
            Vec::new()
        } else {
            self.enclaves.get_value()
        };
        enclaves.retain(|e| !set.enclaves.iter().any(|n| n.summary.id == e.summary.id));
        enclaves.extend(set.enclaves.iter().cloned());
        enclaves.sort_by(|a, b| a.host.name.cmp(&b.host.name));
        // Added enclaves do not make the rest of the set any fresher.
        let (generated_at, from, to) = match self.field_meta() {
            Some(old) if !whole => (old.generated_at, old.from, old.to),
            _ => (set.generated_at, set.from, set.to),
        };
        let meta = FieldMeta {
            owner: me,
            generated_at,
            from,
            to,
            rules: set.rules,
            enclaves: enclaves.len(),
        };
        let mut ops = vec![Op::Clear(Store::Enclaves)];
        ops.extend(
            enclaves
                .iter()
                .map(|e| Op::put(Store::Enclaves, e.summary.id.to_string(), e)),
        );
        ops.push(Op::put(Store::Meta, FIELD_META, &meta));
        let ok = self.store_result(store::write(ops).await);
        if ok {
            self.enclaves.set_value(enclaves);
            self.field.set(Some(meta));
        }
        ok
    }

    /// The enclave's data for an inspection: from the working set, else downloaded (with
    /// the floating supervisors) and added to it.
    pub async fn enclave_for_inspection(
        self,
        id: Uuid,
    ) -> Result<(FieldEnclave, RuleSettings), ApiFailure> {
        if let (Some(enclave), Some(meta)) = (self.enclave(id), self.field_meta()) {
            return Ok((enclave, meta.rules));
        }
        let set = api::working_set(self.session, Some(&[id]), WORKING_SET_DAYS).await?;
        let enclave = set
            .enclaves
            .iter()
            .find(|e| e.summary.id == id)
            .cloned()
            .ok_or(ApiFailure::Api {
                status: 404,
                error: None,
            })?;
        let rules = set.rules;
        if let Some(me) = self.me() {
            self.keep_working_set(me, set, false).await;
        }
        Ok((enclave, rules))
    }

    /// Saves a draft (every step of the form).
    pub async fn save_draft(self, draft: Draft) -> bool {
        let ok = self.store_result(
            store::write(vec![Op::put(Store::Drafts, draft.id.to_string(), &draft)]).await,
        );
        if ok {
            self.drafts
                .update(|all| match all.iter_mut().find(|d| d.id == draft.id) {
                    Some(d) => *d = draft,
                    None => all.push(draft),
                });
        }
        ok
    }

    /// Saves a photo's bytes with the draft that names it, in one transaction.
    pub async fn save_photo(self, draft: Draft, sha256: String, bytes: Vec<u8>) -> bool {
        let ops = vec![
            Op::PutBytes(Store::Photos, sha256, bytes),
            Op::put(Store::Drafts, draft.id.to_string(), &draft),
        ];
        let ok = self.store_result(store::write(ops).await);
        if ok {
            self.drafts.update(|all| {
                if let Some(d) = all.iter_mut().find(|d| d.id == draft.id) {
                    *d = draft;
                }
            });
        }
        ok
    }

    /// Throws a draft away, with the photos only it named.
    pub async fn discard_draft(self, id: Uuid) -> bool {
        let mut ops = vec![Op::Delete(Store::Drafts, id.to_string())];
        if let Some(draft) = self
            .drafts
            .with_untracked(|d| d.iter().find(|d| d.id == id).cloned())
        {
            ops.extend(
                draft
                    .photos()
                    .map(|p| Op::Delete(Store::Photos, p.sha256.clone())),
            );
        }
        let ok = self.store_result(store::write(ops).await);
        if ok {
            self.drafts.update(|all| all.retain(|d| d.id != id));
        }
        ok
    }

    /// Moves a draft into the outbox as `record`, in one transaction, and starts a sync.
    pub async fn submit(self, draft: &Draft, record: SyncRecord) -> bool {
        let entry = OutboxEntry {
            inspection_id: draft.id,
            label: label(&draft.enclave),
            record,
            owner: draft.owner,
            state: OutboxState::Waiting,
            queued_at: Utc::now(),
            problem: None,
            server_version: None,
            review: None,
        };
        let ops = vec![
            Op::Delete(Store::Drafts, draft.id.to_string()),
            Op::put(Store::Outbox, entry.record.id().to_string(), &entry),
        ];
        let ok = self.store_result(store::write(ops).await);
        if ok {
            self.drafts.update(|all| all.retain(|d| d.id != draft.id));
            self.outbox.update(|o| o.push(entry));
            self.sync();
        }
        ok
    }

    /// Queues an amendment to a submitted inspection and starts a sync.
    pub async fn amend(self, inspection_id: Uuid, text: String) -> bool {
        let Some(me) = self.me() else { return false };
        let (label, known) = self.outbox.with_untracked(|o| {
            let label = o
                .iter()
                .find(|e| e.inspection_id == inspection_id)
                .map(|e| e.label.clone())
                .unwrap_or_default();
            let known = o
                .iter()
                .filter(|e| {
                    e.inspection_id == inspection_id && matches!(e.record, SyncRecord::Amendment(_))
                })
                .count();
            (label, known)
        });
        let now = Utc::now();
        let record = SyncRecord::Amendment(AmendmentRecord {
            id: Uuid::new_v4(),
            inspection_id,
            base_version: 1 + known as u32,
            text,
            written_at: now,
        });
        let entry = OutboxEntry {
            record,
            owner: me,
            inspection_id,
            label,
            state: OutboxState::Waiting,
            queued_at: now,
            problem: None,
            server_version: None,
            review: None,
        };
        let ok = self.store_result(
            store::write(vec![Op::put(
                Store::Outbox,
                entry.record.id().to_string(),
                &entry,
            )])
            .await,
        );
        if ok {
            self.outbox.update(|o| o.push(entry));
            self.sync();
        }
        ok
    }

    /// Starts a sync unless one is running or nobody is signed in.
    pub fn sync(self) {
        if self.syncing.get_untracked() || !self.ready.get_untracked() || self.me().is_none() {
            return;
        }
        self.syncing.set(true);
        leptos::task::spawn_local(async move {
            let result = self.sync_now().await;
            match result {
                Ok(()) => {
                    self.failure.set(None);
                    self.last_sync.set(Some(Utc::now()));
                }
                Err(failure) => self.failure.set(Some(failure)),
            }
            self.syncing.set(false);
        });
    }

    async fn sync_now(self) -> Result<(), ApiFailure> {
        let me = self.me().ok_or(ApiFailure::SignedOut)?;
        let waiting: Vec<OutboxEntry> = self.outbox.with_untracked(|o| {
            o.iter()
                .filter(|e| e.owner == me && e.state == OutboxState::Waiting)
                .cloned()
                .collect()
        });
        for entry in &waiting {
            if let SyncRecord::Inspection(record) = &entry.record {
                for photo in record.findings.iter().flat_map(|f| &f.photos) {
                    self.upload_photo(&photo.sha256, &photo.content_type)
                        .await?;
                }
            }
        }
        for batch in waiting.chunks(BATCH) {
            self.push(batch).await?;
        }
        self.pull().await?;
        if let Some(meta) = self.field_meta()
            && (Utc::now() - meta.generated_at).num_minutes() >= REFRESH_AFTER_MINUTES
        {
            // A failed refresh keeps the old set; the next sync tries again.
            self.prepare(None).await;
        }
        Ok(())
    }

    async fn upload_photo(self, sha256: &str, content_type: &str) -> Result<(), ApiFailure> {
        let status = api::attachment_status(self.session, sha256).await?;
        if status.complete {
            return Ok(());
        }
        let Ok(Some(bytes)) = store::bytes(Store::Photos, sha256).await else {
            // Not on this device (purged, another browser): the push will say so.
            return Ok(());
        };
        api::upload(
            self.session,
            sha256,
            &bytes,
            content_type,
            status.received_bytes,
        )
        .await?;
        Ok(())
    }

    async fn push(self, batch: &[OutboxEntry]) -> Result<(), ApiFailure> {
        self.set_states(
            batch
                .iter()
                .map(|e| (e.record.id(), OutboxState::Sending, None, None)),
        )
        .await;
        let request = PushRequest {
            records: batch.iter().map(|e| e.record.clone()).collect(),
        };
        let response = match api::push(self.session, &request).await {
            Ok(response) => response,
            Err(failure) => {
                let back = match &failure {
                    // The whole batch was refused as it is (too big, malformed).
                    ApiFailure::Api {
                        status: 400 | 413 | 422,
                        error,
                    } => (
                        OutboxState::NeedsAttention,
                        error
                            .as_ref()
                            .map(|e| (e.message_nl.clone(), e.message_en.clone())),
                    ),
                    _ => (OutboxState::Waiting, None),
                };
                self.set_states(
                    batch
                        .iter()
                        .map(|e| (e.record.id(), back.0, back.1.clone(), None)),
                )
                .await;
                return Err(failure);
            }
        };
        self.set_states(response.results.into_iter().map(|r| match r.outcome {
            PushOutcome::Applied { version } | PushOutcome::Duplicate { version } => {
                (r.id, OutboxState::Synced, None, Some(version))
            }
            PushOutcome::Conflict { server_version } => (
                r.id,
                OutboxState::NeedsAttention,
                Some((
                    format!(
                        "De server heeft een andere versie ({server_version}) van deze inspectie."
                    ),
                    format!(
                        "The server has another version ({server_version}) of this inspection."
                    ),
                )),
                Some(server_version),
            ),
            PushOutcome::MissingAttachments { .. } => (r.id, OutboxState::Waiting, None, None),
            PushOutcome::Rejected {
                message_nl,
                message_en,
                ..
            } => (
                r.id,
                OutboxState::NeedsAttention,
                Some((message_nl, message_en)),
                None,
            ),
        }))
        .await;
        Ok(())
    }

    /// Changes the state of outbox entries, on the device first, then on screen.
    async fn set_states(
        self,
        changes: impl Iterator<Item = (Uuid, OutboxState, Option<(String, String)>, Option<u32>)>,
    ) {
        let mut changed = Vec::new();
        let mut outbox = self.outbox.get_untracked();
        for (id, state, problem, version) in changes {
            if let Some(entry) = outbox.iter_mut().find(|e| e.record.id() == id) {
                entry.state = state;
                entry.problem = problem;
                if version.is_some() {
                    entry.server_version = version;
                }
                changed.push(Op::put(Store::Outbox, id.to_string(), &*entry));
            }
        }
        if self.store_result(store::write(changed).await) {
            self.outbox.set(outbox);
        }
    }

    /// Pulls what changed for this user. A change to a record the device still counts as
    /// unsent means it did arrive (e.g. the answer to a push was lost). A change to the
    /// register of an enclave in the working set marks it stale, in the same transaction as
    /// the cursor; stale enclaves are then downloaded again (and stay marked until that works).
    async fn pull(self) -> Result<(), ApiFailure> {
        let mut cursor: i64 = store::get(Store::Meta, PULL_CURSOR)
            .await
            .ok()
            .flatten()
            .unwrap_or(0);
        let mut stale: Vec<Uuid> = store::get(Store::Meta, STALE_ENCLAVES)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut reviewed: Vec<Uuid> = store::get(Store::Meta, REVIEWED)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        loop {
            let page = api::pull(self.session, cursor).await?;
            let mut outbox = self.outbox.get_untracked();
            let mut ops = Vec::new();
            for change in &page.changes {
                match change.entity {
                    Entity::Inspection | Entity::Amendment => {
                        if let Some(entry) = outbox
                            .iter_mut()
                            .find(|e| e.record.id() == change.id && e.state != OutboxState::Synced)
                        {
                            entry.state = OutboxState::Synced;
                            entry.problem = None;
                            ops.push(Op::put(Store::Outbox, change.id.to_string(), &*entry));
                        }
                    }
                    Entity::Review => {
                        if let Some(id) = change.inspection_id
                            && !reviewed.contains(&id)
                        {
                            reviewed.push(id);
                        }
                    }
                    Entity::Registration | Entity::Contract => {
                        if let Some(id) = change.enclave_id
                            && self.enclave(id).is_some()
                            && !stale.contains(&id)
                        {
                            stale.push(id);
                        }
                    }
                }
            }
            ops.push(Op::put(Store::Meta, STALE_ENCLAVES, &stale));
            ops.push(Op::put(Store::Meta, REVIEWED, &reviewed));
            ops.push(Op::put(Store::Meta, PULL_CURSOR, &page.next_cursor));
            if !self.store_result(store::write(ops).await) {
                return Ok(());
            }
            self.outbox.set(outbox);
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        while let Some(&id) = reviewed.first() {
            let view = api::inspection(self.session, id).await?;
            let mut outbox = self.outbox.get_untracked();
            let mut ops = Vec::new();
            if let Some(entry) = outbox
                .iter_mut()
                .find(|e| e.inspection_id == id && matches!(e.record, SyncRecord::Inspection(_)))
            {
                let last = view.reviews.last();
                entry.review = Some(ReviewNote {
                    state: view.review_state,
                    comment: last.map(|r| r.comment.clone()).unwrap_or_default(),
                    decided_at: last.map(|r| r.decided_at),
                });
                ops.push(Op::put(
                    Store::Outbox,
                    entry.record.id().to_string(),
                    &*entry,
                ));
            }
            reviewed.remove(0);
            ops.push(Op::put(Store::Meta, REVIEWED, &reviewed));
            if !self.store_result(store::write(ops).await) {
                return Ok(());
            }
            self.outbox.set(outbox);
        }
        if !stale.is_empty()
            && let Some(me) = self.me()
        {
            let set = api::working_set(self.session, Some(&stale), WORKING_SET_DAYS).await?;
            if self.keep_working_set(me, set, false).await {
                self.store_result(
                    store::write(vec![Op::put(
                        Store::Meta,
                        STALE_ENCLAVES,
                        &Vec::<Uuid>::new(),
                    )])
                    .await,
                );
            }
        }
        Ok(())
    }

    /// Logout: when everything is on the server, the device forgets the working set,
    /// drafts, outbox and photos, then signs out; otherwise it shows the warning instead.
    pub fn logout(self) {
        if self.unsynced() > 0 {
            self.logout_warning.set(true);
            return;
        }
        leptos::task::spawn_local(async move {
            if self.store_result(store::purge().await) {
                self.enclaves.set_value(Vec::new());
                self.field.set(None);
                self.outbox.set(Vec::new());
                self.drafts.set(Vec::new());
                api::logout(self.session);
            }
        });
    }

    /// Signs out and keeps the unsynced records on the device: they are sent when their
    /// author signs in again.
    pub fn logout_keeping_data(self) {
        self.logout_warning.set(false);
        api::logout(self.session);
    }
}

/// Folds accents and case, and splits into words, like the server's search text.
fn fold(s: &str) -> Vec<String> {
    let decomposed = String::from(js_sys::JsString::from(s).normalize("NFD"));
    decomposed
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Device {
    /// Searches the working set (offline): text words must each start a word of the names
    /// or address; an enterprise number matches host or maatwerkbedrijf; near is by distance.
    /// `None` when the device holds no working set of this user.
    pub fn search_local(self, query: &SearchQuery) -> Option<Vec<EnclaveSummary>> {
        self.field_meta()?;
        const LIMIT: usize = 50;
        Some(self.enclaves.with_value(|all| match query {
            SearchQuery::Text(text) => {
                let wanted = fold(text);
                all.iter()
                    .filter(|e| {
                        let s = &e.summary;
                        let hay = fold(&format!(
                            "{} {} {} {} {} {}",
                            s.host.name,
                            s.maatwerkbedrijf.name,
                            s.site.name,
                            s.site.street,
                            s.site.postcode,
                            s.site.municipality
                        ));
                        wanted
                            .iter()
                            .all(|w| hay.iter().any(|h| h.starts_with(w.as_str())))
                    })
                    .take(LIMIT)
                    .map(|e| e.summary.clone())
                    .collect()
            }
            SearchQuery::EnterpriseNumber(number) => {
                let digits = |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
                let mut wanted = digits(number);
                if wanted.len() == 9 {
                    wanted.insert(0, '0');
                }
                all.iter()
                    .filter(|e| {
                        [&e.summary.host, &e.summary.maatwerkbedrijf]
                            .iter()
                            .any(|o| {
                                o.enterprise_number.as_deref().map(digits).as_deref()
                                    == Some(wanted.as_str())
                            })
                    })
                    .take(LIMIT)
                    .map(|e| e.summary.clone())
                    .collect()
            }
            SearchQuery::Near {
                lat,
                lon,
                radius_km,
            } => {
                let mut near: Vec<EnclaveSummary> = all
                    .iter()
                    .map(|e| {
                        let d = haversine_km(*lat, *lon, e.summary.latitude, e.summary.longitude);
                        EnclaveSummary {
                            distance_km: Some((d * 100.0).round() / 100.0),
                            ..e.summary.clone()
                        }
                    })
                    .filter(|s| s.distance_km.unwrap_or(f64::MAX) <= f64::from(*radius_km))
                    .collect();
                near.sort_by(|a, b| {
                    a.distance_km
                        .partial_cmp(&b.distance_km)
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                near.truncate(LIMIT);
                near
            }
        }))
    }
}

/// "Host — site, municipality".
pub fn label(enclave: &FieldEnclave) -> String {
    let s = &enclave.summary;
    format!("{} — {}, {}", s.host.name, s.site.name, s.site.municipality)
}

/// Asks the browser not to evict the device store under storage pressure.
fn request_persistent_storage() {
    let storage = window().navigator().storage();
    // Browsers without it (or that refuse) still keep the data in most cases; the answer
    // is not needed.
    let _ = storage.persist();
}
