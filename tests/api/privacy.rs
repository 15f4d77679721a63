//! Privacy: every read of personal data leaves an audit row naming the user, the object and
//! the client; administrators filter, page and export the audit trail; the retention purge
//! deletes what is old (photo files included) and keeps what is recent, and a second run is
//! harmless; a person's data are found and exported for an access request, by admins only.

use std::collections::HashSet;

use chrono::{Days, NaiveTime, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use server::config::Retention;
use server::db::schema::{audit_events, inspections, people};
use server::photos::PhotoStore;
use server::retention::{Outcome, Purged, Trigger, purge};
use shared::dto::audit::AuditEvent;
use shared::dto::auth::Role;
use shared::dto::inspection::{InspectionRecord, PresentPerson};
use shared::dto::person::{PersonExport, PersonSummary};
use shared::dto::registration::MemberRole;
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::dates::local;
use tests::dates::today;
use tests::records::{inspection, photo};
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    reads_of_personal_data_are_audited,
    the_audit_trail_is_filtered_paged_and_exported,
    purge_deletes_what_is_old_and_keeps_what_is_recent,
    people_are_found_and_exported_for_access_requests,
    two_instances_purging_at_once_delete_everything_once,
);

const PW: &str = "a-long-test-password";

/// An inspector, a reviewer and an admin, logged in.
struct Users {
    app: TestApp,
    ines: String,
    rita: String,
    adam: String,
}

async fn users(backend: Backend) -> Users {
    let app = TestApp::spawn(backend).await;
    let ines = app.inspector().await.token;
    let rita = app.reviewer().await.token;
    let adam = app.admin().await.token;
    Users {
        app,
        ines,
        rita,
        adam,
    }
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, sha: &str) {
    let res = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());
}

/// Pushes an inspection; it must be applied.
async fn submit(app: &TestApp, token: &str, record: InspectionRecord) -> uuid::Uuid {
    let id = record.id;
    let answer = app
        .push(token, vec![SyncRecord::Inspection(Box::new(record))])
        .await;
    assert!(
        matches!(answer.results[0].outcome, PushOutcome::Applied { .. }),
        "{:?}",
        answer.results[0]
    );
    id
}

/// The audit events matching a query string, newest first.
async fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<AuditEvent> {
    json(
        app.get(&format!("/api/audit?{query}"), admin).await,
        StatusCode::OK,
    )
    .await
}

async fn reads_of_personal_data_are_audited(backend: Backend) {
    let Users {
        app,
        ines,
        rita,
        adam,
    } = users(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Bakkerij Peeters");
    f.registration(
        &enclave,
        today(),
        local("2020-01-01 06:00"),
        NaiveTime::from_hms_opt(23, 59, 0).expect("time"),
        &[MemberRole::Supervisor, MemberRole::Worker],
    );

    // The enclave page with the day's team.
    let res = app
        .get(&format!("/api/enclaves/{}", enclave.id), &ines)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A day without a registration names nobody: no row.
    let res = app
        .get(
            &format!("/api/enclaves/{}?on=2001-02-03", enclave.id),
            &ines,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reads = audit(
        &app,
        &adam,
        &format!("action=read&object_type=enclave&object_id={}", enclave.id),
    )
    .await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].actor_username.as_deref(), Some("ines"));
    assert_eq!(reads[0].client, "127.0.0.1");
    assert_eq!(reads[0].outcome, "success");
    assert!(
        reads[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("2 personen"))
    );

    // An inspection with a photo, read by a reviewer: the record, the photo, an export.
    let (bytes, reference) = photo(3_000, 7);
    upload(&app, &ines, bytes, &reference.sha256).await;
    let mut record = inspection(&enclave.id);
    record.findings[0].photos.push(reference.clone());
    let id = submit(&app, &ines, record).await;
    let res = app.get(&format!("/api/inspections/{id}"), &rita).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .get(&format!("/api/attachments/{}", reference.sha256), &rita)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get("/api/inspections?format=csv", &rita).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get("/api/inspections?format=xlsx", &rita).await;
    assert_eq!(res.status(), StatusCode::OK);

    let mine = audit(&app, &adam, "user=rita").await;
    let kinds: Vec<(&str, Option<&str>, Option<&str>)> = mine
        .iter()
        .filter(|e| e.action != "login")
        .map(|e| {
            (
                e.action.as_str(),
                e.object_type.as_deref(),
                e.object_id.as_deref(),
            )
        })
        .collect();
    let id = id.to_string();
    assert_eq!(
        kinds,
        vec![
            ("export", Some("inspections"), None),
            ("export", Some("inspections"), None),
            ("read", Some("attachment"), Some(reference.sha256.as_str())),
            ("read", Some("inspection"), Some(id.as_str())),
        ],
        "newest first: {mine:?}"
    );
    assert!(mine.iter().all(|e| e.client == "127.0.0.1"));
    assert!(
        mine[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("xlsx, 1 "))
    );
    assert!(
        mine[1]
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("csv, 1 "))
    );

    // A refused read leaves no read row.
    let other = app.user("other", Role::Inspector, &[]).await.token;
    let res = app.get(&format!("/api/inspections/{id}"), &other).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .get(&format!("/api/attachments/{}", reference.sha256), &other)
        .await;
    // Another inspector's photo is not found, as one never uploaded.
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert!(
        audit(&app, &adam, "user=other&action=read")
            .await
            .is_empty()
    );
}

async fn the_audit_trail_is_filtered_paged_and_exported(backend: Backend) {
    let Users {
        app, ines, adam, ..
    } = users(backend).await;
    // A hostile username in a failed login: its cell must not run as a formula.
    let res = app
        .try_login("=HYPERLINK(\"http://x\")", "wrong-password")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        app.login("ines", PW).await;
    }

    let logins = audit(&app, &adam, "action=login&user=ines").await;
    assert_eq!(logins.len(), 5, "{logins:?}");
    assert!(
        logins
            .iter()
            .all(|e| e.actor_username.as_deref() == Some("ines"))
    );
    let today = today();
    let yesterday = today - Days::new(1);
    assert_eq!(
        audit(
            &app,
            &adam,
            &format!("action=login&user=ines&from={today}&to={today}")
        )
        .await
        .len(),
        5
    );
    assert!(
        audit(&app, &adam, &format!("user=ines&to={yesterday}"))
            .await
            .is_empty()
    );
    assert!(
        audit(
            &app,
            &adam,
            &format!("user=ines&from={}", today + Days::new(1))
        )
        .await
        .is_empty()
    );

    // Paging by cursor: every event once, newest first.
    let all = audit(&app, &adam, "limit=500").await;
    assert!(all.len() >= 8, "{all:?}");
    let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut url = "/api/audit?limit=3".to_owned();
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let res = app.get(&url, &adam).await;
        let next = res
            .headers()
            .get("x-next-cursor")
            .map(|v| v.to_str().expect("ascii").to_owned());
        let page: Vec<AuditEvent> = json(res, StatusCode::OK).await;
        pages += 1;
        assert!(page.len() <= 3);
        seen.extend(page.into_iter().map(|e| e.id));
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected: Vec<_> = all.iter().map(|e| e.id).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, all.len().div_ceil(3));
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());

    // CSV: every match, cells neutralised.
    let res = app.get("/api/audit?format=csv&action=login", &adam).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].contains("tijdstip;gebruiker;client;actie"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        1 + 5 + 2 + 1,
        "header, ines, rita and adam, the failure: {csv}"
    );
    // (Usernames are stored in lower case.)
    assert!(
        csv.contains("\"'=hyperlink("),
        "the formula is shown as text: {csv}"
    );
    assert!(!csv.contains(";=hyperlink") && !csv.contains(";\"=hyperlink"));

    // Bad filters are refused with a reason; only admins read the trail.
    for query in [
        "from=26-11-2026",
        "to=yesterday",
        "limit=0",
        "limit=501",
        "format=xlsx",
    ] {
        let res = app.get(&format!("/api/audit?{query}"), &adam).await;
        assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    }
    // Well-formed, but not a range or not a cursor this server gave.
    for query in ["from=2026-02-01&to=2026-01-01", "cursor=nonsense"] {
        let res = app.get(&format!("/api/audit?{query}"), &adam).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    let res = app.get("/api/audit", &ines).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    // The OpenAPI document lists every status of these routes.
    let doc: serde_json::Value =
        json(app.get("/api/openapi.json", &adam).await, StatusCode::OK).await;
    for (path, statuses) in [
        (
            "/api/audit",
            &["200", "400", "401", "403", "422", "503"][..],
        ),
        ("/api/people", &["200", "400", "401", "403", "503"][..]),
        (
            "/api/people/{id}/export",
            &["200", "400", "401", "403", "404", "503"][..],
        ),
    ] {
        let responses = doc["paths"][path]["get"]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{path} is documented"));
        let mut documented: Vec<&str> = responses.keys().map(String::as_str).collect();
        documented.sort_unstable();
        assert_eq!(documented, statuses, "{path}");
    }
    let res = app
        .client
        .get(format!("{}/api/audit", app.base_url))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Sets an inspection's day and review state as if it had been done and decided long ago.
fn age_inspection(app: &TestApp, id: uuid::Uuid, on: chrono::NaiveDate, state: &str) {
    let mut conn = app.db.get().expect("connection");
    diesel::update(inspections::table.filter(inspections::id.eq(id.to_string())))
        .set((
            inspections::on_date.eq(on),
            inspections::review_state.eq(state),
        ))
        .execute(&mut *conn)
        .expect("aged");
}

async fn run_purge(app: &TestApp, dry_run: bool) -> Outcome {
    purge_on(&app.db, &app.photos, dry_run).await
}

async fn purge_on(db: &server::db::Db, photos: &PhotoStore, dry_run: bool) -> Outcome {
    purge(db, Retention::default(), photos, Trigger::Command, dry_run)
        .await
        .expect("purge")
}

async fn purge_deletes_what_is_old_and_keeps_what_is_recent(backend: Backend) {
    let Users {
        app,
        ines,
        rita,
        adam,
    } = users(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Drukkerij Oud");
    let start = NaiveTime::from_hms_opt(8, 0, 0).expect("time");
    let long_ago = today() - Days::new(3 * 365);
    let old = f.registration(
        &enclave,
        long_ago,
        local("2020-01-01 06:00"),
        start,
        &[MemberRole::Supervisor, MemberRole::Worker],
    );
    let recent = f.registration(
        &enclave,
        today(),
        local("2020-01-01 06:00"),
        start,
        &[MemberRole::Supervisor],
    );
    // The old team's supervisor is also in today's team: kept; the worker goes.
    let old_members = f.members(&old);
    let (kept_person, gone_person) = {
        let supervisor = old_members.iter().find(|(_, r)| r == "supervisor").unwrap();
        let worker = old_members.iter().find(|(_, r)| r == "worker").unwrap();
        (supervisor.0.clone(), worker.0.clone())
    };
    f.add_member(&recent, &kept_person, MemberRole::Supervisor);

    // Three inspections: old and approved (goes), old and still submitted (open work: kept),
    // recent and approved (kept). The old approved one has a photo of its own and one it
    // shares with the recent one.
    let (own_bytes, own) = photo(2_000, 1);
    let (shared_bytes, shared) = photo(2_500, 2);
    upload(&app, &ines, own_bytes, &own.sha256).await;
    upload(&app, &ines, shared_bytes, &shared.sha256).await;
    let mut a = inspection(&enclave.id);
    a.findings[0].photos = vec![own.clone(), shared.clone()];
    let a = submit(&app, &ines, a).await;
    let b = submit(&app, &ines, inspection(&enclave.id)).await;
    let mut c = inspection(&enclave.id);
    c.findings[0].photos = vec![shared.clone()];
    let c = submit(&app, &ines, c).await;
    let eleven_years_ago = today() - Days::new(11 * 365);
    age_inspection(&app, a, eleven_years_ago, "approved");
    age_inspection(&app, b, eleven_years_ago, "submitted");
    age_inspection(&app, c, today(), "approved");
    // An audit event from long ago, and one within the period.
    {
        let mut conn = app.db.get().expect("connection");
        diesel::update(audit_events::table.filter(audit_events::actor_username.eq("rita")))
            .set(audit_events::occurred_at.eq(Utc::now().naive_utc() - chrono::Duration::days(800)))
            .execute(&mut *conn)
            .expect("aged audit");
    }
    let own_file = app.attachments_dir().join(&own.sha256);
    let shared_file = app.attachments_dir().join(&shared.sha256);
    assert!(own_file.exists() && shared_file.exists());

    let expected = Purged {
        registrations: 1,
        people: 1,
        inspections: 1,
        photos: 1,
        audit_events: 1,
    };
    // A dry run says what would go and deletes nothing.
    assert_eq!(
        run_purge(&app, true).await,
        Outcome::DryRun(expected.clone())
    );
    assert!(own_file.exists());
    assert_eq!(
        app.get(&format!("/api/inspections/{a}"), &adam)
            .await
            .status(),
        StatusCode::OK
    );
    assert!(audit(&app, &adam, "action=purge").await.is_empty());

    assert_eq!(run_purge(&app, false).await, Outcome::Done(expected));
    // Gone: the old approved inspection, its own photo (file and row), the old registration,
    // the person only it named, the old audit event.
    assert_error(
        app.get(&format!("/api/inspections/{a}"), &adam).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(!own_file.exists(), "the photo file is deleted");
    assert_error(
        app.get(&format!("/api/attachments/{}", own.sha256), &adam)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let page: serde_json::Value = json(
        app.get(
            &format!("/api/enclaves/{}?on={long_ago}", enclave.id),
            &adam,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(page["registration"].is_null(), "{page}");
    assert_error(
        app.get(&format!("/api/people/{gone_person}/export"), &adam)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(audit(&app, &adam, "user=rita").await.is_empty());
    // Kept: open work, recent work, the shared photo, today's team and its old supervisor.
    for id in [b, c] {
        assert_eq!(
            app.get(&format!("/api/inspections/{id}"), &adam)
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert!(shared_file.exists());
    assert_eq!(
        app.get(&format!("/api/attachments/{}", shared.sha256), &adam)
            .await
            .status(),
        StatusCode::OK
    );
    let page: serde_json::Value = json(
        app.get(&format!("/api/enclaves/{}", enclave.id), &adam)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        page["registration"]["members"].as_array().map(Vec::len),
        Some(2)
    );
    let export: PersonExport = json(
        app.get(&format!("/api/people/{kept_person}/export"), &adam)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        export.registrations.len(),
        1,
        "only today's registration is left"
    );
    // The inspector's device pulls on without the purged inspection.
    let (changes, _) = app.pull_all(&ines, 500).await;
    assert!(changes.iter().all(|ch| ch.inspection_id != Some(a)));
    assert!(changes.iter().any(|ch| ch.inspection_id == Some(c)));

    // The purge is in the audit trail with its counts.
    let purges = audit(&app, &adam, "action=purge").await;
    assert_eq!(purges.len(), 1);
    let detail = purges[0].detail.as_deref().unwrap_or_default();
    assert!(
        detail.starts_with("1 registraties")
            && detail.contains("1 inspecties")
            && detail.contains("1 foto's"),
        "{detail}"
    );
    assert_eq!(purges[0].client, "command");

    // A second run finds nothing more and changes nothing.
    let people_before: i64 = {
        let mut conn = app.db.get().expect("connection");
        people::table.count().get_result(&mut *conn).expect("count")
    };
    assert_eq!(
        run_purge(&app, false).await,
        Outcome::Done(Purged::default())
    );
    let people_after: i64 = {
        let mut conn = app.db.get().expect("connection");
        people::table.count().get_result(&mut *conn).expect("count")
    };
    assert_eq!(people_before, people_after);
    assert!(shared_file.exists());
    assert_eq!(audit(&app, &adam, "action=purge").await.len(), 2);
    let _ = rita;
}

async fn people_are_found_and_exported_for_access_requests(backend: Backend) {
    let Users {
        app,
        ines,
        rita,
        adam,
    } = users(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Groothandel Janssens");
    let registration = f.registration(
        &enclave,
        today(),
        local("2020-01-01 06:00"),
        NaiveTime::from_hms_opt(23, 59, 0).expect("time"),
        &[MemberRole::Supervisor, MemberRole::Worker],
    );
    let (person, staff_ref) = {
        let worker = f
            .members(&registration)
            .into_iter()
            .find(|(_, r)| r == "worker")
            .unwrap()
            .0;
        let mut conn = app.db.get().expect("connection");
        diesel::update(people::table.filter(people::id.eq(&worker)))
            .set((
                people::display_name.eq("Sofie Vermeulen"),
                people::company_reference.eq("MW-4711"),
            ))
            .execute(&mut *conn)
            .expect("renamed");
        (worker, "MW-4711")
    };
    // An inspection ticks her present.
    let mut record = inspection(&enclave.id);
    record.present = vec![PresentPerson {
        person_id: person.parse().unwrap(),
        role: MemberRole::Worker,
        name: "Sofie Vermeulen".into(),
        staff_ref: staff_ref.into(),
    }];
    let inspection_id = submit(&app, &ines, record).await;
    // Another one only mentions her by name in a finding.
    let mut mention = inspection(&enclave.id);
    mention.findings[0].text = "Sofie Vermeulen werkte zonder begeleider.".into();
    let mention_id = submit(&app, &ines, mention).await;

    // Found by part of the name (case ignored) and by staff number.
    for q in ["vermeul", "mw-47"] {
        let found: Vec<PersonSummary> = json(
            app.get(&format!("/api/people?q={q}"), &adam).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(found.len(), 1, "{q}: {found:?}");
        assert_eq!(found[0].id.to_string(), person);
        assert_eq!(
            found[0].maatwerkbedrijf_name,
            "Maatwerk Groothandel Janssens"
        );
    }
    let none: Vec<PersonSummary> =
        json(app.get("/api/people?q=50%25_", &adam).await, StatusCode::OK).await;
    assert!(none.is_empty(), "% and _ are taken literally");

    let export: PersonExport = json(
        app.get(&format!("/api/people/{person}/export"), &adam)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(export.person.display_name, "Sofie Vermeulen");
    assert_eq!(export.person.company_reference, "MW-4711");
    assert_eq!(export.registrations.len(), 1);
    assert_eq!(
        export.registrations[0].registration_id.to_string(),
        registration.id
    );
    assert_eq!(export.registrations[0].role, MemberRole::Worker);
    assert_eq!(export.registrations[0].host_name, "Groothandel Janssens");
    assert_eq!(export.inspections.len(), 2);
    let ticked = export
        .inspections
        .iter()
        .find(|i| i.inspection_id == inspection_id)
        .expect("the inspection that ticked her");
    assert_eq!(
        ticked.present.as_ref().map(|p| p.staff_ref.as_str()),
        Some("MW-4711")
    );
    let named = export
        .inspections
        .iter()
        .find(|i| i.inspection_id == mention_id)
        .expect("the inspection that names her");
    assert!(named.present.is_none());

    // Both reads are in the audit trail.
    let searches = audit(&app, &adam, "action=search&object_type=person").await;
    assert_eq!(searches.len(), 3);
    let exports = audit(&app, &adam, &format!("action=export&object_id={person}")).await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].actor_username.as_deref(), Some("adam"));
    assert_eq!(exports[0].object_type.as_deref(), Some("person"));

    // Admins only; unknown and malformed ids are 404; a too short search is 400.
    for token in [&ines, &rita] {
        assert_error(
            app.get(&format!("/api/people/{person}/export"), token)
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        assert_error(
            app.get("/api/people?q=sofie", token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    for id in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_owned()] {
        assert_error(
            app.get(&format!("/api/people/{id}/export"), &adam).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    assert_error(
        app.get("/api/people?q=s", &adam).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_error(
        app.get("/api/people", &adam).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_eq!(
        audit(&app, &adam, "action=export&object_type=person")
            .await
            .len(),
        1,
        "refused requests leave no export row"
    );
}

async fn two_instances_purging_at_once_delete_everything_once(backend: Backend) {
    let Users { app, adam, .. } = users(backend).await;
    let other = app.another_instance(|_| {}).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Verpakking Twee");
    let start = NaiveTime::from_hms_opt(8, 0, 0).expect("time");
    for days in [800, 900, 1000] {
        f.registration(
            &enclave,
            today() - Days::new(days),
            local("2020-01-01 06:00"),
            start,
            &[MemberRole::Supervisor, MemberRole::Worker],
        );
    }
    let runs: Vec<_> = [
        (app.db.clone(), app.photos.clone()),
        (other.db.clone(), other.photos.clone()),
    ]
    .into_iter()
    .map(|(db, photos)| tokio::spawn(async move { purge_on(&db, &photos, false).await }))
    .collect();
    let mut outcomes = Vec::new();
    for run in runs {
        outcomes.push(run.await.expect("purge task"));
    }
    let deleted: Vec<&Purged> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Done(p) if *p != Purged::default() => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(
        deleted.len(),
        1,
        "one run deletes, the other finds nothing or skips: {outcomes:?}"
    );
    assert_eq!((deleted[0].registrations, deleted[0].people), (3, 6));
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Done(_) | Outcome::Skipped))
    );
    let purges = audit(&app, &adam, "action=purge").await;
    let done = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Done(_)))
        .count();
    assert_eq!(purges.len(), done, "one audit row per run that purged");
}
