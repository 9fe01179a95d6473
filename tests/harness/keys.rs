//! tests/vectors/keys.json: text forms of RFC 8032 keys, from the independent Python implementation.

use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_tests::{hex_field, load};

#[test]
fn key_text_forms() {
    let v = load("keys.json");
    let keys = v["keys"].as_array().unwrap();
    assert!(keys.len() >= 3);
    for k in keys {
        let seed: [u8; 32] = hex_field(k, "seed_hex").try_into().unwrap();
        let public = hex_field(k, "public_hex");
        let id = Identity::from_seed(&seed).unwrap();
        assert_eq!(
            id.public_key().as_bytes().as_slice(),
            public.as_slice(),
            "RFC 8032 seed → key"
        );
        // The identity's text and byte forms (docs/keys.md, "Identity (secret key) file").
        let text = k["identity_text"].as_str().unwrap();
        assert_eq!(id.to_text().as_str(), text, "identity text form");
        assert_eq!(*Identity::from_text(text).unwrap().to_bytes(), seed);
        assert_eq!(*Identity::from_bytes(&seed).unwrap().to_bytes(), seed);
        let key = PublicKey::from_bytes(KeyType::Ed25519, &public).unwrap();
        assert_eq!(key.to_canonical_string(), k["canonical"].as_str().unwrap());
        assert_eq!(key.to_openssh(""), k["openssh"].as_str().unwrap());
        for form in ["canonical", "openssh", "base64", "public_hex"] {
            assert_eq!(
                PublicKey::parse(k[form].as_str().unwrap()).unwrap(),
                key,
                "{form}"
            );
        }
    }
}
