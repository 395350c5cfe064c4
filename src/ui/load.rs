//! A screen's ARM data as a `LocalResource`: fetched when the screen opens and again on
//! `refetch` (Retry), with what the client is waiting out (a 429's Retry-After, a retry
//! after a failure) beside it for `Loading` to say, and the request cancelled when the
//! screen goes away or a newer fetch replaces it.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;

use super::use_app;
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::lro::WaitReason;

/// The resource and what it is waiting out (`None` while it simply waits for an answer).
pub struct ArmResource<T: 'static> {
    pub data: LocalResource<T>,
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
    let cancel = StoredValue::new_local(Cancel::default());
    on_cleanup(move || {
        cancel.try_with_value(Cancel::cancel);
    });
    let data = LocalResource::new(move || {
        cancel.with_value(Cancel::cancel);
        let current = Cancel::default();
        cancel.set_value(current.clone());
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
                waiting.set(None);
            }
            out
        }
    });
    ArmResource { data, waiting }
}
