//! Interactive verification with a short authentication string (SAS).
//!
//! Two people online at the same time run this protocol over any byte channel; the
//! initiator commits to its ephemeral X25519 key before the responder reveals its own, so a
//! man in the middle wins with probability 2^-k per run (k = SAS bits, 48 by default; people
//! compare 4 words = 44 bits, 7 emoji = 42 bits or 3 numbers = 39 bits).
//! The format, key schedule and security argument are in `docs/sas-protocol.md`.
//!
//! [`SasSession`] is sans-IO: it takes received bytes, the person's [`Decision`], an RNG and
//! the current time, and returns the bytes to send plus the public [`Phase`].

mod code;
mod join_code;
mod keys;
mod machine;
pub(crate) mod proof;
pub mod schedule;
pub mod wire;

#[cfg(test)]
mod mitm;

pub use code::{DECIMAL_BITS, EMOJI_BITS, SasCode, WORD_BITS};
pub use join_code::{JoinCode, JoinCodeError};
pub use machine::{
    CancelReason, DEFAULT_SAS_BITS, DEFAULT_TIMEOUT, Decision, JOIN_BINDING_LEN, JoinBinding,
    MIN_SAS_BITS, Output, Phase, SasConfig, SasConfigError, SasSession, join_binding_of,
};
pub use schedule::Role;
pub use wire::{DecodeError, MAX_MESSAGE_LEN, Message, PROTOCOL_VERSION};
