//! The "Load balancing rule health status" panel: a modal dialog that runs the health
//! operation for one rule, shows progress while Azure works, then the counts and one
//! row per backend. Closing it cancels the operation: nothing polls in the background.
//! Watch mode checks again on an interval while the panel is open and the tab visible,
//! and marks what changed between checks.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

mod export;
mod groups;
mod results;
mod state;
mod watch;

use super::load::Data;
use super::{attr, attr_flag, attr_fn, attr_owned, listen, use_app, Call, Computed, ErrorView, Slot, Stored};
use results::Results;
use watch::{ask_notification_permission, notifications_available, notify_user, secs_left, whole_secs, RuleHistory};
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::model::ProbeProperties;
use crate::arm::error::ArmError;
use crate::arm::id::{IdError, RuleId};
use crate::arm::lro::WaitReason;
use crate::health::history::{watch_due, History, WATCH_CHOICES};
use crate::health::summary::{summarise, RuleContext, Summary};

/// A single request taking this long is worth saying so.
const STALL_MS: f64 = 10_000.0;

#[derive(Clone, PartialEq)]
pub struct Checked {
    pub summary: Summary,
    /// Local time of day, for the screen.
    pub at: String,
    /// ISO-8601, for exports.
    pub iso: String,
    pub took_ms: f64,
    pub polls: u32,
}

/// One health check of a rule, summarised: the panel and the rules list both use it.
pub(super) async fn check_rule(
    client: &ArmClient,
    id: &RuleId,
    probe: Option<&ProbeProperties>,
    cancel: &Cancel,
    progress: &dyn Fn(Progress),
) -> Result<Checked, ArmError> {
    let t0 = client.now_ms();
    let polls = std::cell::Cell::new(0);
    let report = |p: Progress| {
        if let Progress::Waiting { poll, .. } = p {
            polls.set(poll);
        }
        progress(p);
    };
    let h = client.rule_health(id, cancel, &report).await?;
    let now = js_sys::Date::new_0();
    Ok(Checked {
        summary: summarise(&h, probe),
        at: String::from(now.to_locale_time_string("default")),
        iso: String::from(now.to_iso_string()),
        took_ms: client.now_ms() - t0,
        polls: polls.get(),
    })
}

/// The panel's `<dialog>`, for `node_ref`: a `NodeRef` is a signal of its own element
/// type, with its own copy of the signal code in the wasm; this is a `Stored` and a
/// `Slot` of types the page has, and tracks the same way.
#[derive(Clone, Copy)]
struct DialogRef {
    el: Stored<Option<web_sys::HtmlDialogElement>>,
    mounted: Slot<bool>,
}

impl DialogRef {
    fn get(&self) -> Option<web_sys::HtmlDialogElement> {
        self.mounted.get();
        self.get_untracked()
    }

    fn get_untracked(&self) -> Option<web_sys::HtmlDialogElement> {
        self.el.try_get_value().flatten()
    }
}

impl leptos::tachys::html::node_ref::NodeRefContainer<leptos::html::Dialog> for DialogRef {
    fn load(self, el: &web_sys::Element) {
        self.el.set_value(Some(el.clone().unchecked_into()));
        self.mounted.set(true);
    }
}

#[component]
pub fn HealthPanel(
    rule: RuleContext,
    rule_id: Result<RuleId, IdError>,
    /// The rules list's own check of this rule: `None` while it runs. The panel shows
    /// its outcome rather than asking Azure a second time; Refresh asks again.
    list_result: Computed<Option<Result<Checked, ArmError>>>,
    on_result: Call<Checked>,
    on_close: Call<()>,
) -> impl IntoView {
    let ctx = use_app();
    let dialog = DialogRef { el: Stored::new(None), mounted: Slot::new(false) };
    let result = Data::<Checked>::new();
    // True while the panel runs its own check (Refresh); until then it follows the list.
    let own = Slot::new(false);
    let error = Slot::new(None::<ArmError>);
    let busy = Slot::new(false);
    let started = Slot::new(0.0f64);
    // What the check is doing, and since when: two signals of value types the page
    // already has (a list's `Waiting`, the clocks), not one of a new tuple type.
    let progress = Slot::new(None::<Progress>);
    let progress_at = Slot::new(0.0f64);
    let now = Slot::new(0.0f64);
    let open_tip = Slot::new(None::<String>);
    let cancel = Stored::new(Cancel::default());
    // Watch mode: every result goes into the rule's history (kept in the session, so a
    // reopened panel goes on); `watch` is the interval in seconds (0: off), a usize like
    // the table's page: each value type a signal holds brings its own code into the wasm.
    let history = RuleHistory {
        all: ctx.histories,
        key: Stored::new(rule_id.as_ref().map(|id| id.path().to_ascii_lowercase()).unwrap_or_default()),
    };
    // The last check's changes as the sentence shown, not as a `Delta`: a signal of a
    // type the page already has (each value type brings its own signal code).
    let changes = Slot::new(None::<String>);
    let watch = Slot::new(0usize);
    let hidden = Slot::new(false);
    let last_answer = Slot::new(0.0f64);
    let notify = Slot::new(false);
    let rule_name = Stored::new(rule.name.clone());
    let record = move |c: &Checked| {
        let Some(d) = history.record(c) else { return };
        let line = d.sentence();
        if notify.get_untracked() && !d.went_down.is_empty() {
            if let Some(line) = &line {
                notify_user(&format!("LB Health: {}", rule_name.get_value()), line);
            }
        }
        changes.set(line);
        last_answer.set(ctx.client().now_ms());
    };

    let rule_id_error = rule_id.clone().err();
    let rule_id_ok = rule_id.clone().ok();
    let probe = rule.probe.clone();
    // One callback, not a closure cloned into the ticker, the Refresh button and Retry:
    // each copy of a closure is inlined where it is called.
    let run = Call::new(move |()| {
        let Ok(id) = rule_id.clone() else { return };
        own.set(true);
        cancel.get_value().cancel();
        let c = Cancel::default();
        cancel.set_value(c.clone());
        let client = ctx.client();
        let t0 = client.now_ms();
        started.set(t0);
        now.set(t0);
        busy.set(true);
        error.set(None);
        progress.set(None);
        let probe = probe.clone();
        spawn_local(async move {
            let report = |p: Progress| {
                if !c.is_cancelled() {
                    progress_at.set(client.now_ms());
                    progress.set(Some(p));
                }
            };
            let outcome = check_rule(&client, &id, probe.as_ref(), &c, &report).await;
            if c.is_cancelled() {
                return;
            }
            match outcome {
                Ok(checked) => {
                    record(&checked);
                    on_result.run(checked.clone());
                    result.set(Some(Ok(checked)));
                }
                Err(e) => {
                    last_answer.set(client.now_ms());
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    });
    crate::ui::effect(move || {
        if own.get() {
            return;
        }
        match list_result.get() {
            Some(Ok(c)) => {
                record(&c);
                result.set(Some(Ok(c)));
                error.set(None);
                busy.set(false);
            }
            Some(Err(e)) => {
                error.set(Some(e));
                busy.set(false);
            }
            None => {
                let t0 = ctx.client().now_ms();
                started.set(t0);
                now.set(t0);
                busy.set(true);
            }
        }
    });
    // Elapsed time and countdowns tick once a second while the panel is open (the
    // bench measured the 500 ms tick as most of the page's CPU while polling).
    let ticker = set_interval_with_handle(
        move || {
            let t = ctx.client().now_ms();
            now.set(t);
            let is_hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
            hidden.set(is_hidden);
            let (Some(every), Some(idle), Some(since)) = (watch.try_get_untracked(), busy.try_get_untracked().map(|b| !b), last_answer.try_get_untracked()) else { return };
            if watch_due(every, !idle, is_hidden, t - since) {
                run.try_run(());
            }
        },
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        cancel.get_value().cancel();
        if let Some(t) = ticker {
            t.clear();
        }
    });
    crate::ui::effect(move || {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    let close_dialog = move || match dialog.get_untracked() {
        Some(d) => d.close(),
        None => on_close.run(()),
    };

    let ports = format!("{} {} → {}", rule.protocol, rule.frontend_port, rule.backend_port);
    let probe_text = match &rule.probe_name {
        Some(n) => format!("{n}: {}", rule.probe_text()),
        None => rule.probe_text(),
    };

    view! {
        <dialog node_ref=dialog class="panel" {..attr("aria-labelledby", "panel-title")}
            {..listen("close", move |_| on_close.run(()))}
            {..listen("keydown", move |ev: web_sys::Event| {
                let ev: web_sys::KeyboardEvent = wasm_bindgen::JsCast::unchecked_into(ev);
                if ev.key() == "Escape" && open_tip.get_untracked().is_some() {
                    ev.prevent_default();
                    open_tip.set(None);
                }
            })}>
            <div class="panel-head">
                <h2 id="panel-title">"Load balancing rule health status"</h2>
                <div class="toolbar">
                    <label class="watch">"Auto-refresh "
                        <select {..listen("change", move |ev| {
                            let every = event_target_value(&ev).parse().unwrap_or(0);
                            watch.set(every);
                            // Count the interval from now, not from the last answer.
                            last_answer.set(ctx.client().now_ms());
                        })}>
                            {WATCH_CHOICES.iter().map(|(s, label)| view! { <option {..attr_owned("value", s.to_string())} {..attr_flag("selected", move || watch.get() == *s)}>{*label}</option> }.into_inner().into_any()).collect_view()}
                        </select>
                    </label>
                    <button type="button" {..attr_fn("aria-disabled", move || busy.get().then(|| "true".to_owned()))}
                        {..listen("click", move |_| if !busy.get_untracked() { run.run(()) })}>
                        <span aria-hidden="true">"⟳ "</span>"Refresh"
                    </button>
                    <button type="button" {..listen("click", move |_| close_dialog())}>"Close"</button>
                </div>
            </div>
            <p class="rule-name">{format!("Rule {}", rule.name)}</p>
            <dl class="facts">
                <div><dt>"Frontend IP"</dt><dd>{rule.frontend.clone()}</dd></div>
                <div><dt>"Backend pool"</dt><dd>{rule.backend_pool.clone()}</dd></div>
                <div><dt>"Rule"</dt><dd>{ports}</dd></div>
                <div><dt>"Health probe"</dt><dd>{probe_text}</dd></div>
            </dl>
            {rule_id_error.map(|e| view! { <p class="error" role="alert">{format!("This rule's id is malformed: {e}")}</p> }.into_inner().into_any())}
            {crate::ui::reactive_opt(move || (watch.get() > 0).then(|| view! {
                <div class="watching">
                    <p>{crate::ui::reactive_any(move || match (hidden.get(), busy.get()) {
                        (true, _) => "Watching: paused while this tab is hidden.".to_owned(),
                        (false, true) => "Watching: checking now.".to_owned(),
                        (false, false) => format!(
                            "Watching: next check in {} s.",
                            secs_left(watch.get() as u64 * 1000, now.get() - last_answer.get())
                        ),
                    })}</p>
                    {notifications_available().then(|| view! {
                        <label class="check"><input type="checkbox" prop:checked=move || wasm_bindgen::JsValue::from(notify.get())
                            {..listen("change", move |ev| {
                                let on = event_target_checked(&ev);
                                notify.set(on);
                                if on { ask_notification_permission() }
                            })}/>" Notify me when a backend goes Down"</label>
                    }.into_inner().into_any())}
                </div>
            }.into_inner().into_any()))}
            {crate::ui::reactive_opt(move || {
                let line = changes.get();
                let checks = history.with(History::checks);
                (checks > 1).then(|| view! {
                    <p class="changes" role="status">{match line {
                        Some(line) => format!("Since the previous check: {line}."),
                        None => "No change since the previous check.".to_owned(),
                    }}</p>
                }.into_inner().into_any())
            })}
            {crate::ui::reactive_opt(move || busy.get().then(|| {
                let elapsed = whole_secs(now.get() - started.get());
                let at = progress_at.get();
                let phase = match progress.get() {
                    Some(Progress::Waiting { ms, reason: WaitReason::Throttled, .. }) => format!(
                        "Azure is throttling requests; trying again in {} s.",
                        secs_left(ms, now.get() - at)
                    ),
                    Some(Progress::Waiting { reason: WaitReason::Transient, .. }) => "A request failed; trying again shortly.".to_owned(),
                    Some(Progress::Waiting { poll, .. }) => format!("Azure accepted the request and is gathering backend health (check {poll})."),
                    Some(Progress::Sending { .. }) if now.get() - at > STALL_MS => format!(
                        "Azure has not answered for {} s. The connection may be stuck: keep waiting, or Close and try again.",
                        whole_secs(now.get() - at)
                    ),
                    Some(Progress::Sending { poll: 0 }) | None => "Asking Azure for the health of this rule's backends.".to_owned(),
                    Some(Progress::Sending { poll }) => format!("Checking whether the result is ready (check {poll})."),
                };
                view! {
                    <div class="progress" role="status">
                        <div class="busy" role="progressbar" aria-label="Checking backend health"><span></span></div>
                        <p>{phase}<span class="elapsed">{format!(" {elapsed} s elapsed.")}</span></p>
                        <p class="muted">"Azure can take a few minutes to gather backend health; this panel keeps checking until it answers."</p>
                    </div>
                }.into_inner().into_any()
            }))}
            {crate::ui::reactive_opt(move || error.get().map(|e| view! { <ErrorView error=e retry=run/> }.into_inner().into_any()))}
            {crate::ui::reactive_opt(move || result.get().and_then(Result::ok).map(|c| view! { <Results checked=c open_tip=open_tip rule_id=rule_id_ok.clone() history=history/> }.into_inner().into_any()))}
        </dialog>
    }.into_inner()
}

