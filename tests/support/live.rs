//! A live-shaped session for end-to-end tests: the fake Azure server, the app configured
//! to use it, and a browser signed in with a pasted JWT-shaped token.

use std::time::Duration;

use fake_azure::{FakeAzure, Fault, Logged, Options, Target};

pub use super::open_lb_web;
use super::{Browser, ConfiguredApp, Element};

/// Any rule's health operation.
pub const HEALTH: &str = "/health?";
/// rule-http's health check (its POST and, in fake-azure's eyes, its polls); not rule-https's.
pub const RULE_HTTP_CHECK: &str = "/loadBalancingRules/rule-http/health";

pub fn jwt() -> String {
    testkit::jwt(
        r#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"ana@contoso.com","name":"Ana","exp":4102444800}"#,
        "sig",
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
    signed_in_where(opts, |_, _| {})
}

/// As `signed_in`, with `deploy` changing the deployment before the page loads.
pub fn signed_in_where(opts: Options, deploy: impl FnOnce(&ConfiguredApp, &FakeAzure)) -> Live {
    let azure = FakeAzure::start(opts);
    let token = jwt();
    azure.set_token(&token);
    let app = ConfiguredApp::start(&format!(r#"{{"armEndpoint":"{}"}}"#, azure.arm_url()));
    deploy(&app, &azure);
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Sign in to Azure");
    paste(&b, &token);
    b.by_role("heading", "Subscriptions");
    Live {
        azure,
        _app: app,
        b,
        token,
    }
}

pub fn paste(b: &Browser, token: &str) {
    let input = b.by_role("textbox", "Access token for Azure Resource Manager");
    input.send_keys(token);
    b.by_role("button", "Use this token").click();
}

/// Opens rule-http's panel (showing the rules list's own check), waits for the list to
/// finish checking every rule, then aims `fault` at rule-http's health check and presses
/// Refresh, so the fault meets the panel's own operation and nothing else.
pub fn refresh_with(live: &Live, fault: Fault) -> Panel {
    let b = &live.b;
    list_checked(live);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let before = checked_line(&dialog).expect("the panel shows the list's result");
    live.azure
        .set_fault_on(Target::path(RULE_HTTP_CHECK), fault);
    // The panel's check is the rule's latest POST (`panel_check`): until it is in the
    // log, the list's check would be read as the panel's (CI, WebKit under load).
    let posts = || rule_http_posts(&live.azure);
    let before_posts = posts();
    dialog.by_role("button", "Refresh").click();
    b.wait_until("the panel's health POST", || posts() > before_posts);
    Panel { dialog, before }
}

/// The open panel, and the result it showed before Refresh.
pub struct Panel {
    pub dialog: Element,
    pub before: String,
}

impl std::ops::Deref for Panel {
    type Target = Element;
    fn deref(&self) -> &Element {
        &self.dialog
    }
}

/// Waits for the rules list's own marker that every probed rule of lb-web was checked.
pub fn list_checked(live: &Live) {
    let b = &live.b;
    b.set_timeout(Duration::from_secs(30));
    b.wait_until("the list's checks", || {
        b.status_texts()
            .iter()
            .any(|t| t.contains("2 of 2 rules checked"))
    });
    b.set_timeout(Duration::from_secs(10));
}

pub fn health_requests(azure: &FakeAzure) -> (usize, usize) {
    let log = azure.requests();
    let posts = log.iter().filter(|r| is_health_post(r)).count();
    let polls = log.iter().filter(|r| is_poll(r)).count();
    (posts, polls)
}

pub fn is_health_post(r: &Logged) -> bool {
    r.method == "POST" && r.path_and_query.to_ascii_lowercase().contains(HEALTH)
}

pub fn is_poll(r: &Logged) -> bool {
    r.method == "GET"
        && r.path_and_query
            .to_ascii_lowercase()
            .contains("/operationresults/")
}

/// Health traffic of any rule: POSTs and polls.
pub fn is_health(r: &Logged) -> bool {
    is_health_post(r) || is_poll(r)
}

/// The panel's last check of rule-http, from fake-azure's log: its POST's time and the
/// times of the polls after it (call once the list's checks are over, see `refresh_with`).
fn of_rule_http(path: &str) -> bool {
    path.to_ascii_lowercase()
        .contains(&RULE_HTTP_CHECK.to_ascii_lowercase())
}

/// rule-http's health POSTs so far.
fn rule_http_posts(azure: &FakeAzure) -> usize {
    azure
        .requests()
        .iter()
        .filter(|r| is_health_post(r) && of_rule_http(&r.path_and_query))
        .count()
}

pub fn panel_check(azure: &FakeAzure) -> (Duration, Vec<Duration>) {
    let log = azure.requests();
    let post = log
        .iter()
        .rfind(|r| is_health_post(r) && of_rule_http(&r.path_and_query))
        .expect("the panel sent rule-http's health POST");
    // Only rule-http's polls: the list may check the other rule meanwhile.
    let polls = log
        .iter()
        .filter(|r| is_poll(r) && r.at > post.at)
        .filter(|r| {
            azure
                .checked_by(&r.path_and_query)
                .is_some_and(|p| of_rule_http(&p))
        })
        .map(|r| r.at)
        .collect();
    (post.at, polls)
}

/// The waits between the panel's requests: POST to the first poll, then poll to poll.
/// A request the browser's network stack sends again by itself within a moment of a
/// dropped connection (Chromium does, before the page hears of it) is not a wait of the
/// app's, and is left out.
pub fn panel_gaps(azure: &FakeAzure) -> Vec<Duration> {
    let (post, polls) = panel_check(azure);
    let mut times = vec![post];
    times.extend(polls);
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let resent = Duration::from_millis(100);
    gaps.iter()
        .enumerate()
        .filter(|(i, g)| **g >= resent || *i == 0)
        .map(|(_, g)| *g)
        .collect()
}

/// Asserts that `gap` is one wait of `want`: never shorter (the client starts waiting
/// only once the answer is in), and at most `slack` longer (the round trip and a busy CI
/// machine).
pub fn assert_wait(gap: Duration, want: Duration, what: &str) {
    let slack = Duration::from_millis(1500);
    assert!(
        gap + Duration::from_millis(20) >= want && gap <= want + slack,
        "{what}: waited {gap:?}, expected {want:?} (+ at most {slack:?})"
    );
}

/// The "Checked at … · took … · N status checks" line of a result, if one is shown.
pub fn checked_line(dialog: &Element) -> Option<String> {
    // WebKitGTK's element text has no line breaks between blocks, so the line is cut at
    // its own last words ("N status check(s)"), not at a newline.
    let text = dialog.text();
    let from = &text[text.find("Checked at")?..];
    let end = from.find("status check")? + "status check".len();
    let end = end + usize::from(from[end..].starts_with('s'));
    Some(from[..end].to_string())
}

/// Waits until the panel shows a result other than `before` (the list's, or the last
/// one), with no error or wait beside it: a Refresh that did nothing, or failed beside
/// the old result, never satisfies it.
pub fn fresh_result(live: &Live, panel: &Panel, within: Duration) -> String {
    let (dialog, before) = (&panel.dialog, panel.before.as_str());
    live.b.set_timeout(within);
    let mut line = String::new();
    live.b.wait_until("a fresh result", || {
        let t = dialog.text();
        let settled = !t.contains("Asking Azure")
            && !t.contains("gathering backend health")
            && dialog.try_by_role("button", "Retry").is_none();
        match checked_line(dialog) {
            Some(l) if settled && l != before => {
                line = l;
                true
            }
            _ => false,
        }
    });
    live.b.set_timeout(Duration::from_secs(10));
    line
}

/// The seconds of "took N s" in a "Checked at" line.
pub fn took_secs(line: &str) -> f64 {
    let rest = &line[line
        .find("took ")
        .unwrap_or_else(|| panic!("no 'took' in {line:?}"))
        + 5..];
    let num: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse()
        .unwrap_or_else(|_| panic!("no number after 'took' in {line:?}"))
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
                assert_eq!(
                    r.listener,
                    fake_azure::Listener::Arm,
                    "a token went to {r:?}"
                );
            }
            assert!(
                !r.path_and_query.contains(&self.token),
                "the token was in a URL: {}",
                r.path_and_query
            );
        }
    }
}

/// From now on, the page's timers of more than a minute run 100 times faster and are
/// recorded, so a test can see that a 120 s wait was asked for without waiting 120 s.
/// (A minute exactly is the request timeout, which must keep its length.) Read the record
/// with `long_timers`.
pub fn compress_long_timers(b: &Browser) {
    b.exec(
        r#"if (!window.__lbhLongTimers) {
             window.__lbhLongTimers = [];
             const original = window.setTimeout;
             window.setTimeout = function (f, ms, ...rest) {
               if (ms > 60000) { window.__lbhLongTimers.push(ms); ms = Math.round(ms / 100); }
               return original.call(window, f, ms, ...rest);
             };
           }"#,
        vec![],
    );
}

/// The delays (ms) of the long timers the page set since `compress_long_timers`.
pub fn long_timers(b: &Browser) -> Vec<u64> {
    let v = b.exec("return window.__lbhLongTimers || []", vec![]);
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_f64())
        .map(|x| x as u64)
        .collect()
}

/// The waits (ms) our polling policy (`lb_health::arm::lro`) asks for when Azure answers
/// the health POST and `pending` polls with 202 and `retry_after` (as the page can read
/// it), then 200. The end-to-end tests hold the browser's measured waits to these: the
/// policy's numbers are the unit tests' business, that the page really waits them is ours.
pub fn policy_waits(retry_after: Option<&str>, pending: u32) -> Vec<u64> {
    use lb_health::arm::lro::{Lro, Policy, Step};
    use lb_health::http::{Request, Response};
    const LOC: &str = "https://management.azure.com/subscriptions/s/providers/Microsoft.Network/locations/l/operationResults/o?api-version=1";
    let accepted = || {
        let r = Response::new(202, "").with_header("Location", LOC);
        match retry_after {
            Some(v) => r.with_header("Retry-After", v),
            None => r,
        }
    };
    let (mut lro, _) = Lro::start(
        Request::post("https://management.azure.com/x/health?api-version=1", None),
        0.0,
        Policy::default(),
    );
    let mut now = 0.0;
    let mut waits = Vec::new();
    for _ in 0..=pending {
        match lro.on_answer(now, Ok(accepted())) {
            Step::Wait { ms, .. } => {
                waits.push(ms);
                now += ms as f64;
                lro.on_wake(now);
            }
            other => panic!("the policy did not wait after a 202: {other:?}"),
        }
    }
    waits
}
