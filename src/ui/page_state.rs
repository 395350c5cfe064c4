//! The page's state as a whole, outside the reactive runtime: ready (the first screen is
//! drawn), or stopped after a panic.

/// index.html's body starts `aria-busy="true"`: assistive technology waits, and so do the
/// end-to-end tests' absence checks (testkit), until the app's first screen is drawn.
pub(crate) fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.remove_attribute("aria-busy");
    }
}

/// Replaces a blank page after a panic with a message and a way forward. Plain DOM,
/// because the reactive runtime may be what failed.
pub fn show_fatal(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("fatal") {
        if let Some(msg) = doc.get_element_by_id("fatal-detail") {
            msg.set_text_content(Some(detail));
        }
        let _ = el.remove_attribute("hidden");
    }
    // A page still marked busy would keep the alert from being announced.
    mark_ready();
}
