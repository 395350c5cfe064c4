//! Section 3: large results beside the plain-JavaScript baseline: render, filter, sort, memory.

use super::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Filter keystrokes: narrow times, widen times, rows shown after narrowing.
pub(super) type Filtered = (Vec<f64>, Vec<f64>, u64);

pub(super) struct Rendered {
    /// Click → frame painted after the last DOM change, per sample.
    pub(super) times: Vec<f64>,
    pub(super) rows: u64,
    pub(super) memory: Value,
    pub(super) filter: Option<Filtered>,
    pub(super) sort: Option<Vec<f64>>,
}

pub(super) fn large_results(
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

pub(super) fn filter_text(f: &Option<Filtered>) -> String {
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

pub(super) fn sort_text(s: &Option<Vec<f64>>) -> String {
    match s {
        None => "n/a (not implemented yet)".into(),
        Some(v) => spread(v),
    }
}

pub(super) fn memory_text(m: &Value) -> String {
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

pub(super) const OPEN_SCALE: &str = "View details for rule-scale";

/// The app with the demo's `largeRule` n, load balancer lb-scale open and settled.
pub(super) fn app_session(driver: &Driver, www: &Www, n: usize) -> Result<Session, String> {
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
pub(super) fn baseline_session(driver: &Driver, www: &Www, page: usize) -> Result<Session, String> {
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
/// Clicks "View details" for the scale rule, which arms the harness's clock.
pub(super) fn open_scale_rule(s: &Session) -> Result<(), String> {
    let clicked = s.exec(
        "return window.__bench.clickNamed(arguments[0]);",
        vec![json!(OPEN_SCALE)],
    )?;
    if clicked != json!(true) {
        return Err(format!("no enabled button {OPEN_SCALE:?} to click"));
    }
    Ok(())
}

pub(super) fn render_once(s: &Session) -> Result<(f64, u64), String> {
    open_scale_rule(s)?;
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

pub(super) fn close_and_collect(s: &Session) -> Result<(), String> {
    close_panel(s)?;
    s.cdp("HeapProfiler.collectGarbage", json!({}))?;
    Ok(())
}

/// JS heap after a forced GC, wasm memory, DOM size.
pub(super) fn memory(s: &Session) -> Result<Value, String> {
    s.cdp("HeapProfiler.collectGarbage", json!({}))?;
    s.exec("return window.__bench.memory();", vec![])
}

/// `samples` renders in one browser: open, time, close, collect garbage.
pub(super) fn render_samples(s: &Session, samples: usize) -> Result<Rendered, String> {
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

pub(super) const SIDE_BY_SIDE_SAMPLES: usize = 9;
pub(super) const INPUT_SAMPLES: usize = 5;

/// LB Health and the baseline at 5,000 backends, each in its own browser, measured in
/// turn (render, filter, sort) so that both see the same load from the rest of the
/// machine. The baseline pages its table as the app does; returns that page size (0:
/// the app shows every row).
pub(super) fn side_by_side(
    driver: &Driver,
    www: &Www,
) -> Result<(Rendered, Rendered, usize), String> {
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
pub(super) fn s_find(s: &Session, js: &str) -> Result<Option<Value>, String> {
    let v = s.exec(js, vec![])?;
    Ok(v.get(ELEMENT_KEY).is_some().then_some(v))
}

/// One real key press in the filter box: (keydown → last change painted, rows shown).
pub(super) fn filter_key(s: &Session, input: &Value, key: &str) -> Result<(f64, u64), String> {
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
pub(super) fn sort_once(s: &Session) -> Result<f64, String> {
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
pub(super) fn settle(s: &Session) -> Result<(), String> {
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

pub(super) fn close_panel(s: &Session) -> Result<(), String> {
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

pub(super) const FIND_FILTER_JS: &str = r#"
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

pub(super) const FIND_SORT_JS: &str = r#"
const H = window.__bench, t = H.table();
if (!t || !t.tHead) return null;
const bs = Array.from(t.tHead.querySelectorAll('button'));
return bs.find((b) => /state/i.test(H.nameOf(b))) || bs[0] || null;
"#;

/// Starts a fake Azure server with a large rule, runs the health operation for it over
/// HTTP and returns the result's JSON as the server sent it.
pub(super) fn health_json(fake_bin: &Path, n: usize) -> Result<Vec<u8>, String> {
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
