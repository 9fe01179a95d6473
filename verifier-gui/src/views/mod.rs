//! Screens. Each draws its state and the shared context; background work goes
//! through [`crate::workers`].

pub mod compare;
pub mod contacts;
pub mod fit;
pub mod key_change;
pub mod my_code;
pub mod record;
pub mod sas;
pub mod scan;
pub mod settings;

use verifier_store::TrustStatus;

use crate::screen::Screen;
use crate::shared::Shared;

/// An alert box: the area tinted with `colour`, framed in it (key changes,
/// tampered entries, codes that do not match).
pub fn alert_frame<R>(
    ui: &mut egui::Ui,
    colour: egui::Color32,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> egui::InnerResponse<R> {
    egui::Frame::new()
        .fill(crate::theme::tint(ui.visuals(), colour))
        .stroke(egui::Stroke::new(2.0, colour))
        .inner_margin(10.0)
        .show(ui, add)
}

/// A red banner above every screen while some verified contact's key changed.
pub fn key_change_banner(ui: &mut egui::Ui, shared: &mut Shared) {
    let changed: Vec<String> = shared
        .store
        .snapshot()
        .contacts
        .iter()
        .filter(|c| matches!(c.status, TrustStatus::KeyChanged { .. }))
        .map(|c| c.name.clone())
        .collect();
    if changed.is_empty() {
        return;
    }
    egui::Frame::new()
        .fill(crate::theme::tint(ui.visuals(), ui.visuals().error_fg_color))
        .stroke(egui::Stroke::new(2.0, ui.visuals().error_fg_color))
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!("⚠ Key changed: {}", changed.join(", ")))
                        .strong()
                        .color(ui.visuals().error_fg_color),
                );
                ui.label("Someone you verified now uses a different key. Verify them again before you trust messages from them.");
                // One click from the banner to the contact's "Verify …" page.
                for name in &changed {
                    if ui
                        .button(egui::RichText::new(format!("Verify {name} again…")).strong())
                        .clicked()
                    {
                        shared.requests.verify_contact = Some(name.clone());
                        shared.go_to = Some(Screen::Contacts);
                    }
                }
            });
        });
    ui.add_space(6.0);
}
