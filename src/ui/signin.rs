//! The landing page of a live deployment (sign in with Microsoft, paste a token, or
//! the demo) and the header's account chip. Pasted text is parsed in `auth::paste`,
//! handed to the client, and cleared from the page.

use leptos::prelude::*;

use super::account::{now_unix, AccountMenu, SignInWithMicrosoft};
use super::load::Data;
use super::{attr, listen, reactive, use_app, Call, Session, Slot};
use crate::auth::paste::{parse, Pasted, Warning};


#[component]
pub fn SignIn() -> impl IntoView {
    let ctx = use_app();
    view! {
        <h1>"Sign in to Azure"</h1>
        <p>"LB Health calls Azure Resource Manager from this page with your token. The token stays in this tab's memory: it is never stored, put in a link or sent anywhere but Azure Resource Manager."</p>
        {match ctx.entra.with_value(Option::is_some) {
            true => view! { <SignInWithMicrosoft/> }.into_inner().into_any(),
            false => view! {
                <p class="note">"Sign-in with Microsoft is not set up for this deployment: its config.json names no clientId. "
                    <a href="README.md#sign-in-with-microsoft-entra-id" target="_blank" rel="noopener">"The set-up steps"</a>
                    " take a few minutes in the Azure portal. Meanwhile, paste a token or open the demo."</p>
            }.into_inner().into_any(),
        }}
        <h2>"Paste a token"</h2>
        <TokenPaste/>
        <p>"No Azure account at hand? "
            <button type="button" class="linklike" {..listen("click", move |_| ctx.use_demo())}>"Open the demo estate"</button>
        </p>
    }.into_inner()
}

#[component]
pub fn TokenPaste(#[prop(optional, into)] on_done: Option<Call<()>>) -> impl IntoView {
    let ctx = use_app();
    let text = Slot::new(String::new());
    let problem = Slot::new(None::<String>);
    let pending = Data::<(Pasted, Vec<String>)>::new();
    let cloud = ctx.config.with_value(|c| c.cloud);
    let resource = cloud.arm_audiences()[0];
    let accept = move |p: Pasted| {
        text.set(String::new());
        pending.set(None);
        ctx.use_token(p);
        if let Some(cb) = on_done {
            cb.run(());
        }
    };
    let submit = move || {
        if let Some(Ok((p, _))) = pending.get_untracked() {
            return accept(p);
        }
        match parse(&text.get_untracked(), now_unix(), cloud.arm_audiences()) {
            Err(e) => problem.set(Some(e.to_string())),
            Ok(p) if p.warnings.iter().any(|w| *w != Warning::Opaque) => {
                let words = p
                    .warnings
                    .iter()
                    .filter_map(|w| match w {
                        Warning::Expired => Some("This token has expired: Azure will refuse it.".to_owned()),
                        Warning::NotForArm(aud) => Some(format!("This token is for {aud}, not Azure Resource Manager: Azure will refuse it. Get one with --resource {resource}.")),
                        Warning::Opaque => None,
                    })
                    .collect();
                problem.set(None);
                pending.set(Some(Ok((p, words))));
            }
            Ok(p) => {
                problem.set(None);
                accept(p);
            }
        }
    };
    view! {
        <form class="paste" {..listen("submit", move |ev: web_sys::Event| { ev.prevent_default(); submit(); })}>
            <label for="token-input">"Access token for Azure Resource Manager"</label>
            <p class="muted" id="token-help">
                "Paste a token, or the JSON of "<code>{format!("az account get-access-token --resource {resource}")}</code>
                ", or the output of "<code>"Get-AzAccessToken"</code>"."
            </p>
            <textarea id="token-input" {..attr("rows", "3")} {..attr("spellcheck", "false")} {..attr("autocomplete", "off")} {..attr("aria-describedby", "token-help")}
                prop:value=move || wasm_bindgen::JsValue::from(text.get())
                {..listen("input", move |ev| { text.set(event_target_value(&ev)); pending.set(None); problem.set(None); })}></textarea>
            {super::reactive_opt(move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> }.into_inner().into_any()))}
            {super::reactive_opt(move || pending.get().and_then(Result::ok).map(|(_, words)| view! {
                <div class="note" role="alert">{words.into_iter().map(|w| view! { <p>{w}</p> }.into_inner().into_any()).collect_view()}</div>
            }.into_inner().into_any()))}
            <button type="submit" class="primary">{super::reactive_any(move || if pending.get().is_some() { "Use this token anyway".to_owned() } else { "Use this token".to_owned() })}</button>
        </form>
    }.into_inner()
}

#[component]
pub fn AccountChip() -> impl IntoView {
    let ctx = use_app();
    reactive(move || match ctx.session.get() {
        Session::Demo => view! {
            <span class="badge" title="Simulated data: no Azure account is used">"Demo estate"</span>
            <button type="button" class="chip-action" {..listen("click", move |_| ctx.sign_out())}>"Use live Azure"</button>
        }
        .into_inner().into_any(),
        Session::Live { claims } => view! { <AccountMenu claims=claims/> }.into_inner().into_any(),
        Session::SignedOut => view! {
            <button type="button" class="chip-action" {..listen("click", move |_| ctx.use_demo())}>"Open the demo estate"</button>
        }
        .into_inner().into_any(),
    })
}
