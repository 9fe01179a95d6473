//! What a run shows and answers: phases, decisions, outputs, and why a run ended or a
//! message was ignored.

use super::code::SasCode;
use super::keys::PublicKey;
use super::wire::DecodeError;
use crate::render::SasEmoji;

/// Why a run ended without verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancelReason {
    /// The person at this side said the codes differ.
    UserNoMatch,
    /// The person at the other side said the codes differ.
    PeerNoMatch,
    /// The peer's MAC or signature did not verify.
    MacMismatch,
    /// The revealed ephemeral key does not match the commitment.
    CommitmentMismatch,
    /// A message arrived that is not the next one expected (replay, out of order, other flow).
    UnexpectedMessage,
    /// A message could not be decoded (including oversized ones).
    MalformedMessage,
    /// The peer speaks another protocol version.
    UnsupportedVersion,
    /// A wait lasted longer than the configured timeout.
    Timeout,
    /// The person at this side cancelled.
    UserCancelled,
    /// The peer cancelled for a reason other than "no match".
    PeerCancelled,
    /// The host's first message did not prove that it knows the join code's secret.
    WrongJoinCode,
    /// The peer asked for a weaker SAS than this side accepts.
    UnsupportedParameters,
    /// An ephemeral key gave an all-zero (non-contributory) shared secret.
    NonContributoryKey,
    /// The connection closed before the run ended.
    ConnectionLost,
}

impl CancelReason {
    /// A stable snake_case name (used in the CLI's JSON events).
    pub fn name(self) -> &'static str {
        match self {
            Self::UserNoMatch => "user_no_match",
            Self::PeerNoMatch => "peer_no_match",
            Self::MacMismatch => "mac_mismatch",
            Self::CommitmentMismatch => "commitment_mismatch",
            Self::UnexpectedMessage => "unexpected_message",
            Self::MalformedMessage => "malformed_message",
            Self::UnsupportedVersion => "unsupported_version",
            Self::Timeout => "timeout",
            Self::UserCancelled => "user_cancelled",
            Self::PeerCancelled => "peer_cancelled",
            Self::WrongJoinCode => "wrong_join_code",
            Self::UnsupportedParameters => "unsupported_parameters",
            Self::NonContributoryKey => "non_contributory_key",
            Self::ConnectionLost => "connection_lost",
        }
    }

    /// The code this side sends in its Cancel message, or `None` when the reason came from
    /// the peer or the connection (nothing is sent then).
    pub fn wire_code(self) -> Option<u8> {
        Some(match self {
            Self::UserNoMatch => 0x01,
            Self::MacMismatch => 0x02,
            Self::CommitmentMismatch => 0x03,
            Self::UnexpectedMessage => 0x04,
            Self::MalformedMessage => 0x05,
            Self::UnsupportedVersion => 0x06,
            Self::Timeout => 0x07,
            Self::UserCancelled => 0x08,
            Self::WrongJoinCode => 0x09,
            Self::UnsupportedParameters => 0x0a,
            Self::NonContributoryKey => 0x0b,
            Self::PeerNoMatch | Self::PeerCancelled | Self::ConnectionLost => return None,
        })
    }

    /// How this side reads a Cancel code from the peer.
    pub fn from_peer_code(code: u8) -> Self {
        if code == 0x01 {
            Self::PeerNoMatch
        } else {
            Self::PeerCancelled
        }
    }

    /// A stable number for this reason (docs/errors.md).
    pub fn code(self) -> u16 {
        match self {
            Self::UserNoMatch => 4501,
            Self::PeerNoMatch => 4502,
            Self::MacMismatch => 4503,
            Self::CommitmentMismatch => 4504,
            Self::UnexpectedMessage => 4505,
            Self::MalformedMessage => 4506,
            Self::UnsupportedVersion => 4507,
            Self::Timeout => 4508,
            Self::UserCancelled => 4509,
            Self::PeerCancelled => 4510,
            Self::WrongJoinCode => 4511,
            Self::UnsupportedParameters => 4512,
            Self::NonContributoryKey => 4513,
            Self::ConnectionLost => 4514,
        }
    }

    pub(super) fn from_decode_error(e: &DecodeError) -> Self {
        match e {
            DecodeError::UnsupportedVersion { .. } => Self::UnsupportedVersion,
            _ => Self::MalformedMessage,
        }
    }
}

impl core::fmt::Display for CancelReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = match self {
            Self::UserNoMatch => "you said the codes do not match",
            Self::PeerNoMatch => "the other person said the codes do not match",
            Self::MacMismatch => "the peer's confirmation did not verify (possible attack)",
            Self::CommitmentMismatch => "the peer's key does not match its commitment (attack)",
            Self::UnexpectedMessage => "a message arrived out of order or was replayed",
            Self::MalformedMessage => "a message could not be read",
            Self::UnsupportedVersion => "the peer speaks another protocol version",
            Self::Timeout => "the other side took too long",
            Self::UserCancelled => "you cancelled",
            Self::PeerCancelled => "the other side cancelled",
            Self::WrongJoinCode => {
                "the host did not prove it knows the join code (a mistyped code, or another host)"
            }
            Self::UnsupportedParameters => "the peer asked for a code that is too short",
            Self::NonContributoryKey => "the peer sent an invalid ephemeral key (attack)",
            Self::ConnectionLost => "the connection closed",
        };
        f.write_str(text)
    }
}

/// What the person answered after comparing the codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The codes are the same.
    Match,
    /// A script answered "match" without anyone comparing (e.g. `--yes`).
    /// The protocol runs as with [`Decision::Match`], but the run's
    /// [`evidence`](super::SasSession::evidence) says so and the trust engine never
    /// records it: with nobody comparing, a man in the middle always wins.
    ScriptedMatch,
    /// The codes differ.
    NoMatch,
    /// Stop the run.
    Cancel,
}

/// The coarse public phase of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Waiting for the peer's next message.
    WaitingForPeer,
    /// Both sides hold the SAS: show it and ask "do they match?" (people compare any one
    /// of the three renderings).
    Compare {
        /// Four BIP39 English words (44 bits); `sas.words(lang)` gives other languages.
        words: Vec<&'static str>,
        /// Seven Matrix SAS emoji (42 bits), each with its names.
        emoji: Vec<SasEmoji>,
        /// Three Matrix decimals, 1000..=9191 (39 bits).
        decimals: [u16; 3],
        /// The code itself (bytes, indices, number of bits that vary).
        sas: SasCode,
        /// The agreed rendering: the initiator's rendering tag, authenticated by the
        /// transcript (e.g. `words:bip39:fr`); `None` when the initiator sent none.
        rendering: Option<String>,
    },
    /// This person said "match"; waiting for the peer's confirmation.
    WaitingForPeerConfirmation,
    /// The peer's identity key is verified.
    Verified {
        /// The verified identity key of the peer.
        peer: PublicKey,
    },
    /// The run ended without verification.
    Cancelled {
        /// Why.
        reason: CancelReason,
    },
}

/// Why a received message was ignored (the run goes on as if it never arrived).
///
/// A message that does not prove it comes from the peer is never acted on: it cannot end,
/// change or take over a run. The transport may close the connection it came from
/// (a host keeps listening for the real joiner).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// The bytes are not a v2 SAS message.
    Unreadable {
        /// What the decoder found.
        error: DecodeError,
    },
    /// The tag did not verify under the key the peer must use now (a forgery, a stranger
    /// who does not know the join code, or a rewritten byte).
    Unauthenticated,
    /// An authentic message seen before (a replay).
    Replayed {
        /// Its sequence number.
        seq: u8,
    },
}

impl Ignored {
    /// A stable snake_case name (used in the CLI's JSON events).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unreadable { .. } => "unreadable",
            Self::Unauthenticated => "unauthenticated",
            Self::Replayed { .. } => "replayed",
        }
    }
}

impl core::fmt::Display for Ignored {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Unreadable { error } => write!(f, "ignored a message that is not SAS v2: {error}"),
            Self::Unauthenticated => f.write_str(
                "ignored a message that does not come from the peer (forged, or from someone who does not know the join code)",
            ),
            Self::Replayed { seq } => write!(f, "ignored a replayed message (sequence {seq})"),
        }
    }
}

/// The result of one input: messages to send (in order), the phase after it, and whether
/// the input was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Encoded messages to send to the peer, in order.
    pub send: Vec<Vec<u8>>,
    /// The phase after this input.
    pub phase: Phase,
    /// `Some` when the received message was ignored (and why): report it, do not act on it.
    pub ignored: Option<Ignored>,
}
