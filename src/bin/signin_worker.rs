//! The sign-in worker: a dedicated web worker that owns the one `Entra` (and with it
//! the `oauth2` crate, `url` and their kin), so the page's own wasm does not carry them.
//! The page starts it only when the deployment has a client id (`auth::signin`); the
//! protocol and the work are `auth::worker`. Trunk builds it from index.html's
//! `data-type="worker"` link.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use lb_health::arm::browser::FetchTransport;
    use lb_health::auth::entra::{Entra, SignInError};
    use lb_health::auth::worker::{decode, encode, serve, Answer, FromWorker, ToWorker};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |m: &FromWorker| {
            let _ = scope.post_message(&JsValue::from_str(&encode(m)));
        }
    };
    let entra: Rc<RefCell<Option<Rc<Entra>>>> = Rc::default();
    let reply = post.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(message) = ev.data().as_string().and_then(|t| decode::<ToWorker>(&t)) else { return };
        match message {
            // The token endpoint with the same fetch transport as ARM: no cookies.
            ToWorker::Settings(s) => *entra.borrow_mut() = Some(Rc::new(Entra::new(s, Rc::new(FetchTransport)))),
            ToWorker::Ask { id, ask } => {
                let entra = entra.borrow().clone();
                let reply = reply.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = match entra {
                        Some(e) => serve(&e, ask).await,
                        None => Answer::Failed(SignInError::Worker("asked before it had the settings".into())),
                    };
                    reply(&FromWorker::Answer { id, answer });
                });
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    on_message.forget();
    post(&FromWorker::Ready);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The sign-in worker runs in the browser, started by LB Health's page.");
}
