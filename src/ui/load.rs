//! A screen's data, fetched once and again on retry, cancelled when the screen goes
//! away. Plain signals and `spawn_local` rather than `LocalResource`: the async-derived
//! machinery cost about 35 KB of wasm for three lists.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_app;
use crate::arm::client::{ArmClient, Cancel};
use crate::arm::error::ArmError;

pub type Loaded<T> = Option<Result<T, ArmError>>;

/// Returns the state (None while loading) and a `reload` to call from Retry.
pub fn load<T, F, Fut>(fetch: F) -> (RwSignal<Loaded<T>>, impl Fn() + Copy + Send + Sync + 'static)
where
    T: Send + Sync + 'static,
    F: Fn(Rc<ArmClient>, Cancel) -> Fut + 'static,
    Fut: Future<Output = Result<T, ArmError>> + 'static,
{
    let ctx = use_app();
    let state = RwSignal::new(None);
    let cancel = StoredValue::new_local(Cancel::default());
    let fetch = StoredValue::new_local(Rc::new(fetch) as Rc<dyn Fn(Rc<ArmClient>, Cancel) -> Fut>);
    let reload = move || {
        cancel.get_value().cancel();
        let c = Cancel::default();
        cancel.set_value(c.clone());
        state.set(None);
        let fut = (fetch.get_value())(ctx.client(), c.clone());
        spawn_local(async move {
            let r = fut.await;
            if !c.is_cancelled() {
                state.try_set(Some(r));
            }
        });
    };
    reload();
    on_cleanup(move || cancel.get_value().cancel());
    (state, reload)
}
