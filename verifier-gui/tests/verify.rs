//! "Verify Bob": the per-contact page of every method, one click from the
//! contact and from the key-change banner; each method opens its screen ready
//! for that contact and nothing is recorded without the check. Also: in
//! "type what they read" mode the person's own code stays hidden until the
//! answer is in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::{Env, key, qr_evidence, start, type_into, wait_for_label, wait_for_label_contains};
use verifier_core::key::PublicKey;
use verifier_core::qr::{PairwiseCard, Payload, QrMatrix};
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::safety_number::{Party, SafetyNumber, SideFingerprint};
use verifier_core::trust::QrSource;
use verifier_gui::app::{Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::shared::CompareMode;
use verifier_gui::views::contacts::verify;
use verifier_gui::workers::file_picker::FixedPicker;
use verifier_store::TrustStatus;

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);
const T1: Timestamp = Timestamp::from_unix_secs(1_700_100_000);

fn groups(k: &PublicKey) -> Vec<String> {
    SideFingerprint::compute(&Party::new(k)).digit_groups()
}

/// The app with `picker` as its file dialog, on the Contacts screen.
fn start_with_picker(env: &Env, picker: FixedPicker) -> Harness<'static, VerifierApp> {
    let mut config = env.config();
    config.file_picker = Arc::new(picker);
    let app = VerifierApp::new(config, Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 2600.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    h.state_mut().screen = Screen::Contacts;
    support::wait_until(&mut h, "the trust store to load", |h| {
        h.state().shared.store.snapshot().loaded
    });
    h
}

fn open_verify_page(h: &mut Harness<'static, VerifierApp>, name: &str) {
    wait_for_label(h, name);
    h.get_by_role_and_label(Role::Button, name).click();
    wait_for_label(h, &format!("Verify {name}…"));
    h.get_by_role_and_label(Role::Button, &format!("Verify {name}…"))
        .click();
    wait_for_label(h, &format!("Verify {name}"));
}

fn settle(h: &mut Harness<'static, VerifierApp>) {
    for _ in 0..4 {
        h.step();
    }
}

#[test]
fn the_page_offers_every_method_and_each_opens_its_screen_for_that_contact() {
    let env = Env::new();
    env.create_identity();
    env.store()
        .add_contact_with_key("Dora", None, &key(21), T0)
        .unwrap();
    let mut h = start(&env, Screen::Contacts);
    open_verify_page(&mut h, "Dora");
    for m in [
        verify::CAMERA,
        verify::PICTURE,
        verify::SAFETY_NUMBER,
        verify::TYPE_BACK,
        verify::LIVE,
    ] {
        // Each method is a button (the query fails the test when one is missing).
        h.get_by_role_and_label(Role::Button, m);
    }

    // Camera: the Scan screen expects Dora's code.
    h.get_by_role_and_label(Role::Button, verify::CAMERA)
        .click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Scan);
    assert_eq!(h.state().scan.expected(), Some("Dora"), "whose code is it");
    assert_eq!(h.state().shared.requests.scan_expected, None, "taken");

    // Back to the page: safety number, read mode.
    h.state_mut().screen = Screen::Contacts;
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, verify::SAFETY_NUMBER)
        .click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Compare);
    assert_eq!(h.state().compare.contact.as_deref(), Some("Dora"));
    assert_eq!(h.state().compare.mode, CompareMode::Read);

    // Type back: the Compare screen in that mode.
    h.state_mut().screen = Screen::Contacts;
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, verify::TYPE_BACK)
        .click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Compare);
    assert_eq!(h.state().compare.mode, CompareMode::Type);

    // Live session: her name filled in.
    h.state_mut().screen = Screen::Contacts;
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, verify::LIVE).click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Sas);
    assert_eq!(h.state().sas.name, "Dora");

    // Nothing of this recorded anything.
    assert_eq!(
        env.store().status("Dora", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
}

#[test]
fn banner_opens_verify_page_with_old_and_new_fingerprints_after_a_key_change() {
    let env = Env::new();
    let (old, new) = (key(11), key(12));
    {
        let me = env.create_identity().public_key();
        let mut s = env.store();
        s.add_contact_with_key("Carol", None, &old, T0).unwrap();
        env.verify("Carol", qr_evidence(old, &me, QrSource::Camera), T0);
        s.observe_key("Carol", &new, T1).unwrap();
    }
    // Launched on "My code": the banner is above every screen.
    let mut h = start(&env, Screen::MyCode);
    wait_for_label(&mut h, "Verify Carol again…");
    h.get_by_role_and_label(Role::Button, "Verify Carol again…")
        .click(); // one click
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Contacts);
    wait_for_label(&mut h, "Verify Carol");
    wait_for_label(&mut h, "Old key (the one you verified)");
    h.get_by_label("New key (the key you checked now)");
    for g in groups(&old).iter().chain(groups(&new).iter()) {
        assert!(h.query_all_by_label(g).next().is_some(), "group {g} shown");
    }
    // The page records nothing; the key change stays until checked.
    h.get_by_role_and_label(Role::Button, verify::SAFETY_NUMBER);
    assert!(matches!(
        env.store().status("Carol", &env.own()).unwrap(),
        TrustStatus::KeyChanged { .. }
    ));
}

#[test]
fn a_picture_chosen_in_the_file_dialog_is_read_for_that_contact_and_verified_only_on_confirm() {
    let env = Env::new();
    let me = env.create_identity().public_key();
    let dora = key(21);
    env.store()
        .add_contact_with_key("Dora", None, &dora, T0)
        .unwrap();
    let code = Payload::Pairwise(PairwiseCard::new(dora, &me)).encode();
    let png = env.dir.path().join("dora.png");
    std::fs::write(
        &png,
        QrMatrix::from_bytes(&code).unwrap().to_png(6).unwrap(),
    )
    .unwrap();
    let mut h = start_with_picker(&env, FixedPicker(Some(png)));
    open_verify_page(&mut h, "Dora");
    h.get_by_role_and_label(Role::Button, verify::PICTURE)
        .click();
    support::wait_until(&mut h, "the Scan screen", |h| {
        h.state().screen == Screen::Scan
    });
    wait_for_label(&mut h, "✔ Match: this is Dora's key");
    // Read, not yet recorded: the person confirms.
    assert_eq!(
        env.store().status("Dora", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
    h.get_by_role_and_label(Role::Button, "Mark verified")
        .click();
    support::wait_until(&mut h, "Dora verified", |_| {
        matches!(
            env.store().status("Dora", &env.own()).unwrap(),
            TrustStatus::Verified {
                method: VerificationMethod::QrImageFile,
                ..
            }
        )
    });
}

#[test]
fn a_cancelled_file_dialog_says_what_else_works_and_records_nothing() {
    let env = Env::new();
    env.create_identity();
    env.store()
        .add_contact_with_key("Dora", None, &key(21), T0)
        .unwrap();
    let mut h = start_with_picker(&env, FixedPicker(None));
    open_verify_page(&mut h, "Dora");
    h.get_by_role_and_label(Role::Button, verify::PICTURE)
        .click();
    wait_for_label_contains(&mut h, "No picture chosen");
    assert_eq!(h.state().screen, Screen::Contacts);
    assert_eq!(
        env.store().status("Dora", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
}

/// Attack on the check itself: in "type what they read" mode, the person could copy
/// their own code into the answer instead of listening. The code is not on screen
/// until the answer is checked, and hides again when the answer is edited.
#[test]
fn type_back_hides_own_code_until_the_answer_is_checked() {
    let env = Env::new();
    let me = env.create_identity();
    let dora = key(21);
    env.store()
        .add_contact_with_key("Dora", None, &dora, T0)
        .unwrap();
    let number = SafetyNumber::new(&Party::new(&me.public_key()), &Party::new(&dora));
    let digits = number.digit_groups();
    let mut h = start(&env, Screen::Contacts);
    open_verify_page(&mut h, "Dora");
    h.get_by_role_and_label(Role::Button, verify::TYPE_BACK)
        .click();
    wait_for_label_contains(&mut h, "Your code is hidden");
    for g in &digits {
        assert!(h.query_by_label(g).is_none(), "group {g} must be hidden");
    }
    // A wrong answer is checked: the code appears with the difference marked.
    let mut wrong = digits.clone();
    wrong[3] = "00000".to_owned();
    type_into(&mut h, "What they read to you", &wrong.join(" "));
    h.get_by_role_and_label(Role::Button, "Check").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("Your code is hidden").is_none());
    h.get_by_label(&digits[0]);
    // Editing the answer hides the code again.
    h.get_by_role_and_label(Role::TextInput, "What they read to you")
        .focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "What they read to you")
        .type_text("1");
    settle(&mut h);
    h.get_by_label_contains("Your code is hidden");
    assert!(h.query_by_label(&digits[0]).is_none());
    assert_eq!(
        env.store().status("Dora", &env.own()).unwrap(),
        TrustStatus::Unverified
    );
}

/// Attack on crediting the wrong contact: "Verify Dora → Start a live session" pressed
/// while another session is shown must not leave "Dora" waiting to name whichever
/// session runs next (with Dora having no key yet, that stranger's key would be hers).
#[test]
fn a_live_session_request_during_another_session_is_dropped_not_kept_for_the_next() {
    let env = Env::new();
    env.create_identity();
    env.store()
        .add_contact_with_key("Dora", None, &key(21), T0)
        .unwrap();
    let mut h = start(&env, Screen::Sas);
    h.state_mut().sas.bind = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Start a session")
        .click();
    support::wait_until(&mut h, "the join code", |h| {
        h.state().sas.join_code_text().is_some()
    });
    // Another session is running; the person goes to Dora's page and asks for a live session.
    h.state_mut().screen = Screen::Contacts;
    settle(&mut h);
    open_verify_page(&mut h, "Dora");
    h.get_by_role_and_label(Role::Button, verify::LIVE).click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Sas);
    assert_eq!(h.state().shared.requests.sas_name, None, "dropped");
    // The running session ends; the next one starts with no name.
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    settle(&mut h);
    if let Some(b) = h.query_by_role_and_label(Role::Button, "Back") {
        b.click();
        settle(&mut h);
    }
    assert_eq!(h.state().sas.name, "");
    h.state_mut()
        .sas
        .close(std::time::Duration::from_millis(200));
}
