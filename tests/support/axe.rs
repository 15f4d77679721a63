//! Accessibility checks in the browser tests: axe-core, fetched from the npm registry at test
//! time (a pinned version whose integrity hash is checked, cached under the target directory),
//! injected into the page through WebDriver and run; and a measurement of every visible
//! control against the 44 × 44 CSS px touch target.
//!
//! Without npm or the registry the axe check is skipped with a WARNING line, except under
//! `CI=true`, where it fails loudly (as a missing Chromium does).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::driver::Browser;

/// The pinned axe-core release.
pub const AXE_VERSION: &str = "4.10.3";
/// Its tarball's integrity as the registry publishes it (`npm view axe-core@4.10.3 dist.integrity`).
const AXE_INTEGRITY: &str = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==";

/// The smallest touch target, in CSS px, on both sides.
pub const MIN_TARGET: f64 = 44.0;

/// One rule axe found broken, with the elements that break it.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    pub help: String,
    pub nodes: Vec<Node>,
}

/// One element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub target: Vec<Value>,
    pub html: String,
}

impl Violation {
    /// Serious or critical.
    pub fn is_severe(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} ({}): {}",
            self.id,
            self.impact.as_deref().unwrap_or("?"),
            self.help
        )?;
        for node in &self.nodes {
            let target: Vec<String> = node.target.iter().map(Value::to_string).collect();
            writeln!(f, "    at {}: {}", target.join(" "), node.html)?;
        }
        Ok(())
    }
}

/// A visible control smaller than [`MIN_TARGET`] on a side.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SmallControl {
    pub html: String,
    pub width: f64,
    pub height: f64,
}

impl std::fmt::Display for SmallControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.0}×{:.0} px: {}", self.width, self.height, self.html)
    }
}

/// Where the axe-core tarball is unpacked: next to the test binaries (`target/debug/`).
fn cache_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/<binary> → target/debug
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("."));
    dir.join(format!("axe-core-{AXE_VERSION}"))
}

/// `axe.min.js`, fetched once per cache directory; `Err`: why it is unavailable.
fn fetch_axe() -> Result<String, String> {
    let dir = cache_dir();
    let script = dir.join("package").join("axe.min.js");
    if let Ok(text) = std::fs::read_to_string(&script) {
        return Ok(text);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let out = Command::new("npm")
        .args([
            "pack",
            &format!("axe-core@{AXE_VERSION}"),
            "--json",
            "--pack-destination",
        ])
        .arg(&dir)
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("running npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm pack axe-core@{AXE_VERSION} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let packed: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("npm pack's answer is not JSON: {e}"))?;
    let integrity = packed[0]["integrity"].as_str().unwrap_or_default();
    let filename = packed[0]["filename"].as_str().unwrap_or_default();
    if integrity != AXE_INTEGRITY {
        let _ = std::fs::remove_file(dir.join(filename));
        panic!(
            "axe-core@{AXE_VERSION} from the registry has integrity {integrity:?}, expected {AXE_INTEGRITY}"
        );
    }
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(dir.join(filename))
        .arg("-C")
        .arg(&dir)
        .status()
        .map_err(|e| format!("running tar: {e}"))?;
    if !untar.success() {
        return Err(format!("unpacking {filename} failed"));
    }
    std::fs::read_to_string(&script).map_err(|e| format!("reading {}: {e}", script.display()))
}

/// `axe.min.js`, or `None` when npm or the registry is unavailable outside CI (warned once).
pub fn axe_script() -> Option<&'static str> {
    static SCRIPT: OnceLock<Option<String>> = OnceLock::new();
    SCRIPT
        .get_or_init(|| crate::required("axe-core", "accessibility checks", fetch_axe()))
        .as_deref()
}

/// Runs axe-core on the page as it is now; `None` when axe-core is unavailable (warned).
pub async fn axe_violations(b: &Browser) -> Option<Vec<Violation>> {
    let script = axe_script()?;
    let present = b.js("return typeof window.axe !== 'undefined'").await;
    if present != Value::Bool(true) {
        let injected = b.client.execute(script, vec![]).await;
        b.ok("injecting axe-core", injected).await;
    }
    let result = b
        .client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
                .then((r) => done({ violations: r.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300) })),
                })) }))
                .catch((e) => done({ error: String(e) }));
            "#,
            vec![],
        )
        .await;
    let result = b.ok("running axe-core", result).await;
    if let Some(error) = result.get("error") {
        b.fail(&format!("axe-core failed: {error}")).await;
    }
    Some(serde_json::from_value(result["violations"].clone()).expect("axe-core's violations"))
}

/// Every visible control (links, buttons, inputs, selects, text areas, summaries, elements
/// with `role=button`, and labels that wrap an input) smaller than 44 × 44 CSS px. A label
/// wrapping a checkbox or radio counts as the control's target when it is larger.
pub async fn small_controls(b: &Browser) -> Vec<SmallControl> {
    let found = b
        .js(r#"
            const min = 44;
            const visible = (el) => {
                const r = el.getBoundingClientRect();
                const s = getComputedStyle(el);
                return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
            };
            const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
            const small = [];
            const seen = new Set();
            const check = (el) => {
                if (seen.has(el) || !visible(el)) return;
                seen.add(el);
                let r = el.getBoundingClientRect();
                // A control inside a label: the label is the target.
                const label = el.closest('label');
                if (label && el !== label && el.matches('input')) {
                    const l = label.getBoundingClientRect();
                    if (l.width >= r.width && l.height >= r.height) r = l;
                }
                if (r.width < min - 0.5 || r.height < min - 0.5) {
                    small.push({ html: el.outerHTML.slice(0, 200), width: r.width, height: r.height });
                }
            };
            document.querySelectorAll(sel).forEach(check);
            document.querySelectorAll('label').forEach((label) => {
                if (label.querySelector('input') && visible(label)) {
                    const r = label.getBoundingClientRect();
                    if (r.width < min - 0.5 || r.height < min - 0.5) {
                        small.push({ html: label.outerHTML.slice(0, 200), width: r.width, height: r.height });
                    }
                }
            });
            return small;
        "#)
        .await;
    serde_json::from_value(found).expect("the measured controls")
}

/// What is wrong with the page as it is now: serious or critical axe violations and
/// controls smaller than 44 px.
pub async fn audit(b: &Browser, page: &str, problems: &mut Vec<String>) {
    // Let late renders and transitions settle.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Some(violations) = axe_violations(b).await {
        for v in violations.iter().filter(|v| v.is_severe()) {
            problems.push(format!("{page}: {v}"));
        }
    }
    for c in small_controls(b).await {
        problems.push(format!("{page}: control smaller than 44 px: {c}"));
    }
}
