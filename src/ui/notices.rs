//! What the link the page was opened with could not use, said once, dismissible.

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
