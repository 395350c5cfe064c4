//! End to end: watch mode in the health panel, on the demo estate (whose vm-web-6 moves
//! through four reasons, one per check of rule-http). Between checks the panel says what
//! changed, marks the changed rows in words, and keeps each backend's recent run.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

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

fn changes_line(dialog: &Element) -> Option<String> {
    dialog.all_by_role("status").into_iter().map(|s| s.text()).find(|t| t.contains("previous check"))
}

#[test]
fn refresh_marks_what_changed_and_keeps_each_backends_recent_run() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start();
    let dialog = open_panel(&b, &app);
    assert!(changes_line(&dialog).is_none(), "one check: nothing to compare");
    assert!(dialog.try_by_role("columnheader", "Recent checks").is_none());
    for n in 2..=3 {
        dialog.by_role("button", "Refresh").click();
        b.wait_until("the next check's comparison", || {
            dialog.try_by_role("columnheader", "Recent checks").is_some()
                && b.all_by_role("image").iter().any(|i| i.name().starts_with(&format!("Last {n} checks")))
        });
    }
    let line = changes_line(&dialog).expect("a line about what changed");
    assert!(line.starts_with("Since the previous check:"), "{line}");
    let row = flapping_row(&b);
    assert!(row.contains("(changed") || row.contains("(reason changed)"), "the flapping backend says it changed: {row}");
    let strips: Vec<String> = b.all_by_role("image").iter().map(|i| i.name()).filter(|n| n.starts_with("Last 3 checks")).collect();
    assert!(strips.iter().any(|s| s.contains("Up") || s.contains("Down")), "{strips:?}");
    // A steady backend is not marked.
    let steady = b.exec(
        "return [...document.querySelectorAll('dialog tbody tr')].filter(r => !r.textContent.includes('(')).length",
        vec![],
    );
    assert!(steady.as_u64().unwrap_or(0) > 0, "most rows did not change");
}

#[test]
fn auto_refresh_checks_again_on_its_own() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start();
    let dialog = open_panel(&b, &app);
    let select = dialog.by_role("combobox", "Auto-refresh");
    b.exec(
        "const s = arguments[0]; s.value = '30'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![select.json()],
    );
    b.wait_until("the countdown", || dialog.text().contains("Watching: next check in"));
    // No click: the panel checks again when the 30 s are up.
    b.set_timeout(Duration::from_secs(45));
    b.wait_until("a second check by itself", || changes_line(&dialog).is_some());
    assert!(dialog.text().contains("Watching: next check in") || dialog.text().contains("Watching: checking now"), "{}", dialog.text());
}
