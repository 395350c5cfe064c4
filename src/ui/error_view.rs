//! The one place an error becomes words: an `ArmError` or a `SignInError`, what
//! happened, what to do next, and the raw identifiers support asks for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use super::account;
use super::signin::TokenPaste;
use crate::arm::error::{ArmError, ErrorKind};
use crate::auth::entra::{Denied, SignInError};

pub fn headline(e: &ArmError) -> (&'static str, String) {
    match &e.kind {
        ErrorKind::Unauthorized { expired: true } => ("Your sign-in has expired", "Sign in again (or paste a fresh token); you will stay on this page.".into()),
        ErrorKind::Unauthorized { expired: false } => ("Azure did not accept the token", "Sign in again, or paste a token issued for Azure Resource Manager.".into()),
        ErrorKind::Forbidden { action: Some(a) } => ("You don't have permission", format!("Your account lacks the action {a}. Ask an owner of the resource for a role that includes it (for example Network Contributor, or a custom role with that action).")),
        ErrorKind::Forbidden { action: None } => ("You don't have permission", "Ask an owner of the resource for a role that can read load balancers and run their health action.".into()),
        ErrorKind::NotFound => ("Not found", "The resource may have been deleted or moved. Go back and pick it again.".into()),
        ErrorKind::Conflict => ("Azure reported a conflict", "Another operation is changing this resource. Wait a moment and retry.".into()),
        ErrorKind::Throttled => ("Azure is throttling requests", match e.retry_after_s {
            // The client waits out pauses itself (lro); a 429 reaches here only once the
            // operation's deadline is spent, so the way forward is a later retry.
            Some(s) => format!("LB Health waited and tried again until its deadline, and Azure still asked for a pause, of {s} s in its last answer (Retry-After). Retry after that pause."),
            None => "LB Health waited and tried again until its deadline, and Azure still refused. Wait a minute, then retry.".into(),
        }),
        ErrorKind::Server => ("Azure had a server error", "This is usually temporary. Retry in a minute; if it persists, check Azure Service Health.".into()),
        ErrorKind::Rejected => ("Azure rejected the request", "Read Azure's message below; it names what to change.".into()),
        ErrorKind::Network => ("Azure could not be reached", "Check your network connection or VPN, then retry. A browser extension or proxy blocking the request has the same effect.".into()),
        ErrorKind::Redirected => ("Azure's address answered with a redirect", "LB Health does not follow redirects, so your token was not sent on. Azure Resource Manager never redirects: a proxy at the configured armEndpoint did. Check the proxy's configuration.".into()),
        ErrorKind::Worker => ("The demo estate did not start", "The demo runs in a script of its own, demo-worker.js with demo-worker_bg.wasm next to index.html, which did not load or stopped. Retry; if it repeats, reload the page, and check that the deployment includes both files and that its Content-Security-Policy keeps worker-src blob:.".into()),
        ErrorKind::Malformed => ("Azure's answer could not be read", "The answer was cut off or not in the expected shape. Retry; if it repeats, report it with the request id below.".into()),
        ErrorKind::HtmlPage => ("A web page came back instead of Azure's answer", "A proxy, firewall or captive portal answered in Azure's place. Check your network, then retry.".into()),
        ErrorKind::LocationMissing => ("The operation's status URL could not be read", "Azure accepted the request, but the browser could not read its Location header (a CORS exposure problem). Set armEndpoint in config.json to a same-origin reverse proxy; see the README.".into()),
        ErrorKind::LocationUnusable => ("The operation's status URL is not usable", "Azure accepted the request, but its Location header is not an absolute URL, so LB Health did not guess where to send your token. A proxy between you and Azure may be rewriting it; report this with the details below.".into()),
        ErrorKind::ForeignHost { .. } => ("Refused to follow a link to another host", "Azure named a URL outside the configured ARM endpoint, so the request was not sent and your token stayed here. Report this with the details below.".into()),
        ErrorKind::Timeout => ("Azure took too long", "The health operation did not finish in time. It may still be running: retry to ask again.".into()),
        ErrorKind::Cancelled => ("Cancelled", "Nothing more was sent.".into()),
    }
}

/// An ARM failure in words, with the way forward: Retry, or signing in again when the
/// token is what failed.
#[component]
pub fn ErrorView(
    error: ArmError,
    #[prop(optional, into)] retry: Option<Callback<()>>,
) -> impl IntoView {
    let (title, next) = headline(&error);
    let ctx = use_context::<super::AppCtx>();
    let live = ctx.is_some_and(|c| !c.is_demo());
    let reauth = live && matches!(error.kind, ErrorKind::Unauthorized { .. });
    // Signed in with Entra: one click signs in again (a redirect comes back to this page).
    let sign_in = ctx.filter(|c| reauth && c.entra.with_value(Option::is_some));
    let details = [
        error.status.map(|s| format!("HTTP status: {s}")),
        error.code.clone().map(|c| format!("Error code: {c}")),
        Some(format!(
            "Request id: {}",
            error
                .request_id
                .clone()
                .unwrap_or_else(|| "not available".into())
        )),
        error
            .correlation_id
            .clone()
            .map(|c| format!("Correlation id: {c}")),
    ];
    view! {
        <div class="error" role="alert">
            <p class="error-title"><span aria-hidden="true">"⚠ "</span>{title}</p>
            <p>{next}</p>
            <p class="error-message">{error.message}</p>
            <ul class="error-details">{details.into_iter().flatten().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
            {sign_in.map(|ctx| view! {
                <button type="button" class="primary" on:click=move |_| account::start(ctx, None, false)>"Sign in again"</button>
            })}
            {reauth.then(|| view! {
                <p>{if sign_in.is_some() { "Or paste a fresh token to carry on from here:" } else { "Paste a fresh token to carry on from here:" }}</p>
                <TokenPaste on_done=move |()| { if let Some(r) = retry { r.run(()) } }/>
            })}
            {retry.filter(|_| !reauth).map(|r| view! {
                <button type="button" class="primary" on:click=move |_| r.run(())>"Retry"</button>
            })}
        </div>
    }
}

/// What to tell the user about a failed sign-in: a title and the way forward.
fn sign_in_words(e: &SignInError) -> (&'static str, String) {
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
        SignInError::Network(m)
        | SignInError::Unexpected(m)
        | SignInError::Settings(m)
        | SignInError::Worker(m) => vec![m.clone()],
        _ => Vec::new(),
    }
}

/// A sign-in problem, with a way forward.
#[component]
pub fn SignInProblem(error: SignInError) -> impl IntoView {
    let (title, next) = sign_in_words(&error);
    let new_tab = matches!(
        error,
        SignInError::PopupBlocked | SignInError::PopupClosed | SignInError::Storage
    );
    view! {
        <div class="error" role="alert">
            <p class="error-title"><span aria-hidden="true">"⚠ "</span>{title}</p>
            <p>{next}</p>
            <ul class="error-details">{details(&error).into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
            {new_tab.then(|| view! { <a href=super::url::full_app_href() target="_blank" rel="noopener">"Open LB Health in a new tab"</a> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_names_the_pause_azure_asked_for() {
        let mut e = ArmError::new(ErrorKind::Throttled, "Too many requests");
        e.retry_after_s = Some(17);
        let (title, next) = headline(&e);
        assert_eq!(title, "Azure is throttling requests");
        assert!(next.contains("a pause, of 17 s"), "{next}");
        e.retry_after_s = None;
        assert!(
            headline(&e).1.contains("Wait a minute"),
            "{}",
            headline(&e).1
        );
    }
}

/// How a part of the page's wasm is fetched and drawn (a split point's function).
pub type PartLoader = Arc<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<AnyView, SplitLoaderError>> + Send>>
        + Send
        + Sync,
>;

/// A part of the page's wasm (xtask/src/split.rs) drawn once `load` has fetched it; a
/// failed download is said, with Try again, in its place. One non-generic component for
/// every part, so the page carries this code once.
#[component]
pub fn LazyPart(what: &'static str, load: PartLoader) -> impl IntoView {
    let retry = Trigger::new();
    move || {
        retry.track();
        let load = load.clone();
        Suspend::new(async move {
            match load().await {
                Ok(view) => {
                    // For the demo offline: the service worker may not have seen this fetch.
                    crate::http::offline::keep_loaded();
                    view
                }
                Err(_) => view! { <PartUnavailable what=what retry=retry/> }.into_any(),
            }
        })
    }
}

/// A part of the page's wasm fetched on first use (xtask/src/split.rs) could not be
/// downloaded: offline, or the host lost the file. `what` names it ("The health panel").
#[component]
pub fn PartUnavailable(
    what: &'static str,
    retry: Trigger,
    #[prop(optional)] on_close: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <p class="error-title">{what}" could not be downloaded"</p>
            <p>"Check the network connection, then try again. What is already on screen keeps working."</p>
            <button type="button" on:click=move |_| retry.notify()>"Try again"</button>
            {on_close.map(|close| view! {
                " "
                <button type="button" on:click=move |_| close.run(())>"Close"</button>
            })}
        </div>
    }
}
