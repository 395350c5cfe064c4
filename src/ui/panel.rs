//! The "Load balancing rule health status" panel: a modal dialog that runs the health
//! operation for one rule, shows progress while Azure works, then the counts and one
//! row per backend. Closing it cancels the operation: nothing polls in the background.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{use_app, ErrorView};
use crate::arm::client::{Cancel, Progress};
use crate::arm::error::ArmError;
use crate::arm::id::{IdError, RuleId};
use crate::arm::lro::WaitReason;
use crate::health::catalog::State;
use crate::health::summary::{summarise, RuleContext, Summary};
use super::ReasonTip;

/// A single request taking this long is worth saying so.
const STALL_MS: f64 = 10_000.0;

#[derive(Clone, PartialEq)]
struct Checked {
    summary: Summary,
    at: String,
    took_ms: f64,
    polls: u32,
}

#[component]
pub fn HealthPanel(rule: RuleContext, rule_id: Result<RuleId, IdError>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_app();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let result = RwSignal::new(None::<Checked>);
    let error = RwSignal::new(None::<ArmError>);
    let busy = RwSignal::new(false);
    let started = RwSignal::new(0.0f64);
    let progress = RwSignal::new(None::<(Progress, f64)>);
    let now = RwSignal::new(0.0f64);
    let open_tip = RwSignal::new(None::<String>);
    let cancel = StoredValue::new_local(Cancel::default());

    let rule_id_error = rule_id.clone().err();
    let probe = rule.probe.clone();
    let run = move || {
        let Ok(id) = rule_id.clone() else { return };
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
            let polls = std::rc::Rc::new(std::cell::Cell::new(0));
            let report = {
                let (c, client, polls) = (c.clone(), client.clone(), polls.clone());
                move |p: Progress| {
                    if let Progress::Waiting { poll, .. } = p {
                        polls.set(poll);
                    }
                    if !c.is_cancelled() {
                        progress.try_set(Some((p, client.now_ms())));
                    }
                }
            };
            let outcome = client.rule_health(&id, &c, &report).await;
            if c.is_cancelled() {
                return;
            }
            match outcome {
                Ok(h) => {
                    let at = String::from(js_sys::Date::new_0().to_locale_time_string("default"));
                    let took_ms = client.now_ms() - t0;
                    result.try_set(Some(Checked { summary: summarise(&h, probe.as_ref()), at, took_ms, polls: polls.get() }));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    if rule_id_error.is_none() {
        run();
    }
    // Elapsed time and countdowns tick while the panel is open.
    let ticker = set_interval_with_handle(move || { now.try_set(ctx.client().now_ms()); }, std::time::Duration::from_millis(500)).ok();
    on_cleanup(move || {
        cancel.get_value().cancel();
        if let Some(t) = ticker {
            t.clear();
        }
    });
    Effect::new(move |_| {
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
    let run_again = run.clone();

    let context = [
        ("Frontend IP", rule.frontend.clone()),
        ("Backend pool", rule.backend_pool.clone()),
        ("Rule", format!("{} {} → {}", rule.protocol, rule.frontend_port, rule.backend_port)),
        ("Health probe", match &rule.probe_name {
            Some(n) => format!("{n}: {}", rule.probe_text()),
            None => rule.probe_text(),
        }),
    ];

    view! {
        <dialog node_ref=dialog class="panel" aria-labelledby="panel-title"
            on:close=move |_| on_close.run(())
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && open_tip.get_untracked().is_some() {
                    ev.prevent_default();
                    open_tip.set(None);
                }
            }>
            <div class="panel-head">
                <h2 id="panel-title">"Load balancing rule health status"</h2>
                <div class="toolbar">
                    <button type="button" on:click=move |_| run_again() disabled=move || busy.get()>
                        <span aria-hidden="true">"⟳ "</span>"Refresh"
                    </button>
                    <button type="button" on:click=move |_| close_dialog()>"Close"</button>
                </div>
            </div>
            <p class="rule-name">{format!("Rule {}", rule.name)}</p>
            <dl class="facts">{context.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}</dl>
            {rule_id_error.map(|e| view! { <p class="error" role="alert">{format!("This rule's id is malformed: {e}")}</p> })}
            {move || busy.get().then(|| {
                let elapsed = whole_secs(now.get() - started.get());
                let phase = match progress.get() {
                    Some((Progress::Waiting { ms, reason: WaitReason::Throttled, .. }, at)) => format!(
                        "Azure is throttling requests; trying again in {} s.",
                        secs_left(ms, now.get() - at)
                    ),
                    Some((Progress::Waiting { reason: WaitReason::Transient, .. }, _)) => "A request failed; trying again shortly.".to_owned(),
                    Some((Progress::Waiting { poll, .. }, _)) => format!("Azure accepted the request and is gathering backend health (check {poll})."),
                    Some((Progress::Sending { .. }, at)) if now.get() - at > STALL_MS => format!(
                        "Azure has not answered for {} s. The connection may be stuck: keep waiting, or Close and try again.",
                        whole_secs(now.get() - at)
                    ),
                    Some((Progress::Sending { poll: 0 }, _)) | None => "Asking Azure for the health of this rule's backends.".to_owned(),
                    Some((Progress::Sending { poll }, _)) => format!("Checking whether the result is ready (check {poll})."),
                };
                view! {
                    <div class="progress" role="status">
                        <progress aria-label="Checking backend health"></progress>
                        <p>{phase}<span class="elapsed">{format!(" {elapsed} s elapsed.")}</span></p>
                        <p class="muted">"Azure can take a few minutes to gather backend health; this panel keeps checking until it answers."</p>
                    </div>
                }
            })}
            {move || error.get().map(|e| view! { <ErrorView error=e retry=Callback::new({ let r = run.clone(); move |_| r() })/> })}
            {move || result.get().map(|c| view! { <Results checked=c open_tip=open_tip/> })}
        </dialog>
    }
}

#[component]
fn Results(checked: Checked, open_tip: RwSignal<Option<String>>) -> impl IntoView {
    let s = checked.summary;
    let meta = format!(
        "Checked at {} · took {} · {} status {}",
        checked.at,
        tenths(checked.took_ms),
        checked.polls,
        if checked.polls == 1 { "check" } else { "checks" }
    );
    view! {
        <div class="counts" role="group" aria-label="Backend health summary">
            <span class="count up"><span aria-hidden="true">"✔ "</span><strong>{s.up}</strong>" Up"</span>
            <span class="count down"><span aria-hidden="true">"✖ "</span><strong>{s.down}</strong>" Down"</span>
            {(s.unknown > 0).then(|| view! { <span class="count unknown"><span aria-hidden="true">"? "</span><strong>{s.unknown}</strong>" Unknown"</span> })}
        </div>
        <p class="muted">{meta}</p>
        {s.reported_mismatch.map(|(u, d)| view! {
            <p class="note">{format!("Azure's own totals say {u} Up and {d} Down; the counts above are from the rows below.")}</p>
        })}
        {if s.rows.is_empty() {
            view! { <p class="empty">"Azure returned no backends for this rule. The backend pool may be empty."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                <table class="grid health">
                    <caption class="sr-only">"Backend instances"</caption>
                    <thead><tr>
                        <th scope="col">"Backend instance"</th><th scope="col">"IP address"</th>
                        <th scope="col">"State"</th><th scope="col">"Reason"</th>
                    </tr></thead>
                    <tbody>{s.rows.into_iter().enumerate().map(|(i, row)| {
                        let (icon, class) = match row.state {
                            State::Up => ("✔", "state up"),
                            State::Down => ("✖", "state down"),
                            State::Unknown => ("?", "state unknown"),
                        };
                        let label = format!("Explain reason for {}", row.instance);
                        view! {
                            <tr>
                                <td>{row.instance.clone()}</td>
                                <td class="mono">{if row.ip.is_empty() { "—".to_owned() } else { row.ip.clone() }}</td>
                                <td><span class=class><span aria-hidden="true">{icon}" "</span>{row.state.label()}</span></td>
                                <td class="reason">
                                    <span>{row.reason.portal_text.clone()}</span>
                                    <ReasonTip id=format!("reason-tip-{i}") label=label reason=row.reason open_tip=open_tip/>
                                </td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
                </div>
            }.into_any()
        }}
    }
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
