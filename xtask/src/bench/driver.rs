//! The bench's WebDriver client: one chromedriver for the run, a fresh Chromium per session, with the DevTools calls the figures need.

use super::*;
use crate::tools::{CHROMEDRIVER, CHROMIUM};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use testkit::CHROME_ARGS;

/// One chromedriver for the whole run; each `session` is a new Chromium with a new profile.
pub(super) struct Driver {
    pub(super) child: Child,
    pub(super) base: String,
}

impl Driver {
    pub(super) fn start() -> Result<Driver, String> {
        for p in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(p).exists() {
                return Err(format!(
                    "{p} not found: `cargo xtask setup` installs chromium and chromium-driver"
                ));
            }
        }
        let port = free_port()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(v) = wd(&format!("{}/status", driver.base), "GET", None) {
                if v.get("ready").and_then(Value::as_bool) == Some(true) {
                    return Ok(driver);
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready in 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(super) fn session(&self, performance_log: bool) -> Result<Session, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "lbh-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)
            .map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
        let mut args: Vec<String> = CHROME_ARGS
            .iter()
            .chain(BENCH_CHROME_ARGS)
            .map(|s| s.to_string())
            .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        if performance_log {
            caps["goog:loggingPrefs"] = json!({ "performance": "ALL" });
        }
        let created = wd(
            &format!("{}/session", self.base),
            "POST",
            Some(&json!({ "capabilities": { "alwaysMatch": caps } })),
        );
        let created = match created {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(format!("cannot start Chromium through chromedriver: {e}"));
            }
        };
        let id = created
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or("new session without sessionId")?;
        Ok(Session {
            url: format!("{}/session/{id}", self.base),
            profile,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = wd(&format!("{}/shutdown", self.base), "GET", None);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver call: the `value` of the answer, or its error.
pub(super) fn wd(url: &str, method: &str, body: Option<&Value>) -> Result<Value, String> {
    let body_bytes = body.map(|b| b.to_string().into_bytes());
    let headers = [(
        "Content-Type",
        "application/json; charset=utf-8".to_string(),
    )];
    let resp = http(
        method,
        url,
        &headers,
        body_bytes.as_deref(),
        Duration::from_secs(180),
    )?;
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|e| format!("{method} {url}: not JSON ({e})"))?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if let Some(err) = value.get("error").and_then(Value::as_str) {
        let msg = value.get("message").and_then(Value::as_str).unwrap_or("");
        let msg: Vec<&str> = msg.lines().take(2).collect();
        return Err(format!("{method} {url}: {err}: {}", msg.join(" / ")));
    }
    if resp.status >= 400 {
        return Err(format!("{method} {url}: HTTP {}", resp.status));
    }
    Ok(value)
}

pub(super) struct Session {
    pub(super) url: String,
    pub(super) profile: PathBuf,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = wd(&self.url, "DELETE", None);
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Session {
    pub(super) fn cmd(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let body = body.or_else(|| (method == "POST").then(|| json!({})));
        wd(&format!("{}{path}", self.url), method, body.as_ref())
    }

    pub(super) fn exec(&self, js: &str, args: Vec<Value>) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
        )
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    pub(super) fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Runs the measuring script (with `config`) before any of the page's own, on every navigation.
    pub(super) fn inject(&self, config: &Value) -> Result<(), String> {
        let source = format!("window.__benchConfig = {config};\n{HARNESS}");
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )?;
        Ok(())
    }

    pub(super) fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))?;
        Ok(())
    }

    pub(super) fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut() -> Result<Option<T>, String>,
    ) -> Result<T, String> {
        let start = Instant::now();
        loop {
            if let Some(t) = f()? {
                return Ok(t);
            }
            if start.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(super) fn wait_button(&self, name: &str, timeout: Duration) -> Result<(), String> {
        self.wait(&format!("a button named {name:?}"), timeout, || {
            let v = self.exec(
                "const b = window.__bench.button(arguments[0]); return !!b && !b.disabled;",
                vec![json!(name)],
            )?;
            Ok((v == json!(true)).then_some(()))
        })
    }

    /// Waits for an enabled button with this accessible name, then clicks it (from JS).
    pub(super) fn click_when(&self, name: &str, timeout: Duration) -> Result<(), String> {
        self.wait(&format!("a button named {name:?} to click"), timeout, || {
            let v = self.exec(
                "const b = window.__bench && window.__bench.button(arguments[0]); if (!b || b.disabled) return false; b.click(); return true;",
                vec![json!(name)],
            )?;
            Ok((v == json!(true)).then_some(()))
        })
    }

    /// A real key press on the focused element ("7", or "\u{E003}" for Backspace).
    pub(super) fn key(&self, key: &str) -> Result<(), String> {
        let actions = json!([{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]);
        self.cmd("POST", "/actions", Some(json!({ "actions": actions })))?;
        self.cmd("DELETE", "/actions", None)?;
        Ok(())
    }

    /// Chromium's DevTools events since the last call (`goog:loggingPrefs` performance).
    pub(super) fn performance_log(&self) -> Result<Vec<Value>, String> {
        let entries = self.cmd("POST", "/se/log", Some(json!({ "type": "performance" })))?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str(e.get("message")?.as_str()?).ok())
            .collect())
    }
}
