//! Compare-codes flows, driven headless by role and label: the full safety
//! number in digits and words, language switching, compare-and-enter with a
//! typo, "They match" recorded in the store, "They don't match" recording nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::{Env, key, start, type_into, wait_for_label, wait_for_label_contains, wait_idle};
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SafetyNumber, SideFingerprint};
use verifier_gui::app::{Screen, VerifierApp};
use verifier_store::{EventKind, TrustStatus};

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

/// An app with one contact "Dave", on the Compare screen with Dave selected.
fn compare_with_dave(env: &Env) -> (Harness<'static, VerifierApp>, SafetyNumber) {
    env.store()
        .add_contact_with_key("Dave", None, &key(7), T0)
        .unwrap();
    let mut h = start(env, Screen::Compare);
    h.state_mut().shared.compare_contact = Some("Dave".to_owned());
    let me = env.identity().public_key();
    let dave = key(7);
    let number = SafetyNumber::new(&Party::new(&me), &Party::new(&dave));
    wait_for_label(&mut h, &number.digit_groups()[11]);
    (h, number)
}

#[test]
fn shows_all_12_groups_and_18_words_in_the_chosen_language() {
    let env = Env::new();
    let (mut h, number) = compare_with_dave(&env);
    let groups = number.digit_groups();
    assert_eq!(groups.len(), 12);
    let mut ys = Vec::new();
    for g in &groups {
        // A group may appear twice in one number: take every node with that text.
        let nodes: Vec<_> = h.query_all_by_label(g).collect();
        assert!(!nodes.is_empty(), "group {g} shown");
        ys.extend(nodes.iter().map(|n| n.rect().height()));
    }
    // Every group equally prominent: same height.
    assert!(ys.windows(2).all(|w| (w[0] - w[1]).abs() < 0.5), "{ys:?}");
    let words = number.bip39_words(Bip39Language::English);
    assert_eq!(words.len(), 18);
    for w in &words {
        assert!(h.query_all_by_label(w).count() >= 1, "word {w} shown");
    }
    h.get_by_label("Both of you must pick the same language: the same code gives different words in different languages.");

    // Switch the language here: same indices, French words; the setting follows.
    h.get_by_label("Word language").click();
    h.step();
    h.step();
    h.get_by_label("French").click();
    h.step();
    h.step();
    for w in number.bip39_words(Bip39Language::French) {
        assert!(
            h.query_all_by_label(w).count() >= 1,
            "French word {w} shown"
        );
    }
    assert_eq!(h.state().shared.settings.word_lang, "fr");
}

#[test]
fn match_and_no_match_have_equal_weight_and_no_default() {
    let env = Env::new();
    let (h, _) = compare_with_dave(&env);
    let yes = h.get_by_role_and_label(Role::Button, "They match");
    let no = h.get_by_role_and_label(Role::Button, "They don't match");
    assert!(
        !yes.is_focused() && !no.is_focused(),
        "no answer is preselected"
    );
    let (a, b) = (yes.rect(), no.rect());
    assert!((a.width() - b.width()).abs() < 0.5 && (a.height() - b.height()).abs() < 0.5);
}

#[test]
fn they_match_records_a_safety_number_verification() {
    let env = Env::new();
    let (mut h, _) = compare_with_dave(&env);
    h.get_by_role_and_label(Role::Button, "They match").click();
    wait_for_label(&mut h, "✔ Dave is verified (safety number compared).");
    wait_idle(&mut h);
    let store = env.store();
    assert!(matches!(
        store.status("Dave", &env.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::SafetyNumber,
            ..
        }
    ));
    let receipts = store.receipts("Dave").unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].signer(), &env.identity().public_key());
    assert_eq!(receipts[0].statement().key(), &key(7));
}

#[test]
fn they_dont_match_explains_and_records_nothing() {
    let env = Env::new();
    let (mut h, _) = compare_with_dave(&env);
    h.get_by_role_and_label(Role::Button, "They don't match")
        .click();
    wait_for_label(&mut h, "The codes do not match — nothing was recorded");
    h.get_by_label_contains("Someone may be intercepting your conversation");
    wait_idle(&mut h);
    let store = env.store();
    assert_eq!(
        store.status("Dave", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
    assert!(
        !store
            .history("Dave")
            .unwrap()
            .iter()
            .any(|e| matches!(e.kind, EventKind::Verified { .. }))
    );
    assert!(h.query_by_label("They match").is_none());
}

#[test]
fn compare_and_enter_names_the_first_wrong_word_then_verifies() {
    let env = Env::new();
    let (mut h, number) = compare_with_dave(&env);
    h.get_by_label("Type what they read to you").click();
    h.step();
    h.step();

    // Prefixes of four letters, with word 5 (and 9) replaced by other words.
    let words = number.bip39_words(Bip39Language::English);
    let mut typed: Vec<String> = words.iter().map(|w| w.chars().take(4).collect()).collect();
    typed[4] = if words[4] == "zoo" { "abandon" } else { "zoo" }.to_owned();
    typed[8] = if words[8] == "zoo" { "abandon" } else { "zoo" }.to_owned();
    type_into(&mut h, "What they read to you", &typed.join(" "));
    // Prefix completion shows the completed word.
    h.get_by_label(&format!("1. {}", words[0]));
    h.get_by_role_and_label(Role::Button, "Check").click();
    wait_for_label_contains(&mut h, "Word 5 of 18 is different");
    h.get_by_label_contains(&format!("your screen shows “{}”", words[4]));
    assert!(h.query_by_label_contains("Word 9 of 18").is_none());
    assert!(h.query_by_label("Mark verified").is_none());
    wait_idle(&mut h);
    assert_eq!(
        env.store().status("Dave", &env.own()).unwrap(),
        TrustStatus::Unverified
    );

    // Corrected: all match, "Mark verified" records it directly.
    let prefixes: Vec<String> = words.iter().map(|w| w.chars().take(4).collect()).collect();
    type_into(&mut h, "What they read to you", &prefixes.join(" "));
    h.get_by_role_and_label(Role::Button, "Check").click();
    wait_for_label(&mut h, "✔ All 18 words match your screen.");
    h.get_by_role_and_label(Role::Button, "Mark verified")
        .click();
    // Typed back and checked by the app: recorded as such (not as "compared").
    wait_for_label(&mut h, "✔ Dave is verified (words typed back).");
    wait_idle(&mut h);
    assert!(matches!(
        env.store().status("Dave", &env.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::WordsTypedBack,
            ..
        }
    ));
}

#[test]
fn compare_and_enter_digits_points_at_the_group() {
    let env = Env::new();
    let (mut h, number) = compare_with_dave(&env);
    h.get_by_label("Type what they read to you").click();
    h.step();
    let mut groups = number.digit_groups();
    groups[2] = if groups[2] == "00000" {
        "11111"
    } else {
        "00000"
    }
    .to_owned();
    type_into(&mut h, "What they read to you", &groups.concat());
    h.get_by_role_and_label(Role::Button, "Check").click();
    wait_for_label_contains(&mut h, "Group 3 of 12 is different");
}

#[test]
fn pasted_key_compares_and_saves_under_a_name() {
    let env = Env::new();
    let mut h = start(&env, Screen::Compare);
    h.get_by_label("Contact").click();
    h.step();
    h.step();
    h.get_by_label("Paste a key instead").click();
    h.step();
    h.step();
    type_into(&mut h, "Their key", "not a key");
    h.get_by_label_contains("That is not a valid key:");
    let k = key(8);
    type_into(&mut h, "Their key", &k.to_canonical_string());
    let me = env.identity().public_key();
    let number = SafetyNumber::new(&Party::new(&me), &Party::new(&k));
    wait_for_label(&mut h, &number.digit_groups()[0]);
    // No name yet: nothing recorded, and the user is told why.
    h.get_by_role_and_label(Role::Button, "They match").click();
    h.step();
    h.step();
    h.get_by_label("Type a name in \"Save as\" so the verification can be recorded.");
    type_into(&mut h, "Save as", "Ivy");
    h.get_by_role_and_label(Role::Button, "They match").click();
    wait_for_label(&mut h, "✔ Ivy is verified (safety number compared).");
    wait_idle(&mut h);
    assert!(matches!(
        env.store().status("Ivy", &env.own()).unwrap(),
        TrustStatus::Verified { .. }
    ));
}

/// Dave was verified with key 7; his key changed to key 8. Comparing with him is the
/// key-change flow: old and new key side by side, and "They match" records nothing until
/// the person confirms they checked the new key with Dave (`Intent::ConfirmKeyChange`).
#[test]
fn key_changed_contact_is_compared_in_the_key_change_flow() {
    let env = Env::new();
    let me = env.create_identity().public_key();
    {
        let mut s = env.store();
        s.add_contact_with_key("Dave", None, &key(7), T0).unwrap();
        env.verify("Dave", support::safety_number_evidence(&me, &key(7)), T0);
        s.observe_key("Dave", &key(8), T0).unwrap();
    }
    let mut h = start(&env, Screen::Compare);
    h.state_mut().shared.compare_contact = Some("Dave".to_owned());
    let number = SafetyNumber::new(&Party::new(&me), &Party::new(&key(8)));
    wait_for_label(&mut h, &number.digit_groups()[11]);
    wait_for_label(&mut h, "⚠ Dave has a new key");
    wait_for_label(&mut h, "Old key (the one you verified)");
    h.get_by_label("New key (the key you checked now)");
    for k in [key(7), key(8)] {
        for g in SideFingerprint::compute(&Party::new(&k)).digit_groups() {
            assert!(h.query_all_by_label(&g).next().is_some(), "group {g}");
        }
    }
    h.get_by_role_and_label(Role::Button, "They match").click();
    let confirm = "I checked the new key with Dave — verify it";
    wait_for_label(&mut h, confirm);
    h.get_by_role_and_label(Role::Button, "Not now");
    wait_idle(&mut h);
    h.run_steps(2);
    assert!(matches!(
        env.store().status("Dave", &env.own()).unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
    h.get_by_role_and_label(Role::Button, confirm).click();
    wait_for_label(
        &mut h,
        "✔ Dave's new key is verified (safety number compared); it replaces the key you had verified before.",
    );
    wait_idle(&mut h);
    let store = env.store();
    assert!(matches!(
        store.status("Dave", &env.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::SafetyNumber,
            ..
        }
    ));
    assert_eq!(
        store.receipts("Dave").unwrap()[0].statement().key(),
        &key(8)
    );
    // The panel is gone once Dave's new key is verified.
    assert!(h.query_by_label("⚠ Dave has a new key").is_none());
}

/// "Not now" records nothing and keeps the alert.
#[test]
fn key_change_flow_not_now_records_nothing() {
    let env = Env::new();
    let me = env.create_identity().public_key();
    {
        let mut s = env.store();
        s.add_contact_with_key("Dave", None, &key(7), T0).unwrap();
        env.verify("Dave", support::safety_number_evidence(&me, &key(7)), T0);
        s.observe_key("Dave", &key(8), T0).unwrap();
    }
    let mut h = start(&env, Screen::Compare);
    h.state_mut().shared.compare_contact = Some("Dave".to_owned());
    wait_for_label(&mut h, "⚠ Dave has a new key");
    wait_for_label(&mut h, "They match");
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "They match").click();
    wait_for_label(&mut h, "Not now");
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Not now").click();
    wait_for_label_contains(&mut h, "Nothing was recorded. Dave stays marked");
    wait_idle(&mut h);
    let store = env.store();
    assert!(matches!(
        store.status("Dave", &env.own()).unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
    assert_eq!(store.receipts("Dave").unwrap().len(), 1);
}
