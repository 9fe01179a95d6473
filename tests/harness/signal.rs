//! Signal-compatible safety numbers against `vectors/signal_vectors.json` (libsignal's
//! upstream vectors plus derived ones, copied from the shared reference data) and
//! `vectors/signal_random.json` (random cases from the independent Python reference,
//! `tools/signal_reference.py`). Every entry of both files must be handled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use serde_json::Value;
use verifier_core::signal::{
    FingerprintSide, NumericFingerprint, ScannableCompareError, ScannableFingerprint,
    ScannableParseError, SignalIdentityKey, party_digits, party_hash,
};

fn load(name: &str) -> Value {
    let path = verifier_tests::vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn str_field<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("{}: missing string field {name}", v["id"]))
}

fn u32_field(v: &Value, name: &str) -> u32 {
    let n = v[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: missing number field {name}", v["id"]));
    u32::try_from(n).unwrap()
}

fn bytes_field(v: &Value, name: &str) -> Vec<u8> {
    hex::decode(str_field(v, name)).unwrap()
}

fn key_field(v: &Value, name: &str) -> SignalIdentityKey {
    str_field(v, name).parse().unwrap()
}

/// Identifier bytes: the `_id_hex` field when present, else the UTF-8 of `_id`.
fn id_field(v: &Value, side: &str) -> Vec<u8> {
    match v[format!("{side}_id_hex")].as_str() {
        Some(hex) => hex::decode(hex).unwrap(),
        None => str_field(v, &format!("{side}_id")).as_bytes().to_vec(),
    }
}

struct Views {
    local: NumericFingerprint,
    remote: NumericFingerprint,
}

/// Both views of a vector: the local party's fingerprint and the remote party's.
fn views(v: &Value, version: u32) -> Views {
    let iterations = u32_field(v, "iterations");
    let (lk, rk) = (
        key_field(v, "local_key_hex"),
        key_field(v, "remote_key_hex"),
    );
    let (lid, rid) = (id_field(v, "local"), id_field(v, "remote"));
    Views {
        local: NumericFingerprint::new(version, iterations, &lid, &lk, &rid, &rk).unwrap(),
        remote: NumericFingerprint::new(version, iterations, &rid, &rk, &lid, &lk).unwrap(),
    }
}

fn check_display(v: &Value, views: &Views) {
    let id = &v["id"];
    assert_eq!(
        views.local.display_string(),
        str_field(v, "expected_local_display"),
        "{id}: local view display"
    );
    assert_eq!(
        views.remote.display_string(),
        str_field(v, "expected_remote_display"),
        "{id}: remote view display"
    );
}

/// Our scannable bytes, their parse, and the crosswise comparison from both sides.
fn check_scannable(v: &Value, views: &Views) {
    let id = &v["id"];
    let expected = bytes_field(v, "expected_scannable_hex");
    let ours = views.local.scannable();
    let theirs = views.remote.scannable();
    assert_eq!(
        hex::encode(ours.to_bytes()),
        hex::encode(&expected),
        "{id}: scannable bytes"
    );
    assert_eq!(
        &ScannableFingerprint::parse(&expected).unwrap(),
        ours,
        "{id}: parse"
    );
    // The remote view's code is the local one with the halves swapped.
    assert_eq!(
        theirs.local_fingerprint(),
        ours.remote_fingerprint(),
        "{id}"
    );
    assert_eq!(
        theirs.remote_fingerprint(),
        ours.local_fingerprint(),
        "{id}"
    );
    assert_eq!(
        ours.compare(&theirs.to_bytes()),
        Ok(true),
        "{id}: peer's code"
    );
    assert_eq!(theirs.compare(&expected), Ok(true), "{id}: peer scans ours");
    assert_eq!(
        ours.compare(&expected),
        Ok(false),
        "{id}: own code is not a match"
    );
    assert_eq!(
        theirs.compare(&theirs.to_bytes()),
        Ok(false),
        "{id}: own code (peer)"
    );
    for at in [6, 37, 42, 73] {
        let mut altered = theirs.to_bytes();
        altered[at] ^= 0x01;
        assert_eq!(ours.compare(&altered), Ok(false), "{id}: altered byte {at}");
    }
}

fn vector_by_id<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter().find(|v| v["id"] == id).unwrap()
}

#[test]
fn signal_reference_vectors() {
    let doc = load("signal_vectors.json");
    let all = doc.as_array().unwrap();
    let mut handled = BTreeSet::new();
    for v in all {
        let id = str_field(v, "id");
        assert!(v["provenance"].is_string(), "{id}: provenance kept");
        match id {
            // Full vectors (upstream and derived): both views, display and scannable.
            "upstream-v1-alice"
            | "upstream-v1-bob"
            | "upstream-v2-alice"
            | "upstream-v2-bob"
            | "derived-v2-aci-alice"
            | "derived-v2-aci-bob"
            | "derived-v1-1024-iterations" => {
                let views = views(v, u32_field(v, "version"));
                check_display(v, &views);
                check_scannable(v, &views);
            }
            // Pure encoding KAT: ScannableFingerprint::new(2, [0x12;32], [0xBA;32]).
            "upstream-encoding-kat-v2" => {
                let code = ScannableFingerprint::new(
                    u32_field(v, "version"),
                    bytes_field(v, "local_fingerprint_hex").try_into().unwrap(),
                    bytes_field(v, "remote_fingerprint_hex").try_into().unwrap(),
                );
                let expected = bytes_field(v, "expected_scannable_hex");
                assert_eq!(code.to_bytes(), expected, "{id}");
                assert_eq!(
                    ScannableFingerprint::parse(&expected).unwrap(),
                    code,
                    "{id}"
                );
            }
            // Obsolete proto3 encoding (no version field): parse refuses it, compare reads
            // the missing version as 0 (as libsignal does) and reports a mismatch.
            "historical-encoding-kat-v0-proto3" => {
                let bytes = bytes_field(v, "expected_scannable_hex");
                assert_eq!(
                    ScannableFingerprint::parse(&bytes),
                    Err(ScannableParseError::MissingVersion),
                    "{id}"
                );
                let ours = ScannableFingerprint::new(2, [0xba; 32], [0x12; 32]);
                assert_eq!(
                    ours.compare(&bytes),
                    Err(ScannableCompareError::VersionMismatch { theirs: 0, ours: 2 }),
                    "{id}"
                );
                // With the version field added it is the current encoding of the same code.
                let mut with_version = vec![0x08, 0x02];
                with_version.extend_from_slice(&bytes);
                assert_eq!(ours.compare(&with_version), Ok(true), "{id}");
            }
            // The 2016 format (version 0, keys + identifiers in the code): the digits were
            // already today's algorithm; the code is rejected as a version mismatch by
            // compare (libsignal's order) and as a wrong fingerprint length by parse.
            "historical-2016-v0-scannable-alice" | "historical-2016-v0-scannable-bob" => {
                let views = views(v, 1);
                check_display(v, &views);
                let bytes = bytes_field(v, "expected_scannable_hex");
                assert_eq!(
                    views.local.scannable().compare(&bytes),
                    Err(ScannableCompareError::VersionMismatch { theirs: 0, ours: 1 }),
                    "{id}"
                );
                assert_eq!(
                    ScannableFingerprint::parse(&bytes),
                    Err(ScannableParseError::WrongFingerprintLength {
                        side: FingerprintSide::Local,
                        len: 33
                    }),
                    "{id}"
                );
            }
            // Upstream testFingerprintParsingFail: a content length byte raised to 0x21.
            "derived-parse-failure" => {
                let alice = views(vector_by_id(all, "upstream-v1-alice"), 1);
                let bytes = bytes_field(v, "expected_scannable_hex");
                assert_eq!(
                    alice.local.scannable().compare(&bytes),
                    Err(ScannableCompareError::Parse(
                        ScannableParseError::Truncated { offset: 5 }
                    )),
                    "{id}"
                );
                assert!(ScannableFingerprint::parse(&bytes).is_err(), "{id}");
            }
            // Upstream testDifferentVersionsThrow: Alice v1 scans Bob's v2 code (and back).
            "derived-version-mismatch" => {
                let alice = views(vector_by_id(all, "upstream-v1-alice"), 1);
                let bytes = bytes_field(v, "expected_scannable_hex");
                assert_eq!(
                    alice.local.scannable().compare(&bytes),
                    Err(ScannableCompareError::VersionMismatch { theirs: 2, ours: 1 }),
                    "{id}"
                );
                let bob_v2 = ScannableFingerprint::parse(&bytes).unwrap();
                assert_eq!(
                    bob_v2.compare(&alice.local.scannable().to_bytes()),
                    Err(ScannableCompareError::VersionMismatch { theirs: 1, ours: 2 }),
                    "{id}"
                );
            }
            // Per-party intermediates for the upstream Alice/Bob pair.
            "derived-per-party-intermediates" => {
                let pair = vector_by_id(all, "upstream-v1-alice");
                let iterations = u32_field(v, "iterations");
                for (side, prefix) in [("local", "alice"), ("remote", "bob")] {
                    let key = key_field(pair, &format!("{side}_key_hex"));
                    let hash = party_hash(iterations, &id_field(pair, side), &key).unwrap();
                    assert_eq!(
                        hex::encode(hash),
                        str_field(v, &format!("{prefix}_sha512_final_hex")),
                        "{id}: {prefix} hash"
                    );
                    assert_eq!(
                        party_digits(&hash),
                        str_field(v, &format!("{prefix}_30_digits")),
                        "{id}: {prefix} digits"
                    );
                }
            }
            other => panic!("signal vector {other} is not handled by the harness"),
        }
        assert!(handled.insert(id.to_owned()), "duplicate vector id {id}");
    }
    assert_eq!(handled.len(), all.len());
    assert_eq!(handled.len(), 14, "expected the 14 reference vectors");
}

#[test]
fn signal_random_cases_from_independent_reference() {
    let doc = load("signal_random.json");
    let provenance = str_field(&doc, "provenance");
    assert!(
        provenance.contains("tools/signal_reference.py"),
        "{provenance}"
    );
    assert!(
        provenance.contains(&format!("--seed {}", doc["seed"])),
        "{provenance}"
    );
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 50, "at least 50 random cases");
    let mut versions = BTreeSet::new();
    let mut saw_empty_id = false;
    let mut saw_non_utf8_id = false;
    for v in cases {
        let id = &v["id"];
        let version = u32_field(v, "version");
        versions.insert(version);
        let views = views(v, version);
        for side in ["local", "remote"] {
            let bytes = id_field(v, side);
            saw_empty_id |= bytes.is_empty();
            saw_non_utf8_id |= std::str::from_utf8(&bytes).is_err();
            let key = key_field(v, &format!("{side}_key_hex"));
            let hash = party_hash(u32_field(v, "iterations"), &bytes, &key).unwrap();
            assert_eq!(
                hex::encode(hash),
                str_field(v, &format!("expected_{side}_hash_hex")),
                "{id}: {side} hash"
            );
        }
        assert_eq!(
            views.local.local_digits(),
            str_field(v, "expected_local_digits"),
            "{id}"
        );
        assert_eq!(
            views.local.remote_digits(),
            str_field(v, "expected_remote_digits"),
            "{id}"
        );
        assert_eq!(
            views.local.display_string(),
            str_field(v, "expected_display"),
            "{id}"
        );
        assert_eq!(
            views.remote.display_string(),
            str_field(v, "expected_display"),
            "{id}"
        );
        let ours = bytes_field(v, "expected_local_scannable_hex");
        let theirs = bytes_field(v, "expected_remote_scannable_hex");
        assert_eq!(
            views.local.scannable().to_bytes(),
            ours,
            "{id}: local scannable"
        );
        assert_eq!(
            views.remote.scannable().to_bytes(),
            theirs,
            "{id}: remote scannable"
        );
        assert_eq!(views.local.scannable().compare(&theirs), Ok(true), "{id}");
        assert_eq!(views.remote.scannable().compare(&ours), Ok(true), "{id}");
        assert_eq!(views.local.scannable().compare(&ours), Ok(false), "{id}");
    }
    assert_eq!(versions, BTreeSet::from([1, 2]));
    assert!(
        saw_empty_id && saw_non_utf8_id,
        "empty and non-UTF-8 identifiers covered"
    );
}
