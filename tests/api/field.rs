//! `GET /api/field/working-set`: the enclaves of the inspector's region with their contracts
//! and the registrations of the coming days, floating supervisors flagged even when their
//! other enclave lies outside the region; what it refuses; how changes to the register
//! reach the devices of the region through the pull; and the refresh by delta (`since`):
//! only what changed, a few hundred bytes when nothing did, a whole set when the region or
//! the rules changed, never an enclave outside the region.

use chrono::{Days, NaiveTime};
use reqwest::StatusCode;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::AccountUpdate;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::field::{WireSet, WorkingSet};
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use shared::dto::sync::Entity;
use shared::rules::supervision_norm::SupportNeed;
use shared::rules::{LeadTime, RuleSettings};
use tests::dates::today;
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp, User, assert_error, json, on_both_backends};

on_both_backends!(
    working_set_of_the_region,
    working_set_refusals,
    register_changes_are_pulled_by_region,
    a_refresh_sends_only_what_changed,
    a_whole_set_when_the_region_the_rules_or_the_days_change,
    a_refresh_never_crosses_the_region,
);

/// The working set `path` answers, read as the device reads it, with the answer's size in
/// bytes (uncompressed).
async fn download(user: &User, path: &str) -> (WireSet, usize) {
    let res = user.get(path).await;
    let status = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "{text}");
    let wire: WireSet = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (wire, text.len())
}

/// The whole working set at `path`.
async fn whole(user: &User, path: &str) -> WorkingSet {
    let (wire, _) = download(user, path).await;
    assert!(wire.full, "a whole set");
    WorkingSet::read(&wire).expect("a readable set")
}

/// The enclaves sorted by id, to compare sets whatever their order.
fn by_id(set: &WorkingSet) -> Vec<shared::dto::field::FieldEnclave> {
    let mut enclaves = set.enclaves.clone();
    enclaves.sort_by_key(|e| e.summary.id);
    enclaves
}

async fn working_set_of_the_region(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Brouwerij Gent", None);
    let gent = f.enclave(
        &mwb,
        &host,
        EnclaveSpec {
            support_need: Some(SupportNeed::High),
            ..EnclaveSpec::default()
        },
    );
    let antwerpen = f.enclave_in(&mwb, "Haven Antwerpen", "2000", "Antwerpen");
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
    let set = whole(&ines, "/api/field/working-set?days=2").await;
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
    // The team's support need (check 3's norm) travels with the set and the page.
    assert_eq!(e.summary.support_need, Some(SupportNeed::High));
    assert_eq!(page.support_need, Some(SupportNeed::High));
    assert_eq!(
        page.workers_per_supervisor,
        Some(7),
        "the default norm for a high need"
    );

    // Three days by default.
    let default = whole(&ines, "/api/field/working-set").await;
    assert_eq!(default.to, today + Days::new(2));
    // A chosen list.
    let one = whole(
        &ines,
        &format!("/api/field/working-set?ids={},{}", gent.id, gent.id),
    )
    .await;
    assert_eq!(one.enclaves.len(), 1);
    // A reviewer has no region: everything.
    let rita = app.reviewer().await;
    let all = whole(&rita, "/api/field/working-set").await;
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
        // A token this server did not make.
        (
            "/api/field/working-set?since=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/field/working-set?since=w2.1.739957.3.xyz",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/field/working-set?since=",
            StatusCode::BAD_REQUEST,
            "bad_request",
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
    let set = whole(&ines, "/api/field/working-set").await;
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

async fn a_refresh_sends_only_what_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    let gent = f.enclave(
        &mwb,
        &f.organisation(OrganisationKind::RegularCompany, "Brouwerij Gent", None),
        EnclaveSpec::default(),
    );
    let aalst = f.enclave(
        &mwb,
        &f.organisation(OrganisationKind::RegularCompany, "Drukkerij Aalst", None),
        EnclaveSpec::default(),
    );
    let antwerpen = f.enclave_in(&mwb, "Haven Antwerpen", "2000", "Antwerpen");
    f.contract(&gent, ContractSpec::default());
    let today = today();
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let early = (today - Days::new(1)).and_hms_opt(18, 0, 0).unwrap();
    let here = f.registration(&gent, today, early, seven, &[Supervisor, Worker]);
    let supervisor = f
        .members(&here)
        .into_iter()
        .find(|(_, role)| role == "supervisor")
        .map(|(id, _)| id)
        .unwrap();
    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let region = "/api/field/working-set";
    let mut set = whole(&ines, region).await;
    assert_eq!(set.enclaves.len(), 2);
    assert!(
        set.enclaves
            .iter()
            .all(|e| e.registrations.iter().all(|r| r.floating.is_empty()))
    );

    // Nothing changed: an empty delta of a few hundred bytes.
    let (nothing, bytes) = download(&ines, &format!("{region}?since={}", set.token)).await;
    assert!(!nothing.full);
    assert!(nothing.enclaves.is_empty() && nothing.removed.is_empty());
    assert!(bytes < 500, "{bytes} bytes for no change");
    // Asking for no change is not a download of personal data: not in the audit trail.
    let adam = app.admin().await;
    let downloads = async || -> usize {
        let events: Vec<AuditEvent> = json(
            adam.get("/api/audit?action=working_set_download").await,
            StatusCode::OK,
        )
        .await;
        events.len()
    };
    assert_eq!(downloads().await, 1);

    // A new contract of Aalst: Aalst alone, merged it is the fresh set.
    f.contract(&aalst, ContractSpec::default());
    let (delta, _) = download(&ines, &format!("{region}?since={}", set.token)).await;
    assert!(!delta.full);
    let sent: Vec<String> = delta
        .enclaves()
        .unwrap()
        .iter()
        .map(|e| e.summary.id.to_string())
        .collect();
    assert_eq!(sent, vec![aalst.id.clone()]);
    set.apply(&delta).unwrap();
    assert_eq!(by_id(&set), by_id(&whole(&ines, region).await));
    assert_eq!(
        downloads().await,
        3,
        "the delta with an enclave, and the whole set"
    );

    // The Gent supervisor registered in Antwerpen today, outside the region: Gent's floating
    // flags changed, so Gent comes — Antwerpen itself never does.
    let elsewhere = f.registration(&antwerpen, today, early, seven, &[Worker]);
    f.add_member(&elsewhere, &supervisor, Supervisor);
    let (delta, _) = download(&ines, &format!("{region}?since={}", set.token)).await;
    let sent = delta.enclaves().unwrap();
    assert_eq!(
        sent.iter()
            .map(|e| e.summary.id.to_string())
            .collect::<Vec<_>>(),
        vec![gent.id.clone()]
    );
    assert_eq!(
        sent[0].registrations[0]
            .floating
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec![supervisor.clone()]
    );
    set.apply(&delta).unwrap();
    assert_eq!(by_id(&set), by_id(&whole(&ines, region).await));

    // A new registration of Aalst tomorrow: Aalst again, with it.
    let tomorrow = today + Days::new(1);
    f.registration(&aalst, tomorrow, early, seven, &[Supervisor]);
    let (delta, _) = download(&ines, &format!("{region}?since={}", set.token)).await;
    let sent = delta.enclaves().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].summary.id.to_string(), aalst.id);
    assert_eq!(sent[0].registrations[0].registration.work_date, tomorrow);
    set.apply(&delta).unwrap();
    assert_eq!(by_id(&set), by_id(&whole(&ines, region).await));

    // A deleted registration: who was in it is no longer known, so the whole set comes.
    f.delete_registration(&antwerpen, &elsewhere);
    let (answer, _) = download(&ines, &format!("{region}?since={}", set.token)).await;
    assert!(answer.full);
    set.apply(&answer).unwrap();
    assert!(
        set.enclaves
            .iter()
            .all(|e| e.registrations.iter().all(|r| r.floating.is_empty()))
    );
    assert_eq!(by_id(&set), by_id(&whole(&ines, region).await));
}

async fn a_whole_set_when_the_region_the_rules_or_the_days_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let gent = f.simple_enclave("Brouwerij Gent");
    let hasselt = f.enclave_in(
        &f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Hasselt", None),
        "Stokerij Hasselt",
        "3500",
        "Hasselt",
    );
    let row = f.user(
        "ines",
        tests::PASSWORD,
        Role::Inspector,
        &[Province::OostVlaanderen],
    );
    let ines = app.user("ines", Role::Inspector, &[]).await;
    let set = whole(&ines, "/api/field/working-set").await;
    let since = format!("/api/field/working-set?since={}", set.token);
    let (delta, _) = download(&ines, &since).await;
    assert!(!delta.full, "nothing moved yet");

    // Another number of days.
    let (answer, _) = download(&ines, &format!("{since}&days=2")).await;
    assert!(answer.full);
    assert_eq!(answer.to, answer.from + Days::new(1));

    // Other rules (an instance with another lead time): the checks would judge otherwise.
    let other = app
        .another_instance(|c| c.rules.lead_time = LeadTime::CalendarDays(1))
        .await;
    let (answer, _) = download(&other.bearer(&ines.token), &since).await;
    assert!(answer.full);
    assert_eq!(answer.rules.lead_time, LeadTime::CalendarDays(1));

    // Another region: Limburg instead of Oost-Vlaanderen.
    let adam = app.admin().await;
    let res = adam
        .send(
            reqwest::Method::PATCH,
            &format!("/api/accounts/{}", row.id),
            Some(&AccountUpdate {
                role: None,
                provinces: Some(vec![Province::Limburg]),
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ines = app.user("ines", Role::Inspector, &[]).await;
    let (answer, _) = download(&ines, &since).await;
    assert!(answer.full);
    let ids: Vec<String> = answer
        .enclaves()
        .unwrap()
        .iter()
        .map(|e| e.summary.id.to_string())
        .collect();
    assert_eq!(ids, vec![hasselt.id.clone()]);
    assert!(!ids.contains(&gent.id));
}

async fn a_refresh_never_crosses_the_region(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let gent = f.simple_enclave("Brouwerij Gent");
    let antwerpen = f.enclave_in(
        &f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Haven", None),
        "Haven Antwerpen",
        "2000",
        "Antwerpen",
    );
    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let set = whole(&ines, &format!("/api/field/working-set?ids={}", gent.id)).await;
    let today = today();
    let seven = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
    let early = (today - Days::new(1)).and_hms_opt(18, 0, 0).unwrap();
    f.contract(&antwerpen, ContractSpec::default());
    f.registration(&antwerpen, today, early, seven, &[Supervisor]);
    f.contract(&gent, ContractSpec::default());
    let unknown = uuid::Uuid::new_v4();

    // A chosen list naming an enclave of another province, and one that does not exist: a
    // refresh names them removed and sends only what the inspector may see.
    let (delta, _) = download(
        &ines,
        &format!(
            "/api/field/working-set?since={}&ids={},{},{unknown}",
            set.token, gent.id, antwerpen.id
        ),
    )
    .await;
    assert!(!delta.full);
    let sent: Vec<String> = delta
        .enclaves()
        .unwrap()
        .iter()
        .map(|e| e.summary.id.to_string())
        .collect();
    assert_eq!(sent, vec![gent.id.clone()]);
    let removed: Vec<String> = delta.removed.iter().map(ToString::to_string).collect();
    assert_eq!(removed, vec![antwerpen.id.clone(), unknown.to_string()]);
    // The region's refresh: Antwerpen changed, and is not sent.
    let region = whole(&ines, "/api/field/working-set").await;
    f.registration(
        &antwerpen,
        today + Days::new(1),
        early,
        seven,
        &[Supervisor],
    );
    let (delta, _) = download(
        &ines,
        &format!("/api/field/working-set?since={}", region.token),
    )
    .await;
    assert!(!delta.full);
    assert!(delta.enclaves.is_empty(), "{delta:?}");
    // Whole, a chosen list still refuses what lies outside the region.
    assert_error(
        ines.get(&format!("/api/field/working-set?ids={}", antwerpen.id))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
