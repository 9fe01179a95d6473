//! Hands the evidence of a check to the trust engine (through the store) for
//! the contact the person named, and puts its decision into the app's words.
//!
//! No trust decision is made here: `verifier_core::trust` decides (the store
//! asks it inside its transaction); this module only creates a new contact
//! when the person asked for one, and maps the engine's reason codes to text.
//!
//! A store job answers the screen with text (`Result<String, String>`); when
//! the screen can offer a next step for a refusal (the key-change flow for
//! `key_changed_needs_confirmation`, a confirmation for a lookalike name), the
//! job also leaves the reason itself in a [`FailureSlot`] the screen holds:
//! screens never parse the text.

use std::sync::{Arc, Mutex};

use verifier_core::identity::Identity;
use verifier_core::receipt::VerificationMethod;
use verifier_core::trust::{Evidence, Intent, OwnKeys, Refusal};
use verifier_store::{Store, StoreError};

use super::contacts::method_text;

/// Why a store job recorded nothing, when a screen can offer a next step.
#[derive(Clone, Debug, PartialEq, Eq)]
// Short-lived; boxing the engine's refusal would only complicate matching.
#[allow(clippy::large_enum_variant)]
pub enum Failure {
    /// The trust engine refused (its reason, as it gave it).
    Refused(Refusal),
    /// The new contact's name looks like an existing contact's name.
    Lookalike {
        /// The name as the store would keep it.
        name: String,
        /// The existing contact it looks like.
        existing: String,
    },
}

/// Where a store job leaves the [`Failure`] of its last run; the screen keeps
/// a clone and reads it once the job's result arrived.
#[derive(Clone, Debug, Default)]
pub struct FailureSlot(Arc<Mutex<Option<Failure>>>);

impl FailureSlot {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// The failure left by the last job, if any.
    pub fn get(&self) -> Option<Failure> {
        self.0.lock().map(|f| f.clone()).unwrap_or(None)
    }

    /// Empties the slot (before a new job).
    pub fn clear(&self) {
        self.set(None);
    }

    fn set(&self, f: Option<Failure>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = f;
        }
    }

    /// Leaves the structured reason of `e` (if a screen can act on it) and
    /// returns `e` in words.
    pub fn note(&self, contact: &str, e: &StoreError) -> String {
        match e {
            StoreError::Refused { refusal } => {
                self.set(Some(Failure::Refused((**refusal).clone())))
            }
            StoreError::Lookalike { name, existing } => self.set(Some(Failure::Lookalike {
                name: name.clone(),
                existing: existing.clone(),
            })),
            _ => self.set(None),
        }
        store_error_text(contact, e)
    }
}

impl PartialEq for FailureSlot {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for FailureSlot {}

/// A contact to add when the check is recorded, because the person asked for one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewContact {
    /// The stable identifier (e.g. from the scanned code).
    pub stable_id: Option<String>,
    /// The person confirmed that a name looking like an existing contact's
    /// is a different person.
    pub allow_lookalike: bool,
}

/// Records a check of `evidence` for `contact`. With `create` the contact is
/// added first if it does not exist (with the checked key). `Ok`: what was
/// recorded; `Err`: why nothing was (and `failure` holds the reason when a
/// screen can act on it).
#[allow(clippy::too_many_arguments)]
pub fn record(
    store: &mut Store,
    contact: &str,
    evidence: Evidence,
    intent: Intent,
    create: Option<&NewContact>,
    identity: &Identity,
    own: &OwnKeys,
    failure: &FailureSlot,
) -> Result<String, String> {
    failure.clear();
    let now = verifier_store::now();
    let method = evidence.method();
    let done = match create {
        // The person confirmed that a name looking like an existing contact's is
        // another person: the contact is added with that override first, and
        // forgotten again if the engine refuses (nothing is left behind).
        Some(new) if new.allow_lookalike => {
            let created = match store.contact(contact, own) {
                Ok(_) => false,
                Err(StoreError::ContactNotFound { .. }) => {
                    store
                        .add_contact_allowing_lookalike(
                            contact,
                            new.stable_id.as_deref(),
                            Some(evidence.key()),
                            now,
                        )
                        .map_err(|e| failure.note(contact, &e))?;
                    true
                }
                Err(e) => return Err(failure.note(contact, &e)),
            };
            let done = store.verify(contact, evidence, intent, identity, own, now);
            if done.is_err() && created {
                let _ = store.forget(contact);
            }
            done
        }
        // A missing contact is added in the same transaction as the check (a
        // refusal leaves nothing behind).
        Some(new) => store.verify_or_add(
            contact,
            new.stable_id.as_deref(),
            evidence,
            intent,
            identity,
            own,
            now,
        ),
        None => store.verify(contact, evidence, intent, identity, own, now),
    };
    match done {
        Ok(done) => Ok(match done.replaced {
            Some(_) => format!(
                "{}'s new key is verified ({}); it replaces the key you had verified before.",
                done.contact,
                method_text(method)
            ),
            None => format!("{} is verified ({}).", done.contact, method_text(method)),
        }),
        Err(e) => Err(failure.note(contact, &e)),
    }
}

/// A store error (a refusal of the trust engine included) in the app's words.
pub fn store_error_text(contact: &str, e: &StoreError) -> String {
    match e {
        StoreError::Refused { refusal } => refusal_text(contact, refusal),
        StoreError::Lookalike { name, existing } => lookalike_question(name, existing),
        other => other.to_string(),
    }
}

/// The question asked when a new name looks like an existing contact's.
pub fn lookalike_question(name: &str, existing: &str) -> String {
    format!("“{name}” looks like your contact “{existing}”. Is this a different person?")
}

/// What to do about a contact whose entry was changed behind the app's back.
pub const TAMPERED_ADVICE: &str = "This entry was changed outside the app, so it is not verified. Forget the contact and verify them again.";

/// What a refusal of the trust engine means, for people.
pub fn refusal_text(contact: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::KeyChangedNeedsConfirmation { .. } => format!(
            "{contact} has a new key since you verified them. Compare the old and the new key and confirm that you checked the new one with {contact}."
        ),
        Refusal::Mismatch { .. } => format!(
            "This is not the key you have for {contact}. It is someone else's key, or {contact}'s key changed."
        ),
        Refusal::NotComparedByPerson => {
            "Nobody compared the codes, so nothing was recorded.".to_owned()
        }
        Refusal::Tampered { .. } => format!(
            "The saved entry of {contact} was changed outside this app, so it cannot be trusted. Forget {contact} in Contacts and verify them again."
        ),
        Refusal::StaleKeyChange { .. } => format!(
            "{contact}'s keys changed while this screen was open. Look at {contact} in Contacts again."
        ),
        Refusal::NoKeyChange => format!("{contact} has no key change to confirm."),
        Refusal::RetiredKey { .. } => format!(
            "This is an old key of {contact} that a newer, verified key replaced. An old record cannot bring it back; check the key with {contact} again."
        ),
        Refusal::NotYourReceipt { .. } => {
            "This record was made by someone else's identity, not yours.".to_owned()
        }
        Refusal::ReceiptNotInHistory => {
            format!("This record is not in {contact}'s history (any more).")
        }
        Refusal::ReceiptNotForCurrentKey { .. } => format!(
            "This record is about another key than the one {contact} uses now, so it cannot verify it."
        ),
        Refusal::UnknownContact { name } => format!("There is no contact named {name}."),
        other => other.to_string(),
    }
}

/// True for the methods recorded from a picture rather than in person.
pub fn is_from_picture(method: VerificationMethod) -> bool {
    method == VerificationMethod::QrImageFile
}

/// What the person answered to [`lookalike_prompt`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookalikeAnswer {
    /// "Add as a different person".
    DifferentPerson,
    /// "Cancel".
    Cancel,
}

/// Asks whether a name that looks like an existing contact's is a different
/// person. Neither answer is the default.
pub fn lookalike_prompt(ui: &mut egui::Ui, name: &str, existing: &str) -> Option<LookalikeAnswer> {
    let mut answer = None;
    let amber = ui.visuals().warn_fg_color;
    egui::Frame::new()
        .stroke(egui::Stroke::new(2.0, amber))
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(lookalike_question(name, existing))
                    .strong()
                    .color(amber),
            );
            ui.label("Two contacts whose names look alike can be confused on screen, and someone may have picked the name for that. Add it only if this really is another person; otherwise cancel and choose a clearly different name.");
            ui.horizontal_wrapped(|ui| {
                if ui.button("Add as a different person").clicked() {
                    answer = Some(LookalikeAnswer::DifferentPerson);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(LookalikeAnswer::Cancel);
                }
            });
        });
    answer
}
