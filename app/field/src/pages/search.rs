//! The search page: one big box that searches as you type (by enterprise number when the
//! input looks like one), a "near me" button, and the results as large cards with
//! "load more". The state lives in a context, so going back from an enclave shows the same
//! results.
//!
//! With the inspector's region on the device, a search answers from the working set at
//! every keystroke; otherwise it asks the server once typing pauses, and searches what the
//! device holds when the server cannot be reached.

use std::time::Duration;

use leptos::prelude::*;
use shared::dto::enclave::EnclaveSummary;
use uuid::Uuid;

use crate::components::enclave_card::EnclaveCard;
use crate::device::Device;
use crate::position::{Patience, Unlocated, locate};
use crate::texts::FieldKey;
use app_core::api::{self, ApiFailure, SearchQuery};
use app_core::components::offline::OfflineCopyNotice;
use app_core::i18n::{I18n, Key};
use app_core::session::Session;

/// The search text, kept in sessionStorage so a reload (offline too: the service worker
/// has the answer) shows the same results.
const STORAGE_KEY: &str = "ei.search";
/// Pause after the last keystroke before asking the server.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// Radius of a "near me" search.
const NEAR_RADIUS_KM: u32 = 10;

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Locating,
    Loading,
    /// Fetching the next page of the results shown.
    LoadingMore,
    Done,
    Failed(ApiFailure),
    /// The next page failed; the results shown stay.
    MoreFailed(ApiFailure),
    /// Geolocation failed; `true` when the user (or browser) denied it.
    NoLocation {
        denied: bool,
    },
}

/// The search state, kept for the whole session of the page.
#[derive(Clone, Copy)]
pub struct SearchState {
    input: RwSignal<String>,
    query: RwSignal<Option<SearchQuery>>,
    items: RwSignal<Vec<EnclaveSummary>>,
    next_cursor: RwSignal<Option<String>>,
    offline_copy: RwSignal<Option<String>>,
    /// The results come from the working set on the device.
    from_device: RwSignal<bool>,
    /// More results of the device's search follow those shown.
    more_on_device: RwSignal<bool>,
    phase: RwSignal<Phase>,
    /// For searching the working set when offline.
    device: Device,
    /// Bumped by every new search, so late answers to older ones are dropped.
    generation: StoredValue<u32>,
    debounce: StoredValue<Option<TimeoutHandle>>,
}

impl SearchState {
    /// Creates the context (once, in the app, after the session). A logout, or another user
    /// signing in after a session ended, forgets the results, so the next user of the tablet
    /// does not see them.
    pub fn provide() {
        let state = Self {
            input: RwSignal::new(String::new()),
            query: RwSignal::new(None),
            items: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            offline_copy: RwSignal::new(None),
            from_device: RwSignal::new(false),
            more_on_device: RwSignal::new(false),
            phase: RwSignal::new(Phase::Idle),
            device: Device::expect(),
            generation: StoredValue::new(0),
            debounce: StoredValue::new(None),
        };
        let session = Session::expect();
        let user = Memo::new(move |_| session.user().map(|u| u.id));
        Effect::new(move |last: Option<Option<Uuid>>| {
            let now = user.get();
            let switched = matches!(last, Some(Some(before)) if Some(before) != now);
            if now.is_some() && !switched {
                let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
                if let Some(text) = stored.filter(|_| state.query.get_untracked().is_none()) {
                    state.input.set(text.clone());
                    state.start(session, SearchQuery::from_input(&text));
                }
            } else {
                state.input.set(String::new());
                state.start(session, None);
            }
            now
        });
        Effect::new(move || {
            let text = state.input.get();
            if let Some(storage) = storage() {
                // Losing the text on a reload is all that a failure costs.
                let _ = storage.set_item(STORAGE_KEY, &text);
            }
        });
        provide_context(state);
    }

    /// Starts a new search (or clears the results for `None`).
    fn start(self, session: Session, query: Option<SearchQuery>) {
        let generation = self.bump();
        self.query.set(query.clone());
        self.next_cursor.set(None);
        self.offline_copy.set(None);
        self.from_device.set(false);
        self.more_on_device.set(false);
        let Some(query) = query else {
            self.items.set(Vec::new());
            self.phase.set(Phase::Idle);
            return;
        };
        if !matches!(query, SearchQuery::Near { .. })
            && self.device.searches_as_you_type()
            && self.show_from_device(&query, false)
        {
            return;
        }
        self.phase.set(Phase::Loading);
        leptos::task::spawn_local(async move {
            let result = api::search(session, &query, None).await;
            if self.generation.get_value() != generation {
                return;
            }
            // Offline with no stored answer, or the session ended: search what the device
            // holds.
            if matches!(result, Err(ApiFailure::Offline | ApiFailure::SignedOut))
                && self.show_from_device(&query, false)
            {
                return;
            }
            self.take(result, false);
        });
    }

    /// Shows the results of `query` from the working set (the next page after those shown
    /// when `append`); `false` when the device holds no working set of this user.
    fn show_from_device(self, query: &SearchQuery, append: bool) -> bool {
        let skip = if append {
            self.items.with_untracked(Vec::len)
        } else {
            0
        };
        let Some(page) = self.device.search_local(query, skip) else {
            return false;
        };
        if append {
            self.items.update(|items| items.extend(page.items));
        } else {
            self.items.set(page.items);
        }
        self.from_device.set(true);
        self.more_on_device.set(page.more);
        self.next_cursor.set(None);
        self.phase.set(Phase::Done);
        true
    }

    /// Fetches the next page of the current search.
    fn load_more(self, session: Session) {
        if self.from_device.get_untracked() {
            if let Some(query) = self.query.get_untracked() {
                self.bump();
                self.show_from_device(&query, true);
            }
            return;
        }
        let (Some(query), Some(cursor)) =
            (self.query.get_untracked(), self.next_cursor.get_untracked())
        else {
            return;
        };
        let generation = self.bump();
        self.phase.set(Phase::LoadingMore);
        leptos::task::spawn_local(async move {
            let result = api::search(session, &query, Some(&cursor)).await;
            if self.generation.get_value() == generation {
                self.take(result, true);
            }
        });
    }

    fn take(
        self,
        result: Result<api::Fetched<shared::dto::enclave::EnclavePage>, ApiFailure>,
        append: bool,
    ) {
        match result {
            Ok(fetched) => {
                let page = fetched.value;
                if append {
                    self.items.update(|items| items.extend(page.items));
                } else {
                    self.items.set(page.items);
                }
                self.next_cursor.set(page.next_cursor);
                self.offline_copy.set(fetched.offline_copy);
                self.phase.set(Phase::Done);
            }
            Err(failure) if append => self.phase.set(Phase::MoreFailed(failure)),
            Err(failure) => {
                self.items.set(Vec::new());
                self.next_cursor.set(None);
                self.phase.set(Phase::Failed(failure));
            }
        }
    }

    fn bump(self) -> u32 {
        self.generation.update_value(|g| *g = g.wrapping_add(1));
        self.generation.get_value()
    }

    /// Asks the browser where we are, then searches near there.
    fn near_me(self, session: Session) {
        if let Some(pending) = self.debounce.get_value() {
            pending.clear();
        }
        let generation = self.bump();
        self.input.set(String::new());
        self.phase.set(Phase::Locating);
        leptos::task::spawn_local(async move {
            let patience = Patience {
                timeout_ms: 15_000,
                maximum_age_ms: 60_000,
                high_accuracy: true,
            };
            let found = locate(patience).await;
            if self.generation.get_value() != generation {
                return;
            }
            match found {
                Ok(fix) => self.start(
                    session,
                    Some(SearchQuery::Near {
                        lat: fix.latitude,
                        lon: fix.longitude,
                        radius_km: NEAR_RADIUS_KM,
                    }),
                ),
                Err(why) => self.phase.set(Phase::NoLocation {
                    denied: why == Unlocated::Denied,
                }),
            }
        });
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let state = expect_context::<SearchState>();

    let on_input = move |ev| {
        let text = event_target_value(&ev);
        state.input.set(text.clone());
        if let Some(pending) = state.debounce.get_value() {
            pending.clear();
        }
        // The working set answers at once; the server once typing pauses.
        if state.device.searches_as_you_type() {
            state.debounce.set_value(None);
            state.start(session, SearchQuery::from_input(&text));
            return;
        }
        let pending = set_timeout_with_handle(
            move || state.start(session, SearchQuery::from_input(&text)),
            DEBOUNCE,
        );
        state.debounce.set_value(pending.ok());
    };
    let by_number = move || match SearchQuery::from_input(&state.input.get()) {
        Some(SearchQuery::EnterpriseNumber(n)) => Some(
            if n.parse::<shared::rules::enterprise_number::EstablishmentUnitNumber>()
                .is_ok()
            {
                Number::EstablishmentUnit
            } else {
                Number::Enterprise
            },
        ),
        _ => None,
    };
    let near_title = move || match state.query.get() {
        Some(SearchQuery::Near { radius_km, .. }) => Some(view! {
            <h2>{move || i18n.t(FieldKey::NearTitle).replace("{km}", &radius_km.to_string())}</h2>
        }),
        _ => None,
    };

    view! {
        <main>
            <h1 class="visually-hidden" data-test="search-title">{i18n.text(FieldKey::FindEnclaves)}</h1>
            <label for="search">{i18n.text(FieldKey::SearchLabel)}</label>
            <div class="searchbar">
                <input
                    id="search"
                    type="search"
                    inputmode="search"
                    autocomplete="off"
                    autofocus
                    enterkeyhint="search"
                    data-test="search-input"
                    placeholder=move || i18n.t(FieldKey::SearchPlaceholder)
                    prop:value=move || state.input.get()
                    on:input=on_input
                />
                <button
                    type="button"
                    data-test="near-me"
                    disabled=move || state.phase.get() == Phase::Locating
                    on:click=move |_| state.near_me(session)
                >
                    {i18n.text(FieldKey::NearMe)}
                </button>
            </div>
            <p class="hint" data-test="search-hint" hidden=move || !state.items.with(Vec::is_empty)>
                {move || match by_number() {
                    Some(Number::EstablishmentUnit) => i18n.t(FieldKey::ByEstablishmentUnitNumber),
                    Some(Number::Enterprise) => i18n.t(FieldKey::ByEnterpriseNumber),
                    None => i18n.t(FieldKey::SearchHint),
                }}
            </p>
            {near_title}
            {move || state.offline_copy.get().map(|at| view! { <OfflineCopyNotice fetched_at=at /> })}
            <Show when=move || state.from_device.get()>
                <p class="notice" role="status" data-test="search-from-device">
                    {i18n.text(FieldKey::SearchedWorkingSet)}
                </p>
            </Show>
            {move || status_line(i18n, state, false)}
            <ul class="results" data-test="results">
                <For
                    each=move || state.items.get()
                    key=|item| item.id
                    children=|item| view! { <EnclaveCard item /> }
                />
            </ul>
            {move || status_line(i18n, state, true)}
            <Show when=move || {
                (state.next_cursor.with(Option::is_some) || state.more_on_device.get())
                    && matches!(state.phase.get(), Phase::Done | Phase::MoreFailed(_))
            }>
                <button class="more" data-test="load-more" on:click=move |_| state.load_more(session)>
                    {i18n.text(Key::LoadMore)}
                </button>
            </Show>
        </main>
    }
}

/// What is going on: loading, nothing found, or what failed; above the results, or (for
/// "load more") below them.
fn status_line(i18n: I18n, state: SearchState, below: bool) -> Option<AnyView> {
    let phase = state.phase.get();
    if below != matches!(phase, Phase::LoadingMore | Phase::MoreFailed(_)) {
        return None;
    }
    let (text, class) = match phase {
        Phase::Idle => return None,
        Phase::Locating => (i18n.t(FieldKey::Locating).to_owned(), "notice"),
        Phase::Loading | Phase::LoadingMore => (i18n.t(Key::Loading).to_owned(), "notice"),
        Phase::Done if state.items.with(Vec::is_empty) => {
            (i18n.t(FieldKey::NoResults).to_owned(), "notice")
        }
        Phase::Done => return None,
        Phase::Failed(failure) | Phase::MoreFailed(failure) => {
            (failure.message(i18n), "notice error")
        }
        Phase::NoLocation { denied } => (
            i18n.t(if denied {
                FieldKey::GeoDenied
            } else {
                FieldKey::GeoUnavailable
            })
            .to_owned(),
            "notice error",
        ),
    };
    Some(view! { <p class=class role="status" data-test="search-status">{text}</p> }.into_any())
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Which number the search box holds, for its hint.
#[derive(Clone, Copy)]
enum Number {
    Enterprise,
    EstablishmentUnit,
}
