//! Search results carry their verdicts (tablet, 800×1280): an inspector searches the
//! maatwerkbedrijf of two enclaves and reads, on each card, check 1 and check 2 as badges
//! with words — one enclave in order on both, the other without a contract and without
//! today's registration — without opening either. The page has a (visually hidden) `<h1>`.
//! Screenshot: `$CARGO_TARGET_TMPDIR/search-verdicts.png`.
//!
//! Offline with the region on the device, every keystroke is answered from the working set,
//! with no pause for the network.

use tests::driver::{Browser, tid};
use tests::field::until_service_worker;
use tests::proxy::Proxy;

use super::{ELEGANCE, PEETERS, PW, Scenario, USERNAME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_results_show_both_verdicts() {
    let Some(b) = Browser::open().await else {
        return;
    };
    b.set_viewport(800, 1280).await;
    let s = Scenario::start().await;
    b.sign_in(&s.url("/login"), USERNAME, PW).await;
    b.find("search-title").await;
    assert_eq!(
        b.js("return [...document.querySelectorAll('main h1')].map(h => h.textContent).join('|')")
            .await,
        "Enclaves zoeken"
    );
    b.type_into("search-input", "kouter").await;
    let cards = b
        .until("both enclaves are found", async || {
            let cards = b.all("result-card").await;
            (cards.len() == 2).then_some(cards)
        })
        .await;
    let mut seen = Vec::new();
    for card in cards {
        let text = b.text(&card).await;
        let status = async |check: &str| {
            let badge = card
                .find(fantoccini::Locator::Css(&tid(&format!("result-{check}"))))
                .await
                .expect("a verdict badge");
            (
                b.attr(&badge, "data-status").await.unwrap_or_default(),
                badge.text().await.unwrap_or_default(),
            )
        };
        let (contract, contract_text) = status("contract_filed").await;
        let (daily, daily_text) = status("daily_registration").await;
        assert!(contract_text.contains("Contract gemeld"), "{contract_text}");
        assert!(
            daily_text.contains("Dagelijkse registratie"),
            "{daily_text}"
        );
        let host = if text.contains(ELEGANCE) {
            ELEGANCE
        } else {
            PEETERS
        };
        seen.push((host, contract, daily, contract_text));
    }
    seen.sort();
    assert_eq!(seen[0].0, ELEGANCE);
    assert_eq!((seen[0].1.as_str(), seen[0].2.as_str()), ("pass", "pass"));
    assert!(seen[0].3.contains("In orde"), "text, not colour alone");
    assert_eq!(seen[1].0, PEETERS);
    assert_eq!(seen[1].1, "fail", "no contract");
    assert_ne!(seen[1].2, "pass", "no registration today");
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-verdicts.png"))
        .await;
    b.close().await;
}

/// Types `text` into the search box as a keystroke does (one `input` event) and gives the
/// hosts on the result cards 150 ms later: half the pause the server search waits for.
async fn keystroke(b: &Browser, text: &str) -> Vec<String> {
    let script = r#"
        const [text] = arguments;
        const input = document.querySelector('[data-test="search-input"]');
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        return new Promise((done) => setTimeout(() => done(
            [...document.querySelectorAll('[data-test="result-card"]')].map((c) => c.textContent)
        ), 150));
    "#;
    let shown = b
        .client
        .execute(script, vec![serde_json::json!(text)])
        .await;
    let shown = b.ok("typing a key", shown).await;
    let hosts: Vec<String> = serde_json::from_value(shown).expect("the cards' texts");
    hosts
        .iter()
        .map(|card| {
            [ELEGANCE, PEETERS]
                .into_iter()
                .find(|host| card.contains(host))
                .unwrap_or(card)
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_device_answers_every_keystroke() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let proxy = Proxy::start(s.app.base_url.trim_start_matches("http://")).await;
    let url = |path: &str| format!("{}{path}", proxy.base_url);
    b.set_viewport(800, 1280).await;
    b.sign_in(&url("/login"), USERNAME, PW).await;
    b.find("search-input").await;
    b.goto(&url("/device")).await;
    b.click("prepare").await;
    let count = b.find("working-set-count").await;
    assert_eq!(b.text(&count).await.trim(), "2");
    until_service_worker(&b).await;

    proxy.set_online(false);
    b.goto(&url("/")).await;
    b.find("search-input").await;
    // Key by key: one letter is too little to search; from two on, each keystroke shows its
    // own results, in the server's order (by host and site).
    assert_eq!(keystroke(&b, "k").await, Vec::<String>::new());
    for typed in ["ko", "kou", "kout", "koute", "kouter"] {
        assert_eq!(keystroke(&b, typed).await, [ELEGANCE, PEETERS], "{typed}");
    }
    b.find("search-from-device").await;
    assert_eq!(keystroke(&b, "kouter e").await, [ELEGANCE]);
    assert_eq!(keystroke(&b, "kouter é").await, [ELEGANCE], "accents fold");
    assert_eq!(keystroke(&b, "kouter ex").await, Vec::<String>::new());
    let status = b.find("search-status").await;
    assert_eq!(b.text(&status).await.trim(), "Geen enclaves gevonden.");
    assert_eq!(keystroke(&b, "kortrijk").await, [PEETERS]);
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-offline.png"))
        .await;
    b.close().await;
}
