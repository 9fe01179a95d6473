//! PLACEHOLDER for the lead's identity module (contract in HELPERS.md); replaced by main's on merge.
#![allow(missing_docs)]
use crate::key::{KeyType, PublicKey};

pub struct Identity {
    sk: ed25519_dalek::SigningKey,
}
impl Identity {
    pub fn generate<R: rand_core::CryptoRngCore>(rng: &mut R) -> Self {
        Self {
            sk: ed25519_dalek::SigningKey::generate(rng),
        }
    }
    pub fn public_key(&self) -> PublicKey {
        #[allow(clippy::expect_used)]
        PublicKey::from_bytes(KeyType::Ed25519, self.sk.verifying_key().as_bytes()).expect("valid")
    }
    pub fn sign(&self, msg: &[u8]) -> ed25519_dalek::Signature {
        use ed25519_dalek::Signer;
        self.sk.sign(msg)
    }
}
