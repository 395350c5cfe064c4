//! The estate overview in the browser, found by role and name, on the demo estate and
//! against fake Azure (Resource Graph paging, a 429's wait, Stop): it
//! opens from the Subscriptions screen and by its own link (also embedded), orders the
//! load balancers worst first, filters, opens a load balancer, and stops on request.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{dist_dir, Browser, ConfiguredApp, Element, StaticServer};

/// The overview's status line ("Checked 3 of 9 ...", "Checked all 9 ...", "Stopped: ...").
fn progress(b: &Browser) -> String {
    b.status_texts()
        .into_iter()
        .find(|t| t.starts_with("Checked") || t.starts_with("Listing") || t.starts_with("Stopped"))
        .unwrap_or_default()
}

fn wait_all_checked(b: &Browser) {
    b.set_timeout(Duration::from_secs(60));
    b.wait_until("every verdict", || progress(b).starts_with("Checked all"));
    b.set_timeout(Duration::from_secs(10));
}

fn table(b: &Browser) -> Element {
    b.by_role("table", "Load balancers, worst first")
}

/// (name, verdict) of each row shown, in order.
fn rows(b: &Browser) -> Vec<(String, String)> {
    table(b)
        .all_by_role("row")
        .into_iter()
        .skip(1)
        .map(|r| {
            let name = r.all_by_role("rowheader").remove(0).text();
            let verdict = r.all_by_role("cell").remove(0).text();
            (name, verdict)
        })
        .collect()
}

/// The order the overview promises: Down, Degraded (more backends below 100% first),
/// Unknown, No data, Not available, Healthy, not checked.
fn rank(verdict: &str) -> (u32, i64) {
    let below = || {
        verdict
            .trim_start_matches("Degraded: ")
            .split(' ')
            .next()
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    match verdict {
        "Down" => (0, 0),
        v if v.starts_with("Degraded") => (1, -below()),
        v if v.starts_with("Unknown") => (2, 0),
        "No data" => (3, 0),
        "Not available for this SKU" => (4, 0),
        "Healthy" => (5, 0),
        _ => (6, 0),
    }
}

#[test]
fn the_overview_opens_from_subscriptions_worst_first_filters_and_opens_a_load_balancer() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    b.by_role("heading", "Subscriptions");
    b.by_role("button", "Estate overview").click();
    b.by_role("heading", "Estate overview");
    wait_all_checked(&b);

    let shown = rows(&b);
    assert!(shown.len() >= 3, "{shown:?}");
    let ranks: Vec<_> = shown.iter().map(|(_, v)| rank(v)).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "worst first: {shown:?}");
    assert!(
        shown.iter().any(|(_, v)| rank(v).0 <= 1),
        "the demo's failing backends make some load balancer Down or Degraded: {shown:?}"
    );
    assert!(
        shown.iter().any(|(_, v)| v == "Healthy"),
        "and some healthy: {shown:?}"
    );

    // The text filter narrows the list to matching names.
    let (last, _) = shown.last().unwrap().clone();
    b.by_role("searchbox", "Search").send_keys(&last);
    b.wait_until("the filter applies", || rows(&b).len() < shown.len());
    let filtered = rows(&b);
    assert!(
        !filtered.is_empty() && filtered.iter().all(|(n, _)| n.contains(&last)),
        "{last:?}: {filtered:?}"
    );

    // A row opens its load balancer; the breadcrumbs lead back.
    let (first, _) = filtered[0].clone();
    table(&b).by_role("button", &first).click();
    b.by_role("heading", &first);
    b.by_role("heading", "Load balancing rules");
}

#[test]
fn the_overview_has_a_link_that_also_works_embedded_and_a_bad_view_is_named() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!("{}?view=estate&embed=1", server.url()));
    b.by_role("heading", "Estate overview");
    assert!(
        b.try_by_role("navigation", "Breadcrumb").is_none(),
        "embedded: no breadcrumbs"
    );
    b.by_role("link", "Open full app");
    wait_all_checked(&b);
    assert!(!rows(&b).is_empty());

    b.goto(&format!("{}?view=everything", server.url()));
    b.by_role("heading", "Subscriptions");
    b.wait_until("a notice", || {
        b.status_texts()
            .iter()
            .any(|t| t.contains("Ignored view: 'everything' is not estate."))
    });
}

#[test]
fn a_large_estate_streams_in_and_stops_on_request() {
    // 2,000 more load balancers in 50 more subscriptions, at the demo's usual latency.
    let app = ConfiguredApp::start(r#"{"demo":{"largeEstate":2000}}"#);
    let b = Browser::start();
    b.goto(&format!("{}?view=estate", app.url()));
    b.by_role("heading", "Estate overview");
    b.set_timeout(Duration::from_secs(60));
    b.wait_until("verdicts coming in", || {
        let p = progress(&b);
        p.starts_with("Checked") && !p.starts_with("Checked 0 ") && !p.starts_with("Checked all")
    });
    b.set_timeout(Duration::from_secs(10));
    let total: usize = progress(&b)
        .split(" of ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(total >= 2000, "{}", progress(&b));
    b.by_role("button", "Stop").click();
    b.wait_until("stopped", || progress(&b).starts_with("Stopped:"));
    assert!(
        b.try_by_role("button", "Stop").is_none(),
        "Stop goes once stopped"
    );
    assert!(
        rows(&b).len() <= 200,
        "at most the worst 200 rows are drawn at once"
    );
    let page = b.exec("return document.body.innerText", vec![]);
    assert!(
        page.as_str()
            .unwrap_or("")
            .contains("Showing the worst 200 of"),
        "the list says it is cut"
    );
}

// ------------------------------------------------------------------ against fake Azure

/// The metrics requests the overview made, in order of arrival.
fn metrics_requests(azure: &fake_azure::FakeAzure) -> Vec<fake_azure::Logged> {
    azure
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path_and_query.contains("/Microsoft.Insights/metrics?"))
        .collect()
}

/// Signed in to fake Azure with 30 more load balancers, on the Subscriptions screen.
fn live_estate() -> support::live::Live {
    support::live::signed_in(fake_azure::Options {
        large_estate: Some(30),
        ..fake_azure::Options::default()
    })
}

#[test]
fn against_azure_the_overview_pages_through_resource_graph_and_obeys_a_429_s_wait() {
    use fake_azure::{HistoryFault, HistoryTarget};
    let live = live_estate();
    let b = &live.b;
    // Pages of 10 rows, so the listing follows $skipToken; the first three metrics
    // requests are throttled with a wait of 3 s.
    live.azure.set_graph_page_rows(10);
    live.azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::Throttle {
            times: 3,
            retry_after: 3,
        },
    );
    b.by_role("button", "Estate overview").click();
    b.by_role("heading", "Estate overview");
    b.set_timeout(Duration::from_secs(60));
    b.wait_until("the wait Azure asked for, said", || {
        progress(b).contains("Azure asked to slow down, waiting")
    });
    wait_all_checked(b);

    // Every page was asked for, each after the first with the token the one before gave.
    let pages = live.azure.graph_requests();
    let total: usize = progress(b)
        .trim_start_matches("Checked all ")
        .split(' ')
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0);
    assert!(total >= 30, "{}", progress(b));
    assert_eq!(pages.len(), total.div_ceil(10), "{pages:?}");
    assert!(
        pages.iter().skip(1).all(|p| p.contains("$skipToken")),
        "{pages:?}"
    );
    // One metrics request per load balancer that has the metric, plus the three that
    // were refused and asked again.
    let shown = rows(b);
    assert_eq!(shown.len(), total, "every row drawn");
    let asked = shown
        .iter()
        .filter(|(_, v)| v != "Not available for this SKU")
        .count();
    let metrics = metrics_requests(&live.azure);
    assert_eq!(metrics.len(), asked + 3, "{shown:?}");
    // After the first 429's answer, nothing was asked until its 3 s had passed. (Requests
    // already on their way when it came are in its first few hundred ms.)
    let refused = metrics[0].at;
    let early: Vec<_> = metrics
        .iter()
        .map(|r| r.at)
        .filter(|&at| {
            at > refused + Duration::from_millis(500) && at < refused + Duration::from_millis(2_800)
        })
        .collect();
    assert!(early.is_empty(), "asked during Azure's wait: {early:?}");

    // Worst first, as with the demo.
    let ranks: Vec<_> = shown.iter().map(|(_, v)| rank(v)).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "worst first: {shown:?}");
}

#[test]
fn against_azure_stop_ends_the_requests() {
    use fake_azure::{HistoryFault, HistoryTarget};
    let live = live_estate();
    let b = &live.b;
    live.azure
        .set_history_fault(HistoryTarget::Metrics, HistoryFault::Slow { ms: 400 });
    b.by_role("button", "Estate overview").click();
    b.set_timeout(Duration::from_secs(30));
    b.wait_until("some verdicts in", || {
        let p = progress(b);
        p.starts_with("Checked") && !p.starts_with("Checked 0 ") && !p.starts_with("Checked all")
    });
    b.by_role("button", "Stop").click();
    let at_stop = metrics_requests(&live.azure).len();
    b.wait_until("stopped", || progress(b).starts_with("Stopped:"));
    // Quiet from here: at most the requests already in flight had been sent.
    assert!(live
        .azure
        .wait_quiet(Duration::from_millis(1_500), Duration::from_secs(20), |r| r
            .path_and_query
            .contains("/Microsoft.Insights/metrics?")));
    let after = metrics_requests(&live.azure).len();
    assert!(
        after <= at_stop + 8,
        "{} requests after Stop",
        after - at_stop
    );
    let total: usize = progress(b)
        .split(" of ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0);
    assert!(after < total, "stopped before the end: {after} of {total}");
}
