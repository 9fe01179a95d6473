//! TEMPORARY placeholder for `crate::key` (the lead's module, per the HELPERS.md contract).
//! Deleted when main's key module is merged.
#![allow(dead_code, missing_docs, clippy::missing_errors_doc)]

use curve25519_dalek::edwards::CompressedEdwardsY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyType {
    Ed25519,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
        }
    }
    pub fn code(self) -> u8 {
        match self {
            KeyType::Ed25519 => 0x01,
        }
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum KeyError {
    #[error("bad key")]
    Bad,
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey {
    ty: KeyType,
    bytes: [u8; 32],
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_canonical_string())
    }
}
impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_canonical_string())
    }
}

impl PublicKey {
    pub fn from_bytes(ty: KeyType, bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Bad)?;
        let p = CompressedEdwardsY(arr).decompress().ok_or(KeyError::Bad)?;
        if p.is_small_order() || p.compress().0 != arr {
            return Err(KeyError::Bad);
        }
        Ok(Self { ty, bytes: arr })
    }
    pub fn key_type(&self) -> KeyType {
        self.ty
    }
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
    pub fn to_canonical_string(&self) -> String {
        format!("ed25519:{}", hex::encode(self.bytes))
    }
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let h = s.strip_prefix("ed25519:").unwrap_or(s);
        let b = hex::decode(h).map_err(|_| KeyError::Bad)?;
        Self::from_bytes(KeyType::Ed25519, &b)
    }
}
