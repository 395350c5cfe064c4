//! Chromium's flags, shared by the WebDriver client and `cargo xtask bench`.

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
