//! Azure Resource Manager: ids, payloads, errors, the client and the long-running
//! health operation. Builds on `http`; never imports `auth`, `health`, `demo` or `ui`.

pub mod client;
pub mod error;
pub mod graph;
pub mod id;
pub mod lenient;
pub mod lro;
pub mod metrics;
pub mod model;
#[cfg(test)]
pub mod testing;
