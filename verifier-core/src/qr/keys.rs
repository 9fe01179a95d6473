//! The key types the QR payload carries, and their codes.

pub(crate) use crate::key::{KeyType, PublicKey};

/// Every key type a payload may carry (extend when `KeyType` grows).
const KNOWN: [KeyType; 1] = [KeyType::Ed25519];

/// The key type for a key-type code, if it is known.
pub(crate) fn key_type_from_code(code: u8) -> Option<KeyType> {
    KNOWN.into_iter().find(|t| t.code() == code)
}

/// Length in bytes of a key of this type.
pub(crate) fn key_len(key_type: KeyType) -> usize {
    match key_type {
        KeyType::Ed25519 => 32,
    }
}
