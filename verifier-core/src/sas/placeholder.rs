//! Temporary stand-in for `crate::key` / `crate::identity` until they land on main.
#![allow(dead_code, missing_docs)]

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyType {
    Ed25519,
}
impl KeyType {
    pub fn name(&self) -> &'static str {
        "ed25519"
    }
    pub fn code(&self) -> u8 {
        0x01
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey {
    ty: KeyType,
    bytes: [u8; 32],
}
#[derive(Debug)]
pub struct KeyError;
impl PublicKey {
    pub fn from_bytes(ty: KeyType, bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError)?;
        let vk = VerifyingKey::from_bytes(&arr).map_err(|_| KeyError)?;
        if vk.is_weak() {
            return Err(KeyError);
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
    pub fn verifying_key(&self) -> VerifyingKey {
        match VerifyingKey::from_bytes(&self.bytes) {
            Ok(k) => k,
            Err(_) => unreachable!(),
        }
    }
}

pub struct Identity {
    key: SigningKey,
}
impl Identity {
    pub fn generate<R: rand_core::CryptoRngCore>(rng: &mut R) -> Self {
        Self {
            key: SigningKey::generate(rng),
        }
    }
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            ty: KeyType::Ed25519,
            bytes: self.key.verifying_key().to_bytes(),
        }
    }
    pub fn sign(&self, msg: &[u8]) -> ed25519_dalek::Signature {
        self.key.sign(msg)
    }
}
