//! The "Load balancing rule health status" panel: a modal dialog that runs the health
//! operation for one rule, shows progress while Azure works, then the counts and one
//! row per backend. Closing it cancels the operation: nothing polls in the background.
//! Watch mode checks again on an interval while the panel is open and the tab visible,
//! and marks what changed between checks.

mod export;
mod groups;
mod probe;
mod results;
mod state;
mod watch;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::load::{load, Load};
use super::{use_app, ErrorView};
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::error::ArmError;
use crate::arm::id::{IdError, RuleId};
use crate::arm::lro::WaitReason;
use crate::arm::model::ProbeProperties;
use crate::health::summary::{summarise, RuleContext, Summary};
use results::Results;
use watch::{secs_left, whole_secs, AutoRefresh, ChangesLine, Watch, WatchStatus};

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

/// The panel's own check number `run` (Refresh, Retry, watch mode) and its result.
#[derive(Clone)]
struct Outcome {
    run: u32,
    result: Result<Checked, ArmError>,
}

/// A running check: what it is doing, and since when, on the client's clock.
#[derive(Clone, Copy)]
struct Clocks {
    started: RwSignal<f64>,
    /// Ticks once a second while the panel is open (the bench measured a 500 ms tick
    /// as most of the page's CPU while polling).
    now: RwSignal<f64>,
    progress: RwSignal<Option<Progress>>,
    progress_at: RwSignal<f64>,
}

#[component]
pub fn HealthPanel(
    rule: RuleContext,
    rule_id: Result<RuleId, IdError>,
    /// The rules list's own check of this rule: `None` while it runs. The panel shows
    /// its outcome rather than asking Azure a second time; Refresh asks again.
    list_result: Memo<Option<Result<Checked, ArmError>>>,
    on_result: Callback<Checked>,
    on_close: Callback<()>,
) -> impl IntoView {
    let ctx = use_app();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let open_tip = RwSignal::new(None::<String>);
    let t0 = ctx.client().now_ms();
    let clocks = Clocks {
        started: RwSignal::new(t0),
        now: RwSignal::new(t0),
        progress: RwSignal::new(None),
        progress_at: RwSignal::new(0.0),
    };
    let rule_key = rule_id
        .as_ref()
        .map(|id| id.path().to_ascii_lowercase())
        .unwrap_or_default();
    let watch = Watch::new(rule_key, rule.name.clone());
    // Asked now, beside the health check: history does not wait for it.
    let probe = probe::ProbeHistory::start(&rule, rule_id.clone().ok());
    // The panel's own checks (Refresh, Retry, watch mode), numbered; 0 until the first.
    let runs = RwSignal::new(0u32);
    // The panel's own checks; a new one cancels the one running, and so does closing the
    // panel or leaving the load balancer: the operation's polling loop stops at once.
    // They depend on `runs` alone, not on the list's result, which changes each time one
    // of the panel's checks is handed back to the list.
    let own = {
        let rule_id = rule_id.clone().ok();
        let probe = rule.probe.clone();
        load(true, move |c| {
            let run = runs.get();
            let (id, probe, client) = (
                rule_id.clone().filter(|_| run > 0),
                probe.clone(),
                ctx.client(),
            );
            async move {
                let id = id?;
                let report = |p: Progress| {
                    if !c.is_cancelled() {
                        clocks.progress_at.set(client.now_ms());
                        clocks.progress.set(Some(p));
                    }
                };
                let result = check_rule(&client, &id, probe.as_ref(), &c, &report).await;
                if !c.is_cancelled() {
                    match &result {
                        Ok(checked) => {
                            watch.record(checked, client.now_ms());
                            on_result.run(checked.clone());
                        }
                        Err(_) => watch.answered(client.now_ms()),
                    }
                }
                Some(Outcome { run, result })
            }
        })
    };
    // Until the first Refresh, the panel shows the list's check, and records it.
    Effect::new(move || {
        if let Some(Ok(checked)) = list_result.get() {
            if runs.get_untracked() == 0 {
                watch.record(&checked, ctx.client().now_ms());
            }
        }
    });
    let busy = Memo::new(move |_| latest(runs, list_result, own, |o| o.is_none()));
    // The last good result stays on screen through a Refresh, and under its error.
    let shown = Memo::new(move |last: Option<&Option<Checked>>| {
        latest(runs, list_result, own, |o| match o {
            Some(Ok(c)) => Some(c.clone()),
            _ => last.cloned().flatten(),
        })
    });
    let error = move || {
        latest(runs, list_result, own, |o| match o {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    };

    let can_run = rule_id.is_ok();
    let run = Callback::new(move |()| {
        if !can_run {
            return;
        }
        let t = ctx.client().now_ms();
        clocks.started.set(t);
        clocks.now.set(t);
        clocks.progress.set(None);
        runs.update(|n| *n += 1);
    });
    let ticker = set_interval_with_handle(
        move || {
            let t = ctx.client().now_ms();
            clocks.now.try_set(t);
            let Some(busy) = busy.try_get_untracked() else {
                return;
            };
            if watch.tick(t, busy) == Some(true) {
                run.run(());
            }
        },
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });

    Effect::new(move || {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    // Closing the dialog fires its `close` event, which tells the page; before it is
    // mounted there is no dialog to close.
    let close = move || match dialog.get_untracked() {
        Some(d) => d.close(),
        None => on_close.run(()),
    };

    let rule_id_ok = rule_id.clone().ok();
    let bad_id = rule_id.err();
    view! {
        <dialog
            node_ref=dialog
            class="panel"
            aria-labelledby="panel-title"
            on:close=move |_| on_close.run(())
            on:keydown=move |ev: KeyboardEvent| {
                // Escape closes an open tooltip first, the dialog only the next time.
                if ev.key() == "Escape" && open_tip.with_untracked(Option::is_some) {
                    ev.prevent_default();
                    open_tip.set(None);
                }
            }
        >
            <div class="panel-head">
                <h2 id="panel-title">"Load balancing rule health status"</h2>
                <div class="toolbar">
                    <AutoRefresh watch=watch/>
                    <button
                        type="button"
                        aria-disabled=move || busy.get().then_some("true")
                        on:click=move |_| {
                            if !busy.get_untracked() {
                                run.run(());
                            }
                        }
                    >
                        <span aria-hidden="true">"⟳ "</span>
                        "Refresh"
                    </button>
                    <button type="button" on:click=move |_| close()>
                        "Close"
                    </button>
                </div>
            </div>
            <RuleFacts rule=rule/>
            {bad_id.map(|e| view! {
                <p class="error" role="alert">{format!("This rule's id is malformed: {e}")}</p>
            })}
            <WatchStatus watch=watch busy=busy now=clocks.now/>
            <ChangesLine watch=watch/>
            <probe::ProbeBar history=probe/>
            <Show when=move || busy.get()>
                <CheckProgress clocks=clocks/>
            </Show>
            {move || error().map(|e| view! { <ErrorView error=e retry=move |_| run.run(())/> })}
            {move || shown.get().map(|c| view! {
                <Results checked=c open_tip=open_tip rule_id=rule_id_ok.clone() history=watch.history/>
            })}
        </dialog>
    }
}

/// The outcome the panel shows, `None` while the check it comes from runs: the list's
/// until the first of the panel's own (`runs` counts them), then the latest of those.
/// Lent to `f`, not cloned: a result can hold thousands of rows.
fn latest<R>(
    runs: RwSignal<u32>,
    list_result: Memo<Option<Result<Checked, ArmError>>>,
    own: Load<Option<Outcome>>,
    f: impl FnOnce(Option<&Result<Checked, ArmError>>) -> R,
) -> R {
    match runs.get() {
        0 => list_result.with(|o| f(o.as_ref())),
        run => own.with(|o| {
            f(o.as_ref()
                .and_then(Option::as_ref)
                .filter(|o| o.run == run)
                .map(|o| &o.result))
        }),
    }
}

/// The rule the panel is about, as the portal's window heads it.
#[component]
fn RuleFacts(rule: RuleContext) -> impl IntoView {
    let ports = format!(
        "{} {} → {}",
        rule.protocol, rule.frontend_port, rule.backend_port
    );
    let probe = match &rule.probe_name {
        Some(n) => format!("{n}: {}", rule.probe_text()),
        None => rule.probe_text(),
    };
    view! {
        <p class="rule-name">{format!("Rule {}", rule.name)}</p>
        <dl class="facts">
            <div><dt>"Frontend IP"</dt><dd>{rule.frontend}</dd></div>
            <div><dt>"Backend pool"</dt><dd>{rule.backend_pool}</dd></div>
            <div><dt>"Rule"</dt><dd>{ports}</dd></div>
            <div><dt>"Health probe"</dt><dd>{probe}</dd></div>
        </dl>
    }
}

/// What the running check is doing, in words, with the time it has taken.
#[component]
fn CheckProgress(clocks: Clocks) -> impl IntoView {
    let phase = move || {
        let now = clocks.now.get();
        let at = clocks.progress_at.get();
        match clocks.progress.get() {
            Some(Progress::Waiting { ms, reason: WaitReason::Throttled, .. }) => format!(
                "Azure is throttling requests; trying again in {} s.",
                secs_left(ms, now - at)
            ),
            Some(Progress::Waiting { reason: WaitReason::Transient, .. }) => {
                "A request failed; trying again shortly.".to_owned()
            }
            Some(Progress::Waiting { poll, .. }) => format!(
                "Azure accepted the request and is gathering backend health (check {poll})."
            ),
            Some(Progress::Sending { .. }) if now - at > STALL_MS => format!(
                "Azure has not answered for {} s. The connection may be stuck: keep waiting, or Close and try again.",
                whole_secs(now - at)
            ),
            Some(Progress::Sending { poll: 0 }) | None => {
                "Asking Azure for the health of this rule's backends.".to_owned()
            }
            Some(Progress::Sending { poll }) => {
                format!("Checking whether the result is ready (check {poll}).")
            }
        }
    };
    let elapsed = move || {
        format!(
            " {} s elapsed.",
            whole_secs(clocks.now.get() - clocks.started.get())
        )
    };
    view! {
        <div class="progress" role="status">
            <div class="busy" role="progressbar" aria-label="Checking backend health">
                <span></span>
            </div>
            <p>{phase}<span class="elapsed">{elapsed}</span></p>
            <p class="muted">
                "Azure can take a few minutes to gather backend health; this panel keeps checking until it answers."
            </p>
        </div>
    }
}
