//! Settings: word language, emoji-name language, theme, text size.

use verifier_core::render::Bip39Language;

use crate::settings::{TEXT_SCALE_MAX, TEXT_SCALE_MIN, TEXT_SCALE_STEP, Theme, text_scale_step};
use crate::shared::Shared;

/// View state of the screen.
#[derive(Debug, Default)]
pub struct SettingsState {
    /// The text size under the pointer while the slider is dragged: applied when the drag
    /// ends, so the slider does not jump away from the pointer as the text grows.
    dragging: Option<f32>,
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut SettingsState) {
    ui.heading("Settings");
    let s = &mut shared.settings;
    let lang: Bip39Language = s.word_lang.parse().unwrap_or_default();
    egui::Grid::new("settings")
        .num_columns(2)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label("Word language");
            egui::ComboBox::from_id_salt("settings_word_lang")
                .selected_text(lang.name())
                .show_ui(ui, |ui| {
                    for l in Bip39Language::ALL {
                        if ui.selectable_label(l == lang, l.name()).clicked() {
                            s.word_lang = l.code().to_owned();
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Emoji names");
            egui::ComboBox::from_id_salt("settings_emoji_lang")
                .selected_text(s.emoji_lang.clone())
                .show_ui(ui, |ui| {
                    for code in verifier_core::render::emoji::languages() {
                        if ui.selectable_label(s.emoji_lang == *code, *code).clicked() {
                            s.emoji_lang = (*code).to_owned();
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            ui.label("Theme");
            ui.horizontal_wrapped(|ui| {
                ui.radio_value(&mut s.theme, Theme::System, "System");
                ui.radio_value(&mut s.theme, Theme::Light, "Light");
                ui.radio_value(&mut s.theme, Theme::Dark, "Dark");
            });
            ui.end_row();
            let label = ui.label("Text size");
            ui.horizontal_wrapped(|ui| {
                let now = text_scale_step(s.text_scale);
                let smaller = ui
                    .add_enabled(now > TEXT_SCALE_MIN, egui::Button::new("−"))
                    .on_hover_text("Smaller text")
                    .accessible_name("Smaller text");
                if smaller.clicked() {
                    s.text_scale = text_scale_step(now - TEXT_SCALE_STEP);
                }
                let mut v = state.dragging.unwrap_or(now);
                let slider = ui
                    .add(
                        egui::Slider::new(&mut v, TEXT_SCALE_MIN..=TEXT_SCALE_MAX)
                            .step_by(f64::from(TEXT_SCALE_STEP))
                            .show_value(false),
                    )
                    .labelled_by(label.id);
                if slider.dragged() {
                    state.dragging = Some(v);
                } else if slider.changed() || state.dragging.is_some() {
                    s.text_scale = text_scale_step(v);
                    state.dragging = None;
                }
                let larger = ui
                    .add_enabled(now < TEXT_SCALE_MAX, egui::Button::new("+"))
                    .on_hover_text("Larger text")
                    .accessible_name("Larger text");
                if larger.clicked() {
                    s.text_scale = text_scale_step(now + TEXT_SCALE_STEP);
                }
                ui.label(format!("{:.2}×", state.dragging.unwrap_or(now)));
            });
            ui.end_row();
        });
    ui.add_space(8.0);
    ui.label("Both people must pick the same word language: the words differ between languages even when the code is the same.");
}
