//! What the tablet holds: the working set ("prepare for the field"), drafts and the outbox,
//! as one reactive context; [`outbox`] queues records for the server; [`sync`] sends the
//! outbox and pulls what changed; [`working_set`] keeps the set up to date by delta;
//! [`search`] searches the working set as the inspector types.
//!
//! Every write that belongs together is one device-store transaction: a photo with the
//! draft that names it, a submitted draft into the outbox (once, whatever the tabs and
//! reloads do). Entries the store holds but the app can no longer read are kept and shown,
//! never dropped.

mod outbox;
mod search;
mod sync;
mod working_set;

pub use self::outbox::{OutboxEntry, ReviewNote, Submission};

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::dto::field::{FieldEnclave, WireSet, WorkingSet};
use shared::dto::follow_up::FollowUp;
use shared::dto::planning::PlanningFacts;
use shared::dto::query::FollowUpQuery;
use shared::rules::contract_filed::RuleSettings;
use shared::rules::sync::OutboxState;
use uuid::Uuid;

use self::search::LocalIndex;
use crate::draft::Draft;
use crate::store::{self, Broken, DraftWrite, Op, Store, StoreError};
use app_core::api::{self, ApiFailure};
use app_core::session::Session;

/// How often sync retries while records wait.
const RETRY_EVERY: Duration = Duration::from_secs(30);
/// How often, while signed in and online, the app asks the server whether the session still
/// lives (an admin may have disabled the user or ended their sessions).
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(5);
/// Days of registrations in the working set.
const WORKING_SET_DAYS: u32 = 3;

/// The working set's facts (the enclaves themselves are in their own store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMeta {
    pub owner: Uuid,
    pub generated_at: DateTime<Utc>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub rules: RuleSettings,
    pub enclaves: usize,
    /// The set holds the user's whole region (not only chosen enclaves), so search can
    /// answer from it.
    #[serde(default)]
    pub region: bool,
    /// What the set is up to date with, for the refresh by delta. A set stored before sets
    /// carried one has none: its next refresh downloads it whole.
    #[serde(default)]
    pub token: Option<String>,
    /// The inspector's follow-ups still to do (open, due, overdue), as last fetched with the
    /// set: a follow-up inspection can start from them offline.
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
    /// The day's visits the user planned, kept with the set so the route is there offline.
    #[serde(default)]
    pub route: Option<PlannedRoute>,
    /// The day of the planning facts kept beside the set (under [`PLANNING_META`]), to rank
    /// offline; they are fetched again on the first refresh of another day, and with every
    /// whole set (which drops them when they cannot be fetched).
    #[serde(default)]
    pub planning_on: Option<chrono::NaiveDate>,
}

/// A day's planned visits in the order of their route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRoute {
    pub on: chrono::NaiveDate,
    pub enclaves: Vec<Uuid>,
}

const FIELD_META: &str = "field";
/// Where the region's planning facts are kept, apart from the meta that every refresh writes.
const PLANNING_META: &str = "planning";

/// The region's planning facts today; `None` when the server could not be asked.
async fn planning_facts_today(session: Session) -> Option<PlanningFacts> {
    api::planning_facts(session).await.ok()
}

/// The write of the planning facts beside a set: the new ones, else none when the set keeps
/// none (`on` is `None`), else nothing (the facts held stay).
fn planning_op(facts: Option<&PlanningFacts>, on: Option<chrono::NaiveDate>) -> Option<Op> {
    match facts {
        Some(facts) => Some(Op::put(Store::Meta, PLANNING_META, facts)),
        None => on
            .is_none()
            .then(|| Op::Delete(Store::Meta, PLANNING_META.into())),
    }
}

/// The user's follow-ups still to do; `None` when the server could not be asked.
async fn follow_ups_to_do(session: Session) -> Option<Vec<FollowUp>> {
    let list = api::follow_ups(session, &FollowUpQuery::default())
        .await
        .ok()?;
    Some(
        list.items
            .into_iter()
            .filter(|f| !f.status.is_followed_up())
            .collect(),
    )
}

/// The device context.
#[derive(Clone, Copy)]
pub struct Device {
    session: Session,
    /// Loaded from the store at start.
    pub ready: RwSignal<bool>,
    pub field: RwSignal<Option<FieldMeta>>,
    /// The working set's enclaves, for lookup offline.
    pub enclaves: StoredValue<Vec<FieldEnclave>>,
    /// The search index of `enclaves`, built when they change.
    index: StoredValue<LocalIndex>,
    /// Every outbox entry on the device, of every user, oldest first; one per record.
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    pub drafts: RwSignal<Vec<Draft>>,
    /// Drafts and outbox entries the app can no longer read, kept as stored.
    pub broken: RwSignal<Vec<Broken>>,
    /// Drafts being submitted: taken before the first await, so a double click submits once.
    submitting: StoredValue<Vec<Uuid>>,
    pub syncing: RwSignal<bool>,
    /// Photos the server said it has whole (while the page lives): no sync asks again, so
    /// on a link that loses answers each sync goes on where the last one stopped.
    uploaded: StoredValue<HashSet<String>>,
    /// A sync was asked for while one ran: run again when it ends.
    sync_again: StoredValue<bool>,
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
    /// Creates the context, loads the store, and starts syncing by itself: at start, when
    /// the network comes back, while records wait, and as soon as the user signs in again
    /// after their session ended.
    pub fn provide(session: Session) -> Self {
        let device = Self {
            session,
            ready: RwSignal::new(false),
            field: RwSignal::new(None),
            enclaves: StoredValue::new(Vec::new()),
            index: StoredValue::new(LocalIndex::default()),
            outbox: RwSignal::new(Vec::new()),
            drafts: RwSignal::new(Vec::new()),
            broken: RwSignal::new(Vec::new()),
            submitting: StoredValue::new(Vec::new()),
            syncing: RwSignal::new(false),
            uploaded: StoredValue::new(HashSet::new()),
            sync_again: StoredValue::new(false),
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
        let signed_in = Memo::new(move |_| session.is_signed_in());
        Effect::new(move |was: Option<bool>| {
            let now = signed_in.get();
            if now && was == Some(false) {
                device.sync();
            }
            now
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
        // The server may end the session (the user disabled, their sessions ended, the
        // session expired): a cheap check notices within seconds, and the device then
        // forgets what it holds of people, keeping what is not on the server yet.
        let checking = StoredValue::new(false);
        let _ = set_interval_with_handle(
            move || {
                if session.is_signed_in_untracked()
                    && window().navigator().on_line()
                    && !checking.get_value()
                {
                    checking.set_value(true);
                    leptos::task::spawn_local(async move {
                        // Offline or a server error: the next check asks again.
                        let _ = api::check_session(session).await;
                        checking.set_value(false);
                    });
                }
            },
            SESSION_CHECK_EVERY,
        );
        // The office app's logout asks the field app to empty the store when it holds data.
        Effect::new(move || {
            if device.ready.get() {
                app_core::shell::mark_field_data(
                    device.field.with(Option::is_some)
                        || device.outbox.with(|o| !o.is_empty())
                        || device.drafts.with(|d| !d.is_empty()),
                );
            }
        });
        let ended = Memo::new(move |_| device.ready.get() && session.ended());
        Effect::new(move |_| {
            if ended.get() {
                leptos::task::spawn_local(device.forget_all_but_unsynced());
            }
        });
        request_persistent_storage();
        device
    }

    /// The server ended the session: like a logout, the device forgets the working set, the
    /// service worker's stored API answers, the sync state and the records already on the
    /// server with their photos; unlike a logout, it keeps every draft and every record not
    /// on the server yet (waiting or needing attention), with their photos, to be sent when
    /// their author signs in again.
    async fn forget_all_but_unsynced(self) {
        api::forget_api_answers();
        let (synced, photos): (Vec<String>, Vec<String>) = self.outbox.with_untracked(|o| {
            let synced: Vec<&OutboxEntry> = o
                .iter()
                .filter(|e| e.state == OutboxState::Synced)
                .collect();
            (
                synced.iter().map(|e| e.record.id().to_string()).collect(),
                synced
                    .iter()
                    .flat_map(|e| e.photos().map(|p| p.sha256.clone()))
                    .collect(),
            )
        });
        if self.store_result(store::forget_all_but_unsynced(&synced, &photos).await) {
            self.hold(Vec::new());
            self.field.set(None);
            self.outbox
                .update(|o| o.retain(|e| e.state != OutboxState::Synced));
        }
    }

    /// Holds `enclaves` as the working set's, with their search index.
    fn hold(self, enclaves: Vec<FieldEnclave>) {
        // For the search benchmark: the building of the index is the `ei-index` measure.
        let performance = window().performance();
        if let Some(p) = &performance {
            let _ = p.mark("ei-index-start");
        }
        self.index.set_value(LocalIndex::build(&enclaves));
        if let Some(p) = &performance {
            let _ = p.measure_with_start_mark("ei-index", "ei-index-start");
        }
        self.enclaves.set_value(enclaves);
    }

    /// The context provided by the app.
    pub fn expect() -> Self {
        expect_context()
    }

    /// The user of the device: signed in, or whose session ended (tracked).
    fn me(self) -> Option<Uuid> {
        self.session.user().map(|u| u.id)
    }

    async fn load(self) {
        if purge_pending() {
            // A logout that the closing of its tab cut off.
            self.purge().await;
        }
        let loaded = async {
            let meta: Option<FieldMeta> = store::get(Store::Meta, FIELD_META).await?;
            let enclaves: Vec<FieldEnclave> = if meta.is_some() {
                store::all(Store::Enclaves).await?
            } else {
                Vec::new()
            };
            let (mut outbox, mut broken) = store::all_checked::<OutboxEntry>(Store::Outbox).await?;
            for entry in &mut outbox {
                // Cut off mid-send (reload, crash): send again; the server deduplicates.
                if entry.state == OutboxState::Sending {
                    entry.state = OutboxState::Waiting;
                }
            }
            outbox.sort_by_key(|e| e.queued_at);
            let (mut drafts, broken_drafts) = store::all_checked::<Draft>(Store::Drafts).await?;
            drafts.sort_by_key(|d| d.started_at);
            broken.extend(broken_drafts);
            Ok::<_, StoreError>((meta, enclaves, outbox, drafts, broken))
        }
        .await;
        match loaded {
            Ok((meta, mut enclaves, outbox, drafts, broken)) => {
                enclaves.sort_by(|a, b| a.host.name.cmp(&b.host.name));
                self.hold(enclaves);
                self.field.set(meta);
                self.outbox.set(outbox);
                self.drafts.set(drafts);
                self.broken.set(broken);
            }
            Err(e) => self.store_failure.set(Some(e.0)),
        }
        self.ready.set(true);
        // For the cold-start benchmark: from here on, lookup and recording work.
        if let Some(performance) = window().performance() {
            let _ = performance.mark("ei-ready");
        }
    }

    /// The working set, if it belongs to the user of the device.
    pub fn field_meta(self) -> Option<FieldMeta> {
        let me = self.me()?;
        self.field.get().filter(|m| m.owner == me)
    }

    /// The follow-ups still to do at `enclave`, not begun in a draft on the device.
    pub fn follow_ups_at(self, enclave: Uuid) -> Vec<FollowUp> {
        let begun: Vec<Uuid> = self
            .my_drafts()
            .iter()
            .filter_map(|d| d.follows.as_ref().map(|f| f.inspection_id))
            .collect();
        self.field_meta()
            .map(|m| m.follow_ups)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.enclave_id == enclave && !begun.contains(&f.inspection_id))
            .collect()
    }

    /// An enclave of the working set.
    pub fn enclave(self, id: Uuid) -> Option<FieldEnclave> {
        self.field_meta()?;
        self.enclaves
            .with_value(|all| all.iter().find(|e| e.summary.id == id).cloned())
    }

    /// The user's drafts (tracked).
    pub fn my_drafts(self) -> Vec<Draft> {
        let me = self.me();
        self.drafts
            .with(|d| d.iter().filter(|d| Some(d.owner) == me).cloned().collect())
    }

    /// Everything on the device that is not safely on the server: drafts, unsynced records
    /// of any user, and entries that can no longer be read (tracked).
    pub fn unsynced(self) -> usize {
        self.drafts.with(Vec::len)
            + self.broken.with(Vec::len)
            + self
                .outbox
                .with(|o| o.iter().filter(|e| e.state != OutboxState::Synced).count())
    }

    fn store_result(self, result: Result<(), StoreError>) -> bool {
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
        self.download(ids, None).await
    }

    /// The planning facts kept with the working set, to rank offline; `None` without.
    pub async fn planning_facts(self) -> Option<PlanningFacts> {
        store::get(Store::Meta, PLANNING_META).await.ok().flatten()
    }

    /// Puts the planned visits in the working set and keeps their route with it, in one
    /// write.
    pub async fn plan(self, route: PlannedRoute) -> bool {
        let ids = route.enclaves.clone();
        self.download(Some(ids), Some(route)).await
    }

    /// Downloads the working set (the region, or `ids`) and stores it, with `route` as the
    /// day's route if given (else the route held stays).
    async fn download(self, ids: Option<Vec<Uuid>>, route: Option<PlannedRoute>) -> bool {
        let Some(me) = self.me() else { return false };
        self.preparing.set(true);
        let result = api::working_set(self.session, ids.as_deref(), WORKING_SET_DAYS, None).await;
        let ok = match result.and_then(|answer| read(&answer)) {
            Ok(set) => {
                self.failure.set(None);
                let follow_ups = follow_ups_to_do(self.session).await;
                let planning = planning_facts_today(self.session).await;
                self.keep_working_set(me, set, ids.is_none(), follow_ups, route, planning)
                    .await
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
    /// is added to it. `follow_ups`, `route` and the `planning` facts replace the ones held,
    /// if given; a whole set without `planning` drops the facts held.
    async fn keep_working_set(
        self,
        me: Uuid,
        set: WorkingSet,
        whole: bool,
        follow_ups: Option<Vec<FollowUp>>,
        route: Option<PlannedRoute>,
        planning: Option<PlanningFacts>,
    ) -> bool {
        let mut enclaves = if whole || self.field_meta().is_none() {
            Vec::new()
        } else {
            self.enclaves.get_value()
        };
        enclaves.retain(|e| !set.enclaves.iter().any(|n| n.summary.id == e.summary.id));
        enclaves.extend(set.enclaves.iter().cloned());
        enclaves.sort_by(|a, b| a.host.name.cmp(&b.host.name));
        // Added enclaves do not make the rest of the set any fresher.
        let (generated_at, from, to, token) = match self.field_meta() {
            Some(old) if !whole => (old.generated_at, old.from, old.to, old.token),
            _ => (set.generated_at, set.from, set.to, Some(set.token)),
        };
        let meta = FieldMeta {
            owner: me,
            generated_at,
            from,
            to,
            rules: set.rules,
            enclaves: enclaves.len(),
            region: whole || self.field_meta().is_some_and(|m| m.region),
            token,
            follow_ups: follow_ups
                .or_else(|| self.field_meta().map(|m| m.follow_ups))
                .unwrap_or_default(),
            route: route.or_else(|| self.field_meta().and_then(|m| m.route)),
            // A whole new set without the day's facts keeps none: the facts held were read
            // with another set, and the next sync asks for them again.
            planning_on: planning.as_ref().map(|p| p.on).or_else(|| {
                self.field_meta()
                    .filter(|_| !whole)
                    .and_then(|m| m.planning_on)
            }),
        };
        let mut ops = vec![Op::Clear(Store::Enclaves)];
        ops.extend(
            enclaves
                .iter()
                .map(|e| Op::put(Store::Enclaves, e.summary.id.to_string(), e)),
        );
        ops.push(Op::put(Store::Meta, FIELD_META, &meta));
        ops.extend(planning_op(planning.as_ref(), meta.planning_on));
        let ok = self.store_result(store::write(ops).await);
        if ok {
            self.hold(enclaves);
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
        let set =
            read(&api::working_set(self.session, Some(&[id]), WORKING_SET_DAYS, None).await?)?;
        let enclave = set
            .enclaves
            .iter()
            .find(|e| e.summary.id == id)
            .cloned()
            .ok_or(ApiFailure::Api {
                status: 404,
                error: None,
                request_id: None,
            })?;
        let rules = set.rules;
        if let Some(me) = self.me() {
            self.keep_working_set(me, set, false, None, None, None)
                .await;
        }
        Ok((enclave, rules))
    }

    /// Saves a draft (every step of the form). `false` when it was not saved: the store
    /// failed, or the inspection has been submitted meanwhile (in another tab, say), and the
    /// device now shows it as submitted.
    pub async fn save_draft(self, draft: Draft) -> bool {
        let ops = vec![Op::put(Store::Drafts, draft.id.to_string(), &draft)];
        matches!(self.write_draft(draft, ops).await, Ok(true))
    }

    /// Saves a photo's bytes with the draft that names it, in one transaction. `Ok(false)`:
    /// the inspection has been submitted meanwhile; nothing was written.
    pub async fn save_photo(
        self,
        draft: Draft,
        sha256: String,
        bytes: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let ops = vec![
            Op::PutBytes(Store::Photos, sha256, bytes),
            Op::put(Store::Drafts, draft.id.to_string(), &draft),
        ];
        self.write_draft(draft, ops).await
    }

    async fn write_draft(self, draft: Draft, ops: Vec<Op>) -> Result<bool, StoreError> {
        match store::write_draft(&draft.id.to_string(), ops).await {
            Ok(DraftWrite::Written) => {
                self.drafts
                    .update(|all| match all.iter_mut().find(|d| d.id == draft.id) {
                        Some(d) => *d = draft,
                        None => all.push(draft),
                    });
                Ok(true)
            }
            Ok(DraftWrite::Submitted(entry)) => {
                self.adopt_submitted(draft.id, entry);
                Ok(false)
            }
            Err(e) => {
                self.store_failure.set(Some(e.0.clone()));
                Err(e)
            }
        }
    }

    /// Throws a draft away, with the bytes of its photos that no other draft or outbox
    /// entry names (those of synced records stay until the logout purges the device).
    pub async fn discard_draft(self, id: Uuid) -> bool {
        let photos: Vec<String> = self.drafts.with_untracked(|d| {
            d.iter()
                .find(|d| d.id == id)
                .map(|d| d.photos().map(|p| p.sha256.clone()).collect())
                .unwrap_or_default()
        });
        let ok = self.store_result(store::delete_draft(&id.to_string(), &photos).await);
        if ok {
            self.drafts.update(|all| all.retain(|d| d.id != id));
        }
        ok
    }

    /// Logout: when everything is on the server, the device forgets the working set,
    /// drafts, outbox and photos, then signs out; otherwise it shows the warning instead.
    ///
    /// The tokens go at once (synchronously, before anything waits), so a tab closed right
    /// after the click leaves no session behind; the emptying of the device store is marked
    /// pending first and, if the tab closes before it is done, finished at the next start.
    pub fn logout(self) {
        if self.unsynced() > 0 {
            self.logout_warning.set(true);
            return;
        }
        set_purge_pending(true);
        api::logout(self.session);
        self.hold(Vec::new());
        self.field.set(None);
        self.outbox.set(Vec::new());
        self.drafts.set(Vec::new());
        leptos::task::spawn_local(self.purge());
    }

    /// Empties the device store and clears the pending mark. A failure is shown, and the
    /// mark is cleared all the same: a next start must never empty what a next user saved.
    async fn purge(self) {
        self.store_result(store::purge().await);
        set_purge_pending(false);
    }

    /// Signs out and keeps the unsynced records on the device: they are sent when their
    /// author signs in again.
    pub fn logout_keeping_data(self) {
        self.logout_warning.set(false);
        api::logout(self.session);
    }
}

/// The localStorage key marking a logout whose emptying of the device store is not done.
const PURGE_PENDING: &str = "ei-purge-pending";

fn purge_pending() -> bool {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(PURGE_PENDING).ok().flatten())
        .is_some()
}

fn set_purge_pending(pending: bool) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = if pending {
            storage.set_item(PURGE_PENDING, "1")
        } else {
            storage.remove_item(PURGE_PENDING)
        };
    }
}

/// The working set of a server's answer; an answer the app cannot read fails like one that
/// is not JSON.
fn read(answer: &WireSet) -> Result<WorkingSet, ApiFailure> {
    WorkingSet::read(answer).map_err(|_| working_set::unreadable())
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
