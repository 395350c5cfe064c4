//! The load balancer page's Data Path Availability (`VipAvailability`): whether traffic
//! sent to each frontend address and port reached a backend, over the last 24 hours, one
//! chart per frontend with the health panel's `HistoryChart` and sentences. Its code is a
//! part of the page's wasm in a release build, fetched when a load balancer's page shows,
//! so the first screens do not carry it.

use std::sync::Arc;

use leptos::prelude::*;

use crate::arm::id::LoadBalancerId;
use crate::arm::metrics::{fetch, Metric, MetricsQuery, Window};
use crate::health::history::changes_word;
use crate::health::probe_history::{by_frontend, Absent};
use crate::ui::chart::{tz_offset_min, HistoryChart, MetricAbsent};
use crate::ui::error_view::{LazyPart, PartLoader};
use crate::ui::load::arm_resource;
use crate::ui::loading::Loading;

/// The window the page shows: the portal's default for this metric.
const WINDOW: Window = Window::Day;

/// What the part is opened with (one value, as a split function's arguments must be
/// concrete types).
pub struct DataPathArgs {
    pub lb: LoadBalancerId,
    /// The load balancer's SKU name: a Basic one publishes no metrics, so nothing is asked.
    pub sku: String,
}

/// The section, once its code is here; a failed download says so and offers Try again.
#[component]
pub fn LazyDataPath(lb: LoadBalancerId, sku: String) -> impl IntoView {
    let load: PartLoader = Arc::new(move || {
        Box::pin(data_path(DataPathArgs {
            lb: lb.clone(),
            sku: sku.clone(),
        }))
    });
    view! { <LazyPart what="Data path availability" load=load/> }
}

// See `rules::health_panel` for why this is `wasm_split` with `fallible`, not `#[lazy]`.
#[cfg(lbh_split)]
#[leptos::wasm_split::wasm_split(data_path, fallible, wasm_split_path = ::leptos::wasm_split)]
fn data_path(args: DataPathArgs) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <DataPath lb=args.lb sku=args.sku/> }.into_any())
}

#[cfg(not(lbh_split))]
async fn data_path(args: DataPathArgs) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <DataPath lb=args.lb sku=args.sku/> }.into_any())
}

/// One request for every frontend (`FrontendIPAddress eq '*'`), and a row per frontend;
/// when there is nothing to show, the reason and a next step, never a blank.
#[component]
pub fn DataPath(lb: LoadBalancerId, sku: String) -> impl IntoView {
    // Gateway and cross-region load balancers publish this metric; only Basic has none.
    let basic = Absent::for_sku(&sku).filter(|a| *a == Absent::BasicSku);
    let ask = basic.is_none();
    let answer = arm_resource(move |client, cancel, progress| {
        let lb = lb.clone();
        async move {
            if !ask {
                return None;
            }
            let q = MetricsQuery::data_path(WINDOW, None);
            Some(fetch(&client, &lb, &q, &cancel, &*progress).await)
        }
    });
    let retry = Callback::new(move |()| answer.data.refetch());
    let body = move || {
        let shown = match &basic {
            Some(a) => Err(a.clone()),
            None => answer.data.with(|d| match d.as_ref()?.as_ref()? {
                Ok(a) if a.series.is_empty() => Some(Err(Absent::NoData)),
                Ok(a) => Some(Ok((by_frontend(a, WINDOW), a.truncated))),
                Err(e) => Some(Err(Absent::from_error(e))),
            })?,
        };
        let (frontends, truncated) = match shown {
            Ok(s) => s,
            Err(Absent::Cancelled) => return None,
            Err(a) => {
                return Some(
                    view! { <MetricAbsent absent=a metric=Metric::DataPath retry=retry/> }
                        .into_any(),
                )
            }
        };
        let tz = tz_offset_min();
        let rows = frontends
            .into_iter()
            .map(|f| {
                let changes = f.changes();
                let (key, status) = (f.key.clone(), f.status_text(tz));
                view! {
                    <tr>
                        <td>{key}</td>
                        <td data-label="Last 24 h"><HistoryChart history=f tz_offset_min=tz/></td>
                        <td data-label="Status">{status}</td>
                        <td data-label="Changes">{format!("{changes} {}", changes_word(changes))}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(
            view! {
                {truncated.then(|| view! {
                    <MetricAbsent absent=Absent::TooManySeries metric=Metric::DataPath retry=retry/>
                })}
                <div class="scroll-x">
                    <table class="grid cards" aria-labelledby="data-path-heading">
                        <thead>
                            <tr>
                                <th scope="col">"Frontend"</th>
                                <th scope="col">"Last 24 h"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Changes"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        )
    };
    let loading = move || {
        (ask && answer.data.with(Option::is_none)).then(|| {
            view! { <Loading what="data path availability" waiting=answer.waiting/> }
        })
    };
    view! {
        <section class="data-path" aria-labelledby="data-path-heading">
            <h2 id="data-path-heading">"Data path availability"</h2>
            <p class="muted">
                "Azure Monitor's Data Path Availability: the share of test traffic to each \
                 frontend that reached a backend, over the last 24 h."
            </p>
            {loading}
            {body}
        </section>
    }
}
