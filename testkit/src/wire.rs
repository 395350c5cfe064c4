//! The WebDriver wire both [`crate::Browser`] and `cargo xtask bench` stand on: a driver
//! process on a free port of 127.0.0.1, sessions opened from given capabilities, and
//! commands that answer `Result<Value, Error>`. Nothing here panics or waits for page
//! conditions: that is the callers' business (the tests' role queries, the bench's
//! DevTools figures).
//!
//! Dropping a [`Session`] closes its browser; dropping a [`Driver`] stops the driver;
//! dropping a [`TempDir`] deletes it. Declare them in that order in a struct, so the
//! browser is gone before its profile is deleted.

use serde_json::{json, Value};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A failed WebDriver call: the protocol's error code and message, or (status 0) a
/// transport or launch failure.
#[derive(Debug)]
pub struct Error {
    /// The HTTP status, 0 when there was no answer.
    pub status: u16,
    /// The W3C error code ("no such element", ...), or what failed before one.
    pub error: String,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Chromedriver appends a long native stack trace; keep the first lines.
        let msg: Vec<&str> = self.message.lines().take(3).collect();
        write!(
            f,
            "{} (HTTP {}): {}",
            self.error,
            self.status,
            msg.join(" / ")
        )
    }
}

impl std::error::Error for Error {}

impl Error {
    fn local(error: &str, message: String) -> Error {
        Error {
            status: 0,
            error: error.into(),
            message,
        }
    }
}

/// One WebDriver request: the answer's `value`, or its error. A POST without a body
/// sends `{}`, as the protocol wants.
fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, Error> {
    let transport = |e: ureq::Error| Error::local("transport", format!("{method} {url}: {e}"));
    let mut resp = match method {
        "GET" => agent.get(url).call(),
        "DELETE" => agent.delete(url).call(),
        _ => agent
            .post(url)
            .send_json(body.cloned().unwrap_or_else(|| json!({}))),
    }
    .map_err(transport)?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(512 * 1024 * 1024)
        .read_to_string()
        .map_err(transport)?;
    let parsed: Value = serde_json::from_str(&text).map_err(|e| Error {
        status,
        error: "invalid response".into(),
        message: format!(
            "{method} {url}: {e}: {}",
            text.chars().take(300).collect::<String>()
        ),
    })?;
    let value = parsed.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 || value.get("error").and_then(Value::as_str).is_some() {
        return Err(Error {
            status,
            error: value
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("unknown error")
                .to_string(),
            message: value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or(&text)
                .to_string(),
        });
    }
    Ok(value)
}

/// How to run a driver: `program args... --port=N`.
pub struct Launch<'a> {
    /// For messages ("chromedriver").
    pub name: &'a str,
    pub program: &'a str,
    /// The arguments before `--port=N`.
    pub args: &'a [String],
    /// Run it in a process group of its own and end that group on drop: for a driver
    /// behind a wrapper that waits for its children (WebKitWebDriver under xvfb-run,
    /// which has no shutdown command either).
    pub own_group: bool,
    /// The longest one command may take.
    pub command_timeout: Duration,
}

/// A running driver. Dropping it asks the driver to quit, then makes sure.
pub struct Driver {
    agent: ureq::Agent,
    /// `http://127.0.0.1:PORT`
    url: String,
    child: Child,
    own_group: bool,
}

impl Driver {
    /// Starts the driver on a free port and waits (up to 30 s) until its `/status` does
    /// not say it is unready; tries three ports in case another process takes one.
    pub fn start(launch: Launch<'_>) -> Result<Driver, Error> {
        let Launch {
            name,
            program,
            args,
            own_group,
            command_timeout,
        } = launch;
        let agent = agent(command_timeout);
        let mut last_problem = String::new();
        for _attempt in 0..3 {
            let port = free_port()?;
            let mut cmd = Command::new(program);
            cmd.args(args)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if own_group {
                std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
            }
            let child = cmd
                .spawn()
                .map_err(|e| Error::local("launch", format!("cannot start {program}: {e}")))?;
            // From here on, Drop stops it whatever happens.
            let mut driver = Driver {
                agent: agent.clone(),
                url: format!("http://127.0.0.1:{port}"),
                child,
                own_group,
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(status)) = driver.child.try_wait() {
                    last_problem = format!("{name} exited early ({status})");
                    break;
                }
                match driver.call("GET", "/status", None) {
                    Ok(v) if v.get("ready").and_then(Value::as_bool) != Some(false) => {
                        return Ok(driver)
                    }
                    Ok(v) => last_problem = format!("{name} not ready: {v}"),
                    Err(e) => last_problem = e.to_string(),
                }
                if Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Err(Error::local(
            "launch",
            format!("{name} ({program}) did not become ready: {last_problem}"),
        ))
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A command to the driver itself (`/status`, `/shutdown`).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Error> {
        call(&self.agent, method, &format!("{}{path}", self.url), body)
    }

    /// A new browser with these capabilities (`alwaysMatch`).
    pub fn session(&self, capabilities: Value) -> Result<Session, Error> {
        let created = self.call(
            "POST",
            "/session",
            Some(&json!({ "capabilities": { "alwaysMatch": capabilities } })),
        )?;
        let id = created
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::local(
                    "invalid response",
                    format!("new session without sessionId: {created}"),
                )
            })?;
        Ok(Session {
            agent: self.agent.clone(),
            url: format!("{}/session/{id}", self.url),
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.call("GET", "/shutdown", None);
        if self.own_group {
            // End the process group the driver was started in (its own, by id).
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", self.child.id())])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return;
                }
            }
        }
    }
}

/// A browser opened through a [`Driver`]. Dropping it closes the browser.
pub struct Session {
    agent: ureq::Agent,
    /// `http://127.0.0.1:PORT/session/ID`
    url: String,
}

impl Session {
    /// A command on this session: `path` follows `/session/ID` (`/url`, `/execute/sync`).
    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Error> {
        call(
            &self.agent,
            method,
            &format!("{}{path}", self.url),
            body.as_ref(),
        )
    }

    /// `http://127.0.0.1:PORT/session/ID`
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.url, None);
    }
}

/// A fresh directory under the system's temp dir (a browser profile), deleted on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `<tmp>/<prefix>-<pid>-<n>-<nanos>`, created empty.
    pub fn new(prefix: &str) -> Result<TempDir, Error> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::local("temp dir", format!("cannot create {}: {e}", dir.display()))
        })?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A browser that just quit may still be writing its profile for a moment.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.0).is_ok() || !self.0.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Capabilities for Chromium at `binary`: the shared headless flags, then `flags`, then
/// the profile; `logs`, if any, is `goog:loggingPrefs` (`{"browser": "ALL"}`).
pub fn chromium_capabilities(
    binary: &str,
    flags: &[String],
    profile: &Path,
    logs: Option<Value>,
) -> Value {
    let mut args: Vec<String> = crate::CHROME_ARGS.iter().map(|s| s.to_string()).collect();
    args.extend(flags.iter().cloned());
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": binary, "args": args },
    });
    if let Some(logs) = logs {
        caps["goog:loggingPrefs"] = logs;
    }
    caps
}

fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(timeout))
        .build();
    ureq::Agent::new_with_config(config)
}

fn free_port() -> Result<u16, Error> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::local("launch", format!("no free port on 127.0.0.1: {e}")))
}
