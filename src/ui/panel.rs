//! The "Load balancing rule health status" panel: a modal dialog that runs the health
//! operation for one rule, shows progress while Azure works, then the counts and one
//! row per backend. Closing it cancels the operation: nothing polls in the background.
//! Watch mode checks again on an interval while the panel is open and the tab visible,
//! and marks what changed between checks.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::load::Data;
use super::{attr, attr_flag, attr_fn, attr_owned, listen, use_app, Call, Computed, ErrorView, Slot, Stored};
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::model::ProbeProperties;
use crate::arm::error::ArmError;
use crate::arm::id::{IdError, RuleId};
use crate::arm::lro::WaitReason;
use crate::health::catalog::State;
use crate::health::export;
use crate::health::history::{watch_due, Change, Delta, History, WATCH_CHOICES};
use crate::health::summary::{summarise, Row, RuleContext, Summary};
use crate::health::table::{reason_groups, SortKey, View};
use super::ReasonTip;

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
    super::effect(move || {
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
    super::effect(move || {
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
            {super::reactive_opt(move || (watch.get() > 0).then(|| view! {
                <div class="watching">
                    <p>{super::reactive_any(move || match (hidden.get(), busy.get()) {
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
            {super::reactive_opt(move || {
                let line = changes.get();
                let checks = history.with(History::checks);
                (checks > 1).then(|| view! {
                    <p class="changes" role="status">{match line {
                        Some(line) => format!("Since the previous check: {line}."),
                        None => "No change since the previous check.".to_owned(),
                    }}</p>
                }.into_inner().into_any())
            })}
            {super::reactive_opt(move || busy.get().then(|| {
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
            {super::reactive_opt(move || error.get().map(|e| view! { <ErrorView error=e retry=run/> }.into_inner().into_any()))}
            {super::reactive_opt(move || result.get().and_then(Result::ok).map(|c| view! { <Results checked=c open_tip=open_tip rule_id=rule_id_ok.clone() history=history/> }.into_inner().into_any()))}
        </dialog>
    }.into_inner()
}

const PAGE: usize = 100;

/// One rule's watch history, in the session's store (`AppCtx::histories`): the panel
/// reads and records there, so there is one copy, whichever panel is open.
#[derive(Clone, Copy)]
struct RuleHistory {
    all: StoredValue<Vec<(String, String, History)>>,
    /// The rule id, lower-cased.
    key: Stored<String>,
}

impl RuleHistory {
    fn with<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        self.key.with_value(|key| {
            self.all.with_value(|all| match all.iter().find(|(k, _, _)| k == key) {
                Some((_, _, h)) => f(h),
                None => f(&History::default()),
            })
        })
    }

    /// Adds a check and says what changed; `None` for a check already recorded (the
    /// list's result, shown again when the panel reopens, is not a new check).
    fn record(&self, c: &Checked) -> Option<Delta> {
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

#[component]
fn Results(checked: Checked, open_tip: Slot<Option<String>>, rule_id: Option<RuleId>, history: RuleHistory) -> impl IntoView {
    let ctx = use_app();
    let view_state = ctx.view;
    let s = checked.summary;
    let meta = format!(
        "Checked at {} · took {} · {} status {}",
        checked.at,
        tenths(checked.took_ms),
        checked.polls,
        if checked.polls == 1 { "check" } else { "checks" }
    );
    let total = s.rows.len();
    let groups = reason_groups(&s.rows);
    let rows = Stored::new(s.rows);
    let shown = Computed::new(move || view_state.with(|v| rows.with_value(|r| v.apply(r))));
    let page = Slot::new(0usize);
    let grouped = Slot::new(false);
    let iso = checked.iso.clone();
    let set_view = move |f: &dyn Fn(&mut View)| {
        view_state.update(|v| f(v));
        page.set(0);
    };
    let sort_header = move |label: &'static str, key: SortKey| {
        let aria = move || view_state.with(|v| match (v.sort == key, v.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        });
        view! {
            // A String, as the page's other reactive attributes: a &str one would be a
            // render-effect type of its own.
            <th scope="col" {..attr_fn("aria-sort", move || Some(aria().to_owned()))}>
                <button type="button" class="sort" {..listen("click", move |_| set_view(&|v: &mut View| {
                    if v.sort == key { v.descending = !v.descending } else { v.sort = key; v.descending = false }
                }))}>{label}<span aria-hidden="true">{super::reactive_any(move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }.to_owned())}</span></button>
            </th>
        }
    };
    view! {
        <div class="counts" role="group" aria-label="Backend health summary">
            {state_count(State::Up, s.up)}
            {state_count(State::Down, s.down)}
            {(s.unknown > 0).then(|| state_count(State::Unknown, s.unknown).into_any())}
        </div>
        <p class="muted">{meta}</p>
        {(s.duplicates > 0).then(|| view! {
            <p class="note">{format!("Azure listed {} backend(s) more than once; the counts include every row as sent.", s.duplicates)}</p>
        }.into_inner().into_any())}
        {s.reported_mismatch.map(|(u, d)| view! {
            <p class="note">{format!("Azure's own totals say {u} Up and {d} Down; the counts above are from the rows below.")}</p>
        }.into_inner().into_any())}
        {if total == 0 {
            view! { <p class="empty">"Azure returned no backends for this rule. The backend pool may be empty."</p> }.into_inner().into_any()
        } else {
            view! {
                <div class="table-tools">
                    <input type="search" aria-label="Filter backends" {..attr("placeholder", "Filter by instance, IP or reason")}
                        prop:value=move || view_state.with(|v| wasm_bindgen::JsValue::from(&v.text))
                        {..listen("input", move |ev| { let t = event_target_value(&ev); set_view(&|v: &mut View| v.text = t.clone()) })}/>
                    <label class="check"><input type="checkbox"
                        prop:checked=move || wasm_bindgen::JsValue::from(view_state.with(|v| v.state == Some(State::Down)))
                        {..listen("change", move |ev| { let on = event_target_checked(&ev); set_view(&|v: &mut View| v.state = on.then_some(State::Down)) })}/>
                        " Only Down"</label>
                    <label class="check"><input type="checkbox" prop:checked=move || wasm_bindgen::JsValue::from(grouped.get())
                        {..listen("change", move |ev| grouped.set(event_target_checked(&ev)))}/>" Group by reason"</label>
                    <select aria-label="Reason" {..listen("change", move |ev| {
                        let code = event_target_value(&ev);
                        set_view(&|v: &mut View| v.reason = (!code.is_empty()).then(|| code.clone()))
                    })}>
                        <option {..attr("value", "")} {..attr_flag("selected", move || view_state.with(|v| v.reason.is_none()))}>"All reasons"</option>
                        {groups.iter().map(|(code, _, _, n)| {
                            let c = code.clone();
                            let label = format!("{} ({n})", if code.is_empty() { "Not retrievable" } else { code.as_str() });
                            view! { <option {..attr_owned("value", code.clone())} {..attr_flag("selected", move || view_state.with(|v| v.reason.as_deref() == Some(c.as_str())))}>{label}</option> }.into_inner().into_any()
                        }).collect_view()}
                    </select>
                    <Export rule_id=rule_id.clone() iso=iso.clone() rows=rows shown=shown/>
                </div>
                {move || match grouped.get() {
                    true => view! { <ReasonGroups rows=rows shown=shown on_pick=Call::new(move |code: String| {
                        grouped.set(false);
                        set_view(&|v: &mut View| v.reason = Some(code.clone()));
                    })/> }.into_inner().into_any(),
                    false => view! {
                <p class="muted" role="status">{super::reactive_any(move || {
                    let n = shown.with(|s| s.len());
                    let p = page.get();
                    if n == 0 { "No backend matches the filters.".to_owned() }
                    else { format!("Showing {}–{} of {n}{}", p * PAGE + 1, ((p + 1) * PAGE).min(n), if n < total { format!(" (filtered from {total})") } else { String::new() }) }
                })}</p>
                <div class="table-wrap">
                <table class="grid health cards">
                    <caption class="sr-only">"Backend instances"</caption>
                    <thead><tr>
                        {sort_header("Backend instance", SortKey::Instance)}
                        {sort_header("IP address", SortKey::Ip)}
                        {sort_header("State", SortKey::State)}
                        {sort_header("Reason", SortKey::Reason)}
                        {super::reactive_opt(move || (history.with(History::checks) > 1).then(|| view! { <th scope="col">"Recent checks"</th> }.into_inner().into_any()))}
                    </tr></thead>
                    <tbody>{super::reactive_any(move || {
                        let p = page.get();
                        shown.with(|idx| rows.with_value(|all| {
                            history.with(|h| idx.iter().skip(p * PAGE).take(PAGE).map(|&i| row_view(i, &all[i], open_tip, h)).collect_view())
                        }))
                    })}</tbody>
                </table>
                </div>
                {super::reactive_opt(move || (shown.with(|s| s.len()) > PAGE).then(|| {
                    let pages = shown.with(|s| s.len()).div_ceil(PAGE);
                    view! {
                        <nav class="pager" aria-label="Pages">
                            <button type="button" {..attr_fn("aria-disabled", move || Some((page.get() == 0).to_string()))} {..listen("click", move |_| page.update(|p| *p = p.saturating_sub(1)))}>"Previous page"</button>
                            <span>{super::reactive_any(move || format!("Page {} of {pages}", page.get() + 1))}</span>
                            <button type="button" {..attr_fn("aria-disabled", move || Some((page.get() + 1 >= pages).to_string()))} {..listen("click", move |_| page.update(|p| if *p + 1 < pages { *p += 1 }))}>"Next page"</button>
                        </nav>
                    }.into_inner().into_any()
                }))}
                    }.into_inner().into_any(),
                }}
            }.into_inner().into_any()
        }}
    }.into_inner()
}

/// The filtered rows grouped by reason, most common first: what is wrong, how often,
/// and where. Picking a group filters the table to it.
#[component]
fn ReasonGroups(rows: Stored<Vec<Row>>, shown: Computed<Vec<usize>>, on_pick: Call<String>) -> impl IntoView {
    const NAMES: usize = 8;
    let groups = shown.with(|idx| rows.with_value(|all| {
        let subset: Vec<Row> = idx.iter().map(|&i| all[i].clone()).collect();
        reason_groups(&subset)
            .into_iter()
            .map(|(code, portal, state, n)| {
                let names: Vec<String> = subset.iter().filter(|r| r.reason.code.eq_ignore_ascii_case(&code)).take(NAMES).map(|r| r.instance.clone()).collect();
                (code, portal, state, n, names)
            })
            .collect::<Vec<_>>()
    }));
    if groups.is_empty() {
        return view! { <p class="empty" role="status">"No backend matches the filters."</p> }.into_inner().into_any();
    }
    view! {
        <table class="grid groups cards">
            <caption class="sr-only">"Backends by reason"</caption>
            <thead><tr><th scope="col">"Reason"</th><th scope="col">"State"</th><th scope="col">"Backends"</th><th scope="col">"Instances"</th></tr></thead>
            <tbody>{groups.into_iter().map(|(code, portal, state, n, names)| {
                let more = n.saturating_sub(names.len());
                let shown_names = if more > 0 { format!("{} and {more} more", names.join(", ")) } else { names.join(", ") };
                let label = if code.is_empty() { "Not retrievable".to_owned() } else { code.clone() };
                view! {
                    <tr>
                        <td><span>{if portal.is_empty() { label.clone() } else { portal }}</span><br/><span class="muted mono">{label.clone()}</span></td>
                        <td>{state_badge(state)}</td>
                        <td data-label="Backends">{n.to_string()}</td>
                        <td data-label="Instances">{shown_names}" "
                            <button type="button" class="linklike" aria-label=format!("Show these: {n} backends with {label}")
                                {..listen("click", move |_| on_pick.run(code.clone()))}>"Show these"</button>
                        </td>
                    </tr>
                }.into_inner().into_any()
            }).collect_view()}</tbody>
        </table>
    }
    .into_inner().into_any()
}

/// Checks shown in a row's run of recent states.
const STRIP: usize = 10;

fn state_icon(state: State) -> &'static str {
    match state {
        State::Up => "✔ ",
        State::Down => "✖ ",
        State::Unknown => "? ",
    }
}

/// A state as an icon and a word, as in the portal: the one place the table and the
/// groups draw it.
fn state_badge(state: State) -> impl IntoView {
    let class = match state {
        State::Up => "state up",
        State::Down => "state down",
        State::Unknown => "state unknown",
    };
    view! { <span class=class><span aria-hidden="true">{state_icon(state)}</span>{state.label()}</span> }.into_inner()
}

/// One of the summary's counts: "✔ 3 Up". Numbers are shown as `String`s, here and in
/// the other views: a `usize` child is a view type of its own, with its own code.
fn state_count(state: State, n: usize) -> impl IntoView {
    let class = match state {
        State::Up => "count up",
        State::Down => "count down",
        State::Unknown => "count unknown",
    };
    view! { <span class=class><span aria-hidden="true">{state_icon(state)}</span><strong>{n.to_string()}</strong>" "{state.label()}</span> }.into_inner()
}

fn row_view(i: usize, row: &Row, open_tip: Slot<Option<String>>, history: &History) -> AnyView {
    let label = format!("Explain reason for {}", row.instance);
    // Said in words, not only by the row's highlight.
    let change = history.change(row).map(|c| match c {
        Change::State { from, .. } => format!("changed, was {}", from.label()),
        Change::Reason { .. } => "reason changed".to_owned(),
        Change::Appeared => "new".to_owned(),
        Change::Gone => String::new(),
    });
    let strip = (history.checks() > 1).then(|| {
        let states = history.strip(row);
        let recent = &states[states.len().saturating_sub(STRIP)..];
        let glyphs: String = recent.iter().map(|s| match s {
            Some(State::Up) => '✔',
            Some(State::Down) => '✖',
            Some(State::Unknown) => '?',
            None => '·',
        }).collect();
        let words: Vec<&str> = recent.iter().map(|s| s.map_or("absent", |s| s.label())).collect();
        let since = history.since(row).map(|t| format!(" since {t}")).unwrap_or_default();
        let changes = history.changes(row);
        let list = (changes.len() > 1).then(|| {
            let items: Vec<String> = changes
                .iter()
                .map(|(at, state, code)| match state {
                    Some(s) => format!("{at}: {} ({})", s.label(), if code.is_empty() { "no reason" } else { code }),
                    None => format!("{at}: not in Azure's answer"),
                })
                .collect();
            view! {
                <details class="changes-list">
                    <summary>{format!("{} changes", changes.len() - 1)}</summary>
                    <ol>{items.into_iter().map(|i| view! { <li>{i}</li> }.into_inner().into_any()).collect_view()}</ol>
                </details>
            }
            .into_inner().into_any()
        });
        view! {
            <td class="strip">
                <span role="img" aria-label=format!("Last {} checks, oldest first: {}", recent.len(), words.join(", "))>{glyphs}</span>
                <span class="muted">{since}</span>
                {list}
            </td>
        }
        .into_inner().into_any()
    });
    let changed = change.is_some();
    view! {
        <tr class:changed=changed>
            <td>{row.instance.clone()}</td>
            <td class="mono">{if row.ip.is_empty() { "—".to_owned() } else { row.ip.clone() }}</td>
            <td>
                {state_badge(row.state)}
                {change.map(|c| view! { <span class="change">{format!(" ({c})")}</span> }.into_inner().into_any())}
            </td>
            <td class="reason">
                <span>{row.reason.portal_text.clone()}</span>
                <ReasonTip id=format!("reason-tip-{i}") label=label reason=row.reason.clone() open_tip=open_tip/>
            </td>
            {strip}
        </tr>
    }
    .into_inner().into_any()
}

/// Downloads and copyable commands for the current view of the table.
#[component]
fn Export(rule_id: Option<RuleId>, iso: String, rows: Stored<Vec<Row>>, shown: Computed<Vec<usize>>) -> impl IntoView {
    let ctx = use_app();
    let Some(rule) = rule_id else { return ().into_any() };
    let arm = ctx.config.with_value(|c| c.cloud.arm_origin());
    let commands = format!("# PowerShell\n{}\n\n# REST (bash)\n{}", export::powershell(&rule), export::curl(&rule, arm));
    let (rule_csv, rule_json, iso_csv, iso_json) = (rule.clone(), rule.clone(), iso.clone(), iso);
    let file = format!("{}-{}", rule.load_balancer.name, rule.name);
    let (file_csv, file_json) = (format!("{file}.csv"), format!("{file}.json"));
    let current = move || shown.with(|idx| rows.with_value(|all| idx.iter().map(|&i| all[i].clone()).collect::<Vec<Row>>()));
    view! {
        <button type="button" {..listen("click", move |_| {
            let r = current();
            download(&file_csv, "text/csv", &export::to_csv(&rule_csv, &iso_csv, &r.iter().collect::<Vec<_>>()));
        })}>"Download CSV"</button>
        <button type="button" {..listen("click", move |_| {
            let r = current();
            download(&file_json, "application/json", &export::to_json(&rule_json, &iso_json, &r.iter().collect::<Vec<_>>()));
        })}>"Download JSON"</button>
        <details class="commands">
            <summary>"Same check from a shell"</summary>
            <pre class="mono">{commands}</pre>
            <p class="muted">"The commands ask the Azure CLI for a token; none is copied from this page."</p>
        </details>
    }
    .into_inner().into_any()
}

/// The browser's Notification API, reached by name: a web-sys feature for one call
/// would cost more than these few lines.
fn notification_class() -> Option<js_sys::Function> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"Notification".into()).ok().and_then(|c| c.dyn_into().ok())
}

fn notifications_available() -> bool {
    notification_class().is_some()
}

fn ask_notification_permission() {
    if let Some(n) = notification_class() {
        if let Ok(ask) = js_sys::Reflect::get(&n, &"requestPermission".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = ask.call0(&n);
        }
    }
}

/// Shows a system notification if the user allowed them; says nothing otherwise (the
/// panel's own status line carries the same sentence).
fn notify_user(title: &str, body: &str) {
    let Some(n) = notification_class() else { return };
    let granted = js_sys::Reflect::get(&n, &"permission".into()).ok().and_then(|p| p.as_string()).is_some_and(|p| p == "granted");
    if !granted {
        return;
    }
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"body".into(), &body.into());
    let _ = js_sys::Reflect::construct(&n, &js_sys::Array::of2(&title.into(), &opts));
}

fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

// Whole and tenth seconds by integer arithmetic: float formatting would add ~10 KB of
// wasm for three numbers on screen.
fn whole_secs(ms: f64) -> u64 {
    (ms.max(0.0) as u64) / 1000
}

fn secs_left(wait_ms: u64, waited_ms: f64) -> u64 {
    wait_ms.saturating_sub(waited_ms.max(0.0) as u64).div_ceil(1000)
}

fn tenths(ms: f64) -> String {
    let t = (ms.max(0.0) as u64 + 50) / 100;
    format!("{}.{} s", t / 10, t % 10)
}
