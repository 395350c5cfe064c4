//! `GET /{tenant}/oauth2/v2.0/authorize`: validates like Entra, consents at once, and
//! sends the browser back to the app with a code (or an error).

use std::collections::HashMap;

use axum::response::Response;
use base64::Engine;

use super::{
    missing_param, tenant_not_found, unknown_client, Code, EntraFault, CLIENT_ID, CODE_LIFETIME_S,
};
use crate::http::{encode_pairs, escape_html, html, raw, set};
use crate::tenants::{self, FakeTenant};
use crate::Shared;

/// Refused on Entra's own error page: the redirect URI is not yet known to be the app's,
/// so nothing may be sent there.
struct Page {
    aadsts: u32,
    message: String,
}

/// Refused back to the app's redirect URI, as `error` and `error_description`.
struct Redirected {
    error: &'static str,
    description: String,
}

/// Where the app wants the answer: `?` (default) or `#` (`response_mode=fragment`).
#[derive(Clone, Copy)]
enum Delivery {
    Query,
    Fragment,
}

/// A request that passed the checks Entra makes before it trusts the redirect URI.
struct Request<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
    delivery: Delivery,
}

pub(super) fn answer(s: &Shared, tenant: &str, query: &str) -> Response {
    let params = crate::http::form(query);
    let (req, home) = match trusted(s, tenant, &params) {
        Ok(trusted) => trusted,
        Err(page) => return error_page(page),
    };
    let fault = s.lock().entra.fault;
    let result = match fault {
        EntraFault::AccessDenied => Err(Redirected {
            error: "access_denied",
            description: "AADSTS65004: User declined to consent to access the app.".into(),
        }),
        _ => issue_code(s, home, &params, req.redirect_uri),
    };
    let state = req.state.map(|st| ("state", st.to_owned()));
    // Entra's order: the answer, then `state`, then (on success) `session_state`.
    let pairs: Vec<(&str, String)> = match result {
        Ok(code) => [
            Some(("code", code)),
            state,
            Some(("session_state", s.guid())),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Err(Redirected { error, description }) => [
            Some(("error", error.to_owned())),
            Some(("error_description", description)),
            state,
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let location = back_to_app(&req, &pairs);
    match fault {
        EntraFault::OpenerPolicy => opener_severing_page(&location),
        _ => {
            let mut r = raw(302, "", "");
            set(&mut r, "location", &location);
            r
        }
    }
}

/// The checks Entra answers on its own page: tenant, client and redirect URI.
fn trusted<'a>(
    s: &Shared,
    tenant: &str,
    params: &'a HashMap<String, String>,
) -> Result<(Request<'a>, FakeTenant), Page> {
    let page = |aadsts, message: String| Page { aadsts, message };
    let home = tenants::resolve(tenant).ok_or_else(|| page(90002, tenant_not_found(tenant)))?;
    let client = params
        .get("client_id")
        .ok_or_else(|| page(900144, missing_param("client_id")))?;
    if client != CLIENT_ID {
        return Err(page(700016, unknown_client(client, &home)));
    }
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| page(900144, missing_param("redirect_uri")))?;
    if !s.lock().entra.accepts_redirect(redirect_uri) {
        return Err(page(
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the \
                 application '{CLIENT_ID}'. Make sure the redirect URI sent in the request matches one added to your application \
                 in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        ));
    }
    let delivery = match params.get("response_mode").map(String::as_str) {
        Some("fragment") => Delivery::Fragment,
        _ => Delivery::Query,
    };
    Ok((
        Request {
            redirect_uri,
            state: params.get("state").map(String::as_str),
            delivery,
        },
        home,
    ))
}

/// The checks Entra reports to the app, then the code itself.
fn issue_code(
    s: &Shared,
    home: FakeTenant,
    params: &HashMap<String, String>,
    redirect_uri: &str,
) -> Result<String, Redirected> {
    let invalid = |description: String| Redirected {
        error: "invalid_request",
        description,
    };
    match params.get("response_mode").map(String::as_str) {
        None | Some("query") | Some("fragment") => {}
        Some(other) => {
            return Err(invalid(format!(
                "fake-azure implements response_mode query and fragment only, not '{other}'."
            )))
        }
    }
    match params.get("response_type").map(String::as_str) {
        Some("code") => {}
        Some(other) => {
            return Err(invalid(format!(
                "AADSTS700051: response_type '{other}' is not enabled for the application."
            )))
        }
        None => {
            return Err(invalid(format!(
                "AADSTS900144: {}",
                missing_param("response_type")
            )))
        }
    }
    let scope = params
        .get("scope")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid(format!("AADSTS900144: {}", missing_param("scope"))))?;
    let pkce_required = || {
        invalid("AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.".into())
    };
    let challenge = params.get("code_challenge").ok_or_else(pkce_required)?;
    if params.get("code_challenge_method").map(String::as_str) != Some("S256") {
        // Entra would take `plain`; a SPA that sends it (or nothing) has a bug worth failing on.
        return Err(invalid(
            "AADSTS9002325: code_challenge_method must be 'S256' for single-page applications."
                .into(),
        ));
    }
    if !is_s256_challenge(challenge) {
        return Err(invalid(
            "AADSTS501491: Invalid size of Code_Challenge parameter.".into(),
        ));
    }
    let code = format!(
        "1.AXEA{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s.random_bytes(300))
    );
    let entry = Code {
        client_id: CLIENT_ID.into(),
        redirect_uri: redirect_uri.into(),
        challenge: challenge.clone(),
        tenant: home,
        scope: scope.clone(),
        nonce: params.get("nonce").cloned(),
        expires: s.clock.unix() + CODE_LIFETIME_S,
        redeemed: false,
    };
    s.lock().entra.codes.insert(code.clone(), entry);
    Ok(code)
}

/// A SHA-256 digest in unpadded base64url is exactly 43 characters of that alphabet.
fn is_s256_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The redirect URI with the answer appended where the app asked for it.
fn back_to_app(req: &Request, pairs: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sep = match req.delivery {
        Delivery::Fragment => '#',
        Delivery::Query if req.redirect_uri.contains('?') => '&',
        Delivery::Query => '?',
    };
    format!("{}{sep}{}", req.redirect_uri, encode_pairs(&pairs))
}

/// A login page that isolates itself from its opener, then carries on to the app.
fn opener_severing_page(location: &str) -> Response {
    let url = escape_html(location);
    let mut r = html(
        200,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\">\
             <title>Sign in to your account</title></head><body><p>Signing you in...</p></body></html>"
        ),
    );
    set(&mut r, "cross-origin-opener-policy", "same-origin");
    r
}

/// Entra's own error page: it names the AADSTS code and sends nothing to the app.
fn error_page(Page { aadsts, message }: Page) -> Response {
    let message = escape_html(&message);
    html(
        400,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head><body>\
             <h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">AADSTS{aadsts}: {message}</p></body></html>"
        ),
    )
}
