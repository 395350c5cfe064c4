//! The table grouped by reason.

use leptos::prelude::*;

use super::state::state_badge;
use crate::health::summary::Row;
use crate::health::table::reason_groups;
use crate::ui::{listen, Call, Computed, Stored};

/// The filtered rows grouped by reason, most common first: what is wrong, how often,
/// and where. Picking a group filters the table to it.
#[component]
pub(super) fn ReasonGroups(rows: Stored<Vec<Row>>, shown: Computed<Vec<usize>>, on_pick: Call<String>) -> impl IntoView {
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
