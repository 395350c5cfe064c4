//! A screen's data, fetched once and again on retry, cancelled when the screen goes
//! away. Plain signals and `spawn_local` rather than `LocalResource`: the async-derived
//! machinery cost about 35 KB of wasm for three lists.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_app;
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::lro::WaitReason;
use crate::arm::error::ArmError;

pub type Loaded<T> = Option<Result<T, ArmError>>;

/// What a load is waiting out (a 429's Retry-After, a retry after a failure), for
/// `Loading` to say; `None` while it is simply waiting for an answer.
pub type Waiting = RwSignal<Option<Progress>>;

/// Returns the state (None while loading), what it is waiting out, and a `reload` to
/// call from Retry. `fetch` gets the client, the cancel handle and a progress callback.
pub fn load<T, F, Fut>(fetch: F) -> (RwSignal<Loaded<T>>, Waiting, impl Fn() + Copy + Send + Sync + 'static)
where
    T: Send + Sync + 'static,
    F: Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Fut + 'static,
    Fut: Future<Output = Result<T, ArmError>> + 'static,
{
    let ctx = use_app();
    let state = RwSignal::new(None);
    let waiting: Waiting = RwSignal::new(None);
    let cancel = StoredValue::new_local(Cancel::default());
    let fetch = StoredValue::new_local(Rc::new(fetch) as Rc<dyn Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Fut>);
    let reload = move || {
        cancel.get_value().cancel();
        let c = Cancel::default();
        cancel.set_value(c.clone());
        state.set(None);
        waiting.set(None);
        let live = c.clone();
        let progress: Rc<dyn Fn(Progress)> = Rc::new(move |p| {
            if !live.is_cancelled() {
                let retrying = matches!(p, Progress::Waiting { reason: WaitReason::Throttled | WaitReason::Transient, .. });
                waiting.try_set(retrying.then_some(p));
            }
        });
        let fut = (fetch.get_value())(ctx.client(), c.clone(), progress);
        spawn_local(async move {
            let r = fut.await;
            if !c.is_cancelled() {
                waiting.try_set(None);
                state.try_set(Some(r));
            }
        });
    };
    reload();
    on_cleanup(move || cancel.get_value().cancel());
    (state, waiting, reload)
}
