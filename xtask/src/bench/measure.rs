//! In-page measurement: the script injected before the page's own, and waiting for its figures.

use super::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub(super) enum Until {
    /// The first frame painted with backend rows.
    FirstRows,
    /// The frame painted after the last DOM change, then `quiet_ms` without change.
    Settled { quiet_ms: u32, rows: bool },
}

#[derive(Debug)]
pub(super) struct Measure {
    pub(super) start: f64,
    pub(super) first_rows: Option<f64>,
    pub(super) settled: f64,
    pub(super) rows: u64,
    pub(super) mutations: u64,
}

pub(super) fn wait_measure(
    s: &Session,
    until: Until,
    timeout: Duration,
) -> Result<Measure, String> {
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
pub(super) const HARNESS: &str = r#"
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
