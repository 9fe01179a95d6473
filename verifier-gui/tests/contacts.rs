//! Contacts screen flows, driven headless by role and label: badges and order,
//! adding by pasted key or receipt file, the key-change alert, accept, forget.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use support::{
    Env, key, qr_evidence, safety_number_evidence, start, type_into, wait_for_label,
    wait_for_label_contains, wait_idle, wait_until,
};
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_core::trust::{Evidence, Intent, OwnKeys, QrSource};
use verifier_gui::app::Screen;
use verifier_store::{EventKind, ImportOutcome, Store, TrustStatus};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);
const T1: Timestamp = Timestamp::from_unix_secs(1_700_100_000);

fn groups(k: &PublicKey) -> Vec<String> {
    SideFingerprint::compute(&Party::new(k)).digit_groups()
}

#[test]
fn list_shows_badges_and_puts_key_changes_first() {
    let env = Env::new();
    {
        let me = env.create_identity().public_key();
        let mut s = env.store();
        s.add_contact_with_key("Alice", None, &key(1), T0).unwrap();
        s.add_contact_with_key("Bob", None, &key(2), T0).unwrap();
        env.verify("Bob", safety_number_evidence(&me, &key(2)), T0);
        s.add_contact_with_key("Zed", None, &key(3), T0).unwrap();
        env.verify("Zed", qr_evidence(key(3), &me, QrSource::Camera), T0);
        s.observe_key("Zed", &key(4), T1).unwrap();
    }
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Zed");

    let y = |label: &str| h.get_by_role_and_label(Role::Button, label).rect().min.y;
    let (zed, alice, bob) = (y("Zed"), y("Alice"), y("Bob"));
    assert!(
        zed < alice && alice < bob,
        "order: Zed {zed}, Alice {alice}, Bob {bob}"
    );

    h.get_by_label_contains("⚠ Key changed since you verified it (2023-11-16");
    h.get_by_label_contains("They now use a different key than the one you verified");
    h.get_by_label("✔ Verified (safety number compared, 2023-11-14 22:13 UTC)");
    h.get_by_label("Unverified");
}

#[test]
fn add_by_pasting_a_key_valid_and_invalid() {
    let env = Env::new();
    let mut h = start(&env, Screen::Contacts);
    h.get_by_label("No contacts yet. Add one below by pasting their key or from a receipt file, or scan their code on the Scan screen.");

    // Invalid: the specific parse error is shown inline, nothing is stored.
    type_into(&mut h, "Name", "Eve");
    let bad = "vk1-ed25519-notakey";
    type_into(&mut h, "Their key", bad);
    h.get_by_role_and_label(Role::Button, "Add contact").click();
    h.step();
    h.step();
    let specific = PublicKey::parse(bad).unwrap_err().to_string();
    h.get_by_label(&format!("That is not a valid key: {specific}."));
    wait_idle(&mut h);
    assert!(env.store().list(&env.own()).unwrap().is_empty());

    // Missing name: also specific.
    type_into(&mut h, "Name", "");
    type_into(&mut h, "Their key", &key(5).to_canonical_string());
    h.get_by_role_and_label(Role::Button, "Add contact").click();
    h.step();
    h.step();
    h.get_by_label("Give the contact a name first.");

    // Valid (an OpenSSH-free hex form here): listed, unverified.
    type_into(&mut h, "Name", "Eve");
    type_into(&mut h, "Their key", &hex_of(&key(5)));
    h.get_by_role_and_label(Role::Button, "Add contact").click();
    wait_for_label_contains(&mut h, "Added Eve (unverified)");
    wait_for_label(&mut h, "Eve");
    h.get_by_role_and_label(Role::Button, "Eve");
    wait_idle(&mut h);
    let s = env.store();
    assert_eq!(
        s.status("Eve", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
    assert_eq!(
        s.contact("Eve", &env.own()).unwrap().current_key,
        Some(key(5))
    );

    // The same name again: the store's refusal is shown.
    type_into(&mut h, "Name", "Eve");
    type_into(&mut h, "Their key", &key(6).to_canonical_string());
    h.get_by_role_and_label(Role::Button, "Add contact").click();
    wait_for_label_contains(
        &mut h,
        "Could not add Eve: a contact named \"Eve\" exists already",
    );
}

fn hex_of(k: &PublicKey) -> String {
    k.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn key_change_alert_comes_first_with_both_fingerprints_and_accept_leaves_unverified() {
    let env = Env::new();
    let (old, new) = (key(11), key(12));
    {
        let me = env.create_identity().public_key();
        let mut s = env.store();
        s.add_contact_with_key("Carol", None, &old, T0).unwrap();
        env.verify("Carol", qr_evidence(old, &me, QrSource::Camera), T0);
        s.observe_key("Carol", &new, T1).unwrap();
    }
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Carol");
    h.get_by_role_and_label(Role::Button, "Carol").click();
    wait_for_label(&mut h, "Old key (the one you verified)");

    let alert = h.get_by_label("⚠ Carol's key has changed").rect().min.y;
    let heading = h.get_by_label("Carol").rect().min.y;
    let status = h
        .get_by_label_contains("⚠ Key changed since you verified it")
        .rect()
        .min
        .y;
    let keys = h.get_by_label("Keys").rect().min.y;
    let history = h.get_by_label("History").rect().min.y;
    assert!(
        alert < heading && alert < status && alert < keys && alert < history,
        "the alert must come first: alert {alert}, heading {heading}, status {status}"
    );

    // Old fingerprint between "Old key" and "New key", new one after "New key",
    // all inside the alert (above the page heading).
    let old_y = h
        .get_by_label("Old key (the one you verified)")
        .rect()
        .min
        .y;
    let new_y = h.get_by_label("New key (in use now)").rect().min.y;
    for g in groups(&old) {
        assert!(
            h.query_all_by_label(&g)
                .any(|n| n.rect().min.y > old_y && n.rect().min.y < new_y),
            "old group {g} shown in the alert"
        );
    }
    for g in groups(&new) {
        assert!(
            h.query_all_by_label(&g)
                .any(|n| n.rect().min.y > new_y && n.rect().min.y < heading),
            "new group {g} shown in the alert"
        );
    }
    // In the alert (and in the banner above every screen).
    assert_eq!(
        h.query_all_by_role_and_label(Role::Button, "Verify Carol again…")
            .count(),
        2
    );

    h.get_by_role_and_label(Role::Button, "Accept new key")
        .click();
    wait_for_label_contains(&mut h, "You accepted Carol's new key");
    wait_idle(&mut h);
    let s = env.store();
    assert_eq!(
        s.status("Carol", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
    assert!(
        s.history("Carol")
            .unwrap()
            .iter()
            .any(|e| matches!(e.kind, EventKind::KeyAccepted { .. }))
    );
    // The alert is gone and the page says unverified.
    assert!(h.query_by_label("⚠ Carol's key has changed").is_none());
    h.get_by_label("Unverified");
}

#[test]
fn detail_verify_page_preselects_the_contact_for_the_safety_number() {
    let env = Env::new();
    env.store()
        .add_contact_with_key("Dora", None, &key(21), T0)
        .unwrap();
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Dora");
    h.get_by_role_and_label(Role::Button, "Dora").click();
    wait_for_label(&mut h, "Verify Dora…");
    wait_for_label(&mut h, "Key 1 — in use now");
    h.get_by_label("First seen 2023-11-14 22:13 UTC, last seen 2023-11-14 22:13 UTC");
    h.get_by_label("Contact added");
    h.get_by_label("First key seen");
    for g in groups(&key(21)) {
        h.get_by_label(&g);
    }
    h.get_by_role_and_label(Role::Button, "Verify Dora…")
        .click();
    wait_for_label(&mut h, "Verify Dora");
    h.get_by_role_and_label(Role::Button, "Compare the safety number")
        .click();
    h.step();
    h.step();
    assert_eq!(h.state().screen, Screen::Compare);
    assert_eq!(h.state().compare.contact.as_deref(), Some("Dora"));
}

#[test]
fn forget_asks_for_confirmation() {
    let env = Env::new();
    env.store()
        .add_contact_with_key("Gus", None, &key(31), T0)
        .unwrap();
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Gus");
    h.get_by_role_and_label(Role::Button, "Gus").click();
    wait_for_label(&mut h, "Forget Gus…");
    h.get_by_role_and_label(Role::Button, "Forget Gus…").click();
    h.step();
    h.step();
    // Cancel keeps the contact.
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.step();
    wait_idle(&mut h);
    assert!(env.store().contact("Gus", &env.own()).is_ok());
    h.get_by_role_and_label(Role::Button, "Forget Gus…").click();
    h.step();
    h.step();
    h.get_by_role_and_label(Role::Button, "Yes, forget Gus")
        .click();
    wait_for_label_contains(&mut h, "Gus was forgotten");
    wait_idle(&mut h);
    assert!(env.store().list(&env.own()).unwrap().is_empty());
}

#[derive(Debug)]
struct TestDrop(std::path::PathBuf);

impl egui::DroppedFile for TestDrop {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn receipts_by_drop_and_by_path() {
    let env = Env::new();
    let me = env.create_identity();

    // My own receipt (from another device): imported as verified.
    let own = {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Store::open(dir.path().join("other.sqlite3")).unwrap();
        other
            .add_contact_with_key("Frank", None, &key(41), T0)
            .unwrap();
        let e = safety_number_evidence(&me.public_key(), &key(41));
        let own = OwnKeys::new(me.public_key());
        other
            .verify("Frank", e, Intent::Verify, &me, &own, T0)
            .unwrap()
            .receipt
    };
    let own_path = env.dir.path().join("frank.receipt");
    std::fs::write(&own_path, own.to_text() + "\n").unwrap();

    let mut h = start(&env, Screen::Contacts);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(TestDrop(own_path.clone())));
    wait_for_label_contains(&mut h, "Imported your receipt: Frank is verified");
    wait_for_label(&mut h, "Frank");
    wait_idle(&mut h);
    assert!(matches!(
        env.store().status("Frank", &env.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::SafetyNumber,
            ..
        }
    ));

    // Someone else's receipt about a third person: added, unverified.
    let stranger = Identity::from_seed(&[77; 32]).unwrap();
    let theirs = {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Store::open(dir.path().join("other.sqlite3")).unwrap();
        other
            .add_contact_with_key("Hana", None, &key(42), T0)
            .unwrap();
        let own = OwnKeys::new(stranger.public_key());
        other
            .verify(
                "Hana",
                Evidence::manual_assertion(key(42)),
                Intent::Verify,
                &stranger,
                &own,
                T0,
            )
            .unwrap()
            .receipt
    };
    let theirs_path = env.dir.path().join("hana.receipt");
    std::fs::write(&theirs_path, theirs.as_bytes()).unwrap();
    type_into(&mut h, "Receipt file", &support::path_str(&theirs_path));
    h.get_by_role_and_label(Role::Button, "Add from receipt")
        .click();
    wait_for_label_contains(
        &mut h,
        "Added Hana with the key from the receipt (unverified",
    );
    wait_idle(&mut h);
    assert_eq!(
        env.store().status("Hana", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
    // The refreshed list (Hana in it) may arrive a frame after the job's result: wait for
    // it, so the layout does not move under the next clicks.
    wait_for_label(&mut h, "Hana");
    h.run_steps(2);

    // Not a receipt: a specific error.
    let junk = env.dir.path().join("junk.txt");
    std::fs::write(&junk, "hello").unwrap();
    type_into(&mut h, "Receipt file", &support::path_str(&junk));
    h.get_by_role_and_label(Role::Button, "Add from receipt")
        .click();
    wait_for_label_contains(&mut h, "is not a valid receipt");
}

/// Carol, verified with `key(51)` (camera scan), in the test's store.
fn verified_carol(env: &Env) {
    let me = env.create_identity().public_key();
    let mut s = env.store();
    s.add_contact_with_key("Carol", None, &key(51), T0).unwrap();
    env.verify("Carol", qr_evidence(key(51), &me, QrSource::Camera), T0);
}

/// Another process (the CLI: a second `Store` connection) sees a new key for Carol.
/// Returns when that change was committed.
fn cli_observes_new_key_for_carol(env: &Env) -> std::time::Instant {
    let mut cli = Store::open(&env.store_path).unwrap();
    cli.observe_key("Carol", &key(52), T1).unwrap();
    std::time::Instant::now()
}

/// The app reloads the store within this long of another process's change.
const WATCH_BOUND: std::time::Duration = std::time::Duration::from_secs(2);

/// Attack: the app never reloaded the store, so a key change recorded by the CLI stayed
/// invisible (Carol still "verified") until the app restarted.
#[test]
fn key_change_by_another_process_shows_without_restart() {
    let env = Env::new();
    verified_carol(&env);
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Carol");
    h.get_by_label_contains("✔ Verified (QR code scanned");
    wait_idle(&mut h);

    let changed = cli_observes_new_key_for_carol(&env);
    support::wait_until(&mut h, "Carol's key change to show", |h| {
        h.query_by_label_contains("⚠ Key changed since you verified it")
            .is_some()
    });
    let took = changed.elapsed();
    assert!(took < WATCH_BOUND, "shown after {took:?}");
    // Everywhere: the list, the banner above every screen, the navigation.
    assert!(h.query_by_label_contains("✔ Verified").is_none());
    h.get_by_label_contains("⚠ Key changed: Carol");
    h.get_by_label("Contacts: 1 key changed");
    // Nothing was asked of the store worker: the worker noticed by itself.
    assert!(h.state().shared.store.is_idle());
}

/// The same with Carol's page open: it switches from "Verified" to the key-change alert,
/// with both fingerprints, and its history gets the change.
#[test]
fn key_change_by_another_process_updates_an_open_contact_page() {
    let env = Env::new();
    verified_carol(&env);
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Carol");
    h.get_by_role_and_label(Role::Button, "Carol").click();
    wait_for_label(&mut h, "Key 1 — in use now, the key you verified");
    h.get_by_label_contains("✔ Verified (QR code scanned");
    wait_idle(&mut h);

    let changed = cli_observes_new_key_for_carol(&env);
    wait_for_label(&mut h, "⚠ Carol's key has changed");
    let took = changed.elapsed();
    assert!(took < WATCH_BOUND, "shown after {took:?}");
    assert!(h.query_by_label_contains("✔ Verified").is_none());
    // The page reloads its keys and history from the new data.
    wait_for_label(&mut h, "Old key (the one you verified)");
    h.get_by_label("New key (in use now)");
    for g in groups(&key(52)) {
        assert!(h.query_all_by_label(&g).next().is_some(), "new group {g}");
    }
    wait_for_label(&mut h, "Key 2 — in use now");
    h.get_by_label("Key 1 — the key you verified");
    h.get_by_label("Key changed");
}

/// Frank was verified with key 11; his key changed to key 12. A receipt of the user's own
/// for key 12 (made on another device) was imported meanwhile: it landed in the history
/// only. Frank's page lists it with its method and date; using it runs the engine's review
/// and records it through the key-change flow.
#[test]
fn history_only_record_is_used_in_the_key_change_flow() {
    let env = Env::new();
    let me = env.create_identity();
    let own = OwnKeys::new(me.public_key());
    let theirs = {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Store::open(dir.path().join("other.sqlite3")).unwrap();
        other
            .add_contact_with_key("Frank", None, &key(12), T0)
            .unwrap();
        let e = safety_number_evidence(&me.public_key(), &key(12));
        other
            .verify("Frank", e, Intent::Verify, &me, &own, T0)
            .unwrap()
            .receipt
    };
    {
        let mut s = env.store();
        s.add_contact_with_key("Frank", None, &key(11), T0).unwrap();
        env.verify(
            "Frank",
            qr_evidence(key(11), &me.public_key(), QrSource::Camera),
            T0,
        );
        s.observe_key("Frank", &key(12), T1).unwrap();
        let out = s.import_receipt(&theirs, &own, T1).unwrap();
        assert!(matches!(out, ImportOutcome::HistoryOnly { .. }), "{out:?}");
    }
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Frank");
    h.get_by_role_and_label(Role::Button, "Frank").click();
    wait_for_label(&mut h, "Records in the history only");
    h.get_by_label_contains("safety number compared on 2023-11-14 22:13 UTC, imported 2023-11-16");
    h.get_by_label(
        "Receipt imported into the history only (safety number compared); it verified nothing by itself",
    );
    // In the key-change alert, beside the old and new key.
    h.get_by_label("Your records of the new key (in the history only)");
    let button = "Use the record of 2023-11-14 22:13 UTC to verify the new key";
    wait_idle(&mut h);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, button).click();
    wait_for_label_contains(&mut h, "Frank's new key is verified with your record");
    wait_idle(&mut h);
    let status = env.store().status("Frank", &env.own()).unwrap();
    assert!(
        matches!(
            status,
            TrustStatus::Verified {
                method: VerificationMethod::SafetyNumber,
                ..
            }
        ),
        "{status:?}"
    );
    // Used: no longer "in the history only", and the alert is gone.
    wait_until(&mut h, "the page without the alert", |h| {
        h.query_by_label("⚠ Frank's key has changed").is_none()
            && h.query_by_label("Records in the history only").is_none()
    });
}

/// Rollback: Frank's key 12 was replaced here by key 11, verified after it; then key 12
/// comes back, with an old receipt for it imported. The record is listed, but the engine
/// refuses it (`retired_key`), and the page says so in words.
#[test]
fn history_only_record_of_a_retired_key_is_refused_in_words() {
    let env = Env::new();
    let me = env.create_identity();
    let own = OwnKeys::new(me.public_key());
    let old_receipt = {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Store::open(dir.path().join("other.sqlite3")).unwrap();
        other
            .add_contact_with_key("Frank", None, &key(12), T0)
            .unwrap();
        other
            .verify(
                "Frank",
                Evidence::manual_assertion(key(12)),
                Intent::Verify,
                &me,
                &own,
                T0,
            )
            .unwrap()
            .receipt
    };
    {
        let mut s = env.store();
        s.add_contact_with_key("Frank", None, &key(12), T0).unwrap();
        s.observe_key("Frank", &key(11), T0).unwrap();
        env.verify("Frank", Evidence::manual_assertion(key(11)), T0);
        s.observe_key("Frank", &key(12), T1).unwrap();
        let out = s.import_receipt(&old_receipt, &own, T1).unwrap();
        assert!(matches!(out, ImportOutcome::HistoryOnly { .. }), "{out:?}");
    }
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Frank");
    h.get_by_role_and_label(Role::Button, "Frank").click();
    let button = "Use the record of 2023-11-14 22:13 UTC to verify the new key";
    wait_for_label(&mut h, button);
    wait_idle(&mut h);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, button).click();
    wait_for_label_contains(
        &mut h,
        "Not recorded: This is an old key of Frank that a newer, verified key replaced.",
    );
    wait_idle(&mut h);
    assert!(matches!(
        env.store().status("Frank", &env.own()).unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
}

/// Bob was verified by an identity of the user's that was then replaced without a rotation
/// (lost): his entry reads "unverified (new identity)", never verified, with what to do.
#[test]
fn new_identity_is_shown_unverified_with_what_to_do() {
    let env = Env::new();
    let first = env.create_identity().public_key();
    {
        let mut s = env.store();
        s.add_contact_with_key("Bob", None, &key(2), T0).unwrap();
        env.verify("Bob", qr_evidence(key(2), &first, QrSource::Camera), T0);
    }
    // The identity is replaced (no rotation statement).
    std::fs::remove_file(&env.identity_path).unwrap();
    env.create_identity();
    let mut h = start(&env, Screen::Contacts);
    wait_for_label(&mut h, "Bob");
    h.get_by_label("Unverified (new identity)");
    h.get_by_label_contains("Compare codes again to verify them.");
    assert!(h.query_by_label_contains("✔ Verified").is_none());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Bob").click();
    wait_for_label(&mut h, "Verify Bob…");
    h.get_by_label("Unverified (new identity)");
    h.get_by_label_contains("earlier identity of yours");
    assert!(h.query_by_label_contains("✔ Verified").is_none());
}

#[test]
fn enter_in_the_name_field_adds_the_contact() {
    let env = Env::new();
    let mut h = start(&env, Screen::Contacts);
    // The key pasted first, the name typed last: Enter there submits.
    type_into(&mut h, "Their key", &key(5).to_canonical_string());
    type_into(&mut h, "Name", "Eve");
    h.key_press(egui::Key::Enter);
    h.step();
    wait_for_label_contains(&mut h, "Added Eve (unverified)");
    wait_idle(&mut h);
    assert_eq!(
        env.store().contact("Eve", &env.own()).unwrap().current_key,
        Some(key(5))
    );
}
