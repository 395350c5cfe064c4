//! The reason tooltip: opens on hover and on keyboard focus, closes on Escape, blur or
//! leaving it, stays open while the pointer is over it (WCAG 1.4.13), and is the info
//! button's accessible description, so a screen reader reads it on focus.

use leptos::prelude::*;

use std::sync::Arc;

use super::{attr_flag, attr_owned, listen, reactive, Computed, Slot};
use crate::health::catalog::Reason;

#[component]
pub fn ReasonTip(
    /// Unique in the page: the tooltip's element id.
    id: String,
    /// The info button's accessible name, e.g. "Explain reason for vm-web-3".
    label: String,
    #[prop(into)]
    reason: Arc<Reason>,
    /// Which tooltip is open, shared by the panel so only one is, and so Escape
    /// anywhere in the panel closes it before it closes the panel.
    open_tip: Slot<Option<String>>,
) -> impl IntoView {
    let is_open = {
        let id = id.clone();
        move || open_tip.with(|o| o.as_deref() == Some(id.as_str()))
    };
    let show = {
        let id = id.clone();
        move || open_tip.set(Some(id.clone()))
    };
    let hide = {
        let id = id.clone();
        move || open_tip.update(|o| if o.as_deref() == Some(id.as_str()) { *o = None })
    };
    let (show2, hide2, hide3) = (show.clone(), hide.clone(), hide.clone());
    let is_open2 = is_open.clone();
    // One memo per tooltip, so opening one re-renders that one only.
    let open = Computed::new(is_open);
    // Closed, the tooltip holds its words as one text node; open, as paragraphs and a
    // list. A page of 100 rows keeps about 800 fewer elements, and the info button's
    // description (the tooltip's text) is the same words either way.
    let body = move || match open.get() {
        true => view! {
            <p class="tip-code">{reason.heading()}</p>
            <p class="tip-portal">{reason.portal_text.clone()}</p>
            <p>{reason.explanation.clone()}</p>
            <p class="tip-next">"What to do next:"</p>
            <ul>{reason.next_steps.iter().map(|s| view! { <li>{s.clone()}</li> }.into_inner().into_any()).collect_view()}</ul>
        }
        .into_inner().into_any(),
        false => reason.plain_text().into_any(),
    };
    view! {
        <span class="tip-wrap" {..listen("mouseenter", move |_| show())} {..listen("mouseleave", move |_| hide())}>
            <button type="button" class="info" aria-label={label} {..attr_owned("aria-describedby", id.clone())}
                {..listen("focus", move |_| show2())} {..listen("blur", move |_| hide2())}
                {..listen("keydown", move |ev: web_sys::Event| {
                    let ev: web_sys::KeyboardEvent = wasm_bindgen::JsCast::unchecked_into(ev);
                    if ev.key() == "Escape" && is_open2() {
                        ev.prevent_default();
                        ev.stop_propagation();
                        hide3();
                    }
                })}>
                <span aria-hidden="true">"i"</span>
            </button>
            <div role="tooltip" id={id} class="tooltip" {..attr_flag("hidden", move || !open.get())}>{reactive(body)}</div>
        </span>
    }.into_inner()
}
