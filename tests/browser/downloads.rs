//! What the first visit downloads, per role. An inspector signs in on a fresh profile: the
//! page loads the field app, the service worker installs and precaches the shell, the app
//! asks it to keep the field app, and the server's own request counts (its metrics, by route
//! and status class) show that no file was downloaded twice (the precache asks with the
//! browser's validators and gets a 304 for what the page has just loaded) and that no file of
//! the office app was asked for at all. A reviewer who opens the review queue gets the office
//! app and no field code; an admin in the office app switches to the field app and gets it.
//!
//! Then a new deploy: a proxy in front of the server ([`NextDeploy`]) starts answering a
//! `sw.js` with another build id and a changed `style.css` (another `ETag`), as a new build
//! would; the worker updates, its new shell holds the new stylesheet and the field app again,
//! and the old shell is gone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use shared::dto::auth::Role;
use tests::driver::Browser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{PW, Scenario, USERNAME};

/// The files the service worker precaches for every device (`SHELL` in `app/static/sw.js`).
const SHELL: [&str; 8] = [
    "/",
    "/index.html",
    "/boot.js",
    "/style.css",
    "/manifest.webmanifest",
    "/icons/icon.svg",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
];
/// The field app's files (`APPS.field` in `sw.js`).
const FIELD: [&str; 2] = ["/field.js", "/field_bg.wasm"];
/// The office app's files.
const OFFICE: [&str; 2] = ["/office.js", "/office_bg.wasm"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspectors_first_visit_downloads_the_field_app_once_and_no_office_code() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    let proxy = NextDeploy::start(&s.app.base_url).await;
    b.sign_in(&format!("{}/login", proxy.base_url), USERNAME, PW)
        .await;
    b.find("search-title").await;
    let kept: Vec<&str> = SHELL.iter().chain(&FIELD).copied().collect();
    let first_shell = shell_cache(&b, None, &kept).await;
    assert_eq!(first_shell, format!("ei-shell-{}", build_id()));
    // An inspector is offered no other app.
    assert!(
        b.js("return !document.querySelector('[data-test=switch-app]')")
            .await
            == json!(true),
        "an inspector is offered the office app"
    );

    let counts = asset_requests(&s).await;
    let downloaded = first_visit(&counts, &kept, &["/boot.js", "/style.css"], &FIELD);
    for path in OFFICE {
        assert_eq!(requests(&counts, path), 0, "{path}: {counts:?}");
    }
    eprintln!(
        "inspector's first visit: {downloaded} bytes of the app's files (as sent), {counts:?}"
    );

    // A new deploy: the worker finds the new sw.js, installs, and its shell has the new files
    // and, again, the field app.
    proxy.deployed.store(true, Ordering::SeqCst);
    b.js("return navigator.serviceWorker.getRegistration().then((reg) => reg.update()).then(() => true)")
        .await;
    let next_shell = shell_cache(&b, Some(&first_shell), &kept).await;
    assert_eq!(next_shell, format!("ei-shell-{NEXT_BUILD_ID}"));
    let cached = b
        .js(&format!(
            "return caches.open('{next_shell}').then(async (cache) => ({{ \
                css: await (await cache.match('/style.css')).text(), \
                wasm: (await (await cache.match('/field_bg.wasm')).arrayBuffer()).byteLength }}))"
        ))
        .await;
    assert!(
        cached["css"]
            .as_str()
            .is_some_and(|css| css.ends_with(NEXT_CSS)),
        "the new shell has the old stylesheet"
    );
    let wasm = server::pwa::asset("/field_bg.wasm").unwrap().body.len();
    assert_eq!(
        cached["wasm"],
        json!(wasm),
        "the unchanged wasm is cached whole"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_opening_the_review_queue_downloads_no_field_code() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    s.app.fixture().user("rita", PW, Role::Reviewer, &[]);
    // A page of the office app: its login page is the office app's.
    b.sign_in(&s.url("/review"), "rita", PW).await;
    b.find("queue-state").await;
    let kept: Vec<&str> = SHELL.iter().chain(&OFFICE).copied().collect();
    shell_cache(&b, None, &kept).await;
    let counts = asset_requests(&s).await;
    for path in FIELD {
        assert_eq!(requests(&counts, path), 0, "{path}: {counts:?}");
    }
    let downloaded = first_visit(&counts, &kept, &["/boot.js", "/style.css"], &OFFICE);
    eprintln!(
        "reviewer's first visit: {downloaded} bytes of the app's files (as sent), {counts:?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_switches_to_the_field_app_and_gets_it() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    // Straight to the office app: an admin starts there.
    b.sign_in(&s.url("/register"), "adam", PW).await;
    b.find("nav-register").await;
    let before = asset_requests(&s).await;
    for path in FIELD {
        assert_eq!(requests(&before, path), 0, "{path}: {before:?}");
    }
    b.set_viewport(800, 1280).await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let switch = b.find("switch-app").await;
    assert_eq!(b.attr(&switch, "data-app").await.as_deref(), Some("field"));
    b.screenshot(&shots.join("switch-office.png")).await;
    b.click("switch-app").await;
    b.find("search-title").await;
    b.find("nav-prepare").await;
    // Back the other way, from the field app.
    let switch = b.find("switch-app").await;
    assert_eq!(b.attr(&switch, "data-app").await.as_deref(), Some("office"));
    b.screenshot(&shots.join("switch-field.png")).await;
    let kept: Vec<&str> = SHELL.iter().chain(&OFFICE).chain(&FIELD).copied().collect();
    shell_cache(&b, None, &kept).await;
    let after = asset_requests(&s).await;
    for path in FIELD {
        let downloads = after.get(&(path.to_owned(), "2xx".to_owned())).copied();
        assert_eq!(downloads, Some(1), "{path}: {after:?}");
    }
    // A page load of `/` now gives the field app again: the choice is kept.
    b.goto(&s.url("/")).await;
    b.find("search-title").await;
    b.click("switch-app").await;
    b.find("nav-register").await;
    // A logout forgets the choice: the next sign-in on this device starts in the role's app.
    b.click("switch-app").await;
    b.find("search-title").await;
    b.click("logout").await;
    b.type_into("login-username", "adam").await;
    b.type_into("login-password", PW).await;
    b.click("login-submit").await;
    b.find("nav-register").await;
    b.close().await;
}

/// Requests for `path` the server answered, any status.
fn requests(counts: &BTreeMap<(String, String), usize>, path: &str) -> usize {
    counts
        .iter()
        .filter(|((p, _), _)| p == path)
        .map(|(_, n)| n)
        .sum()
}

/// Checks a first visit: no file of `kept` (nor `sw.js`) was downloaded twice; the files
/// the page itself loaded (`loaded`, `app`) were downloaded once and revalidated once by the
/// precache. Gives the bytes sent for them, as the browser got them (brotli).
fn first_visit(
    counts: &BTreeMap<(String, String), usize>,
    kept: &[&str],
    loaded: &[&str],
    app: &[&str],
) -> usize {
    let count = |path: &str, status: &str| {
        counts
            .get(&(path.to_owned(), status.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    let mut downloaded = 0;
    for &path in kept.iter().chain(&["/sw.js"]) {
        let full = count(path, "2xx");
        assert!(
            full <= 1,
            "{path} downloaded {full} times on the first visit: {counts:?}"
        );
        let embedded = if path == "/" { "/index.html" } else { path };
        let asset = server::pwa::asset(embedded).expect("an embedded file");
        downloaded += full * asset.brotli.or(asset.gzip).unwrap_or(asset.body).len();
    }
    for &path in loaded.iter().chain(app) {
        assert_eq!(count(path, "2xx"), 1, "{path}: {counts:?}");
        assert_eq!(count(path, "3xx"), 1, "{path}: {counts:?}");
    }
    downloaded
}

/// The build id this server's `sw.js` carries.
fn build_id() -> String {
    let sw = std::str::from_utf8(server::pwa::asset("/sw.js").unwrap().body).unwrap();
    let start = sw.find("BUILD_ID = '").expect("a build id") + "BUILD_ID = '".len();
    sw[start..start + sw[start..].find('\'').unwrap()].to_owned()
}

/// Waits until the page is controlled by an activated worker whose shell cache, the only one,
/// is not `old` and holds exactly the files `kept`; gives its name.
async fn shell_cache(b: &Browser, old: Option<&str>, kept: &[&str]) -> String {
    let want: BTreeSet<String> = kept.iter().map(|p| (*p).to_owned()).collect();
    let what = format!("a shell cache other than {old:?} holding {want:?}");
    b.until(&what, async || {
        let state = b
            .client
            .execute(
                r#"
                return (async () => {
                    const reg = await navigator.serviceWorker.getRegistration();
                    const shells = (await caches.keys()).filter((k) => k.startsWith('ei-shell-'));
                    const cached = shells.length === 1
                        ? (await (await caches.open(shells[0])).keys()).map((r) => new URL(r.url).pathname)
                        : [];
                    const active = !!(reg && reg.active && reg.active.state === 'activated');
                    return { active, shells, cached };
                })();
                "#,
                vec![],
            )
            .await
            .ok()?;
        let name = state["shells"][0].as_str()?.to_owned();
        let cached: BTreeSet<String> = state["cached"]
            .as_array()?
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        (state["active"] == true && cached == want && Some(name.as_str()) != old).then_some(name)
    })
    .await
}

/// The build id of the pretended next deploy.
const NEXT_BUILD_ID: &str = "00000000next0001";
/// What the next deploy appends to the stylesheet.
const NEXT_CSS: &str = "\n/* next deploy */\n";

/// An HTTP proxy in front of the test server, one request per connection. Once `deployed` is
/// set it answers `/sw.js` and `/style.css` itself as the next build would serve them (another
/// build id; another stylesheet with its own `ETag`), and forwards everything else unchanged.
struct NextDeploy {
    base_url: String,
    deployed: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl NextDeploy {
    async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let port = listener.local_addr().expect("proxy address").port();
        let deployed = Arc::new(AtomicBool::new(false));
        let (upstream, flag) = (upstream.to_owned(), Arc::clone(&deployed));
        let task = tokio::spawn(async move {
            let client = tests::http_client();
            while let Ok((stream, _)) = listener.accept().await {
                let (client, upstream) = (client.clone(), upstream.clone());
                let deployed = flag.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    // A connection the browser opened and dropped unused ends here.
                    let _ = forward(stream, &client, &upstream, deployed).await;
                });
            }
        });
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            deployed,
            task,
        }
    }
}

impl Drop for NextDeploy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request from `stream`, answers it (from the next deploy or from `upstream`) and
/// closes the connection.
async fn forward(
    stream: TcpStream,
    client: &reqwest::Client,
    upstream: &str,
    deployed: bool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(());
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };

    let (status, mut out_headers, out_body) = match (deployed, target.as_str()) {
        (true, "/sw.js" | "/style.css") => next_deploy(&target, header("if-none-match")),
        _ => {
            let mut req = client.request(
                method.parse().expect("a method"),
                format!("{upstream}{target}"),
            );
            for (name, value) in &headers {
                if !matches!(name.as_str(), "host" | "connection" | "content-length") {
                    req = req.header(name, value);
                }
            }
            let res = req.body(body).send().await.map_err(std::io::Error::other)?;
            let status = res.status().as_u16();
            let out: Vec<(String, String)> = res
                .headers()
                .iter()
                .filter(|(n, _)| {
                    !matches!(
                        n.as_str(),
                        "connection" | "content-length" | "transfer-encoding"
                    )
                })
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
                .collect();
            let bytes = res.bytes().await.map_err(std::io::Error::other)?;
            (status, out, bytes.to_vec())
        }
    };
    out_headers.push(("content-length".into(), out_body.len().to_string()));
    out_headers.push(("connection".into(), "close".into()));
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut answer = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in out_headers {
        answer.push_str(&format!("{name}: {value}\r\n"));
    }
    answer.push_str("\r\n");
    let mut stream = reader.into_inner();
    stream.write_all(answer.as_bytes()).await?;
    stream.write_all(&out_body).await?;
    stream.shutdown().await
}

/// `/sw.js` or `/style.css` as the next deploy serves them: identity-encoded, revalidated
/// (`no-cache`), a 304 when the browser already has this deploy's copy.
fn next_deploy(path: &str, if_none_match: Option<&str>) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let current = server::pwa::asset(path).expect("an embedded file");
    let text = std::str::from_utf8(current.body).expect("text");
    let (body, etag) = match path {
        "/sw.js" => (text.replace(&build_id(), NEXT_BUILD_ID), "\"next-sw\""),
        _ => (format!("{text}{NEXT_CSS}"), "\"next-css\""),
    };
    let mut headers = vec![
        ("content-type".to_owned(), current.content_type.to_owned()),
        ("cache-control".to_owned(), "no-cache".to_owned()),
        ("etag".to_owned(), etag.to_owned()),
    ];
    if if_none_match == Some(etag) {
        return (304, headers, Vec::new());
    }
    if path == "/sw.js" {
        headers.push(("service-worker-allowed".into(), "/".into()));
    }
    (200, headers, body.into_bytes())
}

/// GET requests the server answered, by route and status class (`2xx`: downloaded, `3xx`: the
/// browser's copy was current), from its metrics.
async fn asset_requests(s: &Scenario) -> BTreeMap<(String, String), usize> {
    let url = s.app.metrics_url.as_ref().expect("metrics are served");
    let text = tests::http_client()
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("metrics text");
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("enclave_inspect_http_requests_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let label = |name: &str| -> Option<String> {
            let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
            let end = labels[start..].find('"')? + start;
            Some(labels[start..end].to_owned())
        };
        if label("method").as_deref() != Some("GET") {
            continue;
        }
        if let (Some(route), Some(status), Ok(n)) =
            (label("route"), label("status"), value.parse::<usize>())
        {
            counts.insert((route, status), n);
        }
    }
    counts
}
