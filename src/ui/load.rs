//! Async data for a screen: fetched when the screen opens, again on `refetch` (Retry)
//! and whenever a signal the fetch reads changes; the previous fetch is cancelled when a
//! newer one starts or the screen goes away. Views read it with `get()`: `None` while
//! the first answer is on the way.
//!
//! This stands in for `LocalResource` with `Suspense`/`Transition` (a listed departure
//! from the idiom, see ARCHITECTURE.md): an `Effect`, a signal and `spawn_local` do what
//! these screens need, and the async-derived and suspense machinery they replace measured
//! 30.8 KB gzip of the page bundle.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_app;
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::lro::WaitReason;

/// The latest answer of a fetch, `None` until there is one.
pub struct Load<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    again: Trigger,
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Load<T> {}

impl<T: 'static> Load<T> {
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.value.get()
    }

    pub fn with<R>(&self, f: impl FnOnce(&Option<T>) -> R) -> R {
        self.value.with(f)
    }

    pub fn with_untracked<R>(&self, f: impl FnOnce(&Option<T>) -> R) -> R {
        self.value.with_untracked(f)
    }

    /// Fetches again (Retry).
    pub fn refetch(&self) {
        self.again.notify();
    }
}

/// Runs `fetch` now and again whenever a signal it reads changes or `refetch` is called,
/// handing it the fetch's cancel handle. With `keep`, the previous answer stays until the
/// next one is here (as `Transition` would); without it, the view is back to loading.
pub fn load<T, F, Fut>(keep: bool, fetch: F) -> Load<T>
where
    T: 'static,
    F: Fn(Cancel) -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let load = Load {
        value: RwSignal::new_local(None),
        again: Trigger::new(),
    };
    let cancel = StoredValue::new_local(Cancel::default());
    on_cleanup(move || {
        cancel.try_with_value(Cancel::cancel);
    });
    Effect::new(move || {
        load.again.track();
        cancel.with_value(Cancel::cancel);
        let current = Cancel::default();
        cancel.set_value(current.clone());
        if !keep {
            load.value.set(None);
        }
        let fut = fetch(current.clone());
        spawn_local(async move {
            let out = fut.await;
            if !current.is_cancelled() {
                load.value.try_set(Some(out));
            }
        });
    });
    load
}

/// A screen's ARM data and what the client is waiting out meanwhile (a 429's
/// Retry-After, a retry after a failure; `None` while it simply waits for an answer).
pub struct ArmResource<T: 'static> {
    pub data: Load<T>,
    pub waiting: RwSignal<Option<Progress>>,
}

impl<T> Clone for ArmResource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ArmResource<T> {}

/// `fetch` gets the client in use, the fetch's cancel handle and a progress callback.
/// Signals it reads are tracked: a change fetches again (the search's submitted text).
pub fn arm_resource<T, F, Fut>(fetch: F) -> ArmResource<T>
where
    T: 'static,
    F: Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let ctx = use_app();
    let waiting = RwSignal::new(None);
    let data = load(false, move |current: Cancel| {
        waiting.set(None);
        let live = current.clone();
        let progress: Rc<dyn Fn(Progress)> = Rc::new(move |p| {
            if !live.is_cancelled() {
                let retrying = matches!(
                    p,
                    Progress::Waiting {
                        reason: WaitReason::Throttled | WaitReason::Transient,
                        ..
                    }
                );
                waiting.set(retrying.then_some(p));
            }
        });
        let fut = fetch(ctx.client(), current.clone(), progress);
        async move {
            let out = fut.await;
            if !current.is_cancelled() {
                waiting.try_set(None);
            }
            out
        }
    });
    ArmResource { data, waiting }
}
