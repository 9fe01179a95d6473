//! Settings: word language, emoji-name language, theme, text size.

use verifier_core::render::Bip39Language;

use crate::settings::Theme;
use crate::shared::Shared;

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared) {
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
            ui.horizontal(|ui| {
                ui.radio_value(&mut s.theme, Theme::System, "System");
                ui.radio_value(&mut s.theme, Theme::Light, "Light");
                ui.radio_value(&mut s.theme, Theme::Dark, "Dark");
            });
            ui.end_row();
            let label = ui.label("Text size");
            ui.add(egui::Slider::new(&mut s.text_scale, 0.75..=2.5).suffix("×"))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.add_space(8.0);
    ui.label("Both people must pick the same word language: the words differ between languages even when the code is the same.");
}
