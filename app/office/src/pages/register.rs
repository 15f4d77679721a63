//! The contract register (`/register`): the department's list of enclave contracts, filtered
//! and exported as CSV or Excel; and the contract form (`/register/new`, `/register/{id}`)
//! where an admin registers, edits or ends a contract. The form runs the same checks as the
//! server (`shared::rules::register`) as the admin types, and shows at once whether the
//! notification arrived in time.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::dto::auth::Role;
use shared::dto::contract::{Contract, ContractDraft, ContractStatus, RegisterEntry};
use shared::dto::enclave::EnclaveSummary;
use shared::dto::query::RegisterQuery;
use shared::dto::report::HostType;
use shared::rules::contract_filed::RuleSettings;
use shared::rules::enterprise_number::EnterpriseNumber;
use shared::rules::register::{timeliness, validate_contract};
use shared::rules::time::{belgian_local, from_belgian_local};

use crate::texts::OfficeKey;
use app_core::api::{self, ApiFailure, SearchQuery};
use app_core::components::loaded::loaded;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// One `<option>` per contract status.
fn status_options() -> impl IntoView {
    let i18n = I18n::expect();
    ContractStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str()>{i18n.text(Key::contract_status(s))}</option> })
        .collect_view()
}

/// The register page's address: the filters as the API takes them, and the page (of 50) shown,
/// e.g. `/register?q=peeters&sort=start&desc=true&page=2`.
#[derive(Serialize)]
struct Address<'a> {
    #[serde(flatten)]
    filter: &'a RegisterQuery,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<usize>,
}

/// The page number of the address, read apart from the filters (a flattened struct would read
/// every value as text).
#[derive(Default, Deserialize)]
struct PageNumber {
    page: Option<usize>,
}

/// The register, filtered.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let admin = session.user().is_some_and(|u| u.role == Role::Admin);
    let router = expect_context::<Router>();
    // Filters, sort and page start from the URL, so a reload or a shared link shows the same.
    let shown: RegisterQuery = app_core::router::shown_query();
    let text = RwSignal::new(api::filter_text(shown.q));
    let host_type = RwSignal::new(api::filter_text(shown.host_type));
    let status = RwSignal::new(api::filter_text(shown.status));
    let year = RwSignal::new(api::filter_text(shown.received_year));
    let late = RwSignal::new(shown.late);
    let open_ended = RwSignal::new(shown.open_ended);
    let sort = RwSignal::new(api::filter_text(shown.sort));
    let desc = RwSignal::new(shown.desc);
    let PageNumber { page: shown_page } = app_core::router::shown_query();
    let offset = RwSignal::new(shown_page.map_or(0, |p| p.saturating_sub(1) * 50));
    // Keystrokes in the text filter; only the last one's pause filters.
    let typed = RwSignal::new(0u32);
    let export_failure = RwSignal::new(None::<ApiFailure>);
    let filter = move || RegisterQuery {
        q: api::filter(&text.get()),
        host_type: api::filter(&host_type.get()),
        status: api::filter(&status.get()),
        received_year: api::filter(&year.get()),
        late: late.get(),
        open_ended: open_ended.get(),
        sort: api::filter(&sort.get()),
        desc: desc.get(),
        ..RegisterQuery::default()
    };
    Effect::new(move || {
        let number = offset.get() / 50 + 1;
        let filter = filter();
        let address = Address {
            filter: &filter,
            page: (number > 1).then_some(number),
        };
        router.show_url(&api::url("/register", &address));
    });
    // The page the filters, the sort and the offset ask for, fetched again when they change.
    let page = LocalResource::new(move || {
        let query = RegisterQuery {
            limit: Some(50),
            offset: Some(offset.get()),
            ..filter()
        };
        async move { api::register(session, &query).await }
    });
    let export = move |format: &'static str| {
        let query = RegisterQuery {
            format: Some(format.to_owned()),
            ..filter()
        };
        let url = api::url("/api/contracts", &query);
        leptos::task::spawn_local(async move {
            let name = format!("enclavecontracten-register.{format}");
            export_failure.set(api::download(session, &url, &name).await.err());
        });
    };
    let reset = move |f: &dyn Fn()| {
        f();
        offset.set(0);
    };
    // A sortable column header: a click sorts by it, a second click reverses.
    let header = move |key: &'static str, label: String| {
        let state = move || match (sort.get() == key, desc.get()) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        view! {
            <th scope="col" aria-sort=state data-test=format!("register-sort-{key}")>
                <button type="button" class="sort" on:click=move |_| reset(&|| {
                    if sort.get_untracked() == key {
                        desc.update(|d| *d = !*d);
                    } else {
                        sort.set(key.to_owned());
                        desc.set(false);
                    }
                })>
                    {label}
                    <span aria-hidden="true">{move || match state() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        <main class="report">
            <div class="actions no-print">
                <h1>{i18n.text(OfficeKey::ContractRegister)}</h1>
                {admin.then(|| view! {
                    <a class="button primary" href="/register/new" data-test="register-new">
                        {i18n.text(OfficeKey::NewContract)}
                    </a>
                })}
            </div>
            <div class="filters no-print">
                <label>
                    {i18n.text(Key::Search)}
                    <input type="search" data-test="register-search" aria-describedby="register-search-hint" prop:value=text.get_untracked()
                        placeholder=move || i18n.t(OfficeKey::RegisterSearchPlaceholder)
                        on:input=move |ev| {
                            // Filters as the admin types, once typing pauses.
                            let v = event_target_value(&ev);
                            typed.update(|n| *n += 1);
                            let mine = typed.get_untracked();
                            set_timeout(
                                move || if typed.get_untracked() == mine { reset(&|| text.set(v.clone())) },
                                std::time::Duration::from_millis(350),
                            );
                        } />
                    <small id="register-search-hint" class="hint">{i18n.text(OfficeKey::FiltersAsYouType)}</small>
                </label>
                <label>
                    {i18n.text(OfficeKey::HostType)}
                    <select data-test="register-type" prop:value=move || host_type.get() on:change=move |ev| { let v = event_target_value(&ev); reset(&|| host_type.set(v.clone())) }>
                        <option value="">{i18n.text(OfficeKey::All)}</option>
                        {HostType::ALL.into_iter().map(|t| {
                            let (nl, en) = t.names();
                            let value = serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                            view! { <option value=value>{move || i18n.pick(nl, en)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.text(Key::Status)}
                    <select data-test="register-status" prop:value=move || status.get() on:change=move |ev| { let v = event_target_value(&ev); reset(&|| status.set(v.clone())) }>
                        <option value="">{i18n.text(OfficeKey::All)}</option>
                        {status_options()}
                    </select>
                </label>
                <label>
                    {i18n.text(OfficeKey::ReceivedIn)}
                    <input type="number" min="2000" max="2100" data-test="register-year" prop:value=year.get_untracked()
                        on:change=move |ev| { let v = event_target_value(&ev); reset(&|| year.set(v.clone())) } />
                </label>
                <label class="check">
                    <input type="checkbox" data-test="register-late" prop:checked=late.get_untracked() on:change=move |ev| { let v = event_target_checked(&ev); reset(&|| late.set(v)) } />
                    {i18n.text(OfficeKey::NotifiedLate)}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=open_ended.get_untracked() on:change=move |ev| { let v = event_target_checked(&ev); reset(&|| open_ended.set(v)) } />
                    {i18n.text(OfficeKey::OpenEndedRunning)}
                </label>
            </div>
            <div class="actions no-print">
                <button data-test="register-csv" on:click=move |_| export("csv")>{i18n.text(OfficeKey::DownloadCsv)}</button>
                <button data-test="register-xlsx" on:click=move |_| export("xlsx")>{i18n.text(OfficeKey::DownloadExcel)}</button>
                <button on:click=move |_| { let _ = window().print(); }>{i18n.text(OfficeKey::Print)}</button>
            </div>
            {move || export_failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
            {loaded(page, move |p: shared::dto::contract::RegisterPage| {
                    let total = p.total as usize;
                    let shown = offset.get_untracked() + p.items.len();
                    let rows = p.items.into_iter().map(|e| view! { <RegisterRow e admin /> }).collect_view();
                    view! {
                        <p data-test="register-total">
                            {move || if total == 1 {
                                i18n.t(OfficeKey::OneContract).to_owned()
                            } else {
                                format!("{total} {}", i18n.t(OfficeKey::ContractsPlural))
                            }}
                        </p>
                        <table class="table" data-test="register-rows" tabindex="0"
                            aria-label=move || i18n.t(Key::Contracts).to_owned()>
                            <thead><tr>
                                {header("reference", i18n.t(OfficeKey::Reference).to_owned())}
                                {header("maatwerkbedrijf", i18n.t(Key::Maatwerkbedrijf).to_owned())}
                                {header("host", i18n.t(Key::Host).to_owned())}
                                {header("start", i18n.t(Key::Start).to_owned())}
                                {header("end", i18n.t(Key::End).to_owned())}
                                {header("received", i18n.t(OfficeKey::Received).to_owned())}
                                <th scope="col">{i18n.text(OfficeKey::OnTime)}</th>
                                {header("status", i18n.t(Key::Status).to_owned())}
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                        <div class="actions no-print">
                            <button disabled=move || offset.get() == 0 on:click=move |_| offset.update(|o| *o = o.saturating_sub(50))>
                                {i18n.text(OfficeKey::Previous)}
                            </button>
                            <span data-test="register-page-number" aria-live="polite">
                                {move || format!(
                                    "{} {} {} {}",
                                    i18n.t(OfficeKey::Page),
                                    offset.get() / 50 + 1,
                                    i18n.t(OfficeKey::Of),
                                    total.div_ceil(50).max(1),
                                )}
                            </span>
                            <button data-test="register-next" disabled={shown >= total} on:click=move |_| offset.update(|o| *o += 50)>
                                {i18n.text(OfficeKey::Next)}
                            </button>
                        </div>
                    }
            })}
        </main>
    }
}

#[component]
fn RegisterRow(e: RegisterEntry, admin: bool) -> impl IntoView {
    let i18n = I18n::expect();
    let c = e.contract;
    let reference = if admin {
        view! { <a href=format!("/register/{}", c.id) data-test="register-edit">{c.reference.clone()}</a> }.into_any()
    } else {
        view! { <span>{c.reference.clone()}</span> }.into_any()
    };
    let on_time = match e.timeliness.on_time {
        Some(true) => {
            view! { <span class="badge pass">{i18n.text(Key::AnswerYes)}</span> }.into_any()
        }
        Some(false) => {
            view! { <span class="badge fail">{i18n.text(OfficeKey::LateBadge)}</span> }.into_any()
        }
        None => view! { <span class="badge unknown">"?"</span> }.into_any(),
    };
    view! {
        <tr data-test="register-row" data-reference=c.reference.clone() data-start=c.start_date.to_string()>
            <td>{reference}</td>
            <td>{e.maatwerkbedrijf.name} <EnterpriseNumberLine number=e.maatwerkbedrijf.enterprise_number /></td>
            <td>
                {e.host.name} <small>" · " {e.municipality}</small>
                <EnterpriseNumberLine number=e.host.enterprise_number />
            </td>
            <td>{i18n::date(c.start_date)}</td>
            <td>{c.end_date.map(i18n::date)}</td>
            <td>{e.timeliness.received.map(i18n::date)}</td>
            <td>{on_time}</td>
            <td>{i18n.text(Key::contract_status(c.status))} {c.rejection_reason.map(|r| format!(": {r}"))}</td>
        </tr>
    }
}

/// `datetime-local` input value of a UTC time, in Belgian time.
fn local_input(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(|t| belgian_local(t).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// A `datetime-local` value (Belgian time) as UTC.
fn from_local_input(s: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .ok()
        .map(from_belgian_local)
}

/// Registering (`id` none) or editing a contract.
#[component]
pub fn ContractFormPage(id: Option<String>) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let today = belgian_local(Utc::now()).date();
    let draft = RwSignal::new(ContractDraft {
        enclave_id: uuid::Uuid::nil(),
        reference: String::new(),
        start_date: today,
        end_date: None,
        notified_at: None,
        approved_at: None,
        status: ContractStatus::Notified,
        rejection_reason: None,
        min_supervisors: 1,
    });
    let previous = RwSignal::new(None::<Contract>);
    let enclave = RwSignal::new(None::<String>);
    let load_failure = RwSignal::new(None::<ApiFailure>);
    let save_failure = RwSignal::new(None::<ApiFailure>);
    let saved = RwSignal::new(None::<RegisterEntry>);
    let busy = RwSignal::new(false);
    let editing = id.is_some();
    if let Some(id) = id {
        leptos::task::spawn_local(async move {
            match api::contract(session, &id).await {
                Ok(e) => {
                    enclave.set(Some(format!(
                        "{} · {} ({})",
                        e.host.name, e.site_name, e.maatwerkbedrijf.name
                    )));
                    draft.set(ContractDraft::of(&e.contract));
                    previous.set(Some(e.contract));
                }
                Err(f) => load_failure.set(Some(f)),
            }
        });
    }
    // The shared rules, as the admin types.
    let problems = Memo::new(move |_| draft.with(|d| validate_contract(d, Utc::now())));
    let on_time = Memo::new(move |_| draft.with(|d| timeliness(d, &RuleSettings::default())));
    let problem = move |field: &'static str| {
        move || {
            problems.with(|ps| {
                ps.iter()
                    .filter(|p| p.field == field)
                    .map(|p| {
                        let text = i18n.pick(&p.message_nl, &p.message_en).to_owned();
                        view! { <p class="field-error" data-test="contract-problem" data-field=field>{text}</p> }
                    })
                    .collect_view()
            })
        }
    };
    let save = move |end: bool| {
        if end {
            draft.update(|d| {
                d.status = ContractStatus::Ended;
                d.end_date = d.end_date.or(Some(today));
            });
        }
        if !problems.with_untracked(Vec::is_empty)
            || draft.with_untracked(|d| d.enclave_id.is_nil())
        {
            return;
        }
        busy.set(true);
        let d = draft.get_untracked();
        let before = previous.get_untracked();
        leptos::task::spawn_local(async move {
            match api::save_contract(session, &d, before.as_ref()).await {
                Ok(entry) => {
                    save_failure.set(None);
                    draft.set(ContractDraft::of(&entry.contract));
                    previous.set(Some(entry.contract.clone()));
                    if before.is_none() {
                        router.show_url(&format!("/register/{}", entry.contract.id));
                    }
                    saved.set(Some(entry));
                }
                Err(f) => save_failure.set(Some(f)),
            }
            busy.set(false);
        });
    };
    let date_input = move |value: String| NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok();
    view! {
        <main class="form-page">
            <p class="no-print"><a class="back-link" href="/register">{i18n.text(OfficeKey::BackToRegister)}</a></p>
            <h1>
                {if editing { i18n.text(OfficeKey::EditContract).into_any() } else { i18n.text(OfficeKey::NewContract).into_any() }}
            </h1>
            {move || load_failure.get().map(|f| view! { <p class="notice error" role="alert">{f.message(i18n)}</p> })}
            <fieldset>
                <legend>{i18n.text(OfficeKey::Enclave)}</legend>
                {move || match enclave.get() {
                    Some(name) => view! { <p data-test="contract-enclave">{name}</p> }.into_any(),
                    None => view! { <EnclavePicker chosen=Callback::new(move |e: EnclaveSummary| {
                        enclave.set(Some(format!("{} · {} ({})", e.host.name, e.site.name, e.maatwerkbedrijf.name)));
                        draft.update(|d| d.enclave_id = e.id);
                    }) /> }.into_any(),
                }}
            </fieldset>
            // A form: Enter in any field saves, as the Save button does.
            <form on:submit=move |ev| { ev.prevent_default(); save(false); }>
            <div class="grid">
                <label>
                    {i18n.text(OfficeKey::Reference)}
                    <input data-test="contract-reference" required prop:value=move || draft.with(|d| d.reference.clone())
                        on:input=move |ev| draft.update(|d| d.reference = event_target_value(&ev)) />
                    {problem("reference")}
                </label>
                <label>
                    {i18n.text(Key::Start)}
                    <input type="date" data-test="contract-start" prop:value=move || draft.with(|d| d.start_date.to_string())
                        on:change=move |ev| if let Some(v) = date_input(event_target_value(&ev)) { draft.update(|d| d.start_date = v) } />
                    {problem("start_date")}
                </label>
                <label>
                    {i18n.text(OfficeKey::EndOrOpen)}
                    <input type="date" data-test="contract-end" prop:value=move || draft.with(|d| d.end_date.map(|e| e.to_string()).unwrap_or_default())
                        on:change=move |ev| { let v = date_input(event_target_value(&ev)); draft.update(|d| d.end_date = v) } />
                    {problem("end_date")}
                </label>
                <label>
                    {i18n.text(OfficeKey::NotificationReceived)}
                    <input type="datetime-local" data-test="contract-received" prop:value=move || draft.with(|d| local_input(d.notified_at))
                        on:change=move |ev| { let v = from_local_input(&event_target_value(&ev)); draft.update(|d| d.notified_at = v) } />
                    {problem("notified_at")}
                </label>
                <label>
                    {i18n.text(OfficeKey::ApprovedOnLabel)}
                    <input type="datetime-local" prop:value=move || draft.with(|d| local_input(d.approved_at))
                        on:change=move |ev| { let v = from_local_input(&event_target_value(&ev)); draft.update(|d| d.approved_at = v) } />
                    {problem("approved_at")}
                </label>
                <label>
                    {i18n.text(Key::Status)}
                    <select data-test="contract-status" prop:value=move || draft.with(|d| d.status.as_str().to_owned())
                        on:change=move |ev| if let Some(s) = ContractStatus::parse(&event_target_value(&ev)) { draft.update(|d| d.status = s) }>
                        {status_options()}
                    </select>
                </label>
                <label>
                    {i18n.text(OfficeKey::ReasonForRejection)}
                    <textarea data-test="contract-reason" prop:value=move || draft.with(|d| d.rejection_reason.clone().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.rejection_reason = (!v.trim().is_empty()).then_some(v)) }></textarea>
                    {problem("rejection_reason")}
                </label>
                <label>
                    {i18n.text(OfficeKey::MinimumSupervisors)}
                    <input type="number" min="1" max="50" prop:value=move || draft.with(|d| d.min_supervisors.to_string())
                        on:change=move |ev| if let Ok(n) = event_target_value(&ev).parse() { draft.update(|d| d.min_supervisors = n) } />
                    {problem("min_supervisors")}
                </label>
            </div>
            <p class="timeliness" data-test="contract-timeliness"
                data-on-time=move || on_time.with(|t| t.on_time.map(|b| b.to_string()).unwrap_or_default())>
                {move || {
                    let t = on_time.get();
                    let deadline = i18n::date(t.deadline);
                    match t.on_time {
                        Some(true) => view! { <span class="badge pass">{i18n.text(OfficeKey::NotifiedInTime)}</span> " " {i18n.text(OfficeKey::DeadlineBy)} {deadline} }.into_any(),
                        Some(false) => view! { <span class="badge fail">{i18n.text(OfficeKey::NotifiedLate)}</span> " " {i18n.text(OfficeKey::DeadlineBy)} {deadline} }.into_any(),
                        None => view! { <span class="badge unknown">{i18n.text(OfficeKey::NotReceivedYet)}</span> " " {i18n.text(OfficeKey::DeadlineBy)} {deadline} }.into_any(),
                    }
                }}
            </p>
            {move || save_failure.get().map(|f| view! { <p class="notice error" role="alert" data-test="contract-save-error">{f.message(i18n)}</p> })}
            {move || saved.get().map(|_| view! { <p class="notice" role="status" data-test="contract-saved">{i18n.text(OfficeKey::Saved)}</p> })}
            <div class="actions">
                <button type="submit" class="primary" data-test="contract-save"
                    disabled=move || busy.get() || !problems.with(Vec::is_empty) || draft.with(|d| d.enclave_id.is_nil())>
                    {i18n.text(OfficeKey::Save)}
                </button>
                <Show when=move || previous.with(|p| p.as_ref().is_some_and(|c| c.status != ContractStatus::Ended))>
                    <button type="button" data-test="contract-end-now" disabled=move || busy.get() on:click=move |_| save(true)>
                        {i18n.text(OfficeKey::EndContract)}
                    </button>
                </Show>
            </div>
            </form>
        </main>
    }
}

/// Finds the enclave of a new contract by name or enterprise number; a mistyped enterprise
/// number is flagged by its check digits before anything is searched.
#[component]
fn EnclavePicker(chosen: Callback<EnclaveSummary>) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let results = RwSignal::new(Vec::<EnclaveSummary>::new());
    let number_error = RwSignal::new(None::<(String, String)>);
    // Keystrokes in the search box; only the last one's pause searches.
    let typed = RwSignal::new(0u32);
    let search = move |input: String| {
        let digits = input.chars().filter(char::is_ascii_digit).count();
        let number_like = digits >= 9
            && input
                .chars()
                .all(|c| c.is_ascii_digit() || " .BEbe".contains(c));
        if number_like && let Err(e) = input.parse::<EnterpriseNumber>() {
            number_error.set(Some((e.message_nl().to_owned(), e.message_en().to_owned())));
            results.set(Vec::new());
            return;
        }
        number_error.set(None);
        let Some(query) = SearchQuery::from_input(&input) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(page) = api::search(session, &query, None).await {
                results.set(page.value.items);
            }
        });
    };
    view! {
        <label>
            {i18n.text(OfficeKey::EnclaveSearchLabel)}
            <input type="search" data-test="contract-enclave-search" aria-describedby="contract-enclave-hint"
                placeholder=move || i18n.t(OfficeKey::EnclaveSearchPlaceholder)
                on:input=move |ev| {
                    // Searches as the admin types, once typing pauses.
                    let v = event_target_value(&ev);
                    typed.update(|n| *n += 1);
                    let mine = typed.get_untracked();
                    set_timeout(
                        move || if typed.get_untracked() == mine { search(v.clone()) },
                        std::time::Duration::from_millis(350),
                    );
                } />
            <small id="contract-enclave-hint" class="hint">{i18n.text(OfficeKey::SearchesAsYouType)}</small>
        </label>
        {move || number_error.get().map(|(nl, en)| view! {
            <p class="field-error" data-test="contract-number-error">{move || i18n.pick(&nl, &en).to_owned()}</p>
        })}
        <ul class="results">
            {move || results.get().into_iter().map(|e| {
                let label = format!("{} · {} · {} ({})", e.host.name, e.site.name, e.site.municipality, e.maatwerkbedrijf.name);
                let numbers = format!(
                    "{} / {}",
                    e.host.enterprise_number.clone().unwrap_or_default(),
                    e.maatwerkbedrijf.enterprise_number.clone().unwrap_or_default()
                );
                view! {
                    <li>
                        <button class="card" data-test="contract-enclave-option" on:click=move |_| chosen.run(e.clone())>
                            {label} <small>" " {numbers}</small>
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// An organisation's enterprise number under its name (`0123.456.749`), so a search by
/// number shows what it matched.
#[component]
fn EnterpriseNumberLine(number: Option<String>) -> impl IntoView {
    number.map(|n| {
        let shown = n
            .parse::<shared::rules::EnterpriseNumber>()
            .map_or(n, |parsed| parsed.to_string());
        view! { <br /><small class="staff-ref" data-test="enterprise-number">{shown}</small> }
    })
}
