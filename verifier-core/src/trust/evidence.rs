//! Evidence: values that only the check itself can produce.
//!
//! Every way a person can check a key ends in one of these constructors, each
//! `pub(crate)` and called only by the code that performed the check:
//!
//! | evidence | made by |
//! |---|---|
//! | SAS session compared | [`SasSession::evidence`](crate::sas::SasSession::evidence) after both sides confirmed |
//! | QR code, camera or image file | [`qr::scan_evidence`](crate::qr::scan_evidence) |
//! | safety number compared | [`Comparison::confirm_compared`](crate::safety_number::Comparison::confirm_compared) |
//! | words typed back and matched | [`Comparison::check_typed_back_words`](crate::safety_number::Comparison::check_typed_back_words) |
//! | manual assertion for an explicit key | [`Evidence::manual_assertion`] (the one public constructor: the caller names the key) |
//! | a reviewed receipt from the history | [`review_receipt`](super::review_receipt) |
//!
//! The trust engine ([`decide`](super::decide)) consumes evidence; nothing
//! marks a contact verified without one.

use crate::key::PublicKey;
use crate::receipt::{ComparedScheme, ReceiptEvidence, ReceiptId, VerificationMethod};

/// Where a QR code that was checked came from.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrSource {
    /// Scanned with a camera, live: the code was in front of the person.
    Camera,
    /// Read from an image file (a photo, a screenshot, a picture someone sent):
    /// it proves nothing about who was in the room.
    ImageFile,
}

/// Who answered "the codes match".
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComparedBy {
    /// A person compared the codes and answered.
    Person,
    /// A script answered (e.g. `--yes`): nobody compared anything.
    Script,
}

/// The proof that a check of one key happened (see the module docs for who
/// can make one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    key: PublicKey,
    method: VerificationMethod,
    detail: ReceiptEvidence,
    compared_by: ComparedBy,
    reviewed_receipt: Option<ReceiptId>,
}

impl Evidence {
    /// A manual assertion: the user states that they checked exactly `key`
    /// (e.g. compared the full key with the contact). The weakest evidence:
    /// it is recorded and shown as "manual".
    ///
    /// ```
    /// use verifier_core::identity::Identity;
    /// use verifier_core::trust::Evidence;
    /// let key = Identity::from_seed(&[7; 32])?.public_key();
    /// let e = Evidence::manual_assertion(key);
    /// assert_eq!(e.key(), &key);
    /// # Ok::<(), verifier_core::key::KeyError>(())
    /// ```
    pub fn manual_assertion(key: PublicKey) -> Self {
        Self {
            key,
            method: VerificationMethod::Manual,
            detail: ReceiptEvidence::new(ComparedScheme::FullKey, 1),
            compared_by: ComparedBy::Person,
            reviewed_receipt: None,
        }
    }

    /// A completed SAS session (made by the SAS state machine only).
    pub(crate) fn sas(
        peer: PublicKey,
        protocol_version: u8,
        transcript_hash: [u8; 32],
        compared_by: ComparedBy,
    ) -> Self {
        Self {
            key: peer,
            method: VerificationMethod::SasSession,
            detail: ReceiptEvidence::new(ComparedScheme::Sas, protocol_version)
                .with_digest(transcript_hash),
            compared_by,
            reviewed_receipt: None,
        }
    }

    /// A QR code that showed `key` (made by [`crate::qr::scan_evidence`] only).
    pub(crate) fn qr(
        key: PublicKey,
        source: QrSource,
        payload_version: u8,
        payload_hash: [u8; 32],
    ) -> Self {
        let method = match source {
            QrSource::Camera => VerificationMethod::QrCamera,
            QrSource::ImageFile => VerificationMethod::QrImageFile,
        };
        Self {
            key,
            method,
            detail: ReceiptEvidence::new(ComparedScheme::QrPayload, payload_version)
                .with_digest(payload_hash),
            compared_by: ComparedBy::Person,
            reviewed_receipt: None,
        }
    }

    /// A safety number the people compared (`typed_back`: the other person's
    /// reading was typed back and matched by software).
    pub(crate) fn safety_number(
        their_key: PublicKey,
        scheme_version: u8,
        digest: [u8; 32],
        typed_back: bool,
    ) -> Self {
        Self {
            key: their_key,
            method: if typed_back {
                VerificationMethod::WordsTypedBack
            } else {
                VerificationMethod::SafetyNumber
            },
            detail: ReceiptEvidence::new(ComparedScheme::SafetyNumber, scheme_version)
                .with_digest(digest),
            compared_by: ComparedBy::Person,
            reviewed_receipt: None,
        }
    }

    /// A receipt of the user's own, already in the contact's history, that the
    /// user reviewed in the key-change flow (made by
    /// [`review_receipt`](super::review_receipt) only).
    pub(crate) fn from_reviewed_receipt(
        key: PublicKey,
        method: VerificationMethod,
        detail: ReceiptEvidence,
        id: ReceiptId,
    ) -> Self {
        Self {
            key,
            method,
            detail,
            compared_by: ComparedBy::Person,
            reviewed_receipt: Some(id),
        }
    }

    /// The key that was checked.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// How it was checked (recorded in the receipt).
    pub fn method(&self) -> VerificationMethod {
        self.method
    }

    /// What was compared (scheme, version, digest), as recorded in the receipt.
    pub fn detail(&self) -> &ReceiptEvidence {
        &self.detail
    }

    /// Who answered "match".
    pub fn compared_by(&self) -> ComparedBy {
        self.compared_by
    }

    /// For evidence from a reviewed receipt: that receipt's id.
    pub fn reviewed_receipt(&self) -> Option<&ReceiptId> {
        self.reviewed_receipt.as_ref()
    }
}
