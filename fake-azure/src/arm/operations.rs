//! The health long-running operation: POST -> 202 + Location -> pending polls -> result.

use axum::body::Body;
use axum::response::Response;
use lb_health::demo::estate::{DemoRule, PROD};
use serde_json::{json, Value};

use super::answers::{error, unauthorized, EXPIRED};
use crate::http::{json, raw, set};
use crate::{Fault, Shared};

pub(super) struct Operation {
    rule: String,
    generation: usize,
    polls_left: u32,
    /// Pending until then (`Options::pending_for`), whatever the polls.
    ready_at: Option<std::time::SystemTime>,
}

impl Operation {
    /// The rule's id (lower case) this operation checks.
    pub(super) fn rule(&self) -> &str {
        &self.rule
    }
}

impl Shared {
    pub(super) fn start_health(&self, rule_id: &str, api: &str, fault: &Fault) -> Response {
        let lb_id = rule_id.rsplitn(3, '/').nth(2).unwrap_or("");
        let Some(lb) = self.estate.load_balancer(lb_id) else {
            return error(
                404,
                "ResourceNotFound",
                &format!("The Resource '{lb_id}' was not found."),
            );
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
                Some(_) => error(
                    400,
                    "HealthStatusNotSupportedForNonProbedRule",
                    "Health status is not supported for load balancing rules without a health probe.",
                ),
                None => error(404, "ResourceNotFound", &format!("The Resource '{rule_id}' was not found.")),
            };
        };
        let op = self.guid();
        {
            let mut inner = self.lock();
            let n = inner.arm.generations.entry(rule.key.clone()).or_insert(0);
            let generation = *n;
            *n += 1;
            let operation = Operation {
                rule: rule.key.clone(),
                generation,
                polls_left: self.opts.pending_polls,
                ready_at: self.opts.pending_for.map(|d| self.clock.now() + d),
            };
            inner.arm.operations.insert(op.clone(), operation);
        }
        let base = if *fault == Fault::ForeignLocation {
            &self.foreign_url
        } else {
            &self.arm_url
        };
        let sub = lb_id.split('/').nth(2).unwrap_or("");
        let location =
            format!("{base}/subscriptions/{sub}/providers/Microsoft.Network/locations/{}/operationResults/{op}?api-version={api}", lb.location);
        self.accepted(location)
    }

    pub(super) fn poll(&self, op: &str, path: &str, query: &str, fault: &Fault) -> Response {
        if *fault == Fault::ExpireDuringPoll {
            return unauthorized("ExpiredAuthenticationToken", EXPIRED);
        }
        let (rule, generation) = {
            let mut inner = self.lock();
            let Some(o) = inner.arm.operations.get_mut(op) else {
                return error(
                    404,
                    "OperationNotFound",
                    "The operation result could not be found; it may have expired.",
                );
            };
            let running = o.ready_at.is_some_and(|t| self.clock.now() < t);
            if o.polls_left > 0 || running || *fault == Fault::NeverFinishes {
                o.polls_left = o.polls_left.saturating_sub(1);
                drop(inner);
                return self.accepted(format!("{}{path}?{query}", self.arm_url));
            }
            (o.rule.clone(), o.generation)
        };
        let Some(rule) = self.estate.rule(&rule) else {
            return error(
                404,
                "ResourceNotFound",
                &format!("The Resource '{rule}' was not found."),
            );
        };
        match fault {
            Fault::MalformedJson => raw(
                200,
                "application/json; charset=utf-8",
                "{\"up\": 1, \"loadBal",
            ),
            Fault::EmptyBody200 => raw(200, "application/json; charset=utf-8", ""),
            Fault::OddReasons => json(200, &odd_result(rule)),
            Fault::DuplicateBackends => {
                let mut h = self.estate.health(rule, generation);
                let again = h.load_balancer_backend_addresses.clone();
                h.load_balancer_backend_addresses.extend(again);
                json(200, &h)
            }
            Fault::HugeResult => {
                let big = self.estate.clone().with_large_rule(60_000);
                let rule = big.rules.last().expect("with_large_rule adds a rule");
                json(200, &big.health(rule, 0))
            }
            Fault::AllDown => {
                let mut h = self.estate.health(rule, generation);
                for b in &mut h.load_balancer_backend_addresses {
                    b.state = "Down".into();
                    b.reason = "Down_Probe_TcpProbeTimeout".into();
                }
                h.down += h.up;
                h.up = 0;
                json(200, &h)
            }
            Fault::DropMidBody => {
                let text = serde_json::to_string(&self.estate.health(rule, generation))
                    .unwrap_or_default();
                let half = text[..text.len() / 2].to_owned();
                // Half the body, then an error: hyper aborts the connection mid-body.
                let chunks: Vec<Result<String, std::io::Error>> =
                    vec![Ok(half), Err(std::io::Error::other("dropped"))];
                let mut r = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
                set(&mut r, "content-type", "application/json; charset=utf-8");
                set(&mut r, "content-length", &text.len().to_string());
                r
            }
            _ => json(200, &self.estate.health(rule, generation)),
        }
    }

    /// 202, empty body, `Location` and the configured `Retry-After`.
    fn accepted(&self, location: String) -> Response {
        let mut r = raw(202, "", "");
        set(&mut r, "location", &location);
        if let Some(ra) = &self.opts.retry_after {
            set(&mut r, "retry-after", ra);
        }
        r
    }
}

/// The OddReasons result: unknown codes, empty values, missing fields, nulls, an object-typed id.
fn odd_result(rule: &DemoRule) -> Value {
    let nic = |i: usize| {
        rule.backends.get(i).map(|b| b.nic.clone()).unwrap_or_else(|| {
            format!("/subscriptions/{PROD}/resourceGroups/rg-odd/providers/Microsoft.Network/networkInterfaces/vm-odd-{i}-nic/ipConfigurations/ipconfig1")
        })
    };
    json!({
        "up": 1,
        "loadBalancerBackendAddresses": [
            { "ipAddress": "10.9.0.4", "networkInterfaceIPConfigurationId": nic(0), "state": "Up", "reason": "Up_Probe_SomethingNew" },
            { "ipAddress": "10.9.0.5", "networkInterfaceIPConfigurationId": nic(1), "state": "Degraded", "reason": "Degraded_Probe_Wobbly" },
            { "ipAddress": "", "networkInterfaceIPConfigurationId": nic(2), "state": "", "reason": "" },
            { "networkInterfaceIPConfigurationId": nic(3) },
            { "ipAddress": "10.9.0.8", "networkInterfaceIPConfigurationId": null, "state": "Down", "reason": null },
            { "ipAddress": "10.9.0.9", "networkInterfaceIPConfigurationId": { "id": nic(5) }, "state": "Down", "reason": "Down_Probe_TcpProbeTimeout" }
        ]
    })
}
