//! HTTP as LB Health sees it, below both `auth` and `arm`: requests and responses (and
//! their text form across `postMessage`), the transport and clock seams, the bearer
//! token, the clouds and the hosts a token may go to, the page's web workers and its service worker, and JSON
//! bodies read through serde. Imports nothing else of the crate.

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod cloud;
pub mod json;
pub mod offline;
#[cfg(test)]
pub mod testing;
mod token;
mod transport;
pub mod worker;

pub use token::Token;
pub use transport::{Clock, LocalBoxFuture, Method, Request, Response, Transport, TransportError};
