//! The built-in demo: a simulated ARM that answers the same requests, with the same
//! payload shapes and the same 202-then-poll sequence, as Azure. The app runs its
//! real client against it, so the demo exercises the production code paths.

pub mod estate;
pub mod transport;

pub use transport::DemoTransport;
