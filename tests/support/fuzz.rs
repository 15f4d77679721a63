//! API conformance fuzzing: Schemathesis, installed from PyPI at test time (a pinned version,
//! in a virtual environment cached under the target directory), run against a real server with
//! the server's own OpenAPI document and a fixed time budget.
//!
//! Without Python or the registry the fuzzing pass is skipped with a WARNING line, except under
//! `CI=true`, where it fails loudly (as a missing Chromium does).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// The pinned Schemathesis release.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Where the virtual environment lives: next to the test binaries (`target/debug/`).
fn venv_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("."));
    dir.join(format!("schemathesis-{SCHEMATHESIS_VERSION}"))
}

/// The `schemathesis` executable, installed once per target directory; `Err`: why not.
fn install() -> Result<PathBuf, String> {
    let venv = venv_dir();
    let exe = venv.join("bin").join("schemathesis");
    let marker = venv.join("installed");
    if marker.exists() && exe.exists() {
        return Ok(exe);
    }
    let _ = std::fs::remove_dir_all(&venv);
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("running python3: {e}"))?;
    if !status.success() {
        return Err("python3 -m venv failed".into());
    }
    let out = Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .output()
        .map_err(|e| format!("running pip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pip install schemathesis=={SCHEMATHESIS_VERSION} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(&marker, SCHEMATHESIS_VERSION).map_err(|e| e.to_string())?;
    Ok(exe)
}

/// The `schemathesis` executable, or `None` when it cannot be installed outside CI (warned).
pub fn schemathesis() -> Option<&'static Path> {
    static EXE: OnceLock<Option<PathBuf>> = OnceLock::new();
    EXE.get_or_init(|| crate::required("Schemathesis", "API fuzzing", install()))
        .as_deref()
}

/// The checks every pass runs: no 5xx, no status the document does not list, and every
/// schema-valid request accepted (a success, or a refusal for a reason the schema cannot
/// express: 401, 403, 404, 409, 422, 429).
pub const CHECKS: &str = "not_a_server_error,status_code_conformance,positive_data_acceptance";

/// What counts as accepting a valid request, and where acceptance is checked. The coverage
/// phase sends boundary values that ignore string formats (`""` for a date, which JSON Schema
/// treats as an annotation), where a 400 is right; the stateful phase re-sends values from
/// earlier answers. Both check everything but acceptance, which the examples and fuzzing
/// phases check.
const CONFIG: &str = r#"
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[phases.coverage.checks.positive_data_acceptance]
enabled = false

[phases.stateful.checks.positive_data_acceptance]
enabled = false
"#;

/// One fuzzing pass.
pub struct Fuzzing {
    /// The OpenAPI document, as a file.
    pub schema: PathBuf,
    /// The server, e.g. `http://127.0.0.1:1234`.
    pub base_url: String,
    /// Headers sent with every request (`Authorization: Bearer …`).
    pub headers: Vec<String>,
    /// Schemathesis' options beyond the schema, URL, headers and budget (checks, filters).
    pub options: Vec<String>,
    /// The time budget of the whole pass.
    pub budget: Duration,
}

/// What a pass printed, and whether it found nothing.
pub struct Outcome {
    pub passed: bool,
    pub output: String,
}

impl Fuzzing {
    /// Runs the pass (blocking: call it from `spawn_blocking`).
    pub fn run(&self, exe: &Path) -> Outcome {
        let dir = self.schema.parent().unwrap_or_else(|| Path::new("."));
        let config = dir.join("schemathesis.toml");
        std::fs::write(&config, CONFIG).expect("writing schemathesis.toml");
        // The budget is a deadline, not a target: Schemathesis' own `--max-time` repeats
        // fuzzing until the time is spent, so a faster machine would draw other cases. Each
        // phase runs once, with a fixed seed and count; `timeout` ends a run past the budget
        // (a failure, as a hung server would be).
        let mut cmd = Command::new("timeout");
        cmd.arg(self.budget.as_secs().max(1).to_string()).arg(exe);
        // Schemathesis keeps a cache in its working directory: the schema's (temporary) one.
        cmd.current_dir(dir)
            .arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(&self.schema)
            .args(["--url", &self.base_url])
            // One worker: hypothesis reads lambda sources through the AST, which is not safe
            // across threads (Python raised "AST constructor recursion depth mismatch").
            .args(["--workers", "1"])
            .args(["--seed", "20261126", "--generation-database", "none"])
            // A fixed number of cases per operation: every machine draws the same ones.
            .args(["--max-examples", "10"])
            // Text as UTF-8 carries it: no lone surrogates (which JSON can escape but no
            // Unicode text holds).
            .args(["--generation-codec", "utf-8"])
            .args(["--request-timeout", "30"])
            .env("NO_COLOR", "1")
            .env("SCHEMATHESIS_HOOKS", "");
        for header in &self.headers {
            cmd.args(["--header", header]);
        }
        cmd.args(&self.options);
        let out = cmd.output().expect("running schemathesis");
        // `timeout` exits with 124 when it ended the run.
        let ended = if out.status.code() == Some(124) {
            format!(
                "\nThe pass did not finish within its deadline of {} s (a hung server?).",
                self.budget.as_secs()
            )
        } else {
            String::new()
        };
        Outcome {
            passed: out.status.success(),
            output: format!(
                "{}{}{ended}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}
