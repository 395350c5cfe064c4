//! Watch mode: the rule's history across checks, and system notifications.

use wasm_bindgen::JsCast;

use super::Checked;
use crate::health::history::{Delta, History};
use crate::ui::Stored;

/// One rule's watch history, in the session's store (`AppCtx::histories`): the panel
/// reads and records there, so there is one copy, whichever panel is open.
#[derive(Clone, Copy)]
pub(super) struct RuleHistory {
    pub(super) all: Stored<Vec<(String, String, History)>>,
    /// The rule id, lower-cased.
    pub(super) key: Stored<String>,
}

impl RuleHistory {
    pub(super) fn with<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        self.key.with_value(|key| {
            self.all.with_value(|all| match all.iter().find(|(k, _, _)| k == key) {
                Some((_, _, h)) => f(h),
                None => f(&History::default()),
            })
        })
    }

    /// Adds a check and says what changed; `None` for a check already recorded (the
    /// list's result, shown again when the panel reopens, is not a new check).
    pub(super) fn record(&self, c: &Checked) -> Option<Delta> {
        let key = self.key.get_value();
        self.all
            .try_update_value(|all| {
                let i = all.iter().position(|(k, _, _)| *k == key).unwrap_or_else(|| {
                    all.push((key.clone(), String::new(), History::default()));
                    all.len() - 1
                });
                let (_, last_iso, h) = &mut all[i];
                if *last_iso == c.iso {
                    return None;
                }
                last_iso.clone_from(&c.iso);
                Some(h.record(&c.at, &c.summary.rows))
            })
            .flatten()
    }
}

/// The browser's Notification API, reached by name: a web-sys feature for one call
/// would cost more than these few lines.
pub(super) fn notification_class() -> Option<js_sys::Function> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"Notification".into()).ok().and_then(|c| c.dyn_into().ok())
}

pub(super) fn notifications_available() -> bool {
    notification_class().is_some()
}

pub(super) fn ask_notification_permission() {
    if let Some(n) = notification_class() {
        if let Ok(ask) = js_sys::Reflect::get(&n, &"requestPermission".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = ask.call0(&n);
        }
    }
}

/// Shows a system notification if the user allowed them; says nothing otherwise (the
/// panel's own status line carries the same sentence).
pub(super) fn notify_user(title: &str, body: &str) {
    let Some(n) = notification_class() else { return };
    let granted = js_sys::Reflect::get(&n, &"permission".into()).ok().and_then(|p| p.as_string()).is_some_and(|p| p == "granted");
    if !granted {
        return;
    }
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"body".into(), &body.into());
    let _ = js_sys::Reflect::construct(&n, &js_sys::Array::of2(&title.into(), &opts));
}

// Whole and tenth seconds by integer arithmetic: float formatting would add ~10 KB of
// wasm for three numbers on screen.
pub(super) fn whole_secs(ms: f64) -> u64 {
    (ms.max(0.0) as u64) / 1000
}

pub(super) fn secs_left(wait_ms: u64, waited_ms: f64) -> u64 {
    wait_ms.saturating_sub(waited_ms.max(0.0) as u64).div_ceil(1000)
}
