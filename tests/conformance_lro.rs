#![cfg(not(target_arch = "wasm32"))]
//! Conformance of `arm::lro` against `@microsoft.azure/autorest.testserver`, the offline
//! server every Azure SDK generator tests its long-running-operation pollers against.
//!
//! The test starts the server with node on a free 127.0.0.1 port, drives our `Lro`
//! machine through a small host-side HTTP transport (ureq; non-2xx answers are answers,
//! redirects are not followed) with a fake clock (a wait advances a number, nothing
//! sleeps), checks each scenario's exact exchange and outcome, and at the end reads the
//! server's own coverage report (`GET /report/azure`) to prove every scenario was hit.
//!
//! The server is installed by `cargo xtask setup` (xtask/src/tools.rs) and found through
//! `LBH_AUTOREST_CLI`, set by `cargo xtask test`, or at its default place under target/.
//!
//! The transport keeps cookies: the server's "retry after an error" scenarios remember,
//! in a `scenario` cookie, that they already failed once (that is how the Azure SDKs'
//! own test clients run them). ARM uses no cookies; it is the harness, not the machine.

use lb_health::arm::error::{ArmError, ErrorKind};
use lb_health::arm::lro::{Lro, Policy, Step};
use lb_health::http::{Method, Request, Response, TransportError};
use std::cell::RefCell;
use std::fs::File;
use std::net::TcpListener;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `cargo xtask setup` installs the server, relative to the workspace root.
const DEFAULT_CLI: &str =
    "target/tools/npm/node_modules/@microsoft.azure/autorest.testserver/dist/cli/cli.js";

/// A machine that has not ended after this many requests is looping.
const MAX_REQUESTS: usize = 20;

// ------------------------------------------------------------------ the server

fn cli_path() -> PathBuf {
    let hint = "run `cargo xtask setup` to install @microsoft.azure/autorest.testserver";
    if let Some(p) = std::env::var_os("LBH_AUTOREST_CLI").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "LBH_AUTOREST_CLI={} does not exist: {hint}",
            p.display()
        );
        return p;
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CLI);
    assert!(
        p.is_file(),
        "the LRO conformance server is not installed (LBH_AUTOREST_CLI is unset and {} does not exist): {hint}",
        p.display()
    );
    p
}

/// Ends node when the pipe to its stdin closes, i.e. when this test process is gone,
/// however it went (Drop does not run on SIGKILL or abort).
const EXIT_WITH_PARENT_JS: &str = "process.stdin.on('end', () => process.exit(0));\n\
     process.stdin.on('error', () => process.exit(0));\n\
     process.stdin.resume();\n";

/// The running test server; killed on drop, also when a test panics.
struct TestServer {
    child: Child,
    _stdin: ChildStdin,
    origin: String,
    dir: PathBuf,
    log: PathBuf,
}

impl TestServer {
    fn start() -> TestServer {
        let cli = cli_path();
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("autorest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let guard = dir.join("exit-with-parent.js");
        // A port can be taken between our probe and node's listen: try a few.
        let mut last = String::new();
        for attempt in 0..3 {
            // (Again each time: a failed attempt's drop removed the directory.)
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&guard, EXIT_WITH_PARENT_JS).unwrap();
            let port = free_port();
            let log = dir.join(format!("server-{attempt}.log"));
            let out = File::create(&log).unwrap();
            let mut child = Command::new("node")
                .arg("--require")
                .arg(&guard)
                .arg(&cli)
                .arg("run")
                .arg(format!("--port={port}"))
                .arg(format!(
                    "--coverageDirectory={}",
                    dir.join("coverage").display()
                ))
                .current_dir(&dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::from(out.try_clone().unwrap()))
                .stderr(Stdio::from(out))
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run node (install nodejs, or run `cargo xtask setup`): {e}")
                });
            let stdin = child.stdin.take().unwrap();
            let mut server = TestServer {
                child,
                _stdin: stdin,
                origin: format!("http://127.0.0.1:{port}"),
                dir: dir.clone(),
                log,
            };
            match server.wait_ready(Duration::from_secs(60)) {
                Ok(()) => return server,
                Err(e) => {
                    last = format!("{e}\n--- server log ---\n{}", server.log_tail());
                    // Only a lost race for the port is worth another go.
                    if !last.contains("EADDRINUSE") {
                        break;
                    }
                }
            }
        }
        panic!("the autorest test server did not start: {last}");
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        // Short: whatever holds the port if node lost the race for it may never answer.
        let agent = agent_with_timeout(Duration::from_secs(2));
        loop {
            if let Ok(r) = agent.get(&format!("{}/report/azure", self.origin)).call() {
                if r.status() == 200 {
                    return Ok(());
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("node exited before answering ({status})"));
            }
            if started.elapsed() > limit {
                return Err(format!("no answer on {} after {limit:?}", self.origin));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default());
        // Skip the ~1000 "Registering route" lines.
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.contains("Registering route"))
            .collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The server's own account of which `azure` scenarios were hit, and how often.
    fn coverage(&self) -> serde_json::Map<String, serde_json::Value> {
        let url = format!("{}/report/azure", self.origin);
        let mut r = agent()
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert_eq!(r.status(), 200, "GET {url}");
        let v: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v.as_object()
            .cloned()
            .unwrap_or_else(|| panic!("GET {url} is not a JSON object: {v}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The server's logger colours its lines.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, ended by a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

// ------------------------------------------------------------------ the transport

fn agent() -> ureq::Agent {
    agent_with_timeout(Duration::from_secs(15))
}

fn agent_with_timeout(t: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(t))
        .build()
        .into()
}

/// A host-side transport over real HTTP, with a cookie jar (see the module doc) and a
/// record of the exchange.
struct Http {
    agent: ureq::Agent,
    origin: String,
    cookies: RefCell<Vec<(String, String)>>,
    trace: RefCell<Vec<String>>,
    requests: RefCell<usize>,
}

impl Http {
    fn new(origin: &str) -> Http {
        Http {
            agent: agent(),
            origin: origin.to_owned(),
            cookies: RefCell::new(Vec::new()),
            trace: RefCell::new(Vec::new()),
            requests: RefCell::new(0),
        }
    }

    fn short<'a>(&self, url: &'a str) -> &'a str {
        url.strip_prefix(self.origin.as_str()).unwrap_or(url)
    }

    fn send(&self, req: &Request) -> Result<Response, TransportError> {
        *self.requests.borrow_mut() += 1;
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(&req.url);
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        let jar = self
            .cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            b = b.header("Cookie", jar);
        }
        let sent = match (req.method, &req.body) {
            // Like the browser's fetch: a POST without a body still says Content-Length: 0.
            (_, Some(body)) => self.agent.run(
                b.body(body.clone())
                    .map_err(|e| TransportError::Network(e.to_string()))?,
            ),
            (Method::Post, None) => self.agent.run(
                b.body(String::new())
                    .map_err(|e| TransportError::Network(e.to_string()))?,
            ),
            (Method::Get, None) => self.agent.run(
                b.body(())
                    .map_err(|e| TransportError::Network(e.to_string()))?,
            ),
        };
        let line = format!("{} {}", req.method.as_str(), self.short(&req.url));
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => {
                self.trace
                    .borrow_mut()
                    .push(format!("{line} -> network error"));
                return Err(TransportError::Network(e.to_string()));
            }
        };
        let status = resp.status().as_u16();
        self.trace.borrow_mut().push(format!("{line} -> {status}"));
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        for (_, v) in headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        {
            self.set_cookie(v);
        }
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| TransportError::Body(e.to_string()))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Enough of RFC 6265 for one host: set, replace, and clear (empty value, an
    /// expiry in 1970 or Max-Age=0).
    fn set_cookie(&self, header: &str) {
        let mut parts = header.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let expired = value.is_empty()
            || parts.any(|a| {
                a.eq_ignore_ascii_case("max-age=0")
                    || (a.to_ascii_lowercase().starts_with("expires=") && a.contains("1970"))
            });
        let mut jar = self.cookies.borrow_mut();
        jar.retain(|(k, _)| k != name);
        if !expired {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
}

// ------------------------------------------------------------------ driving the machine

struct Run {
    result: Result<Response, ArmError>,
    /// Requests with their statuses and the waits between them, e.g.
    /// `POST /lro/x -> 202`, `wait 1000 Pending`.
    trace: Vec<String>,
    requests: usize,
    /// Fake time the machine waited in all.
    waited_ms: u64,
}

/// Runs one operation to its end, as `ArmClient::drive` does, but on a fake clock.
fn drive(http: &Http, initial: Request) -> Run {
    let mut now = 0.0;
    let mut waited_ms = 0;
    let (mut lro, mut step) = Lro::start(initial, now, Policy::default());
    let result = loop {
        step = match step {
            Step::Send(req) => {
                if *http.requests.borrow() >= MAX_REQUESTS {
                    break Err(ArmError::new(
                        ErrorKind::Cancelled,
                        format!("still sending after {MAX_REQUESTS} requests"),
                    ));
                }
                let answer = http.send(&req);
                lro.on_answer(now, answer)
            }
            Step::Wait { ms, reason } => {
                http.trace
                    .borrow_mut()
                    .push(format!("wait {ms} {reason:?}"));
                now += ms as f64;
                waited_ms += ms;
                lro.on_wake(now)
            }
            Step::Done(r) => break Ok(r),
            Step::Failed(e) => break Err(e),
        };
    };
    let requests = *http.requests.borrow();
    Run {
        result,
        trace: http.trace.borrow().clone(),
        requests,
        waited_ms,
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("the final body is not JSON ({e}): {body:?}"))
}

fn done(run: &Run) -> &Response {
    match &run.result {
        Ok(r) => r,
        Err(e) => panic!("expected Done, got Failed({:?}: {e})", e.kind),
    }
}

fn failed(run: &Run) -> &ArmError {
    match &run.result {
        Err(e) => e,
        Ok(r) => panic!("expected Failed, got Done({} {:?})", r.status, r.body),
    }
}

// ------------------------------------------------------------------ the scenarios

struct Scenario {
    /// The server's coverage name for it.
    name: &'static str,
    path: &'static str,
    /// The exact exchange: requests with their answers, and the machine's waits.
    trace: &'static [&'static str],
    check: fn(&Run),
}

const SCENARIOS: &[Scenario] = &[
    // 202 + Location (itself) + Retry-After: 0; the first poll goes at once whatever the
    // 202 says; it answers 202 naming a new Location, which answers 200 with the result.
    Scenario {
        name: "LROPostSuccededWithBody",
        path: "/lro/post/202/retry/200",
        trace: &[
            "POST /lro/post/202/retry/200 -> 202",
            "wait 0 Pending", // the first poll at once, as the SDKs' pollers
            "GET /lro/post/202/retry/200 -> 202",
            "wait 1000 Pending", // Retry-After: 0, floored to 1 s
            "GET /lro/post/newuri/202/retry/200 -> 200",
        ],
        check: |run| {
            let r = done(run);
            assert_eq!(r.status, 200);
            let v = json(&r.body);
            assert_eq!(v["properties"]["provisioningState"], "Succeeded");
            assert_eq!(v["id"], "100");
            assert_eq!(v["name"], "foo");
        },
    },
    // No Retry-After anywhere: the first poll at once (as the SDKs' pollers do), then
    // our own backoff (2 s); ends on a 204.
    Scenario {
        name: "LROPostSuccededNoBody",
        path: "/lro/post/202/noretry/204",
        trace: &[
            "POST /lro/post/202/noretry/204 -> 202",
            "wait 0 Pending",
            "GET /lro/post/202/noretry/204 -> 202",
            "wait 2000 Pending",
            "GET /lro/post/newuri/202/noretry/204 -> 204",
        ],
        check: |run| {
            let r = done(run);
            assert_eq!(r.status, 204);
            assert_eq!(r.body, "");
        },
    },
    Scenario {
        name: "LROPost200",
        path: "/lro/post/payload/200",
        trace: &[
            "POST /lro/post/payload/200 -> 202",
            "wait 0 Pending",
            "GET /lro/post/payload/200 -> 200",
        ],
        check: |run| {
            let r = done(run);
            assert_eq!(r.status, 200);
            assert_eq!(
                json(&r.body),
                serde_json::json!({"id": "1", "name": "product"})
            );
        },
    },
    // A 500 on the POST and another on the poll: each retried once (at once, as the Azure
    // SDKs do), then success.
    Scenario {
        name: "LRORetryErrorPost202Retry200Succeeded",
        path: "/lro/retryerror/post/202/retry/200",
        trace: &[
            "POST /lro/retryerror/post/202/retry/200 -> 500",
            "wait 0 Transient",
            "POST /lro/retryerror/post/202/retry/200 -> 202",
            "wait 0 Pending",
            "GET /lro/retryerror/post/202/retry/200/operationResults -> 500",
            "wait 0 Transient",
            "GET /lro/retryerror/post/202/retry/200/operationResults -> 200",
        ],
        check: |run| {
            let r = done(run);
            assert_eq!(r.status, 200);
            assert_eq!(
                json(&r.body)["properties"]["provisioningState"],
                "Succeeded"
            );
        },
    },
    Scenario {
        name: "LRONonRetryPost400",
        path: "/lro/nonretryerror/post/400",
        trace: &["POST /lro/nonretryerror/post/400 -> 400"],
        check: |run| {
            let e = failed(run);
            assert_eq!(e.kind, ErrorKind::Rejected);
            assert_eq!(e.status, Some(400));
        },
    },
    Scenario {
        name: "LRONonRetryPost202Retry400",
        path: "/lro/nonretryerror/post/202/retry/400",
        trace: &[
            "POST /lro/nonretryerror/post/202/retry/400 -> 202",
            "wait 0 Pending",
            "GET /lro/nonretryerror/post/202/retry/400 -> 400",
        ],
        check: |run| {
            let e = failed(run);
            assert_eq!(e.kind, ErrorKind::Rejected);
            assert_eq!(e.status, Some(400));
        },
    },
    Scenario {
        name: "LROErrorPostNoLocation",
        path: "/lro/error/post/202/nolocation",
        trace: &["POST /lro/error/post/202/nolocation -> 202"],
        check: |run| {
            let e = failed(run);
            assert_eq!(e.kind, ErrorKind::LocationMissing);
            assert_eq!(e.status, Some(202));
        },
    },
    // 202 with `Location: /foo` and `Retry-After: /bar`. The SDKs must fail this one;
    // we fail at once, without polling: a relative Location is refused as
    // `LocationUnusable` (ARM always sends an absolute URL, and guessing a base for a
    // URL that will carry the token is what the machine must not do). The junk
    // Retry-After is never reached (and would fall back to our backoff if it were).
    Scenario {
        name: "LROErrorPost202RetryInvalidHeader",
        path: "/lro/error/post/202/retry/invalidheader",
        trace: &["POST /lro/error/post/202/retry/invalidheader -> 202"],
        check: |run| {
            let e = failed(run);
            assert_eq!(e.kind, ErrorKind::LocationUnusable);
            assert_eq!(e.status, Some(202));
            assert!(
                e.message.contains("not an absolute URL: /foo"),
                "{}",
                e.message
            );
        },
    },
];

#[test]
fn lro_machine_passes_the_autorest_testserver_post_scenarios() {
    let started = Instant::now();
    let server = TestServer::start();
    let before = server.coverage();
    for s in SCENARIOS {
        assert_eq!(
            before.get(s.name).and_then(|v| v.as_u64()),
            Some(0),
            "the server does not list scenario {} as not yet hit",
            s.name
        );
    }

    let mut failures = Vec::new();
    for s in SCENARIOS {
        let http = Http::new(&server.origin);
        let run = drive(
            &http,
            Request::post(format!("{}{}", server.origin, s.path), None),
        );
        let outcome = match &run.result {
            Ok(r) => format!("Done({})", r.status),
            Err(e) => format!("Failed({:?}, status {:?}: {})", e.kind, e.status, e.message),
        };
        println!(
            "{:<40} {} in {} requests, {} ms of fake waiting\n    {}",
            s.name,
            outcome,
            run.requests,
            run.waited_ms,
            run.trace.join("\n    ")
        );
        let checked = catch_unwind(AssertUnwindSafe(|| {
            assert!(
                run.requests <= 5,
                "{} requests, expected at most 5",
                run.requests
            );
            assert_eq!(run.trace, s.trace, "the exchange differs");
            (s.check)(&run);
        }));
        if let Err(p) = checked {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!(
                "{} ({}): {msg}\n    got: {outcome}\n    {}",
                s.name,
                s.path,
                run.trace.join("\n    ")
            ));
        }
    }

    let after = server.coverage();
    let missed: Vec<String> = SCENARIOS
        .iter()
        .filter(|s| after.get(s.name).and_then(|v| v.as_u64()).unwrap_or(0) == 0)
        .map(|s| format!("{} ({})", s.name, s.path))
        .collect();
    if !missed.is_empty() {
        failures.push(format!(
            "the server's coverage report does not show as hit: {}",
            missed.join(", ")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}\n--- server log (kept in {}) ---\n{}",
        failures.len(),
        SCENARIOS.len() + 1,
        failures.join("\n"),
        server.dir.display(),
        server.log_tail()
    );
    println!(
        "all {} scenarios conform, and the server counts each as hit ({:?})",
        SCENARIOS.len(),
        started.elapsed()
    );
}
