//! Start-up: read the deployment's `config.json` (same origin, optional), then mount
//! the app on the demo estate (no config) or on the sign-in screen (config present).

use std::rc::Rc;

use leptos::prelude::*;

use super::page_state::mark_ready;
use super::{App, Session};
use crate::arm::client::ArmClient;
use crate::auth::browser;
use crate::auth::entra::{Callback as Answer, Pending, Settings};
use crate::auth::signin::SignIn;
use crate::config::{Config, ConfigError};
use crate::http::browser::{BrowserClock, FetchTransport, WorkerTransport};

/// `Ok(None)`: no config.json, so this is a try-out or a fork not yet configured.
async fn load_config() -> Result<Option<Config>, ConfigError> {
    let Ok(resp) = gloo_net::http::Request::get("config.json").send().await else {
        return Ok(None);
    };
    if !resp.ok() {
        return Ok(None);
    }
    let html = resp
        .headers()
        .get("content-type")
        .is_some_and(|c| c.contains("html"));
    let text = resp.text().await.unwrap_or_default();
    // Dev servers and GitHub Pages answer unknown paths with an HTML page.
    if html || text.trim_start().starts_with('<') || text.trim().is_empty() {
        return Ok(None);
    }
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    Config::parse(&text, &origin).map(Some)
}

/// Sign-in, when the deployment names a client id. Its worker starts on first use.
fn entra(config: &Config) -> Option<Rc<SignIn>> {
    let settings = Settings {
        client_id: config.client_id.clone()?,
        tenant: config.tenant.clone(),
        login: config.login.clone(),
        redirect_uri: config.redirect_uri.clone().unwrap_or_else(browser::app_url),
        cloud: config.cloud,
    };
    Some(Rc::new(SignIn::new(settings)))
}

/// The `data-bin` of the demo worker's Trunk link in index.html.
pub const DEMO_WORKER: &str = "demo-worker";

fn clients(config: &Config) -> (Rc<ArmClient>, Rc<ArmClient>) {
    let clock = Rc::new(BrowserClock);
    let demo_clock: Rc<dyn crate::http::Clock> = match config.demo.clock_rate {
        Some(rate) => Rc::new(crate::http::browser::ScaledClock(rate as f64)),
        None => clock.clone(),
    };
    let demo_base = crate::http::cloud::Cloud::Public.arm_base();
    // The demo estate answers from its own worker, started on the demo's first request:
    // a deployment whose users never open the demo never loads it.
    let settings = crate::demo::Settings {
        instant: config.demo.instant,
        large_rule: config.demo.large_rule,
        large_estate: config.demo.large_estate,
    };
    let transport = WorkerTransport::new(
        DEMO_WORKER,
        settings.to_wire(),
        demo_clock.clone(),
        settings.latency_ms(),
    );
    let mut policy = crate::arm::lro::Policy::default();
    if config.demo.instant {
        // The demo's Retry-After becomes 0; let it mean 0 rather than the 1 s floor
        // that protects real ARM from a busy loop.
        policy.min_wait_ms = 0;
    }
    let demo = ArmClient::new(
        Rc::new(transport),
        demo_clock,
        demo_base,
        crate::http::cloud::Cloud::Public,
    )
    .with_policy(policy);
    let live = ArmClient::new(
        Rc::new(FetchTransport),
        clock,
        config.arm.clone(),
        config.cloud,
    );
    (Rc::new(demo), Rc::new(live))
}

#[component]
pub fn Boot() -> impl IntoView {
    // Entra's answer, if this page load is one. Read and cleared from the address bar
    // before anything else looks at it: the deep link parsed below is the one the
    // sign-in started from.
    let answer = browser::callback();
    if answer.as_ref().is_some_and(|a| a.is_popup()) {
        Effect::new(mark_ready);
        return view! { <super::account::PopupLanding/> }.into_any();
    }
    let answer = answer.map(|a| {
        let pending = browser::take_pending();
        browser::clean_address(pending.as_ref().map(|p| p.return_to.as_str()));
        (a, pending)
    });
    let answer = StoredValue::new_local(answer);
    let config = super::load::load(false, |_| load_config());
    // Effects run once the view is in the document: the first screen is there to read.
    Effect::new(move || {
        if config.with(|c| c.is_some()) {
            mark_ready();
            // Offline and repeat-visit caching starts once the first screen is drawn.
            crate::http::offline::register();
        }
    });
    // Read with `get`: nothing to show while config.json loads (it is on the page's own
    // origin).
    (move || {
        config.get().map(|outcome| match outcome {
            Ok(found) => view! { <Start found=found answer=answer.get_value()/> }.into_any(),
            Err(e) => view! { <ConfigProblem error=e/> }.into_any(),
        })
    })
    .into_any()
}

/// The app on what config.json says: the sign-in page when it names Azure, the demo
/// estate otherwise (no config.json at all, or one that only tunes the demo).
#[component]
fn Start(found: Option<Config>, answer: Option<(Answer, Option<Pending>)>) -> impl IntoView {
    let start = if found.as_ref().is_some_and(|c| c.names_azure) {
        Session::SignedOut
    } else {
        Session::Demo
    };
    let config = found.unwrap_or_default();
    let (demo, live) = clients(&config);
    let (link, notices) = super::url::current();
    let entra = entra(&config);
    view! { <App demo=demo live=live config=config start=start link=link notices=notices entra=entra answer=answer/> }
}

/// config.json is there but wrong: say what, and offer the demo, which needs none.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    let demo_anyway = RwSignal::new(false);
    let message = error.to_string();
    view! {
        <Show when=move || demo_anyway.get() fallback=move || view! {
            <main id="main">
                <h1>"LB Health could not start"</h1>
                <div class="error" role="alert">
                    <p class="error-title">"This deployment's config.json has a problem"</p>
                    <p class="error-message">{message.clone()}</p>
                    <p>"Fix config.json next to index.html (see the README's configuration section), then reload. The demo estate works without it."</p>
                    <button type="button" class="primary" on:click=move |_| demo_anyway.set(true)>"Open the demo estate"</button>
                </div>
            </main>
        }>
            <DemoOnly/>
        </Show>
    }
}

/// The demo estate on default settings, with no deep link.
#[component]
fn DemoOnly() -> impl IntoView {
    let config = Config::default();
    let (demo, live) = clients(&config);
    view! { <App demo=demo live=live config=config start=Session::Demo/> }
}
