//! The page's side of the sign-in worker (`auth::worker`): `SignIn` starts the worker on
//! first use, sends it the deployment's settings, and turns each request into a future
//! that its answer resolves. Only used in the browser.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::account::Refresher;
use super::entra::{Mode, Pending, Settings, SignInError, Started, Tokens};
use super::worker::{decode, encode, Answer, Ask, FromWorker, ToWorker};
use crate::arm::transport::LocalBoxFuture;

/// The worker's files, from `<link data-trunk rel="rust" data-bin="signin-worker"
/// data-type="worker">` in index.html. Trunk does not hash a worker's file names, so
/// they are known before the build.
const WORKER_JS: &str = "signin-worker.js";
const WORKER_WASM: &str = "signin-worker_bg.wasm";

pub struct SignIn {
    settings: Settings,
    worker: RefCell<Option<Rc<Link>>>,
    next_id: Cell<u32>,
}

/// One running worker and the requests waiting on it.
struct Link {
    worker: web_sys::Worker,
    /// The blob: URL of the worker's script, released once the worker runs.
    script_url: String,
    /// Messages held until the worker says `Ready`; `None` after that.
    held: RefCell<Option<Vec<String>>>,
    waiting: RefCell<Vec<(u32, oneshot::Sender<Answer>)>>,
    /// Why the worker stopped; the next request starts another.
    failed: RefCell<Option<String>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl SignIn {
    /// Starts nothing yet: a deployment that never signs in never loads the worker.
    pub fn new(settings: Settings) -> Self {
        SignIn { settings, worker: RefCell::default(), next_id: Cell::new(0) }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Loads the worker ahead of the click, so the first sign-in does not wait for it.
    pub fn warm(&self) {
        let _ = self.link();
    }

    /// A new PKCE pair and state, and the authorize URL that carries them.
    pub async fn begin(&self, tenant: &str, mode: Mode, return_to: String) -> Result<Started, SignInError> {
        self.ask(Ask::Begin { tenant: tenant.to_owned(), mode, return_to }).await.into_started()
    }

    /// Trades the code for tokens, proving with the verifier that this tab asked for it.
    pub async fn redeem(&self, code: String, pending: &Pending) -> Result<Tokens, SignInError> {
        self.ask(Ask::Redeem { code, pending: pending.clone() }).await.into_tokens()
    }

    async fn ask(&self, ask: Ask) -> Answer {
        let link = match self.link() {
            Ok(l) => l,
            Err(e) => return Answer::Failed(e),
        };
        let id = self.next_id.get().wrapping_add(1);
        self.next_id.set(id);
        let (tx, rx) = oneshot::channel();
        link.waiting.borrow_mut().push((id, tx));
        link.send(encode(&ToWorker::Ask { id, ask }));
        // A dropped sender: the worker failed and was replaced while this waited.
        rx.await.unwrap_or_else(|_| Answer::Failed(SignInError::Worker("the sign-in worker stopped".into())))
    }

    /// The running worker, or a new one when there is none or the last one failed.
    fn link(&self) -> Result<Rc<Link>, SignInError> {
        if let Some(l) = self.worker.borrow().as_ref().filter(|l| l.failed.borrow().is_none()) {
            return Ok(l.clone());
        }
        if let Some(old) = self.worker.borrow_mut().take() {
            old.worker.terminate();
        }
        let link = Link::start()?;
        link.send(encode(&ToWorker::Settings(self.settings.clone())));
        *self.worker.borrow_mut() = Some(link.clone());
        Ok(link)
    }
}

impl Refresher for SignIn {
    fn refresh<'a>(&'a self, tenant: &'a str, refresh: &'a str) -> LocalBoxFuture<'a, Result<Tokens, SignInError>> {
        Box::pin(async move {
            self.ask(Ask::Refresh { tenant: tenant.to_owned(), refresh: refresh.to_owned() }).await.into_tokens()
        })
    }
}

impl Link {
    fn start() -> Result<Rc<Link>, SignInError> {
        let broken = |e: JsValue| SignInError::Worker(e.as_string().unwrap_or_else(|| format!("{e:?}")));
        // Relative to the document's base (Trunk's public URL), so a `--public-url
        // /sub/path/` deployment finds them.
        let base = web_sys::window().and_then(|w| w.document()).and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
        let js = web_sys::Url::new_with_base(WORKER_JS, &base).map_err(broken)?.href();
        let wasm = web_sys::Url::new_with_base(WORKER_WASM, &base).map_err(broken)?.href();
        // A worker started from its own http(s) URL takes its Content-Security-Policy
        // from that file's response headers: under the page's <meta> policy (GitHub
        // Pages) it would have none, and its token requests would escape connect-src.
        // A blob: worker inherits the page's policy (index.html allows `worker-src
        // blob:`), so connect-src, script-src and 'wasm-unsafe-eval' hold inside it too.
        // wasm_bindgen's promise rejects when the wasm does not load; thrown from a
        // timer it reaches the page as the worker's `error` event instead of a silent
        // unhandled rejection.
        let script = format!(
            "importScripts({js});wasm_bindgen({wasm}).catch(e=>setTimeout(()=>{{throw e}}));",
            js = crate::json::quote(&js),
            wasm = crate::json::quote(&wasm),
        );
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&script.into()), &options).map_err(broken)?;
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
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let (Some(link), Some(text)) = (me_msg.upgrade(), ev.data().as_string()) {
                    link.receive(&text);
                }
            });
            let me_err = me.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                // A script that does not load gives a plain `Event`; an exception or a
                // wasm trap inside the worker an `ErrorEvent` with its message.
                let why = ev
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| format!("{WORKER_JS} did not load"));
                if let Some(link) = me_err.upgrade() {
                    link.fail(why);
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Link {
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
            self.fail("the page could not post to the sign-in worker".into());
        }
    }

    fn receive(&self, text: &str) {
        match decode::<FromWorker>(text) {
            Some(FromWorker::Ready) => {
                let _ = web_sys::Url::revoke_object_url(&self.script_url);
                let held = self.held.borrow_mut().take().unwrap_or_default();
                for m in held {
                    self.send(m);
                }
            }
            Some(FromWorker::Answer { id, answer }) => {
                let mut waiting = self.waiting.borrow_mut();
                if let Some(i) = waiting.iter().position(|(w, _)| *w == id) {
                    let _ = waiting.swap_remove(i).1.send(answer);
                }
            }
            // A worker from an older deployment still in the browser's cache speaks
            // another protocol: stop, rather than wait for answers that never come.
            None => self.fail("the sign-in worker answered something this page cannot read; reload the page".into()),
        }
    }

    fn fail(&self, why: String) {
        self.failed.borrow_mut().get_or_insert(why.clone());
        self.held.borrow_mut().take();
        for (_, tx) in self.waiting.borrow_mut().drain(..) {
            let _ = tx.send(Answer::Failed(SignInError::Worker(why.clone())));
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
