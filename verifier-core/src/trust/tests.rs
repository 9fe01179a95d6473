//! The engine alone: handmade facts in, statuses and decisions out.

use super::*;
use crate::identity::Identity;
use crate::key::PublicKey;
use crate::receipt::ComparedScheme;
use crate::receipt::{
    Receipt, ReceiptEvidence, ReceiptId, ReceiptStatement, Timestamp, VerificationMethod,
};
use crate::rotation::{Rotation, RotationChain};

fn ident(n: u8) -> Identity {
    Identity::from_seed(&[n; 32]).unwrap()
}

fn key(n: u8) -> PublicKey {
    ident(n).public_key()
}

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + s)
}

/// The user's identity in these tests.
fn me() -> Identity {
    ident(1)
}

fn own() -> OwnKeys {
    OwnKeys::new(key(1))
}

/// A receipt signed by `signer` for the contact `name` (`id`): key `k`
/// verified at `at` by `method`.
fn receipt_named(
    signer: &Identity,
    name: &str,
    id: Option<&str>,
    k: PublicKey,
    at: u64,
    method: VerificationMethod,
) -> Receipt {
    let detail = ReceiptEvidence::new(ComparedScheme::FullKey, 1);
    Receipt::sign(
        signer,
        ReceiptStatement::new(k, name, id, t(at), method, detail).unwrap(),
    )
}

/// A receipt signed by `signer` for the contact of `f`.
fn receipt_for(
    f: &ContactFacts,
    signer: &Identity,
    k: PublicKey,
    at: u64,
    method: VerificationMethod,
) -> Receipt {
    receipt_named(signer, &f.name, f.stable_id.as_deref(), k, at, method)
}

fn seen(f: &mut ContactFacts, at: u64, k: PublicKey) {
    f.push(LogEntry::new(t(at), LogKind::KeySeen { key: k }));
}

fn record(f: &mut ContactFacts, at: u64, r: &Receipt) {
    f.push(LogEntry::new(
        t(at),
        LogKind::Verified {
            receipt: Some(r.as_bytes().to_vec()),
        },
    ));
}

/// Records a verification of `k` by the user, made at `at` (manual).
fn verified(f: &mut ContactFacts, at: u64, k: PublicKey) -> Receipt {
    let r = receipt_for(f, &me(), k, at, VerificationMethod::Manual);
    record(f, at, &r);
    r
}

fn imported(f: &mut ContactFacts, at: u64, r: &Receipt, applied: bool) {
    f.push(LogEntry::new(
        t(at),
        LogKind::ReceiptImported {
            receipt: Some(r.as_bytes().to_vec()),
            applied,
        },
    ));
}

fn accepted(f: &mut ContactFacts, at: u64, k: PublicKey) {
    f.push(LogEntry::new(t(at), LogKind::KeyAccepted { key: k }));
}

/// Bob with key 2, verified by the user at 1.
fn verified_bob() -> ContactFacts {
    let mut f = ContactFacts::new("bob", Some("@bob:example.org"));
    seen(&mut f, 0, key(2));
    verified(&mut f, 1, key(2));
    f
}

/// [`verified_bob`] whose key then changed to key 3 (at 5).
fn changed_bob() -> ContactFacts {
    let mut f = verified_bob();
    seen(&mut f, 5, key(3));
    f
}

fn status(f: &ContactFacts) -> TrustStatus {
    assess(f, &own()).status
}

fn tamper(f: &ContactFacts, owned: &OwnKeys) -> Tamper {
    match assess(f, owned).status {
        TrustStatus::Tampered { problem } => problem,
        other => panic!("expected tampered, got {other:?}"),
    }
}

fn manual(k: PublicKey) -> Evidence {
    Evidence::manual_assertion(k)
}

fn confirm(old: PublicKey, new: PublicKey) -> Intent {
    Intent::ConfirmKeyChange { old, new }
}

// --- assess -----------------------------------------------------------

#[test]
fn contact_without_verification_is_unverified() {
    let mut f = ContactFacts::new("bob", None);
    let a = assess(&f, &own());
    assert_eq!(a.status, TrustStatus::Unverified);
    assert_eq!((a.current_key, a.verified_key), (None, None));
    seen(&mut f, 0, key(2));
    let a = assess(&f, &own());
    assert_eq!(a.status, TrustStatus::Unverified);
    assert_eq!(a.current_key, Some(key(2)));
    assert!(!a.status.is_verified());
}

#[test]
fn verified_reads_the_receipt_for_the_current_key() {
    let mut f = ContactFacts::new("bob", Some("@bob:example.org"));
    seen(&mut f, 0, key(2));
    let r = receipt_for(&f, &me(), key(2), 3, VerificationMethod::QrCamera);
    // The receipt's time counts, not when the store wrote the entry.
    record(&mut f, 4, &r);
    let a = assess(&f, &own());
    assert_eq!(
        a.status,
        TrustStatus::Verified {
            since: t(3),
            method: VerificationMethod::QrCamera
        }
    );
    assert_eq!(a.current_key, Some(key(2)));
    assert_eq!(a.verified_key, Some(key(2)));
    assert!(a.status.is_verified());
    assert_eq!(a.status.name(), "verified");
}

#[test]
fn key_change_after_verification_reads_key_changed_from_the_first_change() {
    let mut f = changed_bob();
    let changed = TrustStatus::KeyChanged {
        previous_verified_key: key(2),
        since: t(5),
    };
    assert_eq!(status(&f), changed);
    assert_eq!(changed.name(), "key_changed");
    // A further change keeps the verified key and the time of the first change.
    seen(&mut f, 6, key(4));
    let a = assess(&f, &own());
    assert_eq!(a.status, changed);
    assert_eq!(a.current_key, Some(key(4)));
    assert_eq!(a.verified_key, Some(key(2)));
}

#[test]
fn changing_back_to_the_verified_key_reads_verified_again() {
    let mut f = changed_bob();
    seen(&mut f, 6, key(2));
    assert_eq!(
        status(&f),
        TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::Manual
        }
    );
    // Changing away again raises a new alert, from the new change.
    seen(&mut f, 7, key(3));
    assert_eq!(
        status(&f),
        TrustStatus::KeyChanged {
            previous_verified_key: key(2),
            since: t(7)
        }
    );
}

#[test]
fn accepted_key_reads_unverified_and_later_changes_raise_no_alert() {
    let mut f = changed_bob();
    accepted(&mut f, 6, key(3));
    let a = assess(&f, &own());
    assert_eq!(a.status, TrustStatus::Unverified);
    assert_eq!(a.verified_key, None);
    seen(&mut f, 7, key(4));
    assert_eq!(status(&f), TrustStatus::Unverified);
    // Even the formerly verified key reads unverified after the acceptance.
    seen(&mut f, 8, key(2));
    assert_eq!(status(&f), TrustStatus::Unverified);
}

#[test]
fn imported_receipt_counts_only_when_applied() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let r = receipt_for(&f, &me(), key(2), 1, VerificationMethod::SasSession);
    imported(&mut f, 2, &r, false);
    assert_eq!(status(&f), TrustStatus::Unverified);
    imported(&mut f, 3, &r, true);
    assert_eq!(
        status(&f),
        TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::SasSession
        }
    );
}

#[test]
fn receipt_naming_another_contact_reads_tampered() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let carols = receipt_named(&me(), "carol", None, key(2), 1, VerificationMethod::Manual);
    record(&mut f, 1, &carols);
    let p = tamper(&f, &own());
    assert_eq!(
        p,
        Tamper::OtherContact {
            receipt_name: "carol".into()
        }
    );
    assert_eq!(p.name(), "other_contact");
    // Same name, another stable identifier: another contact too.
    let mut f = ContactFacts::new("bob", Some("@bob:a.example"));
    seen(&mut f, 0, key(2));
    let other = receipt_named(
        &me(),
        "bob",
        Some("@bob:b.example"),
        key(2),
        1,
        VerificationMethod::Manual,
    );
    record(&mut f, 1, &other);
    assert_eq!(
        tamper(&f, &own()),
        Tamper::OtherContact {
            receipt_name: "bob".into()
        }
    );
    // Also in the history only: every recorded receipt is checked.
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    imported(&mut f, 1, &carols, false);
    assert_eq!(tamper(&f, &own()).name(), "other_contact");
}

#[test]
fn receipt_with_bad_bytes_reads_tampered() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let mut bytes = receipt_for(&f, &me(), key(2), 1, VerificationMethod::Manual)
        .as_bytes()
        .to_vec();
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    let mut bad_sig = f.clone();
    bad_sig.push(LogEntry::new(
        t(1),
        LogKind::Verified {
            receipt: Some(bytes.clone()),
        },
    ));
    let p = tamper(&bad_sig, &own());
    assert_eq!(
        p,
        Tamper::BadReceipt {
            error: "bad_signature"
        }
    );
    assert_eq!(p.name(), "bad_receipt");
    for (junk, error) in [
        (b"not a receipt".to_vec(), "not_a_receipt"),
        (bytes[..bytes.len() - 10].to_vec(), "truncated"),
    ] {
        let mut g = f.clone();
        g.push(LogEntry::new(
            t(1),
            LogKind::ReceiptImported {
                receipt: Some(junk),
                applied: false,
            },
        ));
        assert_eq!(tamper(&g, &own()), Tamper::BadReceipt { error });
    }
}

#[test]
fn missing_receipt_reads_tampered() {
    for kind in [
        LogKind::Verified { receipt: None },
        LogKind::ReceiptImported {
            receipt: None,
            applied: false,
        },
    ] {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        f.push(LogEntry::new(t(1), kind));
        let p = tamper(&f, &own());
        assert_eq!(p, Tamper::MissingReceipt);
        assert_eq!(p.name(), "missing_receipt");
    }
}

#[test]
fn receipt_signed_by_a_stranger_reads_tampered() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let r = receipt_for(&f, &ident(9), key(2), 1, VerificationMethod::Manual);
    imported(&mut f, 1, &r, true);
    let p = tamper(&f, &own());
    assert_eq!(p, Tamper::ForeignSigner { signer: key(9) });
    assert_eq!(p.name(), "foreign_signer");
}

#[test]
fn verification_of_a_key_not_current_then_reads_tampered() {
    // Key 2 was replaced by key 3 before the (forged) verification of key 2.
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    seen(&mut f, 1, key(3));
    verified(&mut f, 2, key(2));
    let p = tamper(&f, &own());
    assert_eq!(p, Tamper::KeyNotCurrentThen { key: key(2) });
    assert_eq!(p.name(), "key_not_current_then");
    // A verification before any key was seen.
    let mut f = ContactFacts::new("bob", None);
    verified(&mut f, 0, key(2));
    seen(&mut f, 1, key(2));
    assert_eq!(
        tamper(&f, &own()),
        Tamper::KeyNotCurrentThen { key: key(2) }
    );
    // Status-only copies of it count the same way.
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    seen(&mut f, 1, key(3));
    let r = receipt_for(&f, &me(), key(2), 2, VerificationMethod::Manual);
    imported(&mut f, 2, &r, true);
    assert_eq!(
        tamper(&f, &own()),
        Tamper::KeyNotCurrentThen { key: key(2) }
    );
    // A history-only receipt may be for any key.
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    seen(&mut f, 1, key(3));
    imported(&mut f, 2, &r, false);
    assert_eq!(status(&f), TrustStatus::Unverified);
}

#[test]
fn current_key_disagreeing_with_the_log_reads_tampered() {
    let mut f = verified_bob();
    f.current_key = Some(key(3));
    let a = assess(&f, &own());
    assert_eq!(
        a.status,
        TrustStatus::Tampered {
            problem: Tamper::InconsistentHistory
        }
    );
    // The record's key is reported as it is; nothing counts as verified.
    assert_eq!(a.current_key, Some(key(3)));
    assert_eq!(a.verified_key, None);
    assert_eq!(Tamper::InconsistentHistory.name(), "inconsistent_history");
    // No current key recorded although the log has one.
    let mut f = verified_bob();
    f.current_key = None;
    assert_eq!(tamper(&f, &own()), Tamper::InconsistentHistory);
    // An acceptance of a key that was not current.
    let mut f = changed_bob();
    accepted(&mut f, 6, key(4));
    assert_eq!(tamper(&f, &own()), Tamper::InconsistentHistory);
}

#[test]
fn receipt_of_a_former_identity_reads_new_identity() {
    let lost = ident(9);
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let r = receipt_for(&f, &lost, key(2), 1, VerificationMethod::Manual);
    record(&mut f, 1, &r);
    let with_former = own().with_former([key(9)]);
    let a = assess(&f, &with_former);
    assert_eq!(a.status, TrustStatus::NewIdentity);
    assert_eq!(a.status.name(), "new_identity");
    assert!(!a.status.is_verified());
    assert_eq!(a.verified_key, Some(key(2)));
    // Without knowing it was the user's, the signer is a stranger.
    assert_eq!(tamper(&f, &own()), Tamper::ForeignSigner { signer: key(9) });
    // Its key changing still raises the alert.
    seen(&mut f, 2, key(3));
    assert_eq!(
        assess(&f, &with_former).status,
        TrustStatus::KeyChanged {
            previous_verified_key: key(2),
            since: t(2)
        }
    );
    // The current identity is never "former".
    assert_eq!(own().with_former([key(1)]), own());
}

#[test]
fn receipt_of_a_rotated_identity_stays_verified() {
    let old = ident(9);
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let r = receipt_for(&f, &old, key(2), 1, VerificationMethod::Manual);
    record(&mut f, 1, &r);
    let chain =
        RotationChain::new(vec![Rotation::sign(&old, &me(), t(2)).unwrap()], &key(1)).unwrap();
    // A rotation overrides an earlier "former" classification.
    let owned = own().with_former([key(9)]).with_rotation_chain(&chain);
    assert!(owned.is_own(&key(9)));
    assert!(assess(&f, &owned).status.is_verified());
    // A chain for another current identity adds nothing.
    let other = OwnKeys::new(key(7)).with_rotation_chain(&chain);
    assert!(!other.is_own(&key(9)));
    assert_eq!(tamper(&f, &other), Tamper::ForeignSigner { signer: key(9) });
}

// --- decide -----------------------------------------------------------

#[test]
fn first_key_comes_from_the_evidence() {
    let f = ContactFacts::new("bob", Some("@bob:example.org"));
    let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
    assert!(a.is_first_key());
    assert_eq!(a.key(), &key(2));
    assert_eq!(a.contact_name(), "bob");
    assert_eq!(a.method(), VerificationMethod::Manual);
    assert_eq!(a.replaces(), None);
    assert_eq!(a.record(), &Record::SignNew);
    let st = a.statement(t(9)).unwrap();
    assert_eq!(st.key(), &key(2));
    assert_eq!(st.contact_name(), "bob");
    assert_eq!(st.contact_id(), Some("@bob:example.org"));
    assert_eq!(st.verified_at(), t(9));
    assert_eq!(st.method(), VerificationMethod::Manual);
    assert_eq!(
        st.evidence(),
        Some(&ReceiptEvidence::new(ComparedScheme::FullKey, 1))
    );
    // There is no key change to confirm for a contact without a key.
    assert_eq!(
        decide(&f, &own(), manual(key(2)), confirm(key(3), key(2))).unwrap_err(),
        Refusal::NoKeyChange
    );
}

#[test]
fn current_key_is_approved_again_and_again() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
    assert!(!a.is_first_key());
    assert_eq!(a.replaces(), None);
    // Once verified, verifying the same key again is fine (a newer receipt).
    let f = verified_bob();
    let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
    assert_eq!(a.record(), &Record::SignNew);
    // After an accepted change, the new key is verified plainly.
    let mut f = changed_bob();
    accepted(&mut f, 6, key(3));
    assert!(decide(&f, &own(), manual(key(3)), Intent::Verify).is_ok());
}

#[test]
fn scripted_answer_is_refused() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let scripted = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Script);
    let r = decide(&f, &own(), scripted, Intent::Verify).unwrap_err();
    assert_eq!(r, Refusal::NotComparedByPerson);
    assert_eq!(r.code(), "not_compared_by_person");
    // Checked first: not even a contact without a key gets one from it.
    let none = ContactFacts::new("bob", None);
    let scripted = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Script);
    assert_eq!(
        decide(&none, &own(), scripted, Intent::Verify).unwrap_err(),
        Refusal::NotComparedByPerson
    );
    // The same session compared by a person is approved, with its digest.
    let person = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Person);
    let a = decide(&f, &own(), person, Intent::Verify).unwrap();
    assert_eq!(a.method(), VerificationMethod::SasSession);
    let st = a.statement(t(1)).unwrap();
    assert_eq!(st.evidence().and_then(|e| e.digest()), Some(&[7; 32]));
}

#[test]
fn tampered_contact_is_refused() {
    let mut f = verified_bob();
    f.current_key = Some(key(3));
    let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
    assert_eq!(
        r,
        Refusal::Tampered {
            problem: Tamper::InconsistentHistory
        }
    );
    assert_eq!(r.code(), "tampered");
}

#[test]
fn evidence_for_another_key_is_a_mismatch() {
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(2));
    let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
    assert_eq!(
        r,
        Refusal::Mismatch {
            current: key(2),
            checked: key(3)
        }
    );
    assert_eq!(r.code(), "mismatch");
    // After a change, evidence for the old key does not confirm anything.
    let f = changed_bob();
    assert_eq!(
        decide(&f, &own(), manual(key(2)), confirm(key(2), key(3))).unwrap_err(),
        Refusal::Mismatch {
            current: key(3),
            checked: key(2)
        }
    );
}

#[test]
fn changed_key_is_verified_only_in_the_key_change_flow() {
    let f = changed_bob();
    let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
    assert_eq!(
        r,
        Refusal::KeyChangedNeedsConfirmation {
            old: key(2),
            new: key(3)
        }
    );
    assert_eq!(r.code(), "key_changed_needs_confirmation");
    // A confirmation of another pair than the contact has is stale.
    for (shown_old, shown_new) in [(key(9), key(3)), (key(2), key(9)), (key(3), key(2))] {
        let r = decide(&f, &own(), manual(key(3)), confirm(shown_old, shown_new)).unwrap_err();
        assert_eq!(
            r,
            Refusal::StaleKeyChange {
                shown_old,
                shown_new,
                old: key(2),
                new: key(3)
            }
        );
        assert_eq!(r.code(), "stale_key_change");
    }
    let a = decide(&f, &own(), manual(key(3)), confirm(key(2), key(3))).unwrap();
    assert_eq!(a.key(), &key(3));
    assert_eq!(a.replaces(), Some(&key(2)));
    assert!(!a.is_first_key());
    assert_eq!(a.record(), &Record::SignNew);
}

#[test]
fn confirming_a_key_change_that_did_not_happen_is_refused() {
    // Verified, unverified, and changed back to the verified key.
    let mut unverified = ContactFacts::new("bob", None);
    seen(&mut unverified, 0, key(2));
    let mut back = changed_bob();
    seen(&mut back, 6, key(2));
    for f in [verified_bob(), unverified, back] {
        let r = decide(&f, &own(), manual(key(2)), confirm(key(9), key(2))).unwrap_err();
        assert_eq!(r, Refusal::NoKeyChange);
        assert_eq!(r.code(), "no_key_change");
    }
}

/// Bob changed from the verified key 2 to key 3, and the user's receipt
/// for key 3 (made on another device) is in the history only.
fn bob_with_receipt_for_new_key() -> (ContactFacts, Receipt) {
    let mut f = changed_bob();
    let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::SafetyNumber);
    imported(&mut f, 6, &r, false);
    (f, r)
}

#[test]
fn reviewed_receipt_is_evidence_only_in_the_key_change_flow() {
    let (f, r) = bob_with_receipt_for_new_key();
    let e = review_receipt(&f, &own(), &r.id()).unwrap();
    assert_eq!(
        decide(&f, &own(), e.clone(), Intent::Verify).unwrap_err(),
        Refusal::KeyChangedNeedsConfirmation {
            old: key(2),
            new: key(3)
        }
    );
    let a = decide(&f, &own(), e.clone(), confirm(key(2), key(3))).unwrap();
    assert_eq!(a.record(), &Record::ApplyStored { id: r.id() });
    assert_eq!(a.method(), VerificationMethod::SafetyNumber);
    // Recorded, it counts from the receipt's own time.
    let mut g = f.clone();
    record(&mut g, 7, &r);
    assert_eq!(
        status(&g),
        TrustStatus::Verified {
            since: t(4),
            method: VerificationMethod::SafetyNumber
        }
    );
    // Without a key change, a reviewed receipt is no evidence for a plain verify.
    let mut accepted_bob = f.clone();
    accepted(&mut accepted_bob, 7, key(3));
    assert_eq!(
        decide(&accepted_bob, &own(), e, Intent::Verify).unwrap_err(),
        Refusal::NoKeyChange
    );
}

#[test]
fn reviewed_receipt_of_another_contact_is_refused() {
    let (alice, r) = {
        let mut f = ContactFacts::new("alice", None);
        seen(&mut f, 0, key(5));
        verified(&mut f, 1, key(5));
        seen(&mut f, 2, key(3));
        let r = receipt_for(&f, &me(), key(3), 3, VerificationMethod::Manual);
        imported(&mut f, 4, &r, false);
        (f, r)
    };
    let e = review_receipt(&alice, &own(), &r.id()).unwrap();
    // Bob's key changed to the same key 3: Alice's receipt says nothing about Bob.
    let bob = changed_bob();
    assert_eq!(
        decide(&bob, &own(), e.clone(), confirm(key(2), key(3))).unwrap_err(),
        Refusal::ReceiptNotInHistory
    );
    // Nor about a contact without a key.
    let none = ContactFacts::new("bob", None);
    assert_eq!(
        decide(&none, &own(), e, Intent::Verify).unwrap_err(),
        Refusal::ReceiptNotInHistory
    );
}

#[test]
fn every_refusal_code_is_stable_and_reachable() {
    let (f, _) = bob_with_receipt_for_new_key();
    let mut tampered = verified_bob();
    tampered.current_key = None;
    let theirs = receipt_for(&f, &ident(9), key(3), 4, VerificationMethod::Manual);
    let mut retired = changed_bob();
    let old = receipt_for(&retired, &me(), key(2), 1, VerificationMethod::Manual);
    verified(&mut retired, 6, key(3));
    seen(&mut retired, 7, key(2));
    let scripted = Evidence::sas(key(3), 1, [0; 32], ComparedBy::Script);
    let refusals = [
        Refusal::UnknownContact { name: "x".into() }, // made by the store
        decide(&tampered, &own(), manual(key(2)), Intent::Verify).unwrap_err(),
        decide(&f, &own(), scripted, Intent::Verify).unwrap_err(),
        decide(&f, &own(), manual(key(4)), Intent::Verify).unwrap_err(),
        decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err(),
        decide(&f, &own(), manual(key(3)), confirm(key(4), key(3))).unwrap_err(),
        decide(
            &verified_bob(),
            &own(),
            manual(key(2)),
            confirm(key(4), key(2)),
        )
        .unwrap_err(),
        decide_import(Some(&f), &own(), &theirs).unwrap_err(),
        review_receipt(&retired, &own(), &old.id()).unwrap_err(),
        review_receipt(&f, &own(), &ReceiptId::of_bytes(b"none")).unwrap_err(),
        review_receipt(&changed_bob(), &own(), &verified_bob_receipt().id()).unwrap_err(),
    ];
    let codes: Vec<&str> = refusals.iter().map(Refusal::code).collect();
    assert_eq!(
        codes,
        [
            "unknown_contact",
            "tampered",
            "not_compared_by_person",
            "mismatch",
            "key_changed_needs_confirmation",
            "stale_key_change",
            "no_key_change",
            "not_your_receipt",
            "retired_key",
            "receipt_not_in_history",
            "receipt_not_for_current_key",
        ]
    );
    // Every refusal says something.
    assert!(refusals.iter().all(|r| !r.to_string().is_empty()));
}

/// The receipt [`verified_bob`] records.
fn verified_bob_receipt() -> Receipt {
    let f = ContactFacts::new("bob", Some("@bob:example.org"));
    receipt_for(&f, &me(), key(2), 1, VerificationMethod::Manual)
}

// --- preview ----------------------------------------------------------

#[test]
fn preview_answers_what_a_plain_verify_would() {
    let verified = TrustStatus::Verified {
        since: t(1),
        method: VerificationMethod::Manual,
    };
    let changed = TrustStatus::KeyChanged {
        previous_verified_key: key(2),
        since: t(5),
    };
    // Unverified, verified, new identity: the current key would verify.
    for st in [TrustStatus::Unverified, verified, TrustStatus::NewIdentity] {
        assert_eq!(preview(&st, Some(&key(2)), &key(2)), Ok(()), "{st:?}");
        assert_eq!(
            preview(&st, Some(&key(2)), &key(4)),
            Err(Refusal::Mismatch {
                current: key(2),
                checked: key(4)
            }),
            "{st:?}"
        );
    }
    // No key yet: the checked key becomes the first key.
    assert_eq!(preview(&TrustStatus::Unverified, None, &key(4)), Ok(()));
    // Key changed: the new key needs the key-change flow; the old key or
    // any other is a mismatch.
    assert_eq!(
        preview(&changed, Some(&key(3)), &key(3)),
        Err(Refusal::KeyChangedNeedsConfirmation {
            old: key(2),
            new: key(3)
        })
    );
    for other in [key(2), key(4)] {
        assert_eq!(
            preview(&changed, Some(&key(3)), &other),
            Err(Refusal::Mismatch {
                current: key(3),
                checked: other
            })
        );
    }
    // Tampered: never anything else.
    let tampered = TrustStatus::Tampered {
        problem: Tamper::InconsistentHistory,
    };
    for (cur, checked) in [
        (Some(key(2)), key(2)),
        (Some(key(2)), key(3)),
        (None, key(2)),
    ] {
        assert_eq!(
            preview(&tampered, cur.as_ref(), &checked),
            Err(Refusal::Tampered {
                problem: Tamper::InconsistentHistory
            })
        );
    }
}

#[test]
fn preview_agrees_with_decide_for_a_plain_verify() {
    let mut new_contact = ContactFacts::new("bob", None);
    let mut tampered = verified_bob();
    tampered.current_key = Some(key(3));
    let mut back = changed_bob();
    seen(&mut back, 6, key(2));
    let mut accepted_bob = changed_bob();
    accepted(&mut accepted_bob, 6, key(3));
    let mut facts = vec![
        new_contact.clone(),
        verified_bob(),
        changed_bob(),
        tampered,
        back,
        accepted_bob,
    ];
    seen(&mut new_contact, 0, key(2));
    facts.push(new_contact);
    for f in &facts {
        let a = assess(f, &own());
        for checked in [key(2), key(3), key(4)] {
            let decided = decide(f, &own(), manual(checked), Intent::Verify).map(|_| ());
            assert_eq!(
                preview(&a.status, a.current_key.as_ref(), &checked),
                decided,
                "{:?} checked {checked}",
                a.status
            );
        }
    }
}

// --- decide_import ----------------------------------------------------

#[test]
fn import_applies_to_a_new_contact_or_the_current_key() {
    let f = ContactFacts::new("bob", None);
    let r = receipt_for(&f, &me(), key(2), 1, VerificationMethod::QrCamera);
    // No such contact yet, or no key yet: it brings the first key.
    assert_eq!(decide_import(None, &own(), &r), Ok(ImportDecision::Apply));
    assert_eq!(
        decide_import(Some(&f), &own(), &r),
        Ok(ImportDecision::Apply)
    );
    let mut f = f;
    seen(&mut f, 0, key(2));
    assert_eq!(
        decide_import(Some(&f), &own(), &r),
        Ok(ImportDecision::Apply)
    );
    verified(&mut f, 1, key(2));
    assert_eq!(
        decide_import(Some(&f), &own(), &r),
        Ok(ImportDecision::Apply)
    );
}

#[test]
fn import_during_a_key_change_alert_is_history_only() {
    let f = changed_bob();
    let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::QrCamera);
    let d = decide_import(Some(&f), &own(), &r).unwrap();
    let reason = HistoryOnlyReason::KeyChangeAlert {
        old: key(2),
        new: key(3),
    };
    assert_eq!(
        d,
        ImportDecision::HistoryOnly {
            reason: reason.clone()
        }
    );
    assert_eq!(reason.code(), "key_change_alert");
}

#[test]
fn import_for_another_key_is_history_only() {
    for f in [verified_bob(), changed_bob()] {
        let r = receipt_for(&f, &me(), key(8), 4, VerificationMethod::Manual);
        let current = assess(&f, &own()).current_key.unwrap();
        let reason = HistoryOnlyReason::NotCurrentKey { current };
        assert_eq!(reason.code(), "not_current_key");
        assert_eq!(
            decide_import(Some(&f), &own(), &r),
            Ok(ImportDecision::HistoryOnly { reason })
        );
    }
}

#[test]
fn import_of_a_receipt_not_signed_by_the_user_is_refused() {
    let f = verified_bob();
    let theirs = receipt_for(&f, &ident(9), key(2), 4, VerificationMethod::Manual);
    let r = decide_import(Some(&f), &own(), &theirs).unwrap_err();
    assert_eq!(r, Refusal::NotYourReceipt { signer: key(9) });
    assert_eq!(decide_import(None, &own(), &theirs), Err(r));
    // A lost (former) identity cannot vouch for anything new either.
    assert_eq!(
        decide_import(None, &own().with_former([key(9)]), &theirs).unwrap_err(),
        Refusal::NotYourReceipt { signer: key(9) }
    );
    // A rotated one can.
    let chain = RotationChain::new(
        vec![Rotation::sign(&ident(9), &me(), t(2)).unwrap()],
        &key(1),
    )
    .unwrap();
    let rotated = own().with_rotation_chain(&chain);
    assert_eq!(
        decide_import(Some(&f), &rotated, &theirs),
        Ok(ImportDecision::Apply)
    );
}

#[test]
fn import_into_a_tampered_contact_is_refused() {
    let mut f = verified_bob();
    f.current_key = Some(key(3));
    let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::Manual);
    assert_eq!(
        decide_import(Some(&f), &own(), &r),
        Err(Refusal::Tampered {
            problem: Tamper::InconsistentHistory
        })
    );
}

// --- review_receipt ---------------------------------------------------

#[test]
fn review_gives_evidence_from_the_receipt() {
    let (f, r) = bob_with_receipt_for_new_key();
    let e = review_receipt(&f, &own(), &r.id()).unwrap();
    assert_eq!(e.key(), &key(3));
    assert_eq!(e.method(), VerificationMethod::SafetyNumber);
    assert_eq!(e.reviewed_receipt(), Some(&r.id()));
    assert_eq!(e.compared_by(), ComparedBy::Person);
    assert_eq!(Some(e.detail()), r.statement().evidence());
}

#[test]
fn review_of_a_retired_key_is_refused() {
    // Key 2 was verified, then replaced by key 3, verified after it; key 2 comes back.
    let mut f = verified_bob();
    let old = verified_bob_receipt();
    seen(&mut f, 5, key(3));
    verified(&mut f, 6, key(3));
    seen(&mut f, 7, key(2));
    let r = review_receipt(&f, &own(), &old.id()).unwrap_err();
    assert_eq!(
        r,
        Refusal::RetiredKey {
            key: key(2),
            replaced_by: key(3)
        }
    );
    assert_eq!(r.code(), "retired_key");
    // Also a key that was only seen (never verified here) before key 3
    // was verified: an imported receipt for it cannot bring it back.
    let mut f = ContactFacts::new("bob", None);
    seen(&mut f, 0, key(4));
    seen(&mut f, 1, key(3));
    verified(&mut f, 2, key(3));
    seen(&mut f, 3, key(4));
    let r4 = receipt_for(&f, &me(), key(4), 0, VerificationMethod::Manual);
    imported(&mut f, 4, &r4, false);
    assert_eq!(
        review_receipt(&f, &own(), &r4.id()).unwrap_err(),
        Refusal::RetiredKey {
            key: key(4),
            replaced_by: key(3)
        }
    );
}

#[test]
fn review_of_an_unknown_receipt_is_refused() {
    let (f, _) = bob_with_receipt_for_new_key();
    let elsewhere = receipt_for(&f, &me(), key(3), 9, VerificationMethod::Manual);
    assert_eq!(
        review_receipt(&f, &own(), &elsewhere.id()).unwrap_err(),
        Refusal::ReceiptNotInHistory
    );
}

#[test]
fn review_without_a_key_change_is_refused() {
    let f = verified_bob();
    assert_eq!(
        review_receipt(&f, &own(), &verified_bob_receipt().id()).unwrap_err(),
        Refusal::NoKeyChange
    );
}

#[test]
fn review_of_a_receipt_for_another_key_is_refused() {
    let f = changed_bob();
    let r = review_receipt(&f, &own(), &verified_bob_receipt().id()).unwrap_err();
    assert_eq!(r, Refusal::ReceiptNotForCurrentKey { key: key(2) });
    assert_eq!(r.code(), "receipt_not_for_current_key");
}

#[test]
fn review_of_a_former_identitys_receipt_is_refused() {
    let mut f = changed_bob();
    let lost = receipt_for(&f, &ident(9), key(3), 4, VerificationMethod::Manual);
    imported(&mut f, 6, &lost, false);
    let with_former = own().with_former([key(9)]);
    assert!(matches!(
        assess(&f, &with_former).status,
        TrustStatus::KeyChanged { .. }
    ));
    assert_eq!(
        review_receipt(&f, &with_former, &lost.id()).unwrap_err(),
        Refusal::NotYourReceipt { signer: key(9) }
    );
}

#[test]
fn review_in_a_tampered_contact_is_refused() {
    let (mut f, r) = bob_with_receipt_for_new_key();
    f.current_key = Some(key(2));
    assert_eq!(
        review_receipt(&f, &own(), &r.id()).unwrap_err(),
        Refusal::Tampered {
            problem: Tamper::InconsistentHistory
        }
    );
}
