//! Both sides of a worker in the browser: `Worker` starts one on first use and turns each
//! question into a future its answer resolves; `serve` is the worker's own loop.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{unwrap, wrap, READY, TELL};
use crate::http::LocalBoxFuture;

/// The page's handle on one kind of worker. Starts nothing until asked: a session that
/// never needs the worker never downloads it.
pub struct Worker {
    /// The `data-bin` of the worker's Trunk link in index.html: Trunk writes `<name>.js`
    /// and `<name>_bg.wasm`, without a hash, so the names are known before the build.
    name: &'static str,
    /// Told to every new start of the worker before anything else (its settings).
    first: String,
    link: RefCell<Option<Rc<Link>>>,
    next_id: Cell<u32>,
}

/// Where a question's answer goes: the answer's text, or why there is none.
type Waiting = (u32, oneshot::Sender<Result<String, String>>);

/// One running worker and the questions waiting on it.
struct Link {
    name: &'static str,
    worker: web_sys::Worker,
    /// The blob: URL of the worker's script, released once the worker runs.
    script_url: String,
    /// Messages held until the worker says `READY`; `None` after that.
    held: RefCell<Option<Vec<String>>>,
    waiting: RefCell<Vec<Waiting>>,
    /// Why the worker stopped; the next question starts another.
    failed: RefCell<Option<String>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Worker {
    pub fn new(name: &'static str, first: String) -> Self {
        Worker {
            name,
            first,
            link: RefCell::default(),
            next_id: Cell::new(TELL),
        }
    }

    /// Loads the worker ahead of the first question, so that question does not wait for it.
    pub fn warm(&self) {
        let _ = self.link();
    }

    /// The worker's answer to `text`, or why there is none (it did not load, stopped, or
    /// answered in a protocol this page does not speak).
    pub async fn ask(&self, text: &str) -> Result<String, String> {
        let link = self.link()?;
        let id = match self.next_id.get().wrapping_add(1) {
            TELL => 1,
            id => id,
        };
        self.next_id.set(id);
        let (tx, rx) = oneshot::channel();
        link.waiting.borrow_mut().push((id, tx));
        link.send(wrap(id, text));
        // A dropped sender: the worker failed and was replaced while this waited.
        rx.await
            .unwrap_or_else(|_| Err(format!("{} stopped", self.name)))
    }

    /// The running worker, or a new one when there is none or the last one failed.
    fn link(&self) -> Result<Rc<Link>, String> {
        if let Some(l) = self
            .link
            .borrow()
            .as_ref()
            .filter(|l| l.failed.borrow().is_none())
        {
            return Ok(l.clone());
        }
        if let Some(old) = self.link.borrow_mut().take() {
            old.worker.terminate();
        }
        let link = Link::start(self.name)?;
        link.send(wrap(TELL, &self.first));
        *self.link.borrow_mut() = Some(link.clone());
        Ok(link)
    }
}

impl Link {
    fn start(name: &'static str) -> Result<Rc<Link>, String> {
        let broken = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
        // Relative to the document's base (Trunk's public URL), so a `--public-url
        // /sub/path/` deployment finds them.
        let base = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
            .unwrap_or_default();
        // `?v=<build>`: the names carry no hash, and a cache must not pair this page
        // with another build's worker (crate::http::offline).
        let file = |f: String| {
            web_sys::Url::new_with_base(&crate::http::offline::versioned(&f), &base)
                .map(|u| u.href())
                .map_err(broken)
        };
        let js = file(format!("{name}.js"))?;
        let wasm = file(format!("{name}_bg.wasm"))?;
        crate::http::offline::keep(vec![js.clone(), wasm.clone()]);
        // A worker started from its own http(s) URL takes its Content-Security-Policy
        // from that file's response headers: under the page's <meta> policy (GitHub
        // Pages) it would have none, and its requests would escape connect-src. A blob:
        // worker inherits the page's policy (index.html allows `worker-src blob:`), so
        // connect-src, script-src and 'wasm-unsafe-eval' hold inside it too.
        // wasm_bindgen's promise rejects when the wasm does not load; thrown from a
        // timer it reaches the page as the worker's `error` event instead of a silent
        // unhandled rejection.
        let script = format!(
            "importScripts({js});wasm_bindgen({wasm}).catch(e=>setTimeout(()=>{{throw e}}));",
            // A JSON string is a JavaScript string literal.
            js = serde_json::to_string(&js).map_err(|e| e.to_string())?,
            wasm = serde_json::to_string(&wasm).map_err(|e| e.to_string())?,
        );
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(
            &js_sys::Array::of1(&script.into()),
            &options,
        )
        .map_err(broken)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(broken)?;
        let worker = match web_sys::Worker::new(&url) {
            Ok(w) => w,
            Err(e) => {
                let _ = web_sys::Url::revoke_object_url(&url);
                return Err(broken(e));
            }
        };
        let link = Rc::new_cyclic(|me: &Weak<Link>| {
            let me_msg = me.clone();
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    if let (Some(link), Some(text)) = (me_msg.upgrade(), ev.data().as_string()) {
                        link.receive(&text);
                    }
                },
            );
            let me_err = me.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                // A script that does not load gives a plain `Event`; an exception or a
                // wasm trap inside the worker an `ErrorEvent` with its message.
                let why = ev
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| format!("{name}.js did not load"));
                if let Some(link) = me_err.upgrade() {
                    link.fail(why);
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Link {
                name,
                worker,
                script_url: url,
                held: RefCell::new(Some(Vec::new())),
                waiting: RefCell::default(),
                failed: RefCell::default(),
                _on_message: on_message,
                _on_error: on_error,
            }
        });
        Ok(link)
    }

    fn send(&self, text: String) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push(text);
            return;
        }
        if self.worker.post_message(&JsValue::from_str(&text)).is_err() {
            self.fail(format!("the page could not post to {}", self.name));
        }
    }

    fn receive(&self, text: &str) {
        if text == READY {
            let _ = web_sys::Url::revoke_object_url(&self.script_url);
            let held = self.held.borrow_mut().take().unwrap_or_default();
            for m in held {
                self.send(m);
            }
            return;
        }
        match unwrap(text) {
            Some((id, answer)) => {
                let mut waiting = self.waiting.borrow_mut();
                if let Some(i) = waiting.iter().position(|(w, _)| *w == id) {
                    let _ = waiting.swap_remove(i).1.send(Ok(answer.to_owned()));
                }
            }
            // A worker from an older deployment still in the browser's cache speaks
            // another protocol: stop, rather than wait for answers that never come.
            None => self.fail(format!(
                "{} answered something this page cannot read; reload the page",
                self.name
            )),
        }
    }

    fn fail(&self, why: String) {
        self.failed.borrow_mut().get_or_insert(why.clone());
        self.held.borrow_mut().take();
        for (_, tx) in self.waiting.borrow_mut().drain(..) {
            let _ = tx.send(Err(why.clone()));
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.script_url);
    }
}

/// The worker's side: hands each message's text to `answer` and posts what it returns
/// under the message's id (nothing for a `TELL`), then says `READY`. Messages not of
/// this protocol are dropped: the page that sent them waits on nothing.
pub fn serve(answer: impl Fn(String) -> LocalBoxFuture<'static, String> + 'static) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |text: &str| {
            let _ = scope.post_message(&JsValue::from_str(text));
        }
    };
    let reply = post.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let Some((id, text)) = unwrap(&text) else {
                return;
            };
            let answered = answer(text.to_owned());
            let reply = reply.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = answered.await;
                if id != TELL {
                    reply(&wrap(id, &text));
                }
            });
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    on_message.forget();
    post(READY);
}
