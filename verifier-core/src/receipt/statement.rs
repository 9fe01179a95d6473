//! The claim a receipt makes ([`ReceiptStatement`]) and the rules of its labels
//! (contact name and id).

use std::fmt;

use crate::key::PublicKey;

use super::{
    MAX_LABEL_BYTES, RECEIPT_VERSION, ReceiptError, ReceiptEvidence, Timestamp, VerificationMethod,
};

/// Which field of a receipt a label error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelField {
    /// The contact's display name.
    ContactName,
    /// The contact's optional stable identifier.
    ContactId,
}

impl fmt::Display for LabelField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LabelField::ContactName => "contact name",
            LabelField::ContactId => "contact id",
        })
    }
}

/// The claim a receipt makes, without the signer: key K of contact C
/// verified at time T by method M, with evidence E (version 2).
///
/// A statement made by [`ReceiptStatement::new`] is of format version 2 and
/// always has evidence. A statement decoded from a version 1 receipt has none
/// ([`ReceiptStatement::evidence`] is `None`) and may state
/// [`VerificationMethod::QrLegacy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptStatement {
    key: PublicKey,
    contact_name: String,
    contact_id: Option<String>,
    verified_at: Timestamp,
    method: VerificationMethod,
    /// `Some` exactly for format version 2.
    evidence: Option<ReceiptEvidence>,
}

impl ReceiptStatement {
    /// A statement (format version 2), validating the labels (1–256 UTF-8
    /// bytes, no control characters) and the time (at most [`Timestamp::MAX`]).
    /// Fails with [`ReceiptError::LegacyMethod`] for
    /// [`VerificationMethod::QrLegacy`], which new receipts cannot state.
    pub fn new(
        key: PublicKey,
        contact_name: &str,
        contact_id: Option<&str>,
        verified_at: Timestamp,
        method: VerificationMethod,
        evidence: ReceiptEvidence,
    ) -> Result<Self, ReceiptError> {
        if !method.is_valid_in_version(RECEIPT_VERSION) {
            return Err(ReceiptError::LegacyMethod { method });
        }
        Self::build(
            key,
            contact_name,
            contact_id,
            verified_at,
            method,
            Some(evidence),
        )
    }

    /// Any version: `evidence` is `None` for version 1. The method must already
    /// be checked against the version.
    pub(super) fn build(
        key: PublicKey,
        contact_name: &str,
        contact_id: Option<&str>,
        verified_at: Timestamp,
        method: VerificationMethod,
        evidence: Option<ReceiptEvidence>,
    ) -> Result<Self, ReceiptError> {
        validate_label(LabelField::ContactName, contact_name)?;
        if let Some(id) = contact_id {
            validate_label(LabelField::ContactId, id)?;
        }
        if verified_at > Timestamp::MAX {
            return Err(ReceiptError::TimeOutOfRange {
                secs: verified_at.as_unix_secs(),
                max: Timestamp::MAX.as_unix_secs(),
            });
        }
        Ok(Self {
            key,
            contact_name: contact_name.to_owned(),
            contact_id: contact_id.map(str::to_owned),
            verified_at,
            method,
            evidence,
        })
    }

    /// The verified key (with its type).
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
    /// The contact's display name.
    pub fn contact_name(&self) -> &str {
        &self.contact_name
    }
    /// The contact's stable identifier, if any.
    pub fn contact_id(&self) -> Option<&str> {
        self.contact_id.as_deref()
    }
    /// When the verification happened.
    pub fn verified_at(&self) -> Timestamp {
        self.verified_at
    }
    /// How the key was verified.
    pub fn method(&self) -> VerificationMethod {
        self.method
    }
    /// What was compared; `None` for a version 1 receipt, which records no evidence.
    pub fn evidence(&self) -> Option<&ReceiptEvidence> {
        self.evidence.as_ref()
    }
    /// The receipt format version of the statement: 2 for statements made by
    /// [`ReceiptStatement::new`], 1 for statements read from version 1 receipts.
    pub fn format_version(&self) -> u8 {
        if self.evidence.is_some() { 2 } else { 1 }
    }
}

/// Checks a contact name or id: 1..=256 UTF-8 bytes, no control characters.
pub fn validate_label(field: LabelField, s: &str) -> Result<(), ReceiptError> {
    if s.is_empty() {
        return Err(ReceiptError::InvalidLabel {
            field,
            reason: "it is empty",
        });
    }
    if s.len() > MAX_LABEL_BYTES {
        return Err(ReceiptError::InvalidLabel {
            field,
            reason: "it is longer than 256 bytes",
        });
    }
    if s.chars().any(char::is_control) {
        return Err(ReceiptError::InvalidLabel {
            field,
            reason: "it contains control characters",
        });
    }
    Ok(())
}
