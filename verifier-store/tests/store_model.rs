//! Behaviour of the trust store API: observe, verify (through the trust
//! engine), key changes, accept, names, history, receipts, import, forget,
//! schema.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// `StoreError` carries the engine's `Refusal` (typed keys are large).
#![allow(clippy::result_large_err)]

use verifier_core::contact_name::NameError;
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{IdentityCard, Payload};
use verifier_core::receipt::{Receipt, ReceiptError, Timestamp, VerificationMethod};
use verifier_core::rotation::{Rotation, RotationChain};
use verifier_core::safety_number::{Comparison, Party};
use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
use verifier_core::trust::{Evidence, HistoryOnlyReason, Intent, OwnKeys, QrSource, Refusal};
use verifier_store::{EventKind, ImportOutcome, ObserveOutcome, Store, StoreError, TrustStatus};

fn new_identity() -> Identity {
    Identity::generate(&mut rand_core::OsRng)
}

fn key() -> PublicKey {
    new_identity().public_key()
}

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + s)
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("sub").join("trust.sqlite3")).unwrap();
    (dir, store)
}

/// The user of a store: the identity that signs, and the keys receipts are
/// checked against.
struct User {
    me: Identity,
    own: OwnKeys,
}

impl User {
    fn new() -> Self {
        let me = new_identity();
        let own = OwnKeys::new(me.public_key());
        User { me, own }
    }

    /// Verifies through the trust engine; the receipt that backs it.
    fn verify(
        &self,
        s: &mut Store,
        name: &str,
        evidence: Evidence,
        intent: Intent,
        at: Timestamp,
    ) -> Result<Receipt, StoreError> {
        s.verify(name, evidence, intent, &self.me, &self.own, at)
            .map(|o| o.receipt)
    }

    /// A person scanned `k`'s identity QR code with a camera.
    fn camera(&self, k: PublicKey) -> Evidence {
        let payload = Payload::Identity(IdentityCard {
            key: k,
            display_name: None,
            stable_id: None,
        });
        let (_, e) =
            verifier_core::qr::scan_evidence(&payload, &self.me.public_key(), QrSource::Camera)
                .unwrap();
        e
    }

    /// The people compared the safety number of the user and `k`.
    fn safety_number(&self, k: PublicKey) -> Evidence {
        let mine = self.me.public_key();
        Comparison::new(&Party::new(&mine), &Party::new(&k)).confirm_compared()
    }

    /// A SAS session with `peer`, compared by both people.
    fn sas(&self, peer: &Identity) -> Evidence {
        let now = 0;
        let (mut host, first) = SasSession::initiate(&self.me, SasConfig::default(), now).unwrap();
        let code = host.join_code("127.0.0.1:1".parse().unwrap()).unwrap();
        let mut joiner = SasSession::respond(peer, SasConfig::default(), &code, now).unwrap();
        let mut to_joiner = first.send;
        let mut to_host = Vec::new();
        while !to_joiner.is_empty() || !to_host.is_empty() {
            for m in std::mem::take(&mut to_joiner) {
                to_host.extend(joiner.receive(&m, now).send);
            }
            for m in std::mem::take(&mut to_host) {
                to_joiner.extend(host.receive(&m, now).send);
            }
        }
        let a = host.decide(Decision::Match, now).send;
        let b = joiner.decide(Decision::Match, now).send;
        for m in a {
            joiner.receive(&m, now);
        }
        for m in b {
            host.receive(&m, now);
        }
        assert_eq!(
            host.phase(),
            Phase::Verified {
                peer: peer.public_key()
            }
        );
        host.evidence().unwrap()
    }
}

fn manual(k: PublicKey) -> Evidence {
    Evidence::manual_assertion(k)
}

fn refusal<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Refusal {
    match r {
        Err(StoreError::Refused { refusal }) => *refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn kinds(s: &Store, name: &str) -> Vec<&'static str> {
    s.history(name)
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect()
}

#[test]
fn first_seen_unchanged_verified_changed_confirmed() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let peer3 = new_identity();
    let (k1, k2, k3) = (key(), key(), peer3.public_key());
    s.add_contact("Alice", Some("@alice:example.org"), t(0))
        .unwrap();
    assert_eq!(s.status("Alice", &u.own).unwrap(), TrustStatus::Unverified);
    assert_eq!(
        s.observe_key("Alice", &k1, t(1)).unwrap(),
        ObserveOutcome::FirstSeen
    );
    assert_eq!(
        s.observe_key("Alice", &k1, t(2)).unwrap(),
        ObserveOutcome::Unchanged
    );
    assert_eq!(s.status("Alice", &u.own).unwrap(), TrustStatus::Unverified);

    let done = s
        .verify("Alice", u.camera(k1), Intent::Verify, &u.me, &u.own, t(3))
        .unwrap();
    assert_eq!(done.contact, "Alice");
    assert!(!done.first_key);
    assert_eq!(done.replaced, None);
    assert_eq!(
        s.status("Alice", &u.own).unwrap(),
        TrustStatus::Verified {
            since: t(3),
            method: VerificationMethod::QrCamera
        }
    );
    let r = done.receipt;
    assert_eq!(r.statement().key(), &k1);
    assert_eq!(r.statement().contact_name(), "Alice");
    assert_eq!(r.statement().contact_id(), Some("@alice:example.org"));
    assert_eq!(r.statement().verified_at(), t(3));
    assert_eq!(r.statement().method(), VerificationMethod::QrCamera);
    assert!(r.statement().evidence().and_then(|e| e.digest()).is_some());
    r.check_signer(&u.me.public_key()).unwrap();

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
    assert_eq!(s.status("Alice", &u.own).unwrap(), changed);
    // Seeing the new key again does not clear the alert.
    assert_eq!(
        s.observe_key("Alice", &k2, t(5)).unwrap(),
        ObserveOutcome::Unchanged
    );
    assert_eq!(s.status("Alice", &u.own).unwrap(), changed);
    // A further change keeps the original alert time and verified key.
    assert_eq!(
        s.observe_key("Alice", &k3, t(6)).unwrap(),
        ObserveOutcome::Changed {
            previous: k2,
            was_verified: false
        }
    );
    assert_eq!(s.status("Alice", &u.own).unwrap(), changed);

    // Survives reopening.
    let path = s.path().to_owned();
    drop(s);
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.status("Alice", &u.own).unwrap(), changed);

    // A plain verify of the new key is refused, even with a real check ...
    assert_eq!(
        refusal(u.verify(&mut s, "Alice", u.sas(&peer3), Intent::Verify, t(7))),
        Refusal::KeyChangedNeedsConfirmation { old: k1, new: k3 }
    );
    // ... and so is a key-change confirmation for a pair that is not current.
    let stale = refusal(u.verify(
        &mut s,
        "Alice",
        u.sas(&peer3),
        Intent::ConfirmKeyChange { old: k2, new: k3 },
        t(7),
    ));
    assert_eq!(stale.code(), "stale_key_change");
    assert_eq!(s.status("Alice", &u.own).unwrap(), changed);
    assert_eq!(s.receipts("Alice").unwrap().len(), 1);

    // Only the key-change flow (or accepting) clears it.
    let done = s
        .verify(
            "Alice",
            u.sas(&peer3),
            Intent::ConfirmKeyChange { old: k1, new: k3 },
            &u.me,
            &u.own,
            t(7),
        )
        .unwrap();
    assert_eq!(done.replaced, Some(k1));
    assert_eq!(done.receipt.statement().key(), &k3);
    assert_eq!(
        s.status("Alice", &u.own).unwrap(),
        TrustStatus::Verified {
            since: t(7),
            method: VerificationMethod::SasSession
        }
    );
    s.integrity_check().unwrap();
}

#[test]
fn verifying_a_contact_without_a_key_makes_it_its_first_key() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let k = key();
    s.add_contact("Dan", None, t(0)).unwrap();
    let done = s
        .verify("Dan", manual(k), Intent::Verify, &u.me, &u.own, t(1))
        .unwrap();
    assert!(done.first_key);
    assert_eq!(done.receipt.statement().key(), &k);
    let c = s.contact("Dan", &u.own).unwrap();
    assert_eq!(c.current_key, Some(k));
    assert_eq!(
        c.status,
        TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::Manual
        }
    );
    assert_eq!(
        kinds(&s, "Dan"),
        ["contact_added", "key_first_seen", "verified"]
    );
    assert_eq!(
        s.observe_key("Dan", &k, t(2)).unwrap(),
        ObserveOutcome::Unchanged
    );
    // A key-change confirmation has nothing to confirm there.
    s.add_contact("Eli", None, t(3)).unwrap();
    assert_eq!(
        refusal(u.verify(
            &mut s,
            "Eli",
            manual(k),
            Intent::ConfirmKeyChange { old: key(), new: k },
            t(4)
        )),
        Refusal::NoKeyChange
    );
    assert_eq!(s.contact("Eli", &u.own).unwrap().current_key, None);
}

#[test]
fn returning_to_the_verified_key_is_verified_again() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let (k1, k2) = (key(), key());
    s.add_contact("Bob", None, t(0)).unwrap();
    s.observe_key("Bob", &k1, t(0)).unwrap();
    u.verify(&mut s, "Bob", u.safety_number(k1), Intent::Verify, t(1))
        .unwrap();
    s.observe_key("Bob", &k2, t(2)).unwrap();
    assert!(matches!(
        s.status("Bob", &u.own).unwrap(),
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
        s.status("Bob", &u.own).unwrap(),
        TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::SafetyNumber
        }
    );
}

#[test]
fn accepting_a_changed_key_makes_it_unverified_not_verified() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let (k1, k2, k3) = (key(), key(), key());
    s.add_contact("Carol", None, t(0)).unwrap();
    s.observe_key("Carol", &k1, t(0)).unwrap();
    // Nothing to accept while unverified or verified.
    assert!(matches!(
        s.accept_key("Carol", &k1, &u.own, t(1)),
        Err(StoreError::NothingToAccept { .. })
    ));
    u.verify(&mut s, "Carol", manual(k1), Intent::Verify, t(1))
        .unwrap();
    assert!(matches!(
        s.accept_key("Carol", &k1, &u.own, t(1)),
        Err(StoreError::NothingToAccept { .. })
    ));
    s.observe_key("Carol", &k2, t(2)).unwrap();
    // Accepting must name the key that is current.
    assert!(matches!(
        s.accept_key("Carol", &k3, &u.own, t(3)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    assert!(matches!(
        s.accept_key("Carol", &k1, &u.own, t(3)),
        Err(StoreError::KeyNotCurrent { .. })
    ));
    s.accept_key("Carol", &k2, &u.own, t(3)).unwrap();
    assert_eq!(s.status("Carol", &u.own).unwrap(), TrustStatus::Unverified);
    // A later change of an unverified contact raises no alert state.
    assert_eq!(
        s.observe_key("Carol", &k3, t(4)).unwrap(),
        ObserveOutcome::Changed {
            previous: k2,
            was_verified: false
        }
    );
    assert_eq!(s.status("Carol", &u.own).unwrap(), TrustStatus::Unverified);

    assert_eq!(
        kinds(&s, "Carol"),
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

    // Once accepted, the current key is verified with a plain verify.
    u.verify(&mut s, "Carol", manual(k3), Intent::Verify, t(5))
        .unwrap();
    assert!(s.status("Carol", &u.own).unwrap().is_verified());
}

#[test]
fn a_lost_identity_reads_new_identity_a_rotated_one_stays_verified() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let k = key();
    s.add_contact_with_key("Gus", None, &k, t(0)).unwrap();
    u.verify(&mut s, "Gus", manual(k), Intent::Verify, t(1))
        .unwrap();
    // A rotation statement links the new identity to the old one.
    let next = new_identity();
    let chain = RotationChain::new(
        vec![Rotation::sign(&u.me, &next, t(2)).unwrap()],
        &next.public_key(),
    )
    .unwrap();
    let rotated = OwnKeys::new(next.public_key()).with_rotation_chain(&chain);
    assert!(s.status("Gus", &rotated).unwrap().is_verified());
    // Without one (the old identity was lost), the store still knows the old
    // identity signed its receipts: a new identity, not verified, not tampered.
    let lost = User {
        own: OwnKeys::new(next.public_key()),
        me: next,
    };
    assert_eq!(
        s.status("Gus", &lost.own).unwrap(),
        TrustStatus::NewIdentity
    );
    assert_eq!(s.list(&lost.own).unwrap()[0].status.name(), "new_identity");
    // Signing needs the identity the caller says is current.
    assert!(matches!(
        s.verify("Gus", manual(k), Intent::Verify, &u.me, &lost.own, t(3)),
        Err(StoreError::SignerNotCurrent { .. })
    ));
    // The new identity verifies again with a plain verify ...
    lost.verify(&mut s, "Gus", manual(k), Intent::Verify, t(4))
        .unwrap();
    assert!(s.status("Gus", &lost.own).unwrap().is_verified());
    // ... or may accept the key unverified.
    let hk = key();
    s.add_contact_with_key("Hal", None, &hk, t(5)).unwrap();
    u.verify(&mut s, "Hal", manual(hk), Intent::Verify, t(6))
        .unwrap();
    assert_eq!(
        s.status("Hal", &lost.own).unwrap(),
        TrustStatus::NewIdentity
    );
    s.accept_key("Hal", &hk, &lost.own, t(7)).unwrap();
    assert_eq!(s.status("Hal", &lost.own).unwrap(), TrustStatus::Unverified);
}

#[test]
fn errors_are_specific() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let (k1, k2) = (key(), key());
    assert!(matches!(
        s.observe_key("Nobody", &k1, t(0)),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert!(matches!(
        s.status("Nobody", &u.own),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert!(matches!(
        s.forget("Nobody"),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert_eq!(
        refusal(u.verify(&mut s, "Nobody", manual(k1), Intent::Verify, t(0))),
        Refusal::UnknownContact {
            name: "Nobody".into()
        }
    );
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
        Err(StoreError::InvalidName(NameError::Empty))
    ));
    assert!(matches!(
        s.add_contact("evil\u{1b}]0;x", None, t(0)),
        Err(StoreError::InvalidName(NameError::ControlCharacter { .. }))
    ));
    assert!(matches!(
        s.add_contact("Ed", Some("bad\nid"), t(0)),
        Err(StoreError::Receipt(ReceiptError::InvalidLabel { .. }))
    ));
    s.observe_key("Dan", &k1, t(0)).unwrap();
    // Verifying needs evidence for the current key.
    assert_eq!(
        refusal(u.verify(&mut s, "Dan", manual(k2), Intent::Verify, t(0))),
        Refusal::Mismatch {
            current: k1,
            checked: k2
        }
    );
    assert!(matches!(
        s.observe_key("Dan", &k1, Timestamp::from_unix_secs(u64::MAX)),
        Err(StoreError::Receipt(ReceiptError::TimeOutOfRange { .. }))
    ));
    assert!(matches!(
        u.verify(
            &mut s,
            "Dan",
            manual(k1),
            Intent::Verify,
            Timestamp::from_unix_secs(u64::MAX)
        ),
        Err(StoreError::Receipt(ReceiptError::TimeOutOfRange { .. }))
    ));
    // Failed calls changed nothing.
    assert_eq!(s.list(&u.own).unwrap().len(), 1);
    assert_eq!(s.history("Dan").unwrap().len(), 2);
    assert!(s.receipts("Dan").unwrap().is_empty());
    assert_eq!(s.status("Dan", &u.own).unwrap(), TrustStatus::Unverified);
}

#[test]
fn names_are_normalised_and_checked() {
    let (_d, mut s) = fresh();
    let u = User::new();
    // Stored in NFC, found in any normalisation form.
    s.add_contact("Zoe\u{308}", None, t(0)).unwrap();
    assert_eq!(s.names().unwrap(), ["Zo\u{eb}"]);
    assert!(s.status("Zoe\u{308}", &u.own).is_ok());
    assert!(matches!(
        s.add_contact("Zo\u{eb}", None, t(0)),
        Err(StoreError::ContactExists { .. })
    ));
    // Bidi controls and invisible characters are refused.
    assert!(matches!(
        s.add_contact("ecar\u{202e}g", None, t(0)),
        Err(StoreError::InvalidName(NameError::BidiControl { .. }))
    ));
    assert!(matches!(
        s.add_contact("Al\u{200b}ice", None, t(0)),
        Err(StoreError::InvalidName(
            NameError::InvisibleCharacter { .. }
        ))
    ));
    // A lookalike of an existing contact needs the explicit override.
    let (ka, kb) = (key(), key());
    s.add_contact_with_key("alice", None, &ka, t(1)).unwrap();
    u.verify(&mut s, "alice", manual(ka), Intent::Verify, t(2))
        .unwrap();
    let fake = "\u{430}lice"; // Cyrillic а
    match s.add_contact_with_key(fake, None, &kb, t(3)) {
        Err(StoreError::Lookalike { name, existing }) => {
            assert_eq!((name.as_str(), existing.as_str()), (fake, "alice"));
        }
        other => panic!("expected Lookalike, got {other:?}"),
    }
    assert_eq!(s.lookalike_of(fake).unwrap().as_deref(), Some("alice"));
    assert_eq!(s.names().unwrap().len(), 2);
    s.add_contact_allowing_lookalike(fake, None, Some(&kb), t(3))
        .unwrap();
    // They are two contacts: verifying one never credits the other.
    assert_eq!(s.status(fake, &u.own).unwrap(), TrustStatus::Unverified);
    assert_eq!(
        refusal(u.verify(&mut s, fake, manual(ka), Intent::Verify, t(4))),
        Refusal::Mismatch {
            current: kb,
            checked: ka
        }
    );
    assert!(s.status("alice", &u.own).unwrap().is_verified());
}

#[test]
fn list_keys_forget() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let (ka, kb, kb2) = (key(), key(), key());
    s.add_contact("Zed", None, t(0)).unwrap();
    s.add_contact("Ann", Some("ann"), t(0)).unwrap();
    s.observe_key("Ann", &ka, t(1)).unwrap();
    s.observe_key("Zed", &kb, t(1)).unwrap();
    u.verify(&mut s, "Zed", u.camera(kb), Intent::Verify, t(2))
        .unwrap();
    s.observe_key("Zed", &kb2, t(3)).unwrap();
    s.observe_key("Zed", &kb2, t(9)).unwrap();
    s.add_contact("Mo", None, t(0)).unwrap();

    let l = s.list(&u.own).unwrap();
    let names: Vec<_> = l.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Mo", "Zed"]);
    assert_eq!(s.names().unwrap(), names);
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
        s.status("Zed", &u.own),
        Err(StoreError::ContactNotFound { .. })
    ));
    assert_eq!(s.receipt(&receipt.id()).unwrap(), None);
    // A forgotten contact comes back fresh.
    s.add_contact("Zed", None, t(10)).unwrap();
    assert_eq!(s.history("Zed").unwrap().len(), 1);
    assert!(s.keys("Zed").unwrap().is_empty());
    assert_eq!(s.status("Zed", &u.own).unwrap(), TrustStatus::Unverified);
    s.integrity_check().unwrap();
}

#[test]
fn receipts_are_stored_and_importable_elsewhere() {
    let (_d, mut s) = fresh();
    let u = User::new();
    let peer = new_identity();
    let k = peer.public_key();
    s.add_contact("Eve", Some("eve@example.org"), t(0)).unwrap();
    s.observe_key("Eve", &k, t(0)).unwrap();
    let r1 = u
        .verify(&mut s, "Eve", u.camera(k), Intent::Verify, t(1))
        .unwrap();
    let r2 = u
        .verify(&mut s, "Eve", u.sas(&peer), Intent::Verify, t(2))
        .unwrap();
    assert_eq!(s.receipts("Eve").unwrap(), vec![r2.clone(), r1.clone()]);
    assert_eq!(s.receipt(&r1.id()).unwrap(), Some(r1.clone()));

    // Another device of the same user imports the newest receipt.
    let (_d2, mut other) = fresh();
    let text = r2.to_text();
    let parsed = Receipt::from_text(&text).unwrap();
    let stranger = OwnKeys::new(key());
    assert_eq!(
        refusal(other.import_receipt(&parsed, &stranger, t(5))),
        Refusal::NotYourReceipt {
            signer: u.me.public_key()
        }
    );
    assert!(other.list(&u.own).unwrap().is_empty());
    assert_eq!(
        other.import_receipt(&parsed, &u.own, t(5)).unwrap(),
        ImportOutcome::Imported
    );
    assert_eq!(
        other.import_receipt(&parsed, &u.own, t(6)).unwrap(),
        ImportOutcome::AlreadyPresent
    );
    let c = other.contact("Eve", &u.own).unwrap();
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
            receipt: r2.id(),
            applied: true,
        }
    );
    assert_eq!(last.at, t(5));

    // A receipt for a key that is not the contact's current key lands in the
    // history only, and verifies nothing.
    let (_d3, mut third) = fresh();
    let current = key();
    third
        .add_contact_with_key("Eve", Some("eve@example.org"), &current, t(0))
        .unwrap();
    assert_eq!(
        third.import_receipt(&parsed, &u.own, t(1)).unwrap(),
        ImportOutcome::HistoryOnly {
            reason: HistoryOnlyReason::NotCurrentKey { current }
        }
    );
    assert_eq!(third.receipts("Eve").unwrap(), vec![r2.clone()]);
    assert_eq!(
        third.status("Eve", &u.own).unwrap(),
        TrustStatus::Unverified
    );
    let last = third.history("Eve").unwrap().pop().unwrap();
    assert_eq!(
        last.kind,
        EventKind::ReceiptImported {
            key: k,
            method: VerificationMethod::SasSession,
            receipt: r2.id(),
            applied: false,
        }
    );
}

#[test]
fn import_never_clears_a_key_change_alert() {
    let u = User::new();
    let (k1, k2) = (key(), key());
    // This device verified Bob's first key; his key changed since.
    let (_d, mut s) = fresh();
    s.add_contact_with_key("Bob", None, &k1, t(0)).unwrap();
    u.verify(&mut s, "Bob", manual(k1), Intent::Verify, t(1))
        .unwrap();
    s.observe_key("Bob", &k2, t(2)).unwrap();
    // Another device of the user's verified the new key.
    let (_d2, mut other) = fresh();
    other.add_contact_with_key("Bob", None, &k2, t(2)).unwrap();
    let r2 = u
        .verify(&mut other, "Bob", u.safety_number(k2), Intent::Verify, t(3))
        .unwrap();

    // Importing it here keeps the alert: the receipt lands in the history.
    let changed = s.status("Bob", &u.own).unwrap();
    assert!(matches!(changed, TrustStatus::KeyChanged { .. }));
    let out = s.import_receipt(&r2, &u.own, t(4)).unwrap();
    assert_eq!(
        out,
        ImportOutcome::HistoryOnly {
            reason: HistoryOnlyReason::KeyChangeAlert { old: k1, new: k2 }
        }
    );
    assert_eq!(s.status("Bob", &u.own).unwrap(), changed);
    assert_eq!(
        s.history("Bob").unwrap().pop().unwrap().kind,
        EventKind::ReceiptImported {
            key: k2,
            method: VerificationMethod::SafetyNumber,
            receipt: r2.id(),
            applied: false,
        }
    );
    assert_eq!(
        s.import_receipt(&r2, &u.own, t(5)).unwrap(),
        ImportOutcome::AlreadyPresent
    );
    assert_eq!(s.status("Bob", &u.own).unwrap(), changed);

    // The key-change flow may use it once the person reviewed it, and only it.
    let e = s.review_receipt("Bob", &r2.id(), &u.own).unwrap();
    assert_eq!(e.key(), &k2);
    assert_eq!(e.method(), VerificationMethod::SafetyNumber);
    assert_eq!(
        refusal(u.verify(&mut s, "Bob", e.clone(), Intent::Verify, t(6))),
        Refusal::KeyChangedNeedsConfirmation { old: k1, new: k2 }
    );
    let done = s
        .verify(
            "Bob",
            e,
            Intent::ConfirmKeyChange { old: k1, new: k2 },
            &u.me,
            &u.own,
            t(6),
        )
        .unwrap();
    assert_eq!(done.receipt, r2);
    assert_eq!(done.replaced, Some(k1));
    assert_eq!(
        s.status("Bob", &u.own).unwrap(),
        TrustStatus::Verified {
            since: t(3),
            method: VerificationMethod::SafetyNumber
        }
    );
    // No new receipt was signed for it.
    assert_eq!(s.receipts("Bob").unwrap().len(), 2);
    assert_eq!(
        s.history("Bob").unwrap().pop().unwrap().kind,
        EventKind::Verified {
            key: k2,
            method: VerificationMethod::SafetyNumber,
            receipt: r2.id()
        }
    );
    s.integrity_check().unwrap();
}

#[test]
fn reviewed_receipt_of_one_contact_verifies_no_other() {
    let u = User::new();
    let (ka, kb, shared) = (key(), key(), key());
    let (_d, mut s) = fresh();
    // Alice and Bob were verified; both now show the same new key.
    for (name, k) in [("Alice", ka), ("Bob", kb)] {
        s.add_contact_with_key(name, None, &k, t(0)).unwrap();
        u.verify(&mut s, name, manual(k), Intent::Verify, t(1))
            .unwrap();
        s.observe_key(name, &shared, t(2)).unwrap();
    }
    // A receipt for Alice's new key, from another device, in her history.
    let (_d2, mut other) = fresh();
    other
        .add_contact_with_key("Alice", None, &shared, t(2))
        .unwrap();
    let ra = u
        .verify(&mut other, "Alice", manual(shared), Intent::Verify, t(3))
        .unwrap();
    assert!(matches!(
        s.import_receipt(&ra, &u.own, t(4)).unwrap(),
        ImportOutcome::HistoryOnly { .. }
    ));
    let e = s.review_receipt("Alice", &ra.id(), &u.own).unwrap();
    // Bob's history has no such receipt: refused, nothing recorded.
    assert_eq!(
        refusal(u.verify(
            &mut s,
            "Bob",
            e.clone(),
            Intent::ConfirmKeyChange {
                old: kb,
                new: shared
            },
            t(5)
        )),
        Refusal::ReceiptNotInHistory
    );
    assert!(matches!(
        s.status("Bob", &u.own).unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
    assert_eq!(
        refusal(s.review_receipt("Bob", &ra.id(), &u.own)),
        Refusal::ReceiptNotInHistory
    );
    // For Alice it is what the key-change flow needs.
    u.verify(
        &mut s,
        "Alice",
        e,
        Intent::ConfirmKeyChange {
            old: ka,
            new: shared,
        },
        t(5),
    )
    .unwrap();
    assert!(s.status("Alice", &u.own).unwrap().is_verified());
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
    assert_eq!(v, verifier_store::SCHEMA_VERSION);
    assert_eq!(v, 2);
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, verifier_store::APPLICATION_ID);
    let applied: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('verifications') WHERE name = 'applied'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(applied, 1);
}

/// Schema version 1, as released.
const SCHEMA_V1: &str = "
    CREATE TABLE contacts (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        stable_id      TEXT UNIQUE,
        created_at     INTEGER NOT NULL,
        current_key_id INTEGER,
        current_since  INTEGER,
        trusted_key_id INTEGER,
        changed_at     INTEGER
    );
    CREATE TABLE keys (
        id         INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        key_type   INTEGER NOT NULL,
        key_bytes  BLOB NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen  INTEGER NOT NULL,
        UNIQUE (contact_id, key_type, key_bytes)
    );
    CREATE TABLE verifications (
        id          INTEGER PRIMARY KEY,
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        key_id      INTEGER NOT NULL REFERENCES keys(id) ON DELETE CASCADE,
        method      INTEGER NOT NULL,
        verified_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        imported    INTEGER NOT NULL,
        receipt_id  BLOB NOT NULL UNIQUE,
        receipt     BLOB NOT NULL
    );
    CREATE INDEX verifications_contact ON verifications (contact_id, verified_at);
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        key_id      INTEGER REFERENCES keys(id) ON DELETE CASCADE,
        from_key_id INTEGER REFERENCES keys(id) ON DELETE CASCADE,
        method      INTEGER,
        receipt_id  BLOB
    );
    CREATE INDEX events_contact ON events (contact_id, id);
";

#[test]
fn version_1_store_is_migrated_and_its_imports_still_count() {
    let u = User::new();
    let (_d, s) = fresh();
    let path = s.path().to_owned();
    drop(s);
    std::fs::remove_file(&path).unwrap();
    // A version 1 store: Ann verified here, Ben from an imported receipt.
    let (ka, kb) = (key(), key());
    let (_d2, mut maker) = fresh();
    let mut receipts = Vec::new();
    for (name, k) in [("Ann", ka), ("Ben", kb)] {
        maker.add_contact_with_key(name, None, &k, t(0)).unwrap();
        receipts.push(
            u.verify(&mut maker, name, manual(k), Intent::Verify, t(1))
                .unwrap(),
        );
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        for (i, ((name, k), r)) in [("Ann", ka), ("Ben", kb)]
            .into_iter()
            .zip(&receipts)
            .enumerate()
        {
            let cid = i as i64 + 1;
            let imported = i == 1;
            conn.execute(
                "INSERT INTO contacts (id, name, created_at, current_key_id, current_since, trusted_key_id)
                 VALUES (?1, ?2, 1700000000, ?1, 1700000000, ?1)",
                rusqlite::params![cid, name],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO keys (id, contact_id, key_type, key_bytes, first_seen, last_seen)
                 VALUES (?1, ?1, ?2, ?3, 1700000000, 1700000000)",
                rusqlite::params![cid, k.key_type().code(), k.as_bytes().as_slice()],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO verifications
                   (contact_id, key_id, method, verified_at, recorded_at, imported, receipt_id, receipt)
                 VALUES (?1, ?1, 4, 1700000001, 1700000001, ?2, ?3, ?4)",
                rusqlite::params![cid, imported, r.id().as_bytes().as_slice(), r.as_bytes()],
            )
            .unwrap();
            let kind = if imported {
                "receipt_imported"
            } else {
                "verified"
            };
            conn.execute_batch(&format!(
                "INSERT INTO events (contact_id, at, kind) VALUES ({cid}, 1700000000, 'contact_added');
                 INSERT INTO events (contact_id, at, kind, key_id) VALUES ({cid}, 1700000000, 'key_first_seen', {cid});"
            ))
            .unwrap();
            conn.execute(
                "INSERT INTO events (contact_id, at, kind, key_id, method, receipt_id)
                 VALUES (?1, 1700000001, ?2, ?1, 4, ?3)",
                rusqlite::params![cid, kind, r.id().as_bytes().as_slice()],
            )
            .unwrap();
        }
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.pragma_update(None, "application_id", verifier_store::APPLICATION_ID)
            .unwrap();
    }
    let s = Store::open(&path).unwrap();
    s.integrity_check().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 2);
    // Imports made before version 2 counted, and still do.
    for name in ["Ann", "Ben"] {
        assert_eq!(
            s.status(name, &u.own).unwrap(),
            TrustStatus::Verified {
                since: t(1),
                method: VerificationMethod::Manual
            },
            "{name}"
        );
    }
    assert_eq!(
        s.history("Ben").unwrap().pop().unwrap().kind,
        EventKind::ReceiptImported {
            key: kb,
            method: VerificationMethod::Manual,
            receipt: receipts[1].id(),
            applied: true,
        }
    );
}
