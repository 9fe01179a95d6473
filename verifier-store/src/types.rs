//! The values the trust store hands out: outcomes, statuses, summaries, history.

use verifier_core::key::PublicKey;
use verifier_core::receipt::{Receipt, ReceiptId, Timestamp, VerificationMethod};
use verifier_core::trust::{HistoryOnlyReason, TrustStatus};

/// What [`Store::observe_key`](super::Store::observe_key) found.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
// A typed key is large (it keeps the decompressed point); these are
// short-lived return values, so boxing would only complicate matching.
#[allow(clippy::large_enum_variant)]
pub enum ObserveOutcome {
    /// The key is the contact's current key.
    Unchanged,
    /// The contact had no key yet; this one is now its current key.
    FirstSeen,
    /// The contact's current key was a different one; `key` is now current.
    ///
    /// If the contact had a verified key, its status is now
    /// [`TrustStatus::KeyChanged`] (unless `key` is that verified key).
    Changed {
        /// The key that was current before.
        previous: PublicKey,
        /// Whether `previous` was the contact's verified key.
        was_verified: bool,
    },
}

/// One contact as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactSummary {
    /// Display name (unique in the store).
    pub name: String,
    /// Optional stable identifier (unique in the store).
    pub stable_id: Option<String>,
    /// The key currently in use, if one was seen.
    pub current_key: Option<PublicKey>,
    /// Trust state.
    pub status: TrustStatus,
}

/// One key seen for a contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    /// The key.
    pub key: PublicKey,
    /// When it was first observed.
    pub first_seen: Timestamp,
    /// When it was last observed.
    pub last_seen: Timestamp,
    /// Whether it is the current key.
    pub current: bool,
    /// Whether at least one verification of this key is recorded.
    pub ever_verified: bool,
}

/// A recorded event of a contact's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it happened (for verifications: when the verification happened).
    pub at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The contact was added.
    ContactAdded,
    /// The first key was seen.
    KeyFirstSeen {
        /// The key.
        key: PublicKey,
    },
    /// The current key changed.
    KeyChanged {
        /// The key that was current.
        from: PublicKey,
        /// The new current key.
        to: PublicKey,
    },
    /// The user verified a key.
    Verified {
        /// The key.
        key: PublicKey,
        /// How.
        method: VerificationMethod,
        /// The receipt recorded for it.
        receipt: ReceiptId,
    },
    /// A receipt was imported.
    ReceiptImported {
        /// The key.
        key: PublicKey,
        /// How it had been verified.
        method: VerificationMethod,
        /// The receipt.
        receipt: ReceiptId,
        /// Whether it counted as a verification when imported (`false`: it
        /// landed in the history only, e.g. during a key-change alert).
        applied: bool,
    },
    /// The user accepted a changed key without verifying it.
    KeyAccepted {
        /// The accepted (now current, unverified) key.
        key: PublicKey,
    },
}

impl EventKind {
    /// A short machine name: `contact_added`, `key_first_seen`, `key_changed`,
    /// `verified`, `receipt_imported`, `key_accepted`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ContactAdded => "contact_added",
            EventKind::KeyFirstSeen { .. } => "key_first_seen",
            EventKind::KeyChanged { .. } => "key_changed",
            EventKind::Verified { .. } => "verified",
            EventKind::ReceiptImported { .. } => "receipt_imported",
            EventKind::KeyAccepted { .. } => "key_accepted",
        }
    }
}

/// What [`Store::import_receipt`](super::Store::import_receipt) did.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum ImportOutcome {
    /// The receipt was recorded and counts as a verification.
    Imported,
    /// The receipt was recorded in the history only: it verifies nothing by
    /// itself (the key-change flow can use it after the person reviewed it).
    HistoryOnly {
        /// Why.
        reason: HistoryOnlyReason,
    },
    /// This exact receipt was already in the store; nothing changed.
    AlreadyPresent,
}

/// What [`Store::verify`](super::Store::verify) recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// The contact, as stored.
    pub contact: String,
    /// The receipt that backs the verification (new, or the reviewed one).
    pub receipt: Receipt,
    /// Whether the key was the contact's first key.
    pub first_key: bool,
    /// For a confirmed key change: the previously verified key.
    pub replaced: Option<PublicKey>,
}
