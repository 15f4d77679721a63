//! Enclave lookup: free text, enterprise number, nearest first, pagination, 404s and the
//! per-province restriction of inspectors.

use std::collections::HashSet;

use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::enclave::{EnclavePage, Province};
use shared::dto::organisation::OrganisationKind;
use shared::rules::enterprise_number::EnterpriseNumber;
use tests::fixture::EnclaveSpec;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    text_search_ignores_accents_and_case,
    enterprise_number_search_accepts_every_spelling,
    near_search_orders_by_distance_within_the_radius,
    pagination_has_no_gaps_or_repeats,
    unknown_or_malformed_ids_are_404,
    bad_search_parameters_are_400,
    inspectors_see_only_their_provinces,
    the_lookup_index_picks_up_register_changes,
    establishment_unit_number_finds_the_site,
    an_imported_registration_is_on_the_enclave_page_at_once,
    registrations_written_elsewhere_show_within_the_maximum_age,
    rendered_results_equal_the_serde_built_answer_and_hold_all_day,
);

async fn setup(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let token = app.inspector().await.token;
    (app, token)
}

async fn search(app: &TestApp, token: &str, query: &str) -> EnclavePage {
    json(
        app.get(&format!("/api/enclaves?{query}"), token).await,
        StatusCode::OK,
    )
    .await
}

fn site(
    name: &str,
    street: &str,
    postcode: &str,
    municipality: &str,
    lat: f64,
    lon: f64,
) -> EnclaveSpec {
    EnclaveSpec {
        site_name: name.into(),
        street: street.into(),
        postcode: postcode.into(),
        municipality: municipality.into(),
        latitude: lat,
        longitude: lon,
        ..EnclaveSpec::default()
    }
}

async fn text_search_ignores_accents_and_case(backend: Backend) {
    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier De Kouter", None);
    let host = f.organisation(
        OrganisationKind::RegularCompany,
        "Brasserie Élégance NV",
        None,
    );
    let other = f.organisation(OrganisationKind::RegularCompany, "Peeters Verpakking", None);
    let target = f.enclave(
        &mwb,
        &host,
        site("Hal Zuid", "Sluisweg 4", "8000", "Brugge", 51.2, 3.22),
    );
    f.enclave(
        &mwb,
        &other,
        site("Magazijn", "Kerkstraat 9", "9000", "Gent", 51.05, 3.71),
    );

    for q in [
        "elegance",
        "ÉLÉGANCE",
        "brasserie eleg",
        "sluisweg",
        "brugge",
        "hal zuid",
    ] {
        let page = search(&app, &token, &format!("q={}", urlencode(q))).await;
        let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
        assert_eq!(ids, vec![target.id.clone()], "query {q:?}");
    }
    // The maatwerkbedrijf's name finds both its enclaves, in name order of the host.
    let page = search(&app, &token, "q=kouter").await;
    let hosts: Vec<&str> = page.items.iter().map(|e| e.host.name.as_str()).collect();
    assert_eq!(hosts, ["Brasserie Élégance NV", "Peeters Verpakking"]);
    assert!(
        page.items
            .iter()
            .all(|e| e.latitude != 0.0 && e.longitude != 0.0)
    );
    // Words match at their start; punctuation (including SQL wildcards) is ignored.
    assert!(search(&app, &token, "q=legance").await.items.is_empty());
    assert_eq!(search(&app, &token, "q=%25").await.items.len(), 2);
    assert_eq!(search(&app, &token, "q=brugge%25_").await.items.len(), 1);
    assert!(
        search(&app, &token, "q=nothing-like-this")
            .await
            .items
            .is_empty()
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn enterprise_number_search_accepts_every_spelling(backend: Backend) {
    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let number = EnterpriseNumber::from_base(1_234_567).unwrap();
    assert_eq!(number.to_string(), "0123.456.749");
    let recent = EnterpriseNumber::from_base(10_234_567).unwrap();
    let mwb = f.organisation(
        OrganisationKind::Maatwerkbedrijf,
        "Werkplaats Linde",
        Some(recent.digits()),
    );
    let host = f.organisation(
        OrganisationKind::RegularCompany,
        "Janssens Metaal",
        Some(number.digits()),
    );
    let other = f.organisation(OrganisationKind::RegularCompany, "Maes Hout", None);
    let at_host = f.enclave(&mwb, &host, EnclaveSpec::default());
    let elsewhere = f.enclave(&mwb, &other, EnclaveSpec::default());

    for spelling in [
        "0123.456.749",
        "BE0123456749",
        "be 0123 456 749",
        "0123456749",
        "123456749",
    ] {
        let page = search(
            &app,
            &token,
            &format!("enterprise_number={}", urlencode(spelling)),
        )
        .await;
        let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
        assert_eq!(ids, vec![at_host.id.clone()], "spelling {spelling:?}");
        assert_eq!(
            page.items[0].host.enterprise_number.as_deref(),
            Some("0123.456.749")
        );
    }
    // The maatwerkbedrijf's number (one starting with 1) finds all of its enclaves.
    let page = search(
        &app,
        &token,
        &format!("enterprise_number={}", recent.digits()),
    )
    .await;
    let ids: HashSet<String> = page.items.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        ids,
        HashSet::from([at_host.id.clone(), elsewhere.id.clone()])
    );

    for bad in ["0123.456.748", "2123456749", "01234", "0123.456.74x"] {
        let res = app
            .get(
                &format!("/api/enclaves?enterprise_number={}", urlencode(bad)),
                &token,
            )
            .await;
        assert_error(
            res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_enterprise_number",
        )
        .await;
    }
}

async fn near_search_orders_by_distance_within_the_radius(backend: Backend) {
    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Maatwerk Noord", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Host", None);
    let antwerpen = f.enclave(
        &mwb,
        &host,
        site("A", "s", "2000", "Antwerpen", 51.2194, 4.4025),
    );
    let gent = f.enclave(&mwb, &host, site("G", "s", "9000", "Gent", 51.0543, 3.7174));
    let brugge = f.enclave(
        &mwb,
        &host,
        site("B", "s", "8000", "Brugge", 51.2093, 3.2247),
    );

    let page = search(&app, &token, "near=51.05,3.72&radius_km=45").await;
    let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids, vec![gent.id.clone(), brugge.id.clone()]);
    let d: Vec<f64> = page.items.iter().map(|e| e.distance_km.unwrap()).collect();
    assert!(d[0] < 1.0 && (36.0..40.0).contains(&d[1]), "{d:?}");

    let page = search(&app, &token, "near=51.05,3.72&radius_km=80").await;
    let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        ids,
        vec![gent.id.clone(), brugge.id.clone(), antwerpen.id.clone()]
    );
}

async fn pagination_has_no_gaps_or_repeats(backend: Backend) {
    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Maatwerk Paging", None);
    let mut all = HashSet::new();
    for i in 0..23 {
        // Some hosts share a name, so the cursor must break ties by id.
        let host = f.organisation(
            OrganisationKind::RegularCompany,
            &format!("Host {}", i % 5),
            None,
        );
        let e = f.enclave(
            &mwb,
            &host,
            site(
                "Site",
                "s",
                "9000",
                "Gent",
                51.05 + f64::from(i) * 0.001,
                3.72,
            ),
        );
        all.insert(e.id);
    }
    for mode in ["q=maatwerk+paging", "near=51.05,3.72&radius_km=20", ""] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut q = format!("{mode}&limit=7");
            if let Some(c) = &cursor {
                q.push_str(&format!("&cursor={c}"));
            }
            let page = search(&app, &token, &q).await;
            pages += 1;
            assert!(page.items.len() <= 7);
            seen.extend(page.items.iter().map(|e| e.id.to_string()));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(pages, 4, "mode {mode:?}");
        assert_eq!(seen.len(), 23, "no repeats, mode {mode:?}");
        assert_eq!(
            seen.iter().cloned().collect::<HashSet<_>>(),
            all,
            "no gaps, mode {mode:?}"
        );
    }
    // A cursor from a text search is refused for a near search.
    let page = search(&app, &token, "q=maatwerk&limit=7").await;
    let res = app
        .get(
            &format!(
                "/api/enclaves?near=51.05,3.72&cursor={}",
                page.next_cursor.unwrap()
            ),
            &token,
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

async fn unknown_or_malformed_ids_are_404(backend: Backend) {
    let (app, token) = setup(backend).await;
    let res = app
        .get(&format!("/api/enclaves/{}", uuid::Uuid::new_v4()), &token)
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(
        app.get("/api/enclaves/not-a-uuid", &token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn bad_search_parameters_are_400(backend: Backend) {
    let (app, token) = setup(backend).await;
    for q in [
        "near=91,3",
        "near=abc",
        "near=51,3&radius_km=0",
        "limit=0",
        "limit=101",
        "limit=-1",
    ] {
        let res = app.get(&format!("/api/enclaves?{q}"), &token).await;
        assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    // Well-formed, but two search modes, or a cursor this server did not give.
    for q in ["q=x&near=51,3", "cursor=@@@"] {
        let res = app.get(&format!("/api/enclaves?{q}"), &token).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    // Empty fields are no fields.
    let res = app
        .get(
            "/api/enclaves?q=&enterprise_number=&near=51,3&cursor=",
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let e = app.fixture().simple_enclave("Host");
    for q in ["on=2024-13-01", "at=25:00"] {
        let res = app
            .get(&format!("/api/enclaves/{}?{q}", e.id), &token)
            .await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    for q in ["at=9u", "on=yesterday"] {
        let res = app
            .get(&format!("/api/enclaves/{}?{q}", e.id), &token)
            .await;
        assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    }
}

async fn inspectors_see_only_their_provinces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Maatwerk", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Host", None);
    let gent = f.enclave(&mwb, &host, site("G", "s", "9000", "Gent", 51.05, 3.72));
    let hasselt = f.enclave(&mwb, &host, site("H", "s", "3500", "Hasselt", 50.93, 5.33));

    let lim = app
        .user("lim", Role::Inspector, &[Province::Limburg])
        .await
        .token;
    let page = search(&app, &lim, "q=host").await;
    let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids, vec![hasselt.id.clone()]);
    assert_eq!(
        app.get(&format!("/api/enclaves/{}", hasselt.id), &lim)
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.get(&format!("/api/enclaves/{}", gent.id), &lim).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Reviewers are not restricted by region.
    let rev = app
        .user("rev", Role::Reviewer, &[Province::Limburg])
        .await
        .token;
    assert_eq!(search(&app, &rev, "q=host").await.items.len(), 2);
    assert_eq!(
        app.get(&format!("/api/enclaves/{}", gent.id), &rev)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn the_lookup_index_picks_up_register_changes(backend: Backend) {
    let max_age = std::time::Duration::from_millis(300);
    let app = TestApp::spawn_with(backend, |c| c.lookup_index_max_age = max_age).await;
    let token = app.inspector().await.token;
    let f = app.fixture();
    f.simple_enclave("Eerste Host");
    assert_eq!(search(&app, &token, "q=eerste").await.items.len(), 1);
    // A change written behind the server's back (another instance, an import) shows up
    // once the index's maximum age has passed.
    f.simple_enclave("Tweede Host");
    tokio::time::sleep(max_age + std::time::Duration::from_millis(100)).await;
    assert_eq!(search(&app, &token, "q=tweede").await.items.len(), 1);
    assert_eq!(search(&app, &token, "q=host").await.items.len(), 2);
}

/// The establishment unit number an enclave page shows finds that enclave, typed in the
/// search box (`q`) or sent as a number (as the PWA does for anything number-like).
async fn establishment_unit_number_finds_the_site(backend: Backend) {
    use diesel::prelude::*;
    use server::db::schema::enclaves;
    use shared::rules::enterprise_number::EstablishmentUnitNumber;

    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Werkplaats Linde", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Janssens Metaal", None);
    let site = f.enclave(&mwb, &host, EnclaveSpec::default());
    f.enclave(&mwb, &host, EnclaveSpec::default());
    let unit = EstablishmentUnitNumber::from_base(21_234_567).unwrap();
    let mut conn = app.db.get().unwrap();
    diesel::update(enclaves::table.filter(enclaves::id.eq(&site.id)))
        .set((
            enclaves::establishment_unit_number.eq(Some(unit.digits())),
            // A newer stamp: the lookup index sees the register changed.
            enclaves::updated_at.eq(site.updated_at + chrono::Duration::minutes(1)),
        ))
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    let shown = unit.to_string();
    let detail: shared::dto::enclave::EnclaveDetail = json(
        app.get(&format!("/api/enclaves/{}", site.id), &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        detail.site.establishment_unit_number.as_deref(),
        Some(shown.as_str())
    );
    for query in [
        format!("q={}", urlencode(&shown)),
        format!("q={}", unit.digits()),
        format!("enterprise_number={}", urlencode(&shown)),
    ] {
        let page = search(&app, &token, &query).await;
        let ids: Vec<String> = page.items.iter().map(|e| e.id.to_string()).collect();
        assert_eq!(ids, vec![site.id.clone()], "{query}");
    }
}

/// Today's registrations live in the lookup index; one imported through this instance is on
/// the enclave page and in the search results' check 2 at once, however long the index may
/// otherwise go without looking.
async fn an_imported_registration_is_on_the_enclave_page_at_once(backend: Backend) {
    use chrono::{Days, Utc};
    use shared::dto::enclave::EnclaveDetail;
    use shared::dto::import::ImportReport;
    use shared::rules::time::belgian_local;
    use shared::rules::verdict::{ReasonCode, Verdict};

    let app = TestApp::spawn_with(backend, |c| {
        c.lookup_index_max_age = std::time::Duration::from_secs(600);
    })
    .await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Drukkerij Vandaag");
    let adam = app.admin().await;
    let ines = app.inspector().await.token;
    let page = async || -> EnclaveDetail {
        json(
            app.get(&format!("/api/enclaves/{}", enclave.id), &ines)
                .await,
            StatusCode::OK,
        )
        .await
    };
    let unregistered = |v: &Verdict| {
        v.reasons
            .iter()
            .any(|r| r.code == ReasonCode::NoRegistration)
    };
    let searched = async || {
        let page = search(&app, &ines, "q=vandaag").await;
        assert_eq!(page.items.len(), 1);
        page.items[0]
            .checks
            .clone()
            .expect("search results carry checks")
    };

    let before = page().await;
    assert!(before.registration.is_none());
    assert!(unregistered(&before.checks.daily_registration));
    assert!(unregistered(&searched().await.daily_registration));

    let today = belgian_local(Utc::now()).date();
    let evening_before = today - Days::new(1);
    let file = format!(
        "enclave,datum,geregistreerd,aanvang,personeelsnummer,naam,rol\n\
         {id},{today},{evening_before} 20:00,07:00,B-001,Bart Claes,supervisor\n\
         {id},{today},{evening_before} 20:00,07:00,P-001,An Peeters,worker\n",
        id = enclave.id
    );
    let report: ImportReport = json(
        adam.upload("/api/imports/registrations", file).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((report.added, report.problems.len()), (1, 0), "{report:?}");

    let after = page().await;
    let registration = after.registration.expect("today's registration");
    assert_eq!(registration.work_date, today);
    let mut names: Vec<&str> = registration
        .members
        .iter()
        .map(|m| m.display_name.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["An Peeters", "Bart Claes"]);
    assert!(!unregistered(&after.checks.daily_registration));
    assert_eq!(
        searched().await.daily_registration,
        after.checks.daily_registration
    );
}

/// Registrations written behind this instance's back (another instance, a script) are on the
/// enclave page once the index's maximum age has passed: a new registration, and a member
/// added to one already shown.
async fn registrations_written_elsewhere_show_within_the_maximum_age(backend: Backend) {
    use chrono::{NaiveTime, Utc};
    use shared::dto::enclave::EnclaveDetail;
    use shared::dto::registration::MemberRole;
    use shared::rules::time::belgian_local;

    let max_age = std::time::Duration::from_millis(300);
    let app = TestApp::spawn_with(backend, |c| c.lookup_index_max_age = max_age).await;
    let f = app.fixture();
    let ines = app.inspector().await.token;
    let enclave = f.simple_enclave("Drukkerij Elders");
    let page = async || -> EnclaveDetail {
        json(
            app.get(&format!("/api/enclaves/{}", enclave.id), &ines)
                .await,
            StatusCode::OK,
        )
        .await
    };
    assert!(page().await.registration.is_none());

    let now = belgian_local(Utc::now());
    let registration = f.registration(
        &enclave,
        now.date(),
        now - chrono::Duration::hours(1),
        NaiveTime::from_hms_opt(23, 59, 0).expect("time"),
        &[MemberRole::Supervisor],
    );
    tokio::time::sleep(max_age + std::time::Duration::from_millis(100)).await;
    let shown = page().await.registration.expect("the new registration");
    assert_eq!(shown.members.len(), 1);

    let other = f.registration(
        &f.simple_enclave("Drukkerij Anders"),
        now.date(),
        now - chrono::Duration::hours(1),
        NaiveTime::from_hms_opt(23, 59, 0).expect("time"),
        &[MemberRole::Worker],
    );
    let (person, _) = f.members(&other).remove(0);
    f.add_member(&registration, &person, MemberRole::Worker);
    tokio::time::sleep(max_age + std::time::Duration::from_millis(100)).await;
    let shown = page().await.registration.expect("the registration");
    assert_eq!(shown.members.len(), 2);
}

/// Search results are joined from JSON rendered once per change of the register or the day's
/// registrations: the answer is byte for byte what serde writes for it, and each result's
/// checks are the enclave page's for today, at any hour of the day.
async fn rendered_results_equal_the_serde_built_answer_and_hold_all_day(backend: Backend) {
    use chrono::{Days, Utc};
    use shared::dto::contract::ContractStatus;
    use shared::dto::enclave::EnclaveDetail;
    use shared::dto::import::ImportReport;
    use shared::rules::time::belgian_local;
    use tests::fixture::ContractSpec;

    let (app, token) = setup(backend).await;
    let f = app.fixture();
    let registered = f.simple_enclave("Bakkerij \"De Ster\" Ruiselede");
    let without_supervisor = f.simple_enclave("Garage Élan");
    f.simple_enclave("Houthandel Noord");
    let rejected = f.simple_enclave("Kwekerij Zuid");
    f.contract(&registered, ContractSpec::default());
    f.contract(&without_supervisor, ContractSpec::default());
    f.contract(
        &rejected,
        ContractSpec {
            status: ContractStatus::Rejected,
            rejection_reason: Some("Onvolledig dossier".into()),
            ..ContractSpec::default()
        },
    );
    let today = belgian_local(Utc::now()).date();
    let evening_before = today - Days::new(1);
    let file = format!(
        "enclave,datum,geregistreerd,aanvang,personeelsnummer,naam,rol\n\
         {a},{today},{evening_before} 20:00,07:00,B-001,Bart Claes,supervisor\n\
         {a},{today},{evening_before} 20:00,07:00,P-001,An Peeters,worker\n\
         {b},{today},{evening_before} 21:30,06:30,P-002,Els Wouters,worker\n",
        a = registered.id,
        b = without_supervisor.id,
    );
    let report: ImportReport = json(
        app.admin()
            .await
            .upload("/api/imports/registrations", file)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((report.added, report.problems.len()), (2, 0), "{report:?}");

    for query in ["limit=100", "q=e", "near=51.0,3.7&radius_km=250&limit=2"] {
        let response = app.get(&format!("/api/enclaves?{query}"), &token).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{query}"
        );
        let body = response.bytes().await.expect("a body");
        let page: EnclavePage = serde_json::from_slice(&body).expect("a page");
        assert!(!page.items.is_empty(), "{query}");
        assert_eq!(
            String::from_utf8_lossy(&body),
            serde_json::to_string(&page).expect("serialisable"),
            "{query}"
        );
        for item in &page.items {
            let checks = item.checks.clone().expect("search results carry checks");
            for at in ["", "&at=00:00", "&at=23:59"] {
                let detail: EnclaveDetail = json(
                    app.get(&format!("/api/enclaves/{}?on={today}{at}", item.id), &token)
                        .await,
                    StatusCode::OK,
                )
                .await;
                assert_eq!(detail.checks, checks, "{} {at}", item.id);
            }
        }
    }
    let all = search(&app, &token, "limit=100").await;
    let statuses: HashSet<_> = all
        .items
        .iter()
        .flat_map(|i| {
            let c = i.checks.as_ref().expect("checks");
            [c.contract_filed.status, c.daily_registration.status]
        })
        .collect();
    assert!(statuses.len() >= 2, "varied verdicts: {statuses:?}");
}
