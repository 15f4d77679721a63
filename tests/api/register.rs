//! The contract register in the app: register, edit and end contracts (checked by the shared
//! rules, timeliness flagged at once), refused when stale or duplicate, audited, pulled by
//! devices; the register filtered and exported as CSV and XLSX; who may do what.

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Method, StatusCode};
use shared::dto::audit::AuditEvent;
use shared::dto::contract::{
    ContractDraft, ContractStatus, ContractUpdate, RegisterEntry, RegisterPage,
};
use shared::dto::organisation::OrganisationKind;
use shared::dto::sync::Entity;
use tests::dates::{at, date, local};
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, World, assert_error, json, on_both_backends};

on_both_backends!(contracts_are_registered_edited_and_ended);

async fn contracts_are_registered_edited_and_ended(backend: Backend) {
    let World {
        app,
        admin,
        reviewer,
        inspector,
        maatwerkbedrijf: mwb,
        enclave,
        ..
    } = World::new(backend).await;
    let (adam, rita, ines) = (admin.token, reviewer.token, inspector.token);
    let f = app.fixture();
    let city = f.organisation(OrganisationKind::GovernmentBody, "Stad Gent", None);
    let other = f.enclave(&mwb, &city, EnclaveSpec::default());
    f.contract(
        &other,
        ContractSpec {
            start: date("2024-01-08"),
            notified_local: Some(local("2024-01-02 09:00")),
            ..ContractSpec::default()
        },
    );
    let cursor = app.pull(&ines, 0, 100).await.next_cursor;

    // Register: the deadline and timeliness come back at once.
    let draft = ContractDraft {
        enclave_id: enclave.id.parse().unwrap(),
        reference: "ENC-2025-017".into(),
        // Monday; the deadline is the Friday before.
        start_date: date("2025-03-10"),
        end_date: None,
        notified_at: Some(at("2025-03-10 08:30")),
        approved_at: None,
        status: ContractStatus::Notified,
        rejection_reason: None,
        min_supervisors: 1,
    };
    let created: RegisterEntry = json(
        app.send(Method::POST, "/api/contracts", Some(&adam), Some(&draft))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created.contract.reference, "ENC-2025-017");
    assert_eq!(created.timeliness.deadline, date("2025-03-07"));
    assert_eq!(
        created.timeliness.on_time,
        Some(false),
        "late: on the start day"
    );
    assert_eq!(created.host.name, "Brouwerij Gent");
    // The enclave page judges check 1 on it straight away.
    let detail: shared::dto::enclave::EnclaveDetail = json(
        app.get(
            &format!("/api/enclaves/{}?on=2025-03-12&at=10:00", enclave.id),
            &adam,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail.contracts.len(), 1);

    // The same reference twice is a conflict; a broken draft names its problems.
    assert_error(
        app.send(Method::POST, "/api/contracts", Some(&adam), Some(&draft))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let mut broken = draft.clone();
    broken.reference = "ENC-X".into();
    broken.status = ContractStatus::Rejected;
    broken.end_date = Some(date("2025-01-01"));
    let res = app
        .send(Method::POST, "/api/contracts", Some(&adam), Some(&broken))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: shared::error::ApiError = res.json().await.unwrap();
    assert_eq!(body.error.code, shared::error::ErrorCode::ValidationFailed);
    assert!(body.error.message_en.contains("end is before the start"));
    assert!(body.error.message_en.contains("needs a reason"));
    // A contract overlapping the open-ended one of the same enclave is refused, naming it
    // (the rule the import runs too).
    let mut overlap = draft.clone();
    overlap.reference = "ENC-2025-018".into();
    overlap.start_date = date("2025-06-02");
    let res = app
        .send(Method::POST, "/api/contracts", Some(&adam), Some(&overlap))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: shared::error::ApiError = res.json().await.unwrap();
    assert_eq!(body.error.code, shared::error::ErrorCode::ValidationFailed);
    assert!(
        body.error.message_en.contains("ENC-2025-017")
            && body.error.message_en.contains("open-ended"),
        "{}",
        body.error.message_en
    );
    let mut nowhere = draft.clone();
    nowhere.reference = "ENC-Y".into();
    nowhere.enclave_id = uuid::Uuid::new_v4();
    assert_error(
        app.send(Method::POST, "/api/contracts", Some(&adam), Some(&nowhere))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Edit: the notification was in fact received on the Friday: on time.
    let id = created.contract.id;
    let mut fixed = ContractDraft::of(&created.contract);
    fixed.notified_at = Some(at("2025-03-07 16:00"));
    let edited: RegisterEntry = json(
        app.send(
            Method::PUT,
            &format!("/api/contracts/{id}"),
            Some(&adam),
            Some(&ContractUpdate {
                previous: created.contract.clone(),
                draft: fixed.clone(),
            }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited.timeliness.on_time, Some(true));
    // An edit of what was read before that is refused: someone changed it meanwhile.
    assert_error(
        app.send(
            Method::PUT,
            &format!("/api/contracts/{id}"),
            Some(&adam),
            Some(&ContractUpdate {
                previous: created.contract.clone(),
                draft: fixed.clone(),
            }),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // End it.
    let mut ended = ContractDraft::of(&edited.contract);
    ended.status = ContractStatus::Ended;
    ended.end_date = Some(date("2025-10-31"));
    let done: RegisterEntry = json(
        app.send(
            Method::PUT,
            &format!("/api/contracts/{id}"),
            Some(&adam),
            Some(&ContractUpdate {
                previous: edited.contract.clone(),
                draft: ended,
            }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done.contract.status, ContractStatus::Ended);
    let stored: RegisterEntry = json(
        app.get(&format!("/api/contracts/{id}"), &rita).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored, done);

    // Devices of the region pull the contract (three writes, one contract).
    let pulled = app.pull(&ines, cursor, 100).await.changes;
    assert_eq!(
        pulled
            .iter()
            .filter(|c| c.entity == Entity::Contract && c.id == id)
            .count(),
        3
    );
    // The audit trail has every write, by whom.
    let audit: Vec<AuditEvent> =
        json(app.get("/api/audit?limit=50", &adam).await, StatusCode::OK).await;
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.object_id.as_deref() == Some(&id.to_string()))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    for action in ["contract_create", "contract_update", "contract_end"] {
        assert!(actions.contains(&action), "{actions:?}");
    }

    // The register, filtered; the export holds exactly the filtered rows.
    let page: RegisterPage = json(app.get("/api/contracts", &rita).await, StatusCode::OK).await;
    assert_eq!(page.total, 2);
    let page: RegisterPage = json(
        app.get("/api/contracts?q=brouwerij&status=ended", &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.total, 1);
    let page: RegisterPage = json(
        app.get("/api/contracts?host_type=government&open_ended=true", &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].host.name, "Stad Gent");
    let page: RegisterPage = json(
        app.get("/api/contracts?received_year=2025", &rita).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page.total, 1);
    let res = app
        .get("/api/contracts?host_type=government&format=csv", &adam)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[0].starts_with("referentie;maatwerkbedrijf;gastorganisatie;start"));
    assert!(lines[1].contains("Stad Gent"));
    // The status in Dutch, as every other column and as the import reads it back.
    let status = lines[1].split(';').nth(6);
    assert_eq!(status, Some("gemeld"), "{body}");
    let res = app.get("/api/contracts?format=xlsx", &adam).await;
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(book.worksheet_range("Register").unwrap().height(), 3);

    // Roles: reviewers read but do not write; inspectors do neither.
    let mut other_draft = draft.clone();
    other_draft.reference = "ENC-Z".into();
    assert_error(
        app.send(
            Method::POST,
            "/api/contracts",
            Some(&rita),
            Some(&other_draft),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get("/api/contracts", &ines).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get(&format!("/api/contracts/{}", uuid::Uuid::new_v4()), &adam)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
