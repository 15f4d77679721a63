//! Cold offline start of the installed app in headless Chromium: the demo server's inspector
//! prepares for the field (the working set of their region), the network is cut, and the app
//! is opened again and again from nothing but the service worker's cache and IndexedDB.
//!
//! `cargo bench -p tests --bench cold_start` (`COLD_RUNS` overrides 10). "Interactive" is the
//! app's `ei-ready` performance mark: the page is mounted and the device store (session,
//! working set, drafts, outbox) is loaded, so lookup and recording work. Each run opens a new
//! tab-less navigation to `/`, so the wasm module is compiled and instantiated anew.

use std::time::Instant;

use tests::field::FieldBench;

fn main() {
    let runs: usize = std::env::var("COLD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let rt = tests::bench_runtime();
    rt.block_on(async move {
        let bench = FieldBench::start().await;
        let (b, proxy) = (&bench.browser, &bench.proxy);
        let url = |path: &str| bench.url(path);
        b.goto(&url("/device")).await;
        b.click("prepare").await;
        let count = b.find("working-set-count").await;
        let enclaves = b.text(&count).await;
        tests::field::until_service_worker(b).await;

        proxy.set_online(false);
        let mut ready_ms = Vec::new();
        let mut wall_ms = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            b.goto(&url("/")).await;
            let mark = b
                .until("the app is interactive", async || {
                    let v = b
                        .client
                        .execute(
                            "const m = performance.getEntriesByName('ei-ready')[0]; return m ? m.startTime : null;",
                            vec![],
                        )
                        .await
                        .ok()?;
                    v.as_f64()
                })
                .await;
            wall_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            ready_ms.push(mark);
        }
        let stats = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            (v[v.len() / 2], v[v.len() - 1])
        };
        let (median, max) = stats(&mut ready_ms);
        let (wall_median, _) = stats(&mut wall_ms);
        println!(
            "cold offline start, {runs} runs, working set of {} enclaves: interactive (ei-ready) median {median:.0} ms, max {max:.0} ms; WebDriver wall time median {wall_median:.0} ms",
            enclaves.trim()
        );
        bench.browser.close().await;
    });
}
