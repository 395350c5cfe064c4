//! The size helpers of the earlier UI, kept here only while `panel`, `rules` and
//! `tooltip` still use them; they go once those are in the idiom of the rest of `ui`
//! (`RwSignal`, `Memo`, `StoredValue`, `Callback`, `on:` handlers, plain attributes,
//! `LocalResource`). Nothing new uses them.
//!
//! Signals, memos, stored values and callbacks whose value type is erased. Each value
//! type a `RwSignal` holds brings its own copy of the signal's code into the wasm (new,
//! get, set, the write guard, the drop); a `Slot` keeps its value in one
//! `RwSignal<Arc<dyn Any>>`, so all of them share that one copy and only a downcast and
//! a clone are per type. `Computed`, `Stored` and `Call` do the same for `Memo`,
//! `StoredValue` and `Callback`.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_app;
use crate::arm::client::{ArmClient, Cancel, Progress};
use crate::arm::error::ArmError;
use crate::arm::lro::WaitReason;

type Erased = Arc<dyn Any + Send + Sync>;

/// `Copy` (and `Clone`) for a handle whatever its type parameters are: a derive would
/// require them to be `Copy` too, though the handle holds only an arena key.
macro_rules! copy_handle {
    ($($name:ident<$($t:ident),+>),+ $(,)?) => {$(
        impl<$($t),+> Clone for $name<$($t),+> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<$($t),+> Copy for $name<$($t),+> {}
    )+};
}
copy_handle!(Slot<T>, Computed<T>, Stored<T>, Call<In, Out>, Data<T>);

pub struct Slot<T> {
    sig: RwSignal<Erased>,
    ty: PhantomData<fn() -> T>,
}

fn typed<T: 'static>(v: &Erased) -> &T {
    v.downcast_ref().expect("a slot holds its own type")
}

/// The same calls as a `RwSignal`'s, with the same tracking; `set` and `update` do
/// nothing once the owner is gone, as `try_set` and `try_update`.
impl<T: Clone + Send + Sync + 'static> Slot<T> {
    pub fn new(v: T) -> Self {
        Slot { sig: RwSignal::new(Arc::new(v)), ty: PhantomData }
    }

    pub fn get(&self) -> T {
        typed::<T>(&self.sig.get()).clone()
    }

    pub fn get_untracked(&self) -> T {
        typed::<T>(&self.sig.get_untracked()).clone()
    }

    /// `None` once the owner is gone.
    pub fn try_get_untracked(&self) -> Option<T> {
        self.sig.try_get_untracked().map(|v| typed::<T>(&v).clone())
    }

    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(typed(&self.sig.get()))
    }

    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(typed(&self.sig.get_untracked()))
    }

    pub fn set(&self, v: T) {
        self.sig.set(Arc::new(v));
    }

    /// Notifies even when `f` changes nothing, as `RwSignal::update` does.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        if let Some(v) = self.sig.try_get_untracked() {
            let mut v = typed::<T>(&v).clone();
            f(&mut v);
            self.set(v);
        }
    }
}

/// A memo whose value type is erased, as `Slot` is for signals: one
/// `Memo<Arc<dyn Any>>` for all of them, and a comparison per type.
pub struct Computed<T> {
    memo: Memo<Erased>,
    ty: PhantomData<fn() -> T>,
}

/// Whether a new value differs from the last, as `Memo::new` decides it.
fn changed<T: PartialEq + 'static>(old: Option<&Erased>, new: Option<&Erased>) -> bool {
    old.map(typed::<T>) != new.map(typed::<T>)
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Computed<T> {
    pub fn new(f: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Computed { memo: Memo::new_with_compare(move |_| Arc::new(f()) as Erased, changed::<T>), ty: PhantomData }
    }

    pub fn get(&self) -> T {
        typed::<T>(&self.memo.get()).clone()
    }

    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(typed(&self.memo.get()))
    }
}

/// A stored value whose type is erased, as `Slot` is for signals: every one is a
/// `StoredValue<Rc<dyn Any>>` holding a `RefCell<T>`, so `StoredValue`'s code is in the
/// wasm once. Not reactive, and local to the thread, as `StoredValue::new_local`.
pub struct Stored<T> {
    cell: StoredValue<Rc<dyn Any>, LocalStorage>,
    ty: PhantomData<fn() -> T>,
}

/// The same calls as a `StoredValue`'s; the `try_` ones give `None` once the owner is
/// gone, the others panic then, as `StoredValue`'s do.
impl<T: 'static> Stored<T> {
    pub fn new(v: T) -> Self {
        Stored { cell: StoredValue::new_local(Rc::new(RefCell::new(v))), ty: PhantomData }
    }

    fn rc(&self) -> Rc<dyn Any> {
        self.cell.get_value()
    }

    pub fn with_value<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&cell::<T>(&self.rc()).borrow())
    }

    pub fn try_with_value<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.cell.try_get_value().map(|rc| f(&cell::<T>(&rc).borrow()))
    }

    pub fn set_value(&self, v: T) {
        *cell::<T>(&self.rc()).borrow_mut() = v;
    }

    pub fn update_value(&self, f: impl FnOnce(&mut T)) {
        f(&mut cell::<T>(&self.rc()).borrow_mut());
    }

    pub fn try_update_value<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.cell.try_get_value().map(|rc| f(&mut cell::<T>(&rc).borrow_mut()))
    }
}

impl<T: Clone + 'static> Stored<T> {
    pub fn get_value(&self) -> T {
        self.with_value(T::clone)
    }

    pub fn try_get_value(&self) -> Option<T> {
        self.try_with_value(T::clone)
    }
}

fn cell<T: 'static>(v: &Rc<dyn Any>) -> &RefCell<T> {
    v.downcast_ref().expect("a stored value holds its own type")
}

/// A callback as a `Stored` `Rc<dyn Fn>`, where `Callback` would bring a `StoredValue`
/// of its own per argument type.
pub struct Call<In: 'static, Out: 'static = ()>(Stored<Rc<dyn Fn(In) -> Out>>);

impl<In: 'static, Out: 'static> Call<In, Out> {
    pub fn new(f: impl Fn(In) -> Out + 'static) -> Self {
        Call(Stored::new(Rc::new(f)))
    }

    /// Panics once the owner is gone, as `Callback::run`.
    pub fn run(&self, input: In) -> Out {
        (self.0.get_value())(input)
    }

    pub fn try_run(&self, input: In) -> Option<Out> {
        self.0.try_get_value().map(|f| f(input))
    }
}

impl<F: Fn(In) -> Out + 'static, In: 'static, Out: 'static> From<F> for Call<In, Out> {
    fn from(f: F) -> Self {
        Call::new(f)
    }
}

/// For the idiomatic components' props: a `Slot` where a `Signal` is asked for.
impl<T: Clone + Send + Sync + 'static> From<Slot<T>> for Signal<T> {
    fn from(slot: Slot<T>) -> Self {
        Signal::derive(move || slot.get())
    }
}

/// For the idiomatic components' props: a `Call` where a `Callback` is asked for.
impl<In: 'static, Out: 'static> From<Call<In, Out>> for Callback<In, Out> {
    fn from(call: Call<In, Out>) -> Self {
        Callback::new(move |input| call.run(input))
    }
}

type ErasedLoad = Arc<dyn Any + Send + Sync>;
type State = Slot<Option<Result<ErasedLoad, ArmError>>>;
type Fetch = Rc<dyn Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Pin<Box<dyn Future<Output = Result<ErasedLoad, ArmError>>>>>;

/// What a load is waiting out (a 429's Retry-After, a retry after a failure), for
/// `Loading` to say; `None` while it is simply waiting for an answer.
pub type Waiting = Slot<Option<Progress>>;

/// A load's state: `None` while loading. Also the page's other signals of an optional
/// outcome: with `T` erased, every one of them shares one copy of the signal code.
pub struct Data<T> {
    state: State,
    ty: PhantomData<fn() -> T>,
}

// `ArmError` is large; this goes with the rest of the file, so it is not boxed now.
#[allow(clippy::result_large_err)]
impl<T: Clone + Send + Sync + 'static> Data<T> {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Data { state: Slot::new(None), ty: PhantomData }
    }

    /// As a signal's `try_set`: nothing once the owner is gone.
    pub fn set(&self, v: Option<Result<T, ArmError>>) {
        self.state.set(v.map(|r| r.map(|v| Arc::new(v) as ErasedLoad)));
    }

    /// Tracked, as a signal's `get`.
    pub fn get(&self) -> Option<Result<T, ArmError>> {
        self.state.get().map(|r| r.map(|v| loaded::<T>(&v).clone()))
    }
}

fn loaded<T: 'static>(v: &ErasedLoad) -> &T {
    v.downcast_ref().expect("a load holds its fetch's type")
}

/// A screen's data, fetched once and again on retry, cancelled when the screen goes
/// away: the state (None while loading), what it is waiting out, and a `reload`.
pub fn load<T, F, Fut>(fetch: F) -> (Data<T>, Waiting, impl Fn() + Copy + Send + Sync + 'static)
where
    T: Send + Sync + 'static,
    F: Fn(Rc<ArmClient>, Cancel, Rc<dyn Fn(Progress)>) -> Fut + 'static,
    Fut: Future<Output = Result<T, ArmError>> + 'static,
{
    let (state, waiting, reload) = load_erased(Rc::new(move |client, cancel, progress| {
        let fut = fetch(client, cancel, progress);
        Box::pin(async move { fut.await.map(|v| Arc::new(v) as ErasedLoad) })
    }));
    (Data { state, ty: PhantomData }, waiting, reload)
}

fn load_erased(fetch: Fetch) -> (State, Waiting, impl Fn() + Copy + Send + Sync + 'static) {
    let ctx = use_app();
    let state: State = Slot::new(None);
    let waiting: Waiting = Slot::new(None);
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

/// `Effect::new` through one boxed closure type.
pub fn effect(f: impl FnMut() + 'static) {
    let f: Box<dyn FnMut()> = Box::new(f);
    Effect::new(f);
}

/// A reactive view not written as a closure inside `view!`, as the shared type `view!`
/// gives those.
pub fn reactive<T: 'static>(f: impl FnMut() -> T + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> T + Send>> {
    std::sync::Arc::new(std::sync::Mutex::new(f))
}

/// `reactive` for a view that is there or not, as an `AnyView`.
pub fn reactive_opt(mut f: impl FnMut() -> Option<AnyView> + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    reactive(move || f().into_any())
}

/// `reactive` for a text or a list, as an `AnyView`.
pub fn reactive_any<T: leptos::tachys::view::any_view::IntoAny>(mut f: impl FnMut() -> T + Send + 'static) -> std::sync::Arc<std::sync::Mutex<dyn FnMut() -> AnyView + Send>> {
    reactive(move || f().into_any())
}

/// A static attribute as one shared attribute type.
pub fn attr(key: &'static str, value: &'static str) -> leptos::tachys::html::attribute::custom::CustomAttr<&'static str, &'static str> {
    leptos::tachys::html::attribute::custom::custom_attribute(key, value)
}

/// `attr` for a value made at run time.
pub fn attr_owned(key: &'static str, value: String) -> leptos::tachys::html::attribute::custom::CustomAttr<&'static str, String> {
    leptos::tachys::html::attribute::custom::custom_attribute(key, value)
}

pub type ReactiveAttr = leptos::tachys::html::attribute::custom::CustomAttr<&'static str, std::sync::Arc<std::sync::Mutex<dyn FnMut() -> Option<String> + Send>>>;

/// `attr` for a reactive value (`None` removes the attribute).
pub fn attr_fn(key: &'static str, f: impl FnMut() -> Option<String> + Send + 'static) -> ReactiveAttr {
    leptos::tachys::html::attribute::custom::custom_attribute(key, reactive(f))
}

/// `attr_fn` for a boolean attribute: present and empty when `f` is true.
pub fn attr_flag(key: &'static str, mut f: impl FnMut() -> bool + Send + 'static) -> ReactiveAttr {
    attr_fn(key, move || f().then(String::new))
}

/// An event listener as one attribute type with one boxed handler type; the handler
/// gets the plain `Event`.
pub fn listen(name: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> leptos::tachys::html::event::On<leptos::tachys::html::event::Custom, Box<dyn FnMut(web_sys::Event)>> {
    let f: Box<dyn FnMut(web_sys::Event)> = Box::new(f);
    leptos::tachys::html::event::on(leptos::tachys::html::event::Custom::new(name), f)
}
