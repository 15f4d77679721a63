//! The inspection report as a PDF for the file, on both databases, read by a real PDF reader
//! (Poppler): it opens, names the enclave, the corrected measure, the review's comment and
//! every photo's SHA-256, and carries each JPEG photo byte for byte (a photo named twice,
//! once); a photo it cannot show is named with the reason. In English on request. Only who
//! may read the inspection may read its report, and each read is audited; an inspector's
//! report holds only the photos she uploaded. The Dutch report is kept as
//! `$CARGO_TARGET_TMPDIR/inspection-report-{sqlite,postgres}.pdf`.

use chrono::Days;
use jpeg_encoder::{ColorType, Encoder};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::audit::AuditEvent;
use shared::dto::inspection::{Finding, PhotoRef, Severity};
use shared::dto::review::{ReviewDecision, ReviewRequest};
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::dates::today;
use tests::poppler::Poppler;
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, User, assert_error, json, on_both_backends};
use uuid::Uuid;

on_both_backends!(
    the_report_carries_the_record_and_every_photo,
    only_who_may_read_the_inspection_reads_its_report,
    an_inspectors_report_holds_only_the_photos_she_uploaded,
);

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A real JPEG of `width` × `height` (varied by `seed`) and its reference.
fn jpeg(width: u16, height: u16, seed: u8) -> (Vec<u8>, PhotoRef) {
    let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
        .map(|i| (i as u8).wrapping_mul(seed) ^ (i / 97) as u8)
        .collect();
    let mut bytes = Vec::new();
    Encoder::new(&mut bytes, 80)
        .encode(&pixels, width, height, ColorType::Rgb)
        .expect("jpeg");
    let reference = PhotoRef {
        sha256: sha256(&bytes),
        content_type: "image/jpeg".into(),
        bytes: bytes.len() as u64,
    };
    (bytes, reference)
}

fn applied(outcome: &PushOutcome) {
    assert!(
        matches!(outcome, PushOutcome::Applied { .. }),
        "{outcome:?}"
    );
}

/// Pushes `record` as `user`; panics unless it is applied.
async fn pushed(user: &User, record: shared::dto::inspection::InspectionRecord) {
    let answer = user
        .push(vec![SyncRecord::Inspection(Box::new(record))])
        .await;
    applied(&answer.results[0].outcome);
}

/// The report of `id` as `user` (with `query`), kept in a temporary file for the reader.
async fn report(
    user: &User,
    id: Uuid,
    query: &str,
) -> (tempfile::TempPath, reqwest::header::HeaderMap) {
    let res = user
        .get(&format!("/api/inspections/{id}/report.pdf{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let bytes = res.bytes().await.expect("report");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &bytes).expect("written");
    (file.into_temp_path(), headers)
}

/// An inspection at "Drukkerij Verslag" with two findings: one names a landscape JPEG and a
/// PNG, the other a portrait JPEG and the landscape one again. Its deadline was corrected by
/// an amendment, and a reviewer returned it with a comment.
async fn inspected(app: &TestApp) -> (Uuid, [PhotoRef; 3], Vec<Vec<u8>>) {
    let enclave = app.fixture().simple_enclave("Drukkerij Verslag").id;
    let ines = app.inspector().await;
    let (wide_bytes, wide) = jpeg(320, 240, 3);
    let (tall_bytes, tall) = jpeg(180, 300, 7);
    let png_bytes: Vec<u8> = b"\x89PNG\r\n\x1a\n not really drawn".to_vec();
    let png = PhotoRef {
        sha256: sha256(&png_bytes),
        content_type: "image/png".into(),
        bytes: png_bytes.len() as u64,
    };
    for (photo, bytes) in [
        (&wide, &wide_bytes),
        (&tall, &tall_bytes),
        (&png, &png_bytes),
    ] {
        ines.put_photo(photo, bytes).await;
    }
    let mut record = inspection(&enclave);
    record.findings[0].photos = vec![wide.clone(), png.clone()];
    record.findings.push(Finding {
        id: Uuid::new_v4(),
        check: None,
        category: "veiligheid".into(),
        severity: Severity::High,
        text: "Nooduitgang geblokkeerd door paletten.".into(),
        photos: vec![tall.clone(), wide.clone()],
    });
    let id = record.id;
    let mut longer = amendment(id, 1, "Termijn verlengd op verzoek.");
    longer.deadline = Some(today() + Days::new(30));
    let pushed = ines
        .push(vec![
            SyncRecord::Inspection(Box::new(record)),
            SyncRecord::Amendment(longer),
        ])
        .await;
    for result in &pushed.results {
        applied(&result.outcome);
    }
    let rita = app.reviewer().await;
    let returned = rita
        .post(
            &format!("/api/inspections/{id}/review"),
            &ReviewRequest {
                decision: ReviewDecision::Return,
                comment: "Motivering aanvullen met de gesprekken.".into(),
                version: 2,
            },
        )
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    (id, [wide, tall, png], vec![wide_bytes, tall_bytes])
}

async fn the_report_carries_the_record_and_every_photo(backend: Backend) {
    let Some(reader) = Poppler::provide("the inspection report tests") else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let (id, [wide, tall, png], jpegs) = inspected(&app).await;
    let ines = app.inspector().await;

    let (pdf, headers) = report(&ines, id, "").await;
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"inspectie-{id}.pdf\"").as_str()
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(reader.pages(&pdf) >= 1);
    // Kept for humans to look at.
    let kept = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("inspection-report-{backend:?}.pdf").to_lowercase());
    std::fs::copy(&pdf, kept).expect("kept");
    let text = reader.text(&pdf);
    for expected in [
        "Inspectieverslag enclavewerking",
        "Drukkerij Verslag",
        "Maatwerk Drukkerij Verslag",
        "Registratie pas na de start ingediend.",
        "Nooduitgang geblokkeerd door paletten.",
        "Eerste vaststelling; waarschuwing met termijn.",
        "(rechtgezet)",
        "Termijn verlengd op verzoek.",
        "Motivering aanvullen met de gesprekken.",
        "teruggestuurd",
        "Regel test/1",
        "Niet als JPEG te tonen",
        &id.to_string(),
    ] {
        assert!(
            text.contains(expected),
            "the report lacks {expected:?}:\n{text}"
        );
    }
    let deadline = (today() + Days::new(30)).format("%d-%m-%Y").to_string();
    assert!(
        text.contains(&deadline),
        "corrected deadline {deadline}:\n{text}"
    );
    // Every photo named by its hash; the wide one twice (two findings name it).
    for photo in [&wide, &tall, &png] {
        assert!(
            text.contains(&photo.sha256),
            "hash {}:\n{text}",
            photo.sha256
        );
    }
    assert_eq!(text.matches(&wide.sha256).count(), 2);
    // The JPEGs are in the file as they are stored, each once: their hashes are the ones printed.
    assert_eq!(reader.image_objects(&pdf), 2);
    let mut embedded: Vec<String> = reader.images(&pdf).iter().map(|i| sha256(i)).collect();
    embedded.sort();
    embedded.dedup();
    let mut expected: Vec<String> = jpegs.iter().map(|j| sha256(j)).collect();
    expected.sort();
    assert_eq!(embedded, expected);

    // In English on request; another language is refused.
    let (english, _) = report(&ines, id, "?lang=en").await;
    let text = reader.text(&english);
    for expected in [
        "Enclave inspection report",
        "Findings",
        "(corrected)",
        "Cannot be shown as a JPEG",
    ] {
        assert!(
            text.contains(expected),
            "the English report lacks {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains("Vaststellingen"));
    assert_error(
        ines.get(&format!("/api/inspections/{id}/report.pdf?lang=fr"))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

async fn only_who_may_read_the_inspection_reads_its_report(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let enclave = app.fixture().simple_enclave("Drukkerij Toegang").id;
    let ines = app.inspector().await;
    let record = inspection(&enclave);
    let id = record.id;
    pushed(&ines, record).await;
    let path = format!("/api/inspections/{id}/report.pdf");

    let other = app
        .user("ilse", shared::dto::auth::Role::Inspector, &[])
        .await;
    assert_error(other.get(&path).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_error(
        app.client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .expect("sent"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_error(
        ines.get(&format!("/api/inspections/{}/report.pdf", Uuid::new_v4()))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for reader in [&ines, &app.reviewer().await, &app.admin().await] {
        let res = reader.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    }
    // Each read of the report is audited, naming who read it.
    let admin = app.admin().await;
    let events: Vec<AuditEvent> = json(
        admin
            .get(&format!(
                "/api/audit?object_type=inspection_report&object_id={id}"
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut readers: Vec<String> = events
        .iter()
        .filter(|e| e.action == "read")
        .filter_map(|e| e.actor_username.clone())
        .collect();
    readers.sort();
    assert_eq!(readers, ["adam", "ines", "rita"]);
}

/// A record may name a photo that another inspector uploaded (photos are known by their
/// hash): the inspector's report treats it as `GET /api/attachments` does, as never received,
/// and a reviewer's report shows it.
async fn an_inspectors_report_holds_only_the_photos_she_uploaded(backend: Backend) {
    let Some(reader) = Poppler::provide("the inspection report tests") else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let enclave = app.fixture().simple_enclave("Drukkerij Vreemd").id;
    let ines = app.inspector().await;
    let ilse = app
        .user("ilse", shared::dto::auth::Role::Inspector, &[])
        .await;
    let (bytes, theirs) = jpeg(64, 48, 5);
    ilse.put_photo(&theirs, &bytes).await;
    let mut record = inspection(&enclave);
    record.findings[0].photos = vec![theirs.clone()];
    let id = record.id;
    pushed(&ines, record).await;

    let (pdf, _) = report(&ines, id, "").await;
    assert_eq!(reader.image_objects(&pdf), 0, "not in her report");
    let text = reader.text(&pdf);
    assert!(
        text.contains(&theirs.sha256),
        "still named by its hash:\n{text}"
    );
    assert!(text.contains("Nog niet op de server ontvangen."), "{text}");
    let (pdf, _) = report(&app.reviewer().await, id, "").await;
    assert_eq!(reader.images(&pdf), vec![bytes], "in the reviewer's");
}
