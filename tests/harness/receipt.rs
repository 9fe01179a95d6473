//! tests/vectors/receipt_v1.json: verification receipts v1, from the independent
//! Python encoder tools/receipt_reference.py (docs/receipts.md).

use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::{
    RECEIPT_SIGNATURE_DOMAIN, Receipt, ReceiptStatement, Timestamp, VerificationMethod,
};
use verifier_tests::{hex_field, load};

#[test]
fn receipts_v1_valid_vectors() {
    let v = load("receipt_v1.json");
    assert_eq!(v["signature_domain"], RECEIPT_SIGNATURE_DOMAIN);
    let cases = v["valid"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for c in cases {
        let seed: [u8; 32] = hex_field(c, "signer_seed_hex").try_into().unwrap();
        let me = Identity::from_seed(&seed).unwrap();
        assert_eq!(
            me.public_key().as_bytes().as_slice(),
            hex_field(c, "signer_public_hex").as_slice()
        );
        let subject =
            PublicKey::from_bytes(KeyType::Ed25519, &hex_field(c, "subject_public_hex")).unwrap();
        let method: VerificationMethod = c["method"].as_str().unwrap().parse().unwrap();
        let t = Timestamp::from_unix_secs(c["verified_at_unix"].as_u64().unwrap());
        let name = c["contact_name"].as_str().unwrap();
        let id = c["contact_id"].as_str();
        let expected = hex_field(c, "receipt_hex");

        // Encoding: our signer produces exactly the reference bytes.
        let st = ReceiptStatement::new(subject, name, id, t, method).unwrap();
        let made = Receipt::sign(&me, st.clone());
        assert_eq!(made.as_bytes(), expected.as_slice(), "{name}");
        assert_eq!(made.to_text(), c["text"].as_str().unwrap());
        assert_eq!(made.id().to_hex(), c["receipt_id_hex"].as_str().unwrap());

        // The signed message is label-prefixed body, as documented.
        let msg = hex_field(c, "signed_message_hex");
        let body = &expected[..expected.len() - 64];
        let mut want = vec![RECEIPT_SIGNATURE_DOMAIN.len() as u8];
        want.extend_from_slice(RECEIPT_SIGNATURE_DOMAIN.as_bytes());
        want.extend_from_slice(body);
        assert_eq!(msg, want);
        let sig: [u8; 64] = hex_field(c, "signature_hex").try_into().unwrap();
        me.public_key()
            .verifying_key()
            .verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
            .unwrap();

        // Decoding: every form gives back the statement and the signer.
        for r in [
            Receipt::from_bytes(&expected).unwrap(),
            Receipt::from_text(c["text"].as_str().unwrap()).unwrap(),
            Receipt::decode(&expected).unwrap(),
            Receipt::decode(c["text"].as_str().unwrap().as_bytes()).unwrap(),
        ] {
            assert_eq!(r.statement(), &st);
            assert_eq!(r.signer(), &me.public_key());
            r.check_signer(&me.public_key()).unwrap();
            assert_eq!(r, made);
        }
    }
}

#[test]
fn receipts_v1_invalid_vectors() {
    let v = load("receipt_v1.json");
    let cases = v["invalid"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut seen = std::collections::BTreeSet::new();
    for c in cases {
        let desc = c["description"].as_str().unwrap();
        let bytes = hex_field(c, "receipt_hex");
        let want = c["error"].as_str().unwrap();
        let result = Receipt::from_bytes(&bytes).and_then(|r| {
            if c.get("expected_signer_hex").is_some() {
                let k =
                    PublicKey::from_bytes(KeyType::Ed25519, &hex_field(c, "expected_signer_hex"))
                        .unwrap();
                r.check_signer(&k)?;
            }
            Ok(r)
        });
        match result {
            Ok(_) => panic!("{desc}: accepted, expected {want}"),
            Err(e) => assert_eq!(e.kind(), want, "{desc}: {e}"),
        }
        seen.insert(want);
    }
    for required in [
        "bad_signature",
        "wrong_signer",
        "unsupported_version",
        "unsupported_key_type",
    ] {
        assert!(seen.contains(required), "no vector for {required}");
    }
}
