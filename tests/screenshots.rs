//! The README's screenshots, taken from the release build on the demo estate and against
//! the fake Azure (for sign-in). Not part of the suite (`#[ignore]`): run
//! `cargo xtask build && cargo test --test screenshots -- --ignored` to refresh docs/*.png.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::PathBuf;

use fake_azure::{FakeAzure, Options, CLIENT_ID};
use support::{Browser, ConfiguredApp};

const LB_WEB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

fn docs(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name)
}

#[test]
#[ignore = "writes docs/*.png; run by hand"]
fn readme_screenshots() {
    let app = ConfiguredApp::start(r#"{"demo":{"instant":true}}"#);
    let b = Browser::start_with_size(1180, 820);

    // All rules at a glance.
    b.goto(&format!("{}?lb={LB_WEB}", app.url()));
    b.wait_until("both rules checked", || {
        b.all_by_role("row")
            .iter()
            .filter(|r| r.text().contains("Up,"))
            .count()
            == 2
    });
    b.screenshot(&docs("rules.png"));

    // Each frontend's data path availability, below the rules.
    let data_path = b.by_role("region", "Data path availability");
    data_path.by_role("table", "Data path availability");
    b.exec(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![data_path.json()],
    );
    b.screenshot(&docs("data-path.png"));

    // The panel with each backend's probe history.
    b.by_role("button", "View details for rule-http").click();
    let dialog = b.by_role("dialog", "Load balancing rule health status");
    dialog.by_role("group", "Backend health summary");
    b.wait_until("the probe history", || {
        dialog
            .all_by_role("image")
            .iter()
            .any(|i| i.name().ends_with("0% since"))
    });
    b.screenshot(&docs("history.png"));

    // Watch mode after two checks, with the changed backend marked.
    dialog.by_role("combobox", "Auto-refresh").choose("60");
    dialog.by_role("button", "Refresh").click();
    dialog.by_role("columnheader", "Recent checks");
    dialog.by_role("button", "Refresh").click();
    b.wait_until("three checks", || {
        b.all_by_role("image")
            .iter()
            .any(|i| i.name().starts_with("Last 3 checks"))
    });
    b.screenshot(&docs("watch.png"));

    // Grouped by reason.
    dialog.by_role("checkbox", "Group by reason").click();
    dialog.by_role("table", "Backends by reason");
    b.screenshot(&docs("groups.png"));
    dialog.by_role("button", "Close").click();

    // The estate overview, worst first, once every verdict is in.
    b.goto(&format!("{}?view=estate", app.url()));
    b.wait_until("every verdict", || {
        b.status_texts()
            .iter()
            .any(|t| t.starts_with("Checked all"))
    });
    b.screenshot(&docs("overview.png"));

    // Finding a load balancer across subscriptions, with recently opened ones above.
    b.goto(&app.url());
    let search = b.by_role("search", "Find a load balancer");
    search
        .by_role("searchbox", "Find a load balancer in every subscription")
        .send_keys("lb-");
    search.by_role("button", "Search").click();
    b.by_role("table", "Load balancers found");
    b.screenshot(&docs("find.png"));

    // Embed mode, as a wiki column shows it.
    let narrow = Browser::start_with_size(360, 720);
    narrow.goto(&format!("{}?lb={LB_WEB}&embed=1", app.url()));
    narrow.wait_until("both rules checked", || {
        narrow
            .all_by_role("row")
            .iter()
            .filter(|r| r.text().contains("Up,"))
            .count()
            == 2
    });
    narrow.screenshot(&docs("embed.png"));

    // Sign-in, then the account menu with the tenant switch.
    let azure = FakeAzure::start(Options::default());
    let live = ConfiguredApp::start(&format!(
        r#"{{"armEndpoint":"{}","loginEndpoint":"{}","clientId":"{CLIENT_ID}"}}"#,
        azure.arm_url(),
        azure.login_url()
    ));
    let s = Browser::start_with_size(1180, 820);
    s.goto(&live.url());
    s.by_role("button", "Sign in with Microsoft");
    s.screenshot(&docs("signin.png"));
    s.by_role("button", "Sign in with Microsoft").click();
    s.by_role("DisclosureTriangle", "Account: ana@contoso.com")
        .click();
    let tenants = s.by_role("combobox", "Switch tenant");
    s.wait_until("tenants", || tenants.text().contains("Fabrikam"));
    s.screenshot(&docs("account.png"));
}
