//! Signal-compatible safety numbers, byte-exact with libsignal's `fingerprint.rs`.
//!
//! - [`SignalIdentityKey`]: the 33-byte serialized identity key (`0x05` ‖ Curve25519).
//! - [`NumericFingerprint`]: per party an iterated SHA-512 over key and identifier;
//!   30 digits each; the 60-digit display string; the scannable code.
//! - [`ScannableFingerprint`]: the QR payload (protobuf), its strict parser and the
//!   crosswise comparison of a scanned code.
//!
//! The byte layouts, errors and the provenance of the test vectors are written down in
//! `docs/signal-compat.md`. This scheme is Signal's, not ours: it has no domain label and
//! its security level is Signal's (about 2^112 work per side for a second preimage of
//! the digits, from 30 digits and 5200 iterations), see the document.

mod fingerprint;
mod key;
mod scannable;
#[cfg(test)]
mod tests;

pub use fingerprint::{
    DEFAULT_ITERATIONS, DISPLAY_DIGITS, MAX_ITERATIONS, MIN_ITERATIONS, NumericFingerprint,
    PARTY_DIGITS, SUPPORTED_VERSIONS, SignalFingerprintError, party_digits, party_hash,
};
pub use key::{SignalIdentityKey, SignalKeyError};
pub use scannable::{
    FingerprintSide, SCANNABLE_FINGERPRINT_LEN, ScannableCompareError, ScannableFingerprint,
    ScannableParseError,
};
