//! Verification receipts: a signed statement "identity X verified key K of
//! contact C at time T by method M, with evidence E".
//!
//! A receipt is small, self-contained and checkable offline: it carries the
//! signer's public key, and [`Receipt::from_bytes`] refuses to return a
//! [`Receipt`] unless the Ed25519 signature checks with `verify_strict`. A
//! [`Receipt`] value is therefore always a *checked* receipt; who the signer
//! must be is the caller's question ([`Receipt::check_signer`]).
//!
//! Two format versions exist. Version 2 (written by [`Receipt::sign`]) carries
//! the [`ReceiptEvidence`] of the verification: which values the people
//! compared (the [`ComparedScheme`] and its version), an optional digest of them
//! and room for later evidence (extensions). Version 1 (no evidence, and a
//! method code `1` "QR code scanned" that does not say how) is still read, so
//! old receipts keep verifying.
//!
//! The byte layouts, the text form and the domain labels are specified in
//! `docs/receipts.md` and pinned by `tests/vectors/receipt_v1.json` and
//! `tests/vectors/receipt_v2.json`.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::{
//!     ComparedScheme, Receipt, ReceiptEvidence, ReceiptStatement, Timestamp, VerificationMethod,
//! };
//!
//! let me = Identity::generate(&mut rand_core::OsRng);
//! let alice = Identity::generate(&mut rand_core::OsRng).public_key();
//! let evidence = ReceiptEvidence::new(ComparedScheme::QrPayload, 1).with_digest([7; 32]);
//! let statement = ReceiptStatement::new(
//!     alice.clone(),
//!     "Alice",
//!     None,
//!     Timestamp::from_unix_secs(1_700_000_000),
//!     VerificationMethod::QrCamera,
//!     evidence,
//! )?;
//! let receipt = Receipt::sign(&me, statement);
//! let text = receipt.to_text();
//!
//! // Offline check: parsing verifies the signature.
//! let back = Receipt::from_text(&text)?;
//! back.check_signer(&me.public_key())?;
//! assert_eq!(back.statement().key(), &alice);
//! assert_eq!(back.statement().format_version(), 2);
//! assert_eq!(back.statement().evidence().map(|e| e.scheme()), Some(ComparedScheme::QrPayload));
//! assert_eq!(back.id(), receipt.id());
//! # Ok::<(), verifier_core::receipt::ReceiptError>(())
//! ```
//!
//! Layout: [`Timestamp`] in `time`; the evidence types ([`VerificationMethod`],
//! [`ComparedScheme`], [`ReceiptEvidence`]) in `evidence`; the claim
//! ([`ReceiptStatement`], label rules) in `statement`; the signed [`Receipt`]
//! and its [`ReceiptId`] (signing and verification) in `signed`; the binary
//! layout (writing and reading) in `encoding`; [`ReceiptError`] in `error`.
//! Everything public is re-exported here: the paths are `verifier_core::receipt::…`.

mod encoding;
mod error;
mod evidence;
mod signed;
mod statement;
mod time;

pub use error::ReceiptError;
pub use evidence::{ComparedScheme, ReceiptEvidence, VerificationMethod};
pub use signed::{Receipt, ReceiptId};
pub use statement::{LabelField, ReceiptStatement, validate_label};
pub use time::Timestamp;

/// Domain label of the version 1 receipt signature (see `docs/receipts.md`).
pub const RECEIPT_SIGNATURE_DOMAIN: &str = "verifier/v1/receipt";
/// Domain label of the version 1 receipt id hash (BLAKE3 `derive_key` context).
pub const RECEIPT_ID_DOMAIN: &str = "verifier/v1/receipt-id";
/// Domain label of the version 2 receipt signature (see `docs/receipts.md`).
pub const RECEIPT_SIGNATURE_DOMAIN_V2: &str = "verifier/v2/receipt";
/// Domain label of the version 2 receipt id hash (BLAKE3 `derive_key` context).
pub const RECEIPT_ID_DOMAIN_V2: &str = "verifier/v2/receipt-id";
/// The four magic bytes every binary receipt starts with.
pub const RECEIPT_MAGIC: [u8; 4] = *b"VRCT";
/// The receipt format version this code writes ([`Receipt::sign`] of a new statement).
pub const RECEIPT_VERSION: u8 = 2;
/// The receipt format versions this code reads.
pub const RECEIPT_VERSIONS_READ: [u8; 2] = [1, 2];
/// The prefix of the text form: `verifier-receipt:` + base64url (no padding).
pub const RECEIPT_TEXT_PREFIX: &str = "verifier-receipt:";
/// Maximum length of a contact name or stable identifier, in UTF-8 bytes.
pub const MAX_LABEL_BYTES: usize = 256;
/// Length of the optional evidence digest, in bytes.
pub const EVIDENCE_DIGEST_LEN: usize = 32;
/// Maximum number of evidence extensions in a receipt.
pub const MAX_EXTENSIONS: usize = 16;
/// Maximum length of one evidence extension value, in bytes.
pub const MAX_EXTENSION_BYTES: usize = 1024;

const SIGNATURE_LEN: usize = 64;

/// The signature domain label of a receipt format version, if this code reads it.
pub fn signature_domain(version: u8) -> Option<&'static str> {
    match version {
        1 => Some(RECEIPT_SIGNATURE_DOMAIN),
        2 => Some(RECEIPT_SIGNATURE_DOMAIN_V2),
        _ => None,
    }
}

/// The receipt id domain label of a receipt format version, if this code reads it.
pub fn id_domain(version: u8) -> Option<&'static str> {
    match version {
        1 => Some(RECEIPT_ID_DOMAIN),
        2 => Some(RECEIPT_ID_DOMAIN_V2),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
