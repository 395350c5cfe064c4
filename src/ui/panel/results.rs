//! A check's result: the counts, then the backends table with its filters, sorting,
//! grouping by reason and pages of 100 rows.

use leptos::prelude::*;

use super::export::Export;
use super::groups::ReasonGroups;
use super::state::{state_badge, state_count, tenths};
use super::watch::RuleHistory;
use super::Checked;
use crate::arm::id::RuleId;
use crate::health::catalog::State;
use crate::health::history::{changes_word, Change, History};
use crate::health::summary::Row;
use crate::health::table::{reason_groups, SortKey, View};
use crate::ui::{use_app, AppCtx, ReasonTip, Tips};

/// Rows on a page of the table.
const PAGE: usize = 100;

/// Checks shown in a row's run of recent states.
const STRIP: usize = 10;

#[component]
pub(super) fn Results(
    checked: Checked,
    open_tip: RwSignal<Option<String>>,
    rule_id: Option<RuleId>,
    history: RuleHistory,
) -> impl IntoView {
    let s = checked.summary;
    let meta = format!(
        "Checked at {} · took {} · {} status {}",
        checked.at,
        tenths(checked.took_ms),
        checked.polls,
        if checked.polls == 1 {
            "check"
        } else {
            "checks"
        }
    );
    let duplicates = (s.duplicates > 0).then(|| {
        format!(
            "Azure listed {} backend(s) more than once; the counts include every row as sent.",
            s.duplicates
        )
    });
    let mismatch = s.reported_mismatch.map(|(u, d)| {
        format!(
            "Azure's own totals say {u} Up and {d} Down; the counts above are from the rows below."
        )
    });
    let table = (!s.rows.is_empty()).then(|| {
        view! {
            <BackendTable rows=s.rows rule_id=rule_id iso=checked.iso open_tip=open_tip history=history/>
        }
    });
    view! {
        <div class="counts" role="group" aria-label="Backend health summary">
            {state_count(State::Up, s.up)}
            {state_count(State::Down, s.down)}
            {(s.unknown > 0).then(|| state_count(State::Unknown, s.unknown))}
        </div>
        <p class="muted">{meta}</p>
        {duplicates.map(|text| view! { <p class="note">{text}</p> })}
        {mismatch.map(|text| view! { <p class="note">{text}</p> })}
        {match table {
            Some(table) => table.into_any(),
            None => {
                view! {
                    <p class="empty">
                        "Azure returned no backends for this rule. The backend pool may be empty."
                    </p>
                }
                    .into_any()
            }
        }}
    }
}

/// The table's state: which rows the sort and filters (kept in the app context, as in
/// a link) show, the page, and whether they are grouped by reason.
///
/// The table's views read the app's sort and filters through `view`, a memo made with
/// the table, never the app's signal itself: reactive_graph keeps a dropped subscriber in
/// a live signal's list until that signal goes, so each table replaced in watch mode
/// left its readers behind in the app's signal (the bench's watch soak). Now they go
/// with the memo, and the app's signal keeps one dead entry per table.
#[derive(Clone, Copy)]
struct Table {
    ctx: AppCtx,
    view: Memo<View>,
    rows: StoredValue<Vec<Row>>,
    /// Indices into `rows`, in the order shown.
    shown: Memo<Vec<usize>>,
    page: RwSignal<usize>,
    grouped: RwSignal<bool>,
}

impl Table {
    fn with_view<R>(&self, f: impl FnOnce(&View) -> R) -> R {
        self.view.with(f)
    }

    /// Changes the sort or filters, and goes back to the first page.
    fn set_view(&self, f: impl FnOnce(&mut View)) {
        self.ctx.view.update(f);
        self.page.set(0);
    }

    fn shown_count(&self) -> usize {
        self.shown.with(Vec::len)
    }
}

#[component]
fn BackendTable(
    rows: Vec<Row>,
    rule_id: Option<RuleId>,
    iso: String,
    open_tip: RwSignal<Option<String>>,
    history: RuleHistory,
) -> impl IntoView {
    let ctx = use_app();
    let total = rows.len();
    let groups = reason_groups(&rows);
    let rows = StoredValue::new(rows);
    let view = Memo::new(move |_| ctx.view.get());
    let shown = Memo::new(move |_| view.with(|v| rows.with_value(|r| v.apply(r))));
    // The tooltips read which one is open through the table's own memo, for the same
    // reason as `view`.
    let open_tip = Tips::for_table(open_tip);
    let table = Table {
        ctx,
        view,
        rows,
        shown,
        page: RwSignal::new(0),
        grouped: RwSignal::new(false),
    };
    let pick = Callback::new(move |code: String| {
        table.grouped.set(false);
        table.set_view(|v| v.reason = Some(code));
    });
    view! {
        <TableTools table=table groups=groups rule_id=rule_id iso=iso/>
        {move || {
            if table.grouped.get() {
                view! { <ReasonGroups rows=rows shown=shown on_pick=pick/> }.into_any()
            } else {
                view! { <BackendRows table=table total=total open_tip=open_tip history=history/> }
                    .into_any()
            }
        }}
    }
}

/// The filter box, "Only Down", "Group by reason", the reason picker and the exports.
#[component]
fn TableTools(
    table: Table,
    /// (code, portal text, state, count) per reason, most common first.
    groups: Vec<(String, String, State, usize)>,
    rule_id: Option<RuleId>,
    iso: String,
) -> impl IntoView {
    let reasons = groups
        .into_iter()
        .map(|(code, _, _, n)| {
            let label = format!(
                "{} ({n})",
                if code.is_empty() {
                    "Not retrievable"
                } else {
                    code.as_str()
                }
            );
            let selected = {
                let code = code.clone();
                move || table.with_view(|v| v.reason.as_deref() == Some(code.as_str()))
            };
            view! { <option value=code selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="table-tools">
            <input
                type="search"
                aria-label="Filter backends"
                placeholder="Filter by instance, IP or reason"
                prop:value=move || table.with_view(|v| v.text.clone())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    table.set_view(|v| v.text = text);
                }
            />
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || table.with_view(|v| v.state == Some(State::Down))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        table.set_view(|v| v.state = on.then_some(State::Down));
                    }
                />
                " Only Down"
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || table.grouped.get()
                    on:change=move |ev| table.grouped.set(event_target_checked(&ev))
                />
                " Group by reason"
            </label>
            <select
                aria-label="Reason"
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    table.set_view(|v| v.reason = (!code.is_empty()).then_some(code));
                }
            >
                <option value="" selected=move || table.with_view(|v| v.reason.is_none())>
                    "All reasons"
                </option>
                {reasons}
            </select>
            <Export rule_id=rule_id iso=iso rows=table.rows shown=table.shown/>
        </div>
    }
}

/// The rows as a table (cards on a phone), a page at a time.
#[component]
fn BackendRows(table: Table, total: usize, open_tip: Tips, history: RuleHistory) -> impl IntoView {
    let showing = move || {
        let n = table.shown_count();
        let p = table.page.get();
        if n == 0 {
            return "No backend matches the filters.".to_owned();
        }
        let filtered = if n < total {
            format!(" (filtered from {total})")
        } else {
            String::new()
        };
        format!(
            "Showing {}–{} of {n}{filtered}",
            p * PAGE + 1,
            ((p + 1) * PAGE).min(n)
        )
    };
    let watched = history.with(History::checks) > 1;
    let page_rows = move || {
        let p = table.page.get();
        table.shown.with(|idx| {
            table.rows.with_value(|all| {
                history.with(|h| {
                    idx.iter()
                        .skip(p * PAGE)
                        .take(PAGE)
                        .map(|&i| row_view(i, &all[i], open_tip, h))
                        .collect_view()
                })
            })
        })
    };
    view! {
        <p class="muted" role="status">{showing}</p>
        <div class="table-wrap">
            <table class="grid health cards">
                <caption class="sr-only">"Backend instances"</caption>
                <thead>
                    <tr>
                        <SortHeader label="Backend instance" key=SortKey::Instance table=table/>
                        <SortHeader label="IP address" key=SortKey::Ip table=table/>
                        <SortHeader label="State" key=SortKey::State table=table/>
                        <SortHeader label="Reason" key=SortKey::Reason table=table/>
                        <th scope="col">"Probe history"</th>
                        {watched.then(|| view! { <th scope="col">"Recent checks"</th> })}
                    </tr>
                </thead>
                <tbody>{page_rows}</tbody>
            </table>
        </div>
        <Show when=move || { table.shown_count() > PAGE }>
            <Pager table=table/>
        </Show>
    }
}

/// A column header that sorts by its column, and says how the table is sorted.
#[component]
fn SortHeader(label: &'static str, key: SortKey, table: Table) -> impl IntoView {
    let order = move || {
        table.with_view(|v| match (v.sort == key, v.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        })
    };
    let arrow = move || match order() {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    view! {
        <th scope="col" aria-sort=order>
            <button
                type="button"
                class="sort"
                on:click=move |_| {
                    table
                        .set_view(|v| {
                            if v.sort == key {
                                v.descending = !v.descending;
                            } else {
                                v.sort = key;
                                v.descending = false;
                            }
                        })
                }
            >
                {label}
                <span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

#[component]
fn Pager(table: Table) -> impl IntoView {
    let pages = move || table.shown_count().div_ceil(PAGE);
    view! {
        <nav class="pager" aria-label="Pages">
            <button
                type="button"
                aria-disabled=move || (table.page.get() == 0).to_string()
                on:click=move |_| table.page.update(|p| *p = p.saturating_sub(1))
            >
                "Previous page"
            </button>
            <span>{move || format!("Page {} of {}", table.page.get() + 1, pages())}</span>
            <button
                type="button"
                aria-disabled=move || (table.page.get() + 1 >= pages()).to_string()
                on:click=move |_| {
                    let last = pages().saturating_sub(1);
                    table.page.update(|p| *p = (*p + 1).min(last));
                }
            >
                "Next page"
            </button>
        </nav>
    }
}

/// One backend: its name, IP, state (and how it changed), the reason with its
/// tooltip and, in watch mode, its recent checks. A function, not a component: a page
/// renders a hundred of them at once.
fn row_view(i: usize, row: &Row, open_tip: Tips, history: &History) -> impl IntoView {
    // Said in words, not only by the row's highlight.
    let change = history.change(row).map(|c| match c {
        Change::State { from, .. } => format!("changed, was {}", from.label()),
        Change::Reason { .. } => "reason changed".to_owned(),
        Change::Appeared => "new".to_owned(),
        Change::Gone => String::new(),
    });
    let strip = (history.checks() > 1).then(|| recent_checks(row, history));
    let changed = change.is_some();
    let ip = if row.ip.is_empty() {
        "—".to_owned()
    } else {
        row.ip.clone()
    };
    view! {
        <tr class:changed=changed>
            <td>{row.instance.clone()}</td>
            <td class="mono">{ip}</td>
            <td>
                {state_badge(row.state)}
                {change.map(|c| view! { <span class="change">{format!(" ({c})")}</span> })}
            </td>
            <td class="reason">
                <span>{row.reason.portal_text.clone()}</span>
                <ReasonTip
                    id=format!("reason-tip-{i}")
                    label=format!("Explain reason for {}", row.instance)
                    reason=row.reason.clone()
                    open_tip=open_tip
                />
            </td>
            {super::probe::cell(&row.ip, history.observed(row))}
            {strip}
        </tr>
    }
}

/// A row's run of recent states, oldest first, and the list of its changes.
fn recent_checks(row: &Row, history: &History) -> impl IntoView {
    let states = history.strip(row);
    let recent = &states[states.len().saturating_sub(STRIP)..];
    let glyphs: String = recent
        .iter()
        .map(|s| match s {
            Some(State::Up) => '✔',
            Some(State::Down) => '✖',
            Some(State::Unknown) => '?',
            None => '·',
        })
        .collect();
    let words: Vec<&str> = recent
        .iter()
        .map(|s| s.map_or("absent", |s| s.label()))
        .collect();
    let since = history
        .since(row)
        .map(|t| format!(" since {t}"))
        .unwrap_or_default();
    let changes = history.changes(row);
    let list = (changes.len() > 1).then(|| {
        let items: Vec<String> = changes
            .iter()
            .map(|(at, state, code)| match state {
                Some(s) => {
                    format!(
                        "{at}: {} ({})",
                        s.label(),
                        if code.is_empty() { "no reason" } else { code }
                    )
                }
                None => format!("{at}: not in Azure's answer"),
            })
            .collect();
        view! {
            <details class="changes-list">
                <summary>{format!("{} {}", changes.len() - 1, changes_word(changes.len() - 1))}</summary>
                <ol>{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ol>
            </details>
        }
    });
    view! {
        <td class="strip">
            <span
                role="img"
                aria-label=format!("Last {} checks, oldest first: {}", recent.len(), words.join(", "))
            >
                {glyphs}
            </span>
            <span class="muted">{since}</span>
            {list}
        </td>
    }
}
