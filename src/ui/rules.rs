//! One load balancer: its description (read once per visit and reused by the panel)
//! and the portal's "Load balancing rules" list with a Health status column.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::load::load;
use super::{ErrorView, HealthPanel, Loading};
use crate::arm::id::LoadBalancerId;
use crate::health::summary::RuleContext;

#[component]
pub fn Rules(sub_name: String, lb: LoadBalancerId) -> impl IntoView {
    let _ = sub_name;
    let lb_for_load = lb.clone();
    let (data, reload) = load(move |client, cancel| {
        let id = lb_for_load.clone();
        async move { client.load_balancer(&id, &cancel).await }
    });
    let open = RwSignal::new(None::<usize>);
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let close = Callback::new(move |_: ()| {
        open.set(None);
        // The dialog is gone; put focus back where the user was, as the portal does not.
        if let Some(el) = opener.get_value() {
            let _ = el.focus();
        }
    });
    let lb_name = lb.name.clone();
    view! {
        <h1>{lb_name}</h1>
        {move || match data.get() {
            None => view! { <Loading what="the load balancer"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_any(),
            Some(Ok(desc)) => {
                let rules = RuleContext::all(&desc);
                let sku = if desc.sku.tier.is_empty() { desc.sku.name.clone() } else { format!("{} ({})", desc.sku.name, desc.sku.tier) };
                let note = match desc.sku.tier.as_str() {
                    "Global" => Some("Cross-region load balancer: its backends are regional load balancers, shown by their frontend."),
                    _ if desc.sku.name == "Gateway" => Some("Gateway load balancer: Azure does not report per-backend health for it."),
                    _ => None,
                };
                let rules_for_panel = rules.clone();
                let lb_id = lb.clone();
                view! {
                    <dl class="facts">
                        <div><dt>"SKU"</dt><dd>{sku}</dd></div>
                        <div><dt>"Location"</dt><dd>{desc.location.clone()}</dd></div>
                        <div><dt>"Resource group"</dt><dd>{lb.resource_group.clone()}</dd></div>
                        <div><dt>"Rules"</dt><dd>{rules.len()}</dd></div>
                    </dl>
                    {note.map(|n| view! { <p class="note">{n}</p> })}
                    <h2 id="rules-heading">"Load balancing rules"</h2>
                    {if rules.is_empty() {
                        view! { <p class="empty">"This load balancer has no load balancing rules."</p> }.into_any()
                    } else {
                        view! {
                            <table class="grid" aria-labelledby="rules-heading">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Protocol"</th><th scope="col">"Ports"</th>
                                    <th scope="col">"Backend pool"</th><th scope="col">"Health probe"</th><th scope="col">"Health status"</th>
                                </tr></thead>
                                <tbody>{rules.into_iter().enumerate().map(|(i, r)| {
                                    let status = match r.unavailable {
                                        Some(u) => view! {
                                            <details class="unavailable"><summary>{u.short()}</summary><p>{u.message()}</p></details>
                                        }.into_any(),
                                        None => view! {
                                            <button type="button" class="linklike" aria-label=format!("View details for {}", r.name)
                                                on:click=move |ev| {
                                                    let el = ev.current_target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
                                                    opener.set_value(el);
                                                    open.set(Some(i));
                                                }>"View details"</button>
                                        }.into_any(),
                                    };
                                    view! {
                                        <tr>
                                            <td>{r.name.clone()}</td>
                                            <td>{r.protocol.clone()}</td>
                                            <td>{format!("{} → {}", r.frontend_port, r.backend_port)}</td>
                                            <td>{r.backend_pool.clone()}</td>
                                            <td>{r.probe_name.clone().unwrap_or_else(|| "None".into())}</td>
                                            <td>{status}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    {move || open.get().and_then(|i| rules_for_panel.get(i).cloned()).map(|rule| {
                        let rule_id = lb_id.rule(&rule.name);
                        view! { <HealthPanel rule=rule rule_id=rule_id on_close=close/> }
                    })}
                }.into_any()
            }
        }}
    }
}
