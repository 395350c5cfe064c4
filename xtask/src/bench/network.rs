//! Sections 4 and 5: requests and bytes for one health check, and CPU while polling.

use super::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// A JWT-shaped token for the paste box (the fake server accepts exactly this string).
pub(super) fn jwt() -> String {
    testkit::jwt(
        r#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"bench@contoso.com","name":"Bench","exp":4102444800}"#,
        "sig",
    )
}

#[derive(Default, Debug)]
pub(super) struct Counted {
    pub(super) posts: usize,
    pub(super) polls: usize,
    pub(super) gets: usize,
    pub(super) preflights: usize,
    pub(super) other: usize,
}

pub(super) fn count(lines: &[LogLine]) -> Counted {
    let mut c = Counted::default();
    for l in lines {
        let p = l.path.to_ascii_lowercase();
        match l.method.as_str() {
            "OPTIONS" => c.preflights += 1,
            "POST" if p.contains("/health") => c.posts += 1,
            "GET" if p.contains("/operationresults/") => c.polls += 1,
            "GET" => c.gets += 1,
            _ => c.other += 1,
        }
    }
    c
}

/// Serves the app configured for the ARM endpoint at `arm` (a fake Azure server), and,
/// as a deployment whose armEndpoint is another origin does, allowed in connect-src.
pub(super) fn serve_live(www: &Www, dist: &Path, arm: &str) -> Result<(), String> {
    www.set_config(json!({ "armEndpoint": arm }));
    let index = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    www.put(
        "/index.html",
        "text/html; charset=utf-8",
        allow_connect(&index, arm).into_bytes(),
    );
    Ok(())
}

/// Signs in on the live path by pasting `token` into the sign-in page's box.
pub(super) fn paste_token(s: &Session, token: &str) -> Result<(), String> {
    let input = s.wait("the token box", Duration::from_secs(30), || {
        let v = s.exec("return document.getElementById('token-input');", vec![])?;
        Ok(v.get(ELEMENT_KEY).is_some().then_some(v))
    })?;
    let id = input[ELEMENT_KEY].as_str().unwrap_or_default().to_string();
    s.cmd(
        "POST",
        &format!("/element/{id}/value"),
        Some(json!({ "text": token })),
    )?;
    s.click_when("Use this token", Duration::from_secs(10))?;
    Ok(())
}

pub(super) fn network(
    driver: &Driver,
    www: &Www,
    dist: &Path,
    fake_bin: &Path,
    report: &mut Report,
) -> Result<(), String> {
    let token = jwt();
    let fake = FakeArm::start(
        fake_bin,
        &[
            "--pending-polls",
            &PENDING_POLLS.to_string(),
            "--retry-after",
            "1",
            "--token",
            &token,
        ],
    )?;
    serve_live(www, dist, &fake.url)?;
    let s = driver.session(true)?;
    s.inject(&json!({}))?;
    s.goto(&www.url())?;
    paste_token(&s, &token)?;
    s.click_when("Contoso Production", Duration::from_secs(30))?;
    let per_check = 1 + PENDING_POLLS as usize + 1;

    // Opening a load balancer: one GET of its description, plus one health operation per
    // rule the list checks (at most one per rule with a probe).
    let lbs = [("lb-sql", "rule-sql", 1, 1), ("lb-web", "rule-http", 3, 2)];
    for (i, (lb, rule, rules, probed)) in lbs.into_iter().enumerate() {
        s.wait_button(lb, Duration::from_secs(30))?;
        fake.wait_quiet(Duration::from_millis(1500), Duration::from_secs(60))?;
        let mark = fake.len();
        s.click_when(lb, Duration::from_secs(10))?;
        s.wait_button(&format!("View details for {rule}"), Duration::from_secs(30))?;
        fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(120))?;
        let c = count(&fake.since(mark));
        let arm = c.gets + c.posts + c.polls + c.other;
        let (min_arm, min_pre) = (1 + c.posts * per_check, 1 + 2 * c.posts);
        let row = report.row(
            "Network",
            format!(
                "open {lb} ({rules} rule{}, {probed} with a probe): requests",
                if rules == 1 { "" } else { "s" }
            ),
            format!(
                "{} = {} GET + {} health check{} ({} POST + {} polls) + {} preflights",
                arm + c.preflights,
                c.gets + c.other,
                c.posts,
                if c.posts == 1 { "" } else { "s" },
                c.posts,
                c.polls,
                c.preflights
            ),
        );
        row.target = format!(
            "minimum {} ARM (1 GET + {} x {per_check}) + {min_pre} preflights: {}",
            min_arm,
            c.posts,
            verdict(arm <= min_arm && c.preflights <= min_pre && c.posts <= probed)
        );
        if i + 1 < lbs.len() {
            // Back to the list through the breadcrumb.
            s.click_when("Contoso Production", Duration::from_secs(10))?;
        }
    }

    // One health check: the panel's Refresh (opening the panel may reuse the list's result).
    s.click_when("View details for rule-http", Duration::from_secs(10))?;
    s.wait("the panel's rows", Duration::from_secs(60), || {
        Ok((s
            .exec("return window.__bench.rows();", vec![])?
            .as_u64()
            .unwrap_or(0)
            > 0)
        .then_some(()))
    })?;
    fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(60))?;
    let _ = s.performance_log()?; // drop what came before
    let mark = fake.len();
    s.cdp("Performance.enable", json!({}))?;
    s.wait(
        "the panel's Refresh button to click",
        Duration::from_secs(30),
        || {
            let clicked = s.exec(
                "const H = window.__bench, b = H.button('Refresh', H.dialog() || document); \
             if (!b || b.disabled) return false; b.click(); return true;",
                vec![],
            )?;
            Ok((clicked == json!(true)).then_some(()))
        },
    )?;
    let wait_log = |what: &str, f: &dyn Fn(&Counted) -> bool| {
        s.wait(what, Duration::from_secs(60), || {
            Ok(f(&count(&fake.since(mark))).then_some(()))
        })
    };
    wait_log(
        "the health POST in the fake server's log",
        &|c: &Counted| c.posts >= 1,
    )?;
    let m0 = metrics(&s)?;
    wait_log(
        "10 pending polls in the fake server's log",
        &|c: &Counted| c.polls >= PENDING_POLLS as usize,
    )?;
    let m1 = metrics(&s)?;
    wait_log("the final poll", &|c: &Counted| {
        c.polls > PENDING_POLLS as usize
    })?;
    fake.wait_quiet(Duration::from_millis(2500), Duration::from_secs(60))?;
    let c = count(&fake.since(mark));
    let arm = c.posts + c.polls + c.gets + c.other;
    let row = report.row(
        "Network",
        format!("one health check ({PENDING_POLLS} pending polls): ARM requests"),
        format!(
            "{arm} ({} POST + {} polls{})",
            c.posts,
            c.polls,
            if c.gets + c.other > 0 {
                format!(" + {} other", c.gets + c.other)
            } else {
                String::new()
            }
        ),
    );
    row.target = format!(
        "minimum {per_check} (1 POST + {} GET): {}",
        PENDING_POLLS + 1,
        verdict(arm <= per_check)
    );
    let row = report.row(
        "Network",
        "one health check: CORS preflights",
        c.preflights.to_string(),
    );
    row.target = format!(
        "minimum 2 (POST, operation URL): {}",
        verdict(c.preflights <= 2)
    );

    let log = s.performance_log()?;
    let bytes = network_bytes(&log, &fake.url);
    report.row(
        "Network",
        "one health check: bytes received / sent (headers included)",
        format!(
            "{} / {} in {} requests seen by Chromium; result body {}",
            kb(bytes.received),
            kb(bytes.sent),
            bytes.requests,
            kb(bytes.result_body)
        ),
    );
    if bytes.preflights_seen == 0 && c.preflights > 0 {
        report.notes.push(
            "Chromium's network events do not list CORS preflights, so the byte counts leave them out (each is a \
             header-only OPTIONS and 204)."
                .into(),
        );
    }

    let busy = cpu_text(&m0, &m1);
    let row = report.row(
        "Polling cost",
        format!("main-thread CPU while waiting through {PENDING_POLLS} pending polls"),
        busy.0,
    );
    row.target = format!("near zero: {}", verdict(busy.1 < 0.01));
    // For reference: the same page, result shown, nothing pending.
    let m2 = metrics(&s)?;
    std::thread::sleep(Duration::from_secs(5));
    let m3 = metrics(&s)?;
    report.row(
        "Polling cost",
        "for reference: the same page idle for 5 s, result shown",
        cpu_text(&m2, &m3).0,
    );
    Ok(())
}

/// Adds `origin` to the page's Content-Security-Policy `connect-src`, if it has one.
pub(super) fn allow_connect(html: &str, origin: &str) -> String {
    html.replacen(
        "connect-src 'self'",
        &format!("connect-src 'self' {origin}"),
        1,
    )
}

/// Main-thread time between two `Performance.getMetrics` readings, and its share of a core.
pub(super) fn cpu_text(m0: &HashMap<String, f64>, m1: &HashMap<String, f64>) -> (String, f64) {
    let d = |k: &str| m1.get(k).copied().unwrap_or(0.0) - m0.get(k).copied().unwrap_or(0.0);
    let wall = d("Timestamp");
    let task = d("TaskDuration") * 1000.0;
    let script = d("ScriptDuration") * 1000.0;
    let style = (d("LayoutDuration") + d("RecalcStyleDuration")) * 1000.0;
    let share = if wall > 0.0 {
        task / (wall * 1000.0)
    } else {
        f64::NAN
    };
    let text = format!(
        "{} over {:.1} s ({:.1}% of a core: script {}, style+layout {}, other tasks {})",
        ms(task),
        wall,
        share * 100.0,
        ms(script),
        ms(style),
        ms((task - script - style).max(0.0))
    );
    (text, share)
}

pub(super) fn metrics(s: &Session) -> Result<HashMap<String, f64>, String> {
    let v = s.cdp("Performance.getMetrics", json!({}))?;
    Ok(v.get("metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m.get("name")?.as_str()?.to_string(),
                m.get("value")?.as_f64()?,
            ))
        })
        .collect())
}

#[derive(Default, Debug)]
pub(super) struct Bytes {
    pub(super) requests: usize,
    pub(super) preflights_seen: usize,
    pub(super) received: u64,
    pub(super) sent: u64,
    pub(super) result_body: u64,
}

/// Sums Chromium's network events for requests to `origin`.
pub(super) fn network_bytes(log: &[Value], origin: &str) -> Bytes {
    let mut b = Bytes::default();
    let mut ours: HashMap<String, bool> = HashMap::new(); // requestId -> is preflight
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let mut finished: HashMap<String, u64> = HashMap::new();
    for e in log {
        let (Some(method), Some(p)) = (
            e.pointer("/message/method").and_then(Value::as_str),
            e.pointer("/message/params"),
        ) else {
            continue;
        };
        let id = p
            .get("requestId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match method {
            "Network.requestWillBeSent" => {
                let url = p
                    .pointer("/request/url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !url.starts_with(origin) {
                    continue;
                }
                let preflight = p.get("type").and_then(Value::as_str) == Some("Preflight")
                    || p.pointer("/request/method").and_then(Value::as_str) == Some("OPTIONS");
                if ours.insert(id.clone(), preflight).is_none() {
                    b.requests += 1;
                    b.preflights_seen += usize::from(preflight);
                }
                let method = p
                    .pointer("/request/method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET");
                let path = url.strip_prefix(origin).unwrap_or(url);
                let body = p
                    .pointer("/request/postData")
                    .and_then(Value::as_str)
                    .map_or(0, str::len);
                sizes
                    .entry(id)
                    .or_insert((method.len() + path.len() + 11 + body) as u64);
            }
            "Network.requestWillBeSentExtraInfo" => {
                if let Some(h) = p.get("headers").and_then(Value::as_object) {
                    let n: usize = h
                        .iter()
                        .map(|(k, v)| k.len() + 4 + v.as_str().map_or(0, str::len))
                        .sum::<usize>()
                        + 2;
                    *sizes.entry(id).or_insert(0) += n as u64;
                }
            }
            "Network.loadingFinished" => {
                finished.insert(
                    id,
                    p.get("encodedDataLength")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0) as u64,
                );
            }
            // The final answer of the operation: its body is the health result.
            "Network.responseReceived"
                if p.pointer("/response/status").and_then(Value::as_u64) == Some(200)
                    && p.pointer("/response/url")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.contains("/operationResults/")) =>
            {
                let len = p
                    .pointer("/response/headers")
                    .and_then(Value::as_object)
                    .and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    })
                    .and_then(|(_, v)| v.as_str()?.parse().ok());
                if let Some(len) = len {
                    b.result_body = len;
                }
            }
            _ => {}
        }
    }
    for id in ours.keys() {
        b.received += finished.get(id).copied().unwrap_or(0);
        b.sent += sizes.get(id).copied().unwrap_or(0);
    }
    b
}
