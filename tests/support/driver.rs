//! A WebDriver session in headless Chromium with the helpers the browser tests and the
//! cold-start benchmark share: waits with timeouts, `data-test` lookups, and failures that
//! report the page's URL, source, console and the end of chromedriver's log.

use std::time::{Duration, Instant};

use crate::browser::{self, Chromedriver};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::{Method, Url};
use serde_json::{Value, json};

/// The longest any single step may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The CSS selector of a `data-test` name.
pub fn tid(name: &str) -> String {
    format!("[data-test=\"{name}\"]")
}

/// A WebDriver session in a fresh Chromium profile. Dropping it ends chromedriver and the
/// browser (also when a step panics); [`Browser::close`] ends the session politely first.
pub struct Browser {
    pub client: Client,
    driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A new browser, or `None` when Chromium is unavailable outside CI (already warned).
    pub async fn open() -> Option<Self> {
        let driver = Chromedriver::start().await?;
        let profile = tempfile::tempdir().expect("browser profile directory");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(browser::capabilities(profile.path()))
            .connect(driver.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no WebDriver session: {e}\nchromedriver log:\n{}",
                    driver.log_tail(40)
                )
            });
        let browser = Self {
            client,
            driver,
            _profile: profile,
        };
        browser.set_viewport(1280, 800).await;
        Some(browser)
    }

    /// Sizes the window so that the page itself gets `width`×`height` CSS pixels (headless
    /// Chromium still takes room for window decorations out of `--window-size`).
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let size = self
            .js("return [outerWidth - innerWidth, outerHeight - innerHeight]")
            .await;
        let extra = |i: usize| {
            size[i]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0)
        };
        let result = self
            .client
            .set_window_size(width + extra(0), height + extra(1))
            .await;
        self.ok("sizing the window", result).await
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Panics with `what` and everything needed to understand the failure from a CI log.
    pub async fn fail(&self, what: &str) -> ! {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => format!("(unknown: {e})"),
        };
        let source = self
            .client
            .source()
            .await
            .unwrap_or_else(|e| format!("(unavailable: {e})"));
        let console = match self.client.session_id().await {
            Ok(Some(id)) => self.driver.console_log(&id).await,
            _ => "(no session)".to_owned(),
        };
        panic!(
            "{what}\n--- URL: {url}\n--- page source:\n{source}\n--- browser console:\n{console}\n\
             --- chromedriver log (end):\n{}\n---",
            self.driver.log_tail(30)
        );
    }

    /// The value of a WebDriver call, or a diagnosable failure.
    pub async fn ok<T>(&self, what: &str, result: Result<T, CmdError>) -> T {
        match result {
            Ok(value) => value,
            Err(e) => self.fail(&format!("{what}: {e}")).await,
        }
    }

    pub async fn goto(&self, url: &str) {
        let result = self.client.goto(url).await;
        self.ok(&format!("opening {url}"), result).await
    }

    /// Waits for the element with `data-test="{name}"`.
    pub async fn find(&self, name: &str) -> Element {
        let css = tid(name);
        let result = self
            .client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(&css))
            .await;
        self.ok(&format!("waiting for {css}"), result).await
    }

    /// Polls `probe` until it gives a value.
    pub async fn until<T>(&self, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(value) = probe().await {
                return value;
            }
            if started.elapsed() > TIMEOUT {
                self.fail(&format!("timed out after {TIMEOUT:?} waiting until {what}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The elements that are on the page now.
    pub async fn all(&self, name: &str) -> Vec<Element> {
        let css = tid(name);
        let result = self.client.find_all(Locator::Css(&css)).await;
        self.ok(&format!("finding {css}"), result).await
    }

    pub async fn text(&self, element: &Element) -> String {
        let result = element.text().await;
        self.ok("reading an element's text", result).await
    }

    pub async fn attr(&self, element: &Element, name: &str) -> Option<String> {
        let result = element.attr(name).await;
        self.ok(&format!("reading attribute {name}"), result).await
    }

    pub async fn click(&self, name: &str) {
        let element = self.find(name).await;
        let result = element.click().await;
        self.ok(&format!("clicking {}", tid(name)), result).await
    }

    /// Replaces the text of an input.
    pub async fn type_into(&self, name: &str, text: &str) {
        let element = self.find(name).await;
        let result = element.clear().await;
        self.ok(&format!("clearing {}", tid(name)), result).await;
        let result = element.send_keys(text).await;
        self.ok(&format!("typing into {}", tid(name)), result).await
    }

    /// Opens the login page at `login_url` and signs in.
    pub async fn sign_in(&self, login_url: &str, username: &str, password: &str) {
        self.goto(login_url).await;
        self.type_into("login-username", username).await;
        self.type_into("login-password", password).await;
        self.click("login-submit").await;
    }

    /// Runs `script` (which may return a promise) and gives its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        let result = self.client.execute(script, vec![]).await;
        self.ok(&format!("running script {script:?}"), result).await
    }

    /// Waits until the page is at `path`.
    pub async fn until_path(&self, path: &str) {
        self.until(&format!("the URL path is {path}"), async || {
            let url = self.client.current_url().await.ok()?;
            (url.path() == path).then_some(())
        })
        .await
    }

    /// Waits until exactly one result card is shown and it is the one of `host`; gives it.
    pub async fn only_result(&self, host: &str) -> Element {
        self.until(&format!("the only result is {host}"), async || {
            let mut cards = self
                .client
                .find_all(Locator::Css(&tid("result-card")))
                .await
                .ok()?;
            if cards.len() != 1 {
                return None;
            }
            let card = cards.pop()?;
            card.text().await.ok()?.contains(host).then_some(card)
        })
        .await
    }

    /// Waits for the enclave page of `host` and gives the `data-status` of both verdicts.
    pub async fn verdicts(&self, host: &str) -> (String, String) {
        let header = self.find("enclave-header").await;
        self.until(&format!("the enclave page shows {host}"), async || {
            let title = header
                .find(Locator::Css("h1"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            (title == host).then_some(())
        })
        .await;
        let status = async |check: &str| {
            let card = self.find(check).await;
            self.attr(&card, "data-status").await.unwrap_or_default()
        };
        (
            status("verdict-contract_filed").await,
            status("verdict-daily_registration").await,
        )
    }

    /// Saves a screenshot as `path`, for humans to look at.
    pub async fn screenshot(&self, path: &std::path::Path) {
        let result = self.client.screenshot().await;
        let png = self.ok("taking a screenshot", result).await;
        std::fs::write(path, png).expect("write the screenshot");
        eprintln!("screenshot: {}", path.display());
    }

    /// Saves the whole page, beyond the viewport, as `name` in `$CARGO_TARGET_TMPDIR`, for
    /// humans to look at. Sticky elements are unstuck for the capture (the header would be
    /// painted over the middle of it).
    pub async fn full_page_screenshot(&self, dir: &std::path::Path, name: &str) {
        use base64::Engine;
        self.js("for (const e of document.querySelectorAll('body *')) { \
                if (getComputedStyle(e).position === 'sticky') { \
                    e.dataset.wasSticky = '1'; e.style.position = 'static'; } }")
            .await;
        let metrics = self
            .cdp("Page.getLayoutMetrics", serde_json::json!({}))
            .await;
        let size = &metrics["cssContentSize"];
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                serde_json::json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 }
                }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64");
        self.js(
            "for (const e of document.querySelectorAll('[data-was-sticky]')) { \
                e.style.position = ''; delete e.dataset.wasSticky; }",
        )
        .await;
        let path = dir.join(name);
        std::fs::write(&path, png).expect("write the screenshot");
        eprintln!("screenshot: {}", path.display());
    }

    /// Presses and releases a key on whatever has the focus (`\u{E007}` is Enter,
    /// `\u{E00C}` Escape).
    pub async fn press(&self, key: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let ch = key.chars().next().expect("a key");
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
        let result = self.client.perform_actions(actions).await;
        self.ok(&format!("pressing {key:?}"), result).await;
    }

    /// Chooses the option `value` of the select `name` once it is on the page, as a tap on
    /// the option would (firing `change`).
    pub async fn choose(&self, name: &str, value: &str) {
        self.find(name).await;
        self.js(&format!(
            "const s = document.querySelector('[data-test=\"{name}\"]'); s.value = '{value}'; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await;
    }

    /// Runs a Chromium DevTools Protocol command (`Domain.method`) and gives its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let command = CdpCommand {
            cmd: cmd.to_owned(),
            params,
        };
        let result = self.client.issue_cmd(command).await;
        self.ok(&format!("DevTools command {cmd}"), result).await
    }

    /// Lets the page's downloads land in `dir` (headless Chromium asks nobody where).
    pub async fn download_into(&self, dir: &std::path::Path) {
        self.cdp(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": dir.to_string_lossy() }),
        )
        .await;
    }

    /// Gives `origin` (`http://host:port`) a storage quota of `bytes`, as on a nearly full
    /// tablet. Writes beyond it fail with `QuotaExceededError`, and `Storage.getUsageAndQuota`
    /// shows it, but `navigator.storage.estimate()` still reports the disk's quota.
    pub async fn override_storage_quota(&self, origin: &str, bytes: u64) {
        self.cdp(
            "Storage.overrideQuotaForOrigin",
            json!({ "origin": origin, "quotaSize": bytes }),
        )
        .await;
    }
}

/// A DevTools command through chromedriver's vendor endpoint.
#[derive(Debug)]
struct CdpCommand {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for CdpCommand {
    // `url::ParseError`, named through `FromStr` so that `url` need not be a dependency.
    fn endpoint(
        &self,
        base_url: &Url,
        session_id: Option<&str>,
    ) -> Result<Url, <Url as std::str::FromStr>::Err> {
        // Without a session chromedriver answers "invalid session id", which `cdp` reports.
        let session = session_id.unwrap_or("none");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}
