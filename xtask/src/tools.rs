//! `cargo xtask setup`: installs the tools the build and the tests need,
//! skipping every one that is already present (a second run installs nothing).
//! Nothing here downloads a prebuilt binary: Rust tools come from crates.io
//! through `cargo install`, system tools from Debian through `apt-get`, and
//! wasm-opt from the npm registry's `binaryen` package (a Node.js build).
//!
//! With everything (setup, test) it also installs the npm package
//! `@microsoft.azure/autorest.testserver`, the offline server the Azure SDK
//! generators test their long-running-operation pollers against;
//! tests/conformance_lro.rs drives our `arm::lro` machine against it; and the npm
//! package `axe-core`, whose rules tests/e2e_a11y.rs runs in the page.
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

/// The npm `binaryen` release whose wasm-opt Trunk uses (see the module doc).
pub const BINARYEN_VERSION: &str = "132.0.0";

/// The npm package and release of the Azure LRO test server (tests/conformance_lro.rs).
pub const AUTOREST_TESTSERVER: &str = "@microsoft.azure/autorest.testserver";
pub const AUTOREST_TESTSERVER_VERSION: &str = "3.3.51";

pub fn setup(need: Need) {
    wasm_target();
    trunk();
    wasm_bindgen();
    system_packages(need);
    binaryen();
    minifiers();
    if need == Need::All {
        autorest_testserver();
        axe_core();
    }
}

/// Where `npm install --prefix` puts binaryen (under target/, so `cargo
/// clean` removes it and the next setup puts it back in seconds).
fn binaryen_prefix() -> PathBuf {
    root().join("target").join("tools").join("binaryen")
}

/// The directory holding binaryen's `wasm-opt`; first on PATH for Trunk.
pub fn binaryen_bin() -> PathBuf {
    binaryen_prefix().join("node_modules").join(".bin")
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
    if need == Need::All
        && !(is_executable(Path::new(CHROMIUM)) && is_executable(Path::new(CHROMEDRIVER)))
    {
        die(&format!(
            "{CHROMIUM} or {CHROMEDRIVER} is still missing after apt-get install"
        ));
    }
}

// ---------------------------------------------------------------- wasm-opt (binaryen from npm)

/// "wasm-opt version 132 (version_132)" -> "132"
fn wasm_opt_version() -> Option<String> {
    let exe = binaryen_bin().join("wasm-opt");
    let out = output(exe.to_str()?, &["--version"])?;
    let mut words = out.split_whitespace();
    words.find(|w| *w == "version")?;
    words.next().map(str::to_string)
}

fn binaryen() {
    let want = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    if wasm_opt_version().as_deref() == Some(want) {
        println!("[setup] wasm-opt {want} (npm binaryen): present");
        return;
    }
    println!(
        "[setup] installing wasm-opt {want} (npm binaryen@{BINARYEN_VERSION}, a few seconds)..."
    );
    npm_install(&binaryen_prefix(), &[format!("binaryen@{BINARYEN_VERSION}")]);
    match wasm_opt_version() {
        Some(v) if v == want => println!("[setup] wasm-opt {v}: installed"),
        other => die(&format!(
            "after npm install, {}/wasm-opt --version gives {other:?}",
            binaryen_bin().display()
        )),
    }
}

// ---------------------------------------------------------------- terser and csso (npm)

/// The npm releases that minify the build after Trunk (xtask/src/minify.rs): terser for
/// wasm-bindgen's JS glue, csso for the stylesheet. Trunk's own minifier is all or
/// nothing, and its JS minifier breaks wasm-bindgen's glue.
pub const MINIFIERS: [(&str, &str); 2] = [("terser", "5.51.4"), ("csso", "5.0.5")];

/// Where `npm install --prefix` puts them (under target/, like binaryen).
pub fn minifiers_prefix() -> PathBuf {
    root().join("target").join("tools").join("minify")
}

/// terser's command-line script, run with `node`.
pub fn terser_cli() -> PathBuf {
    minifiers_prefix().join("node_modules").join("terser").join("bin").join("terser")
}

fn minifiers() {
    let wanted: Vec<String> = MINIFIERS.iter().map(|(p, v)| format!("{p}@{v}")).collect();
    let what = wanted.join(" ");
    let present = MINIFIERS.iter().all(|(p, v)| {
        let manifest = minifiers_prefix().join("node_modules").join(p).join("package.json");
        std::fs::read_to_string(manifest).is_ok_and(|m| m.contains(&format!("\"version\": \"{v}\"")))
    });
    if present {
        println!("[setup] {what} (npm, minify the build): present");
        return;
    }
    println!("[setup] installing {what} (npm, minify the build, a few seconds)...");
    npm_install(&minifiers_prefix(), &wanted);
    installed(&what, &terser_cli());
}

// ---------------------------------------------------------------- autorest test server (npm)

/// Where `npm install --prefix` puts the test server (under target/, like binaryen).
fn autorest_prefix() -> PathBuf {
    root().join("target").join("tools").join("autorest")
}

/// The test server's entry point, run with `node <cli.js> run --port=N`;
/// `cargo xtask test` passes it to the host tests as `LBH_AUTOREST_CLI`.
pub fn autorest_cli() -> PathBuf {
    let mut p = autorest_prefix().join("node_modules");
    p.extend(AUTOREST_TESTSERVER.split('/'));
    p.join("dist").join("cli").join("cli.js")
}

fn autorest_testserver() {
    let what = format!("{AUTOREST_TESTSERVER}@{AUTOREST_TESTSERVER_VERSION}");
    if autorest_cli().is_file() {
        println!("[setup] {what} (npm, LRO conformance server): present");
        return;
    }
    println!("[setup] installing {what} (npm, LRO conformance server, a few seconds)...");
    npm_install(&autorest_prefix(), &[&what]);
    installed(&what, &autorest_cli());
}

// ---------------------------------------------------------------- axe-core (npm)

/// The npm package the accessibility tests inject into the page (tests/e2e_a11y.rs).
pub const AXE_CORE: &str = "axe-core";
pub const AXE_CORE_VERSION: &str = "4";

/// Where `npm install --prefix` puts axe-core (under target/, like binaryen).
fn axe_prefix() -> PathBuf {
    root().join("target").join("tools").join("axe")
}

/// axe's browser bundle; `cargo xtask test` passes it to the host tests as `LBH_AXE`.
pub fn axe_js() -> PathBuf {
    axe_prefix().join("node_modules").join(AXE_CORE).join("axe.min.js")
}

fn axe_core() {
    let what = format!("{AXE_CORE}@{AXE_CORE_VERSION}");
    if axe_js().is_file() {
        println!("[setup] {what} (npm, accessibility rules): present");
        return;
    }
    println!("[setup] installing {what} (npm, accessibility rules, a few seconds)...");
    npm_install(&axe_prefix(), &[&what]);
    installed(&what, &axe_js());
}

/// `npm install` of packages into their own folder under target/tools, so nothing
/// global changes and `cargo clean` removes it.
fn npm_install(prefix: &Path, packages: &[impl AsRef<std::ffi::OsStr>]) {
    let _ = std::fs::create_dir_all(prefix);
    let mut c = cmd("npm");
    c.arg("install")
        .arg("--prefix")
        .arg(prefix)
        .args(["--no-audit", "--no-fund", "--no-save", "--loglevel=error"])
        .args(packages);
    println!("[setup] {}", show(&c));
    run(&mut c);
}

fn installed(what: &str, file: &Path) {
    if !file.is_file() {
        die(&format!("after npm install, {} is missing", file.display()));
    }
    println!("[setup] {what}: installed");
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
