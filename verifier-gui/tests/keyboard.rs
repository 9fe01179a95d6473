//! Keyboard only: every screen is reachable with Tab and Enter, and a whole flow
//! (adding a contact by pasting a key) works without the mouse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::{Env, key, wait_for_label_contains, wait_idle};
use verifier_gui::app::{Screen, VerifierApp};

/// Presses Tab until the widget labelled `label` has keyboard focus.
fn tab_to(h: &mut Harness<'static, VerifierApp>, label: &str) {
    for _ in 0..80 {
        if h.query_all_by_label(label).any(|n| n.is_focused()) {
            return;
        }
        h.key_press(egui::Key::Tab);
        // Some screens animate (a spinner while the camera list loads): step, don't settle.
        h.run_steps(2);
    }
    panic!("Tab never reached `{label}`");
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
    tab_to(&mut h, "Contacts");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().screen, Screen::Contacts);
    let k = key(42).to_canonical_string();
    tab_to(&mut h, "Name");
    h.get_by_label("Name").type_text("Zoe");
    h.run();
    tab_to(&mut h, "Their key");
    h.get_by_label("Their key").type_text(&k);
    h.run();
    tab_to(&mut h, "Add contact");
    h.key_press(egui::Key::Enter);
    h.run();
    wait_idle(&mut h);
    wait_for_label_contains(&mut h, "Zoe");
    let listed = env.store().list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Zoe");
    assert_eq!(listed[0].current_key.unwrap().to_canonical_string(), k);
}
