//! The demo estate's worker: a dedicated web worker that answers the demo client's ARM
//! requests from `lb_health::demo`, so the page's own wasm does not carry the estate and
//! its simulated ARM, and a session that never opens the demo never loads them. The
//! page's side is `http::browser::WorkerTransport`; the envelope is `lb_health::http::worker`.
//! Trunk builds it from index.html's `data-type="worker"` link.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;

    use lb_health::demo::{DemoArm, Settings};
    use lb_health::http::{Request, Response};

    let arm: RefCell<Option<DemoArm>> = RefCell::default();
    lb_health::http::worker::serve(move |text| {
        let answer = if let Some(settings) = Settings::from_wire(&text) {
            // Told first, before any request: the estate to serve.
            *arm.borrow_mut() = Some(settings.arm());
            String::new()
        } else {
            let mut arm = arm.borrow_mut();
            let arm = arm.get_or_insert_with(|| Settings::default().arm());
            match Request::from_wire(&text) {
                Some(req) => arm.answer(&req).to_wire(),
                None => Response::new(400, "the demo worker could not read this request").to_wire(),
            }
        };
        Box::pin(std::future::ready(answer))
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The demo worker runs in the browser, started by LB Health's page.");
}
