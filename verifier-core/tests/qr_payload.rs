//! QR payload format: round trips, canonical encoding, and every decode error kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::qr::{
    Field, IdentityCard, Label, MAGIC, Mode, PairwiseCard, PairwiseFingerprint, Payload,
    PayloadError, SessionCode, ValueError,
};

fn key(seed: u8) -> PublicKey {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    PublicKey::from_bytes(KeyType::Ed25519, sk.verifying_key().as_bytes()).unwrap()
}

fn identity(seed: u8, name: Option<&str>, sid: Option<&str>) -> Payload {
    Payload::Identity(IdentityCard {
        key: key(seed),
        display_name: name.map(|n| Label::new(n).unwrap()),
        stable_id: sid.map(|s| Label::new(s).unwrap()),
    })
}

/// Builds raw payload bytes: header with the given version/mode/count, then raw field bytes.
fn raw(version: u8, mode: u8, count: u8, fields: &[u8]) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend_from_slice(&[version, mode, count]);
    v.extend_from_slice(fields);
    v
}

fn key_field(seed: u8) -> Vec<u8> {
    let mut v = vec![0x01, 33, 0x01];
    v.extend_from_slice(key(seed).as_bytes());
    v
}

fn fp_field(seed: u8) -> Vec<u8> {
    let mut v = vec![0x04, 32];
    v.extend_from_slice(PairwiseFingerprint::of(&key(seed)).as_bytes());
    v
}

#[test]
fn identity_layout_is_as_specified() {
    let bytes = identity(1, None, None).encode();
    let mut expected = raw(1, 1, 1, &key_field(1));
    assert_eq!(bytes, expected);
    assert_eq!(bytes.len(), 42);

    let bytes = identity(1, Some("Alice"), Some("alice@example.org")).encode();
    expected = raw(1, 1, 3, &key_field(1));
    expected.extend_from_slice(&[0x02, 5]);
    expected.extend_from_slice(b"Alice");
    expected.extend_from_slice(&[0x03, 17]);
    expected.extend_from_slice(b"alice@example.org");
    assert_eq!(bytes, expected);
}

#[test]
fn pairwise_layout_is_as_specified() {
    let p = Payload::Pairwise(PairwiseCard::new(key(1), &key(2)));
    let mut expected = key_field(1);
    expected.extend_from_slice(&fp_field(2));
    assert_eq!(p.encode(), raw(1, 2, 2, &expected));
    assert_eq!(p.encode().len(), 76);
}

#[test]
fn session_layout_is_as_specified() {
    let p = Payload::Session(SessionCode::new(vec![9, 8, 7]).unwrap());
    assert_eq!(p.encode(), raw(1, 3, 1, &[0x05, 3, 9, 8, 7]));
}

#[test]
fn fingerprint_is_blake3_derive_key_over_typed_key() {
    let k = key(3);
    let mut material = vec![0x01, 32];
    material.extend_from_slice(k.as_bytes());
    let expected = blake3::derive_key("verifier/v1/qr-pairwise-fingerprint", &material);
    assert_eq!(PairwiseFingerprint::of(&k).as_bytes(), &expected);
    assert!(PairwiseFingerprint::of(&k).matches(&k));
    assert!(!PairwiseFingerprint::of(&k).matches(&key(4)));
}

#[test]
fn labels_and_session_codes_are_validated() {
    assert_eq!(Label::new(""), Err(ValueError::Empty));
    assert_eq!(
        Label::new("x".repeat(65)),
        Err(ValueError::TooLong { len: 65, max: 64 })
    );
    assert!(Label::new("é".repeat(32)).is_ok()); // 64 bytes
    assert_eq!(
        Label::new("a\nb"),
        Err(ValueError::ForbiddenCharacter { ch: '\n' })
    );
    assert_eq!(
        Label::new("a\u{85}b"),
        Err(ValueError::ForbiddenCharacter { ch: '\u{85}' })
    );
    assert_eq!(SessionCode::new(vec![]), Err(ValueError::Empty));
    assert_eq!(
        SessionCode::new(vec![0; 65]),
        Err(ValueError::TooLong { len: 65, max: 64 })
    );
    assert!(SessionCode::new(vec![0; 64]).is_ok());
}

// ---- every decode error kind ----

fn err(bytes: &[u8]) -> PayloadError {
    Payload::decode(bytes).expect_err("must not decode")
}

#[test]
fn not_ours() {
    assert_eq!(err(b""), PayloadError::NotOurs);
    assert_eq!(err(b"VRF"), PayloadError::NotOurs);
    assert_eq!(err(b"MATRIX\x02\x00"), PayloadError::NotOurs);
    assert_eq!(err(b"vrfy\x01\x01\x00"), PayloadError::NotOurs);
}

#[test]
fn unknown_version() {
    assert_eq!(
        err(&raw(2, 1, 1, &key_field(1))),
        PayloadError::UnknownVersion { version: 2 }
    );
    assert_eq!(
        err(&raw(0, 1, 1, &key_field(1))),
        PayloadError::UnknownVersion { version: 0 }
    );
}

#[test]
fn unknown_mode() {
    assert_eq!(
        err(&raw(1, 4, 1, &key_field(1))),
        PayloadError::UnknownMode { mode: 4 }
    );
    assert_eq!(
        err(&raw(1, 0, 0, &[])),
        PayloadError::UnknownMode { mode: 0 }
    );
}

#[test]
fn truncated_everywhere() {
    let full = identity(1, Some("Al"), None).encode();
    for cut in MAGIC.len()..full.len() {
        match err(&full[..cut]) {
            PayloadError::Truncated {
                offset,
                needed,
                available,
            } => {
                assert!(offset <= cut, "cut {cut}: offset {offset}");
                assert_eq!(available, cut - offset, "cut {cut}");
                assert!(needed > available, "cut {cut}");
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    assert_eq!(
        err(b"VRFY"),
        PayloadError::Truncated {
            offset: 4,
            needed: 1,
            available: 0
        }
    );
    // declared count larger than the fields present
    assert_eq!(
        err(&raw(1, 1, 2, &key_field(1))),
        PayloadError::Truncated {
            offset: 42,
            needed: 1,
            available: 0
        }
    );
}

#[test]
fn trailing_bytes() {
    let mut bytes = identity(1, None, None).encode();
    bytes.push(0);
    assert_eq!(err(&bytes), PayloadError::TrailingBytes { count: 1 });
    // count says 1 but two fields follow
    let mut f = key_field(1);
    f.extend_from_slice(&[0x02, 1, b'A']);
    assert_eq!(
        err(&raw(1, 1, 1, &f)),
        PayloadError::TrailingBytes { count: 3 }
    );
}

#[test]
fn unknown_field() {
    let mut f = key_field(1);
    f.extend_from_slice(&[0x06, 1, 0]);
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::UnknownField { code: 6 }
    );
    assert_eq!(
        err(&raw(1, 1, 1, &[0x00, 0])),
        PayloadError::UnknownField { code: 0 }
    );
}

#[test]
fn duplicate_and_out_of_order_fields() {
    let mut f = key_field(1);
    f.extend_from_slice(&key_field(2));
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::DuplicateField { field: Field::Key }
    );
    let mut f = vec![0x02, 1, b'A'];
    f.extend_from_slice(&key_field(1));
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::FieldOutOfOrder {
            field: Field::Key,
            after: Field::DisplayName
        }
    );
}

#[test]
fn field_not_allowed() {
    let mut f = key_field(1);
    f.extend_from_slice(&fp_field(2));
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::FieldNotAllowed {
            field: Field::PeerFingerprint,
            mode: Mode::Identity
        }
    );
    assert_eq!(
        err(&raw(1, 3, 1, &key_field(1))),
        PayloadError::FieldNotAllowed {
            field: Field::Key,
            mode: Mode::Session
        }
    );
    assert_eq!(
        err(&raw(1, 2, 1, &[0x05, 1, 0])),
        PayloadError::FieldNotAllowed {
            field: Field::JoinCode,
            mode: Mode::Pairwise
        }
    );
}

#[test]
fn missing_field() {
    assert_eq!(
        err(&raw(1, 1, 0, &[])),
        PayloadError::MissingField {
            field: Field::Key,
            mode: Mode::Identity
        }
    );
    assert_eq!(
        err(&raw(1, 2, 1, &key_field(1))),
        PayloadError::MissingField {
            field: Field::PeerFingerprint,
            mode: Mode::Pairwise
        }
    );
    assert_eq!(
        err(&raw(1, 2, 1, &fp_field(1))),
        PayloadError::MissingField {
            field: Field::Key,
            mode: Mode::Pairwise
        }
    );
    assert_eq!(
        err(&raw(1, 3, 0, &[])),
        PayloadError::MissingField {
            field: Field::JoinCode,
            mode: Mode::Session
        }
    );
}

#[test]
fn oversized_and_undersized_fields() {
    let mut f = vec![0x05, 65];
    f.extend_from_slice(&[0; 65]);
    assert_eq!(
        err(&raw(1, 3, 1, &f)),
        PayloadError::OversizedField {
            field: Field::JoinCode,
            len: 65,
            max: 64
        }
    );
    // oversized is judged on the declared length, before reading the value
    assert_eq!(
        err(&raw(1, 1, 1, &[0x01, 255])),
        PayloadError::OversizedField {
            field: Field::Key,
            len: 255,
            max: 33
        }
    );
    let mut f = key_field(1);
    f.extend_from_slice(&[0x02, 65]);
    f.extend_from_slice(&[b'a'; 65]);
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::OversizedField {
            field: Field::DisplayName,
            len: 65,
            max: 64
        }
    );
    let mut f = key_field(1);
    f.extend_from_slice(&[0x04, 31]);
    f.extend_from_slice(&[0; 31]);
    assert_eq!(
        err(&raw(1, 2, 2, &f)),
        PayloadError::UndersizedField {
            field: Field::PeerFingerprint,
            len: 31,
            min: 32
        }
    );
    let mut f = key_field(1);
    f.extend_from_slice(&[0x03, 0]);
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::UndersizedField {
            field: Field::StableId,
            len: 0,
            min: 1
        }
    );
    assert_eq!(
        err(&raw(1, 3, 1, &[0x05, 0])),
        PayloadError::UndersizedField {
            field: Field::JoinCode,
            len: 0,
            min: 1
        }
    );
}

#[test]
fn bad_key_type_and_length() {
    let mut f = key_field(1);
    f[2] = 0x02;
    assert_eq!(err(&raw(1, 1, 1, &f)), PayloadError::BadKeyType { code: 2 });
    f[2] = 0x00;
    assert_eq!(err(&raw(1, 1, 1, &f)), PayloadError::BadKeyType { code: 0 });
    let mut f = vec![0x01, 17, 0x01];
    f.extend_from_slice(&[1; 16]);
    assert_eq!(
        err(&raw(1, 1, 1, &f)),
        PayloadError::KeyLength {
            key_type: KeyType::Ed25519,
            len: 16,
            expected: 32
        }
    );
}

#[test]
fn invalid_points() {
    let invalid_key = |bytes: [u8; 32]| {
        let mut f = vec![0x01, 33, 0x01];
        f.extend_from_slice(&bytes);
        err(&raw(1, 1, 1, &f))
    };
    let want = PayloadError::InvalidPoint {
        key_type: KeyType::Ed25519,
    };
    // identity point (small order)
    let mut id = [0u8; 32];
    id[0] = 1;
    assert_eq!(invalid_key(id), want);
    // all zeros: a point of order 4
    assert_eq!(invalid_key([0; 32]), want);
    // y = 2 is not on the curve
    let mut not_on_curve = [0u8; 32];
    not_on_curve[0] = 2;
    assert_eq!(invalid_key(not_on_curve), want);
    // non-canonical: y = p + 1 (encodes the identity again)
    let mut noncanon = [0xffu8; 32];
    noncanon[0] = 0xee;
    noncanon[31] = 0x7f;
    assert_eq!(invalid_key(noncanon), want);
}

#[test]
fn text_errors() {
    let mut f = key_field(1);
    f.extend_from_slice(&[0x02, 2, 0xc3, 0x28]);
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::InvalidText {
            field: Field::DisplayName
        }
    );
    let mut f = key_field(1);
    f.extend_from_slice(&[0x03, 3, b'a', 0x1b, b'b']);
    assert_eq!(
        err(&raw(1, 1, 2, &f)),
        PayloadError::ForbiddenCharacter {
            field: Field::StableId,
            ch: '\u{1b}'
        }
    );
}

#[test]
fn error_messages_name_the_problem() {
    let e = PayloadError::OversizedField {
        field: Field::JoinCode,
        len: 65,
        max: 64,
    };
    assert_eq!(
        e.to_string(),
        "field join_code is 65 bytes long, more than its maximum of 64"
    );
    assert!(
        PayloadError::UnknownVersion { version: 9 }
            .to_string()
            .contains("version 9")
    );
}

// ---- properties ----

fn label() -> impl Strategy<Value = Option<Label>> {
    proptest::option::of("[^\\p{Cc}]{1,16}".prop_filter_map("label rules", |s| Label::new(s).ok()))
}

fn payload() -> impl Strategy<Value = Payload> {
    let k = any::<u8>().prop_map(key);
    prop_oneof![
        (k.clone(), label(), label()).prop_map(|(key, display_name, stable_id)| {
            Payload::Identity(IdentityCard {
                key,
                display_name,
                stable_id,
            })
        }),
        (k, label(), label(), any::<[u8; 32]>()).prop_map(|(key, display_name, stable_id, fp)| {
            Payload::Pairwise(PairwiseCard {
                key,
                display_name,
                stable_id,
                peer_fingerprint: PairwiseFingerprint::from_bytes(fp),
            })
        }),
        proptest::collection::vec(any::<u8>(), 1..=64)
            .prop_map(|b| Payload::Session(SessionCode::new(b).unwrap())),
    ]
}

proptest! {
    #[test]
    fn decode_encode_round_trip(p in payload()) {
        let bytes = p.encode();
        prop_assert_eq!(Payload::decode(&bytes), Ok(p));
    }

    /// Whatever decodes re-encodes to exactly the same bytes (one encoding per payload),
    /// and no input panics.
    #[test]
    fn decoding_is_canonical_and_total(p in payload(), pos in any::<usize>(), val in any::<u8>(), cut in any::<usize>()) {
        let mut bytes = p.encode();
        let i = pos % bytes.len();
        bytes[i] = val;
        bytes.truncate(cut % (bytes.len() + 1));
        if let Ok(q) = Payload::decode(&bytes) {
            prop_assert_eq!(q.encode(), bytes);
        }
    }

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..300), magic in any::<bool>()) {
        if magic && bytes.len() >= 5 {
            bytes[..4].copy_from_slice(&MAGIC);
            bytes[4] = 1;
        }
        if let Ok(q) = Payload::decode(&bytes) {
            prop_assert_eq!(q.encode(), bytes);
        }
    }
}
