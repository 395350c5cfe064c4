//! The reason tooltip: opens on hover and on keyboard focus, closes on Escape, blur or
//! leaving it, stays open while the pointer is over it (WCAG 1.4.13), and is the info
//! button's accessible description, so a screen reader reads it on focus.

use std::sync::Arc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::health::catalog::Reason;

/// Which reason tooltip is open: one choice per panel (`open`), so only one is and Escape
/// anywhere in the panel closes it first. A table's tooltips read it through `seen`, a
/// memo made with the table: reactive_graph keeps a dropped subscriber in a live signal's
/// list until the signal goes, so a hundred tooltips replaced at each watch-mode check
/// would otherwise pile up in the panel's signal (the bench's watch soak found it).
#[derive(Clone, Copy)]
pub struct Tips {
    open: RwSignal<Option<String>>,
    seen: Memo<Option<String>>,
}

impl Tips {
    /// Call from the component that owns the table, so `seen` goes with it.
    pub fn for_table(open: RwSignal<Option<String>>) -> Tips {
        Tips {
            open,
            seen: Memo::new(move |_| open.get()),
        }
    }
}

#[component]
pub fn ReasonTip(
    /// Unique in the page: the tooltip's element id.
    id: String,
    /// The info button's accessible name, e.g. "Explain reason for vm-web-3".
    label: String,
    #[prop(into)] reason: Arc<Reason>,
    /// Which tooltip is open (see [`Tips`]).
    open_tip: Tips,
) -> impl IntoView {
    let key = StoredValue::new(id.clone());
    // One memo per tooltip, so opening one re-renders that one only.
    let open = Memo::new(move |_| {
        key.with_value(|id| open_tip.seen.with(|o| o.as_deref() == Some(id.as_str())))
    });
    let show = move || open_tip.open.set(Some(key.get_value()));
    let hide = move || {
        if open.get_untracked() {
            open_tip.open.set(None);
        }
    };
    // Closed, the tooltip holds its words as one text node; open, as paragraphs and a
    // list. A page of 100 rows keeps about 800 fewer elements, and the info button's
    // description (the tooltip's text) is the same words either way.
    let body = move || {
        if open.get() {
            view! {
                <p class="tip-code">{reason.heading()}</p>
                <p class="tip-portal">{reason.portal_text.clone()}</p>
                <p>{reason.explanation.clone()}</p>
                <p class="tip-next">"What to do next:"</p>
                <ul>{reason.next_steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
            }
            .into_any()
        } else {
            reason.plain_text().into_any()
        }
    };
    view! {
        <span class="tip-wrap" on:mouseenter=move |_| show() on:mouseleave=move |_| hide()>
            <button
                type="button"
                class="info"
                aria-label=label
                aria-describedby=id.clone()
                on:focus=move |_| show()
                on:blur=move |_| hide()
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Escape" && open.get_untracked() {
                        ev.prevent_default();
                        ev.stop_propagation();
                        hide();
                    }
                }
            >
                <span aria-hidden="true">"i"</span>
            </button>
            <div role="tooltip" id=id class="tooltip" hidden=move || !open.get()>
                {body}
            </div>
        </span>
    }
}
