//! Section 6: an afternoon of watch mode in a minute: `SOAK_CHECKS` checks of a
//! `SOAK_BACKENDS`-backend rule on the demo's fast clock, and what the page holds after
//! the first `SOAK_EARLY` and after all of them.

use super::*;
use serde_json::{json, Value};
use std::time::Duration;

pub(super) const SOAK_CHECKS: u64 = 500;
pub(super) const SOAK_EARLY: u64 = 10;
pub(super) const SOAK_BACKENDS: usize = 200;
/// The demo's clock runs this much faster (its `clockRate` knob, capped at 600 by the app).
const SOAK_CLOCK_RATE: u32 = 600;
/// The watch interval chosen in the panel, in the demo's seconds: 50 ms of real time.
const SOAK_EVERY_S: u32 = 30;

/// Counts the page's health POSTs to the demo worker. Requests cross `postMessage` as
/// HTTP-like text after a message id (src/http/transport.rs, src/http/worker/mod.rs): the
/// first line is `ID METHOD URL`.
const COUNT_CHECKS: &str = r#"
(() => {
  window.__soakChecks = 0;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (m, ...rest) {
    if (typeof m === "string" && /^\d+ POST [^\n]*\/loadBalancingRules\/[^\/\n]+\/health\?/.test(m)) {
      window.__soakChecks++;
    }
    return post.call(this, m, ...rest);
  };
})();
"#;

/// What the page holds at one point of the soak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Held {
    pub(super) checks: u64,
    pub(super) heap: f64,
    pub(super) wasm: f64,
    pub(super) nodes: f64,
}

impl Held {
    fn read(checks: u64, v: &Value) -> Result<Held, String> {
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("the page gave no {k} figure: {v}"))
        };
        Ok(Held {
            checks,
            heap: num("heap")?,
            wasm: num("wasm")?,
            nodes: num("nodes")?,
        })
    }
}

/// Growth from `early` to `late` as a fraction (0.05 is 5%).
pub(super) fn growth(early: f64, late: f64) -> f64 {
    if early > 0.0 {
        (late - early) / early
    } else {
        f64::NAN
    }
}

/// The growth cell: "+3.2%" or "-1.0%".
pub(super) fn percent(g: f64) -> String {
    if g.is_nan() {
        "n/a".into()
    } else {
        format!("{:+.1}%", g * 100.0)
    }
}

/// Read through DevTools by value: ChromeDriver's execute-script keeps each answer's
/// wrapper array in the page (measured: nine arrays per check at ten polls a second,
/// which was the whole of the JS heap's growth this soak used to report).
fn checks(s: &Session) -> Result<u64, String> {
    let v = s.cdp(
        "Runtime.evaluate",
        json!({ "expression": "window.__soakChecks || 0", "returnByValue": true }),
    )?;
    Ok(v.pointer("/result/value")
        .and_then(Value::as_u64)
        .unwrap_or(0))
}

/// Waits for `n` checks, then reads the page's memory after a forced collection.
fn held_after(s: &Session, n: u64, timeout: Duration) -> Result<Held, String> {
    s.wait(&format!("{n} watch-mode checks"), timeout, || {
        Ok((checks(s)? >= n).then_some(()))
    })
    .map_err(|e| {
        let seen = s
            .exec("const d = document.querySelector('dialog[open]'); return `${window.__soakChecks} checks seen; ${d ? d.innerText.slice(0, 400) : 'no dialog'}`;", vec![])
            .unwrap_or_default();
        format!("{e} ({seen})")
    })?;
    let at = checks(s)?;
    Held::read(at, &memory(s)?)
}

pub(super) fn soak(driver: &Driver, www: &Www, report: &mut Report) -> Result<(), String> {
    www.set_config(json!({ "demo": {
        "instant": true,
        "largeRule": SOAK_BACKENDS,
        "clockRate": SOAK_CLOCK_RATE,
    } }));
    let s = driver.session(false)?;
    s.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": COUNT_CHECKS }),
    )?;
    s.inject(&json!({}))?;
    s.goto(&www.url())?;
    s.click_when("Contoso Production", Duration::from_secs(30))?;
    s.click_when("lb-scale", Duration::from_secs(30))?;
    s.click_when(OPEN_SCALE, Duration::from_secs(30))?;
    s.wait("the panel's rows", Duration::from_secs(30), || {
        Ok((s.exec("return window.__bench.rows();", vec![])?.as_u64() > Some(0)).then_some(()))
    })?;
    let chosen = s.exec(
        "const l = [...document.querySelectorAll('dialog label')].find(e => e.textContent.includes('Auto-refresh'));
         const s = l && l.querySelector('select');
         if (!s) return false;
         s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
        vec![json!(SOAK_EVERY_S.to_string())],
    )?;
    if chosen != json!(true) {
        return Err("the panel has no Auto-refresh choice".into());
    }
    let started = std::time::Instant::now();
    let early = held_after(&s, SOAK_EARLY, Duration::from_secs(60))?;
    println!("  after {} checks: {early:?}", early.checks);
    // Readings on the way, printed only: a leak climbs steadily, a high-water mark levels off.
    for n in [
        SOAK_CHECKS / 5,
        2 * SOAK_CHECKS / 5,
        3 * SOAK_CHECKS / 5,
        4 * SOAK_CHECKS / 5,
    ] {
        let h = held_after(&s, n, Duration::from_secs(900))?;
        println!("  after {} checks: {h:?}", h.checks);
    }
    let late = held_after(&s, SOAK_CHECKS, Duration::from_secs(900))?;
    println!(
        "  after {} checks: {late:?} ({:.0} s)",
        late.checks,
        started.elapsed().as_secs_f64()
    );
    let label = |what: &str| {
        format!(
            "watch mode, {} backends, {what} after {} and after {} checks",
            thousands(SOAK_BACKENDS),
            early.checks,
            late.checks
        )
    };
    for (what, a, b, show) in [
        ("JS heap", early.heap, late.heap, mb as fn(f64) -> String),
        ("wasm memory", early.wasm, late.wasm, mb),
        ("DOM elements", early.nodes, late.nodes, |n: f64| {
            thousands(n as usize)
        }),
    ] {
        let g = growth(a, b);
        report
            .row(
                "Watch soak",
                label(what),
                format!("{} → {} ({})", show(a), show(b), percent(g)),
            )
            .target = format!("growth ≤10%: {}", verdict(g <= 0.10));
    }
    Ok(())
}
