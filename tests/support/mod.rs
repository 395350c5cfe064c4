//! End-to-end test support (host only): a static file server for `dist/`
//! and a WebDriver client for headless Chromium that finds elements by ARIA
//! role and accessible name.
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
//! `cargo xtask test` builds dist/ first and sets LBH_DIST, CHROMEDRIVER, CHROMIUM.
#![allow(dead_code, unused_imports)]

pub mod static_server;
pub mod webdriver;

pub use static_server::StaticServer;
pub use webdriver::{Browser, Element};

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

/// Serves the built app (`dist_dir()`).
pub fn serve_app() -> StaticServer {
    StaticServer::start(&dist_dir())
}
