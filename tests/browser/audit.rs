//! The audit trail in the browser: an admin opens *Audit trail* from the header, filters on
//! the inspector and on reads, pages forward and back, and finds the filters kept in the URL
//! across a reload; axe-core finds no serious violation and no control under 44 px. A
//! screenshot is saved as `$CARGO_TARGET_TMPDIR/audit.png`.

use shared::dto::auth::Role;
use tests::axe::audit;
use tests::driver::Browser;

use super::{PW, Scenario, USERNAME};

/// Inspector reads beyond one page (50 rows).
const READS: usize = 55;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_filters_and_pages_the_audit_trail() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    // The inspector reads the enclave page with today's team, again and again.
    let ines = s.app.login(USERNAME, PW).await.access_token;
    for _ in 0..READS {
        let res = s
            .app
            .get(&format!("/api/enclaves/{}", s.elegance), &ines)
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::OK);
    }

    b.set_viewport(1280, 900).await;
    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.click("nav-audit").await;
    b.until_path("/audit").await;
    b.find("audit-row").await;

    b.type_into("audit-user", &format!("{USERNAME}\n")).await;
    b.choose("audit-action", "read").await;
    let rows = b
        .until("a page of the inspector's reads", async || {
            let rows = b.all("audit-row").await;
            let mut actions = Vec::new();
            for row in &rows {
                actions.push(b.attr(row, "data-action").await.unwrap_or_default());
            }
            (rows.len() == 50 && actions.iter().all(|a| a == "read")).then_some(rows)
        })
        .await;
    let first = b.text(&rows[0]).await;
    assert!(
        first.contains(USERNAME) && first.contains(&s.elegance),
        "{first}"
    );
    b.until("the filters are in the URL", async || {
        let url = b.client.current_url().await.ok()?;
        let query = url.query().unwrap_or_default().to_owned();
        (query.contains("user=ines") && query.contains("action=read")).then_some(())
    })
    .await;
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit.png"))
        .await;
    let mut problems = Vec::new();
    audit(&b, "audit trail", &mut problems).await;
    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // The next page holds the rest; back gives the first page again.
    b.click("audit-next").await;
    b.until("the second page", async || {
        (b.all("audit-row").await.len() == READS - 50).then_some(())
    })
    .await;
    let next = b.find("audit-next").await;
    assert!(b.attr(&next, "disabled").await.is_some(), "no third page");
    b.click("audit-previous").await;
    b.until("the first page again", async || {
        (b.all("audit-row").await.len() == 50).then_some(())
    })
    .await;

    // A reload keeps the filters.
    let result = b.client.refresh().await;
    b.ok("reloading", result).await;
    // The page is still loading right after the reload: the controls may not exist yet.
    b.until("the filtered page after a reload", async || {
        let rows = b.all("audit-row").await;
        let typed = b
            .js("return document.querySelector('[data-test=audit-user]')?.value")
            .await;
        let action = b
            .js("return document.querySelector('[data-test=audit-action]')?.value")
            .await;
        (rows.len() == 50 && typed == "ines" && action == "read").then_some(())
    })
    .await;
    // Another user's filter shows none of the inspector's reads.
    b.type_into("audit-user", "adam\n").await;
    b.find("audit-empty").await;
    b.close().await;
}
