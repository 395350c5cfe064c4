//! One load balancer: its description (read once per visit and reused by the panel),
//! the health of every probed rule checked at once (four at a time), and the portal's
//! "Load balancing rules" list whose Health status column shows each rule's result.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::load::load;
use super::panel::{check_rule, Checked};
use super::{attr, listen, use_app, Call, Computed, ErrorView, HealthPanel, Loading, Slot, Stored};
use crate::arm::client::Cancel;
use crate::arm::error::ArmError;
use crate::arm::id::LoadBalancerId;
use crate::arm::model::LoadBalancer;
use crate::health::summary::RuleContext;

/// Health checks running at once when a load balancer opens: ARM throttles per
/// principal, and four keeps a 20-rule load balancer quick without a burst.
const PARALLEL: usize = 4;

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
    let lb_for_load = lb.clone();
    let (data, waiting, reload) = load(move |client, cancel, progress| {
        let id = lb_for_load.clone();
        async move { client.load_balancer(&id, &cancel, &*progress).await }
    });
    let statuses = Slot::new(Vec::<RuleStatus>::new());
    let checks = Stored::new(Cancel::default());
    on_cleanup(move || checks.get_value().cancel());
    let lb_for_checks = lb.clone();
    super::effect(move || {
        if let Some(Ok(desc)) = data.get() {
            let sub_name = ctx.screen.with_untracked(|s| match s {
                super::Screen::Rules { sub_name, .. } => sub_name.clone(),
                _ => String::new(),
            });
            super::navigator::recent::remember(ctx.is_demo(), &lb_for_checks, &sub_name);
            check_all(&desc, &lb_for_checks, statuses, checks);
        }
    });
    let opener = Stored::new(None::<web_sys::HtmlElement>);
    let close = Call::new(move |_: ()| {
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
    let lb_name = lb.name.clone();
    view! {
        <h1>{lb_name}</h1>
        {move || match data.get() {
            None => view! { <Loading what="the load balancer" waiting=waiting/> }.into_inner().into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_inner().into_any(),
            Some(Ok(desc)) => {
                let rules = RuleContext::all(&desc);
                let sku = desc.sku.label();
                let note = match desc.sku.tier.as_str() {
                    "Global" => Some("Cross-region load balancer: its backends are regional load balancers, shown by their frontend."),
                    _ if desc.sku.name == "Gateway" => Some("Gateway load balancer: Azure does not report per-backend health for it."),
                    _ => None,
                };
                let rules_for_panel = rules.clone();
                let rule_count = rules.len();
                let lb_id = lb.clone();
                view! {
                    <dl class="facts">
                        <div><dt>"SKU"</dt><dd>{sku}</dd></div>
                        <div><dt>"Location"</dt><dd>{desc.location.clone()}</dd></div>
                        <div><dt>"Resource group"</dt><dd>{lb.resource_group.clone()}</dd></div>
                        <div><dt>"Rules"</dt><dd>{rule_count.to_string()}</dd></div>
                    </dl>
                    {note.map(|n| view! { <p class="note">{n}</p> }.into_inner().into_any())}
                    <LbSummary statuses=statuses/>
                    <h2 id="rules-heading">"Load balancing rules"</h2>
                    {if rules.is_empty() {
                        view! { <p class="empty">"This load balancer has no load balancing rules."</p> }.into_inner().into_any()
                    } else {
                        view! {
                            <div class="scroll-x"><table class="grid cards" {..attr("aria-labelledby", "rules-heading")}>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Protocol"</th><th scope="col">"Ports"</th>
                                    <th scope="col">"Backend pool"</th><th scope="col">"Health probe"</th><th scope="col">"Health status"</th>
                                </tr></thead>
                                <tbody>{rules.into_iter().enumerate().map(|(i, r)| {
                                    let name = r.name.clone();
                                    let status = match r.unavailable {
                                        Some(u) => view! {
                                            <details class="unavailable"><summary>{u.short()}</summary><p>{u.message()}</p></details>
                                        }.into_inner().into_any(),
                                        None => view! {
                                            <span class="rule-status">{super::reactive_any(move || status_text(statuses.with(|s| s.get(i).cloned())))}</span>
                                            " "
                                            <button type="button" class="linklike" aria-label=format!("View details for {name}")
                                                {..listen("click", move |ev: web_sys::Event| {
                                                    let el = ev.current_target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
                                                    opener.set_value(el);
                                                    ctx.panel.set(Some(name.clone()));
                                                })}>"View details"</button>
                                        }.into_inner().into_any(),
                                    };
                                    view! {
                                        <tr>
                                            <td>{r.name.clone()}</td>
                                            <td data-label="Protocol">{r.protocol.clone()}</td>
                                            <td data-label="Ports">{format!("{} → {}", r.frontend_port, r.backend_port)}</td>
                                            <td data-label="Backend pool">{r.backend_pool.clone()}</td>
                                            <td data-label="Health probe">{r.probe_name.clone().unwrap_or_else(|| "None".into())}</td>
                                            <td data-label="Health status">{status}</td>
                                        </tr>
                                    }.into_inner().into_any()
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_inner().into_any()
                    }}
                    {super::reactive_opt(move || {
                        let name = ctx.panel.get()?;
                        let Some(i) = rules_for_panel.iter().position(|r| r.name.eq_ignore_ascii_case(&name)) else {
                            ctx.notices.update(|n| n.push(format!("This load balancer has no rule named '{name}'.")));
                            ctx.panel.set(None);
                            return None;
                        };
                        let rule = rules_for_panel[i].clone();
                        if let Some(u) = rule.unavailable {
                            ctx.notices.update(|n| n.push(format!("{}: {}", rule.name, u.message())));
                            ctx.panel.set(None);
                            return None;
                        }
                        // A memo: other rules finishing must not re-deliver this rule's result.
                        let list_result = Computed::new(move || statuses.with(|s| match s.get(i) {
                            Some(RuleStatus::Done(c)) => Some(Ok(c.clone())),
                            Some(RuleStatus::Failed(e)) => Some(Err(e.clone())),
                            _ => None,
                        }));
                        let on_result = Call::new(move |c: Checked| {
                            statuses.update(|s| if let Some(slot) = s.get_mut(i) { *slot = RuleStatus::Done(c) });
                        });
                        let rule_id = lb_id.rule(&rule.name);
                        Some(view! { <HealthPanel rule=rule rule_id=rule_id list_result=list_result on_result=on_result on_close=close/> }.into_inner().into_any())
                    })}
                }.into_inner().into_any()
            }
        }}
    }.into_inner()
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
        Some(RuleStatus::Failed(e)) => format!("⚠ Not checked ({})", e.code.clone().unwrap_or_else(|| super::error_view::headline(&e).0.to_owned())),
        Some(RuleStatus::Checking) | Some(RuleStatus::Waiting) => "Checking…".into(),
        Some(RuleStatus::Unavailable) | None => String::new(),
    }
}

/// The whole load balancer in a line: rules, distinct backends, and how many are Down.
#[component]
fn LbSummary(statuses: Slot<Vec<RuleStatus>>) -> impl IntoView {
    super::reactive_opt(move || {
        statuses.with(|all| {
            let done: Vec<&Checked> = all.iter().filter_map(|s| if let RuleStatus::Done(c) = s { Some(c) } else { None }).collect();
            let pending = all.iter().filter(|s| matches!(s, RuleStatus::Waiting | RuleStatus::Checking)).count();
            let mut backends: Vec<(&str, &str, bool)> = Vec::new();
            for c in &done {
                for r in &c.summary.rows {
                    let down = r.state == crate::health::catalog::State::Down;
                    match backends.iter_mut().find(|b| b.0 == r.instance && b.1 == r.ip) {
                        Some(b) => b.2 |= down,
                        None => backends.push((&r.instance, &r.ip, down)),
                    }
                }
            }
            let down = backends.iter().filter(|b| b.2).count();
            (!all.is_empty()).then(|| {
                let text = format!(
                    "{} of {} rules checked · {} distinct backends · {} Down in at least one rule{}",
                    done.len(),
                    all.iter().filter(|s| !matches!(s, RuleStatus::Unavailable)).count(),
                    backends.len(),
                    down,
                    if pending > 0 { " · checking…" } else { "" }
                );
                view! { <p class="lb-summary" role="status" aria-label="Load balancer summary">{text}</p> }.into_inner().into_any()
            })
        })
    })
}

/// Starts a health check of every rule that has one, `PARALLEL` at a time.
fn check_all(desc: &LoadBalancer, lb: &LoadBalancerId, statuses: Slot<Vec<RuleStatus>>, checks: Stored<Cancel>) {
    checks.get_value().cancel();
    let cancel = Cancel::default();
    checks.set_value(cancel.clone());
    let rules = RuleContext::all(desc);
    statuses.set(rules.iter().map(|r| if r.unavailable.is_some() { RuleStatus::Unavailable } else { RuleStatus::Waiting }).collect());
    let work: Rc<Vec<(usize, crate::arm::id::RuleId, Option<crate::arm::model::ProbeProperties>)>> = Rc::new(
        rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unavailable.is_none())
            .filter_map(|(i, r)| lb.rule(&r.name).ok().map(|id| (i, id, r.probe.clone())))
            .collect(),
    );
    let next = Rc::new(Cell::new(0usize));
    let client = use_app().client();
    for _ in 0..PARALLEL.min(work.len()) {
        let (work, next, cancel, client) = (work.clone(), next.clone(), cancel.clone(), client.clone());
        spawn_local(async move {
            loop {
                let k = next.get();
                if k >= work.len() || cancel.is_cancelled() {
                    break;
                }
                next.set(k + 1);
                let (i, id, probe) = &work[k];
                let i = *i;
                statuses.update(|s| if let Some(slot) = s.get_mut(i) { *slot = RuleStatus::Checking });
                let outcome = check_rule(&client, id, probe.as_ref(), &cancel, &|_| {}).await;
                if cancel.is_cancelled() {
                    break;
                }
                let status = match outcome {
                    Ok(c) => RuleStatus::Done(c),
                    Err(e) => RuleStatus::Failed(e),
                };
                statuses.update(|s| if let Some(slot) = s.get_mut(i) { *slot = status });
            }
        });
    }
}
