//! The key schedule (docs/sas-protocol.md, "Key schedule"): commitment, transcript hash,
//! HKDF-SHA256 derivations, message tags, identity MACs and signature inputs.
//!
//! Every secret this module returns or keeps (shared secret, PRKs, MAC and tag keys, the
//! join secret) lives in a zeroizing buffer. The block states inside `hmac`/`sha2` are not
//! wiped on drop: those crates have no zeroize support at the versions used.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::keys::PublicKey;
use super::wire::{FlowId, PROTOCOL_VERSION};

/// Label of the initiator's commitment.
pub const LABEL_COMMITMENT: &str = "verifier/v2/sas/commitment";
/// Label of the transcript hash.
pub const LABEL_TRANSCRIPT: &str = "verifier/v2/sas/transcript";
/// HKDF info of the SAS bytes.
pub const LABEL_SAS_BYTES: &str = "verifier/v2/sas/sas-bytes";
/// HKDF info of the initiator's identity-MAC key.
pub const LABEL_MAC_KEY_INITIATOR: &str = "verifier/v2/sas/mac-key/initiator";
/// HKDF info of the responder's identity-MAC key.
pub const LABEL_MAC_KEY_RESPONDER: &str = "verifier/v2/sas/mac-key/responder";
/// HKDF info of the initiator's message-tag key after key agreement (epoch 1).
pub const LABEL_TAG_KEY_INITIATOR: &str = "verifier/v2/sas/tag-key/initiator";
/// HKDF info of the responder's message-tag key after key agreement (epoch 1).
pub const LABEL_TAG_KEY_RESPONDER: &str = "verifier/v2/sas/tag-key/responder";
/// First field of every identity MAC input.
pub const LABEL_IDENTITY_MAC: &str = "verifier/v2/sas/identity-mac";
/// First field of every signed message.
pub const LABEL_SIGNATURE: &str = "verifier/v2/sas/signature";
/// First field of every message tag input.
pub const LABEL_MESSAGE_TAG: &str = "verifier/v2/sas/message-tag";
/// HKDF salt of the join secret.
pub const LABEL_JOIN_KEY: &str = "verifier/v2/sas/join-key";
/// HKDF info of the initiator's message-tag key before key agreement (epoch 0).
pub const LABEL_JOIN_TAG_KEY_INITIATOR: &str = "verifier/v2/sas/join-tag-key/initiator";
/// HKDF info of the responder's message-tag key before key agreement (epoch 0).
pub const LABEL_JOIN_TAG_KEY_RESPONDER: &str = "verifier/v2/sas/join-tag-key/responder";
/// Label of the join code's text checksum.
pub const LABEL_JOIN_CODE_CHECKSUM: &str = "verifier/v2/sas/join-code-checksum";
/// HKDF salt of a seeded run's random values (flow id, join secret, ephemeral key).
pub const LABEL_SEEDED: &str = "verifier/v2/sas/seeded";
/// HKDF salt of the key that seals a saved session (docs/sas-protocol.md, "Saved sessions").
pub const LABEL_SAVED_SESSION_KEY: &str = "verifier/v2/sas/saved-session-key";

/// Length of the secret a join code carries.
pub const JOIN_SECRET_LEN: usize = 8;
/// Length of a message tag.
pub const TAG_LEN: usize = 32;
/// Number of SAS bytes derived.
pub const SAS_BYTES_LEN: usize = 6;

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
pub(crate) fn lp(out: &mut Vec<u8>, field: &[u8]) {
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

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never takes the error branch.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0u8; 32],
    }
}

/// HKDF-SHA256 (RFC 5869) with every intermediate in a zeroizing buffer.
pub(crate) struct Prk(Zeroizing<[u8; 32]>);

impl Prk {
    /// HKDF-Extract(salt, ikm).
    pub(crate) fn extract(salt: &[u8], ikm: &[u8]) -> Self {
        Self(Zeroizing::new(hmac(salt, &[ikm])))
    }

    /// HKDF-Expand(PRK, info, N) for N ≤ 32.
    pub(crate) fn expand<const N: usize>(&self, info: &str) -> Zeroizing<[u8; N]> {
        let mut block = Zeroizing::new(hmac(&self.0[..], &[info.as_bytes(), &[1u8]]));
        let mut out = Zeroizing::new([0u8; N]);
        let n = N.min(32);
        out[..n].copy_from_slice(&block[..n]);
        block.zeroize();
        out
    }
}

/// A message-tag key (docs/sas-protocol.md, "Message tags"). Zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TagKey([u8; 32]);

impl core::fmt::Debug for TagKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("TagKey(<redacted>)")
    }
}

impl TagKey {
    /// `HMAC-SHA256(key, lp("verifier/v2/sas/message-tag") ‖ lp(signed))`.
    pub fn tag(&self, signed: &[u8]) -> [u8; TAG_LEN] {
        let mut prefix = Vec::with_capacity(8 + LABEL_MESSAGE_TAG.len());
        lp(&mut prefix, LABEL_MESSAGE_TAG.as_bytes());
        let len = u32::try_from(signed.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes();
        hmac(&self.0, &[&prefix, &len, signed])
    }

    /// Constant-time check of a received tag.
    pub fn verify(&self, signed: &[u8], tag: &[u8; TAG_LEN]) -> bool {
        self.tag(signed).ct_eq(tag).into()
    }

    fn from_prk(prk: &Prk, info: &str) -> Self {
        Self(*prk.expand::<32>(info))
    }
}

/// The two epoch-0 tag keys, derived from the join secret alone: whoever holds the join
/// code can make them, nobody else.
#[derive(Clone, Debug)]
pub struct JoinKeys {
    initiator: TagKey,
    responder: TagKey,
}

impl JoinKeys {
    /// `PRK_J = HKDF-Extract("verifier/v2/sas/join-key", S)`, then one key per role.
    pub fn derive(secret: &[u8; JOIN_SECRET_LEN]) -> Self {
        let prk = Prk::extract(LABEL_JOIN_KEY.as_bytes(), secret);
        Self {
            initiator: TagKey::from_prk(&prk, LABEL_JOIN_TAG_KEY_INITIATOR),
            responder: TagKey::from_prk(&prk, LABEL_JOIN_TAG_KEY_RESPONDER),
        }
    }

    /// The key that tags the messages of the side playing `role`.
    pub fn key(&self, role: Role) -> &TagKey {
        match role {
            Role::Initiator => &self.initiator,
            Role::Responder => &self.responder,
        }
    }
}

/// The initiator's commitment to its ephemeral key, parameters and extensions.
pub fn commitment(
    flow_id: &FlowId,
    sas_bits: u8,
    initiator: &PublicKey,
    initiator_ephemeral: &[u8; 32],
    initiator_extensions: &[u8],
) -> [u8; 32] {
    labelled_hash(
        LABEL_COMMITMENT,
        &[
            &[PROTOCOL_VERSION],
            flow_id,
            &[sas_bits],
            &typed_key(initiator),
            initiator_ephemeral,
            initiator_extensions,
        ],
    )
}

/// Everything the SAS binds, in the order of the transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The initiator's encoded extensions (Commit).
    pub initiator_extensions: Vec<u8>,
    /// The responder's encoded extensions (Accept).
    pub responder_extensions: Vec<u8>,
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
                &self.initiator_extensions,
                &self.responder_extensions,
            ],
        )
    }
}

/// The secrets of one run after key agreement: identity-MAC keys and epoch-1 tag keys.
/// Zeroized on drop, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    mac_initiator: [u8; 32],
    mac_responder: [u8; 32],
    tag_initiator: TagKey,
    tag_responder: TagKey,
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
        let prk = Prk::extract(&transcript_hash, shared_secret);
        let mut sas = *prk.expand::<SAS_BYTES_LEN>(LABEL_SAS_BYTES);
        truncate_bits(&mut sas, transcript.sas_bits);
        Self {
            mac_initiator: *prk.expand::<32>(LABEL_MAC_KEY_INITIATOR),
            mac_responder: *prk.expand::<32>(LABEL_MAC_KEY_RESPONDER),
            tag_initiator: TagKey::from_prk(&prk, LABEL_TAG_KEY_INITIATOR),
            tag_responder: TagKey::from_prk(&prk, LABEL_TAG_KEY_RESPONDER),
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

    /// The epoch-1 key that tags the messages of the side playing `role`.
    pub fn tag_key(&self, role: Role) -> &TagKey {
        match role {
            Role::Initiator => &self.tag_initiator,
            Role::Responder => &self.tag_responder,
        }
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
    hmac(key, &[&input])
}

/// The message each side signs with its identity key.
pub fn signature_input(role: Role, transcript_hash: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(80);
    lp(&mut out, LABEL_SIGNATURE.as_bytes());
    lp(&mut out, role.name().as_bytes());
    lp(&mut out, transcript_hash);
    out
}

/// The random values of one side of a run, all from one 32-byte seed:
/// `HKDF-Expand(HKDF-Extract("verifier/v2/sas/seeded", seed), name, n)`.
pub(crate) struct SeededValues(Prk);

impl SeededValues {
    pub(crate) fn new(seed: &[u8; 32]) -> Self {
        Self(Prk::extract(LABEL_SEEDED.as_bytes(), seed))
    }

    pub(crate) fn flow_id(&self) -> FlowId {
        *self.0.expand::<16>("flow-id")
    }

    pub(crate) fn join_secret(&self) -> Zeroizing<[u8; JOIN_SECRET_LEN]> {
        self.0.expand::<JOIN_SECRET_LEN>("join-secret")
    }

    pub(crate) fn ephemeral(&self) -> Zeroizing<[u8; 32]> {
        self.0.expand::<32>("ephemeral")
    }
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
    /// The raw MAC and tag keys, for the test that proves they are never printed.
    pub(crate) fn secret_bytes_for_tests(&self) -> [[u8; 32]; 4] {
        [
            self.mac_initiator,
            self.mac_responder,
            self.tag_initiator.0,
            self.tag_responder.0,
        ]
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

    #[test]
    fn hkdf_matches_the_hkdf_crate() {
        // RFC 5869 structure, checked against the maintained implementation.
        let prk = Prk::extract(b"salt", b"input key material");
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"salt"), b"input key material");
        let mut want = [0u8; 32];
        hk.expand(b"info", &mut want).unwrap();
        assert_eq!(*prk.expand::<32>("info"), want);
        let mut want6 = [0u8; 6];
        hk.expand(b"info", &mut want6).unwrap();
        assert_eq!(*prk.expand::<6>("info"), want6);
    }

    #[test]
    fn tag_keys_differ_per_role_and_epoch() {
        let j = JoinKeys::derive(&[7; JOIN_SECRET_LEN]);
        let a = j.key(Role::Initiator).tag(b"m");
        let b = j.key(Role::Responder).tag(b"m");
        assert_ne!(a, b);
        assert!(j.key(Role::Initiator).verify(b"m", &a));
        assert!(!j.key(Role::Initiator).verify(b"n", &a));
        assert_eq!(format!("{j:?}").matches("<redacted>").count(), 2);
    }
}
