//! Identity rotation: a signed statement "identity OLD hands over to identity
//! NEW at time T", and chains of them.
//!
//! A [`Rotation`] is signed by **both** identities: by OLD, so the old key
//! really agreed to hand over, and by NEW, so nobody can name someone else's
//! key as their successor. Decoding ([`Rotation::from_bytes`],
//! [`Rotation::from_text`], [`Rotation::decode`]) checks both signatures with
//! `verify_strict`; a [`Rotation`] value therefore always is a checked one.
//!
//! A [`RotationChain`] is a list of rotations that link, oldest first, from
//! the first identity the user had to the current one. Receipts signed by any
//! identity of the chain are the user's own ([`RotationChain::is_own_identity`]).
//! An identity replaced without a rotation (lost, or `keygen --force`) is not
//! linked, so receipts it signed no longer count.
//!
//! The byte layout, the text forms and the chain file are specified in
//! `docs/identity-rotation.md` and pinned by `tests/vectors/identity_rotation.json`.
//! This module does no file I/O.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::Timestamp;
//! use verifier_core::rotation::{Rotation, RotationChain};
//!
//! let first = Identity::generate(&mut rand_core::OsRng);
//! let second = Identity::generate(&mut rand_core::OsRng);
//! let rotation = Rotation::sign(&first, &second, Timestamp::from_unix_secs(1_700_000_000))?;
//!
//! // Offline check: parsing verifies both signatures.
//! let back = Rotation::from_text(&rotation.to_text())?;
//! assert_eq!(back.old_key(), &first.public_key());
//!
//! let chain = RotationChain::new(vec![back], &second.public_key())?;
//! assert_eq!(chain.previous_identities(), &[first.public_key()]);
//! assert!(chain.is_own_identity(&first.public_key()));
//! let text = chain.to_text();
//! assert_eq!(RotationChain::parse(&text, &second.public_key())?, chain);
//! # Ok::<(), verifier_core::rotation::RotationError>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::identity::Identity;
use crate::key::PublicKey;
use crate::receipt::Timestamp;
use crate::wire::{self, KeyProblem, push_key};

/// Domain label of both rotation signatures (see `docs/identity-rotation.md`).
pub const ROTATION_SIGNATURE_DOMAIN: &str = "verifier/v1/identity-rotation";
/// The four magic bytes every binary rotation starts with.
pub const ROTATION_MAGIC: [u8; 4] = *b"VROT";
/// The rotation format version this code writes and reads.
pub const ROTATION_VERSION: u8 = 1;
/// The prefix of the text form: `verifier-rotation:` + base64url (no padding).
pub const ROTATION_TEXT_PREFIX: &str = "verifier-rotation:";
/// Length of a binary rotation with Ed25519 keys (the only key type so far).
pub const ROTATION_LEN: usize = BODY_LEN + 2 * SIGNATURE_LEN;

const SIGNATURE_LEN: usize = 64;
/// magic 4 + version 1 + 2 × (type 1 + length 1 + key 32) + time 8.
const BODY_LEN: usize = 4 + 1 + 2 * (2 + 32) + 8;

/// Which of the two identities of a rotation an error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// The identity that hands over (the previous one).
    Old,
    /// The identity that takes over (the successor).
    New,
}

impl KeyRole {
    /// `"old"` or `"new"` (used in messages, JSON and test vectors).
    pub const fn name(self) -> &'static str {
        match self {
            KeyRole::Old => "old",
            KeyRole::New => "new",
        }
    }
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a rotation or a chain of rotations could not be made, decoded or accepted.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    /// The input ended before the field `field`.
    #[error("identity rotation is truncated: it ends inside the {field}; use the complete text")]
    Truncated {
        /// The field that is cut off.
        field: &'static str,
    },
    /// The input does not start with the rotation magic bytes (or the text prefix).
    #[error("not a verifier identity rotation (missing the \"VROT\" magic bytes)")]
    NotARotation,
    /// The rotation has a format version this code does not read.
    #[error(
        "unsupported identity rotation version {found} (this build reads version {supported}); upgrade verifier"
    )]
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
        /// The version this build reads.
        supported: u8,
    },
    /// A key in the rotation has a type this code does not know.
    #[error(
        "unsupported key type code 0x{code:02x} for the {role} key; only ed25519 (0x01) is supported"
    )]
    UnsupportedKeyType {
        /// Which key.
        role: KeyRole,
        /// The key type code found.
        code: u8,
    },
    /// A key field has the wrong length for its type.
    #[error("the {role} key has {found} bytes, but its type needs {expected}")]
    InvalidKeyLength {
        /// Which key.
        role: KeyRole,
        /// Bytes found.
        found: usize,
        /// Bytes the type needs.
        expected: usize,
    },
    /// A key field does not hold a valid public key.
    #[error("the {role} key is not a valid public key of its type")]
    InvalidKey {
        /// Which key.
        role: KeyRole,
    },
    /// Bytes follow the second signature.
    #[error("{count} unexpected bytes after the rotation signatures")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The time does not fit the store's range.
    #[error("rotation time {secs} is out of range (at most {max} seconds since 1970)")]
    TimeOutOfRange {
        /// The seconds found.
        secs: u64,
        /// The maximum.
        max: u64,
    },
    /// The old and the new identity are the same key.
    #[error("the old and the new identity are the same key {key}: that is no rotation")]
    SameKey {
        /// The key named twice.
        key: Box<PublicKey>,
    },
    /// The text form is not `verifier-rotation:` followed by base64url.
    #[error("malformed identity rotation text: {reason}")]
    InvalidText {
        /// What is wrong.
        reason: &'static str,
    },
    /// A signature does not verify (strictly) for its key in the rotation.
    #[error(
        "the {role} identity's signature on the rotation is invalid: the statement was altered or that identity did not sign it"
    )]
    BadSignature {
        /// Whose signature failed (the old one is checked first).
        role: KeyRole,
    },
    /// Two consecutive rotations of a chain do not link: rotation `index`
    /// hands over from `found`, but the one before handed over to `expected`.
    #[error(
        "the rotation chain is broken at rotation {index} (counting from 0, oldest first): it starts from {found}, but the rotation before it handed over to {expected}"
    )]
    ChainBroken {
        /// Index of the rotation that does not continue the chain.
        index: usize,
        /// The new key of the rotation before it.
        expected: Box<PublicKey>,
        /// The old key of this rotation.
        found: Box<PublicKey>,
    },
    /// Rotation `index` hands over to a key that already appeared earlier in the chain.
    #[error(
        "the rotation chain has a cycle: rotation {index} (counting from 0, oldest first) hands over to {key}, which appears earlier in the chain"
    )]
    ChainCycle {
        /// Index of the rotation that returns to an earlier key.
        index: usize,
        /// The repeated key.
        key: Box<PublicKey>,
    },
    /// The last rotation hands over to another identity than the current one.
    #[error(
        "the rotation chain ends at {found}, not at the current identity {current}: it belongs to another identity, or the identity was replaced without a rotation"
    )]
    ChainDoesNotEndAtCurrent {
        /// The new key of the last rotation.
        found: Box<PublicKey>,
        /// The current identity.
        current: Box<PublicKey>,
    },
    /// A line of a chain file does not hold a valid rotation.
    #[error("rotation chain line {line}: {source}")]
    InvalidChainLine {
        /// 1-based line number.
        line: usize,
        /// Why the rotation on that line was refused.
        #[source]
        source: Box<RotationError>,
    },
}

impl RotationError {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::InvalidChainLine`] has a number of its own; the error of that line (`source`)
    /// gives its own number with [`code`](Self::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::Truncated { .. } => 5101,
            Self::NotARotation => 5102,
            Self::UnsupportedVersion { .. } => 5103,
            Self::UnsupportedKeyType { .. } => 5104,
            Self::InvalidKeyLength { .. } => 5105,
            Self::InvalidKey { .. } => 5106,
            Self::TrailingBytes { .. } => 5107,
            Self::TimeOutOfRange { .. } => 5108,
            Self::SameKey { .. } => 5109,
            Self::InvalidText { .. } => 5110,
            Self::BadSignature { .. } => 5111,
            Self::ChainBroken { .. } => 5112,
            Self::ChainCycle { .. } => 5113,
            Self::ChainDoesNotEndAtCurrent { .. } => 5114,
            Self::InvalidChainLine { .. } => 5115,
        }
    }

    /// A stable snake_case name for the error kind (used in JSON output and test vectors).
    pub fn kind(&self) -> &'static str {
        match self {
            RotationError::Truncated { .. } => "truncated",
            RotationError::NotARotation => "not_a_rotation",
            RotationError::UnsupportedVersion { .. } => "unsupported_version",
            RotationError::UnsupportedKeyType { .. } => "unsupported_key_type",
            RotationError::InvalidKeyLength { .. } => "invalid_key_length",
            RotationError::InvalidKey { .. } => "invalid_key",
            RotationError::TrailingBytes { .. } => "trailing_bytes",
            RotationError::TimeOutOfRange { .. } => "time_out_of_range",
            RotationError::SameKey { .. } => "same_key",
            RotationError::InvalidText { .. } => "invalid_text",
            RotationError::BadSignature { .. } => "bad_signature",
            RotationError::ChainBroken { .. } => "chain_broken",
            RotationError::ChainCycle { .. } => "chain_cycle",
            RotationError::ChainDoesNotEndAtCurrent { .. } => "chain_does_not_end_at_current",
            RotationError::InvalidChainLine { .. } => "invalid_chain_line",
        }
    }
}

/// A checked identity rotation: OLD hands over to NEW at time T, signed by both.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rotation {
    old: PublicKey,
    new: PublicKey,
    at: Timestamp,
    bytes: Vec<u8>,
}

impl Rotation {
    /// Signs "`old` hands over to `new` at `at`" with both identities.
    ///
    /// Fails with [`RotationError::SameKey`] if both are the same key and with
    /// [`RotationError::TimeOutOfRange`] if `at` is after [`Timestamp::MAX`].
    pub fn sign(old: &Identity, new: &Identity, at: Timestamp) -> Result<Rotation, RotationError> {
        let (old_key, new_key) = (old.public_key(), new.public_key());
        check_time(at)?;
        check_distinct(&old_key, &new_key)?;
        let mut bytes = encode_body(&old_key, &new_key, at);
        let message = signed_message(&bytes);
        let old_sig = old.sign(&message);
        let new_sig = new.sign(&message);
        bytes.extend_from_slice(&old_sig.to_bytes());
        bytes.extend_from_slice(&new_sig.to_bytes());
        Ok(Rotation {
            old: old_key,
            new: new_key,
            at,
            bytes,
        })
    }

    /// Decodes a binary rotation and checks it completely, both signatures
    /// included (`verify_strict`), in the order of `docs/identity-rotation.md`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Rotation, RotationError> {
        let mut r = Reader::new(bytes, |field| RotationError::Truncated { field });
        if r.take(4, "magic")? != ROTATION_MAGIC {
            return Err(RotationError::NotARotation);
        }
        let version = r.u8("version")?;
        if version != ROTATION_VERSION {
            return Err(RotationError::UnsupportedVersion {
                found: version,
                supported: ROTATION_VERSION,
            });
        }
        let old = r.key(KeyRole::Old)?;
        let new = r.key(KeyRole::New)?;
        let secs = r.u64("time")?;
        let body_len = r.pos();
        let old_sig = r.signature(KeyRole::Old)?;
        let new_sig = r.signature(KeyRole::New)?;
        if r.pos() < bytes.len() {
            return Err(RotationError::TrailingBytes {
                count: bytes.len() - r.pos(),
            });
        }
        let at = Timestamp::from_unix_secs(secs);
        check_time(at)?;
        check_distinct(&old, &new)?;
        let body = bytes
            .get(..body_len)
            .ok_or(RotationError::Truncated { field: "time" })?;
        let message = signed_message(body);
        for (role, key, sig) in [(KeyRole::Old, &old, old_sig), (KeyRole::New, &new, new_sig)] {
            key.verifying_key()
                .verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&sig))
                .map_err(|_| RotationError::BadSignature { role })?;
        }
        Ok(Rotation {
            old,
            new,
            at,
            bytes: bytes.to_vec(),
        })
    }

    /// Decodes the text form (`verifier-rotation:` + base64url without
    /// padding; surrounding whitespace is ignored) and checks it like
    /// [`Rotation::from_bytes`].
    pub fn from_text(text: &str) -> Result<Rotation, RotationError> {
        let b64 =
            text.trim()
                .strip_prefix(ROTATION_TEXT_PREFIX)
                .ok_or(RotationError::InvalidText {
                    reason: "it does not start with \"verifier-rotation:\"",
                })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| RotationError::InvalidText {
                reason: "the part after \"verifier-rotation:\" is not unpadded base64url",
            })?;
        Self::from_bytes(&bytes)
    }

    /// Decodes either form: binary if it starts with the magic bytes, text
    /// otherwise (anything that is neither is [`RotationError::NotARotation`]).
    pub fn decode(input: &[u8]) -> Result<Rotation, RotationError> {
        if input.starts_with(&ROTATION_MAGIC) {
            return Self::from_bytes(input);
        }
        let text = std::str::from_utf8(input).map_err(|_| RotationError::NotARotation)?;
        if !text.trim_start().starts_with(ROTATION_TEXT_PREFIX) {
            return Err(RotationError::NotARotation);
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
            "{ROTATION_TEXT_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(&self.bytes)
        )
    }

    /// The identity that hands over (signed the statement).
    pub fn old_key(&self) -> &PublicKey {
        &self.old
    }

    /// The identity that takes over (signed the statement too).
    pub fn new_key(&self) -> &PublicKey {
        &self.new
    }

    /// When the hand-over happened, as stated by the signers.
    pub fn at(&self) -> Timestamp {
        self.at
    }
}

/// A checked chain of rotations, oldest first, ending at the current identity.
///
/// An empty chain is valid: an identity that was never rotated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationChain {
    rotations: Vec<Rotation>,
    previous: Vec<PublicKey>,
    current: PublicKey,
}

impl RotationChain {
    /// Checks that `rotations` form one chain, oldest first, ending at `current`.
    ///
    /// Each rotation's new key must be the next one's old key
    /// ([`RotationError::ChainBroken`]), no key may appear twice
    /// ([`RotationError::ChainCycle`]) and the last new key must be `current`
    /// ([`RotationError::ChainDoesNotEndAtCurrent`]). Checked in this order,
    /// rotation by rotation from the oldest.
    pub fn new(
        rotations: Vec<Rotation>,
        current: &PublicKey,
    ) -> Result<RotationChain, RotationError> {
        let mut previous: Vec<PublicKey> = Vec::with_capacity(rotations.len());
        let mut seen = BTreeSet::new();
        let mut last_new: Option<&PublicKey> = None;
        for (index, rotation) in rotations.iter().enumerate() {
            match last_new {
                None => {
                    seen.insert(rotation.old);
                }
                Some(expected) if expected != &rotation.old => {
                    return Err(RotationError::ChainBroken {
                        index,
                        expected: Box::new(*expected),
                        found: Box::new(rotation.old),
                    });
                }
                Some(_) => {}
            }
            if !seen.insert(rotation.new) {
                return Err(RotationError::ChainCycle {
                    index,
                    key: Box::new(rotation.new),
                });
            }
            previous.push(rotation.old);
            last_new = Some(&rotation.new);
        }
        if let Some(found) = last_new
            && found != current
        {
            return Err(RotationError::ChainDoesNotEndAtCurrent {
                found: Box::new(*found),
                current: Box::new(*current),
            });
        }
        Ok(RotationChain {
            rotations,
            previous,
            current: *current,
        })
    }

    /// Parses a chain file: one `verifier-rotation:` line per rotation, oldest
    /// first; blank lines and lines starting with `#` (after leading
    /// whitespace) are ignored. Then checks the chain like [`RotationChain::new`].
    ///
    /// A line that is not a valid rotation is [`RotationError::InvalidChainLine`]
    /// with its 1-based line number.
    pub fn parse(text: &str, current: &PublicKey) -> Result<RotationChain, RotationError> {
        let mut rotations = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let rotation =
                Rotation::from_text(line).map_err(|e| RotationError::InvalidChainLine {
                    line: i + 1,
                    source: Box::new(e),
                })?;
            rotations.push(rotation);
        }
        Self::new(rotations, current)
    }

    /// The chain file text: one rotation per line, oldest first, each line
    /// ending in a newline; no comments. Empty for an empty chain.
    pub fn to_text(&self) -> String {
        self.rotations.iter().map(|r| r.to_text() + "\n").collect()
    }

    /// The user's earlier identities, oldest first (the current one excluded).
    pub fn previous_identities(&self) -> &[PublicKey] {
        &self.previous
    }

    /// The current identity (where the chain ends).
    pub fn current(&self) -> &PublicKey {
        &self.current
    }

    /// Whether `key` is the current identity or one of the previous ones.
    pub fn is_own_identity(&self, key: &PublicKey) -> bool {
        &self.current == key || self.previous.contains(key)
    }

    /// The rotations, oldest first (`rotations()[i]` retires `previous_identities()[i]`).
    pub fn rotations(&self) -> &[Rotation] {
        &self.rotations
    }
}

fn check_time(at: Timestamp) -> Result<(), RotationError> {
    if at > Timestamp::MAX {
        return Err(RotationError::TimeOutOfRange {
            secs: at.as_unix_secs(),
            max: Timestamp::MAX.as_unix_secs(),
        });
    }
    Ok(())
}

fn check_distinct(old: &PublicKey, new: &PublicKey) -> Result<(), RotationError> {
    if old == new {
        return Err(RotationError::SameKey {
            key: Box::new(*old),
        });
    }
    Ok(())
}

/// The message both identities sign: `u8 len(label) || label || body`.
fn signed_message(body: &[u8]) -> Vec<u8> {
    let label = ROTATION_SIGNATURE_DOMAIN.as_bytes();
    let mut m = Vec::with_capacity(1 + label.len() + body.len());
    // The label is a short constant (29 bytes).
    m.push(label.len() as u8);
    m.extend_from_slice(label);
    m.extend_from_slice(body);
    m
}

fn encode_body(old: &PublicKey, new: &PublicKey, at: Timestamp) -> Vec<u8> {
    let mut out = Vec::with_capacity(ROTATION_LEN);
    out.extend_from_slice(&ROTATION_MAGIC);
    out.push(ROTATION_VERSION);
    push_key(&mut out, old);
    push_key(&mut out, new);
    out.extend_from_slice(&at.as_unix_secs().to_be_bytes());
    out
}

/// The rotation's reader: the shared one, with rotation errors.
type Reader<'a> = wire::Reader<'a, RotationError>;

impl Reader<'_> {
    fn key(&mut self, role: KeyRole) -> Result<PublicKey, RotationError> {
        let field = match role {
            KeyRole::Old => "old key",
            KeyRole::New => "new key",
        };
        self.typed_key(field, |problem| match problem {
            KeyProblem::UnsupportedType { code } => {
                RotationError::UnsupportedKeyType { role, code }
            }
            KeyProblem::Length { found, expected } => RotationError::InvalidKeyLength {
                role,
                found,
                expected,
            },
            KeyProblem::Invalid => RotationError::InvalidKey { role },
        })
    }

    fn signature(&mut self, role: KeyRole) -> Result<[u8; SIGNATURE_LEN], RotationError> {
        let field = match role {
            KeyRole::Old => "old signature",
            KeyRole::New => "new signature",
        };
        self.array(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(seed: u8) -> Identity {
        Identity::from_seed(&[seed; 32]).unwrap()
    }

    fn key(seed: u8) -> PublicKey {
        identity(seed).public_key()
    }

    const T: Timestamp = Timestamp::from_unix_secs(1_700_000_000);

    fn rotation(old: u8, new: u8) -> Rotation {
        Rotation::sign(&identity(old), &identity(new), T).unwrap()
    }

    /// The body of `old_key → new_key` at `at`, with the signatures the closures make.
    fn forge(
        old_key: &PublicKey,
        new_key: &PublicKey,
        at: Timestamp,
        old_sig: impl Fn(&[u8]) -> [u8; 64],
        new_sig: impl Fn(&[u8]) -> [u8; 64],
    ) -> Vec<u8> {
        let mut bytes = encode_body(old_key, new_key, at);
        let message = signed_message(&bytes);
        bytes.extend_from_slice(&old_sig(&message));
        bytes.extend_from_slice(&new_sig(&message));
        bytes
    }

    fn signer(seed: u8) -> impl Fn(&[u8]) -> [u8; 64] {
        move |m| identity(seed).sign(m).to_bytes()
    }

    const OLD_SIG: usize = BODY_LEN;
    const NEW_SIG: usize = BODY_LEN + SIGNATURE_LEN;

    #[test]
    fn round_trip_binary_and_text() {
        let r = rotation(1, 2);
        assert_eq!(r.as_bytes().len(), ROTATION_LEN);
        assert_eq!(r.as_bytes().len(), 209);
        assert_eq!(r.old_key(), &key(1));
        assert_eq!(r.new_key(), &key(2));
        assert_eq!(r.at(), T);
        assert_eq!(Rotation::from_bytes(r.as_bytes()).unwrap(), r);
        assert!(r.to_text().starts_with("verifier-rotation:"));
        assert_eq!(
            Rotation::from_text(&format!(" \t{}\r\n", r.to_text())).unwrap(),
            r
        );
        assert_eq!(Rotation::decode(r.as_bytes()).unwrap(), r);
        assert_eq!(Rotation::decode(r.to_text().as_bytes()).unwrap(), r);
        assert_eq!(
            Rotation::decode(format!("\n{}\n", r.to_text()).as_bytes()).unwrap(),
            r
        );
    }

    #[test]
    fn layout_is_as_documented() {
        let r = rotation(1, 2);
        let b = r.as_bytes();
        assert_eq!(&b[0..4], b"VROT");
        assert_eq!(b[4], 1);
        assert_eq!(&b[5..7], &[0x01, 32]);
        assert_eq!(&b[7..39], key(1).as_bytes());
        assert_eq!(&b[39..41], &[0x01, 32]);
        assert_eq!(&b[41..73], key(2).as_bytes());
        assert_eq!(&b[73..81], &1_700_000_000u64.to_be_bytes());
        let mut msg = vec![29u8];
        msg.extend_from_slice(b"verifier/v1/identity-rotation");
        msg.extend_from_slice(&b[..81]);
        let sig = |range: std::ops::Range<usize>| {
            ed25519_dalek::Signature::from_bytes(&b[range].try_into().unwrap())
        };
        key(1)
            .verifying_key()
            .verify_strict(&msg, &sig(81..145))
            .unwrap();
        key(2)
            .verifying_key()
            .verify_strict(&msg, &sig(145..209))
            .unwrap();
    }

    #[test]
    fn successor_claimed_without_old_key_signature_refused() {
        // A genuine rotation 1 → 2 exists. Identity 3 copies its old signature,
        // puts its own key as the successor and signs its part: the old
        // identity never agreed to hand over to 3.
        let genuine = rotation(1, 2);
        let copied: [u8; 64] = genuine.as_bytes()[OLD_SIG..NEW_SIG].try_into().unwrap();
        let forged = forge(&key(1), &key(3), T, |_| copied, signer(3));
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
        // No old signature at all (zeros).
        let forged = forge(&key(1), &key(3), T, |_| [0; 64], signer(3));
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn rotation_forged_by_new_key_alone_refused() {
        // The would-be successor signs both places.
        let forged = forge(&key(1), &key(3), T, signer(3), signer(3));
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn someone_elses_key_named_as_successor_refused() {
        // Identity 1 claims identity 2 (whose secret it does not hold) as its
        // successor, signing both places itself.
        let forged = forge(&key(1), &key(2), T, signer(1), signer(1));
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::New })
        );
        let forged = forge(&key(1), &key(2), T, signer(1), |_| [0; 64]);
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::New })
        );
    }

    #[test]
    fn signatures_swapped_refused() {
        let mut b = rotation(1, 2).as_bytes().to_vec();
        let (old, new) = (b[OLD_SIG..NEW_SIG].to_vec(), b[NEW_SIG..].to_vec());
        b[OLD_SIG..NEW_SIG].copy_from_slice(&new);
        b[NEW_SIG..].copy_from_slice(&old);
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn keys_swapped_to_reverse_the_rotation_refused() {
        // Turning "1 hands over to 2" into "2 hands over to 1".
        let mut b = rotation(1, 2).as_bytes().to_vec();
        b[7..39].copy_from_slice(key(2).as_bytes());
        b[41..73].copy_from_slice(key(1).as_bytes());
        assert!(matches!(
            Rotation::from_bytes(&b),
            Err(RotationError::BadSignature { .. })
        ));
    }

    #[test]
    fn new_key_replaced_refused() {
        let mut b = rotation(1, 2).as_bytes().to_vec();
        b[41..73].copy_from_slice(key(3).as_bytes());
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn time_changed_refused() {
        let mut b = rotation(1, 2).as_bytes().to_vec();
        b[80] ^= 1;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn version_byte_changed_refused() {
        for v in [0u8, 2, 0xff] {
            let mut b = rotation(1, 2).as_bytes().to_vec();
            b[4] = v;
            assert_eq!(
                Rotation::from_bytes(&b),
                Err(RotationError::UnsupportedVersion {
                    found: v,
                    supported: 1
                })
            );
        }
    }

    #[test]
    fn receipt_signatures_are_not_rotation_signatures() {
        // The same body signed under the receipt domain label: domain separation.
        let receipt_domain = |seed: u8| {
            move |m: &[u8]| {
                let label = crate::receipt::RECEIPT_SIGNATURE_DOMAIN.as_bytes();
                let body = &m[1 + ROTATION_SIGNATURE_DOMAIN.len()..];
                let mut other = vec![label.len() as u8];
                other.extend_from_slice(label);
                other.extend_from_slice(body);
                identity(seed).sign(&other).to_bytes()
            }
        };
        let forged = forge(&key(1), &key(2), T, receipt_domain(1), receipt_domain(2));
        assert_eq!(
            Rotation::from_bytes(&forged),
            Err(RotationError::BadSignature { role: KeyRole::Old })
        );
    }

    #[test]
    fn non_canonical_signature_scalar_refused() {
        // S + L, the same signature with a non-canonical scalar: verify_strict refuses it.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        for (start, role) in [(OLD_SIG, KeyRole::Old), (NEW_SIG, KeyRole::New)] {
            let mut b = rotation(1, 2).as_bytes().to_vec();
            let s = &mut b[start + 32..start + 64];
            let mut carry = 0u16;
            for (x, l) in s.iter_mut().zip(L) {
                let sum = u16::from(*x) + u16::from(l) + carry;
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
            assert_eq!(carry, 0);
            assert_eq!(
                Rotation::from_bytes(&b),
                Err(RotationError::BadSignature { role })
            );
        }
    }

    #[test]
    fn same_key_refused() {
        assert_eq!(
            Rotation::sign(&identity(1), &identity(1), T),
            Err(RotationError::SameKey {
                key: Box::new(key(1))
            })
        );
        // Validly signed twice by the same key.
        let forged = forge(&key(1), &key(1), T, signer(1), signer(1));
        assert_eq!(
            Rotation::from_bytes(&forged).map_err(|e| e.kind()),
            Err("same_key")
        );
    }

    #[test]
    fn time_out_of_range_refused() {
        let late = Timestamp::from_unix_secs(1 << 63);
        assert!(matches!(
            Rotation::sign(&identity(1), &identity(2), late),
            Err(RotationError::TimeOutOfRange { .. })
        ));
        let forged = forge(&key(1), &key(2), late, signer(1), signer(2));
        assert!(matches!(
            Rotation::from_bytes(&forged),
            Err(RotationError::TimeOutOfRange { secs, .. }) if secs == 1 << 63
        ));
        let max = Rotation::sign(&identity(1), &identity(2), Timestamp::MAX).unwrap();
        assert_eq!(Rotation::from_bytes(max.as_bytes()).unwrap(), max);
    }

    #[test]
    fn invalid_keys_refused() {
        let good = rotation(1, 2).as_bytes().to_vec();
        let mut b = good.clone();
        b[5] = 0x02;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::UnsupportedKeyType {
                role: KeyRole::Old,
                code: 2
            })
        );
        let mut b = good.clone();
        b[39] = 0x00;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::UnsupportedKeyType {
                role: KeyRole::New,
                code: 0
            })
        );
        let mut b = good.clone();
        b[40] = 31;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::InvalidKeyLength {
                role: KeyRole::New,
                found: 31,
                expected: 32
            })
        );
        // The identity point (small order) as the old key.
        let mut b = good.clone();
        b[7..39].copy_from_slice(&[0; 32]);
        b[7] = 1;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::InvalidKey { role: KeyRole::Old })
        );
        // y = 2 is not on the curve.
        let mut b = good;
        b[41..73].copy_from_slice(&[0; 32]);
        b[41] = 2;
        assert_eq!(
            Rotation::from_bytes(&b),
            Err(RotationError::InvalidKey { role: KeyRole::New })
        );
    }

    #[test]
    fn every_flipped_bit_refused() {
        let bytes = rotation(1, 2).as_bytes().to_vec();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut t = bytes.clone();
                t[i] ^= 1 << bit;
                assert!(
                    Rotation::from_bytes(&t).is_err(),
                    "byte {i} bit {bit} accepted"
                );
            }
        }
    }

    #[test]
    fn every_truncation_and_trailing_bytes_refused() {
        let r = rotation(1, 2);
        let bytes = r.as_bytes();
        for n in 0..bytes.len() {
            let e = Rotation::from_bytes(&bytes[..n]).unwrap_err();
            assert_eq!(e.kind(), "truncated", "prefix {n}: {e}");
        }
        assert_eq!(
            Rotation::from_bytes(&bytes[..OLD_SIG + 10]),
            Err(RotationError::Truncated {
                field: "old signature"
            })
        );
        assert_eq!(
            Rotation::from_bytes(&bytes[..bytes.len() - 1]),
            Err(RotationError::Truncated {
                field: "new signature"
            })
        );
        let mut long = bytes.to_vec();
        long.extend_from_slice(b"\0\0");
        assert_eq!(
            Rotation::from_bytes(&long),
            Err(RotationError::TrailingBytes { count: 2 })
        );
    }

    #[test]
    fn text_and_magic_errors() {
        let r = rotation(1, 2);
        let mut b = r.as_bytes().to_vec();
        b[3] = b'X';
        assert_eq!(Rotation::from_bytes(&b), Err(RotationError::NotARotation));
        assert_eq!(Rotation::decode(&b), Err(RotationError::NotARotation));
        assert_eq!(
            Rotation::from_bytes(b"VRCT\x01"),
            Err(RotationError::NotARotation)
        );
        assert_eq!(Rotation::decode(b"hello"), Err(RotationError::NotARotation));
        assert_eq!(
            Rotation::decode(&[0xff, 0xfe]),
            Err(RotationError::NotARotation)
        );
        assert_eq!(
            Rotation::decode(b"verifier-receipt:AAAA"),
            Err(RotationError::NotARotation)
        );
        assert_eq!(
            Rotation::from_bytes(b""),
            Err(RotationError::Truncated { field: "magic" })
        );
        let text = r.to_text();
        for bad in [
            text.replacen("verifier-rotation:", "Verifier-rotation:", 1),
            text.replacen("verifier-rotation:", "verifier-receipt:", 1),
            format!("{text}="),
            format!("{text}AA"),
            text.replacen("verifier-rotation:", "verifier-rotation: ", 1),
            format!("{text}*"),
        ] {
            assert_eq!(
                Rotation::from_text(&bad).map_err(|e| e.kind()),
                Err("invalid_text"),
                "{bad}"
            );
        }
    }

    #[test]
    fn chain_links_and_reports_identities() {
        let chain = RotationChain::new(vec![rotation(1, 2), rotation(2, 3)], &key(3)).unwrap();
        assert_eq!(chain.previous_identities(), &[key(1), key(2)]);
        assert_eq!(chain.current(), &key(3));
        assert_eq!(chain.rotations().len(), 2);
        for k in [key(1), key(2), key(3)] {
            assert!(chain.is_own_identity(&k));
        }
        assert!(!chain.is_own_identity(&key(4)));
        let text = chain.to_text();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
        assert_eq!(RotationChain::parse(&text, &key(3)).unwrap(), chain);
    }

    #[test]
    fn empty_chain_is_the_current_identity_alone() {
        for chain in [
            RotationChain::new(vec![], &key(1)).unwrap(),
            RotationChain::parse("", &key(1)).unwrap(),
            RotationChain::parse("# no rotations yet\n\n", &key(1)).unwrap(),
        ] {
            assert!(chain.previous_identities().is_empty());
            assert!(chain.is_own_identity(&key(1)));
            assert!(!chain.is_own_identity(&key(2)));
            assert_eq!(chain.to_text(), "");
        }
    }

    #[test]
    fn chain_with_cycle_refused() {
        let e = RotationChain::new(vec![rotation(1, 2), rotation(2, 1)], &key(1)).unwrap_err();
        assert_eq!(
            e,
            RotationError::ChainCycle {
                index: 1,
                key: Box::new(key(1))
            }
        );
        let e = RotationChain::new(
            vec![rotation(1, 2), rotation(2, 3), rotation(3, 2)],
            &key(2),
        )
        .unwrap_err();
        assert_eq!(
            e,
            RotationError::ChainCycle {
                index: 2,
                key: Box::new(key(2))
            }
        );
    }

    #[test]
    fn chain_not_ending_at_current_refused() {
        // The identity was replaced without a rotation after 1 → 2 (lost, or
        // `keygen --force`): the chain does not reach the current identity 3.
        let e = RotationChain::new(vec![rotation(1, 2)], &key(3)).unwrap_err();
        assert_eq!(
            e,
            RotationError::ChainDoesNotEndAtCurrent {
                found: Box::new(key(2)),
                current: Box::new(key(3))
            }
        );
        assert_eq!(e.kind(), "chain_does_not_end_at_current");
        // Someone else's (valid) chain presented as ours.
        assert!(RotationChain::new(vec![rotation(5, 6)], &key(1)).is_err());
    }

    #[test]
    fn chain_with_gap_or_wrong_order_refused() {
        let e = RotationChain::new(vec![rotation(1, 2), rotation(3, 4)], &key(4)).unwrap_err();
        assert_eq!(
            e,
            RotationError::ChainBroken {
                index: 1,
                expected: Box::new(key(2)),
                found: Box::new(key(3))
            }
        );
        let e = RotationChain::new(vec![rotation(2, 3), rotation(1, 2)], &key(2)).unwrap_err();
        assert_eq!(e.kind(), "chain_broken");
        // A rotation repeated.
        let e = RotationChain::new(vec![rotation(1, 2), rotation(1, 2)], &key(2)).unwrap_err();
        assert_eq!(e.kind(), "chain_broken");
    }

    #[test]
    fn chain_with_forged_link_refused() {
        // A tampered line in the chain file: the chain is refused with its line number.
        let good = rotation(2, 3).to_text();
        let mut bytes = rotation(2, 3).as_bytes().to_vec();
        bytes[80] ^= 1;
        let tampered = format!("{ROTATION_TEXT_PREFIX}{}", URL_SAFE_NO_PAD.encode(&bytes));
        let text = format!(
            "# my identities\n{}\n\n  {good}\n",
            rotation(1, 2).to_text()
        );
        assert_eq!(
            RotationChain::parse(&text, &key(3))
                .unwrap()
                .previous_identities(),
            &[key(1), key(2)]
        );
        let text = text.replace(&good, &tampered);
        assert_eq!(
            RotationChain::parse(&text, &key(3)),
            Err(RotationError::InvalidChainLine {
                line: 4,
                source: Box::new(RotationError::BadSignature { role: KeyRole::Old })
            })
        );
        let e = RotationChain::parse("# x\nnot a rotation\n", &key(3)).unwrap_err();
        assert_eq!(e.kind(), "invalid_chain_line");
        assert!(e.to_string().starts_with("rotation chain line 2: "), "{e}");
    }

    #[test]
    fn kinds_are_snake_case_and_distinct() {
        let k = Box::new(key(1));
        let all = [
            RotationError::Truncated { field: "magic" },
            RotationError::NotARotation,
            RotationError::UnsupportedVersion {
                found: 2,
                supported: 1,
            },
            RotationError::UnsupportedKeyType {
                role: KeyRole::Old,
                code: 2,
            },
            RotationError::InvalidKeyLength {
                role: KeyRole::Old,
                found: 1,
                expected: 32,
            },
            RotationError::InvalidKey { role: KeyRole::New },
            RotationError::TrailingBytes { count: 1 },
            RotationError::TimeOutOfRange { secs: 0, max: 0 },
            RotationError::SameKey { key: k.clone() },
            RotationError::InvalidText { reason: "x" },
            RotationError::BadSignature { role: KeyRole::New },
            RotationError::ChainBroken {
                index: 1,
                expected: k.clone(),
                found: k.clone(),
            },
            RotationError::ChainCycle {
                index: 1,
                key: k.clone(),
            },
            RotationError::ChainDoesNotEndAtCurrent {
                found: k.clone(),
                current: k,
            },
            RotationError::InvalidChainLine {
                line: 1,
                source: Box::new(RotationError::NotARotation),
            },
        ];
        let kinds: BTreeSet<&str> = all.iter().map(RotationError::kind).collect();
        assert_eq!(kinds.len(), all.len());
        for k in kinds {
            assert!(k.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{k}");
        }
    }
}
