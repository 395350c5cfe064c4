//! Watch mode: while the panel is open and the tab visible, the rule is checked again on
//! an interval; every result goes into the rule's history, which marks what changed
//! and can say so in a system notification.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Checked;
use crate::arm::metrics::parse_time;
use crate::health::history::{watch_due, Delta, History, WATCH_CHOICES};
use crate::ui::{use_app, AppCtx};

/// One rule's watch history, in the session's store (`AppCtx::histories`, kept while
/// the session lasts so a reopened panel goes on where it left off): the panel reads
/// and records there, so there is one copy, whichever panel is open.
#[derive(Clone, Copy)]
pub(super) struct RuleHistory {
    ctx: AppCtx,
    /// The rule id, lower-cased.
    key: StoredValue<String>,
}

impl RuleHistory {
    pub(super) fn with<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        self.key.with_value(|key| {
            self.ctx
                .histories
                .with_value(|all| match all.iter().find(|(k, _, _)| k == key) {
                    Some((_, _, h)) => f(h),
                    None => f(&History::default()),
                })
        })
    }

    /// Adds a check and says what changed; `None` for a check already recorded (the
    /// list's result, shown again when the panel reopens, is not a new check).
    fn record(&self, c: &Checked) -> Option<Delta> {
        let key = self.key.get_value();
        self.ctx
            .histories
            .try_update_value(|all| {
                let i = all
                    .iter()
                    .position(|(k, _, _)| *k == key)
                    .unwrap_or_else(|| {
                        all.push((key.clone(), String::new(), History::default()));
                        all.len() - 1
                    });
                let (_, last_iso, h) = &mut all[i];
                if *last_iso == c.iso {
                    return None;
                }
                last_iso.clone_from(&c.iso);
                // The check's time lets probe history carry on past Azure's latest point.
                Some(match parse_time(&c.iso) {
                    Some(at_s) => h.record_at(&c.at, at_s, &c.summary.rows),
                    None => h.record(&c.at, &c.summary.rows),
                })
            })
            .flatten()
    }
}

/// Watch mode's state for one open panel.
#[derive(Clone, Copy)]
pub(super) struct Watch {
    pub(super) history: RuleHistory,
    /// The interval in seconds; 0: off.
    every: RwSignal<usize>,
    hidden: RwSignal<bool>,
    /// When the last check answered (or watch mode was turned on), on the client's clock.
    last_answer: RwSignal<f64>,
    notify: RwSignal<bool>,
    /// The last check's changes, as the sentence shown.
    changes: RwSignal<Option<String>>,
    rule_name: StoredValue<String>,
}

impl Watch {
    pub(super) fn new(rule_key: String, rule_name: String) -> Self {
        Watch {
            history: RuleHistory {
                ctx: use_app(),
                key: StoredValue::new(rule_key),
            },
            every: RwSignal::new(0),
            hidden: RwSignal::new(false),
            last_answer: RwSignal::new(0.0),
            notify: RwSignal::new(false),
            changes: RwSignal::new(None),
            rule_name: StoredValue::new(rule_name),
        }
    }

    /// Records a check's result (a second showing of one already recorded changes
    /// nothing) and tells the user what went Down, if they asked.
    pub(super) fn record(&self, c: &Checked, now_ms: f64) {
        let Some(d) = self.history.record(c) else {
            return;
        };
        let line = d.sentence();
        if self.notify.get_untracked() && !d.went_down.is_empty() {
            if let Some(line) = &line {
                notify_user(&format!("LB Health: {}", self.rule_name.get_value()), line);
            }
        }
        self.changes.set(line);
        self.last_answer.set(now_ms);
    }

    /// A check that failed still counts as an answer: the next one waits the interval.
    pub(super) fn answered(&self, now_ms: f64) {
        self.last_answer.set(now_ms);
    }

    /// Called once a second: notes whether the tab is hidden, and says whether a check
    /// is due. `None` once the panel is gone.
    pub(super) fn tick(&self, now_ms: f64, busy: bool) -> Option<bool> {
        let is_hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        self.hidden.try_set(is_hidden);
        let every = self.every.try_get_untracked()?;
        let since = self.last_answer.try_get_untracked()?;
        Some(watch_due(every, busy, is_hidden, now_ms - since))
    }
}

/// The "Auto-refresh" choice in the panel's toolbar.
#[component]
pub(super) fn AutoRefresh(watch: Watch) -> impl IntoView {
    let ctx = use_app();
    view! {
        <label class="watch">
            "Auto-refresh "
            <select on:change=move |ev| {
                watch.every.set(event_target_value(&ev).parse().unwrap_or(0));
                // Count the interval from now, not from the last answer.
                watch.last_answer.set(ctx.client().now_ms());
            }>
                {WATCH_CHOICES
                    .iter()
                    .map(|&(every, label)| {
                        view! {
                            <option value=every.to_string() selected=move || watch.every.get() == every>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// What watch mode is doing, and the notification opt-in; shown while it is on.
#[component]
pub(super) fn WatchStatus(watch: Watch, busy: Memo<bool>, now: RwSignal<f64>) -> impl IntoView {
    let line = move || match (watch.hidden.get(), busy.get()) {
        (true, _) => "Watching: paused while this tab is hidden.".to_owned(),
        (false, true) => "Watching: checking now.".to_owned(),
        (false, false) => format!(
            "Watching: next check in {} s.",
            secs_left(
                watch.every.get() as u64 * 1000,
                now.get() - watch.last_answer.get()
            )
        ),
    };
    view! {
        <Show when=move || { watch.every.get() > 0 }>
            <div class="watching">
                <p>{line}</p>
                <Show when=notifications_available>
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked=move || watch.notify.get()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                watch.notify.set(on);
                                if on {
                                    ask_notification_permission();
                                }
                            }
                        />
                        " Notify me when a backend goes Down"
                    </label>
                </Show>
            </div>
        </Show>
    }
}

/// What changed since the previous check, once there is one.
#[component]
pub(super) fn ChangesLine(watch: Watch) -> impl IntoView {
    move || {
        let line = watch.changes.get();
        (watch.history.with(History::checks) > 1).then(|| {
            view! {
                <p class="changes" role="status">
                    {match line {
                        Some(line) => format!("Since the previous check: {line}."),
                        None => "No change since the previous check.".to_owned(),
                    }}
                </p>
            }
        })
    }
}

/// The browser's Notification API, reached by name: a web-sys feature for one call
/// would cost more than these few lines.
fn notification_class() -> Option<js_sys::Function> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"Notification".into())
        .ok()
        .and_then(|c| c.dyn_into().ok())
}

fn notifications_available() -> bool {
    notification_class().is_some()
}

fn ask_notification_permission() {
    if let Some(n) = notification_class() {
        if let Ok(ask) = js_sys::Reflect::get(&n, &"requestPermission".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = ask.call0(&n);
        }
    }
}

/// Shows a system notification if the user allowed them; says nothing otherwise (the
/// panel's own status line carries the same sentence).
fn notify_user(title: &str, body: &str) {
    let Some(n) = notification_class() else {
        return;
    };
    let granted = js_sys::Reflect::get(&n, &"permission".into())
        .ok()
        .and_then(|p| p.as_string())
        .is_some_and(|p| p == "granted");
    if !granted {
        return;
    }
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"body".into(), &body.into());
    let _ = js_sys::Reflect::construct(&n, &js_sys::Array::of2(&title.into(), &opts));
}

// Whole seconds by integer arithmetic: float formatting would add ~10 KB of wasm for
// the few numbers on screen.
pub(super) fn whole_secs(ms: f64) -> u64 {
    (ms.max(0.0) as u64) / 1000
}

pub(super) fn secs_left(wait_ms: u64, waited_ms: f64) -> u64 {
    wait_ms
        .saturating_sub(waited_ms.max(0.0) as u64)
        .div_ceil(1000)
}
