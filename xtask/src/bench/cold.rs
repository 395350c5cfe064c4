//! Section 3b: the demo's deep link to rule-http on emulated networks, served the way
//! GitHub Pages serves it (gzip, cacheable for 10 minutes): cold (empty cache) and on a
//! repeat visit in the same browser.

use super::*;
use serde_json::json;
use std::time::Duration;

/// A network profile for `Network.emulateNetworkConditions`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Profile {
    pub(super) name: &'static str,
    /// Download and upload in bits per second; 0: no limit.
    pub(super) down_bps: f64,
    pub(super) up_bps: f64,
    pub(super) rtt_ms: f64,
    /// The target for a cold first result, if it names one.
    pub(super) cold_target_ms: Option<f64>,
    pub(super) warm_target_ms: Option<f64>,
}

pub(super) const PROFILES: [Profile; 3] = [
    Profile {
        name: "unthrottled",
        down_bps: 0.0,
        up_bps: 0.0,
        rtt_ms: 0.0,
        cold_target_ms: None,
        warm_target_ms: None,
    },
    Profile {
        name: "fast 4G (9 Mbps, 60 ms)",
        down_bps: 9e6,
        up_bps: 1.5e6,
        rtt_ms: 60.0,
        cold_target_ms: None,
        warm_target_ms: None,
    },
    Profile {
        name: "slow 4G (1.6 Mbps, 150 ms)",
        down_bps: 1.6e6,
        up_bps: 0.75e6,
        rtt_ms: 150.0,
        cold_target_ms: Some(2500.0),
        warm_target_ms: Some(500.0),
    },
];

pub(super) const COLD_RUNS: usize = 5;

impl Profile {
    /// The DevTools parameters: throughput in bytes per second, -1 for no limit.
    pub(super) fn conditions(&self) -> serde_json::Value {
        let bytes = |bps: f64| if bps > 0.0 { bps / 8.0 } else { -1.0 };
        json!({
            "offline": false,
            "latency": self.rtt_ms,
            "downloadThroughput": bytes(self.down_bps),
            "uploadThroughput": bytes(self.up_bps),
        })
    }
}

/// One fresh browser on `p`: the deep link cold, then the same link again (a repeat
/// visit, the HTTP cache as the first visit left it), then once more after the host's
/// cache time has run out (GitHub Pages: 10 minutes), which the browser's HTTP cache
/// cleared stands in for: only the service worker's cache is left.
fn cold_and_warm(driver: &Driver, www: &Www, p: &Profile) -> Result<[f64; 3], String> {
    let s = driver.session(false)?;
    s.cdp("Network.enable", json!({}))?;
    s.cdp("Network.emulateNetworkConditions", p.conditions())?;
    s.inject(&json!({ "autoArm": true, "clicks": [] }))?;
    let url = format!(
        "{}?lb={}&rule=rule-http",
        www.url(),
        encode_component(&lb_id("rg-web", "lb-web"))
    );
    let mut times = [0.0; 3];
    for (i, t) in times.iter_mut().enumerate() {
        if i == 2 {
            s.wait(
                "the service worker to keep the app",
                Duration::from_secs(60),
                || {
                    Ok(s.exec(KEPT_JS, vec![])?
                        .as_bool()
                        .unwrap_or(false)
                        .then_some(()))
                },
            )?;
            s.cdp("Network.clearBrowserCache", json!({}))?;
        }
        s.goto(&url)?;
        let m = wait_measure(&s, Until::FirstRows, Duration::from_secs(60))?;
        *t = m.first_rows.unwrap_or(f64::NAN);
    }
    Ok(times)
}

/// Whether the service worker controls the page and keeps the page's and the demo
/// worker's wasm. Cache Storage answers asynchronously: each call starts a read and
/// returns the one before.
const KEPT_JS: &str = "const last = window.__benchKept === true;
    const c = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (c) caches.keys().then(ns => Promise.all(ns.map(n => caches.open(n).then(x => x.keys()))))
      .then(ls => { const u = ls.flat().map(r => r.url);
        window.__benchKept = u.some(x => /lb-health-[0-9a-f]+_bg[.]wasm$/.test(x))
          && u.some(x => x.includes('demo-worker_bg.wasm')); });
    return last;";

pub(super) fn cold_loads(driver: &Driver, www: &Www, report: &mut Report) -> Result<(), String> {
    www.set_config(json!({ "demo": { "instant": true } }));
    www.set_pages_like(true);
    let outcome = (|| {
        // Compresses every file once, outside the figures.
        cold_and_warm(driver, www, &PROFILES[0])?;
        for p in &PROFILES {
            let (mut cold, mut warm, mut expired) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..COLD_RUNS {
                let [c, w, e] = cold_and_warm(driver, www, p)?;
                cold.push(c);
                warm.push(w);
                expired.push(e);
            }
            println!(
                "  {}: cold {}, repeat visit {}, after the host's cache time {}",
                p.name,
                spread(&cold),
                spread(&warm),
                spread(&expired)
            );
            for (what, times, target) in [
                ("cold (empty cache)", &cold, p.cold_target_ms),
                ("repeat visit", &warm, p.warm_target_ms),
                (
                    "repeat visit after the host's cache time (service worker only)",
                    &expired,
                    p.warm_target_ms,
                ),
            ] {
                let row = report.row(
                    "Cold load",
                    format!(
                        "deep link → rule-http rows painted, gzip as GitHub Pages, {}, {what}",
                        p.name
                    ),
                    spread(times),
                );
                if let (Some(t), Some(m)) = (target, median(times)) {
                    row.target = format!("≤{} s: {}", t / 1000.0, verdict(m <= t));
                }
            }
        }
        Ok(())
    })();
    www.set_pages_like(false);
    outcome
}
