//! The browser's side of the transport seam: fetch through gloo-net, a transport whose
//! requests a worker answers (the demo estate's), and a clock on `performance.now()` with
//! timer-based sleeps. Only compiled for wasm32.

use gloo_net::http::RequestBuilder;
use web_sys::{RequestCredentials, RequestRedirect};

use crate::http::{Clock, LocalBoxFuture, Method, Request, Response, Transport, TransportError};

pub struct FetchTransport;

/// Requests answered by a worker: the demo estate's (`src/bin/demo_worker.rs`), which the
/// page starts on the demo's first request. They cross as text (`Request::to_wire`).
pub struct WorkerTransport {
    worker: crate::http::worker::Worker,
    clock: std::rc::Rc<dyn Clock>,
    latency_ms: u64,
}

impl WorkerTransport {
    /// `first`: told to the worker before any request, each time it starts.
    pub fn new(
        name: &'static str,
        first: String,
        clock: std::rc::Rc<dyn Clock>,
        latency_ms: u64,
    ) -> Self {
        WorkerTransport {
            worker: crate::http::worker::Worker::new(name, first),
            clock,
            latency_ms,
        }
    }
}

impl Transport for WorkerTransport {
    fn send(&self, mut req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>> {
        Box::pin(async move {
            // The demo needs no token: whatever the client attached stays in the page.
            req.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            if self.latency_ms > 0 {
                self.clock.sleep(self.latency_ms).await;
            }
            let text = self
                .worker
                .ask(&req.to_wire())
                .await
                .map_err(TransportError::Worker)?;
            Response::from_wire(&text).ok_or_else(|| {
                TransportError::Worker(
                    "the demo worker answered something this page cannot read; reload the page"
                        .into(),
                )
            })
        })
    }
}

const REQUEST_TIMEOUT_MS: u32 = 60_000;

impl Transport for FetchTransport {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>> {
        Box::pin(async move {
            let method = match req.method {
                Method::Get => gloo_net::http::Method::GET,
                Method::Post => gloo_net::http::Method::POST,
            };
            // A request that never answers must end: abort it, and the LRO machine
            // treats that like any network failure (bounded retries, then an error).
            let controller = web_sys::AbortController::new().ok();
            let signal = controller.as_ref().map(|c| c.signal());
            let _deadline = controller.map(|c| {
                gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || c.abort())
            });
            // ARM answers CORS with `*`, which forbids credentials: never send cookies.
            // A redirect is not followed: the browser would carry `Authorization` to a URL
            // the token guard never saw (a same-origin proxy path's redirect keeps it).
            // `Manual` rather than `Error`, so the page can tell a redirect (an
            // `opaqueredirect` answer, status 0) from a network failure and name it.
            let mut b = RequestBuilder::new(&req.url)
                .method(method)
                .credentials(RequestCredentials::Omit)
                .redirect(RequestRedirect::Manual)
                .abort_signal(signal.as_ref());
            for (k, v) in &req.headers {
                b = b.header(k, v);
            }
            let built = match req.body {
                Some(body) => b.body(body),
                None => b.build(),
            }
            .map_err(|e| TransportError::Network(e.to_string()))?;
            let resp = built.send().await.map_err(|e| {
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    TransportError::Network(format!(
                        "no answer within {} s",
                        REQUEST_TIMEOUT_MS / 1000
                    ))
                } else {
                    TransportError::Network(e.to_string())
                }
            })?;
            let status = resp.status();
            // In cors mode only an opaque-redirect answer has status 0.
            if status == 0 {
                return Err(TransportError::Redirected);
            }
            let headers = resp.headers().entries().collect();
            let body = resp
                .text()
                .await
                .map_err(|e| TransportError::Body(e.to_string()))?;
            Ok(Response {
                status,
                headers,
                body,
            })
        })
    }
}

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or_else(js_sys::Date::now)
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()> {
        Box::pin(gloo_timers::future::TimeoutFuture::new(
            ms.min(u32::MAX as u64) as u32,
        ))
    }
}

/// The browser clock, faster: the demo's `clockRate` knob, so watch mode's intervals
/// pass in seconds. Only ever given to the demo's client.
pub struct ScaledClock(pub f64);

impl Clock for ScaledClock {
    fn now_ms(&self) -> f64 {
        BrowserClock.now_ms() * self.0
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()> {
        BrowserClock.sleep((ms as f64 / self.0) as u64)
    }
}
