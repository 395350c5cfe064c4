//! End to end: the build for a sub-path (`cargo xtask dist --public-url /lb-health/`, how
//! GitHub Pages serves a project site), served under `/lb-health/` next to other content.
//! Every asset must load from under the sub-path, deep links must work there, the
//! embed mode's "Open full app" link must stay inside it, and so must the sign-in worker.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fake_azure::{FakeAzure, Options, CLIENT_ID};
use support::{copy_dir, subpath_dist, temp_site, Browser, StaticServer};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

/// A site whose root is someone else's page, with the app under /lb-health/.
fn site() -> (support::TempSite, StaticServer) {
    let site = temp_site(&[(
        "index.html",
        "<!DOCTYPE html><title>Project home</title><h1>Project home</h1>",
    )]);
    copy_dir(&subpath_dist(), &site.path().join("lb-health"));
    let server = StaticServer::start(site.path());
    (site, server)
}

/// Every resource the page fetched, as paths; the test server's own settle hook
/// (`testkit`'s static server adds it to every page it serves) is the harness's, not the
/// app's, and left out.
fn fetched_paths(b: &Browser) -> Vec<String> {
    let v = b.exec(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).concat([location.pathname]);",
        vec![],
    );
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .filter(|p| p != testkit::static_server::HOOK_PATH)
        .collect()
}

#[test]
fn a_sub_path_build_loads_everything_from_its_sub_path() {
    let (_site, server) = site();
    let b = Browser::start();
    b.goto(&format!(
        "{}lb-health/?lb={LB_WEB}&rule=rule-http",
        server.url()
    ));
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    let paths = fetched_paths(&b);
    assert!(paths.iter().any(|p| p.ends_with(".wasm")), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("config.json")),
        "{paths:?}"
    );
    for p in &paths {
        assert!(
            p.starts_with("/lb-health/"),
            "{p} was fetched outside the sub-path: {paths:?}"
        );
    }
    let errors = b.console_errors();
    assert!(errors.is_empty(), "{errors:?}");
    // The address bar keeps the sub-path as the user moves around.
    dialog.by_role("button", "Close").click();
    b.by_role("button", "Subscriptions").click();
    b.by_role("heading", "Subscriptions");
    b.wait_until("the address bar", || {
        b.current_url().contains("/lb-health/")
            && !b.current_url().contains("lb=%2F")
            && !b.current_url().contains("lb=/")
    });
}

#[test]
fn embed_mode_links_to_the_full_app_inside_the_sub_path() {
    let (_site, server) = site();
    let b = Browser::start_with_size(360, 640);
    b.goto(&format!("{}lb-health/?lb={LB_WEB}&embed=1", server.url()));
    b.by_role("heading", "Load balancing rules");
    let link = b.by_role("link", "Open full app");
    let href = link.attr("href").unwrap_or_default();
    let absolute = b.exec(
        "return new URL(arguments[0], location.href).pathname",
        vec![href.clone().into()],
    );
    assert_eq!(absolute.as_str(), Some("/lb-health/"), "{href}");
    assert!(href.contains("lb=") && !href.contains("embed=1"), "{href}");
}

#[test]
fn sign_in_loads_its_worker_from_the_sub_path() {
    let azure = FakeAzure::start(Options::default());
    let (site, server) = site();
    let app = site.path().join("lb-health");
    let config = format!(
        r#"{{"armEndpoint":"{}","loginEndpoint":"{}","clientId":"{CLIENT_ID}"}}"#,
        azure.arm_url(),
        azure.login_url()
    );
    std::fs::write(app.join("config.json"), config).expect("write config.json");
    let index = app.join("index.html");
    let html = std::fs::read_to_string(&index).expect("read index.html");
    let csp = format!(
        "connect-src 'self' {} {}",
        azure.arm_url(),
        azure.login_url()
    );
    std::fs::write(&index, html.replacen("connect-src 'self'", &csp, 1)).expect("write index.html");
    let app_url = format!("{}lb-health/", server.url());
    azure.set_redirect_uris(&[&app_url]);
    let b = Browser::start();
    b.goto(&app_url);
    b.by_role("button", "Sign in with Microsoft").click();
    b.wait_until("signed in", || {
        b.exec("return !!document.querySelector('.account-menu')", vec![])
            .as_bool()
            == Some(true)
    });
    let served = server.served();
    assert!(
        served
            .iter()
            .any(|p| p == "/lb-health/signin-worker_bg.wasm"),
        "{served:?}"
    );
    for p in &served {
        assert!(
            p.starts_with("/lb-health/"),
            "{p} was fetched outside the sub-path: {served:?}"
        );
    }
}
