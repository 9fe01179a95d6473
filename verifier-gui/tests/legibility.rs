//! Text size at 1.0×: on every screen, in both themes, no text is drawn below
//! `theme::MIN_CODE_TEXT` (12 logical px) — keys, fingerprints, codes and small print alike —
//! read from the text shapes egui painted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use egui::epaint::Shape;
use egui_kittest::Harness;
use support::{Env, key, seed_contacts, visit_every_screen};
use verifier_gui::app::VerifierApp;
use verifier_gui::settings::{Settings, Theme};
use verifier_gui::theme::MIN_CODE_TEXT;

/// Every piece of text painted in the last frame: (text, font size, monospace?).
fn painted_text(h: &Harness<'static, VerifierApp>) -> Vec<(String, f32, bool)> {
    fn walk(shape: &Shape, out: &mut Vec<(String, f32, bool)>) {
        match shape {
            Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            Shape::Text(t) => {
                let job = &t.galley.job;
                for s in &job.sections {
                    let text = job.text[s.byte_range.start.0..s.byte_range.end.0].to_owned();
                    if text.trim().is_empty() {
                        continue;
                    }
                    let mono = s.format.font_id.family == egui::FontFamily::Monospace;
                    out.push((text, s.format.font_id.size, mono));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in &h.output().shapes {
        walk(&c.shape, &mut out);
    }
    out
}

#[test]
fn no_text_is_smaller_than_12_px_on_any_screen() {
    for theme in [Theme::Light, Theme::Dark] {
        let env = Env::new();
        seed_contacts(&env);
        let settings = Settings {
            theme,
            ..Settings::default()
        };
        let app = VerifierApp::new(env.config(), settings);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1100.0, 1600.0))
            .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
        support::wait_until(&mut h, "the trust store to load", |h| {
            h.state().shared.store.snapshot().loaded
        });
        assert_eq!(h.ctx.zoom_factor(), 1.0);
        let dave_new = key(7).to_canonical_string();
        let mut saw_key = false;
        visit_every_screen(&mut h, |h, screen| {
            let text = painted_text(h);
            assert!(text.len() > 5, "{theme:?} {screen}: text was painted");
            let small: Vec<String> = text
                .iter()
                .filter(|(_, size, _)| *size < MIN_CODE_TEXT)
                .map(|(t, size, _)| format!("{size} px: {t:?}"))
                .collect();
            assert!(
                small.is_empty(),
                "{theme:?} {screen}: text below {MIN_CODE_TEXT} px:\n{}",
                small.join("\n")
            );
            if let Some((_, size, mono)) = text.iter().find(|(t, _, _)| *t == dave_new) {
                assert!(
                    *mono && *size >= MIN_CODE_TEXT,
                    "{screen}: Dave's key {size} px"
                );
                saw_key = true;
            }
        });
        assert!(saw_key, "{theme:?}: Dave's full key is drawn on his page");
    }
}
