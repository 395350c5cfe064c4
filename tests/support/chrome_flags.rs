// Shared by the end-to-end tests (tests/support/webdriver.rs) and `cargo xtask bench`
// (xtask/src/bench.rs), which include this file: xtask cannot depend on test support.

/// Chromium flags for headless runs on this machine's closed network (plus, by each
/// caller, `--window-size` and a fresh `--user-data-dir`).
pub const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];
