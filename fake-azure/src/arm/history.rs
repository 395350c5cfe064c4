//! Azure Monitor metrics (`GET {lb}/providers/Microsoft.Insights/metrics`) and the estate
//! overview's paged Resource Graph query (`POST /providers/Microsoft.ResourceGraph/resources`),
//! answered from the demo's own definitions (`lb_health::demo::metrics`, `demo::graph`)
//! so the demo and this server serve the same history. Their own fault knob,
//! [`HistoryFault`], leaves the health operation alone: "history fails while the health
//! check succeeds" is one of the cases the app must word.

use std::time::Duration;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use lb_health::demo::{graph, metrics};

use super::answers::{error, finish, preflight, server_error, throttled};
use crate::http::raw;
use crate::{FakeAzure, Fault, Shared};

/// Which of the two history requests a [`HistoryFault`] hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryTarget {
    Metrics,
    Graph,
}

/// What goes wrong on the metrics or Resource Graph requests (and nothing else).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HistoryFault {
    #[default]
    None,
    /// 403 `AuthorizationFailed` naming `Microsoft.Insights/metrics/read` (or Resource
    /// Graph's read).
    Forbidden,
    /// The next `times` requests -> 429 with `Retry-After` and
    /// `x-ms-ratelimit-remaining-subscription-reads: 0`.
    Throttle { times: u32, retry_after: u32 },
    /// The next `times` requests -> `status` with ARM's error body.
    ServerError { times: u32, status: u16 },
    /// Every answer is delayed this long.
    Slow { ms: u64 },
    /// Metrics: the metric with no time series; Resource Graph: no rows.
    Empty,
}

#[derive(Default)]
pub(crate) struct State {
    metrics: HistoryFault,
    graph: HistoryFault,
    /// Rows per Resource Graph page (0: as Azure, up to `$top`).
    page_rows: usize,
    /// Bodies of the Resource Graph requests received, in order.
    graph_bodies: Vec<String>,
}

impl FakeAzure {
    /// Sets the fault of one history request kind; the other keeps its own.
    pub fn set_history_fault(&self, target: HistoryTarget, fault: HistoryFault) {
        let mut inner = self.shared.lock();
        match target {
            HistoryTarget::Metrics => inner.arm.history.metrics = fault,
            HistoryTarget::Graph => inner.arm.history.graph = fault,
        }
    }

    /// Resource Graph pages of at most `rows` rows (default: Azure's, up to 1,000), so a
    /// small estate still pages.
    pub fn set_graph_page_rows(&self, rows: usize) {
        self.shared.lock().arm.history.page_rows = rows;
    }

    /// The bodies of every Resource Graph request, in order (the `$skipToken`s sent).
    pub fn graph_requests(&self) -> Vec<String> {
        self.shared.lock().arm.history.graph_bodies.clone()
    }
}

/// Whether this request is one of the two this module answers (preflights are not).
pub(crate) fn wants(parts: &Parts) -> bool {
    let path = parts.uri.path().trim_end_matches('/').to_ascii_lowercase();
    (parts.method == Method::GET && path.ends_with("/providers/microsoft.insights/metrics"))
        || (parts.method == Method::POST && path == "/providers/microsoft.resourcegraph/resources")
}

pub(crate) async fn answer(s: &Shared, parts: Parts, body: Body) -> Response {
    let header = |n: &str| crate::http::header(&parts, n);
    if parts.method == Method::OPTIONS {
        return preflight(header("access-control-request-headers"));
    }
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let target = if parts.method == Method::GET {
        HistoryTarget::Metrics
    } else {
        HistoryTarget::Graph
    };
    let global = s.lock().fault.clone();
    if let Fault::Slow { ms } = global {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mut resp = match s.admit(header("authorization").as_deref(), false) {
        Err(refusal) => refusal.answer(),
        Ok(_) => {
            let fault = s.history_fault(target);
            if let HistoryFault::Slow { ms } = fault {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            s.history(
                target,
                parts.uri.path(),
                parts.uri.query().unwrap_or(""),
                &body,
                &fault,
            )
        }
    };
    let correlation = header("x-ms-correlation-request-id").unwrap_or_else(|| s.guid());
    finish(&mut resp, &global, s.guid(), correlation);
    resp
}

impl Shared {
    /// The fault for this request, counting down the ones that run out.
    fn history_fault(&self, target: HistoryTarget) -> HistoryFault {
        let mut inner = self.lock();
        let f = match target {
            HistoryTarget::Metrics => &mut inner.arm.history.metrics,
            HistoryTarget::Graph => &mut inner.arm.history.graph,
        };
        let now = f.clone();
        match f {
            HistoryFault::Throttle { times, .. } | HistoryFault::ServerError { times, .. }
                if *times > 0 =>
            {
                *times -= 1;
                now
            }
            HistoryFault::Throttle { .. } | HistoryFault::ServerError { .. } => HistoryFault::None,
            _ => now,
        }
    }

    fn history(
        &self,
        target: HistoryTarget,
        path: &str,
        query: &str,
        body: &str,
        fault: &HistoryFault,
    ) -> Response {
        if target == HistoryTarget::Graph {
            self.lock().arm.history.graph_bodies.push(body.to_owned());
        }
        match fault {
            HistoryFault::Forbidden => return forbidden(target, path),
            HistoryFault::Throttle { retry_after, .. } => return throttled(*retry_after),
            HistoryFault::ServerError { status, .. } => return server_error(*status),
            _ => {}
        }
        let empty = *fault == HistoryFault::Empty;
        let served = match target {
            HistoryTarget::Metrics => {
                if !query.to_ascii_lowercase().contains("api-version=") {
                    return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
                }
                let lb = &path.trim_end_matches('/')[..path.trim_end_matches('/').len()
                    - "/providers/Microsoft.Insights/metrics".len()];
                let now = self.clock.unix() as i64;
                let mut s = metrics::answer(&self.estate, lb, query, now);
                if empty && s.status == 200 {
                    let mut v: serde_json::Value =
                        serde_json::from_str(&s.body).unwrap_or_default();
                    v["value"][0]["timeseries"] = serde_json::json!([]);
                    s.body = v.to_string();
                }
                s
            }
            HistoryTarget::Graph => {
                let rows = match self.lock().arm.history.page_rows {
                    0 => graph::PAGE_ROWS,
                    n => n,
                };
                match graph::page(&self.estate, body, rows) {
                    Some(_) if empty => metrics::Served {
                        status: 200,
                        body: r#"{"totalRecords":0,"count":0,"resultTruncated":"false","facets":[],"data":[]}"#.into(),
                    },
                    Some(p) => p,
                    // Another query (the name search): not served, as before this module,
                    // so the app's fallback to listing subscriptions is what gets tested.
                    None => return error(404, "NotFound", &format!("No HTTP resource was found that matches the request URI '{}{path}'.", self.arm_url)),
                }
            }
        };
        raw(
            served.status,
            "application/json; charset=utf-8",
            served.body,
        )
    }
}

fn forbidden(target: HistoryTarget, scope: &str) -> Response {
    let action = match target {
        HistoryTarget::Metrics => "Microsoft.Insights/metrics/read",
        HistoryTarget::Graph => "Microsoft.ResourceGraph/resources/read",
    };
    let message = format!(
        "The client 'user@contoso.com' with object id '22222222-2222-2222-2222-222222222222' does not have authorization to perform action \
         '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
    );
    error(403, "AuthorizationFailed", &message)
}
