//! "Verify Bob": one contact's page of every way to check their key, one click
//! from the contact (and from the key-change banner).
//!
//! After a key change the page first shows the old (verified) and the new key
//! side by side ([`crate::views::key_change::panel`], without its answers: the
//! check itself happens on the method's screen, where the trust engine's
//! key-change flow asks again). Each method opens its screen ready for this
//! contact — the camera scan expecting their code, the picture read for them,
//! the safety number with them chosen, typing back in that mode, the live
//! session with their name filled in. Nothing here records anything: every
//! method still ends in the trust engine's decision on its own screen.

use verifier_store::TrustStatus;

use super::status_badge;
use crate::screen::Screen;
use crate::shared::{CompareMode, Shared};
use crate::views::key_change::{self, KeyChangeView};
use crate::views::record;
use crate::workers::file_picker::{Picked, PickerHandle};

/// Label of the camera method.
pub const CAMERA: &str = "Scan their code with the camera";
/// Label of the picture method.
pub const PICTURE: &str = "Open a picture of their code…";
/// Label of the safety-number method.
pub const SAFETY_NUMBER: &str = "Compare the safety number";
/// Label of the type-back method.
pub const TYPE_BACK: &str = "Type back what they read to you";
/// Label of the live-session method.
pub const LIVE: &str = "Start a live session";

/// The page's state.
#[derive(Default)]
pub struct VerifyState {
    /// The file dialog of "Open a picture…", while it is open.
    picker: PickerHandle,
    /// The old/new key panel after a key change.
    key_change: KeyChangeView,
    /// What the last action said (e.g. no file chosen).
    note: Option<String>,
}

/// What the page asks of the Contacts screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stay on this page.
    Stay,
    /// Back to the contact's page.
    Back,
}

/// One method: a button and what it means, in one line.
fn method(ui: &mut egui::Ui, label: &str, what: &str, enabled: bool) -> bool {
    let mut clicked = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        clicked = ui
            .add_enabled(
                enabled,
                egui::Button::new(egui::RichText::new(label).strong().size(17.0))
                    .min_size(egui::vec2(0.0, 32.0)),
            )
            .clicked();
        ui.label(what);
    });
    ui.add_space(4.0);
    clicked
}

/// Draws the page of `name`.
pub fn show(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut VerifyState,
    name: &str,
) -> Outcome {
    let mut outcome = Outcome::Stay;
    // The picture chosen in the dialog is read on the Scan screen, for this contact.
    match state.picker.poll() {
        Some(Picked::File(path)) => {
            shared.requests.scan_expected = Some(name.to_owned());
            shared.requests.scan_file = Some(path);
            shared.go_to = Some(Screen::Scan);
        }
        Some(Picked::Nothing) => {
            state.note = Some(
                "No picture chosen. If no file dialog opened, drop the picture on this window or paste it (Ctrl+V): it is read on the Scan screen."
                    .to_owned(),
            );
        }
        None => {}
    }

    if ui.button(format!("Back to {name}")).clicked() {
        outcome = Outcome::Back;
    }
    ui.heading(format!("Verify {name}"));
    let Some(summary) = shared.store.snapshot().contact(name).cloned() else {
        ui.label(format!(
            "There is no contact named {name} in the trust store."
        ));
        return outcome;
    };
    status_badge(ui, &summary.status, true);
    ui.add_space(6.0);

    match (&summary.status, summary.current_key) {
        (TrustStatus::Tampered { .. }, _) => {
            ui.colored_label(ui.visuals().error_fg_color, record::TAMPERED_ADVICE);
            ui.label(format!(
                "{name}'s entry cannot be verified as it is: forget {name} on their page first, then verify them again."
            ));
            return outcome;
        }
        (
            TrustStatus::KeyChanged {
                previous_verified_key,
                ..
            },
            Some(new),
        ) => {
            let checked = format!(
                "Check the new key with {name} in one of the ways below; the app records it only after that check, and asks you once more."
            );
            key_change::panel(
                ui,
                &mut state.key_change,
                name,
                previous_verified_key,
                &new,
                &checked,
                false,
            );
            ui.add_space(8.0);
        }
        _ => {}
    }

    let has_key = summary.current_key.is_some();
    ui.label(
        egui::RichText::new("Choose how to check their key")
            .strong()
            .size(18.0),
    );
    if !has_key {
        ui.label(format!(
            "No key is recorded for {name} yet: scan their code or run a live session to get it and check it at once."
        ));
    }
    if method(
        ui,
        CAMERA,
        "In person: they open “My code”, you hold their screen to your camera. The strongest check, and nothing to read out.",
        true,
    ) {
        shared.requests.scan_expected = Some(name.to_owned());
        shared.go_to = Some(Screen::Scan);
    }
    let picker_open = state.picker.is_open();
    if method(
        ui,
        PICTURE,
        "A screenshot or photo of their code, or drop it on this window. Weaker than a camera scan: a picture proves nothing about who sent it.",
        !picker_open,
    ) {
        state.note = None;
        state
            .picker
            .open(ui.ctx(), std::sync::Arc::clone(&shared.file_picker));
    }
    if picker_open {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Choose the picture in the file dialog.");
        });
    }
    if let Some(n) = &state.note {
        ui.label(n);
    }
    if method(
        ui,
        SAFETY_NUMBER,
        "Side by side, or on a call where you recognise their voice: compare all 60 digits or all 18 words.",
        has_key,
    ) {
        shared.compare_contact = Some(name.to_owned());
        shared.requests.compare_mode = Some(CompareMode::Read);
        shared.go_to = Some(Screen::Compare);
    }
    if method(
        ui,
        TYPE_BACK,
        "On a call: they read their code aloud, you type it, and the app checks every word. Your own code stays hidden until you are done.",
        has_key,
    ) {
        shared.compare_contact = Some(name.to_owned());
        shared.requests.compare_mode = Some(CompareMode::Type);
        shared.go_to = Some(Screen::Compare);
    }
    if method(
        ui,
        LIVE,
        "Both computers on the same network: they agree on a short code that you two compare.",
        true,
    ) {
        shared.requests.sas_name = Some(name.to_owned());
        shared.go_to = Some(Screen::Sas);
    }
    outcome
}
