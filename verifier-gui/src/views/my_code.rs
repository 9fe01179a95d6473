//! "My code": the user's key and its fingerprint in every rendering, with copy buttons.

use verifier_core::render::Bip39Language;
use verifier_core::render::emoji::languages as emoji_languages;

use crate::identity::IdentityState;
use crate::qr_texture::QrImage;
use crate::shared::Shared;
use verifier_core::qr::{IdentityCard, Payload};

/// Transient state of the screen.
#[derive(Default)]
pub struct MyCodeState {
    /// What was copied last (shown as feedback next to the button).
    pub last_copied: Option<&'static str>,
    /// My identity QR code (rendered on first use).
    qr: Option<Result<QrImage, String>>,
}

fn copy_button(ui: &mut egui::Ui, state: &mut MyCodeState, label: &'static str, text: &str) {
    let resp = ui.button(label).on_hover_text("Copy to the clipboard");
    if resp.clicked() {
        ui.ctx().copy_text(text.to_owned());
        state.last_copied = Some(label);
    }
    if state.last_copied == Some(label) {
        ui.label("✔ copied");
    }
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut MyCodeState) {
    let Shared {
        identity, settings, ..
    } = shared;
    ui.heading("My code");
    let me = match identity {
        IdentityState::Ready(me) => me,
        IdentityState::Failed { path, message } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "Your identity at {} cannot be used: {message}",
                    path.display()
                ),
            );
            ui.label("The file was left untouched. Restore it from a backup, or move it away to create a new identity (contacts will then see a key change).");
            return;
        }
    };
    if me.created_now {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(egui::RichText::new("A new identity was created for you").strong());
            ui.label(format!(
                "Your key pair was saved to {}. Its public half, below, is what your contacts verify. Keep the file private and back it up: if you lose it, everyone who verified you must do it again.",
                me.path.display()
            ));
        });
    }
    ui.add_space(8.0);
    let qr = state.qr.get_or_insert_with(|| {
        let payload = Payload::Identity(IdentityCard {
            key: me.public,
            display_name: None,
            stable_id: None,
        });
        QrImage::new(ui.ctx(), "my-identity-qr", &payload)
    });
    match qr {
        Ok(img) => {
            ui.label("Let your contact scan this code with verifier: their app compares your whole key, nothing to read out.");
            img.show(ui, 300.0, "QR code of your public key");
        }
        Err(e) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Cannot draw your QR code: {e}"),
            );
        }
    }
    ui.add_space(8.0);
    ui.label(egui::RichText::new("Your public key").strong());
    let key_text = me.public.to_canonical_string();
    ui.horizontal_wrapped(|ui| {
        ui.add(egui::Label::new(egui::RichText::new(&key_text).monospace()).selectable(true));
        copy_button(ui, state, "Copy key", &key_text);
    });

    ui.add_space(12.0);
    ui.label(egui::RichText::new("Fingerprint of your key").strong());
    ui.label("Compare all of it with what your contact sees — never just the start or the end.");

    let fp = &me.fingerprint;
    ui.add_space(6.0);
    ui.label("Digits");
    let groups = fp.digit_groups();
    ui.horizontal_wrapped(|ui| {
        for g in &groups {
            ui.label(egui::RichText::new(g).monospace().size(22.0));
        }
    });
    copy_button(ui, state, "Copy digits", &groups.join(" "));

    ui.add_space(6.0);
    let lang: Bip39Language = settings.word_lang.parse().unwrap_or_default();
    ui.horizontal(|ui| {
        ui.label("Words");
        egui::ComboBox::from_label("Word language")
            .selected_text(lang.name())
            .show_ui(ui, |ui| {
                for l in Bip39Language::ALL {
                    if ui.selectable_label(l == lang, l.name()).clicked() {
                        settings.word_lang = l.code().to_owned();
                    }
                }
            });
    });
    let lang: Bip39Language = settings.word_lang.parse().unwrap_or_default();
    let words = fp.bip39_words(lang);
    ui.horizontal_wrapped(|ui| {
        for w in &words {
            ui.label(egui::RichText::new(*w).size(20.0));
        }
    });
    copy_button(ui, state, "Copy words", &words.join(" "));

    ui.add_space(6.0);
    ui.label("PGP words (for reading aloud)");
    let pgp = fp.pgp_words();
    ui.horizontal_wrapped(|ui| {
        for w in &pgp {
            ui.label(egui::RichText::new(*w).size(18.0));
        }
    });
    copy_button(ui, state, "Copy PGP words", &pgp.join(" "));

    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label("Emoji");
        egui::ComboBox::from_label("Emoji names")
            .selected_text(settings.emoji_lang.clone())
            .show_ui(ui, |ui| {
                for code in emoji_languages() {
                    if ui
                        .selectable_label(settings.emoji_lang == *code, *code)
                        .clicked()
                    {
                        settings.emoji_lang = (*code).to_owned();
                    }
                }
            });
    });
    let emoji = fp.emoji(&settings.emoji_lang);
    crate::views::fit::emoji_cells(ui, &emoji, 28.0, egui::TextStyle::Small);
    let emoji_text: Vec<String> = emoji.iter().map(|(e, n)| format!("{e} {n}")).collect();
    copy_button(ui, state, "Copy emoji", &emoji_text.join(", "));
}
