//! End to end, on the demo estate: finding a load balancer across subscriptions with one
//! Azure Resource Graph query, and going back to recently opened ones after a reload.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, ConfiguredApp};

#[test]
fn a_search_across_subscriptions_opens_the_load_balancer() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start();
    b.goto(&app.url());
    let search = b.by_role("search", "Find a load balancer");
    let input = search.by_role("searchbox", "Find a load balancer in every subscription");
    input.send_keys("a'b");
    search.by_role("button", "Search").click();
    b.wait_until("the refusal", || {
        b.all_by_role("alert")
            .iter()
            .any(|a| a.text().contains("letters, digits"))
    });
    b.exec(
        "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        vec![input.json()],
    );
    input.send_keys("LB-");
    search.by_role("button", "Search").click();
    let found = b.by_role("table", "Load balancers found");
    let text = found.text();
    // Load balancers of both demo subscriptions, with the subscription's name.
    assert!(
        text.contains("Contoso Production") && text.contains("Contoso Staging"),
        "{text}"
    );
    found.by_role("button", "lb-web").click();
    b.by_role("heading", "lb-web");
    b.by_role("heading", "Load balancing rules");
    b.by_role("navigation", "Breadcrumb")
        .by_role("button", "Contoso Production");
}

#[test]
fn recently_opened_load_balancers_survive_a_reload() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start();
    b.goto(&app.url());
    assert!(
        b.try_by_role("region", "Recently opened").is_none(),
        "nothing opened yet"
    );
    support::open_lb_web(&b);
    b.goto(&app.url());
    let recent = b.by_role("region", "Recently opened");
    assert!(
        recent.text().contains("Contoso Production"),
        "{}",
        recent.text()
    );
    recent.by_role("button", "lb-web").click();
    b.by_role("heading", "Load balancing rules");
    let stored = b.exec(
        "return localStorage.getItem('lbh.recent.demo') || ''",
        vec![],
    );
    assert!(
        stored
            .as_str()
            .unwrap_or("")
            .contains("/loadBalancers/lb-web"),
        "{stored}"
    );
}

#[test]
fn when_resource_graph_fails_each_subscription_is_listed_instead() {
    // The fake ARM has no Resource Graph: it answers 404, as a proxy that does not pass
    // it would, or a tenant where the provider is not registered.
    let live = support::live::signed_in(fake_azure::Options::default());
    let b = &live.b;
    let search = b.by_role("search", "Find a load balancer");
    search
        .by_role("searchbox", "Find a load balancer in every subscription")
        .send_keys("web");
    search.by_role("button", "Search").click();
    let found = b.by_role("table", "Load balancers found");
    assert!(found.text().contains("lb-web"), "{}", found.text());
    let note = b.exec(
        "return document.querySelector('.note') ? document.querySelector('.note').textContent : ''",
        vec![],
    );
    assert!(
        note.as_str()
            .unwrap_or("")
            .contains("Resource Graph answered with an error (NotFound, HTTP 404)"),
        "{note}"
    );
    let graph = live
        .azure
        .requests()
        .iter()
        .filter(|r| {
            r.path_and_query
                .to_ascii_lowercase()
                .contains("microsoft.resourcegraph")
        })
        .count();
    assert!(graph >= 1, "Resource Graph was asked first");
}
