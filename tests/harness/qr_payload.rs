//! tests/vectors/qr_payloads.json: QR payload format v1 (docs/qr-payloads.md), from the
//! independent Python implementation tools/qr_payload_reference.py.

use serde_json::{Value, json};
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::qr::{
    FINGERPRINT_DOMAIN, IdentityCard, Label, PairwiseCard, PairwiseFingerprint, Payload,
    PayloadError, QrMatrix, SessionCode,
};
use verifier_tests::{hex_field, load};

fn ed25519(v: &Value, field: &str) -> PublicKey {
    PublicKey::from_bytes(KeyType::Ed25519, &hex_field(v, field)).unwrap()
}

fn label(v: &Value, field: &str) -> Option<Label> {
    v[field].as_str().map(|s| Label::new(s).unwrap())
}

/// The payload a valid vector describes, built from its fields (not from its bytes).
fn described(v: &Value) -> Payload {
    match v["mode"].as_str().unwrap() {
        "identity" => Payload::Identity(IdentityCard {
            key: ed25519(v, "key_hex"),
            display_name: label(v, "display_name"),
            stable_id: label(v, "stable_id"),
        }),
        "pairwise" => Payload::Pairwise(PairwiseCard {
            display_name: label(v, "display_name"),
            stable_id: label(v, "stable_id"),
            ..PairwiseCard::new(ed25519(v, "key_hex"), &ed25519(v, "peer_key_hex"))
        }),
        "session" => Payload::Session(SessionCode::new(hex_field(v, "join_code_hex")).unwrap()),
        other => panic!("unknown mode {other}"),
    }
}

/// The error as the vector file writes it: a snake_case kind and its fields.
fn as_json(e: &PayloadError) -> Value {
    match e {
        PayloadError::NotOurs => json!({"kind": "not_ours"}),
        PayloadError::UnknownVersion { version } => {
            json!({"kind": "unknown_version", "version": version})
        }
        PayloadError::UnknownMode { mode } => json!({"kind": "unknown_mode", "mode": mode}),
        PayloadError::Truncated {
            offset,
            needed,
            available,
        } => {
            json!({"kind": "truncated", "offset": offset, "needed": needed, "available": available})
        }
        PayloadError::TrailingBytes { count } => json!({"kind": "trailing_bytes", "count": count}),
        PayloadError::UnknownField { code } => json!({"kind": "unknown_field", "code": code}),
        PayloadError::DuplicateField { field } => {
            json!({"kind": "duplicate_field", "field": field.name()})
        }
        PayloadError::FieldOutOfOrder { field, after } => {
            json!({"kind": "field_out_of_order", "field": field.name(), "after": after.name()})
        }
        PayloadError::FieldNotAllowed { field, mode } => {
            json!({"kind": "field_not_allowed", "field": field.name(), "mode": mode.name()})
        }
        PayloadError::MissingField { field, mode } => {
            json!({"kind": "missing_field", "field": field.name(), "mode": mode.name()})
        }
        PayloadError::OversizedField { field, len, max } => {
            json!({"kind": "oversized_field", "field": field.name(), "len": len, "max": max})
        }
        PayloadError::UndersizedField { field, len, min } => {
            json!({"kind": "undersized_field", "field": field.name(), "len": len, "min": min})
        }
        PayloadError::BadKeyType { code } => json!({"kind": "bad_key_type", "code": code}),
        PayloadError::KeyLength {
            key_type,
            len,
            expected,
        } => {
            json!({"kind": "key_length", "key_type": key_type.name(), "len": len, "expected": expected})
        }
        PayloadError::InvalidPoint { key_type } => {
            json!({"kind": "invalid_point", "key_type": key_type.name()})
        }
        PayloadError::InvalidText { field } => {
            json!({"kind": "invalid_text", "field": field.name()})
        }
        PayloadError::ForbiddenCharacter { field, ch } => {
            json!({"kind": "forbidden_character", "field": field.name(), "ch": ch.to_string()})
        }
        other => panic!("error kind without a vector mapping: {other:?}"),
    }
}

#[test]
fn qr_fingerprints() {
    let v = load("qr_payloads.json");
    assert_eq!(v["fingerprint_domain"], FINGERPRINT_DOMAIN);
    let fps = v["fingerprints"].as_array().unwrap();
    assert!(fps.len() >= 3);
    for f in fps {
        assert_eq!(
            PairwiseFingerprint::of(&ed25519(f, "key_hex"))
                .as_bytes()
                .as_slice(),
            hex_field(f, "fingerprint_hex").as_slice()
        );
    }
}

#[test]
fn qr_valid_payloads() {
    let v = load("qr_payloads.json");
    let valid = v["valid"].as_array().unwrap();
    for mode in ["identity", "pairwise", "session"] {
        assert!(valid.iter().any(|c| c["mode"] == mode), "no {mode} vector");
    }
    for case in valid {
        let name = case["name"].as_str().unwrap();
        let bytes = hex_field(case, "payload_hex");
        let payload = described(case);
        assert_eq!(payload.encode(), bytes, "{name}: encode");
        assert_eq!(Payload::decode(&bytes), Ok(payload), "{name}: decode");
        assert_eq!(
            u64::from(QrMatrix::from_bytes(&bytes).unwrap().version()),
            case["qr_version_q"].as_u64().unwrap(),
            "{name}: smallest version at level Q"
        );
    }
}

#[test]
fn qr_invalid_payloads() {
    let v = load("qr_payloads.json");
    let invalid = v["invalid"].as_array().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for case in invalid {
        let name = case["name"].as_str().unwrap();
        let err = Payload::decode(&hex_field(case, "payload_hex")).expect_err(name);
        assert_eq!(as_json(&err), case["error"], "{name}");
        kinds.insert(case["error"]["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        kinds.len(),
        17,
        "one vector per error kind at least: {kinds:?}"
    );
}
