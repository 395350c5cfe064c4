//! The app's metrics and Resource Graph clients against fake-azure over real HTTP: the
//! history the demo defines arrives intact, pages follow `$skipToken`, and each history
//! fault reaches the client as the error the panel words (while the health operation,
//! which the history faults leave alone, still answers).

use std::rc::Rc;
use std::time::{Duration, Instant};

use fake_azure::{FakeAzure, HistoryFault, HistoryTarget, Options};
use lb_health::arm::client::{ArmClient, Cancel};
use lb_health::arm::error::ErrorKind;
use lb_health::arm::graph::{list_load_balancers, EstateLoadBalancer, Listed};
use lb_health::arm::id::LoadBalancerId;
use lb_health::arm::metrics::{fetch, MetricsAnswer, MetricsQuery, Window, METRICS_READ};
use lb_health::demo::estate::PROD;
use lb_health::demo::metrics::{down_for_s, DEMO_NOW};
use lb_health::health::probe_history::{by_backend, Absent, Verdict};
use lb_health::http::cloud::{ArmBase, Cloud};
use lb_health::http::Token;
use lb_health::http::{
    Clock, LocalBoxFuture, Method, Request, Response, Transport, TransportError,
};

struct Http(ureq::Agent);

impl Transport for Http {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>> {
        Box::pin(async move {
            let mut builder = ureq::http::Request::builder()
                .method(req.method.as_str())
                .uri(&req.url);
            for (k, v) in &req.headers {
                builder = builder.header(k, v);
            }
            let b = |e: ureq::http::Error| TransportError::Network(e.to_string());
            let sent = match (req.method, req.body) {
                (_, Some(body)) => self.0.run(builder.body(body).map_err(b)?),
                (Method::Post, None) => self.0.run(builder.body(String::new()).map_err(b)?),
                (Method::Get, None) => self.0.run(builder.body(()).map_err(b)?),
            };
            let mut resp = sent.map_err(|e| TransportError::Network(e.to_string()))?;
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let body = resp
                .body_mut()
                .read_to_string()
                .map_err(|e| TransportError::Body(e.to_string()))?;
            Ok(Response {
                status: resp.status().as_u16(),
                headers,
                body,
            })
        })
    }
}

/// Waits pass at once: a 429's Retry-After is recorded and the clock moves on by it, so
/// the client's deadline still ends a throttling that never stops.
#[derive(Default)]
struct Instant0(std::cell::RefCell<Vec<u64>>);

impl Clock for Instant0 {
    fn now_ms(&self) -> f64 {
        self.0.borrow().iter().sum::<u64>() as f64
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()> {
        self.0.borrow_mut().push(ms);
        Box::pin(async {})
    }
}

fn client(azure: &FakeAzure) -> (ArmClient, Rc<Instant0>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let clock = Rc::new(Instant0::default());
    let c = ArmClient::new(
        Rc::new(Http(agent)),
        clock.clone(),
        ArmBase::parse(&azure.arm_url()).unwrap(),
        Cloud::Public,
    );
    c.set_token(Some(Token::new(fake_azure::DEFAULT_TOKEN)));
    (c, clock)
}

fn lb_web() -> LoadBalancerId {
    LoadBalancerId::parse(&format!("/subscriptions/{PROD}/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web")).unwrap()
}

#[allow(clippy::result_large_err)] // ArmError is the app's one error type
fn history(
    c: &ArmClient,
    q: &MetricsQuery,
) -> Result<MetricsAnswer, lb_health::arm::error::ArmError> {
    pollster::block_on(fetch(c, &lb_web(), q, &Cancel::default(), &|_| {}))
}

fn metrics_requests(azure: &FakeAzure) -> usize {
    azure
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path_and_query
                    .contains("/providers/Microsoft.Insights/metrics?")
        })
        .count()
}

#[test]
fn the_served_history_says_down_since_and_shows_the_flaps() {
    let azure = FakeAzure::start(Options::default());
    let (c, _) = client(&azure);
    let a = history(
        &c,
        &MetricsQuery::rule(80, 80, Some("20.1.2.3"), Window::Day, Some(DEMO_NOW)),
    )
    .unwrap();
    let backends = by_backend(&a, Window::Day);
    assert_eq!(backends.len(), 9);
    let estate = azure.estate();
    let rule = estate
        .rule(&format!("{}/loadBalancingRules/rule-http", lb_web().path()))
        .unwrap();
    let down = rule.backends.iter().find(|b| b.ip == "10.0.2.6").unwrap();
    let h = backends.iter().find(|b| b.key == "10.0.2.6").unwrap();
    assert_eq!(
        h.current().unwrap().since,
        Some(DEMO_NOW - down_for_s(down))
    );
    assert!(h.status(0).unwrap().starts_with("Down since "));
    assert!(
        backends
            .iter()
            .find(|b| b.key == "10.0.2.9")
            .unwrap()
            .changes()
            >= 30,
        "the flapping backend flaps"
    );
    let sent = azure
        .requests()
        .into_iter()
        .find(|r| r.path_and_query.contains("/metrics?"))
        .unwrap();
    assert!(
        sent.path_and_query.contains("top=1001"),
        "{}",
        sent.path_and_query
    );
    assert_eq!(sent.authorization.as_deref(), Some("Bearer test-token"));
}

#[test]
fn history_faults_reach_the_client_as_typed_errors_while_health_still_answers() {
    let azure = FakeAzure::start(Options {
        pending_polls: 0,
        ..Options::default()
    });
    let (c, clock) = client(&azure);
    let q = MetricsQuery::estate(Some(DEMO_NOW));

    azure.set_history_fault(HistoryTarget::Metrics, HistoryFault::Forbidden);
    let e = history(&c, &q).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Forbidden {
            action: Some(METRICS_READ.into())
        }
    );
    assert_eq!(Absent::from_error(&e), Absent::Forbidden);
    let rule = lb_web().rule("rule-http").unwrap();
    let health = pollster::block_on(c.rule_health(&rule, &Cancel::default(), &|_| {})).unwrap();
    assert_eq!(
        health.load_balancer_backend_addresses.len(),
        9,
        "the health check does not depend on metrics"
    );

    azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::Throttle {
            times: 1,
            retry_after: 7,
        },
    );
    let before = metrics_requests(&azure);
    assert!(history(&c, &q).is_ok());
    assert_eq!(metrics_requests(&azure) - before, 2, "one 429, one retry");
    assert!(
        clock.0.borrow().contains(&7000),
        "waited as told: {:?}",
        clock.0.borrow()
    );

    azure.set_history_fault(
        HistoryTarget::Metrics,
        HistoryFault::ServerError {
            times: 10,
            status: 500,
        },
    );
    let e = history(&c, &q).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(matches!(Absent::from_error(&e), Absent::Failed { .. }));

    azure.set_history_fault(HistoryTarget::Metrics, HistoryFault::Empty);
    let a = history(&c, &q).unwrap();
    assert!(a.series.is_empty());
    assert_eq!(Verdict::from_answer(&a), Verdict::NoData);

    azure.set_history_fault(HistoryTarget::Metrics, HistoryFault::Slow { ms: 400 });
    let t = Instant::now();
    assert!(history(&c, &q).is_ok());
    assert!(t.elapsed() >= Duration::from_millis(400));

    azure.set_history_fault(HistoryTarget::Metrics, HistoryFault::None);
    assert!(matches!(
        Verdict::from_answer(&history(&c, &q).unwrap()),
        Verdict::Degraded { .. }
    ));
}

#[allow(clippy::result_large_err)]
fn list(
    c: &ArmClient,
) -> (
    Result<Listed, lb_health::arm::error::ArmError>,
    Vec<EstateLoadBalancer>,
) {
    let mut rows = Vec::new();
    let r = pollster::block_on(list_load_balancers(
        c,
        &[],
        &Cancel::default(),
        &|_| {},
        &mut |page| rows.extend(page),
    ));
    (r, rows)
}

#[test]
fn resource_graph_pages_with_skip_tokens_and_has_its_own_faults() {
    let azure = FakeAzure::start(Options {
        large_estate: Some(120),
        ..Options::default()
    });
    azure.set_graph_page_rows(50);
    let (c, _) = client(&azure);
    let (r, rows) = list(&c);
    let total = azure.estate().load_balancers.len();
    assert_eq!(
        r.unwrap(),
        Listed {
            rows: total,
            pages: total.div_ceil(50),
            total_records: Some(total as u64),
            truncated: false
        }
    );
    assert_eq!(
        rows.iter()
            .map(|r| &r.id)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        total
    );
    let bodies: Vec<serde_json::Value> = azure
        .graph_requests()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(bodies.len(), total.div_ceil(50));
    assert!(bodies[0]["options"].get("$skipToken").is_none());
    assert!(bodies[1..]
        .iter()
        .all(|b| b["options"]["$skipToken"].is_string()));

    azure.set_history_fault(HistoryTarget::Graph, HistoryFault::Forbidden);
    assert!(matches!(
        list(&c).0.unwrap_err().kind,
        ErrorKind::Forbidden { .. }
    ));
    azure.set_history_fault(HistoryTarget::Graph, HistoryFault::Empty);
    let (r, rows) = list(&c);
    assert_eq!((r.unwrap().rows, rows.len()), (0, 0));
    // The metrics knob is the metrics': Resource Graph is not throttled by it.
    azure.set_history_fault(HistoryTarget::Graph, HistoryFault::None);
    azure.set_history_fault(HistoryTarget::Metrics, HistoryFault::Forbidden);
    assert_eq!(list(&c).1.len(), total);
}
