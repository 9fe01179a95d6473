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

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::identity::Identity;
use crate::key::{KeyType, PublicKey};

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

/// A point in time as whole seconds since the Unix epoch (UTC).
///
/// The store and receipts never read the clock themselves: callers pass the
/// time in, so tests are deterministic; the core reads no clock (binaries use
/// `verifier_store::now()` or their own clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The largest timestamp that the store can hold (`i64::MAX` seconds).
    pub const MAX: Timestamp = Timestamp(i64::MAX as u64);

    /// A timestamp from seconds since the Unix epoch.
    pub const fn from_unix_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn as_unix_secs(self) -> u64 {
        self.0
    }

    /// RFC 3339 form in UTC, e.g. `2023-11-14T22:13:20Z`.
    pub fn to_rfc3339(self) -> String {
        let days = self.0 / 86_400;
        let rem = self.0 % 86_400;
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (H. Hinnant's `civil_from_days`, unsigned variant).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// How a key was verified.
///
/// Every method has a one-byte code (receipts and the store) and a short name
/// (command line, JSON). [`VerificationMethod::QrLegacy`] exists only in
/// version 1 receipts (and old store rows): new receipts say how the QR code was
/// read ([`VerificationMethod::QrCamera`] or [`VerificationMethod::QrImageFile`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerificationMethod {
    /// Version 1 only: "a QR code was scanned", without saying from where.
    /// Readable in version 1 receipts; [`ReceiptStatement::new`] refuses it.
    QrLegacy,
    /// A short-authentication-string session was completed and compared by both people.
    SasSession,
    /// A safety number was compared by the people and confirmed in the program.
    SafetyNumber,
    /// The user asserted an explicit key (e.g. compared the full key).
    Manual,
    /// A QR code was scanned with a camera, in person.
    QrCamera,
    /// A QR code was read from an image file. This proves nothing about who was
    /// in the room, so it is weaker than [`VerificationMethod::QrCamera`].
    QrImageFile,
    /// The words, digits or emoji the other person read out were typed back and matched.
    WordsTypedBack,
}

impl VerificationMethod {
    /// All methods, in code order.
    pub const ALL: [VerificationMethod; 7] = [
        VerificationMethod::QrLegacy,
        VerificationMethod::SasSession,
        VerificationMethod::SafetyNumber,
        VerificationMethod::Manual,
        VerificationMethod::QrCamera,
        VerificationMethod::QrImageFile,
        VerificationMethod::WordsTypedBack,
    ];

    /// The methods a new (version 2) receipt can state: all but
    /// [`VerificationMethod::QrLegacy`], in code order.
    pub const CURRENT: [VerificationMethod; 6] = [
        VerificationMethod::SasSession,
        VerificationMethod::SafetyNumber,
        VerificationMethod::Manual,
        VerificationMethod::QrCamera,
        VerificationMethod::QrImageFile,
        VerificationMethod::WordsTypedBack,
    ];

    /// The one-byte code used in receipts and the store.
    pub const fn code(self) -> u8 {
        match self {
            VerificationMethod::QrLegacy => 1,
            VerificationMethod::SasSession => 2,
            VerificationMethod::SafetyNumber => 3,
            VerificationMethod::Manual => 4,
            VerificationMethod::QrCamera => 5,
            VerificationMethod::QrImageFile => 6,
            VerificationMethod::WordsTypedBack => 7,
        }
    }

    /// The method for a code, if known (any version: code 1 gives
    /// [`VerificationMethod::QrLegacy`]).
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The short name used on the command line and in JSON: `qr`, `sas`,
    /// `number`, `manual`, `qr-camera`, `qr-image`, `words`.
    pub const fn name(self) -> &'static str {
        match self {
            VerificationMethod::QrLegacy => "qr",
            VerificationMethod::SasSession => "sas",
            VerificationMethod::SafetyNumber => "number",
            VerificationMethod::Manual => "manual",
            VerificationMethod::QrCamera => "qr-camera",
            VerificationMethod::QrImageFile => "qr-image",
            VerificationMethod::WordsTypedBack => "words",
        }
    }

    /// A short English description, e.g. "QR code scanned with a camera, in person".
    pub const fn description(self) -> &'static str {
        match self {
            VerificationMethod::QrLegacy => "QR code scanned, camera or image file not recorded",
            VerificationMethod::SasSession => "SAS session compared by both people",
            VerificationMethod::SafetyNumber => "safety number compared and confirmed",
            VerificationMethod::Manual => "key confirmed manually",
            VerificationMethod::QrCamera => "QR code scanned with a camera, in person",
            VerificationMethod::QrImageFile => "QR code read from an image file",
            VerificationMethod::WordsTypedBack => "words read out were typed back and matched",
        }
    }

    /// Whether the method implies that both people took part at the same time
    /// (in person or on a live call): true for [`VerificationMethod::QrCamera`],
    /// [`VerificationMethod::SasSession`], [`VerificationMethod::SafetyNumber`]
    /// and [`VerificationMethod::WordsTypedBack`]; false for
    /// [`VerificationMethod::QrImageFile`], [`VerificationMethod::Manual`] and
    /// [`VerificationMethod::QrLegacy`] (which did not record it).
    pub const fn is_in_person(self) -> bool {
        match self {
            VerificationMethod::QrCamera
            | VerificationMethod::SasSession
            | VerificationMethod::SafetyNumber
            | VerificationMethod::WordsTypedBack => true,
            VerificationMethod::QrImageFile
            | VerificationMethod::Manual
            | VerificationMethod::QrLegacy => false,
        }
    }

    /// Whether the method is [`VerificationMethod::QrLegacy`], which only
    /// version 1 receipts can state.
    pub const fn is_legacy(self) -> bool {
        matches!(self, VerificationMethod::QrLegacy)
    }

    /// Whether a receipt of format `version` can carry this method: codes 1–4
    /// in version 1, codes 2–7 in version 2.
    pub const fn is_valid_in_version(self, version: u8) -> bool {
        matches!((version, self.code()), (1, 1..=4) | (2, 2..=7))
    }

    /// The method of `code` in a receipt of format `version`.
    fn from_code_in_version(code: u8, version: u8) -> Result<Self, ReceiptError> {
        Self::from_code(code)
            .filter(|m| m.is_valid_in_version(version))
            .ok_or(ReceiptError::UnknownMethod { code })
    }
}

impl fmt::Display for VerificationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VerificationMethod {
    type Err = ReceiptError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| ReceiptError::UnknownMethodName { name: s.to_owned() })
    }
}

/// Which values the people compared: the scheme of the evidence in a version 2
/// receipt. Each has a one-byte code and a short name.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComparedScheme {
    /// The full public key (e.g. its canonical text form).
    FullKey,
    /// A verifier QR code payload (`docs/qr-payloads.md`).
    QrPayload,
    /// A short authentication string of a SAS session (`docs/sas-protocol.md`).
    Sas,
    /// A verifier pairwise safety number (`docs/safety-numbers.md`).
    SafetyNumber,
    /// A Signal safety number (`docs/signal-compat.md`).
    SignalSafetyNumber,
}

impl ComparedScheme {
    /// All schemes, in code order.
    pub const ALL: [ComparedScheme; 5] = [
        ComparedScheme::FullKey,
        ComparedScheme::QrPayload,
        ComparedScheme::Sas,
        ComparedScheme::SafetyNumber,
        ComparedScheme::SignalSafetyNumber,
    ];

    /// The one-byte code used in receipts.
    pub const fn code(self) -> u8 {
        match self {
            ComparedScheme::FullKey => 0,
            ComparedScheme::QrPayload => 1,
            ComparedScheme::Sas => 2,
            ComparedScheme::SafetyNumber => 3,
            ComparedScheme::SignalSafetyNumber => 4,
        }
    }

    /// The scheme for a code, if known.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The short name used in JSON: `full-key`, `qr-payload`, `sas`,
    /// `safety-number`, `signal-safety-number`.
    pub const fn name(self) -> &'static str {
        match self {
            ComparedScheme::FullKey => "full-key",
            ComparedScheme::QrPayload => "qr-payload",
            ComparedScheme::Sas => "sas",
            ComparedScheme::SafetyNumber => "safety-number",
            ComparedScheme::SignalSafetyNumber => "signal-safety-number",
        }
    }

    /// The scheme with this short name, if known.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for ComparedScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What was compared in a verification, as carried by a version 2 receipt: the
/// scheme and its version, an optional 32-byte digest of the compared values
/// (e.g. a SAS transcript hash, a safety-number digest, a QR payload hash) and
/// up to [`MAX_EXTENSIONS`] typed extensions for later evidence (e.g. a
/// key-directory head).
///
/// Extensions are kept sorted by kind, with no kind twice, so a given evidence
/// has exactly one encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptEvidence {
    scheme: ComparedScheme,
    scheme_version: u8,
    digest: Option<[u8; EVIDENCE_DIGEST_LEN]>,
    extensions: Vec<(u16, Vec<u8>)>,
}

impl ReceiptEvidence {
    /// Evidence of `scheme` at `scheme_version`, without digest or extensions.
    pub fn new(scheme: ComparedScheme, scheme_version: u8) -> Self {
        Self {
            scheme,
            scheme_version,
            digest: None,
            extensions: Vec::new(),
        }
    }

    /// The same evidence with a digest of the compared values.
    #[must_use]
    pub fn with_digest(mut self, digest: [u8; EVIDENCE_DIGEST_LEN]) -> Self {
        self.digest = Some(digest);
        self
    }

    /// The same evidence with one more extension of type `kind`. Extensions are
    /// kept sorted by kind. Fails with [`ReceiptError::InvalidExtension`] if
    /// `kind` is already present, if there would be more than
    /// [`MAX_EXTENSIONS`], or if `value` is longer than [`MAX_EXTENSION_BYTES`].
    pub fn with_extension(mut self, kind: u16, value: Vec<u8>) -> Result<Self, ReceiptError> {
        if value.len() > MAX_EXTENSION_BYTES {
            return Err(ReceiptError::InvalidExtension {
                reason: EXT_TOO_LONG,
            });
        }
        if self.extensions.len() >= MAX_EXTENSIONS {
            return Err(ReceiptError::InvalidExtension {
                reason: EXT_TOO_MANY,
            });
        }
        match self.extensions.binary_search_by_key(&kind, |(k, _)| *k) {
            Ok(_) => Err(ReceiptError::InvalidExtension {
                reason: EXT_DUPLICATE,
            }),
            Err(at) => {
                self.extensions.insert(at, (kind, value));
                Ok(self)
            }
        }
    }

    /// Which values were compared.
    pub fn scheme(&self) -> ComparedScheme {
        self.scheme
    }
    /// The version of the scheme.
    pub fn scheme_version(&self) -> u8 {
        self.scheme_version
    }
    /// The digest of the compared values, if recorded.
    pub fn digest(&self) -> Option<&[u8; EVIDENCE_DIGEST_LEN]> {
        self.digest.as_ref()
    }
    /// The extensions `(kind, value)`, in strictly increasing kind order.
    pub fn extensions(&self) -> &[(u16, Vec<u8>)] {
        &self.extensions
    }
}

const EXT_TOO_LONG: &str = "an extension value is longer than 1024 bytes";
const EXT_TOO_MANY: &str = "there are more than 16 extensions";
const EXT_DUPLICATE: &str = "two extensions have the same kind";
const EXT_UNORDERED: &str = "the extension kinds are not in strictly increasing order";

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
    fn build(
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

/// The content id of a receipt: BLAKE3 `derive_key` over its complete bytes
/// (signature included), with the id label of the receipt's format version
/// (`verifier/v1/receipt-id` or `verifier/v2/receipt-id`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptId([u8; 32]);

impl ReceiptId {
    /// The id of the given complete receipt bytes. The id label is chosen by
    /// the version byte (offset 4): [`RECEIPT_ID_DOMAIN`] for version 1,
    /// [`RECEIPT_ID_DOMAIN_V2`] for anything else (including input too short
    /// to have a version byte). For a checked receipt use [`Receipt::id`].
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let domain = match bytes.get(4) {
            Some(1) => RECEIPT_ID_DOMAIN,
            _ => RECEIPT_ID_DOMAIN_V2,
        };
        let mut h = blake3::Hasher::new_derive_key(domain);
        h.update(bytes);
        Self(*h.finalize().as_bytes())
    }
    /// An id from its 32 raw bytes.
    pub const fn from_array(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// Lowercase hex (64 characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Parses 64 hex characters; `None` if malformed.
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        v.try_into().ok().map(Self)
    }
}

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiptId({})", self.to_hex())
    }
}

/// A signed, checked verification receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    signer: PublicKey,
    statement: ReceiptStatement,
    bytes: Vec<u8>,
}

impl Receipt {
    /// Signs `statement` with `identity`.
    ///
    /// Every statement made by [`ReceiptStatement::new`] is written as format
    /// version 2. A statement taken from a version 1 receipt has no evidence
    /// and cannot be expressed in version 2; it is re-signed in its own
    /// version 1 layout, with the version 1 label, so its meaning is unchanged.
    pub fn sign(identity: &Identity, statement: ReceiptStatement) -> Self {
        let signer = identity.public_key();
        let version = statement.format_version();
        let mut bytes = encode_body(version, &signer, &statement);
        let sig = identity.sign(&signed_message(version, &bytes));
        bytes.extend_from_slice(&sig.to_bytes());
        Self {
            signer,
            statement,
            bytes,
        }
    }

    /// Decodes a binary receipt of any version this code reads
    /// ([`RECEIPT_VERSIONS_READ`]) and checks its signature (`verify_strict`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let magic = r.take(4, "magic")?;
        if magic != RECEIPT_MAGIC {
            return Err(ReceiptError::NotAReceipt);
        }
        let version = r.u8("version")?;
        if !RECEIPT_VERSIONS_READ.contains(&version) {
            return Err(ReceiptError::UnsupportedVersion {
                found: version,
                supported: RECEIPT_VERSION,
            });
        }
        let signer = r.key("signer")?;
        let key = r.key("subject")?;
        let name = r.label(LabelField::ContactName, "contact name")?;
        let id_len = usize::from(r.u16("contact id length")?);
        let contact_id = if id_len == 0 {
            None
        } else {
            Some(r.label_body(LabelField::ContactId, id_len, "contact id")?)
        };
        let secs = r.u64("time")?;
        let code = r.u8("method")?;
        let method = VerificationMethod::from_code_in_version(code, version)?;
        let evidence = if version == 1 {
            None
        } else {
            Some(r.evidence()?)
        };
        let body_len = r.pos;
        let sig_bytes: [u8; SIGNATURE_LEN] = r
            .take(SIGNATURE_LEN, "signature")?
            .try_into()
            .map_err(|_| ReceiptError::Truncated { field: "signature" })?;
        if r.pos < bytes.len() {
            return Err(ReceiptError::TrailingBytes {
                count: bytes.len() - r.pos,
            });
        }
        let statement = ReceiptStatement::build(
            key,
            &name,
            contact_id.as_deref(),
            Timestamp::from_unix_secs(secs),
            method,
            evidence,
        )?;
        let body = bytes
            .get(..body_len)
            .ok_or(ReceiptError::Truncated { field: "body" })?;
        let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
        signer
            .verifying_key()
            .verify_strict(&signed_message(version, body), &sig)
            .map_err(|_| ReceiptError::BadSignature)?;
        Ok(Self {
            signer,
            statement,
            bytes: bytes.to_vec(),
        })
    }

    /// Decodes the text form (`verifier-receipt:` + base64url without
    /// padding; surrounding whitespace is ignored) and checks the signature.
    pub fn from_text(text: &str) -> Result<Self, ReceiptError> {
        let t = text.trim();
        let b64 = t
            .strip_prefix(RECEIPT_TEXT_PREFIX)
            .ok_or(ReceiptError::InvalidText {
                reason: "it does not start with \"verifier-receipt:\"",
            })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| ReceiptError::InvalidText {
                reason: "the part after \"verifier-receipt:\" is not unpadded base64url",
            })?;
        Self::from_bytes(&bytes)
    }

    /// Decodes either form: binary if it starts with the magic bytes, text otherwise.
    pub fn decode(input: &[u8]) -> Result<Self, ReceiptError> {
        if input.starts_with(&RECEIPT_MAGIC) {
            return Self::from_bytes(input);
        }
        let text = std::str::from_utf8(input).map_err(|_| ReceiptError::NotAReceipt)?;
        if !text.trim_start().starts_with(RECEIPT_TEXT_PREFIX) {
            return Err(ReceiptError::NotAReceipt);
        }
        Self::from_text(text)
    }

    /// The binary form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text form (one line, no newline).
    pub fn to_text(&self) -> String {
        format!(
            "{RECEIPT_TEXT_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(&self.bytes)
        )
    }

    /// The identity that signed the receipt.
    pub fn signer(&self) -> &PublicKey {
        &self.signer
    }

    /// What the receipt states.
    pub fn statement(&self) -> &ReceiptStatement {
        &self.statement
    }

    /// The receipt's format version (1 or 2).
    pub fn format_version(&self) -> u8 {
        self.statement.format_version()
    }

    /// The receipt's content id (with the id label of its format version).
    pub fn id(&self) -> ReceiptId {
        ReceiptId::of_bytes(&self.bytes)
    }

    /// Fails with [`ReceiptError::WrongSigner`] unless `expected` signed it.
    pub fn check_signer(&self, expected: &PublicKey) -> Result<(), ReceiptError> {
        if &self.signer == expected {
            Ok(())
        } else {
            Err(ReceiptError::WrongSigner {
                expected: Box::new(*expected),
                found: Box::new(self.signer),
            })
        }
    }
}

/// The message that is signed: `u8 len(label) || label || body`, with the
/// label of the format version.
fn signed_message(version: u8, body: &[u8]) -> Vec<u8> {
    let label = signature_domain(version)
        .unwrap_or(RECEIPT_SIGNATURE_DOMAIN_V2)
        .as_bytes();
    let mut m = Vec::with_capacity(1 + label.len() + body.len());
    // The labels are short constants (19 bytes).
    m.push(label.len() as u8);
    m.extend_from_slice(label);
    m.extend_from_slice(body);
    m
}

fn push_key(out: &mut Vec<u8>, key: &PublicKey) {
    let b = key.as_bytes();
    out.push(key.key_type().code());
    out.push(b.len() as u8);
    out.extend_from_slice(b);
}

fn push_label(out: &mut Vec<u8>, s: &str) {
    // Labels are validated to at most MAX_LABEL_BYTES (< u16::MAX).
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn push_evidence(out: &mut Vec<u8>, e: &ReceiptEvidence) {
    out.push(e.scheme.code());
    out.push(e.scheme_version);
    match &e.digest {
        Some(d) => {
            out.push(EVIDENCE_DIGEST_LEN as u8);
            out.extend_from_slice(d);
        }
        None => out.push(0),
    }
    // At most MAX_EXTENSIONS (16) extensions of at most MAX_EXTENSION_BYTES
    // (1024) bytes each, sorted by kind: checked by `with_extension`.
    out.push(e.extensions.len() as u8);
    for (kind, value) in &e.extensions {
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
    }
}

/// The body (everything before the signature) in the layout of `version`:
/// version 1 for a statement without evidence, version 2 otherwise.
fn encode_body(version: u8, signer: &PublicKey, st: &ReceiptStatement) -> Vec<u8> {
    let mut out = Vec::with_capacity(192);
    out.extend_from_slice(&RECEIPT_MAGIC);
    out.push(version);
    push_key(&mut out, signer);
    push_key(&mut out, &st.key);
    push_label(&mut out, &st.contact_name);
    match &st.contact_id {
        Some(id) => push_label(&mut out, id),
        None => out.extend_from_slice(&0u16.to_be_bytes()),
    }
    out.extend_from_slice(&st.verified_at.as_unix_secs().to_be_bytes());
    out.push(st.method.code());
    if let Some(e) = &st.evidence {
        push_evidence(&mut out, e);
    }
    out
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ReceiptError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(ReceiptError::Truncated { field })?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(ReceiptError::Truncated { field })?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, field: &'static str) -> Result<u8, ReceiptError> {
        self.take(1, field)?
            .first()
            .copied()
            .ok_or(ReceiptError::Truncated { field })
    }
    fn u16(&mut self, field: &'static str) -> Result<u16, ReceiptError> {
        let b: [u8; 2] = self
            .take(2, field)?
            .try_into()
            .map_err(|_| ReceiptError::Truncated { field })?;
        Ok(u16::from_be_bytes(b))
    }
    fn u64(&mut self, field: &'static str) -> Result<u64, ReceiptError> {
        let b: [u8; 8] = self
            .take(8, field)?
            .try_into()
            .map_err(|_| ReceiptError::Truncated { field })?;
        Ok(u64::from_be_bytes(b))
    }
    fn key(&mut self, role: &'static str) -> Result<PublicKey, ReceiptError> {
        let field = if role == "signer" {
            "signer key"
        } else {
            "subject key"
        };
        let code = self.u8(field)?;
        let ty = KeyType::from_code(code)
            .map_err(|_| ReceiptError::UnsupportedKeyType { role, code })?;
        let len = usize::from(self.u8(field)?);
        let expected = ty.key_len();
        if len != expected {
            return Err(ReceiptError::InvalidKeyLength {
                role,
                found: len,
                expected,
            });
        }
        let bytes = self.take(len, field)?;
        PublicKey::from_bytes(ty, bytes).map_err(|_| ReceiptError::InvalidKey { role })
    }
    fn label(&mut self, lf: LabelField, field: &'static str) -> Result<String, ReceiptError> {
        let len = usize::from(self.u16(field)?);
        self.label_body(lf, len, field)
    }
    fn label_body(
        &mut self,
        lf: LabelField,
        len: usize,
        field: &'static str,
    ) -> Result<String, ReceiptError> {
        if len > MAX_LABEL_BYTES {
            return Err(ReceiptError::InvalidLabel {
                field: lf,
                reason: "it is longer than 256 bytes",
            });
        }
        let b = self.take(len, field)?;
        let s = std::str::from_utf8(b).map_err(|_| ReceiptError::InvalidLabel {
            field: lf,
            reason: "it is not valid UTF-8",
        })?;
        validate_label(lf, s)?;
        Ok(s.to_owned())
    }
    /// The version 2 evidence: scheme, scheme version, digest, extensions.
    fn evidence(&mut self) -> Result<ReceiptEvidence, ReceiptError> {
        let code = self.u8("scheme")?;
        let scheme = ComparedScheme::from_code(code).ok_or(ReceiptError::UnknownScheme { code })?;
        let scheme_version = self.u8("scheme version")?;
        let len = self.u8("digest length")?;
        let digest = match usize::from(len) {
            0 => None,
            EVIDENCE_DIGEST_LEN => Some(
                self.take(EVIDENCE_DIGEST_LEN, "digest")?
                    .try_into()
                    .map_err(|_| ReceiptError::Truncated { field: "digest" })?,
            ),
            _ => return Err(ReceiptError::InvalidDigestLength { len }),
        };
        let count = usize::from(self.u8("extension count")?);
        if count > MAX_EXTENSIONS {
            return Err(ReceiptError::InvalidExtension {
                reason: EXT_TOO_MANY,
            });
        }
        let mut extensions: Vec<(u16, Vec<u8>)> = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = self.u16("extension kind")?;
            if extensions.last().is_some_and(|(prev, _)| *prev >= kind) {
                return Err(ReceiptError::InvalidExtension {
                    reason: EXT_UNORDERED,
                });
            }
            let len = usize::from(self.u16("extension length")?);
            if len > MAX_EXTENSION_BYTES {
                return Err(ReceiptError::InvalidExtension {
                    reason: EXT_TOO_LONG,
                });
            }
            let value = self.take(len, "extension value")?.to_vec();
            extensions.push((kind, value));
        }
        Ok(ReceiptEvidence {
            scheme,
            scheme_version,
            digest,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(seed: u8) -> Identity {
        Identity::from_seed(&[seed; 32]).unwrap()
    }

    fn evidence() -> ReceiptEvidence {
        ReceiptEvidence::new(ComparedScheme::Sas, 1)
            .with_digest([0xab; 32])
            .with_extension(7, b"head".to_vec())
            .unwrap()
    }

    fn statement(
        id: Option<&str>,
        method: VerificationMethod,
        e: ReceiptEvidence,
    ) -> ReceiptStatement {
        ReceiptStatement::new(
            identity(9).public_key(),
            "Alice Example",
            id,
            Timestamp::from_unix_secs(1_700_000_000),
            method,
            e,
        )
        .unwrap()
    }

    fn sample(signer: &Identity, id: Option<&str>) -> Receipt {
        Receipt::sign(
            signer,
            statement(id, VerificationMethod::SasSession, evidence()),
        )
    }

    /// A version 1 statement, as decoded from an old receipt.
    fn v1_statement(method: VerificationMethod) -> ReceiptStatement {
        ReceiptStatement::build(
            identity(9).public_key(),
            "Alice Example",
            None,
            Timestamp::from_unix_secs(1_700_000_000),
            method,
            None,
        )
        .unwrap()
    }

    /// `body` signed by `signer` with the label of `version`.
    fn signed(signer: &Identity, version: u8, body: &[u8]) -> Vec<u8> {
        let mut out = body.to_vec();
        out.extend_from_slice(&signer.sign(&signed_message(version, body)).to_bytes());
        out
    }

    /// The body of a signed receipt.
    fn body_of(r: &Receipt) -> Vec<u8> {
        r.as_bytes()[..r.as_bytes().len() - SIGNATURE_LEN].to_vec()
    }

    #[test]
    fn round_trip_binary_and_text() {
        let me = identity(1);
        let evidences = [
            ReceiptEvidence::new(ComparedScheme::FullKey, 1),
            ReceiptEvidence::new(ComparedScheme::QrPayload, 2).with_digest([1; 32]),
            evidence(),
            ReceiptEvidence::new(ComparedScheme::SignalSafetyNumber, 0)
                .with_extension(0xffff, vec![0; MAX_EXTENSION_BYTES])
                .unwrap()
                .with_extension(0, Vec::new())
                .unwrap(),
        ];
        for m in VerificationMethod::CURRENT {
            for id in [None, Some("@alice:example.org")] {
                for e in &evidences {
                    let r = Receipt::sign(&me, statement(id, m, e.clone()));
                    assert_eq!(r.as_bytes()[4], 2);
                    assert_eq!(r.format_version(), 2);
                    let b = Receipt::from_bytes(r.as_bytes()).unwrap();
                    assert_eq!(b, r);
                    let t = Receipt::from_text(&format!("  {}\n", r.to_text())).unwrap();
                    assert_eq!(t, r);
                    assert_eq!(Receipt::decode(r.as_bytes()).unwrap(), r);
                    assert_eq!(Receipt::decode(r.to_text().as_bytes()).unwrap(), r);
                    assert_eq!(t.statement().contact_id(), id);
                    assert_eq!(t.statement().method(), m);
                    assert_eq!(t.statement().evidence(), Some(e));
                    t.check_signer(&me.public_key()).unwrap();
                }
            }
        }
    }

    #[test]
    fn version_1_receipts_are_still_read() {
        let me = identity(1);
        for m in [
            VerificationMethod::QrLegacy,
            VerificationMethod::SasSession,
            VerificationMethod::SafetyNumber,
            VerificationMethod::Manual,
        ] {
            let r = Receipt::sign(&me, v1_statement(m));
            assert_eq!(r.as_bytes()[4], 1);
            assert_eq!(r.format_version(), 1);
            let back = Receipt::from_bytes(r.as_bytes()).unwrap();
            assert_eq!(back, r);
            assert_eq!(back.statement().method(), m);
            assert_eq!(back.statement().evidence(), None);
            let mut h = blake3::Hasher::new_derive_key(RECEIPT_ID_DOMAIN);
            h.update(r.as_bytes());
            assert_eq!(r.id().as_bytes(), h.finalize().as_bytes());
        }
        // Codes 5 to 7 do not exist in version 1.
        for m in [
            VerificationMethod::QrCamera,
            VerificationMethod::QrImageFile,
            VerificationMethod::WordsTypedBack,
        ] {
            let mut body = body_of(&Receipt::sign(
                &me,
                v1_statement(VerificationMethod::Manual),
            ));
            let last = body.len() - 1;
            body[last] = m.code();
            assert!(matches!(
                Receipt::from_bytes(&signed(&me, 1, &body)),
                Err(ReceiptError::UnknownMethod { code }) if code == m.code()
            ));
        }
    }

    #[test]
    fn ids_use_the_label_of_the_version() {
        let r = sample(&identity(1), None);
        let mut h = blake3::Hasher::new_derive_key(RECEIPT_ID_DOMAIN_V2);
        h.update(r.as_bytes());
        assert_eq!(r.id().as_bytes(), h.finalize().as_bytes());
        assert_eq!(signature_domain(1), Some(RECEIPT_SIGNATURE_DOMAIN));
        assert_eq!(signature_domain(2), Some(RECEIPT_SIGNATURE_DOMAIN_V2));
        assert_eq!(id_domain(2), Some(RECEIPT_ID_DOMAIN_V2));
        assert_eq!(signature_domain(3), None);
    }

    #[test]
    fn legacy_method_is_refused_for_new_statements() {
        let e = ReceiptStatement::new(
            identity(3).public_key(),
            "a",
            None,
            Timestamp::from_unix_secs(0),
            VerificationMethod::QrLegacy,
            ReceiptEvidence::new(ComparedScheme::QrPayload, 1),
        )
        .unwrap_err();
        assert!(matches!(
            e,
            ReceiptError::LegacyMethod {
                method: VerificationMethod::QrLegacy
            }
        ));
        assert_eq!(e.kind(), "legacy_method");
        // Nor can a version 2 receipt carry code 1.
        let me = identity(1);
        let mut body = body_of(&sample(&me, None));
        let at = body.len() - evidence_len(&evidence()) - 1;
        assert_eq!(body[at], VerificationMethod::SasSession.code());
        for code in [0, 1, 8, 0xff] {
            body[at] = code;
            assert!(matches!(
                Receipt::from_bytes(&signed(&me, 2, &body)),
                Err(ReceiptError::UnknownMethod { code: c }) if c == code
            ));
        }
    }

    fn evidence_len(e: &ReceiptEvidence) -> usize {
        let mut v = Vec::new();
        push_evidence(&mut v, e);
        v.len()
    }

    #[test]
    fn evidence_extensions_are_sorted_unique_and_bounded() {
        let e = ReceiptEvidence::new(ComparedScheme::FullKey, 1)
            .with_extension(9, vec![9])
            .unwrap()
            .with_extension(1, vec![1])
            .unwrap()
            .with_extension(5, vec![])
            .unwrap();
        let kinds: Vec<u16> = e.extensions().iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [1, 5, 9]);
        assert!(matches!(
            e.clone().with_extension(5, vec![1]),
            Err(ReceiptError::InvalidExtension { .. })
        ));
        assert!(matches!(
            e.clone()
                .with_extension(6, vec![0; MAX_EXTENSION_BYTES + 1]),
            Err(ReceiptError::InvalidExtension { .. })
        ));
        let mut full = ReceiptEvidence::new(ComparedScheme::FullKey, 1);
        for k in 0..MAX_EXTENSIONS as u16 {
            full = full.with_extension(k * 3, vec![]).unwrap();
        }
        assert!(matches!(
            full.with_extension(1, vec![]),
            Err(ReceiptError::InvalidExtension { .. })
        ));
        assert_eq!(e.scheme(), ComparedScheme::FullKey);
        assert_eq!(e.scheme_version(), 1);
        assert_eq!(e.digest(), None);
    }

    #[test]
    fn evidence_decoding_errors() {
        let me = identity(1);
        let r = Receipt::sign(
            &me,
            statement(
                None,
                VerificationMethod::QrCamera,
                ReceiptEvidence::new(ComparedScheme::QrPayload, 1),
            ),
        );
        // The body ends: method, scheme, scheme version, digest length 0, count 0.
        let base = body_of(&r);
        let n = base.len();
        assert_eq!(base[n - 5..], [5, 1, 1, 0, 0]);
        let head = &base[..n - 4];
        let with = |tail: &[u8]| {
            let mut b = head.to_vec();
            b.extend_from_slice(tail);
            Receipt::from_bytes(&signed(&me, 2, &b))
        };
        assert!(with(&[4, 1, 0, 0]).is_ok());
        assert!(matches!(
            with(&[5, 1, 0, 0]),
            Err(ReceiptError::UnknownScheme { code: 5 })
        ));
        assert!(matches!(
            with(&[0xff, 1, 0, 0]),
            Err(ReceiptError::UnknownScheme { code: 0xff })
        ));
        for len in [1u8, 31, 33, 0xff] {
            let mut t = vec![1, 1, len];
            t.extend_from_slice(&[0; 40]);
            assert!(matches!(
                with(&t),
                Err(ReceiptError::InvalidDigestLength { len: l }) if l == len
            ));
        }
        let mut t = vec![1, 1, 32];
        t.extend_from_slice(&[7; 32]);
        t.push(0);
        assert_eq!(
            with(&t).unwrap().statement().evidence().unwrap().digest(),
            Some(&[7; 32])
        );
        // 17 extensions.
        let mut t = vec![1, 1, 0, 17];
        for k in 0..17u16 {
            t.extend_from_slice(&k.to_be_bytes());
            t.extend_from_slice(&[0, 0]);
        }
        assert!(matches!(
            with(&t),
            Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_TOO_MANY
        ));
        // Equal and decreasing kinds.
        for kinds in [[3u16, 3], [4, 3]] {
            let mut t = vec![1, 1, 0, 2];
            for k in kinds {
                t.extend_from_slice(&k.to_be_bytes());
                t.extend_from_slice(&[0, 1, 0xee]);
            }
            assert!(matches!(
                with(&t),
                Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_UNORDERED
            ));
        }
        // A value of 1025 bytes.
        let mut t = vec![1, 1, 0, 1, 0, 1, 0x04, 0x01];
        t.extend_from_slice(&[0; 1025]);
        assert!(matches!(
            with(&t),
            Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_TOO_LONG
        ));
        // 1024 bytes is fine.
        let mut t = vec![1, 1, 0, 1, 0, 1, 0x04, 0x00];
        t.extend_from_slice(&[0; 1024]);
        assert_eq!(
            with(&t)
                .unwrap()
                .statement()
                .evidence()
                .unwrap()
                .extensions(),
            &[(1, vec![0; 1024])]
        );
        for e in [
            ReceiptError::UnknownScheme { code: 9 },
            ReceiptError::InvalidDigestLength { len: 1 },
            ReceiptError::InvalidExtension {
                reason: EXT_TOO_MANY,
            },
        ] {
            assert!(!e.kind().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn versions_cannot_be_swapped() {
        let me = identity(1);
        // A version 2 receipt with its version byte set to 1, and the other way round.
        let v2 = sample(&me, None);
        let mut b = v2.as_bytes().to_vec();
        b[4] = 1;
        assert!(Receipt::from_bytes(&b).is_err());
        for m in [VerificationMethod::SasSession, VerificationMethod::Manual] {
            let v1 = Receipt::sign(&me, v1_statement(m));
            let mut b = v1.as_bytes().to_vec();
            b[4] = 2;
            assert!(Receipt::from_bytes(&b).is_err());
        }
        // A signature moved between versions: a version 1 receipt turned into a
        // well-formed version 2 body (version byte 2, minimal evidence) keeps
        // its signature, which does not verify under the version 2 label.
        let v1 = Receipt::sign(&me, v1_statement(VerificationMethod::Manual));
        let sig = &v1.as_bytes()[v1.as_bytes().len() - SIGNATURE_LEN..];
        let mut body = body_of(&v1);
        body[4] = 2;
        body.extend_from_slice(&[0, 1, 0, 0]);
        let mut moved = body.clone();
        moved.extend_from_slice(sig);
        assert!(matches!(
            Receipt::from_bytes(&moved),
            Err(ReceiptError::BadSignature)
        ));
        // The same body signed for version 2 is fine: only the signature was wrong.
        assert!(Receipt::from_bytes(&signed(&me, 2, &body)).is_ok());
        // A version 1 body signed with the version 2 label, and the other way round.
        assert!(matches!(
            Receipt::from_bytes(&signed(&me, 2, &body_of(&v1))),
            Err(ReceiptError::BadSignature)
        ));
        assert!(matches!(
            Receipt::from_bytes(&signed(&me, 1, &body)),
            Err(ReceiptError::BadSignature)
        ));
        // A version 2 receipt stripped of its evidence, version byte 1, own signature.
        let v2 = Receipt::sign(
            &me,
            statement(
                None,
                VerificationMethod::Manual,
                ReceiptEvidence::new(ComparedScheme::FullKey, 1),
            ),
        );
        let sig = &v2.as_bytes()[v2.as_bytes().len() - SIGNATURE_LEN..];
        let mut body = body_of(&v2);
        body.truncate(body.len() - 4);
        body[4] = 1;
        body.extend_from_slice(sig);
        assert!(matches!(
            Receipt::from_bytes(&body),
            Err(ReceiptError::BadSignature)
        ));
    }

    #[test]
    fn every_flipped_bit_is_rejected() {
        for r in [
            sample(&identity(1), Some("x")),
            Receipt::sign(&identity(1), v1_statement(VerificationMethod::QrLegacy)),
        ] {
            let bytes = r.as_bytes().to_vec();
            for i in 0..bytes.len() {
                for bit in 0..8 {
                    let mut t = bytes.clone();
                    t[i] ^= 1 << bit;
                    assert!(
                        Receipt::from_bytes(&t).is_err(),
                        "byte {i} bit {bit} accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn every_truncation_is_rejected_and_trailing_bytes_too() {
        let r = sample(&identity(1), None);
        let bytes = r.as_bytes();
        for n in 0..bytes.len() {
            assert!(
                Receipt::from_bytes(&bytes[..n]).is_err(),
                "prefix {n} accepted"
            );
        }
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(matches!(
            Receipt::from_bytes(&long),
            Err(ReceiptError::TrailingBytes { count: 1 })
        ));
    }

    #[test]
    fn specific_errors() {
        let me = identity(1);
        let r = sample(&me, None);
        for version in [0, 3, 0xff] {
            let mut v = r.as_bytes().to_vec();
            v[4] = version;
            assert!(matches!(
                Receipt::from_bytes(&v),
                Err(ReceiptError::UnsupportedVersion {
                    found,
                    supported: 2
                }) if found == version
            ));
        }
        let mut v = r.as_bytes().to_vec();
        v[5] = 0x07;
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::UnsupportedKeyType {
                role: "signer",
                code: 7
            })
        ));
        let mut v = r.as_bytes().to_vec();
        v[5 + 34] = 0x02;
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::UnsupportedKeyType {
                role: "subject",
                code: 2
            })
        ));
        let mut v = r.as_bytes().to_vec();
        v[0] = b'X';
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::NotAReceipt)
        ));
        // Last byte of the signature.
        let mut v = r.as_bytes().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0x01;
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::BadSignature)
        ));
        // Signer key swapped for another valid key: the signature no longer checks.
        let other = identity(2).public_key();
        let mut v = r.as_bytes().to_vec();
        v[7..39].copy_from_slice(other.as_bytes());
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::BadSignature)
        ));
        // Validly signed by someone else.
        let theirs = sample(&identity(2), None);
        assert!(matches!(
            theirs.check_signer(&me.public_key()),
            Err(ReceiptError::WrongSigner { .. })
        ));
        assert!(matches!(
            Receipt::from_text("verifier-receipt:***"),
            Err(ReceiptError::InvalidText { .. })
        ));
        assert!(matches!(
            Receipt::decode(b"hello"),
            Err(ReceiptError::NotAReceipt)
        ));
    }

    #[test]
    fn labels_are_validated() {
        let k = identity(3).public_key();
        let t = Timestamp::from_unix_secs(0);
        let m = VerificationMethod::Manual;
        let e = || ReceiptEvidence::new(ComparedScheme::FullKey, 1);
        assert!(ReceiptStatement::new(k, "", None, t, m, e()).is_err());
        assert!(ReceiptStatement::new(k, "a\u{1b}[31m", None, t, m, e()).is_err());
        assert!(ReceiptStatement::new(k, &"a".repeat(257), None, t, m, e()).is_err());
        assert!(ReceiptStatement::new(k, &"a".repeat(256), None, t, m, e()).is_ok());
        assert!(ReceiptStatement::new(k, "a", Some(""), t, m, e()).is_err());
        assert!(
            ReceiptStatement::new(k, "a", None, Timestamp::from_unix_secs(u64::MAX), m, e())
                .is_err()
        );
    }

    #[test]
    fn methods_schemes_and_time() {
        for m in VerificationMethod::ALL {
            assert_eq!(VerificationMethod::from_code(m.code()), Some(m));
            assert_eq!(m.name().parse::<VerificationMethod>().unwrap(), m);
            assert!(!m.description().is_empty());
            assert_eq!(m.is_valid_in_version(2), !m.is_legacy());
        }
        assert_eq!(
            VerificationMethod::ALL.map(VerificationMethod::code),
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(
            VerificationMethod::CURRENT.map(VerificationMethod::code),
            [2, 3, 4, 5, 6, 7]
        );
        let in_person: Vec<_> = VerificationMethod::ALL
            .into_iter()
            .filter(|m| m.is_in_person())
            .collect();
        assert_eq!(
            in_person,
            [
                VerificationMethod::SasSession,
                VerificationMethod::SafetyNumber,
                VerificationMethod::QrCamera,
                VerificationMethod::WordsTypedBack
            ]
        );
        assert!(VerificationMethod::from_code(0).is_none());
        assert!(VerificationMethod::from_code(8).is_none());
        assert!("email".parse::<VerificationMethod>().is_err());
        for s in ComparedScheme::ALL {
            assert_eq!(ComparedScheme::from_code(s.code()), Some(s));
            assert_eq!(ComparedScheme::from_name(s.name()), Some(s));
            assert_eq!(s.to_string(), s.name());
        }
        assert_eq!(
            ComparedScheme::ALL.map(ComparedScheme::code),
            [0, 1, 2, 3, 4]
        );
        assert!(ComparedScheme::from_code(5).is_none());
        assert_eq!(
            Timestamp::from_unix_secs(0).to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(1_700_000_000).to_rfc3339(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(951_868_800).to_rfc3339(),
            "2000-03-01T00:00:00Z"
        );
    }
}
