//! The trust store and receipt format versions: new verifications are stored as
//! version 2 receipts; old (version 1) receipts, including the legacy method `qr`,
//! still import and read back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verifier_core::identity::Identity;
use verifier_core::qr::{IdentityCard, Payload, scan_evidence};
use verifier_core::receipt::{
    ComparedScheme, Receipt, ReceiptError, ReceiptEvidence, ReceiptId, ReceiptStatement, Timestamp,
    VerificationMethod,
};
use verifier_core::safety_number::{Comparison, Party};
use verifier_core::trust::{Evidence, Intent, OwnKeys, QrSource};
use verifier_store::{ImportOutcome, Store, TrustStatus};

fn vectors(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("trust.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn new_verifications_are_version_2_and_legacy_qr_is_refused() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let own = OwnKeys::new(me.public_key());
    let k = Identity::generate(&mut rand_core::OsRng).public_key();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    s.add_contact_with_key("Alice", None, &k, t).unwrap();
    // The legacy method cannot be written any more.
    assert!(matches!(
        ReceiptStatement::new(
            k,
            "Alice",
            None,
            t,
            VerificationMethod::QrLegacy,
            ReceiptEvidence::new(ComparedScheme::QrPayload, 1)
        ),
        Err(ReceiptError::LegacyMethod { .. })
    ));
    assert_eq!(s.status("Alice", &own).unwrap(), TrustStatus::Unverified);
    let card = Payload::Identity(IdentityCard {
        key: k,
        display_name: None,
        stable_id: None,
    });
    let comparison = Comparison::new(&Party::new(&me.public_key()), &Party::new(&k));
    let evidence = [
        Evidence::manual_assertion(k),
        scan_evidence(&card, &me.public_key(), QrSource::Camera)
            .unwrap()
            .1,
        scan_evidence(&card, &me.public_key(), QrSource::ImageFile)
            .unwrap()
            .1,
        comparison.confirm_compared(),
    ];
    for e in evidence {
        let m = e.method();
        let r = s
            .verify("Alice", e, Intent::Verify, &me, &own, t)
            .unwrap()
            .receipt;
        assert_eq!(r.format_version(), 2);
        assert!(r.statement().evidence().is_some());
        assert_eq!(s.receipt(&r.id()).unwrap(), Some(r));
        assert_eq!(
            s.status("Alice", &own).unwrap(),
            TrustStatus::Verified {
                since: t,
                method: m
            }
        );
    }
}

#[test]
fn version_1_receipts_still_import_and_read_back() {
    let v1 = vectors("receipt_v1.json");
    for c in v1["valid"].as_array().unwrap() {
        let (_d, mut s) = fresh();
        let seed: [u8; 32] = hex::decode(c["signer_seed_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let me = Identity::from_seed(&seed).unwrap();
        let own = OwnKeys::new(me.public_key());
        let bytes = hex::decode(c["receipt_hex"].as_str().unwrap()).unwrap();
        let r = Receipt::from_bytes(&bytes).unwrap();
        assert_eq!(r.format_version(), 1);
        let now = Timestamp::from_unix_secs(1_800_000_000);
        assert_eq!(
            s.import_receipt(&r, &own, now).unwrap(),
            ImportOutcome::Imported
        );
        let id = ReceiptId::from_hex(c["receipt_id_hex"].as_str().unwrap()).unwrap();
        assert_eq!(r.id(), id);
        let back = s.receipt(&id).unwrap().unwrap();
        assert_eq!(back, r);
        assert_eq!(back.as_bytes(), bytes.as_slice());
        let name = c["contact_name"].as_str().unwrap();
        let method: VerificationMethod = c["method"].as_str().unwrap().parse().unwrap();
        assert!(matches!(
            s.status(name, &own).unwrap(),
            TrustStatus::Verified { method: m, .. } if m == method
        ));
        assert_eq!(s.receipts(name).unwrap(), vec![r.clone()]);
        assert_eq!(
            s.import_receipt(&r, &own, now).unwrap(),
            ImportOutcome::AlreadyPresent
        );
    }
}
