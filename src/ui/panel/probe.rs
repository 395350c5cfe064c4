//! Probe history in the health panel: one Azure Monitor request per rule and window,
//! started with the panel (beside the health operation, not after it), and each
//! backend row's sparkline, status and count of changes.

use leptos::prelude::*;

use crate::arm::error::ArmError;
use crate::arm::id::RuleId;
use crate::arm::metrics::MetricsQuery;
use crate::arm::metrics::{fetch, MetricsAnswer, Window};
use crate::health::probe_history::{by_backend, Absent, BackendHistory};
use crate::health::summary::RuleContext;
use crate::ui::chart::Sparkline;
use crate::ui::load::{arm_resource, ArmResource};

/// The panel's probe history, shared with the rows through context so the table code
/// needs no new props.
#[derive(Clone, Copy)]
pub(super) struct ProbeHistory {
    pub window: RwSignal<Window>,
    pub answer: ArmResource<Option<Result<MetricsAnswer, ArmError>>>,
}

impl ProbeHistory {
    /// Starts the request at once; a new window asks again.
    pub fn start(rule: &RuleContext, rule_id: Option<RuleId>) -> Self {
        let window = RwSignal::new(Window::Day);
        let (bp, fp) = (rule.backend_port, rule.frontend_port);
        let answer = arm_resource(move |client, cancel, progress| {
            let w = window.get();
            let lb = rule_id.as_ref().map(|id| id.load_balancer.clone());
            async move {
                let lb = lb?;
                let q = MetricsQuery::rule(bp, fp, None, w, None);
                Some(fetch(&client, &lb, &q, &cancel, &*progress).await)
            }
        });
        let h = ProbeHistory { window, answer };
        provide_context(h);
        h
    }

    fn backends(&self) -> Option<Result<Vec<BackendHistory>, Absent>> {
        let w = self.window.get();
        self.answer.data.get().flatten().map(|r| match r {
            Ok(a) if a.series.is_empty() => Err(Absent::NoData),
            Ok(a) => Ok(by_backend(&a, w)),
            Err(e) => Err(Absent::from_error(&e)),
        })
    }
}

/// Minutes east of UTC, as the history's sentences want them.
fn tz_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The window choice, and the reason when there is no history (never blank).
#[component]
pub(super) fn ProbeBar(history: ProbeHistory) -> impl IntoView {
    let absent = move || match history.backends() {
        Some(Err(a)) if a != Absent::Cancelled => {
            let (head, next) = a.message();
            Some(
                view! { <p class="probe-absent" role="note"><strong>{head}</strong>" " {next}</p> },
            )
        }
        _ => None,
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
        {absent}
    }
}

/// A backend row's history cell: sparkline, status and changes in the window.
pub(super) fn cell(ip: &str) -> impl IntoView {
    let history = use_context::<ProbeHistory>();
    let ip = ip.to_owned();
    view! {
        <td class="probe">
            {move || {
                let list = history?.backends()?.ok()?;
                let b = list.into_iter().find(|b| b.ip == ip)?;
                let tz = tz_offset_min();
                let changes = b.changes();
                Some(view! {
                    <Sparkline
                        points=b.points.clone()
                        start=b.end_s - b.window_s
                        end=b.end_s
                        interval_s=b.interval_s
                        description=b.describe(tz)
                    />
                    <span class="probe-status">{b.status(tz).unwrap_or_default()}</span>
                    " "
                    <span class="muted">{format!("{changes} {}", if changes == 1 { "change" } else { "changes" })}</span>
                })
            }}
        </td>
    }
}
