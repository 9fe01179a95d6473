//! [`ReceiptError`]: why a receipt could not be made, decoded or accepted.

use crate::key::PublicKey;

#[cfg(doc)]
use super::RECEIPT_VERSION;
use super::{LabelField, VerificationMethod};

/// Why a receipt could not be made, decoded or accepted.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The input ended before the field `field`.
    #[error("receipt is truncated: it ends inside the {field}; use the complete file")]
    Truncated {
        /// The field that is cut off.
        field: &'static str,
    },
    /// The input does not start with the receipt magic bytes.
    #[error("not a verifier receipt (missing the \"VRCT\" magic bytes)")]
    NotAReceipt,
    /// The receipt has a format version this code does not read.
    #[error(
        "unsupported receipt version {found} (this build reads versions 1 to {supported}); upgrade verifier"
    )]
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
        /// The newest version this build reads ([`RECEIPT_VERSION`]).
        supported: u8,
    },
    /// A key in the receipt has a type this code does not know.
    #[error(
        "unsupported key type code 0x{code:02x} for the {role} key; only ed25519 (0x01) is supported"
    )]
    UnsupportedKeyType {
        /// `"signer"` or `"subject"`.
        role: &'static str,
        /// The key type code found.
        code: u8,
    },
    /// A key field has the wrong length for its type.
    #[error("the {role} key has {found} bytes, but its type needs {expected}")]
    InvalidKeyLength {
        /// `"signer"` or `"subject"`.
        role: &'static str,
        /// Bytes found.
        found: usize,
        /// Bytes the type needs.
        expected: usize,
    },
    /// A key field does not hold a valid public key.
    #[error("the {role} key is not a valid public key of its type")]
    InvalidKey {
        /// `"signer"` or `"subject"`.
        role: &'static str,
    },
    /// A contact name or id is empty, too long, not UTF-8 or holds control characters.
    #[error("invalid {field}: {reason}")]
    InvalidLabel {
        /// Which field.
        field: LabelField,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The method code is not one this code knows for the receipt's format
    /// version (codes 1–4 in version 1, 2–7 in version 2).
    #[error("unknown verification method code {code}")]
    UnknownMethod {
        /// The code found.
        code: u8,
    },
    /// A method name (CLI / JSON) is not known.
    #[error(
        "unknown verification method {name:?}; use one of qr-camera, qr-image, sas, number, words, manual"
    )]
    UnknownMethodName {
        /// The name given.
        name: String,
    },
    /// A new statement cannot use a method that only version 1 receipts carry.
    #[error(
        "the method {method} (QR code, how it was read not recorded) only exists in old receipts; say qr-camera or qr-image"
    )]
    LegacyMethod {
        /// The method given.
        method: VerificationMethod,
    },
    /// The compared-scheme code of the evidence is not one this code knows.
    #[error("unknown compared scheme code {code} in the receipt evidence")]
    UnknownScheme {
        /// The code found.
        code: u8,
    },
    /// The evidence digest length is neither 0 (no digest) nor 32.
    #[error("the evidence digest has {len} bytes; it must have 0 or 32")]
    InvalidDigestLength {
        /// The length found.
        len: u8,
    },
    /// The evidence extensions are malformed.
    #[error("invalid evidence extension: {reason}")]
    InvalidExtension {
        /// What is wrong.
        reason: &'static str,
    },
    /// The time does not fit the store's range.
    #[error("verification time {secs} is out of range (at most {max} seconds since 1970)")]
    TimeOutOfRange {
        /// The seconds found.
        secs: u64,
        /// The maximum.
        max: u64,
    },
    /// Bytes follow the signature.
    #[error("{count} unexpected bytes after the receipt signature")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The text form is not `verifier-receipt:` followed by base64url.
    #[error("malformed receipt text: {reason}")]
    InvalidText {
        /// What is wrong.
        reason: &'static str,
    },
    /// The signature does not verify (strictly) for the signer key in the receipt.
    #[error(
        "receipt signature is invalid: the receipt was altered or not signed by the key it names"
    )]
    BadSignature,
    /// The receipt is validly signed, but by someone else than expected.
    #[error("receipt was signed by {found}, not by the expected identity {expected}")]
    WrongSigner {
        /// The expected signer.
        expected: Box<PublicKey>,
        /// The actual signer.
        found: Box<PublicKey>,
    },
}

impl ReceiptError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Truncated { .. } => 5001,
            Self::NotAReceipt => 5002,
            Self::UnsupportedVersion { .. } => 5003,
            Self::UnsupportedKeyType { .. } => 5004,
            Self::InvalidKeyLength { .. } => 5005,
            Self::InvalidKey { .. } => 5006,
            Self::InvalidLabel { .. } => 5007,
            Self::UnknownMethod { .. } => 5008,
            Self::UnknownMethodName { .. } => 5009,
            Self::LegacyMethod { .. } => 5010,
            Self::UnknownScheme { .. } => 5011,
            Self::InvalidDigestLength { .. } => 5012,
            Self::InvalidExtension { .. } => 5013,
            Self::TimeOutOfRange { .. } => 5014,
            Self::TrailingBytes { .. } => 5015,
            Self::InvalidText { .. } => 5016,
            Self::BadSignature => 5017,
            Self::WrongSigner { .. } => 5018,
        }
    }

    /// A stable snake_case name for the error kind (used in JSON output and test vectors).
    pub fn kind(&self) -> &'static str {
        match self {
            ReceiptError::Truncated { .. } => "truncated",
            ReceiptError::NotAReceipt => "not_a_receipt",
            ReceiptError::UnsupportedVersion { .. } => "unsupported_version",
            ReceiptError::UnsupportedKeyType { .. } => "unsupported_key_type",
            ReceiptError::InvalidKeyLength { .. } => "invalid_key_length",
            ReceiptError::InvalidKey { .. } => "invalid_key",
            ReceiptError::InvalidLabel { .. } => "invalid_label",
            ReceiptError::UnknownMethod { .. } => "unknown_method",
            ReceiptError::UnknownMethodName { .. } => "unknown_method_name",
            ReceiptError::LegacyMethod { .. } => "legacy_method",
            ReceiptError::UnknownScheme { .. } => "unknown_scheme",
            ReceiptError::InvalidDigestLength { .. } => "invalid_digest_length",
            ReceiptError::InvalidExtension { .. } => "invalid_extension",
            ReceiptError::TimeOutOfRange { .. } => "time_out_of_range",
            ReceiptError::TrailingBytes { .. } => "trailing_bytes",
            ReceiptError::InvalidText { .. } => "invalid_text",
            ReceiptError::BadSignature => "bad_signature",
            ReceiptError::WrongSigner { .. } => "wrong_signer",
        }
    }
}
