//! Headless Chromium for browser tests: Debian's `chromium` and `chromium-driver`, installed
//! with apt-get on first use when missing, and one chromedriver per test on a free port.
//!
//! With `CI=true` a missing browser fails the run loudly; locally the browser tests are skipped
//! with a warning. The WebDriver client itself (fantoccini) lives in the test target; this
//! module only hands it a running driver and the capabilities of a fresh, isolated browser.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

/// The browser binary (Debian package `chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver server (Debian package `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long chromedriver may take to answer `/status` after it is started.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// Whether Chromium and chromedriver can be used; installs them on the first call.
///
/// Panics when they cannot be provided and `CI=true`; otherwise prints a warning and returns
/// `false`, and the caller skips its test.
pub fn available() -> bool {
    static READY: OnceLock<Option<String>> = OnceLock::new();
    READY
        .get_or_init(|| crate::required("Chromium and chromedriver", "browser test", provision()))
        .is_some()
}

/// The version line of a binary, proving it exists and runs.
fn version(binary: &str) -> Result<String, String> {
    let out = crate::run_tool(binary, &["--version".as_ref()])?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

fn both_versions() -> Result<String, String> {
    Ok(format!(
        "{}; {}",
        version(CHROMIUM)?,
        version(CHROMEDRIVER)?
    ))
}

fn provision() -> Result<String, String> {
    if let Ok(versions) = both_versions() {
        return Ok(versions);
    }
    eprintln!("Chromium or chromedriver missing; installing them with apt-get (takes a minute)");
    crate::apt_install(&["chromium", "chromium-driver"], || both_versions().is_ok())?;
    let versions = both_versions().map_err(|e| format!("installed, but still unusable: {e}"))?;
    eprintln!("installed {versions}");
    Ok(versions)
}

/// A running chromedriver; it and its browsers are killed when this is dropped.
pub struct Chromedriver {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Chromedriver {
    /// Starts chromedriver on a free port and waits until it is ready. Returns `None` (after
    /// a loud warning) when the browser is unavailable outside CI.
    pub async fn start() -> Option<Self> {
        match tokio::task::spawn_blocking(available).await {
            Ok(true) => {}
            Ok(false) => return None,
            // The loud CI failure of `available`, as it was.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
        let mut last_error = String::new();
        // The free port may be taken by someone else before chromedriver binds it: retry.
        for _ in 0..3 {
            match Self::try_start().await {
                Ok(driver) => return Some(driver),
                Err(e) => last_error = e,
            }
        }
        panic!("chromedriver did not start: {last_error}");
    }

    async fn try_start() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log = dir.path().join("chromedriver.log");
        let port = crate::free_port();
        let out = File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so that dropping it also ends the browsers it started.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("{CHROMEDRIVER}: {e}"))?;
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        driver.wait_until_ready().await?;
        Ok(driver)
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let client = crate::http_client();
        let status_url = format!("{}/status", self.url);
        let started = Instant::now();
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                return Err(format!(
                    "chromedriver exited with {exit}; log:\n{}",
                    self.log_tail(40)
                ));
            }
            let ready = match client
                .get(&status_url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
            {
                Ok(res) => res
                    .json::<Value>()
                    .await
                    .is_ok_and(|body| body["value"]["ready"] == Value::Bool(true)),
                Err(_) => false,
            };
            if ready {
                return Ok(());
            }
            if started.elapsed() > DRIVER_START_TIMEOUT {
                return Err(format!(
                    "no ready answer from {status_url} after {DRIVER_START_TIMEOUT:?}; log:\n{}",
                    self.log_tail(40)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The WebDriver URL to connect to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The browser console of `session` so far (chromedriver hands each entry out once).
    pub async fn console_log(&self, session: &str) -> String {
        let url = format!("{}/session/{session}/se/log", self.url);
        let answer = crate::http_client()
            .post(&url)
            .json(&json!({ "type": "browser" }))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let body: Value = match answer {
            Ok(res) => res.json().await.unwrap_or_default(),
            Err(e) => return format!("(unavailable: {e})"),
        };
        let Some(entries) = body["value"].as_array() else {
            return format!("(unexpected answer: {body})");
        };
        entries
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or("?"),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The last `lines` lines of chromedriver's output (including the browser's stderr).
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole process group: chromedriver and any browser it left running.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// WebDriver capabilities for headless Chromium with its own profile in `user_data_dir`, a
/// 1280×800 window (a 10-inch tablet in landscape) and nothing that phones home.
pub fn capabilities(user_data_dir: &Path) -> Map<String, Value> {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,800",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("--user-data-dir={}", user_data_dir.display())])
    .collect::<Vec<_>>();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        // Keeps the console, so a failing test can show the app's errors and panics.
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}
