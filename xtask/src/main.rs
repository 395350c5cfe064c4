//! `cargo xtask <command>`: project tooling for LB Health.
//!
//! Commands:
//!   setup                     install missing tools (wasm32 target, trunk 0.21,
//!                             wasm-bindgen-cli matching Cargo.lock, wasm-opt,
//!                             chromium + chromedriver); skips what is present
//!   build [--public-url P]    release build with Trunk into dist/
//!   serve                     trunk serve on http://127.0.0.1:8080/
//!   dist  [--public-url P]    build, then list dist/ with raw and gzip sizes
//!   test                      trunk build, host tests (unit + end-to-end),
//!                             wasm32 component tests in headless Chromium
//!   bench                     release build + headless Chromium benchmarks;
//!                             prints a table and writes bench/results.md

mod bench;
mod build_id;
mod csp;
mod dist;
mod minify;
mod split;
mod test;
mod tools;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{exit, Command, ExitStatus};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup                    install missing tools (skips what is present)
  build [--public-url P]   trunk release build into dist/
  serve                    trunk dev server on http://127.0.0.1:8080/
  dist  [--public-url P]   build, then print file sizes (raw and gzip)
  test                     trunk build + host tests + wasm32 browser tests
  bench                    build, run the benchmarks, write bench/results.md";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        exit(2);
    };
    let rest = &args[1..];
    tools::extend_path();
    let code = match cmd.as_str() {
        "setup" => {
            no_args(cmd, rest);
            tools::setup(tools::Need::All);
            0
        }
        "build" => {
            let public_url = public_url_arg(cmd, rest);
            tools::setup(tools::Need::Build);
            trunk_build(public_url.as_deref());
            0
        }
        "serve" => {
            no_args(cmd, rest);
            tools::setup(tools::Need::Build);
            serve()
        }
        "dist" => {
            let public_url = public_url_arg(cmd, rest);
            tools::setup(tools::Need::Build);
            trunk_build(public_url.as_deref());
            dist::report(&root().join("dist"))
        }
        // Trunk's post_build hook (Trunk.toml): minify the glue, then inline scripts out
        // of index.html, for the CSP.
        "post-build" => post_build(),
        "test" => {
            no_args(cmd, rest);
            test::run()
        }
        "bench" => {
            no_args(cmd, rest);
            bench::run()
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            0
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            2
        }
    };
    exit(code);
}

/// Trunk's post_build hook, one command because Trunk runs a stage's hooks side by side:
/// minification rewrites index.html's integrity attributes before csp moves its scripts.
fn post_build() -> i32 {
    let Some(staging) = std::env::var_os("TRUNK_STAGING_DIR") else {
        eprintln!("xtask post-build: TRUNK_STAGING_DIR is not set: this is Trunk's post_build hook (Trunk.toml), not a command to run by hand");
        return 2;
    };
    let dir = std::path::Path::new(&staging);
    let release = std::env::var("TRUNK_PROFILE").is_ok_and(|p| p == "release");
    if release {
        match split::run(dir) {
            Ok(Some(done)) => println!("[split] {done}"),
            Ok(None) => {}
            Err(e) => {
                eprintln!("xtask post-build: {e}");
                return 1;
            }
        }
    }
    match minify::process_dir(dir, release) {
        Ok(done) => done.iter().for_each(|d| println!("[minify] {d}")),
        Err(e) => {
            eprintln!("xtask post-build: {e}");
            return 1;
        }
    }
    match csp::run(dir) {
        0 if release => match build_id::stamp(dir) {
            Ok(id) => {
                println!("[build-id] {id}");
                0
            }
            Err(e) => {
                eprintln!("xtask post-build: {e}");
                1
            }
        },
        code => code,
    }
}

fn no_args(cmd: &str, rest: &[String]) {
    if !rest.is_empty() {
        eprintln!("xtask {cmd}: unexpected arguments {rest:?}\n\n{USAGE}");
        exit(2);
    }
}

/// Parses `[--public-url P]` (also `--public-url=P`).
fn public_url_arg(cmd: &str, rest: &[String]) -> Option<String> {
    let mut url = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        if a == "--public-url" {
            match it.next() {
                Some(v) => url = Some(v.clone()),
                None => {
                    eprintln!("xtask {cmd}: --public-url needs a value");
                    exit(2);
                }
            }
        } else if let Some(v) = a.strip_prefix("--public-url=") {
            url = Some(v.to_string());
        } else {
            eprintln!("xtask {cmd}: unexpected argument `{a}`\n\n{USAGE}");
            exit(2);
        }
    }
    url
}

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// `cargo` as invoked by the user (cargo sets `CARGO` for `cargo run`).
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut c = Command::new(cargo);
    c.current_dir(root());
    c
}

/// A command run from the workspace root.
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root());
    c
}

/// Shows a command the way a shell would, for progress and error lines.
pub fn show(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(' ') {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// Runs a command with inherited stdio; returns its status (exits if it cannot start).
pub fn status(c: &mut Command) -> ExitStatus {
    match c.status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("xtask: cannot run `{}`: {e}", show(c));
            exit(1);
        }
    }
}

/// Runs a command with inherited stdio and exits xtask if it fails.
pub fn run(c: &mut Command) {
    let s = status(c);
    if !s.success() {
        eprintln!("xtask: `{}` failed ({s})", show(c));
        exit(s.code().filter(|&c| c != 0).unwrap_or(1));
    }
}

/// The Trunk command for a release build into dist/.
pub fn trunk_build_cmd(public_url: Option<&str>) -> Command {
    let mut c = cmd("trunk");
    c.args(["build", "--release", "--offline"]);
    if let Some(p) = public_url {
        c.args(["--public-url", p]);
    }
    c.env("TRUNK_OFFLINE", "true");
    c.env(WASM_RUSTFLAGS, short_source_paths());
    c
}

const WASM_RUSTFLAGS: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";

/// Panic messages carry their source file, and a dependency's is an absolute path under
/// `$CARGO_HOME/registry/src/<index>/` (49 of them in the page's wasm, 4.7 KB raw): mapped
/// to `<crate>-<version>/...`, which also keeps this machine's paths out of the build.
/// Cargo merges these flags with `.cargo/config.toml`'s. Only the release build made
/// here sees them, so the test builds' artifacts are not rebuilt.
fn short_source_paths() -> String {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut flags: Vec<String> = std::env::var(WASM_RUSTFLAGS).ok().into_iter().collect();
    let indexes = home
        .and_then(|h| std::fs::read_dir(h.join("registry").join("src")).ok())
        .into_iter()
        .flatten()
        .flatten();
    for index in indexes {
        let dir = index.path().to_string_lossy().into_owned();
        // Cargo splits this variable at whitespace.
        if !dir.contains(char::is_whitespace) {
            flags.push(format!("--remap-path-prefix={dir}/="));
        }
    }
    flags.join(" ")
}

fn trunk_build(public_url: Option<&str>) {
    let mut c = trunk_build_cmd(public_url);
    println!("[build] {}", show(&c));
    run(&mut c);
}

fn serve() -> i32 {
    let mut c = cmd("trunk");
    // A debug build in its own directory, so dist/ keeps the release build
    // that `dist` measures and the end-to-end tests serve.
    c.args([
        "serve",
        "--offline",
        "--address",
        "127.0.0.1",
        "--port",
        "8080",
    ]);
    c.arg("--dist")
        .arg(root().join("target").join("serve-dist"));
    c.env("TRUNK_OFFLINE", "true");
    println!("[serve] {}", show(&c));
    println!("[serve] open http://127.0.0.1:8080/ (debug build; rebuilds on change; Ctrl-C stops)");
    let s = status(&mut c);
    if s.success() {
        0
    } else {
        s.code().unwrap_or(1)
    }
}
