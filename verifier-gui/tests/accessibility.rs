//! The accessibility tree: on every screen and page, every control a person operates
//! (button, checkbox, radio button, text field, slider, link, combo box, …) has a name a
//! screen reader can say — its own label or the label it is labelled by — with at least one
//! letter or digit in it (a bare "−", "+" or "✖" is not a name).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use support::{Env, seed_contacts, visit_every_screen};
use verifier_gui::app::VerifierApp;
use verifier_gui::settings::Settings;

fn control(role: Role) -> bool {
    matches!(
        role,
        Role::Button
            | Role::CheckBox
            | Role::RadioButton
            | Role::Switch
            | Role::TextInput
            | Role::MultilineTextInput
            | Role::SearchInput
            | Role::PasswordInput
            | Role::Slider
            | Role::SpinButton
            | Role::Link
            | Role::ComboBox
            | Role::ListBox
            | Role::Tab
            | Role::MenuItem
            | Role::MenuItemCheckBox
            | Role::MenuItemRadio
    )
}

/// The unnamed controls of the shown screen, and how many controls it has.
fn unnamed(h: &Harness<'static, VerifierApp>) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut count = 0;
    for n in h.root().children_recursive() {
        let a = n.accesskit_node();
        if !control(a.role()) {
            continue;
        }
        count += 1;
        let name = a.label().unwrap_or_default();
        if !name.chars().any(char::is_alphanumeric) {
            bad.push(format!(
                "{:?} named {name:?} (value {:?})",
                a.role(),
                a.value()
            ));
        }
    }
    (bad, count)
}

#[test]
fn every_control_on_every_screen_has_a_name() {
    let env = Env::new();
    seed_contacts(&env);
    let app = VerifierApp::new(env.config(), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 1600.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    support::wait_until(&mut h, "the trust store to load", |h| {
        h.state().shared.store.snapshot().loaded
    });
    let mut problems = Vec::new();
    let mut total = 0;
    visit_every_screen(&mut h, |h, screen| {
        let (bad, count) = unnamed(h);
        assert!(count > 0, "{screen}: has controls");
        total += count;
        problems.extend(bad.into_iter().map(|b| format!("{screen}: {b}")));
    });
    assert!(total > 40, "{total} controls seen");
    assert!(
        problems.is_empty(),
        "controls without a name:\n{}",
        problems.join("\n")
    );
}
