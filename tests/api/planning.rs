//! `GET /api/planning`: the risk planning ranks the enclaves of the user's region from the
//! register, the registrations of the last working days and earlier inspections (with
//! their corrections); inspectors see their provinces only; what it refuses. In every
//! scenario the tablet, ranking offline from `GET /api/planning/facts` with the same rule,
//! ranks exactly as the server.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveTime};
use reqwest::StatusCode;
use server::db::rows::{EnclaveRow, RegistrationRow};
use shared::dto::auth::Role;
use shared::dto::enclave::{EnclaveDetail, Province};
use shared::dto::inspection::Measure;
use shared::dto::organisation::OrganisationKind;
use shared::dto::planning::{PlannedVisit, PlanningAnswer, PlanningFacts};
use shared::dto::registration::MemberRole::{self, Supervisor, Worker};
use shared::dto::sync::{PushOutcome, SyncRecord};
use shared::rules::planning::PlanningReasonCode::{self, *};
use shared::rules::supervision_norm::SupportNeed;
use shared::rules::{PlanningSettings, VerdictStatus, rank};
use tests::dates::today;
use tests::fixture::{ContractSpec, EnclaveSpec, Fixture};
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, User, assert_error, json, on_both_backends};

on_both_backends!(
    missing_registrations_rank_first,
    floating_supervisors_and_the_norm,
    earlier_inspections_and_their_corrections_count,
    inspectors_see_their_provinces,
    limit_and_refusals,
    operator_settings_rank_on_the_server_and_the_tablet,
);

/// The planning `path` answers `user`.
async fn planning(user: &User, path: &str) -> PlanningAnswer {
    json(user.get(path).await, StatusCode::OK).await
}

/// The tablet's ranking from the region's facts (`GET /api/planning/facts`, as `user`) is the
/// server's `answer` to the same user: the same enclaves, scores and reasons, in its order.
async fn the_tablet_ranks_alike(user: &User, answer: &PlanningAnswer) {
    let facts: PlanningFacts = json(user.get("/api/planning/facts").await, StatusCode::OK).await;
    assert_eq!(facts.on, answer.on);
    assert_eq!(facts.settings.version_tag(), answer.rule_version);
    assert_eq!(
        facts.inputs.len(),
        answer.items.len(),
        "the region's enclaves"
    );
    let tablet: Vec<_> = rank(&facts.inputs, &facts.settings, facts.on, 200)
        .into_iter()
        .map(|r| (r.enclave_id, r.score, r.reasons))
        .collect();
    let server: Vec<_> = answer
        .items
        .iter()
        .map(|v| (v.enclave_id, v.score, v.reasons.clone()))
        .collect();
    assert_eq!(tablet, server);
}

/// The reasons of a planned visit: code → weight.
fn reasons(visit: &PlannedVisit) -> BTreeMap<PlanningReasonCode, u32> {
    visit.reasons.iter().map(|r| (r.code, r.weight)).collect()
}

/// The working days the planning looks back on today.
fn window() -> Vec<NaiveDate> {
    PlanningSettings::default().registration_window(today())
}

/// Registers the enclave's team on every day of the window, the evening before, for a start
/// at 7:00: a supervisor and a worker, on the last day `last_team`.
fn registered_every_day(
    f: &Fixture,
    enclave: &EnclaveRow,
    last_team: &[MemberRole],
) -> Vec<RegistrationRow> {
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let window = window();
    window
        .iter()
        .map(|&day| {
            let evening = (day - Days::new(1)).and_hms_opt(18, 0, 0).unwrap();
            let team = if Some(&day) == window.last() {
                last_team
            } else {
                &[Supervisor, Worker]
            };
            f.registration(enclave, day, evening, seven, team)
        })
        .collect()
}

async fn missing_registrations_rank_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let silent = f.simple_enclave("Stille Drukkerij");
    let calm = f.simple_enclave("Rustige Bakkerij");
    f.contract(&silent, ContractSpec::default());
    f.contract(&calm, ContractSpec::default());
    registered_every_day(&f, &calm, &[Supervisor, Worker]);
    // One registration of the silent enclave came after its start, without a supervisor.
    let last = *window().last().unwrap();
    f.registration(
        &silent,
        last,
        last.and_hms_opt(9, 30, 0).unwrap(),
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        &[Worker, Worker],
    );

    let rita = app.reviewer().await;
    let answer = planning(&rita, "/api/planning").await;
    the_tablet_ranks_alike(&rita, &answer).await;
    assert_eq!(answer.on, today());
    assert_eq!(
        answer.rule_version,
        PlanningSettings::default().version_tag()
    );
    let ids: Vec<String> = answer
        .items
        .iter()
        .map(|v| v.enclave_id.to_string())
        .collect();
    assert_eq!(ids, vec![silent.id.clone(), calm.id.clone()]);

    let first = &answer.items[0];
    assert_eq!(first.host_name, "Stille Drukkerij");
    assert_eq!(first.site.municipality, "Gent");
    assert_eq!(first.site.province, Province::OostVlaanderen);
    // 9 of 10 contract days unregistered: 8 points each, at most 40.
    let missing = first
        .reasons
        .iter()
        .find(|r| r.code == MissingRegistrations)
        .expect("missing registrations");
    assert_eq!(missing.weight, 40);
    assert_eq!(
        missing.message_en,
        "No daily registration on 9 of the last 10 working days under a contract."
    );
    assert_eq!(
        reasons(first),
        BTreeMap::from([
            (MissingRegistrations, 40),
            (NoSupervisorRegistered, 10),
            (NeverInspected, 25),
            (RegisteredAfterStart, 5),
        ])
    );
    assert_eq!(first.score, 80, "the sum of the weights");
    // Registered on time every day, led, notified in time: only never inspected.
    assert_eq!(
        reasons(&answer.items[1]),
        BTreeMap::from([(NeverInspected, 25)])
    );
}

async fn floating_supervisors_and_the_norm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let here = f.simple_enclave("Hier");
    let there = f.simple_enclave("Daar");
    let crowded = f.simple_enclave("Druk");
    // A team with a high support need: 1 begeleider per 7 workers.
    let cared = f.enclave(
        &f.organisation(OrganisationKind::Maatwerkbedrijf, "Maatwerk Zorg", None),
        &f.organisation(OrganisationKind::RegularCompany, "Zorgboerderij", None),
        EnclaveSpec {
            support_need: Some(SupportNeed::High),
            ..EnclaveSpec::default()
        },
    );
    for enclave in [&here, &there, &crowded, &cared] {
        f.contract(enclave, ContractSpec::default());
    }
    let team = [Supervisor, Worker];
    let here_days = registered_every_day(&f, &here, &team);
    let there_days = registered_every_day(&f, &there, &team);
    // On the last day the supervisor of "Hier" is also registered as one of "Daar".
    let (here_last, there_last) = (here_days.last().unwrap(), there_days.last().unwrap());
    let (supervisor, _) = f
        .members(here_last)
        .into_iter()
        .find(|(_, role)| role == "supervisor")
        .unwrap();
    f.add_member(there_last, &supervisor, Supervisor);
    // On the last day "Druk" registered 14 workers for 1 supervisor: over the most lenient
    // norm (13) by one.
    let mut big = vec![Supervisor];
    big.extend([Worker; 14]);
    registered_every_day(&f, &crowded, &big);
    // 8 workers for 1 begeleider: within the most lenient norm, over the high need's 7.
    let mut cared_team = vec![Supervisor];
    cared_team.extend([Worker; 8]);
    registered_every_day(&f, &cared, &cared_team);

    let rita = app.reviewer().await;
    let answer = planning(&rita, "/api/planning").await;
    the_tablet_ranks_alike(&rita, &answer).await;
    let by_id: BTreeMap<String, BTreeMap<PlanningReasonCode, u32>> = answer
        .items
        .iter()
        .map(|v| (v.enclave_id.to_string(), reasons(v)))
        .collect();
    let floating = BTreeMap::from([(SupervisorFloating, 8), (NeverInspected, 25)]);
    assert_eq!(by_id[&here.id], floating);
    assert_eq!(by_id[&there.id], floating);
    assert_eq!(
        by_id[&crowded.id],
        BTreeMap::from([(SupervisionNormExceeded, 10), (NeverInspected, 25)])
    );
    assert_eq!(
        by_id[&cared.id],
        BTreeMap::from([(SupervisionNormExceeded, 10), (NeverInspected, 25)]),
        "the enclave's support need sets the norm"
    );
}

async fn earlier_inspections_and_their_corrections_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let warned = f.simple_enclave("Gewaarschuwde Garage");
    let followed = f.simple_enclave("Opgevolgde Smederij");
    for enclave in [&warned, &followed] {
        f.contract(enclave, ContractSpec::default());
        registered_every_day(&f, enclave, &[Supervisor, Worker]);
    }
    let ines = app.inspector().await;
    let day = |n: u64| today() - Days::new(n);
    // 60 days ago: a failed check and a warning with a deadline 14 days later, corrected
    // to an order; never followed up.
    let mut first = inspection(&warned.id);
    first.on = day(60);
    first.conclusion.deadline = Some(day(46));
    let mut correction = amendment(first.id, 1, "Bevel in plaats van waarschuwing.");
    correction.measure = Some(Measure::RegularisationOrder);
    // The other enclave's warning was followed up by an inspection 10 days ago.
    let mut earlier = inspection(&followed.id);
    earlier.on = day(60);
    earlier.conclusion.deadline = Some(day(46));
    let mut later = inspection(&followed.id);
    later.on = day(10);
    later.daily_registration.computed.status = VerdictStatus::Pass;
    later.conclusion.measure = Measure::Advice;
    later.conclusion.deadline = None;
    let pushed = ines
        .push(vec![
            SyncRecord::Inspection(Box::new(first)),
            SyncRecord::Inspection(Box::new(earlier)),
            SyncRecord::Inspection(Box::new(later)),
        ])
        .await;
    let correction_pushed = ines.push(vec![SyncRecord::Amendment(correction)]).await;
    for result in pushed.results.iter().chain(&correction_pushed.results) {
        assert!(
            matches!(result.outcome, PushOutcome::Applied { .. }),
            "{:?}",
            result.outcome
        );
    }

    let rita = app.reviewer().await;
    let answer = planning(&rita, "/api/planning").await;
    the_tablet_ranks_alike(&rita, &answer).await;
    let ids: Vec<String> = answer
        .items
        .iter()
        .map(|v| v.enclave_id.to_string())
        .collect();
    assert_eq!(ids, vec![warned.id.clone(), followed.id.clone()]);
    assert_eq!(
        reasons(&answer.items[0]),
        BTreeMap::from([
            (EarlierFailedChecks, 5),
            (EarlierOrders, 20),
            (FollowUpOverdue, 25),
        ]),
        "the corrected measure counts, its deadline passed without a follow-up"
    );
    assert_eq!(
        reasons(&answer.items[1]),
        BTreeMap::from([(EarlierFailedChecks, 5), (EarlierWarnings, 10)]),
        "followed up: no overdue deadline"
    );
}

async fn inspectors_see_their_provinces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let gent = f.simple_enclave("Brouwerij Gent");
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Schelde", None);
    let antwerpen = f.enclave_in(&mwb, "Haven Antwerpen", "2000", "Antwerpen");
    let ids = |answer: &PlanningAnswer| {
        let mut ids: Vec<String> = answer
            .items
            .iter()
            .map(|v| v.enclave_id.to_string())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };

    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let answer = planning(&ines, "/api/planning").await;
    assert_eq!(ids(&answer), vec![gent.id.clone()]);
    // The tablet's facts hold the inspector's province only.
    the_tablet_ranks_alike(&ines, &answer).await;
    let answer = planning(&ines, "/api/planning?province=oost_vlaanderen").await;
    assert_eq!(ids(&answer), vec![gent.id.clone()]);
    assert_error(
        ines.get("/api/planning?province=antwerpen").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    for user in [app.reviewer().await, app.admin().await] {
        let answer = planning(&user, "/api/planning").await;
        the_tablet_ranks_alike(&user, &answer).await;
        assert_eq!(
            ids(&answer),
            sorted(vec![gent.id.clone(), antwerpen.id.clone()])
        );
        let answer = planning(&user, "/api/planning?province=antwerpen").await;
        assert_eq!(ids(&answer), vec![antwerpen.id.clone()]);
        assert_eq!(answer.items[0].site.municipality, "Antwerpen");
    }
}

async fn limit_and_refusals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclaves: Vec<EnclaveRow> = ["Eerste", "Tweede", "Derde"]
        .into_iter()
        .map(|name| f.simple_enclave(name))
        .collect();
    // The first has a contract without registrations: the highest score.
    f.contract(&enclaves[0], ContractSpec::default());
    let rita = app.reviewer().await;

    let all = planning(&rita, "/api/planning").await;
    assert_eq!(all.items.len(), 3);
    let two = planning(&rita, "/api/planning?limit=2").await;
    assert_eq!(
        two.items,
        all.items[..2].to_vec(),
        "the first two of the same list"
    );
    assert_eq!(two.items[0].enclave_id.to_string(), enclaves[0].id);
    assert!(two.items[0].score > two.items[1].score);
    assert_eq!(
        planning(&rita, "/api/planning?limit=200").await.items.len(),
        3
    );

    for bad in [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=many",
        "province=brussel",
        "province=",
    ] {
        assert_error(
            rita.get(&format!("/api/planning?{bad}")).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
    let res = app
        .send::<()>(reqwest::Method::GET, "/api/planning", None, None)
        .await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

/// An operator's settings are the ranking's: the weights (`PLANNING_WEIGHTS`) and the
/// supervision norm (`SUPERVISION_NORM`). The server scores with them, names them in the rule
/// version, and sends them with the facts, so the tablet ranks with them too; the working set
/// carries the norm, for check 3 on the tablet.
async fn operator_settings_rank_on_the_server_and_the_tablet(backend: Backend) {
    let strict = shared::rules::supervision_norm::SupervisionNorm {
        low: 5,
        medium: 4,
        high: 3,
    };
    let app = TestApp::spawn_with(backend, |c| {
        c.planning.weights.never_inspected = shared::rules::planning::Weight::flat(99);
        c.rules.norm = strict;
    })
    .await;
    let f = app.fixture();
    let never = f.simple_enclave("Nooit Bezocht");
    f.contract(&never, ContractSpec::default());
    // 6 workers for 1 supervisor: within the default norm (13 for a need not recorded),
    // over the operator's most lenient figure (5).
    let mut team = vec![Supervisor];
    team.extend([Worker; 6]);
    registered_every_day(&f, &never, &team);
    let rita = app.reviewer().await;
    let answer = planning(&rita, "/api/planning").await;
    assert_eq!(
        reasons(&answer.items[0]),
        BTreeMap::from([(NeverInspected, 99), (SupervisionNormExceeded, 10)])
    );
    assert_ne!(
        answer.rule_version,
        PlanningSettings::default().version_tag(),
        "the rule version names the settings"
    );
    the_tablet_ranks_alike(&rita, &answer).await;
    let set: serde_json::Value = json(
        rita.get("/api/field/working-set?days=1").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        set["rules"]["norm"],
        serde_json::json!({"low": 5, "medium": 4, "high": 3})
    );
    // And the enclave page names the operator's figure for the team (need not recorded: the
    // most lenient, 5), not the default 13.
    let page: EnclaveDetail = json(
        rita.get(&format!("/api/enclaves/{}", never.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.workers_per_supervisor, Some(5));
}
