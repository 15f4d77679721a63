//! `GET /api/field/working-set`: the enclaves of the inspector's region with their contracts
//! and the registrations of the coming days, floating supervisors flagged even when their
//! other enclave lies outside the region; what it refuses; and how changes to the register
//! reach the devices of the region through the pull.

use chrono::{Days, NaiveTime};
use reqwest::StatusCode;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::field::WorkingSet;
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use shared::dto::sync::Entity;
use shared::rules::RuleSettings;
use tests::dates::today;
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    working_set_of_the_region,
    working_set_refusals,
    register_changes_are_pulled_by_region,
);

async fn working_set_of_the_region(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Brouwerij Gent", None);
    let far_host = f.organisation(OrganisationKind::RegularCompany, "Haven Antwerpen", None);
    let gent = f.enclave(&mwb, &host, EnclaveSpec::default());
    let antwerpen = f.enclave(
        &mwb,
        &far_host,
        EnclaveSpec {
            postcode: "2000".into(),
            municipality: "Antwerpen".into(),
            ..EnclaveSpec::default()
        },
    );
    f.contract(&gent, ContractSpec::default());

    let today = today();
    let tomorrow = today + Days::new(1);
    let yesterday = today - Days::new(1);
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let early = |d: chrono::NaiveDate| (d - Days::new(1)).and_hms_opt(18, 0, 0).unwrap();
    let here = f.registration(&gent, today, early(today), seven, &[Supervisor, Worker]);
    f.registration(
        &gent,
        tomorrow,
        early(tomorrow),
        seven,
        &[Supervisor, Worker],
    );
    f.registration(&gent, yesterday, early(yesterday), seven, &[Supervisor]);
    // The Gent supervisor of today is also registered in Antwerpen today: floating.
    let elsewhere = f.registration(&antwerpen, today, early(today), seven, &[Worker]);
    let supervisor = f
        .members(&here)
        .into_iter()
        .find(|(_, role)| role == "supervisor")
        .map(|(id, _)| id)
        .unwrap();
    f.add_member(&elsewhere, &supervisor, Supervisor);

    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let set: WorkingSet = json(
        ines.get("/api/field/working-set?days=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((set.from, set.to), (today, tomorrow));
    assert_eq!(set.rules, RuleSettings::default());
    let ids: Vec<String> = set
        .enclaves
        .iter()
        .map(|e| e.summary.id.to_string())
        .collect();
    assert_eq!(ids, vec![gent.id.clone()], "only the inspector's province");
    let e = &set.enclaves[0];
    assert_eq!(e.contracts.len(), 1);
    assert_eq!(e.host.name, "Brouwerij Gent");
    let days: Vec<_> = e
        .registrations
        .iter()
        .map(|r| r.registration.work_date)
        .collect();
    assert_eq!(days, vec![today, tomorrow], "yesterday is not taken along");
    let floating: Vec<String> = e.registrations[0]
        .floating
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(floating, vec![supervisor.clone()]);
    assert!(e.registrations[1].floating.is_empty());
    // The device computes checks 1 and 2 from the set exactly as the server's enclave page.
    let page: shared::dto::enclave::EnclaveDetail = json(
        ines.get(&format!("/api/enclaves/{}?at=10:00", gent.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        e.checks(today, today.and_time(page.at), &set.rules),
        page.checks
    );

    // Three days by default.
    let default: WorkingSet = json(ines.get("/api/field/working-set").await, StatusCode::OK).await;
    assert_eq!(default.to, today + Days::new(2));
    // A chosen list.
    let one: WorkingSet = json(
        ines.get(&format!(
            "/api/field/working-set?ids={},{}",
            gent.id, gent.id
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one.enclaves.len(), 1);
    // A reviewer has no region: everything.
    let rita = app.reviewer().await;
    let all: WorkingSet = json(rita.get("/api/field/working-set").await, StatusCode::OK).await;
    assert_eq!(all.enclaves.len(), 2);

    // Every download is in the audit trail, with who and how much.
    let adam = app.admin().await;
    let events: Vec<AuditEvent> = json(
        adam.get("/api/audit?action=working_set_download").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(events.len(), 4, "{events:#?}");
    assert!(
        events
            .iter()
            .any(|e| e.actor_username.as_deref() == Some("ines")
                && e.detail
                    .as_deref()
                    .is_some_and(|d| d.starts_with("1 enclaves"))),
        "{events:#?}"
    );
}

async fn working_set_refusals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let gent = f.simple_enclave("Brouwerij Gent");
    let ines = app
        .user("ines", Role::Inspector, &[Province::Limburg])
        .await;
    let cases = [
        (
            "/api/field/working-set?days=0",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/field/working-set?days=8",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/field/working-set?ids=not-an-id",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/field/working-set?ids=7b0c2a52-62c9-4f7e-9a57-3f1f0f2b9d11",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (path, status, code) in cases {
        assert_error(ines.get(path).await, status, code).await;
    }
    // An enclave outside the inspector's province.
    assert_error(
        ines.get(&format!("/api/field/working-set?ids={}", gent.id))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let many: Vec<String> = (0..501).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    assert_error(
        ines.get(&format!("/api/field/working-set?ids={}", many.join(",")))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_error(
        app.get("/api/field/working-set", "not-a-token").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    // Limburg has no enclaves: an empty set, not an error.
    let set: WorkingSet = json(ines.get("/api/field/working-set").await, StatusCode::OK).await;
    assert!(set.enclaves.is_empty());
}

async fn register_changes_are_pulled_by_region(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let gent = f.simple_enclave("Brouwerij Gent");
    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let lars = app
        .user("lars", Role::Inspector, &[Province::Limburg])
        .await;
    let rita = app.reviewer().await;
    let start = ines.pull(0, 100).await.next_cursor;

    let today = today();
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let contract = f.contract(&gent, ContractSpec::default());
    let reg = f.registration(
        &gent,
        today,
        today.and_hms_opt(6, 0, 0).unwrap(),
        seven,
        &[Supervisor],
    );
    f.delete_registration(&gent, &reg);

    let page = ines.pull(start, 100).await;
    let seen: Vec<(Entity, String, bool, Option<String>)> = page
        .changes
        .iter()
        .map(|c| {
            (
                c.entity,
                c.id.to_string(),
                c.deleted,
                c.enclave_id.map(|e| e.to_string()),
            )
        })
        .collect();
    let enclave = Some(gent.id.clone());
    assert_eq!(
        seen,
        vec![
            (
                Entity::Contract,
                contract.id.clone(),
                false,
                enclave.clone()
            ),
            (Entity::Registration, reg.id.clone(), false, enclave.clone()),
            (Entity::Registration, reg.id.clone(), true, enclave.clone()),
        ],
        "new contract, new registration, its tombstone, in order"
    );
    assert!(page.changes.iter().all(|c| c.inspection_id.is_none()));
    // Pulling from the new cursor gives nothing more.
    assert!(ines.pull(page.next_cursor, 100).await.changes.is_empty());
    // Another region sees none of it; a reviewer sees all.
    assert!(lars.pull(0, 100).await.changes.is_empty());
    assert_eq!(rita.pull(start, 100).await.changes.len(), 3);
}
