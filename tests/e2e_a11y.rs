//! Accessibility end to end: axe-core (the npm package `cargo xtask setup` installs into
//! target/tools/npm; env `LBH_AXE` names its `axe.min.js`) runs on every screen of the
//! release build, in light and in dark, and must find no violation; and a keyboard-only
//! walk (Tab, Shift+Tab, Enter, Escape) reaches a rule's panel and a reason tooltip and
//! back, with the focus visible at every step.
//!
//! axe's verdicts are printed per rule with the offending nodes; "needs review" results
//! (axe's `incomplete`) are listed but do not fail the test. Each run prints its rule
//! counts and the running total straight to stderr.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use fake_azure::{EntraFault, FakeAzure, Fault, Options};
use serde_json::Value;
use support::{dist_dir, open_lb_web, Browser, ConfiguredApp, StaticServer};

// ------------------------------------------------------------------ axe

fn axe_path() -> PathBuf {
    let p = std::env::var_os("LBH_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/tools/npm/node_modules/axe-core/axe.min.js")
        });
    assert!(
        p.is_file(),
        "{} is missing: run `cargo xtask setup`, which installs the npm package axe-core",
        p.display()
    );
    p
}

fn axe_source() -> &'static str {
    static SRC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SRC.get_or_init(|| std::fs::read_to_string(axe_path()).expect("read axe.min.js"))
}

/// Rules seen across all runs in this process, and how many runs there were.
static RULES: Mutex<(BTreeSet<String>, u32)> = Mutex::new((BTreeSet::new(), 0));

/// Summarises axe's result in the page, so only a small JSON crosses WebDriver.
const AXE_RUN_JS: &str = r#"
return axe.run(document, { resultTypes: ['violations', 'incomplete'] }).then(r => ({
  violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })) })),
  incomplete: r.incomplete.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.length,
    examples: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + ((n.any[0] || n.all[0] || n.none[0] || {}).message || '')) })),
  passes: r.passes.map(v => v.id),
  inapplicable: r.inapplicable.map(v => v.id),
  version: axe.version,
}));
"#;

/// Runs axe on the page as it is and panics, readably, on any violation.
fn check_axe(b: &Browser, scene: &str) {
    let loaded = b.exec("return typeof window.axe === 'object';", vec![]);
    if loaded != Value::Bool(true) {
        // WebDriver's script runs with the page's CSP lifted, so axe needs no policy change.
        b.exec(
            &format!("{}\n;return typeof window.axe;", axe_source()),
            vec![],
        );
    }
    let r = b.exec(AXE_RUN_JS, vec![]);
    let ids = |k: &str| -> Vec<String> {
        r[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().or(v["id"].as_str()).map(str::to_owned))
            .collect()
    };
    let (violations, incomplete, passes, inapplicable) = (
        ids("violations"),
        ids("incomplete"),
        ids("passes"),
        ids("inapplicable"),
    );
    let (distinct, runs) = {
        let mut seen = RULES.lock().unwrap();
        seen.0.extend(
            violations
                .iter()
                .chain(&incomplete)
                .chain(&passes)
                .chain(&inapplicable)
                .cloned(),
        );
        seen.1 += 1;
        (seen.0.len(), seen.1)
    };
    let here: BTreeSet<&String> = violations
        .iter()
        .chain(&incomplete)
        .chain(&passes)
        .chain(&inapplicable)
        .collect();
    let mut note = format!(
        "e2e_a11y: axe {} on {scene}: {} rules ({} passed, {} violated, {} need review, {} not applicable) (so far {runs} runs, {distinct} distinct rules)\n",
        r["version"].as_str().unwrap_or("?"),
        here.len(),
        passes.len(),
        violations.len(),
        incomplete.len(),
        inapplicable.len()
    );
    for i in r["incomplete"].as_array().into_iter().flatten() {
        note.push_str(&format!(
            "  needs review: {} ({} nodes): {}\n",
            i["id"].as_str().unwrap_or(""),
            i["nodes"],
            i["help"].as_str().unwrap_or("")
        ));
        for e in i["examples"].as_array().into_iter().flatten() {
            note.push_str(&format!("    {}\n", e.as_str().unwrap_or("")));
        }
    }
    let _ = std::io::stderr().write_all(note.as_bytes());
    if !violations.is_empty() {
        let mut msg = format!("axe found {} violation(s) on {scene}:\n", violations.len());
        for v in r["violations"].as_array().into_iter().flatten() {
            msg.push_str(&format!(
                "\n[{}] {} ({})\n  {}\n",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["helpUrl"].as_str().unwrap_or("")
            ));
            for n in v["nodes"].as_array().into_iter().flatten() {
                msg.push_str(&format!(
                    "  - {}\n    {}\n    {}\n",
                    n["target"].as_str().unwrap_or(""),
                    n["html"].as_str().unwrap_or(""),
                    n["summary"].as_str().unwrap_or("").replace('\n', "\n    ")
                ));
            }
        }
        panic!("{msg}");
    }
}

/// axe in the light scheme, then in the dark one (no reload: the media query applies
/// live). Dark needs Chromium's DevTools; the other engines run the light scans.
fn check_both_schemes(b: &Browser, scene: &str) {
    for scheme in b.schemes() {
        b.prefer_color_scheme(scheme);
        check_axe(b, &format!("{scene} ({scheme}, {})", b.engine().name()));
    }
    b.prefer_color_scheme("light");
}

// ------------------------------------------------------------------ screens

/// Once lb-web's page has its data path charts, as axe should see it.
fn data_path_shown(b: &Browser) {
    b.by_role("region", "Data path availability")
        .by_role("table", "Data path availability");
}

/// From lb-web's rules: opens rule-http's panel, waits for its probe history (so axe
/// sees the charts), and opens vm-web-3's reason tooltip.
fn open_rule_http_with_a_tooltip(b: &Browser) -> support::Element {
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    b.wait_until("the probe history's charts", || {
        dialog
            .all_by_role("image")
            .iter()
            .any(|i| i.name().contains("% "))
    });
    dialog
        .by_role("button", "Explain reason for vm-web-3")
        .focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    dialog
}

fn demo(b: &Browser, server: &StaticServer) {
    b.goto(&server.url());
    b.by_role("heading", "Subscriptions");
    b.by_role("button", "Contoso Production");
}

#[test]
fn landing_page_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);
    check_both_schemes(&b, "the landing page (demo subscriptions)");
}

#[test]
fn load_balancer_list_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);
    b.by_role("button", "Contoso Production").click();
    b.by_role("heading", "Load balancers in Contoso Production");
    b.by_role("button", "lb-web");
    check_both_schemes(&b, "the load balancer list");
}

#[test]
fn rules_list_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);
    open_lb_web(&b);
    b.by_role("button", "View details for rule-http");
    data_path_shown(&b);
    check_both_schemes(&b, "the rules list with data path availability");
}

#[test]
fn health_panel_with_a_tooltip_open_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);
    open_lb_web(&b);
    let dialog = open_rule_http_with_a_tooltip(&b);
    check_both_schemes(&b, "the health panel with a tooltip open");
    assert_eq!(
        b.all_by_role("tooltip").len(),
        1,
        "the tooltip stayed open while axe ran"
    );
    // axe cannot judge the tooltip's contrast (it overlaps the table: "needs review"), so
    // measure it: every text in it against the tooltip's own opaque background.
    for scheme in b.schemes() {
        b.prefer_color_scheme(scheme);
        let r = b.exec(TOOLTIP_CONTRAST_JS, vec![]);
        let worst = r["worst"].as_f64().unwrap_or(0.0);
        assert!(
            worst >= 4.5,
            "tooltip text contrast {worst:.2}:1 < 4.5:1 in {scheme} ({r})"
        );
        let _ = writeln!(
            std::io::stderr(),
            "e2e_a11y: tooltip text contrast in {scheme}: at least {worst:.1}:1 ({})",
            r["where"]
        );
    }
    // Watch mode after a second check: the changes line, highlighted rows and the runs.
    b.prefer_color_scheme("light");
    b.press("Escape");
    b.wait_until("the tooltip closes", || b.all_by_role("tooltip").is_empty());
    let select = dialog.by_role("combobox", "Auto-refresh");
    select.choose("300");
    dialog.by_role("button", "Refresh").click();
    dialog.by_role("columnheader", "Recent checks");
    check_both_schemes(&b, "the health panel watching, after two checks");
    dialog.by_role("checkbox", "Group by reason").click();
    dialog.by_role("table", "Backends by reason");
    check_both_schemes(&b, "the health panel grouped by reason");
}

/// At a phone's width the tables turn into cards (style/app.css): axe checks that they
/// are still tables with headers, and the panel with a tooltip open.
#[test]
fn phone_layout_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start_with_size(360, 740);
    demo(&b, &server);
    open_lb_web(&b);
    b.by_role("button", "View details for rule-http");
    data_path_shown(&b);
    check_both_schemes(&b, "the rules list and data path at 360 px");
    let dialog = open_rule_http_with_a_tooltip(&b);
    check_both_schemes(&b, "the health panel at 360 px with a tooltip open");
    b.press("Escape");
    b.wait_until("the tooltip closes", || b.all_by_role("tooltip").is_empty());
    dialog.by_role("checkbox", "Group by reason").click();
    dialog.by_role("table", "Backends by reason");
    check_both_schemes(&b, "the health panel at 360 px, grouped by reason");
}

/// The estate overview once every verdict is in, filtered, and at a phone's width.
#[test]
fn estate_overview_has_no_axe_violations() {
    let server = StaticServer::start(&dist_dir());
    for (w, h) in [(1280, 900), (360, 740)] {
        let b = Browser::start_with_size(w, h);
        b.goto(&format!("{}?view=estate", server.url()));
        b.set_timeout(Duration::from_secs(60));
        b.wait_until("every verdict", || {
            b.status_texts()
                .iter()
                .any(|t| t.starts_with("Checked all"))
        });
        b.set_timeout(Duration::from_secs(10));
        b.by_role("table", "Load balancers, worst first");
        check_both_schemes(&b, &format!("the estate overview at {w} px"));
    }
}

/// Windows high contrast: forced colours drop backgrounds and shadows, so the open
/// tooltip needs a border of its own to stand apart from the table under it, and each
/// state still reads as a word.
#[test]
fn forced_colours_keep_the_tooltip_outlined_and_states_in_words() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);
    open_lb_web(&b);
    let dialog = open_rule_http_with_a_tooltip(&b);
    b.emulate_media_feature("forced-colors", "active");
    let r = b.exec(
        "const t = [...document.querySelectorAll('[role=tooltip]')].find(t => !t.hidden); const s = getComputedStyle(t);
         return { forced: matchMedia('(forced-colors: active)').matches, border: s.borderTopColor, width: s.borderTopWidth, bg: s.backgroundColor };",
        vec![],
    );
    assert_eq!(r["forced"], true, "forced colours are emulated: {r}");
    assert_eq!(r["width"], "1px", "{r}");
    assert_ne!(
        r["border"], r["bg"],
        "the tooltip's border shows against its background: {r}"
    );
    assert_ne!(
        r["border"], "rgba(0, 0, 0, 0)",
        "the border is not transparent: {r}"
    );
    let row = dialog
        .all_by_role("row")
        .into_iter()
        .find(|r| r.text().contains("vm-web-3"))
        .expect("vm-web-3 row");
    assert!(
        row.text().contains("Down"),
        "the state is a word, not only a colour: {}",
        row.text()
    );
}

/// The lowest WCAG contrast ratio of any text in the open tooltip, opacity included.
const TOOLTIP_CONTRAST_JS: &str = r#"
const tip = [...document.querySelectorAll('[role=tooltip]')].find(t => !t.hidden);
const parse = c => { const p = c.match(/rgba?\(([^)]+)\)/)[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const bg = parse(getComputedStyle(tip).backgroundColor);
if (bg[3] < 1) return { worst: 0, where: 'the tooltip background is not opaque' };
let worst = 99, where = '';
for (const el of [tip, ...tip.querySelectorAll('*')]) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const fg = parse(getComputedStyle(el).color);
  let a = fg[3];
  for (let e = el; e && e !== tip.parentElement; e = e.parentElement) a *= parseFloat(getComputedStyle(e).opacity);
  const mix = [0, 1, 2].map(i => fg[i] * a + bg[i] * (1 - a));
  const l1 = lum(mix), l2 = lum(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  if (ratio < worst) { worst = ratio; where = el.tagName.toLowerCase() + '.' + el.className; }
}
return { worst, where };
"#;

#[test]
fn sign_in_view_has_no_axe_violations() {
    let app = ConfiguredApp::start(r#"{"cloud":"public"}"#);
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Sign in to Azure");
    b.by_role("textbox", "Access token for Azure Resource Manager");
    check_both_schemes(&b, "the sign-in view");
    // A rejected paste shows its message in the form.
    b.by_role("textbox", "Access token for Azure Resource Manager")
        .send_keys("<not a token>");
    b.by_role("button", "Use this token").click();
    b.wait_until("the paste error", || {
        b.all_by_role("alert")
            .iter()
            .any(|a| a.text().contains("doesn't look like an access token"))
    });
    check_both_schemes(&b, "the sign-in view with a paste error");
}

fn jwt() -> String {
    testkit::jwt(
        r#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"ana@contoso.com","exp":4102444800}"#,
        "sig",
    )
}

#[test]
fn error_view_has_no_axe_violations() {
    let azure = FakeAzure::start(Options::default());
    let token = jwt();
    azure.set_token(&token);
    let app = ConfiguredApp::start(&format!(r#"{{"armEndpoint":"{}"}}"#, azure.arm_url()));
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("textbox", "Access token for Azure Resource Manager")
        .send_keys(&token);
    b.by_role("button", "Use this token").click();
    b.by_role("heading", "Subscriptions");
    azure.set_fault(Fault::Forbidden);
    open_lb_web(&b);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    b.wait_until("the permission message", || {
        dialog.text().contains("You don't have permission")
    });
    check_both_schemes(&b, "an error view (403 on the health operation)");
}

#[test]
fn entra_sign_in_and_the_account_menu_have_no_axe_violations() {
    let azure = FakeAzure::start(Options::default());
    let app = ConfiguredApp::start(&format!(
        r#"{{"armEndpoint":"{}","loginEndpoint":"{}","clientId":"{}"}}"#,
        azure.arm_url(),
        azure.login_url(),
        fake_azure::CLIENT_ID
    ));
    let b = Browser::start();
    azure.set_entra_fault(EntraFault::AccessDenied);
    b.goto(&app.url());
    b.by_role("button", "Sign in with Microsoft").click();
    b.wait_until("the refusal", || {
        b.all_by_role("alert")
            .iter()
            .any(|a| a.text().contains("Sign-in was declined"))
    });
    check_both_schemes(&b, "the sign-in view with Entra's refusal");
    azure.set_entra_fault(EntraFault::None);
    b.by_role("button", "Sign in with Microsoft").click();
    let menu = b.by_role("DisclosureTriangle", "Account: ana@contoso.com");
    menu.click();
    let tenants = b.by_role("combobox", "Switch tenant");
    b.wait_until("the tenant list", || tenants.text().contains("Fabrikam"));
    check_both_schemes(&b, "the account menu, open, with the tenant list");
}

// ------------------------------------------------------------------ keyboard only

/// The focused element must show a focus indicator: `:focus-visible` matches and an
/// outline (or a box-shadow ring) is drawn. Returns a description of the element.
fn assert_focus_visible(b: &Browser, step: &str) -> Option<String> {
    let v = b.exec(
        r#"
        const e = document.activeElement;
        if (!e || e === document.body || e === document.documentElement) return null;
        const s = getComputedStyle(e);
        return {
          what: e.tagName.toLowerCase() + (e.getAttribute('aria-label') ? ' "' + e.getAttribute('aria-label') + '"' : ' "' + (e.textContent || '').trim().slice(0, 40) + '"'),
          visible: e.matches(':focus-visible'),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1,
          ring: s.boxShadow !== 'none',
        };
        "#,
        vec![],
    );
    if v.is_null() {
        return None;
    }
    let what = v["what"].as_str().unwrap_or("?").to_owned();
    assert!(
        v["visible"] == Value::Bool(true),
        "{step}: {what} is focused but not :focus-visible"
    );
    assert!(
        v["outline"] == Value::Bool(true) || v["ring"] == Value::Bool(true),
        "{step}: {what} has no visible focus indicator: {v}"
    );
    Some(what)
}

/// Presses `key` until the focused element's accessible name satisfies `want`, checking
/// the focus ring on every element passed; at most 120 presses.
fn press_until(b: &Browser, key: &str, what: &str, want: impl Fn(&str) -> bool) {
    let mut passed = Vec::new();
    for _ in 0..120 {
        b.press(key);
        if let Some(d) = assert_focus_visible(b, &format!("{key} towards {what}")) {
            passed.push(d);
        }
        if want(&b.active().name()) {
            return;
        }
    }
    panic!("{what} was not reached with {key}; focus went through: {passed:#?}");
}

#[test]
fn keyboard_alone_reaches_a_reason_tooltip_and_back_with_focus_always_visible() {
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    demo(&b, &server);

    press_until(&b, "Tab", "the subscription", |n| n == "Contoso Production");
    b.press("Enter");
    // Each new screen's heading takes focus: Tab goes on from the top of its content.
    let on_heading = |name: &str| {
        b.wait_until(&format!("focus on the heading {name:?}"), || {
            let a = b.active();
            a.role() == "heading" && a.name() == name
        })
    };
    on_heading("Load balancers in Contoso Production");
    // A user tabs on once the list is there: tabbing past the end of a page still loading
    // leaves the document in Firefox, which then draws no ring on its way back.
    b.by_role("button", "lb-web");
    press_until(&b, "Tab", "the load balancer", |n| n == "lb-web");
    b.press("Enter");
    on_heading("lb-web");
    b.by_role("heading", "Load balancing rules");
    press_until(&b, "Tab", "the rule's details button", |n| {
        n == "View details for rule-http"
    });
    b.press("Enter");

    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let inside = b.exec(
        "return arguments[0].contains(document.activeElement);",
        vec![dialog.json()],
    );
    assert_eq!(
        inside,
        Value::Bool(true),
        "opening the panel moves focus into it"
    );
    press_until(&b, "Tab", "a reason's info button", |n| {
        n.starts_with("Explain reason for")
    });
    let first = b.active().name();
    b.wait_until("its tooltip opens on focus", || {
        b.all_by_role("tooltip").len() == 1
    });
    // Forward to the next info button and back again: the first tooltip comes back.
    press_until(&b, "Tab", "the next info button", |n| {
        n.starts_with("Explain reason for") && n != first
    });
    press_until(&b, "Shift+Tab", "the first info button again", |n| {
        n == first
    });
    b.wait_until("the tooltip is open again", || {
        b.all_by_role("tooltip").len() == 1
    });
    let tip = b.all_by_role("tooltip").remove(0);
    let text = tip.text();
    assert!(
        text.contains("What to do next"),
        "the tooltip reads: {text}"
    );
    assert_eq!(
        b.active().attr("aria-describedby"),
        tip.attr("id"),
        "the tooltip describes the focused button"
    );

    b.press("Escape");
    b.wait_until("the tooltip closes", || b.all_by_role("tooltip").is_empty());
    assert!(
        dialog.is_displayed(),
        "the first Escape closes only the tooltip"
    );
    assert_eq!(b.active().name(), first, "focus stays on the info button");
    assert_focus_visible(&b, "after Escape on the tooltip").expect("focus on the info button");

    b.press("Escape");
    b.wait_gone("dialog", "Load balancing rule health status");
    assert_eq!(
        b.active().name(),
        "View details for rule-http",
        "focus returns to the opener"
    );
    assert_focus_visible(&b, "after closing the panel").expect("focus on the opener");
}
