//! Subscription, then load balancer: the first two steps of the portal's path.

use leptos::prelude::*;

pub(super) mod recent;

use super::load::{load, Data};
use super::{attr, attr_owned, listen, screen_link, use_app, Call, ErrorView, Loading, Screen, Slot, Stored};
use crate::arm::client::{graph_query, Cancel, GRAPH_TOP};
use crate::arm::error::ArmError;
use crate::arm::id::{LoadBalancerId, SubscriptionId};
use crate::arm::model::GraphAnswer;

#[component]
pub fn Subscriptions() -> impl IntoView {
    let (data, waiting, reload) = load(|client, cancel, progress| async move { client.subscriptions(&cancel, &*progress).await });
    let query = Slot::new(String::new());
    let sub_name = move |id: &str| -> String {
        data.with_untracked(|subs| subs.and_then(|subs| subs.iter().find(|s| s.subscription_id.eq_ignore_ascii_case(id)).map(|s| s.display_name.clone())))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_owned())
    };
    view! {
        <h1>"Subscriptions"</h1>
        <RecentLoadBalancers/>
        <FindLoadBalancer sub_name=Call::new(move |id: String| sub_name(&id))/>
        <p class="filter">
            <label for="sub-filter">"Filter by name or ID "</label>
            <input id="sub-filter" type="search" {..attr("autocomplete", "off")} {..attr("spellcheck", "false")}
                prop:value=move || wasm_bindgen::JsValue::from(query.get()) {..listen("input", move |ev| query.set(event_target_value(&ev)))}/>
        </p>
        {move || match data.get() {
            None => view! { <Loading what="subscriptions" waiting=waiting/> }.into_inner().into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_inner().into_any(),
            Some(Ok(subs)) if subs.is_empty() => view! {
                <p class="empty">"This account can see no subscriptions. Check that you signed in to the right tenant."</p>
            }.into_inner().into_any(),
            Some(Ok(subs)) => {
                let q = query.get();
                let subs: Vec<_> = subs.into_iter().filter(|s| s.matches(&q)).collect();
                if subs.is_empty() {
                    return view! { <p class="empty" role="status">{format!("No subscription matches \"{q}\".")}</p> }.into_inner().into_any();
                }
                view! {
                <table class="grid">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Subscription ID"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>{subs.into_iter().map(|s| {
                        let parsed = SubscriptionId::parse(&s.subscription_id);
                        let name = if s.display_name.is_empty() { s.subscription_id.clone() } else { s.display_name.clone() };
                        view! {
                            <tr>
                                <td>{match parsed {
                                    Ok(sub) => screen_link(name.clone(), Screen::LoadBalancers { sub, sub_name: name }).into_any(),
                                    Err(_) => view! { <span>{name}" (malformed id)"</span> }.into_inner().into_any(),
                                }}</td>
                                <td class="mono">{s.subscription_id}</td>
                                <td>{s.state}</td>
                            </tr>
                        }.into_inner().into_any()
                    }).collect_view()}</tbody>
                </table>
                }.into_inner().into_any()
            }
        }}
    }.into_inner()
}

/// Load balancers opened before in this browser, newest first.
#[component]
fn RecentLoadBalancers() -> impl IntoView {
    let ctx = use_app();
    let list = recent::load(ctx.is_demo());
    (!list.is_empty()).then(|| view! {
        <section class="recent" {..attr("aria-labelledby", "recent-heading")}>
            <h2 id="recent-heading">"Recently opened"</h2>
            <ul>{list.into_iter().map(|r| {
                let label = r.lb.name.clone();
                let detail = format!(" {} · {}", r.sub_name, r.lb.resource_group);
                view! { <li>
                    {screen_link(label, Screen::Rules { sub_name: r.sub_name, lb: r.lb })}
                    <span class="muted">{detail}</span>
                </li> }.into_inner().into_any()
            }).collect_view()}</ul>
        </section>
    }.into_inner().into_any())
}

/// One Azure Resource Graph query across every subscription the user can read: the way
/// to a load balancer when its subscription is not known.
#[component]
fn FindLoadBalancer(sub_name: Call<String, String>) -> impl IntoView {
    let ctx = use_app();
    let text = Slot::new(String::new());
    let outcome = Data::<GraphAnswer>::new();
    // Resource Graph's error, when the results came from listing each subscription instead.
    let fell_back = Slot::new(None::<ArmError>);
    let problem = Slot::new(None::<String>);
    let busy = Slot::new(false);
    let cancel = Stored::new(Cancel::default());
    on_cleanup(move || cancel.get_value().cancel());
    let search = move || {
        let t = text.get_untracked();
        if graph_query(&t).is_none() {
            problem.set(Some("Type part of a load balancer name: letters, digits, '.', '_' and '-' only.".into()));
            return;
        }
        problem.set(None);
        busy.set(true);
        cancel.get_value().cancel();
        let c = Cancel::default();
        cancel.set_value(c.clone());
        let client = ctx.client();
        leptos::task::spawn_local(async move {
            let (got, graph_error) = match client.find_load_balancers(&t, &c).await {
                Some(Err(e)) if e.status.is_some() => (Some(client.find_by_listing(&t, &c).await), Some(e)),
                other => (other, None),
            };
            if !c.is_cancelled() {
                fell_back.set(graph_error);
                outcome.set(got);
                busy.set(false);
            }
        });
    };
    view! {
        <form class="find" role="search" aria-label="Find a load balancer" {..listen("submit", move |ev: web_sys::Event| { ev.prevent_default(); search(); })}>
            <label for="lb-find">"Find a load balancer in every subscription "</label>
            <input id="lb-find" type="search" {..attr("autocomplete", "off")} {..attr("spellcheck", "false")} {..attr("placeholder", "Part of its name")}
                prop:value=move || wasm_bindgen::JsValue::from(text.get()) {..listen("input", move |ev| text.set(event_target_value(&ev)))}/>
            <button type="submit">"Search"</button>
        </form>
        {super::reactive_opt(move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> }.into_inner().into_any()))}
        {super::reactive_opt(move || busy.get().then(|| view! { <Loading what="matching load balancers"/> }.into_inner().into_any()))}
        {super::reactive_opt(move || (!busy.get()).then(|| fell_back.get()).flatten().map(|e| view! {
            <p class="note">{format!(
                "Azure Resource Graph answered with an error ({}{}), so each subscription was listed instead.",
                e.code.clone().unwrap_or_else(|| "no code".into()),
                e.status.map(|s| format!(", HTTP {s}")).unwrap_or_default()
            )}</p>
        }.into_inner().into_any()))}
        {super::reactive_opt(move || (!busy.get()).then(|| outcome.get()).flatten().map(|o| match o {
            Err(e) => view! { <ErrorView error=e/> }.into_inner().into_any(),
            Ok(found) if found.data.is_empty() => view! {
                <p class="empty" role="status">"No load balancer with that in its name, in the subscriptions this account can read."</p>
            }.into_inner().into_any(),
            Ok(found) => {
                let cut = (found.total_records > found.data.len() as u64).then(|| format!(
                    "Showing the first {} of {}; type more of the name to narrow it.", found.data.len().min(GRAPH_TOP as usize), found.total_records
                ));
                view! {
                    <p class="muted" role="status">{format!("{} found. ", found.data.len())}{cut}</p>
                    <table class="grid">
                        <caption class="sr-only">"Load balancers found"</caption>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Resource group"</th><th scope="col">"Subscription"</th><th scope="col">"Location"</th></tr></thead>
                        <tbody>{found.data.into_iter().map(|lb| {
                            let sub = sub_name.run(lb.subscription_id.clone());
                            let cell = match LoadBalancerId::parse(&lb.id) {
                                Ok(id) => screen_link(lb.name.clone(), Screen::Rules { sub_name: sub.clone(), lb: id }).into_any(),
                                Err(_) => view! { <span>{lb.name.clone()}" (malformed id)"</span> }.into_inner().into_any(),
                            };
                            view! { <tr><td>{cell}</td><td>{lb.resource_group}</td><td>{sub}</td><td>{lb.location}</td></tr> }.into_inner().into_any()
                        }).collect_view()}</tbody>
                    </table>
                }.into_inner().into_any()
            }
        }))}
    }.into_inner()
}

#[component]
pub fn LoadBalancers(sub: SubscriptionId, sub_name: String) -> impl IntoView {
    let (data, waiting, reload) = load(move |client, cancel, progress| {
        let sub = sub.clone();
        async move { client.load_balancers(&sub, &cancel, &*progress).await }
    });
    let heading = format!("Load balancers in {sub_name}");
    view! {
        <h1>{heading}</h1>
        {move || match data.get() {
            None => view! { <Loading what="load balancers" waiting=waiting/> }.into_inner().into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_inner().into_any(),
            Some(Ok(lbs)) if lbs.is_empty() => view! { <p class="empty">"No load balancers in this subscription."</p> }.into_inner().into_any(),
            Some(Ok(lbs)) => {
                let sub_name = sub_name.clone();
                view! {
                    <table class="grid">
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Resource group"</th>
                            <th scope="col">"Location"</th><th scope="col">"SKU"</th>
                        </tr></thead>
                        <tbody>{lbs.into_iter().map(|lb| {
                            let id = LoadBalancerId::parse(&lb.id);
                            let rg = id.as_ref().map(|i| i.resource_group.clone()).unwrap_or_default();
                            let sku = lb.sku.label();
                            let name = lb.name;
                            let cell = match id {
                                Ok(id) => screen_link(name, Screen::Rules { sub_name: sub_name.clone(), lb: id }).into_any(),
                                Err(e) => view! { <span {..attr_owned("title", e.to_string())}>{name}" (malformed id)"</span> }.into_inner().into_any(),
                            };
                            view! { <tr><td>{cell}</td><td>{rg}</td><td>{lb.location}</td><td>{sku}</td></tr> }.into_inner().into_any()
                        }).collect_view()}</tbody>
                    </table>
                }.into_inner().into_any()
            }
        }}
    }.into_inner()
}
