//! Keeps the address bar in step with the screen, the open panel and the table's
//! filters, so a copied link reopens the same view and Back/Forward work.

#[cfg(target_arch = "wasm32")]
use leptos::prelude::*;

#[cfg(target_arch = "wasm32")]
use super::link::{self, Link};
#[cfg(target_arch = "wasm32")]
use super::{AppCtx, Screen};

/// The link the page was opened with, and what of it was dropped.
#[cfg(target_arch = "wasm32")]
pub fn current() -> (Link, Vec<String>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    link::parse(&search)
}

#[cfg(target_arch = "wasm32")]
fn link_of(ctx: &AppCtx) -> Link {
    let (sub, lb) = match ctx.screen.get() {
        Screen::Subscriptions | Screen::Estate => (None, None),
        Screen::LoadBalancers { sub, .. } => (Some(sub), None),
        Screen::Rules { lb, .. } => (None, Some(lb)),
    };
    let rule = if lb.is_some() { ctx.panel.get() } else { None };
    Link {
        sub,
        lb,
        rule,
        view: ctx.view.get(),
        embed: ctx.embed,
        estate: ctx.screen.with(|s| *s == Screen::Estate),
    }
}

#[cfg(target_arch = "wasm32")]
pub fn sync(ctx: AppCtx) {
    // A new screen or panel is a history entry; a filter keystroke replaces the entry.
    let last_place = StoredValue::new(None::<(Screen, Option<String>)>);
    Effect::new(move |_| {
        let link = link_of(&ctx);
        let query = link::to_query(&link);
        let Some(window) = web_sys::window() else {
            return;
        };
        let path = window.location().pathname().unwrap_or_default();
        if window.location().search().unwrap_or_default() == query {
            last_place.set_value(Some((
                ctx.screen.get_untracked(),
                ctx.panel.get_untracked(),
            )));
            return;
        }
        let Ok(history) = window.history() else {
            return;
        };
        let place = Some((ctx.screen.get_untracked(), ctx.panel.get_untracked()));
        let url = format!("{path}{query}");
        let result = if last_place.get_value().is_some() && last_place.get_value() != place {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
        let _ = result;
        last_place.set_value(place);
    });
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let (link, _) = current();
        let screen = Screen::from_link(&link, ctx.is_demo());
        if ctx.screen.get_untracked() != screen {
            ctx.screen.set(screen);
        }
        if ctx.panel.get_untracked() != link.rule {
            ctx.panel.set(link.rule);
        }
        if ctx.view.get_untracked() != link.view {
            ctx.view.set(link.view);
        }
    });
}

/// The same view without `embed=1`, for the embed's "Open full app" link.
pub fn full_app_href() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        link::full_app_href(&crate::auth::browser::app_url(), &current().0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    String::from("./")
}
