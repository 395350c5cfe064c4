//! `fake-azure`: the ARM endpoints LB Health calls, served over real HTTP on 127.0.0.1
//! with ARM's CORS behaviour and fault knobs, for the end-to-end tests (and manual use
//! through `cargo run -p fake-azure -- --port N`).
//!
//! It serves the same demo estate as the app's built-in demo
//! (`lb_health::demo::estate`), routed the way `lb_health::demo::transport` routes it:
//! subscriptions, the paged load balancer list, one load balancer, and the health
//! operation (POST -> 202 + Location -> `pending_polls` x 202 -> 200).
//!
//! ```no_run
//! use fake_azure::{FakeAzure, Fault, Options};
//! let azure = FakeAzure::start(Options::default());
//! let arm = azure.arm_url(); // give this to the app as its ARM endpoint
//! azure.set_fault(Fault::Throttle { times: 1, retry_after: 2 });
//! // ... drive the browser ...
//! assert!(azure.requests().iter().all(|r| r.method == "OPTIONS" || r.authorization.is_some()));
//! ```

use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::TcpListener as StdListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use axum::Router;
use lb_health::arm::model::Page;
use lb_health::demo::estate::{estate, DemoRule, Estate, PROD};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// The bearer token ARM accepts until [`FakeAzure::set_token`] changes it.
pub const DEFAULT_TOKEN: &str = "test-token";
/// Load balancers per page of the list, small so `nextLink` is exercised.
pub const PAGE_SIZE: usize = 3;
const EXPOSED: [&str; 4] = ["Location", "Retry-After", "x-ms-request-id", "x-ms-correlation-request-id"];
const METHODS: &str = "GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How many polls of the operation's Location answer 202 before the 200.
    pub pending_polls: u32,
    /// The `Retry-After` of the health POST's 202 and of pending polls; `None` omits it.
    pub retry_after: Option<String>,
    /// Adds `lb-scale` (subscription PROD) with one rule of this many backends.
    pub large_rule: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options { pending_polls: 2, retry_after: Some("1".into()), large_rule: None }
    }
}

/// Which of the two listeners received a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The ARM endpoint, [`FakeAzure::arm_url`].
    Arm,
    /// Another origin, [`FakeAzure::foreign_url`]: answers 200 `{}` to anything.
    Foreign,
}

/// One request as received (logged before it is answered, so a hanging one is there too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub listener: Listener,
    pub method: String,
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub origin: Option<String>,
}

/// What goes wrong. One at a time; [`FakeAzure::set_fault`] replaces the current one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// Every ARM request (not preflights) -> 401 `ExpiredAuthenticationToken` + `WWW-Authenticate`.
    Unauthorized,
    /// Health POST -> 403 `AuthorizationFailed` naming the health action.
    Forbidden,
    /// Load balancer GET -> 404 `ResourceNotFound`.
    NotFound,
    /// The next `times` ARM requests -> 429 `TooManyRequests` with `Retry-After`, then normal.
    Throttle { times: u32, retry_after: u32 },
    /// The next `times` ARM requests -> `status` (500, 503, ...) with an ARM error body, then normal.
    ServerError { times: u32, status: u16 },
    /// Health POST never answers (other requests and `Drop` are unaffected).
    Hang,
    /// Every ARM answer is delayed this long.
    Slow { ms: u64 },
    /// The final health result is truncated JSON.
    MalformedJson,
    /// Health POST -> 502 with an HTML body.
    HtmlErrorPage,
    /// The final health result has unknown codes, empty and missing fields, null fields.
    OddReasons,
    /// The health POST's Location points at [`FakeAzure::foreign_url`].
    ForeignLocation,
    /// `Location` is sent but not listed in `Access-Control-Expose-Headers`.
    HiddenLocation,
    /// `Retry-After` is sent but not listed in `Access-Control-Expose-Headers`.
    HiddenRetryAfter,
    /// The final health result is a 200 with an empty body.
    EmptyBody200,
    /// The operation's Location answers 202 forever.
    NeverFinishes,
    /// The health POST is accepted, then every poll of its Location answers 401
    /// `ExpiredAuthenticationToken`: the token ran out during the operation.
    ExpireDuringPoll,
    /// The final health result lists every backend twice.
    DuplicateBackends,
    /// The final health result is about 10 MB of JSON (60,000 backends).
    HugeResult,
    /// The final health result's connection drops halfway through the body.
    DropMidBody,
}

/// A running fake Azure: two listeners on a tokio runtime on its own thread. Dropping it
/// stops both listeners, drops every open connection (a hanging one too) and joins the thread.
pub struct FakeAzure {
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeAzure {
    /// Binds 127.0.0.1:0 twice (ARM and foreign). Panics if it cannot bind.
    pub fn start(opts: Options) -> FakeAzure {
        Self::start_on(opts, 0).expect("fake-azure: cannot bind 127.0.0.1")
    }

    /// As [`FakeAzure::start`], with the ARM listener on a chosen port (0: any).
    pub fn start_on(opts: Options, arm_port: u16) -> std::io::Result<FakeAzure> {
        let arm = StdListener::bind(("127.0.0.1", arm_port))?;
        let foreign = StdListener::bind(("127.0.0.1", 0))?;
        arm.set_nonblocking(true)?;
        foreign.set_nonblocking(true)?;
        let mut estate = estate();
        if let Some(n) = opts.large_rule {
            estate = estate.with_large_rule(n);
        }
        let shared = Arc::new(Shared {
            estate,
            opts,
            arm_url: format!("http://{}", arm.local_addr()?),
            foreign_url: format!("http://{}", foreign.local_addr()?),
            seed: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0),
            inner: Mutex::new(Inner { token: DEFAULT_TOKEN.into(), ..Inner::default() }),
        });
        let (stop, stopped) = oneshot::channel();
        let s = shared.clone();
        let thread = std::thread::Builder::new().name("fake-azure".into()).spawn(move || serve(s, arm, foreign, stopped))?;
        Ok(FakeAzure { shared, stop: Some(stop), thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn arm_url(&self) -> String {
        self.shared.arm_url.clone()
    }

    /// The other origin: answers 200 `{}` to anything and logs it.
    pub fn foreign_url(&self) -> String {
        self.shared.foreign_url.clone()
    }

    pub fn set_fault(&self, f: Fault) {
        self.shared.lock().fault = f;
    }

    /// Every request received on both listeners, in order, preflights included.
    pub fn requests(&self) -> Vec<Logged> {
        self.shared.lock().log.clone()
    }

    pub fn clear_log(&self) {
        self.shared.lock().log.clear();
    }

    /// The one bearer token ARM accepts.
    pub fn set_token(&self, t: &str) {
        self.shared.lock().token = t.into();
    }

    /// The estate this server serves (the demo estate, plus `lb-scale` with `large_rule`).
    pub fn estate(&self) -> &Estate {
        &self.shared.estate
    }
}

impl Drop for FakeAzure {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(shared: Arc<Shared>, arm: StdListener, foreign: StdListener, stopped: oneshot::Receiver<()>) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("fake-azure: tokio runtime");
    rt.block_on(async move {
        let arm = tokio::net::TcpListener::from_std(arm).expect("fake-azure: listener");
        let foreign = tokio::net::TcpListener::from_std(foreign).expect("fake-azure: listener");
        let router = |listener| Router::new().fallback(handle).with_state(Ctx { shared: shared.clone(), listener });
        tokio::select! {
            _ = axum::serve(arm, router(Listener::Arm)).into_future() => {}
            _ = axum::serve(foreign, router(Listener::Foreign)).into_future() => {}
            _ = stopped => {}
        }
    });
    // Dropping the runtime here drops the listeners and every connection task, hanging ones included.
}

struct Shared {
    estate: Estate,
    opts: Options,
    arm_url: String,
    foreign_url: String,
    seed: u64,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    fault: Fault,
    token: String,
    log: Vec<Logged>,
    /// Health checks made per rule key: each one moves the flapping backends on.
    generations: HashMap<String, usize>,
    operations: HashMap<String, Operation>,
    counter: u64,
}

struct Operation {
    rule: String,
    generation: usize,
    polls_left: u32,
}

#[derive(Clone)]
struct Ctx {
    shared: Arc<Shared>,
    listener: Listener,
}

async fn handle(State(ctx): State<Ctx>, req: Request) -> Response {
    let s = &ctx.shared;
    // Only owned parts past this point: the body is not `Sync`, so `req` must not live across an await.
    let (parts, _body) = req.into_parts();
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let fault = {
        let mut inner = s.lock();
        inner.log.push(Logged {
            listener: ctx.listener,
            method: parts.method.to_string(),
            path_and_query: parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into()),
            authorization: header("authorization"),
            origin: header("origin"),
        });
        inner.fault.clone()
    };
    if parts.method == Method::OPTIONS {
        return preflight(header("access-control-request-headers"));
    }
    let mut resp = match ctx.listener {
        Listener::Foreign => json(200, &json!({})),
        Listener::Arm => {
            if let Fault::Slow { ms } = fault {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let auth = header("authorization");
            match s.route(&parts.method, parts.uri.path(), parts.uri.query().unwrap_or(""), auth.as_deref()) {
                Some(resp) => resp,
                None => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    error(504, "GatewayTimeout", "The gateway did not receive a response in time.")
                }
            }
        }
    };
    let correlation = header("x-ms-correlation-request-id").unwrap_or_else(|| s.guid());
    finish(&mut resp, &fault, s.guid(), correlation);
    resp
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A GUID-shaped id, unique per server (a counter through a bijective mix).
    fn guid(&self) -> String {
        let n = {
            let mut inner = self.lock();
            inner.counter += 1;
            inner.counter
        };
        let a = mix(self.seed ^ n);
        let b = mix(a ^ n.rotate_left(32));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Answers one ARM request; `None` means "never answer" (the `Hang` fault).
    fn route(&self, method: &Method, path: &str, query: &str, auth: Option<&str>) -> Option<Response> {
        let fault = {
            let mut inner = self.lock();
            let bearer = auth.filter(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer ")).map(|a| &a[7..]);
            match (auth, bearer) {
                (None, _) => return Some(unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")),
                (Some(_), Some(t)) if t == inner.token => {}
                _ => return Some(unauthorized("InvalidAuthenticationToken", "The access token is invalid.")),
            }
            match &mut inner.fault {
                Fault::Unauthorized => {
                    return Some(unauthorized("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."))
                }
                Fault::Throttle { times, retry_after } if *times > 0 => {
                    *times -= 1;
                    return Some(throttled(*retry_after));
                }
                Fault::ServerError { times, status } if *times > 0 => {
                    *times -= 1;
                    return Some(server_error(*status));
                }
                f => f.clone(),
            }
        };
        let Some(api) = query_param(query, "api-version").filter(|v| !v.is_empty()) else {
            return Some(error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."));
        };
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        let orig: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let lb_not_found = || {
            let msg = format!("The Resource 'Microsoft.Network/loadBalancers/{}' under resource group '{}' was not found.", orig[7], orig[3]);
            error(404, "ResourceNotFound", &msg)
        };
        Some(match (method.as_str(), segs.as_slice()) {
            ("GET", ["subscriptions"]) => json(200, &Page { value: self.estate.subscriptions.clone(), next_link: None }),
            ("GET", ["subscriptions", sub, "providers", "microsoft.network", "loadbalancers"]) => self.list(sub, path, query, api),
            ("GET", ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _]) => {
                match self.estate.load_balancer(path.trim_end_matches('/')) {
                    Some(lb) if fault != Fault::NotFound => json(200, lb),
                    _ => lb_not_found(),
                }
            }
            (
                "POST",
                ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _, "loadbalancingrules", _, "health"],
            ) => {
                let rule_id = &path.trim_end_matches('/')[..path.trim_end_matches('/').len() - "/health".len()];
                match fault {
                    Fault::Forbidden => forbidden(rule_id),
                    Fault::HtmlErrorPage => html_502(),
                    Fault::Hang => return None,
                    _ => self.start_health(rule_id, api, &fault),
                }
            }
            ("GET", ["subscriptions", _, "providers", "microsoft.network", "locations", _, "operationresults", op]) => {
                self.poll(op, path, query, &fault)
            }
            _ => error(404, "NotFound", &format!("No HTTP resource was found that matches the request URI '{}{path}'.", self.arm_url)),
        })
    }

    fn list(&self, sub: &str, path: &str, query: &str, api: &str) -> Response {
        if !self.estate.subscriptions.iter().any(|s| s.subscription_id.eq_ignore_ascii_case(sub)) {
            return error(404, "SubscriptionNotFound", &format!("The subscription '{sub}' could not be found."));
        }
        let prefix = format!("/subscriptions/{sub}/");
        let all: Vec<_> = self.estate.load_balancers.iter().filter(|lb| lb.id.to_ascii_lowercase().starts_with(&prefix)).cloned().collect();
        let skip: usize = query_param(query, "$skiptoken")
            .or_else(|| query_param(query, "%24skiptoken"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let end = (skip + PAGE_SIZE).min(all.len());
        let next_link = (end < all.len()).then(|| format!("{}{path}?api-version={api}&$skiptoken={end}", self.arm_url));
        json(200, &Page { value: all.get(skip.min(end)..end).unwrap_or_default().to_vec(), next_link })
    }

    fn start_health(&self, rule_id: &str, api: &str, fault: &Fault) -> Response {
        let lb_id = rule_id.rsplitn(3, '/').nth(2).unwrap_or("");
        let Some(lb) = self.estate.load_balancer(lb_id) else {
            return error(404, "ResourceNotFound", &format!("The Resource '{lb_id}' was not found."));
        };
        if lb.sku.name.eq_ignore_ascii_case("Gateway") {
            return error(400, "HealthStatusNotSupportedForGatewayLoadBalancer", "Health status is not supported for Gateway Load Balancer.");
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
            let n = inner.generations.entry(rule.key.clone()).or_insert(0);
            let generation = *n;
            *n += 1;
            let operation = Operation { rule: rule.key.clone(), generation, polls_left: self.opts.pending_polls };
            inner.operations.insert(op.clone(), operation);
        }
        let base = if *fault == Fault::ForeignLocation { &self.foreign_url } else { &self.arm_url };
        let sub = lb_id.split('/').nth(2).unwrap_or("");
        let location =
            format!("{base}/subscriptions/{sub}/providers/Microsoft.Network/locations/{}/operationResults/{op}?api-version={api}", lb.location);
        self.accepted(location)
    }

    fn poll(&self, op: &str, path: &str, query: &str, fault: &Fault) -> Response {
        if *fault == Fault::ExpireDuringPoll {
            return unauthorized("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.");
        }
        let (rule, generation) = {
            let mut inner = self.lock();
            let Some(o) = inner.operations.get_mut(op) else {
                return error(404, "OperationNotFound", "The operation result could not be found; it may have expired.");
            };
            if o.polls_left > 0 || *fault == Fault::NeverFinishes {
                o.polls_left = o.polls_left.saturating_sub(1);
                drop(inner);
                return self.accepted(format!("{}{path}?{query}", self.arm_url));
            }
            (o.rule.clone(), o.generation)
        };
        let Some(rule) = self.estate.rule(&rule) else {
            return error(404, "ResourceNotFound", &format!("The Resource '{rule}' was not found."));
        };
        match fault {
            Fault::MalformedJson => raw(200, "application/json; charset=utf-8", "{\"up\": 1, \"loadBal"),
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
            Fault::DropMidBody => {
                let text = serde_json::to_string(&self.estate.health(rule, generation)).unwrap_or_default();
                let half = text[..text.len() / 2].to_owned();
                // Half the body, then an error: hyper aborts the connection mid-body.
                let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(half), Err(std::io::Error::other("dropped"))];
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

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// Sets a header, skipping values that are not valid header text.
fn set(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

fn raw(status: u16, content_type: &str, body: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    if !content_type.is_empty() {
        set(&mut r, "content-type", content_type);
    }
    r
}

fn json<T: Serialize>(status: u16, body: &T) -> Response {
    let mut r = raw(status, "application/json; charset=utf-8", "");
    *r.body_mut() = Body::from(serde_json::to_string(body).unwrap_or_default());
    r
}

fn error(status: u16, code: &str, message: &str) -> Response {
    json(status, &json!({ "error": { "code": code, "message": message } }))
}

fn unauthorized(code: &str, message: &str) -> Response {
    let mut r = error(401, code, message);
    let www = format!(
        "Bearer authorization_uri=\"https://login.microsoftonline.com/{}\", error=\"invalid_token\", error_description=\"{message}\"",
        lb_health::demo::estate::TENANT
    );
    set(&mut r, "www-authenticate", &www);
    r
}

fn forbidden(scope: &str) -> Response {
    let message = format!(
        "The client 'user@contoso.com' with object id '22222222-2222-2222-2222-222222222222' does not have authorization to perform action \
         'Microsoft.Network/loadBalancers/loadBalancingRules/health/action' over scope '{scope}' or the scope is invalid. \
         If access was recently granted, please refresh your credentials."
    );
    error(403, "AuthorizationFailed", &message)
}

fn throttled(retry_after: u32) -> Response {
    let mut r = error(
        429,
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - Read. \
         Please retry after the time given in the Retry-After header.",
    );
    set(&mut r, "retry-after", &retry_after.to_string());
    set(&mut r, "x-ms-ratelimit-remaining-subscription-reads", "0");
    r
}

fn server_error(status: u16) -> Response {
    match status {
        503 => error(503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later."),
        502 => error(502, "BadGateway", "The gateway received an invalid response from the upstream server."),
        504 => error(504, "GatewayTimeout", "The gateway did not receive a response from the upstream server in time."),
        s => error(s, "InternalServerError", "Encountered internal server error. Please try again later."),
    }
}

fn html_502() -> Response {
    raw(
        502,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
         <body><h1>Bad gateway</h1><p>The upstream server returned an invalid response.</p></body></html>",
    )
}

fn preflight(request_headers: Option<String>) -> Response {
    let mut r = raw(204, "", "");
    set(&mut r, "access-control-allow-origin", "*");
    set(&mut r, "access-control-allow-methods", METHODS);
    if let Some(h) = request_headers {
        set(&mut r, "access-control-allow-headers", &h);
    }
    set(&mut r, "access-control-max-age", "3600");
    r
}

/// ARM's CORS answer headers and request ids, on every non-preflight answer.
fn finish(r: &mut Response, fault: &Fault, request_id: String, correlation: String) {
    let exposed: Vec<&str> = EXPOSED
        .iter()
        .copied()
        .filter(|h| match fault {
            Fault::HiddenLocation => *h != "Location",
            Fault::HiddenRetryAfter => *h != "Retry-After",
            _ => true,
        })
        .collect();
    set(r, "access-control-allow-origin", "*");
    set(r, "access-control-expose-headers", &exposed.join(", "));
    set(r, "x-ms-request-id", &request_id);
    set(r, "x-ms-correlation-request-id", &correlation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_unique_and_guid_shaped() {
        let s = FakeAzure::start(Options::default());
        let ids: std::collections::BTreeSet<String> = (0..1000).map(|_| s.shared.guid()).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids.iter().take(5) {
            let parts: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn query_params_are_case_insensitive() {
        assert_eq!(query_param("API-Version=1&$skiptoken=3", "api-version"), Some("1"));
        assert_eq!(query_param("a=1", "$skiptoken"), None);
    }
}
