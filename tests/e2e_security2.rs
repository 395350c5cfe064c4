//! Security end to end, the findings of issue 17's review (docs/security.md), in
//! headless Chromium against the release build and `fake-azure`:
//! - "Open full app" in an embed links to the app's own base URL, not to whatever path
//!   the page was opened under (`//evil.example/` on a host that serves index.html for
//!   every path);
//! - a redirect from the ARM endpoint is not followed: the `Authorization` header never
//!   reaches the redirect's target, and the page names what happened;
//! - signing out of an Entra account offers Entra's end-session, and the next sign-in
//!   asks Entra for the account (`prompt=select_account`).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fake_azure::{FakeAzure, Fault, Options, CLIENT_ID, OUTSIDE};
use support::{dist_dir, Browser, ConfiguredApp, StaticServer};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

#[test]
fn open_full_app_from_a_crafted_path_stays_on_the_app() {
    // The test server, like many static hosts, serves index.html for any path without a
    // file extension, so the app starts under `//evil.example/` too.
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&format!(
        "{}/evil.example/?lb={LB_WEB}&embed=1",
        server.url()
    ));
    b.by_role("heading", "Load balancing rules");
    let link = b.by_role("link", "Open full app");
    let href = link.attr("href").unwrap_or_default();
    assert!(href.starts_with(&format!("{}?lb=", server.url())), "{href}");
    assert!(!href.contains("embed=1"), "{href}");
    let host = b.exec("return arguments[0].host", vec![link.json()]);
    assert_eq!(
        host.as_str(),
        Some(format!("127.0.0.1:{}", server.port()).as_str()),
        "the link leaves the app: {href}"
    );
}

#[test]
fn a_redirect_from_arm_is_refused_named_and_carries_no_token() {
    let live = support::live::signed_in(Options::default());
    let b = &live.b;
    live.azure.set_fault(Fault::Redirect);
    live.azure.clear_log();
    b.by_role("button", "Contoso Production").click();
    // Whatever the outcome, it ends on screen; then: where did the request go?
    b.wait_until("an error on screen", || !b.all_by_role("alert").is_empty());
    let log = live.azure.requests();
    assert!(
        log.iter()
            .any(|r| r.method == "GET" && r.authorization.is_some()),
        "the redirected request was sent: {log:?}"
    );
    let followed: Vec<_> = log
        .iter()
        .filter(|r| r.path_and_query.starts_with(OUTSIDE))
        .collect();
    assert!(
        followed.is_empty(),
        "the redirect was followed: {followed:?}"
    );
    b.wait_until("the redirect named", || {
        b.all_by_role("alert").iter().any(|a| {
            a.text().contains("answered with a redirect")
                && a.text().contains("does not follow redirects")
        })
    });
}

/// A deployment configured for sign-in against the fake Entra, its own URL registered
/// as the redirect URI.
fn deployment() -> (FakeAzure, ConfiguredApp, Browser) {
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
    (azure, app, Browser::start())
}

fn sign_in(b: &Browser) {
    b.by_role("heading", "Sign in to Azure");
    b.by_role("button", "Sign in with Microsoft").click();
    b.wait_until("signed in", || {
        b.exec("return !!document.querySelector('.account-menu')", vec![])
            .as_bool()
            == Some(true)
    });
}

fn sign_out(b: &Browser) {
    b.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    b.by_role("button", "Sign out").click();
    b.by_role("heading", "Sign in to Azure");
}

/// The query of the last authorize request Entra received.
fn last_authorize(azure: &FakeAzure) -> String {
    azure
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path_and_query.contains("/oauth2/v2.0/authorize"))
        .map(|r| r.path_and_query)
        .unwrap_or_default()
}

#[test]
fn sign_out_offers_entra_end_session_and_the_next_sign_in_asks_for_the_account() {
    let (azure, app, b) = deployment();
    b.goto(&app.url());
    sign_in(&b);
    assert!(
        !last_authorize(&azure).contains("prompt="),
        "a first sign-in may be silent: {}",
        last_authorize(&azure)
    );
    sign_out(&b);

    // LB Health forgot the tokens; the browser's Entra session is offered for ending.
    let link = b.by_role("link", "sign out of Microsoft");
    let href = link.attr("href").unwrap_or_default();
    let end = format!(
        "{}/organizations/oauth2/v2.0/logout?post_logout_redirect_uri=",
        azure.login_url()
    );
    assert!(href.starts_with(&end), "{href}");
    let back = b.exec(
        "return new URL(arguments[0]).searchParams.get('post_logout_redirect_uri')",
        vec![href.clone().into()],
    );
    assert_eq!(back.as_str(), Some(app.url().as_str()), "{href}");

    // Signing in again without ending it: Entra is asked to show its account picker.
    sign_in(&b);
    assert!(
        last_authorize(&azure).contains("prompt=select_account"),
        "{}",
        last_authorize(&azure)
    );

    // Signing out and ending the Entra session: Entra is called and sends the browser back.
    sign_out(&b);
    b.by_role("link", "sign out of Microsoft").click();
    b.wait_until("back from Entra's end-session", || {
        azure.logouts().len() == 1 && b.current_url() == app.url()
    });
    b.by_role("heading", "Sign in to Azure");
    assert_eq!(
        azure.logouts(),
        [("organizations".to_owned(), Some(app.url()))]
    );
    assert!(azure
        .requests()
        .iter()
        .filter(|r| r.path_and_query.contains("/logout"))
        .all(|r| r.authorization.is_none()));
}
