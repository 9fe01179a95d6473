//! PLACEHOLDER for the lead's key module (contract in HELPERS.md); replaced by main's on merge.
#![allow(missing_docs, clippy::missing_errors_doc)]
use std::fmt;

#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    Ed25519,
}
impl KeyType {
    pub fn name(self) -> &'static str {
        "ed25519"
    }
    pub fn code(self) -> u8 {
        0x01
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("bad key")]
    Bad,
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey {
    ty: KeyType,
    bytes: [u8; 32],
}
impl PublicKey {
    pub fn from_bytes(ty: KeyType, bytes: &[u8]) -> Result<Self, KeyError> {
        let b: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Bad)?;
        ed25519_dalek::VerifyingKey::from_bytes(&b).map_err(|_| KeyError::Bad)?;
        Ok(Self { ty, bytes: b })
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
    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        #[allow(clippy::expect_used)]
        ed25519_dalek::VerifyingKey::from_bytes(&self.bytes).expect("validated")
    }
}
impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical_string())
    }
}
impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical_string())
    }
}
