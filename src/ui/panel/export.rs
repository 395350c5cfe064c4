//! Exports of the table's current view: files and the same check from a shell.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::arm::id::RuleId;
use crate::health::export;
use crate::health::summary::Row;
use crate::ui::{listen, use_app, Computed, Stored};

/// Downloads and copyable commands for the current view of the table.
#[component]
pub(super) fn Export(rule_id: Option<RuleId>, iso: String, rows: Stored<Vec<Row>>, shown: Computed<Vec<usize>>) -> impl IntoView {
    let ctx = use_app();
    let Some(rule) = rule_id else { return ().into_any() };
    let arm = ctx.config.with_value(|c| c.cloud.arm_origin());
    let commands = format!("# PowerShell\n{}\n\n# REST (bash)\n{}", export::powershell(&rule), export::curl(&rule, arm));
    let (rule_csv, rule_json, iso_csv, iso_json) = (rule.clone(), rule.clone(), iso.clone(), iso);
    let file = format!("{}-{}", rule.load_balancer.name, rule.name);
    let (file_csv, file_json) = (format!("{file}.csv"), format!("{file}.json"));
    let current = move || shown.with(|idx| rows.with_value(|all| idx.iter().map(|&i| all[i].clone()).collect::<Vec<Row>>()));
    view! {
        <button type="button" {..listen("click", move |_| {
            let r = current();
            download(&file_csv, "text/csv", &export::to_csv(&rule_csv, &iso_csv, &r.iter().collect::<Vec<_>>()));
        })}>"Download CSV"</button>
        <button type="button" {..listen("click", move |_| {
            let r = current();
            download(&file_json, "application/json", &export::to_json(&rule_json, &iso_json, &r.iter().collect::<Vec<_>>()));
        })}>"Download JSON"</button>
        <details class="commands">
            <summary>"Same check from a shell"</summary>
            <pre class="mono">{commands}</pre>
            <p class="muted">"The commands ask the Azure CLI for a token; none is copied from this page."</p>
        </details>
    }
    .into_inner().into_any()
}

pub(super) fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
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
