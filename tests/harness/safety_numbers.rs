//! tests/vectors/safety_numbers.json: scheme v1, from the independent Python implementation.

use verifier_core::key::{KeyType, PublicKey};
use verifier_core::safety_number::{Party, SafetyNumber, SideFingerprint};
use verifier_tests::{hex_field, load};

fn key(v: &serde_json::Value, field: &str) -> PublicKey {
    PublicKey::from_bytes(KeyType::Ed25519, &hex_field(v, field)).unwrap()
}

fn id(v: &serde_json::Value, field: &str) -> Option<Vec<u8>> {
    v[field].as_str().map(|h| hex::decode(h).unwrap())
}

#[test]
fn pairs_match_reference() {
    let v = load("safety_numbers.json");
    let pairs = v["pairs"].as_array().unwrap();
    assert!(pairs.len() >= 5);
    for case in pairs {
        let (ko, kt) = (key(case, "ours_key_hex"), key(case, "theirs_key_hex"));
        let (io, it) = (id(case, "ours_id_hex"), id(case, "theirs_id_hex"));
        let po = Party {
            key: &ko,
            id: io.as_deref(),
        };
        let pt = Party {
            key: &kt,
            id: it.as_deref(),
        };
        assert_eq!(
            SideFingerprint::compute(&po).as_bytes().as_slice(),
            hex_field(case, "ours_side_hex").as_slice()
        );
        let n = SafetyNumber::new(&po, &pt);
        assert_eq!(n.digits(), case["digits"].as_str().unwrap());
        let groups: Vec<String> = serde_json::from_value(case["groups"].clone()).unwrap();
        assert_eq!(n.digit_groups(), groups);
        let bip: Vec<u16> = serde_json::from_value(case["bip39_indices"].clone()).unwrap();
        assert_eq!(n.bip39_indices(), bip);
        assert_eq!(n.pgp_bytes(), hex_field(case, "pgp_bytes_hex"));
        let english: Vec<String> = serde_json::from_value(case["bip39_english"].clone()).unwrap();
        let words: Vec<String> = n
            .bip39_words(verifier_core::render::Bip39Language::English)
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(words, english);
    }
}

#[test]
fn fingerprints_match_reference() {
    let v = load("safety_numbers.json");
    for fp in v["fingerprints"].as_array().unwrap() {
        let k = key(fp, "key_hex");
        let side = SideFingerprint::compute(&Party::new(&k));
        assert_eq!(
            side.as_bytes().as_slice(),
            hex_field(fp, "side_hex").as_slice()
        );
        let groups: Vec<String> = serde_json::from_value(fp["groups"].clone()).unwrap();
        assert_eq!(side.digit_groups(), groups);
        let emoji: Vec<u16> = serde_json::from_value(fp["emoji_indices"].clone()).unwrap();
        assert_eq!(side.emoji_indices(), emoji);
        let bip: Vec<u16> = serde_json::from_value(fp["bip39_indices"].clone()).unwrap();
        assert_eq!(side.bip39_indices(), bip);
    }
}
