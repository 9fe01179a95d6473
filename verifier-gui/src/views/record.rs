//! Hands the evidence of a check to the trust engine (through the store) for
//! the contact the person named, and puts its decision into the app's words.
//!
//! No trust decision is made here: `verifier_core::trust` decides (the store
//! asks it inside its transaction); this module only creates a new contact
//! when the person asked for one, and maps the engine's reason codes to text.

use verifier_core::identity::Identity;
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::store::{Store, StoreError};
use verifier_core::trust::{Evidence, Intent, OwnKeys, Refusal};

use super::contacts::method_text;

/// Records a check of `evidence` for `contact`. With `create` the contact is
/// added first if it does not exist (with the checked key and the optional
/// stable identifier). `Ok`: what was recorded; `Err`: why nothing was.
pub fn record(
    store: &mut Store,
    contact: &str,
    evidence: Evidence,
    intent: Intent,
    create: Option<Option<&str>>,
    identity: &Identity,
    own: &OwnKeys,
) -> Result<String, String> {
    let now = Timestamp::now();
    if let Some(stable_id) = create {
        match store.contact(contact, own) {
            Ok(_) => {}
            Err(StoreError::ContactNotFound { .. }) => {
                store
                    .add_contact_with_key(contact, stable_id, evidence.key(), now)
                    .map_err(|e| store_error_text(contact, &e))?;
            }
            Err(e) => return Err(store_error_text(contact, &e)),
        }
    }
    let method = evidence.method();
    match store.verify(contact, evidence, intent, identity, own, now) {
        Ok(done) => Ok(match done.replaced {
            Some(_) => format!(
                "{}'s new key is verified ({}); it replaces the key you had verified before.",
                done.contact,
                method_text(method)
            ),
            None => format!("{} is verified ({}).", done.contact, method_text(method)),
        }),
        Err(e) => Err(store_error_text(contact, &e)),
    }
}

/// A store error (a refusal of the trust engine included) in the app's words.
pub fn store_error_text(contact: &str, e: &StoreError) -> String {
    match e {
        StoreError::Refused { refusal } => refusal_text(contact, refusal),
        StoreError::Lookalike { name, existing } => format!(
            "“{name}” looks like your contact “{existing}”: two contacts that look alike can be confused. Choose another name."
        ),
        other => other.to_string(),
    }
}

/// What a refusal of the trust engine means, for people.
pub fn refusal_text(contact: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::KeyChangedNeedsConfirmation { .. } => format!(
            "{contact} has a new key since you verified them. Open {contact} in Contacts to compare the old and the new key and check the new one."
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
        Refusal::UnknownContact { name } => format!("There is no contact named {name}."),
        other => other.to_string(),
    }
}

/// True for the methods recorded from a picture rather than in person.
pub fn is_from_picture(method: VerificationMethod) -> bool {
    method == VerificationMethod::QrImageFile
}
