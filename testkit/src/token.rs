//! Tokens for the paste box, shared by the tests and the bench.

use base64::Engine as _;

/// A JWT-shaped token: an RS256 header, `claims` (JSON) and `signature`, each base64url
/// without padding. Nothing is signed: the app reads the claims, and the fake server
/// accepts the exact string it was given.
pub fn jwt(claims: &str, signature: &str) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        enc(r#"{"alg":"RS256","typ":"JWT"}"#),
        enc(claims),
        enc(signature)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn three_base64url_parts() {
        assert_eq!(
            super::jwt(r#"{"a":1}"#, "sig"),
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.c2ln"
        );
    }
}
