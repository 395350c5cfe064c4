//! Said once, dismissible: what the link the page was opened with could not use, and
//! that the app was updated since the last visit.

use leptos::prelude::*;

use super::use_app;

#[component]
pub fn Notices() -> impl IntoView {
    let ctx = use_app();
    view! {
        <Show when=move || ctx.notices.with(|n| !n.is_empty())>
            <div class="note notices" role="status">
                <p><strong>"Part of this link was not used:"</strong></p>
                <ul>{move || ctx.notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                <button type="button" on:click=move |_| ctx.notices.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}

/// Said on the first visit after the host got a new deployment (the service worker that
/// served this page came with the build before, `crate::http::offline`), so a changed
/// screen is no surprise.
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let shown = RwSignal::new(crate::http::offline::updated_from().is_some());
    view! {
        <Show when=move || shown.get()>
            <div class="note notices" role="status">
                <p>
                    <strong>"LB Health has been updated since your last visit."</strong>
                    " This page already runs the new version: there is nothing to reload."
                </p>
                <button type="button" on:click=move |_| shown.set(false)>"Dismiss"</button>
            </div>
        </Show>
    }
}
