//! Signals, memos, stored values and callbacks whose value type is erased. Each value
//! type a `RwSignal` holds brings its own copy of the signal's code into the wasm (new,
//! get, set, the write guard, the drop); a `Slot` keeps its value in one
//! `RwSignal<Arc<dyn Any>>`, so all of them share that one copy and only a downcast and
//! a clone are per type. `Computed`, `Stored` and `Call` do the same for `Memo`,
//! `StoredValue` and `Callback`.

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

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
pub(crate) use copy_handle;

copy_handle!(Slot<T>, Computed<T>, Stored<T>, Call<In, Out>);

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
