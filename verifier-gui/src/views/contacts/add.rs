//! "Add a contact": by pasting their key (any form [`PublicKey::parse`]
//! accepts) or from a received verification receipt (path, or a file dropped
//! onto the window).
//!
//! A receipt is handled by who signed it:
//! - signed by the user's own identity (a backup or another device): imported,
//!   the verification it records is kept (`Store::import_receipt`);
//! - about the user's own key (the contact verified *us* and sent their
//!   receipt): the signer's key is added under the name typed, unverified;
//! - anything else (a third party's statement about someone): the subject key
//!   is added under the receipt's contact name (or the name typed), unverified.
//!
//! Someone else's receipt never marks anyone verified.
//!
//! Names follow the store's rules: a name with invisible or bidi characters is
//! refused with the specific reason; a name that looks like an existing
//! contact's asks whether it is a different person before it is added.

use std::path::PathBuf;

use verifier_core::key::PublicKey;
use verifier_core::receipt::Receipt;
use verifier_core::trust::{HistoryOnlyReason, OwnKeys};
use verifier_store::{ImportOutcome, Store, StoreError};

use super::{fmt_time, method_text};
use crate::identity::IdentityState;
use crate::shared::Shared;
use crate::views::record::{self, Failure, FailureSlot, LookalikeAnswer};

/// Job tag of "Add contact" (pasted key).
pub const ADD_TAG: &str = "contacts-add-key";
/// Job tag of "Add from receipt".
pub const RECEIPT_TAG: &str = "contacts-add-receipt";

/// The form's state.
#[derive(Default)]
pub struct AddForm {
    /// The contact's name.
    pub name: String,
    /// The pasted key.
    pub key: String,
    /// Why the typed name or key cannot be used (shown under the fields).
    pub key_error: Option<String>,
    /// The receipt file's path.
    pub receipt_path: String,
    /// Why the receipt path cannot be used before even reading it.
    pub receipt_error: Option<String>,
    /// A job of this form is outstanding or finished (its result is shown).
    pub submitted: Option<&'static str>,
    /// Clear the key fields once the pending add succeeds.
    clear_on_success: bool,
    /// Why the last add recorded nothing, when the form asks a question (a lookalike name).
    failure: FailureSlot,
}

/// Where a receipt comes from.
enum ReceiptSource {
    Path(PathBuf),
    Dropped(egui::DroppedFileHandle),
}

/// Takes a receipt file dropped onto the window and adds it (the file is read
/// on the store's thread).
pub fn take_dropped_files(ui: &egui::Ui, shared: &mut Shared, form: &mut AddForm) {
    let dropped = ui.ctx().input(|i| i.raw.dropped_files.clone());
    let Some(file) = dropped.into_iter().next() else {
        return;
    };
    form.receipt_path = file.path().display().to_string();
    submit_receipt(shared, form, ReceiptSource::Dropped(file));
}

/// Draws the form.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, form: &mut AddForm) {
    ui.label(egui::RichText::new("Add a contact").heading());
    ui.label(
        "Adding a contact does not verify them: compare codes or scan their QR code afterwards.",
    );
    ui.add_space(6.0);

    egui::Grid::new("contacts_add")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let l = ui.label("Name");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut form.name)
                        .hint_text("Their name, e.g. Alice")
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
            if r.changed() {
                form.key_error = None;
            }
            // Enter in either field submits (as the button does; an empty key is reported).
            let name_enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
            let l = ui.label("Their key");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut form.key)
                        .hint_text("vk1-…, an OpenSSH line, 64 hex digits or base64")
                        .desired_width(520.0),
                )
                .labelled_by(l.id);
            if r.changed() {
                form.key_error = None;
            }
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
            ui.label("");
            if ui.button("Add contact").clicked() || enter || name_enter {
                submit_key(shared, form, false);
            }
            ui.end_row();
        });
    if let Some(e) = &form.key_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    let lookalike = match (form.submitted, shared.store.result(ADD_TAG)) {
        (Some(ADD_TAG), Some(Err(_))) => match form.failure.get() {
            Some(Failure::Lookalike { name, existing }) => Some((name, existing)),
            _ => None,
        },
        _ => None,
    };
    if let Some((name, existing)) = lookalike {
        match record::lookalike_prompt(ui, &name, &existing) {
            Some(LookalikeAnswer::DifferentPerson) => submit_key(shared, form, true),
            Some(LookalikeAnswer::Cancel) => {
                form.submitted = None;
                form.failure.clear();
            }
            None => {}
        }
    } else if form.submitted == Some(ADD_TAG) {
        show_result(ui, shared, ADD_TAG);
        if form.clear_on_success && matches!(shared.store.result(ADD_TAG), Some(Ok(_))) {
            form.clear_on_success = false;
            form.name.clear();
            form.key.clear();
        }
    }

    ui.add_space(10.0);
    ui.label(egui::RichText::new("From a receipt file").strong());
    ui.label("Drop a receipt file onto this window, or give its path. Your own receipts (from a backup or another device) keep their verification; someone else's receipt only adds the key, unverified. For a receipt someone made when they verified you, type their name above.");
    ui.horizontal(|ui| {
        let l = ui.label("Receipt file");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut form.receipt_path)
                    .hint_text("/path/to/contact.receipt")
                    .desired_width(420.0),
            )
            .labelled_by(l.id);
        if r.changed() {
            form.receipt_error = None;
        }
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Add from receipt").clicked() || enter {
            let path = form.receipt_path.trim();
            if path.is_empty() {
                form.receipt_error = Some(
                    "Give the path of a receipt file, or drop the file onto the window.".to_owned(),
                );
            } else {
                let source = ReceiptSource::Path(PathBuf::from(path));
                submit_receipt(shared, form, source);
            }
        }
    });
    if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
        ui.label(egui::RichText::new("Drop the receipt file to add it").strong());
    }
    if let Some(e) = &form.receipt_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if form.submitted == Some(RECEIPT_TAG) {
        show_result(ui, shared, RECEIPT_TAG);
    }
}

fn show_result(ui: &mut egui::Ui, shared: &Shared, tag: &str) {
    match shared.store.result(tag) {
        None => {
            ui.label("Saving…");
        }
        Some(Ok(msg)) => {
            ui.colored_label(super::ok_color(ui), msg);
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
}

/// Checks the name and key on the UI thread (cheap) and queues the insert.
/// `allow_lookalike`: the person confirmed that a name looking like an
/// existing contact's is a different person.
fn submit_key(shared: &mut Shared, form: &mut AddForm, allow_lookalike: bool) {
    form.key_error = None;
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        form.key_error = Some("Give the contact a name first.".to_owned());
        return;
    }
    if form.key.trim().is_empty() {
        form.key_error = Some("Paste their key into \"Their key\" first.".to_owned());
        return;
    }
    let key = match PublicKey::parse(form.key.trim()) {
        Ok(k) => k,
        Err(e) => {
            form.key_error = Some(format!("That is not a valid key: {e}."));
            return;
        }
    };
    if let IdentityState::Ready(me) = &shared.identity
        && me.public == key
    {
        form.key_error =
            Some("That is your own key (see \"My code\"); paste your contact's key.".to_owned());
        return;
    }
    form.submitted = Some(ADD_TAG);
    form.failure.clear();
    let failure = form.failure.clone();
    shared.store.submit(ADD_TAG, move |store| {
        let now = verifier_store::now();
        let added = if allow_lookalike {
            store.add_contact_allowing_lookalike(&name, None, Some(&key), now)
        } else {
            store.add_contact_with_key(&name, None, &key, now)
        };
        added.map_err(|e| match e {
            StoreError::Lookalike { .. } => failure.note(&name, &e),
            e => format!("Could not add {name}: {e}."),
        })?;
        Ok(format!(
            "Added {name} (unverified). To verify them, compare codes or scan their QR code."
        ))
    });
    form.clear_on_success = true;
}

fn submit_receipt(shared: &mut Shared, form: &mut AddForm, source: ReceiptSource) {
    form.receipt_error = None;
    let (me, own) = match &shared.identity {
        IdentityState::Ready(me) => (me.public, me.own.clone()),
        IdentityState::Failed { .. } => {
            form.receipt_error = Some(
                "Your identity cannot be loaded (see \"My code\"), so receipts cannot be checked."
                    .to_owned(),
            );
            return;
        }
    };
    let typed_name = form.name.trim().to_owned();
    form.submitted = Some(RECEIPT_TAG);
    shared.store.submit(RECEIPT_TAG, move |store| {
        // Reading and checking the file happens here, on the store's thread.
        let (label, bytes) = match source {
            ReceiptSource::Path(p) => {
                let bytes =
                    std::fs::read(&p).map_err(|e| format!("Cannot read {}: {e}.", p.display()))?;
                (p.display().to_string(), bytes)
            }
            ReceiptSource::Dropped(f) => {
                let label = f.path().display().to_string();
                let bytes = f
                    .bytes()
                    .map_err(|e| format!("Cannot read {label}: {e}."))?;
                (label, bytes)
            }
        };
        let receipt =
            Receipt::decode(&bytes).map_err(|e| format!("{label} is not a valid receipt: {e}."))?;
        add_from_receipt(store, &receipt, &me, &own, &typed_name)
    });
}

/// Applies a checked receipt to the store; the message says what was done.
fn add_from_receipt(
    store: &mut Store,
    receipt: &Receipt,
    me: &PublicKey,
    own: &OwnKeys,
    typed_name: &str,
) -> Result<String, String> {
    let st = receipt.statement();
    let now = verifier_store::now();
    if own.is_own(receipt.signer()) {
        return match store.import_receipt(receipt, own, now) {
            Ok(ImportOutcome::AlreadyPresent) => Ok(format!(
                "This receipt for {} is already in your trust store.",
                st.contact_name()
            )),
            Ok(ImportOutcome::HistoryOnly { reason }) => Ok(match reason {
                HistoryOnlyReason::KeyChangeAlert { .. } => format!(
                    "{name}'s key changed since you verified them. The receipt ({}, {}) was kept in {name}'s history, but it does not clear the alert by itself: open {name} in Contacts to compare the old and the new key.",
                    method_text(st.method()),
                    fmt_time(st.verified_at()),
                    name = st.contact_name()
                ),
                HistoryOnlyReason::RetiredKey { .. } => format!(
                    "The receipt is about an old key of {name} that a newer verified key replaced; it was kept in the history only and verifies nothing.",
                    name = st.contact_name()
                ),
                _ => format!(
                    "The receipt is about a key {name} no longer uses; it was kept in the history only.",
                    name = st.contact_name()
                ),
            }),
            Ok(_) => Ok(format!(
                "Imported your receipt: {} is verified ({}, {}).",
                st.contact_name(),
                method_text(st.method()),
                fmt_time(st.verified_at())
            )),
            Err(StoreError::Lookalike { name, existing }) => Err(format!(
                "The receipt names “{name}”, which looks like your contact “{existing}”. It was not imported, so that two contacts that look alike cannot be confused."
            )),
            Err(e) => Err(format!("Could not import the receipt: {e}.")),
        };
    }
    if st.key() == me {
        // They verified us: the signer is the contact.
        if typed_name.is_empty() {
            return Err("This receipt was made by someone who verified you; it carries their key but not their name. Type their name in \"Name\" above and add it again.".to_owned());
        }
        store
            .add_contact_with_key(typed_name, None, receipt.signer(), now)
            .map_err(|e| add_error(typed_name, &e))?;
        return Ok(format!(
            "Added {typed_name} with the key that signed the receipt (unverified: their receipt verifies you, not them; compare codes to verify them)."
        ));
    }
    let name = if typed_name.is_empty() {
        st.contact_name()
    } else {
        typed_name
    };
    store
        .add_contact_with_key(name, None, st.key(), now)
        .map_err(|e| add_error(name, &e))?;
    Ok(format!(
        "Added {name} with the key from the receipt (unverified: a receipt signed by someone else never verifies a contact for you)."
    ))
}

/// Why a contact from a receipt could not be added, in words (no "different
/// person" override is offered for a name that comes with a receipt).
fn add_error(name: &str, e: &StoreError) -> String {
    match e {
        StoreError::Lookalike { name, existing } => format!(
            "Could not add “{name}”: it looks like your contact “{existing}”. Type a clearly different name in \"Name\" above and add the receipt again."
        ),
        e => format!("Could not add {name}: {e}."),
    }
}
