//! The audit trail (`/audit`, administrators): who did what, when and from where — logins,
//! reads of personal data, exports, decisions, purges — filtered by user, action, object and
//! dates (kept in the URL, so a reload or a shared link shows the same), paged, and exported
//! as CSV.

use leptos::prelude::*;
use shared::dto::audit::{AuditEvent, cursor_after};
use shared::dto::query::AuditQuery;

use crate::texts::OfficeKey;
use app_core::api::{self, ApiFailure};
use app_core::components::loaded::loaded;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// Events per page.
const PAGE: usize = 50;

/// Actions the server records, offered as suggestions by the action filter (which takes any
/// action): `(value, text)`.
const ACTIONS: [(&str, OfficeKey); 15] = [
    ("read", OfficeKey::ActionRead),
    ("export", OfficeKey::ActionExport),
    ("search", OfficeKey::ActionSearch),
    ("working_set_download", OfficeKey::ActionWorkingSetDownload),
    ("login", OfficeKey::ActionLogin),
    ("refresh", OfficeKey::ActionRefresh),
    ("logout", OfficeKey::ActionLogout),
    ("inspection_review", OfficeKey::ActionInspectionReview),
    ("report_notified", OfficeKey::ActionReportNotified),
    ("contract_create", OfficeKey::ActionContractCreate),
    ("contract_update", OfficeKey::ActionContractUpdate),
    ("contract_end", OfficeKey::ActionContractEnd),
    ("contracts_import", OfficeKey::ActionContractsImport),
    ("registrations_import", OfficeKey::ActionRegistrationsImport),
    ("purge", OfficeKey::ActionPurge),
];

/// The kinds of objects events name: `(value, text)`.
const OBJECTS: [(&str, OfficeKey); 7] = [
    ("enclave", OfficeKey::ObjectEnclave),
    ("session", OfficeKey::ObjectSession),
    ("inspection", OfficeKey::ObjectInspection),
    ("attachment", OfficeKey::ObjectAttachment),
    ("inspections", OfficeKey::ObjectInspections),
    ("person", OfficeKey::ObjectPerson),
    ("contract", OfficeKey::ObjectContract),
];

/// The audit trail, filtered and paged.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    // The address holds the filters and the page shown, as the API takes them.
    let shown: AuditQuery = app_core::router::shown_query();
    let user = RwSignal::new(api::filter_text(shown.user));
    let action = RwSignal::new(api::filter_text(shown.action));
    let object_type = RwSignal::new(api::filter_text(shown.object_type));
    let object_id = RwSignal::new(api::filter_text(shown.object_id));
    let from = RwSignal::new(api::filter_text(shown.from));
    let to = RwSignal::new(api::filter_text(shown.to));
    // The cursor of the page shown (empty: the newest), and those of the pages before it.
    let cursor = RwSignal::new(api::filter_text(shown.cursor));
    let earlier = RwSignal::new(Vec::<String>::new());
    let export_failure = RwSignal::new(None::<ApiFailure>);
    let filter = move || AuditQuery {
        user: api::filter(&user.get()),
        action: api::filter(&action.get()),
        object_type: api::filter(&object_type.get()),
        object_id: api::filter(&object_id.get()),
        from: api::filter(&from.get()),
        to: api::filter(&to.get()),
        ..AuditQuery::default()
    };
    let shown = move || AuditQuery {
        cursor: api::filter(&cursor.get()),
        ..filter()
    };
    Effect::new(move || router.show_url(&api::url("/audit", &shown())));
    // The page the filters and the cursor ask for, fetched again when they change.
    let page = LocalResource::new(move || {
        // One more than a page tells whether a next page exists.
        let query = AuditQuery {
            limit: Some(PAGE as i64 + 1),
            ..shown()
        };
        async move { api::audit(session, &query).await }
    });
    // A changed filter starts again at the newest events.
    let set = move |signal: RwSignal<String>, value: String| {
        earlier.set(Vec::new());
        cursor.set(String::new());
        signal.set(value);
    };
    let export = move |_| {
        let query = AuditQuery {
            format: Some("csv".to_owned()),
            ..filter()
        };
        let url = api::url("/api/audit", &query);
        leptos::task::spawn_local(async move {
            export_failure.set(api::download(session, &url, "audit.csv").await.err());
        });
    };
    // A typed filter: `kind` is the input's type (`search` or `date`).
    let input_filter = move |kind: &'static str,
                             signal: RwSignal<String>,
                             test: &'static str,
                             label: OfficeKey| {
        view! {
            <label>
                {i18n.text(label)}
                <input type=kind data-test=test prop:value=signal.get_untracked()
                    on:change=move |ev| set(signal, event_target_value(&ev)) />
            </label>
        }
    };
    let choice = move |signal: RwSignal<String>,
                       test: &'static str,
                       label: OfficeKey,
                       options: &'static [(&'static str, OfficeKey)]| {
        view! {
            <label>
                {i18n.text(label)}
                <select data-test=test prop:value=move || signal.get()
                    on:change=move |ev| set(signal, event_target_value(&ev))>
                    <option value="">{i18n.text(OfficeKey::All)}</option>
                    {options.iter().map(|(value, text)| view! { <option value=*value>{i18n.text(*text)}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let action_filter = move || {
        view! {
            <label>
                {i18n.text(OfficeKey::Action)}
                <input type="search" list="audit-actions" data-test="audit-action" prop:value=action.get_untracked()
                    on:change=move |ev| set(action, event_target_value(&ev)) />
                <datalist id="audit-actions">
                    {ACTIONS.iter().map(|(value, text)| view! { <option value=*value>{i18n.text(*text)}</option> }).collect_view()}
                </datalist>
            </label>
        }
    };
    view! {
        <main class="report">
            <h1>{i18n.text(Key::AuditTrail)}</h1>
            <p class="hint">
                {i18n.text(OfficeKey::AuditIntro)}
            </p>
            <div class="filters">
                {input_filter("search", user, "audit-user", OfficeKey::User)}
                {action_filter()}
                {choice(object_type, "audit-object-type", OfficeKey::ObjectKind, &OBJECTS)}
                {input_filter("search", object_id, "audit-object-id", OfficeKey::ObjectId)}
                {input_filter("date", from, "audit-from", OfficeKey::FromDate)}
                {input_filter("date", to, "audit-to", OfficeKey::UpToAndIncluding)}
            </div>
            <div class="actions">
                <button data-test="audit-csv" on:click=export>{i18n.text(OfficeKey::DownloadCsv)}</button>
            </div>
            {move || export_failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
            {loaded(page, move |mut events: Vec<AuditEvent>| {
                let more = events.len() > PAGE;
                events.truncate(PAGE);
                let next = events.last().filter(|_| more).map(cursor_after);
                view! { <AuditTable events /> <Paging cursor earlier next /> }
            })}
        </main>
    }
}

/// The events of one page.
#[component]
fn AuditTable(events: Vec<AuditEvent>) -> impl IntoView {
    let i18n = I18n::expect();
    if events.is_empty() {
        return view! {
            <p class="notice" data-test="audit-empty">
                {i18n.text(OfficeKey::NoEvents)}
            </p>
        }
        .into_any();
    }
    let rows = events
        .into_iter()
        .map(|e| {
            let object = match (e.object_type, e.object_id) {
                (Some(kind), Some(id)) => format!("{kind} {id}"),
                (Some(kind), None) => kind,
                _ => String::new(),
            };
            let action = e.action.clone();
            view! {
                <tr data-test="audit-row" data-action=action>
                    <td>{i18n::belgian_datetime(e.occurred_at)}</td>
                    <td>{e.actor_username.unwrap_or_default()}</td>
                    <td>{e.client}</td>
                    <td>{e.action}</td>
                    <td>{e.outcome}</td>
                    <td class="object-id">{object}</td>
                    <td>{e.detail.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table wide" data-test="audit-rows" tabindex="0"
            aria-label=move || i18n.t(OfficeKey::Events).to_owned()>
            <thead><tr>
                <th scope="col">{i18n.text(OfficeKey::Time)}</th>
                <th scope="col">{i18n.text(OfficeKey::User)}</th>
                <th scope="col">{i18n.text(OfficeKey::Client)}</th>
                <th scope="col">{i18n.text(OfficeKey::Action)}</th>
                <th scope="col">{i18n.text(OfficeKey::Outcome)}</th>
                <th scope="col">{i18n.text(OfficeKey::Object)}</th>
                <th scope="col">{i18n.text(OfficeKey::Details)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Newest page, previous page and next page.
#[component]
fn Paging(
    cursor: RwSignal<String>,
    earlier: RwSignal<Vec<String>>,
    next: Option<String>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let at_start = move || cursor.get().is_empty();
    let newest = move |_| {
        earlier.set(Vec::new());
        cursor.set(String::new());
    };
    // After a reload the pages before this one are unknown: "previous" goes to the newest.
    let previous = move |_| {
        let back = earlier.try_update(Vec::pop).flatten().unwrap_or_default();
        cursor.set(back);
    };
    let has_next = next.is_some();
    let forward = move |_| {
        if let Some(next) = next.clone() {
            earlier.update(|e| e.push(cursor.get_untracked()));
            cursor.set(next);
        }
    };
    view! {
        <div class="actions">
            <button data-test="audit-newest" disabled=at_start on:click=newest>
                {i18n.text(OfficeKey::Newest)}
            </button>
            <button data-test="audit-previous" disabled=at_start on:click=previous>
                {i18n.text(OfficeKey::Previous)}
            </button>
            <button data-test="audit-next" disabled=!has_next on:click=forward>
                {i18n.text(OfficeKey::Next)}
            </button>
        </div>
    }
}
