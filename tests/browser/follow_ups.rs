//! Follow-ups in the browser: the inspector, on a 10-inch tablet, opens *Opvolgingen* from the
//! field app's menu and finds their overdue warning marked and counted, and the one they
//! followed up with what it found; the reviewer, on a laptop, opens it from the office app's
//! menu, shows only the overdue ones (kept in the URL) and opens the inspection to review.
//! Offline, the inspector starts the follow-up of an overdue warning from the enclave page,
//! cannot submit it before saying of each shortcoming whether it was remedied, and once back
//! online finds it followed up. axe-core finds no serious violation and no control under
//! 44 px. Screenshots are saved as `$CARGO_TARGET_TMPDIR/follow-ups-{tablet,laptop,form,case-file}.png`.

use chrono::Days;
use shared::dto::auth::Role;
use shared::dto::inspection::{FollowUpRecord, InspectionRecord, Measure, Remedy};
use shared::dto::sync::{PushOutcome, SyncRecord};
use shared::rules::VerdictStatus;
use shared::rules::follow_up::shortcomings;
use std::time::Duration;

use tests::axe::audit;
use tests::dates::today;
use tests::driver::Browser;
use tests::field::{conclude, prepare_for_the_field, tap, until_all_synced, until_submitted};
use tests::proxy::Proxy;
use tests::records::inspection;

use super::{PW, Scenario, USERNAME};

/// A follow-up card as the page shows it.
#[derive(serde::Deserialize)]
struct Card {
    id: String,
    status: String,
    href: String,
    text: String,
}

/// The follow-up cards on the page, read in one script (never half of one drawing, half of
/// the next).
async fn cards_shown(b: &Browser) -> Vec<Card> {
    let read = b
        .js(
            "return [...document.querySelectorAll('[data-test=follow-up]')].map((c) => \
             ({ id: c.dataset.id, status: c.dataset.status, \
                href: c.getAttribute('href'), text: c.textContent }));",
        )
        .await;
    serde_json::from_value(read).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_and_reviewer_see_overdue_follow_ups_stand_out() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("rita", PW, Role::Reviewer, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    // A warning at Peeters 40 days ago, due 5 days ago and not followed up; one at Élégance
    // 30 days ago, followed up today with its finding remedied and check 2 not.
    let mut overdue = inspection(&s.peeters);
    overdue.on = today() - Days::new(40);
    overdue.conclusion.deadline = Some(today() - Days::new(5));
    let mut warned = inspection(&s.elegance);
    warned.on = today() - Days::new(30);
    warned.conclusion.deadline = Some(today() - Days::new(2));
    let mut later = inspection(&s.elegance);
    later.findings.clear();
    later.daily_registration.computed.status = VerdictStatus::Fail;
    later.conclusion.measure = Measure::RegularisationOrder;
    later.conclusion.deadline = Some(today() + Days::new(20));
    later.follows = Some(FollowUpRecord {
        inspection_id: warned.id,
        remedies: shortcomings(&warned)
            .into_iter()
            .enumerate()
            .map(|(i, shortcoming)| Remedy {
                shortcoming,
                remedied: i > 0,
            })
            .collect(),
    });
    let pushed = s
        .app
        .push(
            &ines,
            [&overdue, &warned, &later]
                .into_iter()
                .map(|r| SyncRecord::Inspection(Box::new(r.clone())))
                .collect(),
        )
        .await;
    for result in &pushed.results {
        assert!(
            matches!(result.outcome, PushOutcome::Applied { .. }),
            "{:?}",
            result.outcome
        );
    }
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut problems = Vec::new();

    // The inspector, on a tablet in portrait.
    b.set_viewport(800, 1280).await;
    b.sign_in(&s.url("/login"), USERNAME, PW).await;
    b.click("nav-follow-ups").await;
    b.until_path("/follow-ups").await;
    let cards = b
        .until("three follow-ups", async || {
            let cards = cards_shown(&b).await;
            (cards.len() == 3).then_some(cards)
        })
        .await;
    let statuses: Vec<&str> = cards.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["overdue", "not_remedied", "open"],
        "soonest due first"
    );
    let first = &cards[0].text;
    assert!(
        first.contains("Peeters Verpakking BV") && first.contains("achterstallig"),
        "{first}"
    );
    let count = b.text(&b.find("follow-up-count").await).await;
    assert_eq!(count, "Opvolgingen: 3 · achterstallig: 1");
    let result = b.text(&b.find("follow-up-result").await).await;
    assert!(result.contains("1 verholpen, 1 niet verholpen"), "{result}");
    assert_eq!(
        cards[0].href,
        format!("/enclaves/{}", s.peeters),
        "an inspector goes to the enclave, to inspect it again"
    );
    b.screenshot(&shots.join("follow-ups-tablet.png")).await;
    audit(&b, "follow-ups (inspector)", &mut problems).await;
    b.click("logout").await;
    b.find("login-username").await;

    // The reviewer, on a laptop: only the overdue one, kept in the URL, opened for review.
    b.set_viewport(1280, 900).await;
    b.sign_in(&s.url("/login"), "rita", PW).await;
    b.click("nav-follow-ups").await;
    b.until_path("/follow-ups").await;
    b.until("three follow-ups", async || {
        (cards_shown(&b).await.len() == 3).then_some(())
    })
    .await;
    b.click("only-overdue").await;
    let only = b
        .until("only the overdue one", async || {
            let cards = cards_shown(&b).await;
            (cards.len() == 1).then_some(cards)
        })
        .await;
    assert_eq!(only[0].id, overdue.id.to_string());
    b.until("the filter is in the URL", async || {
        let url = b.client.current_url().await.ok()?;
        url.query()
            .is_some_and(|q| q.contains("overdue=true"))
            .then_some(())
    })
    .await;
    b.screenshot(&shots.join("follow-ups-laptop.png")).await;
    audit(&b, "follow-ups (reviewer)", &mut problems).await;
    b.click("follow-up").await;
    b.until_path(&format!("/review/{}", overdue.id)).await;
    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A warning at Peeters 40 days ago (check 2 failed, one finding), due 5 days ago, pushed by
/// the inspector; and a proxy in front of the server, to take the network away.
pub(super) async fn overdue_warning_at_peeters(s: &Scenario) -> (InspectionRecord, Proxy) {
    let ines = s.app.login(USERNAME, PW).await.access_token;
    let mut warned = inspection(&s.peeters);
    warned.on = today() - Days::new(40);
    warned.conclusion.deadline = Some(today() - Days::new(5));
    s.app
        .push(
            &ines,
            vec![SyncRecord::Inspection(Box::new(warned.clone()))],
        )
        .await;
    let server = s.app.base_url.trim_start_matches("http://").to_owned();
    (warned, Proxy::start(&server).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_follows_up_an_overdue_warning_offline() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let (warned, proxy) = overdue_warning_at_peeters(&s).await;
    let base = proxy.base_url.clone();
    b.set_viewport(800, 1280).await;
    prepare_for_the_field(&b, &base, USERNAME, PW).await;

    // Offline: the follow-up came with the working set.
    proxy.set_online(false);
    b.goto(&format!("{base}/enclaves/{}", s.peeters)).await;
    let offered = b.find("enclave-follow-up").await;
    assert_eq!(
        b.attr(&offered, "data-status").await.as_deref(),
        Some("overdue")
    );
    let text = b.text(&offered).await;
    assert!(text.contains("achterstallig"), "{text}");
    // The case file is the server's: offline the page says so.
    b.find("case-file-offline").await;
    b.until("the device store is read", async || {
        let start = b.find("start-follow-up").await;
        b.attr(&start, "disabled").await.is_none().then_some(())
    })
    .await;
    b.click("start-follow-up").await;
    b.find("follow-up-step").await;
    let remedies = b.all("remedy").await;
    assert_eq!(remedies.len(), 2, "check 2 and the finding");
    let finding = b.text(&remedies[1]).await;
    assert!(
        finding.contains("Registratie pas na de start ingediend."),
        "{finding}"
    );
    conclude(&b).await;
    tap(&b, "submit").await;
    let problems = b.text(&b.find("problems").await).await;
    assert!(problems.contains("2 onbeantwoord"), "{problems}");

    // Check 2 not remedied, the finding remedied.
    for (name, nth) in [("not-remedied", 0), ("remedied", 1)] {
        b.js(&format!(
            "document.querySelectorAll('[data-test=\"{name}\"]')[{nth}].scrollIntoView({{ block: 'center' }})"
        ))
        .await;
        b.all(name).await[nth].click().await.expect("answered");
    }
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("follow-ups-form.png"))
        .await;
    let mut problems = Vec::new();
    audit(&b, "follow-up form", &mut problems).await;
    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    tap(&b, "submit").await;
    until_submitted(&b).await;
    let recorded = b.text(&b.find("record-follow-up").await).await;
    assert!(
        recorded.contains("1 verholpen, 1 niet verholpen"),
        "the submitted record says what was remedied: {recorded}"
    );

    // Back online: it syncs, and the warning is followed up, not remedied.
    proxy.set_online(true);
    until_all_synced(&b, &base, Duration::from_secs(60)).await;
    b.goto(&format!("{base}/follow-ups")).await;
    let card = b
        .until("the warning followed up", async || {
            let status = b
                .js(&format!(
                    "const card = document.querySelector('[data-test=follow-up][data-id=\"{}\"]'); \
                     return card ? card.dataset.status : null;",
                    warned.id
                ))
                .await;
            status.as_str().map(str::to_owned)
        })
        .await;
    assert_eq!(card, "not_remedied");
    let result = b.text(&b.find("follow-up-result").await).await;
    assert!(result.contains("1 verholpen, 1 niet verholpen"), "{result}");
    // Started once: the enclave page offers it no more; its case file tells the story.
    b.goto(&format!("{base}/enclaves/{}", s.peeters)).await;
    b.find("start-inspection").await;
    assert!(b.all("enclave-follow-up").await.is_empty());
    // Read in one script: the page draws the file again when the working set refreshes.
    let (kinds, file) = b
        .until("the case file", async || {
            let read = b
                .js(
                    "const file = document.querySelector('[data-test=case-file]'); \
                     return file ? [[...file.querySelectorAll('[data-test=case-event]')] \
                     .map((e) => e.dataset.kind), file.textContent] : null;",
                )
                .await;
            let kinds: Vec<String> = serde_json::from_value(read.get(0)?.clone()).ok()?;
            let file = read.get(1)?.as_str()?.to_owned();
            (!kinds.is_empty()).then_some((kinds, file))
        })
        .await;
    assert_eq!(
        kinds,
        ["followed_up", "inspection", "follow_up_due", "inspection"],
        "newest first"
    );
    b.js("document.querySelector('[data-test=case-file-section]').scrollIntoView()")
        .await;
    b.screenshot(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("follow-ups-case-file.png"),
    )
    .await;
    let mut problems = Vec::new();
    audit(&b, "enclave page with its case file", &mut problems).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        file.contains("Opvolging van een eerdere maatregel: 1 verholpen, 1 niet verholpen."),
        "{file}"
    );
}
