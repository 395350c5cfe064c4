//! Probe history in the health panel: one Azure Monitor request per rule and window,
//! started with the panel (beside the health operation, not after it), and each
//! backend row's sparkline, status and count of changes.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::arm::error::ArmError;
use crate::arm::id::RuleId;
use crate::arm::metrics::{fetch, Metric, MetricsAnswer, MetricsQuery, Window};
use crate::health::catalog::State;
use crate::health::history::changes_word;
use crate::health::probe_history::{by_backend, Absent, SeriesHistory};
use crate::health::summary::RuleContext;
use crate::ui::chart::{tz_offset_min, HistoryChart, MetricAbsent};
use crate::ui::load::{arm_resource, ArmResource};
use crate::ui::loading::Loading;

/// Each backend's history by IP, read once per answer and window: a page of rows looks
/// its own up instead of walking the whole answer (1,000 backends would be a million
/// series reads per page).
#[derive(Clone, PartialEq)]
struct Shown {
    by_ip: Arc<HashMap<String, SeriesHistory>>,
    /// Azure had more backends than one answer holds; the rest have no chart.
    truncated: bool,
}

/// The panel's probe history, shared with the rows through context so the table code
/// needs no new props.
#[derive(Clone, Copy)]
pub(super) struct ProbeHistory {
    pub window: RwSignal<Window>,
    answer: ArmResource<Option<Result<MetricsAnswer, ArmError>>>,
    shown: Memo<Option<Result<Shown, Absent>>>,
}

impl ProbeHistory {
    /// Starts the request at once; a new window asks again. A SKU without metrics asks
    /// nothing and says why.
    pub fn start(rule: &RuleContext, rule_id: Option<RuleId>) -> Self {
        let window = RwSignal::new(Window::Day);
        let (bp, fp) = (rule.backend_port, rule.frontend_port);
        let no_metrics = Absent::for_sku(&rule.sku);
        let ask = no_metrics.is_none();
        let answer = arm_resource(move |client, cancel, progress| {
            let w = window.get();
            let lb = rule_id.as_ref().map(|id| id.load_balancer.clone());
            async move {
                let lb = lb.filter(|_| ask)?;
                let q = MetricsQuery::rule(bp, fp, None, w, None);
                Some(fetch(&client, &lb, &q, &cancel, &*progress).await)
            }
        });
        let shown = Memo::new(move |_| {
            if let Some(a) = &no_metrics {
                return Some(Err(a.clone()));
            }
            let w = window.get();
            answer.data.with(|d| {
                d.as_ref()?.as_ref().map(|r| match r {
                    Ok(a) if a.series.is_empty() => Err(Absent::NoData),
                    Ok(a) => Ok(Shown {
                        by_ip: Arc::new(
                            by_backend(a, w)
                                .into_iter()
                                .map(|b| (b.key.clone(), b))
                                .collect(),
                        ),
                        truncated: a.truncated,
                    }),
                    Err(e) => Err(Absent::from_error(e)),
                })
            })
        });
        let h = ProbeHistory {
            window,
            answer,
            shown,
        };
        provide_context(h);
        h
    }

    fn backend(&self, ip: &str) -> Option<SeriesHistory> {
        self.shown
            .with(|s| s.as_ref()?.as_ref().ok()?.by_ip.get(ip).cloned())
    }
}

/// The window choice, and the reason when there is no history (never blank), with a
/// way to ask again when asking again can help.
#[component]
pub(super) fn ProbeBar(history: ProbeHistory) -> impl IntoView {
    // A throttled or failing request says so while the client waits it out, not only
    // once it gives up.
    let loading = move || {
        history.answer.data.with(Option::is_none).then(|| {
            view! { <Loading what="probe history" waiting=history.answer.waiting/> }
        })
    };
    let absent = move || {
        let a = match history.shown.get()? {
            Ok(s) if s.truncated => Absent::TooManySeries,
            Err(a) if a != Absent::Cancelled => a,
            _ => return None,
        };
        let retry = Callback::new(move |()| history.answer.data.refetch());
        Some(view! { <MetricAbsent absent=a metric=Metric::HealthProbe retry=retry/> })
    };
    view! {
        <label class="probe-window">
            "Probe history "
            <select on:change=move |ev| {
                let w = match event_target_value(&ev).as_str() {
                    "1h" => Window::Hour,
                    "7d" => Window::Week,
                    _ => Window::Day,
                };
                history.window.set(w);
            }>
                <option value="1h">"1 h"</option>
                <option value="24h" selected>"24 h"</option>
                <option value="7d">"7 d"</option>
            </select>
        </label>
        {loading}
        {absent}
    }
}

/// A backend row's history cell: sparkline, status and changes in the window. `seen` is
/// what this tab's own checks saw of the backend (watch mode); it extends Azure's series
/// past its latest point, since metrics lag minutes behind the health operation.
pub(super) fn cell(ip: &str, seen: Vec<(i64, Option<State>)>) -> impl IntoView {
    let history = use_context::<ProbeHistory>();
    let ip = ip.to_owned();
    view! {
        <td class="probe">
            {move || {
                let mut b = history?.backend(&ip)?;
                b.merge_watch(&seen);
                let tz = tz_offset_min();
                let changes = b.changes();
                let status = b.status_text(tz);
                Some(view! {
                    <HistoryChart history=b tz_offset_min=tz/>
                    <span class="probe-status">{status}</span>
                    " "
                    <span class="muted">{format!("{changes} {}", changes_word(changes))}</span>
                })
            }}
        </td>
    }
}
