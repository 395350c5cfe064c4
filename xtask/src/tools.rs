//! `cargo xtask setup`: installs the tools the build and the tests need,
//! skipping every one that is already present (a second run installs nothing).
//! Nothing here downloads a prebuilt binary: Rust tools come from crates.io
//! through `cargo install`, system tools from Debian through `apt-get`, and
//! the npm tools with `npm ci` from the committed package.json and
//! package-lock.json (exact versions, checked integrity) into target/tools/npm:
//! wasm-opt (the `binaryen` package, a Node.js build), terser and csso (the
//! build's minifiers), `@microsoft.azure/autorest.testserver` (the offline
//! server the Azure SDK generators test their long-running-operation pollers
//! against; tests/conformance_lro.rs drives our `arm::lro` machine against it)
//! and `axe-core` (whose rules tests/e2e_a11y.rs runs in the page).
//!
//! Why not Debian's binaryen: bookworm ships version 108, whose `wasm-opt -Oz`
//! breaks wasm-bindgen 0.2.130 output (the page dies at start with
//! "WebAssembly.Table.set(): Argument 1 is invalid"); binaryen 132 is fine.

use crate::{cargo, cmd, root, run, show};
use std::path::{Path, PathBuf};
use std::process::{exit, Command, Stdio};

/// Which tools a command needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Everything, including Chromium and ChromeDriver (setup, test).
    All,
    /// What Trunk needs (build, serve, dist): no browser.
    Build,
}

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
pub const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
pub const XVFB_RUN: &str = "/usr/bin/xvfb-run";
/// Firefox's WebDriver server, from crates.io (Debian does not package it).
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// The browser engines the end-to-end suite runs in (testkit's WebDriver client reads
/// `LBH_BROWSER`).
pub use testkit::Engine;

pub fn geckodriver() -> PathBuf {
    cargo_bin_dir().join("geckodriver")
}

/// What keeps an engine from running here, if anything (setup installs it all).
pub fn engine_missing(engine: Engine) -> Option<&'static str> {
    let have = |p: &str| is_executable(Path::new(p));
    match engine {
        Engine::Chromium if !(have(CHROMIUM) && have(CHROMEDRIVER)) => {
            Some("chromium or chromedriver is missing")
        }
        Engine::Firefox if !have(FIREFOX) => Some("firefox-esr is missing"),
        Engine::Firefox if !is_executable(&geckodriver()) => Some("geckodriver is missing"),
        Engine::Webkit if !(have(WEBKIT_DRIVER) && have(MINIBROWSER)) => {
            Some("WebKitWebDriver or MiniBrowser is missing")
        }
        Engine::Webkit if !have(XVFB_RUN) => Some("xvfb-run is missing"),
        _ => None,
    }
}

/// The environment tests/support/webdriver.rs reads to start `engine`.
pub fn engine_env(engine: Engine, c: &mut Command) {
    c.env("LBH_BROWSER", engine.name());
    match engine {
        Engine::Chromium => c
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM),
        Engine::Firefox => c.env("GECKODRIVER", geckodriver()).env("FIREFOX", FIREFOX),
        Engine::Webkit => c
            .env("WEBKIT_DRIVER", WEBKIT_DRIVER)
            .env("MINIBROWSER", MINIBROWSER),
    };
}

pub fn setup(need: Need) {
    wasm_target();
    trunk();
    wasm_bindgen();
    system_packages(need);
    if need == Need::All {
        geckodriver_install();
    }
    npm_tools();
}

/// Puts cargo's install directory first on PATH, so that tools installed by
/// `cargo install` are found by us, by Trunk and by the wasm32 test runner
/// even when the user's shell does not list it.
/// binaryen's directory comes first of all, ahead of any older system wasm-opt.
pub fn extend_path() {
    let first = [binaryen_bin(), cargo_bin_dir()];
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&old).collect();
    dirs.retain(|d| !first.contains(d));
    dirs.splice(0..0, first);
    if let Ok(joined) = std::env::join_paths(dirs) {
        // Single-threaded at this point.
        std::env::set_var("PATH", joined);
    }
}

fn cargo_bin_dir() -> PathBuf {
    if let Some(r) = std::env::var_os("CARGO_INSTALL_ROOT") {
        return PathBuf::from(r).join("bin");
    }
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(h).join("bin");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cargo").join("bin")
}

/// Runs a program quietly and returns its trimmed stdout if it succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|d| is_executable(&d.join(program)))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn die(msg: &str) -> ! {
    eprintln!("[setup] error: {msg}");
    exit(1);
}

// ---------------------------------------------------------------- wasm32 target

fn wasm_target() {
    if let Some(list) = output("rustup", &["target", "list", "--installed"]) {
        if list.lines().any(|l| l.trim() == WASM_TARGET) {
            println!("[setup] {WASM_TARGET} target: present");
            return;
        }
        println!("[setup] installing the {WASM_TARGET} target...");
        run(cmd("rustup").args(["target", "add", WASM_TARGET]));
        return;
    }
    // No rustup (a distribution toolchain): look for the target's std in the sysroot.
    let sysroot = output("rustc", &["--print", "sysroot"]).unwrap_or_default();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        println!("[setup] {WASM_TARGET} target: present (no rustup)");
    } else {
        die(&format!(
            "the {WASM_TARGET} target is missing and rustup is not available to add it"
        ));
    }
}

// ---------------------------------------------------------------- trunk

fn trunk_version() -> Option<String> {
    // "trunk 0.21.14"
    let v = output("trunk", &["--version"])?;
    v.split_whitespace().nth(1).map(str::to_string)
}

fn trunk() {
    if let Some(v) = trunk_version() {
        if v.starts_with("0.21.") {
            println!("[setup] trunk {v}: present");
            return;
        }
        println!(
            "[setup] trunk {v} found, but this project needs 0.21.x (0.22 needs a newer rustc)"
        );
    }
    println!("[setup] installing trunk 0.21 (takes ~10 min on 2 cores)...");
    // --force: only reached when the binary on PATH is missing or wrong, and
    // cargo's own records might still claim it is installed.
    let mut c = cargo();
    c.args([
        "install",
        "--locked",
        "--force",
        "trunk",
        "--version",
        "^0.21",
    ]);
    println!("[setup] {}", show(&c));
    run(&mut c);
    match trunk_version() {
        Some(v) if v.starts_with("0.21.") => println!("[setup] trunk {v}: installed"),
        other => die(&format!(
            "after installing, `trunk --version` gives {other:?}; is {} first on PATH?",
            cargo_bin_dir().display()
        )),
    }
}

// ---------------------------------------------------------------- wasm-bindgen-cli

/// The version of the `wasm-bindgen` crate in Cargo.lock.
pub fn locked_wasm_bindgen_version() -> String {
    let lock_path = root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .unwrap_or_else(|e| die(&format!("cannot read {}: {e}", lock_path.display())));
    match parse_lock_version(&lock, "wasm-bindgen") {
        Some(v) => v,
        None => die("Cargo.lock has no `wasm-bindgen` package"),
    }
}

/// Finds `version` of the `[[package]]` entry named `name` in a Cargo.lock.
fn parse_lock_version(lock: &str, name: &str) -> Option<String> {
    let want_name = format!("name = \"{name}\"");
    let mut in_match = false;
    for line in lock.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_match = false;
        } else if line.starts_with("name = ") {
            in_match = line == want_name;
        } else if in_match {
            if let Some(v) = line.strip_prefix("version = \"") {
                return Some(v.trim_end_matches('"').to_string());
            }
        }
    }
    None
}

fn tool_version(program: &str) -> Option<String> {
    // "wasm-bindgen 0.2.130", "wasm-bindgen-test-runner 0.2.130"
    output(program, &["--version"])?
        .split_whitespace()
        .nth(1)
        .map(str::to_string)
}

fn wasm_bindgen() {
    let want = locked_wasm_bindgen_version();
    let cli = tool_version("wasm-bindgen");
    let runner = tool_version("wasm-bindgen-test-runner");
    if cli.as_deref() == Some(&want) && runner.as_deref() == Some(&want) {
        println!("[setup] wasm-bindgen-cli {want}: present");
        return;
    }
    if let Some(have) = &cli {
        println!("[setup] wasm-bindgen-cli {have} found, but Cargo.lock has wasm-bindgen {want}");
    }
    println!("[setup] installing wasm-bindgen-cli {want} (takes ~2-4 min on 2 cores)...");
    // No --locked: the crate's own lock file names a release the registry no
    // longer serves.
    let mut c = cargo();
    c.args(["install", "--force", "wasm-bindgen-cli", "--version", &want]);
    println!("[setup] {}", show(&c));
    run(&mut c);
    let cli = tool_version("wasm-bindgen");
    let runner = tool_version("wasm-bindgen-test-runner");
    if cli.as_deref() != Some(&want) || runner.as_deref() != Some(&want) {
        die(&format!(
            "after installing, wasm-bindgen is {cli:?} and wasm-bindgen-test-runner is {runner:?}, \
             expected {want}; is {} first on PATH?",
            cargo_bin_dir().display()
        ));
    }
    println!("[setup] wasm-bindgen-cli {want}: installed");
}

// ---------------------------------------------------------------- apt packages

fn system_packages(need: Need) {
    let mut missing: Vec<&str> = Vec::new();
    let mut check = |what: &str, present: bool, packages: &[&'static str]| {
        if present {
            println!("[setup] {what}: present");
        } else {
            println!("[setup] {what}: missing (Debian {})", packages.join(" "));
            missing.extend(packages);
        }
    };
    // Cargo links through `cc`; a fresh image may have Rust and no C toolchain.
    check("cc (the linker)", on_path("cc"), &["build-essential"]);
    check(
        "node + npm (for wasm-opt)",
        on_path("node") && on_path("npm"),
        &["nodejs", "npm"],
    );
    if need == Need::All {
        check(
            "chromium",
            is_executable(Path::new(CHROMIUM)),
            &["chromium"],
        );
        check(
            "chromedriver",
            is_executable(Path::new(CHROMEDRIVER)),
            &["chromium-driver"],
        );
        check(
            "firefox-esr",
            is_executable(Path::new(FIREFOX)),
            &["firefox-esr"],
        );
        check(
            "WebKitWebDriver + MiniBrowser",
            is_executable(Path::new(WEBKIT_DRIVER)) && is_executable(Path::new(MINIBROWSER)),
            &["webkit2gtk-driver"],
        );
        // WebKitGTK has no headless mode: it runs on a virtual display.
        check("xvfb-run", is_executable(Path::new(XVFB_RUN)), &["xvfb"]);
    }
    if missing.is_empty() {
        return;
    }
    if !on_path("apt-get") {
        die(&format!(
            "missing {missing:?} and no apt-get here: install them with your package manager"
        ));
    }
    // Root on CI; elsewhere go through sudo (which drops the environment,
    // hence `env`).
    let sudo = output("id", &["-u"]).as_deref() != Some("0") && on_path("sudo");
    let apt = |args: &[&str]| -> Command {
        let mut c = if sudo {
            let mut c = cmd("sudo");
            c.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            cmd("apt-get")
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    println!("[setup] installing {} with apt-get...", missing.join(" "));
    let mut update = apt(&["update"]);
    println!("[setup] {}", show(&update));
    run(&mut update);
    let mut args = vec!["install", "-y"];
    args.extend(missing.iter().copied());
    let mut install = apt(&args);
    println!("[setup] {}", show(&install));
    run(&mut install);
    if !(on_path("node") && on_path("npm")) {
        die("node or npm is still missing after apt-get install nodejs npm");
    }
    if need == Need::All {
        for engine in [Engine::Chromium, Engine::Webkit] {
            if let Some(what) = engine_missing(engine) {
                die(&format!("{what} after apt-get install"));
            }
        }
        if !is_executable(Path::new(FIREFOX)) {
            die(&format!("{FIREFOX} is still missing after apt-get install"));
        }
    }
}

// ---------------------------------------------------------------- geckodriver

fn geckodriver_install() {
    let have = output(
        geckodriver().to_str().unwrap_or("geckodriver"),
        &["--version"],
    );
    // "geckodriver 0.37.1 (...)"
    let version = have.as_deref().and_then(|v| v.split_whitespace().nth(1));
    if version == Some(GECKODRIVER_VERSION) {
        println!("[setup] geckodriver {GECKODRIVER_VERSION}: present");
        return;
    }
    println!("[setup] installing geckodriver {GECKODRIVER_VERSION} (takes ~2 min on 2 cores)...");
    let mut c = cargo();
    c.args([
        "install",
        "--force",
        "geckodriver",
        "--version",
        GECKODRIVER_VERSION,
    ]);
    println!("[setup] {}", show(&c));
    run(&mut c);
    if !is_executable(&geckodriver()) {
        die(&format!(
            "after installing, {} is missing",
            geckodriver().display()
        ));
    }
    println!("[setup] geckodriver {GECKODRIVER_VERSION}: installed");
}

// ---------------------------------------------------------------- npm tools

/// The npm release of binaryen whose wasm-opt Trunk uses (see the module doc); the lock
/// file pins the same.
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const AUTOREST_TESTSERVER: &str = "@microsoft.azure/autorest.testserver";

/// Where `npm ci` installs the committed package.json's tools (under target/, so `cargo
/// clean` removes them and the next setup puts them back in seconds).
pub fn npm_prefix() -> PathBuf {
    root().join("target").join("tools").join("npm")
}

fn node_modules() -> PathBuf {
    npm_prefix().join("node_modules")
}

/// The directory holding binaryen's `wasm-opt`; first on PATH for Trunk.
pub fn binaryen_bin() -> PathBuf {
    node_modules().join(".bin")
}

/// terser's and csso's packages (xtask/src/minify.rs runs them with node).
pub fn minifiers_modules() -> PathBuf {
    node_modules()
}

/// terser's command-line script, run with `node`.
pub fn terser_cli() -> PathBuf {
    node_modules().join("terser").join("bin").join("terser")
}

/// The test server's entry point, run with `node <cli.js> run --port=N`;
/// `cargo xtask test` passes it to the host tests as `LBH_AUTOREST_CLI`.
pub fn autorest_cli() -> PathBuf {
    let mut p = node_modules();
    p.extend(AUTOREST_TESTSERVER.split('/'));
    p.join("dist").join("cli").join("cli.js")
}

/// axe's browser bundle; `cargo xtask test` passes it to the host tests as `LBH_AXE`.
pub fn axe_js() -> PathBuf {
    node_modules().join("axe-core").join("axe.min.js")
}

/// "wasm-opt version 132 (version_132)" -> "132"
fn wasm_opt_version() -> Option<String> {
    let exe = binaryen_bin().join("wasm-opt");
    let out = output(exe.to_str()?, &["--version"])?;
    let mut words = out.split_whitespace();
    words.find(|w| *w == "version")?;
    words.next().map(str::to_string)
}

/// `npm ci` of the committed lock file into target/tools/npm, unless what is there was
/// installed from the same lock file.
fn npm_tools() {
    let prefix = npm_prefix();
    let lock = std::fs::read(root().join("package-lock.json"))
        .unwrap_or_else(|e| die(&format!("cannot read package-lock.json: {e}")));
    let installed_from = std::fs::read(prefix.join("package-lock.json")).unwrap_or_default();
    if installed_from == lock && node_modules().join(".package-lock.json").is_file() {
        println!("[setup] npm tools (package-lock.json): present");
        return;
    }
    println!("[setup] installing the npm tools of package-lock.json (wasm-opt, terser, csso, axe-core, the LRO test server)...");
    let _ = std::fs::create_dir_all(&prefix);
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(root().join(f), prefix.join(f))
            .unwrap_or_else(|e| die(&format!("cannot copy {f} to {}: {e}", prefix.display())));
    }
    let mut c = cmd("npm");
    c.current_dir(&prefix)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    println!("[setup] (in {}) {}", prefix.display(), show(&c));
    run(&mut c);
    let want = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    match wasm_opt_version() {
        Some(v) if v == want => {}
        other => die(&format!(
            "after npm ci, {}/wasm-opt --version gives {other:?}, expected {want}",
            binaryen_bin().display()
        )),
    }
    for file in [autorest_cli(), axe_js(), terser_cli()] {
        if !file.is_file() {
            die(&format!("after npm ci, {} is missing", file.display()));
        }
    }
    println!("[setup] npm tools: installed");
}

#[cfg(test)]
mod tests {
    use super::parse_lock_version;

    #[test]
    fn finds_the_exact_package_in_a_lock_file() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.50"
"#;
        assert_eq!(
            parse_lock_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(parse_lock_version(lock, "nope"), None);
    }
}
