//! Data path availability (`VipAvailability`) of the load balancer's frontends over the
//! last 24 h, with the panel's chart: whether traffic reached the frontends at all,
//! beside the rules' per-backend health.

use leptos::prelude::*;

use crate::arm::id::LoadBalancerId;
use crate::arm::metrics::{fetch, MetricsAnswer, MetricsQuery, Window};
use crate::health::probe_history::{Absent, BackendHistory};
use crate::ui::chart::Sparkline;
use crate::ui::load::arm_resource;
use crate::ui::Loading;

#[component]
pub fn DataPath(lb: LoadBalancerId, sku: String) -> impl IntoView {
    let body = match Absent::for_sku(&sku) {
        Some(a) => absent_view(&a).into_any(),
        None => {
            let res = arm_resource(move |client, cancel, progress| {
                let (lb, q) = (lb.clone(), MetricsQuery::data_path(Window::Day, None));
                async move { fetch(&client, &lb, &q, &cancel, &*progress).await }
            });
            // Copied by an effect: the page's `Suspense` would wait for a resource read
            // here, and a throttled chart must not hold back the rules.
            let answer = RwSignal::new(None);
            Effect::new(move || answer.set(res.data.get()));
            (move || match answer.get() {
                None => view! { <Loading what="data path availability" waiting=res.waiting/> }
                    .into_any(),
                Some(Err(e)) => view! {
                    {absent_view(&Absent::from_error(&e))}
                    <button type="button" on:click=move |_| res.data.refetch()>"Retry data path"</button>
                }
                .into_any(),
                Some(Ok(a)) => frontends(&a),
            })
            .into_any()
        }
    };
    view! {
        <section aria-labelledby="data-path-heading">
            <h2 id="data-path-heading">"Data path availability, last 24 h"</h2>
            {body}
        </section>
    }
}

/// One chart per frontend IP and port; the answer's own words when it has none.
fn frontends(a: &MetricsAnswer) -> AnyView {
    let tz = crate::ui::panel::local_offset_min();
    let interval_s = a.interval_s.max(1);
    let end_s = a.end_s.unwrap_or(0);
    let window_s = a
        .start_s
        .map_or(Window::Day.seconds(), |s| (end_s - s).max(interval_s));
    let rows: Vec<_> = a
        .series
        .iter()
        .filter(|s| s.points.iter().any(|p| p.value.is_some()))
        .map(|s| {
            let name = format!(
                "{}:{}",
                s.dimension("FrontendIPAddress").unwrap_or("?"),
                s.dimension("FrontendPort").unwrap_or("?")
            );
            let h = BackendHistory {
                ip: name.clone(),
                points: s.points.clone(),
                interval_s,
                end_s,
                window_s,
            };
            view! {
                <li>
                    <span class="mono">{name}</span>" "
                    <Sparkline points=h.points.clone() start=end_s - window_s end=end_s interval_s=interval_s description=h.describe(tz)/>
                    " "<span>{h.status(tz).unwrap_or_default()}</span>
                </li>
            }
        })
        .collect();
    if rows.is_empty() {
        return absent_view(&Absent::NoData).into_any();
    }
    view! { <ul class="data-path">{rows}</ul> }.into_any()
}

/// The probe-history words, about the data path.
fn absent_view(a: &Absent) -> impl IntoView {
    let (head, next) = a.message();
    let head = head
        .replace("Probe history", "Data path availability")
        .replace("probe history", "data path availability")
        .replace("probe data", "data path data");
    view! {
        <div class="note" role="status">
            <p><strong>{head}</strong></p>
            <p>{next}</p>
        </div>
    }
}
