//! End to end against live-shaped Azure: the built app in headless Chromium, served
//! from one 127.0.0.1 port, calls the fake ARM server on another (real HTTP, real CORS
//! preflights). The user pastes a token, as they would with `az account get-access-token`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use fake_azure::{Fault, Listener, Operation, Options, Target};
use support::live::{
    fresh_result, health_requests, is_health, is_health_post, open_lb_web, panel_check, paste,
    refresh_with, signed_in, RULE_HTTP_CHECK,
};
use support::{Browser, ConfiguredApp};

fn no_panic(b: &Browser) {
    support::assert_no_panic(b);
}

#[test]
fn pasted_token_health_check_after_pending_polls() {
    let live = signed_in(Options {
        pending_polls: 2,
        ..Options::default()
    });
    let b = &live.b;
    assert!(
        b.all_by_role("banner")
            .iter()
            .any(|e| e.text().contains("ana@contoso.com")),
        "the account chip names the user"
    );
    live.azure.clear_log();
    open_lb_web(b);
    // Opening the load balancer checks its two probed rules (rule-dns has no probe).
    b.wait_until("both rules checked", || {
        b.all_by_role("row")
            .iter()
            .filter(|r| r.text().contains("Up,"))
            .count()
            == 2
    });
    // Per rule: one POST, then exactly the polls the server asked for (two 202s and the 200).
    assert_eq!(health_requests(&live.azure), (2, 6));
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    let summary = dialog.by_role("group", "Backend health summary");
    assert!(summary.text().contains("Up"), "{}", summary.text());
    let rows = dialog
        .by_role("table", "Backend instances")
        .all_by_role("row");
    assert_eq!(rows.len(), 10);
    assert_eq!(
        health_requests(&live.azure),
        (2, 6),
        "the panel reuses the list's result"
    );
    dialog.by_role("button", "Refresh").click();
    b.wait_until("the refresh's result", || {
        health_requests(&live.azure) == (3, 9) && dialog.text().contains("Checked at")
    });
    let log = live.azure.requests();
    assert!(
        log.iter().any(|r| r.method == "OPTIONS"),
        "the browser sent a CORS preflight"
    );
    let bearer = format!("Bearer {}", live.token);
    assert!(log
        .iter()
        .filter(|r| r.method != "OPTIONS")
        .all(|r| r.authorization.as_deref() == Some(bearer.as_str())));
    assert!(
        log.iter().all(|r| !r.path_and_query.contains(&live.token)),
        "the token never goes into a URL"
    );
    // Nothing in storage.
    let stored = b.exec(
        "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)",
        vec![],
    );
    assert!(!stored.as_str().unwrap_or("").contains(&live.token[..20]));
    // No clientId in this deployment: the sign-in worker (oauth2) is never downloaded;
    // nor is the demo's, as this session never opened the demo.
    let served = live._app.server.served();
    assert!(
        !served.iter().any(|p| p.contains("signin-worker")),
        "{served:?}"
    );
    assert!(
        !served.iter().any(|p| p.contains("demo-worker")),
        "{served:?}"
    );
    no_panic(b);
}

#[test]
fn throttling_shows_a_countdown_then_succeeds() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let panel = refresh_with(
        &live,
        Fault::Throttle {
            times: 1,
            retry_after: 3,
        },
    );
    b.wait_until("a throttling countdown", || {
        panel
            .text()
            .contains("Azure is throttling requests; trying again in")
    });
    fresh_result(&live, &panel, Duration::from_secs(15));
    assert!(
        !panel.text().contains("throttling"),
        "the countdown went with the wait: {}",
        panel.text()
    );
    let rule_http = RULE_HTTP_CHECK.to_ascii_lowercase();
    let posts: Vec<Duration> = live
        .azure
        .requests()
        .iter()
        .filter(|r| is_health_post(r) && r.path_and_query.to_ascii_lowercase().contains(&rule_http))
        .map(|r| r.at)
        .collect();
    assert_eq!(
        posts.len(),
        1 + 2,
        "the list's POST, the panel's throttled one and its retry: {posts:?}"
    );
    support::live::assert_wait(
        posts[2] - posts[1],
        Duration::from_secs(3),
        "the wait Retry-After asked for",
    );
    no_panic(b);
}

#[test]
fn a_throttled_list_says_why_it_is_still_loading_then_shows() {
    let live = signed_in(Options::default());
    let b = &live.b;
    let sub = b.by_role("button", "Contoso Production");
    live.azure.set_fault_on(
        Target::operation(Operation::LoadBalancers),
        Fault::Throttle {
            times: 1,
            retry_after: 3,
        },
    );
    sub.click();
    b.wait_until("the throttling wait named", || {
        b.status_texts().iter().any(|t| {
            t.contains(
                "Loading load balancers: Azure is throttling requests, so LB Health waits 3 s",
            )
        })
    });
    b.by_role("button", "lb-web");
    assert!(
        !b.exec("return document.body.innerText", vec![])
            .as_str()
            .unwrap_or("")
            .contains("throttling"),
        "the wait's words go with it"
    );
    no_panic(b);
}

#[test]
fn expired_token_asks_to_sign_in_again_and_keeps_the_place() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let dialog = refresh_with(&live, Fault::Unauthorized);
    b.wait_until("the expiry message", || {
        dialog.text().contains("Your sign-in has expired")
    });
    assert!(
        dialog.text().contains("ExpiredAuthenticationToken"),
        "the ARM code is shown: {}",
        dialog.text()
    );
    assert!(dialog.text().contains("Request id:"), "{}", dialog.text());
    live.azure.set_fault(Fault::None);
    let input = dialog.by_role("textbox", "Access token for Azure Resource Manager");
    input.send_keys(&live.token);
    dialog.by_role("button", "Use this token").click();
    dialog.by_role("group", "Backend health summary");
    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    assert!(
        b.try_by_role("heading", "lb-web").is_some(),
        "still on the load balancer"
    );
    no_panic(b);
}

#[test]
fn foreign_location_is_refused_and_gets_no_token() {
    // The page's CSP would stop a request to the other host too: allow it here, so that
    // only the client's own check stands between the token and that host.
    let live = support::live::signed_in_where(Options::default(), |app, azure| {
        app.replace_in_index(
            "connect-src 'self'",
            &format!("connect-src 'self' {}", azure.foreign_url()),
        )
    });
    let b = &live.b;
    open_lb_web(b);
    let dialog = refresh_with(&live, Fault::ForeignLocation);
    b.wait_until("the refusal", || {
        dialog
            .text()
            .contains("Refused to follow a link to another host")
    });
    // Refused before sending: the other host heard nothing at all, token or not.
    let foreign: Vec<_> = live
        .azure
        .requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Foreign)
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
    assert_eq!(panel_check(&live.azure).1, [], "no poll went anywhere");
    no_panic(b);
}

#[test]
fn hidden_location_names_the_cors_problem() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let dialog = refresh_with(&live, Fault::HiddenLocation);
    b.wait_until("the Location message", || {
        dialog.text().contains("armEndpoint")
    });
    assert!(dialog.text().contains("Location"), "{}", dialog.text());
    no_panic(b);
}

/// Each bad answer gets its own message, and the app stays usable: close, go elsewhere,
/// come back, and the next check works.
#[test]
fn malformed_html_and_hanging_answers_are_named_and_recoverable() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    for (fault, message) in [
        (Fault::MalformedJson, "Azure's answer could not be read"),
        (
            Fault::HtmlErrorPage,
            "A web page came back instead of Azure's answer",
        ),
        (Fault::Hang, "Azure has not answered for"),
    ] {
        let dialog = refresh_with(&live, fault);
        b.set_timeout(std::time::Duration::from_secs(20));
        b.wait_until(message, || dialog.text().contains(message));
        b.set_timeout(std::time::Duration::from_secs(10));
        dialog.by_role("button", "Close").click();
        b.wait_gone("dialog", "Load balancing rule health status");
        live.azure.set_fault(Fault::None);
        b.by_role("button", "Subscriptions").click();
        open_lb_web(b);
    }
    b.by_role("button", "View details for rule-http").click();
    b.by_role("dialog", "Load balancing rule health status")
        .by_role("group", "Backend health summary");
    no_panic(b);
}

#[test]
fn leaving_the_load_balancer_or_closing_the_panel_stops_polling() {
    // Retry-After is 1 s, so a live operation polls every second: three quiet seconds on
    // fake-azure's clock mean it stopped.
    let quiet = Duration::from_secs(3);
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);

    // The panel's own check never finishes; closing the panel ends it.
    let panel = refresh_with(&live, Fault::NeverFinishes);
    b.wait_until("the panel's check polls", || {
        panel_check(&live.azure).1.len() >= 2
    });
    panel.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    let late = live.azure.watch(quiet, is_health);
    assert!(
        late.is_empty(),
        "health requests after closing the panel: {late:?}"
    );

    // The list's checks never finish; leaving the load balancer ends them.
    live.azure.set_fault_on(
        Target::operation(Operation::HealthPoll),
        Fault::NeverFinishes,
    );
    b.by_role("button", "Subscriptions").click();
    let from = live.azure.now();
    open_lb_web(b);
    b.wait_until("the list's checks poll", || {
        live.azure
            .requests()
            .iter()
            .filter(|r| r.at >= from && is_health(r))
            .count()
            >= 4
    });
    b.by_role("button", "Subscriptions").click();
    b.by_role("heading", "Subscriptions");
    let late = live.azure.watch(quiet, is_health);
    assert!(
        late.is_empty(),
        "health requests after leaving the load balancer: {late:?}"
    );
}

#[test]
fn sign_out_forgets_the_token() {
    let live = signed_in(Options::default());
    let b = &live.b;
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    b.by_role("button", "Sign out").click();
    b.by_role("heading", "Sign in to Azure");
    let stored = b.exec("return localStorage.length + sessionStorage.length", vec![]);
    assert_eq!(stored.as_i64(), Some(0));
    let text = b.exec("return document.body.innerText", vec![]);
    assert!(!text.as_str().unwrap_or("").contains(&live.token[..20]));
}

#[test]
fn forbidden_names_the_missing_action() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    let dialog = refresh_with(&live, Fault::Forbidden);
    b.wait_until("the permission message", || {
        dialog.text().contains("You don't have permission")
    });
    assert!(
        dialog
            .text()
            .contains("Microsoft.Network/loadBalancers/loadBalancingRules/health/action"),
        "{}",
        dialog.text()
    );
    assert!(dialog.text().contains("AuthorizationFailed"));
}

#[test]
fn server_errors_are_retried_and_the_description_is_read_once() {
    let live = signed_in(Options::default());
    let b = &live.b;
    open_lb_web(b);
    // Two 503s for the panel's health POST: it is sent again at once (as the Azure SDKs
    // do), then after our backoff (2 s; a 503 gives no Retry-After), and the third answer
    // is used.
    let panel = refresh_with(
        &live,
        Fault::ServerError {
            times: 2,
            status: 503,
        },
    );
    fresh_result(&live, &panel, Duration::from_secs(20));
    let rule_http = RULE_HTTP_CHECK.to_ascii_lowercase();
    let posts: Vec<Duration> = live
        .azure
        .requests()
        .iter()
        .filter(|r| is_health_post(r) && r.path_and_query.to_ascii_lowercase().contains(&rule_http))
        .map(|r| r.at)
        .collect();
    // The list's check of rule-http, then the panel's three tries.
    assert_eq!(posts.len(), 1 + 3, "{posts:?}");
    for ((pair, want), n) in posts[1..].windows(2).zip([0, 2000]).zip(1..) {
        support::live::assert_wait(
            pair[1] - pair[0],
            Duration::from_millis(want),
            &format!("retry {n}"),
        );
    }
    live.azure.set_fault(Fault::None);
    panel.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    b.by_role("button", "View details for rule-https").click();
    b.by_role("dialog", "Load balancing rule health status")
        .by_role("group", "Backend health summary");
    let lb_gets = live
        .azure
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path_and_query
                    .to_ascii_lowercase()
                    .contains("/loadbalancers/lb-web?")
        })
        .count();
    assert_eq!(
        lb_gets, 1,
        "the load balancer description is fetched once per visit and reused by the panel"
    );
}

#[test]
fn subscriptions_filter_by_name_and_id() {
    let live = signed_in(Options::default());
    let b = &live.b;
    let filter = b.by_role("searchbox", "Filter by name or ID");
    filter.send_keys("stag");
    b.wait_gone("button", "Contoso Production");
    b.by_role("button", "Contoso Staging");
    b.exec("const i = document.getElementById('sub-filter'); i.value=''; i.dispatchEvent(new Event('input'))", vec![]);
    b.by_role("searchbox", "Filter by name or ID")
        .send_keys("0b1f6471");
    b.by_role("button", "Contoso Production");
    b.wait_gone("button", "Contoso Staging");
}

#[test]
fn bad_config_names_the_field_and_offers_the_demo() {
    let app = ConfiguredApp::start(r#"{"cloud":"mars"}"#);
    let b = Browser::start();
    b.goto(&app.url());
    let alert = b.all_by_role("alert");
    let alert = if alert.is_empty() {
        b.wait_until("an alert", || !b.all_by_role("alert").is_empty());
        b.all_by_role("alert").remove(0)
    } else {
        alert.into_iter().next().unwrap()
    };
    assert!(alert.text().contains("\"cloud\""), "{}", alert.text());
    b.by_role("button", "Open the demo estate").click();
    b.by_role("button", "Contoso Production");
}

#[test]
fn endpoints_never_come_from_the_url() {
    let live = signed_in(Options::default());
    let b = &live.b;
    let here = b.current_url();
    b.goto(&format!(
        "{here}?armEndpoint=https://evil.example&cloud=china"
    ));
    b.by_role("heading", "Sign in to Azure");
    paste(b, &live.token);
    b.by_role("button", "Contoso Production");
    assert!(
        live.azure
            .requests()
            .iter()
            .filter(|r| r.method == "GET")
            .count()
            >= 2,
        "still calling the configured ARM"
    );
}
