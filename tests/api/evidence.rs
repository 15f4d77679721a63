//! Evidence complete or not accepted, and text every database stores alike: an inspection
//! naming a photo the server does not have completely is not applied but answered
//! `missing_attachments` (retryable), and applied once the photo is there, so every applied
//! inspection's photos can be fetched; NUL and other control characters in any text are a
//! rejection of that record only, the same on SQLite and PostgreSQL.

use std::collections::HashSet;

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::inspection::InspectionView;
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::records::{amendment, inspection, photo};
use tests::{Backend, TestApp, json, on_both_backends};

on_both_backends!(
    an_inspection_waits_for_its_photos,
    control_characters_are_rejected_alike
);

const PW: &str = "a-long-test-password";

async fn setup(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("rev", PW, Role::Reviewer, &[]);
    let token = app.inspector().await.token;
    let enclave = app.fixture().simple_enclave("Host").id;
    (app, token, enclave)
}

/// PUTs `bytes[from..to]` of a photo of `total` bytes.
async fn put_piece(app: &TestApp, token: &str, sha: &str, bytes: &[u8], from: usize, to: usize) {
    let res = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .header(
            "content-range",
            format!("bytes {from}-{}/{}", to - 1, bytes.len()),
        )
        .body(bytes[from..to].to_vec())
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "{}", res.status());
}

/// The invariant: every photo of every applied inspection can be fetched, byte for byte.
async fn every_applied_photo_can_be_fetched(app: &TestApp, reviewer: &str, ids: &[uuid::Uuid]) {
    for id in ids {
        let view: InspectionView = json(
            app.get(&format!("/api/inspections/{id}"), reviewer).await,
            StatusCode::OK,
        )
        .await;
        for sha in &view.photo_hashes {
            let res = app.get(&format!("/api/attachments/{sha}"), reviewer).await;
            assert_eq!(res.status(), StatusCode::OK, "photo {sha} of {id}");
            let bytes = res.bytes().await.expect("photo bytes");
            assert_eq!(&format!("{:x}", Sha256::digest(&bytes)), sha);
        }
    }
}

async fn an_inspection_waits_for_its_photos(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let reviewer = app.login("rev", PW).await.access_token;
    let (first_bytes, first) = photo(40_000, 1);
    let (second_bytes, second) = photo(90_000, 2);
    let mut with_photos = inspection(&enclave);
    with_photos.findings[0].photos = vec![first.clone(), second.clone()];
    let without = inspection(&enclave);
    let batch = vec![
        SyncRecord::Inspection(Box::new(with_photos.clone())),
        SyncRecord::Inspection(Box::new(without.clone())),
    ];

    // Nothing uploaded, then half of the second photo: not applied, the rest of the batch is.
    put_piece(&app, &token, &second.sha256, &second_bytes, 0, 45_000).await;
    let r = app.push(&token, batch.clone()).await;
    assert_eq!(
        r.results[0].outcome,
        PushOutcome::MissingAttachments {
            sha256: vec![first.sha256.clone(), second.sha256.clone()]
        }
    );
    assert_eq!(r.results[1].outcome, PushOutcome::Applied { version: 1 });
    let res = app
        .get(&format!("/api/inspections/{}", with_photos.id), &token)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not applied");
    assert_eq!(app.pull_all(&token, 100).await.0.len(), 1);

    // The first photo complete: still waiting for the second, and it says which.
    put_piece(&app, &token, &first.sha256, &first_bytes, 0, 40_000).await;
    let r = app.push(&token, batch.clone()).await;
    assert_eq!(
        r.results[0].outcome,
        PushOutcome::MissingAttachments {
            sha256: vec![second.sha256.clone()]
        }
    );
    assert_eq!(r.results[1].outcome, PushOutcome::Duplicate { version: 1 });

    // The rest of the second: applied once, then a duplicate.
    put_piece(&app, &token, &second.sha256, &second_bytes, 45_000, 90_000).await;
    let r = app.push(&token, batch.clone()).await;
    assert_eq!(r.results[0].outcome, PushOutcome::Applied { version: 1 });
    let r = app.push(&token, batch).await;
    assert_eq!(r.results[0].outcome, PushOutcome::Duplicate { version: 1 });
    let changes = app.pull_all(&token, 100).await.0;
    let ids: HashSet<_> = changes.iter().map(|c| c.id).collect();
    assert_eq!(ids, HashSet::from([with_photos.id, without.id]));
    every_applied_photo_can_be_fetched(&app, &reviewer, &[with_photos.id, without.id]).await;
}

async fn control_characters_are_rejected_alike(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let good = inspection(&enclave);
    let mut nul_text = inspection(&enclave);
    nul_text.findings[0].text = "begeleider\0afwezig".into();
    let mut escape_note = inspection(&enclave);
    escape_note.instructions.note = Some("\u{1b}[2J".into());
    let mut two_line_name = inspection(&enclave);
    two_line_name.unregistered = vec![shared::dto::inspection::UnregisteredPerson {
        name: "Jan\nPeeters".into(),
        stated_role: shared::dto::registration::MemberRole::Worker,
    }];
    two_line_name.workers_present = 6;
    let nul_amendment = amendment(good.id, 1, "correctie\0");
    let good_amendment = amendment(good.id, 1, "Eerste regel.\nTweede regel.");
    let also_good = inspection(&enclave);
    let r = app
        .push(
            &token,
            vec![
                SyncRecord::Inspection(Box::new(good.clone())),
                SyncRecord::Inspection(Box::new(nul_text)),
                SyncRecord::Inspection(Box::new(escape_note)),
                SyncRecord::Inspection(Box::new(two_line_name)),
                SyncRecord::Amendment(nul_amendment),
                SyncRecord::Amendment(good_amendment),
                SyncRecord::Inspection(Box::new(also_good.clone())),
            ],
        )
        .await;
    let rejected_field = |i: usize| match &r.results[i].outcome {
        PushOutcome::Rejected {
            code,
            message_nl,
            message_en,
        } => {
            assert_eq!(code, "validation_failed");
            assert!(!message_nl.is_empty());
            message_en.split(':').next().unwrap_or_default().to_owned()
        }
        other => panic!("record {i}: expected a rejection, got {other:?}"),
    };
    assert_eq!(r.results[0].outcome, PushOutcome::Applied { version: 1 });
    assert_eq!(rejected_field(1), "findings[0].text");
    assert_eq!(rejected_field(2), "instructions.note");
    assert_eq!(rejected_field(3), "unregistered[0].name");
    assert_eq!(rejected_field(4), "text");
    assert_eq!(r.results[5].outcome, PushOutcome::Applied { version: 2 });
    assert_eq!(r.results[6].outcome, PushOutcome::Applied { version: 1 });
    let view: InspectionView = json(
        app.get(&format!("/api/inspections/{}", good.id), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.amendments.len(), 1);
    assert_eq!(view.amendments[0].text, "Eerste regel.\nTweede regel.");
}
