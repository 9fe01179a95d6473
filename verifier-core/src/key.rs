//! Typed public identity keys and the text forms people actually have.
//!
//! A [`PublicKey`] always carries its [`KeyType`]; its bytes are checked when
//! it is built (canonical encoding, on the curve, not small-order, no torsion
//! component), so a value of this type is always a usable verification key.
//!
//! Accepted text forms ([`PublicKey::parse`]):
//!
//! * our canonical form `vk1-ed25519-<52 base32>-<6 base32 checksum>`
//!   (typed, versioned, checksummed: a typo is caught; see `docs/keys.md`);
//! * an OpenSSH line `ssh-ed25519 AAAA… comment`;
//! * 64 hexadecimal characters (the raw 32 key bytes; type Ed25519);
//! * base64 (standard or URL-safe, padded or not) of the raw 32 bytes.
//!
//! ```
//! use verifier_core::key::{KeyType, PublicKey};
//! let hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
//! let key = PublicKey::parse(hex)?;
//! assert_eq!(key.key_type(), KeyType::Ed25519);
//! let text = key.to_canonical_string();
//! assert!(text.starts_with("vk1-ed25519-"));
//! assert_eq!(PublicKey::parse(&text)?, key);
//! # Ok::<(), verifier_core::key::KeyError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use curve25519_dalek::edwards::CompressedEdwardsY;
use data_encoding::BASE32_NOPAD;

/// Domain label of the checksum in the canonical text form.
pub const CHECKSUM_DOMAIN: &str = "verifier/v1/key-text-checksum";

/// Prefix of the canonical text form (format version 1).
const CANONICAL_PREFIX: &str = "vk1-";

/// Number of base32 characters of checksum (30 bits).
const CHECKSUM_CHARS: usize = 6;

/// The type of an identity key. Every key in the toolkit carries one.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    /// An Ed25519 public key (RFC 8032), 32 bytes.
    Ed25519,
}

impl KeyType {
    /// The stable lowercase name used in text forms and hash inputs (`"ed25519"`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
        }
    }

    /// The stable one-byte code used in binary formats (`0x01` for Ed25519).
    pub fn code(self) -> u8 {
        match self {
            KeyType::Ed25519 => 0x01,
        }
    }

    /// The key type with the given binary code.
    pub fn from_code(code: u8) -> Result<Self, KeyError> {
        match code {
            0x01 => Ok(KeyType::Ed25519),
            other => Err(KeyError::UnknownKeyType {
                found: format!("code 0x{other:02x}"),
            }),
        }
    }

    /// The key type with the given name (case-insensitive).
    pub fn from_name(name: &str) -> Result<Self, KeyError> {
        if name.eq_ignore_ascii_case("ed25519") {
            Ok(KeyType::Ed25519)
        } else {
            Err(KeyError::UnknownKeyType {
                found: name.to_owned(),
            })
        }
    }

    /// The length in bytes of a public key of this type.
    pub fn key_len(self) -> usize {
        match self {
            KeyType::Ed25519 => 32,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a public key was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The input was empty.
    #[error("the key is empty: give a key in canonical (vk1-…), OpenSSH, 64-hex or base64 form")]
    Empty,
    /// The input matches none of the accepted forms.
    #[error(
        "not a key in any accepted form ({len} characters): expected vk1-ed25519-…, `ssh-ed25519 AAAA…`, 64 hex characters or base64 of 32 bytes"
    )]
    UnrecognizedFormat {
        /// Length of the (trimmed) input in characters.
        len: usize,
    },
    /// The key names a type this toolkit does not know.
    #[error("unknown key type `{found}`: only ed25519 keys are supported")]
    UnknownKeyType {
        /// The type as written in the input.
        found: String,
    },
    /// The canonical form has a version this toolkit does not know.
    #[error("unsupported key text version `{found}`: this toolkit reads vk1 keys; update verifier")]
    UnsupportedVersion {
        /// The version prefix as written.
        found: String,
    },
    /// The key has the wrong number of bytes for its type.
    #[error("wrong key length: a {key_type} key has {expected} bytes, this one has {found}")]
    WrongLength {
        /// The type the key claims.
        key_type: KeyType,
        /// Expected length in bytes.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The checksum of the canonical form does not match: a typo or a damaged copy.
    #[error(
        "key checksum mismatch: the key text was mistyped or damaged; copy it again from the source"
    )]
    BadChecksum,
    /// A field is not valid in its encoding (hex, base32, base64).
    #[error("invalid {encoding} in key: {detail}")]
    InvalidEncoding {
        /// The encoding that failed.
        encoding: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// An OpenSSH key line or blob is malformed.
    #[error("malformed OpenSSH public key: {detail}")]
    MalformedSsh {
        /// What was wrong.
        detail: String,
    },
    /// The bytes are not the encoding of a point on the curve.
    #[error("invalid {key_type} key: the bytes are not a point on the curve")]
    NotOnCurve {
        /// The key type.
        key_type: KeyType,
    },
    /// The point is encoded in a non-canonical way (another encoding of the same point exists).
    #[error("invalid {key_type} key: non-canonical point encoding")]
    NonCanonical {
        /// The key type.
        key_type: KeyType,
    },
    /// The point has small order (it is not a usable public key).
    #[error("invalid {key_type} key: low-order point (not a real public key)")]
    LowOrder {
        /// The key type.
        key_type: KeyType,
    },
    /// The point has a torsion component (not in the prime-order subgroup).
    #[error("invalid {key_type} key: point is not in the prime-order subgroup")]
    MixedOrder {
        /// The key type.
        key_type: KeyType,
    },
}

impl KeyError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Empty => 1001,
            Self::UnrecognizedFormat { .. } => 1002,
            Self::UnknownKeyType { .. } => 1003,
            Self::UnsupportedVersion { .. } => 1004,
            Self::WrongLength { .. } => 1005,
            Self::BadChecksum => 1006,
            Self::InvalidEncoding { .. } => 1007,
            Self::MalformedSsh { .. } => 1008,
            Self::NotOnCurve { .. } => 1009,
            Self::NonCanonical { .. } => 1010,
            Self::LowOrder { .. } => 1011,
            Self::MixedOrder { .. } => 1012,
        }
    }
}

/// A typed, validated public identity key.
///
/// Equality, ordering and hashing use the type and the key bytes.
#[derive(Clone, Copy)]
pub struct PublicKey {
    key_type: KeyType,
    bytes: [u8; 32],
    verifying: ed25519_dalek::VerifyingKey,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key_type == other.key_type && self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key_type.hash(state);
        self.bytes.hash(state);
    }
}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.key_type, self.bytes).cmp(&(other.key_type, other.bytes))
    }
}

impl PublicKey {
    /// Builds a key of type `key_type` from its raw bytes, checking the point.
    pub fn from_bytes(key_type: KeyType, bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::WrongLength {
            key_type,
            expected: key_type.key_len(),
            found: bytes.len(),
        })?;
        let verifying = match key_type {
            KeyType::Ed25519 => check_ed25519_point(&arr)?,
        };
        Ok(PublicKey {
            key_type,
            bytes: arr,
            verifying,
        })
    }

    /// Builds a key from an Ed25519 verifying key (checking the point like [`PublicKey::from_bytes`]).
    pub fn from_verifying_key(key: &ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        Self::from_bytes(KeyType::Ed25519, key.as_bytes())
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The Ed25519 verifying key (for checking signatures).
    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.verifying
    }

    /// The canonical text form `vk1-<type>-<base32 key>-<checksum>`.
    pub fn to_canonical_string(&self) -> String {
        let body = BASE32_NOPAD.encode(&self.bytes).to_ascii_lowercase();
        let check = checksum(self.key_type, &self.bytes);
        format!("{CANONICAL_PREFIX}{}-{body}-{check}", self.key_type.name())
    }

    /// The key as 64 lowercase hex characters (untyped: prefer the canonical form).
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// The key as an OpenSSH public-key line with the given comment (may be empty).
    pub fn to_openssh(&self, comment: &str) -> String {
        let mut blob = Vec::with_capacity(51);
        put_ssh_string(&mut blob, b"ssh-ed25519");
        put_ssh_string(&mut blob, &self.bytes);
        let b64 = base64::engine::general_purpose::STANDARD.encode(blob);
        if comment.is_empty() {
            format!("ssh-ed25519 {b64}")
        } else {
            format!("ssh-ed25519 {b64} {comment}")
        }
    }

    /// Parses a key in any accepted form (see the module documentation).
    pub fn parse(input: &str) -> Result<Self, KeyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(KeyError::Empty);
        }
        // Base64 of the 32 key bytes first: it may begin like another form (URL-safe
        // base64 can start `vk…` and hold a `-`, or start `sk-`), and no other form has
        // its length (43 or 44 characters), so a string that decodes to 32 bytes is one.
        if matches!(s.len(), 43 | 44)
            && s.bytes().all(is_base64_byte)
            && let Ok(bytes) = decode_base64_any(s)
            && bytes.len() == 32
        {
            return Self::from_bytes(KeyType::Ed25519, &bytes);
        }
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("vk") && lower.contains('-') {
            return parse_canonical(&lower);
        }
        if let Some(first) = s.split_whitespace().next()
            && (first.starts_with("ssh-")
                || first.starts_with("ecdsa-")
                || first.starts_with("sk-")
                || first.starts_with("rsa-"))
        {
            return parse_openssh(s);
        }
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            let bytes = hex::decode(s).map_err(|e| KeyError::InvalidEncoding {
                encoding: "hex",
                detail: e.to_string(),
            })?;
            return Self::from_bytes(KeyType::Ed25519, &bytes);
        }
        if s.bytes().all(|b| b.is_ascii_hexdigit()) && s.len().is_multiple_of(2) && s.len() != 44 {
            return Err(KeyError::WrongLength {
                key_type: KeyType::Ed25519,
                expected: 32,
                found: s.len() / 2,
            });
        }
        if s.bytes().all(is_base64_byte) {
            let bytes = decode_base64_any(s)?;
            return Self::from_bytes(KeyType::Ed25519, &bytes);
        }
        Err(KeyError::UnrecognizedFormat {
            len: s.chars().count(),
        })
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_canonical_string())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical_string())
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn check_ed25519_point(bytes: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
    let key_type = KeyType::Ed25519;
    let point = CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or(KeyError::NotOnCurve { key_type })?;
    if point.compress().as_bytes() != bytes {
        return Err(KeyError::NonCanonical { key_type });
    }
    if point.is_small_order() {
        return Err(KeyError::LowOrder { key_type });
    }
    if !point.is_torsion_free() {
        return Err(KeyError::MixedOrder { key_type });
    }
    ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotOnCurve { key_type })
}

/// The 6-character base32 checksum of a typed key (30 bits of a domain-separated BLAKE3 hash).
fn checksum(key_type: KeyType, bytes: &[u8; 32]) -> String {
    let mut h = blake3::Hasher::new_derive_key(CHECKSUM_DOMAIN);
    h.update(&[key_type.code()]);
    h.update(bytes);
    let digest = h.finalize();
    let encoded = BASE32_NOPAD
        .encode(&digest.as_bytes()[..4])
        .to_ascii_lowercase();
    encoded.chars().take(CHECKSUM_CHARS).collect()
}

fn parse_canonical(lower: &str) -> Result<PublicKey, KeyError> {
    let mut parts = lower.split('-');
    let version = parts.next().unwrap_or_default();
    if version != "vk1" {
        return Err(KeyError::UnsupportedVersion {
            found: version.to_owned(),
        });
    }
    let (Some(ty), Some(body), Some(check), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyError::InvalidEncoding {
            encoding: "canonical key text",
            detail: "expected vk1-<type>-<key>-<checksum>".to_owned(),
        });
    };
    let key_type = KeyType::from_name(ty)?;
    let upper = body.to_ascii_uppercase();
    let raw = BASE32_NOPAD
        .decode(upper.as_bytes())
        .map_err(|e| KeyError::InvalidEncoding {
            encoding: "base32",
            detail: e.to_string(),
        })?;
    if raw.len() != key_type.key_len() {
        return Err(KeyError::WrongLength {
            key_type,
            expected: key_type.key_len(),
            found: raw.len(),
        });
    }
    let mut arr = [0u8; 32];
    arr.copy_from_slice(&raw);
    let expected = checksum(key_type, &arr);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        check.as_bytes(),
    )) {
        return Err(KeyError::BadChecksum);
    }
    PublicKey::from_bytes(key_type, &arr)
}

fn parse_openssh(s: &str) -> Result<PublicKey, KeyError> {
    let mut fields = s.split_whitespace();
    let algo = fields.next().unwrap_or_default();
    if algo != "ssh-ed25519" {
        return Err(KeyError::UnknownKeyType {
            found: algo.to_owned(),
        });
    }
    let b64 = fields.next().ok_or_else(|| KeyError::MalformedSsh {
        detail: "missing base64 key blob after `ssh-ed25519`".to_owned(),
    })?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| KeyError::InvalidEncoding {
            encoding: "base64",
            detail: e.to_string(),
        })?;
    let mut rest = blob.as_slice();
    let name = take_ssh_string(&mut rest, "key type")?;
    if name != b"ssh-ed25519" {
        return Err(KeyError::MalformedSsh {
            detail: format!(
                "blob names key type `{}` but the line says ssh-ed25519",
                String::from_utf8_lossy(name)
            ),
        });
    }
    let key = take_ssh_string(&mut rest, "key bytes")?;
    if !rest.is_empty() {
        return Err(KeyError::MalformedSsh {
            detail: format!("{} trailing bytes after the key", rest.len()),
        });
    }
    PublicKey::from_bytes(KeyType::Ed25519, key)
}

fn take_ssh_string<'a>(rest: &mut &'a [u8], what: &str) -> Result<&'a [u8], KeyError> {
    let truncated = || KeyError::MalformedSsh {
        detail: format!("blob truncated in the {what}"),
    };
    let (len_bytes, after) = rest.split_at_checked(4).ok_or_else(truncated)?;
    let mut len_arr = [0u8; 4];
    len_arr.copy_from_slice(len_bytes);
    let len = u32::from_be_bytes(len_arr) as usize;
    let (value, after) = after.split_at_checked(len).ok_or_else(truncated)?;
    *rest = after;
    Ok(value)
}

fn put_ssh_string(out: &mut Vec<u8>, value: &[u8]) {
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
}

/// A character of base64 in any of the accepted alphabets (or padding).
fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

fn decode_base64_any(s: &str) -> Result<Vec<u8>, KeyError> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut last_err = None;
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        match engine.decode(s) {
            Ok(bytes) => return Ok(bytes),
            Err(e) => last_err = Some(e),
        }
    }
    Err(KeyError::InvalidEncoding {
        encoding: "base64",
        detail: last_err.map(|e| e.to_string()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC8032_PK: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    #[test]
    fn all_forms_parse_to_same_key() {
        let k = PublicKey::parse(RFC8032_PK).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(k.as_bytes());
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.as_bytes());
        for form in [
            k.to_canonical_string(),
            k.to_canonical_string().to_ascii_uppercase(),
            k.to_openssh("alice@laptop"),
            k.to_openssh(""),
            b64,
            b64url,
            format!("  {RFC8032_PK}\n"),
        ] {
            assert_eq!(PublicKey::parse(&form).unwrap(), k, "form {form}");
        }
    }

    #[test]
    fn checksum_catches_typo() {
        let k = PublicKey::parse(RFC8032_PK).unwrap();
        let text = k.to_canonical_string();
        let body_start = "vk1-ed25519-".len();
        let mut chars: Vec<char> = text.chars().collect();
        chars[body_start + 3] = if chars[body_start + 3] == 'a' {
            'b'
        } else {
            'a'
        };
        let typo: String = chars.into_iter().collect();
        assert_eq!(PublicKey::parse(&typo), Err(KeyError::BadChecksum));
    }

    #[test]
    fn specific_errors() {
        assert_eq!(PublicKey::parse("  "), Err(KeyError::Empty));
        assert!(matches!(
            PublicKey::parse("vk2-ed25519-aaaa-bbbbbb"),
            Err(KeyError::UnsupportedVersion { .. })
        ));
        assert!(matches!(
            PublicKey::parse("vk1-x448-aaaa-bbbbbb"),
            Err(KeyError::UnknownKeyType { .. })
        ));
        assert!(matches!(
            PublicKey::parse(&RFC8032_PK[..62]),
            Err(KeyError::WrongLength { found: 31, .. })
        ));
        assert!(matches!(
            PublicKey::parse("ssh-rsa AAAAB3NzaC1yc2E= x"),
            Err(KeyError::UnknownKeyType { .. })
        ));
        // Identity point (small order).
        let mut ident = [0u8; 32];
        ident[0] = 1;
        assert!(matches!(
            PublicKey::from_bytes(KeyType::Ed25519, &ident),
            Err(KeyError::LowOrder { .. })
        ));
        // y = p (non-canonical encoding of y = 0).
        let mut noncanon = [0xffu8; 32];
        noncanon[0] = 0xed;
        noncanon[31] = 0x7f;
        assert!(matches!(
            PublicKey::from_bytes(KeyType::Ed25519, &noncanon),
            Err(KeyError::NonCanonical { .. }) | Err(KeyError::LowOrder { .. })
        ));
        assert!(matches!(
            PublicKey::parse("not a key!"),
            Err(KeyError::UnrecognizedFormat { .. })
        ));
    }

    /// Found by the `key_text` fuzz target: URL-safe base64 that begins with `vk` and holds
    /// a `-` was taken for the canonical form and refused ("unsupported version").
    #[test]
    fn base64_that_looks_canonical_is_base64() {
        let key =
            PublicKey::parse("bca97027ba6dac395b3a63871b508151af8841c69e00137f82a4b55ede73d1ca")
                .unwrap();
        for form in [
            "vKlwJ7ptrDlbOmOHG1CBUa-IQcaeABN_gqS1Xt5z0co=",
            "vKlwJ7ptrDlbOmOHG1CBUa-IQcaeABN_gqS1Xt5z0co",
            " vKlwJ7ptrDlbOmOHG1CBUa-IQcaeABN_gqS1Xt5z0co=\n",
        ] {
            assert_eq!(PublicKey::parse(form), Ok(key), "{form}");
        }
        // A truncated canonical key of base64 length still gets the canonical error.
        let canonical = key.to_canonical_string();
        assert!(matches!(
            PublicKey::parse(&canonical[..44]),
            Err(KeyError::InvalidEncoding { .. })
        ));
    }
}
