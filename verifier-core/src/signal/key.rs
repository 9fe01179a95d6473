//! [`SignalIdentityKey`]: a Signal identity public key, typed and length-checked.

use std::fmt;
use std::str::FromStr;

/// Why bytes or text are not a Signal identity key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalKeyError {
    /// The key is not 33 bytes long.
    #[error(
        "a Signal identity key is 33 bytes (the type byte 0x05 followed by 32 Curve25519 bytes), \
         but {len} bytes were given: copy the whole serialized key"
    )]
    WrongLength {
        /// How many bytes were given.
        len: usize,
    },
    /// The first byte is not the Curve25519 ("DJB") type byte 0x05.
    #[error(
        "a Signal identity key starts with the type byte 0x05 (Curve25519), but it starts with \
         0x{prefix:02x}: this is not a serialized Signal identity key (a bare 32-byte key needs \
         the 05 prefix)"
    )]
    WrongPrefix {
        /// The first byte that was found instead.
        prefix: u8,
    },
    /// The hex text does not have 66 characters.
    #[error(
        "a Signal identity key in hex is 66 characters (33 bytes, starting with \"05\"), but \
         {len} characters were given: copy the whole key"
    )]
    WrongHexLength {
        /// How many characters were given (after trimming surrounding whitespace).
        len: usize,
    },
    /// The hex text contains a character that is not a hex digit.
    #[error(
        "character {found:?} at position {position} is not a hex digit (0-9, a-f): \
         a Signal identity key in hex uses only those"
    )]
    InvalidHexChar {
        /// Zero-based character position in the trimmed text.
        position: usize,
        /// The offending character.
        found: char,
    },
}

impl SignalKeyError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::WrongLength { .. } => 7201,
            Self::WrongPrefix { .. } => 7202,
            Self::WrongHexLength { .. } => 7203,
            Self::InvalidHexChar { .. } => 7204,
        }
    }
}

/// A Signal identity public key in libsignal's serialized form: the key-type byte
/// `0x05` (Curve25519, "DJB") followed by the 32-byte Montgomery u-coordinate.
///
/// These are exactly the 33 bytes libsignal hashes into a safety number. No curve-point
/// validation is done (libsignal does none either; every 32-byte string is a
/// u-coordinate), so any key Signal can show a safety number for is accepted.
///
/// ```
/// use verifier_core::signal::SignalIdentityKey;
/// let key: SignalIdentityKey =
///     "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868".parse()?;
/// assert_eq!(key.as_bytes()[0], 0x05);
/// assert_eq!(
///     SignalIdentityKey::from_bytes(&[0x05; 32]),
///     Err(verifier_core::signal::SignalKeyError::WrongLength { len: 32 })
/// );
/// # Ok::<(), verifier_core::signal::SignalKeyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalIdentityKey([u8; SignalIdentityKey::LEN]);

impl SignalIdentityKey {
    /// Length of the serialized key in bytes.
    pub const LEN: usize = 33;
    /// The key-type byte libsignal uses for Curve25519 keys.
    pub const TYPE_CURVE25519: u8 = 0x05;

    /// Parses the 33-byte serialized form (`0x05` ‖ 32 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignalKeyError> {
        let array: [u8; Self::LEN] = bytes
            .try_into()
            .map_err(|_| SignalKeyError::WrongLength { len: bytes.len() })?;
        match array.first() {
            Some(&Self::TYPE_CURVE25519) => Ok(Self(array)),
            Some(&prefix) => Err(SignalKeyError::WrongPrefix { prefix }),
            None => Err(SignalKeyError::WrongLength { len: 0 }),
        }
    }

    /// Wraps a bare 32-byte Curve25519 public key, adding the `0x05` type byte.
    pub fn from_curve25519(public: [u8; 32]) -> Self {
        let mut bytes = [Self::TYPE_CURVE25519; Self::LEN];
        for (dst, src) in bytes.iter_mut().skip(1).zip(public) {
            *dst = src;
        }
        Self(bytes)
    }

    /// Parses 66 hex characters (either case; surrounding whitespace is ignored).
    pub fn parse_hex(text: &str) -> Result<Self, SignalKeyError> {
        let text = text.trim();
        let len = text.chars().count();
        if len != 2 * Self::LEN {
            return Err(SignalKeyError::WrongHexLength { len });
        }
        let mut bytes = [0u8; Self::LEN];
        let mut chars = text.chars().enumerate();
        for byte in bytes.iter_mut() {
            let mut value = 0u8;
            for _ in 0..2 {
                let Some((position, found)) = chars.next() else {
                    return Err(SignalKeyError::WrongHexLength { len });
                };
                let digit = found
                    .to_digit(16)
                    .and_then(|d| u8::try_from(d).ok())
                    .ok_or(SignalKeyError::InvalidHexChar { position, found })?;
                value = (value << 4) | digit;
            }
            *byte = value;
        }
        Self::from_bytes(&bytes)
    }

    /// The 33 serialized bytes, as hashed into the safety number.
    pub fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }

    /// The 32 Curve25519 bytes without the type byte.
    pub fn curve25519_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (dst, src) in out.iter_mut().zip(self.0.iter().skip(1)) {
            *dst = *src;
        }
        out
    }

    /// The 66-character lowercase hex form (also what `Display` prints).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for SignalIdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for SignalIdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignalIdentityKey({})", self.to_hex())
    }
}

impl FromStr for SignalIdentityKey {
    type Err = SignalKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_hex(s)
    }
}

impl TryFrom<&[u8]> for SignalIdentityKey {
    type Error = SignalKeyError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        Self::from_bytes(bytes)
    }
}

impl AsRef<[u8]> for SignalIdentityKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
