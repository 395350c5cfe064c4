//! The filtered rows grouped by reason, most common first: what is wrong, how often,
//! and where. Picking a group filters the table to it.

use leptos::prelude::*;

use super::state::state_badge;
use crate::health::catalog::State;
use crate::health::summary::Row;
use crate::health::table::reason_groups;

/// Instances named in a group's row before "and N more".
const NAMES: usize = 8;

struct Group {
    code: String,
    portal: String,
    state: State,
    count: usize,
    names: Vec<String>,
}

fn groups_of(rows: &[Row], shown: &[usize]) -> Vec<Group> {
    let subset: Vec<Row> = shown.iter().map(|&i| rows[i].clone()).collect();
    reason_groups(&subset)
        .into_iter()
        .map(|(code, portal, state, count)| {
            let names = subset
                .iter()
                .filter(|r| r.reason.code.eq_ignore_ascii_case(&code))
                .take(NAMES)
                .map(|r| r.instance.clone())
                .collect();
            Group {
                code,
                portal,
                state,
                count,
                names,
            }
        })
        .collect()
}

#[component]
pub(super) fn ReasonGroups(
    rows: StoredValue<Vec<Row>>,
    shown: Memo<Vec<usize>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let groups = shown.with(|idx| rows.with_value(|all| groups_of(all, idx)));
    if groups.is_empty() {
        return view! { <p class="empty" role="status">"No backend matches the filters."</p> }
            .into_any();
    }
    view! {
        <table class="grid groups cards">
            <caption class="sr-only">"Backends by reason"</caption>
            <thead>
                <tr>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Backends"</th>
                    <th scope="col">"Instances"</th>
                </tr>
            </thead>
            <tbody>
                {groups
                    .into_iter()
                    .map(|group| view! { <GroupRow group=group on_pick=on_pick/> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn GroupRow(group: Group, on_pick: Callback<String>) -> impl IntoView {
    let Group {
        code,
        portal,
        state,
        count,
        names,
    } = group;
    let more = count.saturating_sub(names.len());
    let instances = if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    };
    let label = if code.is_empty() {
        "Not retrievable".to_owned()
    } else {
        code.clone()
    };
    let heading = if portal.is_empty() {
        label.clone()
    } else {
        portal
    };
    view! {
        <tr>
            <td>
                <span>{heading}</span>
                <br/>
                <span class="muted mono">{label.clone()}</span>
            </td>
            <td>{state_badge(state)}</td>
            <td data-label="Backends">{count}</td>
            <td data-label="Instances">
                {instances}
                " "
                <button
                    type="button"
                    class="linklike"
                    aria-label=format!("Show these: {count} backends with {label}")
                    on:click=move |_| on_pick.run(code.clone())
                >
                    "Show these"
                </button>
            </td>
        </tr>
    }
}
