//! The planning (`/planning`): the enclaves to inspect first, each with the reasons behind its
//! score ([`shared::rules::planning`], ranked by the server). The inspector picks the day's
//! visits; the page orders them into a route ([`shared::rules::geo::route`]) from where the
//! tablet is, or from the first visit picked, and puts them on the device. The route is kept
//! with the working set, so the page still shows it, and its enclaves open, without a network.
//! Without a network the device ranks itself, with the same rule, from the planning facts
//! kept with the working set (`GET /api/planning/facts`, the day's), and says so; a working
//! set whose preparation could not fetch them keeps none, and the page says that instead.

use std::collections::HashSet;

use leptos::prelude::*;
use shared::dto::planning::{PlannedVisit, PlanningAnswer};
use shared::dto::query::PlanningQuery;
use shared::rules::geo::{self, Position};
use uuid::Uuid;

use crate::device::{Device, PlannedRoute};
use crate::position::{Patience, Unlocated, locate};
use crate::texts::FieldKey;
use app_core::api::{self, ApiFailure};
use app_core::components::loaded::loaded;
use app_core::i18n::{self, I18n, Key};
use app_core::session::Session;

/// How many enclaves the list shows.
const LISTED: usize = 30;

/// One stop of a route as the page shows it.
#[derive(Clone, PartialEq)]
struct Stop {
    id: Uuid,
    title: String,
    place: String,
    at: Position,
}

impl Stop {
    fn of_visit(visit: &PlannedVisit) -> Self {
        Self {
            id: visit.enclave_id,
            title: visit.host_name.clone(),
            place: format!("{}, {}", visit.site.street, visit.site.municipality),
            at: (visit.site.latitude, visit.site.longitude),
        }
    }
}

/// Where the route starts.
#[derive(Clone, Copy, PartialEq)]
enum Start {
    /// At the first visit picked.
    FirstPicked,
    Locating,
    Here(Position),
    /// The position could not be had (`true`: not allowed).
    Unknown(bool),
}

#[component]
pub fn PlanningPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let device = Device::expect();
    // The visits picked, in the order they were picked.
    let picked = RwSignal::new(Vec::<PlannedVisit>::new());
    let start = RwSignal::new(Start::FirstPicked);
    // `Some(true)` once the route is on the device, `Some(false)` when that failed.
    let kept = RwSignal::new(None::<bool>);

    let route = Memo::new(move |_| {
        let picked = picked.get();
        let stops: Vec<Stop> = picked.iter().map(Stop::of_visit).collect();
        match start.get() {
            Start::Here(here) => {
                let at: Vec<Position> = stops.iter().map(|s| s.at).collect();
                let order = geo::route(here, &at);
                (
                    Some(here),
                    order.into_iter().map(|i| stops[i].clone()).collect(),
                )
            }
            _ => match stops.split_first() {
                Some((first, rest)) => {
                    let at: Vec<Position> = rest.iter().map(|s| s.at).collect();
                    let mut ordered = vec![first.clone()];
                    ordered.extend(
                        geo::route(first.at, &at)
                            .into_iter()
                            .map(|i| rest[i].clone()),
                    );
                    (None, ordered)
                }
                None => (None, Vec::new()),
            },
        }
    });
    let toggle = move |visit: PlannedVisit, on: bool| {
        kept.set(None);
        picked.update(|p| {
            p.retain(|v| v.enclave_id != visit.enclave_id);
            if on {
                p.push(visit);
            }
        });
    };
    let keep = move |_| {
        let (_, stops) = route.get_untracked();
        let plan = PlannedRoute {
            on: shared::rules::time::belgian_local(chrono::Utc::now()).date(),
            enclaves: stops.iter().map(|s| s.id).collect(),
        };
        leptos::task::spawn_local(async move {
            // The page may be gone by then: its signal with it.
            kept.try_set(Some(device.plan(plan).await));
        });
    };

    let planned = move || {
        let (here, stops) = route.get();
        if stops.is_empty() {
            return kept_route(i18n, device).into_any();
        }
        let start_text = match start.get() {
            Start::Here(_) => i18n.t(FieldKey::RouteFromHere).to_owned(),
            Start::Locating => i18n.t(FieldKey::Locating).to_owned(),
            Start::Unknown(denied) => format!(
                "{} {}",
                i18n.t(if denied {
                    FieldKey::RouteGeoDenied
                } else {
                    FieldKey::RouteGeoUnavailable
                }),
                i18n.t(FieldKey::RouteFromFirst)
            ),
            Start::FirstPicked => i18n.t(FieldKey::RouteFromFirst).to_owned(),
        };
        let saved = kept.get().map(|ok| {
            if ok {
                let text = i18n
                    .t(FieldKey::RouteKept)
                    .replace("{n}", &stops.len().to_string());
                view! { <p class="notice success" role="status" data-test="route-kept">{text}</p> }
                    .into_any()
            } else {
                view! { <p class="notice error" role="alert" data-test="route-not-kept">{i18n.text(FieldKey::RouteNotKept)}</p> }
                    .into_any()
            }
        });
        view! {
            <section class="panel" data-test="route-section" aria-labelledby="route-title">
                <h2 id="route-title">{i18n.text(FieldKey::RouteOfTheDay)}</h2>
                <p class="hint" data-test="route-start" aria-live="polite">{start_text}</p>
                {route_list(i18n, here, stops)}
                <div class="actions">
                    <button data-test="route-from-here" disabled=move || start.get() == Start::Locating
                        on:click=move |_| locate_start(start)>
                        {i18n.text(FieldKey::StartHere)}
                    </button>
                    <button class="primary" data-test="keep-route"
                        disabled=move || device.preparing.get() on:click=keep>
                        {i18n.text(FieldKey::KeepRoute)}
                    </button>
                </div>
                {saved}
            </section>
        }
        .into_any()
    };

    view! {
        <main data-test="planning-page">
            <h1>{i18n.text(Key::Planning)}</h1>
            <p class="hint">{i18n.text(FieldKey::PlanningIntro)}</p>
            {planned}
            <h2>{i18n.text(FieldKey::ToInspectFirst)}</h2>
            // The device's own ranking needs its working set loaded (a cold start offline
            // takes a moment with a large region): the ranking is asked for once it is.
            {move || device.ready.get().then(|| loaded(ranking(session, device), move |ranking: Ranking| {
                let Ranking::Ranked { answer, on_device } = ranking else {
                    return view! {
                        <p class="notice" role="status" data-test="no-planning-facts">
                            {i18n.text(FieldKey::NoPlanningFacts)}
                        </p>
                    }
                    .into_any();
                };
                let on = i18n.t(FieldKey::RankedOn).replace("{date}", &i18n::date(answer.on));
                let on_device = on_device.map(|d| {
                    let text = i18n
                        .t(FieldKey::RankedOnDevice)
                        .replace("{date}", &i18n::date(d.facts_on));
                    view! {
                        <p class="notice" role="status" data-test="ranked-on-device"
                            data-rank-ms=app_core::i18n::fixed(d.ms, 1) data-ranked=d.ranked>
                            {text}
                        </p>
                    }
                });
                let empty = answer.items.is_empty().then(|| {
                    view! { <p class="notice" data-test="planning-empty">{i18n.text(FieldKey::NothingToPlan)}</p> }
                });
                let items = answer
                    .items
                    .into_iter()
                    .map(|visit| candidate(i18n, visit, picked, toggle))
                    .collect_view();
                view! {
                    {on_device}
                    <p class="hint">{on} " · " <span class="code">{answer.rule_version}</span></p>
                    {empty}
                    <ul class="results" data-test="planning">{items}</ul>
                }
                .into_any()
            }))}
        </main>
    }
}

/// The ranking, from the server, or without it from the device.
fn ranking(session: Session, device: Device) -> LocalResource<Result<Ranking, ApiFailure>> {
    LocalResource::new(move || async move {
        let query = PlanningQuery {
            limit: Some(LISTED),
            province: None,
        };
        match api::planning(session, &query).await {
            Ok(answer) => Ok(Ranking::Ranked {
                answer,
                on_device: None,
            }),
            // Without the server, the device ranks from the facts it keeps.
            Err(failure @ (ApiFailure::Offline | ApiFailure::Api { status: 500.., .. })) => {
                ranked_on_device(device).await.ok_or(failure)
            }
            Err(failure) => Err(failure),
        }
    })
}

/// What the page shows: the server's ranking, or the device's own without a network, or
/// that the device holds a working set without the facts to rank it.
#[derive(Clone)]
enum Ranking {
    Ranked {
        answer: PlanningAnswer,
        on_device: Option<OnDevice>,
    },
    WithoutFacts,
}

/// How the device ranked.
#[derive(Clone, Copy)]
struct OnDevice {
    /// The day the facts were read on the server.
    facts_on: chrono::NaiveDate,
    /// The enclaves ranked, and how long it took (ms) to choose them, rank them and make the
    /// list's cards.
    ranked: usize,
    ms: f64,
}

/// The device's ranking, with the same rule as the server's, from the planning facts kept
/// with the working set, of the enclaves the device holds; `None` without a working set.
async fn ranked_on_device(device: Device) -> Option<Ranking> {
    device.field_meta()?;
    let Some(facts) = device.planning_facts().await else {
        return Some(Ranking::WithoutFacts);
    };
    let today = shared::rules::time::belgian_local(chrono::Utc::now()).date();
    // Measured from here: choosing the enclaves held, ranking them and the list's cards.
    let clock = window().performance();
    let started = clock.as_ref().map_or(0.0, |p| p.now());
    let on_device: HashSet<Uuid> = device
        .enclaves
        .with_value(|all| all.iter().map(|e| e.summary.id).collect());
    let held: Vec<_> = facts
        .inputs
        .into_iter()
        .filter(|i| on_device.contains(&i.enclave_id))
        .collect();
    let ranked = shared::rules::rank(&held, &facts.settings, today, LISTED);
    let items: Vec<PlannedVisit> = ranked
        .into_iter()
        .filter_map(|r| {
            let e = device.enclave(r.enclave_id)?;
            Some(PlannedVisit {
                enclave_id: r.enclave_id,
                score: r.score,
                reasons: r.reasons,
                site: e.summary.site.clone(),
                host_name: e.host.name.clone(),
                maatwerkbedrijf_name: e.maatwerkbedrijf.name.clone(),
            })
        })
        .collect();
    let ms = clock.as_ref().map_or(0.0, |p| p.now()) - started;
    Some(Ranking::Ranked {
        answer: PlanningAnswer {
            items,
            on: today,
            rule_version: facts.settings.version_tag(),
        },
        on_device: Some(OnDevice {
            facts_on: facts.on,
            ranked: held.len(),
            ms,
        }),
    })
}

/// One enclave of the ranking: a box to pick it, where it is, its score and why.
fn candidate(
    i18n: I18n,
    visit: PlannedVisit,
    picked: RwSignal<Vec<PlannedVisit>>,
    toggle: impl Fn(PlannedVisit, bool) + Copy + 'static,
) -> impl IntoView {
    let id = visit.enclave_id;
    let is_picked = move || picked.with(|p| p.iter().any(|v| v.enclave_id == id));
    let score = i18n
        .t(FieldKey::Points)
        .replace("{n}", &visit.score.to_string());
    let reasons = visit
        .reasons
        .iter()
        .map(|r| {
            view! {
                <li data-test="planning-reason" data-code=r.code.as_str()>
                    {format!("+{} ", r.weight)} {i18n.pick(&r.message_nl, &r.message_en).to_owned()}
                </li>
            }
        })
        .collect_view();
    let title = format!("{} · {}", visit.host_name, visit.site.municipality);
    let label_id = format!("plan-{id}");
    let chosen = visit.clone();
    view! {
        <li class="card" data-test="planning-visit" data-id=id.to_string() data-score=visit.score>
            <label class="check">
                <input type="checkbox" data-test="pick-visit" aria-describedby=label_id.clone()
                    prop:checked=is_picked
                    on:change=move |ev| toggle(chosen.clone(), event_target_checked(&ev)) />
                <span class="title">{title}</span>
                " " <span class="badge">{score}</span>
            </label>
            <p class="line">{visit.maatwerkbedrijf_name}</p>
            <ul class="reasons" id=label_id>{reasons}</ul>
        </li>
    }
}

/// The stops in order, each a link to its enclave with the distance from the one before.
fn route_list(i18n: I18n, here: Option<Position>, stops: Vec<Stop>) -> impl IntoView {
    let mut from = here;
    let mut total = 0.0;
    let items = stops
        .into_iter()
        .enumerate()
        .map(|(n, stop)| {
            let leg = from.map(|f| geo::haversine_km(f.0, f.1, stop.at.0, stop.at.1));
            total += leg.unwrap_or(0.0);
            from = Some(stop.at);
            let leg = leg.map(|km| format!(" · {km:.1} km"));
            view! {
                <li>
                    <a class="card" href=format!("/enclaves/{}", stop.id) data-test="route-stop"
                        data-id=stop.id.to_string()>
                        <span class="title">{format!("{}. {}", n + 1, stop.title)}</span>
                        <span class="line">{stop.place}{leg}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let total = i18n
        .t(FieldKey::RouteLength)
        .replace("{km}", &format!("{total:.1}"));
    view! {
        <ol class="results route" data-test="route">{items}</ol>
        <p class="hint" data-test="route-length">{total}</p>
    }
}

/// The route kept on the device, when none is being planned: offline too.
fn kept_route(i18n: I18n, device: Device) -> impl IntoView {
    let route = device.field_meta().and_then(|m| m.route)?;
    let stops: Vec<Stop> = route
        .enclaves
        .iter()
        .filter_map(|&id| device.enclave(id))
        .map(|e| Stop {
            id: e.summary.id,
            title: e.host.name.clone(),
            place: format!("{}, {}", e.summary.site.street, e.summary.site.municipality),
            at: (e.summary.site.latitude, e.summary.site.longitude),
        })
        .collect();
    let title = i18n
        .t(FieldKey::RouteKeptOn)
        .replace("{date}", &i18n::date(route.on));
    Some(view! {
        <section class="panel" data-test="kept-route" aria-labelledby="kept-route-title">
            <h2 id="kept-route-title">{title}</h2>
            {route_list(i18n, None, stops)}
        </section>
    })
}

/// Asks the browser where the tablet is, to start the route there.
fn locate_start(start: RwSignal<Start>) {
    start.set(Start::Locating);
    leptos::task::spawn_local(async move {
        let patience = Patience {
            timeout_ms: 15_000,
            maximum_age_ms: 60_000,
            high_accuracy: false,
        };
        start.try_set(match locate(patience).await {
            Ok(fix) => Start::Here((fix.latitude, fix.longitude)),
            Err(why) => Start::Unknown(why == Unlocated::Denied),
        });
    });
}
