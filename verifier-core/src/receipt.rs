//! Verification receipts: a signed statement "identity X verified key K of
//! contact C at time T by method M".
//!
//! A receipt is small, self-contained and checkable offline: it carries the
//! signer's public key, and [`Receipt::from_bytes`] refuses to return a
//! [`Receipt`] unless the Ed25519 signature checks with `verify_strict`. A
//! [`Receipt`] value is therefore always a *checked* receipt; who the signer
//! must be is the caller's question ([`Receipt::check_signer`]).
//!
//! The byte layout, the text form and the domain labels are specified in
//! `docs/receipts.md` and pinned by `tests/vectors/receipt_v1.json`.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::{Receipt, ReceiptStatement, Timestamp, VerificationMethod};
//!
//! let me = Identity::generate(&mut rand_core::OsRng);
//! let alice = Identity::generate(&mut rand_core::OsRng).public_key();
//! let statement = ReceiptStatement::new(
//!     alice.clone(),
//!     "Alice",
//!     None,
//!     Timestamp::from_unix_secs(1_700_000_000),
//!     VerificationMethod::QrScan,
//! )?;
//! let receipt = Receipt::sign(&me, statement);
//! let text = receipt.to_text();
//!
//! // Offline check: parsing verifies the signature.
//! let back = Receipt::from_text(&text)?;
//! back.check_signer(&me.public_key())?;
//! assert_eq!(back.statement().key(), &alice);
//! assert_eq!(back.id(), receipt.id());
//! # Ok::<(), verifier_core::receipt::ReceiptError>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::identity::Identity;
use crate::key::{KeyType, PublicKey};

/// Domain label of the receipt signature (see `docs/receipts.md`).
pub const RECEIPT_SIGNATURE_DOMAIN: &str = "verifier/v1/receipt";
/// Domain label of the receipt id hash (BLAKE3 `derive_key` context).
pub const RECEIPT_ID_DOMAIN: &str = "verifier/v1/receipt-id";
/// The four magic bytes every binary receipt starts with.
pub const RECEIPT_MAGIC: [u8; 4] = *b"VRCT";
/// The receipt format version this code writes and reads.
pub const RECEIPT_VERSION: u8 = 1;
/// The prefix of the text form: `verifier-receipt:` + base64url (no padding).
pub const RECEIPT_TEXT_PREFIX: &str = "verifier-receipt:";
/// Maximum length of a contact name or stable identifier, in UTF-8 bytes.
pub const MAX_LABEL_BYTES: usize = 256;

const SIGNATURE_LEN: usize = 64;

/// A point in time as whole seconds since the Unix epoch (UTC).
///
/// The store and receipts never read the clock themselves: callers pass the
/// time in, so tests are deterministic. [`Timestamp::now`] is for binaries.
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

    /// The current system time (clamped to the epoch if the clock is before it).
    pub fn now() -> Self {
        Self(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        )
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
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerificationMethod {
    /// A QR code was scanned in person (full-length values compared by software).
    QrScan,
    /// A short-authentication-string session was completed and confirmed.
    SasSession,
    /// A safety number was compared by the people themselves.
    SafetyNumber,
    /// The user asserted it by other means (e.g. compared the full key).
    Manual,
}

impl VerificationMethod {
    /// All methods, in code order.
    pub const ALL: [VerificationMethod; 4] = [
        VerificationMethod::QrScan,
        VerificationMethod::SasSession,
        VerificationMethod::SafetyNumber,
        VerificationMethod::Manual,
    ];

    /// The one-byte code used in receipts and the store.
    pub const fn code(self) -> u8 {
        match self {
            VerificationMethod::QrScan => 1,
            VerificationMethod::SasSession => 2,
            VerificationMethod::SafetyNumber => 3,
            VerificationMethod::Manual => 4,
        }
    }

    /// The method for a code, if known.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The short name used on the command line and in JSON: `qr`, `sas`, `number`, `manual`.
    pub const fn name(self) -> &'static str {
        match self {
            VerificationMethod::QrScan => "qr",
            VerificationMethod::SasSession => "sas",
            VerificationMethod::SafetyNumber => "number",
            VerificationMethod::Manual => "manual",
        }
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
        "unsupported receipt version {found} (this build reads version {supported}); upgrade verifier"
    )]
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
        /// The version this build reads.
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
    /// The method code is not one this code knows.
    #[error("unknown verification method code {code}")]
    UnknownMethod {
        /// The code found.
        code: u8,
    },
    /// A method name (CLI / JSON) is not known.
    #[error("unknown verification method {name:?}; use one of qr, sas, number, manual")]
    UnknownMethodName {
        /// The name given.
        name: String,
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
            ReceiptError::TimeOutOfRange { .. } => "time_out_of_range",
            ReceiptError::TrailingBytes { .. } => "trailing_bytes",
            ReceiptError::InvalidText { .. } => "invalid_text",
            ReceiptError::BadSignature => "bad_signature",
            ReceiptError::WrongSigner { .. } => "wrong_signer",
        }
    }
}

/// The claim a receipt makes, without the signer: key K of contact C
/// verified at time T by method M.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptStatement {
    key: PublicKey,
    contact_name: String,
    contact_id: Option<String>,
    verified_at: Timestamp,
    method: VerificationMethod,
}

impl ReceiptStatement {
    /// A statement, validating the labels (1–256 UTF-8 bytes, no control
    /// characters) and the time (at most [`Timestamp::MAX`]).
    pub fn new(
        key: PublicKey,
        contact_name: &str,
        contact_id: Option<&str>,
        verified_at: Timestamp,
        method: VerificationMethod,
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

/// The content id of a receipt: BLAKE3 `derive_key("verifier/v1/receipt-id")`
/// over its complete bytes (signature included).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptId([u8; 32]);

impl ReceiptId {
    /// The id of the given complete receipt bytes.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let mut h = blake3::Hasher::new_derive_key(RECEIPT_ID_DOMAIN);
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
    pub fn sign(identity: &Identity, statement: ReceiptStatement) -> Self {
        let signer = identity.public_key();
        let mut bytes = encode_body(&signer, &statement);
        let sig = identity.sign(&signed_message(&bytes));
        bytes.extend_from_slice(&sig.to_bytes());
        Self {
            signer,
            statement,
            bytes,
        }
    }

    /// Decodes a binary receipt and checks its signature (`verify_strict`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let magic = r.take(4, "magic")?;
        if magic != RECEIPT_MAGIC {
            return Err(ReceiptError::NotAReceipt);
        }
        let version = r.u8("version")?;
        if version != RECEIPT_VERSION {
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
        let method =
            VerificationMethod::from_code(code).ok_or(ReceiptError::UnknownMethod { code })?;
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
        let statement = ReceiptStatement::new(
            key,
            &name,
            contact_id.as_deref(),
            Timestamp::from_unix_secs(secs),
            method,
        )?;
        let body = bytes
            .get(..body_len)
            .ok_or(ReceiptError::Truncated { field: "body" })?;
        let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
        signer
            .verifying_key()
            .verify_strict(&signed_message(body), &sig)
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

    /// The receipt's content id.
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

/// The message that is signed: `u8 len(label) || label || body`.
fn signed_message(body: &[u8]) -> Vec<u8> {
    let label = RECEIPT_SIGNATURE_DOMAIN.as_bytes();
    let mut m = Vec::with_capacity(1 + label.len() + body.len());
    // The label is a short constant (19 bytes).
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

fn encode_body(signer: &PublicKey, st: &ReceiptStatement) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(&RECEIPT_MAGIC);
    out.push(RECEIPT_VERSION);
    push_key(&mut out, signer);
    push_key(&mut out, &st.key);
    push_label(&mut out, &st.contact_name);
    match &st.contact_id {
        Some(id) => push_label(&mut out, id),
        None => out.extend_from_slice(&0u16.to_be_bytes()),
    }
    out.extend_from_slice(&st.verified_at.as_unix_secs().to_be_bytes());
    out.push(st.method.code());
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(seed: u8) -> Identity {
        Identity::from_seed(&[seed; 32]).unwrap()
    }

    fn sample(signer: &Identity, id: Option<&str>) -> Receipt {
        let st = ReceiptStatement::new(
            identity(9).public_key(),
            "Alice Example",
            id,
            Timestamp::from_unix_secs(1_700_000_000),
            VerificationMethod::SasSession,
        )
        .unwrap();
        Receipt::sign(signer, st)
    }

    #[test]
    fn round_trip_binary_and_text() {
        let me = identity(1);
        for id in [None, Some("@alice:example.org")] {
            let r = sample(&me, id);
            let b = Receipt::from_bytes(r.as_bytes()).unwrap();
            assert_eq!(b, r);
            let t = Receipt::from_text(&format!("  {}\n", r.to_text())).unwrap();
            assert_eq!(t, r);
            assert_eq!(Receipt::decode(r.as_bytes()).unwrap(), r);
            assert_eq!(Receipt::decode(r.to_text().as_bytes()).unwrap(), r);
            assert_eq!(t.statement().contact_id(), id);
            t.check_signer(&me.public_key()).unwrap();
        }
    }

    #[test]
    fn every_flipped_bit_is_rejected() {
        let r = sample(&identity(1), Some("x"));
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
        let mut v = r.as_bytes().to_vec();
        v[4] = 2;
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        ));
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
        assert!(ReceiptStatement::new(k, "", None, t, m).is_err());
        assert!(ReceiptStatement::new(k, "a\u{1b}[31m", None, t, m).is_err());
        assert!(ReceiptStatement::new(k, &"a".repeat(257), None, t, m).is_err());
        assert!(ReceiptStatement::new(k, &"a".repeat(256), None, t, m).is_ok());
        assert!(ReceiptStatement::new(k, "a", Some(""), t, m).is_err());
        assert!(
            ReceiptStatement::new(k, "a", None, Timestamp::from_unix_secs(u64::MAX), m).is_err()
        );
    }

    #[test]
    fn methods_and_time() {
        for m in VerificationMethod::ALL {
            assert_eq!(VerificationMethod::from_code(m.code()), Some(m));
            assert_eq!(m.name().parse::<VerificationMethod>().unwrap(), m);
        }
        assert!(VerificationMethod::from_code(0).is_none());
        assert!("email".parse::<VerificationMethod>().is_err());
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
