//! Behaviour of the trust store API: observe, verify, key changes, accept,
//! history, receipts, import, forget.
#![cfg(feature = "store")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::receipt::{ReceiptError, Timestamp, VerificationMethod};
use verifier_core::store::{
    EventKind, ImportOutcome, ObserveOutcome, Store, StoreError, TrustStatus,
};

fn key() -> PublicKey {
    Identity::generate(&mut rand_core::OsRng).public_key()
}

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + s)
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("sub").join("trust.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn first_seen_unchanged_verified_changed() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let (k1, k2, k3) = (key(), key(), key());
    s.add_contact("Alice", Some("@alice:example.org"), t(0))
        .unwrap();
    assert_eq!(s.status("Alice").unwrap(), TrustStatus::Unverified);
    assert_eq!(
        s.observe_key("Alice", &k1, t(1)).unwrap(),
        ObserveOutcome::FirstSeen
    );
    assert_eq!(
        s.observe_key("Alice", &k1, t(2)).unwrap(),
        ObserveOutcome::Unchanged
    );
    assert_eq!(s.status("Alice").unwrap(), TrustStatus::Unverified);

    let r = s
        .mark_verified("Alice", &k1, VerificationMethod::QrCamera, &me, t(3))
        .unwrap();
    assert_eq!(
        s.status("Alice").unwrap(),
        TrustStatus::Verified {
            since: t(3),
            method: VerificationMethod::QrCamera
        }
    );
    assert_eq!(r.statement().key(), &k1);
    assert_eq!(r.statement().contact_name(), "Alice");
    assert_eq!(r.statement().contact_id(), Some("@alice:example.org"));
    assert_eq!(r.statement().verified_at(), t(3));
    r.check_signer(&me.public_key()).unwrap();

    // The switcheroo.
    assert_eq!(
        s.observe_key("Alice", &k2, t(4)).unwrap(),
        ObserveOutcome::Changed {
            previous: k1,
            was_verified: true
        }
    );
    let changed = TrustStatus::KeyChanged {
        previous_verified_key: k1,
        since: t(4),
    };
    assert_eq!(s.status("Alice").unwrap(), changed);
    // Seeing the new key again does not clear the alert.
    assert_eq!(
        s.observe_key("Alice", &k2, t(5)).unwrap(),
        ObserveOutcome::Unchanged
    );
    assert_eq!(s.status("Alice").unwrap(), changed);
    // A further change keeps the original alert time and verified key.
    assert_eq!(
        s.observe_key("Alice", &k3, t(6)).unwrap(),
        ObserveOutcome::Changed {
            previous: k2,
            was_verified: false
        }
    );
    assert_eq!(s.status("Alice").unwrap(), changed);

    // Survives reopening.
    let path = s.path().to_owned();
    drop(s);
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.status("Alice").unwrap(), changed);

    // Only re-verification (or accepting) clears it.
    s.mark_verified("Alice", &k3, VerificationMethod::SasSession, &me, t(7))
        .unwrap();
    assert_eq!(
        s.status("Alice").unwrap(),
        TrustStatus::Verified {
            since: t(7),
            method: VerificationMethod::SasSession
        }
    );
    s.integrity_check().unwrap();
}

#[test]
fn returning_to_the_verified_key_is_verified_again() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let (k1, k2) = (key(), key());
    s.add_contact("Bob", None, t(0)).unwrap();
    s.observe_key("Bob", &k1, t(0)).unwrap();
    s.mark_verified("Bob", &k1, VerificationMethod::SafetyNumber, &me, t(1))
        .unwrap();
    s.observe_key("Bob", &k2, t(2)).unwrap();
    assert!(matches!(
        s.status("Bob").unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
    assert_eq!(
        s.observe_key("Bob", &k1, t(3)).unwrap(),
        ObserveOutcome::Changed {
            previous: k2,
            was_verified: false
        }
    );
    assert_eq!(
        s.status("Bob").unwrap(),
        TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::SafetyNumber
        }
    );
}

#[test]
fn accepting_a_changed_key_makes_it_unverified_not_verified() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let (k1, k2, k3) = (key(), key(), key());
    s.add_contact("Carol", None, t(0)).unwrap();
    s.observe_key("Carol", &k1, t(0)).unwrap();
    // Nothing to accept while unverified or verified.
    assert!(matches!(
        s.accept_key("Carol", &k1, t(1)),
        Err(StoreError::NothingToAccept { .. })
    ));
    s.mark_verified("Carol", &k1, VerificationMethod::Manual, &me, t(1))
        .unwrap();
    assert!(matches!(
        s.accept_key("Carol", &k1, t(1)),
        Err(StoreError::NothingToAccept { .. })
    ));
    s.observe_key("Carol", &k2, t(2)).unwrap();
    // Accepting must name the key that is current.
    assert!(matches!(
        s.accept_key("Carol", &k3, t(3)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    s.accept_key("Carol", &k2, t(3)).unwrap();
    assert_eq!(s.status("Carol").unwrap(), TrustStatus::Unverified);
    // A later change of an unverified contact raises no alert state.
    assert_eq!(
        s.observe_key("Carol", &k3, t(4)).unwrap(),
        ObserveOutcome::Changed {
            previous: k2,
            was_verified: false
        }
    );
    assert_eq!(s.status("Carol").unwrap(), TrustStatus::Unverified);

    let kinds: Vec<&str> = s
        .history("Carol")
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(
        kinds,
        [
            "contact_added",
            "key_first_seen",
            "verified",
            "key_changed",
            "key_accepted",
            "key_changed"
        ]
    );
    let h = s.history("Carol").unwrap();
    assert_eq!(h[4].kind, EventKind::KeyAccepted { key: k2 });
    assert_eq!(h[4].at, t(3));
    assert_eq!(h[3].kind, EventKind::KeyChanged { from: k1, to: k2 });
}

#[test]
fn errors_are_specific() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let (k1, k2) = (key(), key());
    assert!(matches!(
        s.observe_key("Nobody", &k1, t(0)),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert!(matches!(
        s.status("Nobody"),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert!(matches!(
        s.forget("Nobody"),
        Err(StoreError::ContactNotFound { .. })
    ));
    s.add_contact("Dan", Some("dan-id"), t(0)).unwrap();
    assert!(matches!(
        s.add_contact("Dan", None, t(0)),
        Err(StoreError::ContactExists { .. })
    ));
    assert!(matches!(
        s.add_contact("Dan2", Some("dan-id"), t(0)),
        Err(StoreError::StableIdTaken { .. })
    ));
    assert!(matches!(
        s.add_contact("", None, t(0)),
        Err(StoreError::Receipt(ReceiptError::InvalidLabel { .. }))
    ));
    assert!(matches!(
        s.add_contact("evil\u{1b}]0;x", None, t(0)),
        Err(StoreError::Receipt(ReceiptError::InvalidLabel { .. }))
    ));
    // Verifying needs the current key.
    assert!(matches!(
        s.mark_verified("Dan", &k1, VerificationMethod::QrCamera, &me, t(0)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    s.observe_key("Dan", &k1, t(0)).unwrap();
    assert!(matches!(
        s.mark_verified("Dan", &k2, VerificationMethod::QrCamera, &me, t(0)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    assert!(matches!(
        s.observe_key("Dan", &k1, Timestamp::from_unix_secs(u64::MAX)),
        Err(StoreError::Receipt(ReceiptError::TimeOutOfRange { .. }))
    ));
    // Failed calls changed nothing.
    assert_eq!(s.list().unwrap().len(), 1);
    assert_eq!(s.history("Dan").unwrap().len(), 2);
}

#[test]
fn list_keys_forget() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let (ka, kb, kb2) = (key(), key(), key());
    s.add_contact("Zed", None, t(0)).unwrap();
    s.add_contact("Ann", Some("ann"), t(0)).unwrap();
    s.observe_key("Ann", &ka, t(1)).unwrap();
    s.observe_key("Zed", &kb, t(1)).unwrap();
    s.mark_verified("Zed", &kb, VerificationMethod::QrCamera, &me, t(2))
        .unwrap();
    s.observe_key("Zed", &kb2, t(3)).unwrap();
    s.observe_key("Zed", &kb2, t(9)).unwrap();
    s.add_contact("Mo", None, t(0)).unwrap();

    let l = s.list().unwrap();
    let names: Vec<_> = l.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Mo", "Zed"]);
    let statuses: Vec<_> = l.iter().map(|c| c.status.name()).collect();
    assert_eq!(statuses, ["unverified", "unverified", "key_changed"]);
    assert_eq!(l[0].current_key.as_ref(), Some(&ka));
    assert_eq!(l[0].stable_id.as_deref(), Some("ann"));
    assert_eq!(l[1].current_key, None);

    let keys = s.keys("Zed").unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].key, kb);
    assert!(keys[0].ever_verified && !keys[0].current);
    assert_eq!(keys[1].key, kb2);
    assert!(!keys[1].ever_verified && keys[1].current);
    assert_eq!((keys[1].first_seen, keys[1].last_seen), (t(3), t(9)));

    let receipt = s.receipts("Zed").unwrap().remove(0);
    s.forget("Zed").unwrap();
    assert!(matches!(
        s.status("Zed"),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert_eq!(s.receipt(&receipt.id()).unwrap(), None);
    // A forgotten contact comes back fresh.
    s.add_contact("Zed", None, t(10)).unwrap();
    assert_eq!(s.history("Zed").unwrap().len(), 1);
    assert!(s.keys("Zed").unwrap().is_empty());
    s.integrity_check().unwrap();
}

#[test]
fn receipts_are_stored_and_importable_elsewhere() {
    let (_d, mut s) = fresh();
    let me = Identity::generate(&mut rand_core::OsRng);
    let k = key();
    s.add_contact("Eve", Some("eve@example.org"), t(0)).unwrap();
    s.observe_key("Eve", &k, t(0)).unwrap();
    let r1 = s
        .mark_verified("Eve", &k, VerificationMethod::QrCamera, &me, t(1))
        .unwrap();
    let r2 = s
        .mark_verified("Eve", &k, VerificationMethod::SasSession, &me, t(2))
        .unwrap();
    assert_eq!(s.receipts("Eve").unwrap(), vec![r2.clone(), r1.clone()]);
    assert_eq!(s.receipt(&r1.id()).unwrap(), Some(r1.clone()));

    // Another device of the same user imports the newest receipt.
    let (_d2, mut other) = fresh();
    let text = r2.to_text();
    let parsed = verifier_core::receipt::Receipt::from_text(&text).unwrap();
    let stranger = Identity::generate(&mut rand_core::OsRng).public_key();
    assert!(matches!(
        other.import_receipt(&parsed, &stranger, t(5)),
        Err(StoreError::Receipt(ReceiptError::WrongSigner { .. }))
    ));
    assert!(other.list().unwrap().is_empty());
    assert_eq!(
        other
            .import_receipt(&parsed, &me.public_key(), t(5))
            .unwrap(),
        ImportOutcome::Imported
    );
    assert_eq!(
        other
            .import_receipt(&parsed, &me.public_key(), t(6))
            .unwrap(),
        ImportOutcome::AlreadyPresent
    );
    let c = other.contact("Eve").unwrap();
    assert_eq!(c.stable_id.as_deref(), Some("eve@example.org"));
    assert_eq!(c.current_key.as_ref(), Some(&k));
    assert_eq!(
        c.status,
        TrustStatus::Verified {
            since: t(2),
            method: VerificationMethod::SasSession
        }
    );
    let last = other.history("Eve").unwrap().pop().unwrap();
    assert_eq!(
        last.kind,
        EventKind::ReceiptImported {
            key: k,
            method: VerificationMethod::SasSession,
            receipt: r2.id()
        }
    );

    // A receipt for a key that is no longer current is refused.
    let (_d3, mut third) = fresh();
    third.add_contact("Eve", None, t(0)).unwrap();
    third.observe_key("Eve", &key(), t(0)).unwrap();
    assert!(matches!(
        third.import_receipt(&parsed, &me.public_key(), t(1)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    assert!(third.receipts("Eve").unwrap().is_empty());
}

#[test]
fn database_uses_wal_and_the_current_schema() {
    let (_d, s) = fresh();
    let path = s.path().to_owned();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, verifier_core::store::SCHEMA_VERSION);
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, verifier_core::store::APPLICATION_ID);
}
