//! Entra ID sign-in: authorization code + PKCE (S256) through the `oauth2` crate. The
//! token endpoint is reached through our own `Transport`, so this module is plain logic
//! that tests on the host; the browser's part (storage, redirect, pop-up) is in
//! `auth::browser`.

use std::rc::Rc;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};

use serde::{Deserialize, Serialize};

use super::paste::{self, Claims};
use crate::http::cloud::Cloud;
use crate::http::Token;
use crate::http::{Request, Transport, TransportError};

/// A pop-up's `state` starts with this, so the page that opens in the pop-up knows to
/// hand the answer to its opener even when it cannot see the opener any more.
const POPUP_MARK: &str = "p.";

/// Everything a deployment configures for sign-in (from `config.json`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub client_id: String,
    /// The tenant the deployment signs in to first: an id, a domain, `organizations`...
    pub tenant: String,
    /// `https://login.microsoftonline.com` or the cloud's own (or a test server), no trailing slash.
    pub login: String,
    pub redirect_uri: String,
    pub cloud: Cloud,
}

impl Settings {
    /// ARM's delegated permission, plus a refresh token (`offline_access`) and the user's
    /// name for the account chip. Sovereign clouds name their own ARM host.
    pub fn scopes(&self) -> [String; 4] {
        [
            format!("{}user_impersonation", self.cloud.arm_audiences()[0]),
            "offline_access".into(),
            "openid".into(),
            "profile".into(),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The whole tab goes to Entra and comes back.
    Redirect,
    /// A pop-up does the round trip (inside an iframe, where Entra refuses to be framed).
    Popup,
}

/// What a sign-in round trip must remember: only until the answer comes back.
#[derive(Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pending {
    pub state: String,
    pub verifier: String,
    /// The page (path and query) to land on afterwards: the deep link the user was on.
    pub return_to: String,
    pub tenant: String,
}

/// The answer Entra sends back to the redirect URI.
#[derive(Clone, PartialEq)]
pub struct Callback {
    pub state: String,
    pub outcome: Result<String, Denied>,
}

impl Callback {
    pub fn is_popup(&self) -> bool {
        self.state.starts_with(POPUP_MARK)
    }
}

/// Entra's `error` and `error_description` (or the token endpoint's).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Denied {
    pub error: String,
    pub description: String,
}

/// On the wire (the sign-in worker's answer) as `{"kind": "denied", "detail": ...}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum SignInError {
    /// The authorize step came back with an error (`access_denied`, `consent_required`...).
    Denied(Denied),
    /// The answer's `state` is not the one this tab sent: a forged or crossed answer.
    StateMismatch,
    /// An answer arrived but this tab has no sign-in in progress (storage was cleared,
    /// or the link was opened in another tab).
    NothingPending,
    /// The token endpoint refused the code or the refresh token.
    Refused(Denied),
    /// The token endpoint could not be reached (network, CORS, the redirect URI is not
    /// registered as a single-page application).
    Network(String),
    /// The token endpoint answered something that is not a token response.
    Unexpected(String),
    /// The browser refused session storage, which the redirect round trip needs.
    Storage,
    PopupBlocked,
    /// The pop-up closed, or the browser cut it off from this page, before it answered.
    PopupClosed,
    /// Shown in the pop-up itself: it cannot reach the page that opened it.
    OpenerLost,
    /// The settings cannot form an authorize URL (caught by config validation first).
    Settings(String),
    /// The sign-in worker (`auth::worker`) did not load or stopped: its files are
    /// missing from the deployment, or the browser refused to run it.
    Worker(String),
}

impl SignInError {
    /// The AADSTS code Entra puts at the start of its descriptions, for support.
    pub fn aadsts(&self) -> Option<&str> {
        let d = match self {
            SignInError::Denied(d) | SignInError::Refused(d) => d,
            _ => return None,
        };
        let code = d.description.split(':').next()?.trim();
        (code.starts_with("AADSTS")
            && code.len() > 6
            && code[6..].bytes().all(|b| b.is_ascii_digit()))
        .then_some(code)
    }
}

/// A started sign-in: where to send the browser, and what to keep for the answer.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
pub struct Started {
    pub url: String,
    pub pending: Pending,
}

// Redacted like `Token`: a stray `{:?}` must not print the PKCE verifier, the `state`
// (with the verifier, it finishes a sign-in) or an authorization code.
impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pending(state ***, verifier ***, return_to {:?}, tenant {:?})",
            self.return_to, self.tenant
        )
    }
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.outcome {
            Ok(_) => f.write_str("Callback(state ***, code ***)"),
            Err(d) => write!(f, "Callback(state ***, {d:?})"),
        }
    }
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The authorize URL's query carries the state.
        let endpoint = self.url.split('?').next().unwrap_or("");
        write!(f, "Started({endpoint}?***, {:?})", self.pending)
    }
}

/// The authorize URL, asking Entra to show its account picker rather than sign in
/// silently with the browser's Entra session: used for the first sign-in after a
/// sign-out, when the next person at a shared computer may not be the last one.
pub fn select_account(authorize_url: &str) -> String {
    let join = if authorize_url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{authorize_url}{join}prompt=select_account")
}

/// Entra's end-session address for `tenant`, which signs the browser out of Microsoft
/// and comes back to the registered redirect URI. `None` for a tenant that may not
/// stand in a login URL.
pub fn end_session_url(settings: &Settings, tenant: &str) -> Option<String> {
    crate::config::is_tenant(tenant).then(|| {
        format!(
            "{}/{tenant}/oauth2/v2.0/logout?post_logout_redirect_uri={}",
            settings.login,
            form_urlencoded::byte_serialize(settings.redirect_uri.as_bytes()).collect::<String>()
        )
    })
}

/// Refuses a tenant that could change the login URL's path or query (`auth::entra`'s
/// endpoints are `{login}/{tenant}/oauth2/v2.0/...`); ARM's tenant list is not trusted.
fn checked(tenant: &str) -> Result<&str, SignInError> {
    if crate::config::is_tenant(tenant) {
        Ok(tenant)
    } else {
        Err(SignInError::Settings(format!(
            "'{}' is not a tenant id or domain name",
            tenant
                .chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect::<String>()
        )))
    }
}

/// A set of tokens from the token endpoint, in memory only.
#[derive(Clone, PartialEq)]
pub struct Tokens {
    pub access: Token,
    pub refresh: Option<String>,
    pub lifetime_s: u64,
    pub claims: Claims,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens(***, lifetime {} s)", self.lifetime_s)
    }
}

/// When to renew a token of this lifetime: halfway for short ones (tests use 30 s),
/// five minutes before expiry for the usual hour.
pub fn renew_after_ms(lifetime_s: u64) -> u64 {
    if lifetime_s <= 600 {
        lifetime_s * 500
    } else {
        (lifetime_s - 300) * 1000
    }
}

/// Reads Entra's answer from the redirect URI's query. `None`: this is not an answer.
pub fn parse_callback(query: &str) -> Option<Callback> {
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = String::new();
    for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match &*k {
            "state" => state = Some(v.into_owned()),
            "code" => code = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = v.into_owned(),
            _ => {}
        }
    }
    let state = state?;
    let outcome = match (code, error) {
        (_, Some(error)) => Err(Denied { error, description }),
        (Some(code), None) if !code.is_empty() => Ok(code),
        _ => return None,
    };
    Some(Callback { state, outcome })
}

/// The query without the parameters of Entra's answer, so the address bar shows the
/// deep link again and a reload does not replay the code.
pub fn strip_callback(query: &str) -> String {
    const ANSWER: [&str; 6] = [
        "code",
        "state",
        "session_state",
        "error",
        "error_description",
        "error_uri",
    ];
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !ANSWER.contains(&p.split('=').next().unwrap_or("")))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The code from an answer, if it belongs to the sign-in this tab started.
pub fn accept(callback: Callback, pending: Option<&Pending>) -> Result<String, SignInError> {
    let pending = pending.ok_or(SignInError::NothingPending)?;
    if callback.state != pending.state {
        return Err(SignInError::StateMismatch);
    }
    callback.outcome.map_err(SignInError::Denied)
}

pub struct Entra {
    settings: Settings,
    transport: Rc<dyn Transport>,
}

impl Entra {
    pub fn new(settings: Settings, transport: Rc<dyn Transport>) -> Self {
        Entra {
            settings,
            transport,
        }
    }

    fn endpoint(&self, tenant: &str, what: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/{what}", self.settings.login)
    }

    /// A new PKCE pair and state, and the authorize URL that carries them.
    pub fn begin(
        &self,
        tenant: &str,
        mode: Mode,
        return_to: String,
    ) -> Result<Started, SignInError> {
        let bad = |e: &dyn std::fmt::Display| SignInError::Settings(e.to_string());
        let tenant = checked(tenant)?;
        let client = BasicClient::new(ClientId::new(self.settings.client_id.clone()))
            .set_auth_uri(AuthUrl::new(self.endpoint(tenant, "authorize")).map_err(|e| bad(&e))?)
            .set_redirect_uri(
                RedirectUrl::new(self.settings.redirect_uri.clone()).map_err(|e| bad(&e))?,
            );
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(|| match mode {
                Mode::Popup => {
                    CsrfToken::new(format!("{POPUP_MARK}{}", CsrfToken::new_random().secret()))
                }
                Mode::Redirect => CsrfToken::new_random(),
            })
            .add_scopes(self.settings.scopes().into_iter().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        let pending = Pending {
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            return_to,
            tenant: tenant.to_owned(),
        };
        Ok(Started {
            url: url.into(),
            pending,
        })
    }

    /// Trades the code for tokens, proving with the verifier that this tab asked for it.
    pub async fn redeem(&self, code: String, pending: &Pending) -> Result<Tokens, SignInError> {
        let client = self.token_client(&pending.tenant)?;
        let http = self.http();
        let answer = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&http)
            .await;
        self.tokens(answer)
    }

    /// A new access token (and usually a new refresh token) without the user.
    pub async fn refresh(&self, tenant: &str, refresh: &str) -> Result<Tokens, SignInError> {
        let client = self.token_client(tenant)?;
        let http = self.http();
        let secret = RefreshToken::new(refresh.to_owned());
        let answer = client
            .exchange_refresh_token(&secret)
            .add_scopes(self.settings.scopes().into_iter().map(Scope::new))
            .request_async(&http)
            .await;
        self.tokens(answer)
    }

    fn token_client(
        &self,
        tenant: &str,
    ) -> Result<
        BasicClient<
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        SignInError,
    > {
        let bad = |e: &dyn std::fmt::Display| SignInError::Settings(e.to_string());
        let tenant = checked(tenant)?;
        Ok(
            BasicClient::new(ClientId::new(self.settings.client_id.clone()))
                .set_token_uri(TokenUrl::new(self.endpoint(tenant, "token")).map_err(|e| bad(&e))?)
                .set_redirect_uri(
                    RedirectUrl::new(self.settings.redirect_uri.clone()).map_err(|e| bad(&e))?,
                ),
        )
    }

    /// oauth2's HTTP client, over our transport. Entra's SPA token endpoint answers CORS
    /// for form posts without a preflight; no cookies go with it (the transport omits them).
    fn http(
        &self,
    ) -> impl Fn(
        oauth2::HttpRequest,
    )
        -> crate::http::LocalBoxFuture<'static, Result<oauth2::HttpResponse, HttpFailure>> {
        let transport = self.transport.clone();
        move |req: oauth2::HttpRequest| {
            let transport = transport.clone();
            Box::pin(async move {
                let mut ours = Request::post(
                    req.uri().to_string(),
                    Some(String::from_utf8_lossy(req.body()).into_owned()),
                );
                for (k, v) in req.headers() {
                    ours.headers
                        .push((k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()));
                }
                let resp = transport.send(ours).await.map_err(|e| match e {
                    TransportError::Network(s)
                    | TransportError::Body(s)
                    | TransportError::Worker(s) => HttpFailure(s),
                    TransportError::Redirected => HttpFailure(
                        "the token endpoint answered with a redirect, which is not followed".into(),
                    ),
                })?;
                let mut b = oauth2::http::Response::builder().status(resp.status);
                for (k, v) in &resp.headers {
                    b = b.header(k.as_str(), v.as_str());
                }
                b.body(resp.body.into_bytes())
                    .map_err(|e| HttpFailure(e.to_string()))
            })
        }
    }

    fn tokens(
        &self,
        answer: Result<
            oauth2::basic::BasicTokenResponse,
            RequestTokenError<HttpFailure, oauth2::basic::BasicErrorResponse>,
        >,
    ) -> Result<Tokens, SignInError> {
        let t = answer.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => SignInError::Refused(Denied {
                error: r.error().to_string(),
                description: r.error_description().cloned().unwrap_or_default(),
            }),
            RequestTokenError::Request(f) => SignInError::Network(f.0),
            RequestTokenError::Parse(e, _) => SignInError::Unexpected(e.to_string()),
            RequestTokenError::Other(s) => SignInError::Unexpected(s),
        })?;
        let access = t.access_token().secret().clone();
        // The claims are for the account chip only; ARM is the one that judges the token.
        let claims = paste::parse(&access, 0, self.settings.cloud.arm_audiences())
            .map(|p| p.claims)
            .unwrap_or_default();
        Ok(Tokens {
            access: Token::new(access),
            refresh: t.refresh_token().map(|r| r.secret().clone()),
            lifetime_s: t.expires_in().map(|d| d.as_secs()).unwrap_or(3600).max(1),
            claims,
        })
    }
}

/// Why oauth2's HTTP call did not produce an answer.
#[derive(Debug)]
pub struct HttpFailure(String);

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpFailure {}

#[cfg(test)]
mod tests;
