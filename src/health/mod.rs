//! What the health result means: the reason-code catalog and the panel's summary rows.

pub mod catalog;
pub mod export;
pub mod history;
pub mod order;
pub mod pacing;
pub mod probe_history;
pub mod summary;
pub mod table;
