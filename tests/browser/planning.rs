//! A day planned, followed up offline and printed, on a 10-inch tablet. The inspector opens
//! *Planning* from the field app's menu and finds Peeters, with its warning overdue, ranked
//! first with its reasons; picks it and Élégance; the route starts at the first visit picked
//! until the tablet's position (near Gent) is asked for, and then goes to Élégance first. The
//! visits go on the device. Offline, the planning still shows the route, and the device ranks
//! the enclaves it holds by itself as the server did (from the planning facts kept with the
//! set); the route's Peeters stop
//! opens the enclave, whose inspection is the follow-up of the warning, and the submitted
//! report prints to an A4 PDF that names what the follow-up found. axe-core finds no serious
//! violation and no control under 44 px. Saved for humans: `$CARGO_TARGET_TMPDIR/planning.png`,
//! `planning-offline.png` and `planning-report.pdf`.
//!
//! And the facts the device ranks from are those read with the set it holds: lost on the line
//! during a preparation, the device keeps none and says so (`device-without-facts.png`,
//! `planning-without-facts.png`)
//! until a sync brings them; a register change brings them again with the whole set.

use serde_json::json;
use shared::dto::organisation::OrganisationKind;

use tests::axe::audit;
use tests::dates::today;
use tests::driver::Browser;
use tests::faulty::Faults;
use tests::field::{
    conclude, prepare_for_the_field, print_to_pdf, tap, until_service_worker, until_submitted,
};
use tests::fixture::EnclaveSpec;

use super::follow_ups::overdue_warning_at_peeters;
use super::{PW, Scenario, USERNAME};

/// The ranked enclaves on the page, read in one script: id and reason codes.
#[derive(serde::Deserialize)]
struct Ranked {
    id: String,
    codes: Vec<String>,
}

async fn ranking_shown(b: &Browser) -> Vec<Ranked> {
    let read = b
        .js(
            "return [...document.querySelectorAll('[data-test=planning-visit]')].map((v) => \
             ({ id: v.dataset.id, codes: [...v.querySelectorAll('[data-test=planning-reason]')] \
                .map((r) => r.dataset.code) }));",
        )
        .await;
    serde_json::from_value(read).unwrap_or_default()
}

/// The ids of the route's stops on the page, in order, read in one script.
async fn route_shown(b: &Browser) -> Vec<String> {
    let read = b
        .js("return [...document.querySelectorAll('[data-test=route-stop]')].map((s) => s.dataset.id);")
        .await;
    serde_json::from_value(read).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_plans_a_day_follows_up_offline_and_prints_the_report() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let (_, proxy) = overdue_warning_at_peeters(&s).await;
    let base = proxy.base_url.clone();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut problems = Vec::new();

    b.set_viewport(800, 1280).await;
    b.sign_in(&format!("{base}/login"), USERNAME, PW).await;
    b.find("search-input").await;
    until_service_worker(&b).await;
    b.click("nav-planning").await;
    b.until_path("/planning").await;
    let ranking = b
        .until("the ranking", async || {
            let ranking = ranking_shown(&b).await;
            (ranking.len() == 2).then_some(ranking)
        })
        .await;
    assert_eq!(ranking[0].id, s.peeters, "the overdue warning first");
    assert!(
        ranking[0].codes.iter().any(|c| c == "follow_up_overdue"),
        "{:?}",
        ranking[0].codes
    );
    assert!(b.all("route-stop").await.is_empty(), "nothing picked yet");

    // Peeters, then Élégance: from the first visit picked.
    for nth in [0, 1] {
        b.all("pick-visit").await[nth]
            .click()
            .await
            .expect("a visit picked");
    }
    let route = b
        .until("two stops", async || {
            let route = route_shown(&b).await;
            (route.len() == 2).then_some(route)
        })
        .await;
    assert_eq!(route, [s.peeters.clone(), s.elegance.clone()]);
    let start = b.text(&b.find("route-start").await).await;
    assert_eq!(start, "Vertrek bij het eerst gekozen bezoek.");

    // From the tablet's position near Gent: Élégance (Gent) first, then Peeters (Kortrijk).
    b.cdp(
        "Browser.grantPermissions",
        json!({ "permissions": ["geolocation"], "origin": base }),
    )
    .await;
    b.cdp(
        "Emulation.setGeolocationOverride",
        json!({ "latitude": 51.06, "longitude": 3.72, "accuracy": 20 }),
    )
    .await;
    tap(&b, "route-from-here").await;
    b.until("the route from here", async || {
        (route_shown(&b).await == [s.elegance.clone(), s.peeters.clone()]).then_some(())
    })
    .await;
    let start = b.text(&b.find("route-start").await).await;
    assert_eq!(start, "Vertrek vanaf je positie.");
    let length = b.text(&b.find("route-length").await).await;
    assert!(
        length.starts_with("Samen ") && length.ends_with(" km in vogelvlucht."),
        "{length}"
    );
    tap(&b, "keep-route").await;
    let kept = b.text(&b.find("route-kept").await).await;
    assert_eq!(kept, "2 bezoeken staan op dit toestel, in deze volgorde.");
    b.screenshot(&shots.join("planning.png")).await;
    audit(&b, "planning", &mut problems).await;

    // Offline: the page still shows the route kept on the device.
    proxy.set_online(false);
    b.goto(&format!("{base}/planning")).await;
    b.find("kept-route").await;
    let route = b
        .until("the kept route", async || {
            let route = route_shown(&b).await;
            (route.len() == 2).then_some(route)
        })
        .await;
    assert_eq!(route, [s.elegance.clone(), s.peeters.clone()]);
    // And ranks by itself, with the same rule, from the facts kept with the set: the same two,
    // Peeters first for its overdue warning, as the server ranked them.
    let notice = b.find("ranked-on-device").await;
    assert!(
        b.text(&notice)
            .await
            .starts_with("Geen verbinding: gerangschikt op dit toestel"),
        "the page says where the ranking comes from"
    );
    let offline = b
        .until("the ranking on the device", async || {
            let ranking = ranking_shown(&b).await;
            (ranking.len() == 2).then_some(ranking)
        })
        .await;
    assert_eq!(
        offline.iter().map(|r| &r.id).collect::<Vec<_>>(),
        ranking.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    assert_eq!(offline[0].codes, ranking[0].codes);
    b.screenshot(&shots.join("planning-offline.png")).await;
    audit(&b, "planning offline", &mut problems).await;

    // The Peeters stop: its inspection follows the warning up.
    b.js(&format!(
        "document.querySelector('[data-test=route-stop][data-id=\"{}\"]').click()",
        s.peeters
    ))
    .await;
    b.until_path(&format!("/enclaves/{}", s.peeters)).await;
    b.find("enclave-follow-up").await;
    b.until("the device store is read", async || {
        let start = b.find("start-follow-up").await;
        b.attr(&start, "disabled").await.is_none().then_some(())
    })
    .await;
    b.click("start-follow-up").await;
    b.find("follow-up-step").await;
    for (name, nth) in [("remedied", 0), ("remedied", 1)] {
        b.js(&format!(
            "document.querySelectorAll('[data-test=\"{name}\"]')[{nth}].scrollIntoView({{ block: 'center' }})"
        ))
        .await;
        b.all(name).await[nth].click().await.expect("answered");
    }
    conclude(&b).await;
    tap(&b, "submit").await;
    until_submitted(&b).await;

    // Its report, printed on A4: what the follow-up found is on it.
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "media": "print", "features": [] }),
    )
    .await;
    let printed = b
        .js(
            "const e = document.querySelector('[data-test=record-follow-up]'); \
             return e && e.getClientRects().length > 0 ? e.textContent : null;",
        )
        .await;
    assert!(
        printed
            .as_str()
            .is_some_and(|t| t.contains("2 verholpen, 0 niet verholpen")),
        "{printed}"
    );
    print_to_pdf(&b, &shots.join("planning-report.pdf")).await;
    b.cdp(
        "Emulation.setEmulatedMedia",
        json!({ "media": "", "features": [] }),
    )
    .await;
    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The day of the planning facts the device page says the device holds; `""` for none.
async fn facts_held_on(b: &Browser) -> String {
    let facts = b.find("planning-facts-on").await;
    b.attr(&facts, "data-on").await.unwrap_or_default()
}

/// On the device page, syncs on demand until `done`.
async fn sync_until(b: &Browser, base: &str, what: &str, done: impl AsyncFn() -> bool) {
    b.goto(&format!("{base}/device")).await;
    b.until(what, async || {
        if done().await {
            return Some(());
        }
        if let Some(button) = b.all("sync-now").await.first() {
            let _ = button.click().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        None
    })
    .await;
}

/// The planning page (offline), once the device has ranked `n` enclaves itself.
async fn ranked_offline(b: &Browser, base: &str, n: usize) -> Vec<Ranked> {
    b.goto(&format!("{base}/planning")).await;
    b.find("ranked-on-device").await;
    b.until(&format!("{n} enclaves ranked on the device"), async || {
        let ranking = ranking_shown(b).await;
        (ranking.len() == n).then_some(ranking)
    })
    .await
}

/// The planning facts on the device are those read with its set. A preparation whose facts
/// are lost on the line keeps none of the facts read with the set before: offline, the
/// planning page says the device has none instead of ranking old ones; the next sync fetches
/// them, and the device ranks again. A register change that brings the whole set again brings
/// its facts too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planning_facts_on_the_device_are_those_of_its_set() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let (s, proxy) = Scenario::behind_a_faulty_line().await;
    let base = proxy.base_url.clone();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut problems = Vec::new();
    let today = today().to_string();
    b.set_viewport(800, 1280).await;

    prepare_for_the_field(&b, &base, USERNAME, PW).await;
    assert_eq!(
        facts_held_on(&b).await,
        today,
        "the first preparation has them"
    );

    // Prepared again; the set arrives, the answer with its facts does not.
    proxy.set_faults(Faults {
        drop_responses_to: Some("/api/planning/facts"),
        ..Faults::default()
    });
    b.click("prepare").await;
    b.until("the facts held are dropped", async || {
        facts_held_on(&b).await.is_empty().then_some(())
    })
    .await;
    assert!(proxy.stats().responses_dropped >= 1, "{:?}", proxy.stats());
    let status = b.text(&b.find("planning-facts-on").await).await;
    assert_eq!(
        status,
        "nog niet: ze komen mee bij de volgende synchronisatie"
    );
    b.screenshot(&shots.join("device-without-facts.png")).await;
    audit(&b, "device without facts", &mut problems).await;

    proxy.set_online(false);
    b.goto(&format!("{base}/planning")).await;
    let notice = b.text(&b.find("no-planning-facts").await).await;
    assert!(notice.starts_with("Geen verbinding, en dit toestel heeft geen planningsgegevens"));
    assert!(
        ranking_shown(&b).await.is_empty(),
        "nothing ranked from old facts"
    );
    assert!(b.all("ranked-on-device").await.is_empty());
    b.screenshot(&shots.join("planning-without-facts.png"))
        .await;
    audit(&b, "planning without facts", &mut problems).await;

    // The line heals: the next sync brings the day's facts, and the device ranks offline.
    proxy.set_faults(Faults::default());
    proxy.set_online(true);
    sync_until(&b, &base, "the sync brings the facts", async || {
        facts_held_on(&b).await == today
    })
    .await;
    proxy.set_online(false);
    let ranking = ranked_offline(&b, &base, 2).await;
    assert!(ranking.iter().any(|r| r.id == s.peeters));

    // The register gains an enclave: the next sync brings the whole set again, and with it
    // the facts read with it, so the device ranks the new enclave too (not the day's facts
    // from before, which do not know it).
    let f = s.app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "De Brug vzw", None);
    let host = f.organisation(OrganisationKind::RegularCompany, "Bakkerij Vos BV", None);
    let added = f.enclave(&mwb, &host, EnclaveSpec::default()).id;
    proxy.set_online(true);
    sync_until(&b, &base, "the sync brings the new enclave", async || {
        b.text(&b.find("working-set-count").await).await == "3"
    })
    .await;
    proxy.set_online(false);
    let ranking = ranked_offline(&b, &base, 3).await;
    assert!(
        ranking.iter().any(|r| r.id == added),
        "the new enclave is ranked"
    );
    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
