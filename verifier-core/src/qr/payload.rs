//! The versioned QR payload: encoding and strict decoding.
//!
//! Byte layout, field rules and the order of decoder checks are specified in
//! `docs/qr-payloads.md`; `tests/vectors/qr_payloads.json` pins them.

use std::fmt;

use super::fingerprint::PairwiseFingerprint;
use crate::key::{KeyType, PublicKey};

/// The four bytes every verifier QR payload starts with (ASCII `VRFY`).
pub const MAGIC: [u8; 4] = *b"VRFY";

/// The payload format version this module writes and the only one it reads.
pub const FORMAT_VERSION: u8 = 1;

/// Maximum length in bytes of a display name or stable identifier.
pub const MAX_LABEL_LEN: usize = 64;

/// Maximum length in bytes of a session join code.
pub const MAX_JOIN_CODE_LEN: usize = 64;

/// What a verifier QR code is for (the mode byte at offset 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// "This is my key" (code `0x01`).
    Identity,
    /// "This is my key, and this is the fingerprint of the key I hold for you" (code `0x02`).
    Pairwise,
    /// The join code of an interactive SAS session (code `0x03`).
    Session,
}

impl Mode {
    /// Every mode, in code order.
    pub const ALL: [Mode; 3] = [Mode::Identity, Mode::Pairwise, Mode::Session];

    /// The mode byte.
    pub fn code(self) -> u8 {
        match self {
            Mode::Identity => 0x01,
            Mode::Pairwise => 0x02,
            Mode::Session => 0x03,
        }
    }

    /// The mode for a mode byte, if it is known.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Lower-case name (`identity`, `pairwise`, `session`).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Identity => "identity",
            Mode::Pairwise => "pairwise",
            Mode::Session => "session",
        }
    }

    fn allows(self, field: Field) -> bool {
        match self {
            Mode::Identity => matches!(field, Field::Key | Field::DisplayName | Field::StableId),
            Mode::Pairwise => matches!(
                field,
                Field::Key | Field::DisplayName | Field::StableId | Field::PeerFingerprint
            ),
            Mode::Session => matches!(field, Field::JoinCode),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field type of the payload's type-length-value list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// A typed public key (code `0x01`).
    Key,
    /// A display name for people (code `0x02`).
    DisplayName,
    /// A stable identifier for people, e.g. a user name (code `0x03`).
    StableId,
    /// The fingerprint of the key the shower holds for the scanner (code `0x04`).
    PeerFingerprint,
    /// An opaque SAS join code (code `0x05`).
    JoinCode,
}

impl Field {
    /// Every field type, in code order.
    pub const ALL: [Field; 5] = [
        Field::Key,
        Field::DisplayName,
        Field::StableId,
        Field::PeerFingerprint,
        Field::JoinCode,
    ];

    /// The type byte.
    pub fn code(self) -> u8 {
        match self {
            Field::Key => 0x01,
            Field::DisplayName => 0x02,
            Field::StableId => 0x03,
            Field::PeerFingerprint => 0x04,
            Field::JoinCode => 0x05,
        }
    }

    /// The field type for a type byte, if it is known.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Lower-case name with underscores (`key`, `display_name`, …).
    pub fn name(self) -> &'static str {
        match self {
            Field::Key => "key",
            Field::DisplayName => "display_name",
            Field::StableId => "stable_id",
            Field::PeerFingerprint => "peer_fingerprint",
            Field::JoinCode => "join_code",
        }
    }

    /// Smallest allowed value length in bytes.
    pub fn min_len(self) -> usize {
        match self {
            Field::Key => 2,
            Field::DisplayName | Field::StableId | Field::JoinCode => 1,
            Field::PeerFingerprint => PairwiseFingerprint::LEN,
        }
    }

    /// Largest allowed value length in bytes.
    pub fn max_len(self) -> usize {
        match self {
            Field::Key => 33,
            Field::DisplayName | Field::StableId => MAX_LABEL_LEN,
            Field::PeerFingerprint => PairwiseFingerprint::LEN,
            Field::JoinCode => MAX_JOIN_CODE_LEN,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a QR payload could not be decoded: one variant per failure (see `docs/qr-payloads.md` §4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The bytes do not start with the verifier magic `VRFY`.
    #[error("not a verifier QR code (it does not start with \"VRFY\")")]
    NotOurs,
    /// The format version is not one this build reads.
    #[error(
        "verifier QR format version {version} is not supported (this build reads version {FORMAT_VERSION}); update the app that reads it"
    )]
    UnknownVersion {
        /// The version byte found.
        version: u8,
    },
    /// The mode byte is not a known mode.
    #[error(
        "unknown verifier QR mode 0x{mode:02x}; the code was made by a newer or broken encoder"
    )]
    UnknownMode {
        /// The mode byte found.
        mode: u8,
    },
    /// The payload ends before a complete header, field header or field value.
    #[error(
        "QR payload truncated at byte {offset}: needed {needed} more byte(s), {available} left; rescan the code"
    )]
    Truncated {
        /// Offset where reading stopped.
        offset: usize,
        /// Bytes needed at that offset.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// Bytes remain after the last declared field.
    #[error("{count} unexpected byte(s) after the last field of the QR payload")]
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
    /// A field type code is not known.
    #[error("unknown field type 0x{code:02x} in the QR payload")]
    UnknownField {
        /// The type byte found.
        code: u8,
    },
    /// A field appears twice.
    #[error("field {field} appears twice in the QR payload")]
    DuplicateField {
        /// The repeated field.
        field: Field,
    },
    /// Fields are not in increasing type-code order.
    #[error("field {field} appears after field {after}; fields must be in increasing type order")]
    FieldOutOfOrder {
        /// The misplaced field.
        field: Field,
        /// The field before it.
        after: Field,
    },
    /// A field that the mode does not carry.
    #[error("field {field} is not allowed in a {mode} code")]
    FieldNotAllowed {
        /// The field found.
        field: Field,
        /// The payload's mode.
        mode: Mode,
    },
    /// A field the mode requires is absent.
    #[error("a {mode} code must carry field {field}, and this one does not")]
    MissingField {
        /// The missing field.
        field: Field,
        /// The payload's mode.
        mode: Mode,
    },
    /// A field's declared length exceeds its maximum.
    #[error("field {field} is {len} bytes long, more than its maximum of {max}")]
    OversizedField {
        /// The field.
        field: Field,
        /// The declared length.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// A field's declared length is below its minimum.
    #[error("field {field} is {len} bytes long, less than its minimum of {min}")]
    UndersizedField {
        /// The field.
        field: Field,
        /// The declared length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// The key-type code is not a known key type.
    #[error("unknown key type 0x{code:02x} in the QR payload")]
    BadKeyType {
        /// The key-type byte found.
        code: u8,
    },
    /// The key bytes have the wrong length for their type.
    #[error("a {key_type} key must be {expected} bytes, the QR payload holds {len}")]
    KeyLength {
        /// The key's type.
        key_type: KeyType,
        /// Key bytes found.
        len: usize,
        /// Key bytes required by the type.
        expected: usize,
    },
    /// The key bytes are not a valid public key (not a canonical point, or of small order).
    #[error("the {key_type} key in the QR payload is not a valid public key")]
    InvalidPoint {
        /// The key's type.
        key_type: KeyType,
    },
    /// A text field is not valid UTF-8.
    #[error("field {field} is not valid UTF-8")]
    InvalidText {
        /// The field.
        field: Field,
    },
    /// A text field holds a control character.
    #[error("field {field} holds the control character U+{:04X}", u32::from(*ch))]
    ForbiddenCharacter {
        /// The field.
        field: Field,
        /// The offending character.
        ch: char,
    },
}

impl PayloadError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::NotOurs => 3001,
            Self::UnknownVersion { .. } => 3002,
            Self::UnknownMode { .. } => 3003,
            Self::Truncated { .. } => 3004,
            Self::TrailingBytes { .. } => 3005,
            Self::UnknownField { .. } => 3006,
            Self::DuplicateField { .. } => 3007,
            Self::FieldOutOfOrder { .. } => 3008,
            Self::FieldNotAllowed { .. } => 3009,
            Self::MissingField { .. } => 3010,
            Self::OversizedField { .. } => 3011,
            Self::UndersizedField { .. } => 3012,
            Self::BadKeyType { .. } => 3013,
            Self::KeyLength { .. } => 3014,
            Self::InvalidPoint { .. } => 3015,
            Self::InvalidText { .. } => 3016,
            Self::ForbiddenCharacter { .. } => 3017,
        }
    }
}

/// Why a label or join code could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty; omit the field instead.
    #[error("the value is empty; leave the field out instead")]
    Empty,
    /// The value is too long.
    #[error("the value is {len} bytes long, more than the maximum of {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The text holds a control character.
    #[error("the text holds the control character U+{:04X}", u32::from(*ch))]
    ForbiddenCharacter {
        /// The offending character.
        ch: char,
    },
}

impl ValueError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Empty => 3101,
            Self::TooLong { .. } => 3102,
            Self::ForbiddenCharacter { .. } => 3103,
        }
    }
}

/// A display name or stable identifier: UTF-8, 1–64 bytes, no control characters.
///
/// Labels are shown to people next to a key; no verification decision is taken on them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label(String);

impl Label {
    /// Checks and wraps a label.
    ///
    /// ```
    /// use verifier_core::qr::Label;
    /// assert_eq!(Label::new("Alice").unwrap().as_str(), "Alice");
    /// assert!(Label::new("").is_err());
    /// assert!(Label::new("bell\u{7}").is_err());
    /// ```
    pub fn new(text: impl Into<String>) -> Result<Self, ValueError> {
        let text = text.into();
        if text.is_empty() {
            return Err(ValueError::Empty);
        }
        if text.len() > MAX_LABEL_LEN {
            return Err(ValueError::TooLong {
                len: text.len(),
                max: MAX_LABEL_LEN,
            });
        }
        if let Some(ch) = text.chars().find(|c| c.is_control()) {
            return Err(ValueError::ForbiddenCharacter { ch });
        }
        Ok(Self(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The opaque bytes of a SAS join code (1–64 bytes, as produced by `JoinCode::to_bytes`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionCode(Vec<u8>);

impl SessionCode {
    /// Checks and wraps join-code bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, ValueError> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        if bytes.len() > MAX_JOIN_CODE_LEN {
            return Err(ValueError::TooLong {
                len: bytes.len(),
                max: MAX_JOIN_CODE_LEN,
            });
        }
        Ok(Self(bytes))
    }

    /// The join-code bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Identity mode: "this is my key".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCard {
    /// The shower's public key.
    pub key: PublicKey,
    /// Optional display name (for people only).
    pub display_name: Option<Label>,
    /// Optional stable identifier (for people only).
    pub stable_id: Option<Label>,
}

/// Pairwise mode: the shower's key plus the fingerprint of the key the shower holds for the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairwiseCard {
    /// The shower's public key.
    pub key: PublicKey,
    /// Optional display name (for people only).
    pub display_name: Option<Label>,
    /// Optional stable identifier (for people only).
    pub stable_id: Option<Label>,
    /// Fingerprint of the key the shower holds for the person meant to scan this code.
    pub peer_fingerprint: PairwiseFingerprint,
}

impl PairwiseCard {
    /// A pairwise card showing `my_key`, for the person whose key I hold as `peer_key`.
    pub fn new(my_key: PublicKey, peer_key: &PublicKey) -> Self {
        Self {
            key: my_key,
            display_name: None,
            stable_id: None,
            peer_fingerprint: PairwiseFingerprint::of(peer_key),
        }
    }
}

/// A decoded verifier QR payload.
///
/// ```
/// use verifier_core::qr::{Payload, SessionCode};
/// let p = Payload::Session(SessionCode::new(vec![1, 2, 3]).unwrap());
/// let bytes = p.encode();
/// assert_eq!(&bytes[..4], b"VRFY");
/// assert_eq!(Payload::decode(&bytes).unwrap(), p);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// Identity mode.
    Identity(IdentityCard),
    /// Pairwise mode.
    Pairwise(PairwiseCard),
    /// Session mode.
    Session(SessionCode),
}

impl Payload {
    /// The payload's mode.
    pub fn mode(&self) -> Mode {
        match self {
            Payload::Identity(_) => Mode::Identity,
            Payload::Pairwise(_) => Mode::Pairwise,
            Payload::Session(_) => Mode::Session,
        }
    }

    /// The shower's key, for the modes that carry one.
    pub fn key(&self) -> Option<&PublicKey> {
        match self {
            Payload::Identity(c) => Some(&c.key),
            Payload::Pairwise(c) => Some(&c.key),
            Payload::Session(_) => None,
        }
    }

    /// The display name, if the payload carries one.
    pub fn display_name(&self) -> Option<&Label> {
        match self {
            Payload::Identity(c) => c.display_name.as_ref(),
            Payload::Pairwise(c) => c.display_name.as_ref(),
            Payload::Session(_) => None,
        }
    }

    /// The stable identifier, if the payload carries one.
    pub fn stable_id(&self) -> Option<&Label> {
        match self {
            Payload::Identity(c) => c.stable_id.as_ref(),
            Payload::Pairwise(c) => c.stable_id.as_ref(),
            Payload::Session(_) => None,
        }
    }

    /// Encodes the payload (its only encoding: fields in increasing type order).
    pub fn encode(&self) -> Vec<u8> {
        let mut fields: Vec<(Field, Vec<u8>)> = Vec::with_capacity(4);
        match self {
            Payload::Identity(c) => {
                push_identity_fields(&mut fields, &c.key, &c.display_name, &c.stable_id);
            }
            Payload::Pairwise(c) => {
                push_identity_fields(&mut fields, &c.key, &c.display_name, &c.stable_id);
                fields.push((
                    Field::PeerFingerprint,
                    c.peer_fingerprint.as_bytes().to_vec(),
                ));
            }
            Payload::Session(s) => fields.push((Field::JoinCode, s.as_bytes().to_vec())),
        }
        let mut out =
            Vec::with_capacity(7 + fields.iter().map(|(_, v)| 2 + v.len()).sum::<usize>());
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT_VERSION);
        out.push(self.mode().code());
        // At most 4 fields, each at most 64 bytes: the casts cannot truncate.
        out.push(fields.len() as u8);
        for (field, value) in fields {
            out.push(field.code());
            out.push(value.len() as u8);
            out.extend_from_slice(&value);
        }
        out
    }

    /// Decodes a payload strictly: the first failure is returned as its specific error.
    pub fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
            return Err(PayloadError::NotOurs);
        }
        let mut r = Reader {
            bytes,
            pos: MAGIC.len(),
        };
        let version = r.byte()?;
        if version != FORMAT_VERSION {
            return Err(PayloadError::UnknownVersion { version });
        }
        let mode_code = r.byte()?;
        let mode =
            Mode::from_code(mode_code).ok_or(PayloadError::UnknownMode { mode: mode_code })?;
        let count = r.byte()?;

        let mut found = Found::default();
        let mut previous: Option<Field> = None;
        for _ in 0..count {
            let code = r.byte()?;
            let len = usize::from(r.byte()?);
            let field = Field::from_code(code).ok_or(PayloadError::UnknownField { code })?;
            if let Some(after) = previous {
                if field == after {
                    return Err(PayloadError::DuplicateField { field });
                }
                if field < after {
                    return Err(PayloadError::FieldOutOfOrder { field, after });
                }
            }
            previous = Some(field);
            if !mode.allows(field) {
                return Err(PayloadError::FieldNotAllowed { field, mode });
            }
            if len > field.max_len() {
                return Err(PayloadError::OversizedField {
                    field,
                    len,
                    max: field.max_len(),
                });
            }
            if len < field.min_len() {
                return Err(PayloadError::UndersizedField {
                    field,
                    len,
                    min: field.min_len(),
                });
            }
            let value = r.take(len)?;
            found.set(field, value)?;
        }
        let rest = bytes.len().saturating_sub(r.pos);
        if rest != 0 {
            return Err(PayloadError::TrailingBytes { count: rest });
        }
        found.into_payload(mode)
    }
}

fn push_identity_fields(
    fields: &mut Vec<(Field, Vec<u8>)>,
    key: &PublicKey,
    name: &Option<Label>,
    stable_id: &Option<Label>,
) {
    fields.push((Field::Key, typed_key_bytes(key)));
    if let Some(n) = name {
        fields.push((Field::DisplayName, n.as_str().as_bytes().to_vec()));
    }
    if let Some(s) = stable_id {
        fields.push((Field::StableId, s.as_str().as_bytes().to_vec()));
    }
}

/// Key-type code followed by the key bytes (the value of a key field).
fn typed_key_bytes(key: &PublicKey) -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + key.as_bytes().len());
    v.push(key.key_type().code());
    v.extend_from_slice(key.as_bytes());
    v
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PayloadError> {
        let available = self.bytes.len().saturating_sub(self.pos);
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(PayloadError::Truncated {
                offset: self.pos,
                needed: n,
                available,
            }),
        }
    }

    fn byte(&mut self) -> Result<u8, PayloadError> {
        let b = self.take(1)?;
        b.first().copied().ok_or(PayloadError::Truncated {
            offset: self.pos,
            needed: 1,
            available: 0,
        })
    }
}

#[derive(Default)]
struct Found {
    key: Option<PublicKey>,
    display_name: Option<Label>,
    stable_id: Option<Label>,
    peer_fingerprint: Option<PairwiseFingerprint>,
    join_code: Option<SessionCode>,
}

impl Found {
    fn set(&mut self, field: Field, value: &[u8]) -> Result<(), PayloadError> {
        match field {
            Field::Key => self.key = Some(decode_key(value)?),
            Field::DisplayName => self.display_name = Some(decode_label(field, value)?),
            Field::StableId => self.stable_id = Some(decode_label(field, value)?),
            Field::PeerFingerprint => {
                let arr: [u8; PairwiseFingerprint::LEN] =
                    value
                        .try_into()
                        .map_err(|_| PayloadError::UndersizedField {
                            field,
                            len: value.len(),
                            min: PairwiseFingerprint::LEN,
                        })?;
                self.peer_fingerprint = Some(PairwiseFingerprint::from_bytes(arr));
            }
            Field::JoinCode => {
                self.join_code =
                    Some(
                        SessionCode::new(value).map_err(|_| PayloadError::UndersizedField {
                            field,
                            len: value.len(),
                            min: field.min_len(),
                        })?,
                    );
            }
        }
        Ok(())
    }

    fn into_payload(self, mode: Mode) -> Result<Payload, PayloadError> {
        let missing = |field| PayloadError::MissingField { field, mode };
        Ok(match mode {
            Mode::Identity => Payload::Identity(IdentityCard {
                key: self.key.ok_or(missing(Field::Key))?,
                display_name: self.display_name,
                stable_id: self.stable_id,
            }),
            Mode::Pairwise => Payload::Pairwise(PairwiseCard {
                key: self.key.ok_or(missing(Field::Key))?,
                display_name: self.display_name,
                stable_id: self.stable_id,
                peer_fingerprint: self
                    .peer_fingerprint
                    .ok_or(missing(Field::PeerFingerprint))?,
            }),
            Mode::Session => Payload::Session(self.join_code.ok_or(missing(Field::JoinCode))?),
        })
    }
}

fn decode_key(value: &[u8]) -> Result<PublicKey, PayloadError> {
    let (&code, key_bytes) = value.split_first().ok_or(PayloadError::UndersizedField {
        field: Field::Key,
        len: 0,
        min: Field::Key.min_len(),
    })?;
    let key_type = KeyType::from_code(code).map_err(|_| PayloadError::BadKeyType { code })?;
    let expected = key_type.key_len();
    if key_bytes.len() != expected {
        return Err(PayloadError::KeyLength {
            key_type,
            len: key_bytes.len(),
            expected,
        });
    }
    PublicKey::from_bytes(key_type, key_bytes).map_err(|_| PayloadError::InvalidPoint { key_type })
}

fn decode_label(field: Field, value: &[u8]) -> Result<Label, PayloadError> {
    let text = std::str::from_utf8(value).map_err(|_| PayloadError::InvalidText { field })?;
    Label::new(text).map_err(|e| match e {
        ValueError::ForbiddenCharacter { ch } => PayloadError::ForbiddenCharacter { field, ch },
        ValueError::TooLong { len, max } => PayloadError::OversizedField { field, len, max },
        ValueError::Empty => PayloadError::UndersizedField {
            field,
            len: 0,
            min: field.min_len(),
        },
    })
}
