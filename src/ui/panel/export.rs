//! Exports of the table's current view: files to download, and the same check as
//! commands to run from a shell.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::arm::id::RuleId;
use crate::health::export;
use crate::health::summary::Row;
use crate::ui::use_app;

/// Downloads and copyable commands for the current view of the table.
#[component]
pub(super) fn Export(
    rule_id: Option<RuleId>,
    iso: String,
    rows: StoredValue<Vec<Row>>,
    shown: Memo<Vec<usize>>,
) -> impl IntoView {
    let ctx = use_app();
    let Some(rule) = rule_id else {
        return ().into_any();
    };
    let arm = ctx.config.with_value(|c| c.cloud.arm_origin());
    let commands = format!(
        "# PowerShell\n{}\n\n# REST (bash)\n{}",
        export::powershell(&rule),
        export::curl(&rule, arm)
    );
    let file = format!("{}-{}", rule.load_balancer.name, rule.name);
    let target = StoredValue::new((rule, iso, file));
    let save = move |ext: &str, mime: &str, write: fn(&RuleId, &str, &[&Row]) -> String| {
        let text = shown.with_untracked(|idx| {
            rows.with_value(|all| {
                let current: Vec<&Row> = idx.iter().map(|&i| &all[i]).collect();
                target.with_value(|(rule, iso, _)| write(rule, iso, &current))
            })
        });
        let name = target.with_value(|(_, _, file)| format!("{file}.{ext}"));
        download(&name, mime, &text);
    };
    view! {
        <button type="button" on:click=move |_| save("csv", "text/csv", export::to_csv)>
            "Download CSV"
        </button>
        <button type="button" on:click=move |_| save("json", "application/json", export::to_json)>
            "Download JSON"
        </button>
        <details class="commands">
            <summary>"Same check from a shell"</summary>
            <pre class="mono">{commands}</pre>
            <p class="muted">
                "The commands ask the Azure CLI for a token; none is copied from this page."
            </p>
        </details>
    }
    .into_any()
}

fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
