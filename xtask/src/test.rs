//! `cargo xtask test`: the whole test suite, as CI runs it.
//!
//! 1. `trunk build --release --offline` (dist/ for the end-to-end tests), and the same
//!    build for a sub-path (`--public-url /lb-health/`, as GitHub Pages serves a project)
//! 2. `cargo test --workspace` on the host (unit tests + tests/e2e_*.rs)
//! 3. `cargo test -p lb-health --target wasm32-unknown-unknown --test components`
//!    (component tests in headless Chromium through wasm-bindgen-test-runner)
//!
//! Stops at the first failing step and ends with `xtask: N passed, M failed` (the plain closing line CI reads).

use crate::tools::{self, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use crate::{cargo, root, show, trunk_build_cmd};
use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// The sub-path of the second build (`tests/e2e_subpath.rs` serves it there).
const SUBPATH: &str = "/lb-health/";

#[derive(Default, Debug, PartialEq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

pub fn run() -> i32 {
    tools::setup(tools::Need::All);
    let root = root();
    let dist = root.join("dist");
    let subpath_dist = root.join("target/dist-subpath");
    let mut tally = Tally::default();

    let failure = 'steps: {
        // 1. The release bundle the end-to-end tests serve.
        let mut build = trunk_build_cmd(None);
        println!("[test 1/3] {}", show(&build));
        match build.status() {
            Ok(s) if s.success() => {}
            Ok(s) => break 'steps Some(format!("trunk build failed ({s})")),
            Err(e) => break 'steps Some(format!("cannot run trunk: {e}")),
        }
        let mut sub = trunk_build_cmd(Some(SUBPATH));
        sub.arg("--dist").arg(&subpath_dist);
        println!("[test 1/3] {}", show(&sub));
        match sub.status() {
            Ok(s) if s.success() => {}
            Ok(s) => break 'steps Some(format!("trunk build --public-url failed ({s})")),
            Err(e) => break 'steps Some(format!("cannot run trunk: {e}")),
        }

        // 2. Host: unit tests and end-to-end tests.
        let mut host = cargo();
        host.args(["test", "--workspace", "--no-fail-fast"])
            .env("LBH_DIST", &dist)
            .env("LBH_DIST_SUBPATH", &subpath_dist)
            .env("LBH_AUTOREST_CLI", tools::autorest_cli())
            .env("LBH_AXE", tools::axe_js())
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("CHROMIUM", CHROMIUM);
        println!("[test 2/3] LBH_DIST={} {}", dist.display(), show(&host));
        if let Some(f) = tee_tests(&mut host, &mut tally) {
            break 'steps Some(format!("host tests: {f}"));
        }

        // 3. wasm32: component tests in headless Chromium.
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
            "--no-fail-fast",
        ])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        println!("[test 3/3] CHROMEDRIVER={CHROMEDRIVER} {}", show(&wasm));
        if let Some(f) = tee_tests(&mut wasm, &mut tally) {
            break 'steps Some(format!("wasm32 tests: {f}"));
        }
        None
    };

    if let Some(f) = &failure {
        eprintln!("xtask test: FAILED: {f}");
    }
    let skipped = if tally.ignored > 0 { format!(", {} skipped", tally.ignored) } else { String::new() };
    println!("xtask: {} passed, {} failed{skipped}", tally.passed, tally.failed);
    if failure.is_some() || tally.failed > 0 {
        1
    } else {
        0
    }
}

/// Runs `cargo test`, streaming its stdout to ours while keeping a copy, and
/// adds its `test result:` lines to `tally`. Returns a failure description.
fn tee_tests(c: &mut Command, tally: &mut Tally) -> Option<String> {
    c.stdout(Stdio::piped());
    let mut child = match c.spawn() {
        Ok(child) => child,
        Err(e) => return Some(format!("cannot run `{}`: {e}", show(c))),
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
    tally.passed += t.passed;
    tally.failed += t.failed;
    tally.ignored += t.ignored;
    match status {
        Ok(s) if s.success() => None,
        Ok(s) => Some(format!("`{}` failed ({s})", show(c))),
        Err(e) => Some(format!("`{}`: {e}", show(c))),
    }
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
}
