//! The browser a test drives.

use super::*;

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

    /// The text of every element with role `status` (live regions a screen reader reads
    /// out). One that leaves the page while being read, as a loading line does when its
    /// data arrives, is skipped rather than failing the wait that asked.
    pub fn status_texts(&self) -> Vec<String> {
        self.all_by_role("status")
            .iter()
            .filter_map(Element::try_text)
            .collect()
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
