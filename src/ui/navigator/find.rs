//! One Azure Resource Graph query across every subscription the user can read: the way
//! to a load balancer when its subscription is not known.

use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::arm::client::{graph_query, ArmClient, Cancel, GRAPH_TOP};
use crate::arm::error::ArmError;
use crate::arm::id::LoadBalancerId;
use crate::arm::model::{GraphAnswer, GraphLoadBalancer};
use crate::ui::breadcrumbs::ScreenLink;
use crate::ui::load::arm_resource;
use crate::ui::{ErrorView, Loading, Screen};

/// What a search found.
#[derive(Clone)]
struct Search {
    found: Result<GraphAnswer, ArmError>,
    /// Resource Graph's error, when the results came from listing each subscription.
    graph_error: Option<ArmError>,
}

/// Resource Graph first; when it answers with an error (not reachable, not registered,
/// refused), each subscription is listed instead. `None` for text that is no search.
async fn search(client: Rc<ArmClient>, text: String, cancel: Cancel) -> Option<Search> {
    match client.find_load_balancers(&text, &cancel).await? {
        Err(e) if e.status.is_some() => Some(Search {
            found: client.find_by_listing(&text, &cancel).await,
            graph_error: Some(e),
        }),
        found => Some(Search {
            found,
            graph_error: None,
        }),
    }
}

/// `sub_name` turns a subscription id into the name the user knows it by.
#[component]
pub fn FindLoadBalancer(sub_name: Callback<String, String>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    // The text of the last search submitted; each submit searches again.
    let asked = RwSignal::new(None::<String>);
    let found = arm_resource(move |client, cancel, _| {
        let asked = asked.get();
        async move {
            match asked {
                Some(text) => search(client, text, cancel).await,
                None => None,
            }
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked();
        if graph_query(&t).is_none() {
            problem.set(Some(
                "Type part of a load balancer name: letters, digits, '.', '_' and '-' only.".into(),
            ));
            return;
        }
        problem.set(None);
        asked.set(Some(t));
    };
    view! {
        <form class="find" role="search" aria-label="Find a load balancer" on:submit=submit>
            <label for="lb-find">"Find a load balancer in every subscription "</label>
            <input id="lb-find" type="search" autocomplete="off" spellcheck="false" placeholder="Part of its name"
                prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/>
            <button type="submit">"Search"</button>
        </form>
        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        <Show when=move || asked.with(Option::is_some)>
            {move || match found.data.get() {
                None => view! { <Loading what="matching load balancers"/> }.into_any(),
                Some(s) => s.map(|s| view! { <Found search=s sub_name=sub_name/> }).into_any(),
            }}
        </Show>
    }
}

#[component]
fn Found(search: Search, sub_name: Callback<String, String>) -> impl IntoView {
    let fell_back = search.graph_error.map(|e| {
        view! {
            <p class="note">{format!(
                "Azure Resource Graph answered with an error ({}{}), so each subscription was listed instead.",
                e.code.unwrap_or_else(|| "no code".into()),
                e.status.map(|s| format!(", HTTP {s}")).unwrap_or_default()
            )}</p>
        }
    });
    let outcome = match search.found {
        Err(e) => view! { <ErrorView error=e/> }.into_any(),
        Ok(found) if found.data.is_empty() => view! {
            <p class="empty" role="status">"No load balancer with that in its name, in the subscriptions this account can read."</p>
        }
        .into_any(),
        Ok(found) => view! { <FoundTable found=found sub_name=sub_name/> }.into_any(),
    };
    view! { {fell_back} {outcome} }
}

#[component]
fn FoundTable(found: GraphAnswer, sub_name: Callback<String, String>) -> impl IntoView {
    let shown = found.data.len();
    let cut = (found.total_records > shown as u64).then(|| {
        format!(
            "Showing the first {} of {}; type more of the name to narrow it.",
            shown.min(GRAPH_TOP as usize),
            found.total_records
        )
    });
    view! {
        <p class="muted" role="status">{format!("{shown} found. ")}{cut}</p>
        <table class="grid">
            <caption class="sr-only">"Load balancers found"</caption>
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Resource group"</th><th scope="col">"Subscription"</th><th scope="col">"Location"</th></tr></thead>
            <tbody>{found.data.into_iter().map(|lb| view! { <FoundRow lb=lb sub_name=sub_name/> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn FoundRow(lb: GraphLoadBalancer, sub_name: Callback<String, String>) -> impl IntoView {
    let sub = sub_name.run(lb.subscription_id);
    let cell = match LoadBalancerId::parse(&lb.id) {
        Ok(id) => {
            view! { <ScreenLink label=lb.name to=Screen::Rules { sub_name: sub.clone(), lb: id }/> }
                .into_any()
        }
        Err(_) => view! { <span>{lb.name}" (malformed id)"</span> }.into_any(),
    };
    view! { <tr><td>{cell}</td><td>{lb.resource_group}</td><td>{sub}</td><td>{lb.location}</td></tr> }
}
