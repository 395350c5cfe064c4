//! The browser's part of sign-in: session storage for the redirect round trip, the
//! address bar, and the pop-up hand-off. Only compiled for wasm32.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::entra::{
    end_session_url, parse_callback, select_account, strip_callback, Callback, Pending, Settings,
    SignInError,
};

/// The one session-storage key, removed as soon as the answer is back.
const PENDING_KEY: &str = "lbh.signin";
/// Prefix of the pop-up's message, so other messages to this window are ignored.
const MESSAGE_MARK: &str = "lbh-signin:";
/// A pop-up left open this long is given up on.
const POPUP_PATIENCE_MS: u32 = 10 * 60 * 1000;

thread_local! {
    /// Set by signing out of an Entra account, in this page's memory: Entra's end-session
    /// address for it (empty when the tenant cannot form one). Cleared by the next sign-in.
    static SIGNED_OUT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// Entra refuses to be framed, so inside an iframe only the pop-up works.
pub fn in_iframe() -> bool {
    let w = window();
    match w.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &w),
        // A top we may not even see is certainly not us.
        _ => true,
    }
}

pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The app's own address without query or fragment: the default redirect URI. The base
/// URL (Trunk's public URL) rather than the path, so a deep link or `index.html` still
/// matches the registered URI.
pub fn app_url() -> String {
    let doc_base = window()
        .document()
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    doc_base.split(['?', '#']).next().unwrap_or("").to_owned()
}

/// The page's whole address, for `config::shared_pages_origin`.
pub fn location() -> String {
    window().location().href().unwrap_or_default()
}

/// Sign-out forgot the tokens, but the browser's Entra session lives on, and the next
/// "Sign in with Microsoft" on this computer would sign in silently as the same person.
/// So: remember where Entra ends that session (the landing page offers it), and make the
/// next sign-in ask for the account.
pub fn remember_sign_out(settings: &Settings, tenant: &str) {
    let url = end_session_url(settings, tenant).unwrap_or_default();
    SIGNED_OUT.with(|s| *s.borrow_mut() = Some(url));
}

/// Entra's end-session address, after a sign-out from an Entra account in this page.
pub fn end_session() -> Option<String> {
    SIGNED_OUT
        .with(|s| s.borrow().clone())
        .filter(|u| !u.is_empty())
}

/// The authorize URL to go to: after a sign-out, with Entra's account picker.
pub fn authorize_url(url: &str) -> String {
    match SIGNED_OUT.with(|s| s.borrow().is_some()) {
        true => select_account(url),
        false => url.to_owned(),
    }
}

/// Signed in again: the next sign-in may be silent.
pub fn forget_sign_out() {
    SIGNED_OUT.with(|s| s.borrow_mut().take());
}

/// Path and query: where to come back to after a redirect sign-in.
pub fn here() -> String {
    let l = window().location();
    format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    )
}

/// Entra's answer in the address bar, if this page load is one.
pub fn callback() -> Option<Callback> {
    parse_callback(&window().location().search().ok()?)
}

/// Takes the code and state out of the address bar (and history), so a reload or a
/// shared link never carries them; `to` replaces the whole path and query when known.
pub fn clean_address(to: Option<&str>) {
    let l = window().location();
    let target = match to {
        Some(t) if t.starts_with('/') && !t.starts_with("//") => t.to_owned(),
        _ => format!(
            "{}{}",
            l.pathname().unwrap_or_default(),
            strip_callback(&l.search().unwrap_or_default())
        ),
    };
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&target));
    }
}

fn storage() -> Result<web_sys::Storage, SignInError> {
    // Throws, or is null, when the browser blocks storage (a third-party iframe with
    // storage partitioning turned strict, or a privacy setting).
    window()
        .session_storage()
        .ok()
        .flatten()
        .ok_or(SignInError::Storage)
}

pub fn save_pending(p: &Pending) -> Result<(), SignInError> {
    storage()?
        .set_item(PENDING_KEY, &super::worker::encode(p))
        .map_err(|_| SignInError::Storage)
}

/// Reads and removes the pending sign-in: it is good for one answer only.
pub fn take_pending() -> Option<Pending> {
    let s = storage().ok()?;
    let json = s.get_item(PENDING_KEY).ok().flatten();
    let _ = s.remove_item(PENDING_KEY);
    super::worker::decode(&json?)
}

/// Sign-out: nothing of ours stays in this tab's session storage.
pub fn clear_storage() {
    if let Ok(s) = storage() {
        let _ = s.clear();
    }
}

pub fn go(url: &str) {
    let _ = window().location().assign(url);
}

/// In the pop-up: hands Entra's answer (code and state, never a token) to the page that
/// opened it, on our own origin only, then closes.
pub fn hand_to_opener() -> Result<(), SignInError> {
    let w = window();
    let opener = w
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined())
        .ok_or(SignInError::OpenerLost)?;
    let opener: web_sys::Window = opener.unchecked_into();
    let search = w.location().search().unwrap_or_default();
    opener
        .post_message(
            &JsValue::from_str(&format!("{MESSAGE_MARK}{search}")),
            &origin(),
        )
        .map_err(|_| SignInError::OpenerLost)?;
    let _ = w.close();
    Ok(())
}

/// Opens the sign-in pop-up, blank: Entra's address comes from the sign-in worker a
/// moment later (`send_popup`). Must run in the click handler itself, or the browser
/// blocks the pop-up.
pub fn open_popup() -> Result<web_sys::Window, SignInError> {
    window()
        .open_with_url_and_target_and_features(
            "about:blank",
            "lbh-signin",
            "popup,width=520,height=680",
        )
        .ok()
        .flatten()
        .ok_or(SignInError::PopupBlocked)
}

/// Sends the open pop-up to `url`; it is still ours (about:blank) until then.
pub fn send_popup(popup: &web_sys::Window, url: &str) -> Result<(), SignInError> {
    popup
        .location()
        .set_href(url)
        .map_err(|_| SignInError::PopupClosed)
}

/// The pop-up's answer, accepted only from that pop-up and from our own origin.
pub async fn popup_answer(popup: web_sys::Window) -> Result<Callback, SignInError> {
    let got: Rc<RefCell<Option<String>>> = Rc::default();
    let sink = got.clone();
    let expected = popup.clone();
    let own = origin();
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let from_popup = ev
                .source()
                .is_some_and(|s| js_sys::Object::is(&s, &expected));
            if ev.origin() != own || !from_popup {
                return;
            }
            if let Some(text) = ev
                .data()
                .as_string()
                .and_then(|t| t.strip_prefix(MESSAGE_MARK).map(str::to_owned))
            {
                *sink.borrow_mut() = Some(text);
            }
        });
    let w = window();
    let _ = w.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    let mut waited = 0;
    let outcome = loop {
        if let Some(query) = got.borrow_mut().take() {
            break parse_callback(&query).ok_or(SignInError::PopupClosed);
        }
        // After the browser cuts the link (Cross-Origin-Opener-Policy), the handle
        // reports the pop-up as closed even while it is still on screen.
        if popup.closed().unwrap_or(true) || waited >= POPUP_PATIENCE_MS {
            // A message posted just before closing is delivered after this tick.
            gloo_timers::future::TimeoutFuture::new(100).await;
            match got.borrow_mut().take() {
                Some(query) => break parse_callback(&query).ok_or(SignInError::PopupClosed),
                None => break Err(SignInError::PopupClosed),
            }
        }
        gloo_timers::future::TimeoutFuture::new(250).await;
        waited += 250;
    };
    let _ = w.remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    outcome
}
