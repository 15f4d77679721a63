//! `GET /api/enclaves/{id}/case-file`, on both databases: one timeline, newest first, of an
//! enclave's contract, its inspections with their corrected measure, amendments, review
//! decisions, deadlines and follow-ups; inspectors of another province are refused.

use chrono::Days;
use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::case_file::{CaseEventKind, CaseFile};
use shared::dto::enclave::Province;
use shared::dto::inspection::{FollowUpRecord, Measure, Remedy};
use shared::dto::organisation::OrganisationKind;
use shared::dto::sync::{PushOutcome, SyncRecord};
use shared::rules::VerdictStatus;
use shared::rules::follow_up::shortcomings;
use tests::dates::today;
use tests::fixture::ContractSpec;
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    one_timeline_of_the_enclave,
    only_the_region_and_known_enclaves
);

async fn one_timeline_of_the_enclave(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Dossier Drukkerij");
    f.contract(&enclave, ContractSpec::default());
    let ines = app.inspector().await;
    // 40 days ago a warning, due 10 days later, corrected to an order by an amendment and
    // approved; followed up today with one of its two shortcomings remedied.
    let mut warned = inspection(&enclave.id);
    warned.on = today() - Days::new(40);
    warned.conclusion.deadline = Some(today() - Days::new(30));
    let mut correction = amendment(warned.id, 1, "Bevel in plaats van waarschuwing.");
    correction.measure = Some(Measure::RegularisationOrder);
    let mut later = inspection(&enclave.id);
    later.daily_registration.computed.status = VerdictStatus::Pass;
    later.findings.clear();
    later.conclusion.measure = Measure::Advice;
    later.conclusion.deadline = None;
    later.follows = Some(FollowUpRecord {
        inspection_id: warned.id,
        remedies: shortcomings(&warned)
            .into_iter()
            .enumerate()
            .map(|(i, shortcoming)| Remedy {
                shortcoming,
                remedied: i == 0,
            })
            .collect(),
    });
    let pushed = ines
        .push(vec![
            SyncRecord::Inspection(Box::new(warned.clone())),
            SyncRecord::Amendment(correction),
        ])
        .await;
    let rita = app.reviewer().await;
    let approved = rita
        .post(
            &format!("/api/inspections/{}/review", warned.id),
            &serde_json::json!({"decision": "approve", "version": 2}),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let followed = ines
        .push(vec![SyncRecord::Inspection(Box::new(later.clone()))])
        .await;
    for result in pushed.results.iter().chain(&followed.results) {
        assert!(
            matches!(result.outcome, PushOutcome::Applied { .. }),
            "{:?}",
            result.outcome
        );
    }

    let file: CaseFile = json(
        rita.get(&format!("/api/enclaves/{}/case-file", enclave.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(file.enclave_id.to_string(), enclave.id);
    let kinds: Vec<CaseEventKind> = file.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            // Today: the amendment, the decision and the follow-up (newest first by kind).
            CaseEventKind::ReviewDecision,
            CaseEventKind::Amendment,
            CaseEventKind::FollowedUp,
            CaseEventKind::Inspection,
            // 30 days ago the deadline, 40 days ago the inspection.
            CaseEventKind::FollowUpDue,
            CaseEventKind::Inspection,
            CaseEventKind::ContractStarted,
            CaseEventKind::ContractNotified,
        ]
    );
    let text = |kind| {
        file.events
            .iter()
            .find(|e| e.kind == kind)
            .map(|e| e.text_en.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        text(CaseEventKind::FollowedUp),
        "Follow-up of an earlier measure: 1 remedied, 1 not remedied."
    );
    assert!(
        text(CaseEventKind::FollowUpDue).ends_with("not remedied."),
        "the corrected order's deadline, followed up: {}",
        text(CaseEventKind::FollowUpDue)
    );
    assert!(text(CaseEventKind::FollowUpDue).contains("regularisation order"));
    assert_eq!(
        text(CaseEventKind::Amendment),
        "Amendment: measure corrected to regularisation order."
    );
    assert_eq!(
        text(CaseEventKind::ReviewDecision),
        "Approved by the reviewer."
    );
    assert_eq!(file.events[5].inspection_id, Some(warned.id));
    assert_eq!(file.events[5].on, warned.on);
    assert!(file.events[6].contract_id.is_some());
    // The inspector who works there reads it too.
    let own: CaseFile = json(
        ines.get(&format!("/api/enclaves/{}/case-file", enclave.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(own, file);
}

async fn only_the_region_and_known_enclaves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Haven", None);
    let antwerpen = f.enclave_in(&mwb, "Haven Antwerpen", "2000", "Antwerpen");
    let gent = app
        .user("geert", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    assert_error(
        gent.get(&format!("/api/enclaves/{}/case-file", antwerpen.id))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let rita = app.reviewer().await;
    let empty: CaseFile = json(
        rita.get(&format!("/api/enclaves/{}/case-file", antwerpen.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(empty.events.is_empty(), "{empty:?}");
    for id in [uuid::Uuid::new_v4().to_string(), "not-an-id".to_owned()] {
        assert_error(
            rita.get(&format!("/api/enclaves/{id}/case-file")).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
}
