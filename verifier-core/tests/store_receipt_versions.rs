//! The trust store and receipt format versions: new verifications are stored as
//! version 2 receipts; old (version 1) receipts, including the legacy method `qr`,
//! still import and read back unchanged.
#![cfg(feature = "store")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verifier_core::identity::Identity;
use verifier_core::receipt::{Receipt, ReceiptError, ReceiptId, Timestamp, VerificationMethod};
use verifier_core::store::{ImportOutcome, Store, StoreError, TrustStatus};

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
    let k = Identity::generate(&mut rand_core::OsRng).public_key();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    s.add_contact_with_key("Alice", None, &k, t).unwrap();
    assert!(matches!(
        s.mark_verified("Alice", &k, VerificationMethod::QrLegacy, &me, t),
        Err(StoreError::Receipt(ReceiptError::LegacyMethod { .. }))
    ));
    assert_eq!(s.status("Alice").unwrap(), TrustStatus::Unverified);
    for m in VerificationMethod::CURRENT {
        let r = s.mark_verified("Alice", &k, m, &me, t).unwrap();
        assert_eq!(r.format_version(), 2);
        assert!(r.statement().evidence().is_some());
        assert_eq!(s.receipt(&r.id()).unwrap(), Some(r));
        assert_eq!(
            s.status("Alice").unwrap(),
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
        let bytes = hex::decode(c["receipt_hex"].as_str().unwrap()).unwrap();
        let r = Receipt::from_bytes(&bytes).unwrap();
        assert_eq!(r.format_version(), 1);
        let now = Timestamp::from_unix_secs(1_800_000_000);
        assert_eq!(
            s.import_receipt(&r, &me.public_key(), now).unwrap(),
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
            s.status(name).unwrap(),
            TrustStatus::Verified { method: m, .. } if m == method
        ));
        assert_eq!(s.receipts(name).unwrap(), vec![r.clone()]);
        assert_eq!(
            s.import_receipt(&r, &me.public_key(), now).unwrap(),
            ImportOutcome::AlreadyPresent
        );
    }
}
