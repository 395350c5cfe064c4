//! Probe history in the health panel, in Chromium against fake Azure: each backend's
//! status and sparkline from the served metrics, the permission message on a 403 while
//! the health rows still show, and the window choice reaching the request.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fake_azure::{FakeAzure, HistoryFault, HistoryTarget, Options};
use support::live::{signed_in, Live};
use support::open_lb_web;

fn metrics_timespans(azure: &FakeAzure) -> Vec<String> {
    azure
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path_and_query.contains("/Microsoft.Insights/metrics?"))
        .filter_map(|r| {
            r.path_and_query
                .split('&')
                .find_map(|kv| kv.strip_prefix("timespan=").map(str::to_owned))
        })
        .collect()
}

fn open_panel(live: &Live) -> support::Element {
    let b = &live.b;
    open_lb_web(b);
    b.by_role("button", "View details for rule-http").click();
    b.by_role("dialog", "Load balancing rule health status")
}

#[test]
fn each_backend_row_shows_its_probe_history() {
    let live = signed_in(Options::default());
    let dialog = open_panel(&live);
    let b = &live.b;
    let table = dialog.by_role("table", "Backend instances");
    b.wait_until("the down backend's history", || {
        table
            .all_by_role("row")
            .iter()
            .any(|r| r.text().contains("10.0.2.6") && r.text().contains("Down since "))
    });
    let row = table
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("10.0.2.6"))
        .unwrap();
    assert!(row.text().contains(" change"), "{}", row.text());
    // The chart's text alternative says its runs, ending with the current one (Chromium
    // computes role="img" as "image").
    let charts: Vec<_> = dialog
        .all_by_role("image")
        .into_iter()
        .filter(|c| c.name().ends_with("0% since"))
        .collect();
    assert!(
        !charts.is_empty(),
        "a down backend's sparkline, named by its runs"
    );
    assert_eq!(metrics_timespans(&live.azure), vec!["PT24H".to_owned()]);
    let select = dialog.by_role("combobox", "Probe history");
    b.exec(
        "const s = arguments[0]; s.value = '7d'; s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![select.json()],
    );
    b.wait_until("the week's request", || {
        metrics_timespans(&live.azure).last().map(String::as_str) == Some("P7D")
    });
}

#[test]
fn forbidden_history_names_the_permission_and_health_still_shows() {
    let live = signed_in(Options::default());
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::Forbidden);
    let dialog = open_panel(&live);
    let b = &live.b;
    b.wait_until("the permission message", || {
        dialog
            .text()
            .contains("No permission to read probe history")
            && dialog.text().contains("Microsoft.Insights/metrics/read")
    });
    let rows = dialog
        .by_role("table", "Backend instances")
        .all_by_role("row");
    assert!(rows.len() > 1, "the health rows still show");
}
