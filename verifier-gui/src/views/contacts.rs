//! Contacts: everyone in the trust store with a status badge, adding a contact
//! (pasted key or receipt file), and one contact's detail with the key-change alert.
//!
//! Layout: this module draws the list and owns the screen state; [`add`] is the
//! "Add a contact" form (and receipt drag-and-drop), [`detail`] one contact's
//! page. Every store access runs as a job on the trust-store worker.

pub mod add;
pub mod detail;
pub mod verify;

use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_store::TrustStatus;

use crate::shared::Shared;

/// Transient state of the screen.
#[derive(Default)]
pub struct ContactsState {
    /// The contact whose page is open (`None`: the list).
    pub selected: Option<String>,
    /// The "Add a contact" form.
    pub add: add::AddForm,
    /// The open contact's page.
    pub detail: detail::DetailState,
    /// The open contact's "Verify …" page is shown (over their page).
    pub verifying: bool,
    /// The "Verify …" page.
    pub verify: verify::VerifyState,
    /// A message for the list (e.g. "Bob was forgotten").
    pub notice: Option<String>,
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut ContactsState) {
    // Receipt files dropped onto the window while this screen is shown.
    add::take_dropped_files(ui, shared, &mut state.add);

    // "Verify Bob" asked for by another screen (the key-change banner).
    if let Some(name) = shared.requests.verify_contact.take() {
        if state.selected.as_deref() != Some(name.as_str()) {
            state.detail = detail::DetailState::default();
        }
        state.selected = Some(name);
        state.verifying = true;
        state.verify = verify::VerifyState::default();
        state.notice = None;
    }
    if let Some(name) = state.selected.clone() {
        if state.verifying {
            if verify::show(ui, shared, &mut state.verify, &name) == verify::Outcome::Back {
                state.verifying = false;
                ui.ctx().request_repaint();
            }
            return;
        }
        match detail::show(ui, shared, &mut state.detail, &name) {
            detail::Outcome::Stay => return,
            detail::Outcome::Verify => {
                state.verifying = true;
                state.verify = verify::VerifyState::default();
                ui.ctx().request_repaint();
                return;
            }
            detail::Outcome::Back => {}
            detail::Outcome::Forgotten => {
                state.notice = Some(format!(
                    "{name} was forgotten: their keys, verifications and history were deleted."
                ));
            }
        }
        state.selected = None;
        state.detail = detail::DetailState::default();
        ui.ctx().request_repaint();
        return;
    }

    ui.heading("Contacts");
    if let Some(n) = &state.notice {
        ui.label(n);
    }
    let snap = shared.store.snapshot();
    if let Some(err) = &snap.error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("The trust store cannot be used: {err}"),
        );
    } else if !snap.loaded {
        ui.label("Loading the trust store…");
    } else if snap.contacts.is_empty() {
        ui.label("No contacts yet. Add one below by pasting their key or from a receipt file, or scan their code on the Scan screen.");
    } else {
        let mut open = None;
        egui::Grid::new("contacts_list")
            .num_columns(2)
            .spacing([16.0, 10.0])
            .striped(true)
            .show(ui, |ui| {
                for c in &snap.contacts {
                    if ui
                        .button(egui::RichText::new(&c.name).strong())
                        .on_hover_text("Open this contact")
                        .clicked()
                    {
                        open = Some(c.name.clone());
                    }
                    ui.vertical(|ui| {
                        status_badge(ui, &c.status, true);
                        if c.current_key.is_none() {
                            ui.label("No key recorded yet.");
                        }
                    });
                    ui.end_row();
                }
            });
        if let Some(name) = open {
            state.notice = None;
            state.selected = Some(name);
            state.detail = detail::DetailState::default();
        }
    }

    ui.add_space(16.0);
    ui.separator();
    add::show(ui, shared, &mut state.add);
}

/// Green that reads on both themes.
pub(crate) fn ok_color(ui: &egui::Ui) -> egui::Color32 {
    crate::theme::ok(ui)
}

/// How a method reads in a sentence.
pub(crate) fn method_text(m: VerificationMethod) -> &'static str {
    match m {
        VerificationMethod::QrCamera => "QR code scanned with the camera",
        VerificationMethod::QrImageFile => "QR code read from an image file",
        VerificationMethod::QrLegacy => {
            "QR code scanned (old receipt: camera or file not recorded)"
        }
        VerificationMethod::SasSession => "live session (SAS) compared",
        VerificationMethod::SafetyNumber => "safety number compared",
        VerificationMethod::WordsTypedBack => "words typed back",
        VerificationMethod::Manual => "confirmed manually",
        _ => "another method",
    }
}

/// What a method is worth, when it is weaker than it sounds.
pub(crate) fn method_note(m: VerificationMethod) -> Option<&'static str> {
    match m {
        VerificationMethod::QrImageFile => Some(
            "Read from an image file, not scanned in person: weaker than a camera scan, because a picture proves nothing about who was in the room.",
        ),
        _ => None,
    }
}

/// `2026-11-29 15:30 UTC`.
pub(crate) fn fmt_time(t: Timestamp) -> String {
    let s = t.to_rfc3339();
    match (s.get(0..10), s.get(11..16)) {
        (Some(d), Some(hm)) => format!("{d} {hm} UTC"),
        _ => s,
    }
}

/// The one-line status text of a contact (also the badge's accessible label).
pub fn status_text(status: &TrustStatus) -> String {
    match status {
        TrustStatus::Verified { since, method } => format!(
            "✔ Verified ({}, {})",
            method_text(*method),
            fmt_time(*since)
        ),
        TrustStatus::KeyChanged { since, .. } => {
            format!("⚠ Key changed since you verified it ({})", fmt_time(*since))
        }
        TrustStatus::Unverified => "Unverified".to_owned(),
        TrustStatus::NewIdentity => "Unverified (new identity)".to_owned(),
        TrustStatus::Tampered { .. } => {
            "⚠ Tampered: changed outside the app, not verified".to_owned()
        }
        _ => status.name().to_owned(),
    }
}

/// What "new identity" means and what to do.
pub(crate) const NEW_IDENTITY_ADVICE: &str = "You verified this contact with an earlier identity of yours that was replaced without a rotation, so your current identity cannot vouch for it. Compare codes again to verify them.";

/// A coloured status badge; `explain`: with what it means and what to do
/// (the contact's page says it in its own alert instead).
pub(crate) fn status_badge(ui: &mut egui::Ui, status: &TrustStatus, explain: bool) {
    let text = status_text(status);
    match status {
        TrustStatus::Verified { method, .. } => {
            ui.label(egui::RichText::new(text).color(ok_color(ui)).strong());
            if let Some(note) = method_note(*method) {
                ui.colored_label(ui.visuals().warn_fg_color, note);
            }
        }
        TrustStatus::KeyChanged { .. } => {
            ui.label(
                egui::RichText::new(text)
                    .color(ui.visuals().error_fg_color)
                    .strong(),
            );
            ui.label("They now use a different key than the one you verified: it may be a new device, or someone intercepting. Open the contact and compare codes again.");
        }
        TrustStatus::Tampered { .. } => {
            ui.label(
                egui::RichText::new(text)
                    .color(ui.visuals().error_fg_color)
                    .strong(),
            );
            if explain {
                ui.label(crate::views::record::TAMPERED_ADVICE);
            }
        }
        TrustStatus::NewIdentity => {
            ui.label(egui::RichText::new(text).color(ui.visuals().warn_fg_color));
            if explain {
                ui.label(NEW_IDENTITY_ADVICE);
            }
        }
        _ => {
            ui.label(egui::RichText::new(text).color(crate::theme::unverified(ui)));
        }
    }
}
