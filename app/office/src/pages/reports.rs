//! The yearly overview of contracts received (`/reports/contracts?year=`): the counts by host
//! type, rejections and their reasons, the nature of the work per host type, open-ended
//! contracts still running, the workers and supervisors from the daily registrations (and why
//! they are 0 in a year without registrations), and every contract with its enclave's activity
//! as a table; CSV and Excel downloads; printable on A4 (the print style sheet drops the header
//! and buttons; every page carries its number and the print date).

use chrono::Datelike;
use leptos::prelude::*;
use shared::dto::query::ReportQuery;
use shared::dto::report::{ContractOverview, HostType};
use wasm_bindgen::JsCast;

use crate::texts::OfficeKey;
use app_core::api;
use app_core::components::loaded::loaded;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// The year a yearly report is for: the one asked, else this year in Belgium.
pub fn report_year(year: Option<i32>) -> i32 {
    year.unwrap_or_else(|| shared::rules::time::belgian_local(chrono::Utc::now()).year())
}

/// The bar above a yearly report: the year (changing it opens that year's `page`), the same
/// report from `api` as CSV and Excel (fetched with the token, offered as blob links named
/// `{file}-{year}`), and print. Its controls are `{test}-year`, `{test}-csv`, `{test}-xlsx`.
#[component]
pub fn YearReportBar(
    year: i32,
    page: &'static str,
    api: &'static str,
    file: &'static str,
    test: &'static str,
) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let csv = RwSignal::new(None::<String>);
    let xlsx = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        for (format, link) in [("csv", csv), ("xlsx", xlsx)] {
            let query = ReportQuery {
                year,
                format: Some(format.to_owned()),
            };
            let url = api::url(api, &query);
            if let Ok(href) = api::blob_url(session, &url).await {
                link.try_set(Some(href));
            }
        }
    });
    let link = move |href: String, format: &'static str, label: OfficeKey| {
        view! {
            <a class="button" href=href download=format!("{file}-{year}.{format}") data-test=format!("{test}-{format}")>
                {i18n.text(label)}
            </a>
        }
    };
    // Printed, every page says when: the style sheet puts `--printed-on` bottom left (and the
    // page numbers bottom right); the time is taken again just before printing.
    let stamp = move || {
        let text = format!(
            "\"{} {}\"",
            i18n.t(OfficeKey::PrintedOn),
            i18n::belgian_datetime(chrono::Utc::now())
        );
        set_root_property("--printed-on", &text);
    };
    stamp();
    let before_print = window_event_listener(leptos::ev::beforeprint, move |_| stamp());
    on_cleanup(move || {
        before_print.remove();
        set_root_property("--printed-on", "\"\"");
    });
    view! {
        <div class="actions no-print">
            <label>
                {i18n.text(OfficeKey::Year)}
                <input
                    type="number"
                    min="2000"
                    max="2100"
                    data-test=format!("{test}-year")
                    prop:value=year.to_string()
                    on:change=move |ev| {
                        // The page, for the year typed (this year when it is not one).
                        let to = match api::filter(&event_target_value(&ev)) {
                            Some(year) => api::url(page, &ReportQuery { year, format: None }),
                            None => page.to_owned(),
                        };
                        router.navigate(&to, false);
                    }
                />
            </label>
            {move || csv.get().map(|href| link(href, "csv", OfficeKey::DownloadCsv))}
            {move || xlsx.get().map(|href| link(href, "xlsx", OfficeKey::DownloadExcel))}
            <button on:click=move |_| { let _ = window().print(); }>{i18n.text(OfficeKey::Print)}</button>
        </div>
    }
}

/// Sets a custom property on the document's root element through the CSSOM (the
/// Content-Security-Policy refuses inline styles, not this).
fn set_root_property(name: &str, value: &str) {
    let Some(root) = document().document_element() else {
        return;
    };
    let style = js_sys::Reflect::get(&root, &"style".into()).unwrap_or_default();
    if let Ok(set) = js_sys::Reflect::get(&style, &"setProperty".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = set.call2(&style, &name.into(), &value.into());
    }
}

#[component]
pub fn ContractOverviewPage(year: Option<i32>) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let year = report_year(year);
    let overview = LocalResource::new(move || api::contract_overview(session, year));
    view! {
        <main class="report">
            <YearReportBar year page="/reports/contracts" api="/api/reports/contracts" file="enclavecontracten" test="overview" />
            <h1>{i18n.text(OfficeKey::ContractsReceivedIn)} {year}</h1>
            {loaded(overview, |o| view! { <OverviewBody o /> })}
        </main>
    }
}

#[component]
fn OverviewBody(o: ContractOverview) -> impl IntoView {
    let i18n = I18n::expect();
    let by_type = o
        .by_host_type
        .iter()
        .filter(|c| c.contracts > 0 || c.host_type != HostType::Other)
        .map(|c| {
            let (nl, en) = c.host_type.names();
            view! {
                <tr data-test="overview-type" data-type=format!("{:?}", c.host_type)>
                    <th scope="row">{move || i18n.pick(nl, en)}</th>
                    <td data-test="count">{c.contracts}</td>
                    <td>{c.late}</td>
                    <td>{c.rejected}</td>
                </tr>
            }
        })
        .collect_view();
    let t = o.total;
    let reasons = o
        .rejection_reasons
        .iter()
        .map(|r| {
            let reason = r.reason.clone();
            view! {
                <tr data-test="overview-reason">
                    <th scope="row">
                        {if reason.is_empty() {
                            i18n.text(OfficeKey::NoReasonGiven).into_any()
                        } else {
                            reason.into_any()
                        }}
                    </th>
                    <td class="num" data-test="count">{r.contracts}</td>
                </tr>
            }
        })
        .collect_view();
    let activities = o
        .activities
        .iter()
        .map(|a| {
            let (nl, en) = a.host_type.names();
            let list = a
                .activities
                .iter()
                .map(|x| {
                    let name = if x.activity.is_empty() {
                        "—".to_owned()
                    } else {
                        x.activity.clone()
                    };
                    view! { <li data-test="activity">{name} " (" {x.contracts} ")"</li> }
                })
                .collect_view();
            view! {
                <tr data-test="overview-activities" data-type=format!("{:?}", a.host_type)>
                    <th scope="row">{move || i18n.pick(nl, en)}</th>
                    <td><ul class="plain">{list}</ul></td>
                </tr>
            }
        })
        .collect_view();
    let year = o.year;
    let no_people = (o.registered_days == 0).then(|| {
        view! {
            <p class="notice" data-test="overview-no-registrations">
                {move || {
                    i18n
                        .t(OfficeKey::NoRegistrationsInYear)
                        .replace("{year}", &year.to_string())
                }}
            </p>
        }
    });
    let per_mwb = o
        .per_maatwerkbedrijf
        .iter()
        .map(|m| {
            let h = m.headcount;
            view! {
                <tr data-test="overview-mwb">
                    <th scope="row">{m.maatwerkbedrijf.clone()}</th>
                    <td class="num">{m.enclaves}</td>
                    <td class="num" data-test="mwb-workers">{h.workers}</td>
                    <td class="num">{h.supervisors}</td>
                    <td class="num">{h.worker_days}</td>
                    <td class="num">{h.supervisor_days}</td>
                </tr>
            }
        })
        .collect_view();
    let rows = o
        .rows
        .into_iter()
        .map(|r| {
            let (nl, en) = r.host_type.names();
            let status = Key::contract_status(r.status);
            view! {
                <tr data-test="overview-row">
                    <td>{r.maatwerkbedrijf}</td>
                    <td>{r.host}</td>
                    <td>{move || i18n.pick(nl, en)}</td>
                    <td data-test="row-activity">{r.activity}</td>
                    <td>{i18n::date(r.start)}</td>
                    <td>{r.end.map(i18n::date)}</td>
                    <td>{i18n::date(r.received)}</td>
                    <td>{if r.on_time { i18n.text(Key::AnswerYes) } else { i18n.text(Key::AnswerNo) }}</td>
                    <td>{i18n.text(status)} {r.rejection_reason.map(|why| format!(": {why}"))}</td>
                    <td class="num">{r.headcount.workers}</td>
                    <td class="num">{r.headcount.supervisors}</td>
                    <td class="num">{r.headcount.worker_days}</td>
                    <td class="num">{r.headcount.supervisor_days}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{i18n.text(OfficeKey::ByHostType)}</h2>
        <table class="table" data-test="overview-types">
            <thead><tr>
                <th>{i18n.text(OfficeKey::Type)}</th>
                <th>{i18n.text(Key::Contracts)}</th>
                <th>{i18n.text(OfficeKey::Late)}</th>
                <th>{i18n.text(Key::ContractRejected)}</th>
            </tr></thead>
            <tbody>{by_type}</tbody>
        </table>
        <dl class="facts" data-test="overview-totals">
            <dt>{i18n.text(Key::ContractRejected)}</dt>
            <dd data-test="overview-rejected">{o.rejected}</dd>
            <dt>{i18n.text(OfficeKey::OpenEndedStillRunning)}</dt>
            <dd>{o.open_ended_running}</dd>
            <dt>{i18n.text(OfficeKey::DistinctWorkers)}</dt>
            <dd data-test="overview-workers">{t.workers} " · " {t.worker_days} {i18n.text(OfficeKey::PersonDays)}</dd>
            <dt>{i18n.text(OfficeKey::DistinctSupervisors)}</dt>
            <dd data-test="overview-supervisors">{t.supervisors} " · " {t.supervisor_days} {i18n.text(OfficeKey::PersonDays)}</dd>
        </dl>
        {no_people}
        <h2>{i18n.text(OfficeKey::ReasonsForRejection)}</h2>
        {if o.rejection_reasons.is_empty() {
            view! {
                <p class="muted" data-test="overview-no-reasons">
                    {i18n.text(OfficeKey::NoRejectedContracts)}
                </p>
            }
            .into_any()
        } else {
            view! {
                <table class="table" data-test="overview-reasons">
                    <thead><tr>
                        <th>{i18n.text(Key::RejectionReason)}</th>
                        <th>{i18n.text(Key::Contracts)}</th>
                    </tr></thead>
                    <tbody>{reasons}</tbody>
                </table>
            }
            .into_any()
        }}
        <h2>{i18n.text(OfficeKey::WorkByHostType)}</h2>
        <table class="table" data-test="overview-activity-types">
            <thead><tr>
                <th>{i18n.text(OfficeKey::Type)}</th>
                <th>{i18n.text(OfficeKey::ActivitiesContracts)}</th>
            </tr></thead>
            <tbody>{activities}</tbody>
        </table>
        <h2>{i18n.text(OfficeKey::PeoplePerMaatwerkbedrijf)}</h2>
        <table class="table" data-test="overview-maatwerkbedrijven">
            <thead><tr>
                <th>{i18n.text(Key::Maatwerkbedrijf)}</th>
                <th>{i18n.text(OfficeKey::Enclaves)}</th>
                <th>{i18n.text(OfficeKey::WorkersShort)}</th>
                <th>{i18n.text(OfficeKey::SupervisorsShort)}</th>
                <th>{i18n.text(OfficeKey::WorkerDays)}</th>
                <th>{i18n.text(OfficeKey::SupervisorDays)}</th>
            </tr></thead>
            <tbody>{per_mwb}</tbody>
        </table>
        <h2>{i18n.text(Key::Contracts)}</h2>
        // Wide: it scrolls within itself, so it takes the keyboard focus to scroll by keys.
        <table
            class="table wide"
            data-test="overview-rows"
            tabindex="0"
            aria-label=move || i18n.t(Key::Contracts).to_owned()
        >
            <thead><tr>
                <th>{i18n.text(Key::Maatwerkbedrijf)}</th>
                <th>{i18n.text(Key::Host)}</th>
                <th>{i18n.text(OfficeKey::Type)}</th>
                <th>{i18n.text(Key::Activity)}</th>
                <th>{i18n.text(Key::Start)}</th>
                <th>{i18n.text(Key::End)}</th>
                <th>{i18n.text(OfficeKey::Received)}</th>
                <th>{i18n.text(OfficeKey::OnTime)}</th>
                <th>{i18n.text(Key::Status)}</th>
                <th>{i18n.text(OfficeKey::WorkersShort)}</th>
                <th>{i18n.text(OfficeKey::SupervisorsShort)}</th>
                <th>{i18n.text(OfficeKey::WorkerDays)}</th>
                <th>{i18n.text(OfficeKey::SupervisorDays)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
