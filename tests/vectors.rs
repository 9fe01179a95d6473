//! The one harness over `tests/vectors/*.json`.
