//! Getting an ARM token: Entra ID sign-in (authorization code + PKCE, by redirect or
//! pop-up, `entra`, run in a web worker of its own: `worker`, `signin`), kept fresh by
//! `account`, or a pasted token (raw JWT, `az account get-access-token` JSON, or
//! `Get-AzAccessToken` output, `paste`).
//! Tokens live in memory only: session storage holds the PKCE verifier and state for
//! the length of one redirect, nothing else, and nothing goes to local storage.

pub mod account;
pub mod browser;
pub mod entra;
pub mod paste;
pub mod signin;
pub mod worker;
