//! Interactive verification with a short authentication string (SAS), protocol version 2.
//!
//! Two people online at the same time run this protocol over any byte channel; the
//! initiator commits to its ephemeral X25519 key before the responder reveals its own, so a
//! man in the middle wins with probability 2^-k per run (k = SAS bits, 48 by default; people
//! compare 4 words = 44 bits, 7 emoji = 42 bits or 3 numbers = 39 bits). The join code
//! carries a 64-bit secret: every message is authenticated, first under keys derived from
//! that secret, then under keys from the key agreement, so a stranger who does not know the
//! code can neither take a session nor end one. The format, key schedule and security
//! argument are in `docs/sas-protocol.md`.
//!
//! [`SasSession`] is sans-IO and owned (`Send + Sync`): it takes received bytes, the
//! person's [`Decision`] and the current time as milliseconds on a monotonic clock, and
//! returns the bytes to send plus the public [`Phase`]. It draws its randomness from the
//! operating system (or a seed, for tests), and can be [saved](SasSession::save) and
//! [resumed](SasSession::resume).
//!
//! The message codec and key schedule are in [`hazmat`]: an app never needs them.

mod code;
mod config;
mod extensions;
mod join_code;
mod keys;
mod machine;
mod phase;
pub(crate) mod proof;
mod saved;
mod schedule;
mod wire;

#[cfg(test)]
mod mitm;

/// Low-level pieces of the protocol: the message codec and the key schedule.
///
/// For test vectors, fuzzing and independent implementations. Using them directly skips
/// the checks the state machine makes; an app uses [`SasSession`] only.
pub mod hazmat {
    /// The key schedule (docs/sas-protocol.md, "Key schedule").
    pub mod schedule {
        pub use super::super::schedule::*;
    }
    /// The wire format (docs/sas-protocol.md, "Messages").
    pub mod wire {
        pub use super::super::wire::*;
    }
}

pub use code::{DECIMAL_BITS, EMOJI_BITS, SasCode, WORD_BITS};
pub use config::{
    DEFAULT_SAS_BITS, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_SAS_BITS, SasConfig, SasConfigError,
};
pub use extensions::{
    EXT_RENDERING, ExtensionError, Extensions, MAX_EXTENSIONS_LEN, MAX_RENDERING_LEN,
    words_language, words_rendering,
};
pub use join_code::{JOIN_CODE_CHARS_V4, JOIN_CODE_CHARS_V6, JoinCode, JoinCodeError, JoinSecret};
pub use machine::{SasError, SasSession};
pub use phase::{CancelReason, Decision, Ignored, Output, Phase};
pub use saved::SAVED_SESSION_VERSION;
pub use schedule::Role;
pub use wire::{DecodeError, MAX_MESSAGE_LEN, PROTOCOL_VERSION};
