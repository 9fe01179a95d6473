//! tests/vectors/receipt_v1.json and receipt_v2.json: verification receipts,
//! format versions 1 (read only) and 2, from the independent Python encoder
//! tools/receipt_reference.py (docs/receipts.md). Both files go through the
//! same checks.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::{
    ComparedScheme, RECEIPT_ID_DOMAIN, RECEIPT_ID_DOMAIN_V2, RECEIPT_SIGNATURE_DOMAIN,
    RECEIPT_SIGNATURE_DOMAIN_V2, RECEIPT_VERSION, RECEIPT_VERSIONS_READ, Receipt, ReceiptEvidence,
    ReceiptStatement, Timestamp, VerificationMethod,
};
use verifier_tests::{hex_field, load};

const FILES: [(&str, u8); 2] = [("receipt_v1.json", 1), ("receipt_v2.json", 2)];

fn labels(version: u8) -> (&'static str, &'static str) {
    match version {
        1 => (RECEIPT_SIGNATURE_DOMAIN, RECEIPT_ID_DOMAIN),
        _ => (RECEIPT_SIGNATURE_DOMAIN_V2, RECEIPT_ID_DOMAIN_V2),
    }
}

/// The evidence a version 2 vector states.
fn evidence_of(c: &serde_json::Value) -> ReceiptEvidence {
    let scheme = ComparedScheme::from_name(c["scheme"].as_str().unwrap()).unwrap();
    assert_eq!(u64::from(scheme.code()), c["scheme_code"].as_u64().unwrap());
    let version = u8::try_from(c["scheme_version"].as_u64().unwrap()).unwrap();
    let mut e = ReceiptEvidence::new(scheme, version);
    if !c["digest_hex"].is_null() {
        e = e.with_digest(hex_field(c, "digest_hex").try_into().unwrap());
    }
    for x in c["extensions"].as_array().unwrap() {
        let kind = u16::try_from(x["kind"].as_u64().unwrap()).unwrap();
        e = e.with_extension(kind, hex_field(x, "value_hex")).unwrap();
    }
    e
}

#[test]
fn receipts_valid_vectors() {
    assert_eq!(RECEIPT_VERSION, 2);
    assert_eq!(RECEIPT_VERSIONS_READ, [1, 2]);
    let mut methods = std::collections::BTreeSet::new();
    for (file, version) in FILES {
        let v = load(file);
        let (sig_label, id_label) = labels(version);
        assert_eq!(v["format_version"], u64::from(version), "{file}");
        assert_eq!(v["signature_domain"], sig_label, "{file}");
        assert_eq!(v["id_domain"], id_label, "{file}");
        let cases = v["valid"].as_array().unwrap();
        assert!(cases.len() >= 4, "{file}");
        for c in cases {
            let seed: [u8; 32] = hex_field(c, "signer_seed_hex").try_into().unwrap();
            let me = Identity::from_seed(&seed).unwrap();
            assert_eq!(
                me.public_key().as_bytes().as_slice(),
                hex_field(c, "signer_public_hex").as_slice()
            );
            let subject =
                PublicKey::from_bytes(KeyType::Ed25519, &hex_field(c, "subject_public_hex"))
                    .unwrap();
            let method: VerificationMethod = c["method"].as_str().unwrap().parse().unwrap();
            if let Some(code) = c.get("method_code") {
                assert_eq!(code.as_u64(), Some(u64::from(method.code())));
            }
            let t = Timestamp::from_unix_secs(c["verified_at_unix"].as_u64().unwrap());
            let name = c["contact_name"].as_str().unwrap();
            let id = c["contact_id"].as_str();
            let expected = hex_field(c, "receipt_hex");
            let text = c["text"].as_str().unwrap();
            let ctx = format!("{file}: {name}");

            // The signed message is the label-prefixed body, as documented.
            let msg = hex_field(c, "signed_message_hex");
            let body = &expected[..expected.len() - 64];
            let mut want = vec![sig_label.len() as u8];
            want.extend_from_slice(sig_label.as_bytes());
            want.extend_from_slice(body);
            assert_eq!(msg, want, "{ctx}");
            let sig: [u8; 64] = hex_field(c, "signature_hex").try_into().unwrap();
            me.public_key()
                .verifying_key()
                .verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
                .unwrap();

            // Decoding: every form gives back the statement, the signer and the id.
            let decoded = Receipt::from_bytes(&expected).unwrap();
            for r in [
                decoded.clone(),
                Receipt::from_text(text).unwrap(),
                Receipt::decode(&expected).unwrap(),
                Receipt::decode(text.as_bytes()).unwrap(),
            ] {
                let st = r.statement();
                assert_eq!(r.format_version(), version, "{ctx}");
                assert_eq!(st.format_version(), version, "{ctx}");
                assert_eq!(st.key(), &subject, "{ctx}");
                assert_eq!(st.contact_name(), name, "{ctx}");
                assert_eq!(st.contact_id(), id, "{ctx}");
                assert_eq!(st.verified_at(), t, "{ctx}");
                assert_eq!(st.method(), method, "{ctx}");
                assert_eq!(r.signer(), &me.public_key(), "{ctx}");
                r.check_signer(&me.public_key()).unwrap();
                assert_eq!(r.as_bytes(), expected.as_slice(), "{ctx}");
                assert_eq!(r.to_text(), text, "{ctx}");
                assert_eq!(
                    r.id().to_hex(),
                    c["receipt_id_hex"].as_str().unwrap(),
                    "{ctx}"
                );
                assert_eq!(r, decoded, "{ctx}");
            }

            if version == 1 {
                assert_eq!(decoded.statement().evidence(), None, "{ctx}");
                // Re-signing the old statement keeps its version 1 layout, byte for byte.
                let again = Receipt::sign(&me, decoded.statement().clone());
                assert_eq!(again.as_bytes(), expected.as_slice(), "{ctx}");
            } else {
                // Encoding: our signer produces exactly the reference bytes.
                let evidence = evidence_of(c);
                assert_eq!(decoded.statement().evidence(), Some(&evidence), "{ctx}");
                let st = ReceiptStatement::new(subject, name, id, t, method, evidence).unwrap();
                assert_eq!(decoded.statement(), &st, "{ctx}");
                let made = Receipt::sign(&me, st);
                assert_eq!(made.as_bytes(), expected.as_slice(), "{ctx}");
                assert_eq!(made.to_text(), text, "{ctx}");
                assert_eq!(made.id().to_hex(), c["receipt_id_hex"].as_str().unwrap());
                let ev_hex = hex_field(c, "evidence_hex");
                assert!(body.ends_with(&ev_hex), "{ctx}");
            }
            methods.insert((version, method.code()));
        }
    }
    // Every method of each version has a valid vector.
    for m in VerificationMethod::ALL {
        for version in RECEIPT_VERSIONS_READ {
            if m.is_valid_in_version(version) {
                assert!(
                    methods.contains(&(version, m.code())),
                    "no valid v{version} vector for {m}"
                );
            }
        }
    }
}

#[test]
fn receipts_invalid_vectors() {
    for (file, version) in FILES {
        let v = load(file);
        let cases = v["invalid"].as_array().unwrap();
        assert!(cases.len() >= 10, "{file}");
        let mut seen = std::collections::BTreeSet::new();
        for c in cases {
            let desc = c["description"].as_str().unwrap();
            let bytes = hex_field(c, "receipt_hex");
            let want = c["error"].as_str().unwrap();
            let result = Receipt::from_bytes(&bytes).and_then(|r| {
                if c.get("expected_signer_hex").is_some() {
                    let k = PublicKey::from_bytes(
                        KeyType::Ed25519,
                        &hex_field(c, "expected_signer_hex"),
                    )
                    .unwrap();
                    r.check_signer(&k)?;
                }
                Ok(r)
            });
            match result {
                Ok(_) => panic!("{file}: {desc}: accepted, expected {want}"),
                Err(e) => assert_eq!(e.kind(), want, "{file}: {desc}: {e}"),
            }
            // The text form fails the same way.
            if want != "wrong_signer" {
                let text = format!("verifier-receipt:{}", URL_SAFE_NO_PAD.encode(&bytes));
                let e = Receipt::from_text(&text).unwrap_err();
                assert_eq!(e.kind(), want, "{file}: {desc} (text form)");
            }
            seen.insert(want);
        }
        let required: &[&str] = if version == 1 {
            &[
                "bad_signature",
                "wrong_signer",
                "unsupported_version",
                "unsupported_key_type",
            ]
        } else {
            &[
                "bad_signature",
                "wrong_signer",
                "unsupported_version",
                "unknown_method",
                "unknown_scheme",
                "invalid_digest_length",
                "invalid_extension",
                "truncated",
                "trailing_bytes",
            ]
        };
        for required in required {
            assert!(seen.contains(required), "{file}: no vector for {required}");
        }
    }
}

/// tests/vectors/receipt_evidence.json (tools/receipt_evidence_reference.py):
/// the digests the trust engine's evidence writes into receipts, with their
/// domain labels (docs/receipts.md).
#[test]
fn receipt_evidence_digests() {
    use verifier_core::qr::{Payload, RECEIPT_DIGEST_DOMAIN as QR_DOMAIN, scan_evidence};
    use verifier_core::safety_number::{Comparison, Party, RECEIPT_DIGEST_DOMAIN as SN_DOMAIN};
    use verifier_core::trust::QrSource;
    let v = load("receipt_evidence.json");
    assert_eq!(v["qr_payload_context"], QR_DOMAIN);
    assert_eq!(v["safety_number_context"], SN_DOMAIN);
    let key = |c: &serde_json::Value, f: &str| {
        PublicKey::from_bytes(KeyType::Ed25519, &hex_field(c, f)).unwrap()
    };
    let qr = v["qr_payload"].as_array().unwrap();
    assert!(qr.len() >= 4, "identity and pairwise cases");
    for c in qr {
        let payload = Payload::decode(&hex_field(c, "payload_hex")).unwrap();
        for source in [QrSource::Camera, QrSource::ImageFile] {
            let (_, e) = scan_evidence(&payload, &key(c, "scanner_key_hex"), source).unwrap();
            assert_eq!(e.key(), &key(c, "key_hex"), "{}", c["name"]);
            assert_eq!(e.detail().scheme(), ComparedScheme::QrPayload);
            assert_eq!(
                e.detail().digest().map(hex::encode).as_deref(),
                c["digest_hex"].as_str(),
                "{}",
                c["name"]
            );
        }
    }
    let sn = v["safety_number"].as_array().unwrap();
    assert!(sn.len() >= 3);
    for c in sn {
        let (ours, theirs) = (key(c, "ours_key_hex"), key(c, "theirs_key_hex"));
        let cmp = Comparison::new(&Party::new(&ours), &Party::new(&theirs));
        for e in [
            cmp.confirm_compared(),
            cmp.check_typed_back_digits(&cmp.number().digits()).unwrap(),
        ] {
            assert_eq!(e.key(), &theirs);
            assert_eq!(e.detail().scheme(), ComparedScheme::SafetyNumber);
            assert_eq!(
                e.detail().digest().map(hex::encode).as_deref(),
                c["digest_hex"].as_str()
            );
        }
    }
}
