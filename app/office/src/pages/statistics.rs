//! Inspection statistics of a year (`/reports/inspections?year=`): inspections per month, the
//! share failing each check and the share with a failing check per host type as SVG charts;
//! per host type and per maatwerkbedrijf as tables; the figures of the inspectorate's yearly
//! report; CSV and Excel downloads; printable.

use leptos::prelude::*;
use shared::dto::report::{CheckCounts, InspectionStatistics, MonthCounts};
use shared::rules::statistics::percent;

use crate::pages::reports::{YearReportBar, report_year};
use crate::texts::OfficeKey;
use app_core::api;
use app_core::components::loaded::loaded;
use app_core::i18n::{I18n, Key};
use app_core::session::Session;

#[component]
pub fn StatisticsPage(year: Option<i32>) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let year = report_year(year);
    let stats = LocalResource::new(move || api::inspection_statistics(session, year));
    view! {
        <main class="report">
            <YearReportBar year page="/reports/inspections" api="/api/reports/inspections" file="inspecties" test="statistics" />
            <h1>{i18n.text(OfficeKey::InspectionsIn)} {year}</h1>
            {loaded(stats, |s| view! { <StatisticsBody s /> })}
        </main>
    }
}

/// The months' short names, January first.
const MONTHS: [OfficeKey; 12] = [
    OfficeKey::Jan,
    OfficeKey::Feb,
    OfficeKey::Mar,
    OfficeKey::Apr,
    OfficeKey::May,
    OfficeKey::Jun,
    OfficeKey::Jul,
    OfficeKey::Aug,
    OfficeKey::Sep,
    OfficeKey::Oct,
    OfficeKey::Nov,
    OfficeKey::Dec,
];

/// `part` of `whole` as "n (p %)".
fn share(part: u32, whole: u32) -> String {
    format!("{part} ({} %)", percent(part, whole))
}

#[component]
fn StatisticsBody(s: InspectionStatistics) -> impl IntoView {
    let i18n = I18n::expect();
    let f = s.figures.clone();
    let measures = f
        .measures
        .iter()
        .map(|m| {
            let (nl, en) = m.measure.names();
            view! {
                <tr data-test="figures-measure" data-measure=m.measure.as_str()>
                    <th scope="row">{move || i18n.pick(nl, en)}</th>
                    <td class="num" data-test="proposed">{m.proposed}</td>
                    <td class="num" data-test="taken">{m.taken}</td>
                </tr>
            }
        })
        .collect_view();
    let c = s.total;
    let check_rows = [
        (Key::ContractFiled, c.contract_filed_failed),
        (Key::DailyRegistration, c.daily_registration_failed),
        (Key::SupervisorPresent, c.supervisor_present_failed),
    ]
    .into_iter()
    .map(|(key, failed)| {
        (
            Signal::derive(move || i18n.t(key).to_owned()),
            failed,
            c.inspections,
        )
    })
    .collect();
    let type_rows = s
        .per_host_type
        .iter()
        .filter(|t| t.counts.inspections > 0)
        .map(|t| {
            let (nl, en) = t.host_type.names();
            (
                Signal::derive(move || i18n.pick(nl, en).to_owned()),
                t.counts.any_failed,
                t.counts.inspections,
            )
        })
        .collect();
    let by_type = s
        .per_host_type
        .iter()
        .filter(|t| t.counts.inspections > 0)
        .map(|t| {
            let (nl, en) = t.host_type.names();
            let label = Signal::derive(move || i18n.pick(nl, en).to_owned());
            view! { <CountsRow label c=t.counts test="statistics-type" /> }
        })
        .collect_view()
        .into_any();
    let by_mwb = s
        .per_maatwerkbedrijf
        .iter()
        .map(|m| {
            let label = Signal::stored(m.maatwerkbedrijf.clone());
            view! { <CountsRow label c=m.counts test="statistics-mwb" /> }
        })
        .collect_view()
        .into_any();
    view! {
        <h2>{i18n.text(OfficeKey::YearlyFigures)}</h2>
        <dl class="facts" data-test="statistics-figures">
            <dt>{i18n.text(OfficeKey::FiguresInspections)}</dt>
            <dd data-test="figures-controls">{f.controls}</dd>
            <dt>{i18n.text(OfficeKey::EmployersVisited)}</dt>
            <dd data-test="figures-employers">{f.employers_visited}</dd>
            <dt>{i18n.text(OfficeKey::HostsVisited)}</dt>
            <dd>{f.hosts_visited}</dd>
            <dt>{i18n.text(OfficeKey::WorkersChecked)}</dt>
            <dd data-test="figures-workers">{f.workers_checked}</dd>
            <dt>{i18n.text(OfficeKey::SupervisorsChecked)}</dt>
            <dd>{f.supervisors_checked}</dd>
            <dt>{i18n.text(OfficeKey::UnregisteredPeople)}</dt>
            <dd>{f.unregistered_found}</dd>
        </dl>
        <table class="table" data-test="figures-measures">
            <thead><tr>
                <th>{i18n.text(Key::Measure)}</th>
                <th>{i18n.text(OfficeKey::Proposed)}</th>
                <th>{i18n.text(OfficeKey::TakenApproved)}</th>
            </tr></thead>
            <tbody>{measures}</tbody>
        </table>
        <h2>{i18n.text(OfficeKey::FollowUpFigures)}</h2>
        <dl class="facts" data-test="figures-follow-ups">
            <dt>{i18n.text(OfficeKey::FollowUpsRemedied)}</dt>
            <dd data-test="figures-remedied">{f.follow_ups.remedied}</dd>
            <dt>{i18n.text(OfficeKey::FollowUpsNotRemedied)}</dt>
            <dd data-test="figures-not-remedied">{f.follow_ups.not_remedied}</dd>
            <dt>{i18n.text(OfficeKey::ShortcomingsRemedied)}</dt>
            <dd>{f.follow_ups.shortcomings_remedied}</dd>
            <dt>{i18n.text(OfficeKey::ShortcomingsNotRemedied)}</dt>
            <dd>{f.follow_ups.shortcomings_not_remedied}</dd>
        </dl>
        <h2>{i18n.text(OfficeKey::InspectionsPerMonth)}</h2>
        <MonthChart months=s.per_month.clone() />
        <h2>{i18n.text(OfficeKey::FailingPerCheck)}</h2>
        <ShareChart rows=check_rows test="check-bar"
            label=Signal::derive(move || i18n.t(OfficeKey::FailingPerCheck).to_owned()) />
        <h2>{i18n.text(OfficeKey::ByHostType)}</h2>
        <ShareChart rows=type_rows test="type-bar"
            label=Signal::derive(move || i18n.t(OfficeKey::FailingPerHostType).to_owned()) />
        <CountsTable rows=by_type />
        <h2>{i18n.text(OfficeKey::ByMaatwerkbedrijf)}</h2>
        <CountsTable rows=by_mwb />
    }
}

#[component]
fn CountsTable(rows: AnyView) -> impl IntoView {
    let i18n = I18n::expect();
    view! {
        <table class="table">
            <thead><tr>
                <th></th>
                <th>{i18n.text(OfficeKey::Inspections)}</th>
                <th>{i18n.text(Key::ContractFiled)}</th>
                <th>{i18n.text(Key::DailyRegistration)}</th>
                <th>{i18n.text(Key::SupervisorPresent)}</th>
                <th>{i18n.text(OfficeKey::AtLeastOne)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn CountsRow(
    /// The row's name.
    label: Signal<String>,
    c: CheckCounts,
    test: &'static str,
) -> impl IntoView {
    view! {
        <tr data-test=test>
            <th scope="row">{label}</th>
            <td class="num" data-test="inspections">{c.inspections}</td>
            <td class="num">{share(c.contract_filed_failed, c.inspections)}</td>
            <td class="num">{share(c.daily_registration_failed, c.inspections)}</td>
            <td class="num">{share(c.supervisor_present_failed, c.inspections)}</td>
            <td class="num">{share(c.any_failed, c.inspections)}</td>
        </tr>
    }
}

/// Twelve bars: all inspections, and in red those with a failing check.
#[component]
fn MonthChart(months: Vec<MonthCounts>) -> impl IntoView {
    let i18n = I18n::expect();
    let max = months
        .iter()
        .map(|m| m.counts.inspections)
        .max()
        .unwrap_or(0)
        .max(1);
    // Room above the tallest bar for its value, and below the bars for the months.
    let (width, height, bar, top) = (600.0, 240.0, 36.0, 28.0);
    let plot = height - 40.0 - top;
    let scale = move |n: u32| f64::from(n) / f64::from(max) * plot;
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = 10.0 + i as f64 * 49.0;
            let all = scale(m.counts.inspections);
            let failed = scale(m.counts.any_failed);
            let month = i;
            view! {
                <g data-test="month-bar" data-month=m.month data-inspections=m.counts.inspections>
                    <rect class="bar" x=x y={top + plot - all} width=bar height=all />
                    <rect class="bar-fail" x=x y={top + plot - failed} width=bar height=failed />
                    <text x={x + bar / 2.0} y={top + plot - 6.0 - all} text-anchor="middle" class="bar-label">
                        {(m.counts.inspections > 0).then_some(m.counts.inspections)}
                    </text>
                    <text x={x + bar / 2.0} y={height - 8.0} text-anchor="middle" class="axis-label">
                        {i18n.text(MONTHS[month])}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" data-test="month-chart"
                aria-label=move || i18n.t(OfficeKey::InspectionsPerMonth).to_owned()>
                {bars}
            </svg>
            <figcaption>
                <span class="legend bar"></span>{i18n.text(OfficeKey::AllInspectionsLegend)}
                <span class="legend bar-fail"></span>{i18n.text(OfficeKey::WithFailingLegend)}
            </figcaption>
        </figure>
    }
}

/// One horizontal bar per row: `part` of `whole` as a share, with its label on a line of its
/// own above the bar (long host-type names are not cut off).
#[component]
fn ShareChart(
    /// `(label, part, whole)` per bar.
    rows: Vec<(Signal<String>, u32, u32)>,
    test: &'static str,
    /// What the chart shows, for screen readers.
    label: Signal<String>,
) -> impl IntoView {
    let height = 10.0 + rows.len() as f64 * 62.0;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (name, part, whole))| {
            let y = 10.0 + i as f64 * 62.0;
            let p = percent(part, whole);
            let w = f64::from(p) * 5.3;
            view! {
                <g data-test=test data-percent=p>
                    <text x="0" y={y + 16.0} class="axis-label">{name}</text>
                    <rect class="track" x="0" y={y + 22.0} width="530" height="28" />
                    <rect class="bar-fail" x="0" y={y + 22.0} width=w height="28" />
                    <text x="540" y={y + 42.0} class="bar-label">{format!("{p} %")}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 640 {height}") role="img" aria-label=label>
                {bars}
            </svg>
        </figure>
    }
}
