//! The page's side of the sign-in worker (`auth::worker`): `SignIn` asks it through a
//! `crate::http::worker::Worker`, which starts it on first use and tells it the deployment's
//! settings first. Only used in the browser.

use super::account::Refresher;
use super::entra::{Mode, Pending, Settings, SignInError, Started, Tokens};
use super::worker::{decode, encode, Answer, Ask, ToWorker};
use crate::http::worker::Worker;
use crate::http::LocalBoxFuture;

/// The `data-bin` of the worker's Trunk link in index.html (`<link data-trunk rel="rust"
/// data-bin="signin-worker" data-type="worker">`).
pub const WORKER: &str = "signin-worker";

pub struct SignIn {
    settings: Settings,
    worker: Worker,
}

impl SignIn {
    /// Starts nothing yet: a deployment that never signs in never loads the worker.
    pub fn new(settings: Settings) -> Self {
        let worker = Worker::new(WORKER, encode(&ToWorker::Settings(settings.clone())));
        SignIn { settings, worker }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Loads the worker ahead of the click, so the first sign-in does not wait for it.
    pub fn warm(&self) {
        self.worker.warm();
    }

    /// A new PKCE pair and state, and the authorize URL that carries them.
    pub async fn begin(
        &self,
        tenant: &str,
        mode: Mode,
        return_to: String,
    ) -> Result<Started, SignInError> {
        self.ask(Ask::Begin {
            tenant: tenant.to_owned(),
            mode,
            return_to,
        })
        .await
        .into_started()
    }

    /// Trades the code for tokens, proving with the verifier that this tab asked for it.
    pub async fn redeem(&self, code: String, pending: &Pending) -> Result<Tokens, SignInError> {
        self.ask(Ask::Redeem {
            code,
            pending: pending.clone(),
        })
        .await
        .into_tokens()
    }

    async fn ask(&self, ask: Ask) -> Answer {
        match self.worker.ask(&encode(&ToWorker::Ask(ask))).await {
            Ok(text) => decode::<Answer>(&text).unwrap_or_else(|| {
                Answer::Failed(SignInError::Worker(format!(
                    "{WORKER} answered something this page cannot read; reload the page"
                )))
            }),
            Err(why) => Answer::Failed(SignInError::Worker(why)),
        }
    }
}

impl Refresher for SignIn {
    fn refresh<'a>(
        &'a self,
        tenant: &'a str,
        refresh: &'a str,
    ) -> LocalBoxFuture<'a, Result<Tokens, SignInError>> {
        Box::pin(async move {
            self.ask(Ask::Refresh {
                tenant: tenant.to_owned(),
                refresh: refresh.to_owned(),
            })
            .await
            .into_tokens()
        })
    }
}
