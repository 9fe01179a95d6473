//! [`NumericFingerprint`]: libsignal's safety number (display digits and scannable code).

use std::fmt;

use sha2::{Digest, Sha512};

use super::key::SignalIdentityKey;
use super::scannable::ScannableFingerprint;

/// Iteration count used by the Signal apps.
pub const DEFAULT_ITERATIONS: u32 = 5200;
/// Smallest iteration count libsignal accepts.
pub const MIN_ITERATIONS: u32 = 2;
/// Largest iteration count libsignal accepts (it also bounds the work an input can cause).
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Fingerprint versions Signal uses: 1 (identifiers are E.164 phone numbers as UTF-8)
/// and 2 (identifiers are the 16 raw bytes of the ACI service id).
pub const SUPPORTED_VERSIONS: [u32; 2] = [1, 2];

/// Number of digits per party; the display string has twice as many.
pub const PARTY_DIGITS: usize = 30;
/// Length of the display string.
pub const DISPLAY_DIGITS: usize = 2 * PARTY_DIGITS;

/// The fixed two-byte prefix of the first hash input (libsignal's internal
/// "fingerprint version" 0, unrelated to the scannable version).
const HASH_PREFIX: [u8; 2] = [0x00, 0x00];

/// Why a Signal fingerprint cannot be computed for these parameters.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalFingerprintError {
    /// The version is not one libsignal's users produce (1 or 2).
    #[error(
        "Signal safety-number version {version} is not supported: use 1 (phone-number \
         identifiers) or 2 (ACI identifiers, what current Signal apps use)"
    )]
    UnsupportedVersion {
        /// The version that was asked for.
        version: u32,
    },
    /// The iteration count is outside libsignal's accepted range.
    #[error(
        "{iterations} hash iterations is outside the range libsignal accepts \
         ({MIN_ITERATIONS} to {MAX_ITERATIONS}); the Signal apps use {DEFAULT_ITERATIONS}"
    )]
    IterationsOutOfRange {
        /// The iteration count that was asked for (0 included).
        iterations: u32,
    },
}

impl SignalFingerprintError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::UnsupportedVersion { .. } => 7301,
            Self::IterationsOutOfRange { .. } => 7302,
        }
    }
}

fn check_iterations(iterations: u32) -> Result<(), SignalFingerprintError> {
    if (MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        Ok(())
    } else {
        Err(SignalFingerprintError::IterationsOutOfRange { iterations })
    }
}

/// One party's iterated hash: `h = SHA-512(0x00 0x00 ‖ key ‖ id ‖ key)`, then
/// `h = SHA-512(h ‖ key)` until `iterations` hashes have been computed in all.
///
/// The first 30 bytes give the party's digits ([`party_digits`]); the first 32 bytes go
/// into the scannable code.
pub fn party_hash(
    iterations: u32,
    identifier: &[u8],
    key: &SignalIdentityKey,
) -> Result<[u8; 64], SignalFingerprintError> {
    check_iterations(iterations)?;
    let key = key.as_bytes();
    let mut hash: [u8; 64] = Sha512::new()
        .chain_update(HASH_PREFIX)
        .chain_update(key)
        .chain_update(identifier)
        .chain_update(key)
        .finalize()
        .into();
    for _ in 1..iterations {
        hash = Sha512::new()
            .chain_update(hash)
            .chain_update(key)
            .finalize()
            .into();
    }
    Ok(hash)
}

/// A party's 30 digits: the first 30 bytes of its hash as six 5-byte big-endian
/// integers, each reduced mod 100000 and written with 5 digits (leading zeros kept).
pub fn party_digits(hash: &[u8; 64]) -> String {
    let mut digits = String::with_capacity(PARTY_DIGITS);
    for chunk in hash.chunks_exact(5).take(PARTY_DIGITS / 5) {
        let value = chunk
            .iter()
            .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte));
        digits.push_str(&format!("{:05}", value % 100_000));
    }
    digits
}

/// A Signal safety number between a local and a remote party, as libsignal's
/// `Fingerprint`: the 60-digit display string both people see, and the local side's
/// scannable code (QR payload).
///
/// ```
/// use verifier_core::signal::{NumericFingerprint, SignalIdentityKey, DEFAULT_ITERATIONS};
/// let alice: SignalIdentityKey =
///     "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868".parse()?;
/// let bob: SignalIdentityKey =
///     "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b".parse()?;
/// let ours = NumericFingerprint::new(
///     1, DEFAULT_ITERATIONS, b"+14152222222", &alice, b"+14153333333", &bob)?;
/// let theirs = NumericFingerprint::new(
///     1, DEFAULT_ITERATIONS, b"+14153333333", &bob, b"+14152222222", &alice)?;
/// assert_eq!(ours.display_string(),
///            "300354477692869396892869876765458257569162576843440918079131");
/// assert_eq!(ours.display_string(), theirs.display_string());
/// // Scanning the peer's code matches; scanning our own code does not.
/// assert!(ours.scannable().compare(&theirs.scannable().to_bytes())?);
/// assert!(!ours.scannable().compare(&ours.scannable().to_bytes())?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NumericFingerprint {
    version: u32,
    iterations: u32,
    local_digits: String,
    remote_digits: String,
    scannable: ScannableFingerprint,
}

impl NumericFingerprint {
    /// Computes the safety number. `version` must be 1 or 2 ([`SUPPORTED_VERSIONS`]);
    /// it only changes the scannable code, not the digits. `iterations` must be within
    /// [`MIN_ITERATIONS`]`..=`[`MAX_ITERATIONS`] (Signal uses [`DEFAULT_ITERATIONS`]).
    /// Identifiers are arbitrary bytes (libsignal passes the UTF-8 E.164 number for
    /// version 1 and the 16-byte ACI for version 2).
    pub fn new(
        version: u32,
        iterations: u32,
        local_id: &[u8],
        local_key: &SignalIdentityKey,
        remote_id: &[u8],
        remote_key: &SignalIdentityKey,
    ) -> Result<Self, SignalFingerprintError> {
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(SignalFingerprintError::UnsupportedVersion { version });
        }
        check_iterations(iterations)?;
        let local = party_hash(iterations, local_id, local_key)?;
        let remote = party_hash(iterations, remote_id, remote_key)?;
        Ok(Self {
            version,
            iterations,
            local_digits: party_digits(&local),
            remote_digits: party_digits(&remote),
            scannable: ScannableFingerprint::new(version, first_32(&local), first_32(&remote)),
        })
    }

    /// The version this fingerprint was computed for.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The iteration count this fingerprint was computed with.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The local party's 30 digits.
    pub fn local_digits(&self) -> &str {
        &self.local_digits
    }

    /// The remote party's 30 digits.
    pub fn remote_digits(&self) -> &str {
        &self.remote_digits
    }

    /// The 60-digit string both people see: the two 30-digit halves, smaller first
    /// (so it is the same from both sides). No spaces; Signal shows it in 12 groups of 5.
    pub fn display_string(&self) -> String {
        let (first, second) = if self.local_digits < self.remote_digits {
            (&self.local_digits, &self.remote_digits)
        } else {
            (&self.remote_digits, &self.local_digits)
        };
        let mut out = String::with_capacity(DISPLAY_DIGITS);
        out.push_str(first);
        out.push_str(second);
        out
    }

    /// The local side's scannable code (what our QR code shows).
    pub fn scannable(&self) -> &ScannableFingerprint {
        &self.scannable
    }
}

impl fmt::Display for NumericFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_string())
    }
}

fn first_32(hash: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (dst, src) in out.iter_mut().zip(hash) {
        *dst = *src;
    }
    out
}
