//! The landing page of a live deployment (sign in with Microsoft, paste a token, or
//! the demo) and the header's account chip. Pasted text is parsed in `auth::paste`,
//! handed to the client, and cleared from the page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::account::{now_unix, AccountMenu, SignInWithMicrosoft};
use super::{use_app, Session};
use crate::auth::paste::{parse, PasteError, Pasted, Warning};

#[component]
pub fn SignIn() -> impl IntoView {
    let ctx = use_app();
    let entra = ctx.entra.with_value(Option::is_some);
    view! {
        <h1>"Sign in to Azure"</h1>
        <p>"LB Health calls Azure Resource Manager from this page with your token. The token stays in this tab's memory: it is never stored, put in a link or sent anywhere but Azure Resource Manager."</p>
        <Show when=move || entra fallback=NoClientId>
            <SignInWithMicrosoft/>
        </Show>
        <h2>"Paste a token"</h2>
        <TokenPaste/>
        <p>"No Azure account at hand? "
            <button type="button" class="linklike" on:click=move |_| ctx.use_demo()>"Open the demo estate"</button>
        </p>
    }
}

#[component]
fn NoClientId() -> impl IntoView {
    view! {
        <p class="note">"Sign-in with Microsoft is not set up for this deployment: its config.json names no clientId. "
            <a href="README.md#sign-in-with-microsoft-entra-id" target="_blank" rel="noopener">"The set-up steps"</a>
            " take a few minutes in the Azure portal. Meanwhile, paste a token or open the demo."</p>
    }
}

/// What the parser's warnings mean for the user, with the way to a usable token.
fn warning_words(warnings: &[Warning], resource: &str) -> Vec<String> {
    warnings
        .iter()
        .filter_map(|w| match w {
            Warning::Expired => Some("This token has expired: Azure will refuse it.".to_owned()),
            Warning::NotForArm(aud) => Some(format!("This token is for {aud}, not Azure Resource Manager: Azure will refuse it. Get one with --resource {resource}.")),
            Warning::Opaque => None,
        })
        .collect()
}

/// The token reader's code could not be fetched (see `read_token`).
const UNREADABLE: &str =
    "The part of LB Health that reads tokens could not be downloaded. Check the network connection, then press Use this token again.";

// Reading a pasted token (JSON, JWT claims) is a wasm part of its own in the page's
// release build, fetched on the first paste: most visits sign in or open the demo. See
// `rules::health_panel` for why this is `wasm_split` with `fallible`, not `#[lazy]`.
#[cfg(lbh_split)]
#[leptos::wasm_split::wasm_split(paste_token, fallible, wasm_split_path = ::leptos::wasm_split)]
fn read_token(
    input: String,
    now: i64,
    audiences: &'static [&'static str],
) -> Result<Result<Pasted, PasteError>, leptos::wasm_split::SplitLoaderError> {
    Ok(parse(&input, now, audiences))
}

#[cfg(not(lbh_split))]
async fn read_token(
    input: String,
    now: i64,
    audiences: &'static [&'static str],
) -> Result<Result<Pasted, PasteError>, leptos::wasm_split::SplitLoaderError> {
    Ok(parse(&input, now, audiences))
}

/// The paste box. A token with warnings is held, and the warnings shown, until a
/// second submit uses it anyway.
#[component]
pub fn TokenPaste(#[prop(optional, into)] on_done: Option<Callback<()>>) -> impl IntoView {
    let ctx = use_app();
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let held = RwSignal::new(None::<(Pasted, Vec<String>)>);
    let cloud = ctx.config.with_value(|c| c.cloud);
    let resource = cloud.arm_audiences()[0];
    let accept = move |p: Pasted| {
        text.set(String::new());
        held.set(None);
        ctx.use_token(p);
        if let Some(cb) = on_done {
            cb.run(());
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some((p, _)) = held.get_untracked() {
            return accept(p);
        }
        let input = text.get_untracked();
        spawn_local(async move {
            match read_token(input, now_unix(), cloud.arm_audiences()).await {
                Err(_) => problem.set(Some(UNREADABLE.to_owned())),
                Ok(Err(e)) => problem.set(Some(e.to_string())),
                Ok(Ok(p)) if p.warnings.iter().any(|w| *w != Warning::Opaque) => {
                    let words = warning_words(&p.warnings, resource);
                    problem.set(None);
                    held.set(Some((p, words)));
                }
                Ok(Ok(p)) => {
                    problem.set(None);
                    accept(p);
                }
            }
        });
    };
    view! {
        <form class="paste" on:submit=submit>
            <label for="token-input">"Access token for Azure Resource Manager"</label>
            <p class="muted" id="token-help">
                "Paste a token, or the JSON of "<code>{format!("az account get-access-token --resource {resource}")}</code>
                ", or the output of "<code>"Get-AzAccessToken"</code>"."
            </p>
            <textarea id="token-input" rows="3" spellcheck="false" autocomplete="off" aria-describedby="token-help"
                prop:value=text
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    held.set(None);
                    problem.set(None);
                }></textarea>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {move || held.get().map(|(_, words)| view! {
                <div class="note" role="alert">{words.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}</div>
            })}
            <button type="submit" class="primary">
                {move || if held.with(Option::is_some) { "Use this token anyway" } else { "Use this token" }}
            </button>
        </form>
    }
}

#[component]
pub fn AccountChip() -> impl IntoView {
    let ctx = use_app();
    move || {
        match ctx.session.get() {
        Session::Demo => view! {
            <span class="badge" title="Simulated data: no Azure account is used">"Demo estate"</span>
            <button type="button" class="chip-action" on:click=move |_| ctx.sign_out()>"Use live Azure"</button>
        }
        .into_any(),
        Session::Live { claims } => view! { <AccountMenu claims=claims/> }.into_any(),
        Session::SignedOut => view! {
            <button type="button" class="chip-action" on:click=move |_| ctx.use_demo()>"Open the demo estate"</button>
        }
        .into_any(),
    }
    }
}
