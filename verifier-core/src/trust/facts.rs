//! What the engine reads: the user's own keys ([`OwnKeys`]) and one
//! contact's recorded history ([`ContactFacts`], [`LogEntry`], [`LogKind`]).

#[cfg(doc)]
use super::{ImportDecision, TrustStatus};
use crate::key::PublicKey;
use crate::receipt::Timestamp;

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
pub(super) enum SignerClass {
    /// The current identity, or one linked to it by rotation.
    Own,
    /// An earlier identity without a rotation.
    Former,
    /// Never the user's.
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

    /// How `key` relates to the user.
    pub(super) fn classify(&self, key: &PublicKey) -> SignerClass {
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
