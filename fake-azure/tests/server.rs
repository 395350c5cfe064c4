//! The fake server over real sockets, with a minimal HTTP/1.1 client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use fake_azure::{FakeAzure, Fault, Listener, Options, DEFAULT_TOKEN};
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
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }
    fn exposed(&self) -> Vec<String> {
        self.header("access-control-expose-headers").unwrap_or("").split(',').map(|s| s.trim().to_ascii_lowercase()).collect()
    }
}

/// Sends one request on a fresh connection (`Connection: close`); `None` on read timeout
/// or when the server closes the connection without answering.
fn try_send(method: &str, url: &str, headers: &[(&str, &str)], timeout: Duration) -> Option<Resp> {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 0\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() || raw.is_empty() {
        return None;
    }
    let text = String::from_utf8(raw).expect("utf-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("complete answer");
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Some(Resp { status, headers, body: body.to_string() })
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
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{lb}")
}

fn web_rule(rule: &str) -> String {
    format!("{}/loadBalancingRules/{rule}", lb_id(PROD, "rg-web", "lb-web"))
}

fn health_url(a: &FakeAzure, rule: &str) -> String {
    format!("{}{}/health?api-version={NETWORK_API}", a.arm_url(), web_rule(rule))
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
    let prefix = format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/", a.arm_url());
    assert!(location.starts_with(&prefix), "{location}");
    assert!(location.ends_with(&format!("?api-version={NETWORK_API}")), "{location}");
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
    let result: HealthResult = serde_json::from_str(&done.body).unwrap();
    let estate = a.estate();
    let rule = estate.rule(&web_rule("rule-http")).unwrap();
    assert_eq!(result, estate.health(rule, 0));

    // The next check moves the flapping backend on.
    let (second, _) = run_health(&a, "rule-http");
    assert_eq!(serde_json::from_str::<HealthResult>(&second.body).unwrap(), estate.health(rule, 1));
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
    let a = FakeAzure::start(Options { pending_polls: 0, retry_after: None, large_rule: None });
    let accepted = post(&health_url(&a, "rule-https"));
    assert_eq!(accepted.header("retry-after"), None);
    let (done, pending) = run_health(&a, "rule-https");
    assert_eq!((done.status, pending), (200, 0));
}

#[test]
fn subscriptions_list_the_estate() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url()));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    let page: Page<Subscription> = serde_json::from_str(&r.body).unwrap();
    let ids: Vec<_> = page.value.iter().map(|s| s.subscription_id.as_str()).collect();
    assert_eq!(ids, [PROD, STAGING]);
}

#[test]
fn missing_or_wrong_token_is_401() {
    let a = FakeAzure::start(Options::default());
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    let none = send("GET", &url, &[]);
    assert_eq!((none.status, none.code().as_str()), (401, "AuthenticationFailed"));
    assert_eq!(none.header("access-control-allow-origin"), Some("*"));
    assert!(none.header("www-authenticate").unwrap().starts_with("Bearer "));
    let wrong = send("GET", &url, &[("Authorization", "Bearer nope")]);
    assert_eq!((wrong.status, wrong.code().as_str()), (401, "InvalidAuthenticationToken"));
    assert_eq!(get(&url).status, 200);
    a.set_token("fresh");
    assert_eq!(get(&url).status, 401);
    assert_eq!(send("GET", &url, &[("Authorization", "Bearer fresh")]).status, 200);
    assert_eq!(DEFAULT_TOKEN, "test-token");
}

#[test]
fn preflight_answers_cors_without_token_and_is_logged() {
    let a = FakeAzure::start(Options::default());
    let r = send(
        "OPTIONS",
        &health_url(&a, "rule-http"),
        &[("Origin", "http://127.0.0.1:9"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")],
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD"));
    assert_eq!(r.header("access-control-allow-headers"), Some("authorization,content-type"));
    assert_eq!(r.header("access-control-max-age"), Some("3600"));
    let log = a.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].listener, Listener::Arm);
    assert_eq!(log[0].method, "OPTIONS");
    assert_eq!(log[0].origin.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(log[0].authorization, None);
    assert!(log[0].path_and_query.ends_with(&format!("/health?api-version={NETWORK_API}")));
    // Even under a fault that fails every ARM request, preflights pass.
    a.set_fault(Fault::Unauthorized);
    assert_eq!(send("OPTIONS", &health_url(&a, "rule-http"), &[]).status, 204);
}

#[test]
fn load_balancers_are_paged_with_absolute_next_links() {
    let a = FakeAzure::start(Options { large_rule: Some(5), ..Options::default() });
    let first = get(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url()));
    let page: Page<LoadBalancer> = serde_json::from_str(&first.body).unwrap();
    assert_eq!(page.value.len(), 3);
    let next = page.next_link.unwrap();
    assert!(next.starts_with(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/loadBalancers?", a.arm_url())), "{next}");
    assert!(next.contains("$skiptoken=") && next.contains(&format!("api-version={NETWORK_API}")), "{next}");
    let second: Page<LoadBalancer> = serde_json::from_str(&get(&next).body).unwrap();
    assert_eq!(second.value.len(), 1);
    assert!(second.next_link.is_none());
    let scale = &second.value[0];
    assert_eq!(scale.name, "lb-scale");
    // The large rule answers with its n backends.
    let (done, _) = run_health_on(&a, &format!("{}/loadBalancingRules/rule-scale", lb_id(PROD, "rg-scale", "lb-scale")));
    assert_eq!(serde_json::from_str::<HealthResult>(&done.body).unwrap().load_balancer_backend_addresses.len(), 5);

    let staging: Page<LoadBalancer> =
        serde_json::from_str(&get(&format!("{}/subscriptions/{STAGING}/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url())).body)
            .unwrap();
    assert_eq!(staging.value.len(), 3);
    assert!(staging.next_link.is_none());
    let unknown = get(&format!("{}/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}", a.arm_url()));
    assert_eq!((unknown.status, unknown.code().as_str()), (404, "SubscriptionNotFound"));
}

fn run_health_on(a: &FakeAzure, rule_id: &str) -> (Resp, u32) {
    let accepted = post(&format!("{}{rule_id}/health?api-version={NETWORK_API}", a.arm_url()));
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
    let r = get(&format!("{}{}?api-version={NETWORK_API}", a.arm_url(), lb_id(PROD, "rg-web", "lb-web")));
    assert_eq!(r.status, 200);
    let lb: LoadBalancer = serde_json::from_str(&r.body).unwrap();
    assert_eq!(lb.properties.load_balancing_rules.len(), 3);
    let upper = get(&format!("{}{}?API-VERSION={NETWORK_API}", a.arm_url(), lb_id(PROD, "RG-WEB", "LB-WEB").to_uppercase()));
    assert_eq!(upper.status, 200);
    assert_eq!(serde_json::from_str::<LoadBalancer>(&upper.body).unwrap().id, lb.id);
    let rule = web_rule("rule-http").replace("loadBalancingRules", "LOADBALANCINGRULES");
    let (done, _) = run_health_on(&a, &rule);
    assert_eq!(done.status, 200);
    let gone = get(&format!("{}{}?api-version={NETWORK_API}", a.arm_url(), lb_id(PROD, "rg-web", "lb-gone")));
    assert_eq!((gone.status, gone.code().as_str()), (404, "ResourceNotFound"));
}

#[test]
fn missing_api_version_is_400_and_unknown_route_is_404() {
    let a = FakeAzure::start(Options::default());
    let r = get(&format!("{}/subscriptions", a.arm_url()));
    assert_eq!((r.status, r.code().as_str()), (400, "MissingApiVersionParameter"));
    let r = get(&format!("{}/providers/Microsoft.Nope/things?api-version=1", a.arm_url()));
    assert_eq!(r.status, 404);
    assert!(!r.code().is_empty());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r.exposed().contains(&"x-ms-request-id".to_string()));
}

#[test]
fn gateway_and_unprobed_rules_answer_400() {
    let a = FakeAzure::start(Options::default());
    let gw = post(&format!("{}{}/loadBalancingRules/rule-nva/health?api-version={NETWORK_API}", a.arm_url(), lb_id(STAGING, "rg-nva", "lb-gateway")));
    assert_eq!((gw.status, gw.code().as_str()), (400, "HealthStatusNotSupportedForGatewayLoadBalancer"));
    let dns = post(&health_url(&a, "rule-dns"));
    assert_eq!((dns.status, dns.code().as_str()), (400, "HealthStatusNotSupportedForNonProbedRule"));
    let missing = post(&health_url(&a, "rule-missing"));
    assert_eq!(missing.status, 404);
    let op = get(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/nope?api-version={NETWORK_API}", a.arm_url()));
    assert_eq!(op.status, 404);
}

#[test]
fn fault_unauthorized_expires_every_arm_request() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Unauthorized);
    let r = get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url()));
    assert_eq!((r.status, r.code().as_str()), (401, "ExpiredAuthenticationToken"));
    assert!(r.header("www-authenticate").unwrap().contains("error=\"invalid_token\""));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(post(&health_url(&a, "rule-http")).status, 401);
    a.set_fault(Fault::None);
    assert_eq!(get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url())).status, 200);
}

#[test]
fn fault_forbidden_names_the_health_action() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Forbidden);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!((r.status, r.code().as_str()), (403, "AuthorizationFailed"));
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("'Microsoft.Network/loadBalancers/loadBalancingRules/health/action'"), "{msg}");
    assert!(msg.contains(&web_rule("rule-http")), "{msg}");
    assert_eq!(get(&format!("{}{}?api-version={NETWORK_API}", a.arm_url(), lb_id(PROD, "rg-web", "lb-web"))).status, 200);
}

#[test]
fn fault_not_found_on_load_balancer_get() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::NotFound);
    let r = get(&format!("{}{}?api-version={NETWORK_API}", a.arm_url(), lb_id(PROD, "rg-web", "lb-web")));
    assert_eq!((r.status, r.code().as_str()), (404, "ResourceNotFound"));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("lb-web"));
}

#[test]
fn fault_throttle_then_normal() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::Throttle { times: 2, retry_after: 7 });
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
fn fault_server_error_then_normal() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::ServerError { times: 1, status: 503 });
    let url = format!("{}/subscriptions?api-version=2022-12-01", a.arm_url());
    let r = get(&url);
    assert_eq!((r.status, r.code().as_str()), (503, "ServiceUnavailable"));
    assert_eq!(get(&url).status, 200);
    a.set_fault(Fault::ServerError { times: 1, status: 500 });
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
    assert_eq!(get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url())).status, 200);
    assert!(try_send("POST", &health_url(&a, "rule-http"), &[AUTH], Duration::from_millis(300)).is_none());
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
    assert_eq!(get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url())).status, 200);
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
    assert!(rows.iter().any(|r| r["reason"].is_null() && r.get("reason").is_some()));
    assert!(v.get("down").is_none());
    // The app's lenient model still reads every row.
    let parsed: HealthResult = serde_json::from_str(&done.body).unwrap();
    assert_eq!(parsed.load_balancer_backend_addresses.len(), rows.len());
}

#[test]
fn fault_foreign_location_points_at_the_other_listener() {
    let a = FakeAzure::start(Options::default());
    a.set_fault(Fault::ForeignLocation);
    let r = post(&health_url(&a, "rule-http"));
    assert_eq!(r.status, 202);
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with(&format!("{}/subscriptions/{PROD}/providers/Microsoft.Network/locations/eastus/operationResults/", a.foreign_url())));
    assert_ne!(a.foreign_url(), a.arm_url());
    a.clear_log();
    let f = send("GET", &location, &[("Origin", "http://app")]);
    assert_eq!((f.status, f.body.as_str()), (200, "{}"));
    assert_eq!(f.header("access-control-allow-origin"), Some("*"));
    assert_eq!(send("OPTIONS", &location, &[]).status, 204);
    let log = a.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|l| l.listener == Listener::Foreign && l.authorization.is_none()));
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
    assert_eq!(r.exposed(), ["location", "retry-after", "x-ms-request-id", "x-ms-correlation-request-id"]);
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
    let location = post(&health_url(&a, "rule-http")).header("location").unwrap().to_string();
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
    get(&format!("{}/subscriptions?api-version=2022-12-01", a.arm_url()));
    send("POST", &format!("{}/anything?x=1", a.foreign_url()), &[("Authorization", "Bearer leaked")]);
    let log = a.requests();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].listener, log[0].method.as_str(), log[0].path_and_query.as_str()), (Listener::Arm, "GET", "/subscriptions?api-version=2022-12-01"));
    assert_eq!(log[0].authorization.as_deref(), Some("Bearer test-token"));
    assert_eq!((log[1].listener, log[1].path_and_query.as_str()), (Listener::Foreign, "/anything?x=1"));
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
        assert!(TcpStream::connect(url.trim_start_matches("http://")).is_err(), "{url} still accepts");
    }
    drop(idle);
}
