//! A live-shaped session for end-to-end tests: the fake Azure server, the app configured
//! to use it, and a browser signed in with a pasted JWT-shaped token.

use base64::Engine;
use fake_azure::{FakeAzure, Fault, Options};

pub use super::open_lb_web;
use super::{Browser, ConfiguredApp, Element};

/// Any rule's health operation.
pub const HEALTH: &str = "/health?";

pub fn jwt() -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.c2ln",
        enc(r#"{"alg":"RS256","typ":"JWT"}"#),
        enc(r#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"ana@contoso.com","name":"Ana","exp":4102444800}"#)
    )
}

pub struct Live {
    pub azure: FakeAzure,
    pub _app: ConfiguredApp,
    pub b: Browser,
    pub token: String,
}

/// Fake Azure, the app configured to use it, and a browser signed in with a pasted token.
pub fn signed_in(opts: Options) -> Live {
    let azure = FakeAzure::start(opts);
    let token = jwt();
    azure.set_token(&token);
    let app = ConfiguredApp::start(&format!(r#"{{"armEndpoint":"{}"}}"#, azure.arm_url()));
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Sign in to Azure");
    paste(&b, &token);
    b.by_role("heading", "Subscriptions");
    Live { azure, _app: app, b, token }
}

pub fn paste(b: &Browser, token: &str) {
    let input = b.by_role("textbox", "Access token for Azure Resource Manager");
    input.send_keys(token);
    b.by_role("button", "Use this token").click();
}


/// Opens rule-http's panel (showing the rules list's own check), then sets `fault`
/// and presses Refresh, so the fault meets the panel's own health operation.
pub fn refresh_with(live: &Live, fault: Fault) -> Element {
    let b = &live.b;
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    live.azure.set_fault(fault);
    dialog.by_role("button", "Refresh").click();
    dialog
}

pub fn health_requests(azure: &FakeAzure) -> (usize, usize) {
    let log = azure.requests();
    let posts = log.iter().filter(|r| r.method == "POST" && r.path_and_query.to_ascii_lowercase().contains(HEALTH)).count();
    let polls = log.iter().filter(|r| r.method == "GET" && r.path_and_query.to_ascii_lowercase().contains("/operationresults/")).count();
    (posts, polls)
}


/// Checked at the end of every live test, across the whole suite: the token was only
/// ever sent to the ARM listener, and never in a URL.
impl Drop for Live {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        for r in self.azure.requests() {
            if r.authorization.is_some() {
                assert_eq!(r.listener, fake_azure::Listener::Arm, "a token went to {r:?}");
            }
            assert!(!r.path_and_query.contains(&self.token), "the token was in a URL: {}", r.path_and_query);
        }
    }
}
