//! Shared helpers for the integration tests: loading `tests/vectors/*.json`.
#![forbid(unsafe_code)]

use std::path::PathBuf;

/// The folder holding the test-vector files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
