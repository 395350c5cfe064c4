//! The bench's side of the WebDriver wire (testkit's): one chromedriver for the run, a
//! fresh Chromium per session, with the DevTools calls the figures need.

use super::*;
use crate::tools::{CHROMEDRIVER, CHROMIUM};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::wire;

/// One chromedriver for the whole run; each `session` is a new Chromium with a new profile.
pub(super) struct Driver {
    wire: wire::Driver,
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
        let wire = wire::Driver::start(wire::Launch {
            name: "chromedriver",
            program: CHROMEDRIVER,
            args: &[],
            own_group: false,
            // Generous: the bench's own waits set the limits that matter.
            command_timeout: Duration::from_secs(180),
        })
        .map_err(|e| e.to_string())?;
        Ok(Driver { wire })
    }

    pub(super) fn session(&self, performance_log: bool) -> Result<Session, String> {
        let profile = wire::TempDir::new("lbh-bench").map_err(|e| e.to_string())?;
        let flags: Vec<String> = BENCH_CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        let logs = performance_log.then(|| json!({ "performance": "ALL" }));
        let caps = wire::chromium_capabilities(CHROMIUM, &flags, profile.path(), logs);
        let wire = self
            .wire
            .session(caps)
            .map_err(|e| format!("cannot start Chromium through chromedriver: {e}"))?;
        Ok(Session {
            wire,
            _profile: profile,
        })
    }
}

pub(super) struct Session {
    /// Dropped first: the browser quits before its profile is deleted.
    wire: wire::Session,
    _profile: wire::TempDir,
}

impl Session {
    pub(super) fn cmd(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        self.wire
            .cmd(method, path, body)
            .map_err(|e| format!("{method} {path}: {e}"))
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
        self.until_true(
            &format!("a button named {name:?}"),
            timeout,
            "const b = window.__bench.button(arguments[0]); return !!b && !b.disabled;",
            name,
        )
    }

    /// Waits for an enabled button with this accessible name, then clicks it (from JS).
    pub(super) fn click_when(&self, name: &str, timeout: Duration) -> Result<(), String> {
        self.until_true(
            &format!("a button named {name:?} to click"),
            timeout,
            "const b = window.__bench && window.__bench.button(arguments[0]); if (!b || b.disabled) return false; b.click(); return true;",
            name,
        )
    }

    /// Runs `js` (with `arg` as `arguments[0]`) until it answers true.
    fn until_true(&self, what: &str, timeout: Duration, js: &str, arg: &str) -> Result<(), String> {
        self.wait(what, timeout, || {
            let v = self.exec(js, vec![json!(arg)])?;
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
