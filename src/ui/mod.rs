//! Leptos components. Views read signals and call `arm`; they never build URLs, never
//! touch the token, and turn errors into words only in `error_view`.

mod account;
#[cfg(target_arch = "wasm32")]
mod boot;
pub mod chart;
mod error_view;
mod load;
mod navigator;
pub mod overview;
mod panel;
mod rules;
mod signin;
mod slot;
mod tooltip;
mod url;

use std::rc::Rc;

use leptos::prelude::*;

use crate::arm::client::{ArmClient, Progress};
use crate::arm::lro::WaitReason;
use crate::auth::account::Account;
use crate::auth::entra::{Callback, Pending, SignInError};
use crate::auth::signin::SignIn;
use crate::auth::paste::{Claims, Pasted};
use crate::config::Config;
use crate::health::table::View;
use crate::link::Link;
use crate::arm::id::{LoadBalancerId, SubscriptionId};

#[cfg(target_arch = "wasm32")]
pub use boot::Boot;
pub use error_view::ErrorView;
pub use panel::HealthPanel;
pub use slot::{Call, Computed, Slot, Stored};
pub use tooltip::ReasonTip;

/// Where the user is. Each screen owns its data; going back re-reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Subscriptions,
    LoadBalancers { sub: SubscriptionId, sub_name: String },
    Rules { sub_name: String, lb: LoadBalancerId },
}

/// Who the app is talking to.
#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    /// The built-in simulated estate.
    Demo,
    /// Live ARM with a token; the claims are for display only.
    Live { claims: Claims },
    /// Live ARM configured, no token yet.
    SignedOut,
}

/// Shared with every component through context. `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub client: Stored<Rc<ArmClient>>,
    pub screen: Slot<Screen>,
    pub session: Slot<Session>,
    /// The deployment's config (defaults when there is no config.json).
    pub config: Stored<Config>,
    /// The rule whose health panel is open, by name, on the `Rules` screen.
    pub panel: Slot<Option<String>>,
    /// Sort and filters of the panel's table (kept across panels, as in a link).
    pub view: Slot<View>,
    /// `embed=1`: compact, for an iframe in a wiki.
    pub embed: bool,
    /// What was dropped from the link the page was opened with.
    pub notices: Slot<Vec<String>>,
    /// Watch mode's history per rule (by rule id), kept while the session lasts so a
    /// reopened panel goes on where it left off: (rule, last check's ISO time, history).
    pub histories: Stored<Vec<(String, String, crate::health::history::History)>>,
    /// Entra ID sign-in (through the sign-in worker), when config.json names a client id.
    pub entra: Stored<Option<Rc<SignIn>>>,
    /// The signed-in account (refresh token inside), in memory only.
    pub account: Stored<Option<Rc<Account>>>,
    pub signin: Slot<account::SignInStatus>,
    /// Renewal failed: the "sign in again" prompt, over whatever is on screen.
    pub reauth: Slot<Option<SignInError>>,
    /// Bumped by every renewal plan and by sign-out, so an older timer does nothing.
    pub renewals: Stored<u32>,
    demo_client: Stored<Rc<ArmClient>>,
    live_client: Stored<Rc<ArmClient>>,
}

impl AppCtx {
    pub fn client(&self) -> Rc<ArmClient> {
        self.client.get_value()
    }

    pub fn use_demo(&self) {
        self.live_client.get_value().set_token(None);
        self.client.set_value(self.demo_client.get_value());
        self.histories.set_value(Vec::new());
        self.session.set(Session::Demo);
        self.panel.set(None);
        self.screen.set(Screen::Subscriptions);
    }

    /// Signs in with a token. The screen stays: it is where a deep link pointed, or
    /// where the user was when the token expired.
    pub fn use_token(&self, pasted: Pasted) {
        let live = self.live_client.get_value();
        live.set_token(Some(pasted.token));
        self.client.set_value(live);
        self.session.set(Session::Live { claims: pasted.claims });
    }

    /// Forgets the tokens (memory is the only place they ever were), anything of ours in
    /// session storage and the live list of recent load balancers, and goes back to the
    /// landing page.
    pub fn sign_out(&self) {
        let live = self.live_client.get_value();
        live.set_token(None);
        live.set_renewer(None);
        self.account.set_value(None);
        self.renewals.update_value(|n| *n += 1);
        self.reauth.set(None);
        self.signin.set(account::SignInStatus::Idle);
        crate::auth::browser::clear_storage();
        navigator::recent::forget_live();
        self.histories.set_value(Vec::new());
        self.client.set_value(self.live_client.get_value());
        self.session.set(Session::SignedOut);
        self.panel.set(None);
        self.screen.set(Screen::Subscriptions);
    }

    pub fn is_demo(&self) -> bool {
        self.session.with_untracked(|s| *s == Session::Demo)
    }
}

pub fn use_app() -> AppCtx {
    use_context::<AppCtx>().expect("AppCtx is provided by App")
}

#[component]
pub fn App(
    demo: Rc<ArmClient>,
    live: Rc<ArmClient>,
    config: Config,
    start: Session,
    #[prop(optional)] link: Link,
    #[prop(optional)] notices: Vec<String>,
    #[prop(default = None)] entra: Option<Rc<SignIn>>,
    /// A redirect sign-in's answer to finish, and what this tab kept for it.
    #[prop(default = None)] answer: Option<(Callback, Option<Pending>)>,
) -> impl IntoView {
    let first = if start == Session::Demo { demo.clone() } else { live.clone() };
    let ctx = AppCtx {
        client: Stored::new(first),
        screen: Slot::new(Screen::from_link(&link, start == Session::Demo)),
        session: Slot::new(start),
        config: Stored::new(config),
        panel: Slot::new(link.rule.clone()),
        view: Slot::new(link.view.clone()),
        embed: link.embed,
        notices: Slot::new(notices),
        histories: Stored::new(Vec::new()),
        entra: Stored::new(entra),
        account: Stored::new(None),
        signin: Slot::new(account::SignInStatus::Idle),
        reauth: Slot::new(None),
        renewals: Stored::new(0),
        demo_client: Stored::new(demo),
        live_client: Stored::new(live),
    };
    provide_context(ctx);
    if let Some((cb, pending)) = answer {
        account::finish(ctx, cb, pending);
    }
    // Memos, so renewing a token (a new `Live` value) does not rebuild the screen the
    // user is on.
    let is_demo = Computed::new(move || ctx.session.with(|s| *s == Session::Demo));
    let signed_out = Computed::new(move || ctx.session.with(|s| *s == Session::SignedOut));
    #[cfg(target_arch = "wasm32")]
    url::sync(ctx);
    let embed = ctx.embed;
    view! {
        <header class="topbar" class:embed=embed>
            <span class="brand" aria-hidden="true">"◆"</span>
            <span class="title">"LB Health"</span>
            {(!embed).then(|| view! { <span class="subtitle">"Azure Load Balancer backend health"</span> }.into_inner().into_any())}
            {embed.then(|| view! { <a class="full-app" {..attr_owned("href", url::full_app_href())} {..attr("target", "_blank")} {..attr("rel", "noopener")}>"Open full app"</a> }.into_inner().into_any())}
            <signin::AccountChip/>
        </header>
        <Notices/>
        <account::ReauthPrompt/>
        {reactive_opt(move || (is_demo.get() && !embed).then(|| view! {
            <aside class="banner" aria-label="Demo estate">
                "You are looking at a built-in demo estate with simulated load balancers. It runs the same client code as a live session, including the 202-then-poll health operation."
            </aside>
        }.into_inner().into_any()))}
        {move || match signed_out.get() {
            true => view! { <main id="main"><signin::SignIn/></main> }.into_inner().into_any(),
            false => view! {
                {(!embed).then(|| view! { <Breadcrumbs/> }.into_inner().into_any())}
                <main id="main">{move || match ctx.screen.get() {
                    Screen::Subscriptions => navigator::Subscriptions().into_any(),
                    Screen::LoadBalancers { sub, sub_name } => view! { <navigator::LoadBalancers sub=sub sub_name=sub_name/> }.into_inner().into_any(),
                    Screen::Rules { lb, .. } => view! { <rules::Rules lb=lb/> }.into_inner().into_any(),
                }}</main>
            }.into_inner().into_any(),
        }}
    }.into_inner()
}

#[component]
fn Breadcrumbs() -> impl IntoView {
    let ctx = use_app();
    let crumb = move |label: String, to: Option<Screen>| match to {
        Some(screen) => view! {
            <li>{screen_link(label, screen)}</li>
        }
        .into_inner().into_any(),
        None => view! { <li {..attr("aria-current", "page")}>{label}</li> }.into_inner().into_any(),
    };
    view! {
        <nav aria-label="Breadcrumb" class="crumbs">
            <ol>{reactive_any(move || match ctx.screen.get() {
                Screen::Subscriptions => vec![crumb("Subscriptions".into(), None)],
                Screen::LoadBalancers { sub_name, .. } => {
                    vec![crumb("Subscriptions".into(), Some(Screen::Subscriptions)), crumb(sub_name, None)]
                }
                Screen::Rules { sub_name, lb } => vec![
                    crumb("Subscriptions".into(), Some(Screen::Subscriptions)),
                    crumb(sub_name.clone(), Some(Screen::LoadBalancers { sub: lb.subscription.clone(), sub_name })),
                    crumb(lb.name.clone(), None),
                ],
            })}</ol>
        </nav>
    }.into_inner()
}

impl Screen {
    /// A link names the subscription by id only; the name comes from the recently
    /// opened list when this browser has seen it (no request is made for it).
    fn from_link(link: &Link, demo: bool) -> Screen {
        let name = |sub: &SubscriptionId| navigator::recent::sub_name(&navigator::recent::load(demo), sub).unwrap_or_else(|| sub.as_str().to_owned());
        match (&link.lb, &link.sub) {
            (Some(lb), _) => Screen::Rules { sub_name: name(&lb.subscription), lb: lb.clone() },
            (None, Some(sub)) => Screen::LoadBalancers { sub: sub.clone(), sub_name: name(sub) },
            _ => Screen::Subscriptions,
        }
    }
}

/// A button styled as a link that opens `screen`: how every list and the breadcrumbs
/// lead on.
pub fn screen_link(label: String, screen: Screen) -> impl IntoView {
    let ctx = use_app();
    view! { <button type="button" class="linklike" {..listen("click", move |_| ctx.screen.set(screen.clone()))}>{label}</button> }.into_inner()
}

/// What the link could not use, said once, dismissible.
#[component]
fn Notices() -> impl IntoView {
    let ctx = use_app();
    reactive_opt(move || {
        let notes = ctx.notices.get();
        (!notes.is_empty()).then(|| view! {
            <div class="note notices" role="status">
                <p><strong>"Part of this link was not used:"</strong></p>
                <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }.into_inner().into_any()).collect_view()}</ul>
                <button type="button" {..listen("click", move |_| ctx.notices.set(Vec::new()))}>"Dismiss"</button>
            </div>
        }.into_inner().into_any())
    })
}

/// `Effect::new` through one boxed closure type: each closure type given to
/// `Effect::new` gets its own copy of the effect's async loop in the wasm.
pub fn effect(f: impl FnMut() + 'static) {
    let f: Box<dyn FnMut()> = Box::new(f);
    Effect::new(f);
}

// A `view!`'s result is erased as `.into_inner().into_any()`, and a component or view
// function returns `view! {..}.into_inner()`: the element itself, not leptos's `View`
// wrapper around it. The wrapper is a type of its own, so each element type's `AnyView`
// code would be in the wasm twice, once for a `view!`'s result and once for a child.

/// A reactive view that is not written as a closure inside `view!` (a component's
/// `move || ...`, a closure kept in a variable) as the shared type `view!` gives those:
/// each closure type otherwise brings its own copy of the render-effect glue.
pub fn reactive<T: 'static>(f: impl FnMut() -> T + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> T + Send>> {
    std::sync::Arc::new(std::sync::Mutex::new(f))
}

/// `reactive` for a view that is there or not: it gives an `AnyView`, the type of the
/// other reactive views, where an `Option<AnyView>` was a render-effect type of its own.
/// The `Option` still renders inside it, so the page is the same.
pub fn reactive_opt(mut f: impl FnMut() -> Option<AnyView> + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    reactive(move || f().into_any())
}

/// `reactive` for a text or a list: it gives an `AnyView` as well, where a `String` and a
/// `Vec<AnyView>` were render-effect types of their own; the text or list renders
/// inside it as before.
pub fn reactive_any<T: leptos::tachys::view::any_view::IntoAny>(mut f: impl FnMut() -> T + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    reactive(move || f().into_any())
}

/// A static attribute whose name only a few non-inert elements of the page use, written
/// `{..attr("rel", "noopener")}` where `rel="noopener"` would be: its own attribute type
/// would bring a copy of the attribute code into the wasm for those few uses. (For
/// names in wide use, such as `class`, the longer code at each use costs more.)
pub fn attr(key: &'static str, value: &'static str) -> leptos::tachys::html::attribute::custom::CustomAttr<&'static str, &'static str> {
    leptos::tachys::html::attribute::custom::custom_attribute(key, value)
}

/// `attr` for a value made at run time, for the same names.
pub fn attr_owned(key: &'static str, value: String) -> leptos::tachys::html::attribute::custom::CustomAttr<&'static str, String> {
    leptos::tachys::html::attribute::custom::custom_attribute(key, value)
}

pub type ReactiveAttr = leptos::tachys::html::attribute::custom::CustomAttr<&'static str, std::sync::Arc<std::sync::Mutex<dyn FnMut() -> Option<String> + Send>>>;

/// `attr` for a reactive value: the closure becomes the shared type `view!` gives its own.
/// Every value is an `Option<String>` (`None` removes the attribute), so all of them
/// share one attribute and render-effect type, where a `bool` and a `String` were two.
pub fn attr_fn(key: &'static str, f: impl FnMut() -> Option<String> + Send + 'static) -> ReactiveAttr {
    leptos::tachys::html::attribute::custom::custom_attribute(key, reactive(f))
}

// Reactive properties (`prop:value`, `prop:checked`) give a `JsValue`, which tachys sets
// as it sets a `String` or a `bool`: one property and render-effect type for all of them.

/// `attr_fn` for a boolean attribute: present and empty when `f` is true, as a `bool`
/// value renders it.
pub fn attr_flag(key: &'static str, mut f: impl FnMut() -> bool + Send + 'static) -> ReactiveAttr {
    attr_fn(key, move || f().then(String::new))
}

/// An event listener, written `{..listen("click", ..)}` where `on:click=` would be: every
/// listener is then one attribute type with one boxed handler type, where each event
/// (and each closure) would bring its own copy of the listener and attribute code into
/// the wasm. The handler gets the plain `Event`. Last in its tag: an attribute after a
/// `{..}` is built differently, and larger.
pub fn listen(name: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> leptos::tachys::html::event::On<leptos::tachys::html::event::Custom, Box<dyn FnMut(web_sys::Event)>> {
    let f: Box<dyn FnMut(web_sys::Event)> = Box::new(f);
    leptos::tachys::html::event::on(leptos::tachys::html::event::Custom::new(name), f)
}

/// Shown while a screen's data loads; announced politely.
#[component]
pub fn Loading(#[prop(into)] what: String, #[prop(optional)] waiting: Option<load::Waiting>) -> impl IntoView {
    let text = move || match waiting.and_then(|w| w.get()) {
        Some(Progress::Waiting { ms, reason: WaitReason::Throttled, .. }) => {
            format!("Loading {what}: Azure is throttling requests, so LB Health waits {} s, as Azure asked, then tries again.", ms.div_ceil(1000))
        }
        Some(Progress::Waiting { reason: WaitReason::Transient, .. }) => format!("Loading {what}: a request failed; trying again shortly."),
        _ => format!("Loading {what}…"),
    };
    view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>{reactive_any(text)}</p> }.into_inner()
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
