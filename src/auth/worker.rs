//! What the page and the sign-in worker say to each other.
//!
//! Everything that needs the `oauth2` crate (the PKCE pair and authorize URL, the code
//! and refresh exchanges: `auth::entra::Entra`) runs in a dedicated web worker,
//! `src/bin/signin_worker.rs`, built by Trunk as its own wasm. The page's wasm then does
//! not link `oauth2`, `url`, `http` and their kin, and a deployment without a client id
//! (the demo, token paste) never downloads them. The page's side is
//! `auth::signin::SignIn`.
//!
//! Messages are JSON strings, in `crate::worker`'s envelope (which numbers them): the
//! page tells `ToWorker::Settings` first, then asks `ToWorker::Ask`s; the worker answers
//! each with an `Answer`. Tokens cross
//! as message data between two parts of the same page, in memory only, as they would
//! between two functions; they are never stored, put in a URL or logged.

use super::entra::{Denied, Entra, Mode, Pending, Settings, SignInError, Started, Tokens};
use super::paste::Claims;
use super::Token;
use crate::arm::cloud::Cloud;
use crate::json::{obj, opt_str, read_json, Fields, Json, Shape, OPT_STR};

#[derive(Clone, PartialEq)]
pub enum ToWorker {
    /// The deployment's sign-in settings; the worker keeps one `Entra` for them.
    Settings(Settings),
    Ask(Ask),
}

#[derive(Clone, PartialEq)]
pub enum Ask {
    Begin { tenant: String, mode: Mode, return_to: String },
    Redeem { code: String, pending: Pending },
    Refresh { tenant: String, refresh: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Started(Started),
    Tokens(WireTokens),
    Failed(SignInError),
}

/// `Tokens` as message data. `Token` has no `ToJson` on purpose (nothing else should
/// write it); this type exists only inside the message.
#[derive(Clone, PartialEq)]
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

// ------------------------------------------------------------------ the wire

/// What crosses `postMessage` (and, for `Pending`, session storage): written with the
/// JSON writer, read back through a shape. `None`: not a message this side knows,
/// such as one from an older deployment's worker.
pub trait Message: Sized {
    const SHAPE: &'static Shape;
    fn to_json(&self) -> Json;
    fn from_json(j: Json) -> Option<Self>;
}

pub fn encode<T: Message>(message: &T) -> String {
    message.to_json().to_text()
}

pub fn decode<T: Message>(text: &str) -> Option<T> {
    T::from_json(read_json(text, T::SHAPE).ok()?)
}

static STR: Shape = Shape::Str;
static SETTINGS: Shape =
    Shape::Struct(&[("clientId", &STR), ("tenant", &STR), ("login", &STR), ("redirectUri", &STR), ("cloud", &STR)]);
static PENDING: Shape = Shape::Struct(&[("state", &STR), ("verifier", &STR), ("returnTo", &STR), ("tenant", &STR)]);
static ASK: Shape = Shape::Struct(&[
    ("kind", &STR),
    ("tenant", &OPT_STR),
    ("mode", &OPT_STR),
    ("returnTo", &OPT_STR),
    ("code", &OPT_STR),
    ("pending", &Shape::Opt(&PENDING)),
    ("refresh", &OPT_STR),
]);
static TO_WORKER: Shape = Shape::Struct(&[("settings", &Shape::Opt(&SETTINGS)), ("ask", &Shape::Opt(&ASK))]);
static CLAIMS: Shape = Shape::Struct(&[
    ("name", &OPT_STR),
    ("user", &OPT_STR),
    ("tenant", &OPT_STR),
    ("audience", &OPT_STR),
    ("expiresAt", &Shape::Opt(&Shape::I64)),
]);
static TOKENS: Shape = Shape::Struct(&[("access", &STR), ("refresh", &OPT_STR), ("lifetimeS", &Shape::U64), ("claims", &CLAIMS)]);
static STARTED: Shape = Shape::Struct(&[("url", &STR), ("pending", &PENDING)]);
static FAILED: Shape = Shape::Struct(&[("kind", &STR), ("error", &OPT_STR), ("description", &OPT_STR), ("detail", &OPT_STR)]);
static ANSWER: Shape =
    Shape::Struct(&[("started", &Shape::Opt(&STARTED)), ("tokens", &Shape::Opt(&TOKENS)), ("failed", &Shape::Opt(&FAILED))]);

fn text(s: &str) -> Option<Json> {
    Some(Json::str(s))
}

fn pending_json(p: &Pending) -> Json {
    obj(&mut [("state", text(&p.state)), ("verifier", text(&p.verifier)), ("returnTo", text(&p.return_to)), ("tenant", text(&p.tenant))])
}

fn pending_from(j: Json) -> Pending {
    let mut f = Fields::of(j);
    Pending { state: f.string(), verifier: f.string(), return_to: f.string(), tenant: f.string() }
}

impl Message for Pending {
    const SHAPE: &'static Shape = &PENDING;
    fn to_json(&self) -> Json {
        pending_json(self)
    }
    fn from_json(j: Json) -> Option<Self> {
        Some(pending_from(j))
    }
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Redirect => "redirect",
        Mode::Popup => "popup",
    }
}

impl Message for ToWorker {
    const SHAPE: &'static Shape = &TO_WORKER;
    fn to_json(&self) -> Json {
        match self {
            ToWorker::Settings(s) => obj(&mut [(
                "settings",
                Some(obj(&mut [
                    ("clientId", text(&s.client_id)),
                    ("tenant", text(&s.tenant)),
                    ("login", text(&s.login)),
                    ("redirectUri", text(&s.redirect_uri)),
                    ("cloud", text(s.cloud.key())),
                ])),
            )]),
            ToWorker::Ask(ask) => {
                let ask = match ask {
                    Ask::Begin { tenant, mode, return_to } => obj(&mut [
                        ("kind", text("begin")),
                        ("tenant", text(tenant)),
                        ("mode", text(mode_name(*mode))),
                        ("returnTo", text(return_to)),
                    ]),
                    Ask::Redeem { code, pending } => {
                        obj(&mut [("kind", text("redeem")), ("code", text(code)), ("pending", Some(pending_json(pending)))])
                    }
                    Ask::Refresh { tenant, refresh } => {
                        obj(&mut [("kind", text("refresh")), ("tenant", text(tenant)), ("refresh", text(refresh))])
                    }
                };
                obj(&mut [("ask", Some(ask))])
            }
        }
    }
    fn from_json(j: Json) -> Option<Self> {
        let mut f = Fields::of(j);
        let settings = f.value();
        if settings != Json::Null {
            let mut s = Fields::of(settings);
            return Some(ToWorker::Settings(Settings {
                client_id: s.string(),
                tenant: s.string(),
                login: s.string(),
                redirect_uri: s.string(),
                cloud: Cloud::parse(&s.string())?,
            }));
        }
        let ask = f.value();
        if ask == Json::Null {
            return None;
        }
        let mut a = Fields::of(ask);
        let kind = a.string();
        let (tenant, mode, return_to, code) = (a.string(), a.string(), a.string(), a.string());
        let ask = match kind.as_str() {
            "begin" => Ask::Begin {
                tenant,
                mode: match mode.as_str() {
                    "redirect" => Mode::Redirect,
                    "popup" => Mode::Popup,
                    _ => return None,
                },
                return_to,
            },
            "redeem" => Ask::Redeem { code, pending: pending_from(a.value()) },
            "refresh" => {
                a.value();
                Ask::Refresh { tenant, refresh: a.string() }
            }
            _ => return None,
        };
        Some(ToWorker::Ask(ask))
    }
}

/// A failure's name on the wire, with its `Denied` or its detail.
fn failed_json(e: &SignInError) -> Json {
    use SignInError as E;
    let (kind, denied, detail) = match e {
        E::Denied(d) => ("denied", Some(d), None),
        E::Refused(d) => ("refused", Some(d), None),
        E::StateMismatch => ("stateMismatch", None, None),
        E::NothingPending => ("nothingPending", None, None),
        E::Network(s) => ("network", None, Some(s)),
        E::Unexpected(s) => ("unexpected", None, Some(s)),
        E::Storage => ("storage", None, None),
        E::PopupBlocked => ("popupBlocked", None, None),
        E::PopupClosed => ("popupClosed", None, None),
        E::OpenerLost => ("openerLost", None, None),
        E::Settings(s) => ("settings", None, Some(s)),
        E::Worker(s) => ("worker", None, Some(s)),
    };
    obj(&mut [
        ("kind", text(kind)),
        ("error", denied.and_then(|d| text(&d.error))),
        ("description", denied.and_then(|d| text(&d.description))),
        ("detail", detail.and_then(|s| text(s))),
    ])
}

fn failed_from(j: Json) -> Option<SignInError> {
    use SignInError as E;
    let mut f = Fields::of(j);
    let kind = f.string();
    let denied = Denied { error: f.string(), description: f.string() };
    let detail = f.string();
    Some(match kind.as_str() {
        "denied" => E::Denied(denied),
        "refused" => E::Refused(denied),
        "stateMismatch" => E::StateMismatch,
        "nothingPending" => E::NothingPending,
        "network" => E::Network(detail),
        "unexpected" => E::Unexpected(detail),
        "storage" => E::Storage,
        "popupBlocked" => E::PopupBlocked,
        "popupClosed" => E::PopupClosed,
        "openerLost" => E::OpenerLost,
        "settings" => E::Settings(detail),
        "worker" => E::Worker(detail),
        _ => return None,
    })
}

fn answer_json(a: &Answer) -> Json {
    match a {
        Answer::Started(s) => obj(&mut [("started", Some(obj(&mut [("url", text(&s.url)), ("pending", Some(pending_json(&s.pending)))])))]),
        Answer::Tokens(t) => {
            let c = &t.claims;
            let claims = obj(&mut [
                ("name", opt_str(&c.name)),
                ("user", opt_str(&c.user)),
                ("tenant", opt_str(&c.tenant)),
                ("audience", opt_str(&c.audience)),
                ("expiresAt", c.expires_at.map(|e| if e < 0 { Json::Neg(e) } else { Json::Num(e as u64) })),
            ]);
            obj(&mut [(
                "tokens",
                Some(obj(&mut [
                    ("access", text(&t.access)),
                    ("refresh", opt_str(&t.refresh)),
                    ("lifetimeS", Some(Json::Num(t.lifetime_s))),
                    ("claims", Some(claims)),
                ])),
            )])
        }
        Answer::Failed(e) => obj(&mut [("failed", Some(failed_json(e)))]),
    }
}

fn answer_from(j: Json) -> Option<Answer> {
    let mut f = Fields::of(j);
    let (started, tokens, failed) = (f.value(), f.value(), f.value());
    if started != Json::Null {
        let mut s = Fields::of(started);
        return Some(Answer::Started(Started { url: s.string(), pending: pending_from(s.value()) }));
    }
    if tokens != Json::Null {
        let mut t = Fields::of(tokens);
        let (access, refresh, lifetime_s) = (t.string(), t.opt_string(), t.num());
        let mut c = Fields::of(t.value());
        let claims = Claims { name: c.opt_string(), user: c.opt_string(), tenant: c.opt_string(), audience: c.opt_string(), expires_at: c.opt_i64() };
        return Some(Answer::Tokens(WireTokens { access, refresh, lifetime_s, claims }));
    }
    failed_from(failed).map(Answer::Failed)
}

impl Message for Answer {
    const SHAPE: &'static Shape = &ANSWER;
    fn to_json(&self) -> Json {
        answer_json(self)
    }
    fn from_json(j: Json) -> Option<Self> {
        answer_from(j)
    }
}

#[cfg(test)]
mod tests;
