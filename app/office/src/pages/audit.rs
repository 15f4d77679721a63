//! The audit trail (`/audit`, administrators): who did what, when and from where — logins,
//! reads of personal data, exports, decisions, purges — filtered by user, action, object and
//! dates (kept in the URL, so a reload or a shared link shows the same), paged, and exported
//! as CSV.

use leptos::prelude::*;
use shared::dto::audit::{AuditEvent, cursor_after};
use shared::dto::query::AuditQuery;

use app_core::api::{self, ApiFailure};
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// Events per page.
const PAGE: usize = 50;

/// Actions the server records, offered as suggestions by the action filter (which takes any
/// action): `(value, Dutch, English)`.
const ACTIONS: [(&str, &str, &str); 15] = [
    ("read", "Inzage", "Read"),
    ("export", "Export", "Export"),
    ("search", "Zoeken naar personen", "Search for people"),
    (
        "working_set_download",
        "Werkset gedownload",
        "Working set downloaded",
    ),
    ("login", "Aanmelding", "Login"),
    ("refresh", "Sessie verlengd", "Session refreshed"),
    ("logout", "Afmelding", "Logout"),
    ("inspection_review", "Beoordeling", "Review"),
    ("report_notified", "Pv betekend", "Report notified"),
    (
        "contract_create",
        "Contract geregistreerd",
        "Contract registered",
    ),
    ("contract_update", "Contract gewijzigd", "Contract changed"),
    ("contract_end", "Contract beëindigd", "Contract ended"),
    (
        "contracts_import",
        "Contracten ingelezen",
        "Contracts imported",
    ),
    (
        "registrations_import",
        "Registraties ingelezen",
        "Registrations imported",
    ),
    ("purge", "Opschoning (bewaartermijn)", "Purge (retention)"),
];

/// The kinds of objects events name: `(value, Dutch, English)`.
const OBJECTS: [(&str, &str, &str); 7] = [
    ("enclave", "Enclave (met personen)", "Enclave (with people)"),
    ("session", "Sessie", "Session"),
    ("inspection", "Inspectie", "Inspection"),
    ("attachment", "Foto", "Photo"),
    ("inspections", "Inspectielijst", "Inspection list"),
    ("person", "Persoon", "Person"),
    ("contract", "Contract", "Contract"),
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
    let page = RwSignal::new(None::<Result<Vec<AuditEvent>, ApiFailure>>);
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
    Effect::new(move || {
        let shown = AuditQuery {
            cursor: api::filter(&cursor.get()),
            ..filter()
        };
        router.show_url(&api::url("/audit", &shown));
        // One more than a page tells whether a next page exists.
        let query = AuditQuery {
            limit: Some(PAGE as i64 + 1),
            ..shown
        };
        leptos::task::spawn_local(async move {
            page.try_set(Some(api::audit(session, &query).await));
        });
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
    let text_filter =
        move |signal: RwSignal<String>, test: &'static str, label: (&'static str, &'static str)| {
            view! {
                <label>
                    {i18n.tr(label.0, label.1)}
                    <input type="search" data-test=test prop:value=signal.get_untracked()
                        on:change=move |ev| set(signal, event_target_value(&ev)) />
                </label>
            }
        };
    let choice =
        move |signal: RwSignal<String>,
              test: &'static str,
              label: (&'static str, &'static str),
              options: &'static [(&'static str, &'static str, &'static str)]| {
            view! {
                <label>
                    {i18n.tr(label.0, label.1)}
                    <select data-test=test prop:value=move || signal.get()
                        on:change=move |ev| set(signal, event_target_value(&ev))>
                        <option value="">{i18n.tr("Alle", "All")}</option>
                        {options.iter().map(|(value, nl, en)| view! { <option value=*value>{i18n.tr(nl, en)}</option> }).collect_view()}
                    </select>
                </label>
            }
        };
    let action_filter = move || {
        view! {
            <label>
                {i18n.tr("Actie", "Action")}
                <input type="search" list="audit-actions" data-test="audit-action" prop:value=action.get_untracked()
                    on:change=move |ev| set(action, event_target_value(&ev)) />
                <datalist id="audit-actions">
                    {ACTIONS.iter().map(|(value, nl, en)| view! { <option value=*value>{i18n.tr(nl, en)}</option> }).collect_view()}
                </datalist>
            </label>
        }
    };
    let date_filter =
        move |signal: RwSignal<String>, test: &'static str, label: (&'static str, &'static str)| {
            view! {
                <label>
                    {i18n.tr(label.0, label.1)}
                    <input type="date" data-test=test prop:value=signal.get_untracked()
                        on:change=move |ev| set(signal, event_target_value(&ev)) />
                </label>
            }
        };
    view! {
        <main class="report">
            <h1>{i18n.tr("Audittrail", "Audit trail")}</h1>
            <p class="hint">
                {i18n.tr(
                    "Wie deed wat, wanneer en van waar: aanmeldingen, inzage in persoonsgegevens, exports, beslissingen en opschoningen.",
                    "Who did what, when and from where: logins, reads of personal data, exports, decisions and purges.",
                )}
            </p>
            <div class="filters">
                {text_filter(user, "audit-user", ("Gebruiker", "User"))}
                {action_filter()}
                {choice(object_type, "audit-object-type", ("Soort object", "Kind of object"), &OBJECTS)}
                {text_filter(object_id, "audit-object-id", ("Object-id", "Object id"))}
                {date_filter(from, "audit-from", ("Vanaf", "From"))}
                {date_filter(to, "audit-to", ("Tot en met", "Up to and including"))}
            </div>
            <div class="actions">
                <button data-test="audit-csv" on:click=export>{i18n.tr("CSV downloaden", "Download CSV")}</button>
            </div>
            {move || export_failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
            {move || match page.get() {
                None => view! { <p class="notice">{i18n.text(Key::Loading)}</p> }.into_any(),
                Some(Err(f)) => view! { <p class="notice error" role="alert">{f.message(i18n)}</p> }.into_any(),
                Some(Ok(mut events)) => {
                    let more = events.len() > PAGE;
                    events.truncate(PAGE);
                    let next = events.last().filter(|_| more).map(cursor_after);
                    view! { <AuditTable events /> <Paging cursor earlier next /> }.into_any()
                }
            }}
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
                {i18n.tr("Geen gebeurtenissen voor deze filter.", "No events for this filter.")}
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
            aria-label=move || i18n.pick("Gebeurtenissen", "Events").to_owned()>
            <thead><tr>
                <th scope="col">{i18n.tr("Tijdstip", "Time")}</th>
                <th scope="col">{i18n.tr("Gebruiker", "User")}</th>
                <th scope="col">{i18n.tr("Client", "Client")}</th>
                <th scope="col">{i18n.tr("Actie", "Action")}</th>
                <th scope="col">{i18n.tr("Uitkomst", "Outcome")}</th>
                <th scope="col">{i18n.tr("Object", "Object")}</th>
                <th scope="col">{i18n.tr("Details", "Details")}</th>
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
                {i18n.tr("Nieuwste", "Newest")}
            </button>
            <button data-test="audit-previous" disabled=at_start on:click=previous>
                {i18n.tr("Vorige", "Previous")}
            </button>
            <button data-test="audit-next" disabled=!has_next on:click=forward>
                {i18n.tr("Volgende", "Next")}
            </button>
        </div>
    }
}
