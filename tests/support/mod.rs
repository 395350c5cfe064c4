//! End-to-end test support (host only): the built app served by `testkit`'s static
//! server, browsers from `testkit`'s WebDriver client (Chromium, Firefox or WebKit, by
//! `LBH_BROWSER`) that find elements by ARIA role and accessible name, and the fake Azure
//! set-ups of `live`.
//!
//! Use from `tests/e2e_*.rs` (which start with `#![cfg(not(target_arch = "wasm32"))]`):
//! ```ignore
//! mod support;
//! use support::{dist_dir, Browser, StaticServer};
//!
//! let server = StaticServer::start(&dist_dir());
//! let browser = Browser::start();
//! browser.goto(&server.url());
//! browser.by_role("button", "Refresh").click();
//! ```
//! `cargo xtask test` builds dist/ first and sets LBH_DIST, LBH_BROWSER and the
//! engine's driver and binary.
#![allow(dead_code, unused_imports)]

#[cfg(not(target_arch = "wasm32"))]
pub mod live;

// The WebDriver client and the static server live in the `testkit` crate, which
// `cargo xtask bench` uses too.
pub use testkit::{static_server, webdriver, Browser, Element, Engine, StaticServer};

use std::path::PathBuf;

/// The built app: env `LBH_DIST`, else `<repo>/dist`. Panics if it has no index.html.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("LBH_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
    if !dir.join("index.html").is_file() {
        panic!(
            "{} has no index.html: run `cargo xtask test`, which builds dist/ first \
             (or `cargo xtask build` and set LBH_DIST)",
            dir.display()
        );
    }
    dir
}

/// `xtask test` builds it into target/dist-subpath and names it in `LBH_DIST_SUBPATH`.
pub fn subpath_dist() -> PathBuf {
    let dir = std::env::var_os("LBH_DIST_SUBPATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/dist-subpath"));
    assert!(
        dir.join("index.html").is_file(),
        "{} has no index.html: run `cargo xtask test`, which builds it with --public-url /lb-health/",
        dir.display()
    );
    dir
}

/// Fails if the page's wasm panicked or trapped (a `RuntimeError`, an `unreachable`):
/// whatever a test did to it, bad input must end in words, never in a dead module.
pub fn assert_no_panic(b: &Browser) {
    let errors = b.console_errors();
    assert!(
        !errors.iter().any(|e| e.contains("panicked")
            || e.contains("RuntimeError")
            || e.contains("unreachable")),
        "{errors:?}"
    );
}

/// Serves the built app (`dist_dir()`).
pub fn serve_app() -> StaticServer {
    StaticServer::start(&dist_dir())
}

/// The built app plus a `config.json`, served from a throw-away copy of `dist/`
/// (removed on drop), so each test can point the app at its own fake Azure.
pub struct ConfiguredApp {
    dir: PathBuf,
    pub server: StaticServer,
}

impl ConfiguredApp {
    pub fn start(config_json: &str) -> ConfiguredApp {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/e2e-apps")
            .join(format!(
                "{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
        copy_dir(&dist_dir(), &dir);
        std::fs::write(dir.join("config.json"), config_json).expect("write config.json");
        // As a deployment must (README, docs/security.md): a custom armEndpoint or
        // loginEndpoint on another origin is added to the page's CSP connect-src.
        let config: serde_json::Value = serde_json::from_str(config_json).unwrap_or_default();
        let extra: Vec<&str> = ["armEndpoint", "loginEndpoint"]
            .iter()
            .filter_map(|k| config[*k].as_str())
            .filter(|e| e.starts_with("http"))
            .collect();
        if !extra.is_empty() {
            let index = dir.join("index.html");
            let html = std::fs::read_to_string(&index).expect("read index.html");
            let csp = format!("connect-src 'self' {}", extra.join(" "));
            std::fs::write(&index, html.replacen("connect-src 'self'", &csp, 1))
                .expect("write index.html");
        }
        let server = StaticServer::start(&dir);
        ConfiguredApp { dir, server }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Takes a built file out of this deployment (a broken or partial upload).
    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.dir.join(name)).unwrap_or_else(|e| panic!("remove {name}: {e}"));
    }

    /// Puts a removed file back, as built.
    pub fn restore(&self, name: &str) {
        std::fs::copy(dist_dir().join(name), self.dir.join(name))
            .unwrap_or_else(|e| panic!("restore {name}: {e}"));
    }

    /// Writes a file of this deployment (its config.json, say), as a host's upload does.
    pub fn write(&self, name: &str, body: &str) {
        std::fs::write(self.dir.join(name), body).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// Edits this deployment's index.html (its Content-Security-Policy, say).
    pub fn replace_in_index(&self, from: &str, to: &str) {
        let index = self.dir.join("index.html");
        let html = std::fs::read_to_string(&index).expect("read index.html");
        assert!(html.contains(from), "index.html has no {from:?}");
        std::fs::write(&index, html.replacen(from, to, 1)).expect("write index.html");
    }
}

impl Drop for ConfiguredApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// From the subscriptions list (demo estate or the fake ARM): Contoso Production, then
/// lb-web, until its rules are on screen.
pub fn open_lb_web(b: &Browser) {
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-web").click();
    b.by_role("heading", "Load balancing rules");
}

/// A folder of files for a test (a page that embeds the app, say), removed on drop.
pub struct TempSite(PathBuf);

impl TempSite {
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempSite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_site(files: &[(&str, &str)]) -> TempSite {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/e2e-sites")
        .join(format!(
            "{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
    std::fs::create_dir_all(&dir).expect("create site dir");
    for (name, body) in files {
        std::fs::write(dir.join(name), body).expect("write site file");
    }
    TempSite(dir)
}

/// Copies a folder tree (the built app) for a test to alter.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create app dir");
    for entry in std::fs::read_dir(from).expect("read dist") {
        let entry = entry.expect("dist entry");
        let target = to.join(entry.file_name());
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy dist file");
        }
    }
}
