//! What the scanned code means, as the trust engine assesses it
//! ([`super::verdict`]), and what the person may do about it: mark verified,
//! the key-change flow, add a contact, join a live session.

use std::sync::Arc;

use verifier_core::key::PublicKey;
use verifier_core::qr::{ScannedCode, classify, scan_evidence};
use verifier_core::receipt::VerificationMethod;
use verifier_core::trust::{Intent, QrSource, Refusal};
use verifier_store::TrustStatus;

use super::verdict::{self, Foreign, Found, Mutual, Verdict};
use super::{ScanState, Scanned, VERIFY_TAG};
use crate::identity::IdentityState;
use crate::screen::Screen;
use crate::shared::Shared;
use crate::views::contacts::{fmt_time, method_text};
use crate::views::key_change;
use crate::views::record::{self, Failure, LookalikeAnswer, NewContact};

pub(super) fn current_verdict(shared: &Shared, state: &ScanState, scanned: &Scanned) -> Verdict {
    let my_key = match &shared.identity {
        IdentityState::Ready(me) => Some(me.public),
        IdentityState::Failed { .. } => None,
    };
    verdict::assess(
        &scanned.bytes,
        my_key.as_ref(),
        &shared.store.snapshot().contacts,
        state.expected.as_deref(),
    )
}

fn framed(ui: &mut egui::Ui, colour: egui::Color32, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(crate::theme::tint(ui.visuals(), colour))
        .stroke(egui::Stroke::new(2.0, colour))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui);
        });
}

fn key_line(ui: &mut egui::Ui, label: &str, key: &PublicKey) {
    ui.horizontal_wrapped(|ui| {
        ui.label(label);
        ui.add(
            egui::Label::new(egui::RichText::new(key.to_canonical_string()).monospace())
                .selectable(true),
        );
    });
}

/// `name` is the contact's name, or `None` for someone not yet in the contacts.
fn mutual_note(ui: &mut egui::Ui, mutual: Mutual, name: Option<&str>) {
    let (who, whose) = match name {
        Some(n) => (n.to_owned(), format!("{n}'s")),
        None => ("they".to_owned(), "their".to_owned()),
    };
    match mutual {
        Mutual::HoldsMyKey => {
            let verb = if name.is_some() { "holds" } else { "hold" };
            ui.label(format!(
                "✔ Mutual: the code also shows that {who} {verb} your correct key."
            ));
        }
        Mutual::HoldsWrongKey => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("⚠ But the key {whose} app holds for you is not your key (or the code was made for someone else). Ask {who} to scan your code too."),
            );
        }
        Mutual::NotClaimed | Mutual::Unknown => {}
    }
}

/// The signer and my key, or why verification cannot be recorded.
fn signer(shared: &Shared) -> Result<Arc<verifier_core::identity::Identity>, String> {
    match &shared.identity {
        IdentityState::Ready(me) => Ok(Arc::clone(&me.identity)),
        IdentityState::Failed { message, .. } => Err(format!(
            "your identity cannot be used ({message}), so nothing can be recorded"
        )),
    }
}

fn submit_verify(
    shared: &mut Shared,
    state: &mut ScanState,
    contact: String,
    key: PublicKey,
    add: Option<NewContact>,
    replaces: Option<PublicKey>,
) {
    let signer = match signer(shared) {
        Ok(s) => s,
        Err(e) => {
            state.still_message = Some(Err(e));
            return;
        }
    };
    let IdentityState::Ready(me) = &shared.identity else {
        state.still_message = Some(Err(
            "your identity cannot be used, so nothing can be recorded".to_owned(),
        ));
        return;
    };
    let own = me.own.clone();
    // The evidence comes from the code itself (core's check), with where it came
    // from: a picture (file, drop, paste) proves nothing about who was in the
    // room; only the camera is in person.
    let Some(scanned) = state.scanned.as_ref() else {
        return;
    };
    let source = if scanned.method == VerificationMethod::QrCamera {
        QrSource::Camera
    } else {
        QrSource::ImageFile
    };
    let evidence = match classify(&scanned.bytes) {
        ScannedCode::Verifier(p) => match scan_evidence(&p, &me.public, source) {
            Ok((_, e)) => e,
            Err(e) => {
                state.still_message = Some(Err(format!("not recorded: {e}")));
                return;
            }
        },
        _ => return,
    };
    if evidence.key() != &key {
        return;
    }
    // The key-change flow names the two keys the person was shown.
    let intent = match replaces {
        Some(old) => Intent::ConfirmKeyChange { old, new: key },
        None => Intent::Verify,
    };
    state.action_for = Some(contact.clone());
    state.failure.clear();
    let failure = state.failure.clone();
    shared.store.submit(VERIFY_TAG, move |store| {
        record::record(
            store,
            &contact,
            evidence,
            intent,
            add.as_ref(),
            &signer,
            &own,
            &failure,
        )
    });
}

/// The outcome of the last "mark verified" job, if there is one. True while it
/// runs or once it succeeded (the action buttons are then hidden).
fn action_outcome(ui: &mut egui::Ui, shared: &Shared, state: &ScanState) -> bool {
    if state.action_for.is_none() {
        return false;
    }
    match shared.store.result(VERIFY_TAG) {
        Some(Ok(m)) => {
            ui.label(egui::RichText::new(format!("✔ {m}")).strong());
            true
        }
        Some(Err(_)) if matches!(state.failure.get(), Some(Failure::Lookalike { .. })) => {
            // The question is asked by the panel that adds the contact.
            true
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Not recorded: {e}"));
            false
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Recording…");
            });
            true
        }
    }
}

/// Said on every result that would be recorded from a picture.
fn picture_note(ui: &mut egui::Ui, scanned: &Scanned) {
    if record::is_from_picture(scanned.method) {
        ui.colored_label(ui.visuals().warn_fg_color, key_change::IMAGE_FILE_NOTE);
    }
}

fn heading(ui: &mut egui::Ui, text: String, colour: Option<egui::Color32>) {
    let t = egui::RichText::new(text).strong().size(20.0);
    ui.label(match colour {
        Some(c) => t.color(c),
        None => t,
    });
}

/// The result for a code about one of the contacts: the trust engine's answer
/// decides what is shown.
#[allow(clippy::too_many_arguments)]
fn contact_result(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut ScanState,
    scanned: &Scanned,
    contact: String,
    key: PublicKey,
    stored: Option<PublicKey>,
    status: &TrustStatus,
    mutual: Mutual,
    found: Found,
    engine: Result<(), Refusal>,
) {
    let green = crate::theme::ok(ui);
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    match engine {
        Ok(()) if stored.is_none() => {
            framed(ui, amber, |ui| {
                heading(ui, format!("{contact} has no key yet"), None);
                ui.label(format!("Save this key as {contact}'s and mark it verified — only if the person in front of you is {contact}."));
                mutual_note(ui, mutual, Some(&contact));
                key_line(ui, "Key:", &key);
                picture_note(ui, scanned);
                if !action_outcome(ui, shared, state)
                    && ui
                        .button(format!("Save key for {contact} and mark verified"))
                        .clicked()
                {
                    submit_verify(
                        shared,
                        state,
                        contact.clone(),
                        key,
                        Some(NewContact::default()),
                        None,
                    );
                }
            });
        }
        Ok(()) => {
            framed(ui, green, |ui| {
                heading(ui, format!("✔ Match: this is {contact}'s key"), Some(green));
                if found == Found::ByKey {
                    ui.label(format!(
                        "You did not say whose code this is. The whole key in the code equals the key you have for {contact}: mark it verified only if the person showing it is {contact}."
                    ));
                } else {
                    ui.label(format!(
                        "The whole key in the code equals the key you have for {contact}."
                    ));
                }
                mutual_note(ui, mutual, Some(&contact));
                key_line(ui, "Key:", &key);
                if let TrustStatus::Verified { since, method } = status {
                    ui.label(format!(
                        "Already verified ({}, {}).",
                        method_text(*method),
                        fmt_time(*since)
                    ));
                }
                picture_note(ui, scanned);
                // The app identified the contact: the button names them, so that the
                // person confirms who it is. Nothing is recorded by key alone.
                let label = if found == Found::ByKey {
                    format!("Yes, this is {contact} — mark verified")
                } else {
                    "Mark verified".to_owned()
                };
                if !action_outcome(ui, shared, state) && ui.button(label).clicked() {
                    submit_verify(shared, state, contact.clone(), key, None, None);
                }
            });
        }
        Err(Refusal::KeyChangedNeedsConfirmation { old, new }) => {
            if state.not_now {
                framed(ui, red, |ui| {
                    heading(ui, format!("⚠ {contact} has a new key"), Some(red));
                    ui.label(key_change::not_now_text(&contact));
                });
                return;
            }
            picture_note(ui, scanned);
            let busy = action_outcome(ui, shared, state);
            let checked = if found == Found::ByKey {
                format!(
                    "The code you scanned shows the key {contact} uses now — their new key, which you have not verified."
                )
            } else {
                "The code you scanned shows their new key.".to_owned()
            };
            let answer = key_change::panel(
                ui,
                &mut state.key_change,
                &contact,
                &old,
                &new,
                &checked,
                !busy,
            );
            match answer {
                Some(key_change::Answer::Confirm) => {
                    submit_verify(shared, state, contact.clone(), key, None, Some(old));
                }
                Some(key_change::Answer::NotNow) => state.not_now = true,
                None => {}
            }
        }
        Err(Refusal::Tampered { .. }) => {
            framed(ui, red, |ui| {
                heading(
                    ui,
                    format!("⚠ {contact}'s entry was changed outside the app"),
                    Some(red),
                );
                ui.label(record::TAMPERED_ADVICE);
                key_line(ui, "Key in the code:", &key);
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
        Err(Refusal::Mismatch { current, .. }) => {
            framed(ui, red, |ui| {
                heading(
                    ui,
                    format!("⚠ Mismatch: this is not the key you have for {contact}"),
                    Some(red),
                );
                let what = match found {
                    Found::Chosen => {
                        format!("You said this is {contact}'s code, but it shows a different key.")
                    }
                    Found::NamedInCode => format!(
                        "The code calls itself {contact}, but it shows a different key than the one you have for {contact}."
                    ),
                    Found::OldVerifiedKey => format!(
                        "The code shows the key you verified for {contact} earlier, but {contact} uses a different key now."
                    ),
                    Found::ByKey => format!(
                        "The code shows a different key than the one you have for {contact}."
                    ),
                };
                ui.label(what);
                ui.label(format!("This means one of two things: someone is passing off their key as {contact}'s (a key swap — do not trust it), or {contact} reinstalled verifier or set up a new device and really has a new key. Ask {contact} in person. Only if they confirm a new key, remove or update the old one on the Contacts screen and scan again."));
                key_line(ui, "Key in the code:", &key);
                key_line(ui, "Key you have:", &current);
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
        Err(other) => {
            framed(ui, red, |ui| {
                heading(ui, format!("Not for {contact}"), Some(red));
                ui.label(record::refusal_text(&contact, &other));
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
    }
}

pub(super) fn result_panel(ui: &mut egui::Ui, shared: &mut Shared, state: &mut ScanState) {
    let Some(scanned) = state.scanned.clone() else {
        return;
    };
    let v = current_verdict(shared, state, &scanned);
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    let neutral = ui.visuals().weak_text_color();
    let mut clear = false;
    match v {
        Verdict::Contact {
            contact,
            key,
            stored,
            status,
            mutual,
            found,
            engine,
        } => {
            contact_result(
                ui, shared, state, &scanned, contact, key, stored, &status, mutual, found, engine,
            );
        }
        Verdict::NewKey {
            key,
            name: _,
            stable_id,
            mutual,
        } => {
            framed(ui, amber, |ui| {
                heading(ui, "New key: not one of your contacts".to_owned(), None);
                ui.label("Add the person in front of you as a contact with this key; it is recorded as verified by scanning.");
                mutual_note(ui, mutual, None);
                key_line(ui, "Key:", &key);
                picture_note(ui, &scanned);
                let mut add = false;
                ui.horizontal(|ui| {
                    let label = ui.label("Name");
                    ui.add(
                        egui::TextEdit::singleline(&mut state.add_name)
                            .hint_text("their name")
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                    let name = state.add_name.trim().to_owned();
                    let done = state.action_for.is_some()
                        && !matches!(shared.store.result(VERIFY_TAG), Some(Err(_)));
                    if !done
                        && ui
                            .add_enabled(
                                !name.is_empty(),
                                egui::Button::new("Add contact and mark verified"),
                            )
                            .clicked()
                    {
                        add = true;
                    }
                });
                action_outcome(ui, shared, state);
                let mut allow_lookalike = false;
                if state.action_for.is_some()
                    && matches!(shared.store.result(VERIFY_TAG), Some(Err(_)))
                    && let Some(Failure::Lookalike { name, existing }) = state.failure.get()
                {
                    match record::lookalike_prompt(ui, &name, &existing) {
                        Some(LookalikeAnswer::DifferentPerson) => {
                            add = true;
                            allow_lookalike = true;
                        }
                        Some(LookalikeAnswer::Cancel) => {
                            state.action_for = None;
                            state.failure.clear();
                        }
                        None => {}
                    }
                }
                if add {
                    let name = state.add_name.trim().to_owned();
                    let new = NewContact {
                        stable_id: stable_id.clone(),
                        allow_lookalike,
                    };
                    submit_verify(shared, state, name, key, Some(new), None);
                }
            });
        }
        Verdict::Session(Ok(code)) => {
            framed(ui, neutral, |ui| {
                heading(ui, "This is a live-session join code".to_owned(), None);
                ui.label(format!(
                    "Someone is hosting a live verification session at {}.",
                    code.addr()
                ));
                ui.label(egui::RichText::new(code.to_text()).monospace());
                if ui.button("Join this session").clicked() {
                    shared.pending_join_code = Some(code.to_text());
                    shared.go_to = Some(Screen::Sas);
                    clear = true;
                }
            });
        }
        Verdict::Session(Err(e)) => {
            framed(ui, red, |ui| {
                ui.label(egui::RichText::new("A damaged live-session code").strong());
                ui.label(format!("This is a verifier session code, but its join code cannot be read: {e}. Ask the host to show it again."));
            });
        }
        Verdict::Broken(e) => {
            framed(ui, red, |ui| {
                heading(ui, "A damaged verifier code".to_owned(), None);
                ui.label(format!("This looks like a verifier code but cannot be read: {e}. If it keeps happening, one of you may need to update verifier. Nothing was recorded."));
            });
        }
        Verdict::Signal => {
            framed(ui, neutral, |ui| {
                heading(
                    ui,
                    "This is a Signal safety-number code, not a verifier code".to_owned(),
                    None,
                );
                ui.label("Scan it from inside Signal (open the chat, then “View safety number”). To verify in verifier, ask for their verifier code.");
            });
        }
        Verdict::Foreign(f) => {
            framed(ui, neutral, |ui| {
                heading(ui, f.headline(), None);
                match &f {
                    Foreign::WebLink(url) => {
                        ui.add(
                            egui::Label::new(egui::RichText::new(url).monospace()).selectable(true),
                        );
                    }
                    Foreign::Text(t) => {
                        let shown: String = t.chars().take(200).collect();
                        ui.add(
                            egui::Label::new(egui::RichText::new(shown).monospace())
                                .selectable(true),
                        );
                    }
                    Foreign::Binary(n) => {
                        ui.label(format!("{n} bytes."));
                    }
                    _ => {}
                }
                ui.label("To verify someone, scan the code on their “My code” screen in verifier.");
            });
        }
    }
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(format!("From {}.", scanned.source)).small());
        if scanned.others > 0 {
            ui.label(
                egui::RichText::new(format!("{} more code(s) in the picture.", scanned.others))
                    .small(),
            );
        }
        if ui.button("Clear result").clicked() {
            clear = true;
        }
    });
    if clear {
        state.scanned = None;
        state.action_for = None;
        state.not_now = false;
        state.failure.clear();
    }
}
