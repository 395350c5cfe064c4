//! The backends table: counts, filters, sorting, paging, and one row per backend.

use leptos::prelude::*;

use super::export::Export;
use super::groups::ReasonGroups;
use super::state::{state_badge, state_count, tenths};
use super::watch::RuleHistory;
use super::Checked;
use crate::arm::id::RuleId;
use crate::health::catalog::State;
use crate::health::history::{Change, History};
use crate::health::summary::Row;
use crate::health::table::{reason_groups, SortKey, View};
use crate::ui::{attr, attr_flag, attr_fn, attr_owned, listen, use_app, Call, Computed, ReasonTip, Slot, Stored};

pub(super) const PAGE: usize = 100;

#[component]
pub(super) fn Results(checked: Checked, open_tip: Slot<Option<String>>, rule_id: Option<RuleId>, history: RuleHistory) -> impl IntoView {
    let ctx = use_app();
    let view_state = ctx.view;
    let s = checked.summary;
    let meta = format!(
        "Checked at {} · took {} · {} status {}",
        checked.at,
        tenths(checked.took_ms),
        checked.polls,
        if checked.polls == 1 { "check" } else { "checks" }
    );
    let total = s.rows.len();
    let groups = reason_groups(&s.rows);
    let rows = Stored::new(s.rows);
    let shown = Computed::new(move || view_state.with(|v| rows.with_value(|r| v.apply(r))));
    let page = Slot::new(0usize);
    let grouped = Slot::new(false);
    let iso = checked.iso.clone();
    let set_view = move |f: &dyn Fn(&mut View)| {
        view_state.update(|v| f(v));
        page.set(0);
    };
    let sort_header = move |label: &'static str, key: SortKey| {
        let aria = move || view_state.with(|v| match (v.sort == key, v.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        });
        view! {
            // A String, as the page's other reactive attributes: a &str one would be a
            // render-effect type of its own.
            <th scope="col" {..attr_fn("aria-sort", move || Some(aria().to_owned()))}>
                <button type="button" class="sort" {..listen("click", move |_| set_view(&|v: &mut View| {
                    if v.sort == key { v.descending = !v.descending } else { v.sort = key; v.descending = false }
                }))}>{label}<span aria-hidden="true">{crate::ui::reactive_any(move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }.to_owned())}</span></button>
            </th>
        }
    };
    view! {
        <div class="counts" role="group" aria-label="Backend health summary">
            {state_count(State::Up, s.up)}
            {state_count(State::Down, s.down)}
            {(s.unknown > 0).then(|| state_count(State::Unknown, s.unknown).into_any())}
        </div>
        <p class="muted">{meta}</p>
        {(s.duplicates > 0).then(|| view! {
            <p class="note">{format!("Azure listed {} backend(s) more than once; the counts include every row as sent.", s.duplicates)}</p>
        }.into_inner().into_any())}
        {s.reported_mismatch.map(|(u, d)| view! {
            <p class="note">{format!("Azure's own totals say {u} Up and {d} Down; the counts above are from the rows below.")}</p>
        }.into_inner().into_any())}
        {if total == 0 {
            view! { <p class="empty">"Azure returned no backends for this rule. The backend pool may be empty."</p> }.into_inner().into_any()
        } else {
            view! {
                <div class="table-tools">
                    <input type="search" aria-label="Filter backends" {..attr("placeholder", "Filter by instance, IP or reason")}
                        prop:value=move || view_state.with(|v| wasm_bindgen::JsValue::from(&v.text))
                        {..listen("input", move |ev| { let t = event_target_value(&ev); set_view(&|v: &mut View| v.text = t.clone()) })}/>
                    <label class="check"><input type="checkbox"
                        prop:checked=move || wasm_bindgen::JsValue::from(view_state.with(|v| v.state == Some(State::Down)))
                        {..listen("change", move |ev| { let on = event_target_checked(&ev); set_view(&|v: &mut View| v.state = on.then_some(State::Down)) })}/>
                        " Only Down"</label>
                    <label class="check"><input type="checkbox" prop:checked=move || wasm_bindgen::JsValue::from(grouped.get())
                        {..listen("change", move |ev| grouped.set(event_target_checked(&ev)))}/>" Group by reason"</label>
                    <select aria-label="Reason" {..listen("change", move |ev| {
                        let code = event_target_value(&ev);
                        set_view(&|v: &mut View| v.reason = (!code.is_empty()).then(|| code.clone()))
                    })}>
                        <option {..attr("value", "")} {..attr_flag("selected", move || view_state.with(|v| v.reason.is_none()))}>"All reasons"</option>
                        {groups.iter().map(|(code, _, _, n)| {
                            let c = code.clone();
                            let label = format!("{} ({n})", if code.is_empty() { "Not retrievable" } else { code.as_str() });
                            view! { <option {..attr_owned("value", code.clone())} {..attr_flag("selected", move || view_state.with(|v| v.reason.as_deref() == Some(c.as_str())))}>{label}</option> }.into_inner().into_any()
                        }).collect_view()}
                    </select>
                    <Export rule_id=rule_id.clone() iso=iso.clone() rows=rows shown=shown/>
                </div>
                {move || match grouped.get() {
                    true => view! { <ReasonGroups rows=rows shown=shown on_pick=Call::new(move |code: String| {
                        grouped.set(false);
                        set_view(&|v: &mut View| v.reason = Some(code.clone()));
                    })/> }.into_inner().into_any(),
                    false => view! {
                <p class="muted" role="status">{crate::ui::reactive_any(move || {
                    let n = shown.with(|s| s.len());
                    let p = page.get();
                    if n == 0 { "No backend matches the filters.".to_owned() }
                    else { format!("Showing {}–{} of {n}{}", p * PAGE + 1, ((p + 1) * PAGE).min(n), if n < total { format!(" (filtered from {total})") } else { String::new() }) }
                })}</p>
                <div class="table-wrap">
                <table class="grid health cards">
                    <caption class="sr-only">"Backend instances"</caption>
                    <thead><tr>
                        {sort_header("Backend instance", SortKey::Instance)}
                        {sort_header("IP address", SortKey::Ip)}
                        {sort_header("State", SortKey::State)}
                        {sort_header("Reason", SortKey::Reason)}
                        {crate::ui::reactive_opt(move || (history.with(History::checks) > 1).then(|| view! { <th scope="col">"Recent checks"</th> }.into_inner().into_any()))}
                    </tr></thead>
                    <tbody>{crate::ui::reactive_any(move || {
                        let p = page.get();
                        shown.with(|idx| rows.with_value(|all| {
                            history.with(|h| idx.iter().skip(p * PAGE).take(PAGE).map(|&i| row_view(i, &all[i], open_tip, h)).collect_view())
                        }))
                    })}</tbody>
                </table>
                </div>
                {crate::ui::reactive_opt(move || (shown.with(|s| s.len()) > PAGE).then(|| {
                    let pages = shown.with(|s| s.len()).div_ceil(PAGE);
                    view! {
                        <nav class="pager" aria-label="Pages">
                            <button type="button" {..attr_fn("aria-disabled", move || Some((page.get() == 0).to_string()))} {..listen("click", move |_| page.update(|p| *p = p.saturating_sub(1)))}>"Previous page"</button>
                            <span>{crate::ui::reactive_any(move || format!("Page {} of {pages}", page.get() + 1))}</span>
                            <button type="button" {..attr_fn("aria-disabled", move || Some((page.get() + 1 >= pages).to_string()))} {..listen("click", move |_| page.update(|p| if *p + 1 < pages { *p += 1 }))}>"Next page"</button>
                        </nav>
                    }.into_inner().into_any()
                }))}
                    }.into_inner().into_any(),
                }}
            }.into_inner().into_any()
        }}
    }.into_inner()
}

/// Checks shown in a row's run of recent states.
const STRIP: usize = 10;

pub(super) fn row_view(i: usize, row: &Row, open_tip: Slot<Option<String>>, history: &History) -> AnyView {
    let label = format!("Explain reason for {}", row.instance);
    // Said in words, not only by the row's highlight.
    let change = history.change(row).map(|c| match c {
        Change::State { from, .. } => format!("changed, was {}", from.label()),
        Change::Reason { .. } => "reason changed".to_owned(),
        Change::Appeared => "new".to_owned(),
        Change::Gone => String::new(),
    });
    let strip = (history.checks() > 1).then(|| {
        let states = history.strip(row);
        let recent = &states[states.len().saturating_sub(STRIP)..];
        let glyphs: String = recent.iter().map(|s| match s {
            Some(State::Up) => '✔',
            Some(State::Down) => '✖',
            Some(State::Unknown) => '?',
            None => '·',
        }).collect();
        let words: Vec<&str> = recent.iter().map(|s| s.map_or("absent", |s| s.label())).collect();
        let since = history.since(row).map(|t| format!(" since {t}")).unwrap_or_default();
        let changes = history.changes(row);
        let list = (changes.len() > 1).then(|| {
            let items: Vec<String> = changes
                .iter()
                .map(|(at, state, code)| match state {
                    Some(s) => format!("{at}: {} ({})", s.label(), if code.is_empty() { "no reason" } else { code }),
                    None => format!("{at}: not in Azure's answer"),
                })
                .collect();
            view! {
                <details class="changes-list">
                    <summary>{format!("{} changes", changes.len() - 1)}</summary>
                    <ol>{items.into_iter().map(|i| view! { <li>{i}</li> }.into_inner().into_any()).collect_view()}</ol>
                </details>
            }
            .into_inner().into_any()
        });
        view! {
            <td class="strip">
                <span role="img" aria-label=format!("Last {} checks, oldest first: {}", recent.len(), words.join(", "))>{glyphs}</span>
                <span class="muted">{since}</span>
                {list}
            </td>
        }
        .into_inner().into_any()
    });
    let changed = change.is_some();
    view! {
        <tr class:changed=changed>
            <td>{row.instance.clone()}</td>
            <td class="mono">{if row.ip.is_empty() { "—".to_owned() } else { row.ip.clone() }}</td>
            <td>
                {state_badge(row.state)}
                {change.map(|c| view! { <span class="change">{format!(" ({c})")}</span> }.into_inner().into_any())}
            </td>
            <td class="reason">
                <span>{row.reason.portal_text.clone()}</span>
                <ReasonTip id=format!("reason-tip-{i}") label=label reason=row.reason.clone() open_tip=open_tip/>
            </td>
            {strip}
        </tr>
    }
    .into_inner().into_any()
}
