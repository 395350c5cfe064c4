//! Parses what a user pastes into a token plus the claims we show. Claims are decoded
//! for display only: ARM validates the token, we never trust it for anything.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::http::json::parse as parse_json;
use crate::http::Token;

/// What the page shows about a token. Also part of the sign-in worker's answer
/// (`auth::worker`), hence the serde derive.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Claims {
    pub name: Option<String>,
    pub user: Option<String>,
    pub tenant: Option<String>,
    pub audience: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    Expired,
    /// The token was issued for another resource (e.g. Microsoft Graph).
    NotForArm(String),
    /// Not a JWT: nothing can be shown about it, ARM will judge.
    Opaque,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PasteError {
    Empty,
    /// JSON, but with no `accessToken` / `Token` field.
    JsonWithoutToken,
    /// Characters no bearer token contains (spaces inside, quotes, angle brackets).
    NotAToken,
}

impl std::fmt::Display for PasteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PasteError::Empty => "Paste a token first.",
            PasteError::JsonWithoutToken => "This JSON has no accessToken field. Paste the whole output of `az account get-access-token`.",
            PasteError::NotAToken => "This doesn't look like an access token. Paste the token itself (it starts with eyJ) or the JSON from the Azure CLI.",
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pasted {
    pub token: Token,
    pub claims: Claims,
    pub warnings: Vec<Warning>,
}

/// `az account get-access-token` (`accessToken`, `tenant`), `Get-AzAccessToken | ConvertTo-Json`
/// (`Token`, `TenantId`), and a bare `token`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct CliJson {
    #[serde(rename = "accessToken")]
    access_token: Option<String>,
    #[serde(rename = "Token")]
    ps_token: Option<String>,
    token: Option<String>,
    tenant: Option<String>,
    #[serde(rename = "TenantId")]
    ps_tenant: Option<String>,
}

/// The claims shown: `name`, the user (`upn`, `preferred_username` or `unique_name`),
/// `tid`, `aud`, `exp`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct JwtClaims {
    name: Option<String>,
    upn: Option<String>,
    preferred_username: Option<String>,
    unique_name: Option<String>,
    tid: Option<String>,
    aud: Option<String>,
    exp: Option<i64>,
}

/// `arm_audiences` are the audiences ARM accepts in the configured cloud.
pub fn parse(input: &str, now_unix: i64, arm_audiences: &[&str]) -> Result<Pasted, PasteError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(PasteError::Empty);
    }
    let (raw, tenant_hint) = if input.starts_with('{') {
        let j: CliJson = parse_json(input).map_err(|_| PasteError::NotAToken)?;
        let t = j
            .access_token
            .or(j.ps_token)
            .or(j.token)
            .ok_or(PasteError::JsonWithoutToken)?;
        (t, j.tenant.or(j.ps_tenant))
    } else {
        (from_text(input), None)
    };
    let raw = raw.trim().trim_start_matches("Bearer ").trim().to_owned();
    if raw.len() < 16
        || !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b))
    {
        return Err(PasteError::NotAToken);
    }
    let mut warnings = Vec::new();
    let claims = match decode_claims(&raw) {
        Some(c) => Claims {
            name: c.name,
            user: c.upn.or(c.preferred_username).or(c.unique_name),
            tenant: c.tid.or(tenant_hint),
            audience: c.aud,
            expires_at: c.exp,
        },
        None => {
            warnings.push(Warning::Opaque);
            Claims {
                tenant: tenant_hint,
                ..Claims::default()
            }
        }
    };
    if claims.expires_at.is_some_and(|e| e <= now_unix) {
        warnings.push(Warning::Expired);
    }
    if let Some(aud) = &claims.audience {
        let norm = |s: &str| s.trim_end_matches('/').to_ascii_lowercase();
        if !arm_audiences.iter().any(|a| norm(a) == norm(aud)) {
            warnings.push(Warning::NotForArm(aud.clone()));
        }
    }
    Ok(Pasted {
        token: Token::new(raw),
        claims,
        warnings,
    })
}

/// `Get-AzAccessToken` prints a `Token : eyJ...` table; `az` without `-o json` prints
/// the bare token. Take the line that carries it.
fn from_text(input: &str) -> String {
    for line in input.lines() {
        let l = line.trim();
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("token")
                || k.trim().eq_ignore_ascii_case("accesstoken")
            {
                return v.trim().to_owned();
            }
        }
    }
    input.to_owned()
}

/// The JWT's payload: the claims shown, or `None` when it is not a JWT we can read.
fn decode_claims(jwt: &str) -> Option<JwtClaims> {
    let mut parts = jwt.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    parse_json(&String::from_utf8(base64url(payload)?).ok()?).ok()
}

/// RFC 4648 base64url, as JWTs use it, with or without padding; the standard alphabet's
/// `+` and `/` are read too, as some tools re-encode tokens with it.
fn base64url(s: &str) -> Option<Vec<u8>> {
    const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(s.replace('+', "-").replace('/', "_")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARM: &[&str] = &[
        "https://management.azure.com/",
        "https://management.core.windows.net/",
    ];

    fn b64(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &x)| acc | (x as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            b64(r#"{"alg":"RS256","typ":"JWT"}"#),
            b64(claims)
        )
    }

    #[test]
    fn raw_jwt_claims_are_read() {
        let t = jwt(
            r#"{"aud":"https://management.azure.com/","tid":"t1","upn":"ana@contoso.com","name":"Ana","exp":2000}"#,
        );
        let p = parse(&t, 1000, ARM).unwrap();
        assert_eq!(p.claims.user.as_deref(), Some("ana@contoso.com"));
        assert_eq!(p.claims.tenant.as_deref(), Some("t1"));
        assert_eq!(p.claims.expires_at, Some(2000));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn az_cli_json_is_accepted() {
        let t = jwt(r#"{"aud":"https://management.core.windows.net/","exp":2000}"#);
        let json = format!(
            r#"{{"accessToken":"{t}","expiresOn":"2026-11-25 12:00:00.000000","expires_on":2000,"subscription":"s","tenant":"t9","tokenType":"Bearer"}}"#
        );
        let p = parse(&json, 1000, ARM).unwrap();
        assert_eq!(p.token, Token::new(t));
        assert_eq!(p.claims.tenant.as_deref(), Some("t9"));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn powershell_json_and_odd_claims_are_read() {
        let t = jwt(
            r#"{"aud":"https://management.azure.com/","exp":-5,"unique_name":"\u0061na","other":[{"deep":null}],"tid":null}"#,
        );
        let p = parse(
            &format!(r#"{{"Token":"{t}","TenantId":"t2","ExpiresOn":{{"DateTime":"x"}}}}"#),
            0,
            ARM,
        )
        .unwrap();
        assert_eq!(p.claims.tenant.as_deref(), Some("t2"));
        assert_eq!(p.claims.user.as_deref(), Some("ana"));
        assert_eq!(p.claims.expires_at, Some(-5));
        assert!(p.warnings.contains(&Warning::Expired));
        // A claim of the wrong type: nothing can be shown, the token still goes to ARM.
        let p = parse(&jwt(r#"{"exp":"soon"}"#), 0, ARM).unwrap();
        assert_eq!(p.warnings, vec![Warning::Opaque]);
        assert_eq!(
            parse(r#"{"accessToken":"a","accessToken":"b"}"#, 0, ARM),
            Err(PasteError::NotAToken)
        );
    }

    #[test]
    fn get_az_access_token_table_is_accepted() {
        let t = jwt(r#"{"aud":"https://management.azure.com","exp":2000}"#);
        let table = format!("\nToken     : {t}\nExpiresOn : 11/25/2026 12:00:00 +00:00\nType      : Bearer\nTenantId  : t1\nUserId    : ana@contoso.com\n");
        assert_eq!(parse(&table, 1000, ARM).unwrap().token, Token::new(t));
    }

    #[test]
    fn expired_and_foreign_audience_are_warned() {
        let t = jwt(r#"{"aud":"https://graph.microsoft.com","exp":10}"#);
        let p = parse(&format!("Bearer {t}"), 1000, ARM).unwrap();
        assert!(p.warnings.contains(&Warning::Expired));
        assert!(p
            .warnings
            .contains(&Warning::NotForArm("https://graph.microsoft.com".into())));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(parse("  ", 0, ARM), Err(PasteError::Empty));
        assert_eq!(
            parse(r#"{"foo":1}"#, 0, ARM),
            Err(PasteError::JsonWithoutToken)
        );
        assert_eq!(
            parse("<script>alert(1)</script>", 0, ARM),
            Err(PasteError::NotAToken)
        );
        assert_eq!(parse("{not json", 0, ARM), Err(PasteError::NotAToken));
        let opaque = parse("abcdefghijklmnopqrstuvwxyz", 0, ARM).unwrap();
        assert_eq!(opaque.warnings, vec![Warning::Opaque]);
    }

    #[test]
    fn base64url_decodes_without_padding() {
        assert_eq!(base64url("aGk").unwrap(), b"hi");
        assert_eq!(base64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url("a*b"), None);
    }

    #[test]
    fn base64url_tolerates_padding_and_the_standard_alphabet() {
        assert_eq!(base64url("aGk=").unwrap(), b"hi");
        assert_eq!(base64url("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url("-_8").unwrap(), base64url("+/8").unwrap());
        assert_eq!(base64url("-_8").unwrap(), [0xfb, 0xff]);
    }
}
