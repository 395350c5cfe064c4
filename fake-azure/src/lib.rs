//! `fake-azure`: the Entra ID sign-in endpoints and the ARM endpoints LB Health calls,
//! served over real HTTP on 127.0.0.1 with the real services' CORS behaviour and fault
//! knobs, for the end-to-end tests (and manual use through `cargo run -p fake-azure`).
//!
//! It serves the same demo estate as the app's built-in demo
//! (`lb_health::demo::estate`), routed the way `lb_health::demo::transport` routes it:
//! tenants, subscriptions, the paged load balancer list, one load balancer, and the health
//! operation (POST -> 202 + Location -> `pending_polls` x 202 -> 200).
//!
//! The login origin behaves like Entra's v2 endpoints for a single-page app registered as
//! [`CLIENT_ID`]: authorize (auto-consent, PKCE S256) and token (code and refresh grants).
//! Access tokens it issues are accepted by ARM until they expire on the fake clock
//! ([`FakeAzure::advance`]); so is the fixed token of [`FakeAzure::set_token`].
//!
//! ```no_run
//! use fake_azure::{FakeAzure, Fault, Options};
//! let azure = FakeAzure::start(Options::default());
//! let arm = azure.arm_url(); // give this to the app as its ARM endpoint
//! let login = azure.login_url(); // ... and this as its login host
//! azure.set_fault(Fault::Throttle { times: 1, retry_after: 2 });
//! // ... drive the browser ...
//! assert!(azure.requests().iter().all(|r| r.method == "OPTIONS" || r.authorization.is_some()));
//! ```

mod arm;
mod clock;
mod entra;
mod http;
mod target;
mod tenants;

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use lb_health::demo::estate::{estate, Estate};
use tokio::sync::oneshot;

pub use arm::history::{HistoryFault, HistoryTarget};
pub use entra::{EntraFault, Grant, Pkce, CLIENT_ID, USER_NAME, USER_OID, USER_UPN};
pub use target::{Operation, Target};
pub use tenants::{FakeTenant, CONTOSO, FABRIKAM};

/// The bearer token ARM accepts until [`FakeAzure::set_token`] changes it.
pub const DEFAULT_TOKEN: &str = "test-token";
/// Load balancers per page of the list, small so `nextLink` is exercised.
pub const PAGE_SIZE: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How many polls of the operation's Location answer 202 before the 200.
    pub pending_polls: u32,
    /// The `Retry-After` of the health POST's 202 and of pending polls; `None` omits it.
    pub retry_after: Option<String>,
    /// The operation also stays pending (202) until this long after its POST, on the fake
    /// clock: real ARM operations take time, not a number of polls, so a poll sent
    /// sooner than `Retry-After` asks is one more 202, not an earlier result.
    pub pending_for: Option<std::time::Duration>,
    /// Adds `lb-scale` (subscription PROD) with one rule of this many backends.
    pub large_rule: Option<usize>,
    /// Adds this many load balancers (at most 5,000) in 50 more subscriptions.
    pub large_estate: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pending_polls: 2,
            retry_after: Some("1".into()),
            pending_for: None,
            large_rule: None,
            large_estate: None,
        }
    }
}

/// Which of the three listeners received a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The ARM endpoint, [`FakeAzure::arm_url`].
    Arm,
    /// Another origin, [`FakeAzure::foreign_url`]: answers 200 `{}` to anything.
    Foreign,
    /// The Entra login origin, [`FakeAzure::login_url`].
    Login,
}

/// One request as received (logged before it is answered, so a hanging one is there too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub listener: Listener,
    pub method: String,
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub origin: Option<String>,
    /// When it arrived, on the fake clock ([`FakeAzure::now`]).
    pub at: Duration,
}

/// What goes wrong on the ARM listener. One at a time; [`FakeAzure::set_fault`] replaces
/// the current one, and [`FakeAzure::set_fault_on`] aims it at some requests only (the
/// others are answered as if there were no fault; `times` counts only those it meets). (Sign-in faults are [`EntraFault`], set separately.)
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
    /// The next `times` ARM requests it meets -> 429 `TooManyRequests` with `Retry-After`, then normal.
    Throttle { times: u32, retry_after: u32 },
    /// The next `times` ARM requests it meets -> `status` (500, 503, ...) with an ARM error body, then normal.
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
    /// The final health result says every backend is Down (`Down_Probe_TcpProbeTimeout`):
    /// an outage that began after Azure Monitor's latest point, which still says Up.
    AllDown,
    /// Every ARM request (not preflights) -> 302 to the same path under [`OUTSIDE`] on
    /// the ARM origin, as a misconfigured proxy might answer: a client that follows it
    /// carries the `Authorization` header out of the configured path.
    Redirect,
}

/// Where [`Fault::Redirect`] points: outside every path the app is configured for.
pub const OUTSIDE: &str = "/outside-the-arm-path";

/// A running fake Azure: three listeners on a tokio runtime on its own thread. Dropping it
/// stops every listener, drops every open connection (a hanging one too) and joins the thread.
pub struct FakeAzure {
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeAzure {
    /// Binds 127.0.0.1:0 three times (ARM, foreign, login). Panics if it cannot bind.
    pub fn start(opts: Options) -> FakeAzure {
        Self::start_on(opts, 0).expect("fake-azure: cannot bind 127.0.0.1")
    }

    /// As [`FakeAzure::start`], with the ARM listener on a chosen port (0: any).
    pub fn start_on(opts: Options, arm_port: u16) -> std::io::Result<FakeAzure> {
        Self::start_on_ports(opts, arm_port, 0)
    }

    /// As [`FakeAzure::start`], with the ARM and login listeners on chosen ports (0: any),
    /// so a hand-written config.json can name both.
    pub fn start_on_ports(
        opts: Options,
        arm_port: u16,
        login_port: u16,
    ) -> std::io::Result<FakeAzure> {
        let bind = |port: u16| -> std::io::Result<StdListener> {
            let l = StdListener::bind(("127.0.0.1", port))?;
            l.set_nonblocking(true)?;
            Ok(l)
        };
        let (arm, foreign, login) = (bind(arm_port)?, bind(0)?, bind(login_port)?);
        let mut estate = estate();
        if let Some(n) = opts.large_rule {
            estate = estate.with_large_rule(n);
        }
        if let Some(n) = opts.large_estate {
            estate = estate.with_large_estate(n);
        }
        let shared = Arc::new(Shared {
            estate,
            opts,
            arm_url: format!("http://{}", arm.local_addr()?),
            foreign_url: format!("http://{}", foreign.local_addr()?),
            login_url: format!("http://{}", login.local_addr()?),
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0),
            counter: AtomicU64::new(0),
            clock: clock::Clock::default(),
            started: std::time::SystemTime::now(),
            inner: Mutex::new(Inner {
                token: DEFAULT_TOKEN.into(),
                ..Inner::default()
            }),
        });
        let (stop, stopped) = oneshot::channel();
        let s = shared.clone();
        let listeners = vec![
            (Listener::Arm, arm),
            (Listener::Foreign, foreign),
            (Listener::Login, login),
        ];
        let thread = std::thread::Builder::new()
            .name("fake-azure".into())
            .spawn(move || serve(s, listeners, stopped))?;
        Ok(FakeAzure {
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn arm_url(&self) -> String {
        self.shared.arm_url.clone()
    }

    /// The other origin: answers 200 `{}` to anything and logs it.
    pub fn foreign_url(&self) -> String {
        self.shared.foreign_url.clone()
    }

    /// The Entra login origin, `http://127.0.0.1:PORT` (no trailing slash): the app's
    /// login host, under which `/{tenant}/oauth2/v2.0/authorize` and `/token` live.
    pub fn login_url(&self) -> String {
        self.shared.login_url.clone()
    }

    /// Sets the fault every ARM request meets.
    pub fn set_fault(&self, f: Fault) {
        self.set_fault_on(Target::any(), f);
    }

    /// Sets a fault only the requests of `target` meet.
    pub fn set_fault_on(&self, target: Target, f: Fault) {
        let mut inner = self.shared.lock();
        inner.fault = f;
        inner.target = target;
    }

    /// Every request received on all three listeners, in order, preflights included.
    pub fn requests(&self) -> Vec<Logged> {
        self.shared.lock().log.clone()
    }

    /// The health path (`.../loadBalancingRules/{rule}/health`) whose check a poll of
    /// `path_and_query` continues; `None` for anything else.
    pub fn checked_by(&self, path_and_query: &str) -> Option<String> {
        Shared::checked_by(&self.shared.lock().arm, path_and_query)
    }

    /// The fake clock's time since this server started (what [`Logged::at`] counts).
    pub fn now(&self) -> Duration {
        self.shared.now()
    }

    /// Watches for `period` on the fake clock and returns the `matching` requests that
    /// arrived meanwhile: "nothing happened" is then an empty list, read from the log's own
    /// times. (The browser runs in real time, so the watch does too, unless a test moves
    /// the clock on.)
    pub fn watch(&self, period: Duration, matching: impl Fn(&Logged) -> bool) -> Vec<Logged> {
        let from = self.now();
        while self.now() < from + period {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.requests()
            .into_iter()
            .filter(|r| r.at >= from && matching(r))
            .collect()
    }

    /// Waits until no `matching` request has arrived for `period` (on the fake clock), for
    /// at most `timeout`; returns whether it got that quiet.
    pub fn wait_quiet(
        &self,
        period: Duration,
        timeout: Duration,
        matching: impl Fn(&Logged) -> bool,
    ) -> bool {
        let deadline = self.now() + timeout;
        loop {
            let last = self
                .requests()
                .iter()
                .filter(|r| matching(r))
                .map(|r| r.at)
                .max()
                .unwrap_or_default();
            let now = self.now();
            if now >= last + period {
                return true;
            }
            if now >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn clear_log(&self) {
        self.shared.lock().log.clear();
    }

    /// The fixed bearer token ARM accepts (besides unexpired tokens the fake Entra issued).
    pub fn set_token(&self, t: &str) {
        self.shared.lock().token = t.into();
    }

    /// The estate this server serves (the demo estate, plus `lb-scale` with `large_rule`).
    pub fn estate(&self) -> &Estate {
        &self.shared.estate
    }

    /// The app registration's SPA redirect URIs, matched exactly as Entra does. While none
    /// are registered, any `http://127.0.0.1:*` or `http://localhost:*` URI is accepted.
    pub fn set_redirect_uris(&self, uris: &[&str]) {
        self.shared.lock().entra.redirect_uris = uris.iter().map(|u| u.to_string()).collect();
    }

    /// The `expires_in` of access tokens issued from now on (default 3600 s).
    pub fn set_token_lifetime(&self, d: Duration) {
        self.shared.lock().entra.token_lifetime = d;
    }

    /// Moves the fake clock on: token times, code expiry and ARM's expiry check use it.
    pub fn advance(&self, d: Duration) {
        self.shared.clock.advance(d);
    }

    pub fn set_entra_fault(&self, f: EntraFault) {
        self.shared.lock().entra.fault = f;
    }

    /// Every request the token endpoint answered, in order, with what it concluded.
    pub fn token_grants(&self) -> Vec<Grant> {
        self.shared.lock().entra.grants.clone()
    }

    /// Every end-session request (`/{tenant}/oauth2/v2.0/logout`), in order: the tenant
    /// segment and the `post_logout_redirect_uri` sent.
    pub fn logouts(&self) -> Vec<(String, Option<String>)> {
        self.shared.lock().entra.logouts.clone()
    }

    /// The user's directories: [`CONTOSO`] (home) and [`FABRIKAM`].
    pub fn tenants() -> Vec<FakeTenant> {
        tenants::ALL.to_vec()
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

fn serve(
    shared: Arc<Shared>,
    listeners: Vec<(Listener, StdListener)>,
    stopped: oneshot::Receiver<()>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("fake-azure: tokio runtime");
    rt.block_on(async move {
        for (listener, std) in listeners {
            let tcp = tokio::net::TcpListener::from_std(std).expect("fake-azure: listener");
            let router = Router::new().fallback(handle).with_state(Ctx {
                shared: shared.clone(),
                listener,
            });
            tokio::spawn(async move { axum::serve(tcp, router).await });
        }
        let _ = stopped.await;
    });
    // Dropping the runtime here drops the listeners and every connection task, hanging ones included.
}

struct Shared {
    estate: Estate,
    opts: Options,
    arm_url: String,
    foreign_url: String,
    login_url: String,
    seed: u64,
    /// Outside `inner` so ids can be drawn while it is locked.
    counter: AtomicU64,
    clock: clock::Clock,
    /// Real time at start: [`Logged::at`] and [`FakeAzure::now`] count from here.
    started: std::time::SystemTime,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    fault: Fault,
    /// The requests `fault` applies to.
    target: Target,
    token: String,
    log: Vec<Logged>,
    arm: arm::State,
    entra: entra::State,
}

#[derive(Clone)]
struct Ctx {
    shared: Arc<Shared>,
    listener: Listener,
}

async fn handle(State(ctx): State<Ctx>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    ctx.shared.record(ctx.listener, &parts);
    match ctx.listener {
        Listener::Login => entra::answer(&ctx.shared, parts, body).await,
        Listener::Arm if arm::history::wants(&parts) => {
            arm::history::answer(&ctx.shared, parts, body).await
        }
        Listener::Arm | Listener::Foreign => arm::answer(&ctx.shared, ctx.listener, parts).await,
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now(&self) -> Duration {
        self.clock
            .now()
            .duration_since(self.started)
            .unwrap_or_default()
    }

    fn record(&self, listener: Listener, parts: &axum::http::request::Parts) {
        let header = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let logged = Logged {
            listener,
            method: parts.method.to_string(),
            path_and_query: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            authorization: header("authorization"),
            origin: header("origin"),
            at: self.now(),
        };
        self.lock().log.push(logged);
    }

    /// 64 unpredictable-looking bits, unique per server (a counter through a bijective mix).
    fn draw(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        mix(self.seed ^ n)
    }

    /// A GUID-shaped id, unique per server.
    fn guid(&self) -> String {
        let (a, b) = (self.draw(), self.draw());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Opaque random-looking bytes for codes, refresh tokens and fake signatures.
    fn random_bytes(&self, len: usize) -> Vec<u8> {
        let mut out: Vec<u8> = (0..len.div_ceil(8))
            .flat_map(|_| self.draw().to_le_bytes())
            .collect();
        out.truncate(len);
        out
    }
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
}
