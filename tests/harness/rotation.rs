//! tests/vectors/identity_rotation.json: identity rotations v1 and rotation chains, from
//! the independent Python encoder tools/rotation_reference.py (docs/identity-rotation.md).

use std::collections::BTreeSet;

use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::Timestamp;
use verifier_core::rotation::{
    KeyRole, ROTATION_SIGNATURE_DOMAIN, ROTATION_TEXT_PREFIX, Rotation, RotationChain,
    RotationError,
};
use verifier_tests::{hex_field, load};

fn key(hex: &str) -> PublicKey {
    PublicKey::from_bytes(KeyType::Ed25519, &hex::decode(hex).unwrap()).unwrap()
}

fn identity(c: &serde_json::Value, field: &str) -> Identity {
    let seed: [u8; 32] = hex_field(c, field).try_into().unwrap();
    Identity::from_seed(&seed).unwrap()
}

/// The key an error is about, for the variants that name one.
fn role_of(e: &RotationError) -> Option<&'static str> {
    match e {
        RotationError::UnsupportedKeyType { role, .. }
        | RotationError::InvalidKeyLength { role, .. }
        | RotationError::InvalidKey { role }
        | RotationError::BadSignature { role } => Some(match role {
            KeyRole::Old => "old",
            KeyRole::New => "new",
            _ => "other",
        }),
        _ => None,
    }
}

#[test]
fn rotation_v1_valid_vectors() {
    let v = load("identity_rotation.json");
    assert_eq!(v["signature_domain"], ROTATION_SIGNATURE_DOMAIN);
    assert_eq!(v["text_prefix"], ROTATION_TEXT_PREFIX);
    let cases = v["valid"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for c in cases {
        let old = identity(c, "old_seed_hex");
        let new = identity(c, "new_seed_hex");
        assert_eq!(
            old.public_key().as_bytes().as_slice(),
            hex_field(c, "old_public_hex").as_slice()
        );
        assert_eq!(
            new.public_key().as_bytes().as_slice(),
            hex_field(c, "new_public_hex").as_slice()
        );
        let at = Timestamp::from_unix_secs(c["at_unix"].as_u64().unwrap());
        let expected = hex_field(c, "rotation_hex");
        let text = c["text"].as_str().unwrap();

        // Encoding: our signer produces exactly the reference bytes.
        let made = Rotation::sign(&old, &new, at).unwrap();
        assert_eq!(made.as_bytes(), expected.as_slice());
        assert_eq!(made.to_text(), text);

        // Both signatures are over the label-prefixed body, as documented.
        let msg = hex_field(c, "signed_message_hex");
        let mut want = vec![ROTATION_SIGNATURE_DOMAIN.len() as u8];
        want.extend_from_slice(ROTATION_SIGNATURE_DOMAIN.as_bytes());
        want.extend_from_slice(&expected[..expected.len() - 128]);
        assert_eq!(msg, want);
        for (signer, field) in [(&old, "old_signature_hex"), (&new, "new_signature_hex")] {
            let sig: [u8; 64] = hex_field(c, field).try_into().unwrap();
            signer
                .public_key()
                .verifying_key()
                .verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
                .unwrap();
        }
        assert_eq!(
            &expected[expected.len() - 128..],
            [
                hex_field(c, "old_signature_hex"),
                hex_field(c, "new_signature_hex")
            ]
            .concat()
        );

        // Decoding: every form gives back the statement.
        for r in [
            Rotation::from_bytes(&expected).unwrap(),
            Rotation::from_text(text).unwrap(),
            Rotation::decode(&expected).unwrap(),
            Rotation::decode(text.as_bytes()).unwrap(),
        ] {
            assert_eq!(r.old_key(), &old.public_key());
            assert_eq!(r.new_key(), &new.public_key());
            assert_eq!(r.at(), at);
            assert_eq!(r, made);
        }
    }
}

#[test]
fn rotation_v1_invalid_vectors() {
    let v = load("identity_rotation.json");
    let cases = v["invalid"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut seen = BTreeSet::new();
    for c in cases {
        let desc = c["description"].as_str().unwrap();
        let bytes = hex_field(c, "rotation_hex");
        let want = c["error"].as_str().unwrap();
        // `decode` reads input without the magic bytes as text: then it is no rotation at all.
        let decode_want = if bytes.starts_with(b"VROT") {
            want
        } else {
            "not_a_rotation"
        };
        for (result, want) in [
            (Rotation::from_bytes(&bytes), want),
            (Rotation::decode(&bytes), decode_want),
        ] {
            let e = match result {
                Ok(_) => panic!("{desc}: accepted, expected {want}"),
                Err(e) => e,
            };
            assert_eq!(e.kind(), want, "{desc}: {e}");
            if let Some(role) = c["role"].as_str() {
                assert_eq!(role_of(&e), Some(role), "{desc}: {e}");
            }
        }
        seen.insert(want);
    }
    for required in [
        "bad_signature",
        "unsupported_version",
        "unsupported_key_type",
        "invalid_key_length",
        "invalid_key",
        "same_key",
        "time_out_of_range",
        "truncated",
        "trailing_bytes",
        "not_a_rotation",
    ] {
        assert!(seen.contains(required), "no vector for {required}");
    }
}

#[test]
fn rotation_v1_invalid_text_vectors() {
    let v = load("identity_rotation.json");
    let cases = v["invalid_text"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for c in cases {
        let desc = c["description"].as_str().unwrap();
        let text = c["text"].as_str().unwrap();
        let e = Rotation::from_text(text).unwrap_err();
        assert_eq!(e.kind(), c["from_text_error"], "{desc}: from_text: {e}");
        let e = Rotation::decode(text.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), c["decode_error"], "{desc}: decode: {e}");
    }
}

#[test]
fn rotation_chain_vectors() {
    let v = load("identity_rotation.json");
    let cases = v["chains"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut seen = BTreeSet::new();
    for c in cases {
        let desc = c["description"].as_str().unwrap();
        let text = c["text"].as_str().unwrap();
        let current = key(c["current_hex"].as_str().unwrap());
        match (RotationChain::parse(text, &current), c.get("error")) {
            (Ok(chain), None) => {
                let previous: Vec<PublicKey> = c["previous_hex"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| key(h.as_str().unwrap()))
                    .collect();
                assert_eq!(chain.previous_identities(), previous.as_slice(), "{desc}");
                assert_eq!(chain.current(), &current);
                for k in &previous {
                    assert!(chain.is_own_identity(k), "{desc}");
                }
                assert!(chain.is_own_identity(&current));
                // The written form reads back to the same chain.
                assert_eq!(
                    RotationChain::parse(&chain.to_text(), &current).unwrap(),
                    chain
                );
                seen.insert("ok");
            }
            (Ok(_), Some(want)) => panic!("{desc}: accepted, expected {want}"),
            (Err(e), None) => panic!("{desc}: refused: {e}"),
            (Err(e), Some(want)) => {
                assert_eq!(e.kind(), want, "{desc}: {e}");
                match &e {
                    RotationError::ChainBroken { index, .. }
                    | RotationError::ChainCycle { index, .. } => {
                        assert_eq!(Some(*index as u64), c["index"].as_u64(), "{desc}")
                    }
                    RotationError::InvalidChainLine { line, source } => {
                        assert_eq!(Some(*line as u64), c["line"].as_u64(), "{desc}");
                        assert_eq!(source.kind(), c["line_error"], "{desc}: {e}");
                    }
                    _ => {}
                }
                seen.insert(e.kind());
            }
        }
    }
    for required in [
        "ok",
        "chain_broken",
        "chain_cycle",
        "chain_does_not_end_at_current",
        "invalid_chain_line",
    ] {
        assert!(seen.contains(required), "no chain vector for {required}");
    }
}
