//! The key-change flow, one panel for every screen that checks a key: a
//! contact whose key changed since the person verified it is never shown as a
//! plain match. The panel names the contact, shows the old (verified) key's
//! fingerprint beside the new (checked) key's, says what usually causes a
//! change and what the risk is, and asks — with two buttons of equal weight,
//! neither the default — whether the person checked the new key with the
//! contact. Only "I checked the new key with … — verify it" records anything,
//! and then with [`Intent::ConfirmKeyChange`](verifier_core::trust::Intent)
//! naming exactly the two keys shown.
//!
//! Used by Scan (a code of the new key), Compare codes (the safety number of
//! the new key) and Live session (a session with the new key). Fingerprints
//! are stretched hashes: computed by the fingerprint worker
//! ([`crate::workers::fingerprint`]), never on the UI thread.

use verifier_core::key::PublicKey;

use crate::workers::fingerprint::FingerprintWorker;

/// Label above the old key's fingerprint.
pub const OLD_KEY_LABEL: &str = "Old key (the one you verified)";
/// Label above the new key's fingerprint.
pub const NEW_KEY_LABEL: &str = "New key (the key you checked now)";

/// What the person answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// "I checked the new key with … — verify it".
    Confirm,
    /// "Not now": nothing is recorded, the alert stays.
    NotNow,
}

type Groups = (Vec<String>, Vec<String>);

/// The panel's state: the fingerprints of the pair it shows.
#[derive(Default)]
pub struct KeyChangeView {
    pair: Option<(PublicKey, PublicKey)>,
    groups: Option<Groups>,
    /// Computes the fingerprints off the UI thread (started on first use).
    worker: Option<FingerprintWorker>,
}

impl KeyChangeView {
    /// The digit groups of `old` and `new`, once computed (asks the
    /// fingerprint worker for them).
    fn groups(&mut self, ctx: &egui::Context, old: &PublicKey, new: &PublicKey) -> Option<&Groups> {
        let worker = self
            .worker
            .get_or_insert_with(|| FingerprintWorker::start(ctx));
        if self.pair != Some((*old, *new)) {
            self.pair = Some((*old, *new));
            self.groups = None;
            worker.request(vec![*old, *new]);
        }
        for done in worker.poll() {
            // An answer for a pair no longer shown is dropped.
            if let ([o, n], [old_fp, new_fp]) = (done.keys.as_slice(), done.fingerprints.as_slice())
                && (o, n) == (old, new)
            {
                self.groups = Some((old_fp.digit_groups(), new_fp.digit_groups()));
            }
        }
        self.groups.as_ref()
    }
}

fn groups_column(ui: &mut egui::Ui, title: &str, groups: &[String]) {
    ui.vertical(|ui| {
        ui.label(egui::RichText::new(title).strong());
        ui.horizontal_wrapped(|ui| {
            for g in groups {
                // Whole groups only (a group never breaks over two lines), each as
                // large as a group of the safety number: every unit equally prominent.
                ui.add(
                    egui::Label::new(egui::RichText::new(g).monospace().size(24.0))
                        .wrap_mode(egui::TextWrapMode::Extend),
                );
            }
        });
    });
}

/// The panel: whose key changed, the old and the new key side by side, the
/// harmless causes and the risk. `checked` says how the new key was checked
/// (one sentence). With `ask`, the two answers follow
/// (see [`buttons`]); without, the caller asks later.
pub fn panel(
    ui: &mut egui::Ui,
    view: &mut KeyChangeView,
    name: &str,
    old: &PublicKey,
    new: &PublicKey,
    checked: &str,
    ask: bool,
) -> Option<Answer> {
    let red = ui.visuals().error_fg_color;
    let mut answer = None;
    egui::Frame::new()
        .fill(crate::theme::tint(ui.visuals(), red))
        .stroke(egui::Stroke::new(2.0, red))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                egui::RichText::new(format!("⚠ {name} has a new key"))
                    .strong()
                    .size(20.0)
                    .color(red),
            );
            ui.label(format!(
                "{name}'s key changed since you verified them. {checked}"
            ));
            ui.label(format!(
                "This is often harmless: {name} may have a new phone or computer, or reinstalled the app."
            ));
            ui.label(
                egui::RichText::new(format!(
                    "But it is also exactly what someone intercepting your conversations with {name} would cause. Verify the new key only if {name} confirms it — in person, or on a call where you recognise their voice."
                ))
                .strong(),
            );
            ui.add_space(6.0);
            match view.groups(ui.ctx(), old, new) {
                Some((old_groups, new_groups)) => {
                    let (old_groups, new_groups) = (old_groups.clone(), new_groups.clone());
                    ui.columns(2, |cols| {
                        if let [left, right] = cols {
                            groups_column(left, OLD_KEY_LABEL, &old_groups);
                            groups_column(right, NEW_KEY_LABEL, &new_groups);
                        }
                    });
                }
                None => {
                    ui.label("Computing the fingerprints of the old and new key…");
                }
            }
            if ask {
                ui.add_space(6.0);
                answer = buttons(ui, name);
            }
        });
    answer
}

/// The two answers, of equal weight and neither the default.
pub fn buttons(ui: &mut egui::Ui, name: &str) -> Option<Answer> {
    let mut answer = None;
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(format!("I checked the new key with {name} — verify it"))
            .clicked()
        {
            answer = Some(Answer::Confirm);
        }
        if ui.button("Not now").clicked() {
            answer = Some(Answer::NotNow);
        }
    });
    answer
}

/// Said after "Not now".
pub fn not_now_text(name: &str) -> String {
    format!(
        "Nothing was recorded. {name} stays marked “key changed” until you check the new key with them."
    )
}

/// A sentence for a check made from a picture: weaker than a camera scan.
pub const IMAGE_FILE_NOTE: &str = "Read from an image file: a picture proves nothing about who was in the room, so this is recorded as “QR code read from an image file”, weaker than an in-person camera scan.";
