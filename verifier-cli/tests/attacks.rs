//! The threat model as code: one test per attack on "verified", each named
//! after the attack it stops, tried through the trust engine and the store
//! (as an embedder would) and through the `verifier` binary (as a person
//! would). `docs/threat-model.md` lists every scenario with its test here;
//! the app's scenarios are in `verifier-gui/tests/attacks.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{IdentityCard, Payload};
use verifier_core::receipt::{Receipt, Timestamp};
use verifier_core::rotation::{Rotation, RotationChain};
use verifier_core::safety_number::{Comparison, Party};
use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
use verifier_core::trust::{
    self, ComparedBy, Evidence, Intent, OwnKeys, QrSource, Refusal, Tamper, TrustStatus,
};
use verifier_store::{ImportOutcome, Store, StoreError};

const BIN: &str = env!("CARGO_BIN_EXE_verifier");

fn t(secs: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + secs)
}

fn ident(seed: u8) -> Identity {
    Identity::from_seed(&[seed; 32]).unwrap()
}

fn key(seed: u8) -> PublicKey {
    ident(seed).public_key()
}

/// A store in a temporary directory, with the user's identity.
struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: Store,
    me: Identity,
    own: OwnKeys,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.sqlite3");
        let store = Store::open(&path).unwrap();
        let me = ident(1);
        let own = OwnKeys::new(me.public_key());
        Fixture {
            _dir: dir,
            path,
            store,
            me,
            own,
        }
    }

    fn verify(
        &mut self,
        name: &str,
        e: Evidence,
        intent: Intent,
        at: u64,
    ) -> Result<Receipt, StoreError> {
        self.store
            .verify(name, e, intent, &self.me, &self.own, t(at))
            .map(|d| d.receipt)
    }

    fn status(&self, name: &str) -> TrustStatus {
        self.store.status(name, &self.own).unwrap()
    }
}

fn refusal(r: Result<impl std::fmt::Debug, StoreError>) -> Refusal {
    match r {
        Err(StoreError::Refused { refusal }) => *refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A person compared the full key: the one public evidence constructor.
fn manual(k: PublicKey) -> Evidence {
    Evidence::manual_assertion(k)
}

// ---------------------------------------------------------------------------
// Attack 1: after a key change, "verify" with no check verifies the new key.
// ---------------------------------------------------------------------------

#[test]
fn attack1_verify_after_key_change_without_key_change_flow_refused() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    f.store.observe_key("bob", &key(3), t(2)).unwrap();
    let r = refusal(f.verify("bob", manual(key(3)), Intent::Verify, 3));
    assert_eq!(
        r,
        Refusal::KeyChangedNeedsConfirmation {
            old: key(2),
            new: key(3)
        }
    );
    assert!(matches!(f.status("bob"), TrustStatus::KeyChanged { .. }));
    // A confirmation for another pair than the one the contact has is stale.
    let stale = refusal(f.verify(
        "bob",
        manual(key(3)),
        Intent::ConfirmKeyChange {
            old: key(9),
            new: key(3),
        },
        4,
    ));
    assert_eq!(stale.code(), "stale_key_change");
    // The key-change flow, naming old and new, checking the new key: verified.
    f.verify(
        "bob",
        manual(key(3)),
        Intent::ConfirmKeyChange {
            old: key(2),
            new: key(3),
        },
        5,
    )
    .unwrap();
    assert!(f.status("bob").is_verified());
}

#[test]
fn attack1_cli_verify_without_key_or_after_change_refused() {
    let env = Env::new();
    let me = env.keygen("me");
    let _ = me;
    let k1 = env.keygen("bob1");
    let k2 = env.keygen("bob2");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "bob", &k1, "--store", &s]));
    ok(&env.run(&["contacts", "verify", "bob", "--key", &k1, "--store", &s]));
    let obs = env.run(&["contacts", "observe", "bob", &k2, "--store", &s]);
    assert_eq!(obs.status.code(), Some(3), "{}", text(&obs));
    // No key: nothing was checked, nothing is recorded.
    let bare = env.run(&["contacts", "verify", "bob", "--store", &s]);
    assert!(!bare.status.success());
    assert!(stderr(&bare).contains("--key"), "{}", stderr(&bare));
    // The new key, without the key-change flow: refused, old and new side by side.
    let plain = env.run(&["contacts", "verify", "bob", "--key", &k2, "--store", &s]);
    assert_eq!(plain.status.code(), Some(3), "{}", text(&plain));
    let msg = stderr(&plain);
    assert!(
        msg.contains("CHANGED") && msg.contains("--replaces"),
        "{msg}"
    );
    assert!(msg.contains(&k1) && msg.contains(&k2), "{msg}");
    assert_eq!(status_of(&env, &s, "bob"), "key_changed");
    // The key-change flow.
    ok(&env.run(&[
        "contacts",
        "verify",
        "bob",
        "--key",
        &k2,
        "--replaces",
        &k1,
        "--store",
        &s,
    ]));
    assert_eq!(status_of(&env, &s, "bob"), "verified");
}

// ---------------------------------------------------------------------------
// Attack 2: a picture of a QR code for the swapped key credits whoever has it.
// ---------------------------------------------------------------------------

#[test]
fn attack2_scan_credits_nobody_by_key_alone() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    f.store.observe_key("bob", &key(3), t(2)).unwrap();
    let payload = Payload::Identity(IdentityCard {
        key: key(3),
        display_name: None,
        stable_id: None,
    });
    let (_, e) = verifier_core::qr::scan_evidence(&payload, &key(1), QrSource::Camera).unwrap();
    // Even a camera scan of the new key does not clear the alert by itself.
    let r = refusal(f.verify("bob", e.clone(), Intent::Verify, 3));
    assert_eq!(r.code(), "key_changed_needs_confirmation");
    // And it never lands on another contact whose key happens to match.
    f.store
        .add_contact_with_key("carol", None, &key(4), t(4))
        .unwrap();
    let r = refusal(f.verify("carol", e, Intent::Verify, 5));
    assert_eq!(
        r,
        Refusal::Mismatch {
            current: key(4),
            checked: key(3)
        }
    );
    assert_eq!(f.status("carol"), TrustStatus::Unverified);
}

#[test]
fn attack2_cli_scan_picture_of_swapped_key_not_credited() {
    let env = Env::new();
    env.keygen("me");
    let k1 = env.keygen("bob1");
    let k2 = env.keygen("bob2");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "bob", &k1, "--store", &s]));
    ok(&env.run(&["contacts", "verify", "bob", "--key", &k1, "--store", &s]));
    env.run(&["contacts", "observe", "bob", &k2, "--store", &s]);
    let pic = env.path("swapped.png");
    ok(&env.run(&[
        "qr",
        "--identity",
        env.path("bob2").to_str().unwrap(),
        "--out",
        pic.to_str().unwrap(),
    ]));
    // No --contact: a match, but nobody is credited.
    let out = env.run(&[
        "scan",
        pic.to_str().unwrap(),
        "--expect",
        &k2,
        "--store",
        &s,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr(&out).contains("Not recorded"), "{}", text(&out));
    assert_eq!(status_of(&env, &s, "bob"), "key_changed");
    // With --contact bob: the key-change alert stands.
    let out = env.run(&[
        "scan",
        pic.to_str().unwrap(),
        "--expect",
        &k2,
        "--contact",
        "bob",
        "--store",
        &s,
    ]);
    assert!(stderr(&out).contains("CHANGED"), "{}", text(&out));
    assert_eq!(status_of(&env, &s, "bob"), "key_changed");
    // Another contact's name on a picture of someone else's key: mismatch, no silent key change.
    let k3 = env.keygen("carol");
    ok(&env.run(&["contacts", "add", "carol", &k3, "--store", &s]));
    let out = env.run(&[
        "scan",
        pic.to_str().unwrap(),
        "--expect",
        &k2,
        "--contact",
        "carol",
        "--store",
        &s,
    ]);
    assert!(
        stderr(&out).contains("not the current key of carol"),
        "{}",
        text(&out)
    );
    let carol = json_of(&env.run(&["contacts", "show", "carol", "--json", "--store", &s]));
    assert_eq!(carol["status"], "unverified");
    assert_eq!(carol["key"], Value::String(k3.clone()));
}

// ---------------------------------------------------------------------------
// Attack 3: a scan of an image file recorded as "scanned in person".
// ---------------------------------------------------------------------------

#[test]
fn attack3_image_file_scan_recorded_as_image_file() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("dan", None, &key(5), t(0))
        .unwrap();
    let payload = Payload::Identity(IdentityCard {
        key: key(5),
        display_name: None,
        stable_id: None,
    });
    let (_, e) = verifier_core::qr::scan_evidence(&payload, &key(1), QrSource::ImageFile).unwrap();
    let r = f.verify("dan", e, Intent::Verify, 1).unwrap();
    assert_eq!(r.statement().method().name(), "qr-image");
    assert!(!r.statement().method().is_in_person());
}

#[test]
fn attack3_cli_scan_of_picture_recorded_as_image_file() {
    let env = Env::new();
    env.keygen("me");
    let k = env.keygen("dan");
    let s = env.store();
    let pic = env.path("dan.png");
    ok(&env.run(&[
        "qr",
        "--identity",
        env.path("dan").to_str().unwrap(),
        "--out",
        pic.to_str().unwrap(),
    ]));
    let out = env.run(&[
        "scan",
        pic.to_str().unwrap(),
        "--expect",
        &k,
        "--contact",
        "dan",
        "--store",
        &s,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("image file"), "{}", text(&out));
    let dan = json_of(&env.run(&["contacts", "show", "dan", "--json", "--store", &s]));
    assert_eq!(dan["status"], "verified");
    assert_eq!(dan["method"], "qr-image");
}

// ---------------------------------------------------------------------------
// Attack 4: `sas --yes` records a verification nobody compared.
// ---------------------------------------------------------------------------

/// Runs two SAS sessions in memory; `host_decision` answers on the host.
fn sas_run(host_decision: Decision) -> Evidence {
    let now = 0;
    let (alice, bob) = (ident(1), ident(6));
    let (mut host, first) = SasSession::initiate(&alice, SasConfig::default(), now).unwrap();
    let code = host.join_code("127.0.0.1:1".parse().unwrap()).unwrap();
    let mut joiner = SasSession::respond(&bob, SasConfig::default(), &code, now).unwrap();
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
    let a = host.decide(host_decision, now).send;
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
            peer: bob.public_key()
        }
    );
    host.evidence().unwrap()
}

#[test]
fn attack4_scripted_sas_answer_never_recorded() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("erin", None, &key(6), t(0))
        .unwrap();
    let scripted = sas_run(Decision::ScriptedMatch);
    assert_eq!(scripted.compared_by(), ComparedBy::Script);
    let r = refusal(f.verify("erin", scripted, Intent::Verify, 1));
    assert_eq!(r, Refusal::NotComparedByPerson);
    assert_eq!(f.status("erin"), TrustStatus::Unverified);
    // The same run answered by a person is recorded, with the transcript hash.
    let person = sas_run(Decision::Match);
    let r = f.verify("erin", person, Intent::Verify, 2).unwrap();
    assert_eq!(r.statement().method().name(), "sas");
    assert!(r.statement().evidence().and_then(|e| e.digest()).is_some());
}

// ---------------------------------------------------------------------------
// Attack 5: rollback to a retired key with an old receipt.
// ---------------------------------------------------------------------------

#[test]
fn attack5_imported_old_receipt_does_not_clear_key_change_alert() {
    // Frank's old key K2 was verified long ago on another device.
    let other = Fixture::new();
    let mut other = other;
    other
        .store
        .add_contact_with_key("frank", None, &key(12), t(0))
        .unwrap();
    let old_receipt = other
        .verify("frank", manual(key(12)), Intent::Verify, 1)
        .unwrap();
    // Here: Frank moved to K1, verified; now K2 comes back.
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("frank", None, &key(11), t(10))
        .unwrap();
    f.verify("frank", manual(key(11)), Intent::Verify, 11)
        .unwrap();
    f.store.observe_key("frank", &key(12), t(12)).unwrap();
    assert!(matches!(f.status("frank"), TrustStatus::KeyChanged { .. }));
    let out = f.store.import_receipt(&old_receipt, &f.own, t(13)).unwrap();
    assert!(
        matches!(&out, ImportOutcome::HistoryOnly { reason } if reason.code() == "key_change_alert"),
        "{out:?}"
    );
    assert!(matches!(f.status("frank"), TrustStatus::KeyChanged { .. }));
    // The key-change flow may use it after the person reviewed it (the key was
    // never seen here before the verified one) ...
    let e = f
        .store
        .review_receipt("frank", &old_receipt.id(), &f.own)
        .unwrap();
    assert_eq!(e.method().name(), "manual");
}

#[test]
fn attack5_retired_key_cannot_come_back_on_old_receipt() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("frank", None, &key(12), t(0))
        .unwrap();
    let k2_receipt = f
        .verify("frank", manual(key(12)), Intent::Verify, 1)
        .unwrap();
    f.store.observe_key("frank", &key(11), t(2)).unwrap();
    f.verify(
        "frank",
        manual(key(11)),
        Intent::ConfirmKeyChange {
            old: key(12),
            new: key(11),
        },
        3,
    )
    .unwrap();
    // K2 comes back: alert, and its old receipt cannot clear it.
    f.store.observe_key("frank", &key(12), t(4)).unwrap();
    assert!(
        matches!(f.status("frank"), TrustStatus::KeyChanged { previous_verified_key, .. } if previous_verified_key == key(11))
    );
    let r = refusal(f.store.review_receipt("frank", &k2_receipt.id(), &f.own));
    assert_eq!(
        r,
        Refusal::RetiredKey {
            key: key(12),
            replaced_by: key(11)
        }
    );
    assert!(matches!(f.status("frank"), TrustStatus::KeyChanged { .. }));
}

#[test]
fn attack5_accepting_then_importing_old_receipt_does_not_restore_retired_key() {
    // K2 verified (on another device), then K1 verified here after K2 was seen here.
    let mut other = Fixture::new();
    other
        .store
        .add_contact_with_key("frank", None, &key(12), t(0))
        .unwrap();
    let k2_receipt = other
        .verify("frank", manual(key(12)), Intent::Verify, 1)
        .unwrap();
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("frank", None, &key(12), t(0))
        .unwrap();
    f.store.observe_key("frank", &key(11), t(2)).unwrap();
    f.verify("frank", manual(key(11)), Intent::Verify, 3)
        .unwrap();
    // K2 comes back; the user accepts it without verifying, then imports the old receipt.
    f.store.observe_key("frank", &key(12), t(4)).unwrap();
    f.store.accept_key("frank", &key(12), &f.own, t(5)).unwrap();
    let out = f.store.import_receipt(&k2_receipt, &f.own, t(6)).unwrap();
    assert!(
        matches!(&out, ImportOutcome::HistoryOnly { reason } if reason.code() == "retired_key"),
        "{out:?}"
    );
    assert_eq!(f.status("frank"), TrustStatus::Unverified);
}

#[test]
fn attack5_cli_import_of_old_receipt_keeps_alert() {
    let env = Env::new();
    env.keygen("me");
    let k1 = env.keygen("frank1");
    let k2 = env.keygen("frank2");
    let other = env.path("other.sqlite3");
    let other = other.to_str().unwrap();
    let s = env.store();
    // The other device verified K2 long ago.
    ok(&env.run(&["contacts", "add", "frank", &k2, "--store", other]));
    ok(&env.run(&[
        "contacts", "verify", "frank", "--key", &k2, "--store", other,
    ]));
    let receipt_file = env.path("frank.receipt");
    ok(&env.run(&[
        "receipt",
        "export",
        "frank",
        "--out",
        receipt_file.to_str().unwrap(),
        "--store",
        other,
    ]));
    // Here: K1 verified, then K2 comes back.
    ok(&env.run(&["contacts", "add", "frank", &k1, "--store", &s]));
    ok(&env.run(&["contacts", "verify", "frank", "--key", &k1, "--store", &s]));
    env.run(&["contacts", "observe", "frank", &k2, "--store", &s]);
    let imp = env.run(&[
        "receipt",
        "import",
        receipt_file.to_str().unwrap(),
        "--store",
        &s,
    ]);
    assert!(imp.status.success(), "{}", text(&imp));
    let out = text(&imp);
    assert!(out.contains("does not clear the alert"), "{out}");
    assert!(out.contains(&k1) && out.contains(&k2), "{out}");
    assert_eq!(status_of(&env, &s, "frank"), "key_changed");
}

// ---------------------------------------------------------------------------
// Attack 6: names that look identical on screen.
// ---------------------------------------------------------------------------

#[test]
fn attack6_invisible_and_bidi_names_refused() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("grace", None, &key(7), t(0))
        .unwrap();
    for bad in [
        "gr\u{200b}ace",
        "ecar\u{202e}g",
        "grace\u{2066}",
        "\u{feff}grace",
    ] {
        let e = f
            .store
            .add_contact_with_key(bad, None, &key(8), t(1))
            .unwrap_err();
        assert!(matches!(e, StoreError::InvalidName(_)), "{bad:?}: {e}");
        assert!(e.to_string().contains("U+"), "{e}");
    }
}

#[test]
fn attack6_lookalike_name_needs_explicit_override() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("alice", None, &key(7), t(0))
        .unwrap();
    // Cyrillic "а".
    let e = f
        .store
        .add_contact_with_key("\u{430}lice", None, &key(8), t(1))
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Lookalike { ref existing, .. } if existing == "alice"),
        "{e}"
    );
    f.store
        .add_contact_allowing_lookalike("\u{430}lice", None, Some(&key(8)), t(2))
        .unwrap();
    // NFC and NFD spellings are one name.
    f.store
        .add_contact_with_key("Ren\u{e9}", None, &key(9), t(3))
        .unwrap();
    let e = f
        .store
        .add_contact_with_key("Rene\u{301}", None, &key(10), t(4))
        .unwrap_err();
    assert!(matches!(e, StoreError::ContactExists { .. }), "{e}");
}

#[test]
fn attack6_cli_names_refused_with_clear_error() {
    let env = Env::new();
    env.keygen("me");
    let k = env.keygen("g");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "grace", &k, "--store", &s]));
    let out = env.run(&["contacts", "add", "gr\u{200b}ace", &k, "--store", &s]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("U+200B"), "{}", stderr(&out));
    let out = env.run(&["contacts", "add", "\u{430}lice", &k, "--store", &s]);
    assert!(out.status.success(), "{}", text(&out));
    let out = env.run(&["contacts", "add", "alice", &k, "--store", &s]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--allow-lookalike"),
        "{}",
        stderr(&out)
    );
    ok(&env.run(&[
        "contacts",
        "add",
        "alice",
        &k,
        "--allow-lookalike",
        "--store",
        &s,
    ]));
}

// ---------------------------------------------------------------------------
// Attack 7: editing the database behind the program's back.
// ---------------------------------------------------------------------------

#[test]
fn attack7_copied_verification_row_reads_tampered() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    f.store
        .add_contact_with_key("mallory", None, &key(2), t(2))
        .unwrap();
    // Behind the program's back: Bob's verification becomes Mallory's.
    let db = rusqlite::Connection::open(&f.path).unwrap();
    db.execute_batch(
        "UPDATE verifications SET contact_id = (SELECT id FROM contacts WHERE name = 'mallory'),
                                  key_id = (SELECT k.id FROM keys k JOIN contacts c ON k.contact_id = c.id WHERE c.name = 'mallory')
         WHERE contact_id = (SELECT id FROM contacts WHERE name = 'bob');
         INSERT INTO events (contact_id, at, kind, key_id, method, receipt_id)
           SELECT v.contact_id, v.verified_at, 'verified', v.key_id, v.method, v.receipt_id
           FROM verifications v JOIN contacts c ON v.contact_id = c.id WHERE c.name = 'mallory';",
    )
    .unwrap();
    drop(db);
    let store = Store::open(&f.path).unwrap();
    let st = store.status("mallory", &f.own).unwrap();
    assert!(
        matches!(st, TrustStatus::Tampered { problem: Tamper::OtherContact { ref receipt_name } } if receipt_name == "bob"),
        "{st:?}"
    );
    // Bob's own history now refers to a receipt that is gone.
    assert!(matches!(
        store.status("bob", &f.own).unwrap(),
        TrustStatus::Tampered { .. }
    ));
}

#[test]
fn attack7_edited_current_key_reads_tampered() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    f.store.observe_key("bob", &key(3), t(2)).unwrap();
    // Behind the program's back: point the current key back at the verified one.
    let db = rusqlite::Connection::open(&f.path).unwrap();
    db.execute_batch(
        "UPDATE contacts SET current_key_id = (SELECT id FROM keys WHERE first_seen = 1700000000)
         WHERE name = 'bob';",
    )
    .unwrap();
    drop(db);
    let st = Store::open(&f.path).unwrap().status("bob", &f.own).unwrap();
    assert_eq!(
        st,
        TrustStatus::Tampered {
            problem: Tamper::InconsistentHistory
        }
    );
}

#[test]
fn attack7_cli_tampered_contact_says_what_to_do() {
    let env = Env::new();
    env.keygen("me");
    let k = env.keygen("bob");
    let m = env.keygen("mallory");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "bob", &k, "--store", &s]));
    ok(&env.run(&["contacts", "verify", "bob", "--key", &k, "--store", &s]));
    ok(&env.run(&["contacts", "add", "mallory", &m, "--store", &s]));
    let db = rusqlite::Connection::open(&s).unwrap();
    db.execute_batch(
        "INSERT INTO events (contact_id, at, kind, key_id, method, receipt_id)
           SELECT (SELECT id FROM contacts WHERE name = 'mallory'), v.verified_at, 'verified',
                  (SELECT current_key_id FROM contacts WHERE name = 'mallory'), v.method, v.receipt_id
           FROM verifications v;
         UPDATE verifications SET contact_id = (SELECT id FROM contacts WHERE name = 'mallory');",
    )
    .unwrap();
    drop(db);
    let list = json_of(&env.run(&["contacts", "list", "--json", "--store", &s]));
    let mallory = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "mallory")
        .unwrap();
    assert_eq!(mallory["status"], "tampered");
    let show = env.run(&["contacts", "show", "mallory", "--store", &s]);
    let out = text(&show);
    assert!(
        out.contains("TAMPERED") && out.contains("contacts forget"),
        "{out}"
    );
}

#[test]
fn receipt_signed_by_someone_else_is_not_imported() {
    let mut f = Fixture::new();
    let mut other = Fixture::new();
    other.me = ident(40);
    other.own = OwnKeys::new(other.me.public_key());
    other
        .store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    let theirs = other
        .verify("bob", manual(key(2)), Intent::Verify, 1)
        .unwrap();
    let r = refusal(f.store.import_receipt(&theirs, &f.own, t(2)));
    assert_eq!(r.code(), "not_your_receipt");
    assert!(f.store.names().unwrap().is_empty());
}

// ---------------------------------------------------------------------------
// Your own identity changes.
// ---------------------------------------------------------------------------

#[test]
fn rotated_identity_keeps_earlier_verifications() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    let new_me = ident(30);
    let rotation = Rotation::sign(&f.me, &new_me, t(2)).unwrap();
    let chain = RotationChain::new(vec![rotation], &new_me.public_key()).unwrap();
    let own = OwnKeys::new(new_me.public_key()).with_rotation_chain(&chain);
    assert!(f.store.status("bob", &own).unwrap().is_verified());
}

#[test]
fn cli_rotation_keeps_verifications_and_a_new_identity_does_not() {
    let env = Env::new();
    env.keygen("me");
    let k = env.keygen("bob");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "bob", &k, "--store", &s]));
    ok(&env.run(&["contacts", "verify", "bob", "--key", &k, "--store", &s]));
    ok(&env.run(&["keygen", "--rotate"]));
    assert_eq!(status_of(&env, &s, "bob"), "verified");
    // Replacing the identity without a rotation: earlier checks cannot be vouched for.
    ok(&env.run(&["keygen", "--force"]));
    let _ = std::fs::remove_file(env.path("me.rotations"));
    assert_eq!(status_of(&env, &s, "bob"), "new_identity");
    let show = text(&env.run(&["contacts", "show", "bob", "--store", &s]));
    assert!(show.contains("unverified (new identity)"), "{show}");
}

#[test]
fn lost_identity_reads_new_identity_not_verified_nor_tampered() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    let own = OwnKeys::new(key(31));
    assert_eq!(
        f.store.status("bob", &own).unwrap(),
        TrustStatus::NewIdentity
    );
}

#[test]
fn receipt_signed_by_stranger_in_history_reads_tampered() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    // A receipt signed by a stranger, for Bob, inserted as an import behind our back.
    let mut stranger = Fixture::new();
    stranger.me = ident(41);
    stranger.own = OwnKeys::new(stranger.me.public_key());
    stranger
        .store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    let forged = stranger
        .verify("bob", manual(key(2)), Intent::Verify, 1)
        .unwrap();
    let db = rusqlite::Connection::open(&f.path).unwrap();
    db.execute(
        "INSERT INTO verifications (contact_id, key_id, method, verified_at, recorded_at, imported, receipt_id, receipt, applied)
         SELECT c.id, c.current_key_id, 4, 1700000001, 1700000001, 1, ?1, ?2, 1 FROM contacts c WHERE c.name = 'bob'",
        rusqlite::params![forged.id().as_bytes().as_slice(), forged.as_bytes()],
    )
    .unwrap();
    db.execute(
        "INSERT INTO events (contact_id, at, kind, key_id, method, receipt_id)
         SELECT c.id, 1700000001, 'receipt_imported', c.current_key_id, 4, ?1 FROM contacts c WHERE c.name = 'bob'",
        rusqlite::params![forged.id().as_bytes().as_slice()],
    )
    .unwrap();
    drop(db);
    let st = Store::open(&f.path).unwrap().status("bob", &f.own).unwrap();
    assert!(
        matches!(
            st,
            TrustStatus::Tampered {
                problem: Tamper::ForeignSigner { .. }
            }
        ),
        "{st:?}"
    );
}

// ---------------------------------------------------------------------------
// Evidence only the check can make.
// ---------------------------------------------------------------------------

#[test]
fn typed_back_words_must_match_to_give_evidence() {
    let (a, b) = (key(1), key(2));
    let c = Comparison::new(&Party::new(&a), &Party::new(&b));
    let words = c
        .number()
        .bip39_words(verifier_core::render::Bip39Language::English);
    let mut wrong = words.clone();
    wrong[3] = if wrong[3] == "abandon" {
        "ability"
    } else {
        "abandon"
    };
    assert!(
        c.check_typed_back_words(
            &wrong.join(" "),
            verifier_core::render::Bip39Language::English
        )
        .is_err()
    );
    let e = c
        .check_typed_back_words(
            &words.join(" "),
            verifier_core::render::Bip39Language::English,
        )
        .unwrap();
    assert_eq!(e.key(), &b);
    assert_eq!(e.method().name(), "words");
}

#[test]
fn engine_is_pure_and_decides_for_named_contact_only() {
    // The engine needs no store: facts in, decision out.
    let own = OwnKeys::new(key(1));
    let mut facts = trust::ContactFacts::new("zoe", None);
    facts.push(trust::LogEntry::new(
        t(0),
        trust::LogKind::KeySeen { key: key(20) },
    ));
    let approval = trust::decide(&facts, &own, manual(key(20)), Intent::Verify).unwrap();
    assert_eq!(approval.contact_name(), "zoe");
    let r = trust::decide(&facts, &own, manual(key(21)), Intent::Verify).unwrap_err();
    assert_eq!(r.code(), "mismatch");
}

// ---------------------------------------------------------------------------
// Running the binary.
// ---------------------------------------------------------------------------

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn store(&self) -> String {
        self.path("trust.sqlite3").to_str().unwrap().to_owned()
    }
    /// Runs verifier with the identity env var set to `me`.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("VERIFIER_IDENTITY", self.path("me"))
            .env_remove("VERIFIER_STORE")
            .env("XDG_DATA_HOME", self.path("xdg-data"))
            .output()
            .unwrap()
    }
    /// Creates an identity at `name` and returns its public key text.
    fn keygen(&self, name: &str) -> String {
        let p = self.path(name);
        let v = json_of(&ok(&self.run(&[
            "keygen",
            "--identity",
            p.to_str().unwrap(),
            "--json",
        ])));
        v["public_key"].as_str().unwrap().to_owned()
    }
}

fn ok(out: &Output) -> Output {
    assert!(out.status.success(), "exit {:?}: {}", out.status, text(out));
    out.clone()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

fn status_of(env: &Env, store: &str, name: &str) -> String {
    let v = json_of(&env.run(&["contacts", "show", name, "--json", "--store", store]));
    v["status"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------
// Found in review.
// ---------------------------------------------------------------------------

#[test]
fn planted_file_named_like_the_typed_key_does_not_swap_it() {
    let env = Env::new();
    env.keygen("me");
    let real = env.keygen("bob-real");
    let evil = env.keygen("bob-evil");
    let s = env.store();
    ok(&env.run(&["contacts", "add", "bob", &evil, "--store", &s]));
    // The attacker plants a file named like the key the person will type.
    let dir = env.path("work");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(&real), format!("{evil}\n")).unwrap();
    let out = Command::new(BIN)
        .args(["contacts", "verify", "bob", "--key", &real, "--store", &s])
        .current_dir(&dir)
        .env("VERIFIER_IDENTITY", env.path("me"))
        .env_remove("VERIFIER_STORE")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        stderr(&out).contains("not the current key"),
        "{}",
        text(&out)
    );
    assert_eq!(status_of(&env, &s, "bob"), "unverified");
}

#[test]
fn stale_reviewed_receipt_cannot_bring_back_a_retired_key() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    // A receipt of key 3 from another device lands in the history during the alert.
    let mut other = Fixture::new();
    other
        .store
        .add_contact_with_key("bob", None, &key(3), t(0))
        .unwrap();
    let r3 = other
        .verify("bob", manual(key(3)), Intent::Verify, 1)
        .unwrap();
    f.store.observe_key("bob", &key(3), t(2)).unwrap();
    f.store.import_receipt(&r3, &f.own, t(3)).unwrap();
    let kept = f.store.review_receipt("bob", &r3.id(), &f.own).unwrap();
    // Key 4 is confirmed (retiring 3); then key 3 comes back.
    f.store.observe_key("bob", &key(4), t(4)).unwrap();
    f.verify(
        "bob",
        manual(key(4)),
        Intent::ConfirmKeyChange {
            old: key(2),
            new: key(4),
        },
        5,
    )
    .unwrap();
    f.store.observe_key("bob", &key(3), t(6)).unwrap();
    let r = refusal(f.verify(
        "bob",
        kept,
        Intent::ConfirmKeyChange {
            old: key(4),
            new: key(3),
        },
        7,
    ));
    assert_eq!(r.code(), "retired_key");
    assert!(matches!(f.status("bob"), TrustStatus::KeyChanged { .. }));
}

#[test]
fn import_of_a_lookalike_name_is_refused() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    let mut other = Fixture::new();
    other
        .store
        .add_contact_with_key("b\u{43e}b", None, &key(3), t(0))
        .unwrap();
    let r = other
        .verify("b\u{43e}b", manual(key(3)), Intent::Verify, 1)
        .unwrap();
    let e = f.store.import_receipt(&r, &f.own, t(2)).unwrap_err();
    assert!(matches!(e, StoreError::Lookalike { .. }), "{e}");
}

#[test]
fn refused_check_leaves_no_new_contact_behind() {
    let mut f = Fixture::new();
    let r = f.store.verify_or_add(
        "carol",
        None,
        manual(key(5)),
        Intent::ConfirmKeyChange {
            old: key(4),
            new: key(5),
        },
        &f.me,
        &f.own,
        t(0),
    );
    assert_eq!(refusal(r).code(), "no_key_change");
    assert!(f.store.names().unwrap().is_empty());
}

#[test]
fn names_that_draw_like_others_are_refused() {
    for (bad, kind) in [
        ("al\u{131}\u{307}", "dot_on_dotted_letter"),
        ("li\u{307}li", "dot_on_dotted_letter"),
        ("bo\u{16FE4}b", "invisible_character"),
        ("bo\u{1D159}b", "invisible_character"),
    ] {
        let e = verifier_core::contact_name::ContactName::parse(bad).unwrap_err();
        assert_eq!(e.kind(), kind, "{bad:?}");
    }
}

#[test]
fn unknown_history_entry_reads_tampered() {
    let mut f = Fixture::new();
    f.store
        .add_contact_with_key("bob", None, &key(2), t(0))
        .unwrap();
    f.verify("bob", manual(key(2)), Intent::Verify, 1).unwrap();
    let db = rusqlite::Connection::open(&f.path).unwrap();
    db.execute_batch(
        "INSERT INTO events (contact_id, at, kind) SELECT id, 1700000002, 'made_up' FROM contacts;",
    )
    .unwrap();
    drop(db);
    let st = Store::open(&f.path).unwrap().status("bob", &f.own).unwrap();
    assert!(matches!(st, TrustStatus::Tampered { .. }), "{st:?}");
}
