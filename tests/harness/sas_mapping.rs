//! Matrix `m.sas.v1` mapping (6 SAS bytes → 7 emoji indices and 3 decimals)
//! against every mapping value in `tests/vectors/sas_vectors.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use verifier_core::render::emoji::SasEmoji;
use verifier_core::render::matrix_sas;

fn load() -> Value {
    let path = verifier_tests::vectors_dir().join("sas_vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn sas_bytes(case: &Value) -> [u8; 6] {
    let bytes = hex::decode(case["sas_bytes_hex"].as_str().unwrap()).unwrap();
    bytes.try_into().unwrap()
}

fn numbers<const N: usize>(v: &Value) -> [u64; N] {
    let list: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    list.try_into().unwrap()
}

/// Checks one `{sas_bytes_hex, emoji_indices, decimals}` case; returns the
/// emoji indices.
fn check_case(case: &Value) -> [u8; 7] {
    let sas = sas_bytes(case);
    let emoji = matrix_sas::emoji_indices(&sas);
    let want_emoji: [u64; 7] = numbers(&case["emoji_indices"]);
    assert_eq!(
        emoji.map(u64::from),
        want_emoji,
        "emoji for {}",
        hex::encode(sas)
    );
    let decimals = matrix_sas::decimals(&sas);
    let want_decimals: [u64; 3] = numbers(&case["decimals"]);
    assert_eq!(
        decimals.map(u64::from),
        want_decimals,
        "decimals for {}",
        hex::encode(sas)
    );
    emoji
}

#[test]
fn every_block_keeps_its_provenance() {
    let v = load();
    assert!(v["readme"].is_string());
    let upstream = &v["vodozemac_sas_bytes"];
    for key in ["repository", "path", "snapshot_commit", "license"] {
        assert!(upstream[key].is_string(), "vodozemac_sas_bytes.{key}");
    }
    assert!(v["derived_not_upstream"]["method"].is_string());
}

#[test]
fn vodozemac_upstream_values() {
    let v = load();
    let cases = v["vodozemac_sas_bytes"]["parsed"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        check_case(case);
    }
}

#[test]
fn independently_derived_values() {
    let v = load();
    let cases = v["derived_not_upstream"]["bytes_to_emoji_and_decimal"]
        .as_array()
        .unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        check_case(case);
    }
}

#[test]
fn full_pipeline_bytes_map_to_the_named_emoji() {
    let v = load();
    let case = &v["derived_not_upstream"]["matrix_sas_full_pipeline"];
    let emoji = check_case(case);
    let names: Vec<String> = emoji
        .iter()
        .map(|&i| {
            let e = SasEmoji::get(i).unwrap();
            format!("{} {}", e.emoji(), e.description_en())
        })
        .collect();
    let want: Vec<&str> = case["emoji"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(names, want);
}

#[test]
fn a_changed_byte_changes_the_mapping() {
    // guards against a harness that compares a value with itself
    let v = load();
    let case = &v["derived_not_upstream"]["bytes_to_emoji_and_decimal"][1];
    let mut sas = sas_bytes(case);
    sas[0] ^= 0x80;
    let want: [u64; 7] = numbers(&case["emoji_indices"]);
    assert_ne!(matrix_sas::emoji_indices(&sas).map(u64::from), want);
}
