//! The reviewers' queue in the browser: a reviewer opens the queue, finds the two submitted
//! inspections, cannot return one without a comment, returns one with a comment, moves on with
//! "next" and approves the other from the keyboard, and the queue is empty; the server holds
//! both decisions. The review page shows the enclave's earlier inspection and how the
//! comparable case was concluded.
//!
//! The reviewer's whole path on a laptop (1366×768) and on a tablet (800×1280): the reports
//! whose notification is due soon, the queue filtered by typing (no Enter) and kept in the
//! address through a reload and "back", an inspection read in full (who was present,
//! the instruction answers, severity, a photo enlarged), its report for the file downloaded as
//! the server's PDF (on the laptop; read back by Poppler), returned, with the decision naming
//! the reviewer. An admin reads a review page but is offered no decision (its PDF, yes); the
//! inspector who wrote it reads it on a tablet, with no PDF to download there. Screenshots:
//! `$CARGO_TARGET_TMPDIR/review-page.png` (laptop) and `review-page-tablet.png`.

use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::inspection::{InspectionRecord, InspectionView, Measure};
use shared::dto::review::{ReviewDecision, ReviewState};
use shared::dto::sync::SyncRecord;
use tests::axe::small_controls;
use tests::driver::Browser;
use tests::json;
use tests::poppler::Poppler;
use tests::records::inspection;

use super::{ELEGANCE, PEETERS, PW, Scenario, USERNAME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_clears_the_queue() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("rita", PW, Role::Reviewer, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    // An earlier inspection of Élégance, already approved: history and a comparable case.
    let earlier = inspection(&s.elegance);
    let rita = {
        s.app
            .push(
                &ines,
                vec![SyncRecord::Inspection(Box::new(earlier.clone()))],
            )
            .await;
        let rita = s.app.login("rita", PW).await.access_token;
        let res = s
            .app
            .send(
                reqwest::Method::POST,
                &format!("/api/inspections/{}/review", earlier.id),
                Some(&rita),
                Some(&serde_json::json!({"decision": "approve", "version": 1})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        rita
    };
    drop(rita);
    let (first, second) = (inspection(&s.elegance), inspection(&s.peeters));
    for r in [&first, &second] {
        s.app
            .push(&ines, vec![SyncRecord::Inspection(Box::new(r.clone()))])
            .await;
    }

    b.sign_in(&s.url("/login"), "rita", PW).await;
    b.click("nav-review").await;
    b.until_path("/review").await;
    let items = b
        .until("both inspections are in the queue", async || {
            let items = b.all("queue-item").await;
            (items.len() == 2).then_some(items)
        })
        .await;
    // Newest first: the second one pushed.
    assert_eq!(
        b.attr(&items[0], "data-id").await.as_deref(),
        Some(second.id.to_string().as_str())
    );

    // Return without a comment: refused, with the reason on screen.
    b.ok("opening the newest", items[0].click().await).await;
    let state = b.find("review-state").await;
    assert_eq!(
        b.attr(&state, "data-state").await.as_deref(),
        Some("submitted")
    );
    // Where it was: the address line, no map.
    let address = b
        .until("the address line is shown", async || {
            let el = b.all("review-address").await.into_iter().next()?;
            let text = b.text(&el).await;
            text.contains("Kortrijk").then_some(text)
        })
        .await;
    assert!(address.contains(PEETERS), "{address}");
    b.find("review-position").await;
    b.click("return").await;
    b.find("review-comment-input").await;
    let alert = b
        .until("the refusal is shown", async || {
            let el = b
                .client
                .find(fantoccini::Locator::Css("[role=alert]"))
                .await
                .ok()?;
            Some(el)
        })
        .await;
    assert!(!b.text(&alert).await.trim().is_empty());
    b.type_into("review-comment-input", "Wie gaf de instructies?")
        .await;
    b.click("return").await;
    b.until("the inspection is returned", async || {
        let state = b.find("review-state").await;
        (b.attr(&state, "data-state").await.as_deref() == Some("returned")).then_some(())
    })
    .await;

    // On to the next one waiting: the only one left.
    b.click("review-next").await;
    b.until_path(&format!("/review/{}", first.id)).await;
    let history = b
        .until("the enclave's earlier inspection is listed", async || {
            let items = b
                .client
                .find_all(fantoccini::Locator::Css(
                    "[data-test=history] [data-test=queue-item]",
                ))
                .await
                .ok()?;
            (items.len() == 1).then_some(items)
        })
        .await;
    assert_eq!(
        b.attr(&history[0], "data-id").await.as_deref(),
        Some(earlier.id.to_string().as_str())
    );
    let comparable = b.find("comparable").await;
    let text = b.text(&comparable).await;
    assert!(text.contains("1×"), "comparable cases: {text}");
    // Approve it from the keyboard, then Enter on the focused "next": the queue is empty.
    b.press("a").await;
    b.until("the inspection is approved", async || {
        let state = b.find("review-state").await;
        (b.attr(&state, "data-state").await.as_deref() == Some("approved")).then_some(())
    })
    .await;
    b.until("the way on has the focus", async || {
        let focused = b
            .js("return document.activeElement.getAttribute('data-test')")
            .await;
        (focused.as_str() == Some("review-next")).then_some(())
    })
    .await;
    b.press("\u{E007}").await;
    b.until_path("/review").await;
    b.find("queue-empty").await;

    for (r, expected) in [
        (&first, ReviewState::Approved),
        (&second, ReviewState::Returned),
    ] {
        let view: InspectionView = json(
            s.app
                .get(&format!("/api/inspections/{}", r.id), &ines)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(view.review_state, expected);
    }
    let returned: InspectionView = json(
        s.app
            .get(&format!("/api/inspections/{}", second.id), &ines)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(returned.reviews[0].decision, ReviewDecision::Return);
    assert_eq!(returned.reviews[0].comment, "Wie gaf de instructies?");
    b.close().await;
}

/// An approved report not notified within 14 days stands out under "overdue"; the reviewer
/// records the notification on its page and it leaves that list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_report_is_notified() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("rita", PW, Role::Reviewer, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    let rita = s.app.login("rita", PW).await.access_token;
    let mut report = inspection(&s.peeters);
    report.on = report.on - chrono::Days::new(20);
    report.conclusion.measure = Measure::ReportProposed;
    report.conclusion.deadline = None;
    s.app
        .push(
            &ines,
            vec![SyncRecord::Inspection(Box::new(report.clone()))],
        )
        .await;
    let res = s
        .app
        .send(
            reqwest::Method::POST,
            &format!("/api/inspections/{}/review", report.id),
            Some(&rita),
            Some(&serde_json::json!({"decision": "approve", "version": 1})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    b.sign_in(&s.url("/login"), "rita", PW).await;
    b.click("nav-review").await;
    b.until_path("/review").await;
    b.find("queue-state").await;
    b.js(
        "const e = document.querySelector('[data-test=queue-state]'); e.value = 'overdue'; \
          e.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    let item = b
        .until("the overdue report is listed, marked", async || {
            let items = b
                .client
                .find_all(fantoccini::Locator::Css(
                    "[data-test=queue-item]:has([data-test=report-overdue])",
                ))
                .await
                .ok()?;
            (items.len() == 1)
                .then(|| items.into_iter().next())
                .flatten()
        })
        .await;
    b.ok("opening it", item.click().await).await;
    b.find("report-deadline").await;
    let on = report.on + chrono::Days::new(16);
    b.find("report-notified-on").await;
    b.js(&format!(
        "const e = document.querySelector('[data-test=report-notified-on]'); e.value = '{on}'; \
         e.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
    b.click("report-notified").await;
    b.until("the notification is shown", async || {
        b.all("report-notified").await.is_empty().then_some(())
    })
    .await;
    let view: InspectionView = json(
        s.app
            .get(&format!("/api/inspections/{}", report.id), &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.report_notified_on, Some(on));
    b.goto(&s.url("/review")).await;
    b.find("queue-state").await;
    b.js(
        "const e = document.querySelector('[data-test=queue-state]'); e.value = 'overdue'; \
          e.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    b.find("queue-empty").await;
    b.close().await;
}

/// A user whose display name differs from the username, as `enclave-inspect user add` makes.
fn named_user(s: &Scenario, username: &str, display_name: &str, role: Role) {
    let hash = server::auth::password::hash(PW).expect("hash");
    let mut conn = s.app.db.get().expect("connection");
    server::db::repo::users::insert(&mut conn, username, display_name, role, &hash, &[])
        .expect("user");
}

/// The ids the queue lists, once they are `expected` (in any order).
async fn until_queue(b: &Browser, what: &str, expected: &[uuid::Uuid]) {
    let mut expected: Vec<String> = expected.iter().map(|i| i.to_string()).collect();
    expected.sort();
    b.until(what, async || {
        let mut ids = Vec::new();
        for item in b.all("queue-item").await {
            ids.push(item.attr("data-id").await.ok()??);
        }
        ids.sort();
        (ids == expected).then_some(())
    })
    .await
}

/// A report proposed at Peeters on `on`, pushed by the inspector (`ines`) and approved by the
/// reviewer (`rita`): its notification is due 14 days after the approval.
async fn approved_report(
    s: &Scenario,
    ines: &str,
    rita: &str,
    on: chrono::NaiveDate,
) -> InspectionRecord {
    let mut report = inspection(&s.peeters);
    report.on = on;
    report.conclusion.measure = Measure::ReportProposed;
    report.conclusion.deadline = None;
    s.app
        .push(ines, vec![SyncRecord::Inspection(Box::new(report.clone()))])
        .await;
    let res = s
        .app
        .send(
            reqwest::Method::POST,
            &format!("/api/inspections/{}/review", report.id),
            Some(rita),
            Some(&serde_json::json!({"decision": "approve", "version": 1})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "approving the report");
    report
}

/// Pushes an inspection of `enclave` whose host staff gives the instructions, with a named
/// begeleider present and a finding of high severity with one photo (uploaded).
async fn inspection_with_photo(s: &Scenario, token: &str, enclave: &str) -> InspectionRecord {
    use sha2::{Digest, Sha256};
    let png = include_bytes!("../../app/static/icons/icon-512.png").to_vec();
    let sha = format!("{:x}", Sha256::digest(&png));
    let res = s
        .app
        .client
        .put(format!("{}/api/attachments/{sha}", s.app.base_url))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());
    let mut record = serde_json::to_value(inspection(enclave)).expect("json");
    // As JSON, so that this holds whether the answers are optional or not.
    record["instructions"] = serde_json::json!({
        "given_by": "host_staff",
        "host_assigns_tasks": true,
        "supervisor_whole_shift": false,
        "note": "De ploegbaas van de gastonderneming verdeelt het werk."
    });
    record["present"] = serde_json::json!([{
        "person_id": uuid::Uuid::new_v4(),
        "role": "supervisor",
        "name": "Stijn Vermeulen",
        "staff_ref": "P-1042"
    }]);
    record["findings"] = serde_json::json!([{
        "id": uuid::Uuid::new_v4(),
        "check": "supervisor_present",
        "category": "begeleiding",
        "severity": "high",
        "text": "Geen begeleider te zien in hal 2.",
        "photos": [{ "sha256": sha, "content_type": "image/png", "bytes": png.len() }]
    }]);
    let record: shared::dto::inspection::InspectionRecord =
        serde_json::from_value(record).expect("a record");
    let pushed = s
        .app
        .push(
            token,
            vec![SyncRecord::Inspection(Box::new(record.clone()))],
        )
        .await;
    assert!(
        matches!(
            pushed.results[0].outcome,
            shared::dto::sync::PushOutcome::Applied { .. }
        ),
        "{:?}",
        pushed.results[0].outcome
    );
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_walks_the_queue_on_a_laptop_and_a_tablet() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    named_user(&s, "rita", "Rita Claes", Role::Reviewer);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    let rita = s.app.login("rita", PW).await.access_token;
    let today = tests::dates::today();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut due = Vec::new();
    b.sign_in(&s.url("/login"), "rita", PW).await;
    b.find("nav-review").await;

    for (device, width, height, shot) in [
        ("laptop", 1366, 768, "review-page.png"),
        ("tablet", 800, 1280, "review-page-tablet.png"),
    ] {
        b.set_viewport(width, height).await;
        // To review: one at Élégance (with a photo), one at Peeters; and an approved report
        // at Peeters whose notification is due in 4 days.
        let mine = inspection_with_photo(&s, &ines, &s.elegance).await;
        let other = inspection(&s.peeters);
        s.app
            .push(&ines, vec![SyncRecord::Inspection(Box::new(other.clone()))])
            .await;
        let report = approved_report(&s, &ines, &rita, today - chrono::Days::new(10)).await;
        due.push(report.id);

        // Reports due soon, with their deadline.
        b.goto(&s.url("/review")).await;
        b.choose("queue-state", "due").await;
        until_queue(&b, "the reports due soon", &due).await;
        let item = b
            .client
            .find(fantoccini::Locator::Css(&format!(
                "[data-test=queue-item][data-id='{}']",
                report.id
            )))
            .await;
        let item = b.ok("the report due soon", item).await;
        let deadline = report.on + chrono::Days::new(14);
        let text = b.text(&item).await;
        assert!(
            text.contains(&deadline.format("%d/%m/%Y").to_string()),
            "{device}: {text}"
        );
        let left = item
            .find(fantoccini::Locator::Css("[data-test=report-due-in]"))
            .await;
        let left = b.ok("the days left", left).await;
        assert_eq!(b.text(&left).await.trim(), "nog 4 dagen", "{device}");
        b.full_page_screenshot(&dir, &format!("review-due-{device}.png"))
            .await;
        let count = b.find("queue-count").await;
        let expected = format!("1–{n} van {n}", n = due.len());
        assert_eq!(b.text(&count).await.trim(), expected, "{device}");

        if device == "tablet" {
            assert_eq!(small_controls(&b).await, Vec::new(), "queue");
        }
        // Typing filters the queue, no Enter needed; the filters are in the address.
        b.choose("queue-state", "submitted").await;
        b.find("queue-typing-hint").await;
        let search = b.find("queue-search").await;
        b.ok("typing", search.send_keys("elegance").await).await;
        until_queue(&b, "only the Élégance inspection", &[mine.id]).await;
        let url = b.ok("the URL", b.client.current_url().await).await;
        assert_eq!(url.path(), "/review", "{device}");
        let query = url.query().unwrap_or_default().to_owned();
        assert!(
            query.contains("state=submitted") && query.contains("q=elegance"),
            "{device}: {query}"
        );
        // A reload keeps them.
        b.goto(url.as_str()).await;
        until_queue(&b, "the same list after a reload", &[mine.id]).await;
        let value = b
            .js("return document.querySelector('[data-test=queue-search]').value")
            .await;
        assert_eq!(value.as_str(), Some("elegance"), "{device}");
        let value = b
            .js("return document.querySelector('[data-test=queue-state]').value")
            .await;
        assert_eq!(value.as_str(), Some("submitted"), "{device}");

        // The inspection in full.
        let items = b.all("queue-item").await;
        b.ok("opening it", items[0].click().await).await;
        b.until_path(&format!("/review/{}", mine.id)).await;
        let by = b.find("review-inspector").await;
        assert_eq!(
            b.text(&by).await.trim(),
            USERNAME,
            "{device}: who inspected"
        );
        // The record in full: who was present, the instruction answers, the finding's
        // severity (no stray colon), its photo that enlarges.
        let present = b.find("record-present").await;
        let text = b.text(&present).await;
        assert!(
            text.contains("Stijn Vermeulen") && text.contains("P-1042"),
            "{device}: {text}"
        );
        let given_by = b.find("record-given-by").await;
        assert_eq!(
            b.text(&given_by).await.trim(),
            "personeel van het gastbedrijf",
            "{device}"
        );
        let host_assigns = b.find("record-host-assigns").await;
        assert_eq!(b.text(&host_assigns).await.trim(), "ja", "{device}");
        let finding = b.find("record-finding").await;
        let text = b.text(&finding).await;
        assert!(text.contains("hoog"), "{device}: severity in {text}");
        let finding_text = b.find("record-finding-text").await;
        assert_eq!(
            b.text(&finding_text).await.trim(),
            "Geen begeleider te zien in hal 2.",
            "{device}"
        );
        let address = b
            .until("the address line", async || {
                let el = b.all("review-address").await.into_iter().next()?;
                let text = b.text(&el).await;
                text.contains(ELEGANCE).then_some(text)
            })
            .await;
        assert!(address.contains(ELEGANCE), "{address}");
        b.until("the photo's thumbnail is loaded", async || {
            let thumb = b.all("photo-thumb").await.into_iter().next()?;
            (b.attr(&thumb, "data-loaded").await.as_deref() == Some("true")).then_some(())
        })
        .await;
        b.click("photo-thumb").await;
        b.until("the photo is enlarged", async || {
            let shown = b
                .js(
                    "const i = document.querySelector('[data-test=lightbox] img'); \
                     return !!i && i.complete && i.naturalWidth > 0 \
                     && i.getBoundingClientRect().width > 300",
                )
                .await;
            shown.as_bool().unwrap_or(false).then_some(())
        })
        .await;
        if device == "laptop" {
            b.screenshot(&dir.join("review-photo-enlarged.png")).await;
        }
        if device == "tablet" {
            assert_eq!(small_controls(&b).await, Vec::new(), "photo");
        }
        // Keys go to the enlarged photo, not to the shortcuts behind it.
        b.press("a").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let state = b.find("review-state").await;
        assert_eq!(
            b.attr(&state, "data-state").await.as_deref(),
            Some("submitted"),
            "{device}: 'a' behind the photo approved nothing"
        );
        b.click("lightbox-close").await;
        b.until("the photo is closed", async || {
            b.all("lightbox").await.is_empty().then_some(())
        })
        .await;
        if device == "laptop" {
            // The report for the file: the server's PDF, downloaded with the reviewer's
            // session; it names the finding and the photo's hash.
            let downloads = tempfile::tempdir().expect("download dir");
            b.download_into(downloads.path()).await;
            // Up to the header's actions (the enlarged photo left the page scrolled, the
            // button under the sticky menu bar).
            b.js("window.scrollTo(0, 0)").await;
            b.click("report-pdf").await;
            let pdf = downloads.path().join(format!("inspectie-{}.pdf", mine.id));
            b.until("the report is downloaded", async || {
                // Chromium writes to another name and renames the file when it is complete.
                std::fs::read(&pdf)
                    .ok()?
                    .starts_with(b"%PDF-")
                    .then_some(())
            })
            .await;
            if let Some(reader) = Poppler::provide("reading the downloaded report") {
                let text = reader.text(&pdf);
                assert!(
                    text.contains("Geen begeleider te zien in hal 2.")
                        && text.contains(&mine.findings[0].photos[0].sha256),
                    "{text}"
                );
            }
        }

        if device == "tablet" {
            assert_eq!(small_controls(&b).await, Vec::new(), "review page");
        }
        // Returned, with the comment; the decision names the reviewer.
        b.type_into("review-comment-input", "Wie gaf de instructies in hal 2?")
            .await;
        b.click("return").await;
        let decision = b
            .until(
                "the return is listed with the reviewer's name",
                async || {
                    let el = b.all("review-decision").await.into_iter().next()?;
                    let text = b.text(&el).await;
                    text.contains("Rita Claes").then_some(text)
                },
            )
            .await;
        assert!(
            decision.contains("Teruggestuurd door"),
            "{device}: {decision}"
        );
        assert!(
            decision.contains("Wie gaf de instructies in hal 2?"),
            "{device}"
        );
        let state = b.find("review-state").await;
        assert_eq!(
            b.attr(&state, "data-state").await.as_deref(),
            Some("returned")
        );
        b.full_page_screenshot(&dir, shot).await;

        // Back to the queue as it was filtered: nothing left at Élégance.
        b.js("history.back()").await;
        b.until_path("/review").await;
        b.find("queue-empty").await;
        let value = b
            .js("return document.querySelector('[data-test=queue-search]').value")
            .await;
        assert_eq!(value.as_str(), Some("elegance"), "{device}");
    }
    let view: InspectionView = json(
        s.app
            .get(&format!("/api/inspections/{}", due[0]), &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.reviews[0].reviewer_name, "Rita Claes");
    b.close().await;
}

/// An admin reads an inspection on the review page: no approve or return, and "a" does not
/// approve it; the report's notification is not offered either (the server refuses admins).
/// The inspector who wrote the report is offered its notification, and no decision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_and_the_inspector_read_a_review_page_without_decisions() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("rita", PW, Role::Reviewer, &[]);
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    let rita = s.app.login("rita", PW).await.access_token;
    let open = inspection(&s.elegance);
    s.app
        .push(&ines, vec![SyncRecord::Inspection(Box::new(open.clone()))])
        .await;
    let report = approved_report(&s, &ines, &rita, inspection(&s.peeters).on).await;

    b.set_viewport(1366, 768).await;
    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.find("current-user").await;
    b.goto(&s.url(&format!("/review/{}", open.id))).await;
    b.find("review-read-only").await;
    b.find("record-finding").await;
    assert!(b.all("approve").await.is_empty(), "no approve button");
    assert!(b.all("return").await.is_empty(), "no return button");
    assert!(b.all("review-comment-input").await.is_empty());
    b.find("report-pdf").await;
    b.press("a").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let view: InspectionView = json(
        s.app
            .get(&format!("/api/inspections/{}", open.id), &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        view.review_state,
        ReviewState::Submitted,
        "'a' approved nothing"
    );

    b.goto(&s.url(&format!("/review/{}", report.id))).await;
    b.find("report-deadline").await;
    b.find("review-read-only").await;
    assert!(b.all("report-notified-on").await.is_empty());
    assert!(b.all("report-notified").await.is_empty());
    b.close().await;

    // The inspector who wrote the report reads the same page: no decision, but the
    // notification, with a labelled date field.
    let Some(b) = Browser::open().await else {
        return;
    };
    b.set_viewport(800, 1280).await;
    b.sign_in(&s.url("/login"), USERNAME, PW).await;
    b.find("current-user").await;
    b.goto(&s.url(&format!("/review/{}", report.id))).await;
    b.find("review-read-only").await;
    b.find("report-notified").await;
    assert!(b.all("approve").await.is_empty(), "no approve button");
    assert!(
        b.all("report-pdf").await.is_empty(),
        "no download of the team's names on a shared tablet"
    );
    let label = b
        .js(
            "const e = document.querySelector('[data-test=report-notified-on]'); \
             return e.labels.length ? e.labels[0].textContent.trim() : ''",
        )
        .await;
    assert!(
        label.as_str().is_some_and(|l| l.starts_with("Betekend op")),
        "{label}"
    );
    b.close().await;
}
