//! The browser calls behind `http::offline`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The service worker's file, next to index.html.
const SCRIPT: &str = "sw.js";

/// This build's id, if it has one (a release build).
pub fn build() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=lbh-build]")
        .ok()??
        .get_attribute("content")
        .filter(|b| !b.is_empty())
}

/// `url` tied to this build: see [`super::with_build`].
pub fn versioned(url: &str) -> String {
    super::with_build(url, build().as_deref())
}

/// The page's service workers, or `None` where it runs without one: outside secure
/// contexts, and in WebKit (see `webkit_only`).
fn container() -> Option<web_sys::ServiceWorkerContainer> {
    if webkit_only() {
        return None;
    }
    let navigator = web_sys::window()?.navigator();
    // Absent outside secure contexts (plain http on a host other than localhost).
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return None;
    }
    Some(navigator.service_worker())
}

/// The build of the service worker that served this page, when it differs from the
/// page's own: the host has a new deployment since this browser's last visit.
pub fn updated_from() -> Option<String> {
    let now = build()?;
    let script = container()?.controller()?.script_url();
    let url = web_sys::Url::new(&script).ok()?;
    let before = url.search_params().get("build")?;
    (before != now).then_some(before)
}

/// Registers the service worker (once the first screen is drawn: it must not compete
/// with the page's own files) and hands it the files this visit loaded before it took
/// over. Never fails the page: a browser that refuses (private windows, a blocked
/// third-party frame) just runs without it.
pub fn register() {
    let (Some(build), Some(sw)) = (build(), container()) else {
        return;
    };
    let options = web_sys::RegistrationOptions::new();
    // The directory of index.html (GitHub Pages serves a project under /<repo>/).
    options.set_scope("./");
    let _ = sw.register_with_options(&format!("{SCRIPT}?build={build}"), &options);
    keep(loaded());
}

/// WebKit (Safari, WebKitGTK) without Blink: measured with WebKitGTK, a page its service
/// worker controls sent ARM's requests without their CORS preflight and a health POST
/// twice, though the worker answers nothing cross-origin. Until that is understood,
/// WebKit runs without it, as before (the HTTP cache still serves repeat visits).
fn webkit_only() -> bool {
    let ua = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    ua.contains("AppleWebKit") && !ua.contains("Chrome/") && !ua.contains("Chromium/")
}

/// Asks the service worker to keep every file this visit has fetched so far: for a part
/// of the page's wasm fetched after the worker was told of the others (`register`),
/// before it controlled the page.
pub fn keep_loaded() {
    keep(loaded());
}

/// Asks the service worker to keep `urls`, once it is active. It may not control this
/// page yet (WebKit hands control over well after `ready`), so the message goes to the
/// registration's active worker, not to the page's controller.
pub fn keep(urls: Vec<String>) {
    let (Some(_), Some(sw)) = (build(), container()) else {
        return;
    };
    let Ok(ready) = sw.ready() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        if let Some(active) = registration.active() {
            let list: js_sys::Array = urls.iter().map(|u| JsValue::from_str(u)).collect();
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"keep".into(), &list);
            let _ = active.post_message(&message);
        }
    });
}

/// This document and the files it has fetched so far; the service worker keeps those
/// of the app's origin and scope and ignores the rest (Azure's answers included). A
/// worker's own fetches are not in the page's resource timing: `Worker` names its files
/// through [`keep`] as it starts one.
fn loaded() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    // The page without its query: a deep link's or a sign-in answer's parameters stay
    // out of the message.
    let location = window.location();
    let page = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let mut urls = vec![page];
    if let Some(performance) = window.performance() {
        for entry in performance.get_entries_by_type("resource") {
            if let Ok(name) = js_sys::Reflect::get(&entry, &"name".into()) {
                urls.extend(name.as_string());
            }
        }
    }
    urls
}
