//! The login listener: Microsoft Entra ID's v2 endpoints as a single-page app sees them.
//! Authorize consents at once (no UI) and redirects with a code; token redeems codes
//! (PKCE S256 required) and refresh tokens, and issues JWT-shaped tokens that ARM accepts
//! until they expire on the fake clock.

mod authorize;
mod issue;
mod token;

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;

use crate::http::{html, raw, set};
use crate::tenants::FakeTenant;
use crate::Shared;

/// The one app registration the fake Entra knows.
pub const CLIENT_ID: &str = "6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f";
/// Who signs in: every token is hers.
pub const USER_NAME: &str = "Ana Lopez";
pub const USER_UPN: &str = "ana@contoso.com";
pub const USER_OID: &str = "5e0c9a47-2f1b-4c3d-9a8e-7b6c5d4e3f21";

/// Authorization codes die this long after they are issued (Entra: 10 minutes).
const CODE_LIFETIME_S: u64 = 600;
/// Refresh tokens issued to SPAs have a fixed lifetime from sign-in that rotation does
/// not extend (Entra: 24 hours, then AADSTS700084).
const SPA_SESSION_S: u64 = 24 * 3600;

/// What goes wrong at sign-in. One at a time; [`crate::FakeAzure::set_entra_fault`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EntraFault {
    #[default]
    None,
    /// Authorize redirects back with `error=access_denied` (AADSTS65004, the user declined consent).
    AccessDenied,
    /// Every refresh grant answers 400 `invalid_grant` (AADSTS700082, expired by inactivity).
    RefreshFails,
    /// Authorize answers a page sent with `Cross-Origin-Opener-Policy: same-origin` that
    /// then moves on to the normal redirect, as a login page that severs a popup's
    /// `window.opener` does.
    OpenerPolicy,
}

/// How the token endpoint judged a request's PKCE proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkce {
    /// A refresh (or unknown) grant: PKCE is not part of it.
    NotApplicable,
    /// A code grant without `code_verifier`.
    Missing,
    /// The verifier hashes to the code's challenge.
    Verified,
    /// The verifier is malformed, does not hash to the challenge, or the code is unknown
    /// (so there is no challenge to meet).
    Mismatch,
}

/// One request to the token endpoint, as the endpoint saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub grant_type: String,
    pub client_id: String,
    pub redirect_uri: Option<String>,
    /// The `{tenant}` path segment as sent (`organizations`, an id, a domain).
    pub tenant: String,
    pub pkce: Pkce,
    /// `Err` holds the OAuth `error` code answered (`invalid_grant`, ...).
    pub outcome: Result<(), String>,
    /// The `scope` parameter as sent, if any.
    pub scope: Option<String>,
}

/// What ARM learns about a bearer token from the fake Entra.
pub(crate) enum TokenStatus {
    Valid,
    Expired,
    Unknown,
}

/// Everything the fake Entra remembers.
pub(crate) struct State {
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) token_lifetime: Duration,
    pub(crate) fault: EntraFault,
    pub(crate) grants: Vec<Grant>,
    /// Every end-session request: the tenant segment and `post_logout_redirect_uri`.
    pub(crate) logouts: Vec<(String, Option<String>)>,
    codes: HashMap<String, Code>,
    /// Refresh token -> the sign-in it continues.
    sessions: HashMap<String, Session>,
    /// Access token -> its `exp` (unix seconds).
    access_tokens: HashMap<String, u64>,
}

impl Default for State {
    fn default() -> Self {
        State {
            redirect_uris: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            fault: EntraFault::None,
            grants: Vec::new(),
            logouts: Vec::new(),
            codes: HashMap::new(),
            sessions: HashMap::new(),
            access_tokens: HashMap::new(),
        }
    }
}

/// An authorization code and everything its redemption must match.
struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    tenant: FakeTenant,
    scope: String,
    /// Echoed in the id_token so the app can tie it to its authorize request.
    nonce: Option<String>,
    expires: u64,
    redeemed: bool,
}

struct Session {
    client_id: String,
    scope: String,
    /// When the user signed in: the session's refresh tokens all die 24 hours later.
    signed_in: u64,
}

impl State {
    pub(crate) fn access_token_status(&self, token: &str, now: u64) -> TokenStatus {
        match self.access_tokens.get(token) {
            Some(&exp) if now < exp => TokenStatus::Valid,
            Some(_) => TokenStatus::Expired,
            None => TokenStatus::Unknown,
        }
    }

    /// Exact match, as Entra compares redirect URIs; with none registered, loopback only.
    fn accepts_redirect(&self, uri: &str) -> bool {
        if self.redirect_uris.is_empty() {
            is_loopback_http(uri)
        } else {
            self.redirect_uris.iter().any(|u| u == uri)
        }
    }
}

/// `http://127.0.0.1[:port][/...]` or the same with `localhost`, and nothing that only
/// starts like one (`http://127.0.0.1.evil.example/`, `http://localhost:80@evil.example/`).
fn is_loopback_http(uri: &str) -> bool {
    let Some(rest) = uri
        .strip_prefix("http://127.0.0.1")
        .or_else(|| uri.strip_prefix("http://localhost"))
    else {
        return false;
    };
    let rest = match rest.strip_prefix(':') {
        Some(port) => {
            let after = port.trim_start_matches(|c: char| c.is_ascii_digit());
            if after.len() == port.len() {
                return false;
            }
            after
        }
        None => rest,
    };
    rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')
}

pub(crate) async fn answer(s: &Shared, parts: Parts, body: Body) -> Response {
    let header = |n: &str| crate::http::header(&parts, n);
    let origin = header("origin");
    let Some((tenant, endpoint)) = endpoint(parts.uri.path()) else {
        return not_found();
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    match (endpoint, &parts.method) {
        (Endpoint::Authorize, &Method::GET) => authorize::answer(s, &tenant, &query),
        (Endpoint::Logout, &Method::GET) => logout(s, &tenant, &query),
        (Endpoint::Authorize | Endpoint::Logout, _) => {
            let mut r = raw(405, "", "");
            set(&mut r, "allow", "GET");
            r
        }
        (Endpoint::Token, &Method::OPTIONS) => {
            with_cors(preflight(header("access-control-request-headers")), origin)
        }
        (Endpoint::Token, &Method::POST) => {
            let correlation = header("client-request-id");
            // The body limit is far above any real token request; past it, treat it as empty.
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let form = String::from_utf8_lossy(&bytes).into_owned();
            with_cors(token::answer(s, &tenant, &form, correlation), origin)
        }
        (Endpoint::Token, method) => with_cors(
            token::wrong_method(s, method.as_str(), header("client-request-id")),
            origin,
        ),
    }
}

#[derive(Clone, Copy)]
enum Endpoint {
    Authorize,
    Token,
    /// End-session: signs the browser out of Entra and goes back to the app.
    Logout,
}

/// `GET /{tenant}/oauth2/v2.0/logout`: Entra ends its session and, when
/// `post_logout_redirect_uri` is one of the app's redirect URIs, sends the browser
/// there; otherwise it stays on its own "signed out" page.
fn logout(s: &Shared, tenant: &str, query: &str) -> Response {
    let params = crate::http::form(query);
    let back = params.get("post_logout_redirect_uri").cloned();
    let mut inner = s.lock();
    inner.entra.logouts.push((tenant.to_owned(), back.clone()));
    match back.filter(|b| inner.entra.accepts_redirect(b)) {
        Some(b) => {
            let mut r = raw(302, "", "");
            set(&mut r, "location", &b);
            r
        }
        None => html(200, "<!DOCTYPE html><html><head><title>Sign out</title></head><body><h1>You signed out of your account</h1></body></html>".into()),
    }
}

/// `/{tenant}/oauth2/v2.0/{authorize|token|logout}` -> the tenant segment and the endpoint.
fn endpoint(path: &str) -> Option<(String, Endpoint)> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let [tenant, oauth2, version, name] = segs.as_slice() else {
        return None;
    };
    if !oauth2.eq_ignore_ascii_case("oauth2") || !version.eq_ignore_ascii_case("v2.0") {
        return None;
    }
    let endpoint = match name.to_ascii_lowercase().as_str() {
        "authorize" => Endpoint::Authorize,
        "token" => Endpoint::Token,
        "logout" => Endpoint::Logout,
        _ => return None,
    };
    Some((tenant.to_string(), endpoint))
}

fn missing_param(name: &str) -> String {
    format!("The request body must contain the following parameter: '{name}'.")
}

fn tenant_not_found(tenant: &str) -> String {
    format!(
        "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. \
         Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
    )
}

fn unknown_client(client: &str, tenant: &FakeTenant) -> String {
    format!(
        "Application with identifier '{client}' was not found in the directory '{}'. This can happen if the application has not \
         been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your \
         authentication request to the wrong tenant.",
        tenant.display_name
    )
}

fn not_found() -> Response {
    html(404, "<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>404</h1></body></html>".into())
}

/// The SPA token endpoint's preflight: it lets any origin POST a form.
fn preflight(requested: Option<String>) -> Response {
    let mut r = raw(204, "", "");
    let headers = match requested.filter(|h| !h.trim().is_empty()) {
        Some(h) => format!("content-type, accept, {h}"),
        None => "content-type, accept".into(),
    };
    set(&mut r, "access-control-allow-methods", "POST, OPTIONS");
    set(&mut r, "access-control-allow-headers", &headers);
    set(&mut r, "access-control-max-age", "86400");
    r
}

/// Entra echoes the caller's origin rather than `*` on the SPA token endpoint.
fn with_cors(mut r: Response, origin: Option<String>) -> Response {
    if let Some(o) = origin {
        set(&mut r, "access-control-allow-origin", &o);
        set(&mut r, "vary", "Origin");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_are_accepted_only_when_really_loopback() {
        for ok in [
            "http://127.0.0.1:8080/",
            "http://localhost:3000/auth?x=1",
            "http://127.0.0.1",
            "http://localhost/",
        ] {
            assert!(is_loopback_http(ok), "{ok}");
        }
        for bad in [
            "https://127.0.0.1:8080/",
            "http://127.0.0.1.evil.example/",
            "http://localhost:80@evil.example/",
            "http://localhost:/",
            "http://localhostx/",
            "http://evil.example/?http://127.0.0.1:1/",
        ] {
            assert!(!is_loopback_http(bad), "{bad}");
        }
    }

    #[test]
    fn registered_redirects_match_exactly() {
        let st = State {
            redirect_uris: vec!["http://127.0.0.1:8080/".into()],
            ..State::default()
        };
        assert!(st.accepts_redirect("http://127.0.0.1:8080/"));
        assert!(!st.accepts_redirect("http://127.0.0.1:8080"));
        assert!(!st.accepts_redirect("http://127.0.0.1:8081/"));
    }

    #[test]
    fn endpoints_are_found_case_insensitively() {
        assert!(
            matches!(endpoint("/organizations/oauth2/v2.0/authorize"), Some((t, Endpoint::Authorize)) if t == "organizations")
        );
        assert!(matches!(
            endpoint("/contoso.onmicrosoft.com/OAuth2/v2.0/Token"),
            Some((_, Endpoint::Token))
        ));
        assert!(endpoint("/organizations/oauth2/authorize").is_none());
        assert!(endpoint("/organizations/oauth2/v2.0/devicecode").is_none());
        assert!(
            matches!(endpoint("/common/oauth2/v2.0/logout"), Some((t, Endpoint::Logout)) if t == "common")
        );
    }
}
