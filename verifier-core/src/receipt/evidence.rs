//! The evidence a receipt carries: how a key was verified
//! ([`VerificationMethod`]), which values were compared ([`ComparedScheme`]) and
//! the version 2 evidence itself ([`ReceiptEvidence`]).

use std::fmt;
use std::str::FromStr;

#[cfg(doc)]
use super::ReceiptStatement;
use super::{EVIDENCE_DIGEST_LEN, MAX_EXTENSION_BYTES, MAX_EXTENSIONS, ReceiptError};

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
    pub(super) fn from_code_in_version(code: u8, version: u8) -> Result<Self, ReceiptError> {
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
    pub(super) scheme: ComparedScheme,
    pub(super) scheme_version: u8,
    pub(super) digest: Option<[u8; EVIDENCE_DIGEST_LEN]>,
    pub(super) extensions: Vec<(u16, Vec<u8>)>,
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

pub(super) const EXT_TOO_LONG: &str = "an extension value is longer than 1024 bytes";
pub(super) const EXT_TOO_MANY: &str = "there are more than 16 extensions";
pub(super) const EXT_DUPLICATE: &str = "two extensions have the same kind";
pub(super) const EXT_UNORDERED: &str = "the extension kinds are not in strictly increasing order";
