//! Azure Resource Manager: ids, payloads, errors, the transport seam, the client and
//! the long-running health operation. Never imports `health`, `demo` or `ui`.

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod client;
pub mod cloud;
pub mod error;
pub mod graph;
pub mod id;
pub mod lenient;
pub mod lro;
pub mod metrics;
pub mod model;
pub mod transport;
#[cfg(test)]
pub mod testing;
