//! `POST /{tenant}/oauth2/v2.0/token`: the code grant (PKCE S256 and the redirect URI
//! checked) and the refresh grant, each logged as a [`Grant`], errors shaped like Entra's.

use std::collections::HashMap;

use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::issue::{self, has_scope, SignIn};
use super::{
    missing_param, tenant_not_found, unknown_client, EntraFault, Grant, Pkce, CLIENT_ID,
    SPA_SESSION_S,
};
use crate::clock::{entra_timestamp, iso};
use crate::http::{json, set};
use crate::tenants::{self, FakeTenant};
use crate::Shared;

type Params = HashMap<String, String>;

/// A refused token request: the OAuth `error`, the AADSTS number and its message.
#[derive(Debug)]
struct Failure {
    error: &'static str,
    aadsts: u32,
    message: String,
}

impl Failure {
    fn invalid_request(aadsts: u32, message: impl Into<String>) -> Failure {
        Failure {
            error: "invalid_request",
            aadsts,
            message: message.into(),
        }
    }

    fn invalid_grant(aadsts: u32, message: impl Into<String>) -> Failure {
        Failure {
            error: "invalid_grant",
            aadsts,
            message: message.into(),
        }
    }

    /// Entra's answer to a code or refresh token it cannot read.
    fn malformed() -> Failure {
        Failure::invalid_grant(9002313, "Invalid request. Request is malformed or invalid.")
    }

    /// Entra's answer to a grant that exists but belongs to another client or tenant.
    fn not_yours() -> Failure {
        Failure::invalid_grant(70000, "Provided grant is invalid or malformed.")
    }
}

pub(super) fn answer(
    s: &Shared,
    tenant: &str,
    body: &str,
    correlation: Option<String>,
) -> Response {
    let p = crate::http::form(body);
    let grant_type = param(&p, "grant_type").unwrap_or_default();
    let (pkce, result) = match grant_type {
        "authorization_code" => redeem_code(s, tenant, &p),
        "refresh_token" => (Pkce::NotApplicable, refresh(s, tenant, &p)),
        "" => (
            Pkce::NotApplicable,
            Err(Failure::invalid_request(
                900144,
                missing_param("grant_type"),
            )),
        ),
        other => (
            Pkce::NotApplicable,
            Err(Failure {
                error: "unsupported_grant_type",
                aadsts: 70003,
                message: format!("The app requested an unsupported grant type '{other}'."),
            }),
        ),
    };
    let grant = Grant {
        grant_type: grant_type.into(),
        client_id: param(&p, "client_id").unwrap_or_default().into(),
        redirect_uri: param(&p, "redirect_uri").map(str::to_owned),
        tenant: tenant.into(),
        pkce,
        outcome: result.as_ref().map(|_| ()).map_err(|f| f.error.to_owned()),
        scope: param(&p, "scope").map(str::to_owned),
    };
    s.lock().entra.grants.push(grant);
    let trace = s.guid();
    let mut r = match result {
        Ok(tokens) => json(200, &tokens),
        Err(f) => refusal(s, &f, &trace, correlation.clone()),
    };
    // Tokens must not land in any cache between the browser and Entra.
    set(&mut r, "cache-control", "no-store, no-cache");
    set(&mut r, "pragma", "no-cache");
    set(&mut r, "x-ms-request-id", &trace);
    if let Some(c) = correlation {
        set(&mut r, "client-request-id", &c);
    }
    r
}

/// Anything but POST (and the preflight) on the token endpoint.
pub(super) fn wrong_method(s: &Shared, method: &str, correlation: Option<String>) -> Response {
    let f = Failure::invalid_request(
        900561,
        format!("The endpoint only accepts POST, OPTIONS requests. Received a {method} request."),
    );
    refusal(s, &f, &s.guid(), correlation)
}

/// A parameter as Entra reads it: an empty value is a missing one.
fn param<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, Failure> {
    param(p, name).ok_or_else(|| Failure::invalid_request(900144, missing_param(name)))
}

/// The checks every grant starts with: a known tenant and our client id.
fn tenant_and_client<'a>(tenant: &str, p: &'a Params) -> Result<(FakeTenant, &'a str), Failure> {
    let home = tenants::resolve(tenant)
        .ok_or_else(|| Failure::invalid_request(90002, tenant_not_found(tenant)))?;
    let client = required(p, "client_id")?;
    if client != CLIENT_ID {
        return Err(Failure {
            error: "unauthorized_client",
            aadsts: 700016,
            message: unknown_client(client, &home),
        });
    }
    Ok((home, client))
}

/// The code grant, with the verdict on its PKCE proof judged against the code's challenge.
fn redeem_code(s: &Shared, tenant: &str, p: &Params) -> (Pkce, Result<Value, Failure>) {
    let verifier = param(p, "code_verifier");
    let challenge = param(p, "code").and_then(|c| {
        s.lock()
            .entra
            .codes
            .get(c)
            .map(|code| code.challenge.clone())
    });
    let pkce = judge(verifier, challenge.as_deref());
    (pkce, redeem_checked(s, tenant, p, pkce))
}

fn redeem_checked(s: &Shared, tenant: &str, p: &Params, pkce: Pkce) -> Result<Value, Failure> {
    let (home, client) = tenant_and_client(tenant, p)?;
    let code = required(p, "code")?;
    let redirect_uri = required(p, "redirect_uri")?;
    let now = s.clock.unix();
    let (who, scope) = {
        let mut inner = s.lock();
        let entry = inner
            .entra
            .codes
            .get_mut(code)
            .ok_or_else(Failure::malformed)?;
        if entry.redeemed {
            return Err(Failure::invalid_grant(
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        if now >= entry.expires {
            return Err(Failure::invalid_grant(
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. \
                 Send a new interactive authorization request for this user and resource.",
            ));
        }
        if entry.client_id != client || entry.tenant != home {
            return Err(Failure::not_yours());
        }
        if entry.redirect_uri != redirect_uri {
            return Err(Failure::invalid_grant(
                500112,
                format!(
                    "The reply address '{redirect_uri}' does not match the reply address '{}' provided when requesting Authorization code.",
                    entry.redirect_uri
                ),
            ));
        }
        match pkce {
            Pkce::Verified => {}
            Pkce::Missing => {
                return Err(Failure::invalid_request(501481, "The Code_Verifier is missing: the authorization request supplied a code_challenge."))
            }
            _ if !is_verifier(param(p, "code_verifier").unwrap_or_default()) => {
                return Err(Failure::invalid_grant(
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ))
            }
            _ => {
                return Err(Failure::invalid_grant(
                    50148,
                    "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
                ))
            }
        }
        entry.redeemed = true;
        let who = SignIn {
            tenant: entry.tenant,
            client_id: client.to_owned(),
            signed_in: now,
            nonce: entry.nonce.clone(),
        };
        (who, entry.scope.clone())
    };
    let with_refresh = has_scope(&scope, "offline_access");
    Ok(issue::tokens(s, &who, &scope, with_refresh))
}

/// The refresh grant: a new access token (for the tenant in the path, which is how an
/// app switches directories) and a new refresh token; the old one stays valid, as Entra's do.
fn refresh(s: &Shared, tenant: &str, p: &Params) -> Result<Value, Failure> {
    let now = s.clock.unix();
    if s.lock().entra.fault == EntraFault::RefreshFails {
        return Err(Failure::invalid_grant(
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                iso(now.saturating_sub(91 * 86_400))
            ),
        ));
    }
    let (home, client) = tenant_and_client(tenant, p)?;
    let token = required(p, "refresh_token")?;
    let session = s
        .lock()
        .entra
        .sessions
        .get(token)
        .map(|x| (x.client_id.clone(), x.scope.clone(), x.signed_in));
    let (owner, session_scope, signed_in) = session.ok_or_else(Failure::malformed)?;
    if owner != client {
        return Err(Failure::not_yours());
    }
    if now >= signed_in + SPA_SESSION_S {
        return Err(Failure::invalid_grant(
            700084,
            format!(
                "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, \
                 which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. \
                 The token was issued on {}.",
                iso(signed_in)
            ),
        ));
    }
    let scope = param(p, "scope").unwrap_or(&session_scope).to_owned();
    let who = SignIn {
        tenant: home,
        client_id: client.to_owned(),
        signed_in,
        nonce: None,
    };
    Ok(issue::tokens(s, &who, &scope, true))
}

/// RFC 7636: 43 to 128 characters, unreserved ones only.
fn is_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn judge(verifier: Option<&str>, challenge: Option<&str>) -> Pkce {
    match (verifier, challenge) {
        (None, _) => Pkce::Missing,
        (Some(v), Some(c)) if is_verifier(v) && s256(v) == c => Pkce::Verified,
        _ => Pkce::Mismatch,
    }
}

/// Entra's error body: the description repeats the ids and time, as clients log it whole.
fn refusal(s: &Shared, f: &Failure, trace: &str, correlation: Option<String>) -> Response {
    let correlation = correlation.unwrap_or_else(|| s.guid());
    let ts = entra_timestamp(s.clock.unix());
    json(
        400,
        &json!({
            "error": f.error,
            "error_description": format!("AADSTS{}: {} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {ts}", f.aadsts, f.message),
            "error_codes": [f.aadsts],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", f.aadsts),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
    }

    #[test]
    fn pkce_verdicts() {
        assert_eq!(judge(Some(VERIFIER), Some(CHALLENGE)), Pkce::Verified);
        assert_eq!(judge(None, Some(CHALLENGE)), Pkce::Missing);
        assert_eq!(
            judge(Some(&VERIFIER.replace('d', "e")), Some(CHALLENGE)),
            Pkce::Mismatch
        );
        assert_eq!(judge(Some(VERIFIER), None), Pkce::Mismatch);
    }

    #[test]
    fn verifiers_are_43_to_128_unreserved_characters() {
        assert!(is_verifier(VERIFIER));
        assert!(is_verifier(&"a~._-".repeat(26)[..128]));
        assert!(!is_verifier(&VERIFIER[..42]));
        assert!(!is_verifier(&"a".repeat(129)));
        assert!(!is_verifier(&format!("{}+", &VERIFIER[..43])));
    }
}
