//! The wire format of SAS messages (docs/sas-protocol.md, "Messages").
//!
//! Every message is `version u8 ‖ kind u8 ‖ flow_id[16] ‖ seq u8 ‖ epoch u8 ‖ body_len u16 ‖
//! body ‖ tag[32]`. [`Frame::decode`] checks the version first, then the kind, the lengths
//! and every field, and never panics; the tag is checked separately ([`Frame::verify`])
//! because which key applies depends on the receiver's state.

use super::extensions::{ExtensionError, Extensions, MAX_EXTENSIONS_LEN};
use super::keys::{KeyType, PublicKey};
use super::schedule::{TAG_LEN, TagKey};
use crate::wire::push_key;

/// The protocol version this implementation speaks (and the only one it accepts).
pub const PROTOCOL_VERSION: u8 = 0x02;
/// The largest message (and transport frame) accepted, in bytes.
pub const MAX_MESSAGE_LEN: usize = 512;
/// Length of the flow id chosen by the initiator.
pub const FLOW_ID_LEN: usize = 16;
/// The smallest `sas_bits` value the decoder accepts (the state machine requires more).
pub const MIN_DECODABLE_SAS_BITS: u8 = 8;
/// The largest `sas_bits` value: the six SAS bytes.
pub const MAX_SAS_BITS: u8 = 48;
/// Length of the header before the body.
pub const HEADER_LEN: usize = 2 + FLOW_ID_LEN + 2 + 2;

/// The random identifier of one protocol run, chosen by the initiator.
pub type FlowId = [u8; FLOW_ID_LEN];

/// Which key tags a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Epoch {
    /// `0`: a key derived from the join secret (before this side has session keys).
    Join,
    /// `1`: a key derived from the X25519 shared secret and the transcript.
    Session,
}

impl Epoch {
    /// The byte that encodes this epoch.
    pub fn code(self) -> u8 {
        match self {
            Self::Join => 0,
            Self::Session => 1,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Join),
            1 => Some(Self::Session),
            _ => None,
        }
    }
}

/// The kind byte of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// Initiator → responder: identity key, SAS length, commitment and extensions.
    Commit,
    /// Responder → initiator: identity key, ephemeral key and extensions.
    Accept,
    /// Initiator → responder: the committed ephemeral key.
    Reveal,
    /// Both: MAC over the own identity key and signature over the transcript.
    Confirm,
    /// Both: the run ends, with a reason.
    Cancel,
}

impl MessageKind {
    /// The byte that encodes this kind.
    pub fn code(self) -> u8 {
        match self {
            Self::Commit => 0x01,
            Self::Accept => 0x02,
            Self::Reveal => 0x03,
            Self::Confirm => 0x04,
            Self::Cancel => 0x05,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => Self::Commit,
            0x02 => Self::Accept,
            0x03 => Self::Reveal,
            0x04 => Self::Confirm,
            0x05 => Self::Cancel,
            _ => return None,
        })
    }
}

/// The body of a decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// See [`MessageKind::Commit`].
    Commit {
        /// Number of SAS bits both sides compare.
        sas_bits: u8,
        /// The initiator's identity key.
        identity: PublicKey,
        /// `H("verifier/v2/sas/commitment", …)` over the initiator's ephemeral key.
        commitment: [u8; 32],
        /// The initiator's extensions (bound by the commitment).
        extensions: Extensions,
    },
    /// See [`MessageKind::Accept`].
    Accept {
        /// The responder's identity key.
        identity: PublicKey,
        /// The responder's X25519 ephemeral public key.
        ephemeral: [u8; 32],
        /// The responder's extensions.
        extensions: Extensions,
    },
    /// See [`MessageKind::Reveal`].
    Reveal {
        /// The initiator's X25519 ephemeral public key.
        ephemeral: [u8; 32],
    },
    /// See [`MessageKind::Confirm`].
    Confirm {
        /// HMAC-SHA256 over the sender's typed identity key.
        mac: [u8; 32],
        /// Ed25519 signature over the transcript hash.
        signature: [u8; 64],
    },
    /// See [`MessageKind::Cancel`].
    Cancel {
        /// The wire reason code (unknown codes are kept as they are).
        code: u8,
    },
}

impl Body {
    /// The kind of this body.
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::Commit { .. } => MessageKind::Commit,
            Self::Accept { .. } => MessageKind::Accept,
            Self::Reveal { .. } => MessageKind::Reveal,
            Self::Confirm { .. } => MessageKind::Confirm,
            Self::Cancel { .. } => MessageKind::Cancel,
        }
    }
}

/// A SAS protocol message (without its tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The flow id of the run this message belongs to.
    pub flow_id: FlowId,
    /// The sender's sequence number: 0 for its first message, one more for each next one.
    pub seq: u8,
    /// Which key tags the message.
    pub epoch: Epoch,
    /// The typed body.
    pub body: Body,
}

/// Why bytes are not a valid SAS message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message is longer than [`MAX_MESSAGE_LEN`].
    #[error(
        "SAS message is {len} bytes, more than the maximum of {max}; the peer is not a verifier client"
    )]
    TooLong {
        /// Length received.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The message is shorter than its header, its declared body or its tag.
    #[error("SAS message is truncated: {len} bytes where at least {needed} are needed")]
    Truncated {
        /// Length received.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// The version byte is not one this implementation speaks.
    #[error(
        "SAS protocol version {version} is not supported (this side speaks only version 2); update verifier on both sides"
    )]
    UnsupportedVersion {
        /// The version byte received.
        version: u8,
    },
    /// The kind byte is unknown.
    #[error("unknown SAS message kind 0x{kind:02x}")]
    UnknownKind {
        /// The kind byte received.
        kind: u8,
    },
    /// The epoch byte is neither 0 nor 1.
    #[error("unknown SAS key epoch {epoch}")]
    UnknownEpoch {
        /// The epoch byte received.
        epoch: u8,
    },
    /// The declared body length does not match the bytes that follow.
    #[error("SAS message declares a body of {declared} bytes but carries {actual}")]
    LengthMismatch {
        /// `body_len` field.
        declared: usize,
        /// Bytes between the header and the tag.
        actual: usize,
    },
    /// The body has the wrong size for its kind.
    #[error("SAS {kind:?} body is {actual} bytes; it must be {expected}")]
    BadBodyLength {
        /// The kind.
        kind: MessageKind,
        /// Expected size.
        expected: usize,
        /// Received size.
        actual: usize,
    },
    /// The key type byte is unknown.
    #[error("unknown identity key type 0x{code:02x} in SAS message")]
    UnknownKeyType {
        /// The type byte received.
        code: u8,
    },
    /// The key length does not fit the key type.
    #[error("identity key of {len} bytes in SAS message; an ed25519 key has 32")]
    BadKeyLength {
        /// The length byte received.
        len: u8,
    },
    /// The key bytes are not a valid key of that type.
    #[error("identity key in SAS message is not a valid ed25519 public key")]
    InvalidKey,
    /// `sas_bits` is outside `8..=48`.
    #[error("SAS length of {bits} bits is out of range (8..=48)")]
    BadSasBits {
        /// The value received.
        bits: u8,
    },
    /// The extension fields are not canonical.
    #[error("SAS extensions: {0}")]
    Extensions(#[from] ExtensionError),
}

impl DecodeError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::TooLong { .. } => 4101,
            Self::Truncated { .. } => 4102,
            Self::UnsupportedVersion { .. } => 4103,
            Self::UnknownKind { .. } => 4104,
            Self::UnknownEpoch { .. } => 4105,
            Self::LengthMismatch { .. } => 4106,
            Self::BadBodyLength { .. } => 4107,
            Self::UnknownKeyType { .. } => 4108,
            Self::BadKeyLength { .. } => 4109,
            Self::InvalidKey => 4110,
            Self::BadSasBits { .. } => 4111,
            Self::Extensions(_) => 4112,
        }
    }
}

impl Message {
    /// The bytes the tag covers: header and body.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(96);
        match &self.body {
            Body::Commit {
                sas_bits,
                identity,
                commitment,
                extensions,
            } => {
                body.push(*sas_bits);
                push_key(&mut body, identity);
                body.extend_from_slice(commitment);
                push_extensions(&mut body, extensions);
            }
            Body::Accept {
                identity,
                ephemeral,
                extensions,
            } => {
                push_key(&mut body, identity);
                body.extend_from_slice(ephemeral);
                push_extensions(&mut body, extensions);
            }
            Body::Reveal { ephemeral } => body.extend_from_slice(ephemeral),
            Body::Confirm { mac, signature } => {
                body.extend_from_slice(mac);
                body.extend_from_slice(signature);
            }
            Body::Cancel { code } => body.push(*code),
        }
        let mut out = Vec::with_capacity(HEADER_LEN + body.len() + TAG_LEN);
        out.push(PROTOCOL_VERSION);
        out.push(self.body.kind().code());
        out.extend_from_slice(&self.flow_id);
        out.push(self.seq);
        out.push(self.epoch.code());
        // Bodies are at most 67 + 1 + 128 bytes, so the length always fits.
        out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Encodes the message with its tag under `key`.
    pub fn encode(&self, key: &TagKey) -> Vec<u8> {
        let mut out = self.signed_bytes();
        let tag = key.tag(&out);
        out.extend_from_slice(&tag);
        out
    }
}

/// A decoded message with its tag, not yet authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    message: Message,
    /// The bytes the tag covers, as received.
    signed: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl Frame {
    /// Decodes wire bytes; never panics. The tag is not checked here: see [`Self::verify`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(DecodeError::TooLong {
                len: bytes.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        let mut r = Reader(bytes);
        let version = r.u8().ok_or(DecodeError::Truncated {
            len: bytes.len(),
            needed: 1,
        })?;
        if version != PROTOCOL_VERSION {
            return Err(DecodeError::UnsupportedVersion { version });
        }
        let truncated = DecodeError::Truncated {
            len: bytes.len(),
            needed: HEADER_LEN + TAG_LEN,
        };
        let kind_code = r.u8().ok_or(truncated.clone())?;
        let kind = MessageKind::from_code(kind_code)
            .ok_or(DecodeError::UnknownKind { kind: kind_code })?;
        let flow_id: FlowId = r.array().ok_or(truncated.clone())?;
        let seq = r.u8().ok_or(truncated.clone())?;
        let epoch_code = r.u8().ok_or(truncated.clone())?;
        let epoch =
            Epoch::from_code(epoch_code).ok_or(DecodeError::UnknownEpoch { epoch: epoch_code })?;
        let len_bytes: [u8; 2] = r.array().ok_or(truncated)?;
        let declared = usize::from(u16::from_be_bytes(len_bytes));
        let needed = HEADER_LEN.saturating_add(declared).saturating_add(TAG_LEN);
        if bytes.len() < needed {
            return Err(DecodeError::Truncated {
                len: bytes.len(),
                needed,
            });
        }
        if bytes.len() > needed {
            return Err(DecodeError::LengthMismatch {
                declared,
                actual: bytes.len() - HEADER_LEN - TAG_LEN,
            });
        }
        let signed_len = HEADER_LEN + declared;
        let (signed, tag_bytes) = bytes.split_at(signed_len);
        let mut body_reader = Reader(&signed[HEADER_LEN..]);
        let body = decode_body(kind, declared, &mut body_reader)?;
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(tag_bytes);
        Ok(Self {
            message: Message {
                flow_id,
                seq,
                epoch,
                body,
            },
            signed: signed.to_vec(),
            tag,
        })
    }

    /// The decoded message (not yet authenticated).
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// Checks the tag (constant time) over the header and body as received (the decoder
    /// accepts only canonical encodings, so they are also the re-encoded fields).
    pub fn verify(&self, key: &TagKey) -> bool {
        key.verify(&self.signed, &self.tag)
    }

    /// The message, once the caller has verified the tag.
    pub fn into_message(self) -> Message {
        self.message
    }
}

fn fixed_len(kind: MessageKind) -> Option<usize> {
    match kind {
        MessageKind::Reveal => Some(32),
        MessageKind::Confirm => Some(96),
        MessageKind::Cancel => Some(1),
        MessageKind::Commit | MessageKind::Accept => None,
    }
}

fn decode_body(
    kind: MessageKind,
    declared: usize,
    r: &mut Reader<'_>,
) -> Result<Body, DecodeError> {
    // Commit: sas_bits ‖ key ‖ commitment ‖ ext_len ‖ ext; Accept: key ‖ eph ‖ ext_len ‖ ext.
    let fixed = match kind {
        MessageKind::Commit => 1 + 2 + 32 + 32 + 1,
        MessageKind::Accept => 2 + 32 + 32 + 1,
        other => fixed_len(other).unwrap_or(0),
    };
    let variable = matches!(kind, MessageKind::Commit | MessageKind::Accept);
    if (variable && declared < fixed) || (!variable && declared != fixed) {
        return Err(DecodeError::BadBodyLength {
            kind,
            expected: fixed,
            actual: declared,
        });
    }
    let short = DecodeError::BadBodyLength {
        kind,
        expected: fixed,
        actual: declared,
    };
    let body = match kind {
        MessageKind::Commit => {
            let sas_bits = r.u8().ok_or(short.clone())?;
            if !(MIN_DECODABLE_SAS_BITS..=MAX_SAS_BITS).contains(&sas_bits) {
                return Err(DecodeError::BadSasBits { bits: sas_bits });
            }
            let identity = read_key(r).ok_or(short.clone())??;
            let commitment = r.array().ok_or(short.clone())?;
            let extensions = read_extensions(kind, fixed, declared, r)?;
            Body::Commit {
                sas_bits,
                identity,
                commitment,
                extensions,
            }
        }
        MessageKind::Accept => {
            let identity = read_key(r).ok_or(short.clone())??;
            let ephemeral = r.array().ok_or(short.clone())?;
            let extensions = read_extensions(kind, fixed, declared, r)?;
            Body::Accept {
                identity,
                ephemeral,
                extensions,
            }
        }
        MessageKind::Reveal => Body::Reveal {
            ephemeral: r.array().ok_or(short)?,
        },
        MessageKind::Confirm => {
            let mac = r.array().ok_or(short.clone())?;
            let signature = r.array().ok_or(short)?;
            Body::Confirm { mac, signature }
        }
        MessageKind::Cancel => Body::Cancel {
            code: r.u8().ok_or(short)?,
        },
    };
    Ok(body)
}

fn read_extensions(
    kind: MessageKind,
    fixed: usize,
    declared: usize,
    r: &mut Reader<'_>,
) -> Result<Extensions, DecodeError> {
    let len = usize::from(r.u8().unwrap_or(0));
    if len > MAX_EXTENSIONS_LEN || r.0.len() != len {
        return Err(DecodeError::BadBodyLength {
            kind,
            expected: fixed.saturating_add(len.min(MAX_EXTENSIONS_LEN)),
            actual: declared,
        });
    }
    Ok(Extensions::decode(r.0)?)
}

fn push_extensions(out: &mut Vec<u8>, extensions: &Extensions) {
    let bytes = extensions.encode();
    out.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&bytes);
}

/// Reads `key_type ‖ key_len ‖ key`; the outer `None` means "ran out of bytes".
fn read_key(r: &mut Reader<'_>) -> Option<Result<PublicKey, DecodeError>> {
    let code = r.u8()?;
    let len = r.u8()?;
    let bytes: [u8; 32] = r.array()?;
    if code != KeyType::Ed25519.code() {
        return Some(Err(DecodeError::UnknownKeyType { code }));
    }
    if len != 32 {
        return Some(Err(DecodeError::BadKeyLength { len }));
    }
    Some(PublicKey::from_bytes(KeyType::Ed25519, &bytes).map_err(|_| DecodeError::InvalidKey))
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
}
