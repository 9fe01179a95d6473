//! Proof values: each can be built only by the code that performs its check, so the
//! state machine's `Verified` state (which holds one of each) cannot be reached otherwise.

use ed25519_dalek::Signature;
use subtle::ConstantTimeEq;

use super::keys::PublicKey;
use super::schedule::{Role, SessionKeys, signature_input};

/// The initiator sent its Commit before it received any responder key.
#[derive(Debug)]
pub(super) struct CommitSent(());

impl CommitSent {
    /// Made exactly once, when the initiator encodes its Commit message.
    pub(super) fn commit_encoded() -> Self {
        Self(())
    }

    /// A resumed initiator: the sealed save (which only this identity can make, and only
    /// after the Commit went out) says the Commit was sent.
    pub(super) fn restored_from_sealed_save() -> Self {
        Self(())
    }
}

/// The commitment is settled for this side: checked (responder) or sent first (initiator).
#[derive(Debug)]
pub(super) struct CommitmentSettled(());

impl CommitmentSettled {
    /// Responder: the revealed key hashes to the commitment received (constant time).
    pub(super) fn check(received: &[u8; 32], recomputed: &[u8; 32]) -> Option<Self> {
        bool::from(received.ct_eq(recomputed)).then_some(Self(()))
    }

    /// Initiator: its commitment preceded the responder's key.
    pub(super) fn initiator_committed_first(_sent: CommitSent) -> Self {
        Self(())
    }

    /// A resumed responder checks the commitment again with [`Self::check`]; a resumed
    /// initiator's order comes from its sealed save.
    pub(super) fn restored_initiator(sent: CommitSent) -> Self {
        Self::initiator_committed_first(sent)
    }

    /// The deliberately broken variant for the attacker simulation only.
    #[cfg(test)]
    pub(super) fn insecure_skipped() -> Self {
        Self(())
    }
}

/// The person at this side answered "match" (or a script did, which the
/// trust engine refuses to record).
#[derive(Debug)]
pub(super) struct UserConfirmed(crate::trust::ComparedBy);

impl UserConfirmed {
    /// Made only from the user's "match" decision.
    pub(super) fn user_said_match(by: crate::trust::ComparedBy) -> Self {
        Self(by)
    }

    /// Who answered.
    pub(super) fn by(&self) -> crate::trust::ComparedBy {
        self.0
    }
}

/// The peer's MAC over its identity key and its signature over the transcript verified.
#[derive(Debug)]
pub(super) struct PeerConfirmed(());

impl PeerConfirmed {
    /// Checks the peer's Confirm message.
    pub(super) fn verify(
        keys: &SessionKeys,
        peer_role: Role,
        peer: &PublicKey,
        mac: &[u8; 32],
        signature: &[u8; 64],
    ) -> Option<Self> {
        if !keys.verify_identity_mac(peer_role, peer, mac) {
            return None;
        }
        let sig = Signature::from_bytes(signature);
        let msg = signature_input(peer_role, &keys.transcript_hash());
        peer.verifying_key().verify_strict(&msg, &sig).ok()?;
        Some(Self(()))
    }
}

/// All proofs a verified run holds.
#[derive(Debug)]
pub(super) struct VerifiedProofs {
    _commitment: CommitmentSettled,
    user: UserConfirmed,
    _peer: PeerConfirmed,
    transcript_hash: [u8; 32],
}

impl VerifiedProofs {
    pub(super) fn new(
        c: CommitmentSettled,
        u: UserConfirmed,
        p: PeerConfirmed,
        keys: &SessionKeys,
    ) -> Self {
        Self {
            _commitment: c,
            user: u,
            _peer: p,
            transcript_hash: keys.transcript_hash(),
        }
    }

    /// Who answered "match" on this side.
    pub(super) fn compared_by(&self) -> crate::trust::ComparedBy {
        self.user.by()
    }

    /// The hash of the run's transcript (`docs/sas-protocol.md`).
    pub(super) fn transcript_hash(&self) -> [u8; 32] {
        self.transcript_hash
    }
}
