//! The loading state every screen shows while its data is on the way.

use leptos::prelude::*;

use crate::arm::client::Progress;
use crate::arm::lro::WaitReason;

/// Shown while a screen's data loads; announced politely. With `waiting`, it says what
/// the client is waiting out, so a throttled list does not look stuck.
#[component]
pub fn Loading(
    #[prop(into)] what: String,
    #[prop(optional, into)] waiting: Option<Signal<Option<Progress>>>,
) -> impl IntoView {
    let text = move || {
        match waiting.and_then(|w| w.get()) {
        Some(Progress::Waiting { ms, reason: WaitReason::Throttled, .. }) => format!(
            "Loading {what}: Azure is throttling requests, so LB Health waits {} s, as Azure asked, then tries again.",
            ms.div_ceil(1000)
        ),
        Some(Progress::Waiting { reason: WaitReason::Transient, .. }) => format!("Loading {what}: a request failed; trying again shortly."),
        _ => format!("Loading {what}…"),
    }
    };
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </p>
    }
}
