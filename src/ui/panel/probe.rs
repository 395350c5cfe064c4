//! Probe history in the panel: Azure Monitor's Health Probe Status for the rule's
//! backends over a chosen window, one request per rule and window, started with the
//! panel so history shows while Azure still works on the health check. Each backend row
//! gets a chart, "Down since …"/"Up for …" and its change count; the session's own
//! checks extend it past Azure's latest point. When there is no history, a line above
//! the table says why and what to do.

use leptos::prelude::*;

use crate::arm::error::ArmError;
use crate::arm::id::LoadBalancerId;
use crate::arm::metrics::{fetch, MetricsAnswer, MetricsQuery, Window};
use crate::health::catalog::State;
use crate::health::probe_history::{by_backend, Absent, BackendHistory};
use crate::health::summary::{RuleContext, Unavailable};
use crate::ui::chart::Sparkline;
use crate::ui::load::{arm_resource, ArmResource};

type Answer = Result<MetricsAnswer, ArmError>;

/// The panel's probe history: the window chosen and the request for it. Provided as
/// context so each backend row can read it without threading it through the table.
#[derive(Clone, Copy)]
pub(super) struct ProbeHistory {
    window: RwSignal<Window>,
    /// `None` when the SKU has no metrics: no request is made.
    res: Option<ArmResource<Answer>>,
    /// The request's latest answer, copied by an effect: rows inside the panel's
    /// `Transition` read this, so a slow or throttled history never holds back the
    /// health check's result (a resource read there would).
    answer: RwSignal<Option<Answer>>,
    absent: StoredValue<Option<Absent>>,
}

impl ProbeHistory {
    /// Starts the request at once (the caller runs before the health check's answer).
    pub(super) fn start(rule: &RuleContext, lb: Option<LoadBalancerId>, sku: &str) -> Self {
        let absent = match rule.unavailable {
            Some(Unavailable::GatewayLoadBalancer) => Some(Absent::GatewaySku),
            _ => Absent::for_sku(sku),
        }
        .or(lb.is_none().then(|| Absent::Failed {
            detail: "this rule's id is malformed".to_owned(),
        }));
        let window = RwSignal::new(Window::Day);
        let res = match (&absent, lb) {
            (None, Some(lb)) => {
                let (bp, fp) = (rule.backend_port, rule.frontend_port);
                let frontend = rule.frontend.clone();
                Some(arm_resource(move |client, cancel, progress| {
                    let q = MetricsQuery::rule(bp, fp, Some(&frontend), window.get(), None);
                    let lb = lb.clone();
                    async move { fetch(&client, &lb, &q, &cancel, &*progress).await }
                }))
            }
            _ => None,
        };
        let answer = RwSignal::new(None);
        if let Some(r) = res {
            Effect::new(move || answer.set(r.data.get()));
        }
        let me = ProbeHistory {
            window,
            res,
            answer,
            absent: StoredValue::new(absent),
        };
        provide_context(me);
        me
    }

    /// Why there is no (or only part of the) history, once known.
    fn absent(&self) -> Option<Absent> {
        if let Some(a) = self.absent.get_value() {
            return Some(a);
        }
        self.answer.get().and_then(|r| match r {
            Err(e) => Some(Absent::from_error(&e)),
            Ok(a) if a.truncated => Some(Absent::TooManySeries),
            Ok(a)
                if a.series
                    .iter()
                    .all(|s| s.points.iter().all(|p| p.value.is_none())) =>
            {
                Some(Absent::NoData)
            }
            Ok(_) => None,
        })
    }
}

/// The window choice and, when history is missing, why and what to do next.
#[component]
pub(super) fn HistoryBar(probe: ProbeHistory) -> impl IntoView {
    let choices = Window::CHOICES.map(|w| {
        view! {
            <label>
                <input
                    type="radio"
                    name="probe-window"
                    value=w.label()
                    prop:checked=move || probe.window.get() == w
                    on:change=move |_| probe.window.set(w)
                />
                {w.label()}
            </label>
        }
    });
    let loading = move || {
        probe
            .res
            .filter(|_| probe.answer.with(Option::is_none))
            .map(|r| view! { <crate::ui::Loading what="probe history" waiting=r.waiting/> })
    };
    let absent = move || {
        probe.absent().map(|a| {
            let (head, next) = a.message();
            let retry = matches!(a, Absent::Throttled { .. } | Absent::Failed { .. } | Absent::Cancelled)
                .then_some(probe.res)
                .flatten()
                .map(|r| view! { <button type="button" on:click=move |_| r.data.refetch()>"Retry history"</button> });
            view! {
                <div class="note history-absent" role="status">
                    <p><strong>{head}</strong></p>
                    <p>{next}</p>
                    {retry}
                </div>
            }
        })
    };
    view! {
        <fieldset class="history-window">
            <legend>"Probe history window"</legend>
            {choices}
        </fieldset>
        {loading}
        {absent}
    }
}

/// The row's probe history cell: `seen` is what this session's checks saw of it.
pub(super) fn cell(ip: &str, seen: Vec<(i64, Option<State>)>) -> impl IntoView {
    let probe = use_context::<ProbeHistory>();
    let ip = ip.to_owned();
    let body = move || {
        let probe = probe?;
        let window = probe.window.get();
        let answer = probe.answer.get()?.ok()?;
        let mut h = by_backend(&answer, window)
            .into_iter()
            .find(|h| h.ip == ip)?;
        h.merge_watch(&seen);
        Some(history_view(&h, window))
    };
    view! { <td class="probe-history">{move || body().unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}</td> }
}

fn history_view(h: &BackendHistory, window: Window) -> AnyView {
    let tz = local_offset_min();
    let changes = h.changes();
    let status = h.status(tz).unwrap_or_else(|| "No data".to_owned());
    let count = format!(
        "{changes} change{} in {}",
        if changes == 1 { "" } else { "s" },
        window.label()
    );
    view! {
        <Sparkline
            points=h.points.clone()
            start=h.end_s - h.window_s
            end=h.end_s
            interval_s=h.interval_s
            description=h.describe(tz)
        />
        <span class="probe-status">{status}</span>
        <span class="muted probe-changes">{count}</span>
    }
    .into_any()
}

/// Minutes east of UTC, as the sentences' clock times are local.
pub(crate) fn local_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}
