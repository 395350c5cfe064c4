//! A screen's data, fetched once and again on retry, cancelled when the screen goes
//! away. Plain signals and `spawn_local` rather than `LocalResource`: the async-derived
//! machinery cost about 35 KB of wasm for three lists.
//!
//! The signal, the task and the retry are not generic over what is loaded: the value
//! travels type-erased and `Data` casts it back, so the three screens share one copy
//! of that code instead of one each.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{use_app, Slot, Stored};
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::lro::WaitReason;
use crate::arm::error::ArmError;

type Erased = Arc<dyn Any + Send + Sync>;
type State = Slot<Option<Result<Erased, ArmError>>>;
type Fetch = Rc<dyn Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Pin<Box<dyn Future<Output = Result<Erased, ArmError>>>>>;

/// What a load is waiting out (a 429's Retry-After, a retry after a failure), for
/// `Loading` to say; `None` while it is simply waiting for an answer.
pub type Waiting = RwSignal<Option<Progress>>;

/// A load's state: `None` while loading. Also the page's other signals of an optional
/// outcome (a search, the panel's result, the tenant list, a token held for a second
/// submit): with `T` erased, every one of them shares one copy of the signal code.
pub struct Data<T> {
    state: State,
    ty: PhantomData<fn() -> T>,
}

super::slot::copy_handle!(Data<T>);

impl<T: Clone + Send + Sync + 'static> Data<T> {
    pub fn new() -> Self {
        Data { state: Slot::new(None), ty: PhantomData }
    }

    /// As a signal's `try_set`: nothing once the owner is gone.
    pub fn set(&self, v: Option<Result<T, ArmError>>) {
        self.state.set(v.map(|r| r.map(|v| Arc::new(v) as Erased)));
    }

    pub fn get_untracked(&self) -> Option<Result<T, ArmError>> {
        self.state.get_untracked().map(|r| r.map(|v| typed::<T>(&v).clone()))
    }

    /// Tracked, as a signal's `get`.
    pub fn get(&self) -> Option<Result<T, ArmError>> {
        self.state.get().map(|r| r.map(|v| typed::<T>(&v).clone()))
    }

    /// The loaded value, if there is one, untracked.
    pub fn with_untracked<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.state.with_untracked(|s| f(match s {
            Some(Ok(v)) => Some(typed(v)),
            _ => None,
        }))
    }
}

fn typed<T: 'static>(v: &Erased) -> &T {
    v.downcast_ref().expect("a load holds its fetch's type")
}

/// Returns the state (None while loading), what it is waiting out, and a `reload` to
/// call from Retry. `fetch` gets the client, the cancel handle and a progress callback.
pub fn load<T, F, Fut>(fetch: F) -> (Data<T>, Waiting, impl Fn() + Copy + Send + Sync + 'static)
where
    T: Send + Sync + 'static,
    F: Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Fut + 'static,
    Fut: Future<Output = Result<T, ArmError>> + 'static,
{
    let (state, waiting, reload) = load_erased(Rc::new(move |client, cancel, progress| {
        let fut = fetch(client, cancel, progress);
        Box::pin(async move { fut.await.map(|v| Arc::new(v) as Erased) })
    }));
    (Data { state, ty: PhantomData }, waiting, reload)
}

fn load_erased(fetch: Fetch) -> (State, Waiting, impl Fn() + Copy + Send + Sync + 'static) {
    let ctx = use_app();
    let state: State = Slot::new(None);
    let waiting: Waiting = RwSignal::new(None);
    let cancel = Stored::new(Cancel::default());
    let fetch = Stored::new(fetch);
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
                waiting.set(retrying.then_some(p));
            }
        });
        let fut = (fetch.get_value())(ctx.client(), c.clone(), progress);
        spawn_local(async move {
            let r = fut.await;
            if !c.is_cancelled() {
                waiting.set(None);
                state.set(Some(r));
            }
        });
    };
    reload();
    on_cleanup(move || cancel.get_value().cancel());
    (state, waiting, reload)
}
