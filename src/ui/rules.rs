//! One load balancer: its description (read once per visit and reused by the panel),
//! the health of every probed rule checked at once (four at a time), and the portal's
//! "Load balancing rules" list whose Health status column shows each rule's result.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::data_path::LazyDataPath;
use super::error_view::PartUnavailable;
use super::load::arm_resource;
use super::panel::{check_rule, Checked};
use super::{use_app, ErrorView, HealthPanel, Loading, Screen};
use crate::arm::client::{ArmClient, Cancel};
use crate::arm::error::ArmError;
use crate::arm::id::{LoadBalancerId, RuleId};
use crate::arm::model::{LoadBalancer, ProbeProperties};
use crate::health::catalog::State;
use crate::health::summary::RuleContext;

/// Health checks running at once when a load balancer opens: ARM throttles per
/// principal, and four keeps a 20-rule load balancer quick without a burst.
const PARALLEL: usize = 4;

/// The button that opened the panel, to give focus back to when it closes.
type Opener = StoredValue<Option<web_sys::HtmlElement>, LocalStorage>;

#[derive(Clone, PartialEq)]
enum RuleStatus {
    Unavailable,
    Waiting,
    Checking,
    Done(Checked),
    Failed(ArmError),
}

#[component]
pub fn Rules(lb: LoadBalancerId) -> impl IntoView {
    let ctx = use_app();
    let statuses = RwSignal::new(Vec::<RuleStatus>::new());
    // The rules' checks share the load's cancel handle: a Retry, and leaving the load
    // balancer, cancel them too.
    let desc = {
        let lb = lb.clone();
        arm_resource(move |client, c, progress| {
            let lb = lb.clone();
            async move {
                let desc = client.load_balancer(&lb, &c, &*progress).await;
                if let (false, Ok(desc)) = (c.is_cancelled(), &desc) {
                    let sub_name = ctx.screen.with_untracked(|s| match s {
                        Screen::Rules { sub_name, .. } => sub_name.clone(),
                        _ => String::new(),
                    });
                    super::navigator::recent::remember(ctx.is_demo(), &lb, &sub_name);
                    check_all(desc, &lb, statuses, &c, client);
                }
                desc
            }
        })
    };
    let opener: Opener = StoredValue::new_local(None);
    let lb_for_panel = lb.clone();
    view! {
        <h1>{lb.name.clone()}</h1>
        {move || match desc.data.get() {
            None => view! { <Loading what="the load balancer" waiting=desc.waiting/> }.into_any(),
            Some(Ok(d)) => view! { <LoadBalancerView desc=d lb=lb.clone() statuses=statuses opener=opener/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| desc.data.refetch()/> }.into_any(),
        }}
        {move || {
            desc.data.get()
                .and_then(Result::ok)
                .map(|d| {
                    let rules = RuleContext::all(&d);
                    view! { <OpenPanel rules=rules lb=lb_for_panel.clone() statuses=statuses opener=opener/> }
                })
        }}
    }
}

#[component]
fn LoadBalancerView(
    desc: LoadBalancer,
    lb: LoadBalancerId,
    statuses: RwSignal<Vec<RuleStatus>>,
    opener: Opener,
) -> impl IntoView {
    let rules = RuleContext::all(&desc);
    let count = rules.len();
    let note = match desc.sku.tier.as_str() {
        "Global" => Some("Cross-region load balancer: its backends are regional load balancers, shown by their frontend."),
        _ if desc.sku.name == "Gateway" => Some("Gateway load balancer: Azure does not report per-backend health for it."),
        _ => None,
    };
    let table = if rules.is_empty() {
        view! { <p class="empty">"This load balancer has no load balancing rules."</p> }.into_any()
    } else {
        view! { <RulesTable rules=rules statuses=statuses opener=opener/> }.into_any()
    };
    view! {
        <dl class="facts">
            <div><dt>"SKU"</dt><dd>{desc.sku.label()}</dd></div>
            <div><dt>"Location"</dt><dd>{desc.location.clone()}</dd></div>
            <div><dt>"Resource group"</dt><dd>{lb.resource_group.clone()}</dd></div>
            <div><dt>"Rules"</dt><dd>{count}</dd></div>
        </dl>
        {note.map(|n| view! { <p class="note">{n}</p> })}
        <LbSummary statuses=statuses/>
        <h2 id="rules-heading">"Load balancing rules"</h2>
        {table}
        <LazyDataPath lb=lb sku=desc.sku.name.clone()/>
    }
}

#[component]
fn RulesTable(
    rules: Vec<RuleContext>,
    statuses: RwSignal<Vec<RuleStatus>>,
    opener: Opener,
) -> impl IntoView {
    view! {
        <div class="scroll-x">
            <table class="grid cards" aria-labelledby="rules-heading">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Protocol"</th>
                        <th scope="col">"Ports"</th>
                        <th scope="col">"Backend pool"</th>
                        <th scope="col">"Health probe"</th>
                        <th scope="col">"Health status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rules
                        .into_iter()
                        .enumerate()
                        .map(|(i, rule)| view! { <RuleRow i=i rule=rule statuses=statuses opener=opener/> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RuleRow(
    i: usize,
    rule: RuleContext,
    statuses: RwSignal<Vec<RuleStatus>>,
    opener: Opener,
) -> impl IntoView {
    let ctx = use_app();
    let status = match rule.unavailable {
        Some(u) => view! {
            <details class="unavailable">
                <summary>{u.short()}</summary>
                <p>{u.message()}</p>
            </details>
        }
        .into_any(),
        None => {
            let name = rule.name.clone();
            view! {
                <span class="rule-status">{move || status_text(statuses.with(|s| s.get(i).cloned()))}</span>
                " "
                <button
                    type="button"
                    class="linklike"
                    aria-label=format!("View details for {name}")
                    on:click=move |ev| {
                        opener.set_value(ev.current_target().and_then(|t| t.dyn_into().ok()));
                        ctx.panel.set(Some(name.clone()));
                    }
                >
                    "View details"
                </button>
            }
            .into_any()
        }
    };
    view! {
        <tr>
            <td>{rule.name}</td>
            <td data-label="Protocol">{rule.protocol}</td>
            <td data-label="Ports">{format!("{} → {}", rule.frontend_port, rule.backend_port)}</td>
            <td data-label="Backend pool">{rule.backend_pool}</td>
            <td data-label="Health probe">{rule.probe_name.unwrap_or_else(|| "None".into())}</td>
            <td data-label="Health status">{status}</td>
        </tr>
    }
}

/// The health panel of the rule named in `AppCtx::panel`, if there is one.
#[component]
fn OpenPanel(
    rules: Vec<RuleContext>,
    lb: LoadBalancerId,
    statuses: RwSignal<Vec<RuleStatus>>,
    opener: Opener,
) -> impl IntoView {
    let ctx = use_app();
    let rules = StoredValue::new(rules);
    // The rule asked for, by its index: a link may name a rule that is not there, or
    // one without health to show; either is said once and the panel stays closed.
    let find = move |name: &str| {
        rules.with_value(|rules| {
            let i = rules.iter().position(|r| r.name.eq_ignore_ascii_case(name));
            match i.map(|i| (i, &rules[i])) {
                None => Err(format!("This load balancer has no rule named '{name}'.")),
                Some((_, r)) if r.unavailable.is_some() => Err(format!(
                    "{}: {}",
                    r.name,
                    r.unavailable.as_ref().map_or("", |u| u.message())
                )),
                Some((i, _)) => Ok(i),
            }
        })
    };
    Effect::new(move || {
        let Some(name) = ctx.panel.get() else { return };
        if let Err(notice) = find(&name) {
            ctx.notices.update(|n| n.push(notice));
            ctx.panel.set(None);
        }
    });
    let close = Callback::new(move |()| {
        let name = ctx.panel.get_untracked();
        ctx.panel.set(None);
        // Put focus back on the button that opened the panel (or, after a deep link,
        // on that rule's button), as the portal does not.
        let el = opener.get_value().or_else(|| {
            let doc = web_sys::window()?.document()?;
            let sel = format!("button[aria-label=\"View details for {}\"]", name?);
            doc.query_selector(&sel).ok()??.dyn_into().ok()
        });
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
    // The panel is one click away: fetch its code now, while the list's checks run, so
    // opening it does not wait for the network (and the demo has it offline). A failure
    // here is not shown: opening the panel tries again and says so if it fails.
    spawn_local(async {
        if preload_health_panel().await.is_ok() {
            // For the demo offline: the service worker may not have seen this fetch.
            crate::http::offline::keep_loaded();
        }
    });
    let retry = Trigger::new();
    move || {
        let i = find(&ctx.panel.get()?).ok()?;
        let rule = rules.with_value(|r| r[i].clone());
        // A memo: other rules finishing must not re-deliver this rule's result.
        let list_result = Memo::new(move |_| {
            statuses.with(|s| match s.get(i) {
                Some(RuleStatus::Done(c)) => Some(Ok(c.clone())),
                Some(RuleStatus::Failed(e)) => Some(Err(e.clone())),
                _ => None,
            })
        });
        let on_result = Callback::new(move |c: Checked| {
            statuses.update(|s| {
                if let Some(slot) = s.get_mut(i) {
                    *slot = RuleStatus::Done(c);
                }
            })
        });
        let rule_id = lb.rule(&rule.name);
        retry.track();
        let args = PanelArgs {
            rule,
            rule_id,
            list_result,
            on_result,
            on_close: close,
        };
        Some(Suspend::new(async move {
            match health_panel(args).await {
                Ok(view) => view,
                Err(_) => {
                    view! { <PartUnavailable what="The health panel" retry=retry on_close=close/> }
                        .into_any()
                }
            }
        }))
    }
}

/// What the panel is opened with (one value, as a split function's arguments must be
/// concrete types).
struct PanelArgs {
    rule: RuleContext,
    rule_id: Result<RuleId, crate::arm::id::IdError>,
    list_result: Memo<Option<Result<Checked, ArmError>>>,
    on_result: Callback<Checked>,
    on_close: Callback<()>,
}

// The panel's code is a wasm part of its own in the page's release build (the `split`
// feature, `xtask/src/split.rs`), preloaded once a rules list shows, so a panel rarely
// waits for it. This is the macro under Leptos's `#[lazy]`, used for its `fallible`
// option: a chunk that fails to download becomes an `Err` the page can offer to retry,
// where `#[lazy]` would abort the module.
#[cfg(lbh_split)]
#[leptos::wasm_split::wasm_split(
    health_panel,
    fallible,
    preload(preload_health_panel),
    wasm_split_path = ::leptos::wasm_split
)]
fn health_panel(args: PanelArgs) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel_view(args))
}

#[cfg(not(lbh_split))]
async fn health_panel(args: PanelArgs) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(panel_view(args))
}

#[cfg(not(lbh_split))]
async fn preload_health_panel() -> Result<(), leptos::wasm_split::SplitLoaderError> {
    Ok(())
}

fn panel_view(a: PanelArgs) -> AnyView {
    view! {
        <HealthPanel
            rule=a.rule
            rule_id=a.rule_id
            list_result=a.list_result
            on_result=a.on_result
            on_close=a.on_close
        />
    }
    .into_any()
}

fn status_text(s: Option<RuleStatus>) -> String {
    match s {
        Some(RuleStatus::Done(c)) => {
            let s = &c.summary;
            let mut t = format!("✔ {} Up, ✖ {} Down", s.up, s.down);
            if s.unknown > 0 {
                t.push_str(&format!(", ? {} Unknown", s.unknown));
            }
            t
        }
        Some(RuleStatus::Failed(e)) => format!(
            "⚠ Not checked ({})",
            e.code
                .clone()
                .unwrap_or_else(|| super::error_view::headline(&e).0.to_owned())
        ),
        Some(RuleStatus::Checking) | Some(RuleStatus::Waiting) => "Checking…".into(),
        Some(RuleStatus::Unavailable) | None => String::new(),
    }
}

/// The whole load balancer in a line: rules, distinct backends, and how many are Down.
#[component]
fn LbSummary(statuses: RwSignal<Vec<RuleStatus>>) -> impl IntoView {
    let line = move || {
        statuses.with(|all| {
            let done: Vec<&Checked> = all
                .iter()
                .filter_map(|s| if let RuleStatus::Done(c) = s { Some(c) } else { None })
                .collect();
            let pending = all.iter().filter(|s| matches!(s, RuleStatus::Waiting | RuleStatus::Checking)).count();
            let mut backends: Vec<(&str, &str, bool)> = Vec::new();
            for c in &done {
                for r in &c.summary.rows {
                    let down = r.state == State::Down;
                    match backends.iter_mut().find(|b| b.0 == r.instance && b.1 == r.ip) {
                        Some(b) => b.2 |= down,
                        None => backends.push((&r.instance, &r.ip, down)),
                    }
                }
            }
            let down = backends.iter().filter(|b| b.2).count();
            let checkable = all.iter().filter(|s| !matches!(s, RuleStatus::Unavailable)).count();
            (!all.is_empty()).then(|| {
                format!(
                    "{} of {checkable} rules checked · {} distinct backends · {down} Down in at least one rule{}",
                    done.len(),
                    backends.len(),
                    if pending > 0 { " · checking…" } else { "" }
                )
            })
        })
    };
    move || {
        line().map(|text| view! { <p class="lb-summary" role="status" aria-label="Load balancer summary">{text}</p> })
    }
}

/// Starts a health check of every rule that has one, `PARALLEL` at a time; `cancel`
/// stops them all.
fn check_all(
    desc: &LoadBalancer,
    lb: &LoadBalancerId,
    statuses: RwSignal<Vec<RuleStatus>>,
    cancel: &Cancel,
    client: Rc<ArmClient>,
) {
    let rules = RuleContext::all(desc);
    statuses.set(
        rules
            .iter()
            .map(|r| {
                if r.unavailable.is_some() {
                    RuleStatus::Unavailable
                } else {
                    RuleStatus::Waiting
                }
            })
            .collect(),
    );
    let work: Rc<Vec<(usize, RuleId, Option<ProbeProperties>)>> = Rc::new(
        rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unavailable.is_none())
            .filter_map(|(i, r)| lb.rule(&r.name).ok().map(|id| (i, id, r.probe.clone())))
            .collect(),
    );
    let next = Rc::new(Cell::new(0usize));
    for _ in 0..PARALLEL.min(work.len()) {
        let (work, next, cancel, client) =
            (work.clone(), next.clone(), cancel.clone(), client.clone());
        spawn_local(async move {
            loop {
                let k = next.get();
                if k >= work.len() || cancel.is_cancelled() {
                    break;
                }
                next.set(k + 1);
                let (i, id, probe) = &work[k];
                let i = *i;
                statuses.update(|s| {
                    if let Some(slot) = s.get_mut(i) {
                        *slot = RuleStatus::Checking
                    }
                });
                let outcome = check_rule(&client, id, probe.as_ref(), &cancel, &|_| {}).await;
                if cancel.is_cancelled() {
                    break;
                }
                let status = match outcome {
                    Ok(c) => RuleStatus::Done(c),
                    Err(e) => RuleStatus::Failed(e),
                };
                statuses.update(|s| {
                    if let Some(slot) = s.get_mut(i) {
                        *slot = status
                    }
                });
            }
        });
    }
}
