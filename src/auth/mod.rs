//! Getting an ARM token. Today: a pasted token (raw JWT, `az account get-access-token`
//! JSON, or `Get-AzAccessToken` output). Entra ID sign-in (PKCE) joins here later.
//! The token lives in memory only: it is handed to `ArmClient` and never stored.

pub mod account;
pub mod entra;
pub mod paste;
pub mod token;

pub use token::Token;
