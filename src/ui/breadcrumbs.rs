//! The way back up the path: breadcrumbs, and the link-styled button every list uses
//! to lead on to the next screen.

use leptos::prelude::*;

use super::{use_app, Screen};

/// A button styled as a link that opens `to`.
#[component]
pub fn ScreenLink(#[prop(into)] label: String, to: Screen) -> impl IntoView {
    let ctx = use_app();
    view! {
        <button type="button" class="linklike" on:click=move |_| ctx.screen.set(to.clone())>
            {label}
        </button>
    }
}

#[component]
pub fn Breadcrumbs() -> impl IntoView {
    let ctx = use_app();
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>
                {move || match ctx.screen.get() {
                    Screen::Subscriptions => view! { <Crumb label="Subscriptions"/> }.into_any(),
                    Screen::Estate => view! {
                        <Crumb label="Subscriptions" to=Screen::Subscriptions/>
                        <Crumb label="Estate overview"/>
                    }
                    .into_any(),
                    Screen::LoadBalancers { sub_name, .. } => view! {
                        <Crumb label="Subscriptions" to=Screen::Subscriptions/>
                        <Crumb label=sub_name/>
                    }
                    .into_any(),
                    Screen::Rules { sub_name, lb } => {
                        let sub = Screen::LoadBalancers { sub: lb.subscription.clone(), sub_name: sub_name.clone() };
                        view! {
                            <Crumb label="Subscriptions" to=Screen::Subscriptions/>
                            <Crumb label=sub_name to=sub/>
                            <Crumb label=lb.name/>
                        }
                        .into_any()
                    }
                }}
            </ol>
        </nav>
    }
}

/// One step of the path: a link back, or the current page.
#[component]
fn Crumb(#[prop(into)] label: String, #[prop(optional)] to: Option<Screen>) -> impl IntoView {
    match to {
        Some(to) => view! { <li><ScreenLink label=label to=to/></li> }.into_any(),
        None => view! { <li aria-current="page">{label}</li> }.into_any(),
    }
}
