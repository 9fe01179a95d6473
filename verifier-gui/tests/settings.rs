//! Settings → text size: the slider moves in steps of 0.25 from 1.0 to 3.0, − and + move one
//! step, the text grows when a drag ends (not under the pointer), and a change is written to
//! storage at once (not only when the app closes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::collections::HashMap;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::Env;
use verifier_gui::app::{Screen, VerifierApp};
use verifier_gui::settings::{STORAGE_KEY, Settings};

/// eframe storage in memory, counting flushes.
#[derive(Default)]
struct Memory {
    kv: HashMap<String, String>,
    flushes: usize,
}

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.kv.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.kv.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.kv.remove(key);
    }
    fn flush(&mut self) {
        self.flushes += 1;
    }
}

fn settings_screen(env: &Env, settings: Settings) -> Harness<'static, VerifierApp> {
    let app = VerifierApp::new(env.config(), settings);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    h.state_mut().screen = Screen::Settings;
    h.run_steps(4);
    h
}

fn scale(h: &Harness<'static, VerifierApp>) -> f32 {
    h.state().shared.settings.text_scale
}

#[test]
fn minus_and_plus_move_one_step_within_1_to_3() {
    let env = Env::new();
    let mut h = settings_screen(&env, Settings::default());
    assert_eq!(scale(&h), 1.0);
    assert!(
        h.get_by_label("Smaller text")
            .accesskit_node()
            .is_disabled(),
        "at 1.0 there is nothing smaller"
    );
    for want in [1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0] {
        h.get_by_label("Larger text").click_accesskit();
        h.run_steps(3);
        assert_eq!(scale(&h), want);
        assert!((h.ctx.zoom_factor() - want).abs() < 1e-6, "applied at once");
    }
    assert!(h.get_by_label("Larger text").accesskit_node().is_disabled());
    h.get_by_label("Smaller text").click_accesskit();
    h.run_steps(3);
    assert_eq!(scale(&h), 2.75);
}

#[test]
fn the_slider_steps_by_a_quarter_from_the_keyboard() {
    let env = Env::new();
    let mut h = settings_screen(&env, Settings::default());
    let slider = h.get_by_role_and_label(Role::Slider, "Text size");
    slider.focus();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(3);
    assert_eq!(scale(&h), 1.25);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(3);
    assert_eq!(scale(&h), 1.5);
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(3);
    assert_eq!(scale(&h), 1.25);
}

#[test]
fn a_drag_applies_the_size_when_it_ends() {
    let env = Env::new();
    let mut h = settings_screen(&env, Settings::default());
    let r = h.get_by_role_and_label(Role::Slider, "Text size").rect();
    // Grab the handle at 1.0 (the left end) and drag to the right end.
    let y = r.center().y;
    h.drag_at(egui::pos2(r.left() + 4.0, y));
    h.run_steps(2);
    h.hover_at(egui::pos2(r.right() + 40.0, y));
    h.run_steps(2);
    assert_eq!(scale(&h), 1.0, "not applied while dragging");
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    h.drop_at(egui::pos2(r.right() + 40.0, y));
    h.run_steps(3);
    assert!(scale(&h) > 1.0, "applied when the drag ends: {}", scale(&h));
    assert_eq!(
        scale(&h),
        verifier_gui::settings::text_scale_step(scale(&h))
    );
}

#[test]
fn a_change_is_written_to_storage_at_once() {
    let env = Env::new();
    let mut h = settings_screen(&env, Settings::default());
    let mut storage = Memory::default();
    h.state_mut().persist(&mut storage);
    assert_eq!(storage.flushes, 0, "nothing changed, nothing written");
    h.get_by_label("Larger text").click_accesskit();
    h.run_steps(3);
    h.state_mut().persist(&mut storage);
    assert_eq!(storage.flushes, 1);
    let saved: Settings = eframe::get_value(&storage, STORAGE_KEY).unwrap();
    assert_eq!(saved.text_scale, 1.25);
    h.state_mut().persist(&mut storage);
    assert_eq!(storage.flushes, 1, "written once per change");
    h.get_by_label("Dark").click_accesskit();
    h.run_steps(3);
    h.state_mut().persist(&mut storage);
    assert_eq!(storage.flushes, 2);
}

#[test]
fn an_old_saved_size_is_moved_onto_the_scale() {
    let env = Env::new();
    for (old, now) in [(0.75, 1.0), (2.47, 2.5), (9.0, 3.0)] {
        let h = settings_screen(
            &env,
            Settings {
                text_scale: old,
                ..Settings::default()
            },
        );
        assert_eq!(scale(&h), now);
        assert!((h.ctx.zoom_factor() - now).abs() < 1e-6);
    }
}
