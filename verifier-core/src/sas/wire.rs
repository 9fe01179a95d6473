//! The wire format of SAS messages (docs/sas-protocol.md, "Messages").
//!
//! Every message is `version u8 ‖ kind u8 ‖ flow_id[16] ‖ body_len u16 ‖ body`. The decoder
//! checks the version first, then the kind, the length and every field, and never panics.

use super::keys::{KeyType, PublicKey};

/// The protocol version this implementation speaks.
pub const PROTOCOL_VERSION: u8 = 0x01;
/// The largest message (and transport frame) accepted, in bytes.
pub const MAX_MESSAGE_LEN: usize = 512;
/// Length of the flow id chosen by the initiator.
pub const FLOW_ID_LEN: usize = 16;
/// The smallest `sas_bits` value the decoder accepts (the state machine requires more).
pub const MIN_DECODABLE_SAS_BITS: u8 = 8;
/// The largest `sas_bits` value: the six SAS bytes.
pub const MAX_SAS_BITS: u8 = 48;

const HEADER_LEN: usize = 2 + FLOW_ID_LEN + 2;

/// The random identifier of one protocol run, chosen by the initiator.
pub type FlowId = [u8; FLOW_ID_LEN];

/// The kind byte of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageKind {
    /// Initiator → responder: identity key, SAS length and commitment.
    Commit,
    /// Responder → initiator: identity key and ephemeral key.
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
        /// `H("verifier/v1/sas/commitment", …)` over the initiator's ephemeral key.
        commitment: [u8; 32],
    },
    /// See [`MessageKind::Accept`].
    Accept {
        /// The responder's identity key.
        identity: PublicKey,
        /// The responder's X25519 ephemeral public key.
        ephemeral: [u8; 32],
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

/// A decoded SAS protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The flow id of the run this message belongs to.
    pub flow_id: FlowId,
    /// The typed body.
    pub body: Body,
}

/// Why bytes are not a valid SAS message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message is longer than [`MAX_MESSAGE_LEN`].
    #[error(
        "SAS message is {len} bytes, more than the maximum of {max}; the peer is not a verifier v1 client"
    )]
    TooLong {
        /// Length received.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// The message is shorter than its header or its declared body.
    #[error("SAS message is truncated: {len} bytes where at least {needed} are needed")]
    Truncated {
        /// Length received.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// The version byte is not one this implementation speaks.
    #[error(
        "SAS protocol version {version} is not supported (this side speaks version 1); update both programs"
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
    /// The declared body length does not match the bytes that follow.
    #[error("SAS message declares a body of {declared} bytes but carries {actual}")]
    LengthMismatch {
        /// `body_len` field.
        declared: usize,
        /// Bytes after the header.
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
}

impl Message {
    /// Encodes the message into its wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(96);
        match &self.body {
            Body::Commit {
                sas_bits,
                identity,
                commitment,
            } => {
                body.push(*sas_bits);
                push_key(&mut body, identity);
                body.extend_from_slice(commitment);
            }
            Body::Accept {
                identity,
                ephemeral,
            } => {
                push_key(&mut body, identity);
                body.extend_from_slice(ephemeral);
            }
            Body::Reveal { ephemeral } => body.extend_from_slice(ephemeral),
            Body::Confirm { mac, signature } => {
                body.extend_from_slice(mac);
                body.extend_from_slice(signature);
            }
            Body::Cancel { code } => body.push(*code),
        }
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.push(PROTOCOL_VERSION);
        out.push(self.body.kind().code());
        out.extend_from_slice(&self.flow_id);
        // Bodies are at most 96 bytes, so the length always fits.
        out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Decodes wire bytes; never panics.
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
            needed: HEADER_LEN,
        };
        let kind_code = r.u8().ok_or(truncated.clone())?;
        let kind = MessageKind::from_code(kind_code)
            .ok_or(DecodeError::UnknownKind { kind: kind_code })?;
        let flow_id: FlowId = r.array().ok_or(truncated.clone())?;
        let len_bytes: [u8; 2] = r.array().ok_or(truncated)?;
        let declared = usize::from(u16::from_be_bytes(len_bytes));
        if declared != r.0.len() {
            if declared > r.0.len() {
                return Err(DecodeError::Truncated {
                    len: bytes.len(),
                    needed: HEADER_LEN.saturating_add(declared),
                });
            }
            return Err(DecodeError::LengthMismatch {
                declared,
                actual: r.0.len(),
            });
        }
        let expected = match kind {
            MessageKind::Commit => 1 + 2 + 32 + 32,
            MessageKind::Accept => 2 + 32 + 32,
            MessageKind::Reveal => 32,
            MessageKind::Confirm => 96,
            MessageKind::Cancel => 1,
        };
        if declared != expected {
            return Err(DecodeError::BadBodyLength {
                kind,
                expected,
                actual: declared,
            });
        }
        let short = DecodeError::BadBodyLength {
            kind,
            expected,
            actual: declared,
        };
        let body = match kind {
            MessageKind::Commit => {
                let sas_bits = r.u8().ok_or(short.clone())?;
                if !(MIN_DECODABLE_SAS_BITS..=MAX_SAS_BITS).contains(&sas_bits) {
                    return Err(DecodeError::BadSasBits { bits: sas_bits });
                }
                let identity = read_key(&mut r).ok_or(short.clone())??;
                let commitment = r.array().ok_or(short)?;
                Body::Commit {
                    sas_bits,
                    identity,
                    commitment,
                }
            }
            MessageKind::Accept => {
                let identity = read_key(&mut r).ok_or(short.clone())??;
                let ephemeral = r.array().ok_or(short)?;
                Body::Accept {
                    identity,
                    ephemeral,
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
        Ok(Self { flow_id, body })
    }
}

fn push_key(out: &mut Vec<u8>, key: &PublicKey) {
    out.push(key.key_type().code());
    out.push(32);
    out.extend_from_slice(key.as_bytes());
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
