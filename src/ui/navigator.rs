//! Subscription, then load balancer: the first two steps of the portal's path.

use leptos::prelude::*;

mod find;
pub(super) mod recent;

use super::breadcrumbs::ScreenLink;
use super::load::arm_resource;
use super::{use_app, ErrorView, Loading, Screen};
use crate::arm::id::{LoadBalancerId, SubscriptionId};
use crate::arm::model::{LoadBalancer, Subscription};

#[component]
pub fn Subscriptions() -> impl IntoView {
    let subs = arm_resource(|client, cancel, progress| async move {
        client.subscriptions(&cancel, &*progress).await
    });
    let query = RwSignal::new(String::new());
    // Resource Graph names a load balancer's subscription by id; the list, once it is
    // here, has the name.
    let sub_name = Callback::new(move |id: String| {
        subs.data
            .with_untracked(|subs| match subs {
                Some(Ok(subs)) => subs
                    .iter()
                    .find(|s| s.subscription_id.eq_ignore_ascii_case(&id))
                    .map(|s| s.display_name.clone()),
                _ => None,
            })
            .filter(|n| !n.is_empty())
            .unwrap_or(id)
    });
    view! {
        <h1>"Subscriptions"</h1>
        <p class="estate-entry">
            <ScreenLink label="Estate overview" to=Screen::Estate/>
            <span class="muted">" every load balancer you can read, with its probe health over the last 15 minutes, worst first"</span>
        </p>
        <RecentLoadBalancers/>
        <find::FindLoadBalancer sub_name=sub_name/>
        <p class="filter">
            <label for="sub-filter">"Filter by name or ID "</label>
            <input id="sub-filter" type="search" autocomplete="off" spellcheck="false"
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
        </p>
        {move || match subs.data.get() {
            None => view! { <Loading what="subscriptions" waiting=subs.waiting/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |()| subs.data.refetch()/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <p class="empty">"This account can see no subscriptions. Check that you signed in to the right tenant."</p>
            }
            .into_any(),
            Some(Ok(list)) => view! { <SubscriptionTable subs=list query=query.read_only()/> }.into_any(),
        }}
    }
}

/// The subscriptions whose name or id contains the filter's text.
#[component]
fn SubscriptionTable(subs: Vec<Subscription>, query: ReadSignal<String>) -> impl IntoView {
    move || {
        let q = query.get();
        let shown: Vec<Subscription> = subs.iter().filter(|s| s.matches(&q)).cloned().collect();
        if shown.is_empty() {
            return view! { <p class="empty" role="status">{format!("No subscription matches \"{q}\".")}</p> }.into_any();
        }
        view! {
            <table class="grid">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Subscription ID"</th><th scope="col">"State"</th></tr></thead>
                <tbody>{shown.into_iter().map(|s| view! { <SubscriptionRow sub=s/> }).collect_view()}</tbody>
            </table>
        }
        .into_any()
    }
}

#[component]
fn SubscriptionRow(sub: Subscription) -> impl IntoView {
    let name = if sub.display_name.is_empty() {
        sub.subscription_id.clone()
    } else {
        sub.display_name
    };
    let cell = match SubscriptionId::parse(&sub.subscription_id) {
        Ok(id) => view! { <ScreenLink label=name.clone() to=Screen::LoadBalancers { sub: id, sub_name: name }/> }.into_any(),
        Err(_) => view! { <span>{name}" (malformed id)"</span> }.into_any(),
    };
    view! {
        <tr>
            <td>{cell}</td>
            <td class="mono">{sub.subscription_id}</td>
            <td>{sub.state}</td>
        </tr>
    }
}

/// Load balancers opened before in this browser, newest first.
#[component]
fn RecentLoadBalancers() -> impl IntoView {
    let ctx = use_app();
    let list = recent::load(ctx.is_demo());
    (!list.is_empty()).then(|| {
        view! {
            <section class="recent" aria-labelledby="recent-heading">
                <h2 id="recent-heading">"Recently opened"</h2>
                <ul>
                    {list.into_iter().map(|r| {
                        let detail = format!(" {} · {}", r.sub_name, r.lb.resource_group);
                        view! {
                            <li>
                                <ScreenLink label=r.lb.name.clone() to=Screen::Rules { sub_name: r.sub_name, lb: r.lb }/>
                                <span class="muted">{detail}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
pub fn LoadBalancers(sub: SubscriptionId, sub_name: String) -> impl IntoView {
    let lbs = arm_resource(move |client, cancel, progress| {
        let sub = sub.clone();
        async move { client.load_balancers(&sub, &cancel, &*progress).await }
    });
    let heading = format!("Load balancers in {sub_name}");
    view! {
        <h1>{heading}</h1>
        {move || match lbs.data.get() {
            None => view! { <Loading what="load balancers" waiting=lbs.waiting/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |()| lbs.data.refetch()/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="empty">"No load balancers in this subscription."</p> }.into_any(),
            Some(Ok(list)) => view! { <LoadBalancerTable lbs=list sub_name=sub_name.clone()/> }.into_any(),
        }}
    }
}

#[component]
fn LoadBalancerTable(lbs: Vec<LoadBalancer>, sub_name: String) -> impl IntoView {
    view! {
        <table class="grid">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Resource group"</th>
                <th scope="col">"Location"</th><th scope="col">"SKU"</th>
            </tr></thead>
            <tbody>{lbs.into_iter().map(|lb| view! { <LoadBalancerRow lb=lb sub_name=sub_name.clone()/> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn LoadBalancerRow(lb: LoadBalancer, sub_name: String) -> impl IntoView {
    let sku = lb.sku.label();
    let (rg, cell) = match LoadBalancerId::parse(&lb.id) {
        Ok(id) => (
            id.resource_group.clone(),
            view! { <ScreenLink label=lb.name to=Screen::Rules { sub_name, lb: id }/> }.into_any(),
        ),
        Err(e) => (
            String::new(),
            view! { <span title=e.to_string()>{lb.name}" (malformed id)"</span> }.into_any(),
        ),
    };
    view! { <tr><td>{cell}</td><td>{rg}</td><td>{lb.location}</td><td>{sku}</td></tr> }
}
