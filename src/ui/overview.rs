//! The estate overview: every load balancer the account can read (Resource Graph, paged),
//! each with a verdict from its Health Probe Status over the last 15 minutes, worst
//! first, with filters. The listing is loaded through `ui::load`; verdicts then stream in from at most eight metrics requests at a time, paced by ARM's
//! throttling answers (`health::pacing`). A user can stop it; each row opens its load
//! balancer through `on_open` (the caller's navigation).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::error::ArmError;
use crate::arm::graph::{list_load_balancers, Listed};
use crate::arm::id::LoadBalancerId;
use crate::arm::lro::WaitReason;
use crate::arm::metrics::{fetch, MetricsQuery};
use crate::health::pacing::{Go, Pacer, MAX_IN_FLIGHT};
use crate::health::probe_history::{worst_first, EstateFilter, EstateRow, Verdict};
use crate::ui::error_view::{LazyPart, PartLoader};
use crate::ui::load::load;

/// Rows drawn at once: the worst come first, and 5,000 rows of DOM would cost frames.
const SHOWN: usize = 200;

/// Verdicts are drawn together at most this often: each drawing sorts every row again
/// and rewrites the shown cells that changed, which 2,000 answers one by one would do
/// 2,000 times, in frames far over 50 ms (`cargo xtask bench`, estate section).
const DRAW_EVERY_MS: u64 = 100;

/// Verdicts received and not drawn yet, and whether a drawing is scheduled.
#[derive(Clone, Default)]
struct Undrawn {
    verdicts: Rc<RefCell<Vec<(usize, Verdict)>>>,
    scheduled: Rc<Cell<bool>>,
}

impl Undrawn {
    /// Keeps a verdict, and schedules a drawing if none is.
    fn push(
        &self,
        i: usize,
        verdict: Verdict,
        rows: RwSignal<Vec<EstateRow>>,
        checked: RwSignal<usize>,
    ) {
        self.verdicts.borrow_mut().push((i, verdict));
        if !self.scheduled.replace(true) {
            let this = self.clone();
            set_timeout(
                move || this.draw(rows, checked),
                std::time::Duration::from_millis(DRAW_EVERY_MS),
            );
        }
    }

    /// Writes every kept verdict at once (also at the end and on Stop, so the count the
    /// status line gives is complete). A screen already left has nothing to write to.
    fn draw(&self, rows: RwSignal<Vec<EstateRow>>, checked: RwSignal<usize>) {
        self.scheduled.set(false);
        let batch = std::mem::take(&mut *self.verdicts.borrow_mut());
        if batch.is_empty() {
            return;
        }
        checked.try_update(|n| *n += batch.len());
        rows.try_update(|r| {
            for (i, verdict) in batch {
                if let Some(row) = r.get_mut(i) {
                    row.verdict = verdict;
                }
            }
        });
    }
}

/// Where the scan is, for the progress line.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Listing,
    Checking,
    Done,
    Stopped,
}

/// The overview screen, whose code (Resource Graph, metrics, verdicts) is a part of the
/// page's wasm in a release build, fetched when the screen first opens.
#[component]
pub fn LazyEstate() -> impl IntoView {
    let load: PartLoader = Arc::new(|| Box::pin(estate_screen()));
    view! { <LazyPart what="The estate overview" load=load/> }
}

// See `rules::health_panel` for why this is `wasm_split` with `fallible`, not `#[lazy]`.
#[cfg(lbh_split)]
#[leptos::wasm_split::wasm_split(estate_overview, fallible, wasm_split_path = ::leptos::wasm_split)]
fn estate_screen() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <EstateScreen/> }.into_any())
}

#[cfg(not(lbh_split))]
async fn estate_screen() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <EstateScreen/> }.into_any())
}

/// The overview as a screen of the app: a row opens its load balancer.
#[component]
pub fn EstateScreen() -> impl IntoView {
    let ctx = super::use_app();
    let open = Callback::new(move |id: String| {
        if let Ok(lb) = LoadBalancerId::parse(&id) {
            // As a link to it would: the subscription's name if this browser knows it.
            let link = super::link::Link {
                lb: Some(lb),
                ..Default::default()
            };
            ctx.screen
                .set(super::Screen::from_link(&link, ctx.is_demo()));
        }
    });
    view! { <EstateOverview client=ctx.client() on_open=open/> }
}

#[component]
pub fn EstateOverview(
    client: Rc<ArmClient>,
    /// Opens a load balancer by its resource id.
    #[prop(into)]
    on_open: Callback<String>,
) -> impl IntoView {
    let client = StoredValue::new_local(client);
    let cancel = StoredValue::new_local(Cancel::default());
    let pacer = StoredValue::new_local(Rc::new(RefCell::new(Pacer::default())));
    let rows: RwSignal<Vec<EstateRow>> = RwSignal::new(Vec::new());
    let checked = RwSignal::new(0usize);
    let in_flight = RwSignal::new(0usize);
    let paused_s = RwSignal::new(0u64);
    let phase = RwSignal::new(Phase::Listing);
    let filter = RwSignal::new(EstateFilter::default());
    let undrawn = StoredValue::new_local(Undrawn::default());

    // The listing: every page's rows appear as they arrive; the resource settles when the
    // last page is in (or the listing failed), and then the verdicts start.
    // Stop and leaving the screen cancel the listing and every verdict's request.
    let listing = load(false, move |current: Cancel| {
        cancel.set_value(current.clone());
        let client = client.get_value();
        let cancel = current;
        async move {
            let mut add = |page: Vec<crate::arm::graph::EstateLoadBalancer>| {
                rows.update(|r| {
                    r.extend(page.into_iter().map(|lb| {
                        let verdict = Verdict::for_sku(&lb.sku.name).unwrap_or(Verdict::Pending);
                        EstateRow { lb, verdict }
                    }))
                })
            };
            let listed: Result<Listed, ArmError> =
                list_load_balancers(&client, &[], &cancel, &|_| {}, &mut add).await;
            if listed.is_ok() {
                phase.set(Phase::Checking);
                let cursor = Rc::new(Cell::new(0));
                for _ in 0..MAX_IN_FLIGHT {
                    let ctx = Scan {
                        client: client.clone(),
                        cancel: cancel.clone(),
                        pacer: pacer.get_value(),
                        cursor: cursor.clone(),
                        undrawn: undrawn.get_value(),
                    };
                    spawn_local(worker(ctx, rows, checked, in_flight, paused_s, phase));
                }
            }
            listed.map_err(|e| e.to_string())
        }
    });

    let total = Memo::new(move |_| rows.with(Vec::len));
    // Places in `rows`, worst first. The table's rows are slots (1st, 2nd, ...) that show
    // whichever load balancer is in that place: a batch of verdicts that reorders the list
    // rewrites the cells that changed and moves no DOM. Keyed moves of hundreds of rows
    // cost frames, and Leptos 0.8.23's keyed `For` left a row out of order (e2e_estate).
    let shown = Memo::new(move |_| {
        rows.with(|r| {
            filter.with(|f| {
                worst_first(r, f)
                    .into_iter()
                    .take(SHOWN)
                    .collect::<Vec<usize>>()
            })
        })
    });
    let matching = Memo::new(move |_| {
        rows.with(|r| filter.with(|f| r.iter().filter(|row| f.matches(&row.lb)).count()))
    });
    let progress = move || match phase.get() {
        Phase::Listing => format!("Listing load balancers: {} found so far", total.get()),
        Phase::Checking if paused_s.get() > 0 => {
            format!(
                "Checked {} of {}; Azure asked to slow down, waiting {} s",
                checked.get(),
                total.get(),
                paused_s.get()
            )
        }
        Phase::Checking => format!(
            "Checked {} of {} load balancers ({} requests in flight)",
            checked.get(),
            total.get(),
            in_flight.get()
        ),
        Phase::Done => format!("Checked all {} load balancers", total.get()),
        Phase::Stopped => format!(
            "Stopped: {} of {} load balancers checked",
            checked.get(),
            total.get()
        ),
    };
    let stop = move |_| {
        cancel.with_value(Cancel::cancel);
        undrawn.with_value(|u| u.draw(rows, checked));
        phase.update(|p| {
            if matches!(p, Phase::Listing | Phase::Checking) {
                *p = Phase::Stopped
            }
        });
    };
    let running = move || matches!(phase.get(), Phase::Listing | Phase::Checking);
    let field = move |label: &'static str,
                      get: fn(&EstateFilter) -> String,
                      set: fn(&mut EstateFilter, String)| {
        view! {
            <label>
                {label}" "
                <input type="search" prop:value=move || filter.with(get) on:input=move |ev| filter.update(|f| set(f, event_target_value(&ev))) />
            </label>
        }
    };

    view! {
        <section class="estate" aria-labelledby="estate-title">
            <h1 id="estate-title">"Estate overview"</h1>
            <p class="muted">"Every load balancer you can read, with its health probe status over the last 15 minutes, worst first."</p>
            <div class="estate-progress" role="status" aria-live="polite">
                {progress}
                <Show when=running>
                    <button type="button" on:click=stop>"Stop"</button>
                </Show>
            </div>
            <div class="table-tools">
                {field("Subscription", |f| f.subscription.clone(), |f, v| f.subscription = v)}
                {field("Resource group", |f| f.resource_group.clone(), |f, v| f.resource_group = v)}
                {field("Tag (key or key=value)", |f| f.tag.clone(), |f, v| f.tag = v)}
                {field("Search", |f| f.text.clone(), |f, v| f.text = v)}
            </div>
            {move || match listing.get() {
                None => view! { <p class="muted">{move || format!("Listing load balancers: {} found so far", total.get())}</p> }.into_any(),
                Some(result) => match result {
                        Err(e) => view! { <p role="alert">{format!("The load balancers could not be listed: {e}")}</p> }.into_any(),
                        Ok(_) => view! {
                            <div class="scroll-x">
                            <table class="grid cards">
                                <caption class="sr-only">"Load balancers, worst first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Load balancer"</th>
                                        <th scope="col">"Verdict"</th>
                                        <th scope="col">"Resource group"</th>
                                        <th scope="col">"Subscription"</th>
                                        <th scope="col">"Location"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    <For
                                        each=move || 0..shown.with(Vec::len)
                                        key=|slot| *slot
                                        children=move |slot| {
                                            let row = Memo::new(move |_| {
                                                let i = shown.with(|s| s.get(slot).copied())?;
                                                rows.with(|r| r.get(i).cloned())
                                            });
                                            let cell = move |text: fn(&EstateRow) -> String| {
                                                move || row.with(|r| r.as_ref().map(text).unwrap_or_default())
                                            };
                                            let open = move |_| {
                                                if let Some(id) = row.with_untracked(|r| r.as_ref().map(|r| r.lb.id.clone())) {
                                                    on_open.run(id)
                                                }
                                            };
                                            view! {
                                                <tr>
                                                    <th scope="row">
                                                        <button type="button" class="linklike" on:click=open>{cell(|r| r.lb.name.clone())}</button>
                                                    </th>
                                                    <td data-label="Verdict" class=move || row.with(|r| r.as_ref().map_or("", |r| verdict_class(&r.verdict)))>
                                                        {cell(|r| r.verdict.label())}
                                                    </td>
                                                    <td data-label="Resource group">{cell(|r| r.lb.resource_group.clone())}</td>
                                                    <td data-label="Subscription">{cell(|r| r.lb.subscription_id.clone())}</td>
                                                    <td data-label="Location">{cell(|r| r.lb.location.clone())}</td>
                                                </tr>
                                            }
                                        }
                                    />
                                </tbody>
                            </table>
                            </div>
                            <p class="muted">
                                {move || {
                                    let n = matching.get();
                                    if n > SHOWN { format!("Showing the worst {SHOWN} of {n} matching load balancers") } else { format!("{n} matching load balancers") }
                                }}
                            </p>
                        }
                        .into_any(),
                    },
            }}
        </section>
    }
}

/// The panel's state colours; the verdict's words say the same, so colour is never alone.
fn verdict_class(v: &Verdict) -> &'static str {
    match v {
        Verdict::Down => "verdict down",
        Verdict::Degraded { .. } => "verdict unknown",
        Verdict::Healthy => "verdict up",
        _ => "",
    }
}

/// What the eight workers share besides signals.
struct Scan {
    client: Rc<ArmClient>,
    cancel: Cancel,
    pacer: Rc<RefCell<Pacer>>,
    /// The next row to look at: rows before it are taken.
    cursor: Rc<Cell<usize>>,
    undrawn: Undrawn,
}

/// One of the eight: takes the next load balancer without a verdict, asks the pacer when
/// it may send, reads the last 15 minutes, and writes the verdict; until none is left or
/// the user stops.
async fn worker(
    scan: Scan,
    rows: RwSignal<Vec<EstateRow>>,
    checked: RwSignal<usize>,
    in_flight: RwSignal<usize>,
    paused_s: RwSignal<u64>,
    phase: RwSignal<Phase>,
) {
    let Scan {
        client,
        cancel,
        pacer,
        cursor,
        undrawn,
    } = scan;
    let clock = client.clock();
    loop {
        if cancel.is_cancelled() {
            return;
        }
        // Taken before waiting, so two workers never read the same load balancer.
        let next = rows.with_untracked(|r| {
            let from = cursor.get();
            let i = from
                + r.get(from..)?
                    .iter()
                    .position(|row| row.verdict == Verdict::Pending)?;
            cursor.set(i + 1);
            Some((i, r[i].lb.id.clone()))
        });
        let Some((i, id)) = next else {
            cursor.set(usize::MAX);
            if pacer.borrow().in_flight() == 0 && phase.get_untracked() == Phase::Checking {
                undrawn.draw(rows, checked);
                phase.set(Phase::Done);
            }
            return;
        };
        loop {
            let go = pacer.borrow_mut().try_start(clock.now_ms());
            match go {
                Go::Now => break,
                Go::Wait { ms } => {
                    paused_s.set(pacer.borrow().paused_for(clock.now_ms()).div_ceil(1000));
                    clock.sleep(ms).await;
                    if cancel.is_cancelled() {
                        return;
                    }
                }
            }
        }
        paused_s.set(0);
        in_flight.set(pacer.borrow().in_flight());
        let (verdict, remaining) = match LoadBalancerId::parse(&id) {
            Err(_) => (
                Verdict::Unknown {
                    why: "not a load balancer id".into(),
                },
                None,
            ),
            Ok(lb) => {
                let on_progress = |p: Progress| {
                    if let Progress::Waiting {
                        ms,
                        reason: WaitReason::Throttled,
                        ..
                    } = p
                    {
                        pacer.borrow_mut().throttled(clock.now_ms(), ms);
                    }
                };
                match fetch(
                    &client,
                    &lb,
                    &MetricsQuery::estate(None),
                    &cancel,
                    &on_progress,
                )
                .await
                {
                    Ok(a) => (Verdict::from_answer(&a), a.remaining_reads),
                    Err(e) => (Verdict::from_error(&e), None),
                }
            }
        };
        pacer.borrow_mut().finish(remaining);
        in_flight.set(pacer.borrow().in_flight());
        if cancel.is_cancelled() {
            return;
        }
        undrawn.push(i, verdict, rows, checked);
    }
}
