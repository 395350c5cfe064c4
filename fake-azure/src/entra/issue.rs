//! Minting tokens: JWT-shaped access and id tokens, opaque refresh tokens, and the token
//! endpoint's success body. Every token is remembered so ARM can judge it later.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::{Session, CLIENT_ID, SPA_SESSION_S, USER_NAME, USER_OID, USER_UPN};
use crate::tenants::FakeTenant;
use crate::Shared;

const ARM: &str = "https://management.azure.com";
/// Scopes that ask for sign-in itself rather than for a resource.
const OIDC: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// Who signed in, where, and when: what a code and its refresh tokens carry forward.
pub(super) struct SignIn {
    pub(super) tenant: FakeTenant,
    pub(super) client_id: String,
    pub(super) signed_in: u64,
    pub(super) nonce: Option<String>,
}

/// The success body of the token endpoint. `with_refresh` is false only for a code grant
/// without `offline_access`, as in Entra.
pub(super) fn tokens(s: &Shared, who: &SignIn, scope: &str, with_refresh: bool) -> Value {
    let now = s.clock.unix();
    let lifetime = s.lock().entra.token_lifetime.as_secs();
    let tid = who.tenant.id;
    let access = mint(
        &json!({
            "aud": resource(scope),
            "iss": format!("https://sts.windows.net/{tid}/"),
            "iat": now, "nbf": now, "exp": now + lifetime,
            "name": USER_NAME, "upn": USER_UPN, "unique_name": USER_UPN,
            "tid": tid, "oid": USER_OID,
            "scp": "user_impersonation",
            "appid": CLIENT_ID,
            "ver": "1.0",
            // Two tokens minted in the same second must still differ, as Entra's do.
            "uti": URL_SAFE_NO_PAD.encode(s.random_bytes(16)),
        }),
        &s.random_bytes(256),
    );
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted(scope),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    s.lock().entra.access_tokens.insert(access, now + lifetime);
    if with_refresh {
        let refresh = format!("1.AXEA{}", URL_SAFE_NO_PAD.encode(s.random_bytes(600)));
        body["refresh_token"] = json!(refresh);
        body["refresh_token_expires_in"] =
            json!((who.signed_in + SPA_SESSION_S).saturating_sub(now));
        let session = Session {
            client_id: who.client_id.clone(),
            scope: scope.to_owned(),
            signed_in: who.signed_in,
        };
        s.lock().entra.sessions.insert(refresh, session);
    }
    if has_scope(scope, "openid") {
        body["id_token"] = json!(id_token(s, who, now));
    }
    body
}

fn id_token(s: &Shared, who: &SignIn, now: u64) -> String {
    let tid = who.tenant.id;
    let mut claims = json!({
        "aud": CLIENT_ID,
        "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "iat": now, "nbf": now, "exp": now + 3600,
        "name": USER_NAME, "preferred_username": USER_UPN,
        "tid": tid, "oid": USER_OID,
        "ver": "2.0",
    });
    if let Some(nonce) = &who.nonce {
        claims["nonce"] = json!(nonce);
    }
    mint(&claims, &s.random_bytes(256))
}

/// `base64url(header).base64url(claims).base64url(signature)`: decodable like a real
/// token, signed by nothing (nobody but ARM's fake checks it, and by lookup).
fn mint(claims: &Value, signature: &[u8]) -> String {
    let header = json!({ "typ": "JWT", "alg": "RS256", "kid": "fake-azure" });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

pub(super) fn has_scope(scope: &str, name: &str) -> bool {
    scope
        .split_whitespace()
        .any(|s| s.eq_ignore_ascii_case(name))
}

/// The resource scopes asked for; the token is for their resource.
fn resource_scopes(scope: &str) -> impl Iterator<Item = &str> {
    scope
        .split_whitespace()
        .filter(|s| !OIDC.iter().any(|o| s.eq_ignore_ascii_case(o)))
}

/// A scope's resource is everything before its last `/`, so the audience follows the
/// cloud (`https://management.usgovcloudapi.net/user_impersonation` -> that host), and
/// `https://management.azure.com//.default` keeps its trailing slash, as in Entra.
fn resource(scope: &str) -> String {
    resource_scopes(scope)
        .find_map(|s| s.rsplit_once('/').map(|(r, _)| r.to_owned()))
        .filter(|r| r.contains("://"))
        .unwrap_or_else(|| ARM.into())
}

/// The `scope` of the answer: the resource scopes granted, without the OIDC ones.
fn granted(scope: &str) -> String {
    let list: Vec<&str> = resource_scopes(scope).collect();
    if list.is_empty() {
        format!("{ARM}/user_impersonation")
    } else {
        list.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_SCOPE: &str =
        "https://management.azure.com/user_impersonation offline_access openid profile";

    #[test]
    fn audience_follows_the_scope_resource() {
        assert_eq!(resource(APP_SCOPE), "https://management.azure.com");
        assert_eq!(
            resource("openid https://management.usgovcloudapi.net/user_impersonation"),
            "https://management.usgovcloudapi.net"
        );
        assert_eq!(
            resource("https://management.azure.com//.default"),
            "https://management.azure.com/"
        );
        assert_eq!(resource("openid profile"), ARM);
    }

    #[test]
    fn granted_scope_leaves_out_sign_in_scopes() {
        assert_eq!(
            granted(APP_SCOPE),
            "https://management.azure.com/user_impersonation"
        );
        assert_eq!(
            granted("openid offline_access"),
            "https://management.azure.com/user_impersonation"
        );
        assert!(has_scope(APP_SCOPE, "OFFLINE_ACCESS"));
        assert!(!has_scope(
            "https://management.azure.com/user_impersonation",
            "openid"
        ));
    }

    #[test]
    fn minted_tokens_decode_as_jwts() {
        let t = mint(&json!({ "tid": "x" }), &[1, 2, 3]);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(
            header,
            json!({ "typ": "JWT", "alg": "RS256", "kid": "fake-azure" })
        );
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["tid"], "x");
        assert!(!t.contains('=') && !t.contains('+') && !t.contains('/'));
    }
}
