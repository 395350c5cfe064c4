//! Entra ID sign-in in the UI: starting the redirect or pop-up round trip, finishing it,
//! keeping the token fresh, and the account menu (tenant switch, sign-out). The logic
//! is in `auth::entra` and `auth::account`; this file wires it to signals and the browser.

use std::rc::Rc;

use leptos::prelude::*;

use super::{attr, attr_owned, listen, use_app, AppCtx, Session, Slot};
use crate::arm::client::{Cancel, Renewer};
use crate::arm::model::Tenant;
use crate::auth::account::{Account, Renewed};
use crate::auth::browser;
use crate::auth::entra::{accept, renew_after_ms, Callback, Denied, Mode, Pending, SignInError, Tokens};

/// Where a sign-in stands, for the landing page.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SignInStatus {
    #[default]
    Idle,
    Working,
    Failed(SignInError),
}

pub(super) fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Starts a sign-in to `tenant` (the configured one when `None`). Runs in a click
/// handler: a pop-up opened later would be blocked, so it opens here, blank, and goes
/// to Entra once the sign-in worker has made the authorize URL.
pub fn start(ctx: AppCtx, tenant: Option<String>, popup: bool) {
    let Some(signin) = ctx.entra.get_value() else { return };
    let tenant = tenant.unwrap_or_else(|| signin.settings().tenant.clone());
    let mode = if popup || browser::in_iframe() { Mode::Popup } else { Mode::Redirect };
    let fail = move |e| ctx.signin.set(SignInStatus::Failed(e));
    let popup = match mode {
        Mode::Popup => match browser::open_popup() {
            Ok(p) => Some(p),
            Err(e) => return fail(e),
        },
        Mode::Redirect => None,
    };
    let return_to = browser::here();
    ctx.signin.set(SignInStatus::Working);
    leptos::task::spawn_local(async move {
        let started = match signin.begin(&tenant, mode, return_to).await {
            Ok(mut s) => { s.url = browser::authorize_url(&s.url); s }
            Err(e) => {
                if let Some(p) = popup {
                    let _ = p.close();
                }
                return fail(e);
            }
        };
        let Some(popup) = popup else {
            match browser::save_pending(&started.pending) {
                Ok(()) => browser::go(&started.url),
                Err(e) => fail(e),
            }
            return;
        };
        let pending = started.pending;
        let outcome = async {
            browser::send_popup(&popup, &started.url)?;
            let answer = browser::popup_answer(popup).await?;
            let code = accept(answer, Some(&pending))?;
            signin.redeem(code, &pending).await
        }
        .await;
        match outcome {
            Ok(tokens) => adopt(ctx, pending.tenant, tokens),
            Err(e) => fail(e),
        }
    });
}

/// Finishes a redirect sign-in whose answer this page load carries.
pub fn finish(ctx: AppCtx, answer: Callback, pending: Option<Pending>) {
    let Some(signin) = ctx.entra.get_value() else { return };
    let code = match accept(answer, pending.as_ref()) {
        Ok(code) => code,
        Err(e) => return ctx.signin.set(SignInStatus::Failed(e)),
    };
    let Some(pending) = pending else { return };
    ctx.signin.set(SignInStatus::Working);
    leptos::task::spawn_local(async move {
        match signin.redeem(code, &pending).await {
            Ok(tokens) => adopt(ctx, pending.tenant, tokens),
            Err(e) => ctx.signin.set(SignInStatus::Failed(e)),
        }
    });
}

/// Signed in: the tokens go to memory (the account and the live client), never storage.
fn adopt(ctx: AppCtx, tenant: String, tokens: Tokens) {
    let Some(signin) = ctx.entra.get_value() else { return };
    let live = ctx.live_client.get_value();
    let account = Rc::new(Account::new(signin, tenant, &tokens, live.clock()));
    ctx.account.set_value(Some(account.clone()));
    browser::forget_sign_out();
    live.set_renewer(Some(renewer(ctx, account.clone())));
    ctx.client.set_value(live);
    ctx.signin.set(SignInStatus::Idle);
    show(ctx, &account, tokens);
}

/// A new token set is in use: show its expiry and plan the next renewal.
fn show(ctx: AppCtx, account: &Rc<Account>, tokens: Tokens) {
    ctx.live_client.get_value().set_token(Some(tokens.access.clone()));
    let mut claims = tokens.claims;
    // Our own clock, not the token's `exp`: the two clocks may disagree.
    claims.expires_at = Some(now_unix() + tokens.lifetime_s as i64);
    ctx.session.set(Session::Live { claims });
    ctx.reauth.set(None);
    schedule(ctx, account.clone(), tokens.lifetime_s);
}

/// Renews ahead of expiry, so a long session never meets a 401; a renewal planned
/// for an older token or a signed-out session does nothing.
fn schedule(ctx: AppCtx, account: Rc<Account>, lifetime_s: u64) {
    let turn = ctx.renewals.get_value() + 1;
    ctx.renewals.set_value(turn);
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(renew_after_ms(lifetime_s).min(u32::MAX as u64) as u32).await;
        if ctx.renewals.try_get_value() != Some(turn) {
            return;
        }
        let held = ctx.live_client.get_value().token();
        settle(ctx, &account, account.renew(held).await);
    });
}

/// The outcome of a renewal, for both callers (the timer and a 401): the token to
/// use, or `None` after putting up the "sign in again" prompt.
fn settle(ctx: AppCtx, account: &Rc<Account>, outcome: Result<Renewed, SignInError>) -> Option<crate::auth::Token> {
    let still_ours = ctx.account.try_with_value(|a| a.as_ref().is_some_and(|a| Rc::ptr_eq(a, account))) == Some(true);
    if !still_ours {
        return None;
    }
    match outcome {
        Ok(Renewed::Fresh(tokens)) => {
            let access = tokens.access.clone();
            show(ctx, account, tokens);
            Some(access)
        }
        Ok(Renewed::Already(t)) => Some(t),
        Err(e) => {
            ctx.reauth.set(Some(e));
            None
        }
    }
}

fn renewer(ctx: AppCtx, account: Rc<Account>) -> Renewer {
    Rc::new(move |held| {
        let account = account.clone();
        Box::pin(async move {
            let outcome = account.renew(held).await;
            settle(ctx, &account, outcome)
        })
    })
}

/// What to tell the user about a failed sign-in: a title and the way forward.
pub fn words(e: &SignInError) -> (&'static str, String) {
    match e {
        SignInError::Denied(Denied { error, .. }) if error == "access_denied" => (
            "Sign-in was declined",
            "Entra ID answered access_denied: the permission LB Health asks for (Azure Service Management, user_impersonation) was declined, by you or by your organisation's policy. Sign in again and accept it, or ask an administrator to grant consent for the organisation.".into(),
        ),
        SignInError::Denied(_) => ("Entra ID stopped the sign-in", "Read Entra's message below; it names what is missing. Then sign in again.".into()),
        SignInError::StateMismatch => (
            "This sign-in answer was rejected",
            "Its state does not match the sign-in this tab started, so it may be forged or meant for another tab. Nothing was exchanged for a token. Sign in again from this tab.".into(),
        ),
        SignInError::NothingPending => (
            "This sign-in answer was rejected",
            "This tab has no sign-in in progress: the browser may have cleared its storage, or the answer was opened in another tab. Nothing was exchanged for a token. Sign in again.".into(),
        ),
        SignInError::Refused(_) => (
            "Entra ID refused to issue a token",
            "Read Entra's message below. AADSTS9002326 means the redirect URI is registered as Web instead of Single-page application; AADSTS50011 means it is not registered at all (see the README's set-up steps).".into(),
        ),
        SignInError::Network(_) => (
            "Entra ID could not be reached",
            "Check your network, then sign in again. If this repeats, the app registration may list this address as a Web redirect URI: the browser then blocks the token request. Register it as Single-page application.".into(),
        ),
        SignInError::Unexpected(_) => ("Entra ID's answer could not be read", "Sign in again; if it repeats, paste a token instead and report the message below.".into()),
        SignInError::Storage => (
            "This browser blocked the storage that sign-in needs",
            "Signing in by redirect keeps a one-time PKCE verifier in this tab's session storage, which the browser refuses here. Sign in with a pop-up window, open LB Health in a new tab, or paste a token.".into(),
        ),
        SignInError::PopupBlocked => (
            "The browser blocked the sign-in pop-up",
            "Allow pop-ups for this site and sign in again, open LB Health in a new tab, or paste a token.".into(),
        ),
        SignInError::PopupClosed => (
            "The sign-in window closed before it finished",
            "If you closed it, sign in again. If it closed by itself, or stayed open on LB Health, the browser cut the link between the two windows (a Cross-Origin-Opener-Policy on the sign-in pages). Open LB Health in a new tab and sign in there, or paste a token.".into(),
        ),
        SignInError::OpenerLost => (
            "This sign-in window lost its link to LB Health",
            "The browser cut the link to the page that opened this window (a Cross-Origin-Opener-Policy on the sign-in pages), so the sign-in cannot be handed back. Close this window; in LB Health, open the app in a new tab and sign in there, or paste a token.".into(),
        ),
        SignInError::Settings(_) => ("Sign-in is not set up correctly", "This deployment's config.json has a problem with its sign-in fields; see the README.".into()),
        SignInError::Worker(_) => (
            "The sign-in component did not start",
            "LB Health signs in from a separate script (signin-worker.js and signin-worker_bg.wasm next to index.html), which did not load or stopped. Reload the page; if it repeats, check that the deployment includes both files and that its Content-Security-Policy keeps worker-src blob:. Meanwhile you can paste a token.".into(),
        ),
    }
}

/// The raw details support asks for: Entra's code and message.
fn details(e: &SignInError) -> Vec<String> {
    match e {
        SignInError::Denied(d) | SignInError::Refused(d) => {
            let mut v = vec![format!("Error: {}", d.error)];
            if !d.description.is_empty() {
                v.push(d.description.clone());
            }
            v
        }
        SignInError::Network(m) | SignInError::Unexpected(m) | SignInError::Settings(m) | SignInError::Worker(m) => vec![m.clone()],
        _ => Vec::new(),
    }
}

/// A sign-in problem, with a way forward.
#[component]
pub fn SignInProblem(error: SignInError) -> impl IntoView {
    let (title, next) = words(&error);
    let new_tab = matches!(error, SignInError::PopupBlocked | SignInError::PopupClosed | SignInError::Storage);
    view! {
        <div class="error" role="alert">
            <p class="error-title"><span aria-hidden="true">"⚠ "</span>{title}</p>
            <p>{next}</p>
            <ul class="error-details">{details(&error).into_iter().map(|d| view! { <li>{d}</li> }.into_inner().into_any()).collect_view()}</ul>
            {new_tab.then(|| view! { <a {..attr_owned("href", super::url::full_app_href())} {..attr("target", "_blank")} {..attr("rel", "noopener")}>"Open LB Health in a new tab"</a> }.into_inner().into_any())}
        </div>
    }.into_inner()
}

/// The landing page's sign-in block.
#[component]
pub fn SignInWithMicrosoft() -> impl IntoView {
    let ctx = use_app();
    let framed = browser::in_iframe();
    // The sign-in worker loads while the user reads the page, not after the click.
    ctx.entra.with_value(|s| s.as_ref().map(|s| s.warm()));
    view! {
        <section class="signin" {..attr("aria-labelledby", "entra-heading")}>
            <h2 id="entra-heading">"Your organisation's account"</h2>
            <p class="actions">
                <button type="button" class="primary" {..listen("click", move |_| start(ctx, None, false))}>"Sign in with Microsoft"</button>
                {(!framed).then(|| view! {
                    <button type="button" {..listen("click", move |_| start(ctx, None, true))}>"Sign in with a pop-up window"</button>
                }.into_inner().into_any())}
            </p>
            {framed.then(|| view! { <p class="muted">"Inside another page, sign-in opens in a pop-up window: Entra ID does not show its pages in a frame."</p> }.into_inner().into_any())}
            {ctx.config.with_value(|c| crate::config::shared_pages_origin(&browser::location(), c)).then(|| view! { <p class="note" role="note">{crate::config::SHARED_PAGES_WARNING}</p> }.into_inner().into_any())}
            {browser::end_session().map(|url| view! { <p class="note" role="status">"You signed out of LB Health. Your Microsoft account may still be signed in in this browser, so the next sign-in here asks which account to use. On a shared computer, also "<a {..attr_owned("href", url)} {..attr("target", if framed { "_blank" } else { "_self" })} {..attr("rel", "noopener")}>"sign out of Microsoft"</a>"."</p> }.into_inner().into_any())}
            {super::reactive_opt(move || match ctx.signin.get() {
                SignInStatus::Idle => None,
                SignInStatus::Working => Some(view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Signing in…"</p> }.into_inner().into_any()),
                SignInStatus::Failed(e) => Some(view! { <SignInProblem error=e/> }.into_inner().into_any()),
            })}
        </section>
    }.into_inner()
}

/// Non-blocking: renewal failed, the current view stays, one click signs in again.
#[component]
pub fn ReauthPrompt() -> impl IntoView {
    let ctx = use_app();
    super::reactive_opt(move || {
        ctx.reauth.get().map(|e| {
            let code = e.aadsts().map(|c| format!(" ({c})")).unwrap_or_default();
            view! {
                <div class="note reauth" role="status">
                    <p><strong>"Your session could not be renewed"</strong>{code}". What is on screen stays; sign in again to carry on."</p>
                    <button type="button" class="primary" {..listen("click", move |_| start(ctx, None, false))}>"Sign in again"</button>
                    <button type="button" {..listen("click", move |_| ctx.reauth.set(None))}>"Dismiss"</button>
                </div>
            }.into_inner().into_any()
        })
    })
}

fn expiry_text(exp: Option<i64>) -> String {
    exp.map_or_else(|| "expiry unknown".into(), |e| expires_in(e - now_unix()))
}

/// Entra's tokens last about an hour; a pasted test token may last years, which in
/// minutes is an unreadable number.
fn expires_in(secs: i64) -> String {
    if secs < 0 {
        return "expired".into();
    }
    match secs / 60 {
        m if m < 120 => format!("expires in {m} min"),
        m if m < 48 * 60 => format!("expires in {} h", m / 60),
        m => format!("expires in {} days", m / (24 * 60)),
    }
}

/// The header's account chip: who, which tenant, when the token expires; tenant
/// switch (signed in with Entra) and sign-out.
#[component]
pub fn AccountMenu(claims: crate::auth::paste::Claims) -> impl IntoView {
    let ctx = use_app();
    let signed_in = ctx.account.with_value(Option::is_some);
    let who = claims.user.clone().or(claims.name.clone()).unwrap_or_else(|| "Pasted token".into());
    let user = claims.user.clone().unwrap_or_default();
    let tenant_id = claims.tenant.clone().unwrap_or_default();
    let tenants = super::load::Data::<Vec<Tenant>>::new();
    let chosen = Slot::new(String::new());
    let load_tenants = move || {
        if !signed_in || tenants.get_untracked().is_some() {
            return;
        }
        tenants.set(Some(Ok(Vec::new())));
        leptos::task::spawn_local(async move {
            let client = ctx.client();
            tenants.set(Some(client.tenants(&Cancel::default()).await));
        });
    };
    let tid = tenant_id.clone();
    let tenant_label = move || match tenants.get() {
        Some(Ok(list)) => list.iter().find(|t| t.tenant_id == tid).map(|t| format!("{} ({})", t.display_name, t.default_domain)).unwrap_or(tid.clone()),
        _ => tid.clone(),
    };
    let current = tenant_id.clone();
    let expiry = expiry_text(claims.expires_at);
    view! {
        <div class="account-chip">
        <details class="account-menu" {..listen("toggle", move |_| load_tenants())}>
            // The accessible name is the visible text plus a prefix for screen readers
            // (axe: label-content-name-mismatch); the expiry sits beside the toggle.
            <summary><span class="sr-only">"Account: "</span>{who.clone()}<span class="muted" aria-hidden="true">" ▾"</span></summary>
            <div class="menu">
                <dl>
                    <dt>"User"</dt><dd>{if user.is_empty() { "not in the token".to_owned() } else { user }}</dd>
                    <dt>"Tenant"</dt><dd>{super::reactive_any(tenant_label)}</dd>
                    <dt>"Token"</dt><dd>{expiry_text(claims.expires_at)}{signed_in.then(|| ", renewed automatically".into_any())}</dd>
                </dl>
                {signed_in.then(|| view! {
                    <form class="tenant-switch" {..listen("submit", move |ev: web_sys::Event| {
                        ev.prevent_default();
                        let t = chosen.get_untracked();
                        if !t.is_empty() { start(ctx, Some(t), false) }
                    })}>
                        <label for="tenant-select">"Switch tenant"</label>
                        {move || match tenants.get() {
                            Some(Ok(list)) if !list.is_empty() => {
                                let current = current.clone();
                                view! {
                                    <select id="tenant-select" {..listen("change", move |ev| chosen.set(event_target_value(&ev)))}>
                                        <option value="">"Choose a tenant"</option>
                                        {list.into_iter().filter(|t| t.tenant_id != current).map(|t| view! {
                                            <option {..attr_owned("value", t.tenant_id.clone())}>{format!("{} ({})", t.display_name, t.default_domain)}</option>
                                        }.into_inner().into_any()).collect_view()}
                                    </select>
                                    <button type="submit">"Sign in to this tenant"</button>
                                }.into_inner().into_any()
                            }
                            Some(Err(e)) => view! { <p class="muted">{format!("The tenant list could not be read: {}", super::error_view::headline(&e).0)}</p> }.into_inner().into_any(),
                            _ => view! { <p class="muted">"Loading tenants…"</p> }.into_inner().into_any(),
                        }}
                    </form>
                }.into_inner().into_any())}
                <button type="button" class="chip-action" {..listen("click", move |_| ctx.sign_out())}>"Sign out"</button>
            </div>
        </details>
        <span class="muted expiry">{expiry}</span>
        </div>
    }.into_inner()
}

/// The pop-up's own page: hand the answer back, or say why it cannot.
#[component]
pub fn PopupLanding() -> impl IntoView {
    match browser::hand_to_opener() {
        Ok(()) => view! { <main id="main"><p role="status">"Signed in. This window closes by itself."</p></main> }.into_inner().into_any(),
        Err(e) => view! { <main id="main"><h1>"LB Health sign-in"</h1><SignInProblem error=e/></main> }.into_inner().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::expires_in;

    #[test]
    fn expiry_reads_in_the_largest_sensible_unit() {
        assert_eq!(expires_in(-1), "expired");
        assert_eq!(expires_in(59 * 60 + 30), "expires in 59 min");
        assert_eq!(expires_in(119 * 60), "expires in 119 min");
        assert_eq!(expires_in(5 * 3600), "expires in 5 h");
        assert_eq!(expires_in(400 * 86400), "expires in 400 days");
    }
}
