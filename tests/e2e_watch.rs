//! End to end: watch mode in the health panel, on the demo estate (whose vm-web-6 moves
//! through four reasons, one per check of rule-http). Between checks the panel says what
//! changed, marks the changed rows in words, and keeps each backend's recent run.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, ConfiguredApp, Element};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

fn open_panel(b: &Browser, app: &ConfiguredApp) -> Element {
    b.goto(&format!("{}?lb={LB_WEB}&rule=rule-http", app.url()));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    dialog
}

/// The text of vm-web-6's row, read in one script call (rows are replaced per result).
fn flapping_row(b: &Browser) -> String {
    b.exec(
        "const r = [...document.querySelectorAll('dialog tbody tr')].find(r => r.textContent.includes('vm-web-6'));
         return r ? r.textContent : '';",
        vec![],
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Read in one script call: with a fast clock the rows are replaced every second, so
/// element handles would go stale between finding and reading them.
fn changes_line(b: &Browser) -> Option<String> {
    let v = b.exec(
        "const s = [...document.querySelectorAll('dialog [role=status]')].map(e => e.textContent).find(t => t.includes('previous check'));
         return s || null;",
        vec![],
    );
    v.as_str().map(str::to_owned)
}

/// The accessible names of the "recent checks" runs (their `aria-label`s), in one call.
fn runs(b: &Browser) -> Vec<String> {
    let v = b.exec("return [...document.querySelectorAll('dialog [role=img]')].map(e => e.getAttribute('aria-label'))", vec![]);
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn refresh_marks_what_changed_and_keeps_each_backends_recent_run() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start();
    let dialog = open_panel(&b, &app);
    assert!(changes_line(&b).is_none(), "one check: nothing to compare");
    assert!(dialog
        .try_by_role("columnheader", "Recent checks")
        .is_none());
    for n in 2..=3 {
        dialog.by_role("button", "Refresh").click();
        b.wait_until("the next check's comparison", || {
            dialog
                .try_by_role("columnheader", "Recent checks")
                .is_some()
                && runs(&b)
                    .iter()
                    .any(|r| r.starts_with(&format!("Last {n} checks")))
        });
    }
    let line = changes_line(&b).expect("a line about what changed");
    assert!(line.starts_with("Since the previous check:"), "{line}");
    let row = flapping_row(&b);
    assert!(
        row.contains("(changed") || row.contains("(reason changed)"),
        "the flapping backend says it changed: {row}"
    );
    let strips: Vec<String> = runs(&b)
        .into_iter()
        .filter(|n| n.starts_with("Last 3 checks"))
        .collect();
    // The runs are found by role too, as a screen reader would.
    assert!(b
        .all_by_role("image")
        .iter()
        .any(|i| i.name().starts_with("Last 3 checks")));
    assert!(
        strips
            .iter()
            .any(|s| s.contains("Up") || s.contains("Down")),
        "{strips:?}"
    );
    // Closed and opened again, the panel goes on with the same history.
    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("columnheader", "Recent checks");
    assert!(
        runs(&b).iter().any(|r| r.starts_with("Last 3 checks")),
        "reopening is not a new check"
    );
    dialog.by_role("button", "Refresh").click();
    b.wait_until("the fourth check", || {
        runs(&b).iter().any(|r| r.starts_with("Last 4 checks"))
    });
    // A steady backend is not marked.
    let steady = b.exec(
        "return [...document.querySelectorAll('dialog tbody tr')].filter(r => !r.textContent.includes('(')).length",
        vec![],
    );
    assert!(steady.as_u64().unwrap_or(0) > 0, "most rows did not change");
}

#[test]
fn auto_refresh_checks_again_on_its_own() {
    // The demo's clock runs 60 times faster (a deployment knob for the demo only), so
    // "every 30 s" comes round within a second or two instead of real minutes.
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true,"clockRate":60}}"#);
    let b = Browser::start();
    let dialog = open_panel(&b, &app);
    let select = dialog.by_role("combobox", "Auto-refresh");
    select.choose("30");
    // No click: the panel checks again on its own, and again.
    b.wait_until("two more checks by themselves", || {
        runs(&b).iter().any(|r| r.starts_with("Last 3 checks"))
    });
    assert!(changes_line(&b).is_some());
    assert!(dialog.text().contains("Watching:"), "{}", dialog.text());
    // The flapping backend's changes are listed with their times.
    let list = b.exec(
        "const r = [...document.querySelectorAll('dialog tbody tr')].find(r => r.textContent.includes('vm-web-6'));
         return r ? [...r.querySelectorAll('.changes-list li')].map(li => li.textContent) : [];",
        vec![],
    );
    let items: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(items.len() >= 3, "{items:?}");
    // Turned off, it stays quiet.
    select.choose("0");
    b.wait_until("watching stops", || !dialog.text().contains("Watching:"));
    // A check already under way may still land; then nothing more.
    b.wait_until("no check under way", || {
        b.try_by_role("progressbar", "Checking backend health")
            .is_none()
    });
    let before = runs(&b);
    // Quiet for three of the chosen intervals, counted on the demo's own clock (the page's
    // `performance.now()` times `clockRate`, src/http/browser.rs): had watching gone on,
    // three more checks would have come.
    let demo_now = || {
        b.exec("return performance.now() * 60", vec![])
            .as_f64()
            .unwrap_or(0.0)
    };
    let from = demo_now();
    b.wait_until("three 30 s intervals on the demo's clock", || {
        demo_now() >= from + 3.0 * 30_000.0
    });
    let after = runs(&b);
    assert_eq!(before, after, "no check after turning it off");
}
