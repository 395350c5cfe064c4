//! Entra ID sign-in in the UI: starting the redirect or pop-up round trip, finishing it,
//! keeping the token fresh, and the account menu (tenant switch, sign-out). The logic
//! is in `auth::entra` and `auth::account`; this file wires it to signals and the browser.

use std::rc::Rc;

use leptos::prelude::*;

mod menu;

pub use menu::AccountMenu;

use super::error_view::SignInProblem;
use super::{use_app, AppCtx, Session};
use crate::arm::client::Renewer;
use crate::auth::account::{Account, Renewed};
use crate::auth::browser;
use crate::auth::entra::{accept, renew_after_ms, Callback, Mode, Pending, SignInError, Tokens};

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
    let Some(signin) = ctx.entra.get_value() else {
        return;
    };
    let tenant = tenant.unwrap_or_else(|| signin.settings().tenant.clone());
    let mode = if popup || browser::in_iframe() {
        Mode::Popup
    } else {
        Mode::Redirect
    };
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
            Ok(mut s) => {
                s.url = browser::authorize_url(&s.url);
                s
            }
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
    let Some(signin) = ctx.entra.get_value() else {
        return;
    };
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
    let Some(signin) = ctx.entra.get_value() else {
        return;
    };
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
    ctx.live_client
        .get_value()
        .set_token(Some(tokens.access.clone()));
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
        gloo_timers::future::TimeoutFuture::new(
            renew_after_ms(lifetime_s).min(u32::MAX as u64) as u32
        )
        .await;
        if ctx.renewals.try_get_value() != Some(turn) {
            return;
        }
        let held = ctx.live_client.get_value().token();
        settle(ctx, &account, account.renew(held).await);
    });
}

/// The outcome of a renewal, for both callers (the timer and a 401): the token to
/// use, or `None` after putting up the "sign in again" prompt.
fn settle(
    ctx: AppCtx,
    account: &Rc<Account>,
    outcome: Result<Renewed, SignInError>,
) -> Option<crate::http::Token> {
    let still_ours = ctx
        .account
        .try_with_value(|a| a.as_ref().is_some_and(|a| Rc::ptr_eq(a, account)))
        == Some(true);
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

/// The landing page's sign-in block.
#[component]
pub fn SignInWithMicrosoft() -> impl IntoView {
    let ctx = use_app();
    let framed = browser::in_iframe();
    // The sign-in worker loads while the user reads the page, not after the click.
    ctx.entra.with_value(|s| s.as_ref().map(|s| s.warm()));
    view! {
        <section class="signin" aria-labelledby="entra-heading">
            <h2 id="entra-heading">"Your organisation's account"</h2>
            <p class="actions">
                <button type="button" class="primary" on:click=move |_| start(ctx, None, false)>"Sign in with Microsoft"</button>
                {(!framed).then(|| view! {
                    <button type="button" on:click=move |_| start(ctx, None, true)>"Sign in with a pop-up window"</button>
                })}
            </p>
            {framed.then(|| view! { <p class="muted">"Inside another page, sign-in opens in a pop-up window: Entra ID does not show its pages in a frame."</p> })}
            {ctx.config.with_value(|c| crate::config::shared_pages_origin(&browser::location(), c)).then(|| view! { <p class="note" role="note">{crate::config::SHARED_PAGES_WARNING}</p> })}
            {browser::end_session().map(|url| view! { <p class="note" role="status">"You signed out of LB Health. Your Microsoft account may still be signed in in this browser, so the next sign-in here asks which account to use. On a shared computer, also "<a href=url target=if framed { "_blank" } else { "_self" } rel="noopener">"sign out of Microsoft"</a>"."</p> })}
            {move || match ctx.signin.get() {
                SignInStatus::Idle => ().into_any(),
                SignInStatus::Working => view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Signing in…"</p> }.into_any(),
                SignInStatus::Failed(e) => view! { <SignInProblem error=e/> }.into_any(),
            }}
        </section>
    }
}

/// Non-blocking: renewal failed, the current view stays, one click signs in again.
#[component]
pub fn ReauthPrompt() -> impl IntoView {
    let ctx = use_app();
    move || {
        ctx.reauth.get().map(|e| {
            let code = e.aadsts().map(|c| format!(" ({c})")).unwrap_or_default();
            view! {
                <div class="note reauth" role="status">
                    <p><strong>"Your session could not be renewed"</strong>{code}". What is on screen stays; sign in again to carry on."</p>
                    <button type="button" class="primary" on:click=move |_| start(ctx, None, false)>"Sign in again"</button>
                    <button type="button" on:click=move |_| ctx.reauth.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}

/// The pop-up's own page: hand the answer back, or say why it cannot.
#[component]
pub fn PopupLanding() -> impl IntoView {
    match browser::hand_to_opener() {
        Ok(()) => view! { <main id="main"><p role="status">"Signed in. This window closes by itself."</p></main> }.into_any(),
        Err(e) => view! { <main id="main"><h1>"LB Health sign-in"</h1><SignInProblem error=e/></main> }.into_any(),
    }
}
