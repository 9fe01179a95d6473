//! Keyboard only: every screen is reachable with Tab and Enter, and whole flows work
//! without the mouse — adding a contact, compare-and-enter, a live session, settings, and
//! scanning an image file. These tests only press keys and type text (no clicks, no
//! accessibility "focus" or "click" actions): focus moves with Tab, Enter activates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::{Env, key, wait_for_label, wait_for_label_contains, wait_idle, wait_until};
use verifier_core::identity::Identity;
use verifier_core::qr::{PairwiseCard, Payload, QrMatrix};
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SafetyNumber};
use verifier_core::sas::Phase;
use verifier_core::trust::QrSource;
use verifier_gui::app::{Screen, VerifierApp};
use verifier_gui::settings::{STORAGE_KEY, Settings, Theme};
use verifier_gui::views::sas::SasStatus;
use verifier_store::TrustStatus;

const T0: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

/// Presses Tab until the widget labelled `label` has keyboard focus. Every control Tab
/// passes on the way must have an accessible name.
fn tab_to(h: &mut Harness<'static, VerifierApp>, label: &str) {
    for _ in 0..120 {
        if h.query_all_by_label(label).any(|n| n.is_focused()) {
            return;
        }
        for n in h.root().children_recursive().filter(|n| n.is_focused()) {
            let name = n.accesskit_node().label().unwrap_or_default();
            assert!(
                !name.trim().is_empty(),
                "a control reached by Tab has no accessible name: {n:?}"
            );
        }
        h.key_press(egui::Key::Tab);
        // Some screens animate (a spinner while the camera list loads): step, don't settle.
        h.run_steps(2);
    }
    panic!("Tab never reached `{label}`");
}

/// Tab to `label` and press Enter on it.
fn activate(h: &mut Harness<'static, VerifierApp>, label: &str) {
    tab_to(h, label);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
}

/// Types into the focused widget, replacing what it held.
fn type_text(h: &mut Harness<'static, VerifierApp>, text: &str) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.event(egui::Event::Text(text.to_owned()));
    h.run_steps(2);
}

/// Goes to a screen from the navigation with Tab and Enter.
fn go(h: &mut Harness<'static, VerifierApp>, screen: Screen) {
    activate(h, screen.label());
    assert_eq!(h.state().screen, screen, "Enter on `{}`", screen.label());
}

#[test]
fn every_screen_is_reachable_with_tab_and_enter() {
    let env = Env::new();
    let mut h = support::start(&env, Screen::MyCode);
    for screen in Screen::ALL {
        let label = screen.label();
        tab_to(&mut h, label);
        h.key_press(egui::Key::Enter);
        h.run_steps(2);
        assert_eq!(h.state().screen, screen, "Enter on `{label}`");
    }
}

#[test]
fn a_contact_can_be_added_with_the_keyboard_alone() {
    let env = Env::new();
    let mut h = support::start(&env, Screen::MyCode);
    go(&mut h, Screen::Contacts);
    h.run();
    let k = key(42).to_canonical_string();
    tab_to(&mut h, "Name");
    type_text(&mut h, "Zoe");
    tab_to(&mut h, "Their key");
    type_text(&mut h, &k);
    activate(&mut h, "Add contact");
    wait_idle(&mut h);
    wait_for_label_contains(&mut h, "Zoe");
    let listed = env.store().list(&env.own()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Zoe");
    assert_eq!(listed[0].current_key.unwrap().to_canonical_string(), k);
}

#[test]
fn compare_and_enter_with_the_keyboard_alone() {
    let env = Env::new();
    env.store()
        .add_contact_with_key("Dave", None, &key(7), T0)
        .unwrap();
    let mut h = support::start(&env, Screen::MyCode);
    go(&mut h, Screen::Compare);
    // Choose the contact in the drop-down: Enter opens it, Tab moves through it.
    activate(&mut h, "Contact");
    activate(&mut h, "Dave");
    assert_eq!(h.state().compare.contact.as_deref(), Some("Dave"));
    let me = env.identity().public_key();
    let number = SafetyNumber::new(&Party::new(&me), &Party::new(&key(7)));
    wait_for_label(&mut h, &number.digit_groups()[11]);

    activate(&mut h, "Type what they read to you");
    // Prefixes of four letters, with word 7 mistyped.
    let words = number.bip39_words(Bip39Language::English);
    let mut typed: Vec<String> = words.iter().map(|w| w.chars().take(4).collect()).collect();
    typed[6] = if words[6] == "zoo" { "abandon" } else { "zoo" }.to_owned();
    tab_to(&mut h, "What they read to you");
    type_text(&mut h, &typed.join(" "));
    h.key_press(egui::Key::Enter); // Enter in the field checks
    wait_for_label_contains(&mut h, "Word 7 of 18 is different");
    h.get_by_label_contains(&format!("your screen shows “{}”", words[6]));
    assert!(h.query_by_label("Mark verified").is_none());

    // Corrected.
    let prefixes: Vec<String> = words.iter().map(|w| w.chars().take(4).collect()).collect();
    tab_to(&mut h, "What they read to you");
    type_text(&mut h, &prefixes.join(" "));
    h.key_press(egui::Key::Enter);
    wait_for_label(&mut h, "✔ All 18 words match your screen.");
    activate(&mut h, "Mark verified");
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
fn a_live_session_can_be_joined_and_confirmed_with_the_keyboard_alone() {
    let (host_env, joiner_env) = (Env::new(), Env::new());
    // The host uses the mouse; the joiner only the keyboard.
    let mut host = support::start(&host_env, Screen::Sas);
    host.state_mut().sas.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    host.run_steps(2);
    host.get_by_role_and_label(Role::Button, "Start a session")
        .click();
    wait_until(&mut host, "the join code", |h| {
        h.state().sas.join_code_text().is_some()
    });
    let code = host.state().sas.join_code_text().unwrap();

    let mut joiner = support::start(&joiner_env, Screen::MyCode);
    go(&mut joiner, Screen::Sas);
    tab_to(&mut joiner, "Contact name (optional)");
    type_text(&mut joiner, "Hannah");
    tab_to(&mut joiner, "Join code");
    type_text(&mut joiner, &code);
    joiner.key_press(egui::Key::Enter); // Enter in the field joins
    let comparing = |h: &Harness<'static, VerifierApp>| {
        matches!(h.state().sas.phase(), Some(Phase::Compare { .. }))
    };
    let end = Instant::now() + Duration::from_secs(20);
    while !(comparing(&host) && comparing(&joiner)) {
        assert!(
            Instant::now() < end,
            "timed out waiting for both to compare"
        );
        host.step();
        joiner.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    joiner.run_steps(2);
    // Neither answer has focus by itself; Tab reaches both.
    assert!(
        !joiner
            .query_all_by_label("They match")
            .any(|n| n.is_focused())
    );
    tab_to(&mut joiner, "They don't match");
    activate(&mut joiner, "They match");
    host.get_by_role_and_label(Role::Button, "They match")
        .click();
    let verified = |h: &Harness<'static, VerifierApp>| {
        matches!(h.state().sas.status(), SasStatus::Verified(_))
    };
    let end = Instant::now() + Duration::from_secs(20);
    while !(verified(&host) && verified(&joiner)) {
        assert!(Instant::now() < end, "timed out waiting for both verified");
        host.step();
        joiner.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_for_label(
        &mut joiner,
        "Saved: Hannah is verified (live session (SAS) compared).",
    );
    let c = joiner_env
        .store()
        .contact("Hannah", &joiner_env.own())
        .unwrap();
    assert_eq!(c.current_key, Some(host_env.identity().public_key()));
    assert!(matches!(
        c.status,
        TrustStatus::Verified {
            method: VerificationMethod::SasSession,
            ..
        }
    ));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_change_with_the_keyboard_alone_and_persist() {
    let env = Env::new();
    let mut h = support::start(&env, Screen::MyCode);
    go(&mut h, Screen::Settings);
    activate(&mut h, "Word language");
    activate(&mut h, "French");
    assert_eq!(h.state().shared.settings.word_lang, "fr");
    activate(&mut h, "Emoji names");
    activate(&mut h, "de");
    assert_eq!(h.state().shared.settings.emoji_lang, "de");
    activate(&mut h, "Dark");
    assert_eq!(h.state().shared.settings.theme, Theme::Dark);
    tab_to(&mut h, "Text size");
    for _ in 0..3 {
        h.key_press(egui::Key::ArrowRight);
        h.run_steps(2);
    }
    let scale = h.state().shared.settings.text_scale;
    assert!(scale > 1.0, "the arrow keys enlarge the text ({scale})");
    h.run_steps(2);
    assert!((h.ctx.zoom_factor() - scale).abs() < 1e-3, "applied");

    // Persisted (as eframe does on exit) and restored on the next start.
    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved: Settings = eframe::get_value(&storage, STORAGE_KEY).unwrap();
    assert_eq!(saved, h.state().shared.settings);
    drop(h);
    let app = VerifierApp::new(env.config(), saved);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 2600.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    h.state_mut().screen = Screen::Settings;
    h.run_steps(4);
    assert_eq!(
        h.get_by_label("Word language").value().as_deref(),
        Some("French")
    );
    assert_eq!(h.get_by_label("Emoji names").value().as_deref(), Some("de"));
    assert_eq!(h.ctx.theme(), egui::Theme::Dark, "dark theme");
}

#[test]
fn an_image_file_is_scanned_and_verified_with_the_keyboard_alone() {
    let env = Env::new();
    let me = env.create_identity().public_key();
    let alice = Identity::generate(&mut rand_core::OsRng).public_key();
    env.store()
        .add_contact_with_key("Alice", None, &alice, T0)
        .unwrap();
    // Alice's code for me (her key + my key's fingerprint), as a PNG file.
    let file = env.dir.path().join("alice.png");
    let payload = Payload::Pairwise(PairwiseCard::new(alice, &me));
    let png = QrMatrix::for_payload(&payload).unwrap().to_png(6).unwrap();
    std::fs::write(&file, png).unwrap();

    let mut h = support::start(&env, Screen::MyCode);
    go(&mut h, Screen::Scan);
    // Let the screen settle first: while the camera list loads, the widgets above the file
    // field change, and the field (an automatic id) would lose keyboard focus.
    wait_for_label(&mut h, "No camera found.");
    h.run_steps(2);
    tab_to(&mut h, "Image file");
    type_text(&mut h, file.to_str().unwrap());
    h.key_press(egui::Key::Enter); // Enter in the field opens the file
    wait_for_label(&mut h, "✔ Match: this is Alice's key");
    // Nobody said whose code it is: the app found Alice, and the button names her.
    activate(&mut h, "Yes, this is Alice — mark verified");
    wait_until(&mut h, "Alice verified", |h| {
        h.state().shared.store.snapshot().contacts.iter().any(|c| {
            c.name == "Alice"
                && matches!(
                    c.status,
                    TrustStatus::Verified {
                        method: VerificationMethod::QrImageFile,
                        ..
                    }
                )
        })
    });
    wait_for_label_contains(&mut h, "Alice is verified");
}

/// Steps until the screen stops changing (background loads done), at most 10 s.
fn settle(h: &mut Harness<'static, VerifierApp>) {
    let labels = |h: &Harness<'static, VerifierApp>| -> Vec<String> {
        h.root()
            .children_recursive()
            .map(|n| {
                let a = n.accesskit_node();
                format!("{:?}{:?}{:?}", a.role(), a.label(), a.value())
            })
            .collect()
    };
    let end = Instant::now() + Duration::from_secs(10);
    let mut same = 0;
    let mut last = labels(h);
    while same < 3 {
        assert!(Instant::now() < end, "the screen never settled");
        std::thread::sleep(Duration::from_millis(30));
        h.step();
        let now = labels(h);
        same = if now == last { same + 1 } else { 0 };
        last = now;
    }
}

#[test]
fn every_control_tab_reaches_has_a_name_on_every_screen() {
    let env = Env::new();
    // A verified contact whose key then changed: the red banner and alert are shown too.
    {
        let me = env.create_identity();
        let mut store = env.store();
        store
            .add_contact_with_key("Dave", None, &key(7), T0)
            .unwrap();
        let e = support::qr_evidence(key(7), &me.public_key(), QrSource::Camera);
        env.verify("Dave", e, T0);
        store.observe_key("Dave", &key(8), T0).unwrap();
    }
    let mut h = support::start(&env, Screen::MyCode);
    h.run_steps(2);
    // The navigation says so in words, not only with "⚠ 1".
    h.get_by_label("Contacts: 1 key changed");
    let mut screens: Vec<Screen> = Screen::ALL.to_vec();
    screens.push(Screen::Contacts);
    for (i, screen) in screens.into_iter().enumerate() {
        h.state_mut().screen = screen;
        h.run_steps(2);
        if i == Screen::ALL.len() {
            activate(&mut h, "Dave"); // Dave's page, with the key-change alert
            wait_for_label(&mut h, "Accept new key");
        }
        settle(&mut h);
        // Once around: from the first navigation entry back to it.
        let mut seen = Vec::new();
        tab_to(&mut h, "My code");
        for _ in 0..150 {
            h.key_press(egui::Key::Tab);
            h.run_steps(2);
            let focused: Vec<String> = h
                .root()
                .children_recursive()
                .filter(|n| n.is_focused())
                .map(|n| n.accesskit_node().label().unwrap_or_default())
                .collect();
            assert_eq!(
                focused.len(),
                1,
                "{screen:?}: one focused control: {focused:?}"
            );
            let name = focused.into_iter().next().unwrap_or_default();
            assert!(
                !name.trim().is_empty(),
                "{screen:?}: a control without a name after {seen:?}"
            );
            if name == "My code" {
                break;
            }
            seen.push(name);
        }
        assert!(seen.len() > 5, "{screen:?}: Tab went round: {seen:?}");
    }
}
