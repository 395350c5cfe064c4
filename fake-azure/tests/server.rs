//! The fake server over real sockets, with a minimal HTTP/1.1 client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fake_azure::{
    EntraFault, FakeAzure, Fault, Grant, Listener, Operation, Options, Pkce, Target, CLIENT_ID,
    CONTOSO, DEFAULT_TOKEN, FABRIKAM,
};
use lb_health::arm::client::NETWORK_API;
use lb_health::arm::model::{HealthResult, LoadBalancer, Page, Subscription};
use lb_health::demo::estate::{PROD, STAGING};
use serde_json::Value;

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    fn exposed(&self) -> Vec<String> {
        self.header("access-control-expose-headers")
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .collect()
    }
}

/// Sends one request on a fresh connection (`Connection: close`); `None` on read timeout
/// or when the server closes the connection without answering.
fn try_send(method: &str, url: &str, headers: &[(&str, &str)], timeout: Duration) -> Option<Resp> {
    try_send_body(method, url, headers, "", timeout)
}

fn try_send_body(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
    timeout: Duration,
) -> Option<Resp> {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() || raw.is_empty() {
        return None;
    }
    let text = String::from_utf8(raw).expect("utf-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("complete answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Resp {
        status,
        headers,
        body: body.to_string(),
    })
}

fn send(method: &str, url: &str, headers: &[(&str, &str)]) -> Resp {
    try_send(method, url, headers, Duration::from_secs(10)).expect("answer within 10 s")
}

const AUTH: (&str, &str) = ("Authorization", "Bearer test-token");

fn get(url: &str) -> Resp {
    send("GET", url, &[AUTH])
}

fn post(url: &str) -> Resp {
    send("POST", url, &[AUTH])
}

fn lb_id(sub: &str, rg: &str, lb: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{lb}"
    )
}

fn web_rule(rule: &str) -> String {
    format!(
        "{}/loadBalancingRules/{rule}",
        lb_id(PROD, "rg-web", "lb-web")
    )
}

fn health_url(a: &FakeAzure, rule: &str) -> String {
    format!(
        "{}{}/health?api-version={NETWORK_API}",
        a.arm_url(),
        web_rule(rule)
    )
}

/// POST then poll until 200; returns the final answer and the number of 202 polls.
fn run_health(a: &FakeAzure, rule: &str) -> (Resp, u32) {
    let accepted = post(&health_url(a, rule));
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    let location = accepted.header("location").unwrap().to_string();
    let mut pending = 0;
    loop {
        let r = get(&location);
        if r.status != 202 {
            return (r, pending);
        }
        pending += 1;
        assert!(pending < 50, "never finished");
    }
}

#[test]
fn health_goes_202_then_pending_polls_then_200() {
    let a = FakeAzure::start(Options::default());
    let accepted = post(&health_url(&a, "rule-http"));
    assert_eq!(accepted.status, 202);
    assert!(accepted.body.is_empty());
    assert_eq!(accepted.header("retry-after"), Some("1"));
    let location = accepted.header("location").unwrap().to_string();
    let prefix = format!(
        "{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/",
        a.arm_url()
    );
    assert!(location.starts_with(&prefix), "{location}");
    assert!(
        location.ends_with(&format!("?api-version={NETWORK_API}")),
        "{location}"
    );
    assert_eq!(accepted.header("access-control-allow-origin"), Some("*"));
    assert!(accepted.exposed().contains(&"location".to_string()));
    assert_eq!(accepted.header("x-ms-request-id").unwrap().len(), 36);
    assert!(accepted.header("x-ms-correlation-request-id").is_some());

    for _ in 0..2 {
        let r = get(&location);
        assert_eq!(r.status, 202);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert!(r.header("location").is_some());
    }
    let done = get(&location);
    assert_eq!(done.status, 200);
    let result: HealthResult = lb_health::arm::model::parse(&done.body).unwrap();
    let estate = a.estate();
    let rule = estate.rule(&web_rule("rule-http")).unwrap();
    assert_eq!(result, estate.health(rule, 0));

    // The next check moves the flapping backend on.
    let (second, _) = run_health(&a, "rule-http");
    assert_eq!(
        lb_health::arm::model::parse::<HealthResult>(&second.body).unwrap(),
        estate.health(rule, 1)
    );
    assert_ne!(estate.health(rule, 0), estate.health(rule, 1));
}

#[test]
fn request_ids_are_unique_and_correlation_is_echoed() {
    let a = FakeAzure::start(Options::default());
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    let one = get(&url);
    let two = send("GET", &url, &[AUTH, ("x-ms-correlation-request-id", "abc")]);
    assert_ne!(one.header("x-ms-request-id"), two.header("x-ms-request-id"));
    assert_eq!(two.header("x-ms-correlation-request-id"), Some("abc"));
}

#[test]
fn options_change_pending_polls_and_retry_after() {
    let a = FakeAzure::start(Options {
        pending_polls: 0,
        retry_after: None,
        ..Options::default()
    });
    let accepted = post(&health_url(&a, "rule-https"));
    assert_eq!(accepted.header("retry-after"), None);
    let (done, pending) = run_health(&a, "rule-https");
    assert_eq!((done.status, pending), (200, 0));
}

#[test]
fn pending_for_keeps_an_operation_running_for_a_time_not_a_number_of_polls() {
    let a = FakeAzure::start(Options {
        pending_polls: 0,
        pending_for: Some(std::time::Duration::from_secs(60)),
        ..Options::default()
    });
    let accepted = post(&health_url(&a, "rule-http"));
    let location = accepted.header("location").unwrap().to_string();
    for _ in 0..3 {
        assert_eq!(get(&location).status, 202, "polled before its time");
    }
    a.advance(std::time::Duration::from_secs(61));
    assert_eq!(get(&location).status, 200);
}

#[test]
fn subscriptions_list_the_estate() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!(
        "{}/subscriptions?api-version=2022-12-01",
        a.arm_url()
    ));
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let page: Page<Subscription> = lb_health::arm::model::parse(&r.body).unwrap();
    let ids: Vec<_> = page
        .value
        .iter()
        .map(|s| s.subscription_id.as_str())
        .collect();
    assert_eq!(ids, [PROD, STAGING]);
}

#[test]
fn missing_or_wrong_token_is_401() {
    let a = FakeAzure::start(Options::default());
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    let none = send("GET", &url, &[]);
    assert_eq!(
        (none.status, none.code().as_str()),
        (401, "AuthenticationFailed")
    );
    assert_eq!(none.header("access-control-allow-origin"), Some("*"));
    assert!(none
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer "));
    let wrong = send("GET", &url, &[("Authorization", "Bearer nope")]);
    assert_eq!(
        (wrong.status, wrong.code().as_str()),
        (401, "InvalidAuthenticationToken")
    );
    assert_eq!(get(&url).status, 200);
    let default = format!("Bearer {DEFAULT_TOKEN}");
    assert_eq!(
        send("GET", &url, &[("Authorization", &default)]).status,
        200,
        "a new server takes DEFAULT_TOKEN"
    );
    a.set_token("fresh");
    assert_eq!(
        send("GET", &url, &[("Authorization", &default)]).status,
        401,
        "set_token replaces it"
    );
    assert_eq!(
        send("GET", &url, &[("Authorization", "Bearer fresh")]).status,
        200
    );
}

#[test]
fn preflight_answers_cors_without_token_and_is_logged() {
    let a = FakeAzure::start(Options::default());
    let r = send(
        "OPTIONS",
        &health_url(&a, "rule-http"),
        &[
            ("Origin", "http://127.0.0.1:9"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization,content-type")
    );
    assert_eq!(r.header("access-control-max-age"), Some("3600"));
    let log = a.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].listener, Listener::Arm);
    assert_eq!(log[0].method, "OPTIONS");
    assert_eq!(log[0].origin.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(log[0].authorization, None);
    assert!(log[0]
        .path_and_query
        .ends_with(&format!("/health?api-version={NETWORK_API}")));
    // Even under a fault that fails every ARM request, preflights pass.
    a.set_fault(Fault::Unauthorized);
    assert_eq!(
        send("OPTIONS", &health_url(&a, "rule-http"), &[]).status,
        204
    );
}

#[test]
fn load_balancers_are_paged_with_absolute_next_links() {
    let a = FakeAzure::start(Options {
        large_rule: Some(5),
        ..Options::default()
    });
    let first = get(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url()));
    let page: Page<LoadBalancer> = lb_health::arm::model::parse(&first.body).unwrap();
    assert_eq!(page.value.len(), 3);
    let next = page.next_link.unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/subscriptions/{PROD}/providers/Microsoft.Network/loadBalancers?",
            a.arm_url()
        )),
        "{next}"
    );
    assert!(
        next.contains("$skiptoken=") && next.contains(&format!("api-version={NETWORK_API}")),
        "{next}"
    );
    let second: Page<LoadBalancer> = lb_health::arm::model::parse(&get(&next).body).unwrap();
    assert_eq!(second.value.len(), 1);
    assert!(second.next_link.is_none());
    let scale = &second.value[0];
    assert_eq!(scale.name, "lb-scale");
    // The large rule answers with its n backends.
    let (done, _) = run_health_on(
        &a,
        &format!(
            "{}/loadBalancingRules/rule-scale",
            lb_id(PROD, "rg-scale", "lb-scale")
        ),
    );
    assert_eq!(
        lb_health::arm::model::parse::<HealthResult>(&done.body)
            .unwrap()
            .load_balancer_backend_addresses
            .len(),
        5
    );

    let staging: Page<LoadBalancer> =
        lb_health::arm::model::parse(&get(&format!("{}/subscriptions/{STAGING}/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url())).body)
            .unwrap();
    assert_eq!(staging.value.len(), 3);
    assert!(staging.next_link.is_none());
    let unknown = get(&format!("{}/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url()));
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "SubscriptionNotFound")
    );
}

fn run_health_on(a: &FakeAzure, rule_id: &str) -> (Resp, u32) {
    let accepted = post(&format!(
        "{}{rule_id}/health?api-version={NETWORK_API}",
        a.arm_url()
    ));
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    let location = accepted.header("location").unwrap().to_string();
    let mut pending = 0;
    loop {
        let r = get(&location);
        if r.status != 202 {
            return (r, pending);
        }
        pending += 1;
    }
}

#[test]
fn load_balancer_get_and_case_insensitive_paths() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!(
        "{}{}?api-version={NETWORK_API}",
        a.arm_url(),
        lb_id(PROD, "rg-web", "lb-web")
    ));
    assert_eq!(r.status, 200);
    let lb: LoadBalancer = lb_health::arm::model::parse(&r.body).unwrap();
    assert_eq!(lb.properties.load_balancing_rules.len(), 3);
    let upper = get(&format!(
        "{}{}?API-VERSION={NETWORK_API}",
        a.arm_url(),
        lb_id(PROD, "RG-WEB", "LB-WEB").to_uppercase()
    ));
    assert_eq!(upper.status, 200);
    assert_eq!(
        lb_health::arm::model::parse::<LoadBalancer>(&upper.body)
            .unwrap()
            .id,
        lb.id
    );
    let rule = web_rule("rule-http").replace("loadBalancingRules", "LOADBALANCINGRULES");
    let (done, _) = run_health_on(&a, &rule);
    assert_eq!(done.status, 200);
    let gone = get(&format!(
        "{}{}?api-version={NETWORK_API}",
        a.arm_url(),
        lb_id(PROD, "rg-web", "lb-gone")
    ));
    assert_eq!(
        (gone.status, gone.code().as_str()),
        (404, "ResourceNotFound")
    );
}

#[test]
fn missing_api_version_is_400_and_unknown_route_is_404() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!("{}/subscriptions", a.arm_url()));
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MissingApiVersionParameter")
    );
    let r = get(&format!(
        "{}/providers/Microsoft.Nope/things?api-version=1",
        a.arm_url()
    ));
    assert_eq!(r.status, 404);
    assert!(!r.code().is_empty());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r.exposed().contains(&"x-ms-request-id".to_string()));
}

#[test]
fn gateway_and_unprobed_rules_answer_400() {
    let a = FakeAzure::start(Options::default());
    let gw = post(&format!(
        "{}{}/loadBalancingRules/rule-nva/health?api-version={NETWORK_API}",
        a.arm_url(),
        lb_id(STAGING, "rg-nva", "lb-gateway")
    ));
    assert_eq!(
        (gw.status, gw.code().as_str()),
        (400, "HealthStatusNotSupportedForGatewayLoadBalancer")
    );
    let dns = post(&health_url(&a, "rule-dns"));
    assert_eq!(
        (dns.status, dns.code().as_str()),
        (400, "HealthStatusNotSupportedForNonProbedRule")
    );
    let missing = post(&health_url(&a, "rule-missing"));
    assert_eq!(missing.status, 404);
    let op = get(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/nope?api-version={NETWORK_API}", a.arm_url()));
    assert_eq!(op.status, 404);
}

#[test]
fn fault_unauthorized_expires_every_arm_request() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Unauthorized);
    let r = get(&format!(
        "{}/subscriptions?api-version=2022-12-01",
        a.arm_url()
    ));
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "ExpiredAuthenticationToken")
    );
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(post(&health_url(&a, "rule-http")).status, 401);
    a.set_fault(Fault::None);
    assert_eq!(
        get(&format!(
            "{}/subscriptions?api-version=2022-12-01",
            a.arm_url()
        ))
        .status,
        200
    );
}

#[test]
fn fault_forbidden_names_the_health_action() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Forbidden);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!((r.status, r.code().as_str()), (403, "AuthorizationFailed"));
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("'Microsoft.Network/loadBalancers/loadBalancingRules/health/action'"),
        "{msg}"
    );
    assert!(msg.contains(&web_rule("rule-http")), "{msg}");
    assert_eq!(
        get(&format!(
            "{}{}?api-version={NETWORK_API}",
            a.arm_url(),
            lb_id(PROD, "rg-web", "lb-web")
        ))
        .status,
        200
    );
}

#[test]
fn fault_not_found_on_load_balancer_get() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::NotFound);
    let r = get(&format!(
        "{}{}?api-version={NETWORK_API}",
        a.arm_url(),
        lb_id(PROD, "rg-web", "lb-web")
    ));
    assert_eq!((r.status, r.code().as_str()), (404, "ResourceNotFound"));
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("lb-web"));
}

#[test]
fn fault_throttle_then_normal() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Throttle {
        times: 2,
        retry_after: 7,
    });
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    for _ in 0..2 {
        let r = get(&url);
        assert_eq!((r.status, r.code().as_str()), (429, "TooManyRequests"));
        assert_eq!(r.header("retry-after"), Some("7"));
        assert!(r.exposed().contains(&"retry-after".to_string()));
    }
    assert_eq!(get(&url).status, 200);
}

#[test]
fn a_fault_aimed_at_one_rule_meets_only_that_rules_check() {
    let a = FakeAzure::start(Options {
        pending_polls: 1,
        ..Options::default()
    });
    a.set_fault_on(
        Target::path("/loadBalancingRules/rule-http/health"),
        Fault::ServerError {
            times: 2,
            status: 503,
        },
    );
    let subs = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    assert_eq!(get(&subs).status, 200, "another operation");
    let (done, _) = run_health(&a, "rule-https");
    assert_eq!(done.status, 200, "rule-https is not rule-http");
    assert_eq!(post(&health_url(&a, "rule-http")).status, 503);
    assert_eq!(
        get(&subs).status,
        200,
        "the other requests did not use up the fault"
    );
    assert_eq!(post(&health_url(&a, "rule-http")).status, 503);
    assert_eq!(
        post(&health_url(&a, "rule-http")).status,
        202,
        "two times, then normal"
    );

    // A poll counts as its rule's: aimed at rule-http's polls, a 429 meets them and not
    // rule-https's.
    a.set_fault_on(
        Target::path("/loadBalancingRules/rule-http/health").and(Operation::HealthPoll),
        Fault::Throttle {
            times: 1,
            retry_after: 4,
        },
    );
    let http = post(&health_url(&a, "rule-http"));
    let https = post(&health_url(&a, "rule-https"));
    assert_eq!(
        (http.status, https.status),
        (202, 202),
        "the POSTs are not polls"
    );
    assert_eq!(get(https.header("location").unwrap()).status, 202);
    let throttled = get(http.header("location").unwrap());
    assert_eq!(
        (throttled.status, throttled.header("retry-after")),
        (429, Some("4"))
    );
    assert_eq!(get(http.header("location").unwrap()).status, 202);
}

#[test]
fn the_log_is_timed_on_the_fake_clock() {
    let a = FakeAzure::start(Options::default());
    let subs = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    get(&subs);
    let first = a.requests()[0].at;
    a.advance(Duration::from_secs(60));
    get(&subs);
    let second = a.requests()[1].at;
    assert!(
        second >= first + Duration::from_secs(60),
        "{first:?} then {second:?}"
    );
    assert!(a.now() >= second);
    // A watch reports what arrives during it, and nothing from before.
    let b = std::thread::spawn({
        let url = subs.clone();
        move || {
            std::thread::sleep(Duration::from_millis(100));
            get(&url).status
        }
    });
    let seen = a.watch(Duration::from_millis(600), |r| r.method == "GET");
    assert_eq!(b.join().unwrap(), 200);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(a.watch(Duration::from_millis(100), |_| true).is_empty());
    assert!(a.wait_quiet(Duration::from_millis(50), Duration::from_secs(5), |_| true));
}

#[test]
fn fault_server_error_then_normal() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::ServerError {
        times: 1,
        status: 503,
    });
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    let r = get(&url);
    assert_eq!((r.status, r.code().as_str()), (503, "ServiceUnavailable"));
    assert_eq!(get(&url).status, 200);
    a.set_fault(Fault::ServerError {
        times: 1,
        status: 500,
    });
    assert_eq!(get(&url).status, 500);
    assert_eq!(get(&url).status, 200);
}

#[test]
fn fault_hang_blocks_only_the_health_post_and_not_drop() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Hang);
    let url = health_url(&a, "rule-http");
    let hung = std::thread::spawn(move || try_send("POST", &url, &[AUTH], Duration::from_secs(30)));
    let started = Instant::now();
    while !a.requests().iter().any(|r| r.method == "POST") {
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        get(&format!(
            "{}/subscriptions?api-version=2022-12-01",
            a.arm_url()
        ))
        .status,
        200
    );
    assert!(try_send(
        "POST",
        &health_url(&a, "rule-http"),
        &[AUTH],
        Duration::from_millis(300)
    )
    .is_none());
    let dropping = Instant::now();
    drop(a);
    assert!(dropping.elapsed() < Duration::from_secs(2));
    // The hanging connection is closed, not answered.
    let answer = hung.join().unwrap();
    assert!(answer.is_none());
}

#[test]
fn fault_slow_delays_answers() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Slow { ms: 300 });
    let t = Instant::now();
    assert_eq!(
        get(&format!(
            "{}/subscriptions?api-version=2022-12-01",
            a.arm_url()
        ))
        .status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[test]
fn fault_malformed_json_truncates_the_result() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::MalformedJson);
    let (done, pending) = run_health(&a, "rule-http");
    assert_eq!((done.status, pending), (200, 2));
    assert_eq!(done.body, "{\"up\": 1, \"loadBal");
    assert!(serde_json::from_str::<Value>(&done.body).is_err());
}

#[test]
fn fault_html_error_page_on_health_post() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::HtmlErrorPage);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!(r.status, 502);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.body.starts_with("<!DOCTYPE html><html>") && r.body.contains("Bad gateway"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn fault_odd_reasons_result() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::OddReasons);
    let (done, _) = run_health(&a, "rule-http");
    let v = done.json();
    let rows = v["loadBalancerBackendAddresses"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["reason"] == "Up_Probe_SomethingNew"));
    assert!(rows.iter().any(|r| r["state"] == "" && r["reason"] == ""));
    assert!(rows.iter().any(|r| r.get("state").is_none()));
    assert!(rows
        .iter()
        .any(|r| r["reason"].is_null() && r.get("reason").is_some()));
    assert!(v.get("down").is_none());
    // The app's lenient model still reads every row.
    let parsed: HealthResult = lb_health::arm::model::parse(&done.body).unwrap();
    assert_eq!(parsed.load_balancer_backend_addresses.len(), rows.len());
}

#[test]
fn fault_foreign_location_points_at_the_other_listener() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::ForeignLocation);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!(r.status, 202);
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with(&format!(
        "{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/",
        a.foreign_url()
    )));
    assert_ne!(a.foreign_url(), a.arm_url());
    a.clear_log();
    let f = send("GET", &location, &[("Origin", "http://app")]);
    assert_eq!((f.status, f.body.as_str()), (200, "{}"));
    assert_eq!(f.header("access-control-allow-origin"), Some("*"));
    assert_eq!(send("OPTIONS", &location, &[]).status, 204);
    let log = a.requests();
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|l| l.listener == Listener::Foreign && l.authorization.is_none()));
    assert_eq!(log[0].origin.as_deref(), Some("http://app"));
}

#[test]
fn fault_hidden_location_and_hidden_retry_after() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::HiddenLocation);
    let r = post(&health_url(&a, "rule-http"));
    assert!(r.header("location").is_some());
    assert!(!r.exposed().contains(&"location".to_string()));
    assert!(r.exposed().contains(&"retry-after".to_string()));
    a.set_fault(Fault::HiddenRetryAfter);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(!r.exposed().contains(&"retry-after".to_string()));
    assert!(r.exposed().contains(&"location".to_string()));
    a.set_fault(Fault::None);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!(
        r.exposed(),
        [
            "location",
            "retry-after",
            "x-ms-request-id",
            "x-ms-correlation-request-id"
        ]
    );
}

#[test]
fn fault_empty_body_200() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::EmptyBody200);
    let (done, _) = run_health(&a, "rule-http");
    assert_eq!(done.status, 200);
    assert!(done.body.is_empty());
}

#[test]
fn fault_never_finishes() {
    let a = FakeAzure::start(Options::default());
    let location = post(&health_url(&a, "rule-http"))
        .header("location")
        .unwrap()
        .to_string();
    a.set_fault(Fault::NeverFinishes);
    for _ in 0..6 {
        let r = get(&location);
        assert_eq!(r.status, 202);
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    a.set_fault(Fault::None);
    assert_eq!(get(&location).status, 200);
}

#[test]
fn log_records_both_listeners_in_order_and_clears() {
    let a = FakeAzure::start(Options::default());
    get(&format!(
        "{}/subscriptions?api-version=2022-12-01",
        a.arm_url()
    ));
    send(
        "POST",
        &format!("{}/anything?x=1", a.foreign_url()),
        &[("Authorization", "Bearer leaked")],
    );
    let log = a.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].listener,
            log[0].method.as_str(),
            log[0].path_and_query.as_str()
        ),
        (
            Listener::Arm,
            "GET",
            "/subscriptions?api-version=2022-12-01"
        )
    );
    assert_eq!(log[0].authorization.as_deref(), Some("Bearer test-token"));
    assert_eq!(
        (log[1].listener, log[1].path_and_query.as_str()),
        (Listener::Foreign, "/anything?x=1")
    );
    assert_eq!(log[1].authorization.as_deref(), Some("Bearer leaked"));
    a.clear_log();
    assert!(a.requests().is_empty());
}

#[test]
fn drop_stops_both_listeners() {
    let a = FakeAzure::start(Options::default());
    let (arm, foreign) = (a.arm_url(), a.foreign_url());
    // An idle keep-alive connection must not keep the server alive either.
    let idle = TcpStream::connect(arm.trim_start_matches("http://")).unwrap();
    let t = Instant::now();
    drop(a);
    assert!(t.elapsed() < Duration::from_secs(2));
    for url in [arm, foreign] {
        assert!(
            TcpStream::connect(url.trim_start_matches("http://")).is_err(),
            "{url} still accepts"
        );
    }
    drop(idle);
}

// ---- The fake Entra ID (login listener) and ARM's view of the tokens it issues ----

/// RFC 7636 appendix B: a verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const APP: &str = "http://127.0.0.1:8080/";
const SCOPE: &str = "https://management.azure.com/user_impersonation offline_access openid profile";

fn query(pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

/// The app's authorize request, with `changes` replacing (or, with "", removing) parameters.
fn authorize(a: &FakeAzure, tenant: &str, changes: &[(&str, &str)]) -> Resp {
    let mut pairs = vec![
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", APP),
        ("scope", SCOPE),
        ("state", "st-1 &x"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("prompt", "select_account"),
    ];
    for (k, v) in changes {
        pairs.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    send(
        "GET",
        &format!(
            "{}/{tenant}/oauth2/v2.0/authorize?{}",
            a.login_url(),
            query(&pairs)
        ),
        &[],
    )
}

/// The parameters the browser is sent back with: everything after `{APP}?`.
fn redirected(r: &Resp) -> Vec<(String, String)> {
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.header("location").unwrap();
    let q = location
        .strip_prefix(&format!("{APP}?"))
        .unwrap_or_else(|| panic!("not back to the app: {location}"));
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn code_for(a: &FakeAzure, tenant: &str) -> String {
    param(&redirected(&authorize(a, tenant, &[])), "code").expect("a code")
}

fn token_request(
    a: &FakeAzure,
    tenant: &str,
    pairs: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Resp {
    let mut all = vec![(
        "Content-Type",
        "application/x-www-form-urlencoded;charset=utf-8",
    )];
    all.extend_from_slice(headers);
    let url = format!("{}/{tenant}/oauth2/v2.0/token", a.login_url());
    try_send_body("POST", &url, &all, &query(pairs), Duration::from_secs(10)).expect("token answer")
}

fn redeem(a: &FakeAzure, code: &str, verifier: &str, redirect_uri: &str) -> Resp {
    let pairs = [
        ("client_id", CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
        ("scope", SCOPE),
    ];
    token_request(a, "organizations", &pairs, &[])
}

fn refresh(a: &FakeAzure, tenant: &str, refresh_token: &str) -> Resp {
    let pairs = [
        ("client_id", CLIENT_ID),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("scope", SCOPE),
    ];
    token_request(a, tenant, &pairs, &[])
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn oauth_error(r: &Resp) -> (u16, String, u64) {
    let v = r.json();
    (
        r.status,
        v["error"].as_str().unwrap_or_default().into(),
        v["error_codes"][0].as_u64().unwrap_or_default(),
    )
}

fn arm_get_with(a: &FakeAzure, token: &str) -> Resp {
    send(
        "GET",
        &format!("{}/subscriptions?api-version=2022-12-01", a.arm_url()),
        &[("Authorization", &format!("Bearer {token}"))],
    )
}

#[test]
fn authorize_redirects_back_with_a_code_and_the_state() {
    let a = FakeAzure::start(Options::default());
    assert!(a.login_url().starts_with("http://127.0.0.1:") && !a.login_url().ends_with('/'));
    assert_ne!(a.login_url(), a.arm_url());
    let r = authorize(&a, "organizations", &[]);
    let back = redirected(&r);
    let keys: Vec<&str> = back.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["code", "state", "session_state"]);
    assert_eq!(param(&back, "state").as_deref(), Some("st-1 &x"));
    assert!(param(&back, "code").unwrap().len() > 100);
    let log = a.requests();
    assert_eq!(
        (log[0].listener, log[0].method.as_str()),
        (Listener::Login, "GET")
    );
    assert!(log[0]
        .path_and_query
        .starts_with("/organizations/oauth2/v2.0/authorize?client_id="));
    // Tenant ids and domains work too; codes are never reused.
    assert_ne!(
        code_for(&a, CONTOSO.id),
        code_for(&a, "fabrikam.onmicrosoft.com")
    );
}

#[test]
fn authorize_shows_its_own_page_for_an_unknown_client_or_redirect_uri() {
    let a = FakeAzure::start(Options::default());
    let r = authorize(
        &a,
        "organizations",
        &[("client_id", "00000000-0000-0000-0000-000000000000")],
    );
    assert_eq!(r.status, 400);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(
        r.body.contains("AADSTS700016") && r.header("location").is_none(),
        "{}",
        r.body
    );

    // With nothing registered, only loopback URIs pass.
    let r = authorize(
        &a,
        "organizations",
        &[("redirect_uri", "https://evil.example/")],
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("AADSTS50011"), "{}", r.body);
    a.set_redirect_uris(&["http://127.0.0.1:8080/app/"]);
    let r = authorize(&a, "organizations", &[]);
    assert!(
        r.status == 400
            && r.body.contains("AADSTS50011")
            && r.body.contains("http://127.0.0.1:8080/"),
        "{}",
        r.body
    );
    let r = authorize(
        &a,
        "organizations",
        &[("redirect_uri", "http://127.0.0.1:8080/app/")],
    );
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .unwrap()
        .starts_with("http://127.0.0.1:8080/app/?code="));

    let r = authorize(
        &a,
        "nowhere.onmicrosoft.com",
        &[("redirect_uri", "http://127.0.0.1:8080/app/")],
    );
    assert!(
        r.status == 400 && r.body.contains("AADSTS90002"),
        "{}",
        r.body
    );
}

#[test]
fn authorize_without_pkce_or_with_another_response_type_redirects_invalid_request() {
    let a = FakeAzure::start(Options::default());
    for change in [
        ("code_challenge", ""),
        ("code_challenge_method", "plain"),
        ("code_challenge_method", ""),
        ("response_type", "token"),
    ] {
        let back = redirected(&authorize(&a, "organizations", &[change]));
        assert_eq!(
            param(&back, "error").as_deref(),
            Some("invalid_request"),
            "{change:?}"
        );
        assert_eq!(param(&back, "state").as_deref(), Some("st-1 &x"));
        assert!(param(&back, "code").is_none());
    }
}

#[test]
fn access_denied_redirects_with_the_consent_error() {
    let a = FakeAzure::start(Options::default());
    a.set_entra_fault(EntraFault::AccessDenied);
    let r = authorize(&a, "organizations", &[("state", "s1")]);
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location").unwrap(),
        format!("{APP}?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.&state=s1")
    );
}

#[test]
fn opener_policy_page_severs_the_opener_then_redirects() {
    let a = FakeAzure::start(Options::default());
    a.set_entra_fault(EntraFault::OpenerPolicy);
    let r = authorize(&a, "organizations", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cross-origin-opener-policy"), Some("same-origin"));
    let start = r.body.find("content=\"0;url=").expect("meta refresh") + "content=\"0;url=".len();
    let url = &r.body[start..start + r.body[start..].find('"').unwrap()];
    assert!(
        url.starts_with(&format!("{APP}?code=")) && url.contains("&amp;state=st-1+%26x"),
        "{url}"
    );
}

#[test]
fn code_exchange_with_the_right_verifier_issues_tokens() {
    let a = FakeAzure::start(Options::default());
    let code = code_for(&a, "organizations");
    let r = redeem(&a, &code, VERIFIER, APP);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("cache-control").map(|c| c.contains("no-store")),
        Some(true)
    );
    let v = r.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(
        v["scope"],
        "https://management.azure.com/user_impersonation"
    );
    assert_eq!(
        (v["expires_in"].as_u64(), v["ext_expires_in"].as_u64()),
        (Some(3600), Some(3600))
    );
    assert!(v["refresh_token"].as_str().unwrap().len() > 200);
    let at = claims(v["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], "https://management.azure.com");
    assert_eq!(
        at["iss"],
        format!("https://sts.windows.net/{}/", CONTOSO.id)
    );
    assert_eq!(
        (at["tid"].as_str(), at["upn"].as_str(), at["name"].as_str()),
        (Some(CONTOSO.id), Some("ana@contoso.com"), Some("Ana Lopez"))
    );
    assert_eq!(
        (at["scp"].as_str(), at["appid"].as_str(), at["ver"].as_str()),
        (Some("user_impersonation"), Some(CLIENT_ID), Some("1.0"))
    );
    assert_eq!(
        at["exp"].as_u64().unwrap() - at["iat"].as_u64().unwrap(),
        3600
    );
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(
                v["access_token"]
                    .as_str()
                    .unwrap()
                    .split('.')
                    .next()
                    .unwrap(),
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        header,
        serde_json::json!({ "typ": "JWT", "alg": "RS256", "kid": "fake-azure" })
    );
    let id = claims(v["id_token"].as_str().unwrap());
    assert_eq!(
        (
            id["aud"].as_str(),
            id["preferred_username"].as_str(),
            id["ver"].as_str()
        ),
        (Some(CLIENT_ID), Some("ana@contoso.com"), Some("2.0"))
    );
    assert_eq!(
        id["iss"],
        format!("https://login.microsoftonline.com/{}/v2.0", CONTOSO.id)
    );
    let grants = a.token_grants();
    assert_eq!(
        grants,
        [Grant {
            grant_type: "authorization_code".into(),
            client_id: CLIENT_ID.into(),
            redirect_uri: Some(APP.into()),
            tenant: "organizations".into(),
            pkce: Pkce::Verified,
            outcome: Ok(()),
            scope: Some(SCOPE.into()),
        }]
    );
}

#[test]
fn a_wrong_verifier_is_refused_like_entra() {
    let a = FakeAzure::start(Options::default());
    let code = code_for(&a, "organizations");
    let r = redeem(&a, &code, &VERIFIER.replace('d', "e"), APP);
    assert_eq!(oauth_error(&r), (400, "invalid_grant".into(), 50148));
    let v = r.json();
    let description = v["error_description"].as_str().unwrap();
    assert!(description.starts_with("AADSTS50148: "), "{description}");
    for part in ["Trace ID: ", "Correlation ID: ", "Timestamp: "] {
        assert!(description.contains(part), "{description}");
    }
    assert_eq!(v["trace_id"].as_str().unwrap().len(), 36);
    assert_eq!(a.token_grants()[0].pkce, Pkce::Mismatch);
    assert_eq!(a.token_grants()[0].outcome, Err("invalid_grant".into()));
    // A missing verifier is its own verdict.
    let r = token_request(
        &a,
        "organizations",
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", APP),
        ],
        &[],
    );
    assert_eq!(oauth_error(&r).2, 501481);
    assert_eq!(a.token_grants()[1].pkce, Pkce::Missing);
    // The failed attempts did not use the code up.
    assert_eq!(redeem(&a, &code, VERIFIER, APP).status, 200);
}

#[test]
fn codes_are_single_use_and_expire_after_ten_minutes() {
    let a = FakeAzure::start(Options::default());
    let code = code_for(&a, "organizations");
    assert_eq!(redeem(&a, &code, VERIFIER, APP).status, 200);
    assert_eq!(
        oauth_error(&redeem(&a, &code, VERIFIER, APP)),
        (400, "invalid_grant".into(), 54005)
    );
    assert_eq!(
        oauth_error(&redeem(&a, "not-a-code", VERIFIER, APP)),
        (400, "invalid_grant".into(), 9002313)
    );
    assert_eq!(a.token_grants()[2].pkce, Pkce::Mismatch);
    let late = code_for(&a, "organizations");
    a.advance(Duration::from_secs(601));
    assert_eq!(
        oauth_error(&redeem(&a, &late, VERIFIER, APP)),
        (400, "invalid_grant".into(), 70008)
    );
}

#[test]
fn the_redirect_uri_must_match_the_authorize_one() {
    let a = FakeAzure::start(Options::default());
    let code = code_for(&a, "organizations");
    let r = redeem(&a, &code, VERIFIER, "http://127.0.0.1:8080/other");
    assert_eq!(oauth_error(&r), (400, "invalid_grant".into(), 500112));
    assert_eq!(
        a.token_grants()[0].redirect_uri.as_deref(),
        Some("http://127.0.0.1:8080/other")
    );
    let r = token_request(
        &a,
        "organizations",
        &[
            ("client_id", "someone-else"),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
        &[],
    );
    assert_eq!(oauth_error(&r), (400, "unauthorized_client".into(), 700016));
    let r = token_request(
        &a,
        "organizations",
        &[("client_id", CLIENT_ID), ("grant_type", "password")],
        &[],
    );
    assert_eq!(r.json()["error"], "unsupported_grant_type");
}

#[test]
fn refresh_rotates_and_the_refresh_fault_fails_it() {
    let a = FakeAzure::start(Options::default());
    let first = redeem(&a, &code_for(&a, "organizations"), VERIFIER, APP).json();
    let old = first["refresh_token"].as_str().unwrap().to_string();
    let r = refresh(&a, "organizations", &old);
    assert_eq!(r.status, 200, "{}", r.body);
    let renewed = r.json();
    let new = renewed["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_ne!(renewed["access_token"], first["access_token"]);
    // The old refresh token stays valid, as Entra's do; refreshing into the other
    // directory issues a token for it.
    let fabrikam = refresh(&a, FABRIKAM.id, &old);
    assert_eq!(
        claims(fabrikam.json()["access_token"].as_str().unwrap())["tid"],
        FABRIKAM.id
    );
    let g = &a.token_grants()[1];
    assert_eq!(
        (
            g.grant_type.as_str(),
            g.pkce,
            g.outcome.clone(),
            g.redirect_uri.clone()
        ),
        ("refresh_token", Pkce::NotApplicable, Ok(()), None)
    );

    a.set_entra_fault(EntraFault::RefreshFails);
    let r = refresh(&a, "organizations", new);
    assert_eq!(oauth_error(&r), (400, "invalid_grant".into(), 700082));
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired due to inactivity"));
    assert_eq!(
        a.token_grants().last().unwrap().outcome,
        Err("invalid_grant".into())
    );
    a.set_entra_fault(EntraFault::None);
    assert_eq!(
        oauth_error(&refresh(&a, "organizations", "nope")),
        (400, "invalid_grant".into(), 9002313)
    );
    // SPA refresh tokens die 24 hours after sign-in, rotation or not.
    a.advance(Duration::from_secs(24 * 3600));
    assert_eq!(oauth_error(&refresh(&a, "organizations", new)).2, 700084);
}

#[test]
fn arm_accepts_issued_tokens_until_they_expire_on_the_fake_clock() {
    let a = FakeAzure::start(Options::default());
    a.set_token_lifetime(Duration::from_secs(300));
    let v = redeem(&a, &code_for(&a, "organizations"), VERIFIER, APP).json();
    assert_eq!(v["expires_in"], 300);
    let token = v["access_token"].as_str().unwrap();
    assert_eq!(arm_get_with(&a, token).status, 200);
    assert_eq!(arm_get_with(&a, DEFAULT_TOKEN).status, 200);
    a.advance(Duration::from_secs(301));
    let r = arm_get_with(&a, token);
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "ExpiredAuthenticationToken")
    );
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("error=\"invalid_token\""));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // A token Entra never issued is invalid, not expired; the fixed token never expires.
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        arm_get_with(&a, &forged).code(),
        "InvalidAuthenticationToken"
    );
    assert_eq!(arm_get_with(&a, DEFAULT_TOKEN).status, 200);
    // Refreshing after expiry issues a token on the moved clock.
    let renewed = refresh(&a, "organizations", v["refresh_token"].as_str().unwrap()).json();
    assert_eq!(
        arm_get_with(&a, renewed["access_token"].as_str().unwrap()).status,
        200
    );
}

#[test]
fn the_audience_follows_the_cloud_in_the_scope() {
    let a = FakeAzure::start(Options::default());
    let gov = "https://management.usgovcloudapi.net/user_impersonation offline_access openid";
    let code = param(
        &redirected(&authorize(&a, "organizations", &[("scope", gov)])),
        "code",
    )
    .unwrap();
    let v = redeem(&a, &code, VERIFIER, APP).json();
    assert_eq!(
        claims(v["access_token"].as_str().unwrap())["aud"],
        "https://management.usgovcloudapi.net"
    );
    assert_eq!(
        v["scope"],
        "https://management.usgovcloudapi.net/user_impersonation"
    );
}

#[test]
fn token_endpoint_cors_echoes_the_origin_and_answers_preflights() {
    let a = FakeAzure::start(Options::default());
    let url = format!("{}/organizations/oauth2/v2.0/token", a.login_url());
    let pre = send(
        "OPTIONS",
        &url,
        &[
            ("Origin", "http://127.0.0.1:8080"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-client-sku",
            ),
        ],
    );
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8080")
    );
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type")
            && allowed.contains("accept")
            && allowed.contains("x-client-sku"),
        "{allowed}"
    );
    assert_eq!(pre.header("vary"), Some("Origin"));

    let code = code_for(&a, "organizations");
    let pairs = [
        ("client_id", CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", APP),
        ("code_verifier", VERIFIER),
    ];
    let ok = token_request(
        &a,
        "organizations",
        &pairs,
        &[("Origin", "http://127.0.0.1:8080")],
    );
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8080")
    );
    // Errors are readable cross-origin too.
    let err = token_request(
        &a,
        "organizations",
        &pairs,
        &[("Origin", "http://localhost:3000")],
    );
    assert_eq!(
        (err.status, err.header("access-control-allow-origin")),
        (400, Some("http://localhost:3000"))
    );
    // Preflights are not grants.
    assert_eq!(a.token_grants().len(), 2);
}

#[test]
fn unknown_login_paths_are_404() {
    let a = FakeAzure::start(Options::default());
    assert_eq!(
        send(
            "GET",
            &format!("{}/organizations/oauth2/v2.0/devicecode", a.login_url()),
            &[]
        )
        .status,
        404
    );
    assert_eq!(send("GET", &format!("{}/", a.login_url()), &[]).status, 404);
    let r = send(
        "GET",
        &format!("{}/organizations/oauth2/v2.0/token", a.login_url()),
        &[],
    );
    assert_eq!(oauth_error(&r), (400, "invalid_request".into(), 900561));
}

#[test]
fn tenants_lists_both_directories() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!("{}/tenants?api-version=2022-12-01", a.arm_url()));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let v = r.json();
    let list = v["value"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], format!("/tenants/{}", CONTOSO.id));
    assert_eq!(
        (
            list[0]["tenantId"].as_str(),
            list[0]["displayName"].as_str()
        ),
        (Some(CONTOSO.id), Some("Contoso"))
    );
    assert_eq!(list[0]["defaultDomain"], "contoso.onmicrosoft.com");
    assert_eq!(list[0]["tenantCategory"], "Home");
    assert_eq!(
        (
            list[1]["tenantId"].as_str(),
            list[1]["defaultDomain"].as_str()
        ),
        (Some(FABRIKAM.id), Some("fabrikam.onmicrosoft.com"))
    );
    assert_eq!(
        list[1]["domains"],
        serde_json::json!(["fabrikam.onmicrosoft.com"])
    );
    assert_eq!(FakeAzure::tenants(), [CONTOSO, FABRIKAM]);
    assert_eq!(
        send(
            "GET",
            &format!("{}/tenants?api-version=2022-12-01", a.arm_url()),
            &[]
        )
        .status,
        401
    );
}
