//! The peer-key fingerprint carried by pairwise QR codes (`docs/qr-payloads.md` §3).

use std::fmt;

use subtle::ConstantTimeEq;

use crate::key::PublicKey;

/// BLAKE3 key-derivation context of the pairwise fingerprint; used for nothing else.
pub const FINGERPRINT_DOMAIN: &str = "verifier/v1/qr-pairwise-fingerprint";

/// The full 32-byte fingerprint of a typed public key, as carried in a pairwise code.
///
/// Equality is constant-time. It is never truncated.
///
/// Not the key fingerprint people read ([`SideFingerprint`](crate::safety_number::SideFingerprint),
/// a stretched hash shown as digits or words) nor Signal's
/// ([`NumericFingerprint`](crate::signal::NumericFingerprint)): a separate hash, used only
/// inside pairwise QR codes.
///
/// ```
/// use verifier_core::qr::PairwiseFingerprint;
/// let fp = PairwiseFingerprint::from_bytes([7; 32]);
/// assert_eq!(fp.as_bytes(), &[7; 32]);
/// ```
#[derive(Clone, Copy)]
pub struct PairwiseFingerprint([u8; PairwiseFingerprint::LEN]);

impl PairwiseFingerprint {
    /// Length in bytes.
    pub const LEN: usize = 32;

    /// `blake3::derive_key(FINGERPRINT_DOMAIN, type code ‖ key length ‖ key bytes)`.
    pub fn of(key: &PublicKey) -> Self {
        let bytes = key.as_bytes();
        let mut hasher = blake3::Hasher::new_derive_key(FINGERPRINT_DOMAIN);
        // Key lengths are far below 256: the cast cannot truncate.
        hasher.update(&[key.key_type().code(), bytes.len() as u8]);
        hasher.update(bytes);
        Self(*hasher.finalize().as_bytes())
    }

    /// Wraps fingerprint bytes read from a payload.
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(bytes)
    }

    /// The fingerprint bytes.
    pub fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }

    /// Whether this is the fingerprint of `key` (constant-time comparison).
    pub fn matches(&self, key: &PublicKey) -> bool {
        *self == Self::of(key)
    }
}

impl PartialEq for PairwiseFingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for PairwiseFingerprint {}

impl fmt::Debug for PairwiseFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PairwiseFingerprint({})", hex::encode(self.0))
    }
}
