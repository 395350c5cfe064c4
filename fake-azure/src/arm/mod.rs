//! The ARM listener (and the foreign one): bearer check, fault injection, routing.

mod answers;
pub(crate) mod history;
mod operations;

use std::collections::HashMap;
use std::time::Duration;

use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use lb_health::arm::model::Page;

use crate::entra::TokenStatus;
use crate::http::{json, query_param};
use crate::{tenants, Fault, Listener, Operation, Shared, PAGE_SIZE};
use answers::{error, finish, preflight, server_error, throttled, unauthorized};

/// What ARM remembers between requests.
#[derive(Default)]
pub(crate) struct State {
    /// Health checks made per rule key: each one moves the flapping backends on.
    generations: HashMap<String, usize>,
    operations: HashMap<String, operations::Operation>,
    history: history::State,
}

pub(crate) async fn answer(s: &Shared, listener: Listener, parts: Parts) -> Response {
    let header = |n: &str| crate::http::header(&parts, n);
    if parts.method == Method::OPTIONS {
        return preflight(header("access-control-request-headers"));
    }
    let aimed = s.aimed_at(parts.method.as_str(), parts.uri.path());
    let fault = if aimed {
        s.lock().fault.clone()
    } else {
        Fault::None
    };
    let mut resp = match listener {
        Listener::Arm => {
            if let Fault::Slow { ms } = fault {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let auth = header("authorization");
            match s.route(
                &parts.method,
                parts.uri.path(),
                parts.uri.query().unwrap_or(""),
                auth.as_deref(),
                aimed,
            ) {
                Some(resp) => resp,
                None => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    error(
                        504,
                        "GatewayTimeout",
                        "The gateway did not receive a response in time.",
                    )
                }
            }
        }
        _ => json(200, &serde_json::json!({})),
    };
    let correlation = header("x-ms-correlation-request-id").unwrap_or_else(|| s.guid());
    finish(&mut resp, &fault, s.guid(), correlation);
    resp
}

/// Why ARM turns a request away before routing it.
enum Refusal {
    NoToken,
    InvalidToken,
    ExpiredToken,
    Throttled { retry_after: u32 },
    ServerError { status: u16 },
}

impl Refusal {
    fn answer(self) -> Response {
        match self {
            Refusal::NoToken => unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            ),
            Refusal::InvalidToken => {
                unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
            }
            Refusal::ExpiredToken => unauthorized("ExpiredAuthenticationToken", answers::EXPIRED),
            Refusal::Throttled { retry_after } => throttled(retry_after),
            Refusal::ServerError { status } => server_error(status),
        }
    }
}

impl Shared {
    /// Whether the current fault's target takes in this request.
    fn aimed_at(&self, method: &str, path: &str) -> bool {
        let op = Operation::of(method, path);
        let inner = self.lock();
        let subject = match op {
            // A poll is about the rule whose check it continues.
            Operation::HealthPoll => Self::checked_by(&inner.arm, path).unwrap_or_default(),
            _ => path.to_string(),
        };
        inner.target.matches(op, &subject)
    }

    /// The health path (`.../loadBalancingRules/{rule}/health`) whose check a poll of
    /// `path` continues, if it names an operation this server started.
    pub(crate) fn checked_by(arm: &State, path: &str) -> Option<String> {
        let id = path.split('?').next()?.rsplit('/').next()?;
        arm.operations
            .get(id)
            .map(|o| format!("{}/health", o.rule()))
    }

    /// Answers one ARM request; `None` means "never answer" (the `Hang` fault). `aimed`:
    /// whether the current fault applies to it.
    fn route(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        auth: Option<&str>,
        aimed: bool,
    ) -> Option<Response> {
        let fault = match self.admit(auth, aimed) {
            Ok(fault) => fault,
            Err(refusal) => return Some(refusal.answer()),
        };
        if fault == Fault::Redirect && !path.starts_with(crate::OUTSIDE) {
            let mut r = crate::http::raw(302, "", "");
            crate::http::set(
                &mut r,
                "location",
                &format!("{}{}{path}?{query}", self.arm_url, crate::OUTSIDE),
            );
            return Some(r);
        }
        let Some(api) = query_param(query, "api-version").filter(|v| !v.is_empty()) else {
            return Some(error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            ));
        };
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        let orig: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let lb_not_found = || {
            let msg = format!("The Resource 'Microsoft.Network/loadBalancers/{}' under resource group '{}' was not found.", orig[7], orig[3]);
            error(404, "ResourceNotFound", &msg)
        };
        Some(match (method.as_str(), segs.as_slice()) {
            ("GET", ["tenants"]) => json(200, &tenants::arm_list()),
            ("GET", ["subscriptions"]) => json(
                200,
                &Page {
                    value: self.estate.subscriptions.clone(),
                    next_link: None,
                },
            ),
            ("GET", ["subscriptions", sub, "providers", "microsoft.network", "loadbalancers"]) => {
                self.list(sub, path, query, api)
            }
            (
                "GET",
                ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _],
            ) => match self.estate.load_balancer(path.trim_end_matches('/')) {
                Some(lb) if fault != Fault::NotFound => json(200, lb),
                _ => lb_not_found(),
            },
            (
                "POST",
                ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _, "loadbalancingrules", _, "health"],
            ) => {
                let rule_id = &path.trim_end_matches('/')
                    [..path.trim_end_matches('/').len() - "/health".len()];
                match fault {
                    Fault::Forbidden => answers::forbidden(rule_id),
                    Fault::HtmlErrorPage => answers::html_502(),
                    Fault::Hang => return None,
                    _ => self.start_health(rule_id, api, &fault),
                }
            }
            (
                "GET",
                ["subscriptions", _, "providers", "microsoft.network", "locations", _, "operationresults", op],
            ) => self.poll(op, path, query, &fault),
            _ => error(
                404,
                "NotFound",
                &format!(
                    "No HTTP resource was found that matches the request URI '{}{path}'.",
                    self.arm_url
                ),
            ),
        })
    }

    /// The bearer check, then the faults that refuse any request; `Ok` carries the fault
    /// the route itself must honour.
    fn admit(&self, auth: Option<&str>, aimed: bool) -> Result<Fault, Refusal> {
        let now = self.clock.unix();
        let mut inner = self.lock();
        let bearer = auth
            .filter(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer "))
            .map(|a| &a[7..]);
        match (auth, bearer) {
            (None, _) => return Err(Refusal::NoToken),
            (Some(_), Some(t)) if t == inner.token => {}
            (Some(_), Some(t)) => match inner.entra.access_token_status(t, now) {
                TokenStatus::Valid => {}
                TokenStatus::Expired => return Err(Refusal::ExpiredToken),
                TokenStatus::Unknown => return Err(Refusal::InvalidToken),
            },
            _ => return Err(Refusal::InvalidToken),
        }
        if !aimed {
            return Ok(Fault::None);
        }
        match &mut inner.fault {
            Fault::Unauthorized => Err(Refusal::ExpiredToken),
            Fault::Throttle { times, retry_after } if *times > 0 => {
                *times -= 1;
                Err(Refusal::Throttled {
                    retry_after: *retry_after,
                })
            }
            Fault::ServerError { times, status } if *times > 0 => {
                *times -= 1;
                Err(Refusal::ServerError { status: *status })
            }
            f => Ok(f.clone()),
        }
    }

    fn list(&self, sub: &str, path: &str, query: &str, api: &str) -> Response {
        if !self
            .estate
            .subscriptions
            .iter()
            .any(|s| s.subscription_id.eq_ignore_ascii_case(sub))
        {
            return error(
                404,
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            );
        }
        let prefix = format!("/subscriptions/{sub}/");
        let all: Vec<_> = self
            .estate
            .load_balancers
            .iter()
            .filter(|lb| lb.id.to_ascii_lowercase().starts_with(&prefix))
            .cloned()
            .collect();
        let skip: usize = query_param(query, "$skiptoken")
            .or_else(|| query_param(query, "%24skiptoken"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let end = (skip + PAGE_SIZE).min(all.len());
        let next_link = (end < all.len())
            .then(|| format!("{}{path}?api-version={api}&$skiptoken={end}", self.arm_url));
        json(
            200,
            &Page {
                value: all.get(skip.min(end)..end).unwrap_or_default().to_vec(),
                next_link,
            },
        )
    }
}
