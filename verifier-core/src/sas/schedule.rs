//! The key schedule (docs/sas-protocol.md, "Key schedule"): commitment, transcript hash,
//! HKDF-SHA256 derivations, identity MACs and signature inputs.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::keys::PublicKey;
use super::wire::{FlowId, PROTOCOL_VERSION};

/// Label of the initiator's commitment.
pub const LABEL_COMMITMENT: &str = "verifier/v1/sas/commitment";
/// Label of the transcript hash.
pub const LABEL_TRANSCRIPT: &str = "verifier/v1/sas/transcript";
/// HKDF info of the SAS bytes.
pub const LABEL_SAS_BYTES: &str = "verifier/v1/sas/sas-bytes";
/// HKDF info of the initiator's MAC key.
pub const LABEL_MAC_KEY_INITIATOR: &str = "verifier/v1/sas/mac-key/initiator";
/// HKDF info of the responder's MAC key.
pub const LABEL_MAC_KEY_RESPONDER: &str = "verifier/v1/sas/mac-key/responder";
/// First field of every identity MAC input.
pub const LABEL_IDENTITY_MAC: &str = "verifier/v1/sas/identity-mac";
/// First field of every signed message.
pub const LABEL_SIGNATURE: &str = "verifier/v1/sas/signature";
/// Label of the join code's binding of the first message.
pub const LABEL_JOIN_CODE: &str = "verifier/v1/sas/join-code";
/// Label of the join code's text checksum.
pub const LABEL_JOIN_CODE_CHECKSUM: &str = "verifier/v1/sas/join-code-checksum";

/// The two roles of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Commits first; the host, who shows the join code.
    Initiator,
    /// Answers the commitment; the side that joins.
    Responder,
}

impl Role {
    /// The role name bound into signatures.
    pub fn name(self) -> &'static str {
        match self {
            Self::Initiator => "initiator",
            Self::Responder => "responder",
        }
    }

    /// The other role.
    pub fn peer(self) -> Self {
        match self {
            Self::Initiator => Self::Responder,
            Self::Responder => Self::Initiator,
        }
    }
}

/// Appends `lp(x)` = `u32(len) ‖ x`.
fn lp(out: &mut Vec<u8>, field: &[u8]) {
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field);
}

/// `H(label, fields…)` = SHA-256 over the length-prefixed label and fields.
pub fn labelled_hash(label: &str, fields: &[&[u8]]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(64 + fields.iter().map(|f| f.len() + 4).sum::<usize>());
    lp(&mut buf, label.as_bytes());
    for f in fields {
        lp(&mut buf, f);
    }
    Sha256::digest(&buf).into()
}

/// `typed(K)` = type code ‖ key bytes.
pub fn typed_key(key: &PublicKey) -> [u8; 33] {
    let mut out = [0u8; 33];
    out[0] = key.key_type().code();
    out[1..].copy_from_slice(key.as_bytes());
    out
}

/// The initiator's commitment to its ephemeral key and parameters.
pub fn commitment(
    flow_id: &FlowId,
    sas_bits: u8,
    initiator: &PublicKey,
    initiator_ephemeral: &[u8; 32],
) -> [u8; 32] {
    labelled_hash(
        LABEL_COMMITMENT,
        &[
            &[PROTOCOL_VERSION],
            flow_id,
            &[sas_bits],
            &typed_key(initiator),
            initiator_ephemeral,
        ],
    )
}

/// Everything the SAS binds, in the order of the transcript.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The run's flow id.
    pub flow_id: FlowId,
    /// The SAS length both sides compare.
    pub sas_bits: u8,
    /// The initiator's identity key.
    pub initiator: PublicKey,
    /// The responder's identity key.
    pub responder: PublicKey,
    /// The initiator's ephemeral key.
    pub initiator_ephemeral: [u8; 32],
    /// The responder's ephemeral key.
    pub responder_ephemeral: [u8; 32],
    /// The initiator's commitment.
    pub commitment: [u8; 32],
}

impl Transcript {
    /// `T`: the transcript hash.
    pub fn hash(&self) -> [u8; 32] {
        labelled_hash(
            LABEL_TRANSCRIPT,
            &[
                &[PROTOCOL_VERSION],
                &self.flow_id,
                &[self.sas_bits],
                &typed_key(&self.initiator),
                &typed_key(&self.responder),
                &self.initiator_ephemeral,
                &self.responder_ephemeral,
                &self.commitment,
            ],
        )
    }
}

/// Number of SAS bytes derived.
pub const SAS_BYTES_LEN: usize = 6;

/// The secrets of one run: both MAC keys. Zeroized on drop, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    mac_initiator: [u8; 32],
    mac_responder: [u8; 32],
    #[zeroize(skip)]
    transcript_hash: [u8; 32],
    #[zeroize(skip)]
    sas: [u8; SAS_BYTES_LEN],
}

impl core::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionKeys").finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// Derives the keys from the X25519 shared secret and the transcript.
    pub fn derive(shared_secret: &[u8; 32], transcript: &Transcript) -> Self {
        let transcript_hash = transcript.hash();
        let hk = Hkdf::<Sha256>::new(Some(&transcript_hash), shared_secret);
        let mut sas = [0u8; SAS_BYTES_LEN];
        let mut mac_initiator = [0u8; 32];
        let mut mac_responder = [0u8; 32];
        // Output lengths are far below HKDF's 255 × 32 limit, so expand cannot fail.
        let _ = hk.expand(LABEL_SAS_BYTES.as_bytes(), &mut sas);
        let _ = hk.expand(LABEL_MAC_KEY_INITIATOR.as_bytes(), &mut mac_initiator);
        let _ = hk.expand(LABEL_MAC_KEY_RESPONDER.as_bytes(), &mut mac_responder);
        truncate_bits(&mut sas, transcript.sas_bits);
        Self {
            mac_initiator,
            mac_responder,
            transcript_hash,
            sas,
        }
    }

    /// The SAS bytes (bits after `sas_bits` are zero).
    pub fn sas_bytes(&self) -> [u8; SAS_BYTES_LEN] {
        self.sas
    }

    /// The transcript hash `T`.
    pub fn transcript_hash(&self) -> [u8; 32] {
        self.transcript_hash
    }

    /// `MAC_X` over the identity key of the side playing `role`.
    pub fn identity_mac(&self, role: Role, identity: &PublicKey) -> [u8; 32] {
        let key = match role {
            Role::Initiator => &self.mac_initiator,
            Role::Responder => &self.mac_responder,
        };
        identity_mac(key, identity)
    }

    /// Constant-time check of a peer's MAC.
    pub fn verify_identity_mac(&self, role: Role, identity: &PublicKey, mac: &[u8; 32]) -> bool {
        self.identity_mac(role, identity).ct_eq(mac).into()
    }
}

/// `HMAC-SHA256(key, lp(label) ‖ lp(typed(identity)))`.
pub fn identity_mac(key: &[u8; 32], identity: &PublicKey) -> [u8; 32] {
    let mut input = Vec::with_capacity(80);
    lp(&mut input, LABEL_IDENTITY_MAC.as_bytes());
    lp(&mut input, &typed_key(identity));
    // HMAC accepts keys of any length.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(&input);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0u8; 32],
    }
}

/// The message each side signs with its identity key.
pub fn signature_input(role: Role, transcript_hash: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(80);
    lp(&mut out, LABEL_SIGNATURE.as_bytes());
    lp(&mut out, role.name().as_bytes());
    lp(&mut out, transcript_hash);
    out
}

/// Keeps the first `bits` bits (most significant first) and zeroes the rest.
pub fn truncate_bits(bytes: &mut [u8], bits: u8) {
    let bits = usize::from(bits);
    for (i, b) in bytes.iter_mut().enumerate() {
        let start = i * 8;
        if start >= bits {
            *b = 0;
        } else if bits - start < 8 {
            *b &= 0xffu8 << (8 - (bits - start));
        }
    }
}

#[cfg(test)]
impl SessionKeys {
    /// The raw MAC keys, for the test that proves they are never printed.
    pub(crate) fn secret_bytes_for_tests(&self) -> [[u8; 32]; 2] {
        [self.mac_initiator, self.mac_responder]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_leading_bits() {
        let mut b = [0xff; 6];
        truncate_bits(&mut b, 20);
        assert_eq!(b, [0xff, 0xff, 0xf0, 0, 0, 0]);
        let mut b = [0xff; 6];
        truncate_bits(&mut b, 48);
        assert_eq!(b, [0xff; 6]);
        let mut b = [0xff; 6];
        truncate_bits(&mut b, 8);
        assert_eq!(b, [0xff, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn length_prefix_separates_fields() {
        assert_ne!(
            labelled_hash("x", &[b"ab", b"c"]),
            labelled_hash("x", &[b"a", b"bc"])
        );
        assert_ne!(labelled_hash("xa", &[b"b"]), labelled_hash("x", &[b"ab"]));
    }
}
