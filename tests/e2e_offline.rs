//! End to end: the service worker (`public/sw.js`, registered by `src/http/offline/`).
//! A repeat visit paints from its cache and the demo opens with the host gone; a new
//! deployment replaces the old build and says so once; `config.json` is always read
//! from the host.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, ConfiguredApp};

const RULE_HTTP: &str = "?lb=/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web&rule=rule-http";

/// The build id the release build wrote into index.html (`xtask/src/build_id.rs`).
fn build_id(b: &Browser) -> String {
    b.exec(
        "const m = document.querySelector('meta[name=lbh-build]'); return m ? m.content : '';",
        vec![],
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// What the service worker's caches hold, as "cache name path" lines. Cache Storage is
/// read asynchronously: each call starts a fresh read and returns the one before.
fn kept(b: &Browser) -> Vec<String> {
    let v = b.exec(
        "const last = window.__kept || [];
         caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
             .then(c => c.keys()).then(rs => rs.map(r => n + ' ' + new URL(r.url).pathname + new URL(r.url).search)))))
           .then(lists => { window.__kept = lists.flat(); });
         return last;",
        vec![],
    );
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// The script URL of the service worker controlling the page, if any.
fn controller(b: &Browser) -> String {
    b.exec(
        "const c = navigator.serviceWorker && navigator.serviceWorker.controller; return c ? c.scriptURL : '';",
        vec![],
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Opens rule-http's panel on the demo from its deep link and waits for its result.
fn open_rule_http(b: &Browser, url: &str) {
    b.goto(&format!("{url}{RULE_HTTP}"));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
}

/// Waits until this build's service worker controls the page and keeps the page, its
/// wasm (the health panel's part too) and the demo worker's files.
fn wait_until_kept(b: &Browser) -> String {
    let build = build_id(b);
    assert_eq!(build.len(), 16, "a release build has an id: {build:?}");
    b.wait_until("the service worker controls the page", || {
        controller(b).contains(&format!("sw.js?build={build}"))
    });
    let cache = format!("lb-health-{build}");
    b.wait_until("the service worker keeps the app's files", || {
        let kept = kept(b);
        let has = |suffix: &str| {
            kept.iter()
                .any(|k| k.starts_with(&cache) && k.ends_with(suffix))
        };
        has(" /")
            && kept
                .iter()
                .any(|k| k.contains("/lb-health-") && k.ends_with("_bg.wasm"))
            // The health panel's part of the wasm (xtask/src/split.rs).
            && kept
                .iter()
                .any(|k| k.starts_with(&cache) && k.contains("/lb-health-split_health_panel-"))
            && has(&format!("/demo-worker_bg.wasm?v={build}"))
            && has(&format!("/demo-worker.js?v={build}"))
    });
    build
}

/// A demo deployment visited once: rule-http's result shown, and its files kept.
/// Returns the deployment, its address, the browser and the build id.
fn first_visit() -> (ConfiguredApp, String, Browser, String) {
    let app = ConfiguredApp::start("{}");
    let url = app.url();
    let b = Browser::start();
    open_rule_http(&b, &url);
    let build = wait_until_kept(&b);
    (app, url, b, build)
}

#[test]
fn with_the_host_gone_a_repeat_visit_opens_the_demo() {
    let (app, url, b, _) = first_visit();
    let kept = kept(&b);
    assert!(
        !kept.iter().any(|k| k.contains("config.json")),
        "config.json is never kept: {kept:?}"
    );
    // The host stops answering: nothing listens on its port any more.
    drop(app);
    open_rule_http(&b, &url);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    let summary = dialog.by_role("group", "Backend health summary");
    assert!(summary.text().contains("Up"), "{}", summary.text());
    // The demo worker answered too: the whole estate is there, not just the first page.
    dialog.by_role("button", "Close").click();
    b.by_role("heading", "Load balancing rules");
}

#[test]
fn a_new_deployment_replaces_the_old_build_and_says_so_once() {
    let (app, url, b, old) = first_visit();
    assert!(
        b.status_texts()
            .iter()
            .all(|t| !t.contains("updated since your last visit")),
        "a first visit is not an update"
    );
    // A new deployment: index.html names a new build (its workers' files follow it).
    let new = "00000000000000ff";
    app.replace_in_index(&format!("content=\"{old}\""), &format!("content=\"{new}\""));
    b.goto(&url);
    b.wait_until("the update notice", || {
        b.status_texts()
            .iter()
            .any(|t| t.contains("LB Health has been updated since your last visit"))
    });
    assert_eq!(
        build_id(&b),
        new,
        "the page came from the host, not the old cache"
    );
    // The new build's service worker takes over and the old build's cache goes (it
    // fetches the whole build first: slower on a busy machine).
    b.set_timeout(std::time::Duration::from_secs(30));
    b.wait_until("the new build's service worker", || {
        controller(&b).contains(&format!("build={new}"))
    });
    b.wait_until("only the new build's cache", || {
        let kept = kept(&b);
        !kept.is_empty()
            && kept
                .iter()
                .all(|k| k.starts_with(&format!("lb-health-{new} ")))
    });
    b.by_role("button", "Dismiss").click();
    b.wait_until("notice gone", || {
        b.status_texts()
            .iter()
            .all(|t| !t.contains("updated since your last visit"))
    });
    // The demo still runs, on the new build's worker files.
    open_rule_http(&b, &url);
    b.wait_until("the new build's demo worker is kept", || {
        kept(&b)
            .iter()
            .any(|k| k.ends_with(&format!("/demo-worker_bg.wasm?v={new}")))
    });
    // The next visit on the same build is not an update.
    b.goto(&url);
    b.by_role("button", "Contoso Production");
    assert!(
        b.status_texts()
            .iter()
            .all(|t| !t.contains("updated since your last visit")),
        "said once"
    );
}

#[test]
fn config_json_is_read_from_the_host_on_every_visit() {
    let (app, url, b, _) = first_visit();
    // The deployment is configured for Azure after the first visit: the next visit
    // opens on sign-in, not on the demo a cached config.json would show.
    app.write("config.json", r#"{"cloud":"public"}"#);
    b.goto(&url);
    b.by_role("heading", "Sign in to Azure");
    let loads = app
        .server
        .served()
        .iter()
        .filter(|p| p.ends_with("/config.json"))
        .count();
    assert_eq!(loads, 2, "config.json fetched on each of the two visits");
}

#[test]
fn in_a_wiki_frame_under_a_sub_path_it_keeps_to_its_sub_path() {
    // GitHub Pages: the app under /lb-health/, the project's own page at the root, which
    // embeds it the way a team wiki does.
    let site = support::temp_site(&[(
        "index.html",
        &format!(
            r#"<!DOCTYPE html><title>Team wiki</title><h1>Team wiki</h1><iframe src="/lb-health/{RULE_HTTP}&embed=1" title="LB Health" width="1100" height="760"></iframe>"#
        ),
    )]);
    support::copy_dir(&support::subpath_dist(), &site.path().join("lb-health"));
    let server = support::StaticServer::start(site.path());
    let url = server.url();
    let b = Browser::start();
    b.goto(&url);
    b.by_role("heading", "Team wiki");
    let frame = b
        .element(&b.exec("return document.querySelector('iframe')", vec![]))
        .expect("the iframe");
    b.enter_frame(&frame);
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let build = build_id(&b);
    b.wait_until("the framed app's service worker, from its sub-path", || {
        controller(&b).contains(&format!("/lb-health/sw.js?build={build}"))
    });
    b.wait_until("the demo worker's files kept under the sub-path", || {
        kept(&b)
            .iter()
            .any(|k| k.ends_with(&format!("/lb-health/demo-worker_bg.wasm?v={build}")))
    });
    b.leave_frames();
    // The wiki's own page is outside the app's scope: never served by its worker.
    b.goto(&url);
    b.by_role("heading", "Team wiki");
    assert_eq!(
        controller(&b),
        "",
        "the host's root page is not the app's to serve"
    );
    // The host goes away; the app itself still opens from its sub-path.
    drop(server);
    open_rule_http(&b, &format!("{url}lb-health/"));
    assert!(
        b.current_url().contains("/lb-health/"),
        "{}",
        b.current_url()
    );
}
