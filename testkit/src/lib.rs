//! End-to-end tooling for LB Health, shared by the tests (`tests/support`) and by
//! `cargo xtask bench`: the WebDriver wire, a driver process and sessions answering
//! `Result`s ([`wire`], what the bench drives Chromium with); on it, a blocking client
//! that drives Chromium, Firefox ESR or WebKitGTK and finds elements by ARIA role and
//! accessible name ([`webdriver`], the tests'); a static file server for a built app
//! ([`static_server`]) on a small accept loop the tests' stubs use too ([`listener`]).

pub mod listener;
pub mod static_server;
pub mod token;
pub mod webdriver;
pub mod wire;

mod chrome_flags;

pub use chrome_flags::CHROME_ARGS;
pub use listener::LocalServer;
pub use static_server::StaticServer;
pub use token::jwt;
/// The HTTP client under the WebDriver wire, for the bench's own requests.
pub use ureq;
pub use webdriver::{Browser, Element, Engine};

use std::path::PathBuf;

/// The workspace root: failure screenshots go to `<root>/tests/artifacts/`.
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .expect("testkit lives inside the workspace")
        .to_path_buf()
}
