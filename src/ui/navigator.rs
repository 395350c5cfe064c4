//! Subscription, then load balancer: the first two steps of the portal's path.

use leptos::prelude::*;

use super::load::load;
use super::{use_app, ErrorView, Loading, Screen};
use crate::arm::id::{LoadBalancerId, SubscriptionId};

#[component]
pub fn Subscriptions() -> impl IntoView {
    let ctx = use_app();
    let (data, reload) = load(|client, cancel| async move { client.subscriptions(&cancel).await });
    let query = RwSignal::new(String::new());
    view! {
        <h1>"Subscriptions"</h1>
        <p class="filter">
            <label for="sub-filter">"Filter by name or ID "</label>
            <input id="sub-filter" type="search" autocomplete="off" spellcheck="false"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
        </p>
        {move || match data.get() {
            None => view! { <Loading what="subscriptions"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_any(),
            Some(Ok(subs)) if subs.is_empty() => view! {
                <p class="empty">"This account can see no subscriptions. Check that you signed in to the right tenant."</p>
            }.into_any(),
            Some(Ok(subs)) => {
                let q = query.get();
                let subs: Vec<_> = subs.into_iter().filter(|s| s.matches(&q)).collect();
                if subs.is_empty() {
                    return view! { <p class="empty" role="status">{format!("No subscription matches \"{q}\".")}</p> }.into_any();
                }
                view! {
                <table class="grid">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Subscription ID"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>{subs.into_iter().map(|s| {
                        let parsed = SubscriptionId::parse(&s.subscription_id);
                        let name = if s.display_name.is_empty() { s.subscription_id.clone() } else { s.display_name.clone() };
                        let open = parsed.clone().ok().map(|sub| {
                            let sub_name = name.clone();
                            move |_| ctx.screen.set(Screen::LoadBalancers { sub: sub.clone(), sub_name: sub_name.clone() })
                        });
                        view! {
                            <tr>
                                <td>{match open {
                                    Some(open) => view! { <button type="button" class="linklike" on:click=open>{name}</button> }.into_any(),
                                    None => view! { <span>{name}" (malformed id)"</span> }.into_any(),
                                }}</td>
                                <td class="mono">{s.subscription_id}</td>
                                <td>{s.state}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
                }.into_any()
            }
        }}
    }
}

#[component]
pub fn LoadBalancers(sub: SubscriptionId, sub_name: String) -> impl IntoView {
    let ctx = use_app();
    let (data, reload) = load(move |client, cancel| {
        let sub = sub.clone();
        async move { client.load_balancers(&sub, &cancel).await }
    });
    let heading = format!("Load balancers in {sub_name}");
    view! {
        <h1>{heading}</h1>
        {move || match data.get() {
            None => view! { <Loading what="load balancers"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| reload()/> }.into_any(),
            Some(Ok(lbs)) if lbs.is_empty() => view! { <p class="empty">"No load balancers in this subscription."</p> }.into_any(),
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
                            let sku = if lb.sku.tier.is_empty() { lb.sku.name.clone() } else { format!("{} ({})", lb.sku.name, lb.sku.tier) };
                            let name = lb.name.clone();
                            let sub_name = sub_name.clone();
                            let cell = match id {
                                Ok(id) => view! {
                                    <button type="button" class="linklike" on:click=move |_| ctx.screen.set(Screen::Rules { sub_name: sub_name.clone(), lb: id.clone() })>{name}</button>
                                }.into_any(),
                                Err(e) => view! { <span title=e.to_string()>{name}" (malformed id)"</span> }.into_any(),
                            };
                            view! { <tr><td>{cell}</td><td>{rg}</td><td>{lb.location}</td><td>{sku}</td></tr> }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}
