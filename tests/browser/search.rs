//! Search results carry their verdicts (tablet, 800×1280): an inspector searches the
//! maatwerkbedrijf of two enclaves and reads, on each card, check 1 and check 2 as badges
//! with words — one enclave in order on both, the other without a contract and without
//! today's registration — without opening either. The page has a (visually hidden) `<h1>`.
//! Screenshot: `$CARGO_TARGET_TMPDIR/search-verdicts.png`.

use tests::driver::{Browser, tid};

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
