//! The reviewers' pages: the queue (`/review`), newest first with filters, and one inspection
//! (`/review/:id`) with its checks and reasons, presence, findings with photos, amendments and
//! earlier decisions, to approve or return with a comment. Built for a laptop as well as a
//! tablet: the filters and buttons are plain form controls, usable from the keyboard.

use std::time::Duration;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::dto::auth::Role;
use shared::dto::inspection::{CheckKind, InspectionView, Measure};
use shared::dto::query::{InspectionReportQuery, QueueQuery};
use shared::dto::review::{InspectionSummary, ReviewDecision, ReviewRequest, ReviewState};
use shared::rules::verdict::VerdictStatus;
use uuid::Uuid;

use crate::texts::OfficeKey;
use app_core::api::{self, ApiFailure};
use app_core::components::record::{RecordAmendment, RecordExtras, RecordView};
use app_core::i18n::{self, I18n, Key};
use app_core::session::Session;

fn state_text(state: ReviewState) -> OfficeKey {
    match state {
        ReviewState::Submitted => OfficeKey::BadgeToReview,
        ReviewState::Returned => OfficeKey::BadgeReturned,
        ReviewState::Approved => OfficeKey::BadgeApproved,
    }
}

fn measure_text(m: Measure) -> OfficeKey {
    match m {
        Measure::Advice => OfficeKey::MeasureAdvice,
        Measure::Warning => OfficeKey::MeasureWarning,
        Measure::RegularisationOrder => OfficeKey::MeasureRegularisationOrder,
        Measure::ReportProposed => OfficeKey::MeasureReportProposed,
    }
}

fn mark(status: VerdictStatus) -> &'static str {
    match status {
        VerdictStatus::Pass => "✓",
        VerdictStatus::Fail => "✗",
        VerdictStatus::Unknown => "?",
    }
}

/// Pause after the last keystroke before a text filter applies.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Days ahead the "due soon" list looks for report notification deadlines.
const DUE_SOON_DAYS: u32 = 7;

/// The queue's filters as the address bar keeps them (`/review?state=…&q=…`): a reload, a
/// shared link or "back" from an inspection finds the same list.
#[derive(Clone, Copy)]
struct QueueFilters {
    /// `submitted` (the default), `returned`, `approved`, `overdue`, `due` or `all`.
    state: RwSignal<String>,
    failing: RwSignal<String>,
    measure: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
    municipality: RwSignal<String>,
    inspector: RwSignal<String>,
    text: RwSignal<String>,
}

/// The queue's address as the filters' controls hold them: the API's filters, except that the
/// state may also be `overdue`, `due` or `all` (see [`QueueFilters::api_query`]).
#[derive(Default, Serialize, Deserialize)]
struct QueueAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inspector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
}

impl QueueFilters {
    /// The filters in the current URL.
    fn from_url() -> Self {
        let shown: QueueAddress = app_core::router::shown_query();
        let control = |value: Option<String>| RwSignal::new(api::filter_text(value));
        let filters = Self {
            state: control(shown.state),
            failing: control(shown.failing),
            measure: control(shown.measure),
            from: control(shown.from),
            to: control(shown.to),
            municipality: control(shown.municipality),
            inspector: control(shown.inspector),
            text: control(shown.q),
        };
        if filters.state.with_untracked(String::is_empty) {
            filters.state.set("submitted".to_owned());
        }
        filters
    }

    /// The filters as the page's address shows them (tracked): only those that are set.
    fn shown(self) -> QueueAddress {
        QueueAddress {
            state: api::filter(&self.state.get()),
            failing: api::filter(&self.failing.get()),
            measure: api::filter(&self.measure.get()),
            from: api::filter(&self.from.get()),
            to: api::filter(&self.to.get()),
            municipality: api::filter(&self.municipality.get()),
            inspector: api::filter(&self.inspector.get()),
            q: api::filter(&self.text.get()),
        }
    }

    /// The page's own address (tracked).
    fn address(self) -> String {
        api::url("/review", &self.shown())
    }

    /// The API's query (tracked). "Overdue" and "due soon" are not states but lists of
    /// approved reports not yet notified.
    fn api_query(self) -> QueueQuery {
        let shown = self.shown();
        let mut query = QueueQuery {
            failing: typed(shown.failing.as_deref()),
            measure: typed(shown.measure.as_deref()),
            from: typed(shown.from.as_deref()),
            to: typed(shown.to.as_deref()),
            municipality: shown.municipality,
            inspector: typed(shown.inspector.as_deref()),
            q: shown.q,
            ..QueueQuery::default()
        };
        match shown.state.as_deref().unwrap_or_default() {
            "overdue" => query.overdue = true,
            "due" => query.due_within_days = Some(DUE_SOON_DAYS),
            "all" => {}
            state => query.state = api::filter(state),
        }
        query
    }
}

/// A filter of the address as its field of the API's query (none when it is not a value).
fn typed<T: serde::de::DeserializeOwned>(shown: Option<&str>) -> Option<T> {
    shown.and_then(api::filter)
}

/// Sets `target` to what was typed once typing pauses for [`DEBOUNCE`].
fn debounced(
    target: RwSignal<String>,
    pending: StoredValue<Option<TimeoutHandle>>,
) -> impl Fn(leptos::ev::Event) + Copy {
    move |ev| {
        let value = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || target.set(value), DEBOUNCE);
        pending.set_value(handle.ok());
    }
}

/// The queue with its filters.
#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<app_core::router::Router>();
    let filters = QueueFilters::from_url();
    let QueueFilters {
        state,
        failing,
        measure,
        from,
        to,
        municipality,
        inspector,
        text,
    } = filters;
    let inspectors = RwSignal::new(Vec::<shared::dto::auth::User>::new());
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::inspectors(session).await {
            inspectors.try_set(list);
        }
    });
    let export_failure = RwSignal::new(None::<ApiFailure>);
    let items = RwSignal::new(Vec::<InspectionSummary>::new());
    let total = RwSignal::new(0_u64);
    let cursor = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiFailure>);
    let loading = RwSignal::new(false);
    // Each request's number: an answer overtaken by a newer one (typing on) is dropped.
    let latest = StoredValue::new(0_u32);
    let load = move |more: bool| {
        let q = filters.api_query();
        let after = if more { cursor.get_untracked() } else { None };
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        loading.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::queue(session, &q, after.as_deref()).await;
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(page) => {
                    if more {
                        items.update(|i| i.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    total.set(page.total);
                    cursor.set(page.next_cursor);
                    failure.set(None);
                }
                Err(f) => failure.set(Some(f)),
            }
            loading.set(false);
        });
    };
    Effect::new(move || {
        // Reload whenever a filter changes, and keep the filters in the address bar.
        router.show_url(&filters.address());
        load(false);
    });
    let export = move |format: &'static str| {
        let query = QueueQuery {
            format: Some(format.to_owned()),
            ..filters.api_query()
        };
        let url = api::url("/api/inspections", &query);
        leptos::task::spawn_local(async move {
            let name = format!("inspecties.{format}");
            export_failure.set(api::download(session, &url, &name).await.err());
        });
    };
    let pending_text = StoredValue::new(None::<TimeoutHandle>);
    let pending_municipality = StoredValue::new(None::<TimeoutHandle>);
    // An option that shows the filter read from the URL as chosen.
    let chosen =
        move |signal: RwSignal<String>, value: &'static str| move || signal.with(|s| s == value);
    let range = move || {
        let shown = items.with(Vec::len);
        let total = total.get();
        (shown > 0).then(|| format!("1–{shown} {} {total}", i18n.t(OfficeKey::Of)))
    };
    view! {
        <main>
            <h1>{i18n.text(OfficeKey::InspectionsToReview)}</h1>
            <div class="filters">
                <label>
                    {i18n.text(OfficeKey::ReviewState)}
                    <select data-test="queue-state" on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="submitted" selected=chosen(state, "submitted")>{i18n.text(OfficeKey::StateToReview)}</option>
                        <option value="returned" selected=chosen(state, "returned")>{i18n.text(OfficeKey::StateReturned)}</option>
                        <option value="approved" selected=chosen(state, "approved")>{i18n.text(OfficeKey::StateApproved)}</option>
                        <option value="due" selected=chosen(state, "due")>{i18n.text(OfficeKey::ReportDue)}</option>
                        <option value="overdue" selected=chosen(state, "overdue")>{i18n.text(OfficeKey::ReportOverdue)}</option>
                        <option value="all" selected=chosen(state, "all")>{i18n.text(OfficeKey::All)}</option>
                    </select>
                </label>
                <label>
                    {i18n.text(OfficeKey::CheckFailing)}
                    <select data-test="queue-failing" on:change=move |ev| failing.set(event_target_value(&ev))>
                        <option value="">{i18n.text(OfficeKey::Any)}</option>
                        <option value="contract_filed" selected=chosen(failing, "contract_filed")>{i18n.text(Key::ContractFiled)}</option>
                        <option value="daily_registration" selected=chosen(failing, "daily_registration")>{i18n.text(Key::DailyRegistration)}</option>
                        <option value="supervisor_present" selected=chosen(failing, "supervisor_present")>{i18n.text(Key::SupervisorPresent)}</option>
                    </select>
                </label>
                <label>
                    {i18n.text(Key::Measure)}
                    <select data-test="queue-measure" on:change=move |ev| measure.set(event_target_value(&ev))>
                        <option value="">{i18n.text(OfficeKey::Any)}</option>
                        {shared::dto::inspection::Measure::ALL.into_iter().map(|m| {
                            let (nl, en) = m.names();
                            view! { <option value=m.as_str() selected=chosen(measure, m.as_str())>{move || i18n.pick(nl, en)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.text(OfficeKey::From)}
                    <input type="date" data-test="queue-from" prop:value=from on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>
                    {i18n.text(OfficeKey::UpTo)}
                    <input type="date" data-test="queue-to" prop:value=to on:change=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <label>
                    {i18n.text(OfficeKey::Inspector)}
                    <select data-test="queue-inspector" on:change=move |ev| inspector.set(event_target_value(&ev))>
                        <option value="">{i18n.text(OfficeKey::All)}</option>
                        {move || inspectors.get().into_iter().map(|u| {
                            let id = u.id.to_string();
                            let selected = inspector.with_untracked(|i| *i == id);
                            view! { <option value=id selected=selected>{u.display_name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.text(OfficeKey::Municipality)}
                    <input type="search" data-test="queue-municipality" aria-describedby="queue-typing-hint"
                        prop:value=municipality.get_untracked()
                        on:input=debounced(municipality, pending_municipality) />
                </label>
                <label>
                    {i18n.text(Key::Search)}
                    <input
                        type="search"
                        data-test="queue-search"
                        aria-describedby="queue-typing-hint"
                        placeholder=move || i18n.t(OfficeKey::QueueSearchPlaceholder)
                        prop:value=text.get_untracked()
                        on:input=debounced(text, pending_text)
                    />
                </label>
            </div>
            <p class="hint" id="queue-typing-hint" data-test="queue-typing-hint">
                {i18n.text(OfficeKey::QueueSearchHint)}
            </p>
            <div class="actions">
                <button data-test="queue-csv" on:click=move |_| export("csv")>{i18n.text(OfficeKey::ListAsCsv)}</button>
                <button data-test="queue-xlsx" on:click=move |_| export("xlsx")>{i18n.text(OfficeKey::ListAsExcel)}</button>
            </div>
            {move || failure.get().map(|f| view! { <p class="notice error">{f.message(i18n)}</p> })}
            {move || export_failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
            <p class="hint" data-test="queue-count" aria-live="polite">{range}</p>
            <ul class="results" data-test="queue">
                <For each=move || items.get() key=|i| i.id children=move |i| view! { <QueueItem item=i /> } />
            </ul>
            <Show when=move || !loading.get() && items.with(Vec::is_empty)>
                <p class="notice" data-test="queue-empty">{i18n.text(OfficeKey::NothingToShow)}</p>
            </Show>
            <Show when=move || cursor.with(Option::is_some)>
                <button class="more" data-test="queue-more" on:click=move |_| load(true)>{i18n.text(Key::LoadMore)}</button>
            </Show>
        </main>
    }
}

#[component]
fn QueueItem(item: InspectionSummary) -> impl IntoView {
    let i18n = I18n::expect();
    let state = state_text(item.review_state);
    let measure = measure_text(item.measure);
    // Days left to notify a report, while it is not yet notified nor late.
    let due_in = item.report.as_ref().and_then(|r| {
        let today = shared::rules::time::belgian_local(chrono::Utc::now()).date();
        (r.notified_on.is_none() && !r.overdue).then(|| (r.due - today).num_days())
    });
    let checks = format!(
        "{} {} {}",
        mark(item.contract_filed),
        mark(item.daily_registration),
        mark(item.supervisor_present)
    );
    // The marks in words, for screen readers and as a tooltip (tracked: follows the language).
    let (c1, c2, c3) = (
        item.contract_filed,
        item.daily_registration,
        item.supervisor_present,
    );
    let checks_spoken = move || {
        let word = |s: VerdictStatus| match s {
            VerdictStatus::Pass => i18n.t(OfficeKey::SpokenPass),
            VerdictStatus::Fail => i18n.t(OfficeKey::SpokenFail),
            VerdictStatus::Unknown => i18n.t(Key::Unknown),
        };
        format!(
            "{}: {}; {}: {}; {}: {}",
            i18n.t(Key::ContractFiled),
            word(c1),
            i18n.t(Key::DailyRegistration),
            word(c2),
            i18n.t(Key::SupervisorPresent),
            word(c3)
        )
    };
    view! {
        <li>
            <a class="card" href=format!("/review/{}", item.id) data-test="queue-item" data-id=item.id.to_string()>
                <p class="title">
                    <span>{item.host}</span>
                    <span class="badge">{i18n.text(state)}</span>
                </p>
                <p class="line">{item.maatwerkbedrijf} " · " {item.municipality}</p>
                <p class="line">
                    {i18n::date(item.on)} " · " {item.inspector} " · "
                    <span role="img" aria-label=checks_spoken title=checks_spoken>{checks}</span>
                    " · " {i18n.text(measure)}
                </p>
                {item.report.map(|r| view! {
                    <p class="line">
                        {i18n.text(OfficeKey::ReportToNotifyBy)} {i18n::date(r.due)}
                        {r.notified_on.map(|d| view! { " · " {i18n.text(OfficeKey::NotifiedShort)} {i18n::date(d)} })}
                        {r.overdue.then(|| view! {
                            " " <span class="badge sync-needs_attention" data-test="report-overdue">{i18n.text(OfficeKey::OverdueBadge)}</span>
                        })}
                        {due_in.map(|days| view! {
                            " " <span class="badge" data-test="report-due-in">
                                {match days {
                                    0 => i18n.t(OfficeKey::Today).to_owned(),
                                    1 => i18n.t(OfficeKey::OneDayLeft).to_owned(),
                                    n => i18n.t(OfficeKey::DaysLeft).replace("{n}", &n.to_string()),
                                }}
                            </span>
                        })}
                    </p>
                })}
            </a>
        </li>
    }
}

/// One inspection to decide on.
#[component]
pub fn ReviewPage(id: String) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let id = Uuid::parse_str(&id).ok();
    let view_signal = RwSignal::new(None::<Result<InspectionView, ApiFailure>>);
    if let Some(id) = id {
        leptos::task::spawn_local(async move {
            view_signal.try_set(Some(api::inspection(session, id).await));
        });
    }
    view! {
        <main class="inspection-print">
            <a class="button back" href="/review">{i18n.text(OfficeKey::BackToQueue)}</a>
            {move || match view_signal.get() {
                None if id.is_none() => view! { <p class="notice">{i18n.text(Key::NotFound)}</p> }.into_any(),
                None => view! { <p class="notice">{i18n.text(Key::Loading)}</p> }.into_any(),
                Some(Err(f)) => view! { <p class="notice error">{f.message(i18n)}</p> }.into_any(),
                Some(Ok(v)) => view! { <ReviewBody v view_signal /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn ReviewBody(
    v: InspectionView,
    view_signal: RwSignal<Option<Result<InspectionView, ApiFailure>>>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let InspectionView {
        record: r,
        version,
        inspector_id,
        review_state: state,
        amendments,
        reviews,
        report_notified_on,
        ..
    } = v;
    let id = r.id;
    let enclave_id = r.enclave_id;
    // Who may do what, as the server allows it: only reviewers decide; the report's
    // notification is recorded by a reviewer or by the inspector who wrote it.
    let user = session.user();
    let role = user.as_ref().map(|u| u.role);
    let decides = role == Some(Role::Reviewer);
    let notifies = decides
        || user
            .as_ref()
            .is_some_and(|u| u.role == Role::Inspector && u.id == inspector_id);
    let failing: Vec<(CheckKind, Key)> = [
        (
            CheckKind::ContractFiled,
            Key::ContractFiled,
            r.contract_filed.status(),
        ),
        (
            CheckKind::DailyRegistration,
            Key::DailyRegistration,
            r.daily_registration.status(),
        ),
        (
            CheckKind::SupervisorPresent,
            Key::SupervisorPresent,
            r.supervisor_present.status(),
        ),
    ]
    .into_iter()
    .filter(|(_, _, s)| *s == VerdictStatus::Fail)
    .map(|(name, key, _)| (name, key))
    .collect();
    // The enclave's earlier inspections, and how comparable cases (same maatwerkbedrijf, same
    // check failing) were concluded, so measures stay consistent.
    let history = RwSignal::new(Vec::<InspectionSummary>::new());
    // Who inspected: the queue's line for this inspection names the inspector.
    let inspector = RwSignal::new(None::<String>);
    let comparable = RwSignal::new(Vec::<(Key, Vec<InspectionSummary>)>::new());
    leptos::task::spawn_local(async move {
        let earlier = QueueQuery {
            enclave: Some(enclave_id),
            ..QueueQuery::default()
        };
        let Ok(page) = api::queue(session, &earlier, None).await else {
            return;
        };
        let mwb = page.items.iter().find_map(|i| i.maatwerkbedrijf_id);
        if let Some(this) = page.items.iter().find(|i| i.id == id) {
            inspector.try_set(Some(this.inspector.clone()));
        }
        history.try_set(page.items.into_iter().filter(|i| i.id != id).collect());
        let Some(mwb) = mwb else { return };
        for (name, key) in failing {
            let query = QueueQuery {
                maatwerkbedrijf: Some(mwb),
                failing: Some(name),
                state: Some(ReviewState::Approved),
                ..QueueQuery::default()
            };
            if let Ok(page) = api::queue(session, &query, None).await {
                let cases: Vec<InspectionSummary> =
                    page.items.into_iter().filter(|i| i.id != id).collect();
                comparable.try_update(|c| c.push((key, cases)));
            }
        }
    });
    // Where: the site's address, and how far from it the tablet was (no map needed).
    let site = RwSignal::new(None::<shared::dto::enclave::EnclaveDetail>);
    leptos::task::spawn_local(async move {
        if let Ok(detail) = api::enclave(session, &enclave_id.to_string()).await {
            site.try_set(Some(detail.value));
        }
    });
    let position = r.position.clone();
    let address = move || {
        site.get().map(|d| {
            let s = &d.site;
            let distance = position.as_ref().map(|p| {
                let m = (shared::rules::geo::haversine_km(
                    p.latitude,
                    p.longitude,
                    s.latitude,
                    s.longitude,
                ) * 1000.0)
                    .round();
                let accuracy = p.accuracy_m.map(|a| format!(" (±{a:.0} m)")).unwrap_or_default();
                format!(
                    "{} {m:.0} m {}{accuracy}",
                    i18n.t(OfficeKey::DeviceAt),
                    i18n.t(OfficeKey::FromAddress)
                )
            });
            view! {
                <p data-test="review-address">
                    <strong>{d.host.name.clone()}</strong> " · " {s.name.clone()} ", " {s.street.clone()} ", "
                    {s.postcode.clone()} " " {s.municipality.clone()} " · " {d.maatwerkbedrijf.name.clone()}
                </p>
                <p class="hint" data-test="review-position">
                    {distance.unwrap_or_else(|| i18n.t(OfficeKey::NoDevicePosition).to_owned())}
                </p>
            }
        })
    };
    let state_word = state_text(state);
    let comment = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiFailure>);
    let is_report = r.conclusion.measure == Measure::ReportProposed;
    let notified = RwSignal::new(report_notified_on);
    let notified_input = RwSignal::new(String::new());
    let mark_notified = move |_| {
        let Ok(on) = chrono::NaiveDate::parse_from_str(&notified_input.get_untracked(), "%Y-%m-%d")
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::report_notified(session, id, on).await {
                Ok(()) => notified.set(Some(on)),
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    let decide = move |decision: ReviewDecision| {
        let request = ReviewRequest {
            decision,
            comment: comment.get_untracked(),
            version,
        };
        leptos::task::spawn_local(async move {
            match api::review(session, id, &request).await {
                Ok(updated) => view_signal.set(Some(Ok(updated))),
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    // The next inspection waiting for review (the newest, as the queue lists them), or back to
    // the empty queue: a reviewer works through a day's queue without the mouse.
    let router = expect_context::<app_core::router::Router>();
    let next = move || {
        leptos::task::spawn_local(async move {
            let waiting = QueueQuery {
                state: Some(ReviewState::Submitted),
                ..QueueQuery::default()
            };
            match api::queue(session, &waiting, None).await {
                Ok(page) => match page.items.into_iter().find(|i| i.id != id) {
                    Some(i) => router.navigate(&format!("/review/{}", i.id), false),
                    None => router.navigate("/review", false),
                },
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    let comment_box = NodeRef::<leptos::html::Textarea>::new();
    let next_button = NodeRef::<leptos::html::Button>::new();
    // Once decided, the way on has the focus: Enter opens the next inspection.
    Effect::new(move || {
        if let Some(button) = next_button.get() {
            let _ = button.focus();
        }
    });
    // Shortcuts outside text fields: a approves, r goes to the comment (to return), n opens
    // the next inspection.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        use wasm_bindgen::JsCast;
        if !decides || ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.repeat() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        // Not behind an enlarged photo either: the keys belong to the dialog then.
        let dialog = document()
            .query_selector("[aria-modal=true]")
            .ok()
            .flatten()
            .is_some();
        if typing || dialog {
            return;
        }
        match ev.key().as_str() {
            "a" if state == ReviewState::Submitted => {
                ev.prevent_default();
                decide(ReviewDecision::Approve);
            }
            "r" if state == ReviewState::Submitted => {
                ev.prevent_default();
                if let Some(textarea) = comment_box.get_untracked() {
                    let _ = textarea.focus();
                }
            }
            "n" => {
                ev.prevent_default();
                next();
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let none = move |empty: bool| {
        empty.then(|| view! { <p class="hint">{i18n.text(OfficeKey::NoneListed)}</p> })
    };
    let no_decisions = reviews.is_empty();
    // The record in full through the same read-only component the inspector's summary uses;
    // the amendments name their authors. The decisions follow below, in the reviewer's words.
    let extras = RecordExtras {
        amendments: amendments
            .iter()
            .map(|a| RecordAmendment {
                author: Some(a.author_name.clone()).filter(|n| !n.is_empty()),
                ..RecordAmendment::from_view(a)
            })
            .collect(),
        session: Some(session),
    };
    let decisions = reviews
        .iter()
        .map(|d| {
            let word = match d.decision {
                ReviewDecision::Approve => i18n.text(OfficeKey::ApprovedBy),
                ReviewDecision::Return => i18n.text(OfficeKey::ReturnedBy),
            };
            let comment = d.comment.clone();
            view! {
                <li data-test="review-decision" data-decision=d.decision.as_str()>
                    <div>
                        <p>
                            {word} <strong>{d.reviewer_name.clone()}</strong> ", "
                            {i18n::belgian_datetime(d.decided_at)} " (" {i18n.text(OfficeKey::Version)}
                            {d.inspection_version} ")"
                        </p>
                        {(!comment.is_empty()).then(|| view! { <p><q>{comment}</q></p> })}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <header>
            <h1 data-test="review-title">{i18n.text(OfficeKey::InspectionOf)} {i18n::date(r.on)} " " {i18n::time(r.at)}</h1>
            <p>
                <span class="badge" data-test="review-state" data-state=state.as_str()>{i18n.text(state_word)}</span>
                " · " {i18n.text(OfficeKey::Version)} {version}
                {move || inspector.get().map(|name| view! {
                    " · " {i18n.text(OfficeKey::InspectorPrefix)} <strong data-test="review-inspector">{name}</strong>
                })}
            </p>
            {address}
            <div class="actions no-print">
                <button data-test="print" on:click=move |_| { let _ = window().print(); }>
                    {i18n.text(OfficeKey::Print)}
                </button>
                // For the file, at the office: not on an inspector's (shared) tablet, whose
                // downloads the next user would find.
                {(role != Some(Role::Inspector)).then(|| view! { <ReportPdfButton id /> })}
            </div>
        </header>
        <RecordView record=r.clone() extras />
        <h2>{i18n.text(OfficeKey::Decisions)}</h2>
        <ul class="members" data-test="review-decisions">{decisions}</ul>
        {none(no_decisions)}
        <h2 class="no-print">{i18n.text(OfficeKey::EarlierInspections)}</h2>
        <ul class="results no-print" data-test="history">
            {move || history.get().into_iter().map(|i| view! { <QueueItem item=i /> }).collect_view()}
        </ul>
        {move || none(history.with(Vec::is_empty))}
        <Show when=move || !comparable.with(Vec::is_empty)>
            <h2>{i18n.text(OfficeKey::ComparableCases)}</h2>
            <ul class="members" data-test="comparable">
                {move || {
                    comparable
                        .get()
                        .into_iter()
                        .map(|(key, cases)| {
                            let mut tally: Vec<(Measure, usize)> = Vec::new();
                            for c in &cases {
                                match tally.iter_mut().find(|(m, _)| *m == c.measure) {
                                    Some((_, n)) => *n += 1,
                                    None => tally.push((c.measure, 1)),
                                }
                            }
                            let summary = tally
                                .into_iter()
                                .map(|(m, n)| {
                                    format!("{n}× {}", i18n.t(measure_text(m)))
                                })
                                .collect::<Vec<_>>()
                                .join(", ");
                            view! {
                                <li>
                                    <strong>{i18n.text(key)}</strong>
                                    {i18n.text(OfficeKey::ComparableFailing)}
                                    {if cases.is_empty() { i18n.t(OfficeKey::NoCases).to_owned() } else { summary }}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
        <Show when=move || is_report && state == ReviewState::Approved>
            <h2>{i18n.text(OfficeKey::ReportNotification)}</h2>
            <p data-test="report-deadline">
                {i18n.text(OfficeKey::DueBy)}
                {i18n::date(shared::rules::review::report_deadline(r.on))}
                {move || notified.get().map(|d| format!(" · {} {}", i18n.t(OfficeKey::NotifiedOnShort), i18n::date(d)))}
            </p>
            <Show when=move || notifies && notified.with(Option::is_none)>
                <div class="actions">
                    <label>
                        {i18n.text(OfficeKey::NotifiedOn)}
                        <input type="date" data-test="report-notified-on" on:change=move |ev| notified_input.set(event_target_value(&ev)) />
                    </label>
                    <button data-test="report-notified" on:click=mark_notified>
                        {i18n.text(OfficeKey::RecordNotification)}
                    </button>
                </div>
            </Show>
        </Show>
        <Show when=move || !decides>
            <p class="notice" data-test="review-read-only">
                {i18n.text(OfficeKey::ReadOnlyReview)}
            </p>
        </Show>
        <Show when=move || decides && state == ReviewState::Submitted>
            <label>
                {i18n.text(OfficeKey::ReturnComment)}
                <textarea data-test="review-comment-input" node_ref=comment_box aria-keyshortcuts="r"
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </label>
            <div class="actions">
                <button class="primary" data-test="approve" aria-keyshortcuts="a" on:click=move |_| decide(ReviewDecision::Approve)>
                    {i18n.text(OfficeKey::Approve)} " " <kbd>"a"</kbd>
                </button>
                <button data-test="return" on:click=move |_| decide(ReviewDecision::Return)>
                    {i18n.text(OfficeKey::Return)}
                </button>
            </div>
            <p class="hint">
                {i18n.text(OfficeKey::ReviewShortcuts)}
            </p>
        </Show>
        <Show when=move || decides && state != ReviewState::Submitted>
            <div class="actions">
                <button class="primary" data-test="review-next" node_ref=next_button aria-keyshortcuts="n" on:click=move |_| next()>
                    {i18n.text(OfficeKey::NextToReview)} " " <kbd>"n"</kbd>
                </button>
            </div>
        </Show>
        {move || failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
    }
}

/// The inspection report as a PDF from the server, for the file
/// (`GET /api/inspections/{id}/report.pdf`, in the interface's language): downloads it with
/// the session's token as `inspectie-{id}.pdf`, and says why when it cannot.
#[component]
fn ReportPdfButton(id: Uuid) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let failure = RwSignal::new(None::<ApiFailure>);
    let busy = RwSignal::new(false);
    let fetch = move |_| {
        busy.set(true);
        let query = InspectionReportQuery {
            lang: Some(i18n.lang().code().to_owned()),
        };
        let url = api::url(&format!("/api/inspections/{id}/report.pdf"), &query);
        leptos::task::spawn_local(async move {
            let result = api::download(session, &url, &format!("inspectie-{id}.pdf")).await;
            failure.try_set(result.err());
            busy.try_set(false);
        });
    };
    view! {
        <button data-test="report-pdf" disabled=move || busy.get() on:click=fetch>
            {i18n.text(OfficeKey::ReportPdf)}
        </button>
        {move || failure.get().map(|f| view! {
            <p class="notice error" role="alert" data-test="report-pdf-failure">{f.message(i18n)}</p>
        })}
    }
}
