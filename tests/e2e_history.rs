//! Probe history in the health panel, in Chromium against fake Azure: each backend's
//! status and sparkline from the served metrics, the permission message on a 403 while
//! the health rows still show, and the window choice reaching the request.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use fake_azure::{FakeAzure, Fault, HistoryFault, HistoryTarget, Options, Target};
use support::live::{list_checked, signed_in, Live, RULE_HTTP_CHECK};
use support::open_lb_web;

/// The timespans of the probe history's metrics requests, in order.
fn metrics_timespans(azure: &FakeAzure) -> Vec<String> {
    timespans_of(azure, "DipAvailability")
}

/// The timespans of the requests for one metric, in order.
fn timespans_of(azure: &FakeAzure, metric: &str) -> Vec<String> {
    azure
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path_and_query.contains("/Microsoft.Insights/metrics?"))
        .filter(|r| r.path_and_query.contains(&format!("metricnames={metric}&")))
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
    select.choose("7d");
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

/// The text of the backend row with this IP (its history cell included); empty while
/// the table is being drawn again.
fn history_of(dialog: &support::Element, ip: &str) -> String {
    // Rows are looked for in the dialog, which stays, not in the table, which a check
    // under way replaces: a search rooted in a table that has left waits for nothing.
    dialog
        .all_by_role("row")
        .into_iter()
        .filter_map(|r| r.try_text())
        .find(|t| t.contains(ip))
        .unwrap_or_default()
}

#[test]
fn this_tab_s_checks_extend_azure_s_history_past_its_latest_point() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    list_checked(&live);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("an up backend's history", || {
        history_of(&dialog, "10.0.2.4").contains("Up for")
    });
    // Azure Monitor still says Up; the health check that follows says Down.
    live.azure
        .set_fault_on(Target::path(RULE_HTTP_CHECK), Fault::AllDown);
    dialog.by_role("button", "Refresh").click();
    b.set_timeout(Duration::from_secs(30));
    b.wait_until("the check's Down in the history", || {
        history_of(&dialog, "10.0.2.4").contains("Down since ")
    });
    assert_eq!(
        metrics_timespans(&live.azure).len(),
        1,
        "from the check, not from asking Azure Monitor again"
    );
}

#[test]
fn each_absence_of_history_says_why_and_offers_a_next_step() {
    let live = signed_in(Options::default());
    let b = &live.b;
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::Empty);
    let dialog = open_panel(&live);
    b.wait_until("the no-data message", || {
        dialog
            .text()
            .contains("Azure Monitor has no probe data for this window yet")
    });

    // Throttled: said while the client waits as asked, then the history arrives.
    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::Throttle {
            times: 2,
            retry_after: 2,
        },
    );
    let select = dialog.by_role("combobox", "Probe history");
    select.choose("1h");
    b.set_timeout(Duration::from_secs(60));
    b.wait_until("the throttling message", || {
        dialog
            .text()
            .contains("Loading probe history: Azure is throttling requests, so LB Health waits 2 s")
    });
    assert!(
        dialog
            .by_role("table", "Backend instances")
            .all_by_role("row")
            .len()
            > 1,
        "the health rows still show"
    );
    b.wait_until("history after the wait", || {
        history_of(&dialog, "10.0.2.6").contains("Down since ")
    });

    // A server error past the retries: named with what Azure said, and Retry works.
    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::ServerError {
            times: 100,
            status: 500,
        },
    );
    select.choose("7d");
    b.wait_until("the failure message", || {
        dialog.text().contains("Probe history could not be read")
    });
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::None);
    dialog.by_role("button", "Retry probe history").click();
    // (At 7 d the hourly points make a recent fall "Partly up" until its hour is over,
    // so the words depend on the minute: look for the history itself.)
    b.wait_until("history after the retry", || {
        history_of(&dialog, "10.0.2.6").contains(" change")
    });
    assert!(!dialog.text().contains("Probe history could not be read"));
}

#[test]
fn a_rule_past_the_series_limit_says_so() {
    let live = signed_in(Options {
        large_rule: Some(1001),
        ..Options::default()
    });
    let b = &live.b;
    b.set_timeout(Duration::from_secs(30));
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-scale").click();
    b.by_role("button", "View details for rule-scale").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("the series-limit note", || {
        dialog
            .text()
            .contains("Probe history shows the first 1000 backends only")
    });
}

#[test]
fn a_basic_load_balancer_asks_for_no_metrics_and_says_why() {
    let live = signed_in(Options {
        large_estate: Some(8),
        ..Options::default()
    });
    let b = &live.b;
    // The large estate's 8th load balancer is Basic.
    b.by_role("button", "Contoso Estate 07").click();
    b.by_role("button", "lb-data-0007").click();
    let section = b.by_role("region", "Data path availability");
    b.wait_until("the data path's Basic SKU message", || {
        section
            .text()
            .contains("No data path availability: Basic load balancers publish no metrics")
    });
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("the panel's Basic SKU message", || {
        dialog
            .text()
            .contains("No probe history: Basic load balancers publish no metrics")
    });
    assert!(
        metrics_timespans(&live.azure).is_empty()
            && timespans_of(&live.azure, "VipAvailability").is_empty(),
        "nothing asked of Azure Monitor"
    );
}

#[test]
fn the_load_balancer_page_shows_each_frontend_s_data_path() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let section = b.by_role("region", "Data path availability");
    let table = section.by_role("table", "Data path availability");
    b.wait_until("a frontend's row", || table.all_by_role("row").len() > 1);
    let rows: Vec<String> = table
        .all_by_role("row")
        .iter()
        .skip(1)
        .map(|r| r.text())
        .collect();
    // lb-web's two probed rules have frontend ports 80 and 443, on one address.
    assert!(
        rows.iter()
            .any(|r| r.contains(":80") && r.contains("Up for")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains(":443")), "{rows:?}");
    // Each chart is named by its runs, in words.
    let charts = section.all_by_role("image");
    assert_eq!(charts.len(), rows.len(), "one chart per frontend");
    assert!(
        charts
            .iter()
            .all(|c| c.name().contains("100%") || c.name().contains("0%")),
        "{:?}",
        charts.iter().map(|c| c.name()).collect::<Vec<_>>()
    );
    assert_eq!(
        timespans_of(&live.azure, "VipAvailability"),
        vec!["PT24H".to_owned()]
    );
}

#[test]
fn a_failed_data_path_read_says_so_and_retry_brings_it() {
    let live = signed_in(Options::default());
    let b = &live.b;
    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::ServerError {
            times: 100,
            status: 500,
        },
    );
    open_lb_web(b);
    let section = b.by_role("region", "Data path availability");
    b.set_timeout(Duration::from_secs(60));
    b.wait_until("the failure message", || {
        section
            .text()
            .contains("Data path availability could not be read")
    });
    // The rules' health does not depend on it.
    list_checked(&live);
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::None);
    section
        .by_role("button", "Retry data path availability")
        .click();
    let table = section.by_role("table", "Data path availability");
    b.wait_until("the frontends after the retry", || {
        table.all_by_role("row").len() > 1
    });
}
