//! Leptos components, one file per screen or widget. This file holds the app and what
//! every component shares through context. Views read signals and call `arm`; they
//! never build URLs, never touch the token, and turn errors into words only in
//! `error_view`.

mod account;
#[cfg(target_arch = "wasm32")]
mod boot;
mod breadcrumbs;
pub mod chart;
mod data_path;
mod error_view;
pub mod link;
mod load;
mod loading;
mod navigator;
mod notices;
pub mod overview;
mod page_state;
mod panel;
mod rules;
mod signin;
mod tooltip;
mod url;

use std::rc::Rc;

use leptos::prelude::*;

use crate::arm::client::ArmClient;
use crate::arm::id::{LoadBalancerId, SubscriptionId};
use crate::auth::account::Account;
use crate::auth::entra::{Callback as EntraAnswer, Pending, SignInError};
use crate::auth::paste::{Claims, Pasted};
use crate::auth::signin::SignIn;
use crate::config::Config;
use crate::health::history::History;
use crate::health::table::View;
use link::Link;

#[cfg(target_arch = "wasm32")]
pub use boot::Boot;
pub use error_view::ErrorView;
pub use loading::Loading;
pub use page_state::show_fatal;
pub use panel::HealthPanel;
pub use tooltip::{ReasonTip, Tips};

/// Where the user is. Each screen owns its data; going back re-reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Subscriptions,
    LoadBalancers {
        sub: SubscriptionId,
        sub_name: String,
    },
    Rules {
        sub_name: String,
        lb: LoadBalancerId,
    },
    /// Every load balancer the account can read, worst first.
    Estate,
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
    pub client: StoredValue<Rc<ArmClient>, LocalStorage>,
    pub screen: RwSignal<Screen>,
    pub session: RwSignal<Session>,
    /// The deployment's config (defaults when there is no config.json).
    pub config: StoredValue<Config>,
    /// The rule whose health panel is open, by name, on the `Rules` screen.
    pub panel: RwSignal<Option<String>>,
    /// Sort and filters of the panel's table (kept across panels, as in a link).
    pub view: RwSignal<View>,
    /// `embed=1`: compact, for an iframe in a wiki.
    pub embed: bool,
    /// What was dropped from the link the page was opened with.
    pub notices: RwSignal<Vec<String>>,
    /// Watch mode's history per rule (by rule id), kept while the session lasts so a
    /// reopened panel goes on where it left off: (rule, last check's ISO time, history).
    pub histories: StoredValue<Vec<(String, String, History)>>,
    /// Entra ID sign-in (through the sign-in worker), when config.json names a client id.
    pub entra: StoredValue<Option<Rc<SignIn>>, LocalStorage>,
    /// The signed-in account (refresh token inside), in memory only.
    pub account: StoredValue<Option<Rc<Account>>, LocalStorage>,
    pub signin: RwSignal<account::SignInStatus>,
    /// Renewal failed: the "sign in again" prompt, over whatever is on screen.
    pub reauth: RwSignal<Option<SignInError>>,
    /// Bumped by every renewal plan and by sign-out, so an older timer does nothing.
    pub renewals: StoredValue<u32>,
    demo_client: StoredValue<Rc<ArmClient>, LocalStorage>,
    live_client: StoredValue<Rc<ArmClient>, LocalStorage>,
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
        self.session.set(Session::Live {
            claims: pasted.claims,
        });
    }

    /// Forgets the tokens (memory is the only place they ever were), anything of ours in
    /// session storage and the live list of recent load balancers, and goes back to the
    /// landing page.
    pub fn sign_out(&self) {
        let live = self.live_client.get_value();
        live.set_token(None);
        live.set_renewer(None);
        if let (Some(s), Some(a)) = (self.entra.get_value(), self.account.get_value()) {
            crate::auth::browser::remember_sign_out(s.settings(), a.tenant())
        }
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
    #[prop(default = None)]
    answer: Option<(EntraAnswer, Option<Pending>)>,
) -> impl IntoView {
    let first = if start == Session::Demo {
        demo.clone()
    } else {
        live.clone()
    };
    let ctx = AppCtx {
        client: StoredValue::new_local(first),
        screen: RwSignal::new(Screen::from_link(&link, start == Session::Demo)),
        session: RwSignal::new(start),
        config: StoredValue::new(config),
        panel: RwSignal::new(link.rule.clone()),
        view: RwSignal::new(link.view.clone()),
        embed: link.embed,
        notices: RwSignal::new(notices),
        histories: StoredValue::new(Vec::new()),
        entra: StoredValue::new_local(entra),
        account: StoredValue::new_local(None),
        signin: RwSignal::new(account::SignInStatus::Idle),
        reauth: RwSignal::new(None),
        renewals: StoredValue::new(0),
        demo_client: StoredValue::new_local(demo),
        live_client: StoredValue::new_local(live),
    };
    provide_context(ctx);
    if let Some((answer, pending)) = answer {
        account::finish(ctx, answer, pending);
    }
    #[cfg(target_arch = "wasm32")]
    url::sync(ctx);
    // Memos, so renewing a token (a new `Live` value) does not rebuild the screen the
    // user is on.
    let is_demo = Memo::new(move |_| ctx.session.with(|s| *s == Session::Demo));
    let signed_out = Memo::new(move |_| ctx.session.with(|s| *s == Session::SignedOut));
    let embed = ctx.embed;
    view! {
        <TopBar/>
        <notices::Notices/>
        <notices::UpdateNotice/>
        <account::ReauthPrompt/>
        <Show when=move || is_demo.get() && !embed>
            <aside class="banner" aria-label="Demo estate">
                "You are looking at a built-in demo estate with simulated load balancers. It runs the same client code as a live session, including the 202-then-poll health operation."
            </aside>
        </Show>
        <Show when=move || !signed_out.get() fallback=|| view! { <main id="main"><signin::SignIn/></main> }>
            {(!embed).then(|| view! { <breadcrumbs::Breadcrumbs/> })}
            <main id="main"><CurrentScreen/></main>
        </Show>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let embed = use_app().embed;
    view! {
        <header class="topbar" class:embed=embed>
            <span class="brand" aria-hidden="true">"◆"</span>
            <span class="title">"LB Health"</span>
            {(!embed).then(|| view! { <span class="subtitle">"Azure Load Balancer backend health"</span> })}
            {embed.then(|| view! { <a class="full-app" href=url::full_app_href() target="_blank" rel="noopener">"Open full app"</a> })}
            <signin::AccountChip/>
        </header>
    }
}

#[component]
fn CurrentScreen() -> impl IntoView {
    let ctx = use_app();
    // The link or button that led here is gone with the old screen, and each engine
    // starts the next Tab from somewhere else (Firefox from the top of the page, with no
    // focus ring). The new screen's heading takes focus, as a page load would start a
    // screen reader there; not on the first screen, which the page load itself shows.
    Effect::new(move |first: Option<()>| {
        ctx.screen.track();
        if first.is_some() {
            request_animation_frame(focus_heading);
        }
    });
    move || match ctx.screen.get() {
        Screen::Subscriptions => view! { <navigator::Subscriptions/> }.into_any(),
        Screen::LoadBalancers { sub, sub_name } => {
            view! { <navigator::LoadBalancers sub=sub sub_name=sub_name/> }.into_any()
        }
        Screen::Rules { lb, .. } => view! { <rules::Rules lb=lb/> }.into_any(),
        Screen::Estate => view! { <overview::LazyEstate/> }.into_any(),
    }
}

fn focus_heading() {
    use wasm_bindgen::JsCast;
    let heading = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("#main h1").ok().flatten());
    if let Some(h) = heading.and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok()) {
        // Focusable from script, not a Tab stop.
        let _ = h.set_attribute("tabindex", "-1");
        let _ = h.focus();
    }
}

impl Screen {
    /// A link names the subscription by id only; the name comes from the recently
    /// opened list when this browser has seen it (no request is made for it).
    fn from_link(link: &Link, demo: bool) -> Screen {
        let name = |sub: &SubscriptionId| {
            navigator::recent::sub_name(&navigator::recent::load(demo), sub)
                .unwrap_or_else(|| sub.as_str().to_owned())
        };
        match (&link.lb, &link.sub) {
            (Some(lb), _) => Screen::Rules {
                sub_name: name(&lb.subscription),
                lb: lb.clone(),
            },
            (None, Some(sub)) => Screen::LoadBalancers {
                sub: sub.clone(),
                sub_name: name(sub),
            },
            _ if link.estate => Screen::Estate,
            _ => Screen::Subscriptions,
        }
    }
}
