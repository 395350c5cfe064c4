//! Routes ARM requests to the demo estate.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::estate::{estate, Estate};
use serde::Serialize;

use crate::arm::model::{GraphAnswer, GraphLoadBalancer, Page};
use crate::http::{Clock, LocalBoxFuture, Method, Request, Response, Transport, TransportError};

/// Load balancers per page, small so the demo exercises `nextLink`.
const PAGE: usize = 3;

/// How long the demo takes to answer a request, as a nearby ARM region would.
pub const LATENCY_MS: u64 = 120;

/// The simulated ARM: answers a request at once. In the browser it runs in the demo
/// worker (`src/bin/demo_worker.rs`), behind `http::browser::WorkerTransport`, which adds
/// the latency; in tests, behind `DemoTransport`.
pub struct DemoArm {
    estate: Estate,
    retry_after_s: u64,
    /// Health checks made per rule: each one moves the flapping backends on. (Short
    /// lists, scanned: a HashMap's hashing code cost wasm size.)
    generations: RefCell<Vec<(String, usize)>>,
    /// Pending operations: (id, rule key, generation, polls still to answer 202).
    operations: RefCell<Vec<(String, String, usize, u32)>>,
    next_op: Cell<u64>,
}

/// `DemoArm` as a `Transport`, with its latency on an injected clock.
pub struct DemoTransport {
    arm: DemoArm,
    clock: Rc<dyn Clock>,
    latency_ms: u64,
}

impl DemoTransport {
    pub fn new(clock: Rc<dyn Clock>) -> Self {
        Self::with_estate(estate(), clock)
    }

    pub fn with_estate(estate: Estate, clock: Rc<dyn Clock>) -> Self {
        DemoTransport {
            arm: DemoArm::new(estate),
            clock,
            latency_ms: LATENCY_MS,
        }
    }

    /// Zero latency and immediate polls: for benchmarks and tests.
    pub fn instant(mut self) -> Self {
        self.latency_ms = 0;
        self.arm = self.arm.instant();
        self
    }
}

impl DemoArm {
    pub fn new(estate: Estate) -> Self {
        DemoArm {
            estate,
            retry_after_s: 1,
            generations: RefCell::default(),
            operations: RefCell::default(),
            next_op: Cell::new(0),
        }
    }

    /// Polls that may follow at once (Retry-After: 0).
    pub fn instant(mut self) -> Self {
        self.retry_after_s = 0;
        self
    }

    pub fn answer(&self, req: &Request) -> Response {
        let (path, query) = split_url(&req.url);
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        let request_id = format!("demo-{:08x}", self.next_op.get() * 7919 + segs.len() as u64);
        let answer = match (req.method, segs.as_slice()) {
            (Method::Get, ["subscriptions"]) => json(
                200,
                &Page {
                    value: self.estate.subscriptions.clone(),
                    next_link: None,
                },
            ),
            (
                Method::Get,
                ["subscriptions", sub, "providers", "microsoft.network", "loadbalancers"],
            ) => self.list(sub, query, &req.url),
            (
                Method::Get,
                ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _],
            ) => match self.estate.load_balancer(path) {
                Some(lb) => json(200, lb),
                None => not_found(path),
            },
            (Method::Post, [.., "loadbalancingrules", _, "health"]) => {
                self.start_health(path.trim_end_matches("/health"), &req.url)
            }
            (Method::Get, [.., "operationresults", op]) => self.poll(op, &req.url),
            (Method::Get, [.., "providers", "microsoft.insights", "metrics"]) => {
                let lb = &path[..path.len() - "/providers/Microsoft.Insights/metrics".len()];
                served(super::metrics::answer(
                    &self.estate,
                    lb,
                    query,
                    super::metrics::DEMO_NOW,
                ))
            }
            (Method::Post, ["providers", "microsoft.resourcegraph", "resources"]) => {
                self.graph(req.body.as_deref().unwrap_or(""))
            }
            _ => not_found(path),
        };
        answer.with_header("x-ms-request-id", request_id)
    }

    /// Resource Graph, for the one query the app sends: load balancers whose name
    /// contains a text (case-insensitive, as KQL's `contains`), across subscriptions.
    fn graph(&self, body: &str) -> Response {
        if let Some(page) = super::graph::page(&self.estate, body, super::graph::PAGE_ROWS) {
            return served(page);
        }
        const MARK: &str = "where name contains '";
        let Some(text) = body
            .find(MARK)
            .map(|i| &body[i + MARK.len()..])
            .and_then(|rest| rest.split('\'').next())
        else {
            return error(400, "BadRequest", "Please provide a valid query.");
        };
        let text = text.to_ascii_lowercase();
        let found = crate::health::order::by_key(
            self.estate
                .load_balancers
                .iter()
                .filter(|lb| lb.name.to_ascii_lowercase().contains(&text))
                .collect(),
            |lb| (0, lb.name.clone()),
        );
        let data: Vec<GraphLoadBalancer> = found
            .iter()
            .map(|lb| {
                let part = |n: usize| lb.id.split('/').nth(n).unwrap_or("").to_owned();
                GraphLoadBalancer {
                    id: lb.id.clone(),
                    name: lb.name.clone(),
                    resource_group: part(4),
                    subscription_id: part(2),
                    location: lb.location.clone(),
                }
            })
            .collect();
        json(
            200,
            &GraphAnswer {
                total_records: data.len() as u64,
                data,
            },
        )
    }

    fn list(&self, sub: &str, query: &str, url: &str) -> Response {
        if !self
            .estate
            .subscriptions
            .iter()
            .any(|s| s.subscription_id == sub)
        {
            return error(
                404,
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            );
        }
        let all: Vec<_> = self
            .estate
            .load_balancers
            .iter()
            .filter(|lb| lb.id.to_ascii_lowercase().contains(sub))
            .cloned()
            .collect();
        let skip: usize = query_param(query, "$skiptoken")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let end = (skip + PAGE).min(all.len());
        let next_link = (end < all.len()).then(|| {
            let base = url.split('?').next().unwrap_or(url);
            format!(
                "{base}?api-version={}&$skiptoken={end}",
                crate::arm::client::NETWORK_API
            )
        });
        json(
            200,
            &Page {
                value: all.get(skip.min(end)..end).unwrap_or_default().to_vec(),
                next_link,
            },
        )
    }

    fn start_health(&self, rule_id: &str, url: &str) -> Response {
        let lb_id = rule_id.rsplitn(3, '/').nth(2).unwrap_or("");
        let Some(lb) = self.estate.load_balancer(lb_id) else {
            return not_found(lb_id);
        };
        if lb.sku.name.eq_ignore_ascii_case("Gateway") {
            return error(
                400,
                "HealthStatusNotSupportedForGatewayLoadBalancer",
                "Health status is not supported for Gateway Load Balancer.",
            );
        }
        let Some(rule) = self.estate.rule(rule_id) else {
            return match lb.properties.load_balancing_rules.iter().find(|r| r.id.eq_ignore_ascii_case(rule_id)) {
                Some(_) => error(400, "HealthStatusNotSupportedForNonProbedRule", "Health status is not supported for load balancing rules without a health probe."),
                None => not_found(rule_id),
            };
        };
        let generation = {
            let mut g = self.generations.borrow_mut();
            match g.iter_mut().find(|(k, _)| *k == rule.key) {
                Some((_, n)) => {
                    *n += 1;
                    *n - 1
                }
                None => {
                    g.push((rule.key.clone(), 1));
                    0
                }
            }
        };
        let n = self.next_op.get() + 1;
        self.next_op.set(n);
        let op = format!("6d6a8f3e-2f2c-4b0e-9c3a-{n:012x}");
        let pending = 1 + (n % 3) as u32;
        self.operations
            .borrow_mut()
            .push((op.clone(), rule.key.clone(), generation, pending));
        let origin = url.split("/subscriptions/").next().unwrap_or("");
        let sub = lb_id.split('/').nth(2).unwrap_or("");
        let location = format!(
            "{origin}/subscriptions/{sub}/providers/Microsoft.Network/locations/{}/operationResults/{op}?api-version={}",
            lb.location,
            crate::arm::client::NETWORK_API
        );
        Response::new(202, "")
            .with_header("Location", location)
            .with_header("Retry-After", self.retry_after_s.to_string())
    }

    fn poll(&self, op: &str, url: &str) -> Response {
        let mut ops = self.operations.borrow_mut();
        let Some(i) = ops.iter().position(|o| o.0 == op) else {
            return error(
                404,
                "OperationNotFound",
                "The operation result could not be found; it may have expired.",
            );
        };
        let pending = &mut ops[i].3;
        if *pending > 0 {
            *pending -= 1;
            return Response::new(202, "")
                .with_header("Location", url)
                .with_header("Retry-After", self.retry_after_s.to_string());
        }
        let (_, key, generation, _) = ops.swap_remove(i);
        match self.estate.rule(&key) {
            Some(rule) => json(200, &self.estate.health(rule, generation)),
            None => not_found(&key),
        }
    }
}

impl Transport for DemoTransport {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>> {
        Box::pin(async move {
            if self.latency_ms > 0 {
                self.clock.sleep(self.latency_ms).await;
            }
            Ok(self.arm.answer(&req))
        })
    }
}

fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = url[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)
        .unwrap_or(url.len());
    let rest = &url[path_start..];
    rest.split_once('?').unwrap_or((rest, ""))
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn json(status: u16, body: &impl Serialize) -> Response {
    // Cannot fail: the models are plain structs, strings and numbers.
    Response::new(status, serde_json::to_string(body).unwrap_or_default())
        .with_header("Content-Type", "application/json")
}

fn served(s: super::metrics::Served) -> Response {
    Response::new(s.status, s.body).with_header("Content-Type", "application/json")
}

/// ARM's error body, `{"error": {"code", "message"}}`.
fn error(status: u16, code: &str, message: &str) -> Response {
    #[derive(Serialize)]
    struct Envelope<'a> {
        error: Body<'a>,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        code: &'a str,
        message: &'a str,
    }
    json(
        status,
        &Envelope {
            error: Body { code, message },
        },
    )
}

fn not_found(what: &str) -> Response {
    error(
        404,
        "ResourceNotFound",
        &format!("The resource '{what}' was not found."),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::rc::Rc;

    use super::*;
    use crate::arm::client::{ArmClient, Cancel};
    use crate::arm::error::ErrorKind;
    use crate::arm::id::{LoadBalancerId, SubscriptionId};
    use crate::health::catalog::DOCUMENTED_CODES;
    use crate::http::cloud::{ArmBase, Cloud};
    use crate::http::testing::FakeClock;

    fn demo() -> (ArmClient, Rc<FakeClock>) {
        let clock = Rc::new(FakeClock::default());
        let t = Rc::new(DemoTransport::new(clock.clone()));
        (
            ArmClient::new(
                t,
                clock.clone(),
                ArmBase::parse(Cloud::Public.arm_origin()).unwrap(),
                Cloud::Public,
            ),
            clock,
        )
    }

    fn all_rows(client: &ArmClient) -> Vec<(String, String)> {
        let cancel = Cancel::default();
        let mut rows = Vec::new();
        for sub in pollster::block_on(client.subscriptions(&cancel, &|_| {})).unwrap() {
            let sub = SubscriptionId::parse(&sub.subscription_id).unwrap();
            for lb in pollster::block_on(client.load_balancers(&sub, &cancel, &|_| {})).unwrap() {
                let id = LoadBalancerId::parse(&lb.id).unwrap();
                let lb = pollster::block_on(client.load_balancer(&id, &cancel, &|_| {})).unwrap();
                for rule in &lb.properties.load_balancing_rules {
                    if rule.properties.probe.is_none() || lb.sku.name == "Gateway" {
                        continue;
                    }
                    let r = pollster::block_on(client.rule_health(
                        &id.rule(&rule.name).unwrap(),
                        &cancel,
                        &|_| {},
                    ))
                    .unwrap();
                    rows.extend(
                        r.load_balancer_backend_addresses
                            .into_iter()
                            .map(|b| (b.state, b.reason)),
                    );
                }
            }
        }
        rows
    }

    #[test]
    fn demo_estate_shows_every_reason_code_na_empty_and_unknown() {
        let (client, _) = demo();
        let reasons: BTreeSet<String> = all_rows(&client).into_iter().map(|(_, r)| r).collect();
        for code in DOCUMENTED_CODES {
            assert!(reasons.contains(*code), "demo lacks {code}");
        }
        assert!(reasons.contains("NA"));
        assert!(reasons.contains(""));
        assert!(reasons
            .iter()
            .any(|r| !r.is_empty() && r != "NA" && !DOCUMENTED_CODES.contains(&r.as_str())));
    }

    #[test]
    fn demo_health_goes_through_202_and_polls() {
        let (client, clock) = demo();
        let id = LoadBalancerId::parse(&format!("/subscriptions/{}/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web", super::super::estate::PROD)).unwrap();
        let polls = std::cell::Cell::new(0);
        pollster::block_on(client.rule_health(
            &id.rule("rule-http").unwrap(),
            &Cancel::default(),
            &|p| {
                if matches!(p, crate::arm::client::Progress::Waiting { .. }) {
                    polls.set(polls.get() + 1)
                }
            },
        ))
        .unwrap();
        assert!((1..=3).contains(&polls.get()), "{} polls", polls.get());
        assert!(clock.slept.borrow().contains(&1000));
    }

    #[test]
    fn refresh_moves_the_flapping_backend() {
        let (client, _) = demo();
        let id = LoadBalancerId::parse(&format!("/subscriptions/{}/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web", super::super::estate::PROD)).unwrap();
        let rule = id.rule("rule-http").unwrap();
        let reasons: BTreeSet<String> = (0..4)
            .map(|_| {
                let r = pollster::block_on(client.rule_health(&rule, &Cancel::default(), &|_| {}))
                    .unwrap();
                r.load_balancer_backend_addresses
                    .iter()
                    .find(|b| b.network_interface_ip_configuration_id.contains("vm-web-6"))
                    .unwrap()
                    .reason
                    .clone()
            })
            .collect();
        assert_eq!(reasons.len(), 4);
    }

    #[test]
    fn resource_graph_finds_load_balancers_across_subscriptions() {
        let (client, _) = demo();
        let found = pollster::block_on(client.find_load_balancers("LB-", &Cancel::default()))
            .unwrap()
            .unwrap();
        let subs: BTreeSet<&str> = found
            .data
            .iter()
            .map(|lb| lb.subscription_id.as_str())
            .collect();
        assert!(subs.len() >= 2, "{found:?}");
        assert_eq!(found.total_records as usize, found.data.len());
        let web = pollster::block_on(client.find_load_balancers("web", &Cancel::default()))
            .unwrap()
            .unwrap();
        assert!(web.data.iter().all(|lb| lb.name.contains("web")) && !web.data.is_empty());
        assert!(web
            .data
            .iter()
            .all(|lb| LoadBalancerId::parse(&lb.id).is_ok()));
    }

    #[test]
    fn load_balancer_listing_pages() {
        let (client, _) = demo();
        let sub = SubscriptionId::parse(super::super::estate::PROD).unwrap();
        let all =
            pollster::block_on(client.load_balancers(&sub, &Cancel::default(), &|_| {})).unwrap();
        assert_eq!(all.len(), 3);
        let big = Estate::with_large_rule(estate(), 10);
        let clock = Rc::new(FakeClock::default());
        let c = ArmClient::new(
            Rc::new(DemoTransport::with_estate(big, clock.clone())),
            clock,
            ArmBase::parse(Cloud::Public.arm_origin()).unwrap(),
            Cloud::Public,
        );
        assert_eq!(
            pollster::block_on(c.load_balancers(&sub, &Cancel::default(), &|_| {}))
                .unwrap()
                .len(),
            4,
            "second page read"
        );
    }

    #[test]
    fn gateway_and_unprobed_rules_answer_with_errors() {
        let (client, _) = demo();
        let gw = LoadBalancerId::parse(&format!("/subscriptions/{}/resourceGroups/rg-nva/providers/Microsoft.Network/loadBalancers/lb-gateway", super::super::estate::STAGING)).unwrap();
        let e = pollster::block_on(client.rule_health(
            &gw.rule("rule-nva").unwrap(),
            &Cancel::default(),
            &|_| {},
        ))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Rejected);
        let web = LoadBalancerId::parse(&format!("/subscriptions/{}/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web", super::super::estate::PROD)).unwrap();
        let e = pollster::block_on(client.rule_health(
            &web.rule("rule-dns").unwrap(),
            &Cancel::default(),
            &|_| {},
        ))
        .unwrap_err();
        assert_eq!(
            e.code.as_deref(),
            Some("HealthStatusNotSupportedForNonProbedRule")
        );
    }
}
