//! `cargo xtask test`: the whole test suite, as CI runs it, in stages.
//!
//! 1. `cargo fmt --all --check`
//! 2. `cargo clippy --workspace --all-targets -- -D warnings` (host)
//! 3. `cargo clippy -p lb-health --target wasm32-unknown-unknown --lib --bins --test components --test components_history -- -D warnings`
//! 4. `trunk build --release --offline` (dist/ for the end-to-end tests), and the same
//!    build for a sub-path (`--public-url /lb-health/`, as GitHub Pages serves a project)
//! 5. `cargo test --workspace` on the host (unit tests + tests/e2e_*.rs in Chromium)
//! 6. the cross-engine end-to-end files again in Firefox ESR and in WebKitGTK
//! 7. `cargo test -p lb-health --target wasm32-unknown-unknown --test components --test components_history`
//!    (component tests in headless Chromium through wasm-bindgen-test-runner)
//!
//! Every stage runs even when an earlier one failed (a formatting slip must not hide a
//! broken test), except that the test stages need the build. Each stage's time is
//! printed, and the run ends with a table of stages, the tests passed per browser
//! engine, and `xtask: N passed, M failed` (the plain closing line CI reads), in which
//! each lint stage counts as one check.

use crate::tools::{self, Engine, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use crate::{cargo, root, show, trunk_build_cmd};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sub-path of the second build (`tests/e2e_subpath.rs` serves it there).
const SUBPATH: &str = "/lb-health/";

/// The end-to-end files that run in every engine: the demo walk, the live path with a
/// pasted token, the panel's fault cases, sign-in (redirect, pop-up from an iframe,
/// renewal), the axe scans, and the wasm's split parts fetched on first use (each
/// engine's own `WebAssembly.instantiateStreaming` and module loading). The rest run in Chromium only (the service worker's also
/// in Firefox, below): they drive Chromium-only machinery (DevTools media emulation,
/// narrow viewports) or the app's own plumbing.
pub const CROSS_ENGINE_TESTS: &[&str] = &[
    "e2e_demo",
    "e2e_live",
    "e2e_faults",
    "e2e_signin",
    "e2e_a11y",
    "e2e_split",
];

/// Files run in one other engine besides Chromium. The service worker: WebKit runs
/// without it (src/http/offline/browser.rs says why), so its tests run in Firefox.
fn engine_only(engine: Engine) -> &'static [&'static str] {
    match engine {
        Engine::Firefox => &["e2e_offline"],
        _ => &[],
    }
}

/// Tests in those files that need Chromium's DevTools (viewports under 500 px, emulated
/// dark scheme or forced colours); skipped in the other engines, where they would fail
/// by design rather than by a bug.
pub const CHROMIUM_ONLY: &[&str] = &[
    "panel_fits_a_narrow_screen",
    "panel_screenshots_light_and_dark",
    "the_account_menu_fits_a_phone",
    "phone_layout_has_no_axe_violations",
    "forced_colours_keep_the_tooltip_outlined_and_states_in_words",
];

#[derive(Default, Debug, PartialEq, Clone, Copy)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

impl Tally {
    fn add(&mut self, t: Tally) {
        self.passed += t.passed;
        self.failed += t.failed;
        self.ignored += t.ignored;
    }
}

enum Outcome {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

struct Stage {
    name: String,
    took: Duration,
    outcome: Outcome,
    /// Tests counted from `test result:` lines; None for a lint or build stage.
    tests: Option<Tally>,
}

pub fn run() -> i32 {
    tools::setup(tools::Need::All);
    let root = root();
    let dist = root.join("dist");
    let subpath_dist = root.join("target/dist-subpath");
    let mut stages: Vec<Stage> = Vec::new();

    // Lints first: quick to run, and each is a stage of its own in the tally.
    stages.push(lint("fmt", cargo().args(["fmt", "--all", "--check"])));
    stages.push(lint(
        "clippy (host)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    ));
    stages.push(lint(
        "clippy (wasm32)",
        cargo().args([
            "clippy",
            "-p",
            "lb-health",
            "--target",
            WASM_TARGET,
            // The library's unit tests and the end-to-end tests are host tests (their
            // dev-dependencies are host-only): the wasm32 targets are the app, the
            // workers and the component tests.
            "--lib",
            "--bins",
            "--test",
            "components",
            "--test",
            "components_history",
            "--",
            "-D",
            "warnings",
        ]),
    ));

    let build = timed("build", || {
        let mut release = trunk_build_cmd(None);
        let mut sub = trunk_build_cmd(Some(SUBPATH));
        sub.arg("--dist").arg(&subpath_dist);
        for c in [&mut release, &mut sub] {
            println!("[test build] {}", show(c));
            match c.status() {
                Ok(s) if s.success() => {}
                Ok(s) => return (Outcome::Failed(format!("`{}` failed ({s})", show(c))), None),
                Err(e) => return (Outcome::Failed(format!("cannot run trunk: {e}")), None),
            }
        }
        (Outcome::Passed, None)
    });
    let built = matches!(build.outcome, Outcome::Passed);
    stages.push(build);

    let e2e_env = |c: &mut Command| {
        c.env("LBH_DIST", &dist)
            .env("LBH_DIST_SUBPATH", &subpath_dist)
            .env("LBH_AUTOREST_CLI", tools::autorest_cli())
            .env("LBH_AXE", tools::axe_js())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM);
        // Property tests (tests/fuzz_parsers.rs): one fixed seed in CI, so a red run
        // replays exactly; a new seed each local run. Either way a failure names its seed.
        if ci() && std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            c.env("PROPTEST_RNG_SEED", CI_PROPTEST_SEED);
        }
    };

    // Host: unit tests and every end-to-end file, in Chromium.
    stages.push(if built {
        let mut host = cargo();
        host.args(["test", "--workspace", "--no-fail-fast"])
            .env("LBH_BROWSER", "chromium");
        e2e_env(&mut host);
        tests_stage("host tests + e2e (chromium)", &mut host)
    } else {
        skipped("host tests + e2e (chromium)", "the build failed")
    });

    // The same end-to-end files in the other engines.
    for engine in [Engine::Firefox, Engine::Webkit] {
        let name = format!("e2e ({})", engine.name());
        stages.push(if !built {
            skipped(&name, "the build failed")
        } else if let Some(missing) = tools::engine_missing(engine) {
            skipped(&name, missing)
        } else {
            let mut c = cargo();
            c.args(["test", "-p", "lb-health", "--no-fail-fast"]);
            for t in CROSS_ENGINE_TESTS.iter().chain(engine_only(engine)) {
                c.args(["--test", t]);
            }
            c.arg("--");
            for t in CHROMIUM_ONLY {
                c.args(["--skip", t]);
            }
            tools::engine_env(engine, &mut c);
            e2e_env(&mut c);
            tests_stage(&name, &mut c)
        });
    }

    // wasm32: component tests in headless Chromium.
    let mut wasm = cargo();
    wasm.args([
        "test",
        "-p",
        "lb-health",
        "--target",
        WASM_TARGET,
        // Only the component tests run in the browser: the library's unit tests
        // and the end-to-end tests are host tests.
        "--test",
        "components",
        "--test",
        "components_history",
        "--no-fail-fast",
    ])
    .env("CHROMEDRIVER", CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    stages.push(tests_stage("wasm32 components (chromium)", &mut wasm));

    report(&stages)
}

/// A stage of one command that passes or fails as a whole (fmt, clippy).
fn lint(name: &str, c: &mut Command) -> Stage {
    timed(name, || {
        println!("[test {name}] {}", show(c));
        match c.status() {
            Ok(s) if s.success() => (Outcome::Passed, None),
            Ok(s) => (Outcome::Failed(format!("`{}` failed ({s})", show(c))), None),
            Err(e) => (
                Outcome::Failed(format!("cannot run `{}`: {e}", show(c))),
                None,
            ),
        }
    })
}

fn tests_stage(name: &str, c: &mut Command) -> Stage {
    timed(name, || {
        println!("[test {name}] {}", show(c));
        let (tally, failure) = tee_tests(c);
        let outcome = match failure {
            Some(f) => Outcome::Failed(f),
            None if tally.failed > 0 => Outcome::Failed(format!("{} tests failed", tally.failed)),
            None => Outcome::Passed,
        };
        (outcome, Some(tally))
    })
}

fn skipped(name: &str, why: &'static str) -> Stage {
    println!("[test {name}] skipped: {why}");
    Stage {
        name: name.to_string(),
        took: Duration::ZERO,
        outcome: Outcome::Skipped(why),
        tests: None,
    }
}

fn timed(name: &str, f: impl FnOnce() -> (Outcome, Option<Tally>)) -> Stage {
    let start = Instant::now();
    let (outcome, tests) = f();
    let took = start.elapsed();
    let word = match &outcome {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "FAILED",
        Outcome::Skipped(_) => "skipped",
    };
    println!("[test {name}] {word} in {}", secs(took));
    Stage {
        name: name.to_string(),
        took,
        outcome,
        tests,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Prints the stage table and the closing line; returns the exit code.
fn report(stages: &[Stage]) -> i32 {
    let mut total = Tally::default();
    let mut failed_stage = false;
    println!("\nxtask test stages:");
    for s in stages {
        let (word, why) = match &s.outcome {
            Outcome::Passed => ("ok", String::new()),
            Outcome::Failed(f) => {
                failed_stage = true;
                ("FAILED", format!("  {f}"))
            }
            Outcome::Skipped(w) => {
                // A skipped engine is not a pass: a fresh machine has every engine.
                failed_stage = true;
                ("SKIPPED", format!("  {w}"))
            }
        };
        let counts = match s.tests {
            Some(t) => format!(
                "  {} passed, {} failed, {} ignored",
                t.passed, t.failed, t.ignored
            ),
            None => String::new(),
        };
        println!(
            "  {:<30} {:<8} {:>8}{counts}{why}",
            s.name,
            word,
            secs(s.took)
        );
        match s.tests {
            Some(t) => total.add(t),
            // A lint or build stage counts as one check.
            None => match s.outcome {
                Outcome::Passed => total.passed += 1,
                Outcome::Failed(_) => total.failed += 1,
                Outcome::Skipped(_) => {}
            },
        }
    }
    let took: Duration = stages.iter().map(|s| s.took).sum();
    println!("  {:<30} {:<8} {:>8}", "total", "", secs(took));
    for s in stages
        .iter()
        .filter(|s| s.name.starts_with("e2e (") || s.name.contains("(chromium)"))
    {
        if let Some(t) = s.tests {
            println!(
                "xtask: {}: {} passed, {} failed",
                s.name, t.passed, t.failed
            );
        }
    }
    let skipped = if total.ignored > 0 {
        format!(", {} skipped", total.ignored)
    } else {
        String::new()
    };
    println!(
        "xtask: {} passed, {} failed{skipped}",
        total.passed, total.failed
    );
    i32::from(failed_stage || total.failed > 0)
}

/// The property tests' seed when `CI=true`.
const CI_PROPTEST_SEED: &str = "20261203";

fn ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v == "true")
}

/// Runs `cargo test`, streaming its stdout to ours while keeping a copy, and counts
/// its `test result:` lines. Returns the tally and a failure description.
fn tee_tests(c: &mut Command) -> (Tally, Option<String>) {
    c.stdout(Stdio::piped());
    let mut child = match c.spawn() {
        Ok(child) => child,
        Err(e) => {
            return (
                Tally::default(),
                Some(format!("cannot run `{}`: {e}", show(c))),
            )
        }
    };
    let mut pipe = child.stdout.take().expect("piped stdout");
    let mut captured = Vec::new();
    let mut buf = [0u8; 8192];
    let stdout = std::io::stdout();
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut out = stdout.lock();
                let _ = out.write_all(&buf[..n]);
                let _ = out.flush();
                captured.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    let status = child.wait();
    let t = count(&String::from_utf8_lossy(&captured));
    let failure = match status {
        Ok(s) if s.success() => None,
        Ok(s) => Some(format!("`{}` failed ({s})", show(c))),
        Err(e) => Some(format!("`{}`: {e}", show(c))),
    };
    (t, failure)
}

/// Sums `test result: ok. N passed; M failed; K ignored; ...` lines.
pub fn count(output: &str) -> Tally {
    let mut t = Tally::default();
    for line in output.lines() {
        let Some(i) = line.find("test result:") else {
            continue;
        };
        let words: Vec<&str> = line[i..]
            .split(|c: char| c.is_whitespace() || c == ';' || c == '.' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            let Ok(n) = pair[0].parse::<u64>() else {
                continue;
            };
            match pair[1] {
                "passed" => t.passed += n,
                "failed" => t.failed += n,
                "ignored" => t.ignored += n,
                _ => {}
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_libtest_and_wasm_runner_summaries() {
        let out = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s
test result: ok. 12 passed; 0 failed; 0 ignored; 0 filtered out; finished in 3.45s
";
        assert_eq!(
            count(out),
            Tally {
                passed: 20,
                failed: 2,
                ignored: 1
            }
        );
    }

    #[test]
    fn a_failed_lint_stage_fails_the_run_and_counts_as_one_failure() {
        let stage = |name: &str, outcome| Stage {
            name: name.into(),
            took: Duration::ZERO,
            outcome,
            tests: None,
        };
        let tests = Stage {
            name: "host tests + e2e (chromium)".into(),
            took: Duration::ZERO,
            outcome: Outcome::Passed,
            tests: Some(Tally {
                passed: 3,
                failed: 0,
                ignored: 0,
            }),
        };
        assert_eq!(report(&[stage("fmt", Outcome::Passed), tests]), 0);
        let tests = Stage {
            outcome: Outcome::Passed,
            tests: Some(Tally {
                passed: 3,
                ..Tally::default()
            }),
            ..stage("t", Outcome::Passed)
        };
        assert_eq!(
            report(&[stage("fmt", Outcome::Failed("not formatted".into())), tests]),
            1
        );
    }
}
