//! The access token as a type that cannot leak through `Debug`.

/// A bearer token. `Debug` never prints it, so a stray `{:?}` cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(raw: impl Into<String>) -> Self {
        Token(raw.into())
    }
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
    /// The raw token, for the one message that carries it from the sign-in worker
    /// (`auth::worker`).
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}
