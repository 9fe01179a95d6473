//! The signed receipt ([`Receipt`]): signing, decoding with the signature
//! check, the text form, and its content id ([`ReceiptId`]).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::identity::Identity;
use crate::key::PublicKey;

#[cfg(doc)]
use super::RECEIPT_VERSIONS_READ;
use super::encoding::{Decoded, decode, encode_body};
use super::{
    RECEIPT_ID_DOMAIN, RECEIPT_ID_DOMAIN_V2, RECEIPT_MAGIC, RECEIPT_SIGNATURE_DOMAIN_V2,
    RECEIPT_TEXT_PREFIX, ReceiptError, ReceiptStatement, signature_domain,
};

/// The content id of a receipt: BLAKE3 `derive_key` over its complete bytes
/// (signature included), with the id label of the receipt's format version
/// (`verifier/v1/receipt-id` or `verifier/v2/receipt-id`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptId([u8; 32]);

impl ReceiptId {
    /// The id of the given complete receipt bytes. The id label is chosen by
    /// the version byte (offset 4): [`RECEIPT_ID_DOMAIN`] for version 1,
    /// [`RECEIPT_ID_DOMAIN_V2`] for anything else (including input too short
    /// to have a version byte). For a checked receipt use [`Receipt::id`].
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let domain = match bytes.get(4) {
            Some(1) => RECEIPT_ID_DOMAIN,
            _ => RECEIPT_ID_DOMAIN_V2,
        };
        let mut h = blake3::Hasher::new_derive_key(domain);
        h.update(bytes);
        Self(*h.finalize().as_bytes())
    }
    /// An id from its 32 raw bytes.
    pub const fn from_array(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// Lowercase hex (64 characters).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Parses 64 hex characters; `None` if malformed.
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        v.try_into().ok().map(Self)
    }
}

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiptId({})", self.to_hex())
    }
}

/// A signed, checked verification receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    signer: PublicKey,
    statement: ReceiptStatement,
    bytes: Vec<u8>,
}

impl Receipt {
    /// Signs `statement` with `identity`.
    ///
    /// Every statement made by [`ReceiptStatement::new`] is written as format
    /// version 2. A statement taken from a version 1 receipt has no evidence
    /// and cannot be expressed in version 2; it is re-signed in its own
    /// version 1 layout, with the version 1 label, so its meaning is unchanged.
    pub fn sign(identity: &Identity, statement: ReceiptStatement) -> Self {
        let signer = identity.public_key();
        let version = statement.format_version();
        let mut bytes = encode_body(version, &signer, &statement);
        let sig = identity.sign(&signed_message(version, &bytes));
        bytes.extend_from_slice(&sig.to_bytes());
        Self {
            signer,
            statement,
            bytes,
        }
    }

    /// Decodes a binary receipt of any version this code reads
    /// ([`RECEIPT_VERSIONS_READ`]) and checks its signature (`verify_strict`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ReceiptError> {
        let Decoded {
            version,
            signer,
            statement,
            body,
            signature,
        } = decode(bytes)?;
        let sig = ed25519_dalek::Signature::from_bytes(&signature);
        signer
            .verifying_key()
            .verify_strict(&signed_message(version, body), &sig)
            .map_err(|_| ReceiptError::BadSignature)?;
        Ok(Self {
            signer,
            statement,
            bytes: bytes.to_vec(),
        })
    }

    /// Decodes the text form (`verifier-receipt:` + base64url without
    /// padding; surrounding whitespace is ignored) and checks the signature.
    pub fn from_text(text: &str) -> Result<Self, ReceiptError> {
        let t = text.trim();
        let b64 = t
            .strip_prefix(RECEIPT_TEXT_PREFIX)
            .ok_or(ReceiptError::InvalidText {
                reason: "it does not start with \"verifier-receipt:\"",
            })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| ReceiptError::InvalidText {
                reason: "the part after \"verifier-receipt:\" is not unpadded base64url",
            })?;
        Self::from_bytes(&bytes)
    }

    /// Decodes either form: binary if it starts with the magic bytes, text otherwise.
    pub fn decode(input: &[u8]) -> Result<Self, ReceiptError> {
        if input.starts_with(&RECEIPT_MAGIC) {
            return Self::from_bytes(input);
        }
        let text = std::str::from_utf8(input).map_err(|_| ReceiptError::NotAReceipt)?;
        if !text.trim_start().starts_with(RECEIPT_TEXT_PREFIX) {
            return Err(ReceiptError::NotAReceipt);
        }
        Self::from_text(text)
    }

    /// The binary form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text form (one line, no newline).
    pub fn to_text(&self) -> String {
        format!(
            "{RECEIPT_TEXT_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(&self.bytes)
        )
    }

    /// The identity that signed the receipt.
    pub fn signer(&self) -> &PublicKey {
        &self.signer
    }

    /// What the receipt states.
    pub fn statement(&self) -> &ReceiptStatement {
        &self.statement
    }

    /// The receipt's format version (1 or 2).
    pub fn format_version(&self) -> u8 {
        self.statement.format_version()
    }

    /// The receipt's content id (with the id label of its format version).
    pub fn id(&self) -> ReceiptId {
        ReceiptId::of_bytes(&self.bytes)
    }

    /// Fails with [`ReceiptError::WrongSigner`] unless `expected` signed it.
    pub fn check_signer(&self, expected: &PublicKey) -> Result<(), ReceiptError> {
        if &self.signer == expected {
            Ok(())
        } else {
            Err(ReceiptError::WrongSigner {
                expected: Box::new(*expected),
                found: Box::new(self.signer),
            })
        }
    }
}

/// The message that is signed: `u8 len(label) || label || body`, with the
/// label of the format version.
pub(super) fn signed_message(version: u8, body: &[u8]) -> Vec<u8> {
    let label = signature_domain(version)
        .unwrap_or(RECEIPT_SIGNATURE_DOMAIN_V2)
        .as_bytes();
    let mut m = Vec::with_capacity(1 + label.len() + body.len());
    // The labels are short constants (19 bytes).
    m.push(label.len() as u8);
    m.extend_from_slice(label);
    m.extend_from_slice(body);
    m
}
