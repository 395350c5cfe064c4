//! What the page and the sign-in worker say to each other.
//!
//! Everything that needs the `oauth2` crate (the PKCE pair and authorize URL, the code
//! and refresh exchanges: `auth::entra::Entra`) runs in a dedicated web worker,
//! `src/bin/signin_worker.rs`, built by Trunk as its own wasm. The page's wasm then does
//! not link `oauth2`, `url`, `http` and their kin, and a deployment without a client id
//! (the demo, token paste) never downloads them. The page's side is
//! `auth::signin::SignIn`.
//!
//! Messages are JSON strings over `postMessage`: the page sends `ToWorker::Settings`
//! first, then `ToWorker::Ask`s with ids; the worker answers each id once. Tokens cross
//! as message data between two parts of the same page, in memory only, as they would
//! between two functions; they are never stored, put in a URL or logged.

use serde::{Deserialize, Serialize};

use super::entra::{Entra, Mode, Pending, Settings, SignInError, Started, Tokens};
use super::paste::Claims;
use super::Token;

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// The deployment's sign-in settings; the worker keeps one `Entra` for them.
    Settings(Settings),
    Ask { id: u32, ask: Ask },
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub enum Ask {
    Begin { tenant: String, mode: Mode, return_to: String },
    Redeem { code: String, pending: Pending },
    Refresh { tenant: String, refresh: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker listens now. A worker's wasm loads asynchronously, and messages
    /// that arrive before its handler is installed are dropped, so the page holds its
    /// messages until this one.
    Ready,
    Answer { id: u32, answer: Answer },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Started(Started),
    Tokens(WireTokens),
    Failed(SignInError),
}

/// `Tokens` as message data. `Token` has no serde on purpose (nothing else should
/// serialize it); this type exists only inside the message.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WireTokens {
    access: String,
    refresh: Option<String>,
    lifetime_s: u64,
    claims: Claims,
}

impl From<Tokens> for WireTokens {
    fn from(t: Tokens) -> Self {
        WireTokens { access: t.access.secret().to_owned(), refresh: t.refresh, lifetime_s: t.lifetime_s, claims: t.claims }
    }
}

impl From<WireTokens> for Tokens {
    fn from(w: WireTokens) -> Self {
        Tokens { access: Token::new(w.access), refresh: w.refresh, lifetime_s: w.lifetime_s, claims: w.claims }
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
            ToWorker::Ask { id, ask } => write!(f, "Ask({id}, {ask:?})"),
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
            Answer::Tokens(_) => Err(SignInError::Worker("answered a sign-in start with tokens".into())),
        }
    }

    /// The answer to a `Redeem` or `Refresh`.
    pub fn into_tokens(self) -> Result<Tokens, SignInError> {
        match self {
            Answer::Tokens(t) => Ok(t.into()),
            Answer::Failed(e) => Err(e),
            Answer::Started(_) => Err(SignInError::Worker("answered a token request with a sign-in start".into())),
        }
    }
}

/// The worker's whole job, apart from moving messages: one ask, one answer.
pub async fn serve(entra: &Entra, ask: Ask) -> Answer {
    match ask {
        Ask::Begin { tenant, mode, return_to } => match entra.begin(&tenant, mode, return_to) {
            Ok(s) => Answer::Started(s),
            Err(e) => Answer::Failed(e),
        },
        Ask::Redeem { code, pending } => Answer::tokens(entra.redeem(code, &pending).await),
        Ask::Refresh { tenant, refresh } => Answer::tokens(entra.refresh(&tenant, &refresh).await),
    }
}

pub fn encode<T: Serialize>(message: &T) -> String {
    // Plain data with string keys: serialization cannot fail.
    serde_json::to_string(message).unwrap_or_default()
}

pub fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests;
