//! What the engine decides: whether evidence verifies a contact ([`decide`],
//! [`preview`], an [`Approval`] or a [`Refusal`]), whether an imported receipt
//! counts ([`decide_import`]), and the key-change flow with a receipt from the
//! history ([`review_receipt`]).

use crate::key::PublicKey;
use crate::receipt::{
    Receipt, ReceiptError, ReceiptEvidence, ReceiptId, ReceiptStatement, Timestamp,
    VerificationMethod,
};

use super::status::replay;
use super::{ComparedBy, ContactFacts, Evidence, LogKind, OwnKeys, Tamper, TrustStatus, assess};

/// What the person wants to do with the evidence.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Intent {
    /// Verify the named contact's current key.
    Verify,
    /// The key-change flow: the person was shown the contact's previously
    /// verified key `old` and its new key `new` side by side, and checked `new`.
    ConfirmKeyChange {
        /// The previously verified key shown.
        old: PublicKey,
        /// The new key shown (the one the evidence must be about).
        new: PublicKey,
    },
}

/// How an approved verification is recorded.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// Sign a new receipt with the user's identity.
    SignNew,
    /// Count an imported receipt already in the history (reviewed in the
    /// key-change flow).
    ApplyStored {
        /// The receipt.
        id: ReceiptId,
    },
}

/// The engine's approval to record a verification. Only [`decide`] makes
/// one; the store needs one to record anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    contact_name: String,
    stable_id: Option<String>,
    key: PublicKey,
    method: VerificationMethod,
    detail: ReceiptEvidence,
    first_key: bool,
    replaces: Option<PublicKey>,
    record: Record,
}

impl Approval {
    /// The contact.
    pub fn contact_name(&self) -> &str {
        &self.contact_name
    }
    /// The verified key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
    /// How it was checked.
    pub fn method(&self) -> VerificationMethod {
        self.method
    }
    /// Whether the contact had no key yet (the key becomes its first key).
    pub fn is_first_key(&self) -> bool {
        self.first_key
    }
    /// For a confirmed key change: the previously verified key.
    pub fn replaces(&self) -> Option<&PublicKey> {
        self.replaces.as_ref()
    }
    /// How to record it.
    pub fn record(&self) -> &Record {
        &self.record
    }
    /// The receipt statement to sign (for [`Record::SignNew`]).
    pub fn statement(&self, now: Timestamp) -> Result<ReceiptStatement, ReceiptError> {
        ReceiptStatement::new(
            self.key,
            &self.contact_name,
            self.stable_id.as_deref(),
            now,
            self.method,
            self.detail.clone(),
        )
    }
}

/// Why the engine refuses. Each has a stable [`code`](Refusal::code) that UIs
/// turn into their own words.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[allow(clippy::large_enum_variant)]
pub enum Refusal {
    /// No contact has that name.
    #[error("no contact named {name:?}")]
    UnknownContact {
        /// The name asked for.
        name: String,
    },
    /// The contact's history was changed behind the program's back.
    #[error("the recorded history of this contact was changed outside verifier ({})", problem.name())]
    Tampered {
        /// What does not hold together.
        problem: Tamper,
    },
    /// A script answered "match": nobody compared anything.
    #[error("nobody compared the codes (scripted answer); nothing is recorded")]
    NotComparedByPerson,
    /// The checked key is not the contact's current key.
    #[error("the checked key {checked} is not the contact's current key {current}")]
    Mismatch {
        /// The contact's current key.
        current: PublicKey,
        /// The key that was checked.
        checked: PublicKey,
    },
    /// The contact's key changed: only the key-change flow may verify the new key.
    #[error(
        "the contact's key changed from {old} to {new}; confirm the change in the key-change flow"
    )]
    KeyChangedNeedsConfirmation {
        /// The previously verified key.
        old: PublicKey,
        /// The new (current) key.
        new: PublicKey,
    },
    /// The key-change confirmation was for another pair of keys than the
    /// contact has now (the screen was stale, or keys changed meanwhile).
    #[error(
        "the key change shown ({shown_old} → {shown_new}) is not the contact's current one ({old} → {new})"
    )]
    StaleKeyChange {
        /// The old key shown.
        shown_old: PublicKey,
        /// The new key shown.
        shown_new: PublicKey,
        /// The actual previously verified key.
        old: PublicKey,
        /// The actual current key.
        new: PublicKey,
    },
    /// A key-change confirmation for a contact without a key change.
    #[error("the contact has no key change to confirm")]
    NoKeyChange,
    /// The receipt is not signed by the user's identity.
    #[error("the receipt is signed by {signer}, not by your identity")]
    NotYourReceipt {
        /// The signer.
        signer: PublicKey,
    },
    /// The receipt is about a key that this store saw replaced by a key the
    /// user verified later: a retired key cannot come back on an old receipt.
    #[error(
        "{key} was replaced by {replaced_by}, which you verified after it; an old receipt cannot bring it back"
    )]
    RetiredKey {
        /// The retired key.
        key: PublicKey,
        /// The key verified after it.
        replaced_by: PublicKey,
    },
    /// No receipt with that id is in the contact's history.
    #[error("no such receipt in the contact's history")]
    ReceiptNotInHistory,
    /// The receipt's key is not the contact's current key.
    #[error("the receipt is about {key}, not the contact's current key")]
    ReceiptNotForCurrentKey {
        /// The receipt's key.
        key: PublicKey,
    },
}

impl Refusal {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`code`](Self::code) is its stable name; this is its stable number.
    pub fn number(&self) -> u16 {
        match self {
            Self::UnknownContact { .. } => 6001,
            Self::Tampered { .. } => 6002,
            Self::NotComparedByPerson => 6003,
            Self::Mismatch { .. } => 6004,
            Self::KeyChangedNeedsConfirmation { .. } => 6005,
            Self::StaleKeyChange { .. } => 6006,
            Self::NoKeyChange => 6007,
            Self::NotYourReceipt { .. } => 6008,
            Self::RetiredKey { .. } => 6009,
            Self::ReceiptNotInHistory => 6010,
            Self::ReceiptNotForCurrentKey { .. } => 6011,
        }
    }

    /// A stable reason code (`unknown_contact`, `tampered`,
    /// `not_compared_by_person`, `mismatch`, `key_changed_needs_confirmation`,
    /// `stale_key_change`, `no_key_change`, `not_your_receipt`,
    /// `retired_key`, `receipt_not_in_history`, `receipt_not_for_current_key`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownContact { .. } => "unknown_contact",
            Refusal::Tampered { .. } => "tampered",
            Refusal::NotComparedByPerson => "not_compared_by_person",
            Refusal::Mismatch { .. } => "mismatch",
            Refusal::KeyChangedNeedsConfirmation { .. } => "key_changed_needs_confirmation",
            Refusal::StaleKeyChange { .. } => "stale_key_change",
            Refusal::NoKeyChange => "no_key_change",
            Refusal::NotYourReceipt { .. } => "not_your_receipt",
            Refusal::RetiredKey { .. } => "retired_key",
            Refusal::ReceiptNotInHistory => "receipt_not_in_history",
            Refusal::ReceiptNotForCurrentKey { .. } => "receipt_not_for_current_key",
        }
    }
}

/// What [`decide`] would answer for a plain [`Intent::Verify`] of `checked`
/// by a person, for a contact whose assessment ([`assess`]) is `status` with
/// `current_key`: `Ok` when it would verify (also for a contact without a key
/// yet: `checked` becomes its first key), else the refusal:
/// [`Refusal::Tampered`], [`Refusal::Mismatch`] when `checked` is not the
/// current key, [`Refusal::KeyChangedNeedsConfirmation`] when the contact's
/// key changed and `checked` is the new key (only the key-change flow,
/// [`Intent::ConfirmKeyChange`], may verify it).
///
/// For UIs that show what a check *means* before anything is recorded (the
/// colour of a scan result, whether to open the key-change flow), so that this
/// meaning comes from the engine and not from the UI. Pure; it records
/// nothing, and [`decide`] still decides when something is recorded.
///
/// ```
/// use verifier_core::identity::Identity;
/// use verifier_core::receipt::Timestamp;
/// use verifier_core::trust::{self, Refusal, TrustStatus};
///
/// let old = Identity::from_seed(&[2; 32])?.public_key();
/// let new = Identity::from_seed(&[3; 32])?.public_key();
/// let changed = TrustStatus::KeyChanged { previous_verified_key: old, since: Timestamp::from_unix_secs(0) };
/// assert_eq!(
///     trust::preview(&changed, Some(&new), &new),
///     Err(Refusal::KeyChangedNeedsConfirmation { old, new })
/// );
/// assert_eq!(trust::preview(&TrustStatus::Unverified, Some(&new), &new), Ok(()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn preview(
    status: &TrustStatus,
    current_key: Option<&PublicKey>,
    checked: &PublicKey,
) -> Result<(), Refusal> {
    if let TrustStatus::Tampered { problem } = status {
        return Err(Refusal::Tampered {
            problem: problem.clone(),
        });
    }
    let Some(current) = current_key else {
        return Ok(());
    };
    if checked != current {
        return Err(Refusal::Mismatch {
            current: *current,
            checked: *checked,
        });
    }
    if let TrustStatus::KeyChanged {
        previous_verified_key,
        ..
    } = status
    {
        return Err(Refusal::KeyChangedNeedsConfirmation {
            old: *previous_verified_key,
            new: *current,
        });
    }
    Ok(())
}

/// Decides whether the evidence of a check verifies the named contact.
///
/// Evidence from a reviewed receipt ([`review_receipt`]) counts only for the
/// contact in whose history that receipt is ([`Refusal::ReceiptNotInHistory`]
/// otherwise).
pub fn decide(
    facts: &ContactFacts,
    own: &OwnKeys,
    evidence: Evidence,
    intent: Intent,
) -> Result<Approval, Refusal> {
    if evidence.compared_by() != ComparedBy::Person {
        return Err(Refusal::NotComparedByPerson);
    }
    let a = assess(facts, own);
    if let TrustStatus::Tampered { problem } = a.status {
        return Err(Refusal::Tampered { problem });
    }
    if let Some(id) = evidence.reviewed_receipt()
        && find_receipt(facts, id).is_none()
    {
        return Err(Refusal::ReceiptNotInHistory);
    }
    let approve = |first_key: bool, replaces: Option<PublicKey>| {
        let record = match evidence.reviewed_receipt() {
            Some(id) => Record::ApplyStored { id: *id },
            None => Record::SignNew,
        };
        Approval {
            contact_name: facts.name.clone(),
            stable_id: facts.stable_id.clone(),
            key: *evidence.key(),
            method: evidence.method(),
            detail: evidence.detail().clone(),
            first_key,
            replaces,
            record,
        }
    };
    // A plain check: what `preview` shows is exactly what is decided.
    if intent == Intent::Verify && evidence.reviewed_receipt().is_none() {
        preview(&a.status, a.current_key.as_ref(), evidence.key())?;
        return Ok(approve(a.current_key.is_none(), None));
    }
    // From here on: the key-change flow, or a reviewed receipt (which only
    // the key-change flow may use).
    if let Some(id) = evidence.reviewed_receipt() {
        // Reviewed evidence may be stale (kept across a reload, a race with
        // another writer): every rule of the review holds again now, the
        // retired-key rule and the signer included.
        let again = review_receipt(facts, own, id)?;
        if again.key() != evidence.key() {
            return Err(Refusal::ReceiptNotForCurrentKey {
                key: *evidence.key(),
            });
        }
    }
    let Some(current) = a.current_key else {
        return Err(Refusal::NoKeyChange);
    };
    if evidence.key() != &current {
        return Err(Refusal::Mismatch {
            current,
            checked: *evidence.key(),
        });
    }
    match (a.status, intent) {
        (
            TrustStatus::KeyChanged {
                previous_verified_key: old,
                ..
            },
            Intent::Verify,
        ) => Err(Refusal::KeyChangedNeedsConfirmation { old, new: current }),
        (
            TrustStatus::KeyChanged {
                previous_verified_key: old,
                ..
            },
            Intent::ConfirmKeyChange {
                old: shown_old,
                new: shown_new,
            },
        ) => {
            if shown_old == old && shown_new == current {
                Ok(approve(false, Some(old)))
            } else {
                Err(Refusal::StaleKeyChange {
                    shown_old,
                    shown_new,
                    old,
                    new: current,
                })
            }
        }
        (_, Intent::ConfirmKeyChange { .. } | Intent::Verify) => Err(Refusal::NoKeyChange),
    }
}

/// What importing a receipt does.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum ImportDecision {
    /// The receipt counts as a verification of the contact's current key (or
    /// of its first key, for a contact with none).
    Apply,
    /// The receipt is kept in the history only; it verifies nothing by itself.
    HistoryOnly {
        /// Why.
        reason: HistoryOnlyReason,
    },
}

/// Why an imported receipt does not count by itself.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum HistoryOnlyReason {
    /// The contact has a key-change alert: only the key-change flow clears it.
    KeyChangeAlert {
        /// The previously verified key.
        old: PublicKey,
        /// The current key.
        new: PublicKey,
    },
    /// The receipt is about a key that is not the contact's current key.
    NotCurrentKey {
        /// The contact's current key.
        current: PublicKey,
    },
    /// The receipt is about a key this store saw retired: another key was
    /// verified after it was current here. An old receipt cannot bring it
    /// back; only a fresh check can.
    RetiredKey {
        /// The key verified after it.
        replaced_by: PublicKey,
    },
}

impl HistoryOnlyReason {
    /// A stable number for this reason (docs/errors.md).
    ///
    /// [`code`](Self::code) is its stable name; this is its stable number.
    pub fn number(&self) -> u16 {
        match self {
            Self::KeyChangeAlert { .. } => 6201,
            Self::NotCurrentKey { .. } => 6202,
            Self::RetiredKey { .. } => 6203,
        }
    }

    /// A stable reason code: `key_change_alert`, `not_current_key`, `retired_key`.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryOnlyReason::KeyChangeAlert { .. } => "key_change_alert",
            HistoryOnlyReason::NotCurrentKey { .. } => "not_current_key",
            HistoryOnlyReason::RetiredKey { .. } => "retired_key",
        }
    }
}

/// Decides what importing `receipt` does for the contact it names (`facts`:
/// `None` when the store has no such contact; it is then created with the
/// receipt's key).
pub fn decide_import(
    facts: Option<&ContactFacts>,
    own: &OwnKeys,
    receipt: &Receipt,
) -> Result<ImportDecision, Refusal> {
    if !own.is_own(receipt.signer()) {
        return Err(Refusal::NotYourReceipt {
            signer: *receipt.signer(),
        });
    }
    let Some(facts) = facts else {
        return Ok(ImportDecision::Apply);
    };
    let a = assess(facts, own);
    if let TrustStatus::Tampered { problem } = a.status {
        return Err(Refusal::Tampered { problem });
    }
    let key = receipt.statement().key();
    // Rollback: a key another verified key replaced here never comes back on
    // an old receipt, whatever happened since (an accepted key included).
    if let Some(replaced_by) = replay(facts, own).ok().and_then(|r| r.retired_by(key)) {
        return Ok(ImportDecision::HistoryOnly {
            reason: HistoryOnlyReason::RetiredKey { replaced_by },
        });
    }
    match (a.current_key, a.status) {
        (None, _) => Ok(ImportDecision::Apply),
        (
            Some(cur),
            TrustStatus::KeyChanged {
                previous_verified_key,
                ..
            },
        ) if &cur == key => Ok(ImportDecision::HistoryOnly {
            reason: HistoryOnlyReason::KeyChangeAlert {
                old: previous_verified_key,
                new: cur,
            },
        }),
        (Some(cur), _) if &cur == key => Ok(ImportDecision::Apply),
        (Some(cur), _) => Ok(ImportDecision::HistoryOnly {
            reason: HistoryOnlyReason::NotCurrentKey { current: cur },
        }),
    }
}

/// The receipt with this id among the contact's recorded receipts, if any.
fn find_receipt(facts: &ContactFacts, id: &ReceiptId) -> Option<Receipt> {
    facts.log.iter().find_map(|e| match &e.kind {
        LogKind::ReceiptImported {
            receipt: Some(b), ..
        }
        | LogKind::Verified { receipt: Some(b) } => {
            Receipt::from_bytes(b).ok().filter(|r| &r.id() == id)
        }
        _ => None,
    })
}

/// The key-change flow's use of a receipt from the history: the person saw
/// the receipt (method, date) beside the old and new keys and accepts it as
/// the check of the new key. Refused for a key this store saw retired (it was
/// current before the verified key was verified here): rollback to an old,
/// maybe stolen, key needs a fresh check.
pub fn review_receipt(
    facts: &ContactFacts,
    own: &OwnKeys,
    id: &ReceiptId,
) -> Result<Evidence, Refusal> {
    let a = assess(facts, own);
    if let TrustStatus::Tampered { problem } = a.status {
        return Err(Refusal::Tampered { problem });
    }
    let receipt = find_receipt(facts, id).ok_or(Refusal::ReceiptNotInHistory)?;
    if !own.is_own(receipt.signer()) {
        return Err(Refusal::NotYourReceipt {
            signer: *receipt.signer(),
        });
    }
    let st = receipt.statement();
    if !matches!(a.status, TrustStatus::KeyChanged { .. }) {
        return Err(Refusal::NoKeyChange);
    }
    if a.current_key.as_ref() != Some(st.key()) {
        return Err(Refusal::ReceiptNotForCurrentKey { key: *st.key() });
    }
    // A key another verified key replaced here is retired.
    if let Some(replaced_by) = replay(facts, own).ok().and_then(|r| r.retired_by(st.key())) {
        return Err(Refusal::RetiredKey {
            key: *st.key(),
            replaced_by,
        });
    }
    let detail = st
        .evidence()
        .cloned()
        .unwrap_or_else(|| ReceiptEvidence::new(crate::receipt::ComparedScheme::FullKey, 1));
    Ok(Evidence::from_reviewed_receipt(
        *st.key(),
        st.method(),
        detail,
        receipt.id(),
    ))
}
