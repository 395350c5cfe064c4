//! Beyond the portal, on the demo estate: every rule at a glance, a 5,000-backend table
//! that sorts and filters, exports that match the table, links that reopen the same
//! view, and the compact embed.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{dist_dir, Browser, ConfiguredApp, StaticServer};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";
const LB_SCALE: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-scale/providers/Microsoft.Network/loadBalancers/lb-scale";

fn rows_text(b: &Browser) -> Vec<String> {
    b.exec(
        "return [...document.querySelectorAll('dialog table tbody tr')].map(r => r.innerText)",
        vec![],
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_str().unwrap_or("").to_owned())
    .collect()
}

#[test]
fn rules_list_shows_each_rules_result_and_a_summary() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-web").click();
    b.wait_until("both probed rules checked", || {
        b.all_by_role("row")
            .iter()
            .filter(|r| r.text().contains("Up,"))
            .count()
            == 2
    });
    let http = b
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("rule-http"))
        .unwrap();
    assert!(http.text().contains("4 Up, ✖ 4 Down"), "{}", http.text());
    let summary = b.by_role("status", "Load balancer summary").text();
    assert!(summary.contains("2 of 2 rules checked"), "{summary}");
    assert!(summary.contains("distinct backends"), "{summary}");
}

#[test]
fn a_5000_backend_table_sorts_filters_and_pages() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true,"largeRule":5000}}"#);
    let b = Browser::start();
    b.goto(&format!("{}?lb={LB_SCALE}&rule=rule-scale", app.url()));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    assert!(dialog.text().contains("Showing 1–100 of 5000"), "paged");
    assert_eq!(rows_text(&b).len(), 100);
    // Sort by IP, descending: the highest address first.
    dialog.by_role("button", "IP address").click();
    dialog.by_role("button", "IP address").click();
    b.wait_until("sorted descending", || {
        rows_text(&b)
            .first()
            .is_some_and(|r| r.contains("10.8.19.253"))
    });
    // Only Down: the mix has two Down rows in six: 1,666 of 5,000.
    dialog.by_role("checkbox", "Only Down").click();
    b.wait_until("only Down rows", || {
        dialog.text().contains("of 1666 (filtered from 5000)")
    });
    assert!(rows_text(&b).iter().all(|r| r.contains("Down")));
    // Free text narrows to one instance.
    dialog
        .by_role("searchbox", "Filter backends")
        .send_keys("vmss-web_4994");
    b.wait_until("one row", || rows_text(&b).len() == 1);
    assert!(rows_text(&b)[0].contains("vmss-web_4994"));
    // The address bar carries the view.
    b.wait_until("the address bar carries the view", || {
        let url = b.current_url();
        url.contains("state=down")
            && url.contains("q=vmss-web_4994")
            && url.contains("sort=ip")
            && url.contains("desc=1")
    });
}

#[test]
fn a_copied_link_reopens_the_same_panel_and_filters() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!(
        "{}?lb={LB_WEB}&rule=rule-http&state=down&sort=instance",
        server.url()
    ));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let rows = rows_text(&b);
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.contains("Down")),
        "{rows:?}"
    );
    assert!(
        rows.windows(2).all(|w| w[0] <= w[1]),
        "sorted by instance: {rows:?}"
    );
    // Back leaves the panel; the link had opened it.
    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    b.wait_until("the address bar drops the rule", || {
        !b.current_url().contains("rule=")
    });
    b.exec("history.back()", vec![]);
    b.by_role("dialog", "Load balancing rule health status");
}

#[test]
fn a_link_names_the_subscription_once_this_browser_has_seen_it() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    let link = format!("{}?lb={LB_WEB}", server.url());
    b.goto(&link);
    b.by_role("heading", "Load balancing rules");
    let crumbs = b.by_role("navigation", "Breadcrumb");
    // A link carries only the id, and this browser has not seen the subscription yet.
    crumbs.by_role("button", "0b1f6471-1bf0-4dda-aec3-cb9272f09590");
    crumbs.by_role("button", "Subscriptions").click();
    support::open_lb_web(&b);
    b.goto(&link);
    b.by_role("heading", "Load balancing rules");
    b.by_role("navigation", "Breadcrumb")
        .by_role("button", "Contoso Production")
        .click();
    b.by_role("heading", "Load balancers in Contoso Production");
}

#[test]
fn bad_link_parameters_are_ignored_with_a_notice() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!(
        "{}?lb=/subscriptions/nope&armEndpoint=https://evil.example&state=sideways",
        server.url()
    ));
    b.wait_until("a notice", || {
        b.status_texts()
            .iter()
            .any(|t| t.contains("Part of this link was not used"))
    });
    let notice = b
        .all_by_role("status")
        .into_iter()
        .find(|s| {
            s.try_text()
                .is_some_and(|t| t.contains("Part of this link was not used"))
        })
        .expect("a notice");
    assert!(
        notice.text().contains("not a subscription id"),
        "{}",
        notice.text()
    );
    assert!(notice.text().contains("config.json"), "{}", notice.text());
    b.by_role("button", "Contoso Production");
    b.by_role("button", "Dismiss").click();
    b.wait_until("notice gone", || {
        !b.exec("return document.body.innerText", vec![])
            .as_str()
            .unwrap_or("")
            .contains("Part of this link")
    });
}

#[test]
fn csv_and_json_downloads_match_the_table() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!("{}?lb={LB_WEB}&rule=rule-http", server.url()));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    // Capture what the page hands to the download instead of writing to disk.
    b.exec(
        "window.__blobs = []; const orig = URL.createObjectURL; URL.createObjectURL = b => { b.text().then(t => window.__blobs.push(t)); return orig(b); };",
        vec![],
    );
    dialog.by_role("button", "Download CSV").click();
    dialog.by_role("button", "Download JSON").click();
    b.wait_until("two downloads", || {
        b.exec("return window.__blobs.length", vec![]).as_u64() == Some(2)
    });
    let blobs = b.exec("return window.__blobs", vec![]);
    let csv = blobs[0].as_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(blobs[1].as_str().unwrap()).expect("JSON parses");
    let table = rows_text(&b);
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        "rule_id,checked_at,instance,ip_address,state,reason_code,reason"
    );
    assert_eq!(lines.len() - 1, table.len());
    let backends = json["backends"].as_array().unwrap();
    assert_eq!(backends.len(), table.len());
    for (row, b) in table.iter().zip(backends) {
        assert!(
            row.contains(b["instance"].as_str().unwrap()),
            "{row} vs {b}"
        );
        assert!(row.contains(b["state"].as_str().unwrap()));
    }
    assert!(json["ruleId"]
        .as_str()
        .unwrap()
        .ends_with("/loadBalancingRules/rule-http"));
    // The shell commands carry a placeholder, never the session's token.
    let commands = b.exec(
        "return document.querySelector('details.commands pre').textContent",
        vec![],
    );
    let commands = commands.as_str().unwrap();
    assert!(commands.contains("Get-AzLoadBalancerRuleHealth -ResourceGroupName 'rg-web' -LoadBalancerName 'lb-web' -Name 'rule-http'"));
    assert!(commands.contains("Bearer $TOKEN"));
}

#[test]
fn embed_mode_is_compact_and_links_to_the_full_app() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start_with_size(360, 640);
    b.goto(&format!("{}?lb={LB_WEB}&embed=1", server.url()));
    b.by_role("heading", "Load balancing rules");
    assert!(
        b.try_by_role("navigation", "Breadcrumb").is_none(),
        "no navigation chrome"
    );
    let full = b.by_role("link", "Open full app");
    let href = full.attr("href").unwrap();
    assert!(href.contains("lb=") && !href.contains("embed=1"), "{href}");
    let overflow = b.exec(
        "return document.documentElement.scrollWidth - window.innerWidth",
        vec![],
    );
    assert!(
        overflow.as_i64().unwrap_or(999) <= 0,
        "fits 360 px, overflow {overflow}"
    );
}

#[test]
fn grouping_by_reason_counts_every_backend_and_picks_a_group() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!("{}?lb={LB_WEB}&rule=rule-http", server.url()));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let total = rows_text(&b).len();
    dialog.by_role("checkbox", "Group by reason").click();
    let groups = dialog.by_role("table", "Backends by reason");
    let counts: Vec<u64> = b
        .exec(
            "return [...arguments[0].querySelectorAll('tbody tr')].map(r => Number(r.cells[2].textContent))",
            vec![groups.json()],
        )
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_u64())
        .collect();
    assert!(counts.len() > 1, "{counts:?}");
    assert_eq!(
        counts.iter().sum::<u64>() as usize,
        total,
        "every backend is in one group"
    );
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most common first: {counts:?}"
    );
    // Picking a group goes back to the table, filtered to that reason.
    let pick = groups
        .all_by_role("button")
        .into_iter()
        .find(|e| e.name().contains("Down_ProbeFailure") || e.name().contains("ProbeFailure"))
        .unwrap_or_else(|| groups.all_by_role("button").remove(0));
    let want = pick.name();
    pick.click();
    dialog.by_role("table", "Backend instances");
    let rows = rows_text(&b);
    let n: usize = want
        .split(' ')
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(rows.len(), n, "{want}: {rows:?}");
    assert!(dialog.text().contains("filtered from"), "{}", dialog.text());
}
