//! The one harness over `tests/vectors/*.json`.
#[path = "harness/sas_mapping.rs"]
mod sas_mapping;
