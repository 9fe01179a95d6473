//! The trust engine: the one place that turns the outcome of a check into a
//! decision for a *named* contact.
//!
//! It is pure (no I/O, no clock, no strings for people): the store hands over
//! what it knows about one contact ([`ContactFacts`]: its key history and the
//! receipts recorded for it, in the store's order), the caller hands over the
//! [`Evidence`] of a check and what the person wants ([`Intent`]); the engine
//! answers with an [`Approval`] (which only it can make, and which the store
//! needs to record anything) or a [`Refusal`] with a stable reason code. The
//! status of a contact ([`assess`]) comes from signatures: a contact is
//! verified only while a receipt for its current key verifies under the user's
//! own identity and names this contact.
//!
//! Rules (each has a test named after the attack it stops, in
//! `tests/attacks.rs`; `docs/threat-model.md` lists them):
//!
//! - a contact is never credited by key alone: every decision is for a named
//!   contact, and the checked key must be that contact's current key;
//! - a contact whose key changed is verified again only through the key-change
//!   flow ([`Intent::ConfirmKeyChange`]), which names the old and the new key
//!   the person was shown;
//! - scripted answers ([`ComparedBy::Script`]) are never recorded;
//! - an imported receipt never clears a key-change alert: it lands in the
//!   history ([`ImportDecision::HistoryOnly`]); the alert clears only when the
//!   person reviews it in the key-change flow ([`review_receipt`]), and a
//!   receipt for a key this store saw retired is refused;
//! - a receipt that does not verify, is signed by a key that was never the
//!   user's, names another contact, or contradicts the key history makes the
//!   contact [`TrustStatus::Tampered`], never verified.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::{Receipt, Timestamp};
//! use verifier_core::trust::{self, ContactFacts, Evidence, Intent, LogEntry, LogKind, OwnKeys, TrustStatus};
//!
//! let me = Identity::from_seed(&[1; 32])?;
//! let bob = Identity::from_seed(&[2; 32])?.public_key();
//! let own = OwnKeys::new(me.public_key());
//! let t = Timestamp::from_unix_secs(1_700_000_000);
//! let mut facts = ContactFacts::new("Bob", None);
//! facts.push(LogEntry::new(t, LogKind::KeySeen { key: bob }));
//! assert_eq!(trust::assess(&facts, &own).status, TrustStatus::Unverified);
//!
//! // The person compared the full key with Bob: the engine approves, the store
//! // (here: by hand) signs and records the receipt.
//! let approval = trust::decide(&facts, &own, Evidence::manual_assertion(bob), Intent::Verify)?;
//! let receipt = Receipt::sign(&me, approval.statement(t)?);
//! facts.push(LogEntry::new(t, LogKind::Verified { receipt: Some(receipt.as_bytes().to_vec()) }));
//! assert!(matches!(trust::assess(&facts, &own).status, TrustStatus::Verified { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod evidence;

pub use evidence::{ComparedBy, Evidence, QrSource};

use crate::key::PublicKey;
use crate::receipt::{
    Receipt, ReceiptError, ReceiptEvidence, ReceiptId, ReceiptStatement, Timestamp,
    VerificationMethod,
};

/// A contact's trust state, as the engine reads it from the recorded history.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
// A typed key is large (it keeps the decompressed point); these are
// short-lived values, so boxing would only complicate matching.
#[allow(clippy::large_enum_variant)]
pub enum TrustStatus {
    /// The current key was never verified (or a key change was accepted
    /// without verifying).
    Unverified,
    /// The current key is the verified one, backed by a receipt signed by the
    /// user's identity.
    Verified {
        /// When it was (last) verified.
        since: Timestamp,
        /// How.
        method: VerificationMethod,
    },
    /// The contact's key changed away from the key the user verified. This
    /// stays until the new key is checked in the key-change flow or the change
    /// is explicitly accepted.
    KeyChanged {
        /// The key the user had verified.
        previous_verified_key: PublicKey,
        /// When the key first changed away from it.
        since: Timestamp,
    },
    /// The key was verified by an identity of the user's that was replaced
    /// without a rotation statement (e.g. lost): the current identity cannot
    /// vouch for it. Unverified until checked again.
    NewIdentity,
    /// The recorded history does not hold together: it was changed behind the
    /// program's back. Never verified; forget the contact and verify again.
    Tampered {
        /// What does not hold together.
        problem: Tamper,
    },
}

impl TrustStatus {
    /// A stable machine name: `verified`, `unverified`, `key_changed`,
    /// `new_identity`, `tampered` (used in JSON and mapped to words by UIs).
    pub fn name(&self) -> &'static str {
        match self {
            TrustStatus::Unverified => "unverified",
            TrustStatus::Verified { .. } => "verified",
            TrustStatus::KeyChanged { .. } => "key_changed",
            TrustStatus::NewIdentity => "new_identity",
            TrustStatus::Tampered { .. } => "tampered",
        }
    }

    /// Whether the contact counts as verified.
    pub fn is_verified(&self) -> bool {
        matches!(self, TrustStatus::Verified { .. })
    }
}

/// What makes a recorded history read as tampered.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// A recorded receipt does not decode or its signature does not verify.
    BadReceipt {
        /// The receipt error's stable name ([`ReceiptError::kind`]).
        error: &'static str,
    },
    /// The history refers to a receipt that is not stored.
    MissingReceipt,
    /// A recorded receipt is signed by a key that was never the user's identity.
    ForeignSigner {
        /// The signer.
        signer: PublicKey,
    },
    /// A recorded receipt is about another contact (name or identifier differ).
    OtherContact {
        /// The contact name in the receipt.
        receipt_name: String,
    },
    /// A recorded verification is for a key that was not the contact's current
    /// key at that point of the history.
    KeyNotCurrentThen {
        /// The receipt's key.
        key: PublicKey,
    },
    /// The current key recorded for the contact is not the one its history ends with.
    InconsistentHistory,
}

impl Tamper {
    /// A stable machine name.
    pub fn name(&self) -> &'static str {
        match self {
            Tamper::BadReceipt { .. } => "bad_receipt",
            Tamper::MissingReceipt => "missing_receipt",
            Tamper::ForeignSigner { .. } => "foreign_signer",
            Tamper::OtherContact { .. } => "other_contact",
            Tamper::KeyNotCurrentThen { .. } => "key_not_current_then",
            Tamper::InconsistentHistory => "inconsistent_history",
        }
    }
}

/// The user's own identity keys, against which receipts are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnKeys {
    current: PublicKey,
    /// Earlier identities linked to `current` by checked rotation statements.
    rotated: Vec<PublicKey>,
    /// Earlier identities of this store's user without a rotation (lost):
    /// their receipts read as [`TrustStatus::NewIdentity`].
    former: Vec<PublicKey>,
}

/// How a receipt's signer relates to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignerClass {
    Own,
    Former,
    Foreign,
}

impl OwnKeys {
    /// The user's current identity key only.
    pub fn new(current: PublicKey) -> Self {
        Self {
            current,
            rotated: Vec::new(),
            former: Vec::new(),
        }
    }

    /// Adds the earlier identities of a checked rotation chain
    /// ([`crate::rotation::RotationChain`]) that ends at the current
    /// identity: receipts they signed stay valid. A chain for another current
    /// identity adds nothing.
    pub fn with_rotation_chain(mut self, chain: &crate::rotation::RotationChain) -> Self {
        if chain.current() == &self.current {
            for k in chain.previous_identities() {
                if !self.rotated.contains(k) {
                    self.rotated.push(*k);
                }
            }
            self.former.retain(|k| !self.rotated.contains(k));
        }
        self
    }

    /// Adds earlier identities of the user that no rotation links to the
    /// current one (the store remembers which identities signed its
    /// receipts): their receipts read as "new identity", not "tampered".
    pub fn with_former(mut self, keys: impl IntoIterator<Item = PublicKey>) -> Self {
        for k in keys {
            if k != self.current && !self.rotated.contains(&k) && !self.former.contains(&k) {
                self.former.push(k);
            }
        }
        self
    }

    /// The current identity key.
    pub fn current(&self) -> &PublicKey {
        &self.current
    }

    /// Whether `key` is the current identity or linked to it by rotation.
    pub fn is_own(&self, key: &PublicKey) -> bool {
        key == &self.current || self.rotated.contains(key)
    }

    fn classify(&self, key: &PublicKey) -> SignerClass {
        if self.is_own(key) {
            SignerClass::Own
        } else if self.former.contains(key) {
            SignerClass::Former
        } else {
            SignerClass::Foreign
        }
    }
}

/// One entry of a contact's recorded history, in the store's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// When the store recorded it.
    pub at: Timestamp,
    /// What it records.
    pub kind: LogKind,
}

impl LogEntry {
    /// An entry.
    pub fn new(at: Timestamp, kind: LogKind) -> Self {
        Self { at, kind }
    }
}

/// What a history entry records. Receipts are handed over as the stored
/// bytes (`None`: the entry refers to a receipt that is not stored); the
/// engine checks them itself.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum LogKind {
    /// The key became the contact's current key (first seen or changed to).
    KeySeen {
        /// The key.
        key: PublicKey,
    },
    /// A verification recorded by this store after the engine approved it
    /// (also: an imported receipt the person accepted in the key-change flow).
    Verified {
        /// The receipt's bytes.
        receipt: Option<Vec<u8>>,
    },
    /// A receipt imported into the history (e.g. from a backup or another
    /// device). `applied`: the engine allowed it to count when it was
    /// imported ([`ImportDecision::Apply`]).
    ReceiptImported {
        /// The receipt's bytes.
        receipt: Option<Vec<u8>>,
        /// Whether it counts as a verification.
        applied: bool,
    },
    /// The user accepted the current key without verifying it.
    KeyAccepted {
        /// The accepted key.
        key: PublicKey,
    },
}

/// What the store knows about one contact, handed to the engine as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactFacts {
    /// The contact's name as stored.
    pub name: String,
    /// The optional stable identifier as stored.
    pub stable_id: Option<String>,
    /// The current key as the store's contact record has it.
    pub current_key: Option<PublicKey>,
    /// The history, oldest first, in the store's order.
    pub log: Vec<LogEntry>,
}

impl ContactFacts {
    /// Facts of a contact with no history yet.
    pub fn new(name: &str, stable_id: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            stable_id: stable_id.map(str::to_owned),
            current_key: None,
            log: Vec::new(),
        }
    }

    /// Appends an entry (a [`LogKind::KeySeen`] also sets the current key).
    pub fn push(&mut self, entry: LogEntry) {
        if let LogKind::KeySeen { key } = &entry.kind {
            self.current_key = Some(*key);
        }
        self.log.push(entry);
    }
}

/// The engine's reading of a contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The status.
    pub status: TrustStatus,
    /// The current key, if one was seen.
    pub current_key: Option<PublicKey>,
    /// The key of the verification that counts now (the verified key, or the
    /// key that was verified before a change), if any.
    pub verified_key: Option<PublicKey>,
}

/// The verification that counts so far during a replay.
struct Anchor {
    key: PublicKey,
    since: Timestamp,
    method: VerificationMethod,
    signer: SignerClass,
    /// Keys seen as current before this key was verified, other than it.
    retired: Vec<PublicKey>,
}

struct Replay {
    current: Option<PublicKey>,
    anchor: Option<Anchor>,
    changed_since: Option<Timestamp>,
    seen: Vec<PublicKey>,
}

/// Checks one recorded receipt: it verifies, names this contact, and is
/// signed by one of the user's identities.
fn check_recorded(
    facts: &ContactFacts,
    own: &OwnKeys,
    bytes: Option<&[u8]>,
) -> Result<(Receipt, SignerClass), Tamper> {
    let bytes = bytes.ok_or(Tamper::MissingReceipt)?;
    let receipt = Receipt::from_bytes(bytes).map_err(|e: ReceiptError| Tamper::BadReceipt {
        error: e.kind(),
    })?;
    let st = receipt.statement();
    if st.contact_name() != facts.name || st.contact_id() != facts.stable_id.as_deref() {
        return Err(Tamper::OtherContact {
            receipt_name: st.contact_name().to_owned(),
        });
    }
    let class = own.classify(receipt.signer());
    if class == SignerClass::Foreign {
        return Err(Tamper::ForeignSigner {
            signer: *receipt.signer(),
        });
    }
    Ok((receipt, class))
}

fn replay(facts: &ContactFacts, own: &OwnKeys) -> Result<Replay, Tamper> {
    let mut r = Replay {
        current: None,
        anchor: None,
        changed_since: None,
        seen: Vec::new(),
    };
    for entry in &facts.log {
        match &entry.kind {
            LogKind::KeySeen { key } => {
                if let Some(a) = &r.anchor {
                    if &a.key == key {
                        r.changed_since = None;
                    } else if r.changed_since.is_none() {
                        r.changed_since = Some(entry.at);
                    }
                }
                r.current = Some(*key);
                if !r.seen.contains(key) {
                    r.seen.push(*key);
                }
            }
            LogKind::Verified { receipt }
            | LogKind::ReceiptImported {
                receipt,
                applied: true,
            } => {
                let (receipt, signer) = check_recorded(facts, own, receipt.as_deref())?;
                let st = receipt.statement();
                if r.current.as_ref() != Some(st.key()) {
                    return Err(Tamper::KeyNotCurrentThen { key: *st.key() });
                }
                let retired = r.seen.iter().filter(|k| *k != st.key()).copied().collect();
                r.anchor = Some(Anchor {
                    key: *st.key(),
                    since: st.verified_at(),
                    method: st.method(),
                    signer,
                    retired,
                });
                r.changed_since = None;
            }
            LogKind::ReceiptImported {
                receipt,
                applied: false,
            } => {
                check_recorded(facts, own, receipt.as_deref())?;
            }
            LogKind::KeyAccepted { key } => {
                if r.current.as_ref() != Some(key) {
                    return Err(Tamper::InconsistentHistory);
                }
                r.anchor = None;
                r.changed_since = None;
            }
        }
    }
    if r.current != facts.current_key {
        return Err(Tamper::InconsistentHistory);
    }
    Ok(r)
}

/// Reads a contact's status from its recorded history.
pub fn assess(facts: &ContactFacts, own: &OwnKeys) -> Assessment {
    let r = match replay(facts, own) {
        Ok(r) => r,
        Err(problem) => {
            return Assessment {
                status: TrustStatus::Tampered { problem },
                current_key: facts.current_key,
                verified_key: None,
            };
        }
    };
    let status = match (&r.anchor, &r.current) {
        (None, _) | (_, None) => TrustStatus::Unverified,
        (Some(a), Some(cur)) if &a.key == cur => match a.signer {
            SignerClass::Own => TrustStatus::Verified {
                since: a.since,
                method: a.method,
            },
            _ => TrustStatus::NewIdentity,
        },
        (Some(a), Some(_)) => TrustStatus::KeyChanged {
            previous_verified_key: a.key,
            since: r.changed_since.unwrap_or(a.since),
        },
    };
    Assessment {
        status,
        current_key: r.current,
        verified_key: r.anchor.map(|a| a.key),
    }
}

/// What the person wants to do with the evidence.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
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
    #[error("the contact's key changed from {old} to {new}; confirm the change in the key-change flow")]
    KeyChangedNeedsConfirmation {
        /// The previously verified key.
        old: PublicKey,
        /// The new (current) key.
        new: PublicKey,
    },
    /// The key-change confirmation was for another pair of keys than the
    /// contact has now (the screen was stale, or keys changed meanwhile).
    #[error("the key change shown ({shown_old} → {shown_new}) is not the contact's current one ({old} → {new})")]
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
    #[error("{key} was replaced by {replaced_by}, which you verified after it; an old receipt cannot bring it back")]
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

/// Decides whether the evidence of a check verifies the named contact.
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
    let Some(current) = a.current_key else {
        return match intent {
            Intent::Verify if evidence.reviewed_receipt().is_none() => Ok(approve(true, None)),
            _ => Err(Refusal::NoKeyChange),
        };
    };
    if evidence.key() != &current {
        return Err(Refusal::Mismatch {
            current,
            checked: *evidence.key(),
        });
    }
    match (a.status, intent) {
        (TrustStatus::KeyChanged { previous_verified_key: old, .. }, Intent::Verify) => {
            Err(Refusal::KeyChangedNeedsConfirmation { old, new: current })
        }
        (
            TrustStatus::KeyChanged { previous_verified_key: old, .. },
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
        (_, Intent::ConfirmKeyChange { .. }) => Err(Refusal::NoKeyChange),
        (_, Intent::Verify) if evidence.reviewed_receipt().is_some() => Err(Refusal::NoKeyChange),
        (_, Intent::Verify) => Ok(approve(false, None)),
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
}

impl HistoryOnlyReason {
    /// A stable reason code: `key_change_alert`, `not_current_key`.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryOnlyReason::KeyChangeAlert { .. } => "key_change_alert",
            HistoryOnlyReason::NotCurrentKey { .. } => "not_current_key",
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
    match (a.current_key, a.status) {
        (None, _) => Ok(ImportDecision::Apply),
        (Some(cur), TrustStatus::KeyChanged { previous_verified_key, .. }) if &cur == key => {
            Ok(ImportDecision::HistoryOnly {
                reason: HistoryOnlyReason::KeyChangeAlert {
                    old: previous_verified_key,
                    new: cur,
                },
            })
        }
        (Some(cur), _) if &cur == key => Ok(ImportDecision::Apply),
        (Some(cur), _) => Ok(ImportDecision::HistoryOnly {
            reason: HistoryOnlyReason::NotCurrentKey { current: cur },
        }),
    }
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
    let found = facts.log.iter().find_map(|e| match &e.kind {
        LogKind::ReceiptImported {
            receipt: Some(b), ..
        }
        | LogKind::Verified { receipt: Some(b) } => Receipt::from_bytes(b)
            .ok()
            .filter(|r| &r.id() == id),
        _ => None,
    });
    let receipt = found.ok_or(Refusal::ReceiptNotInHistory)?;
    if !own.is_own(receipt.signer()) {
        return Err(Refusal::NotYourReceipt {
            signer: *receipt.signer(),
        });
    }
    let st = receipt.statement();
    let TrustStatus::KeyChanged {
        previous_verified_key,
        ..
    } = a.status
    else {
        return Err(Refusal::NoKeyChange);
    };
    if a.current_key.as_ref() != Some(st.key()) {
        return Err(Refusal::ReceiptNotForCurrentKey { key: *st.key() });
    }
    // Keys seen before the verified key was verified, other than it, are retired.
    let retired = replay(facts, own)
        .ok()
        .and_then(|r| r.anchor)
        .is_some_and(|anchor| anchor.retired.contains(st.key()));
    if retired {
        return Err(Refusal::RetiredKey {
            key: *st.key(),
            replaced_by: previous_verified_key,
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
