//! Shared helpers for the integration tests: loading `tests/vectors/*.json`.
#![forbid(unsafe_code)]

use std::path::PathBuf;

/// The folder holding the test-vector files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Reads and parses one vector file, naming it in the panic message when it is broken.
#[allow(clippy::panic)]
pub fn load(name: &str) -> serde_json::Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    assert!(
        value.get("provenance").is_some() || value.get("source").is_some() || value.is_array(),
        "{} must say where its values come from (a provenance field)",
        path.display()
    );
    value
}

/// Decodes a hex string field.
#[allow(clippy::panic)]
pub fn hex_field(v: &serde_json::Value, field: &str) -> Vec<u8> {
    let s = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} missing or not a string in {v}"));
    hex::decode(s).unwrap_or_else(|e| panic!("field {field} is not hex: {e}"))
}
