//! A small blocking W3C WebDriver client for end-to-end tests: it starts its
//! own driver on a free port and opens a browser with a fresh profile, in the
//! engine `LBH_BROWSER` names (see [`Engine`]): `chromium` (the default;
//! `CHROMEDRIVER`, `CHROMIUM`), `firefox` (`GECKODRIVER`, `FIREFOX`, headless)
//! or `webkit` (`WEBKIT_DRIVER`, `MINIBROWSER`, on a virtual display through
//! `xvfb-run`, as WebKitGTK has no headless mode). It finds elements the way a
//! user (or a screen reader) does: by ARIA role and accessible name, as
//! computed by the engine's accessibility tree.
//!
//! Absence is only ever read from a settled page: `wait_gone`, `try_by_role` and
//! `all_by_role` look in the same script turn that sees the document loaded, not
//! being left (the page hook of `static_server` marks `beforeunload`) and no longer
//! `aria-busy` (the app's own ready marker on `<body>`, cleared once its first screen
//! is drawn), and wait while a navigation is in flight. A frame the test entered that is then
//! removed fails the test rather than reading as "nothing there".
//!
//! Browsers start one at a time per test process (two browsers on two cores were a
//! source of flakes): `Browser::start` waits while another test holds one.
//!
//! Every method panics with a clear message when the protocol fails. Waits
//! poll every 100 ms and give up after 10 s (see [`Browser::set_timeout`]);
//! a failed wait saves a screenshot to `tests/artifacts/` and lists the roles
//! and names the page did show.

use serde_json::{json, Value};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

use crate::wire::{self, Error as WdError};

mod browser;
mod element;
mod engine;
mod find;
mod keys;

pub use browser::Browser;
pub use element::Element;
pub use engine::Engine;
use engine::Turn;
use find::{selector_for, FIND_JS, OVERVIEW_SELECTOR, VISIBLE_JS};
use keys::key_actions;

// ------------------------------------------------------------------ session

impl WdError {
    /// The element went away between being found and being asked about.
    /// Chromedriver usually says "stale element reference", but when the
    /// document is replaced mid-command (a navigation, a sign-in redirect) the
    /// accessibility queries can fail with an inspector error instead.
    fn is_stale(&self) -> bool {
        self.error == "stale element reference"
            || self.error == "no such element"
            || self.is_navigation()
    }

    /// The frame the test switched into is gone for good (not a top-level navigation).
    fn is_detached_frame(&self) -> bool {
        self.error == "no such frame"
            || self.message.contains("Frame is detached")
            || self.message.contains("frame was detached")
    }

    /// The document went away while chromedriver was working in it.
    fn is_navigation(&self) -> bool {
        self.message.contains("does not belong to the document")
            || self.message.contains("No node with given id")
            || self.message.contains("Cannot find context with specified id")
            || self.message.contains("Execution context was destroyed")
            || self.message.contains("Inspected target navigated or closed")
            // Seen in CI while the tenant switch's redirect replaced the page.
            || self.message.contains("Frame is detached")
    }
}

struct Session {
    /// Dropped first: closes the browser, before its driver stops and its profile goes.
    wire: wire::Session,
    _driver: wire::Driver,
    timeout: Mutex<Duration>,
    console: Mutex<Vec<String>>,
    engine: Engine,
    /// Whether commands run inside an iframe (`enter_frame`), where "Frame is detached"
    /// means the frame was removed, not that the page is navigating.
    in_frame: std::sync::atomic::AtomicBool,
    _temp_dir: wire::TempDir,
    /// Held while this browser lives: one browser at a time in this process.
    _turn: Turn,
}

impl Session {
    fn try_cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        self.wire.cmd(method, path, body)
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_cmd(method, path, body)
            .unwrap_or_else(|e| panic!("webdriver {method} {path} failed: {e}"))
    }

    fn timeout(&self) -> Duration {
        *self.timeout.lock().unwrap()
    }

    fn try_exec(&self, js: &str, args: Vec<Value>) -> Result<Value, WdError> {
        let r = self.try_cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
        );
        if let Err(e) = &r {
            self.fail_on_detached_frame(e);
        }
        r
    }

    /// Inside an iframe, a detached frame is a removed frame: say so, rather than let
    /// an absence check read it as "not there".
    fn fail_on_detached_frame(&self, e: &WdError) {
        if self.in_frame.load(std::sync::atomic::Ordering::SeqCst) && e.is_detached_frame() {
            panic!(
                "webdriver: the frame this test entered was removed from the page: {e}\n{}",
                self.failure_screenshot()
            );
        }
    }

    /// Runs a script; if the document was being replaced under it (a redirect, a
    /// reload), runs it again in the new one, for up to 3 s.
    fn exec(&self, js: &str, args: Vec<Value>) -> Value {
        let start = Instant::now();
        loop {
            match self.try_exec(js, args.clone()) {
                Ok(v) => return v,
                Err(e) if e.is_navigation() && start.elapsed() < Duration::from_secs(3) => {
                    std::thread::sleep(POLL)
                }
                Err(e) => {
                    let short: String = js.trim().chars().take(120).collect();
                    panic!("webdriver execute failed: {e}\nscript: {short}")
                }
            }
        }
    }

    fn current_url(&self) -> String {
        self.try_cmd("GET", "/url", None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The viewport as PNG bytes.
    fn try_png(&self) -> Result<Vec<u8>, String> {
        use base64::Engine as _;
        let data = self
            .try_cmd("GET", "/screenshot", None)
            .map_err(|e| e.to_string())?;
        let data = data.as_str().ok_or("screenshot: not a base64 string")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("screenshot: {e}"))
    }

    fn screenshot(&self, path: &Path) {
        let png = self
            .try_png()
            .unwrap_or_else(|e| panic!("webdriver: cannot take a screenshot: {e}"));
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("screenshot: cannot write {}: {e}", path.display()));
    }

    /// Saves a screenshot into tests/artifacts/ for a failing wait; returns a
    /// line for the panic message.
    fn failure_screenshot(&self) -> String {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let test: String = std::thread::current()
            .name()
            .unwrap_or("test")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = crate::workspace_root()
            .join("tests/artifacts")
            .join(format!("{millis}-{test}.png"));
        let ok = (|| {
            let png = self.try_png().ok()?;
            std::fs::create_dir_all(path.parent()?).ok()?;
            std::fs::write(&path, png).ok()
        })();
        match ok {
            Some(()) => format!("screenshot: {}", path.display()),
            None => "screenshot: (could not be taken)".to_string(),
        }
    }

    fn element(self: &Arc<Self>, v: &Value) -> Option<Element> {
        let id = v.get(ELEMENT_KEY)?.as_str()?;
        Some(Element {
            s: self.clone(),
            id: id.to_string(),
        })
    }

    /// Displayed elements below `root` (or in the document) whose computed
    /// role is `role` and, if given, whose computed name is `name`. `None` when
    /// the answer cannot be trusted: a navigation is in flight, the page has not
    /// finished loading (when `settled` is asked for), or an element went away
    /// while it was being looked at.
    fn find(
        self: &Arc<Self>,
        root: Option<&Element>,
        role: &str,
        name: Option<&str>,
        settled: bool,
    ) -> Option<Vec<Element>> {
        let root_arg = root.map(Element::json).unwrap_or(Value::Null);
        let hint = name.unwrap_or("");
        let found = match self.try_exec(
            FIND_JS,
            vec![
                root_arg,
                json!(selector_for(role)),
                json!(hint),
                json!(settled),
                json!(self.in_frame.load(std::sync::atomic::Ordering::SeqCst)),
            ],
        ) {
            Ok(Value::Null) => return None,
            // Chromedriver runs commands in the top document once the frame it was in is
            // removed: what the test would read there is another page.
            Ok(Value::String(s)) if s == "detached" => {
                panic!("webdriver: the frame this test entered was removed from the page (commands now reach the top document)\n{}", self.failure_screenshot())
            }
            Ok(v) => v,
            Err(e) if e.is_stale() => return None,
            Err(e) => panic!("webdriver execute failed: {e}\nscript: FIND_JS"),
        };
        let mut out = Vec::new();
        for v in found.as_array().into_iter().flatten() {
            let Some(el) = self.element(v) else { continue };
            match el.try_role() {
                Ok(r) if self.engine.role_is(role, &r) => {}
                Ok(_) => continue,
                Err(e) if e.is_stale() => return None,
                Err(e) => panic!("webdriver computedrole failed: {e}"),
            }
            if let Some(name) = name {
                match el.try_name() {
                    Ok(n) if self.engine.name_is(role, name.trim(), &n) => {}
                    // WebKitGTK leaves some names from content empty (a column header
                    // whose text is beside a control): read the rendered text there.
                    Ok(n)
                        if n.is_empty()
                            && self.engine == Engine::Webkit
                            && el.text().trim() == name.trim() => {}
                    Ok(_) => continue,
                    Err(e) if e.is_stale() => return None,
                    Err(e) => panic!("webdriver computedlabel failed: {e}"),
                }
            }
            out.push(el);
        }
        Some(out)
    }

    /// What a settled page shows: waits (up to the timeout) while it is loading or
    /// being left, so that an empty answer means absent, not "between two pages".
    fn find_settled(
        self: &Arc<Self>,
        root: Option<&Element>,
        role: &str,
        name: Option<&str>,
    ) -> Vec<Element> {
        let what =
            format!("a settled page to look for {role} {name:?} in (a navigation was in flight, or the page stayed aria-busy)");
        self.wait_for(&what, root, None, || self.find(root, role, name, true))
    }

    /// Lists `role "name"` for the displayed elements of `role` and for the
    /// page's landmarks, headings and controls, for failure messages.
    fn describe(self: &Arc<Self>, root: Option<&Element>, role: &str) -> String {
        let root_arg = root.map(Element::json).unwrap_or(Value::Null);
        let selector = format!("{}, {}", selector_for(role), OVERVIEW_SELECTOR);
        let found = match self.try_exec(FIND_JS, vec![root_arg, json!(selector), json!("")]) {
            Ok(v) => v,
            Err(e) => return format!("  (could not list the page: {e})\n"),
        };
        let mut lines: Vec<String> = Vec::new();
        for v in found.as_array().into_iter().flatten().take(150) {
            let Some(el) = self.element(v) else { continue };
            let (Ok(r), Ok(n)) = (el.try_role(), el.try_name()) else {
                continue;
            };
            if matches!(
                r.as_str(),
                "" | "generic" | "none" | "presentation" | "StaticText"
            ) {
                continue;
            }
            let line = format!("  {r} {n:?}");
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        if lines.is_empty() {
            "  (nothing with a role is displayed)\n".to_string()
        } else {
            lines.join("\n") + "\n"
        }
    }

    /// Polls `f` every 100 ms until it returns Some, or panics after the timeout
    /// with `describe()` of what the page showed.
    fn wait_for<T>(
        self: &Arc<Self>,
        what: &str,
        root: Option<&Element>,
        role: Option<&str>,
        mut f: impl FnMut() -> Option<T>,
    ) -> T {
        let timeout = self.timeout();
        let start = Instant::now();
        loop {
            if let Some(t) = f() {
                return t;
            }
            if start.elapsed() >= timeout {
                let mut msg = format!("timed out after {timeout:?} waiting for: {what}\n");
                msg.push_str(&format!("url: {}\n", self.current_url()));
                if let Some(role) = role {
                    msg.push_str("the page shows these roles and names:\n");
                    msg.push_str(&self.describe(root, role));
                }
                msg.push_str(&self.console_summary());
                msg.push_str(&self.failure_screenshot());
                panic!("{msg}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Fetches new browser log entries; returns all SEVERE ones so far. Only
    /// chromedriver hands out the console; in the other engines the page hook of
    /// `static_server` keeps errors in the page (the current document's only).
    fn fetch_console_errors(&self) -> Result<Vec<String>, WdError> {
        if self.engine != Engine::Chromium {
            let v = self.try_exec("return (window.__lbh && window.__lbh.errors) || []", vec![])?;
            let mut all = self.console.lock().unwrap();
            for e in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !all.iter().any(|x| x == e) {
                    all.push(e.to_string());
                }
            }
            return Ok(all.clone());
        }
        let entries = self.try_cmd("POST", "/se/log", Some(json!({ "type": "browser" })))?;
        let mut all = self.console.lock().unwrap();
        for e in entries.as_array().into_iter().flatten() {
            if e.get("level").and_then(Value::as_str) == Some("SEVERE") {
                all.push(
                    e.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                );
            }
        }
        Ok(all.clone())
    }

    /// Console errors for failure messages (empty if there are none).
    fn console_summary(&self) -> String {
        match self.fetch_console_errors() {
            Ok(errors) if errors.is_empty() => String::new(),
            Ok(errors) => {
                let mut s = String::from("console errors:\n");
                for e in errors.iter().take(20) {
                    let short: String = e.chars().take(400).collect();
                    s.push_str(&format!("  {short}\n"));
                }
                s
            }
            Err(e) => format!("console errors: (could not read: {e})\n"),
        }
    }

    fn actions(&self, actions: Value) {
        self.cmd("POST", "/actions", Some(json!({ "actions": actions })));
    }
}
