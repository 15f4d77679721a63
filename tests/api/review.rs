//! Review by inspection supervisors: approve; return with a comment → the inspector pulls the
//! decision, answers with an amendment → approve; who may decide, and what is refused; the
//! queue with its filters, pages and count; who decided and who corrected, by name; the
//! reports whose notification is due soon.

use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::Role;
use shared::dto::inspection::{InspectionView, Measure};
use shared::dto::organisation::OrganisationKind;
use shared::dto::review::{InspectionQueue, ReviewDecision, ReviewRequest, ReviewState};
use shared::dto::sync::{Entity, PushOutcome, SyncRecord};
use shared::rules::verdict::VerdictStatus;
use tests::fixture::EnclaveSpec;
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    approve_return_amend_approve,
    only_reviewers_decide_and_only_on_what_they_read,
    the_queue_is_newest_first_filtered_and_paged,
    approved_reports_are_tracked_for_14_days,
    decisions_and_corrections_name_who_made_them,
    reports_due_soon_are_listed_with_their_deadline,
);

const PW: &str = "a-long-test-password";

struct Setup {
    app: TestApp,
    ines: String,
    rita: String,
    enclave: String,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Host").id;
    let ines = app.inspector().await.token;
    let rita = app.reviewer().await.token;
    Setup {
        app,
        ines,
        rita,
        enclave,
    }
}

async fn decide(
    app: &TestApp,
    token: &str,
    id: uuid::Uuid,
    decision: ReviewDecision,
    comment: &str,
    version: u32,
) -> reqwest::Response {
    let body = ReviewRequest {
        decision,
        comment: comment.to_owned(),
        version,
    };
    app.send(
        Method::POST,
        &format!("/api/inspections/{id}/review"),
        Some(token),
        Some(&body),
    )
    .await
}

async fn approve_return_amend_approve(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let (a, b) = (inspection(&s.enclave), inspection(&s.enclave));
    app.push(
        &s.ines,
        vec![
            SyncRecord::Inspection(Box::new(a.clone())),
            SyncRecord::Inspection(Box::new(b.clone())),
        ],
    )
    .await;
    let start = app.pull(&s.ines, 0, 100).await.next_cursor;

    // Approve A.
    let view: InspectionView = json(
        decide(app, &s.rita, a.id, ReviewDecision::Approve, "", 1).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.review_state, ReviewState::Approved);
    assert_eq!(view.reviews.len(), 1);
    assert_eq!(view.record, a, "a review never changes the record");

    // Return B with a comment; it cannot be approved before the inspector answers.
    let comment = "De naam van de begeleider ontbreekt.";
    let view: InspectionView = json(
        decide(app, &s.rita, b.id, ReviewDecision::Return, comment, 1).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.review_state, ReviewState::Returned);
    assert_eq!(view.reviews[0].comment, comment);
    assert_error(
        decide(app, &s.rita, b.id, ReviewDecision::Approve, "", 1).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // The inspector pulls both decisions, in order, and sees the return with its comment.
    let page = app.pull(&s.ines, start, 100).await;
    let reviews: Vec<_> = page
        .changes
        .iter()
        .filter(|c| c.entity == Entity::Review)
        .map(|c| c.inspection_id)
        .collect();
    assert_eq!(reviews, vec![Some(a.id), Some(b.id)]);
    let seen: InspectionView = json(
        app.get(&format!("/api/inspections/{}", b.id), &s.ines)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen.review_state, ReviewState::Returned);
    assert_eq!(seen.reviews[0].comment, comment);

    // The inspector answers with an amendment: submitted again, version 2.
    let answer = app
        .push(
            &s.ines,
            vec![SyncRecord::Amendment(amendment(
                b.id,
                1,
                "Begeleider: Jan Peeters.",
            ))],
        )
        .await;
    assert_eq!(
        answer.results[0].outcome,
        PushOutcome::Applied { version: 2 }
    );
    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", b.id), &s.rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.review_state, ReviewState::Submitted);
    assert_eq!(view.version, 2);

    // A decision on the version read before the amendment is stale; on version 2 it holds.
    assert_error(
        decide(app, &s.rita, b.id, ReviewDecision::Approve, "", 1).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let view: InspectionView = json(
        decide(app, &s.rita, b.id, ReviewDecision::Approve, "", 2).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.review_state, ReviewState::Approved);
    assert_eq!(
        view.reviews.iter().map(|r| r.decision).collect::<Vec<_>>(),
        vec![ReviewDecision::Return, ReviewDecision::Approve]
    );
    assert_eq!(view.reviews[1].inspection_version, 2);
    assert_error(
        decide(app, &s.rita, a.id, ReviewDecision::Approve, "", 1).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // Every decision is in the audit trail; refusals change nothing and are not decisions.
    let adam = app.admin().await.token;
    let events: Vec<AuditEvent> = json(
        app.get("/api/audit?action=inspection_review", &adam).await,
        StatusCode::OK,
    )
    .await;
    let mut outcomes: Vec<(String, Option<String>)> = events
        .iter()
        .map(|e| (e.outcome.clone(), e.object_id.clone()))
        .collect();
    outcomes.sort();
    let mut expected = vec![
        ("approve".to_owned(), Some(a.id.to_string())),
        ("return".to_owned(), Some(b.id.to_string())),
        ("approve".to_owned(), Some(b.id.to_string())),
    ];
    expected.sort();
    assert_eq!(outcomes, expected);
    assert!(
        events
            .iter()
            .all(|e| e.actor_username.as_deref() == Some("rita"))
    );
}

async fn only_reviewers_decide_and_only_on_what_they_read(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let adam = app.admin().await.token;
    let olaf = app.user("olaf", Role::Inspector, &[]).await.token;
    let a = inspection(&s.enclave);
    app.push(&s.ines, vec![SyncRecord::Inspection(Box::new(a.clone()))])
        .await;

    // Inspectors (also the author) and admins do not decide.
    for token in [&s.ines, &adam, &olaf] {
        assert_error(
            decide(app, token, a.id, ReviewDecision::Approve, "", 1).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    // A return needs a reason; unknown inspections and malformed bodies are refused.
    assert_error(
        decide(app, &s.rita, a.id, ReviewDecision::Return, "  ", 1).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        decide(
            app,
            &s.rita,
            uuid::Uuid::new_v4(),
            ReviewDecision::Approve,
            "",
            1,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = app
        .send(
            Method::POST,
            &format!("/api/inspections/{}/review", a.id),
            Some(&s.rita),
            Some(&json!({"decision": "maybe", "version": 1})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A reviewer cannot write findings: pushing records is for inspectors.
    let mut edited = a.clone();
    edited.findings[0].text = "Anders".into();
    let res = app
        .send(
            Method::POST,
            "/api/sync/push",
            Some(&s.rita),
            Some(&json!({ "records": [SyncRecord::Inspection(Box::new(edited))] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", a.id), &s.rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.review_state, ReviewState::Submitted);
    assert!(view.reviews.is_empty(), "nothing refused was stored");
    assert_eq!(view.record, a);
    // Decisions are pulled by the inspection's inspector only.
    json::<serde_json::Value>(
        decide(app, &s.rita, a.id, ReviewDecision::Approve, "", 1).await,
        StatusCode::OK,
    )
    .await;
    let olaf_changes = app.pull(&olaf, 0, 100).await.changes;
    assert!(olaf_changes.iter().all(|c| c.entity != Entity::Review));
}

async fn queue(app: &TestApp, token: &str, query: &str) -> InspectionQueue {
    json(
        app.get(&format!("/api/inspections?{query}"), token).await,
        StatusCode::OK,
    )
    .await
}

async fn the_queue_is_newest_first_filtered_and_paged(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let f = app.fixture();
    let olaf = app.user("olaf", Role::Inspector, &[]).await.token;
    let gent = f.simple_enclave("Brouwerij Gent");
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Schelde", None);
    let port = f.organisation(OrganisationKind::RegularCompany, "Haven Logistiek", None);
    let antwerpen = f.enclave(
        &mwb,
        &port,
        EnclaveSpec {
            postcode: "2000".into(),
            municipality: "Antwerpen".into(),
            ..EnclaveSpec::default()
        },
    );
    let mut pushed = Vec::new();
    for (i, enclave) in [&gent.id, &gent.id, &gent.id, &antwerpen.id, &antwerpen.id]
        .into_iter()
        .enumerate()
    {
        let mut r = inspection(enclave);
        if i == 1 {
            r.supervisor_present.computed.status = VerdictStatus::Fail;
            r.conclusion.measure = Measure::Advice;
            r.conclusion.deadline = None;
        }
        pushed.push(r.id);
        app.push(&s.ines, vec![SyncRecord::Inspection(Box::new(r))])
            .await;
    }

    let all = queue(app, &s.rita, "").await;
    assert_eq!(all.items.len(), 5);
    assert!(all.next_cursor.is_none());
    assert!(
        all.items
            .windows(2)
            .all(|w| w[0].received_at >= w[1].received_at),
        "newest first"
    );
    let mut ids: Vec<_> = all.items.iter().map(|i| i.id).collect();
    ids.sort();
    let mut expected = pushed.clone();
    expected.sort();
    assert_eq!(ids, expected);
    let first = &all.items[0];
    assert_eq!(first.host, "Haven Logistiek");
    assert_eq!(first.maatwerkbedrijf, "Atelier Schelde");
    assert_eq!(first.municipality, "Antwerpen");
    assert_eq!(first.inspector, "ines");
    assert_eq!(first.review_state, ReviewState::Submitted);

    // Pages of 2 give every inspection once, in the same order.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = queue(app, &s.rita, &format!("limit=2&cursor={cursor}")).await;
        assert!(page.items.len() <= 2);
        paged.extend(page.items.iter().map(|i| i.id));
        match page.next_cursor {
            Some(c) => cursor = c,
            None => break,
        }
    }
    assert_eq!(paged, all.items.iter().map(|i| i.id).collect::<Vec<_>>());

    let count = async |query: &str| queue(app, &s.rita, query).await.items.len();
    assert_eq!(count(&format!("host={}", port.id)).await, 2);
    assert_eq!(
        count(&format!("maatwerkbedrijf={}", gent.maatwerkbedrijf_id)).await,
        3
    );
    assert_eq!(count("municipality=ANTWERPEN").await, 2);
    // The inspectors to filter by, and the filter.
    let inspectors: Vec<shared::dto::auth::User> = json(
        app.get("/api/users?role=inspector", &s.rita).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = inspectors.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["ines", "olaf"]);
    assert_eq!(count(&format!("inspector={}", inspectors[0].id)).await, 5);
    assert_eq!(count(&format!("inspector={}", inspectors[1].id)).await, 0);
    assert_error(
        app.get("/api/users", &olaf).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(count(&format!("enclave={}", gent.id)).await, 3);
    assert_eq!(count("q=brouwerij%20gent").await, 3);
    assert_eq!(count("failing=supervisor_present").await, 1);
    assert_eq!(count("failing=daily_registration").await, 5);
    assert_eq!(count("measure=advice").await, 1);
    assert_eq!(count("measure=warning&failing=supervisor_present").await, 0);
    let today = tests::dates::today();
    assert_eq!(count(&format!("from={today}&to={today}")).await, 5);
    assert_eq!(
        count(&format!("from={}", today + chrono::Days::new(1))).await,
        0
    );
    assert_eq!(count("state=approved").await, 0);
    json::<serde_json::Value>(
        decide(app, &s.rita, pushed[0], ReviewDecision::Approve, "", 1).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(count("state=approved").await, 1);
    assert_eq!(count("state=submitted").await, 4);

    // Inspectors see their own only, whatever they ask.
    assert_eq!(queue(app, &olaf, "").await.items.len(), 0);
    let ines_id = all.items[0].inspector_id;
    assert_eq!(
        queue(app, &olaf, &format!("inspector={ines_id}"))
            .await
            .items
            .len(),
        0
    );
    assert_eq!(queue(app, &s.ines, "").await.items.len(), 5);
    for bad in ["limit=0", "limit=101", "state=maybe", "from=2026-13-01"] {
        let res = app.get(&format!("/api/inspections?{bad}"), &s.rita).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let res = app.get("/api/inspections?cursor=nonsense", &s.rita).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

async fn approved_reports_are_tracked_for_14_days(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let olaf = app.user("olaf", Role::Inspector, &[]).await.token;
    let today = tests::dates::today();
    let report = |days_ago: u64| {
        let mut r = inspection(&s.enclave);
        r.on = today - chrono::Days::new(days_ago);
        r.conclusion.measure = Measure::ReportProposed;
        r.conclusion.deadline = None;
        r
    };
    let (old, recent, advice) = (report(20), report(3), inspection(&s.enclave));
    for r in [&old, &recent, &advice] {
        app.push(&s.ines, vec![SyncRecord::Inspection(Box::new(r.clone()))])
            .await;
    }
    // Only an approved report counts: four eyes before a proces-verbaal.
    assert!(queue(app, &s.rita, "overdue=true").await.items.is_empty());
    for r in [&old, &recent, &advice] {
        json::<serde_json::Value>(
            decide(app, &s.rita, r.id, ReviewDecision::Approve, "", 1).await,
            StatusCode::OK,
        )
        .await;
    }
    let overdue = queue(app, &s.rita, "overdue=true").await.items;
    assert_eq!(
        overdue.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![old.id]
    );
    let tracking = overdue[0].report.clone().expect("tracked");
    assert_eq!(tracking.due, old.on + chrono::Days::new(14));
    assert!(tracking.overdue && tracking.notified_on.is_none());
    let all = queue(app, &s.rita, "").await.items;
    let of = |id| all.iter().find(|i| i.id == id).unwrap().report.clone();
    assert!(
        !of(recent.id).expect("tracked").overdue,
        "3 days old: still in time"
    );
    assert!(of(advice.id).is_none(), "advice is no report");

    let notify = async |token: &str, id: uuid::Uuid, on: chrono::NaiveDate| {
        app.send(
            Method::POST,
            &format!("/api/inspections/{id}/report-notified"),
            Some(token),
            Some(&json!({ "on": on })),
        )
        .await
    };
    assert_error(
        notify(&olaf, old.id, today).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        notify(&s.rita, advice.id, today).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_error(
        notify(&s.ines, old.id, old.on - chrono::Days::new(1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        notify(&s.ines, old.id, today).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(queue(app, &s.rita, "overdue=true").await.items.is_empty());
    let all = queue(app, &s.rita, "").await.items;
    let tracking = all
        .iter()
        .find(|i| i.id == old.id)
        .unwrap()
        .report
        .clone()
        .unwrap();
    assert_eq!(tracking.notified_on, Some(today));
    assert!(!tracking.overdue);
}

/// A user with a display name apart from the username, as `enclave-inspect user add` makes.
fn named_user(app: &TestApp, username: &str, display_name: &str, role: Role) {
    let hash = server::auth::password::hash(PW).expect("hash");
    let mut conn = app.db.get().expect("connection");
    server::db::repo::users::insert(&mut conn, username, display_name, role, &hash, &[])
        .expect("user");
}

async fn decisions_and_corrections_name_who_made_them(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    named_user(app, "jan", "Jan Peeters", Role::Reviewer);
    named_user(app, "els", "Els Maes", Role::Inspector);
    let jan = app.login("jan", PW).await.access_token;
    let els = app.login("els", PW).await.access_token;
    let r = inspection(&s.enclave);
    app.push(&els, vec![SyncRecord::Inspection(Box::new(r.clone()))])
        .await;
    json::<serde_json::Value>(
        decide(
            app,
            &jan,
            r.id,
            ReviewDecision::Return,
            "Wie gaf de instructies?",
            1,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let answer = app
        .push(
            &els,
            vec![SyncRecord::Amendment(amendment(r.id, 1, "De voorman."))],
        )
        .await;
    assert_eq!(
        answer.results[0].outcome,
        PushOutcome::Applied { version: 2 }
    );
    json::<serde_json::Value>(
        decide(app, &s.rita, r.id, ReviewDecision::Approve, "", 2).await,
        StatusCode::OK,
    )
    .await;

    // Every reader sees the same names: the reviewer, an admin, the inspector.
    let adam = app.admin().await.token;
    for token in [&jan, &adam, &els] {
        let view: InspectionView = json(
            app.get(&format!("/api/inspections/{}", r.id), token).await,
            StatusCode::OK,
        )
        .await;
        let deciders: Vec<(ReviewDecision, &str)> = view
            .reviews
            .iter()
            .map(|d| (d.decision, d.reviewer_name.as_str()))
            .collect();
        assert_eq!(
            deciders,
            vec![
                (ReviewDecision::Return, "Jan Peeters"),
                (ReviewDecision::Approve, "rita"),
            ]
        );
        assert_eq!(view.amendments.len(), 1);
        assert_eq!(view.amendments[0].author_name, "Els Maes");
    }
    // Display names only: no username, role or province of the people named.
    let raw: serde_json::Value = json(
        app.get(&format!("/api/inspections/{}", r.id), &adam).await,
        StatusCode::OK,
    )
    .await;
    let text = raw.to_string();
    assert!(
        !text.contains("\"jan\"") && !text.contains("\"els\""),
        "{text}"
    );
    let decision = raw["reviews"][0].as_object().expect("a decision");
    let mut keys: Vec<&str> = decision.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "comment",
            "decided_at",
            "decision",
            "id",
            "inspection_version",
            "reviewer_id",
            "reviewer_name"
        ]
    );
}

async fn reports_due_soon_are_listed_with_their_deadline(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let today = tests::dates::today();
    let report = |days_ago: u64| {
        let mut r = inspection(&s.enclave);
        r.on = today - chrono::Days::new(days_ago);
        r.conclusion.measure = Measure::ReportProposed;
        r.conclusion.deadline = None;
        r
    };
    // Deadlines: 6 days ago (overdue), today, in 5 days, in 7 days, in 10 days; one notified,
    // one not approved, one advice.
    let (late, today_due, in5, in7, in10) =
        (report(20), report(14), report(9), report(7), report(4));
    let (notified, unapproved, advice) = (report(10), report(12), inspection(&s.enclave));
    let all = [
        &late,
        &today_due,
        &in5,
        &in7,
        &in10,
        &notified,
        &unapproved,
        &advice,
    ];
    for r in all {
        app.push(&s.ines, vec![SyncRecord::Inspection(Box::new(r.clone()))])
            .await;
    }
    for r in all.into_iter().filter(|r| r.id != unapproved.id) {
        json::<serde_json::Value>(
            decide(app, &s.rita, r.id, ReviewDecision::Approve, "", 1).await,
            StatusCode::OK,
        )
        .await;
    }
    let res = app
        .send(
            Method::POST,
            &format!("/api/inspections/{}/report-notified", notified.id),
            Some(&s.rita),
            Some(&json!({ "on": today })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let ids = |q: InspectionQueue| {
        let mut ids: Vec<uuid::Uuid> = q.items.iter().map(|i| i.id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<uuid::Uuid>| {
        v.sort();
        v
    };
    let week = queue(app, &s.rita, "due_within_days=7").await;
    assert_eq!(week.total, 3);
    for item in &week.items {
        let tracking = item.report.clone().expect("a report");
        assert!(!tracking.overdue && tracking.notified_on.is_none());
        assert!(tracking.due >= today && tracking.due <= today + chrono::Days::new(7));
    }
    assert_eq!(ids(week), sorted(vec![today_due.id, in5.id, in7.id]));
    assert_eq!(
        ids(queue(app, &s.rita, "due_within_days=0").await),
        vec![today_due.id]
    );
    assert_eq!(
        ids(queue(app, &s.rita, "due_within_days=14").await),
        sorted(vec![today_due.id, in5.id, in7.id, in10.id])
    );
    // Overdue and due soon do not overlap; other filters still apply.
    assert_eq!(
        ids(queue(app, &s.rita, "overdue=true").await),
        vec![late.id]
    );
    assert_eq!(
        queue(app, &s.rita, "due_within_days=7&q=nergens")
            .await
            .total,
        0
    );
    // Paged, the count is of every match.
    let page = queue(app, &s.rita, "due_within_days=14&limit=1").await;
    assert_eq!((page.items.len(), page.total), (1, 4));
    assert!(page.next_cursor.is_some());
    for bad in [
        "due_within_days=15",
        "due_within_days=-1",
        "due_within_days=x",
    ] {
        let res = app.get(&format!("/api/inspections?{bad}"), &s.rita).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}
