//! What the page and the sign-in worker say to each other.
//!
//! Everything that needs the `oauth2` crate (the PKCE pair and authorize URL, the code
//! and refresh exchanges: `auth::entra::Entra`) runs in a dedicated web worker,
//! `src/bin/signin_worker.rs`, built by Trunk as its own wasm. The page's wasm then does
//! not link `oauth2`, `url`, `http` and their kin, and a deployment without a client id
//! (the demo, token paste) never downloads them. The page's side is
//! `auth::signin::SignIn`.
//!
//! Messages are JSON strings (serde's derive), in `crate::http::worker`'s envelope (which numbers them): the
//! page tells `ToWorker::Settings` first, then asks `ToWorker::Ask`s; the worker answers
//! each with an `Answer`. Tokens cross
//! as message data between two parts of the same page, in memory only, as they would
//! between two functions; they are never stored, put in a URL or logged.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::entra::{Entra, Mode, Pending, Settings, SignInError, Started, Tokens};
use super::paste::Claims;
use crate::http::json::parse;
use crate::http::Token;

/// `{"settings": {...}}` or `{"ask": {"kind": "begin", ...}}`.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ToWorker {
    /// The deployment's sign-in settings; the worker keeps one `Entra` for them.
    Settings(Settings),
    Ask(Ask),
}

#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Ask {
    Begin {
        tenant: String,
        mode: Mode,
        return_to: String,
    },
    Redeem {
        code: String,
        pending: Pending,
    },
    Refresh {
        tenant: String,
        refresh: String,
    },
}

/// `{"started": {...}}`, `{"tokens": {...}}` or `{"failed": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
    Started(Started),
    Tokens(WireTokens),
    Failed(SignInError),
}

/// `Tokens` as message data. `Token` has no `Serialize` on purpose (nothing else should
/// write it); this type exists only inside the message.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireTokens {
    access: String,
    refresh: Option<String>,
    lifetime_s: u64,
    claims: Claims,
}

impl From<Tokens> for WireTokens {
    fn from(t: Tokens) -> Self {
        WireTokens {
            access: t.access.secret().to_owned(),
            refresh: t.refresh,
            lifetime_s: t.lifetime_s,
            claims: t.claims,
        }
    }
}

impl From<WireTokens> for Tokens {
    fn from(w: WireTokens) -> Self {
        Tokens {
            access: Token::new(w.access),
            refresh: w.refresh,
            lifetime_s: w.lifetime_s,
            claims: w.claims,
        }
    }
}

// Redacted like `Token` and `Tokens`: a stray `{:?}` of a message must not print a
// code, verifier or token.
impl std::fmt::Debug for WireTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WireTokens(***, lifetime {} s)", self.lifetime_s)
    }
}

impl std::fmt::Debug for Ask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ask::Begin { tenant, mode, .. } => write!(f, "Begin({tenant}, {mode:?})"),
            Ask::Redeem { pending, .. } => write!(f, "Redeem(***, {})", pending.tenant),
            Ask::Refresh { tenant, .. } => write!(f, "Refresh({tenant}, ***)"),
        }
    }
}

impl std::fmt::Debug for ToWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToWorker::Settings(s) => write!(f, "Settings({s:?})"),
            ToWorker::Ask(ask) => write!(f, "Ask({ask:?})"),
        }
    }
}

impl Answer {
    fn tokens(outcome: Result<Tokens, SignInError>) -> Answer {
        match outcome {
            Ok(t) => Answer::Tokens(t.into()),
            Err(e) => Answer::Failed(e),
        }
    }

    /// The answer to a `Begin`; anything else is the worker breaking the protocol.
    pub fn into_started(self) -> Result<Started, SignInError> {
        match self {
            Answer::Started(s) => Ok(s),
            Answer::Failed(e) => Err(e),
            Answer::Tokens(_) => Err(SignInError::Worker(
                "answered a sign-in start with tokens".into(),
            )),
        }
    }

    /// The answer to a `Redeem` or `Refresh`.
    pub fn into_tokens(self) -> Result<Tokens, SignInError> {
        match self {
            Answer::Tokens(t) => Ok(t.into()),
            Answer::Failed(e) => Err(e),
            Answer::Started(_) => Err(SignInError::Worker(
                "answered a token request with a sign-in start".into(),
            )),
        }
    }
}

/// The worker's whole job, apart from moving messages: one ask, one answer.
pub async fn serve(entra: &Entra, ask: Ask) -> Answer {
    match ask {
        Ask::Begin {
            tenant,
            mode,
            return_to,
        } => match entra.begin(&tenant, mode, return_to) {
            Ok(s) => Answer::Started(s),
            Err(e) => Answer::Failed(e),
        },
        Ask::Redeem { code, pending } => Answer::tokens(entra.redeem(code, &pending).await),
        Ask::Refresh { tenant, refresh } => Answer::tokens(entra.refresh(&tenant, &refresh).await),
    }
}

// ------------------------------------------------------------------ the wire

/// What crosses `postMessage` (and, for `Pending`, session storage) as JSON. Reading
/// gives `None` for what is not a message this side knows, such as one from an older
/// deployment's worker.
pub trait Message: Serialize + DeserializeOwned {}

impl Message for ToWorker {}
impl Message for Answer {}
impl Message for Pending {}

pub fn encode<T: Message>(message: &T) -> String {
    // Cannot fail: every message is plain structs, strings and numbers.
    serde_json::to_string(message).unwrap_or_default()
}

pub fn decode<T: Message>(text: &str) -> Option<T> {
    parse(text).ok()
}

#[cfg(test)]
mod tests;
