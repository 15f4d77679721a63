//! The sync protocol through the API: duplicates, resends, conflicts, out-of-order records,
//! invalid records among valid ones, ownership, body limits and gapless pull pagination.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::inspection::{InspectionView, Instructions, Measure};
use shared::dto::review::ReviewState;
use shared::dto::sync::{PullResponse, PushOutcome, PushRequest, PushResponse, SyncRecord};
use tests::fixture::EnclaveSpec;
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    the_same_batch_twice_changes_nothing,
    resends_conflicts_and_amendments,
    an_invalid_record_does_not_stop_the_valid_ones,
    only_owners_push_and_read_their_inspections,
    oversized_pushes_are_refused_whole,
    pull_pages_through_every_change_once,
    unanswered_questions_are_refused,
    amendments_correct_the_measure_and_the_deadline,
);

async fn setup(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    let token = app.inspector().await.token;
    let enclave = app.fixture().simple_enclave("Host").id;
    (app, token, enclave)
}

fn outcomes(r: &PushResponse) -> Vec<PushOutcome> {
    r.results.iter().map(|r| r.outcome.clone()).collect()
}

/// Sequence numbers of all changes, and the number of pages it took.
async fn pull_all(app: &TestApp, token: &str, limit: i64) -> (Vec<i64>, usize) {
    let (changes, pages) = app.pull_all(token, limit).await;
    (changes.iter().map(|c| c.seq).collect(), pages)
}

async fn the_same_batch_twice_changes_nothing(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let (a, b) = (inspection(&enclave), inspection(&enclave));
    let batch = vec![
        SyncRecord::Inspection(Box::new(a.clone())),
        SyncRecord::Inspection(Box::new(b.clone())),
    ];
    let first = app.push(&token, batch.clone()).await;
    assert_eq!(
        outcomes(&first),
        vec![PushOutcome::Applied { version: 1 }; 2]
    );
    assert_eq!(first.results[0].id, a.id);
    let again = app.push(&token, batch).await;
    assert_eq!(
        outcomes(&again),
        vec![PushOutcome::Duplicate { version: 1 }; 2]
    );

    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", a.id), &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.record, a, "stored exactly as pushed");
    assert_eq!(view.version, 1);
    assert_eq!(view.review_state, ReviewState::Submitted);
    assert!(view.reviews.is_empty());
    let (seqs, _) = pull_all(&app, &token, 100).await;
    assert_eq!(
        seqs.len(),
        2,
        "one change per inspection, none for the duplicates"
    );
}

async fn resends_conflicts_and_amendments(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let original = inspection(&enclave);
    app.push(
        &token,
        vec![SyncRecord::Inspection(Box::new(original.clone()))],
    )
    .await;

    // Other content under the same id: a conflict, and the original stays.
    let mut edited = original.clone();
    edited.conclusion.motivation = "Gewijzigd na indienen".into();
    let r = app
        .push(&token, vec![SyncRecord::Inspection(Box::new(edited))])
        .await;
    assert_eq!(
        outcomes(&r),
        vec![PushOutcome::Conflict { server_version: 1 }]
    );

    // An amendment before its inspection arrived (out of order) is a conflict with version 0.
    let orphan = amendment(uuid::Uuid::new_v4(), 1, "Aanvulling");
    let r = app.push(&token, vec![SyncRecord::Amendment(orphan)]).await;
    assert_eq!(
        outcomes(&r),
        vec![PushOutcome::Conflict { server_version: 0 }]
    );

    // Amendments append and bump the version; one written against an old version conflicts.
    let m1 = amendment(original.id, 1, "Naam begeleider verbeterd.");
    let m2 = amendment(original.id, 1, "Tegelijk op een ander toestel geschreven.");
    let r = app
        .push(
            &token,
            vec![
                SyncRecord::Amendment(m1.clone()),
                SyncRecord::Amendment(m2.clone()),
            ],
        )
        .await;
    assert_eq!(
        outcomes(&r),
        vec![
            PushOutcome::Applied { version: 2 },
            PushOutcome::Conflict { server_version: 2 }
        ]
    );
    let r = app
        .push(&token, vec![SyncRecord::Amendment(m1.clone())])
        .await;
    assert_eq!(outcomes(&r), vec![PushOutcome::Duplicate { version: 2 }]);
    let m2_rebased = shared::dto::inspection::AmendmentRecord {
        base_version: 2,
        ..m2
    };
    let r = app
        .push(&token, vec![SyncRecord::Amendment(m2_rebased)])
        .await;
    assert_eq!(outcomes(&r), vec![PushOutcome::Applied { version: 3 }]);

    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", original.id), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        view.record, original,
        "the submitted record is never edited"
    );
    assert_eq!(view.version, 3);
    let texts: Vec<&str> = view.amendments.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Naam begeleider verbeterd.",
            "Tegelijk op een ander toestel geschreven."
        ]
    );
    assert!(view.received_at >= view.record.submitted_at - chrono::Duration::seconds(5));
}

async fn an_invalid_record_does_not_stop_the_valid_ones(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let a = inspection(&enclave);
    let mut bad = inspection(&enclave);
    bad.conclusion.motivation = "   ".into();
    let mut unknown_enclave = inspection(&enclave);
    unknown_enclave.enclave_id = uuid::Uuid::new_v4();
    let c = inspection(&enclave);
    let r = app
        .push(
            &token,
            vec![
                SyncRecord::Inspection(Box::new(a.clone())),
                SyncRecord::Inspection(Box::new(bad.clone())),
                SyncRecord::Inspection(Box::new(unknown_enclave)),
                SyncRecord::Inspection(Box::new(c.clone())),
            ],
        )
        .await;
    let o = outcomes(&r);
    assert_eq!(o[0], PushOutcome::Applied { version: 1 });
    match &o[1] {
        PushOutcome::Rejected {
            code,
            message_nl,
            message_en,
        } => {
            assert_eq!(code, "validation_failed");
            assert!(message_en.contains("conclusion.motivation"), "{message_en}");
            assert!(!message_nl.is_empty());
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(matches!(&o[2], PushOutcome::Rejected { code, .. } if code == "unknown_enclave"));
    assert_eq!(o[3], PushOutcome::Applied { version: 1 });
    let res = app
        .get(&format!("/api/inspections/{}", bad.id), &token)
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(pull_all(&app, &token, 100).await.0.len(), 2);
}

async fn only_owners_push_and_read_their_inspections(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let other = app.user("other", Role::Inspector, &[]).await.token;
    let lim = app
        .user("lim", Role::Inspector, &[Province::Limburg])
        .await
        .token;
    let rev = app.user("rev", Role::Reviewer, &[]).await.token;

    let a = inspection(&enclave);
    app.push(&token, vec![SyncRecord::Inspection(Box::new(a.clone()))])
        .await;
    // Another inspector resending the same record, or amending it: refused.
    let r = app
        .push(
            &other,
            vec![
                SyncRecord::Inspection(Box::new(a.clone())),
                SyncRecord::Amendment(amendment(a.id, 1, "niet van mij")),
            ],
        )
        .await;
    assert!(
        outcomes(&r)
            .iter()
            .all(|o| matches!(o, PushOutcome::Rejected { code, .. } if code == "forbidden"))
    );
    // An enclave outside the inspector's region (the fixture enclave is in Gent).
    let r = app
        .push(
            &lim,
            vec![SyncRecord::Inspection(Box::new(inspection(&enclave)))],
        )
        .await;
    assert!(matches!(&outcomes(&r)[0], PushOutcome::Rejected { code, .. } if code == "forbidden"));
    // Reading: the owner and reviewers may; another inspector may not.
    let path = format!("/api/inspections/{}", a.id);
    assert_eq!(app.get(&path, &token).await.status(), StatusCode::OK);
    assert_eq!(app.get(&path, &rev).await.status(), StatusCode::OK);
    assert_error(
        app.get(&path, &other).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Reviewers do not push inspections.
    let res = app
        .send(
            Method::POST,
            "/api/sync/push",
            Some(&rev),
            Some(&PushRequest { records: vec![] }),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // Nobody else pulls the owner's changes.
    assert!(pull_all(&app, &other, 100).await.0.is_empty());
}

async fn oversized_pushes_are_refused_whole(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let mut big = inspection(&enclave);
    big.conclusion.motivation = "x".repeat(17 * 1024 * 1024);
    let res = app
        .send(
            Method::POST,
            "/api/sync/push",
            Some(&token),
            Some(&PushRequest {
                records: vec![SyncRecord::Inspection(Box::new(big))],
            }),
        )
        .await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let many: Vec<SyncRecord> = (0..2001)
        .map(|_| SyncRecord::Amendment(amendment(uuid::Uuid::new_v4(), 1, "x")))
        .collect();
    let res = app
        .send(
            Method::POST,
            "/api/sync/push",
            Some(&token),
            Some(&PushRequest { records: many }),
        )
        .await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(
        pull_all(&app, &token, 100).await.0.is_empty(),
        "nothing half-written"
    );
    // Malformed JSON is a clear 400 with a code.
    let res = app
        .client
        .post(format!("{}/api/sync/push", app.base_url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"records": [{"kind": "inspection", "record": {"id": 1}}]}"#)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

async fn pull_pages_through_every_change_once(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let _ = EnclaveSpec::default();
    let mut ids = HashSet::new();
    for chunk in 0..5 {
        let batch: Vec<SyncRecord> = (0..5)
            .map(|_| {
                let r = inspection(&enclave);
                ids.insert(r.id);
                SyncRecord::Inspection(Box::new(r))
            })
            .collect();
        let r = app.push(&token, batch).await;
        assert!(
            outcomes(&r)
                .iter()
                .all(|o| *o == PushOutcome::Applied { version: 1 }),
            "chunk {chunk}"
        );
    }
    let (seqs, pages) = pull_all(&app, &token, 7).await;
    assert_eq!(pages, 4);
    assert_eq!(seqs.len(), 25);
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {seqs:?}"
    );
    // Resuming from the middle returns exactly the rest.
    let page: PullResponse = json(
        app.get(
            &format!("/api/sync/pull?since={}&limit=100", seqs[9]),
            &token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        page.changes.iter().map(|c| c.seq).collect::<Vec<_>>(),
        seqs[10..]
    );
    assert!(
        page.changes
            .iter()
            .all(|c| c.inspection_id.is_some_and(|i| ids.contains(&i)))
    );
    let res = app.get("/api/sync/pull?since=-1", &token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

/// The fields and messages of a rejection.
fn rejection(outcome: &PushOutcome) -> (&str, &str, &str) {
    match outcome {
        PushOutcome::Rejected {
            code,
            message_nl,
            message_en,
        } => (code.as_str(), message_nl, message_en),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A record that leaves a question on instructions unanswered is refused, naming each
/// unanswered question; an answer of "no" is an answer.
async fn unanswered_questions_are_refused(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let mut none = inspection(&enclave);
    none.instructions = Instructions::default();
    let mut one = inspection(&enclave);
    one.instructions.supervisor_whole_shift = None;
    let mut no = inspection(&enclave);
    no.instructions.supervisor_whole_shift = Some(false);
    no.instructions.host_assigns_tasks = Some(true);
    // As an older device, or a hand-made client, would send it: the questions left out.
    let mut raw =
        serde_json::to_value(SyncRecord::Inspection(Box::new(inspection(&enclave)))).expect("json");
    raw["record"]["instructions"] = serde_json::json!({});
    let left_out: SyncRecord = serde_json::from_value(raw).expect("still a record");
    let left_out_id = left_out.id();
    let r = app
        .push(
            &token,
            vec![
                SyncRecord::Inspection(Box::new(none.clone())),
                SyncRecord::Inspection(Box::new(one.clone())),
                SyncRecord::Inspection(Box::new(no.clone())),
                left_out,
            ],
        )
        .await;
    let o = outcomes(&r);
    let (code, nl, en) = rejection(&o[0]);
    assert_eq!(code, "validation_failed");
    for field in [
        "instructions.given_by",
        "instructions.host_assigns_tasks",
        "instructions.supervisor_whole_shift",
    ] {
        assert!(en.contains(field), "{en}");
    }
    assert!(nl.contains("Vraag niet beantwoord"), "{nl}");
    let (_, _, en) = rejection(&o[1]);
    assert!(en.contains("instructions.supervisor_whole_shift"), "{en}");
    assert!(!en.contains("instructions.given_by"), "{en}");
    assert_eq!(o[2], PushOutcome::Applied { version: 1 });
    assert_eq!(rejection(&o[3]).0, "validation_failed");
    for id in [none.id, one.id, left_out_id] {
        let res = app.get(&format!("/api/inspections/{id}"), &token).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", no.id), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.record.instructions, no.instructions);
}

/// An amendment corrects the measure and the deadline as such: stored and returned, and
/// refused when the corrected conclusion would not hold.
async fn amendments_correct_the_measure_and_the_deadline(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let original = inspection(&enclave);
    app.push(
        &token,
        vec![SyncRecord::Inspection(Box::new(original.clone()))],
    )
    .await;

    // A deadline on the inspection day itself does not hold.
    let mut early = amendment(original.id, 1, "Termijn verkeerd ingevuld.");
    early.deadline = Some(original.on);
    let r = app.push(&token, vec![SyncRecord::Amendment(early)]).await;
    let o = outcomes(&r);
    let (code, _, en) = rejection(&o[0]);
    assert_eq!(code, "validation_failed");
    assert!(en.contains("must be after the inspection date"), "{en}");

    // A regularisation order with a later deadline.
    let later = original.on + chrono::Duration::days(60);
    let mut order = amendment(
        original.id,
        1,
        "Het moest een bevel tot regularisatie zijn.",
    );
    order.measure = Some(Measure::RegularisationOrder);
    order.deadline = Some(later);
    let r = app.push(&token, vec![SyncRecord::Amendment(order)]).await;
    assert_eq!(outcomes(&r), vec![PushOutcome::Applied { version: 2 }]);

    // Advice drops the deadline; a warning after that needs one again.
    let mut advice = amendment(original.id, 2, "Toch enkel advies.");
    advice.measure = Some(Measure::Advice);
    let r = app.push(&token, vec![SyncRecord::Amendment(advice)]).await;
    assert_eq!(outcomes(&r), vec![PushOutcome::Applied { version: 3 }]);
    let mut warning = amendment(original.id, 3, "Toch een waarschuwing.");
    warning.measure = Some(Measure::Warning);
    let r = app.push(&token, vec![SyncRecord::Amendment(warning)]).await;
    let o = outcomes(&r);
    let (_, nl, en) = rejection(&o[0]);
    assert!(en.contains("requires a deadline"), "{en}");
    assert!(nl.contains("termijn verplicht"), "{nl}");

    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", original.id), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    let corrections: Vec<_> = view
        .amendments
        .iter()
        .map(|a| (a.measure, a.deadline))
        .collect();
    assert_eq!(
        corrections,
        [
            (Some(Measure::RegularisationOrder), Some(later)),
            (Some(Measure::Advice), None),
        ]
    );
    assert_eq!(view.version, 3);
    // The original record is never changed.
    assert_eq!(view.record.conclusion, original.conclusion);
}
