#![cfg(not(target_arch = "wasm32"))]
//! Self-test of the end-to-end harness (tests/support) against real headless
//! Chromium: a hand-written page, no app build needed.

mod support;

use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;
use support::{Browser, StaticServer};

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Harness</title></head>
<body>
<main>
  <h1>Harness page</h1>
  <button type="button" id="go">Go</button>
  <button type="button" id="noise" aria-label="Make noise">!</button>
  <label>Filter <input type="search" id="q"></label>
  <span role="tooltip" id="tip">Helpful tip</span>
  <span role="tooltip" style="display:none">Hidden tip</span>
  <a href="#home"><img alt="Home" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></a>
  <section aria-labelledby="s1 s2">
    <h2 id="s1">Backend</h2><span id="s2">pool</span>
    <table aria-label="Backends">
      <tr><th>Name</th><th>State</th></tr>
      <tr><td>vm-1</td><td>Up</td></tr>
    </table>
  </section>
  <dialog id="dlg" aria-label="Hello">
    <p>Hi there</p>
    <button type="button" id="close">Close</button>
  </dialog>
</main>
<script>
  const dlg = document.getElementById('dlg');
  document.getElementById('go').addEventListener('click', () => dlg.showModal());
  document.getElementById('close').addEventListener('click', () => dlg.close());
  document.getElementById('noise').addEventListener('click', () => console.error('harness boom'));
  document.getElementById('tip').addEventListener('mouseover', () => document.body.dataset.hovered = 'yes');
</script>
</body>
</html>
"##;

/// A temporary site: index.html plus a few typed files. Deleted on drop.
struct Site(PathBuf);

impl Site {
    fn new() -> Site {
        let dir = std::env::temp_dir().join(format!(
            "lbh-harness-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("index.html"), PAGE).unwrap();
        std::fs::write(dir.join("assets/app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(dir.join("assets/app.js"), "export {};\n").unwrap();
        Site(dir)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn get(url: &str) -> (u16, String, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let mut resp = agent.get(url).call().unwrap();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp.body_mut().read_to_vec().unwrap();
    (resp.status().as_u16(), ctype, body)
}

#[test]
fn static_server_serves_files_spa_fallback_and_404() {
    let site = Site::new();
    let server = StaticServer::start(&site.0);
    let base = server.url();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with('/'),
        "{base}"
    );

    // Pages come with the test hook first in their head; the hook is served beside them.
    let hooked = PAGE.replacen(
        "<head>",
        r#"<head><script src="/__lbh/hook.js"></script>"#,
        1,
    );
    let (status, ctype, body) = get(&base);
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert_eq!(String::from_utf8(body).unwrap(), hooked);
    let (status, ctype, body) = get(&format!("{base}__lbh/hook.js"));
    assert!(
        status == 200 && ctype.starts_with("text/javascript"),
        "{status} {ctype}"
    );
    assert!(String::from_utf8(body).unwrap().contains("beforeunload"));

    let (status, ctype, body) = get(&format!("{base}assets/app_bg.wasm"));
    assert_eq!((status, ctype.as_str()), (200, "application/wasm"));
    assert_eq!(&body[..4], b"\0asm");

    let (status, ctype, _) = get(&format!("{base}assets/app.js?v=1"));
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/javascript"), "{ctype}");

    // Client-side routes fall back to index.html; missing files are 404.
    let (status, _, body) = get(&format!("{base}estate/lb-1/pools"));
    assert_eq!((status, String::from_utf8(body).unwrap()), (200, hooked));
    assert_eq!(get(&format!("{base}assets/missing.js")).0, 404);
    assert_eq!(get(&format!("{base}../etc/passwd")).0, 404);
    assert_eq!(get(&format!("{base}favicon.ico")).0, 204);

    let port = server.port();
    drop(server);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "server still listening after drop"
    );
}

#[test]
fn browser_finds_by_role_clicks_presses_and_reads_the_console() {
    let site = Site::new();
    let server = StaticServer::start(&site.0);
    let browser = Browser::start();
    browser.goto(&server.url());

    // Roles and names come from Chromium's accessibility tree.
    let heading = browser.by_role("heading", "Harness page");
    assert_eq!(heading.role(), "heading");
    assert_eq!(heading.text(), "Harness page");
    let go = browser.by_role("button", "Go");
    assert_eq!(go.name(), "Go");
    assert_eq!(go.attr("id").as_deref(), Some("go"));
    assert_eq!(go.attr("aria-pressed"), None);
    let buttons: Vec<String> = browser
        .all_by_role("button")
        .iter()
        .map(|b| b.name())
        .collect();
    assert_eq!(
        buttons,
        ["Go", "Make noise"],
        "the closed dialog's button is not displayed"
    );
    let tip = browser.by_role("tooltip", "Helpful tip");
    assert!(tip.is_displayed());
    assert!(browser.try_by_role("tooltip", "Hidden tip").is_none());
    assert_eq!(browser.all_by_role("tooltip").len(), 1);
    assert!(browser.try_by_role("dialog", "Hello").is_none());
    // Names from an image's alt, from two aria-labelledby targets, tables.
    browser.by_role("link", "Home");
    let region = browser.by_role("region", "Backend pool");
    let table = region.by_role("table", "Backends");
    let rows = table.all_by_role("row");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1]
            .all_by_role("cell")
            .iter()
            .map(|c| c.text())
            .collect::<Vec<_>>(),
        ["vm-1", "Up"]
    );
    assert_eq!(table.all_by_role("columnheader").len(), 2);
    assert!(
        region.try_by_role("button", "Go").is_none(),
        "scoped to descendants"
    );

    tip.hover();
    browser.wait_until("the tooltip saw the mouse", || {
        browser.exec("return document.body.dataset.hovered || ''", vec![]) == json!("yes")
    });

    // Click opens the modal dialog; its first button gets the focus.
    go.click();
    let dialog = browser.by_role("dialog", "Hello");
    let close = dialog.by_role("button", "Close");
    assert_eq!(dialog.all_by_role("button").len(), 1);
    browser.wait_until("focus moves into the dialog", || {
        browser.active().same_as(&close)
    });
    assert!(!browser.active().same_as(&go));

    // Escape closes it and the focus returns to the button that opened it.
    browser.press("Escape");
    browser.wait_gone("dialog", "Hello");
    assert!(!dialog.is_displayed());
    browser.wait_until("focus returns to Go", || browser.active().same_as(&go));

    // Keyboard: Tab / Shift+Tab move the focus; text goes to the focused field.
    browser.press("Tab");
    assert_eq!(browser.active().name(), "Make noise");
    browser.press("Shift+Tab");
    assert!(browser.active().same_as(&go));
    let search = browser.by_role("searchbox", "Filter");
    search.focus();
    assert!(browser.active().same_as(&search));
    browser.press("lb-");
    search.send_keys("web");
    assert_eq!(
        browser.exec("return arguments[0].value", vec![search.json()]),
        json!("lb-web")
    );

    // Console errors are collected (and kept across calls).
    assert_eq!(browser.console_errors(), Vec::<String>::new());
    browser.by_role("button", "Make noise").click();
    browser.wait_until("console.error reaches the log", || {
        browser
            .console_errors()
            .iter()
            .any(|m| m.contains("harness boom"))
    });
    assert_eq!(browser.console_errors().len(), 1);

    // Screenshots are PNG files.
    let shot = site.0.join("shot.png");
    browser.screenshot(&shot);
    assert_eq!(&std::fs::read(&shot).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn a_failed_wait_lists_what_the_page_showed() {
    let site = Site::new();
    let server = StaticServer::start(&site.0);
    let browser = Browser::start_with_size(800, 600);
    browser.goto(&server.url());
    browser.set_timeout(Duration::from_millis(500));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.by_role("button", "Nope");
    }))
    .expect_err("by_role must panic when nothing matches");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains(r#"a displayed button named "Nope""#), "{msg}");
    assert!(msg.contains(r#"button "Go""#), "{msg}");
    assert!(msg.contains(r#"heading "Harness page""#), "{msg}");
    let shot = msg
        .lines()
        .find_map(|l| l.strip_prefix("screenshot: "))
        .unwrap_or_else(|| panic!("no screenshot line in {msg}"));
    assert!(
        shot.contains("tests/artifacts/") && shot.ends_with(".png"),
        "{shot}"
    );
    std::fs::remove_file(shot).expect("the screenshot was saved");
}

/// The harness page, served and shown in a new browser.
fn open_harness_page() -> (Site, StaticServer, Browser) {
    let site = Site::new();
    let server = StaticServer::start(&site.0);
    let browser = Browser::start();
    browser.goto(&server.url());
    browser.by_role("heading", "Harness page");
    (site, server, browser)
}

/// Absence is read from a settled page only: while the page is being left (the hook's
/// mark, as `beforeunload` sets it), `try_by_role`, `all_by_role` and `wait_gone` wait.
#[test]
fn absence_checks_wait_while_the_page_is_being_left() {
    let (_site, _server, browser) = open_harness_page();
    browser.exec(
        "window.__lbh.leaving = true; setTimeout(() => { window.__lbh.leaving = false; }, 800);",
        vec![],
    );
    let start = std::time::Instant::now();
    assert!(browser.try_by_role("dialog", "Hello").is_none());
    assert!(
        start.elapsed() >= Duration::from_millis(700),
        "answered after {:?}, while the page was being left",
        start.elapsed()
    );

    // A page that never settles fails the check instead of answering "absent".
    browser.exec("window.__lbh.leaving = true;", vec![]);
    browser.set_timeout(Duration::from_millis(500));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.all_by_role("dialog")
    }))
    .expect_err("no answer from a page being left");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("a settled page"), "{msg}");
    let _ = msg
        .lines()
        .find_map(|l| l.strip_prefix("screenshot: "))
        .map(std::fs::remove_file);
}

/// The app's own ready marker: while `<body aria-busy="true">` (the app's first screen not
/// drawn yet), absence is not read; presence is.
#[test]
fn absence_checks_wait_for_the_app_ready_marker() {
    let (_site, _server, browser) = open_harness_page();
    browser.exec(
        "document.body.setAttribute('aria-busy', 'true'); setTimeout(() => document.body.removeAttribute('aria-busy'), 800);",
        vec![],
    );
    let start = std::time::Instant::now();
    // Presence does not wait for the marker: the heading is there.
    browser.by_role("heading", "Harness page");
    assert!(browser.all_by_role("dialog").is_empty());
    assert!(
        start.elapsed() >= Duration::from_millis(700),
        "answered after {:?}, while the page was still busy",
        start.elapsed()
    );
}

/// A frame the test entered and that was then removed fails the test: it is not a page
/// with nothing on it.
#[test]
fn a_removed_frame_fails_instead_of_reading_as_empty() {
    let site = Site::new();
    std::fs::write(site.0.join("outer.html"), r#"<!doctype html><html lang="en"><head><title>Outer</title></head><body><iframe title="Inner" src="index.html"></iframe></body></html>"#).unwrap();
    let server = StaticServer::start(&site.0);
    let browser = Browser::start();
    browser.goto(&format!("{}outer.html", server.url()));
    browser.wait_until("the frame loaded", || browser.exec("const f = document.querySelector('iframe'); return !!f && f.contentDocument && f.contentDocument.readyState === 'complete';", vec![]) == json!(true));
    let frame = browser
        .element(&browser.exec("return document.querySelector('iframe')", vec![]))
        .expect("the iframe");
    browser.enter_frame(&frame);
    browser.by_role("heading", "Harness page");
    // The page removes the frame the test is in. (Chromedriver may answer this very
    // script from the top document once the frame is gone: the script allows for that.)
    browser.exec(
        "const f = window.parent.document.querySelector('iframe'); if (f) f.remove(); return true;",
        vec![],
    );
    browser.set_timeout(Duration::from_secs(2));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.try_by_role("button", "Go")
    }))
    .expect_err("a removed frame is not an empty page");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("removed"), "{msg}");
    let _ = msg
        .lines()
        .find_map(|l| l.strip_prefix("screenshot: "))
        .map(std::fs::remove_file);
    browser.leave_frames();
}
