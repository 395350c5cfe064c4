//! The three browser engines and how each is started; one browser at a time per process.

use super::*;

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
    pub(super) fn files(self) -> Vec<(&'static str, String)> {
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
    pub(super) fn driver(self) -> (&'static str, String, Vec<String>) {
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

    pub(super) fn capabilities(
        self,
        w: u32,
        h: u32,
        extra_flags: &[&str],
        temp_dir: &Path,
    ) -> Value {
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
    /// candidates, only a `<select>` computes as a button). Chromium calls `role="img"`
    /// "image"; the others keep "img".
    pub fn role_is(self, asked: &str, computed: &str) -> bool {
        computed == asked
            || matches!(
                (asked, computed),
                (
                    "DisclosureTriangle",
                    "button" | "summary" | "disclosuretriangle" | ""
                ) | ("combobox", "button")
                    | ("image", "img")
                    | ("img", "image")
            )
    }
}

/// One browser at a time per test process: held by a `Session` while it lives. The
/// same thread may start a second one (a test that needs two browsers).
pub(super) struct Turn(bool);

static TURN: Mutex<Option<std::thread::ThreadId>> = Mutex::new(None);
static TURN_FREE: std::sync::Condvar = std::sync::Condvar::new();

impl Turn {
    pub(super) fn take() -> Turn {
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
