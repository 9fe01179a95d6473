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

// A typed key is large (it keeps the decompressed point); refusals and tamper
// reasons carry keys and are short-lived, so boxing would only complicate
// matching.
#![allow(clippy::result_large_err)]

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
    /// An entry the store could not interpret (e.g. an unknown kind written by
    /// someone editing the database): the history reads as tampered.
    Unrecognised {
        /// What the store found.
        what: String,
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
    /// The receipt behind that verification (what an export should carry).
    pub verified_receipt: Option<ReceiptId>,
}

/// The verification that counts so far during a replay.
struct Anchor {
    key: PublicKey,
    receipt: ReceiptId,
    since: Timestamp,
    method: VerificationMethod,
    signer: SignerClass,
}

struct Replay {
    current: Option<PublicKey>,
    anchor: Option<Anchor>,
    changed_since: Option<Timestamp>,
    seen: Vec<PublicKey>,
    /// Keys this store saw retired: (key, the key verified after it). A key
    /// is retired when another key is verified after it was current here; a
    /// later check of the key itself un-retires it. Accepting a key without
    /// verifying does not un-retire anything.
    retired: Vec<(PublicKey, PublicKey)>,
}

impl Replay {
    fn retired_by(&self, key: &PublicKey) -> Option<PublicKey> {
        self.retired
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, by)| *by)
    }
}

/// Checks one recorded receipt: it verifies, names this contact, and is
/// signed by one of the user's identities.
fn check_recorded(
    facts: &ContactFacts,
    own: &OwnKeys,
    bytes: Option<&[u8]>,
) -> Result<(Receipt, SignerClass), Tamper> {
    let bytes = bytes.ok_or(Tamper::MissingReceipt)?;
    let receipt = Receipt::from_bytes(bytes)
        .map_err(|e: ReceiptError| Tamper::BadReceipt { error: e.kind() })?;
    let st = receipt.statement();
    // Names compare in NFC (the store keeps NFC; a receipt may carry another form).
    let nfc = |s: &str| -> String {
        use unicode_normalization::UnicodeNormalization as _;
        s.nfc().collect()
    };
    if nfc(st.contact_name()) != nfc(&facts.name) || st.contact_id() != facts.stable_id.as_deref() {
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
        retired: Vec::new(),
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
                let verified = *st.key();
                r.retired.retain(|(k, _)| k != &verified);
                for k in &r.seen {
                    if k != &verified && !r.retired.iter().any(|(old, _)| old == k) {
                        r.retired.push((*k, verified));
                    }
                }
                r.anchor = Some(Anchor {
                    key: verified,
                    receipt: receipt.id(),
                    since: st.verified_at(),
                    method: st.method(),
                    signer,
                });
                r.changed_since = None;
            }
            LogKind::ReceiptImported {
                receipt,
                applied: false,
            } => {
                check_recorded(facts, own, receipt.as_deref())?;
            }
            LogKind::Unrecognised { .. } => return Err(Tamper::InconsistentHistory),
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
                verified_receipt: None,
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
        verified_key: r.anchor.as_ref().map(|a| a.key),
        verified_receipt: r.anchor.map(|a| a.receipt),
    }
}

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

#[cfg(test)]
mod tests {
    //! The engine alone: handmade facts in, statuses and decisions out.

    use super::*;
    use crate::identity::Identity;
    use crate::receipt::ComparedScheme;
    use crate::rotation::{Rotation, RotationChain};

    fn ident(n: u8) -> Identity {
        Identity::from_seed(&[n; 32]).unwrap()
    }

    fn key(n: u8) -> PublicKey {
        ident(n).public_key()
    }

    fn t(s: u64) -> Timestamp {
        Timestamp::from_unix_secs(1_700_000_000 + s)
    }

    /// The user's identity in these tests.
    fn me() -> Identity {
        ident(1)
    }

    fn own() -> OwnKeys {
        OwnKeys::new(key(1))
    }

    /// A receipt signed by `signer` for the contact `name` (`id`): key `k`
    /// verified at `at` by `method`.
    fn receipt_named(
        signer: &Identity,
        name: &str,
        id: Option<&str>,
        k: PublicKey,
        at: u64,
        method: VerificationMethod,
    ) -> Receipt {
        let detail = ReceiptEvidence::new(ComparedScheme::FullKey, 1);
        Receipt::sign(
            signer,
            ReceiptStatement::new(k, name, id, t(at), method, detail).unwrap(),
        )
    }

    /// A receipt signed by `signer` for the contact of `f`.
    fn receipt_for(
        f: &ContactFacts,
        signer: &Identity,
        k: PublicKey,
        at: u64,
        method: VerificationMethod,
    ) -> Receipt {
        receipt_named(signer, &f.name, f.stable_id.as_deref(), k, at, method)
    }

    fn seen(f: &mut ContactFacts, at: u64, k: PublicKey) {
        f.push(LogEntry::new(t(at), LogKind::KeySeen { key: k }));
    }

    fn record(f: &mut ContactFacts, at: u64, r: &Receipt) {
        f.push(LogEntry::new(
            t(at),
            LogKind::Verified {
                receipt: Some(r.as_bytes().to_vec()),
            },
        ));
    }

    /// Records a verification of `k` by the user, made at `at` (manual).
    fn verified(f: &mut ContactFacts, at: u64, k: PublicKey) -> Receipt {
        let r = receipt_for(f, &me(), k, at, VerificationMethod::Manual);
        record(f, at, &r);
        r
    }

    fn imported(f: &mut ContactFacts, at: u64, r: &Receipt, applied: bool) {
        f.push(LogEntry::new(
            t(at),
            LogKind::ReceiptImported {
                receipt: Some(r.as_bytes().to_vec()),
                applied,
            },
        ));
    }

    fn accepted(f: &mut ContactFacts, at: u64, k: PublicKey) {
        f.push(LogEntry::new(t(at), LogKind::KeyAccepted { key: k }));
    }

    /// Bob with key 2, verified by the user at 1.
    fn verified_bob() -> ContactFacts {
        let mut f = ContactFacts::new("bob", Some("@bob:example.org"));
        seen(&mut f, 0, key(2));
        verified(&mut f, 1, key(2));
        f
    }

    /// [`verified_bob`] whose key then changed to key 3 (at 5).
    fn changed_bob() -> ContactFacts {
        let mut f = verified_bob();
        seen(&mut f, 5, key(3));
        f
    }

    fn status(f: &ContactFacts) -> TrustStatus {
        assess(f, &own()).status
    }

    fn tamper(f: &ContactFacts, owned: &OwnKeys) -> Tamper {
        match assess(f, owned).status {
            TrustStatus::Tampered { problem } => problem,
            other => panic!("expected tampered, got {other:?}"),
        }
    }

    fn manual(k: PublicKey) -> Evidence {
        Evidence::manual_assertion(k)
    }

    fn confirm(old: PublicKey, new: PublicKey) -> Intent {
        Intent::ConfirmKeyChange { old, new }
    }

    // --- assess -----------------------------------------------------------

    #[test]
    fn contact_without_verification_is_unverified() {
        let mut f = ContactFacts::new("bob", None);
        let a = assess(&f, &own());
        assert_eq!(a.status, TrustStatus::Unverified);
        assert_eq!((a.current_key, a.verified_key), (None, None));
        seen(&mut f, 0, key(2));
        let a = assess(&f, &own());
        assert_eq!(a.status, TrustStatus::Unverified);
        assert_eq!(a.current_key, Some(key(2)));
        assert!(!a.status.is_verified());
    }

    #[test]
    fn verified_reads_the_receipt_for_the_current_key() {
        let mut f = ContactFacts::new("bob", Some("@bob:example.org"));
        seen(&mut f, 0, key(2));
        let r = receipt_for(&f, &me(), key(2), 3, VerificationMethod::QrCamera);
        // The receipt's time counts, not when the store wrote the entry.
        record(&mut f, 4, &r);
        let a = assess(&f, &own());
        assert_eq!(
            a.status,
            TrustStatus::Verified {
                since: t(3),
                method: VerificationMethod::QrCamera
            }
        );
        assert_eq!(a.current_key, Some(key(2)));
        assert_eq!(a.verified_key, Some(key(2)));
        assert!(a.status.is_verified());
        assert_eq!(a.status.name(), "verified");
    }

    #[test]
    fn key_change_after_verification_reads_key_changed_from_the_first_change() {
        let mut f = changed_bob();
        let changed = TrustStatus::KeyChanged {
            previous_verified_key: key(2),
            since: t(5),
        };
        assert_eq!(status(&f), changed);
        assert_eq!(changed.name(), "key_changed");
        // A further change keeps the verified key and the time of the first change.
        seen(&mut f, 6, key(4));
        let a = assess(&f, &own());
        assert_eq!(a.status, changed);
        assert_eq!(a.current_key, Some(key(4)));
        assert_eq!(a.verified_key, Some(key(2)));
    }

    #[test]
    fn changing_back_to_the_verified_key_reads_verified_again() {
        let mut f = changed_bob();
        seen(&mut f, 6, key(2));
        assert_eq!(
            status(&f),
            TrustStatus::Verified {
                since: t(1),
                method: VerificationMethod::Manual
            }
        );
        // Changing away again raises a new alert, from the new change.
        seen(&mut f, 7, key(3));
        assert_eq!(
            status(&f),
            TrustStatus::KeyChanged {
                previous_verified_key: key(2),
                since: t(7)
            }
        );
    }

    #[test]
    fn accepted_key_reads_unverified_and_later_changes_raise_no_alert() {
        let mut f = changed_bob();
        accepted(&mut f, 6, key(3));
        let a = assess(&f, &own());
        assert_eq!(a.status, TrustStatus::Unverified);
        assert_eq!(a.verified_key, None);
        seen(&mut f, 7, key(4));
        assert_eq!(status(&f), TrustStatus::Unverified);
        // Even the formerly verified key reads unverified after the acceptance.
        seen(&mut f, 8, key(2));
        assert_eq!(status(&f), TrustStatus::Unverified);
    }

    #[test]
    fn imported_receipt_counts_only_when_applied() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let r = receipt_for(&f, &me(), key(2), 1, VerificationMethod::SasSession);
        imported(&mut f, 2, &r, false);
        assert_eq!(status(&f), TrustStatus::Unverified);
        imported(&mut f, 3, &r, true);
        assert_eq!(
            status(&f),
            TrustStatus::Verified {
                since: t(1),
                method: VerificationMethod::SasSession
            }
        );
    }

    #[test]
    fn receipt_naming_another_contact_reads_tampered() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let carols = receipt_named(&me(), "carol", None, key(2), 1, VerificationMethod::Manual);
        record(&mut f, 1, &carols);
        let p = tamper(&f, &own());
        assert_eq!(
            p,
            Tamper::OtherContact {
                receipt_name: "carol".into()
            }
        );
        assert_eq!(p.name(), "other_contact");
        // Same name, another stable identifier: another contact too.
        let mut f = ContactFacts::new("bob", Some("@bob:a.example"));
        seen(&mut f, 0, key(2));
        let other = receipt_named(
            &me(),
            "bob",
            Some("@bob:b.example"),
            key(2),
            1,
            VerificationMethod::Manual,
        );
        record(&mut f, 1, &other);
        assert_eq!(
            tamper(&f, &own()),
            Tamper::OtherContact {
                receipt_name: "bob".into()
            }
        );
        // Also in the history only: every recorded receipt is checked.
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        imported(&mut f, 1, &carols, false);
        assert_eq!(tamper(&f, &own()).name(), "other_contact");
    }

    #[test]
    fn receipt_with_bad_bytes_reads_tampered() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let mut bytes = receipt_for(&f, &me(), key(2), 1, VerificationMethod::Manual)
            .as_bytes()
            .to_vec();
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        let mut bad_sig = f.clone();
        bad_sig.push(LogEntry::new(
            t(1),
            LogKind::Verified {
                receipt: Some(bytes.clone()),
            },
        ));
        let p = tamper(&bad_sig, &own());
        assert_eq!(
            p,
            Tamper::BadReceipt {
                error: "bad_signature"
            }
        );
        assert_eq!(p.name(), "bad_receipt");
        for (junk, error) in [
            (b"not a receipt".to_vec(), "not_a_receipt"),
            (bytes[..bytes.len() - 10].to_vec(), "truncated"),
        ] {
            let mut g = f.clone();
            g.push(LogEntry::new(
                t(1),
                LogKind::ReceiptImported {
                    receipt: Some(junk),
                    applied: false,
                },
            ));
            assert_eq!(tamper(&g, &own()), Tamper::BadReceipt { error });
        }
    }

    #[test]
    fn missing_receipt_reads_tampered() {
        for kind in [
            LogKind::Verified { receipt: None },
            LogKind::ReceiptImported {
                receipt: None,
                applied: false,
            },
        ] {
            let mut f = ContactFacts::new("bob", None);
            seen(&mut f, 0, key(2));
            f.push(LogEntry::new(t(1), kind));
            let p = tamper(&f, &own());
            assert_eq!(p, Tamper::MissingReceipt);
            assert_eq!(p.name(), "missing_receipt");
        }
    }

    #[test]
    fn receipt_signed_by_a_stranger_reads_tampered() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let r = receipt_for(&f, &ident(9), key(2), 1, VerificationMethod::Manual);
        imported(&mut f, 1, &r, true);
        let p = tamper(&f, &own());
        assert_eq!(p, Tamper::ForeignSigner { signer: key(9) });
        assert_eq!(p.name(), "foreign_signer");
    }

    #[test]
    fn verification_of_a_key_not_current_then_reads_tampered() {
        // Key 2 was replaced by key 3 before the (forged) verification of key 2.
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        seen(&mut f, 1, key(3));
        verified(&mut f, 2, key(2));
        let p = tamper(&f, &own());
        assert_eq!(p, Tamper::KeyNotCurrentThen { key: key(2) });
        assert_eq!(p.name(), "key_not_current_then");
        // A verification before any key was seen.
        let mut f = ContactFacts::new("bob", None);
        verified(&mut f, 0, key(2));
        seen(&mut f, 1, key(2));
        assert_eq!(
            tamper(&f, &own()),
            Tamper::KeyNotCurrentThen { key: key(2) }
        );
        // Status-only copies of it count the same way.
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        seen(&mut f, 1, key(3));
        let r = receipt_for(&f, &me(), key(2), 2, VerificationMethod::Manual);
        imported(&mut f, 2, &r, true);
        assert_eq!(
            tamper(&f, &own()),
            Tamper::KeyNotCurrentThen { key: key(2) }
        );
        // A history-only receipt may be for any key.
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        seen(&mut f, 1, key(3));
        imported(&mut f, 2, &r, false);
        assert_eq!(status(&f), TrustStatus::Unverified);
    }

    #[test]
    fn current_key_disagreeing_with_the_log_reads_tampered() {
        let mut f = verified_bob();
        f.current_key = Some(key(3));
        let a = assess(&f, &own());
        assert_eq!(
            a.status,
            TrustStatus::Tampered {
                problem: Tamper::InconsistentHistory
            }
        );
        // The record's key is reported as it is; nothing counts as verified.
        assert_eq!(a.current_key, Some(key(3)));
        assert_eq!(a.verified_key, None);
        assert_eq!(Tamper::InconsistentHistory.name(), "inconsistent_history");
        // No current key recorded although the log has one.
        let mut f = verified_bob();
        f.current_key = None;
        assert_eq!(tamper(&f, &own()), Tamper::InconsistentHistory);
        // An acceptance of a key that was not current.
        let mut f = changed_bob();
        accepted(&mut f, 6, key(4));
        assert_eq!(tamper(&f, &own()), Tamper::InconsistentHistory);
    }

    #[test]
    fn receipt_of_a_former_identity_reads_new_identity() {
        let lost = ident(9);
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let r = receipt_for(&f, &lost, key(2), 1, VerificationMethod::Manual);
        record(&mut f, 1, &r);
        let with_former = own().with_former([key(9)]);
        let a = assess(&f, &with_former);
        assert_eq!(a.status, TrustStatus::NewIdentity);
        assert_eq!(a.status.name(), "new_identity");
        assert!(!a.status.is_verified());
        assert_eq!(a.verified_key, Some(key(2)));
        // Without knowing it was the user's, the signer is a stranger.
        assert_eq!(tamper(&f, &own()), Tamper::ForeignSigner { signer: key(9) });
        // Its key changing still raises the alert.
        seen(&mut f, 2, key(3));
        assert_eq!(
            assess(&f, &with_former).status,
            TrustStatus::KeyChanged {
                previous_verified_key: key(2),
                since: t(2)
            }
        );
        // The current identity is never "former".
        assert_eq!(own().with_former([key(1)]), own());
    }

    #[test]
    fn receipt_of_a_rotated_identity_stays_verified() {
        let old = ident(9);
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let r = receipt_for(&f, &old, key(2), 1, VerificationMethod::Manual);
        record(&mut f, 1, &r);
        let chain =
            RotationChain::new(vec![Rotation::sign(&old, &me(), t(2)).unwrap()], &key(1)).unwrap();
        // A rotation overrides an earlier "former" classification.
        let owned = own().with_former([key(9)]).with_rotation_chain(&chain);
        assert!(owned.is_own(&key(9)));
        assert!(assess(&f, &owned).status.is_verified());
        // A chain for another current identity adds nothing.
        let other = OwnKeys::new(key(7)).with_rotation_chain(&chain);
        assert!(!other.is_own(&key(9)));
        assert_eq!(tamper(&f, &other), Tamper::ForeignSigner { signer: key(9) });
    }

    // --- decide -----------------------------------------------------------

    #[test]
    fn first_key_comes_from_the_evidence() {
        let f = ContactFacts::new("bob", Some("@bob:example.org"));
        let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
        assert!(a.is_first_key());
        assert_eq!(a.key(), &key(2));
        assert_eq!(a.contact_name(), "bob");
        assert_eq!(a.method(), VerificationMethod::Manual);
        assert_eq!(a.replaces(), None);
        assert_eq!(a.record(), &Record::SignNew);
        let st = a.statement(t(9)).unwrap();
        assert_eq!(st.key(), &key(2));
        assert_eq!(st.contact_name(), "bob");
        assert_eq!(st.contact_id(), Some("@bob:example.org"));
        assert_eq!(st.verified_at(), t(9));
        assert_eq!(st.method(), VerificationMethod::Manual);
        assert_eq!(
            st.evidence(),
            Some(&ReceiptEvidence::new(ComparedScheme::FullKey, 1))
        );
        // There is no key change to confirm for a contact without a key.
        assert_eq!(
            decide(&f, &own(), manual(key(2)), confirm(key(3), key(2))).unwrap_err(),
            Refusal::NoKeyChange
        );
    }

    #[test]
    fn current_key_is_approved_again_and_again() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
        assert!(!a.is_first_key());
        assert_eq!(a.replaces(), None);
        // Once verified, verifying the same key again is fine (a newer receipt).
        let f = verified_bob();
        let a = decide(&f, &own(), manual(key(2)), Intent::Verify).unwrap();
        assert_eq!(a.record(), &Record::SignNew);
        // After an accepted change, the new key is verified plainly.
        let mut f = changed_bob();
        accepted(&mut f, 6, key(3));
        assert!(decide(&f, &own(), manual(key(3)), Intent::Verify).is_ok());
    }

    #[test]
    fn scripted_answer_is_refused() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let scripted = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Script);
        let r = decide(&f, &own(), scripted, Intent::Verify).unwrap_err();
        assert_eq!(r, Refusal::NotComparedByPerson);
        assert_eq!(r.code(), "not_compared_by_person");
        // Checked first: not even a contact without a key gets one from it.
        let none = ContactFacts::new("bob", None);
        let scripted = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Script);
        assert_eq!(
            decide(&none, &own(), scripted, Intent::Verify).unwrap_err(),
            Refusal::NotComparedByPerson
        );
        // The same session compared by a person is approved, with its digest.
        let person = Evidence::sas(key(2), 1, [7; 32], ComparedBy::Person);
        let a = decide(&f, &own(), person, Intent::Verify).unwrap();
        assert_eq!(a.method(), VerificationMethod::SasSession);
        let st = a.statement(t(1)).unwrap();
        assert_eq!(st.evidence().and_then(|e| e.digest()), Some(&[7; 32]));
    }

    #[test]
    fn tampered_contact_is_refused() {
        let mut f = verified_bob();
        f.current_key = Some(key(3));
        let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
        assert_eq!(
            r,
            Refusal::Tampered {
                problem: Tamper::InconsistentHistory
            }
        );
        assert_eq!(r.code(), "tampered");
    }

    #[test]
    fn evidence_for_another_key_is_a_mismatch() {
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(2));
        let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
        assert_eq!(
            r,
            Refusal::Mismatch {
                current: key(2),
                checked: key(3)
            }
        );
        assert_eq!(r.code(), "mismatch");
        // After a change, evidence for the old key does not confirm anything.
        let f = changed_bob();
        assert_eq!(
            decide(&f, &own(), manual(key(2)), confirm(key(2), key(3))).unwrap_err(),
            Refusal::Mismatch {
                current: key(3),
                checked: key(2)
            }
        );
    }

    #[test]
    fn changed_key_is_verified_only_in_the_key_change_flow() {
        let f = changed_bob();
        let r = decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err();
        assert_eq!(
            r,
            Refusal::KeyChangedNeedsConfirmation {
                old: key(2),
                new: key(3)
            }
        );
        assert_eq!(r.code(), "key_changed_needs_confirmation");
        // A confirmation of another pair than the contact has is stale.
        for (shown_old, shown_new) in [(key(9), key(3)), (key(2), key(9)), (key(3), key(2))] {
            let r = decide(&f, &own(), manual(key(3)), confirm(shown_old, shown_new)).unwrap_err();
            assert_eq!(
                r,
                Refusal::StaleKeyChange {
                    shown_old,
                    shown_new,
                    old: key(2),
                    new: key(3)
                }
            );
            assert_eq!(r.code(), "stale_key_change");
        }
        let a = decide(&f, &own(), manual(key(3)), confirm(key(2), key(3))).unwrap();
        assert_eq!(a.key(), &key(3));
        assert_eq!(a.replaces(), Some(&key(2)));
        assert!(!a.is_first_key());
        assert_eq!(a.record(), &Record::SignNew);
    }

    #[test]
    fn confirming_a_key_change_that_did_not_happen_is_refused() {
        // Verified, unverified, and changed back to the verified key.
        let mut unverified = ContactFacts::new("bob", None);
        seen(&mut unverified, 0, key(2));
        let mut back = changed_bob();
        seen(&mut back, 6, key(2));
        for f in [verified_bob(), unverified, back] {
            let r = decide(&f, &own(), manual(key(2)), confirm(key(9), key(2))).unwrap_err();
            assert_eq!(r, Refusal::NoKeyChange);
            assert_eq!(r.code(), "no_key_change");
        }
    }

    /// Bob changed from the verified key 2 to key 3, and the user's receipt
    /// for key 3 (made on another device) is in the history only.
    fn bob_with_receipt_for_new_key() -> (ContactFacts, Receipt) {
        let mut f = changed_bob();
        let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::SafetyNumber);
        imported(&mut f, 6, &r, false);
        (f, r)
    }

    #[test]
    fn reviewed_receipt_is_evidence_only_in_the_key_change_flow() {
        let (f, r) = bob_with_receipt_for_new_key();
        let e = review_receipt(&f, &own(), &r.id()).unwrap();
        assert_eq!(
            decide(&f, &own(), e.clone(), Intent::Verify).unwrap_err(),
            Refusal::KeyChangedNeedsConfirmation {
                old: key(2),
                new: key(3)
            }
        );
        let a = decide(&f, &own(), e.clone(), confirm(key(2), key(3))).unwrap();
        assert_eq!(a.record(), &Record::ApplyStored { id: r.id() });
        assert_eq!(a.method(), VerificationMethod::SafetyNumber);
        // Recorded, it counts from the receipt's own time.
        let mut g = f.clone();
        record(&mut g, 7, &r);
        assert_eq!(
            status(&g),
            TrustStatus::Verified {
                since: t(4),
                method: VerificationMethod::SafetyNumber
            }
        );
        // Without a key change, a reviewed receipt is no evidence for a plain verify.
        let mut accepted_bob = f.clone();
        accepted(&mut accepted_bob, 7, key(3));
        assert_eq!(
            decide(&accepted_bob, &own(), e, Intent::Verify).unwrap_err(),
            Refusal::NoKeyChange
        );
    }

    #[test]
    fn reviewed_receipt_of_another_contact_is_refused() {
        let (alice, r) = {
            let mut f = ContactFacts::new("alice", None);
            seen(&mut f, 0, key(5));
            verified(&mut f, 1, key(5));
            seen(&mut f, 2, key(3));
            let r = receipt_for(&f, &me(), key(3), 3, VerificationMethod::Manual);
            imported(&mut f, 4, &r, false);
            (f, r)
        };
        let e = review_receipt(&alice, &own(), &r.id()).unwrap();
        // Bob's key changed to the same key 3: Alice's receipt says nothing about Bob.
        let bob = changed_bob();
        assert_eq!(
            decide(&bob, &own(), e.clone(), confirm(key(2), key(3))).unwrap_err(),
            Refusal::ReceiptNotInHistory
        );
        // Nor about a contact without a key.
        let none = ContactFacts::new("bob", None);
        assert_eq!(
            decide(&none, &own(), e, Intent::Verify).unwrap_err(),
            Refusal::ReceiptNotInHistory
        );
    }

    #[test]
    fn every_refusal_code_is_stable_and_reachable() {
        let (f, _) = bob_with_receipt_for_new_key();
        let mut tampered = verified_bob();
        tampered.current_key = None;
        let theirs = receipt_for(&f, &ident(9), key(3), 4, VerificationMethod::Manual);
        let mut retired = changed_bob();
        let old = receipt_for(&retired, &me(), key(2), 1, VerificationMethod::Manual);
        verified(&mut retired, 6, key(3));
        seen(&mut retired, 7, key(2));
        let scripted = Evidence::sas(key(3), 1, [0; 32], ComparedBy::Script);
        let refusals = [
            Refusal::UnknownContact { name: "x".into() }, // made by the store
            decide(&tampered, &own(), manual(key(2)), Intent::Verify).unwrap_err(),
            decide(&f, &own(), scripted, Intent::Verify).unwrap_err(),
            decide(&f, &own(), manual(key(4)), Intent::Verify).unwrap_err(),
            decide(&f, &own(), manual(key(3)), Intent::Verify).unwrap_err(),
            decide(&f, &own(), manual(key(3)), confirm(key(4), key(3))).unwrap_err(),
            decide(
                &verified_bob(),
                &own(),
                manual(key(2)),
                confirm(key(4), key(2)),
            )
            .unwrap_err(),
            decide_import(Some(&f), &own(), &theirs).unwrap_err(),
            review_receipt(&retired, &own(), &old.id()).unwrap_err(),
            review_receipt(&f, &own(), &ReceiptId::of_bytes(b"none")).unwrap_err(),
            review_receipt(&changed_bob(), &own(), &verified_bob_receipt().id()).unwrap_err(),
        ];
        let codes: Vec<&str> = refusals.iter().map(Refusal::code).collect();
        assert_eq!(
            codes,
            [
                "unknown_contact",
                "tampered",
                "not_compared_by_person",
                "mismatch",
                "key_changed_needs_confirmation",
                "stale_key_change",
                "no_key_change",
                "not_your_receipt",
                "retired_key",
                "receipt_not_in_history",
                "receipt_not_for_current_key",
            ]
        );
        // Every refusal says something.
        assert!(refusals.iter().all(|r| !r.to_string().is_empty()));
    }

    /// The receipt [`verified_bob`] records.
    fn verified_bob_receipt() -> Receipt {
        let f = ContactFacts::new("bob", Some("@bob:example.org"));
        receipt_for(&f, &me(), key(2), 1, VerificationMethod::Manual)
    }

    // --- preview ----------------------------------------------------------

    #[test]
    fn preview_answers_what_a_plain_verify_would() {
        let verified = TrustStatus::Verified {
            since: t(1),
            method: VerificationMethod::Manual,
        };
        let changed = TrustStatus::KeyChanged {
            previous_verified_key: key(2),
            since: t(5),
        };
        // Unverified, verified, new identity: the current key would verify.
        for st in [TrustStatus::Unverified, verified, TrustStatus::NewIdentity] {
            assert_eq!(preview(&st, Some(&key(2)), &key(2)), Ok(()), "{st:?}");
            assert_eq!(
                preview(&st, Some(&key(2)), &key(4)),
                Err(Refusal::Mismatch {
                    current: key(2),
                    checked: key(4)
                }),
                "{st:?}"
            );
        }
        // No key yet: the checked key becomes the first key.
        assert_eq!(preview(&TrustStatus::Unverified, None, &key(4)), Ok(()));
        // Key changed: the new key needs the key-change flow; the old key or
        // any other is a mismatch.
        assert_eq!(
            preview(&changed, Some(&key(3)), &key(3)),
            Err(Refusal::KeyChangedNeedsConfirmation {
                old: key(2),
                new: key(3)
            })
        );
        for other in [key(2), key(4)] {
            assert_eq!(
                preview(&changed, Some(&key(3)), &other),
                Err(Refusal::Mismatch {
                    current: key(3),
                    checked: other
                })
            );
        }
        // Tampered: never anything else.
        let tampered = TrustStatus::Tampered {
            problem: Tamper::InconsistentHistory,
        };
        for (cur, checked) in [
            (Some(key(2)), key(2)),
            (Some(key(2)), key(3)),
            (None, key(2)),
        ] {
            assert_eq!(
                preview(&tampered, cur.as_ref(), &checked),
                Err(Refusal::Tampered {
                    problem: Tamper::InconsistentHistory
                })
            );
        }
    }

    #[test]
    fn preview_agrees_with_decide_for_a_plain_verify() {
        let mut new_contact = ContactFacts::new("bob", None);
        let mut tampered = verified_bob();
        tampered.current_key = Some(key(3));
        let mut back = changed_bob();
        seen(&mut back, 6, key(2));
        let mut accepted_bob = changed_bob();
        accepted(&mut accepted_bob, 6, key(3));
        let mut facts = vec![
            new_contact.clone(),
            verified_bob(),
            changed_bob(),
            tampered,
            back,
            accepted_bob,
        ];
        seen(&mut new_contact, 0, key(2));
        facts.push(new_contact);
        for f in &facts {
            let a = assess(f, &own());
            for checked in [key(2), key(3), key(4)] {
                let decided = decide(f, &own(), manual(checked), Intent::Verify).map(|_| ());
                assert_eq!(
                    preview(&a.status, a.current_key.as_ref(), &checked),
                    decided,
                    "{:?} checked {checked}",
                    a.status
                );
            }
        }
    }

    // --- decide_import ----------------------------------------------------

    #[test]
    fn import_applies_to_a_new_contact_or_the_current_key() {
        let f = ContactFacts::new("bob", None);
        let r = receipt_for(&f, &me(), key(2), 1, VerificationMethod::QrCamera);
        // No such contact yet, or no key yet: it brings the first key.
        assert_eq!(decide_import(None, &own(), &r), Ok(ImportDecision::Apply));
        assert_eq!(
            decide_import(Some(&f), &own(), &r),
            Ok(ImportDecision::Apply)
        );
        let mut f = f;
        seen(&mut f, 0, key(2));
        assert_eq!(
            decide_import(Some(&f), &own(), &r),
            Ok(ImportDecision::Apply)
        );
        verified(&mut f, 1, key(2));
        assert_eq!(
            decide_import(Some(&f), &own(), &r),
            Ok(ImportDecision::Apply)
        );
    }

    #[test]
    fn import_during_a_key_change_alert_is_history_only() {
        let f = changed_bob();
        let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::QrCamera);
        let d = decide_import(Some(&f), &own(), &r).unwrap();
        let reason = HistoryOnlyReason::KeyChangeAlert {
            old: key(2),
            new: key(3),
        };
        assert_eq!(
            d,
            ImportDecision::HistoryOnly {
                reason: reason.clone()
            }
        );
        assert_eq!(reason.code(), "key_change_alert");
    }

    #[test]
    fn import_for_another_key_is_history_only() {
        for f in [verified_bob(), changed_bob()] {
            let r = receipt_for(&f, &me(), key(8), 4, VerificationMethod::Manual);
            let current = assess(&f, &own()).current_key.unwrap();
            let reason = HistoryOnlyReason::NotCurrentKey { current };
            assert_eq!(reason.code(), "not_current_key");
            assert_eq!(
                decide_import(Some(&f), &own(), &r),
                Ok(ImportDecision::HistoryOnly { reason })
            );
        }
    }

    #[test]
    fn import_of_a_receipt_not_signed_by_the_user_is_refused() {
        let f = verified_bob();
        let theirs = receipt_for(&f, &ident(9), key(2), 4, VerificationMethod::Manual);
        let r = decide_import(Some(&f), &own(), &theirs).unwrap_err();
        assert_eq!(r, Refusal::NotYourReceipt { signer: key(9) });
        assert_eq!(decide_import(None, &own(), &theirs), Err(r));
        // A lost (former) identity cannot vouch for anything new either.
        assert_eq!(
            decide_import(None, &own().with_former([key(9)]), &theirs).unwrap_err(),
            Refusal::NotYourReceipt { signer: key(9) }
        );
        // A rotated one can.
        let chain = RotationChain::new(
            vec![Rotation::sign(&ident(9), &me(), t(2)).unwrap()],
            &key(1),
        )
        .unwrap();
        let rotated = own().with_rotation_chain(&chain);
        assert_eq!(
            decide_import(Some(&f), &rotated, &theirs),
            Ok(ImportDecision::Apply)
        );
    }

    #[test]
    fn import_into_a_tampered_contact_is_refused() {
        let mut f = verified_bob();
        f.current_key = Some(key(3));
        let r = receipt_for(&f, &me(), key(3), 4, VerificationMethod::Manual);
        assert_eq!(
            decide_import(Some(&f), &own(), &r),
            Err(Refusal::Tampered {
                problem: Tamper::InconsistentHistory
            })
        );
    }

    // --- review_receipt ---------------------------------------------------

    #[test]
    fn review_gives_evidence_from_the_receipt() {
        let (f, r) = bob_with_receipt_for_new_key();
        let e = review_receipt(&f, &own(), &r.id()).unwrap();
        assert_eq!(e.key(), &key(3));
        assert_eq!(e.method(), VerificationMethod::SafetyNumber);
        assert_eq!(e.reviewed_receipt(), Some(&r.id()));
        assert_eq!(e.compared_by(), ComparedBy::Person);
        assert_eq!(Some(e.detail()), r.statement().evidence());
    }

    #[test]
    fn review_of_a_retired_key_is_refused() {
        // Key 2 was verified, then replaced by key 3, verified after it; key 2 comes back.
        let mut f = verified_bob();
        let old = verified_bob_receipt();
        seen(&mut f, 5, key(3));
        verified(&mut f, 6, key(3));
        seen(&mut f, 7, key(2));
        let r = review_receipt(&f, &own(), &old.id()).unwrap_err();
        assert_eq!(
            r,
            Refusal::RetiredKey {
                key: key(2),
                replaced_by: key(3)
            }
        );
        assert_eq!(r.code(), "retired_key");
        // Also a key that was only seen (never verified here) before key 3
        // was verified: an imported receipt for it cannot bring it back.
        let mut f = ContactFacts::new("bob", None);
        seen(&mut f, 0, key(4));
        seen(&mut f, 1, key(3));
        verified(&mut f, 2, key(3));
        seen(&mut f, 3, key(4));
        let r4 = receipt_for(&f, &me(), key(4), 0, VerificationMethod::Manual);
        imported(&mut f, 4, &r4, false);
        assert_eq!(
            review_receipt(&f, &own(), &r4.id()).unwrap_err(),
            Refusal::RetiredKey {
                key: key(4),
                replaced_by: key(3)
            }
        );
    }

    #[test]
    fn review_of_an_unknown_receipt_is_refused() {
        let (f, _) = bob_with_receipt_for_new_key();
        let elsewhere = receipt_for(&f, &me(), key(3), 9, VerificationMethod::Manual);
        assert_eq!(
            review_receipt(&f, &own(), &elsewhere.id()).unwrap_err(),
            Refusal::ReceiptNotInHistory
        );
    }

    #[test]
    fn review_without_a_key_change_is_refused() {
        let f = verified_bob();
        assert_eq!(
            review_receipt(&f, &own(), &verified_bob_receipt().id()).unwrap_err(),
            Refusal::NoKeyChange
        );
    }

    #[test]
    fn review_of_a_receipt_for_another_key_is_refused() {
        let f = changed_bob();
        let r = review_receipt(&f, &own(), &verified_bob_receipt().id()).unwrap_err();
        assert_eq!(r, Refusal::ReceiptNotForCurrentKey { key: key(2) });
        assert_eq!(r.code(), "receipt_not_for_current_key");
    }

    #[test]
    fn review_of_a_former_identitys_receipt_is_refused() {
        let mut f = changed_bob();
        let lost = receipt_for(&f, &ident(9), key(3), 4, VerificationMethod::Manual);
        imported(&mut f, 6, &lost, false);
        let with_former = own().with_former([key(9)]);
        assert!(matches!(
            assess(&f, &with_former).status,
            TrustStatus::KeyChanged { .. }
        ));
        assert_eq!(
            review_receipt(&f, &with_former, &lost.id()).unwrap_err(),
            Refusal::NotYourReceipt { signer: key(9) }
        );
    }

    #[test]
    fn review_in_a_tampered_contact_is_refused() {
        let (mut f, r) = bob_with_receipt_for_new_key();
        f.current_key = Some(key(2));
        assert_eq!(
            review_receipt(&f, &own(), &r.id()).unwrap_err(),
            Refusal::Tampered {
                problem: Tamper::InconsistentHistory
            }
        );
    }
}
