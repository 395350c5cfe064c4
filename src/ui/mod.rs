//! Leptos components. Views read signals and call `arm`; they never build URLs, never
//! touch the token, and turn errors into words only in `error_view`.

mod error_view;
mod navigator;
mod panel;
mod rules;
mod tooltip;

use std::rc::Rc;

use leptos::prelude::*;

use crate::arm::client::ArmClient;
use crate::arm::id::{LoadBalancerId, SubscriptionId};

pub use error_view::ErrorView;
pub use panel::HealthPanel;
pub use tooltip::ReasonTip;

/// Where the user is. Each screen owns its data; going back re-reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Subscriptions,
    LoadBalancers { sub: SubscriptionId, sub_name: String },
    Rules { sub_name: String, lb: LoadBalancerId },
}

/// Shared with every component through context. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub client: StoredValue<Rc<ArmClient>, LocalStorage>,
    pub screen: RwSignal<Screen>,
    pub demo: bool,
}

impl AppCtx {
    pub fn client(&self) -> Rc<ArmClient> {
        self.client.get_value()
    }
}

pub fn use_app() -> AppCtx {
    use_context::<AppCtx>().expect("AppCtx is provided by App")
}

#[component]
pub fn App(client: Rc<ArmClient>, demo: bool) -> impl IntoView {
    let ctx = AppCtx { client: StoredValue::new_local(client), screen: RwSignal::new(Screen::Subscriptions), demo };
    provide_context(ctx);
    view! {
        <header class="topbar">
            <span class="brand" aria-hidden="true">"◆"</span>
            <span class="title">"LB Health"</span>
            <span class="subtitle">"Azure Load Balancer backend health"</span>
            {demo.then(|| view! {
                <span class="badge" title="Simulated data: no Azure account is used">"Demo estate"</span>
            })}
        </header>
        {demo.then(|| view! {
            <p class="banner" role="note">
                "You are looking at a built-in demo estate with simulated load balancers. It runs the same client code as a live session, including the 202-then-poll health operation."
            </p>
        })}
        <Breadcrumbs/>
        <main id="main">{move || match ctx.screen.get() {
            Screen::Subscriptions => navigator::Subscriptions().into_any(),
            Screen::LoadBalancers { sub, sub_name } => view! { <navigator::LoadBalancers sub=sub sub_name=sub_name/> }.into_any(),
            Screen::Rules { sub_name, lb } => view! { <rules::Rules sub_name=sub_name lb=lb/> }.into_any(),
        }}</main>
    }
}

#[component]
fn Breadcrumbs() -> impl IntoView {
    let ctx = use_app();
    let crumb = move |label: String, to: Option<Screen>| match to {
        Some(screen) => view! {
            <li><button type="button" class="linklike" on:click=move |_| ctx.screen.set(screen.clone())>{label}</button></li>
        }
        .into_any(),
        None => view! { <li aria-current="page">{label}</li> }.into_any(),
    };
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>{move || match ctx.screen.get() {
                Screen::Subscriptions => vec![crumb("Subscriptions".into(), None)],
                Screen::LoadBalancers { sub_name, .. } => {
                    vec![crumb("Subscriptions".into(), Some(Screen::Subscriptions)), crumb(sub_name, None)]
                }
                Screen::Rules { sub_name, lb } => vec![
                    crumb("Subscriptions".into(), Some(Screen::Subscriptions)),
                    crumb(sub_name.clone(), Some(Screen::LoadBalancers { sub: lb.subscription.clone(), sub_name })),
                    crumb(lb.name.clone(), None),
                ],
            }}</ol>
        </nav>
    }
}

/// Shown while a screen's data loads; announced politely.
#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>{format!("Loading {what}…")}</p> }
}

/// Replaces a blank page after a panic with a message and a way forward. Plain DOM,
/// because the reactive runtime may be what failed.
pub fn show_fatal(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(el) = doc.get_element_by_id("fatal") {
        if let Some(msg) = doc.get_element_by_id("fatal-detail") {
            msg.set_text_content(Some(detail));
        }
        let _ = el.remove_attribute("hidden");
    }
}
