//! The reviewers' queue in the browser: a reviewer opens the queue, finds the two submitted
//! inspections, cannot return one without a comment, returns one with a comment, moves on with
//! "next" and approves the other from the keyboard, and the queue is empty; the server holds
//! both decisions. The review page shows the enclave's earlier inspection and how the
//! comparable case was concluded.

use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::inspection::InspectionView;
use shared::dto::review::{ReviewDecision, ReviewState};
use shared::dto::sync::SyncRecord;
use tests::driver::Browser;
use tests::json;
use tests::records::inspection;

use super::{PEETERS, PW, Scenario, USERNAME};

/// Presses and releases a key on whatever has the focus (`\u{E007}` is Enter).
async fn press(b: &Browser, key: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let ch = key.chars().next().expect("a key");
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: ch })
        .then(KeyAction::Up { value: ch });
    let result = b.client.perform_actions(actions).await;
    b.ok(&format!("pressing {key:?}"), result).await;
}

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
    press(&b, "a").await;
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
    press(&b, "\u{E007}").await;
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
    use shared::dto::inspection::Measure;
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
