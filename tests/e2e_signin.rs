//! End to end: Sign in with Microsoft against the fake Entra ID (`fake-azure`), in
//! headless Chromium. The app, the fake ARM and the fake Entra are three origins on
//! 127.0.0.1; the embedding wiki page of the iframe test is a fourth, on `localhost`,
//! so the app runs there as a third-party frame. Entra's answers are real redirects.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use fake_azure::{EntraFault, FakeAzure, Grant, Listener, Options, Pkce, CLIENT_ID, FABRIKAM};
use support::live::{checked_line, HEALTH};
use support::{Browser, ConfiguredApp, StaticServer};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

struct Live {
    azure: FakeAzure,
    app: ConfiguredApp,
    b: Browser,
}

/// A deployment configured for sign-in against the fake Entra, with its own URL
/// registered as the (single-page application) redirect URI.
fn deployment() -> Live {
    deployment_in(Browser::start())
}

fn deployment_in(b: Browser) -> Live {
    let azure = FakeAzure::start(Options {
        pending_polls: 1,
        ..Options::default()
    });
    let app = ConfiguredApp::start(&format!(
        r#"{{"armEndpoint":"{}","loginEndpoint":"{}","clientId":"{CLIENT_ID}"}}"#,
        azure.arm_url(),
        azure.login_url()
    ));
    azure.set_redirect_uris(&[&app.url()]);
    Live { azure, app, b }
}

fn sign_in(live: &Live) {
    let b = &live.b;
    b.by_role("heading", "Sign in to Azure");
    // A top-level sign-in is a full-page round trip through Entra.
    let button = b.by_role("button", "Sign in with Microsoft");
    b.navigates(|| button.click());
    // Not by role: with a deep link to a panel, the modal dialog hides the header.
    b.wait_until("signed in", || {
        b.exec("return !!document.querySelector('.account-menu')", vec![])
            .as_bool()
            == Some(true)
    });
}

fn health_posts(azure: &FakeAzure) -> usize {
    azure
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path_and_query.to_ascii_lowercase().contains(HEALTH))
        .count()
}

fn code_grants(azure: &FakeAzure) -> Vec<Grant> {
    azure
        .token_grants()
        .into_iter()
        .filter(|g| g.grant_type == "authorization_code")
        .collect()
}

fn refresh_grants(azure: &FakeAzure) -> Vec<Grant> {
    azure
        .token_grants()
        .into_iter()
        .filter(|g| g.grant_type == "refresh_token")
        .collect()
}

/// The alert that says `text`, once it is on screen.
fn alert_saying(b: &Browser, text: &str) -> support::Element {
    let mut found = None;
    b.wait_until(text, || {
        found = b
            .all_by_role("alert")
            .into_iter()
            .find(|a| a.text().contains(text));
        found.is_some()
    });
    found.expect("waited for it")
}

/// Everything in both storages, as one string (empty when both are empty).
fn storage(b: &Browser) -> String {
    b.exec(
        "const all = [];
         for (const s of [sessionStorage, localStorage]) for (let i = 0; i < s.length; i++) all.push(s.key(i) + '=' + s.getItem(s.key(i)));
         return all.join('\\n');",
        vec![],
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Tokens went to ARM only, never into a URL, and storage holds none: at most the list
/// of recently opened load balancers (resource ids), nothing of the sign-in.
fn assert_tokens_stayed_in_memory(live: &Live) {
    for r in live.azure.requests() {
        if r.authorization.is_some() {
            assert_eq!(r.listener, Listener::Arm, "a bearer token went to {r:?}");
        }
        assert!(
            !r.path_and_query.contains("eyJ"),
            "a token was in a URL: {}",
            r.path_and_query
        );
    }
    let stored = storage(&live.b);
    for line in stored.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with("lbh.recent.live=")
                && !line.contains("eyJ")
                && !line.contains("token"),
            "storage holds {line}"
        );
    }
    assert!(
        !live.b.current_url().contains("code="),
        "{}",
        live.b.current_url()
    );
}

#[test]
fn redirect_sign_in_returns_to_the_deep_link_and_checks_health() {
    let live = deployment();
    let b = &live.b;
    let deep = format!("{}?lb={LB_WEB}&rule=rule-http", live.app.url());
    b.goto(&deep);
    sign_in(&live);
    // Back exactly where the link pointed: the rule's panel, now with live data.
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    let summary = dialog.by_role("group", "Backend health summary");
    assert!(summary.text().contains("Up"), "{}", summary.text());
    assert_eq!(
        dialog
            .by_role("table", "Backend instances")
            .all_by_role("row")
            .len(),
        10
    );
    b.wait_until("the address bar shows the deep link again", || {
        let url = b.current_url();
        url.contains("lb=") && url.contains("rule=rule-http") && !url.contains("code=")
    });

    // The token endpoint saw one code redemption with a verifier that matched the
    // S256 challenge sent to authorize, for our client and redirect URI.
    let grants = code_grants(&live.azure);
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].pkce, Pkce::Verified);
    assert_eq!(grants[0].outcome, Ok(()));
    assert_eq!(grants[0].client_id, CLIENT_ID);
    assert_eq!(
        grants[0].redirect_uri.as_deref(),
        Some(live.app.url().as_str())
    );
    let authorize = live
        .azure
        .requests()
        .into_iter()
        .find(|r| r.path_and_query.contains("/oauth2/v2.0/authorize"))
        .unwrap();
    assert!(
        authorize.path_and_query.starts_with("/organizations/"),
        "{}",
        authorize.path_and_query
    );
    assert!(
        authorize
            .path_and_query
            .contains("code_challenge_method=S256"),
        "{}",
        authorize.path_and_query
    );
    let posts = live
        .azure
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path_and_query.to_ascii_lowercase().contains(HEALTH))
        .count();
    assert!(posts >= 1, "a live health check ran");
    assert_tokens_stayed_in_memory(&live);
    // The PKCE pair and the exchange came from the sign-in worker, under the page's CSP.
    let served = live.app.server.served();
    assert!(
        served.iter().any(|p| p == "/signin-worker_bg.wasm"),
        "{served:?}"
    );
}

#[test]
fn the_sign_in_worker_obeys_the_pages_connect_src() {
    let live = deployment();
    let b = &live.b;
    // This deployment forgot to add its login host to connect-src. The authorize step
    // is a navigation and passes; the code exchange runs in the worker, which must be
    // held to the page's policy like the page itself.
    live.app
        .replace_in_index(&format!(" {}", live.azure.login_url()), "");
    b.goto(&live.app.url());
    b.by_role("button", "Sign in with Microsoft").click();
    alert_saying(b, "Entra ID could not be reached");
    assert!(
        live.azure.token_grants().is_empty(),
        "the token request left the page's policy: {:?}",
        live.azure.token_grants()
    );
    assert!(live
        .azure
        .requests()
        .iter()
        .any(|r| r.path_and_query.contains("/authorize")));
}

#[test]
fn a_sign_in_worker_that_does_not_load_is_named_and_paste_still_works() {
    let live = deployment();
    let b = &live.b;
    // The script loads but its wasm does not: the worker never says it is ready, and
    // that must still end in words rather than a spinner.
    live.app.remove("signin-worker_bg.wasm");
    b.goto(&live.app.url());
    b.by_role("button", "Sign in with Microsoft").click();
    let alert = alert_saying(b, "The sign-in component did not start");
    assert!(
        alert.text().contains("signin-worker_bg.wasm"),
        "{}",
        alert.text()
    );
    b.by_role("button", "Sign in with Microsoft");
    b.by_role("textbox", "Access token for Azure Resource Manager");
    assert!(
        live.azure
            .requests()
            .iter()
            .all(|r| r.listener != Listener::Login),
        "nothing reached Entra"
    );
}

#[test]
fn popup_sign_in_from_an_iframe_on_another_site() {
    // ChromeDriver cannot compute roles and names inside an out-of-process frame; this
    // keeps the cross-site frame in the page's process. The frame stays cross-site:
    // storage partitioning and origin checks are decided by site, not by process.
    let live = deployment_in(Browser::start_with(
        1280,
        900,
        &["--disable-site-isolation-trials"],
    ));
    let b = &live.b;
    let host = support::temp_site(&[(
        "wiki.html",
        &format!(
            r#"<!DOCTYPE html><title>Team wiki</title><h1>Team wiki</h1><iframe src="{}" title="LB Health" width="1100" height="760"></iframe>"#,
            live.app.url()
        ),
    )]);
    let server = StaticServer::start(host.path());
    // localhost, not 127.0.0.1: another site, so the app is a third-party frame.
    b.goto(&format!("http://localhost:{}/wiki.html", server.port()));
    b.by_role("heading", "Team wiki");
    let frame = b
        .element(&b.exec("return document.querySelector('iframe')", vec![]))
        .expect("the iframe");
    b.enter_frame(&frame);
    b.by_role("heading", "Sign in to Azure");
    assert!(
        b.try_by_role("button", "Sign in with a pop-up window")
            .is_none(),
        "in a frame, sign-in is always a pop-up"
    );
    b.by_role("button", "Sign in with Microsoft").click();
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com");
    b.by_role("heading", "Subscriptions");
    b.wait_until("the pop-up closed itself", || b.window_count() == 1);

    let grants = code_grants(&live.azure);
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].pkce, Pkce::Verified);
    let authorize = live
        .azure
        .requests()
        .into_iter()
        .find(|r| r.path_and_query.contains("/authorize"))
        .unwrap();
    assert!(
        authorize.path_and_query.contains("state=p."),
        "a pop-up's state is marked: {}",
        authorize.path_and_query
    );
    // The app works in the frame with the token.
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-web").click();
    b.wait_until("both rules checked", || {
        b.all_by_role("row")
            .iter()
            .filter(|r| r.text().contains("Up,"))
            .count()
            == 2
    });
    assert_tokens_stayed_in_memory(&live);
}

#[test]
fn a_cut_pop_up_is_named_with_ways_forward() {
    let live = deployment();
    let b = &live.b;
    live.azure.set_entra_fault(EntraFault::OpenerPolicy);
    b.goto(&live.app.url());
    b.by_role("button", "Sign in with a pop-up window").click();
    let alert = alert_saying(b, "The sign-in window closed before it finished");
    assert!(
        alert.text().contains("Cross-Origin-Opener-Policy"),
        "{}",
        alert.text()
    );
    alert.by_role("link", "Open LB Health in a new tab");
    b.by_role("textbox", "Access token for Azure Resource Manager");
    assert!(code_grants(&live.azure).is_empty());
}

#[test]
fn silent_renewal_keeps_a_session_of_thirty_second_tokens_going() {
    let live = deployment();
    let b = &live.b;
    live.azure.set_token_lifetime(Duration::from_secs(30));
    b.goto(&format!("{}?lb={LB_WEB}&rule=rule-http", live.app.url()));
    sign_in(&live);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    // Five token lifetimes on Azure's clock. Each time the held token has expired
    // there; the app renews it (ahead of time, or on the 401) and the check succeeds.
    for round in 1..=5 {
        // Counted before the clock moves: a renewal the timer makes just after the jump
        // (instead of the 401 making it) still counts for this round.
        let before = refresh_grants(&live.azure).len();
        let posts = health_posts(&live.azure);
        live.azure.advance(Duration::from_secs(31));
        dialog.by_role("button", "Refresh").click();
        let shown = checked_line(&dialog);
        // A new result, and no word of expiry: a renewal that failed shows "expired"
        // beside the old result, which must not pass for a success.
        b.wait_until("a renewal and a fresh result", || {
            refresh_grants(&live.azure).len() > before
                && health_posts(&live.azure) > posts
                && b.try_by_role("progressbar", "Checking backend health")
                    .is_none()
                && checked_line(&dialog).is_some_and(|l| Some(&l) != shown.as_ref())
        });
        assert!(
            !dialog.text().contains("expired"),
            "round {round}: {}",
            dialog.text()
        );
        assert!(
            b.all_by_role("alert").is_empty(),
            "round {round}: no error on screen"
        );
    }
    let refreshes = refresh_grants(&live.azure);
    assert!(
        refreshes.len() >= 5 && refreshes.iter().all(|g| g.outcome.is_ok()),
        "{refreshes:?}"
    );
    assert!(
        b.try_by_role("button", "Sign in again").is_none(),
        "no prompt while renewal works"
    );

    // Ahead of expiry, with nothing on the wire: the timer renews halfway through.
    live.azure.clear_log();
    let before = refresh_grants(&live.azure).len();
    b.set_timeout(Duration::from_secs(25));
    b.wait_until("a renewal planned ahead of expiry", || {
        refresh_grants(&live.azure).len() > before
    });
    assert!(
        live.azure
            .requests()
            .iter()
            .all(|r| r.listener != Listener::Arm),
        "renewed without an ARM 401"
    );
    assert_tokens_stayed_in_memory(&live);
}

#[test]
fn failed_renewal_prompts_without_losing_the_view() {
    let live = deployment();
    let b = &live.b;
    live.azure.set_token_lifetime(Duration::from_secs(600));
    b.goto(&format!("{}?lb={LB_WEB}", live.app.url()));
    sign_in(&live);
    b.by_role("heading", "Load balancing rules");
    // The list's own checks finish first: expired under them, they redraw the rows, and a
    // click on a row being redrawn opened nothing (CI, WebKit).
    b.wait_until("both rules checked", || {
        b.all_by_role("row")
            .iter()
            .filter(|r| r.try_text().is_some_and(|t| t.contains("Up,")))
            .count()
            == 2
    });
    live.azure.set_entra_fault(EntraFault::RefreshFails);
    live.azure.advance(Duration::from_secs(601));
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("button", "Refresh").click();
    // In the panel, where the user is looking: what happened and one click to go on.
    dialog.by_role("button", "Sign in again");
    assert!(
        dialog.text().contains("Your sign-in has expired"),
        "{}",
        dialog.text()
    );
    dialog.by_role("button", "Close").click();
    // Behind it, the view stayed, with the non-blocking prompt naming Entra's code.
    b.by_role("heading", "Load balancing rules");
    let note = b.exec(
        "return document.querySelector('.reauth').textContent",
        vec![],
    );
    assert!(
        note.as_str().unwrap_or("").contains("AADSTS700082"),
        "{note}"
    );
    b.by_role("button", "Sign in again");
    let refused = refresh_grants(&live.azure);
    assert!(
        !refused.is_empty() && refused.iter().all(|g| g.outcome.is_err()),
        "{refused:?}"
    );
}

#[test]
fn a_forged_or_crossed_answer_is_rejected_before_any_exchange() {
    let live = deployment();
    let b = &live.b;
    // No sign-in in progress in this tab.
    b.goto(&format!("{}?code=stolen-code&state=forged", live.app.url()));
    let alert = alert_saying(b, "This sign-in answer was rejected");
    assert!(
        alert.text().contains("no sign-in in progress"),
        "{}",
        alert.text()
    );
    b.wait_until("code and state leave the address bar", || {
        !b.current_url().contains("code=")
    });

    // A sign-in in progress, and an answer whose state is not its own.
    b.exec(
        "sessionStorage.setItem('lbh.signin', JSON.stringify({state:'the-real-state', verifier:'v'.repeat(43), return_to:'/', tenant:'organizations'}))",
        vec![],
    );
    b.goto(&format!(
        "{}?code=stolen-code&state=another-state",
        live.app.url()
    ));
    alert_saying(b, "state does not match");
    assert!(code_grants(&live.azure).is_empty(), "nothing was exchanged");
    assert_eq!(storage(b), "", "the pending sign-in is used up");
}

#[test]
fn access_denied_is_explained_with_a_way_forward() {
    let live = deployment();
    let b = &live.b;
    live.azure.set_entra_fault(EntraFault::AccessDenied);
    b.goto(&live.app.url());
    b.by_role("button", "Sign in with Microsoft").click();
    let alert = alert_saying(b, "Sign-in was declined");
    assert!(
        alert.text().contains("access_denied") && alert.text().contains("AADSTS65004"),
        "{}",
        alert.text()
    );
    b.by_role("button", "Sign in with Microsoft");
    b.by_role("textbox", "Access token for Azure Resource Manager");
    assert!(code_grants(&live.azure).is_empty());
    assert!(!b.current_url().contains("error="), "{}", b.current_url());
}

/// On a phone the account menu opens within the screen, whatever sits beside the chip.
#[test]
fn the_account_menu_fits_a_phone() {
    let live = deployment_in(Browser::start_with_size(360, 740));
    let b = &live.b;
    b.goto(&live.app.url());
    sign_in(&live);
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    let tenants = b.by_role("combobox", "Switch tenant");
    b.wait_until("tenants listed", || tenants.text().contains("Fabrikam"));
    let r = b.exec("const r = document.querySelector('.account-menu .menu').getBoundingClientRect(); return [r.left, r.right, window.innerWidth];", vec![]);
    let (left, right, width) = (
        r[0].as_f64().unwrap_or(-1.0),
        r[1].as_f64().unwrap_or(1e9),
        r[2].as_f64().unwrap_or(0.0),
    );
    assert_eq!(width, 360.0, "the test runs at a phone's width");
    assert!(
        left >= 0.0 && right <= width,
        "the menu spans {left}..{right} of {width} px"
    );
    b.by_role("button", "Sign out");
}

#[test]
fn tenant_switch_and_sign_out() {
    let live = deployment();
    let b = &live.b;
    b.goto(&live.app.url());
    sign_in(&live);
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    let select = b.by_role("combobox", "Switch tenant");
    b.wait_until("tenants listed", || select.text().contains("Fabrikam"));
    select.click();
    select.choose(FABRIKAM.id);
    // The switch is a full-page round trip through Entra: nothing is looked for until
    // the page it comes back to has loaded (the old page's menu would still answer).
    let switch = b.by_role("button", "Sign in to this tenant");
    b.navigates(|| switch.click());
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    b.wait_until("the Fabrikam tenant", || {
        b.exec(
            "return document.querySelector('.account-menu').textContent",
            vec![],
        )
        .as_str()
        .unwrap_or("")
        .contains("Fabrikam")
    });
    let grants = code_grants(&live.azure);
    assert_eq!(
        grants.last().map(|g| g.tenant.as_str()),
        Some(FABRIKAM.id),
        "{grants:?}"
    );

    // Open a load balancer, so the live list of recent ones exists; sign-out forgets it.
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    support::open_lb_web(b);
    assert!(storage(b).contains("lbh.recent.live="), "{}", storage(b));
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    b.by_role("button", "Sign out").click();
    b.by_role("heading", "Sign in to Azure");
    assert!(b
        .try_by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .is_none());
    assert_eq!(storage(b), "", "sign-out leaves nothing in storage");
    // A check in flight at sign-out would poll again within its 1 s Retry-After.
    let late: Vec<_> = live
        .azure
        .watch(Duration::from_secs(3), |r| r.authorization.is_some());
    assert!(
        late.is_empty(),
        "sent with a token after sign-out: {late:?}"
    );
    assert_tokens_stayed_in_memory(&live);
}

#[test]
fn without_a_client_id_the_landing_offers_paste_the_demo_and_the_set_up_steps() {
    let azure = FakeAzure::start(Options::default());
    let app = ConfiguredApp::start(&format!(r#"{{"armEndpoint":"{}"}}"#, azure.arm_url()));
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Sign in to Azure");
    assert!(b.try_by_role("button", "Sign in with Microsoft").is_none());
    let steps = b.by_role("link", "The set-up steps");
    let href = steps.attr("href").unwrap_or_default();
    assert!(
        href.starts_with("README.md#sign-in-with-microsoft-entra-id"),
        "{href}"
    );
    let status = b.exec(
        "return fetch(arguments[0]).then(r => r.status)",
        vec![href.into()],
    );
    assert_eq!(status.as_u64(), Some(200), "the README ships with the app");
    b.by_role("textbox", "Access token for Azure Resource Manager");
    b.by_role("button", "Open the demo estate");
}
