//! The last resort after a panic.

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
    if let Some(body) = doc.body() {
        let _ = body.remove_attribute("aria-busy");
    }
}
