//! Section 5b: LB Health beside the Azure SDK for Python (`azure-mgmt-network`,
//! `begin_health(...).result()`), on the same fake Azure answers: time to the result and
//! the requests each made.

use super::*;
use fake_azure::{FakeAzure, Fault, Logged, Operation, Options, Target};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The SDK's pinned packages, installed into target/tools/sdk-venv on first use.
pub(super) const SDK_PACKAGES: &[&str] = &["azure-mgmt-network==33.1.0", "azure-core==1.41.0"];

/// One set of answers both clients meet.
pub(super) struct Scenario {
    pub(super) name: &'static str,
    pub(super) opts: Options,
    /// A fault aimed at the health POST, met once.
    pub(super) fault: Option<Fault>,
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let opts = |pending_polls, retry_after: Option<&str>| Options {
        pending_polls,
        retry_after: retry_after.map(str::to_owned),
        ..Options::default()
    };
    vec![
        Scenario {
            name: "202 without Retry-After, 2 pending polls",
            opts: opts(2, None),
            fault: None,
        },
        Scenario {
            name: "202 with Retry-After: 1 three times",
            opts: opts(2, Some("1")),
            fault: None,
        },
        Scenario {
            // As real ARM: the operation takes its time whoever polls. An early poll
            // then buys a 202, not the result.
            name: "an operation that runs 2 s, Retry-After: 1",
            opts: Options {
                pending_for: Some(Duration::from_secs(2)),
                ..opts(0, Some("1"))
            },
            fault: None,
        },
        Scenario {
            name: "429 with Retry-After: 2, then success",
            opts: opts(0, Some("1")),
            fault: Some(Fault::Throttle {
                times: 1,
                retry_after: 2,
            }),
        },
        Scenario {
            name: "503, then success",
            opts: opts(0, Some("1")),
            fault: Some(Fault::ServerError {
                times: 1,
                status: 503,
            }),
        },
    ]
}

/// ARM requests in `log` (preflights apart): (requests, preflights).
pub(super) fn arm_requests(log: &[Logged]) -> (usize, usize) {
    let pre = log.iter().filter(|l| l.method == "OPTIONS").count();
    (log.len() - pre, pre)
}

/// The panel's own line, "took 4.0 s · 3 status checks": (seconds, the whole line).
pub(super) fn took(line: &str) -> Option<f64> {
    let rest = line.split("took ").nth(1)?;
    rest.split(" s").next()?.trim().parse().ok()
}

fn venv_python(root: &Path) -> Result<std::path::PathBuf, String> {
    let venv = root.join("target/tools/sdk-venv");
    let python = venv.join("bin/python");
    let pinned = venv.join("pinned.txt");
    let want = SDK_PACKAGES.join("\n");
    if python.exists() && std::fs::read_to_string(&pinned).ok().as_deref() == Some(&want) {
        return Ok(python);
    }
    let run = |c: &mut Command| -> Result<(), String> {
        match c.status() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!("{c:?} failed ({s})")),
            Err(e) => Err(format!("cannot run {c:?}: {e}")),
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(SDK_PACKAGES))?;
    std::fs::write(&pinned, want).map_err(|e| e.to_string())?;
    Ok(python)
}

/// A fake Azure server on `port` with these answers (the app's armEndpoint stays put).
fn fake_on(port: u16, s: &Scenario, token: &str) -> Result<FakeAzure, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match FakeAzure::start_on(s.opts.clone(), port) {
            Ok(f) => {
                f.set_token(token);
                if let Some(fault) = &s.fault {
                    f.set_fault_on(Target::operation(Operation::HealthStart), fault.clone());
                }
                return Ok(f);
            }
            Err(e) if Instant::now() > deadline => {
                return Err(format!("cannot listen on 127.0.0.1:{port} again: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The "Checked at … · took … · N status checks" line of the open panel, if any.
fn checked_line(s: &Session) -> Result<Option<String>, String> {
    let v = s.exec(
        "const d = document.querySelector('dialog[open]'); if (!d) return null; \
         const m = d.innerText.match(/Checked at [^\\n]*?status checks?/); return m ? m[0] : null;",
        vec![],
    )?;
    Ok(v.as_str().map(str::to_owned))
}

/// LB Health's Refresh in the open panel: (seconds the panel reports, ARM requests,
/// preflights).
fn lb_health_once(s: &Session, fake: &FakeAzure) -> Result<(f64, usize, usize), String> {
    let before = checked_line(s)?;
    let mark = fake.requests().len();
    s.wait("the panel's Refresh to click", Duration::from_secs(30), || {
        let clicked = s.exec(
            "const H = window.__bench, b = H.button('Refresh', H.dialog() || document); \
             if (!b || b.getAttribute('aria-disabled') === 'true') return false; b.click(); return true;",
            vec![],
        )?;
        Ok((clicked == json!(true)).then_some(()))
    })?;
    let line = s.wait(
        "a new result in the panel",
        Duration::from_secs(120),
        || Ok(checked_line(s)?.filter(|l| Some(l) != before.as_ref())),
    )?;
    fake.wait_quiet(Duration::from_millis(1500), Duration::from_secs(30), |_| {
        true
    });
    let secs = took(&line).ok_or_else(|| format!("no time in {line:?}"))?;
    let (arm, pre) = arm_requests(&fake.requests()[mark..]);
    Ok((secs, arm, pre))
}

fn sdk_once(
    python: &Path,
    script: &Path,
    fake: &FakeAzure,
    token: &str,
) -> Result<(f64, usize), String> {
    let mark = fake.requests().len();
    let args = json!({
        "base_url": fake.arm_url(),
        "token": token,
        "subscription": PROD,
        "resource_group": "rg-web",
        "load_balancer": "lb-web",
        "rule": "rule-http",
    });
    let out = Command::new(python)
        .arg(script)
        .arg(args.to_string())
        .output()
        .map_err(|e| format!("cannot run the SDK script: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last: Vec<&str> = err.lines().rev().take(3).collect();
        return Err(format!("the SDK script failed: {}", last.join(" / ")));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the SDK script printed no JSON ({e})"))?;
    let secs = v["seconds"].as_f64().ok_or("the SDK script gave no time")?;
    if v["backends"].as_u64() != Some(9) {
        return Err(format!(
            "the SDK's result is not rule-http's 9 backends: {v}"
        ));
    }
    let (arm, _) = arm_requests(&fake.requests()[mark..]);
    Ok((secs, arm))
}

pub(super) fn sdk_side_by_side(
    driver: &Driver,
    www: &Www,
    dist: &Path,
    report: &mut Report,
) -> Result<(), String> {
    let root = root();
    let python = venv_python(&root)?;
    let script = root.join("bench/sdk/health.py");
    let token = jwt();
    let all = scenarios();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut fake = Some(fake_on(port, &all[1], &token)?);
    let url = format!("http://127.0.0.1:{port}");
    serve_live(www, dist, &url)?;
    let s = driver.session(false)?;
    s.inject(&json!({}))?;
    s.goto(&www.url())?;
    paste_token(&s, &token)?;
    s.click_when("Contoso Production", Duration::from_secs(30))?;
    s.click_when("lb-web", Duration::from_secs(30))?;
    s.click_when("View details for rule-http", Duration::from_secs(60))?;
    s.wait("the panel's first result", Duration::from_secs(60), || {
        checked_line(&s)
    })?;
    for sc in &all {
        // A new server for each set of answers, on the same port.
        drop(fake.take());
        let f = fake.insert(fake_on(port, sc, &token)?);
        let (ours, our_arm, pre) = lb_health_once(&s, f)?;
        drop(fake.take());
        let f = fake.insert(fake_on(port, sc, &token)?);
        let (theirs, their_arm) = sdk_once(&python, &script, f, &token)?;
        println!(
            "  {}: LB Health {ours:.1} s, {our_arm} requests (+{pre} preflights); SDK {theirs:.1} s, {their_arm} requests",
            sc.name
        );
        let row = report.row(
            "SDK side by side",
            format!("{}: time to result, ARM requests", sc.name),
            format!("{ours:.1} s, {our_arm} requests (+{pre} preflights)"),
        );
        row.base = format!("{theirs:.1} s, {their_arm} requests");
        let ratio = ours / theirs;
        row.ratio = format!("**{ratio:.2}x**");
        // The panel says its time in tenths of a second: compare at that resolution.
        let at_tenths = (theirs * 10.0).ceil() / 10.0;
        row.target = format!("≤1.0x the SDK: {}", verdict(ours <= at_tenths));
    }
    Ok(())
}
