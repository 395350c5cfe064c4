//! Security end to end, in headless Chromium against the release build:
//! - the page runs under its Content-Security-Policy (no inline script, no violation),
//!   and the policy is really enforced (an injected inline script, `eval` and a style
//!   attribute are refused and reported);
//! - hostile names from ARM (subscription, load balancer, rule, probe path, reason code,
//!   IP, NIC) render as text: no element, no handler, nothing runs;
//! - the pasted token goes only to the ARM listener, never into a URL, a storage area,
//!   a cookie or the console, even when ARM's Location names another origin that the
//!   CSP would allow.
//!
//! The served page's CSP gets the test servers' origins added to `connect-src`, the way
//! a deployment with a custom `armEndpoint` must (docs/security.md).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use fake_azure::{FakeAzure, Fault, Listener, Options};
use serde_json::{json, Value};
use support::{dist_dir, Browser, StaticServer};
use testkit::LocalServer;

// ------------------------------------------------------------------ the app under its CSP

/// Records every `securitypolicyviolation` in `window.__csp`. Loaded by a `<script src>`
/// right after the CSP meta, before the app, so nothing the app does is missed (an
/// inline script could not do this: the policy forbids it).
const CSP_PROBE_JS: &str = r#"window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber });
});
"#;

/// The built app with `config.json` (if given), `connect-src` extended by `origins`, and
/// the violation probe: the changed files in memory over dist/, on a server of its own.
struct CspApp {
    server: StaticServer,
}

impl CspApp {
    fn start(config_json: Option<&str>, origins: &[String]) -> CspApp {
        let dist = dist_dir();
        let server = StaticServer::start(&dist);
        if let Some(c) = config_json {
            server.put("/config.json", "application/json", c.as_bytes().to_vec());
        }
        let html = std::fs::read_to_string(dist.join("index.html")).expect("read index.html");
        let html = with_connect_src(&html, origins);
        let html = insert_after_csp(&html, r#"<script src="/csp-probe.js"></script>"#);
        server.put("/index.html", "text/html; charset=utf-8", html.into_bytes());
        let probe = CSP_PROBE_JS.as_bytes().to_vec();
        server.put("/csp-probe.js", "text/javascript; charset=utf-8", probe);
        CspApp { server }
    }

    fn url(&self) -> String {
        self.server.url()
    }
}

fn csp_meta_end(html: &str) -> usize {
    let at = html.find(r#"http-equiv="Content-Security-Policy""#).expect(
        "dist/index.html has no Content-Security-Policy meta: the release build must carry one",
    );
    at + html[at..].find('>').expect("the CSP meta tag ends") + 1
}

/// Adds origins to the policy's `connect-src`, as a deployment with an `armEndpoint` on
/// another origin must.
fn with_connect_src(html: &str, origins: &[String]) -> String {
    if origins.is_empty() {
        return html.to_owned();
    }
    let end = csp_meta_end(html);
    let (head, tail) = html.split_at(end);
    let at = head
        .rfind("connect-src 'self'")
        .expect("the CSP has connect-src 'self'")
        + "connect-src 'self'".len();
    format!("{} {}{}{tail}", &head[..at], origins.join(" "), &head[at..])
}

fn insert_after_csp(html: &str, tag: &str) -> String {
    let end = csp_meta_end(html);
    format!("{}\n  {tag}{}", &html[..end], &html[end..])
}

/// The violations the probe saw; panics if the probe did not run (so a page that never
/// loaded it cannot pass as clean).
fn violations(b: &Browser) -> Vec<Value> {
    let v = b.exec(
        "return window.__csp === undefined ? null : window.__csp;",
        vec![],
    );
    match v {
        Value::Array(a) => a,
        other => panic!("the CSP probe did not run (window.__csp = {other})"),
    }
}

fn assert_no_violations(b: &Browser) {
    let v = violations(b);
    assert!(
        v.is_empty(),
        "CSP violations: {}",
        serde_json::to_string_pretty(&v).unwrap()
    );
    let errors = b.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

fn jwt() -> String {
    testkit::jwt(
        r#"{"aud":"https://management.azure.com/","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","upn":"ana@contoso.com","name":"Ana","exp":4102444800,"nonce":"e2e-security-only"}"#,
        "a-signature-that-must-stay-in-memory",
    )
}

fn paste(b: &Browser, token: &str) {
    b.by_role("heading", "Sign in to Azure");
    b.by_role("textbox", "Access token for Azure Resource Manager")
        .send_keys(token);
    b.by_role("button", "Use this token").click();
}

// ------------------------------------------------------------------ 1. CSP

/// The post-build step rewrites the glue and the wasm after Trunk computed their
/// `integrity` (xtask/src/minify.rs): each digest must still name the file as shipped, or
/// the browser refuses the preload (the glue is a module preload: the page would not start).
#[test]
fn integrity_attributes_match_the_files_as_shipped() {
    use sha2::{Digest, Sha384};
    let dir = dist_dir();
    let html = std::fs::read_to_string(dir.join("index.html")).expect("read index.html");
    let mut checked = Vec::new();
    for part in html.split("<link").skip(1) {
        let tag = &part[..part.find('>').expect("a closed <link> tag")];
        let attr = |name: &str| {
            let start = tag
                .find(&format!("{name}=\""))
                .map(|i| i + name.len() + 2)?;
            Some(&tag[start..start + tag[start..].find('"')?])
        };
        let Some(integrity) = attr("integrity") else {
            continue;
        };
        let href = attr("href").expect("a <link> with integrity has an href");
        let file = href.rsplit('/').next().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let want = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes))
        );
        assert_eq!(
            integrity, want,
            "{file}: its integrity does not match the file"
        );
        checked.push(file.to_owned());
    }
    for ext in ["_bg.wasm", ".js", ".css"] {
        assert!(
            checked.iter().any(|f| f.ends_with(ext)),
            "no {ext} file carries integrity: {checked:?}"
        );
    }
    // The minified glue: wasm-bindgen's long import names are gone from it.
    let glue = checked
        .iter()
        .find(|f| f.ends_with(".js") && !f.ends_with("_bg.js"))
        .unwrap();
    let js = std::fs::read_to_string(dir.join(glue)).unwrap();
    let long_import = js
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|t| {
            t.starts_with("__wbg_")
                && t.rsplit('_')
                    .next()
                    .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        });
    assert_eq!(
        long_import, None,
        "{glue} still has wasm-bindgen's import names"
    );
}

#[test]
fn demo_runs_end_to_end_under_the_csp_without_violations() {
    let app = CspApp::start(None, &[]);
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Subscriptions");

    let policy = b.exec("const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m && m.content;", vec![]);
    let policy = policy.as_str().expect("the page has a CSP meta");
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
    ] {
        assert!(policy.contains(part), "{part} missing from {policy}");
    }
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"),
        "{policy}"
    );
    let inline = b.exec(
        "return [...document.scripts].filter(s => !s.src && s.textContent.trim()).length;",
        vec![],
    );
    assert_eq!(inline.as_i64(), Some(0), "inline scripts left in the page");

    support::open_lb_web(&b);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    dialog
        .by_role("button", "Explain reason for vm-web-3")
        .focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    b.press("Escape");
    b.wait_until("the tooltip closes", || b.all_by_role("tooltip").is_empty());
    dialog.by_role("button", "Refresh").click();
    b.wait_until("the check runs again", || {
        dialog.text().contains("s elapsed")
    });
    b.wait_until("the refreshed result", || {
        !dialog.text().contains("s elapsed")
    });
    dialog.by_role("group", "Backend health summary");
    assert_no_violations(&b);
    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");
    assert_no_violations(&b);

    // The policy is enforced, and the probe sees what it refuses.
    let outcome = b.exec(
        r#"
        const s = document.createElement('script');
        s.textContent = 'window.__inline_ran = true';
        document.head.appendChild(s);
        // A string timer is eval'd later, in the page's own context: WebDriver's script
        // runs with the policy lifted, so a direct eval() here would prove nothing.
        setTimeout('window.__eval_ran = true', 0);
        document.body.setAttribute('style', 'outline: 5px solid red');
        return new Promise(done => setTimeout(() => done({
          inline: window.__inline_ran === true, eval: window.__eval_ran === true,
          styled: getComputedStyle(document.body).outlineWidth === '5px',
        }), 200));
        "#,
        vec![],
    );
    assert_eq!(
        outcome,
        json!({ "inline": false, "eval": false, "styled": false }),
        "the CSP let something through"
    );
    b.wait_until("three violations reported", || violations(&b).len() >= 3);
    let directives: Vec<String> = violations(&b)
        .iter()
        .map(|v| v["directive"].as_str().unwrap_or("").to_owned())
        .collect();
    for d in ["script-src-elem", "script-src", "style-src-attr"] {
        assert!(
            directives.iter().any(|x| x == d),
            "no {d} violation in {directives:?}"
        );
    }
}

// ------------------------------------------------------------------ 2. hostile names

const SUB: &str = "6a1e0b7c-2f3d-4e5a-8b9c-0d1e2f3a4b5c";
const XSS_REASON: &str = "<img src=x onerror=alert(1)>";
const XSS_LB_NAME: &str = "<script>alert(1)</script>";
const XSS_SUB_NAME: &str = "Contoso <img src=x onerror=window.__xss=1>";
const XSS_RULE_NAME: &str = "<svg onload=window.__xss=2>";
const XSS_PROBE_PATH: &str = "/<img src=x onerror=window.__xss=3>";
const XSS_IP: &str = "<b onmouseover=window.__xss=4>10.0.0.4</b>";
const XSS_NIC: &str = "<img src=x onerror=window.__xss=5>";
const XSS_MALFORMED_LB: &str = "<iframe src=javascript:window.__xss=6>";

/// One request as the stub saw it: method, path and query, Authorization.
type Seen = (String, String, Option<String>);

/// A handwritten ARM (std only): one subscription, two load balancers, one rule with a
/// probe, and a health operation (202 + Location, then 200), every name and value
/// hostile. CORS like ARM's, so the browser's preflights pass.
struct ArmStub {
    server: LocalServer,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl ArmStub {
    fn start() -> ArmStub {
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        let server = LocalServer::start("arm-stub", move |stream| {
            let port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
            let _ = serve(stream, port, &log2);
        })
        .expect("bind the ARM stub");
        ArmStub { server, log }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port())
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, port: u16, log: &Mutex<Vec<Seen>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("/").to_owned(),
    );
    let (mut auth, mut request_headers, mut length) = (None, String::new(), 0usize);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "authorization" => auth = Some(v.trim().to_owned()),
                "access-control-request-headers" => request_headers = v.trim().to_owned(),
                "content-length" => length = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    log.lock()
        .unwrap()
        .push((method.clone(), target.clone(), auth.clone()));

    let cors = "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: Location, Retry-After, x-ms-request-id\r\n";
    let response = if method == "OPTIONS" {
        format!(
            "HTTP/1.1 204 No Content\r\n{cors}Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: {request_headers}\r\nAccess-Control-Max-Age: 600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    } else {
        let path = target.split('?').next().unwrap_or("").to_ascii_lowercase();
        let (status, extra, body) = route(&method, &path, port, auth.is_some());
        format!(
            "HTTP/1.1 {status}\r\n{cors}{extra}Content-Type: application/json; charset=utf-8\r\nx-ms-request-id: stub-{n}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len(),
            n = log.lock().unwrap().len()
        )
    };
    stream.write_all(response.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

fn route(method: &str, path: &str, port: u16, authorized: bool) -> (&'static str, String, String) {
    let sub = format!("/subscriptions/{SUB}");
    let lb_id =
        format!("{sub}/resourceGroups/rg-evil/providers/Microsoft.Network/loadBalancers/lb-evil");
    let probe_id = format!("{lb_id}/probes/probe-http");
    if !authorized {
        let e = json!({ "error": { "code": "AuthenticationFailed", "message": "no token" } });
        return ("401 Unauthorized", String::new(), e.to_string());
    }
    let ok = |v: Value| ("200 OK", String::new(), v.to_string());
    match (method, path) {
        ("GET", "/subscriptions") => ok(json!({ "value": [
            { "subscriptionId": SUB, "displayName": XSS_SUB_NAME, "state": "Enabled", "tenantId": "t" }
        ] })),
        ("GET", p) if p == format!("{sub}/providers/microsoft.network/loadbalancers") => ok(json!({ "value": [
            { "id": lb_id, "name": XSS_LB_NAME, "location": "westeurope", "sku": { "name": "Standard", "tier": "Regional" } },
            { "id": format!("{sub}/resourceGroups/rg-evil/providers/Microsoft.Network/loadBalancers/{XSS_MALFORMED_LB}"),
              "name": XSS_MALFORMED_LB, "location": "<b>westeurope</b>", "sku": { "name": "<i>Standard</i>" } }
        ] })),
        ("GET", p) if p == lb_id.to_ascii_lowercase() => ok(json!({
            "id": lb_id, "name": "lb-evil", "location": "westeurope", "sku": { "name": "Standard", "tier": "Regional" },
            "properties": {
                "frontendIPConfigurations": [{ "name": "fe-<b>bold</b>", "id": format!("{lb_id}/frontendIPConfigurations/fe-<b>bold</b>") }],
                "backendAddressPools": [{ "name": "pool", "id": format!("{lb_id}/backendAddressPools/pool-<i>x</i>") }],
                "probes": [{ "name": "probe-http", "id": probe_id, "properties": {
                    "protocol": "Http", "port": 80, "requestPath": XSS_PROBE_PATH, "intervalInSeconds": 5, "probeThreshold": 2 } }],
                "loadBalancingRules": [
                    { "name": "rule-http", "id": format!("{lb_id}/loadBalancingRules/rule-http"), "properties": {
                        "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "probe": { "id": probe_id },
                        "frontendIPConfiguration": { "id": format!("{lb_id}/frontendIPConfigurations/fe-<b>bold</b>") },
                        "backendAddressPool": { "id": format!("{lb_id}/backendAddressPools/pool-<i>x</i>") } } },
                    { "name": XSS_RULE_NAME, "id": format!("{lb_id}/loadBalancingRules/x"), "properties": {
                        "protocol": "Tcp", "frontendPort": 81, "backendPort": 81, "probe": { "id": probe_id } } }
                ]
            }
        })),
        ("POST", p) if p == format!("{}/loadbalancingrules/rule-http/health", lb_id.to_ascii_lowercase()) => (
            "202 Accepted",
            format!("Location: http://127.0.0.1:{port}{sub}/providers/Microsoft.Network/locations/westeurope/operationResults/op-1?api-version=2024-05-01\r\nRetry-After: 1\r\n"),
            String::new(),
        ),
        ("GET", p) if p.ends_with("/operationresults/op-1") => ok(json!({
            "up": 1, "down": 1,
            "loadBalancerBackendAddresses": [
                { "ipAddress": XSS_IP, "networkInterfaceIPConfigurationId":
                    format!("{sub}/resourceGroups/rg-evil/providers/Microsoft.Network/networkInterfaces/{XSS_NIC}-nic/ipConfigurations/ipconfig1"),
                  "state": "Down", "reason": XSS_REASON },
                { "ipAddress": "10.0.0.5", "networkInterfaceIPConfigurationId":
                    format!("{sub}/resourceGroups/rg-evil/providers/Microsoft.Network/networkInterfaces/vm-ok-nic/ipConfigurations/ipconfig1"),
                  "state": "<b>Up</b>", "reason": "Up_Probe_Success" }
            ]
        })),
        // The panel asks Azure Monitor for the rule's probe history: none here.
        ("GET", p) if p == format!("{}/providers/microsoft.insights/metrics", lb_id.to_ascii_lowercase()) => ok(json!({
            "value": [{ "name": { "value": "DipAvailability" }, "unit": "Percent", "timeseries": [] }]
        })),
        _ => ("404 Not Found", String::new(), json!({ "error": { "code": "NotFound", "message": format!("{method} {path}") } }).to_string()),
    }
}

/// Nothing in the page came from the payloads: no element types the app never makes, no
/// handler attribute anywhere, only the page's own two external scripts, no flag set.
fn assert_no_markup_from_payloads(b: &Browser) {
    let found = b.exec(
        r#"
        const all = [...document.querySelectorAll('*')];
        return {
          foreign: document.querySelectorAll('img, iframe, svg, b, i, object, embed, math').length,
          handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).map(e => e.outerHTML.slice(0, 120)),
          scripts: [...document.scripts].map(s => s.getAttribute('src') || ('inline: ' + s.textContent.slice(0, 60))),
          javascriptUrls: all.filter(e => [...e.attributes].some(a => /^\s*javascript:/i.test(a.value))).length,
          flag: window.__xss === undefined ? null : window.__xss,
        };
        "#,
        vec![],
    );
    assert_eq!(found["foreign"], json!(0), "{found}");
    assert_eq!(found["handlers"], json!([]), "{found}");
    assert_eq!(found["javascriptUrls"], json!(0), "{found}");
    assert_eq!(found["flag"], Value::Null, "a payload ran: {found}");
    // The test server's own settle hook (testkit's static server adds it to every page)
    // is not the page's.
    let scripts: Vec<&Value> = found["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s.as_str().is_some_and(|s| s.starts_with("/__lbh/")))
        .collect();
    assert_eq!(
        scripts.len(),
        2,
        "only the probe and the boot script: {found}"
    );
    assert!(
        scripts.iter().all(|s| s
            .as_str()
            .is_some_and(|s| s.starts_with('/') && !s.starts_with("inline"))),
        "{found}"
    );
}

#[test]
fn hostile_names_from_arm_render_as_text() {
    let arm = ArmStub::start();
    let app = CspApp::start(
        Some(&format!(r#"{{"armEndpoint":"{}"}}"#, arm.url())),
        &[arm.url()],
    );
    let b = Browser::start();
    b.goto(&app.url());
    paste(&b, &jwt());

    let sub = b.by_role("button", XSS_SUB_NAME);
    assert_eq!(sub.text(), XSS_SUB_NAME);
    assert_no_markup_from_payloads(&b);
    sub.click();

    let lb = b.by_role("button", XSS_LB_NAME);
    assert_eq!(lb.text(), XSS_LB_NAME);
    let page = b.exec("return document.querySelector('main').innerText", vec![]);
    let page = page.as_str().unwrap_or("");
    assert!(
        page.contains(&format!("{XSS_MALFORMED_LB} (malformed id)")),
        "the malformed load balancer is listed as text: {page}"
    );
    assert!(
        page.contains("<b>westeurope</b>") && page.contains("<i>Standard</i>"),
        "{page}"
    );
    assert_no_markup_from_payloads(&b);
    lb.click();

    b.by_role("heading", "Load balancing rules");
    let rows: Vec<String> = b.all_by_role("row").iter().map(|r| r.text()).collect();
    assert!(rows.iter().any(|r| r.contains(XSS_RULE_NAME)), "{rows:?}");
    b.by_role("button", &format!("View details for {XSS_RULE_NAME}"));
    assert_no_markup_from_payloads(&b);

    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let text = dialog.text();
    assert!(
        text.contains(XSS_PROBE_PATH),
        "the probe path is shown as text: {text}"
    );
    assert!(text.contains(XSS_IP), "the IP is shown as text: {text}");
    assert!(
        text.contains(XSS_REASON),
        "the reason code is shown as text: {text}"
    );

    let info = dialog.by_role("button", &format!("Explain reason for {XSS_NIC}"));
    info.focus();
    b.wait_until("a tooltip opens", || b.all_by_role("tooltip").len() == 1);
    let tip = b.all_by_role("tooltip").remove(0).text();
    assert!(
        tip.contains(XSS_REASON),
        "the tooltip names the code literally: {tip}"
    );
    assert_no_markup_from_payloads(&b);
    assert_no_violations(&b);
    assert!(
        arm.requests().iter().any(
            |(m, p, _)| m == "GET" && p.to_ascii_lowercase().contains("/operationresults/op-1")
        ),
        "the stub served the result"
    );
}

// ------------------------------------------------------------------ 3. where the token goes

#[test]
fn the_token_reaches_only_the_arm_listener_and_is_never_stored() {
    let azure = FakeAzure::start(Options {
        pending_polls: 1,
        ..Options::default()
    });
    let token = jwt();
    azure.set_token(&token);
    // The foreign origin is allowed by this copy's CSP on purpose: what keeps the token
    // away from it here is the client's own guard (`ArmBase::owns`), not the policy.
    let app = CspApp::start(
        Some(&format!(r#"{{"armEndpoint":"{}"}}"#, azure.arm_url())),
        &[azure.arm_url(), azure.foreign_url()],
    );
    let b = Browser::start();
    b.goto(&app.url());
    paste(&b, &token);
    b.by_role("heading", "Subscriptions");

    support::open_lb_web(&b);
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");

    // ARM now points Location at the other origin; ask again.
    azure.set_fault(Fault::ForeignLocation);
    dialog.by_role("button", "Refresh").click();
    b.wait_until("the refusal", || {
        dialog
            .text()
            .contains("Refused to follow a link to another host")
    });
    dialog.by_role("button", "Close").click();
    b.wait_gone("dialog", "Load balancing rule health status");

    let log = azure.requests();
    let bearer = format!("Bearer {token}");
    let authorized: Vec<_> = log.iter().filter(|r| r.authorization.is_some()).collect();
    assert!(
        authorized.len() >= 6,
        "subscriptions, list, description, POST and polls carried the token: {log:#?}"
    );
    for r in &authorized {
        assert_eq!(r.listener, Listener::Arm, "the token went to {r:?}");
        assert_eq!(r.authorization.as_deref(), Some(bearer.as_str()));
    }
    let foreign: Vec<_> = log
        .iter()
        .filter(|r| r.listener == Listener::Foreign)
        .collect();
    assert!(
        foreign.is_empty(),
        "nothing at all was sent to the foreign Location: {foreign:#?}"
    );
    let pieces: Vec<&str> = token.split('.').collect();
    for r in &log {
        for p in &pieces {
            assert!(
                !r.path_and_query.contains(p),
                "a URL carries part of the token: {}",
                r.path_and_query
            );
        }
    }

    let kept = b.exec(
        r#"
        const resources = performance.getEntriesByType('resource').map(e => e.name);
        return Promise.all([
          indexedDB.databases ? indexedDB.databases() : Promise.resolve([]),
          self.caches ? caches.keys() : Promise.resolve([]),
        ]).then(([dbs, cacheKeys]) => JSON.stringify({
          local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, name: window.name,
          href: location.href, history: history.state, dbs, cacheKeys, resources,
          html: document.documentElement.outerHTML,
          fields: [...document.querySelectorAll('input, textarea')].map(e => e.value),
        }));
        "#,
        vec![],
    );
    let kept = kept.as_str().expect("a JSON string");
    for p in &pieces {
        assert!(
            !kept.contains(p),
            "the page keeps part of the token ({p}) in {kept}"
        );
    }
    for e in b.console_errors() {
        assert!(
            !pieces.iter().any(|p| e.contains(p)),
            "the console shows the token: {e}"
        );
    }
    assert_no_violations(&b);
}
