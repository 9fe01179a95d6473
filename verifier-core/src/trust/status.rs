//! What the engine reads from a contact's history: its status
//! ([`TrustStatus`], [`assess`]), found by replaying the history and checking
//! every receipt in it; what is wrong with a history that does not hold
//! together ([`Tamper`]).

use crate::key::PublicKey;
use crate::receipt::{Receipt, ReceiptError, ReceiptId, Timestamp, VerificationMethod};

use super::facts::SignerClass;
use super::{ContactFacts, LogKind, OwnKeys};

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

/// The history replayed: what the engine reads from it.
pub(super) struct Replay {
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
    /// The key verified after `key` retired it, if this store saw it retired.
    pub(super) fn retired_by(&self, key: &PublicKey) -> Option<PublicKey> {
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

/// Replays the recorded history, checking every receipt in it.
pub(super) fn replay(facts: &ContactFacts, own: &OwnKeys) -> Result<Replay, Tamper> {
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
