//! End to end on the demo estate, in headless Chromium, as a user would: everything
//! is found by its role and accessible name.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{dist_dir, Browser, ConfiguredApp, StaticServer};

fn open_rule_http(b: &Browser, server: &StaticServer) {
    b.goto(&server.url());
    b.by_role("heading", "Subscriptions");
    b.by_role("button", "Contoso Production").click();
    b.by_role("heading", "Load balancers in Contoso Production");
    b.by_role("button", "lb-web").click();
    b.by_role("heading", "Load balancing rules");
    b.by_role("button", "View details for rule-http").click();
}

#[test]
fn portal_path_from_landing_page_to_reason_tooltip_refresh_and_close() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    open_rule_http(&b, &server);

    let dialog = b.by_role("dialog", "Load balancing rule health status");
    // The demo answers 202 and one to three pending polls before the result.
    let summary = dialog.by_role("group", "Backend health summary");
    let counts = summary.text();
    assert!(counts.contains("Up") && counts.contains("Down"), "{counts}");

    let rows = dialog
        .by_role("table", "Backend instances")
        .all_by_role("row");
    assert_eq!(rows.len(), 10, "header + 9 backends");
    let web3 = rows
        .iter()
        .find(|r| r.text().contains("vm-web-3"))
        .expect("vm-web-3 row");
    let text = web3.text();
    assert!(text.contains("10.0.2.6"), "{text}");
    assert!(text.contains("Down"), "{text}");
    assert!(
        text.contains("A non-200 HTTP status code received"),
        "{text}"
    );
    let stopped = rows
        .iter()
        .find(|r| r.text().contains("vm-web-8"))
        .expect("stopped VM row");
    assert!(
        stopped.text().contains("Health status not retrievable"),
        "{}",
        stopped.text()
    );

    // Counts agree with the rows.
    let up = rows
        .iter()
        .skip(1)
        .filter(|r| r.text().contains("Up"))
        .count();
    assert!(
        counts.contains(&format!("{up} Up")),
        "{counts} vs {up} Up rows"
    );

    // Keyboard focus opens the tooltip; it is the button's description.
    let info = dialog.by_role("button", "Explain reason for vm-web-3");
    info.focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    let tip = b.all_by_role("tooltip").remove(0);
    let tip_text = tip.text();
    assert!(
        tip_text.contains("Down_Probe_HttpStatusCodeError"),
        "{tip_text}"
    );
    assert!(tip_text.contains("What to do next"), "{tip_text}");
    assert!(
        tip_text.contains("curl"),
        "next steps name the probe check: {tip_text}"
    );
    assert_eq!(info.attr("aria-describedby"), tip.attr("id"));

    // Escape closes the tooltip, not the dialog.
    b.press("Escape");
    b.wait_until("tooltip hidden", || b.all_by_role("tooltip").is_empty());
    assert!(dialog.is_displayed(), "the panel stays open");

    // Refresh runs the operation again; the flapping backend moves on.
    let before = dialog
        .by_role("table", "Backend instances")
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("vm-web-6"))
        .unwrap()
        .text();
    dialog.by_role("button", "Refresh").click();
    // Read the rows in one script call: the table is replaced when the result arrives,
    // so element handles taken mid-refresh can go stale.
    b.wait_until("refresh finished with vm-web-6 changed", || {
        let rows = b.exec(
            "return [...document.querySelectorAll('dialog table tbody tr')].map(r => r.innerText)",
            vec![],
        );
        rows.as_array().is_some_and(|rows| {
            rows.iter().filter_map(|r| r.as_str()).any(|r| {
                r.contains("vm-web-6")
                    && r.split_whitespace().collect::<Vec<_>>()
                        != before.split_whitespace().collect::<Vec<_>>()
            })
        })
    });

    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    assert_eq!(
        b.active().name(),
        "View details for rule-http",
        "focus returns to the opener"
    );
    assert!(b.console_errors().is_empty(), "{:?}", b.console_errors());
    // The demo has no clientId: the sign-in worker (oauth2) is never downloaded. The
    // estate answered from its own worker, which the page started.
    let served = server.served();
    assert!(
        !served.iter().any(|p| p.contains("signin-worker")),
        "{served:?}"
    );
    assert!(
        served.iter().any(|p| p == "/demo-worker_bg.wasm"),
        "{served:?}"
    );
}

/// The page tells assistive technology (and the tests' absence checks) that it is busy
/// until the app's first screen is drawn, and stops saying so once it is.
#[test]
fn the_page_is_busy_until_its_first_screen_is_drawn() {
    let served = std::fs::read_to_string(dist_dir().join("index.html")).expect("index.html");
    assert!(served.contains(r#"<body aria-busy="true">"#), "{served}");
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    b.by_role("heading", "Subscriptions");
    b.wait_until("the busy mark to be cleared", || {
        b.exec("return document.body.hasAttribute('aria-busy')", vec![]) == serde_json::json!(false)
    });
}

#[test]
fn a_demo_worker_that_does_not_load_is_named_and_retry_recovers() {
    // A partial upload: the demo worker's script is there, its wasm is not. The first
    // screen must say so in words, not spin, and Retry must start it again.
    let app = ConfiguredApp::start("{}");
    app.remove("demo-worker_bg.wasm");
    let b = Browser::start();
    b.goto(&app.url());
    let mut alert = None;
    b.wait_until("the demo's error", || {
        alert = b
            .all_by_role("alert")
            .into_iter()
            .find(|a| a.text().contains("The demo estate did not start"));
        alert.is_some()
    });
    let alert = alert.expect("waited for it");
    assert!(
        alert.text().contains("demo-worker_bg.wasm"),
        "{}",
        alert.text()
    );
    app.restore("demo-worker_bg.wasm");
    b.by_role("button", "Retry").click();
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-web");
    // The worker's script may come from the service worker's cache the second time;
    // its wasm, missing the first time, cannot.
    let served = app.server.served();
    assert!(
        served
            .iter()
            .filter(|p| *p == "/demo-worker_bg.wasm")
            .count()
            >= 2,
        "a new worker after the retry: {served:?}"
    );
}

#[test]
fn escape_closes_the_panel_and_focus_returns() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    open_rule_http(&b, &server);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    b.press("Escape");
    b.wait_gone("dialog", "Load balancing rule health status");
    assert_eq!(b.active().name(), "View details for rule-http");
}

#[test]
fn unsupported_rules_explain_instead_of_calling() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    support::open_lb_web(&b);
    let rule_dns = b
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("rule-dns"))
        .expect("rule-dns row");
    assert!(
        rule_dns.text().contains("No health probe"),
        "{}",
        rule_dns.text()
    );
    // The reason is one keyboard action away, not hidden in a title attribute.
    b.exec(
        "document.querySelector('details.unavailable summary').focus()",
        vec![],
    );
    b.press("Enter");
    b.wait_until("the explanation opens", || {
        rule_dns.text().contains("Add a health probe to the rule")
    });
    assert!(rule_dns
        .try_by_role("button", "View details for rule-dns")
        .is_none());

    b.by_role("button", "Subscriptions").click();
    b.by_role("button", "Contoso Staging").click();
    b.by_role("button", "lb-gateway").click();
    b.by_role("heading", "Load balancing rules");
    let row = b
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("rule-nva"))
        .expect("rule-nva row");
    assert!(
        row.text().contains("Not supported (Gateway)"),
        "{}",
        row.text()
    );
}

#[test]
fn panel_fits_a_narrow_screen() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start_with_size(360, 740);
    assert_eq!(
        b.exec("return window.innerWidth", vec![]).as_i64(),
        Some(360),
        "the test runs at a phone's width"
    );
    open_rule_http(&b, &server);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let overflow = b.exec(
        "return document.documentElement.scrollWidth - window.innerWidth",
        vec![],
    );
    let wide = b.exec(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))",
        vec![],
    );
    assert!(
        overflow.as_i64().unwrap_or(999) <= 0,
        "page scrolls sideways by {overflow}px at 360 px: {wide}"
    );
    // Nor does the panel itself: its buttons and every backend stay in view.
    let inside = b.exec(
        "const d = document.querySelector('dialog'); return d.scrollWidth - d.clientWidth",
        vec![],
    );
    assert!(
        inside.as_i64().unwrap_or(999) <= 0,
        "the panel scrolls sideways by {inside}px at 360 px"
    );
    let within = |e: &support::Element| {
        b.exec("const r = arguments[0].getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth", vec![e.json()]).as_bool() == Some(true)
    };
    assert!(
        within(&dialog.by_role("button", "Close")),
        "Close is in view"
    );
    // Cards on a phone, still a table to assistive technology.
    let rows = dialog.all_by_role("row");
    assert!(
        rows.len() >= 10,
        "header and 9 backends are rows: {}",
        rows.len()
    );
    let row = rows
        .iter()
        .find(|r| r.text().contains("vm-web-3"))
        .expect("vm-web-3 row");
    assert!(
        row.all_by_role("cell").len() >= 4,
        "its cells keep their role"
    );
    row.by_role("button", "Explain reason for vm-web-3").focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    assert!(
        within(&b.all_by_role("tooltip")[0]),
        "the tooltip is in view, not cut off at the edge"
    );
}

/// Light and dark screenshots of the panel with a tooltip open, for the README and for
/// a person reviewing the look (written to `target/screenshots/`). What a screenshot
/// cannot say by itself is checked on the page: each scheme really applies (a dark panel
/// in dark, a light one in light), text stays readable on it, and the tooltip is on top.
#[test]
fn panel_screenshots_light_and_dark() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start_with_size(1100, 900);
    open_rule_http(&b, &server);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    dialog
        .by_role("button", "Explain reason for vm-web-3")
        .focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let mut shots = Vec::new();
    for scheme in ["light", "dark"] {
        b.prefer_color_scheme(scheme);
        let look = b.exec(LOOK_JS, vec![]);
        let num = |k: &str| {
            look[k]
                .as_f64()
                .unwrap_or_else(|| panic!("{scheme}: no {k} in {look}"))
        };
        let (panel, contrast) = (num("panel"), num("contrast"));
        match scheme {
            "light" => assert!(
                panel > 0.8,
                "light: the panel's background is light (luminance {panel})"
            ),
            _ => assert!(
                panel < 0.1,
                "dark: the panel's background is dark (luminance {panel})"
            ),
        }
        assert!(
            contrast >= 4.5,
            "{scheme}: the panel's text has a contrast of {contrast:.2}:1 (WCAG AA asks 4.5)"
        );
        assert_eq!(
            look["tooltipOnTop"].as_bool(),
            Some(true),
            "{scheme}: the tooltip is not covered: {look}"
        );
        let path = dir.join(format!("panel-{scheme}.png"));
        b.screenshot(&path);
        shots.push(std::fs::read(&path).unwrap());
    }
    assert_ne!(shots[0], shots[1], "the two screenshots differ");
}

/// The panel's background luminance, its body text's contrast against it, and whether
/// the tooltip is the topmost element at its own centre.
const LOOK_JS: &str = r#"
const rgb = c => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
const lum = ([r, g, b]) => {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const dialog = document.querySelector('dialog[open]');
const panel = lum(rgb(getComputedStyle(dialog).backgroundColor));
const cell = dialog.querySelector('td') || dialog;
const text = lum(rgb(getComputedStyle(cell).color));
const contrast = (Math.max(panel, text) + 0.05) / (Math.min(panel, text) + 0.05);
const tip = [...document.querySelectorAll('[role=tooltip], [popover]')].find(t => t.getClientRects().length > 0);
let tooltipOnTop = false;
let onTop = '';
if (tip) {
  // The rows are taller with probe history: the tooltip may open below the fold.
  tip.scrollIntoView({ block: 'nearest' });
  const r = tip.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  tooltipOnTop = !!top && tip.contains(top);
  onTop = top ? top.tagName + '.' + top.getAttribute('class') : 'nothing';
}
return { panel, contrast, tooltipOnTop, onTop };
"#;

#[test]
fn empty_backend_list_is_a_clear_message() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    b.by_role("button", "Contoso Staging").click();
    b.by_role("button", "lb-api-internal").click();
    b.by_role("button", "View details for rule-empty").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("the empty message", || {
        dialog
            .text()
            .contains("Azure returned no backends for this rule")
    });
    assert!(
        dialog.text().contains("0 Up") && dialog.text().contains("0 Down"),
        "{}",
        dialog.text()
    );
}
