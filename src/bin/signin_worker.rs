//! The sign-in worker: a dedicated web worker that owns the one `Entra` (and with it
//! the `oauth2` crate, `url` and their kin), so the page's own wasm does not carry them.
//! The page starts it only when the deployment has a client id (`auth::signin`); the
//! protocol and the work are `auth::worker`, the envelope `lb_health::http::worker`. Trunk
//! builds it from index.html's `data-type="worker"` link.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use lb_health::auth::entra::{Entra, SignInError};
    use lb_health::auth::worker::{decode, encode, serve, Answer, ToWorker};
    use lb_health::http::browser::FetchTransport;

    let entra: RefCell<Option<Rc<Entra>>> = RefCell::default();
    lb_health::http::worker::serve(move |text| {
        // `None`: the settings, told once, answered with nothing. Set now, not in the
        // future below, so the questions that follow find them.
        let asked = match decode::<ToWorker>(&text) {
            Some(ToWorker::Settings(s)) => {
                // The token endpoint with the same fetch transport as ARM: no cookies.
                *entra.borrow_mut() = Some(Rc::new(Entra::new(s, Rc::new(FetchTransport))));
                None
            }
            Some(ToWorker::Ask(ask)) => Some(
                entra
                    .borrow()
                    .clone()
                    .map(|e| (e, ask))
                    .ok_or("asked before it had the settings"),
            ),
            None => Some(Err(
                "the page asked something this worker cannot read; reload the page",
            )),
        };
        Box::pin(async move {
            let answer = match asked {
                None => return String::new(),
                Some(Ok((e, ask))) => serve(&e, ask).await,
                Some(Err(why)) => Answer::Failed(SignInError::Worker(why.into())),
            };
            encode(&answer)
        })
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The sign-in worker runs in the browser, started by LB Health's page.");
}
