//! The one harness over `tests/vectors/*.json`.
#[path = "harness/signal.rs"]
mod signal;
