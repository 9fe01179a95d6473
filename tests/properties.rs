//! Property tests of safety numbers and their renderings, and every malformed-key error kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use proptest::prelude::*;
use verifier_core::identity::Identity;
use verifier_core::key::{KeyError, KeyType, PublicKey};
use verifier_core::render::{self, Bip39Language};
use verifier_core::safety_number::{Party, SafetyNumber, SideFingerprint};

fn key(seed: [u8; 32]) -> PublicKey {
    Identity::from_seed(&seed).unwrap().public_key()
}

fn party<'a>(k: &'a PublicKey, id: &'a Option<Vec<u8>>) -> Party<'a> {
    Party {
        key: k,
        id: id.as_deref(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn order_independent(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(),
                         ia in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
                         ib in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40))) {
        let (ka, kb) = (key(a), key(b));
        let ab = SafetyNumber::new(&party(&ka, &ia), &party(&kb, &ib));
        let ba = SafetyNumber::new(&party(&kb, &ib), &party(&ka, &ia));
        prop_assert_eq!(ab, ba);
        prop_assert_eq!(ab.digits(), ba.digits());
        prop_assert_eq!(ab.bip39_indices(), ba.bip39_indices());
        prop_assert_eq!(ab.pgp_bytes(), ba.pgp_bytes());
    }

    #[test]
    fn any_key_or_identifier_change_changes_the_number(
        a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), other in any::<[u8; 32]>(),
        id in proptest::collection::vec(any::<u8>(), 0..40), flip in any::<prop::sample::Index>()) {
        prop_assume!(other != a && other != b);
        let (ka, kb, kc) = (key(a), key(b), key(other));
        let some_id = Some(id.clone());
        let base_side_a = SideFingerprint::compute(&party(&ka, &some_id));
        let side_b = SideFingerprint::compute(&Party::new(&kb));
        let base = SafetyNumber::from_sides(base_side_a, side_b);
        // Another key for A.
        let changed_key = SafetyNumber::from_sides(SideFingerprint::compute(&party(&kc, &some_id)), side_b);
        prop_assert_ne!(base.digits(), changed_key.digits());
        // No identifier instead of one (even an empty one).
        let no_id = SafetyNumber::from_sides(SideFingerprint::compute(&Party::new(&ka)), side_b);
        prop_assert_ne!(base.digits(), no_id.digits());
        // One bit of the identifier flipped, or a byte appended.
        let mut id2 = id.clone();
        if id2.is_empty() { id2.push(0) } else { let i = flip.index(id2.len()); id2[i] ^= 1; }
        let some_id2 = Some(id2);
        let changed_id = SafetyNumber::from_sides(SideFingerprint::compute(&party(&ka, &some_id2)), side_b);
        prop_assert_ne!(base.digits(), changed_id.digits());
        prop_assert_ne!(base.bip39_indices(), changed_id.bip39_indices());
        prop_assert_ne!(base.pgp_bytes(), changed_id.pgp_bytes());
    }

    #[test]
    fn every_rendering_round_trips(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(),
                                   lang in prop::sample::select(Bip39Language::ALL.to_vec())) {
        let (ka, kb) = (key(a), key(b));
        let n = SafetyNumber::new(&Party::new(&ka), &Party::new(&kb));
        // digits: what a person types (any spacing) checks against the groups
        let values: Vec<u32> = n.digit_groups().iter().map(|g| g.parse().unwrap()).collect();
        let typed = n.digit_groups().join("  ");
        prop_assert!(render::digits::compare_digit_groups(&typed, &values).is_ok());
        prop_assert_eq!(render::digits::parse_digit_groups(&n.digits(), 12).unwrap(), values);
        // BIP39 words in any language, typed back upper-case
        let words = n.bip39_words(lang);
        let typed = lang.join(&words).to_uppercase();
        prop_assert_eq!(render::parse::parse_bip39(&typed, lang, 18).unwrap(), n.bip39_indices());
        // PGP words
        let pgp = n.pgp_words().join(" ");
        prop_assert_eq!(render::parse::parse_pgp(&pgp, 26).unwrap(), n.pgp_bytes());
        // the canonical key text
        prop_assert_eq!(PublicKey::parse(&ka.to_canonical_string()).unwrap(), ka);
        prop_assert_eq!(PublicKey::parse(&ka.to_openssh("c")).unwrap(), ka);
    }
}

#[test]
fn every_malformed_key_kind_has_its_error() {
    let good = key([5; 32]);
    let canonical = good.to_canonical_string();
    // WrongLength (hex and raw bytes)
    assert!(matches!(
        PublicKey::parse(&good.to_hex()[..60]),
        Err(KeyError::WrongLength { found: 30, .. })
    ));
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Ed25519, &[1; 33]),
        Err(KeyError::WrongLength { found: 33, .. })
    ));
    // BadChecksum: last checksum character changed
    let mut bad = canonical.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'a' { 'b' } else { 'a' });
    assert_eq!(PublicKey::parse(&bad), Err(KeyError::BadChecksum));
    // UnknownKeyType (canonical, OpenSSH) and UnsupportedVersion
    assert!(matches!(
        PublicKey::parse(&canonical.replace("ed25519", "ed448")),
        Err(KeyError::UnknownKeyType { .. })
    ));
    assert!(matches!(
        PublicKey::parse("ecdsa-sha2-nistp256 AAAA x"),
        Err(KeyError::UnknownKeyType { .. })
    ));
    assert!(matches!(
        PublicKey::parse(&canonical.replacen("vk1", "vk9", 1)),
        Err(KeyError::UnsupportedVersion { .. })
    ));
    // InvalidEncoding: a character outside base32 in the body
    let body_start = "vk1-ed25519-".len();
    let mut broken = canonical.clone();
    broken.replace_range(body_start..body_start + 1, "1");
    assert!(matches!(
        PublicKey::parse(&broken),
        Err(KeyError::InvalidEncoding { .. })
    ));
    // MalformedSsh: truncated blob, trailing bytes, inner type mismatch
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut blob = Vec::new();
    for field in [&b"ssh-ed25519"[..], good.as_bytes()] {
        blob.extend_from_slice(&(field.len() as u32).to_be_bytes());
        blob.extend_from_slice(field);
    }
    let truncated = format!("ssh-ed25519 {}", b64.encode(&blob[..blob.len() - 1]));
    assert!(matches!(
        PublicKey::parse(&truncated),
        Err(KeyError::MalformedSsh { .. })
    ));
    let mut long = blob.clone();
    long.push(0);
    assert!(matches!(
        PublicKey::parse(&format!("ssh-ed25519 {}", b64.encode(&long))),
        Err(KeyError::MalformedSsh { .. })
    ));
    let mut other = blob.clone();
    other[4..15].copy_from_slice(b"ssh-ed25518");
    assert!(matches!(
        PublicKey::parse(&format!("ssh-ed25519 {}", b64.encode(&other))),
        Err(KeyError::MalformedSsh { .. })
    ));
    // NotOnCurve: find a y with no matching x
    let not_on_curve = (2u8..=255)
        .map(|i| {
            let mut b = [0u8; 32];
            b[0] = i;
            b
        })
        .find(|b| CompressedEdwardsY(*b).decompress().is_none())
        .unwrap();
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Ed25519, &not_on_curve),
        Err(KeyError::NotOnCurve { .. })
    ));
    // LowOrder: every 8-torsion point
    for t in EIGHT_TORSION.iter() {
        let r = PublicKey::from_bytes(KeyType::Ed25519, t.compress().as_bytes());
        assert!(
            matches!(
                r,
                Err(KeyError::LowOrder { .. }) | Err(KeyError::NonCanonical { .. })
            ),
            "{r:?}"
        );
    }
    // MixedOrder: a real key plus a torsion component
    let point = CompressedEdwardsY(*good.as_bytes()).decompress().unwrap();
    let mixed = (point + EIGHT_TORSION[1]).compress();
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Ed25519, mixed.as_bytes()),
        Err(KeyError::MixedOrder { .. })
    ));
    // NonCanonical: y + p encodes the same y (y = 1 point is low order, so use y = 2..)
    let canonical_y = (0u8..=18)
        .map(|i| {
            // y = i encoded with y + p: p = 2^255 - 19, so y + p = 2^255 - 19 + i < 2^255 for i < 19.
            let mut b = [0xffu8; 32];
            b[0] = 0xed + i;
            b[31] = 0x7f;
            b
        })
        .find(|b| {
            CompressedEdwardsY(*b)
                .decompress()
                .is_some_and(|p| !p.is_small_order())
        });
    let b = canonical_y.expect("some y < 19 has a non-small-order point");
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Ed25519, &b),
        Err(KeyError::NonCanonical { .. })
    ));
    // Empty and unrecognised input
    assert_eq!(PublicKey::parse(""), Err(KeyError::Empty));
    assert!(matches!(
        PublicKey::parse("hello, world"),
        Err(KeyError::UnrecognizedFormat { .. })
    ));
}
