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
//! 4. Network: requests and bytes the app sends to the fake server for one health check
//!    (POST + polls) against the protocol's minimum; requests to open a load balancer.
//! 5. Polling cost: main-thread CPU (DevTools `Performance.getMetrics`) while the panel
//!    waits through 10 pending polls.
//!
//! Timestamps come from a script injected before the page's own scripts
//! (`Page.addScriptToEvaluateOnNewDocument`): a MutationObserver notes DOM changes and,
//! after each, a requestAnimationFrame + MessageChannel task stamps the frame that
//! painted them; clicks it needs to time are made by that script, so WebDriver round
//! trips are never inside a figure. Targets are reported, not asserted.
//!
//! Everything listens on 127.0.0.1 and stops when xtask exits; every wait has a timeout.

use crate::tools::{self, CHROMEDRIVER, CHROMIUM};
use crate::{cargo, root, show, trunk_build_cmd};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The demo estate's production subscription (src/demo/estate.rs).
const PROD: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const FIRST_RESULT_RUNS: usize = 15;
/// The page every visitor loads, gzip (issue 15's budget).
const PAGE_BUDGET_KB: u64 = 260;
const SIZES: [usize; 3] = [1_000, 5_000, 20_000];
const BASELINE_N: usize = 5_000;
const PENDING_POLLS: u32 = 10;
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
use testkit::CHROME_ARGS;
/// The bench's own flags on top: memory figures need precise memory info.
const BENCH_CHROME_ARGS: &[&str] = &["--enable-precise-memory-info", "--window-size=1280,900"];

pub fn run() -> i32 {
    let t0 = Instant::now();
    tools::setup(tools::Need::All);
    let root = root();
    let dist = root.join("target").join("bench-dist");

    let mut build = trunk_build_cmd(None);
    build.arg("--dist").arg(&dist);
    println!("[bench 1/6] {}", show(&build));
    match build.status() {
        Ok(s) if s.success() => {}
        Ok(s) => return fail(&format!("trunk build failed ({s})")),
        Err(e) => return fail(&format!("cannot run trunk: {e}")),
    }
    let mut fake_build = cargo();
    fake_build.args(["build", "-p", "fake-azure"]);
    println!("[bench 1/6] {}", show(&fake_build));
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
    println!("[bench 2/6] bundle sizes");
    if let Err(e) = bundle(&dist, &mut report) {
        report.failed("Bundle", &e);
    }

    let load_before = loadavg();
    let outcome = (|| -> Result<(), String> {
        let www = Www::start(&dist, &root.join("bench").join("baseline"))?;
        let css = app_css(&dist)?;
        www.put("/baseline/app.css", "text/css", css);
        let driver = Driver::start()?;

        println!("[bench 3/6] time to first result ({FIRST_RESULT_RUNS} fresh browsers)");
        if let Err(e) = first_result(&driver, &www, &mut report) {
            report.failed("First result", &e);
        }
        println!("[bench 4/6] large results and the plain-JavaScript baseline");
        if let Err(e) = large_results(&driver, &www, &fake_bin, &mut report) {
            report.failed("Large results", &e);
        }
        println!("[bench 5/6] network and polling cost against the fake Azure server");
        if let Err(e) = network(&driver, &www, &dist, &fake_bin, &mut report) {
            report.failed("Network", &e);
        }
        Ok(())
    })();
    if let Err(e) = outcome {
        report.failed("Browser", &e);
    }

    println!("[bench 6/6] report");
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

fn fail(msg: &str) -> i32 {
    eprintln!("xtask bench: {msg}");
    1
}

// ------------------------------------------------------------------ report

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
    failures: Vec<String>,
}

struct Row {
    area: &'static str,
    measure: String,
    ours: String,
    base: String,
    ratio: String,
    target: String,
}

impl Report {
    fn row(
        &mut self,
        area: &'static str,
        measure: impl Into<String>,
        ours: impl Into<String>,
    ) -> &mut Row {
        self.rows.push(Row {
            area,
            measure: measure.into(),
            ours: ours.into(),
            base: String::new(),
            ratio: String::new(),
            target: String::new(),
        });
        self.rows.last_mut().expect("just pushed")
    }

    fn failed(&mut self, area: &'static str, e: &str) {
        let short: String = e.lines().next().unwrap_or("").chars().take(200).collect();
        self.row(area, "(could not measure)", format!("error: {short}"));
        self.failures.push(format!("{area}: {e}"));
    }

    fn table(&self) -> String {
        let header = [
            "Area",
            "Measure",
            "LB Health",
            "Baseline (plain JS)",
            "LB Health ÷ baseline",
            "Target",
        ];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.area.to_string(),
                    r.measure.clone(),
                    r.ours.clone(),
                    r.base.clone(),
                    r.ratio.clone(),
                    r.target.clone(),
                ]
                .map(|c| c.replace('|', "\\|"))
            })
            .collect();
        let mut width = header.map(|h| h.chars().count());
        for row in &cells {
            for (w, c) in width.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cols: &[String]| {
            let mut s = String::from("|");
            for (c, w) in cols.iter().zip(width) {
                s.push(' ');
                s.push_str(c);
                s.push_str(&" ".repeat(w - c.chars().count()));
                s.push_str(" |");
            }
            s.push('\n');
            s
        };
        let mut out = line(&header.map(String::from));
        out.push_str(&line(&width.map(|w| "-".repeat(w))));
        for row in &cells {
            out.push_str(&line(row));
        }
        out
    }

    fn markdown(&self, machine: &str, date: &str, table: &str) -> String {
        let mut s = String::new();
        s.push_str("# LB Health benchmarks\n\n");
        s.push_str(&format!(
            "Written by `cargo xtask bench` on {date}. Run it again to refresh this file (about 3 minutes after a build; \
             figures move between runs, by tens of percent when other work shares the machine: see the load average below).\n\n"
        ));
        s.push_str(&format!("Machine: {machine}\n\n"));
        s.push_str(table);
        s.push('\n');
        if !self.notes.is_empty() {
            s.push_str("Notes from this run:\n\n");
            for n in &self.notes {
                s.push_str(&format!("- {n}\n"));
            }
            s.push('\n');
        }
        s.push_str(METHOD);
        s
    }
}

const METHOD: &str = "## How each figure is measured

Times are medians with the range (min–max) over the runs named; ms are milliseconds of
wall time in headless Chromium. Targets are the issue's; they are reported, not asserted.

- **Bundle**: every file `trunk build --release` writes (target/bench-dist, the same build as
  dist/); gzip at level 9 (flate2), brotli at quality 11, window 22. Total is every file;
  wasm+js+css is what `cargo xtask dist` calls the bundle.
- **First result**: each run is a new Chromium with a new profile and an empty cache,
  serving config.json `{\"demo\":{\"instant\":true}}` (demo estate, no simulated latency,
  zero-wait polls). Time runs from navigation start (`performance.timeOrigin`) to the end of
  the first frame painted with the backend rows of `rule-http` in the panel. Without deep
  links, the script injected before the page clicks Contoso Production, lb-web and View
  details for rule-http the moment each appears (no WebDriver round trip in the figure).
  First contentful paint is Chromium's `paint` timing entry.
- **Panel render** (demo, `largeRule` N): the load balancer is opened and left to settle
  (the rules list checks its rules), then from the click on View details for rule-scale to
  the end of the frame painted after the panel's last DOM change (no change for 400 ms).
  It includes whatever the app does after the click: with the list's result at hand,
  summarising and rendering; if the panel runs its own check, the simulated operation too
  (POST, 202, polls with zero wait, the JSON serialised and parsed in wasm). Each sample
  closes the panel and forces a garbage collection before the next; the first is the cold
  one.
- **Baseline**: bench/baseline/ (plain JavaScript, no framework, served with the app's
  CSS) renders the same rows (instance, IP, state with icon, reason text and an info button)
  in the same kind of modal dialog from the same health-result JSON, fetched from the fake
  Azure server for `rule-scale`. Timed the same way, from its click to the frame painted
  after its last DOM change; it parses the JSON inside that time. It creates no per-row
  tooltip (a hand-written page would build one on demand). At 5,000 the app and the
  baseline are open at once, each in its own browser, and measured in turn (a render of
  one, then of the other; the same for each keystroke and sort), so that both see the same
  load from the rest of the machine.
- **Filter** and **sort** at 5,000: the keystroke is a real key event through WebDriver
  into the panel's search box; time from its `keydown` (seen first, at window capture) to
  the frame painted after the table's last change. Narrow types `7`, widen is Backspace back
  to all rows. Sort clicks the State column header button. n/a when the panel has none.
- **Memory**: after the first render, a forced GC (`HeapProfiler.collectGarbage`), then
  `performance.memory.usedJSHeapSize` (`--enable-precise-memory-info`) and the wasm linear
  memory's `buffer.byteLength` (the module's exports from Trunk's `TrunkApplicationStarted`).
- **Network**: the app built from the same bundle with config.json `{\"armEndpoint\": fake
  server}`, signed in by pasting a token; requests are counted from the fake server's own log
  (preflights included), bytes from Chromium's network events (`goog:loggingPrefs`
  performance log: `encodedDataLength` received, request line + headers + body sent). The
  fake server answers the health POST with 202 and 10 pending polls (Retry-After 1 s) before
  the result, so the protocol's minimum for one check is 1 POST + 11 GETs, plus the CORS
  preflights a browser must send: one for the POST and one for the operation URL (ARM allows
  caching them for an hour). The check measured is the panel's Refresh (opening the panel
  reuses the rules list's result). Opening a load balancer needs one GET of its description
  (whatever its number of rules) plus one check per rule the list shows health for (at most
  the rules with a probe); its minimum counts the checks the app made. Requests are counted
  until the fake server has seen none for 2.5 s.
- **Polling cost**: DevTools `Performance.getMetrics` `TaskDuration` (all main-thread
  tasks of the page: script, style, layout, paint, timers, network callbacks),
  `ScriptDuration`, `LayoutDuration` + `RecalcStyleDuration`, read when the health POST of a
  Refresh has been answered and again when the 10th pending poll has been; the wall time
  between the two readings. The reference row reads the same page, result shown, for 5 s.
";

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// Median and range: "123 ms (118–131, n=10)".
fn spread(v: &[f64]) -> String {
    let Some((med, lo, hi)) = stats(v) else {
        return "n/a".into();
    };
    format!(
        "{} ({}–{}, n={})",
        ms(med),
        ms(lo).trim_end_matches(" ms"),
        ms(hi),
        v.len()
    )
}

fn stats(v: &[f64]) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    let med = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    Some((med, s[0], s[n - 1]))
}

fn median(v: &[f64]) -> Option<f64> {
    stats(v).map(|s| s.0)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

// ------------------------------------------------------------------ 1. bundle

fn brotli_len(bytes: &[u8]) -> u64 {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes).expect("brotli into memory");
    }
    out.len() as u64
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files_under(&entry.path(), out)?;
        } else {
            out.push(entry.path());
        }
    }
    Ok(())
}

fn bundle(dist: &Path, report: &mut Report) -> Result<(), String> {
    let mut files = Vec::new();
    files_under(dist, &mut files).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    files.sort();
    let (mut total, mut core) = ([0u64; 3], [0u64; 3]);
    let mut workers = vec![[0u64; 3]; crate::dist::WORKERS.len()];
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let sizes = [
            bytes.len() as u64,
            crate::dist::gzip_len(&bytes),
            brotli_len(&bytes),
        ];
        let name = f
            .strip_prefix(dist)
            .unwrap_or(f)
            .to_string_lossy()
            .into_owned();
        report.row(
            "Bundle",
            format!("{name} (raw / gzip / brotli)"),
            triple(sizes),
        );
        let worker = crate::dist::worker_of(&name);
        let is_core =
            worker.is_none() && [".wasm", ".js", ".css"].iter().any(|e| name.ends_with(e));
        for i in 0..3 {
            total[i] += sizes[i];
            if is_core {
                core[i] += sizes[i];
            }
            if let Some(w) = worker {
                workers[w][i] += sizes[i];
            }
        }
    }
    report
        .row(
            "Bundle",
            "wasm + js + css, the page every visitor loads (raw / gzip / brotli)",
            triple(core),
        )
        .target = format!(
        "≤{PAGE_BUDGET_KB} KB gzip: {}",
        verdict(core[1] <= PAGE_BUDGET_KB * 1024)
    );
    for ((_, label), sizes) in crate::dist::WORKERS.iter().zip(workers) {
        report.row(
            "Bundle",
            format!("{label} (raw / gzip / brotli)"),
            triple(sizes),
        );
    }
    let met = total[1] <= 150 * 1024;
    report
        .row(
            "Bundle",
            "total, every file (raw / gzip / brotli)",
            triple(total),
        )
        .target = format!("≤150 KB gzip: {}", verdict(met));
    Ok(())
}

fn triple(s: [u64; 3]) -> String {
    format!("{} / {} / {}", kb(s[0]), kb(s[1]), kb(s[2]))
}

fn app_css(dist: &Path) -> Result<Vec<u8>, String> {
    let mut files = Vec::new();
    files_under(dist, &mut files).map_err(|e| e.to_string())?;
    let css = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "css"))
        .ok_or_else(|| format!("no .css file in {}", dist.display()))?;
    std::fs::read(css).map_err(|e| format!("cannot read {}: {e}", css.display()))
}

// ------------------------------------------------------------------ 2. first result

fn lb_id(rg: &str, name: &str) -> String {
    format!("/subscriptions/{PROD}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{name}")
}

fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One fresh browser: navigation start to the rows of rule-http painted; and FCP.
fn first_result_run(
    driver: &Driver,
    www: &Www,
    deep_link: bool,
    timeout: Duration,
) -> Result<(f64, Option<f64>), String> {
    let s = driver.session(false)?;
    let clicks: Vec<&str> = if deep_link {
        vec![]
    } else {
        vec!["Contoso Production", "lb-web", "View details for rule-http"]
    };
    s.inject(&json!({ "autoArm": true, "clicks": clicks }))?;
    let url = if deep_link {
        format!(
            "{}?lb={}&rule=rule-http",
            www.url(),
            encode_component(&lb_id("rg-web", "lb-web"))
        )
    } else {
        www.url()
    };
    s.goto(&url)?;
    let m = wait_measure(&s, Until::FirstRows, timeout)?;
    let fcp = s
        .exec("const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? e.startTime : null;", vec![])?
        .as_f64();
    Ok((m.first_rows.unwrap_or(f64::NAN), fcp))
}

fn first_result(driver: &Driver, www: &Www, report: &mut Report) -> Result<(), String> {
    www.set_config(json!({ "demo": { "instant": true } }));
    // Deep links (`?lb=<id>&rule=<name>`) when the app has them; else the clicks.
    let deep = first_result_run(driver, www, true, Duration::from_secs(8)).is_ok();
    let how = if deep {
        "deep link ?lb=…&rule=rule-http"
    } else {
        "no deep links yet: clicks driven from navigation start"
    };
    println!("  mode: {how}");
    // One warm-up (file cache of the browser binary), not counted.
    first_result_run(driver, www, deep, Duration::from_secs(30))?;
    let (mut ttfr, mut fcp) = (Vec::new(), Vec::new());
    for i in 0..FIRST_RESULT_RUNS {
        let (t, f) = first_result_run(driver, www, deep, Duration::from_secs(30))?;
        println!(
            "  run {}: first result {}, FCP {}",
            i + 1,
            ms(t),
            f.map(ms).unwrap_or("n/a".into())
        );
        ttfr.push(t);
        if let Some(f) = f {
            fcp.push(f);
        }
    }
    let med = median(&ttfr).unwrap_or(f64::NAN);
    report
        .row(
            "First result",
            format!("navigation → rule-http rows painted, demo, zero latency ({how})"),
            spread(&ttfr),
        )
        .target = format!("<1 s: {}", verdict(med < 1000.0));
    report.row("First result", "first contentful paint", spread(&fcp));
    if !deep {
        report.notes.push(
            "Deep links (`?lb=…&rule=…`) did not open the panel in this build, so time to first result drives the three \
             clicks from navigation start (an injected script clicks each button as soon as it appears)."
                .into(),
        );
    }
    Ok(())
}

// ------------------------------------------------------------------ 3. large results + baseline

/// Filter keystrokes: narrow times, widen times, rows shown after narrowing.
type Filtered = (Vec<f64>, Vec<f64>, u64);

struct Rendered {
    /// Click → frame painted after the last DOM change, per sample.
    times: Vec<f64>,
    rows: u64,
    memory: Value,
    filter: Option<Filtered>,
    sort: Option<Vec<f64>>,
}

fn large_results(
    driver: &Driver,
    www: &Www,
    fake_bin: &Path,
    report: &mut Report,
) -> Result<(), String> {
    // The baseline's JSON: the health result the fake server gives for rule-scale.
    let json = health_json(fake_bin, BASELINE_N)?;
    www.put("/baseline/health.json", "application/json", json.clone());
    report.notes.push(format!(
        "The {}-backend health result is {} of JSON ({} gzip).",
        thousands(BASELINE_N),
        kb(json.len() as u64),
        kb(crate::dist::gzip_len(&json))
    ));

    // 5,000 side by side: both pages open in their own browser, samples alternating.
    let (app5, base, page) = side_by_side(driver, www)?;
    println!(
        "  LB Health, {} backends: {}",
        thousands(BASELINE_N),
        spread(&app5.times)
    );
    println!(
        "  baseline, {} backends, {} rows shown: {}",
        thousands(BASELINE_N),
        thousands(base.rows as usize),
        spread(&base.times)
    );
    let mut ours: HashMap<usize, Rendered> = HashMap::new();
    ours.insert(BASELINE_N, app5);
    for n in SIZES.into_iter().filter(|&n| n != BASELINE_N) {
        let s = app_session(driver, www, n)?;
        let r = render_samples(&s, if n >= 20_000 { 5 } else { 7 })?;
        println!(
            "  LB Health, {} backends: {}",
            thousands(n),
            spread(&r.times)
        );
        ours.insert(n, r);
    }
    // For reference, the baseline with every row in the table.
    let base_all = if page > 0 {
        let s = baseline_session(driver, www, 0)?;
        let b = render_samples(&s, 5)?;
        println!(
            "  baseline, {} backends, every row shown: {}",
            thousands(BASELINE_N),
            spread(&b.times)
        );
        Some(b)
    } else {
        None
    };
    if page > 0 {
        report.notes.push(format!(
            "LB Health's panel shows {page} rows at a time (\"Showing 1–{page} of …\", Previous/Next). For the side by side \
             the baseline pages the same way (bench/baseline/?page={page}); the row \"every row in the DOM\" is the \
             baseline without paging."
        ));
    }

    for n in SIZES {
        let r = &ours[&n];
        let row = report.row(
            "Large results",
            format!("panel render, {} backends", thousands(n)),
            spread(&r.times),
        );
        if n == BASELINE_N {
            row.base = spread(&base.times);
            match (median(&r.times), median(&base.times)) {
                (Some(a), Some(b)) if b > 0.0 => {
                    row.ratio = format!("**{:.2}x**", a / b);
                    row.target = format!("≤1.5x: {}", verdict(a / b <= 1.5));
                }
                _ => row.ratio = "n/a".into(),
            }
        }
        if n == BASELINE_N {
            if let Some(all) = &base_all {
                let row = report.row(
                    "Large results",
                    format!(
                        "panel render, {} backends, every row in the DOM",
                        thousands(n)
                    ),
                    format!("n/a (LB Health shows {page}-row pages)"),
                );
                row.base = spread(&all.times);
                if let (Some(a), Some(b)) = (median(&r.times), median(&all.times)) {
                    row.ratio = format!("{:.2}x (paged vs all rows)", a / b);
                }
            }
        }
    }
    let app = &ours[&BASELINE_N];
    let label = format!(
        "filter keystroke → table, {} (narrow \"7\" / widen)",
        thousands(BASELINE_N)
    );
    let (ours_f, base_f) = (filter_text(&app.filter), filter_text(&base.filter));
    let row = report.row("Large results", label, ours_f);
    row.base = base_f;
    if let (Some((a, _, _)), Some((b, _, _))) = (&app.filter, &base.filter) {
        if let (Some(a), Some(b)) = (median(a), median(b)) {
            row.ratio = format!("{:.2}x", a / b);
        }
    }
    row.target = match &app.filter {
        Some((narrow, widen, _)) => {
            let worst = median(narrow)
                .unwrap_or(f64::NAN)
                .max(median(widen).unwrap_or(f64::NAN));
            format!("<50 ms: {}", verdict(worst < 50.0))
        }
        None => "<50 ms".into(),
    };
    let row = report.row(
        "Large results",
        format!("sort (State column), {}", thousands(BASELINE_N)),
        sort_text(&app.sort),
    );
    row.base = sort_text(&base.sort);
    if let (Some(a), Some(b)) = (
        app.sort.as_deref().and_then(median),
        base.sort.as_deref().and_then(median),
    ) {
        row.ratio = format!("{:.2}x", a / b);
    }
    for n in SIZES {
        let row = report.row(
            "Large results",
            format!("JS heap + wasm memory after rendering {}", thousands(n)),
            memory_text(&ours[&n].memory),
        );
        if n == BASELINE_N {
            row.base = memory_text(&base.memory);
            if let Some(all) = &base_all {
                row.base
                    .push_str(&format!("; every row: {}", memory_text(&all.memory)));
            }
        }
    }
    Ok(())
}

fn filter_text(f: &Option<Filtered>) -> String {
    match f {
        None => "n/a (not implemented yet)".into(),
        Some((narrow, widen, rows)) => format!(
            "{} / {} ({} rows shown after \"7\")",
            spread(narrow),
            spread(widen),
            thousands(*rows as usize)
        ),
    }
}

fn sort_text(s: &Option<Vec<f64>>) -> String {
    match s {
        None => "n/a (not implemented yet)".into(),
        Some(v) => spread(v),
    }
}

fn memory_text(m: &Value) -> String {
    let heap = m.get("heap").and_then(Value::as_f64);
    let wasm = m.get("wasm").and_then(Value::as_f64);
    let nodes = m.get("nodes").and_then(Value::as_u64);
    let mut s = match heap {
        Some(h) => format!("{} heap", mb(h)),
        None => "heap n/a".into(),
    };
    if let Some(w) = wasm {
        s.push_str(&format!(" + {} wasm", mb(w)));
    }
    if let Some(n) = nodes {
        s.push_str(&format!(" ({} DOM elements)", thousands(n as usize)));
    }
    s
}

const OPEN_SCALE: &str = "View details for rule-scale";

/// The app with the demo's `largeRule` n, load balancer lb-scale open and settled.
fn app_session(driver: &Driver, www: &Www, n: usize) -> Result<Session, String> {
    www.set_config(json!({ "demo": { "instant": true, "largeRule": n } }));
    let s = driver.session(false)?;
    s.inject(&json!({}))?;
    s.goto(&www.url())?;
    s.click_when("Contoso Production", Duration::from_secs(30))?;
    s.click_when("lb-scale", Duration::from_secs(30))?;
    s.wait_button(OPEN_SCALE, Duration::from_secs(30))?;
    settle(&s)?;
    Ok(s)
}

/// bench/baseline/ with its JSON loaded, `page` rows at a time (0: every row).
fn baseline_session(driver: &Driver, www: &Www, page: usize) -> Result<Session, String> {
    let s = driver.session(false)?;
    s.inject(&json!({}))?;
    let query = if page > 0 {
        format!("?page={page}")
    } else {
        String::new()
    };
    s.goto(&format!("{}baseline/{query}", www.url()))?;
    s.wait_button(OPEN_SCALE, Duration::from_secs(30))?;
    settle(&s)?;
    Ok(s)
}

/// Opens the panel and times it: (click → last change painted, rows in the DOM).
fn render_once(s: &Session) -> Result<(f64, u64), String> {
    let clicked = s.exec(
        "return window.__bench.clickNamed(arguments[0]);",
        vec![json!(OPEN_SCALE)],
    )?;
    if clicked != json!(true) {
        return Err(format!("no enabled button {OPEN_SCALE:?} to click"));
    }
    let m = wait_measure(
        s,
        Until::Settled {
            quiet_ms: 400,
            rows: true,
        },
        Duration::from_secs(120),
    )?;
    Ok((m.settled - m.start, m.rows))
}

fn close_and_collect(s: &Session) -> Result<(), String> {
    close_panel(s)?;
    s.cdp("HeapProfiler.collectGarbage", json!({}))?;
    Ok(())
}

/// JS heap after a forced GC, wasm memory, DOM size.
fn memory(s: &Session) -> Result<Value, String> {
    s.cdp("HeapProfiler.collectGarbage", json!({}))?;
    s.exec("return window.__bench.memory();", vec![])
}

/// `samples` renders in one browser: open, time, close, collect garbage.
fn render_samples(s: &Session, samples: usize) -> Result<Rendered, String> {
    let mut r = Rendered {
        times: Vec::new(),
        rows: 0,
        memory: Value::Null,
        filter: None,
        sort: None,
    };
    for i in 0..samples {
        let (t, rows) = render_once(s)?;
        r.times.push(t);
        r.rows = rows;
        if i == 0 {
            r.memory = memory(s)?;
        }
        close_and_collect(s)?;
    }
    Ok(r)
}

const SIDE_BY_SIDE_SAMPLES: usize = 9;
const INPUT_SAMPLES: usize = 5;

/// LB Health and the baseline at 5,000 backends, each in its own browser, measured in
/// turn (render, filter, sort) so that both see the same load from the rest of the
/// machine. The baseline pages its table as the app does; returns that page size (0:
/// the app shows every row).
fn side_by_side(driver: &Driver, www: &Www) -> Result<(Rendered, Rendered, usize), String> {
    let a = app_session(driver, www, BASELINE_N)?;
    let (t, rows) = render_once(&a)?;
    let mut app = Rendered {
        times: vec![t],
        rows,
        memory: memory(&a)?,
        filter: None,
        sort: None,
    };
    let page = if rows > 0 && (rows as usize) < BASELINE_N {
        rows as usize
    } else {
        0
    };
    let b = baseline_session(driver, www, page)?;
    let (t, rows) = render_once(&b)?;
    let mut base = Rendered {
        times: vec![t],
        rows,
        memory: memory(&b)?,
        filter: None,
        sort: None,
    };

    // Filter and sort, both panels open.
    let inputs = [s_find(&a, FIND_FILTER_JS)?, s_find(&b, FIND_FILTER_JS)?];
    for (r, input) in [(&mut app, &inputs[0]), (&mut base, &inputs[1])] {
        r.filter = input.as_ref().map(|_| (Vec::new(), Vec::new(), 0));
    }
    for _ in 0..INPUT_SAMPLES {
        for (key, narrow) in [("7", true), ("\u{E003}", false)] {
            for (s, r, input) in [(&a, &mut app, &inputs[0]), (&b, &mut base, &inputs[1])] {
                let (Some(input), Some(f)) = (input, r.filter.as_mut()) else {
                    continue;
                };
                let (t, rows) = filter_key(s, input, key)?;
                if narrow {
                    f.0.push(t);
                    f.2 = rows;
                } else {
                    f.1.push(t);
                }
            }
        }
    }
    let sortable = [
        s_find(&a, FIND_SORT_JS)?.is_some(),
        s_find(&b, FIND_SORT_JS)?.is_some(),
    ];
    for (r, ok) in [(&mut app, sortable[0]), (&mut base, sortable[1])] {
        r.sort = ok.then(Vec::new);
    }
    for _ in 0..INPUT_SAMPLES {
        for (s, r) in [(&a, &mut app), (&b, &mut base)] {
            if let Some(v) = r.sort.as_mut() {
                v.push(sort_once(s)?);
            }
        }
    }
    close_and_collect(&a)?;
    close_and_collect(&b)?;

    for _ in 1..SIDE_BY_SIDE_SAMPLES {
        for (s, r) in [(&a, &mut app), (&b, &mut base)] {
            r.times.push(render_once(s)?.0);
            close_and_collect(s)?;
        }
    }
    Ok((app, base, page))
}

/// The element a finder script returns, if any.
fn s_find(s: &Session, js: &str) -> Result<Option<Value>, String> {
    let v = s.exec(js, vec![])?;
    Ok(v.get(ELEMENT_KEY).is_some().then_some(v))
}

/// One real key press in the filter box: (keydown → last change painted, rows shown).
fn filter_key(s: &Session, input: &Value, key: &str) -> Result<(f64, u64), String> {
    s.exec(
        "arguments[0].focus(); window.__bench.armOnInput();",
        vec![input.clone()],
    )?;
    s.key(key)?;
    let m = wait_measure(
        s,
        Until::Settled {
            quiet_ms: 600,
            rows: false,
        },
        Duration::from_secs(30),
    )?;
    if m.mutations == 0 {
        return Err(format!(
            "the filter box changed nothing in the page after key {key:?}"
        ));
    }
    Ok((m.settled - m.start, m.rows))
}

/// One click on the State column's sort button: click → last change painted.
fn sort_once(s: &Session) -> Result<f64, String> {
    let b = s_find(s, FIND_SORT_JS)?.ok_or("the sort button went away")?;
    s.exec(
        "window.__bench.arm(performance.now()); arguments[0].click();",
        vec![b],
    )?;
    let m = wait_measure(
        s,
        Until::Settled {
            quiet_ms: 400,
            rows: false,
        },
        Duration::from_secs(60),
    )?;
    if m.mutations == 0 {
        return Err("the sort button changed nothing in the page".into());
    }
    Ok(m.settled - m.start)
}

/// Waits until the page has made no DOM change for a second (the rules list may still be
/// checking rules in the background).
fn settle(s: &Session) -> Result<(), String> {
    s.exec("window.__bench.arm(performance.now());", vec![])?;
    wait_measure(
        s,
        Until::Settled {
            quiet_ms: 1000,
            rows: false,
        },
        Duration::from_secs(120),
    )?;
    Ok(())
}

fn close_panel(s: &Session) -> Result<(), String> {
    s.exec(
        "const d = window.__bench.dialog(); if (!d) return true; \
         const b = window.__bench.button('Close', d); if (b) b.click(); else d.close(); return true;",
        vec![],
    )?;
    s.wait("the panel to close", Duration::from_secs(30), || {
        Ok((s.exec("return !window.__bench.dialog();", vec![])? == json!(true)).then_some(()))
    })?;
    std::thread::sleep(Duration::from_millis(300));
    Ok(())
}

const FIND_FILTER_JS: &str = r#"
const H = window.__bench, d = H.dialog();
const label = (i) => {
  const l = i.id ? document.querySelector('label[for="' + CSS.escape(i.id) + '"]') : null;
  const w = i.closest('label');
  return [i.getAttribute('aria-label'), i.getAttribute('placeholder'), l && l.textContent, w && w.textContent].filter(Boolean).join(' ');
};
if (d) for (const i of d.querySelectorAll('input')) if (i.type === 'search' || /filter/i.test(label(i))) return i;
for (const i of document.querySelectorAll('input')) if (/filter backends/i.test(label(i))) return i;
return null;
"#;

const FIND_SORT_JS: &str = r#"
const H = window.__bench, t = H.table();
if (!t || !t.tHead) return null;
const bs = Array.from(t.tHead.querySelectorAll('button'));
return bs.find((b) => /state/i.test(H.nameOf(b))) || bs[0] || null;
"#;

/// Starts a fake Azure server with a large rule, runs the health operation for it over
/// HTTP and returns the result's JSON as the server sent it.
fn health_json(fake_bin: &Path, n: usize) -> Result<Vec<u8>, String> {
    let token = "bench-token";
    let fake = FakeArm::start(
        fake_bin,
        &[
            "--pending-polls",
            "0",
            "--large-rule",
            &n.to_string(),
            "--token",
            token,
        ],
    )?;
    let url = format!(
        "{}{}/loadBalancingRules/rule-scale/health?api-version=2024-05-01",
        fake.url,
        lb_id("rg-scale", "lb-scale")
    );
    let auth = [("Authorization", format!("Bearer {token}"))];
    let mut resp = http("POST", &url, &auth, Some(b""), Duration::from_secs(30))?;
    for _ in 0..20 {
        match resp.status {
            200 => return Ok(resp.body),
            202 => {
                let loc = resp
                    .header("location")
                    .ok_or("202 without Location")?
                    .to_string();
                resp = http("GET", &loc, &auth, None, Duration::from_secs(30))?;
            }
            s => {
                return Err(format!(
                    "fake server answered {s}: {}",
                    String::from_utf8_lossy(&resp.body)
                ))
            }
        }
    }
    Err("the fake server's health operation did not finish in 20 polls".into())
}

// ------------------------------------------------------------------ 4+5. network, polling

fn base64url(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// A JWT-shaped token for the paste box (the fake server accepts exactly this string).
fn jwt() -> String {
    let head = base64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = base64url(
        br#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"bench@contoso.com","name":"Bench","exp":4102444800}"#,
    );
    format!("{head}.{claims}.c2ln")
}

#[derive(Default, Debug)]
struct Counted {
    posts: usize,
    polls: usize,
    gets: usize,
    preflights: usize,
    other: usize,
}

fn count(lines: &[LogLine]) -> Counted {
    let mut c = Counted::default();
    for l in lines {
        let p = l.path.to_ascii_lowercase();
        match l.method.as_str() {
            "OPTIONS" => c.preflights += 1,
            "POST" if p.contains("/health") => c.posts += 1,
            "GET" if p.contains("/operationresults/") => c.polls += 1,
            "GET" => c.gets += 1,
            _ => c.other += 1,
        }
    }
    c
}

fn network(
    driver: &Driver,
    www: &Www,
    dist: &Path,
    fake_bin: &Path,
    report: &mut Report,
) -> Result<(), String> {
    let token = jwt();
    let fake = FakeArm::start(
        fake_bin,
        &[
            "--pending-polls",
            &PENDING_POLLS.to_string(),
            "--retry-after",
            "1",
            "--token",
            &token,
        ],
    )?;
    www.set_config(json!({ "armEndpoint": fake.url }));
    // As a deployment whose armEndpoint is another origin does: allow it in connect-src.
    let index = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    www.put(
        "/index.html",
        "text/html; charset=utf-8",
        allow_connect(&index, &fake.url).into_bytes(),
    );
    let s = driver.session(true)?;
    s.inject(&json!({}))?;
    s.goto(&www.url())?;
    let input = s.wait("the token box", Duration::from_secs(30), || {
        let v = s.exec("return document.getElementById('token-input');", vec![])?;
        Ok(v.get(ELEMENT_KEY).is_some().then_some(v))
    })?;
    let id = input[ELEMENT_KEY].as_str().unwrap_or_default().to_string();
    s.cmd(
        "POST",
        &format!("/element/{id}/value"),
        Some(json!({ "text": token })),
    )?;
    s.click_when("Use this token", Duration::from_secs(10))?;
    s.click_when("Contoso Production", Duration::from_secs(30))?;
    let per_check = 1 + PENDING_POLLS as usize + 1;

    // Opening a load balancer: one GET of its description, plus one health operation per
    // rule the list checks (at most one per rule with a probe).
    let lbs = [("lb-sql", "rule-sql", 1, 1), ("lb-web", "rule-http", 3, 2)];
    for (i, (lb, rule, rules, probed)) in lbs.into_iter().enumerate() {
        s.wait_button(lb, Duration::from_secs(30))?;
        fake.wait_quiet(Duration::from_millis(1500), Duration::from_secs(60))?;
        let mark = fake.len();
        s.click_when(lb, Duration::from_secs(10))?;
        s.wait_button(&format!("View details for {rule}"), Duration::from_secs(30))?;
        fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(120))?;
        let c = count(&fake.since(mark));
        let arm = c.gets + c.posts + c.polls + c.other;
        let (min_arm, min_pre) = (1 + c.posts * per_check, 1 + 2 * c.posts);
        let row = report.row(
            "Network",
            format!(
                "open {lb} ({rules} rule{}, {probed} with a probe): requests",
                if rules == 1 { "" } else { "s" }
            ),
            format!(
                "{} = {} GET + {} health check{} ({} POST + {} polls) + {} preflights",
                arm + c.preflights,
                c.gets + c.other,
                c.posts,
                if c.posts == 1 { "" } else { "s" },
                c.posts,
                c.polls,
                c.preflights
            ),
        );
        row.target = format!(
            "minimum {} ARM (1 GET + {} x {per_check}) + {min_pre} preflights: {}",
            min_arm,
            c.posts,
            verdict(arm <= min_arm && c.preflights <= min_pre && c.posts <= probed)
        );
        if i + 1 < lbs.len() {
            // Back to the list through the breadcrumb.
            s.click_when("Contoso Production", Duration::from_secs(10))?;
        }
    }

    // One health check: the panel's Refresh (opening the panel may reuse the list's result).
    s.click_when("View details for rule-http", Duration::from_secs(10))?;
    s.wait("the panel's rows", Duration::from_secs(60), || {
        Ok((s
            .exec("return window.__bench.rows();", vec![])?
            .as_u64()
            .unwrap_or(0)
            > 0)
        .then_some(()))
    })?;
    fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(60))?;
    let _ = s.performance_log()?; // drop what came before
    let mark = fake.len();
    s.cdp("Performance.enable", json!({}))?;
    s.wait(
        "the panel's Refresh button to click",
        Duration::from_secs(30),
        || {
            let clicked = s.exec(
                "const H = window.__bench, b = H.button('Refresh', H.dialog() || document); \
             if (!b || b.disabled) return false; b.click(); return true;",
                vec![],
            )?;
            Ok((clicked == json!(true)).then_some(()))
        },
    )?;
    let wait_log = |what: &str, f: &dyn Fn(&Counted) -> bool| {
        s.wait(what, Duration::from_secs(60), || {
            Ok(f(&count(&fake.since(mark))).then_some(()))
        })
    };
    wait_log(
        "the health POST in the fake server's log",
        &|c: &Counted| c.posts >= 1,
    )?;
    let m0 = metrics(&s)?;
    wait_log(
        "10 pending polls in the fake server's log",
        &|c: &Counted| c.polls >= PENDING_POLLS as usize,
    )?;
    let m1 = metrics(&s)?;
    wait_log("the final poll", &|c: &Counted| {
        c.polls > PENDING_POLLS as usize
    })?;
    fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(60))?;
    let c = count(&fake.since(mark));
    let arm = c.posts + c.polls + c.gets + c.other;
    let row = report.row(
        "Network",
        format!("one health check ({PENDING_POLLS} pending polls): ARM requests"),
        format!(
            "{arm} ({} POST + {} polls{})",
            c.posts,
            c.polls,
            if c.gets + c.other > 0 {
                format!(" + {} other", c.gets + c.other)
            } else {
                String::new()
            }
        ),
    );
    row.target = format!(
        "minimum {per_check} (1 POST + {} GET): {}",
        PENDING_POLLS + 1,
        verdict(arm <= per_check)
    );
    let row = report.row(
        "Network",
        "one health check: CORS preflights",
        c.preflights.to_string(),
    );
    row.target = format!(
        "minimum 2 (POST, operation URL): {}",
        verdict(c.preflights <= 2)
    );

    let log = s.performance_log()?;
    let bytes = network_bytes(&log, &fake.url);
    report.row(
        "Network",
        "one health check: bytes received / sent (headers included)",
        format!(
            "{} / {} in {} requests seen by Chromium; result body {}",
            kb(bytes.received),
            kb(bytes.sent),
            bytes.requests,
            kb(bytes.result_body)
        ),
    );
    if bytes.preflights_seen == 0 && c.preflights > 0 {
        report.notes.push(
            "Chromium's network events do not list CORS preflights, so the byte counts leave them out (each is a \
             header-only OPTIONS and 204)."
                .into(),
        );
    }

    let busy = cpu_text(&m0, &m1);
    let row = report.row(
        "Polling cost",
        format!("main-thread CPU while waiting through {PENDING_POLLS} pending polls"),
        busy.0,
    );
    row.target = format!("near zero: {}", verdict(busy.1 < 0.01));
    // For reference: the same page, result shown, nothing pending.
    let m2 = metrics(&s)?;
    std::thread::sleep(Duration::from_secs(5));
    let m3 = metrics(&s)?;
    report.row(
        "Polling cost",
        "for reference: the same page idle for 5 s, result shown",
        cpu_text(&m2, &m3).0,
    );
    Ok(())
}

/// Adds `origin` to the page's Content-Security-Policy `connect-src`, if it has one.
fn allow_connect(html: &str, origin: &str) -> String {
    html.replacen(
        "connect-src 'self'",
        &format!("connect-src 'self' {origin}"),
        1,
    )
}

/// Main-thread time between two `Performance.getMetrics` readings, and its share of a core.
fn cpu_text(m0: &HashMap<String, f64>, m1: &HashMap<String, f64>) -> (String, f64) {
    let d = |k: &str| m1.get(k).copied().unwrap_or(0.0) - m0.get(k).copied().unwrap_or(0.0);
    let wall = d("Timestamp");
    let task = d("TaskDuration") * 1000.0;
    let script = d("ScriptDuration") * 1000.0;
    let style = (d("LayoutDuration") + d("RecalcStyleDuration")) * 1000.0;
    let share = if wall > 0.0 {
        task / (wall * 1000.0)
    } else {
        f64::NAN
    };
    let text = format!(
        "{} over {:.1} s ({:.1}% of a core: script {}, style+layout {}, other tasks {})",
        ms(task),
        wall,
        share * 100.0,
        ms(script),
        ms(style),
        ms((task - script - style).max(0.0))
    );
    (text, share)
}

fn metrics(s: &Session) -> Result<HashMap<String, f64>, String> {
    let v = s.cdp("Performance.getMetrics", json!({}))?;
    Ok(v.get("metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m.get("name")?.as_str()?.to_string(),
                m.get("value")?.as_f64()?,
            ))
        })
        .collect())
}

#[derive(Default, Debug)]
struct Bytes {
    requests: usize,
    preflights_seen: usize,
    received: u64,
    sent: u64,
    result_body: u64,
}

/// Sums Chromium's network events for requests to `origin`.
fn network_bytes(log: &[Value], origin: &str) -> Bytes {
    let mut b = Bytes::default();
    let mut ours: HashMap<String, bool> = HashMap::new(); // requestId -> is preflight
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let mut finished: HashMap<String, u64> = HashMap::new();
    for e in log {
        let (Some(method), Some(p)) = (
            e.pointer("/message/method").and_then(Value::as_str),
            e.pointer("/message/params"),
        ) else {
            continue;
        };
        let id = p
            .get("requestId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match method {
            "Network.requestWillBeSent" => {
                let url = p
                    .pointer("/request/url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !url.starts_with(origin) {
                    continue;
                }
                let preflight = p.get("type").and_then(Value::as_str) == Some("Preflight")
                    || p.pointer("/request/method").and_then(Value::as_str) == Some("OPTIONS");
                if ours.insert(id.clone(), preflight).is_none() {
                    b.requests += 1;
                    b.preflights_seen += usize::from(preflight);
                }
                let method = p
                    .pointer("/request/method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET");
                let path = url.strip_prefix(origin).unwrap_or(url);
                let body = p
                    .pointer("/request/postData")
                    .and_then(Value::as_str)
                    .map_or(0, str::len);
                sizes
                    .entry(id)
                    .or_insert((method.len() + path.len() + 11 + body) as u64);
            }
            "Network.requestWillBeSentExtraInfo" => {
                if let Some(h) = p.get("headers").and_then(Value::as_object) {
                    let n: usize = h
                        .iter()
                        .map(|(k, v)| k.len() + 4 + v.as_str().map_or(0, str::len))
                        .sum::<usize>()
                        + 2;
                    *sizes.entry(id).or_insert(0) += n as u64;
                }
            }
            "Network.loadingFinished" => {
                finished.insert(
                    id,
                    p.get("encodedDataLength")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0) as u64,
                );
            }
            // The final answer of the operation: its body is the health result.
            "Network.responseReceived"
                if p.pointer("/response/status").and_then(Value::as_u64) == Some(200)
                    && p.pointer("/response/url")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.contains("/operationResults/")) =>
            {
                let len = p
                    .pointer("/response/headers")
                    .and_then(Value::as_object)
                    .and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    })
                    .and_then(|(_, v)| v.as_str()?.parse().ok());
                if let Some(len) = len {
                    b.result_body = len;
                }
            }
            _ => {}
        }
    }
    for id in ours.keys() {
        b.received += finished.get(id).copied().unwrap_or(0);
        b.sent += sizes.get(id).copied().unwrap_or(0);
    }
    b
}

// ------------------------------------------------------------------ machine

fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_kb: f64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown OS".into());
    let version = |program: &str| {
        Command::new(program)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("{program}: unknown"))
    };
    format!(
        "{cores} CPUs (nproc), {model}; {:.1} GiB memory; {os}; {} (headless, via {}); {}; {}.",
        mem_kb / 1024.0 / 1024.0,
        version(CHROMIUM),
        version(CHROMEDRIVER)
            .split(" (")
            .next()
            .unwrap_or("chromedriver"),
        version("trunk"),
        version("rustc"),
    )
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn now_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            format!("{secs} (Unix time)")
        })
}

// ------------------------------------------------------------------ HTTP client

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to an `http://` URL on this machine (`Connection: close`).
fn http(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&[u8]>,
    timeout: Duration,
) -> Result<Resp, String> {
    let err = |e: &dyn std::fmt::Display| format!("{method} {url}: {e}");
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| err(&"not an http:// URL"))?;
    let (host, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let addr = host
        .to_socket_addrs()
        .map_err(|e| err(&e))?
        .next()
        .ok_or_else(|| err(&"no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(|e| err(&e))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| err(&e))?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| err(&e))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&bytes).map_err(|e| err(&e))?;
    // Read the head, then exactly the body it announces: some servers (chromedriver)
    // keep the connection open whatever `Connection: close` says.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked = head
                .lines()
                .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
            let body = &raw[end + 4..];
            let complete = match (length, chunked) {
                (Some(n), _) => body.len() >= n,
                (None, true) => body.ends_with(b"0\r\n\r\n"),
                (None, false) => {
                    head.starts_with("http/1.1 204") || head.starts_with("http/1.1 304")
                }
            };
            if complete {
                break;
            }
        }
        let n = stream.read(&mut buf).map_err(|e| err(&e))?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    parse_response(&raw).map_err(|e| err(&e))
}

fn parse_response(raw: &[u8]) -> Result<Resp, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("bad status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(n) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
    {
        body.truncate(n);
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size: {e}"))?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or_default();
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

// ------------------------------------------------------------------ static server

/// In-memory files by path: (content type, body).
type Files = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// Serves the app's build at `/` and bench/baseline/ at `/baseline/` on 127.0.0.1,
/// with in-memory files (config.json, the baseline's JSON and CSS) put on top.
struct Www {
    port: u16,
    stop: Arc<AtomicBool>,
    files: Files,
}

impl Www {
    fn start(app: &Path, baseline: &Path) -> Result<Www, String> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind 127.0.0.1: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let files: Files = Arc::default();
        let (stop2, files2) = (stop.clone(), files.clone());
        let mounts = Arc::new(vec![
            ("/baseline/".to_string(), baseline.to_path_buf()),
            ("/".to_string(), app.to_path_buf()),
        ]);
        std::thread::Builder::new()
            .name("bench-www".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let (files, mounts) = (files2.clone(), mounts.clone());
                    let _ = std::thread::Builder::new()
                        .name("bench-www-conn".into())
                        .spawn(move || {
                            let _ = serve_one(stream, &files, &mounts);
                        });
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Www { port, stop, files })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn put(&self, path: &str, content_type: &str, body: Vec<u8>) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.into(), (content_type.into(), body));
    }

    fn set_config(&self, config: Value) {
        self.put(
            "/config.json",
            "application/json",
            config.to_string().into_bytes(),
        );
    }
}

impl Drop for Www {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn serve_one(
    stream: TcpStream,
    files: &Mutex<HashMap<String, (String, Vec<u8>)>>,
    mounts: &[(String, PathBuf)],
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    if path.ends_with('/') {
        path.push_str("index.html");
    }
    let found = if path.contains("..") || !(method == "GET" || method == "HEAD") {
        None
    } else if let Some((ct, body)) = files.lock().unwrap_or_else(|e| e.into_inner()).get(&path) {
        Some((ct.clone(), body.clone()))
    } else {
        mounts
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix.as_str()))
            .and_then(|(prefix, dir)| std::fs::read(dir.join(&path[prefix.len()..])).ok())
            .map(|b| (content_type(&path).to_string(), b))
    };
    let mut out = stream;
    match found {
        Some((ct, body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            if method != "HEAD" {
                out.write_all(&body)?;
            }
        }
        None => {
            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n")?;
        }
    }
    out.flush()
}

// ------------------------------------------------------------------ fake Azure (child process)

struct LogLine {
    method: String,
    path: String,
}

/// `fake-azure --port 0 ...` as a child process; its printed request log, parsed.
struct FakeArm {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<LogLine>>>,
}

impl FakeArm {
    fn start(bin: &Path, args: &[&str]) -> Result<FakeArm, String> {
        let mut child = Command::new(bin)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let log: Arc<Mutex<Vec<LogLine>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("fake ARM:") {
                    let _ = tx.send(url.trim().to_string());
                    continue;
                }
                // "Arm GET /subscriptions?api-version=... (with token)"
                let w: Vec<&str> = line.split_whitespace().collect();
                if w.len() >= 3 && w[0] == "Arm" {
                    log2.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(LogLine {
                            method: w[1].into(),
                            path: w[2].into(),
                        });
                }
            }
        });
        let mut fake = FakeArm {
            child,
            url: String::new(),
            log,
        };
        fake.url = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| format!("{} did not print its address", bin.display()))?;
        Ok(fake)
    }

    /// Waits until the log has had no new request for `quiet` (it prints every 200 ms).
    fn wait_quiet(&self, quiet: Duration, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        let (mut seen, mut since) = (self.len(), Instant::now());
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let n = self.len();
            if n != seen {
                (seen, since) = (n, Instant::now());
            } else if since.elapsed() >= quiet {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!("the app kept sending requests for {timeout:?}"));
            }
        }
    }

    fn len(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn since(&self, mark: usize) -> Vec<LogLine> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .skip(mark)
            .map(|l| LogLine {
                method: l.method.clone(),
                path: l.path.clone(),
            })
            .collect()
    }
}

impl Drop for FakeArm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------ WebDriver

/// One chromedriver for the whole run; each `session` is a new Chromium with a new profile.
struct Driver {
    child: Child,
    base: String,
}

impl Driver {
    fn start() -> Result<Driver, String> {
        for p in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(p).exists() {
                return Err(format!(
                    "{p} not found: `cargo xtask setup` installs chromium and chromium-driver"
                ));
            }
        }
        let port = free_port()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(v) = wd(&format!("{}/status", driver.base), "GET", None) {
                if v.get("ready").and_then(Value::as_bool) == Some(true) {
                    return Ok(driver);
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready in 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn session(&self, performance_log: bool) -> Result<Session, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "lbh-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)
            .map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
        let mut args: Vec<String> = CHROME_ARGS
            .iter()
            .chain(BENCH_CHROME_ARGS)
            .map(|s| s.to_string())
            .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        if performance_log {
            caps["goog:loggingPrefs"] = json!({ "performance": "ALL" });
        }
        let created = wd(
            &format!("{}/session", self.base),
            "POST",
            Some(&json!({ "capabilities": { "alwaysMatch": caps } })),
        );
        let created = match created {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(format!("cannot start Chromium through chromedriver: {e}"));
            }
        };
        let id = created
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or("new session without sessionId")?;
        Ok(Session {
            url: format!("{}/session/{id}", self.base),
            profile,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = wd(&format!("{}/shutdown", self.base), "GET", None);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver call: the `value` of the answer, or its error.
fn wd(url: &str, method: &str, body: Option<&Value>) -> Result<Value, String> {
    let body_bytes = body.map(|b| b.to_string().into_bytes());
    let headers = [(
        "Content-Type",
        "application/json; charset=utf-8".to_string(),
    )];
    let resp = http(
        method,
        url,
        &headers,
        body_bytes.as_deref(),
        Duration::from_secs(180),
    )?;
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|e| format!("{method} {url}: not JSON ({e})"))?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if let Some(err) = value.get("error").and_then(Value::as_str) {
        let msg = value.get("message").and_then(Value::as_str).unwrap_or("");
        let msg: Vec<&str> = msg.lines().take(2).collect();
        return Err(format!("{method} {url}: {err}: {}", msg.join(" / ")));
    }
    if resp.status >= 400 {
        return Err(format!("{method} {url}: HTTP {}", resp.status));
    }
    Ok(value)
}

struct Session {
    url: String,
    profile: PathBuf,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = wd(&self.url, "DELETE", None);
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Session {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let body = body.or_else(|| (method == "POST").then(|| json!({})));
        wd(&format!("{}{path}", self.url), method, body.as_ref())
    }

    fn exec(&self, js: &str, args: Vec<Value>) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
        )
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Runs the measuring script (with `config`) before any of the page's own, on every navigation.
    fn inject(&self, config: &Value) -> Result<(), String> {
        let source = format!("window.__benchConfig = {config};\n{HARNESS}");
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )?;
        Ok(())
    }

    fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))?;
        Ok(())
    }

    fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut() -> Result<Option<T>, String>,
    ) -> Result<T, String> {
        let start = Instant::now();
        loop {
            if let Some(t) = f()? {
                return Ok(t);
            }
            if start.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_button(&self, name: &str, timeout: Duration) -> Result<(), String> {
        self.wait(&format!("a button named {name:?}"), timeout, || {
            let v = self.exec(
                "const b = window.__bench.button(arguments[0]); return !!b && !b.disabled;",
                vec![json!(name)],
            )?;
            Ok((v == json!(true)).then_some(()))
        })
    }

    /// Waits for an enabled button with this accessible name, then clicks it (from JS).
    fn click_when(&self, name: &str, timeout: Duration) -> Result<(), String> {
        self.wait(&format!("a button named {name:?} to click"), timeout, || {
            let v = self.exec(
                "const b = window.__bench && window.__bench.button(arguments[0]); if (!b || b.disabled) return false; b.click(); return true;",
                vec![json!(name)],
            )?;
            Ok((v == json!(true)).then_some(()))
        })
    }

    /// A real key press on the focused element ("7", or "\u{E003}" for Backspace).
    fn key(&self, key: &str) -> Result<(), String> {
        let actions = json!([{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]);
        self.cmd("POST", "/actions", Some(json!({ "actions": actions })))?;
        self.cmd("DELETE", "/actions", None)?;
        Ok(())
    }

    /// Chromium's DevTools events since the last call (`goog:loggingPrefs` performance).
    fn performance_log(&self) -> Result<Vec<Value>, String> {
        let entries = self.cmd("POST", "/se/log", Some(json!({ "type": "performance" })))?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str(e.get("message")?.as_str()?).ok())
            .collect())
    }
}

// ------------------------------------------------------------------ in-page measurement

enum Until {
    /// The first frame painted with backend rows.
    FirstRows,
    /// The frame painted after the last DOM change, then `quiet_ms` without change.
    Settled { quiet_ms: u32, rows: bool },
}

#[derive(Debug)]
struct Measure {
    start: f64,
    first_rows: Option<f64>,
    settled: f64,
    rows: u64,
    mutations: u64,
}

fn wait_measure(s: &Session, until: Until, timeout: Duration) -> Result<Measure, String> {
    let quiet = match until {
        Until::FirstRows => 0,
        Until::Settled { quiet_ms, .. } => quiet_ms,
    };
    let start = Instant::now();
    loop {
        let v = s.exec(
            "return window.__bench ? window.__bench.done(arguments[0]) : null;",
            vec![json!(quiet)],
        )?;
        let f = |k: &str| v.get(k).and_then(Value::as_f64);
        let first_rows = f("firstRows");
        let ready = match until {
            Until::FirstRows => first_rows.is_some(),
            Until::Settled { rows, .. } => {
                v.get("quiet") == Some(&json!(true))
                    && f("settled").is_some()
                    && (!rows || first_rows.is_some())
            }
        };
        if ready {
            s.exec("window.__bench.disarm();", vec![])?;
            return Ok(Measure {
                start: f("start").unwrap_or(0.0),
                first_rows,
                settled: f("settled").unwrap_or(f64::NAN),
                rows: v.get("rows").and_then(Value::as_u64).unwrap_or(0),
                mutations: v.get("mutations").and_then(Value::as_u64).unwrap_or(0),
            });
        }
        if start.elapsed() > timeout {
            let _ = s.exec("window.__bench && window.__bench.disarm();", vec![]);
            return Err(format!(
                "timed out after {timeout:?} waiting for the page to settle; last state {v}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Injected before the page's scripts. Finds things by accessible name, as a user would;
/// `arm(start)` starts a measurement: a MutationObserver notes each DOM change and the
/// next requestAnimationFrame, followed by a MessageChannel task (which runs after that
/// frame is painted), stamps the paint. `done(quietMs)` reports the latest state.
const HARNESS: &str = r#"
(() => {
  if (window.__bench) return;
  const cfg = window.__benchConfig || {};
  const now = () => performance.now();
  const H = (window.__bench = { clicked: [] });
  addEventListener("TrunkApplicationStarted", (e) => { H.wasm = e.detail && e.detail.wasm; H.appStarted = now(); });
  // Accessible name, near enough: aria-label, else the text outside aria-hidden parts.
  const textOf = (n) => {
    let s = "";
    for (const c of n.childNodes) {
      if (c.nodeType === 3) s += c.data;
      else if (c.nodeType === 1 && c.getAttribute("aria-hidden") !== "true") s += textOf(c);
    }
    return s;
  };
  H.nameOf = (e) => (e.getAttribute("aria-label") || textOf(e)).replace(/\s+/g, " ").trim();
  H.button = (name, root) => {
    for (const b of (root || document).querySelectorAll("button")) if (H.nameOf(b) === name) return b;
    return null;
  };
  H.dialog = () => document.querySelector("dialog[open]");
  H.table = () => {
    for (const t of document.querySelectorAll("table")) {
      const c = t.querySelector("caption");
      const by = t.getAttribute("aria-labelledby");
      const l = by ? document.getElementById(by.split(" ")[0]) : null;
      const n = (t.getAttribute("aria-label") || (l ? l.textContent : "") || (c ? c.textContent : "")).trim();
      if (n === "Backend instances") return t;
    }
    return null;
  };
  H.rows = () => { const t = H.table(); return t && t.tBodies.length ? t.tBodies[0].rows.length : 0; };
  H.memory = () => {
    const pm = performance.memory || {};
    let wasm = null;
    // The post-build step gives the wasm's exports short names, `memory` among them:
    // find the linear memory by what it is.
    try {
      const m = H.wasm && Object.values(H.wasm).find((v) => v instanceof WebAssembly.Memory);
      if (m) wasm = m.buffer.byteLength;
    } catch (e) {}
    return { heap: pm.usedJSHeapSize ?? null, heapTotal: pm.totalJSHeapSize ?? null, wasm, nodes: document.getElementsByTagName("*").length };
  };

  let obs = null, m = null;
  function frame() {
    const mm = m;
    mm.pending = true;
    requestAnimationFrame(() => {
      const seen = mm.lastMut, rows = H.rows();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const t = now();
        mm.pending = false;
        mm.frames++;
        if (rows > 0 && mm.firstRows === null) mm.firstRows = t;
        mm.settled = t;
        mm.seen = seen;
        if (m === mm && mm.lastMut > seen) frame();
      };
      ch.port2.postMessage(null);
    });
  }
  function autoClick() {
    const b = H.button(cfg.clicks[0]);
    if (b && !b.disabled) { cfg.clicks.shift(); H.clicked.push([H.nameOf(b), now()]); b.click(); }
  }
  function onMutations(records) {
    const t = now();
    if (cfg.clicks && cfg.clicks.length) autoClick();
    if (!m) return;
    m.lastMut = t;
    m.mutations += records.length;
    if (!m.pending) frame();
  }
  H.arm = (start) => {
    m = H.m = { start, lastMut: start, mutations: 0, firstRows: null, settled: null, seen: -1, pending: false, frames: 0 };
    if (!obs) {
      obs = new MutationObserver(onMutations);
      obs.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
    }
    frame();
  };
  H.disarm = () => { m = null; if (obs) { obs.disconnect(); obs = null; } };
  H.armOnInput = () => { H.waitInput = true; };
  for (const type of ["keydown", "click"]) {
    addEventListener(type, () => { if (H.waitInput) { H.waitInput = false; H.arm(now()); } }, true);
  }
  H.clickNamed = (name) => {
    const b = H.button(name);
    if (!b || b.disabled) return false;
    H.arm(now());
    b.click();
    return true;
  };
  H.done = (quietMs) => {
    if (!m) return null;
    const t = now();
    const quiet = !m.pending && m.seen >= m.lastMut && t - m.lastMut >= quietMs;
    let rows = 0;
    if (quiet) {
      const tb = H.table();
      if (tb && tb.tBodies.length) for (const r of tb.tBodies[0].rows) if (!r.hidden) rows++;
    }
    return { start: m.start, firstRows: m.firstRows, settled: m.settled, mutations: m.mutations, frames: m.frames, quiet, rows };
  };
  if (cfg.autoArm) H.arm(0);
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_spread() {
        assert_eq!(stats(&[3.0, 1.0, 2.0]), Some((2.0, 1.0, 3.0)));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(spread(&[]), "n/a");
        assert_eq!(spread(&[120.0, 100.0, 140.0]), "120 ms (100–140 ms, n=3)");
    }

    #[test]
    fn parses_chunked_and_sized_responses() {
        let r = parse_response(b"HTTP/1.1 202 Accepted\r\nLocation: http://x/op\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(
            (r.status, r.header("location"), r.body.as_slice()),
            (202, Some("http://x/op"), &b"abcde"[..])
        );
        let r = parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").unwrap();
        assert_eq!(r.body, b"{}");
    }

    #[test]
    fn counts_requests_by_kind() {
        let l = |m: &str, p: &str| LogLine {
            method: m.into(),
            path: p.into(),
        };
        let c = count(&[
            l("OPTIONS", "/x/health"),
            l("POST", "/subscriptions/s/.../loadBalancingRules/r/health?api-version=1"),
            l("GET", "/subscriptions/s/providers/Microsoft.Network/locations/l/operationResults/o?api-version=1"),
            l("GET", "/subscriptions?api-version=1"),
        ]);
        assert_eq!(
            (c.preflights, c.posts, c.polls, c.gets, c.other),
            (1, 1, 1, 1, 0)
        );
    }

    #[test]
    fn table_is_aligned_markdown() {
        let mut r = Report::default();
        r.row("Bundle", "a|b", "1 KB").target = "≤150 KB".into();
        let t = r.table();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].contains("a\\|b"), "{t}");
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{t}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(5000), "5,000");
        assert_eq!(thousands(20000), "20,000");
        assert_eq!(thousands(999), "999");
    }
}
