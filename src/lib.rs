//! LB Health: Azure Load Balancer backend health in the browser.
//!
//! Layers, lower never importing higher: `http` -> `config` -> `auth` -> `arm` -> `health`
//! -> `demo` -> `ui` (`http` holds what both `auth` and `arm` send through: requests,
//! transports, clocks, the token, clouds, the workers' envelope, JSON bodies).
//! Everything except `ui`, the browser transport and the browser clock is plain Rust
//! that tests on the host.

pub mod arm;
pub mod auth;
pub mod config;
pub mod demo;
pub mod health;
pub mod http;
pub mod ui;
