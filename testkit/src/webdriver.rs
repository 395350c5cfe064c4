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

// ------------------------------------------------------------------ role lookup

/// CSS candidates for an ARIA role; the computed role filters them exactly.
fn selector_for(role: &str) -> String {
    let native = match role {
        "button" => "button, input[type=button], input[type=submit], input[type=reset], input[type=image], summary",
        // Chromium computes this (non-ARIA) role for <summary>, the toggle of a <details>.
        "DisclosureTriangle" => "summary",
        "link" => "a[href], area[href]",
        "dialog" => "dialog, [role=alertdialog]",
        "alertdialog" => "dialog",
        "heading" => "h1, h2, h3, h4, h5, h6",
        "row" => "tr",
        "cell" => "td, [role=gridcell]",
        "gridcell" => "td",
        "columnheader" | "rowheader" => "th",
        "table" => "table, [role=grid]",
        "grid" => "table",
        "rowgroup" => "thead, tbody, tfoot",
        "tooltip" => "[popover]",
        "status" => "output",
        "alert" => "[aria-live=assertive]",
        "group" => "fieldset, details, optgroup",
        "region" => "section",
        "progressbar" => "progress",
        "meter" => "meter",
        "list" => "ul, ol, menu",
        "listitem" => "li",
        "textbox" => "input:not([type]), input[type=text], input[type=email], input[type=tel], input[type=url], input[type=password], textarea, [contenteditable]",
        "searchbox" => "input[type=search]",
        "combobox" => "select, input[list], input:not([type]), input[type=text], input[type=search], input[type=email], input[type=tel], input[type=url]",
        "listbox" => "select, datalist",
        "option" => "option",
        "checkbox" => "input[type=checkbox]",
        "radio" => "input[type=radio]",
        "slider" => "input[type=range]",
        "spinbutton" => "input[type=number]",
        "switch" => "input[type=checkbox]",
        "navigation" => "nav",
        "banner" => "header",
        "contentinfo" => "footer",
        "main" => "main",
        "complementary" => "aside",
        "form" => "form",
        "search" => "search",
        "article" => "article",
        "img" | "image" => "img, svg, [role~=img], [role~=image]",
        "figure" => "figure",
        "separator" => "hr",
        "paragraph" => "p",
        "term" => "dt, dfn",
        "definition" => "dd",
        _ => "",
    };
    // Explicit roles may carry fallbacks ("switch checkbox"): match the word.
    let explicit = format!("[role~=\"{}\"]", role.replace(['"', '\\'], ""));
    if native.is_empty() {
        explicit
    } else {
        format!("{native}, {explicit}")
    }
}

/// What a failed wait lists besides the asked role.
const OVERVIEW_SELECTOR: &str = "button, a[href], h1, h2, h3, h4, h5, h6, dialog, [role], input, select, textarea, \
     table, nav, main, header, footer, aside, section, form, summary, progress, output, fieldset, ul, ol";

/// Whether an element is displayed (what a user could see), shared by the two scripts.
macro_rules! visible_js {
    () => {
        r#"
const visible = el => {
  if (!el.isConnected) return false;
  if (el.tagName === 'OPTION') { const s = el.closest('select, datalist'); return !s || visible(s); }
  if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  if (el.getClientRects().length > 0) return true;
  return getComputedStyle(el).display === 'contents';
};
"#
    };
}

/// arguments: [root element or null, selector, name hint]. Returns the
/// displayed matches in document order. To save round trips, the hint drops
/// elements whose text, `<label>`s, `aria-labelledby` targets and label-like
/// attributes (also on descendants) cannot contain the name (whitespace and
/// case ignored); the exact name comes from Chromium afterwards. (A name made
/// only of CSS generated content would be missed.)
const FIND_JS: &str = concat!(
    visible_js!(),
    r#"
if (arguments[4] && window === window.top) return 'detached';
if (arguments[3] && !(document.readyState === 'complete' && !(window.__lbh && window.__lbh.leaving) && !(document.body && document.body.getAttribute('aria-busy') === 'true'))) return null;
const root = arguments[0] || document;
const sel = arguments[1];
const squash = s => (s || '').replace(/\s+/g, '').toLowerCase();
const hint = squash(arguments[2]);
const mayBeNamed = el => {
  if (!hint) return true;
  let text = (el.textContent || '') + ' ' + (typeof el.value === 'string' ? el.value : '');
  const attrs = ['aria-label', 'title', 'alt', 'placeholder', 'value'];
  for (const n of [el, ...el.querySelectorAll('[aria-label], [aria-labelledby], [title], [alt]')]) {
    for (const a of attrs) text += ' ' + (n.getAttribute(a) || '');
    for (const id of (n.getAttribute('aria-labelledby') || '').split(/\s+/)) {
      const ref = id && document.getElementById(id);
      if (ref) text += ' ' + ref.textContent + ' ' + (ref.getAttribute('aria-label') || '');
    }
  }
  if (el.labels) for (const l of el.labels) text += ' ' + l.textContent;
  return squash(text).includes(hint);
};
const out = [];
for (const el of root.querySelectorAll(sel)) {
  if (visible(el) && mayBeNamed(el)) out.push(el);
}
return out;
"#
);

const VISIBLE_JS: &str = concat!(visible_js!(), "return visible(arguments[0]);");

// ------------------------------------------------------------------ keys

fn key_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "Escape" | "Esc" => "\u{E00C}",
        "Tab" => "\u{E004}",
        "Enter" | "Return" => "\u{E007}",
        "Space" => " ",
        "Backspace" => "\u{E003}",
        "Delete" => "\u{E017}",
        "ArrowUp" => "\u{E013}",
        "ArrowDown" => "\u{E015}",
        "ArrowLeft" => "\u{E012}",
        "ArrowRight" => "\u{E014}",
        "Home" => "\u{E011}",
        "End" => "\u{E010}",
        "PageUp" => "\u{E00E}",
        "PageDown" => "\u{E00F}",
        "Shift" => "\u{E008}",
        "Control" | "Ctrl" => "\u{E009}",
        "Alt" => "\u{E00A}",
        "Meta" => "\u{E03D}",
        _ => return None,
    })
}

/// Key actions for "Escape", "Shift+Tab", "Control+a" or plain text.
fn key_actions(key: &str) -> Vec<Value> {
    let down = |v: &str| json!({ "type": "keyDown", "value": v });
    let up = |v: &str| json!({ "type": "keyUp", "value": v });
    if let Some(code) = key_code(key) {
        return vec![down(code), up(code)];
    }
    let parts: Vec<&str> = key.split('+').collect();
    if parts.len() > 1 && parts.iter().all(|p| !p.is_empty()) {
        let (last, mods) = parts.split_last().unwrap();
        let mod_codes: Option<Vec<&str>> = mods.iter().map(|m| key_code(m)).collect();
        let last_code = key_code(last).map(str::to_string).or_else(|| {
            let mut cs = last.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c.to_string()),
                _ => None,
            }
        });
        if let (Some(mods), Some(last)) = (mod_codes, last_code) {
            let mut acts: Vec<Value> = mods.iter().map(|m| down(m)).collect();
            acts.push(down(&last));
            acts.push(up(&last));
            acts.extend(mods.iter().rev().map(|m| up(m)));
            return acts;
        }
    }
    key.chars()
        .flat_map(|c| {
            let s = c.to_string();
            [down(&s), up(&s)]
        })
        .collect()
}

// ------------------------------------------------------------------ engines

/// A browser engine and how to drive it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Engine {
    Chromium,
    Firefox,
    Webkit,
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

impl Engine {
    /// `LBH_BROWSER`: chromium (default), firefox or webkit.
    pub fn from_env() -> Engine {
        match std::env::var("LBH_BROWSER").as_deref() {
            Err(_) | Ok("") | Ok("chromium") | Ok("chrome") => Engine::Chromium,
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::Webkit,
            Ok(other) => panic!("LBH_BROWSER={other}: expected chromium, firefox or webkit"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    fn geckodriver() -> String {
        let home = std::env::var("CARGO_HOME")
            .unwrap_or_else(|_| format!("{}/.cargo", env_or("HOME", "/root")));
        env_or("GECKODRIVER", &format!("{home}/bin/geckodriver"))
    }

    /// The files this engine needs, with the variable that names each.
    fn files(self) -> Vec<(&'static str, String)> {
        match self {
            Engine::Chromium => vec![
                (
                    "CHROMEDRIVER",
                    env_or("CHROMEDRIVER", "/usr/bin/chromedriver"),
                ),
                ("CHROMIUM", env_or("CHROMIUM", "/usr/bin/chromium")),
            ],
            Engine::Firefox => vec![
                ("GECKODRIVER", Engine::geckodriver()),
                ("FIREFOX", env_or("FIREFOX", "/usr/bin/firefox-esr")),
            ],
            Engine::Webkit => vec![
                (
                    "WEBKIT_DRIVER",
                    env_or("WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver"),
                ),
                (
                    "MINIBROWSER",
                    env_or(
                        "MINIBROWSER",
                        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                    ),
                ),
                ("XVFB_RUN", "/usr/bin/xvfb-run".to_string()),
            ],
        }
    }

    /// (the driver's name, the program to run, its arguments before `--port=N`)
    fn driver(self) -> (&'static str, String, Vec<String>) {
        match self {
            Engine::Chromium => (
                "chromedriver",
                env_or("CHROMEDRIVER", "/usr/bin/chromedriver"),
                vec![],
            ),
            Engine::Firefox => ("geckodriver", Engine::geckodriver(), vec![]),
            // WebKitGTK has no headless mode: a virtual display of its own (-a: a free one).
            Engine::Webkit => (
                "WebKitWebDriver",
                "/usr/bin/xvfb-run".to_string(),
                vec![
                    "-a".into(),
                    "-s".into(),
                    "-screen 0 1280x1024x24".into(),
                    env_or("WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver"),
                ],
            ),
        }
    }

    fn capabilities(self, w: u32, h: u32, extra_flags: &[&str], temp_dir: &Path) -> Value {
        match self {
            Engine::Chromium => {
                let mut flags = vec![format!("--window-size={w},{h}")];
                flags.extend(extra_flags.iter().map(|f| f.to_string()));
                wire::chromium_capabilities(
                    &env_or("CHROMIUM", "/usr/bin/chromium"),
                    &flags,
                    &temp_dir.join("profile"),
                    Some(json!({ "browser": "ALL" })),
                )
            }
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": env_or("FIREFOX", "/usr/bin/firefox-esr"),
                    "args": ["-headless", format!("--window-size={w},{h}")],
                    "prefs": {
                        // As on the closed network CI runs in: no updates, telemetry or
                        // first-run pages.
                        "app.update.enabled": false,
                        "browser.shell.checkDefaultBrowser": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "toolkit.telemetry.enabled": false,
                        // Light, whatever the desktop says (see `prefer_color_scheme`).
                        "layout.css.prefers-color-scheme.content-override": 1
                    }
                }
            }),
            Engine::Webkit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": env_or("MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"),
                    // `args` replaces the default, which is just this.
                    "args": ["--automation"]
                }
            }),
        }
    }

    /// Whether `computed` is the accessible name a test asks for. WebKitGTK names a
    /// `<select>` by its label and then its chosen option ("Auto-refresh Off").
    pub fn name_is(self, role: &str, asked: &str, computed: &str) -> bool {
        computed == asked
            || (self == Engine::Webkit
                && role == "combobox"
                && computed
                    .strip_prefix(asked)
                    .is_some_and(|rest| rest.starts_with(' ')))
    }

    /// Whether `computed` (what this engine says) is the role a test asks for. Engines
    /// name a few native roles differently: Chromium's `DisclosureTriangle` for a
    /// `<summary>` has no role at all in Firefox and WebKitGTK (only `<summary>` elements
    /// are candidates for it, see `selector_for`), and WebKitGTK calls a single-choice
    /// `<select>` a (pop-up) button, where the others say combobox (of the combobox
    /// candidates, only a `<select>` computes as a button).
    pub fn role_is(self, asked: &str, computed: &str) -> bool {
        computed == asked
            || matches!(
                (asked, computed),
                (
                    "DisclosureTriangle",
                    "button" | "summary" | "disclosuretriangle" | ""
                ) | ("combobox", "button")
            )
    }
}

/// One browser at a time per test process: held by a `Session` while it lives. The
/// same thread may start a second one (a test that needs two browsers).
struct Turn(bool);

static TURN: Mutex<Option<std::thread::ThreadId>> = Mutex::new(None);
static TURN_FREE: std::sync::Condvar = std::sync::Condvar::new();

impl Turn {
    fn take() -> Turn {
        let me = std::thread::current().id();
        let mut holder = TURN.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match *holder {
                None => {
                    *holder = Some(me);
                    return Turn(true);
                }
                Some(t) if t == me => return Turn(false),
                Some(_) => holder = TURN_FREE.wait(holder).unwrap_or_else(|e| e.into_inner()),
            }
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.0 {
            *TURN.lock().unwrap_or_else(|e| e.into_inner()) = None;
            TURN_FREE.notify_all();
        }
    }
}

// ------------------------------------------------------------------ Browser

/// A browser (see [`Engine`]) driven through its own driver. Dropping it closes the
/// browser, stops the driver and deletes the temporary profile.
pub struct Browser {
    s: Arc<Session>,
}

/// The narrowest window headless Chromium lays out at (seen with Chromium 156).
const MIN_HEADLESS_WIDTH: u32 = 500;

impl Browser {
    /// A 1280x900 window.
    pub fn start() -> Browser {
        Browser::start_with_size(1280, 900)
    }

    pub fn start_with_size(w: u32, h: u32) -> Browser {
        Browser::start_with(w, h, &[])
    }

    /// With extra Chromium flags (ignored by the other engines).
    pub fn start_with(w: u32, h: u32, extra_flags: &[&str]) -> Browser {
        let engine = Engine::from_env();
        let turn = Turn::take();
        for (what, p) in engine.files() {
            if !Path::new(&p).exists() {
                panic!("{p} not found (env {what}): run `cargo xtask setup`, which installs the three engines and their drivers");
            }
        }
        // Each of these cleans up after itself from here on, a panic included.
        let temp_dir = wire::TempDir::new("lbh-e2e").unwrap_or_else(|e| panic!("webdriver: {e}"));
        let (name, program, args) = engine.driver();
        let driver = wire::Driver::start(wire::Launch {
            name,
            program: &program,
            args: &args,
            own_group: engine == Engine::Webkit,
            command_timeout: Duration::from_secs(90),
        })
        .unwrap_or_else(|e| panic!("webdriver: {e}"));
        let caps = engine.capabilities(w, h, extra_flags, temp_dir.path());
        let session = driver.session(caps).unwrap_or_else(|e| {
            panic!(
                "webdriver: cannot start {} through {name}: {e}",
                engine.name()
            )
        });
        let s = Session {
            wire: session,
            _driver: driver,
            timeout: Mutex::new(DEFAULT_TIMEOUT),
            console: Mutex::new(Vec::new()),
            engine,
            in_frame: std::sync::atomic::AtomicBool::new(false),
            _temp_dir: temp_dir,
            _turn: turn,
        };
        let b = Browser { s: Arc::new(s) };
        match engine {
            // Headless Chromium keeps a window at least 500 px wide whatever --window-size
            // says, so a phone-sized test would quietly run at 500: narrower sizes are
            // emulated through DevTools, which sets the layout viewport itself.
            Engine::Chromium if w < MIN_HEADLESS_WIDTH => {
                b.s.cmd(
                    "POST",
                    "/goog/cdp/execute",
                    Some(json!({
                        "cmd": "Emulation.setDeviceMetricsOverride",
                        "params": { "width": w, "height": h, "deviceScaleFactor": 1, "mobile": false }
                    })),
                );
            }
            Engine::Chromium => {}
            Engine::Firefox | Engine::Webkit => {
                b.s.cmd(
                    "POST",
                    "/window/rect",
                    Some(json!({ "x": 0, "y": 0, "width": w, "height": h })),
                );
            }
        }
        b
    }

    /// Panics unless this is Chromium: for the few checks that need its DevTools
    /// (emulated media features, viewports under 500 px).
    pub fn require_chromium(&self, why: &str) {
        assert!(
            self.s.engine == Engine::Chromium,
            "Chromium only ({why}); `cargo xtask test` skips this test in {}",
            self.s.engine.name()
        );
    }

    /// Changes how long waits last (default 10 s).
    pub fn set_timeout(&self, timeout: Duration) {
        *self.s.timeout.lock().unwrap() = timeout;
    }

    /// Navigates and waits for the page's load event.
    pub fn goto(&self, url: &str) {
        self.s.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn current_url(&self) -> String {
        self.s.current_url()
    }

    /// Runs the next commands inside this iframe (WebDriver "switch to frame").
    pub fn enter_frame(&self, frame: &Element) {
        self.s
            .cmd("POST", "/frame", Some(json!({ "id": frame.json() })));
        self.s
            .in_frame
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Back to the top-level document.
    pub fn leave_frames(&self) {
        self.s
            .cmd("POST", "/frame", Some(json!({ "id": Value::Null })));
        self.s
            .in_frame
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Open windows and tabs, pop-ups included.
    pub fn window_count(&self) -> usize {
        self.s
            .cmd("GET", "/window/handles", None)
            .as_array()
            .map_or(0, Vec::len)
    }

    /// Waits until an element with this ARIA role and accessible name is present and displayed.
    pub fn by_role(&self, role: &str, name: &str) -> Element {
        let what = format!("a displayed {role} named {name:?}");
        self.s.wait_for(&what, None, Some(role), || {
            self.s
                .find(None, role, Some(name), false)
                .and_then(|v| v.into_iter().next())
        })
    }

    /// Like `by_role`, without waiting for the element (only for the page to settle).
    pub fn try_by_role(&self, role: &str, name: &str) -> Option<Element> {
        self.s
            .find_settled(None, role, Some(name))
            .into_iter()
            .next()
    }

    /// The displayed elements with this role, in document order, once the page is settled.
    pub fn all_by_role(&self, role: &str) -> Vec<Element> {
        self.s.find_settled(None, role, None)
    }

    /// Waits until no displayed element has this role and name, on a settled page.
    pub fn wait_gone(&self, role: &str, name: &str) {
        let what = format!(
            "no displayed {role} named {name:?} (it is still there, or the page never settled)"
        );
        self.s.wait_for(&what, None, Some(role), || {
            self.s
                .find(None, role, Some(name), true)
                .filter(Vec::is_empty)
                .map(|_| ())
        })
    }

    /// The engine this browser is.
    pub fn engine(&self) -> Engine {
        self.s.engine
    }

    /// Does `action` (a click that navigates, say) and waits until the page it leads to
    /// has loaded: a document other than the one `action` started on, loaded and not
    /// being left. Nothing is looked for on the old page while it goes away.
    pub fn navigates(&self, action: impl FnOnce()) {
        let mark = format!("{:?}", Instant::now());
        self.s
            .exec("window.__lbhBefore = arguments[0];", vec![json!(mark)]);
        action();
        self.s.wait_for("the next page (the old one is still there, or the new one never loaded)", None, None, || {
            let v = self.s.try_exec(
                "return window.__lbhBefore !== arguments[0] && document.readyState === 'complete' && !(window.__lbh && window.__lbh.leaving);",
                vec![json!(mark)],
            );
            matches!(v, Ok(Value::Bool(true))).then_some(())
        })
    }

    /// Polls `f` every 100 ms until it returns true; panics with `what` after the timeout.
    pub fn wait_until(&self, what: &str, mut f: impl FnMut() -> bool) {
        self.s.wait_for(what, None, None, || f().then_some(()))
    }

    /// `document.activeElement`.
    pub fn active(&self) -> Element {
        let v = self.s.cmd("GET", "/element/active", None);
        self.s
            .element(&v)
            .unwrap_or_else(|| panic!("webdriver: active element is not an element: {v}"))
    }

    /// Presses keys on the focused element: "Escape", "Tab", "Enter",
    /// "Shift+Tab", "ArrowDown", "Control+a", ... or types plain text.
    pub fn press(&self, key: &str) {
        self.s
            .actions(json!([{ "type": "key", "id": "keyboard", "actions": key_actions(key) }]));
        self.s.cmd("DELETE", "/actions", None);
    }

    /// Runs `js` as a function body (`arguments[i]` are `args`; pass elements
    /// with `Element::json`); returns its JSON result.
    pub fn exec(&self, js: &str, args: Vec<Value>) -> Value {
        self.s.exec(js, args)
    }

    /// The element a value returned by `exec` refers to.
    pub fn element(&self, v: &Value) -> Option<Element> {
        self.s.element(v)
    }

    /// Emulates `prefers-color-scheme: dark` (or light) through Chromium's DevTools
    /// protocol, which ChromeDriver exposes as `goog/cdp/execute`.
    /// Elsewhere the scheme is light for the whole session (Firefox's profile says so,
    /// WebKitGTK follows its default theme), and asking for dark panics: see `schemes`.
    pub fn prefer_color_scheme(&self, scheme: &str) {
        if self.s.engine != Engine::Chromium && scheme == "light" {
            return;
        }
        self.emulate_media_feature("prefers-color-scheme", scheme);
    }

    /// The colour schemes this engine can show a page in, one after the other: light and
    /// dark in Chromium (through DevTools), light elsewhere.
    pub fn schemes(&self) -> &'static [&'static str] {
        match self.s.engine {
            Engine::Chromium => &["light", "dark"],
            _ => &["light"],
        }
    }

    /// Emulates one media feature (e.g. `forced-colors: active`), replacing any other
    /// emulated one.
    pub fn emulate_media_feature(&self, name: &str, value: &str) {
        self.require_chromium("media features are emulated through DevTools");
        self.s.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(serde_json::json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": name, "value": value }] }
            })),
        );
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, path: &Path) {
        self.s.screenshot(path)
    }

    /// SEVERE browser log entries (console.error, uncaught exceptions, failed
    /// loads) since the browser started. Chromedriver hands each entry out once,
    /// so they are kept here and every call returns all of them.
    pub fn console_errors(&self) -> Vec<String> {
        self.s
            .fetch_console_errors()
            .unwrap_or_else(|e| panic!("webdriver: cannot read the browser log: {e}"))
    }
}

// ------------------------------------------------------------------ Element

/// A reference to a DOM element in a `Browser`.
#[derive(Clone)]
pub struct Element {
    s: Arc<Session>,
    id: String,
}

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element({})", self.id)
    }
}

impl Element {
    fn path(&self, tail: &str) -> String {
        format!("/element/{}{tail}", self.id)
    }

    fn try_role(&self) -> Result<String, WdError> {
        let v = self.s.try_cmd("GET", &self.path("/computedrole"), None)?;
        Ok(v.as_str().unwrap_or("").to_string())
    }

    fn try_name(&self) -> Result<String, WdError> {
        let v = self.s.try_cmd("GET", &self.path("/computedlabel"), None)?;
        Ok(v.as_str().unwrap_or("").trim().to_string())
    }

    /// The WebDriver reference, to pass as an `exec` argument.
    pub fn json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks the element's center (scrolling it into view). Retries while the
    /// element is covered or not yet interactable, up to the timeout.
    pub fn click(&self) {
        let start = Instant::now();
        loop {
            match self
                .s
                .try_cmd("POST", &self.path("/click"), Some(json!({})))
            {
                Ok(_) => return,
                Err(e)
                    if (e.error == "element click intercepted"
                        || e.error == "element not interactable")
                        && start.elapsed() < self.s.timeout() =>
                {
                    // ChromeDriver scrolls an element just into view, where a sticky
                    // header (the panel's) may cover it: a person would scroll a little
                    // further, so bring it to the middle and try again.
                    if e.error == "element click intercepted" {
                        let _ = self.s.try_exec(
                            "arguments[0].scrollIntoView({block: 'center'})",
                            vec![self.json()],
                        );
                    }
                    std::thread::sleep(POLL)
                }
                Err(e) => panic!(
                    "click on {} {:?} failed: {e}\n{}",
                    self.try_role().unwrap_or_default(),
                    self.try_name().unwrap_or_default(),
                    self.s.failure_screenshot()
                ),
            }
        }
    }

    /// `arguments[0].focus()`.
    pub fn focus(&self) {
        self.s.exec("arguments[0].focus();", vec![self.json()]);
    }

    /// Moves the mouse over the element's center (scrolling it into view).
    pub fn hover(&self) {
        self.s.exec(
            "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
            vec![self.json()],
        );
        self.s.actions(json!([{
            "type": "pointer",
            "id": "mouse",
            "parameters": { "pointerType": "mouse" },
            "actions": [{ "type": "pointerMove", "duration": 0, "origin": self.json(), "x": 0, "y": 0 }]
        }]));
    }

    /// The rendered text (`innerText`-like).
    pub fn text(&self) -> String {
        let v = self.s.cmd("GET", &self.path("/text"), None);
        v.as_str().unwrap_or("").to_string()
    }

    /// The DOM attribute `name` (`getAttribute`), None when absent.
    pub fn attr(&self, name: &str) -> Option<String> {
        let v = self.s.exec(
            "return arguments[0].getAttribute(arguments[1]);",
            vec![self.json(), json!(name)],
        );
        v.as_str().map(str::to_string)
    }

    /// The ARIA role Chromium computes.
    pub fn role(&self) -> String {
        self.try_role()
            .unwrap_or_else(|e| panic!("webdriver computedrole failed: {e}"))
    }

    /// The accessible name Chromium computes (trimmed).
    pub fn name(&self) -> String {
        self.try_name()
            .unwrap_or_else(|e| panic!("webdriver computedlabel failed: {e}"))
    }

    /// Waits for a displayed descendant with this role and name.
    pub fn by_role(&self, role: &str, name: &str) -> Element {
        let what = format!(
            "a displayed {role} named {name:?} inside {} {:?}",
            self.role(),
            self.name()
        );
        self.s.wait_for(&what, Some(self), Some(role), || {
            self.s
                .find(Some(self), role, Some(name), false)
                .and_then(|v| v.into_iter().next())
        })
    }

    /// Like `by_role`, without waiting for the element (only for the page to settle).
    pub fn try_by_role(&self, role: &str, name: &str) -> Option<Element> {
        self.s
            .find_settled(Some(self), role, Some(name))
            .into_iter()
            .next()
    }

    /// The displayed descendants with this role, once the page is settled.
    pub fn all_by_role(&self, role: &str) -> Vec<Element> {
        self.s.find_settled(Some(self), role, None)
    }

    pub fn is_displayed(&self) -> bool {
        match self.s.try_exec(VISIBLE_JS, vec![self.json()]) {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(e) if e.is_stale() => false,
            Err(e) => panic!("webdriver is_displayed failed: {e}"),
        }
    }

    /// Whether both refer to the same DOM node.
    pub fn same_as(&self, other: &Element) -> bool {
        self.id == other.id
            || self
                .s
                .exec(
                    "return arguments[0] === arguments[1];",
                    vec![self.json(), other.json()],
                )
                .as_bool()
                .unwrap_or(false)
    }

    /// Types into the element (WebDriver "Element Send Keys": focuses it first).
    pub fn send_keys(&self, text: &str) {
        self.s
            .cmd("POST", &self.path("/value"), Some(json!({ "text": text })));
    }
}
