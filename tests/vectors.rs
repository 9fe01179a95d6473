//! The one harness over `tests/vectors/*.json`.
#[path = "harness/sas_protocol.rs"]
mod sas_protocol;
