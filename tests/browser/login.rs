//! After signing in, the login page follows `?next=` only to a path on this origin: a crafted
//! link (`/\example.com`, `//example.com`, an encoded backslash) lands on the search page,
//! a real path (`/device`) is opened.

use tests::driver::Browser;

use super::{PW, Scenario, USERNAME};

/// Waits until the page is at `path` on the app's own host.
async fn until_here(b: &Browser, s: &Scenario, path: &str) {
    b.until_path(path).await;
    let url = b.ok("reading the URL", b.client.current_url().await).await;
    assert_eq!(
        url.origin().ascii_serialization(),
        s.app.base_url,
        "still on the app's origin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_leads_only_to_paths_on_this_origin() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    // `/\example.com`: a browser reads the backslash as a slash, so it is another site.
    b.sign_in(&s.url("/login?next=/%5Cexample.com"), USERNAME, PW)
        .await;
    b.find("search-input").await;
    until_here(&b, &s, "/").await;
    // Signed in, the login page forwards at once: a real path is followed ...
    b.goto(&s.url("/login?next=%2Fdevice")).await;
    until_here(&b, &s, "/device").await;
    // ... the others are not.
    for crafted in [
        "%2F%2Fexample.com",
        "/%255Cexample.com",
        "https%3A%2F%2Fexample.com",
    ] {
        b.goto(&s.url(&format!("/login?next={crafted}"))).await;
        b.find("search-input").await;
        until_here(&b, &s, "/").await;
    }
    b.close().await;
}
