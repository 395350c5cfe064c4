//! Parses what a user pastes into a token plus the claims we show. Claims are decoded
//! for display only: ARM validates the token, we never trust it for anything.

use super::Token;
use crate::json::{read_json, Fields, Json, Shape, OPT_STR};

#[derive(Debug, Clone, PartialEq, Default)]
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
static CLI_JSON: Shape =
    Shape::Struct(&[("accessToken", &OPT_STR), ("Token", &OPT_STR), ("token", &OPT_STR), ("tenant", &OPT_STR), ("TenantId", &OPT_STR)]);
/// The claims shown: `name`, the user (`upn`, `preferred_username` or `unique_name`),
/// `tid`, `aud`, `exp`.
static JWT_CLAIMS: Shape = Shape::Struct(&[
    ("name", &OPT_STR),
    ("upn", &OPT_STR),
    ("preferred_username", &OPT_STR),
    ("unique_name", &OPT_STR),
    ("tid", &OPT_STR),
    ("aud", &OPT_STR),
    ("exp", &Shape::Opt(&Shape::I64)),
]);

/// `arm_audiences` are the audiences ARM accepts in the configured cloud.
pub fn parse(input: &str, now_unix: i64, arm_audiences: &[&str]) -> Result<Pasted, PasteError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(PasteError::Empty);
    }
    let (raw, tenant_hint) = if input.starts_with('{') {
        let mut j = Fields::of(read_json(input, &CLI_JSON).map_err(|_| PasteError::NotAToken)?);
        let (access_token, ps_token, token) = (j.opt_string(), j.opt_string(), j.opt_string());
        let (tenant, ps_tenant) = (j.opt_string(), j.opt_string());
        let t = access_token.or(ps_token).or(token).ok_or(PasteError::JsonWithoutToken)?;
        (t, tenant.or(ps_tenant))
    } else {
        (from_text(input), None)
    };
    let raw = raw.trim().trim_start_matches("Bearer ").trim().to_owned();
    if raw.len() < 16 || !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b)) {
        return Err(PasteError::NotAToken);
    }
    let mut warnings = Vec::new();
    let claims = match decode_claims(&raw) {
        Some(c) => {
            let mut c = Fields::of(c);
            let (name, upn, preferred_username, unique_name) = (c.opt_string(), c.opt_string(), c.opt_string(), c.opt_string());
            Claims {
                name,
                user: upn.or(preferred_username).or(unique_name),
                tenant: c.opt_string().or(tenant_hint),
                audience: c.opt_string(),
                expires_at: c.opt_i64(),
            }
        }
        None => {
            warnings.push(Warning::Opaque);
            Claims { tenant: tenant_hint, ..Claims::default() }
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
    Ok(Pasted { token: Token::new(raw), claims, warnings })
}

/// `Get-AzAccessToken` prints a `Token : eyJ...` table; `az` without `-o json` prints
/// the bare token. Take the line that carries it.
fn from_text(input: &str) -> String {
    for line in input.lines() {
        let l = line.trim();
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("token") || k.trim().eq_ignore_ascii_case("accesstoken") {
                return v.trim().to_owned();
            }
        }
    }
    input.to_owned()
}

/// The JWT's payload, read by `JWT_CLAIMS`.
fn decode_claims(jwt: &str) -> Option<Json> {
    let mut parts = jwt.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let text = String::from_utf8(base64url(payload)?).ok()?;
    read_json(&text, &JWT_CLAIMS).ok()
}

/// RFC 4648 base64url without padding, as JWTs use it. Hand-written: the `base64`
/// crate would add wasm size for twenty lines.
fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARM: &[&str] = &["https://management.azure.com/", "https://management.core.windows.net/"];

    fn b64(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (x as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(claims: &str) -> String {
        format!("{}.{}.sig", b64(r#"{"alg":"RS256","typ":"JWT"}"#), b64(claims))
    }

    #[test]
    fn raw_jwt_claims_are_read() {
        let t = jwt(r#"{"aud":"https://management.azure.com/","tid":"t1","upn":"ana@contoso.com","name":"Ana","exp":2000}"#);
        let p = parse(&t, 1000, ARM).unwrap();
        assert_eq!(p.claims.user.as_deref(), Some("ana@contoso.com"));
        assert_eq!(p.claims.tenant.as_deref(), Some("t1"));
        assert_eq!(p.claims.expires_at, Some(2000));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn az_cli_json_is_accepted() {
        let t = jwt(r#"{"aud":"https://management.core.windows.net/","exp":2000}"#);
        let json = format!(r#"{{"accessToken":"{t}","expiresOn":"2026-11-25 12:00:00.000000","expires_on":2000,"subscription":"s","tenant":"t9","tokenType":"Bearer"}}"#);
        let p = parse(&json, 1000, ARM).unwrap();
        assert_eq!(p.token, Token::new(t));
        assert_eq!(p.claims.tenant.as_deref(), Some("t9"));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn powershell_json_and_odd_claims_are_read() {
        let t = jwt(r#"{"aud":"https://management.azure.com/","exp":-5,"unique_name":"\u0061na","other":[{"deep":null}],"tid":null}"#);
        let p = parse(&format!(r#"{{"Token":"{t}","TenantId":"t2","ExpiresOn":{{"DateTime":"x"}}}}"#), 0, ARM).unwrap();
        assert_eq!(p.claims.tenant.as_deref(), Some("t2"));
        assert_eq!(p.claims.user.as_deref(), Some("ana"));
        assert_eq!(p.claims.expires_at, Some(-5));
        assert!(p.warnings.contains(&Warning::Expired));
        // A claim of the wrong type: nothing can be shown, the token still goes to ARM.
        let p = parse(&jwt(r#"{"exp":"soon"}"#), 0, ARM).unwrap();
        assert_eq!(p.warnings, vec![Warning::Opaque]);
        assert_eq!(parse(r#"{"accessToken":"a","accessToken":"b"}"#, 0, ARM), Err(PasteError::NotAToken));
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
        assert!(p.warnings.contains(&Warning::NotForArm("https://graph.microsoft.com".into())));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(parse("  ", 0, ARM), Err(PasteError::Empty));
        assert_eq!(parse(r#"{"foo":1}"#, 0, ARM), Err(PasteError::JsonWithoutToken));
        assert_eq!(parse("<script>alert(1)</script>", 0, ARM), Err(PasteError::NotAToken));
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
}
