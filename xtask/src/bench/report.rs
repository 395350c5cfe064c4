//! The report: rows, the table, and bench/results.md with how each figure is measured.

#[derive(Default)]
pub(super) struct Report {
    pub(super) rows: Vec<Row>,
    pub(super) notes: Vec<String>,
    pub(super) failures: Vec<String>,
}

pub(super) struct Row {
    pub(super) area: &'static str,
    pub(super) measure: String,
    pub(super) ours: String,
    pub(super) base: String,
    pub(super) ratio: String,
    pub(super) target: String,
}

impl Report {
    pub(super) fn row(
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

    pub(super) fn failed(&mut self, area: &'static str, e: &str) {
        let short: String = e.lines().next().unwrap_or("").chars().take(200).collect();
        self.row(area, "(could not measure)", format!("error: {short}"));
        self.failures.push(format!("{area}: {e}"));
    }

    pub(super) fn table(&self) -> String {
        let header = [
            "Area",
            "Measure",
            "LB Health",
            "Peer (plain JS page; Azure SDK)",
            "LB Health ÷ peer",
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

    pub(super) fn markdown(&self, machine: &str, date: &str, table: &str) -> String {
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

pub(super) const METHOD: &str = "## How each figure is measured

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
- **Cold load**: the deep link to rule-http on the demo (`{\"demo\":{\"instant\":true}}`),
  each profile in a fresh Chromium: DevTools `Network.emulateNetworkConditions` (latency as
  the round trip, throughput as named), files served gzip-compressed with
  `Cache-Control: max-age=600` as GitHub Pages serves them (config.json `no-store`). Cold
  is the first visit, empty cache; the repeat visit is the same link again in the same
  browser; the third visit stands for one after the host's 10 minutes have run out: once
  the service worker controls the page and keeps its files, DevTools
  `Network.clearBrowserCache` empties the HTTP cache, so only the service worker's cache
  is left (index.html and config.json go to the network). Time from navigation start to the frame painted with the rows, as in First result.
- **SDK side by side**: the Azure SDK for Python (`azure-mgmt-network`, in
  target/tools/sdk-venv; bench/sdk/health.py) calls `begin_health(...).result()` against a
  fake Azure server started in process with the scenario's answers; its time is measured in
  the script from the call to the result. LB Health meets a fresh server with the same
  answers on the same port: the time is the panel's own \"took\" figure for a Refresh (click
  to result, in tenths of a second). Requests are counted from the server's log; the
  browser's CORS preflights are listed apart (the SDK sends none). The faults are aimed at
  the health POST and met once. Both poll once at once whatever the 202 of the POST says,
  then as each poll's `Retry-After` asks. In most scenarios the operation ends after a
  number of polls; in \"an operation that runs 2 s\" it ends after a time on the server's
  clock (fake-azure's `pending_for`), as ARM's do: an early poll then buys one more 202,
  not an earlier result.
- **Watch soak**: the demo with `largeRule` 200 and `clockRate` 600, the panel on
  Auto-refresh every 30 s (50 ms of real time; the panel looks once a second whether a check
  is due, so about one check a second). Checks are counted by the page's health POSTs to
  the demo worker, read through DevTools `Runtime.evaluate` by value: ChromeDriver's
  execute-script leaves each answer's wrapper in the page, which alone made the JS heap
  grow by 19% over 500 checks. After 10 and after 500: a forced GC, then the JS heap, the wasm linear
  memory and the number of elements, as in Memory. Readings at 100, 200, 300 and 400 are
  printed, not tabled.
- **Estate overview**: config.json `{\"demo\":{\"instant\":true,\"largeEstate\":2000}}` (the
  demo's own load balancers plus 2,000 in 50 subscriptions), `?view=estate`, each run a new
  Chromium. A script injected before the page's own (xtask/src/bench/estate.rs) watches
  the DOM with a MutationObserver: the first rows are the end of the frame painted once the table
  \"Load balancers, worst first\" has a body row; all verdicts, the frame painted once the
  status line (`role=\"status\"`) reads \"Checked all … load balancers\"; both from navigation
  start. Every new text of the status line is kept and the peak is the largest N of
  \"(N requests in flight)\" among them. Requests on the demo are counted as they cross
  `postMessage` to the demo's worker; against the fake Azure server (`--large-estate 2000`,
  a pasted token) from the server's own log, preflights included, until it has had none for
  2.5 s. Longest frame: the longest gap between `requestAnimationFrame` callbacks over
  33 ms, and the longest `longtask` entry, that end between the first rows and all
  verdicts; the figure is each run's longest.
- **History charts**: the demo's `largeRule` 500, opened and measured as Panel render
  (one browser, the panel closed and a GC forced between samples, the first one cold),
  but done only once every row the panel shows has its probe history chart
  (`td.probe svg.sparkline[role=img]`, the 24 h window with 5 min points, the panel's
  default) and the page has made no change for 400 ms: the end of the frame painted after
  the last change. The row beside it is the first frame painted with rows in the same clicks.
";

pub(super) fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

/// Median and range: "123 ms (118–131, n=10)".
pub(super) fn spread(v: &[f64]) -> String {
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

pub(super) fn stats(v: &[f64]) -> Option<(f64, f64, f64)> {
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

pub(super) fn median(v: &[f64]) -> Option<f64> {
    stats(v).map(|s| s.0)
}

pub(super) fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

pub(super) fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

pub(super) fn thousands(n: usize) -> String {
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

pub(super) fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}
