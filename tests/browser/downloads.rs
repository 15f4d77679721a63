//! What the first visit downloads: an inspector signs in on a fresh profile, the service worker
//! installs and precaches the shell, and the server's own request counts (its metrics, by route
//! and status class) show that no file of the app was downloaded twice: the precache asks with
//! the browser's validators and gets a 304 for what the page has just loaded.
//!
//! Then a new deploy: a proxy in front of the server ([`NextDeploy`]) starts answering a
//! `sw.js` with another build id and a changed `style.css` (another `ETag`), as a new build
//! would; the worker updates, its new shell holds the new stylesheet, and the old shell is gone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use tests::driver::Browser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{PW, Scenario, USERNAME};

/// The files the service worker precaches (`SHELL` in `app/static/sw.js`).
const SHELL: [&str; 10] = [
    "/",
    "/index.html",
    "/boot.js",
    "/app.js",
    "/app_bg.wasm",
    "/style.css",
    "/manifest.webmanifest",
    "/icons/icon.svg",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_visit_downloads_each_file_once_and_a_deploy_renews_them() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    let proxy = NextDeploy::start(&s.app.base_url).await;
    b.sign_in(&format!("{}/login", proxy.base_url), USERNAME, PW)
        .await;
    b.find("search-title").await;
    let first_shell = shell_cache(&b, None).await;
    assert_eq!(first_shell, format!("ei-shell-{}", build_id()));

    let counts = asset_requests(&s).await;
    let count = |path: &str, status: &str| {
        counts
            .get(&(path.to_owned(), status.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    let mut downloaded = 0;
    for path in SHELL.iter().copied().chain(["/sw.js"]) {
        let full = count(path, "2xx");
        assert!(
            full <= 1,
            "{path} downloaded {full} times on the first visit: {counts:?}"
        );
        let embedded = if path == "/" { "/index.html" } else { path };
        let asset = server::pwa::asset(embedded).expect("an embedded file");
        downloaded += full * asset.gzip.unwrap_or(asset.body).len();
    }
    // The page loaded the app; the precache checked the browser's copy instead of fetching it.
    for path in ["/boot.js", "/app.js", "/app_bg.wasm", "/style.css"] {
        assert_eq!(count(path, "2xx"), 1, "{path}: {counts:?}");
        assert_eq!(count(path, "3xx"), 1, "{path}: {counts:?}");
    }
    eprintln!("first visit: {downloaded} bytes of the app's files (as sent, gzip), {counts:?}");

    // A new deploy: the worker finds the new sw.js, installs, and its shell has the new files.
    proxy.deployed.store(true, Ordering::SeqCst);
    b.js("return navigator.serviceWorker.getRegistration().then((reg) => reg.update()).then(() => true)")
        .await;
    let next_shell = shell_cache(&b, Some(&first_shell)).await;
    assert_eq!(next_shell, format!("ei-shell-{NEXT_BUILD_ID}"));
    let cached = b
        .js(&format!(
            "return caches.open('{next_shell}').then(async (cache) => ({{ \
                css: await (await cache.match('/style.css')).text(), \
                wasm: (await (await cache.match('/app_bg.wasm')).arrayBuffer()).byteLength }}))"
        ))
        .await;
    assert!(
        cached["css"]
            .as_str()
            .is_some_and(|css| css.ends_with(NEXT_CSS)),
        "the new shell has the old stylesheet"
    );
    let wasm = server::pwa::asset("/app_bg.wasm").unwrap().body.len();
    assert_eq!(
        cached["wasm"],
        json!(wasm),
        "the unchanged wasm is cached whole"
    );
    b.close().await;
}

/// The build id this server's `sw.js` carries.
fn build_id() -> String {
    let sw = std::str::from_utf8(server::pwa::asset("/sw.js").unwrap().body).unwrap();
    let start = sw.find("BUILD_ID = '").expect("a build id") + "BUILD_ID = '".len();
    sw[start..start + sw[start..].find('\'').unwrap()].to_owned()
}

/// Waits until the page is controlled by an activated worker whose shell cache, the only one,
/// is not `old` and holds every file of the shell; gives its name.
async fn shell_cache(b: &Browser, old: Option<&str>) -> String {
    let what = format!("a complete shell cache other than {old:?}");
    b.until(&what, async || {
        let state = b
            .client
            .execute(
                r#"
                return (async () => {
                    const reg = await navigator.serviceWorker.getRegistration();
                    const shells = (await caches.keys()).filter((k) => k.startsWith('ei-shell-'));
                    const cached = shells.length === 1
                        ? (await (await caches.open(shells[0])).keys()).length
                        : 0;
                    const active = !!(reg && reg.active && reg.active.state === 'activated');
                    return { active, shells, cached };
                })();
                "#,
                vec![],
            )
            .await
            .ok()?;
        let name = state["shells"][0].as_str()?.to_owned();
        (state["active"] == true && state["cached"] == SHELL.len() && Some(name.as_str()) != old)
            .then_some(name)
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
