//! LB Health: Azure Load Balancer backend health in the browser.
//!
//! Layers, lower never importing higher: `config` -> `arm` -> `health` -> `demo` -> `ui`
//! (`order`, `query` and `worker`, the envelope of the page's web workers, are leaves
//! any layer may use).
//! Everything except `ui`, the browser transport and the browser clock is plain Rust
//! that tests on the host.

pub mod arm;
pub mod auth;
pub mod config;
pub mod demo;
pub mod health;
pub mod json;
pub mod order;
pub mod query;
pub mod ui;
pub mod worker;
