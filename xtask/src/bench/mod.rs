//! `cargo xtask bench`: builds the release bundle into target/bench-dist, runs it in
//! headless Chromium (the demo estate, and the fake Azure server for the network
//! figures), and prints one table, also written to bench/results.md with the machine's
//! description and the date.
//!
//! Sections:
//! 1. Bundle: each file of the build, raw, gzip (level 9) and brotli (quality 11).
//! 2. First result: navigation start to the first frame painted with the rule's rows,
//!    demo estate with no simulated latency, each run a fresh Chromium with a fresh
//!    profile; and first contentful paint.
//! 3. Large results (demo `largeRule` 1,000 / 5,000 / 20,000): click to the frame painted
//!    after the panel's last DOM change; filter keystroke and sort at 5,000; JS heap
//!    (after a forced GC) and wasm linear memory. Beside it, in the same run, the plain
//!    JavaScript page in bench/baseline/ renders the same 5,000 rows from the same JSON
//!    (fetched from the fake server): our time divided by its time is the headline.
//! 4. Cold load: the deep link on emulated networks (unthrottled, fast 4G, slow 4G), files
//!    served gzip-compressed and cacheable as GitHub Pages serves them: an empty cache,
//!    then a repeat visit.
//! 5. Network: requests and bytes the app sends to the fake server for one health check
//!    (POST + polls) against the protocol's minimum; requests to open a load balancer.
//!    Polling cost: main-thread CPU (DevTools `Performance.getMetrics`) while the panel
//!    waits through 10 pending polls.
//!    The Azure SDK for Python (`azure-mgmt-network` in a virtual environment under
//!    target/tools) beside LB Health on the same fake Azure answers: no `Retry-After`,
//!    `Retry-After: 1` three times, a 429 then success, a 503 then success.
//! 6. Watch soak: 500 watch-mode checks of a 200-backend rule on the demo's fast clock;
//!    JS heap, wasm memory and DOM size after 10 and after 500.
//! 7. Estate overview (`?view=estate`, demo `largeEstate` 2,000): navigation start to the
//!    first rows and to "Checked all … load balancers", the peak of requests in flight the
//!    status line shows, requests made (demo worker; and the fake Azure server's log), the
//!    longest frame while verdicts stream in. History charts: the health panel of a
//!    500-backend rule until every row shown has its 24 h probe chart.
//!
//! `LBH_BENCH_ONLY` (a comma-separated list of `first`, `cold`, `large`, `network`,
//! `sdk`, `soak`, `estate`) runs only those browser sections, to work on one;
//! bench/results.md then holds only them.
//!
//! Timestamps come from a script injected before the page's own scripts
//! (`Page.addScriptToEvaluateOnNewDocument`): a MutationObserver notes DOM changes and,
//! after each, a requestAnimationFrame + MessageChannel task stamps the frame that
//! painted them; clicks it needs to time are made by that script, so WebDriver round
//! trips are never inside a figure. Targets are reported, not asserted.
//!
//! Everything listens on 127.0.0.1 and stops when xtask exits; every wait has a timeout.

use crate::tools::{self};
use crate::{cargo, root, show, trunk_build_cmd};
use std::path::PathBuf;
use std::time::Instant;

mod bundle;
mod cold;
mod driver;
mod estate;
mod fake;
mod first_result;
mod http;
mod large;
mod machine;
mod measure;
mod network;
mod report;
mod sdk;
mod soak;
mod www;

use bundle::*;
use cold::*;
use driver::*;
use estate::*;
use fake::*;
use first_result::*;
use http::*;
use large::*;
use machine::*;
use measure::*;
use network::*;
use report::*;
use sdk::*;
use soak::*;
use www::*;

/// The demo estate's production subscription (src/demo/estate.rs).
pub(super) const PROD: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
pub(super) const FIRST_RESULT_RUNS: usize = 15;
/// The page every visitor loads, gzip (issue 15's budget).
pub(super) const PAGE_BUDGET_KB: u64 = 260;
pub(super) const SIZES: [usize; 3] = [1_000, 5_000, 20_000];
pub(super) const BASELINE_N: usize = 5_000;
pub(super) const PENDING_POLLS: u32 = 10;
pub(super) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The bench's own flags on top: memory figures need precise memory info.
pub(super) const BENCH_CHROME_ARGS: &[&str] =
    &["--enable-precise-memory-info", "--window-size=1280,900"];

pub fn run() -> i32 {
    let t0 = Instant::now();
    tools::setup(tools::Need::All);
    let root = root();
    let dist = root.join("target").join("bench-dist");

    let mut build = trunk_build_cmd(None);
    build.arg("--dist").arg(&dist);
    println!("[bench 1/7] {}", show(&build));
    match build.status() {
        Ok(s) if s.success() => {}
        Ok(s) => return fail(&format!("trunk build failed ({s})")),
        Err(e) => return fail(&format!("cannot run trunk: {e}")),
    }
    let mut fake_build = cargo();
    fake_build.args(["build", "-p", "fake-azure"]);
    println!("[bench 1/7] {}", show(&fake_build));
    match fake_build.status() {
        Ok(s) if s.success() => {}
        Ok(s) => return fail(&format!("building fake-azure failed ({s})")),
        Err(e) => return fail(&format!("cannot run cargo: {e}")),
    }
    let fake_bin = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("debug")
        .join("fake-azure");

    let mut report = Report::default();
    println!("[bench 2/7] bundle sizes");
    if let Err(e) = bundle(&dist, &mut report) {
        report.failed("Bundle", &e);
    }

    let load_before = loadavg();
    let outcome = (|| -> Result<(), String> {
        let www = Www::start(&dist, &root.join("bench").join("baseline"))?;
        let css = app_css(&dist)?;
        www.put("/baseline/app.css", "text/css", css);
        let driver = Driver::start()?;

        if runs("first") {
            println!("[bench 3/7] time to first result ({FIRST_RESULT_RUNS} fresh browsers)");
            if let Err(e) = first_result(&driver, &www, &mut report) {
                report.failed("First result", &e);
            }
        }
        if runs("cold") {
            println!("[bench 3/7] cold and repeat loads on emulated networks ({COLD_RUNS} browsers each)");
            if let Err(e) = cold_loads(&driver, &www, &mut report) {
                report.failed("Cold load", &e);
            }
        }
        if runs("large") {
            println!("[bench 4/7] large results and the plain-JavaScript baseline");
            if let Err(e) = large_results(&driver, &www, &fake_bin, &mut report) {
                report.failed("Large results", &e);
            }
        }
        if runs("network") {
            println!("[bench 5/7] network and polling cost against the fake Azure server");
            if let Err(e) = network(&driver, &www, &dist, &fake_bin, &mut report) {
                report.failed("Network", &e);
            }
        }
        if runs("sdk") {
            println!("[bench 5/7] the Azure SDK for Python beside LB Health, same answers");
            if let Err(e) = sdk_side_by_side(&driver, &www, &dist, &mut report) {
                report.failed("SDK side by side", &e);
            }
        }
        if runs("soak") {
            println!("[bench 6/7] watch soak: {SOAK_CHECKS} checks of {SOAK_BACKENDS} backends");
            if let Err(e) = soak(&driver, &www, &mut report) {
                report.failed("Watch soak", &e);
            }
        }
        if runs("estate") {
            println!("[bench 6/7] estate overview at {ESTATE_N} load balancers; history charts of {CHART_BACKENDS} backends");
            if let Err(e) = estate(&driver, &www, &dist, &fake_bin, &mut report) {
                report.failed("Estate overview", &e);
            }
        }
        Ok(())
    })();
    if let Err(e) = outcome {
        report.failed("Browser", &e);
    }

    println!("[bench 7/7] report");
    let table = report.table();
    println!("\n{table}");
    let machine = format!(
        "{} Load average (1 min) {} when the browser runs began, {} at the end: other work on the machine adds noise.",
        machine(),
        load_before,
        loadavg()
    );
    let md = report.markdown(&machine, &now_utc(), &table);
    let path = root.join("bench").join("results.md");
    if let Err(e) = std::fs::write(&path, md) {
        eprintln!("xtask bench: cannot write {}: {e}", path.display());
        return 1;
    }
    println!(
        "written to {} in {:.0} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
    if report.failures.is_empty() {
        0
    } else {
        for f in &report.failures {
            eprintln!("xtask bench: FAILED: {f}");
        }
        1
    }
}

/// Whether this run includes the browser section `name` (`LBH_BENCH_ONLY`; all by default).
fn runs(name: &str) -> bool {
    match std::env::var("LBH_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|s| s.trim() == name),
        _ => true,
    }
}

pub(super) fn fail(msg: &str) -> i32 {
    eprintln!("xtask bench: {msg}");
    1
}

#[cfg(test)]
mod tests;
