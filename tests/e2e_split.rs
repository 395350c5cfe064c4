//! The page's wasm is split (xtask/src/split.rs): the health panel and the token reader
//! are parts fetched on first use. What a user must never see is the difference, except
//! when a part cannot be downloaded: then a message and a way to try again, never a dead
//! page.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{dist_dir, Browser, ConfiguredApp, StaticServer};

/// The URL path of the split part whose name starts `lb-health-split_<point>-`.
fn part(point: &str) -> String {
    let prefix = format!("lb-health-split_{point}-");
    let names: Vec<String> = std::fs::read_dir(dist_dir())
        .expect("dist/")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".wasm"))
        .collect();
    assert_eq!(names.len(), 1, "one {prefix}*.wasm in dist/: {names:?}");
    format!("/{}", names[0])
}

/// The alert whose text has `words`, once there is one.
fn alert_saying(b: &Browser, words: &str) -> support::Element {
    let find = || {
        b.all_by_role("alert")
            .into_iter()
            .find(|a| a.text().contains(words))
    };
    b.wait_until(&format!("an alert saying {words:?}"), || find().is_some());
    find().expect("the alert")
}

fn no_panic(b: &Browser) {
    support::assert_no_panic(b);
}

#[test]
fn the_panel_is_fetched_with_the_rules_and_a_failed_download_can_be_retried() {
    let panel = part("health_panel");
    let server = StaticServer::start(&dist_dir());
    let b = Browser::start();
    b.goto(&server.url());
    b.by_role("heading", "Subscriptions");
    assert!(
        !server.served().contains(&panel),
        "the first screen does not fetch the panel's code: {:?}",
        server.served()
    );

    server.refuse(&panel, true);
    b.by_role("button", "Contoso Production").click();
    b.by_role("button", "lb-web").click();
    b.by_role("heading", "Load balancing rules");
    // The rules list asks for the panel's code at once (the download fails here).
    b.wait_until("the panel's code asked for", || {
        server.served().contains(&panel)
    });
    b.by_role("button", "View details for rule-http").click();
    let alert = alert_saying(&b, "could not be downloaded");
    assert!(
        alert.text().contains("Check the network connection"),
        "{}",
        alert.text()
    );
    assert!(b.all_by_role("dialog").is_empty(), "no empty panel");

    server.refuse(&panel, false);
    alert.by_role("button", "Try again").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    assert!(
        !b.all_by_role("alert")
            .iter()
            .any(|a| a.text().contains("could not be downloaded")),
        "the message goes once the panel is there"
    );
    no_panic(&b);
}

#[test]
fn the_token_reader_is_fetched_on_the_first_paste_and_a_failed_download_says_so() {
    let reader = part("paste_token");
    // A live deployment: the sign-in page, with its paste box.
    let app = ConfiguredApp::start(r#"{"armEndpoint":"https://management.azure.com"}"#);
    let b = Browser::start();
    b.goto(&app.url());
    b.by_role("heading", "Sign in to Azure");
    assert!(
        !app.server.served().contains(&reader),
        "the sign-in page does not fetch the token reader: {:?}",
        app.server.served()
    );

    app.server.refuse(&reader, true);
    let input = b.by_role("textbox", "Access token for Azure Resource Manager");
    input.send_keys("not a token at all");
    b.by_role("button", "Use this token").click();
    alert_saying(&b, "reads tokens could not be downloaded");

    // Once the file is there again, the same button reads the same text.
    app.server.refuse(&reader, false);
    b.by_role("button", "Use this token").click();
    alert_saying(&b, "doesn't look like an access token");
    assert!(
        !b.all_by_role("alert")
            .iter()
            .any(|a| a.text().contains("reads tokens could not be downloaded")),
        "the old message goes"
    );
    no_panic(&b);
}
