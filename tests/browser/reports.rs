//! The yearly overview in the browser: an admin opens it from the header, picks a year, reads
//! the counts by host type and the contract rows, and gets the CSV as a download.

use shared::dto::auth::Role;

use super::{ELEGANCE, PW, Scenario};
use tests::driver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_and_downloads_the_yearly_overview() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    b.goto(&s.url("/login")).await;
    b.type_into("login-username", "adam").await;
    b.type_into("login-password", PW).await;
    b.click("login-submit").await;
    b.click("nav-overview").await;
    b.until_path("/reports/contracts").await;
    b.find("overview-types").await;
    // Élégance's contract was notified in 2024.
    b.type_into("overview-year", "2024\n").await;
    let rows = b
        .until("the 2024 overview lists one contract", async || {
            let rows = b.all("overview-row").await;
            (rows.len() == 1).then_some(rows)
        })
        .await;
    let text = b.text(&rows[0]).await;
    assert!(text.contains(ELEGANCE), "{text}");
    let regular = b
        .ok(
            "finding the regular-company count",
            b.client
                .find(fantoccini::Locator::Css(
                    "[data-type=RegularCompany] [data-test=count]",
                ))
                .await,
        )
        .await;
    assert_eq!(b.text(&regular).await.trim(), "1");
    let csv = b.find("overview-csv").await;
    assert!(b.attr(&csv, "download").await.is_some());
    // The file itself comes from the API with the session's token, as a blob the browser
    // saves (the API test checks its content).
    let href = b.attr(&csv, "href").await.unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href}");
    let xlsx = b.find("overview-xlsx").await;
    assert!(
        b.attr(&xlsx, "download")
            .await
            .is_some_and(|d| d.ends_with(".xlsx"))
    );
    b.close().await;
}
