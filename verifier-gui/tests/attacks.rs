//! The app's part of the threat model (`docs/threat-model.md`): one test per attack on
//! "verified" that goes through the app, named after it, asserting what is shown and what
//! is (not) recorded in the store. The engine's and the CLI's tests are in
//! `verifier-cli/tests/attacks.rs`; attacks 8 and 9 are `start_again_forgets_previous_contact`
//! (tests/sas.rs) and `key_change_by_another_process_shows_without_restart` (tests/contacts.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::path::PathBuf;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::{
    Env, key, qr_evidence, start, type_into, wait_for_label, wait_for_label_contains, wait_idle,
    wait_until,
};
use verifier_core::key::PublicKey;
use verifier_core::qr::{IdentityCard, Payload, QrMatrix};
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_core::trust::{Evidence, QrSource};
use verifier_gui::app::{Screen, VerifierApp};
use verifier_gui::views::key_change::{NEW_KEY_LABEL, OLD_KEY_LABEL};
use verifier_gui::views::record::TAMPERED_ADVICE;
use verifier_store::{EventKind, TrustStatus};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);
const T1: Timestamp = Timestamp::from_unix_secs(1_700_100_000);

type App = Harness<'static, VerifierApp>;

/// A PNG of `key`'s identity code (no name in it), as a screenshot or a sent picture.
fn code_picture(env: &Env, file: &str, key: PublicKey) -> PathBuf {
    let payload = Payload::Identity(IdentityCard {
        key,
        display_name: None,
        stable_id: None,
    });
    let png = QrMatrix::for_payload(&payload).unwrap().to_png(6).unwrap();
    let path = env.dir.path().join(file);
    std::fs::write(&path, png).unwrap();
    path
}

/// Opens the picture on the Scan screen (the "Image file" route).
fn open_picture(h: &mut App, path: &std::path::Path) {
    type_into(h, "Image file", &support::path_str(path));
    press(h, "Open image");
}

fn verified_events(env: &Env, name: &str) -> usize {
    env.store()
        .history(name)
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
        .count()
}

fn status(env: &Env, name: &str) -> TrustStatus {
    env.store().status(name, &env.own()).unwrap()
}

fn groups(k: &PublicKey) -> Vec<String> {
    SideFingerprint::compute(&Party::new(k)).digit_groups()
}

fn shows(h: &App, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

/// Presses the button labelled `label` once the screen has settled for a frame or two (a
/// result may still be moving the layout when it first appears).
fn press(h: &mut App, label: &str) {
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, label).click();
    h.run_steps(2);
}

/// Steps a while and lets the store worker finish whatever it was asked.
fn settle(h: &mut App) {
    h.run_steps(10);
    wait_idle(h);
}

// ---------------------------------------------------------------------------
// Attack 2: a code for a key-changed contact shown as a green "Match"; a key
// crediting whoever has it.
// ---------------------------------------------------------------------------

/// Bob was verified with key 2; the app then saw key 3 for him. A picture of Bob's new
/// key's code must not show "✔ Match": it opens the key-change flow (old and new side by
/// side, causes and risk), records nothing until the person confirms, and then records the
/// new key through `Intent::ConfirmKeyChange`.
#[test]
fn attack2_scan_of_key_changed_contact_opens_key_change_flow() {
    let env = Env::new();
    let me = env.create_identity().public_key();
    let (old, new) = (key(2), key(3));
    {
        let mut s = env.store();
        s.add_contact_with_key("Bob", None, &old, T0).unwrap();
        env.verify("Bob", qr_evidence(old, &me, QrSource::Camera), T0);
        s.observe_key("Bob", &new, T1).unwrap();
    }
    let picture = code_picture(&env, "bob-new.png", new);
    let mut h = start(&env, Screen::Scan);
    wait_for_label(&mut h, "No camera found.");
    open_picture(&mut h, &picture);

    wait_for_label(&mut h, "⚠ Bob has a new key");
    wait_for_label(&mut h, OLD_KEY_LABEL);
    assert!(
        !shows(&h, "✔ Match"),
        "never a green match for a changed key"
    );
    assert!(h.query_by_label("Mark verified").is_none());
    assert!(
        h.query_by_label("Yes, this is Bob — mark verified")
            .is_none()
    );
    // Old and new fingerprints side by side: the new one to the right of the old one.
    let old_title = h.get_by_label(OLD_KEY_LABEL).rect();
    let new_title = h.get_by_label(NEW_KEY_LABEL).rect();
    assert!(
        new_title.min.x > old_title.max.x - 1.0 && (new_title.min.y - old_title.min.y).abs() < 1.0,
        "side by side: old {old_title:?}, new {new_title:?}"
    );
    for g in groups(&old) {
        assert!(
            h.query_all_by_label(&g)
                .any(|n| n.rect().min.x < new_title.min.x),
            "old group {g} in the left column"
        );
    }
    for g in groups(&new) {
        assert!(
            h.query_all_by_label(&g)
                .any(|n| n.rect().min.x >= new_title.min.x),
            "new group {g} in the right column"
        );
    }
    // What usually causes it, and the risk.
    assert!(shows(&h, "new phone"));
    assert!(shows(&h, "reinstalled"));
    assert!(shows(&h, "intercepting"));
    // A picture: said so.
    assert!(shows(&h, "QR code read from an image file"));
    // Two answers, neither the default.
    let confirm = "I checked the new key with Bob — verify it";
    for b in [confirm, "Not now"] {
        assert!(
            !h.get_by_role_and_label(Role::Button, b).is_focused(),
            "{b}"
        );
    }
    settle(&mut h);
    assert_eq!(verified_events(&env, "Bob"), 1, "nothing recorded yet");
    assert!(matches!(
        status(&env, "Bob"),
        TrustStatus::KeyChanged { .. }
    ));

    // "Not now": nothing recorded, the alert stays.
    press(&mut h, "Not now");
    wait_for_label_contains(
        &mut h,
        "Nothing was recorded. Bob stays marked “key changed”",
    );
    settle(&mut h);
    assert_eq!(verified_events(&env, "Bob"), 1);
    assert!(matches!(
        status(&env, "Bob"),
        TrustStatus::KeyChanged { .. }
    ));

    // The picture again; this time the person confirms.
    open_picture(&mut h, &picture);
    wait_for_label(&mut h, confirm);
    assert!(!shows(&h, "✔ Match"));
    press(&mut h, confirm);
    wait_for_label_contains(
        &mut h,
        "Bob's new key is verified (QR code read from an image file)",
    );
    wait_idle(&mut h);
    let store = env.store();
    let bob = store.contact("Bob", &env.own()).unwrap();
    assert_eq!(bob.current_key, Some(new));
    assert!(
        matches!(
            bob.status,
            TrustStatus::Verified {
                method: VerificationMethod::QrImageFile,
                ..
            }
        ),
        "{:?}",
        bob.status
    );
    assert_eq!(store.receipts("Bob").unwrap()[0].statement().key(), &new);
}

/// A code whose key is Carol's current key, scanned without saying whose code it is: the app
/// may say it is Carol's key, but nothing is recorded until the person presses the button
/// that names Carol.
#[test]
fn attack2_scan_never_credits_by_key_alone() {
    let env = Env::new();
    env.create_identity();
    {
        let mut s = env.store();
        s.add_contact_with_key("Alice", None, &key(1), T0).unwrap();
        s.add_contact_with_key("Carol", None, &key(4), T0).unwrap();
    }
    let picture = code_picture(&env, "carol.png", key(4));
    let mut h = start(&env, Screen::Scan);
    wait_for_label(&mut h, "No camera found.");
    // "Whose code is it?" stays at "Anyone (look the key up)".
    open_picture(&mut h, &picture);
    wait_for_label(&mut h, "✔ Match: this is Carol's key");
    assert!(shows(&h, "You did not say whose code this is"));
    // No anonymous "Mark verified": the only way to record names Carol.
    assert!(h.query_by_label("Mark verified").is_none());
    let named = "Yes, this is Carol — mark verified";
    h.get_by_role_and_label(Role::Button, named);
    settle(&mut h);
    assert_eq!(status(&env, "Carol"), TrustStatus::Unverified);
    assert_eq!(verified_events(&env, "Carol"), 0);
    assert_eq!(verified_events(&env, "Alice"), 0);

    press(&mut h, named);
    wait_for_label_contains(&mut h, "Carol is verified");
    wait_idle(&mut h);
    assert!(status(&env, "Carol").is_verified());
    assert_eq!(verified_events(&env, "Carol"), 1);
    assert_eq!(status(&env, "Alice"), TrustStatus::Unverified);
}

// ---------------------------------------------------------------------------
// Attack 3: a picture recorded as an in-person scan.
// ---------------------------------------------------------------------------

#[test]
fn attack3_picture_scan_recorded_as_image_file() {
    let env = Env::new();
    env.create_identity();
    env.store()
        .add_contact_with_key("Dan", None, &key(5), T0)
        .unwrap();
    let picture = code_picture(&env, "dan.png", key(5));
    let mut h = start(&env, Screen::Scan);
    wait_for_label(&mut h, "No camera found.");
    // The person says whose code it is.
    h.get_by_label("Whose code is it?").click();
    h.run_steps(2);
    h.get_by_label("Dan").click();
    h.run_steps(2);
    open_picture(&mut h, &picture);
    wait_for_label(&mut h, "✔ Match: this is Dan's key");
    // Before recording: what it will be recorded as, and that it is weaker.
    assert!(shows(&h, "recorded as “QR code read from an image file”"));
    assert!(shows(&h, "weaker than an in-person camera scan"));
    press(&mut h, "Mark verified");
    wait_for_label(
        &mut h,
        "✔ Dan is verified (QR code read from an image file).",
    );
    wait_idle(&mut h);
    let store = env.store();
    assert!(matches!(
        store.status("Dan", &env.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::QrImageFile,
            ..
        }
    ));
    let receipt = &store.receipts("Dan").unwrap()[0];
    assert_eq!(
        receipt.statement().method(),
        VerificationMethod::QrImageFile
    );
    assert!(!receipt.statement().method().is_in_person());

    // The contact's status and history say so too.
    h.state_mut().screen = Screen::Contacts;
    wait_for_label_contains(&mut h, "✔ Verified (QR code read from an image file");
    assert!(shows(&h, "weaker than a camera scan"));
    h.run_steps(4);
    press(&mut h, "Dan");
    wait_for_label(
        &mut h,
        "Verified (QR code read from an image file; weaker than an in-person camera scan)",
    );
}

// ---------------------------------------------------------------------------
// Attack 6: names that look identical on screen.
// ---------------------------------------------------------------------------

#[test]
fn attack6_invisible_name_refused_and_lookalike_needs_confirmation() {
    let env = Env::new();
    env.create_identity();
    env.store()
        .add_contact_with_key("alice", None, &key(7), T0)
        .unwrap();
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "alice");
    let count = |env: &Env| env.store().list(&env.own()).unwrap().len();

    // A zero-width space: refused, with the code point and where it is.
    type_into(&mut h, "Name", "gr\u{200b}ace");
    type_into(&mut h, "Their key", &key(8).to_canonical_string());
    press(&mut h, "Add contact");
    wait_for_label_contains(&mut h, "U+200B");
    assert!(shows(&h, "invisible character"));
    wait_idle(&mut h);
    assert_eq!(count(&env), 1);

    // A Cyrillic "а": the person is asked, nothing is added until they confirm.
    let lookalike = "\u{430}lice";
    let question =
        format!("“{lookalike}” looks like your contact “alice”. Is this a different person?");
    type_into(&mut h, "Name", lookalike);
    press(&mut h, "Add contact");
    wait_for_label(&mut h, &question);
    h.get_by_role_and_label(Role::Button, "Add as a different person");
    wait_idle(&mut h);
    assert_eq!(count(&env), 1);
    // Cancel: nothing added, the question goes away.
    press(&mut h, "Cancel");
    h.run_steps(2);
    assert!(h.query_by_label(&question).is_none());
    wait_idle(&mut h);
    assert_eq!(count(&env), 1);
    // Again, and confirmed: added (unverified), as a different person.
    press(&mut h, "Add contact");
    wait_for_label(&mut h, &question);
    press(&mut h, "Add as a different person");
    wait_for_label_contains(&mut h, &format!("Added {lookalike} (unverified)"));
    wait_idle(&mut h);
    let store = env.store();
    assert_eq!(store.names().unwrap().len(), 2);
    assert_eq!(
        store.contact(lookalike, &env.own()).unwrap().current_key,
        Some(key(8))
    );

    // The Scan screen's "new contact" path asks the same.
    let picture = code_picture(&env, "new.png", key(9));
    h.state_mut().screen = Screen::Scan;
    wait_for_label(&mut h, "No camera found.");
    open_picture(&mut h, &picture);
    wait_for_label(&mut h, "New key: not one of your contacts");
    let latin_e_swapped = "alic\u{435}"; // Cyrillic "е"
    type_into(&mut h, "Name", latin_e_swapped);
    press(&mut h, "Add contact and mark verified");
    wait_for_label_contains(&mut h, "looks like your contact");
    wait_idle(&mut h);
    assert_eq!(env.store().names().unwrap().len(), 2, "nothing added yet");
    press(&mut h, "Add as a different person");
    wait_for_label_contains(&mut h, &format!("{latin_e_swapped} is verified"));
    wait_idle(&mut h);
    assert!(status(&env, latin_e_swapped).is_verified());
    assert_eq!(env.store().names().unwrap().len(), 3);
}

// ---------------------------------------------------------------------------
// Attack 7: editing the database behind the program's back.
// ---------------------------------------------------------------------------

/// Bob's verification moved onto Mallory by editing the SQLite file (as in
/// `attack7_cli_tampered_contact_says_what_to_do`): the app shows Mallory (and Bob, whose
/// history now refers to a record that is gone) as tampered, never verified, with what to
/// do, and lets the person forget the entry.
#[test]
fn attack7_tampered_contact_shown_with_what_to_do() {
    let env = Env::new();
    env.create_identity();
    {
        let mut s = env.store();
        s.add_contact_with_key("bob", None, &key(2), T0).unwrap();
        env.verify("bob", Evidence::manual_assertion(key(2)), T0);
        s.add_contact_with_key("mallory", None, &key(3), T0)
            .unwrap();
    }
    let db = rusqlite::Connection::open(&env.store_path).unwrap();
    db.execute_batch(
        "INSERT INTO events (contact_id, at, kind, key_id, method, receipt_id)
           SELECT (SELECT id FROM contacts WHERE name = 'mallory'), v.verified_at, 'verified',
                  (SELECT current_key_id FROM contacts WHERE name = 'mallory'), v.method, v.receipt_id
           FROM verifications v;
         UPDATE verifications SET contact_id = (SELECT id FROM contacts WHERE name = 'mallory');",
    )
    .unwrap();
    drop(db);
    assert!(matches!(
        status(&env, "mallory"),
        TrustStatus::Tampered { .. }
    ));

    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "mallory");
    let badge = "⚠ Tampered: changed outside the app, not verified";
    assert_eq!(h.query_all_by_label(badge).count(), 2, "bob and mallory");
    assert_eq!(h.query_all_by_label(TAMPERED_ADVICE).count(), 2);
    assert!(!shows(&h, "✔ Verified"));

    // Mallory's page: the alert first, what to do, and a way to forget the entry.
    press(&mut h, "mallory");
    wait_for_label(&mut h, "⚠ mallory's entry was changed outside the app");
    h.get_by_label(TAMPERED_ADVICE);
    h.get_by_label(badge);
    assert!(!shows(&h, "✔ Verified"));
    let alert = h
        .get_by_label("⚠ mallory's entry was changed outside the app")
        .rect()
        .min
        .y;
    assert!(
        alert < h.get_by_label(badge).rect().min.y,
        "the alert comes first"
    );

    // Compare codes refuses to go on with it.
    h.state_mut().shared.compare_contact = Some("mallory".to_owned());
    h.state_mut().screen = Screen::Compare;
    wait_for_label(&mut h, "⚠ mallory's entry was changed outside the app");
    assert!(h.query_by_label("They match").is_none());
    h.state_mut().screen = Screen::Contacts;
    h.run_steps(2);

    press(&mut h, "Forget mallory to verify them again…");
    h.run_steps(2);
    press(&mut h, "Yes, forget mallory");
    wait_for_label_contains(&mut h, "mallory was forgotten");
    wait_idle(&mut h);
    assert!(env.store().names().unwrap().iter().all(|n| n != "mallory"));
    wait_until(&mut h, "the list without mallory", |h| {
        h.query_by_label("mallory").is_none()
    });
}
