//! Drives the app headless: first start creates the identity and shows its
//! fingerprint in every rendering, with working copy buttons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use verifier_core::identity::Identity;
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_gui::app::{AppConfig, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_store::IdentityFile as _;

fn config(identity: &std::path::Path) -> AppConfig {
    AppConfig {
        identity_path: identity.to_owned(),
        store_path: Some(identity.with_file_name("store.sqlite3")),
        cameras: Box::new(verifier_gui::workers::camera::NoCameras),
        file_picker: std::sync::Arc::new(verifier_gui::workers::file_picker::FixedPicker(None)),
    }
}

fn harness(app: VerifierApp) -> Harness<'static, VerifierApp> {
    Harness::builder()
        .with_size(egui::vec2(1000.0, 1400.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app)
}

#[test]
fn first_start_creates_identity_and_shows_every_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("identity");
    let app = VerifierApp::new(config(&path), Settings::default());
    let mut h = harness(app);
    h.run();

    // The identity now exists on disk and the screen explains it.
    let id = Identity::load(&path).unwrap();
    h.get_by_label("A new identity was created for you");
    h.get_by_label("QR code of your public key");
    let key = id.public_key();
    h.get_by_label(&key.to_canonical_string());

    let fp = SideFingerprint::compute(&Party::new(&key));
    for g in fp.digit_groups() {
        assert!(h.query_all_by_label(&g).count() >= 1, "group {g} shown");
    }
    for w in fp.bip39_words(verifier_core::render::Bip39Language::English) {
        assert!(h.query_all_by_label(w).count() >= 1, "word {w} shown");
    }
    for w in fp.pgp_words() {
        assert!(h.query_all_by_label(w).count() >= 1, "PGP word {w} shown");
    }
    for (_, name) in fp.emoji("en") {
        assert!(
            h.query_all_by_label(name).count() >= 1,
            "emoji name {name} shown"
        );
    }

    // Copy buttons put the exact text on the clipboard.
    h.get_by_label("Copy digits").click();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied, vec![fp.digit_groups().join(" ")]);
    h.run();
    h.get_by_label("✔ copied");

    // Second start loads the same identity and does not announce a new one.
    drop(h);
    let app = VerifierApp::new(config(&path), Settings::default());
    let mut h = harness(app);
    h.run();
    assert!(
        h.query_by_label("A new identity was created for you")
            .is_none()
    );
    h.get_by_label(&key.to_canonical_string());
}

#[test]
fn word_language_setting_changes_words_not_indices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("identity");
    let settings = Settings {
        word_lang: "fr".to_owned(),
        ..Settings::default()
    };
    let app = VerifierApp::new(config(&path), settings);
    let mut h = harness(app);
    h.run();
    let key = Identity::load(&path).unwrap().public_key();
    let fp = SideFingerprint::compute(&Party::new(&key));
    for w in fp.bip39_words(verifier_core::render::Bip39Language::French) {
        assert!(
            h.query_all_by_label(w).count() >= 1,
            "French word {w} shown"
        );
    }
}

#[test]
fn damaged_identity_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("identity");
    std::fs::write(&path, "garbage\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let app = VerifierApp::new(config(&path), Settings::default());
    let mut h = harness(app);
    h.run();
    assert!(
        h.query_all_by_label_contains("cannot be used").count() >= 1,
        "error shown"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage\n");
}

#[test]
fn bundled_font_draws_all_64_sas_emoji() {
    // egui panics on a missing glyph; every emoji of the Matrix table must render
    // from the bundled font so both ends show the same pictures.
    let mut first = true;
    let mut h = Harness::new_ui(|ui| {
        if first {
            verifier_gui::fonts::install(ui.ctx());
            first = false;
            ui.ctx().request_repaint();
            return;
        }
        ui.horizontal_wrapped(|ui| {
            for i in 0..64u8 {
                let e = verifier_core::render::SasEmoji::get(i).unwrap();
                ui.label(egui::RichText::new(e.emoji()).size(24.0));
            }
        });
    });
    h.run();
    for i in 0..64u8 {
        let e = verifier_core::render::SasEmoji::get(i).unwrap();
        h.get_by_label(e.emoji());
    }
}

#[test]
fn bundled_fonts_draw_every_word_of_every_bip39_language() {
    // egui panics on a missing glyph: each list is drawn whole, one label per language.
    let mut first = true;
    let mut h = Harness::new_ui(|ui| {
        if first {
            verifier_gui::fonts::install(ui.ctx());
            first = false;
            ui.ctx().request_repaint();
            return;
        }
        for lang in verifier_core::render::Bip39Language::ALL {
            let words: Vec<&str> = lang.words().collect();
            ui.label(format!("{}: {}", lang.code(), words.join(" ")));
        }
    });
    h.run();
    for lang in verifier_core::render::Bip39Language::ALL {
        assert!(
            h.query_by_label_contains(&format!("{}: ", lang.code()))
                .is_some()
        );
    }
}
