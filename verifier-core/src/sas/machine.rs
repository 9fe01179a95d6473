//! The sans-IO state machine of one SAS run (docs/sas-protocol.md, "Flow").

use std::net::SocketAddr;

use x25519_dalek::{PublicKey as X25519Public, StaticSecret};
use zeroize::Zeroizing;

use super::code::SasCode;
use super::config::SasConfig;
use super::extensions::Extensions;
use super::join_code::{JoinCode, JoinSecret};
use super::keys::{Identity, PublicKey};
use super::phase::{CancelReason, Decision, Ignored, Output, Phase};
use super::proof::{CommitSent, CommitmentSettled, PeerConfirmed, UserConfirmed, VerifiedProofs};
use super::schedule::{
    JoinKeys, Role, SeededValues, SessionKeys, TagKey, Transcript, commitment, signature_input,
};
use super::wire::{Body, Epoch, FLOW_ID_LEN, FlowId, Frame, Message, PROTOCOL_VERSION};
use crate::render::Bip39Language;
use crate::trust::{ComparedBy, Evidence};

/// Why a session could not be made, saved or resumed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SasError {
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed: {reason}; try again")]
    Randomness {
        /// What the generator reported.
        reason: String,
    },
    /// Only a run still in progress can be saved.
    #[error("the run has ended ({phase}); a finished run cannot be saved or resumed")]
    Finished {
        /// `verified` or `cancelled`.
        phase: &'static str,
    },
    /// The saved bytes were not sealed by this identity, or were changed.
    #[error(
        "the saved session does not open with this identity: it was saved by another identity, or changed since"
    )]
    SavedSessionInvalid,
    /// The saved bytes open, but what they hold does not fit together.
    #[error("the saved session is damaged: {what}")]
    SavedSessionDamaged {
        /// What did not check out.
        what: &'static str,
    },
    /// The saved session has a format this version does not read.
    #[error(
        "the saved session has format version {version}; this verifier reads version {supported}"
    )]
    SavedSessionVersion {
        /// The version found.
        version: u8,
        /// The version this code reads.
        supported: u8,
    },
}

impl SasError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Randomness { .. } => 4401,
            Self::Finished { .. } => 4402,
            Self::SavedSessionInvalid => 4403,
            Self::SavedSessionDamaged { .. } => 4404,
            Self::SavedSessionVersion { .. } => 4405,
        }
    }
}

/// 32 bytes from the operating system's generator.
pub(super) fn os_seed() -> Result<Zeroizing<[u8; 32]>, SasError> {
    crate::identity::os_seed().map_err(|e| SasError::Randomness { reason: e.reason })
}

/// The peer's Confirm, kept with its proof so that a resumed session can check it again.
pub(super) struct PeerConfirm {
    pub(super) proof: PeerConfirmed,
    pub(super) mac: [u8; 32],
    pub(super) signature: [u8; 64],
}

pub(super) struct Established {
    pub(super) keys: SessionKeys,
    pub(super) peer: PublicKey,
    pub(super) sas: SasCode,
    pub(super) commitment: CommitmentSettled,
    pub(super) transcript: Transcript,
    /// This side's ephemeral secret (kept so that a saved run can re-derive its keys).
    pub(super) ephemeral: StaticSecret,
    pub(super) peer_confirm: Option<PeerConfirm>,
}

pub(super) enum State {
    InitiatorCommitted {
        secret: StaticSecret,
        commitment: [u8; 32],
        sent: CommitSent,
    },
    ResponderWaiting {
        secret: StaticSecret,
    },
    ResponderAccepted {
        secret: StaticSecret,
        peer: PublicKey,
        commitment: [u8; 32],
        sas_bits: u8,
        peer_extensions: Extensions,
    },
    Comparing(Box<Established>),
    AwaitingPeer(Box<Established>, UserConfirmed),
    Verified {
        peer: PublicKey,
        proofs: VerifiedProofs,
    },
    Cancelled(CancelReason),
    /// Only while a transition is in progress.
    Transition,
}

/// One side of one SAS run: an owned, `Send + Sync` value that holds no socket, thread or
/// clock. Time comes in as `now_ms`, a monotonic count of milliseconds from any origin
/// (the same origin for every call on one session).
///
/// ```
/// use verifier_core::identity::Identity;
/// use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
/// let (alice, bob) = (Identity::from_bytes(&[1; 32])?, Identity::from_bytes(&[2; 32])?);
/// let now = 0; // milliseconds on any monotonic clock
/// let (mut host, first) = SasSession::initiate(&alice, SasConfig::default(), now)?;
/// let code = host.join_code("192.168.1.20:47000".parse()?).ok_or("not a host")?;
/// let mut joiner = SasSession::respond(&bob, SasConfig::default(), &code, now)?;
/// let mut to_joiner = first.send;
/// let mut to_host = Vec::new();
/// while !to_joiner.is_empty() || !to_host.is_empty() {
///     for m in std::mem::take(&mut to_joiner) {
///         to_host.extend(joiner.receive(&m, now).send);
///     }
///     for m in std::mem::take(&mut to_host) {
///         to_joiner.extend(host.receive(&m, now).send);
///     }
/// }
/// assert!(matches!(host.phase(), Phase::Compare { .. }));
/// assert_eq!(host.phase(), joiner.phase()); // the same code on both sides
/// let a = host.decide(Decision::Match, now).send;
/// let b = joiner.decide(Decision::Match, now).send;
/// for m in a { joiner.receive(&m, now); }
/// for m in b { host.receive(&m, now); }
/// assert_eq!(host.phase(), Phase::Verified { peer: bob.public_key() });
/// assert_eq!(joiner.phase(), Phase::Verified { peer: alice.public_key() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SasSession {
    pub(super) identity: Identity,
    pub(super) own_key: PublicKey,
    pub(super) role: Role,
    pub(super) config: SasConfig,
    pub(super) flow_id: FlowId,
    pub(super) join_secret: JoinSecret,
    pub(super) join_keys: JoinKeys,
    /// The sequence number of this side's next message.
    pub(super) send_seq: u8,
    /// The sequence number of the peer's next message.
    pub(super) recv_seq: u8,
    /// Initiator: the responder has sent a message under session keys (from then on,
    /// join-epoch messages from it are refused).
    pub(super) peer_in_session: bool,
    pub(super) state: State,
    pub(super) deadline_ms: u64,
}

impl core::fmt::Debug for SasSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SasSession")
            .field("role", &self.role)
            .field("own_key", &self.own_key)
            .field("phase", &self.phase())
            .finish_non_exhaustive()
    }
}

impl SasSession {
    /// Starts a run as the initiator (host), with fresh randomness from the operating
    /// system. The returned output holds the Commit message, to send to every peer that
    /// connects (also [`Self::first_message`]); [`Self::join_code`] gives the code to show.
    pub fn initiate(
        identity: &Identity,
        config: SasConfig,
        now_ms: u64,
    ) -> Result<(Self, Output), SasError> {
        let seed = os_seed()?;
        Ok(Self::initiate_seeded(identity, config, &seed, now_ms))
    }

    /// [`Self::initiate`] with every random value (flow id, join secret, ephemeral key)
    /// derived from `seed` (docs/sas-protocol.md, "Randomness"). For tests and vectors, or a
    /// caller with its own generator: a seed must never be used twice.
    pub fn initiate_seeded(
        identity: &Identity,
        config: SasConfig,
        seed: &[u8; 32],
        now_ms: u64,
    ) -> (Self, Output) {
        let values = SeededValues::new(seed);
        let flow_id = values.flow_id();
        let join_secret = JoinSecret::from_bytes(*values.join_secret());
        let secret = StaticSecret::from(*values.ephemeral());
        let public = X25519Public::from(&secret).to_bytes();
        let own_key = identity.public_key();
        let sas_bits = config.sas_bits;
        let extensions = config.extensions.clone();
        let commitment_value = if config.no_commitment() {
            public
        } else {
            commitment(&flow_id, sas_bits, &own_key, &public, &extensions.encode())
        };
        let join_keys = JoinKeys::derive(join_secret.as_bytes());
        let mut session = Self {
            identity: identity.clone(),
            own_key,
            role: Role::Initiator,
            deadline_ms: deadline(now_ms, &config),
            config,
            flow_id,
            join_secret,
            join_keys,
            send_seq: 0,
            recv_seq: 0,
            peer_in_session: false,
            state: State::Transition,
        };
        let first = session.seal(
            Body::Commit {
                sas_bits,
                identity: own_key,
                commitment: commitment_value,
                extensions,
            },
            Epoch::Join,
        );
        session.state = State::InitiatorCommitted {
            secret,
            commitment: commitment_value,
            sent: CommitSent::commit_encoded(),
        };
        let out = session.output(vec![first]);
        (session, out)
    }

    /// Starts a run as the responder (joiner) for the host named by `code`, with fresh
    /// randomness from the operating system. The host's first message must prove that it
    /// knows the code's secret, else the run ends with [`CancelReason::WrongJoinCode`].
    pub fn respond(
        identity: &Identity,
        config: SasConfig,
        code: &JoinCode,
        now_ms: u64,
    ) -> Result<Self, SasError> {
        let seed = os_seed()?;
        Ok(Self::respond_seeded(identity, config, code, &seed, now_ms))
    }

    /// [`Self::respond`] with the ephemeral key derived from `seed` (never use a seed twice).
    pub fn respond_seeded(
        identity: &Identity,
        config: SasConfig,
        code: &JoinCode,
        seed: &[u8; 32],
        now_ms: u64,
    ) -> Self {
        let values = SeededValues::new(seed);
        let secret = StaticSecret::from(*values.ephemeral());
        Self {
            identity: identity.clone(),
            own_key: identity.public_key(),
            role: Role::Responder,
            deadline_ms: deadline(now_ms, &config),
            config,
            flow_id: [0u8; FLOW_ID_LEN],
            join_keys: JoinKeys::derive(code.secret().as_bytes()),
            join_secret: code.secret().clone(),
            send_seq: 0,
            recv_seq: 0,
            peer_in_session: false,
            state: State::ResponderWaiting { secret },
        }
    }

    /// This side's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The run's flow id (all zero for a responder before the first message).
    pub fn flow_id(&self) -> FlowId {
        self.flow_id
    }

    /// The host's join code for a listener at `addr`; `None` for a responder.
    pub fn join_code(&self, addr: SocketAddr) -> Option<JoinCode> {
        (self.role == Role::Initiator).then(|| JoinCode::new(addr, self.join_secret.clone()))
    }

    /// The initiator's Commit, while it still waits for a joiner: the transport sends it to
    /// every new connection (the same bytes each time). `None` otherwise.
    pub fn first_message(&self) -> Option<Vec<u8>> {
        let State::InitiatorCommitted { commitment, .. } = &self.state else {
            return None;
        };
        Some(
            Message {
                flow_id: self.flow_id,
                seq: 0,
                epoch: Epoch::Join,
                body: Body::Commit {
                    sas_bits: self.config.sas_bits,
                    identity: self.own_key,
                    commitment: *commitment,
                    extensions: self.config.extensions.clone(),
                },
            }
            .encode(self.join_keys.key(Role::Initiator)),
        )
    }

    /// When the current wait times out, in the caller's milliseconds (call [`Self::tick`]
    /// then).
    pub fn deadline_ms(&self) -> u64 {
        self.deadline_ms
    }

    /// The configuration of this side.
    pub fn config(&self) -> &SasConfig {
        &self.config
    }

    /// The evidence of a verified run, for the trust engine: the peer's key,
    /// the protocol version, the transcript hash, and whether a person or a
    /// script answered "match" on this side. `None` unless the run is verified.
    pub fn evidence(&self) -> Option<Evidence> {
        match &self.state {
            State::Verified { peer, proofs } => Some(Evidence::sas(
                *peer,
                PROTOCOL_VERSION,
                proofs.transcript_hash(),
                proofs.compared_by(),
            )),
            _ => None,
        }
    }

    /// The agreed rendering (the initiator's rendering tag), once key agreement is done.
    pub fn agreed_rendering(&self) -> Option<String> {
        self.established()
            .and_then(|est| Extensions::decode(&est.transcript.initiator_extensions).ok())
            .and_then(|ext| ext.rendering().map(str::to_owned))
    }

    /// The current public phase.
    pub fn phase(&self) -> Phase {
        match &self.state {
            State::InitiatorCommitted { .. }
            | State::ResponderWaiting { .. }
            | State::ResponderAccepted { .. }
            | State::Transition => Phase::WaitingForPeer,
            State::Comparing(est) => Phase::Compare {
                words: est.sas.words(Bip39Language::English),
                emoji: est.sas.emoji(),
                decimals: est.sas.decimals(),
                sas: est.sas,
                rendering: self.agreed_rendering(),
            },
            State::AwaitingPeer(..) => Phase::WaitingForPeerConfirmation,
            State::Verified { peer, .. } => Phase::Verified { peer: *peer },
            State::Cancelled(reason) => Phase::Cancelled { reason: *reason },
        }
    }

    pub(super) fn established(&self) -> Option<&Established> {
        match &self.state {
            State::Comparing(est) | State::AwaitingPeer(est, _) => Some(est),
            _ => None,
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        matches!(self.state, State::Verified { .. } | State::Cancelled(_))
    }

    fn output(&self, send: Vec<Vec<u8>>) -> Output {
        Output {
            send,
            phase: self.phase(),
            ignored: None,
        }
    }

    fn ignore(&self, why: Ignored) -> Output {
        Output {
            send: Vec::new(),
            phase: self.phase(),
            ignored: Some(why),
        }
    }

    /// Encodes `body` as this side's next message, tagged under `epoch`'s key.
    fn seal(&mut self, body: Body, epoch: Epoch) -> Vec<u8> {
        let msg = Message {
            flow_id: self.flow_id,
            seq: self.send_seq,
            epoch,
            body,
        };
        self.send_seq = self.send_seq.saturating_add(1);
        let key = match (epoch, self.established()) {
            (Epoch::Session, Some(est)) => est.keys.tag_key(self.role).clone(),
            _ => self.join_keys.key(self.role).clone(),
        };
        msg.encode(&key)
    }

    /// The epoch of this side's next message other than Reveal: session keys once it has
    /// them.
    fn send_epoch(&self) -> Epoch {
        if self.established().is_some() {
            Epoch::Session
        } else {
            Epoch::Join
        }
    }

    /// Ends the run for `reason`, sending a Cancel when the reason is this side's.
    fn cancel(&mut self, reason: CancelReason) -> Output {
        let send = match reason.wire_code() {
            Some(code) => {
                let epoch = self.send_epoch();
                vec![self.seal(Body::Cancel { code }, epoch)]
            }
            None => Vec::new(),
        };
        self.state = State::Cancelled(reason);
        self.output(send)
    }

    /// Checks the clock: cancels with [`CancelReason::Timeout`] once the deadline passed.
    pub fn tick(&mut self, now_ms: u64) -> Output {
        if !self.is_finished() && now_ms >= self.deadline_ms {
            return self.cancel(CancelReason::Timeout);
        }
        self.output(Vec::new())
    }

    /// The transport lost the connection to the peer.
    pub fn connection_lost(&mut self) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        self.cancel(CancelReason::ConnectionLost)
    }

    /// The transport received a frame from the peer's connection that it cannot deliver
    /// (larger than [`MAX_MESSAGE_LEN`] or empty): the run ends as
    /// [`CancelReason::MalformedMessage`], and the peer is told. (A host that has not yet
    /// accepted a joiner drops such a connection instead and keeps listening.)
    ///
    /// [`MAX_MESSAGE_LEN`]: super::wire::MAX_MESSAGE_LEN
    pub fn reject_frame(&mut self) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        self.cancel(CancelReason::MalformedMessage)
    }

    /// The person's answer after comparing (or a cancel at any time).
    pub fn decide(&mut self, decision: Decision, now_ms: u64) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        if now_ms >= self.deadline_ms {
            return self.cancel(CancelReason::Timeout);
        }
        match decision {
            Decision::Cancel => self.cancel(CancelReason::UserCancelled),
            Decision::NoMatch if matches!(self.state, State::Comparing(..)) => {
                self.cancel(CancelReason::UserNoMatch)
            }
            Decision::Match | Decision::ScriptedMatch
                if matches!(self.state, State::Comparing(..)) =>
            {
                let by = if decision == Decision::Match {
                    ComparedBy::Person
                } else {
                    ComparedBy::Script
                };
                let confirm = self.confirm_message();
                let State::Comparing(mut est) =
                    std::mem::replace(&mut self.state, State::Transition)
                else {
                    return self.cancel(CancelReason::UnexpectedMessage);
                };
                let user = UserConfirmed::user_said_match(by);
                self.deadline_ms = deadline(now_ms, &self.config);
                self.state = match est.peer_confirm.take() {
                    Some(peer_ok) => State::Verified {
                        peer: est.peer,
                        proofs: VerifiedProofs::new(est.commitment, user, peer_ok.proof, &est.keys),
                    },
                    None => State::AwaitingPeer(est, user),
                };
                self.output(vec![confirm])
            }
            // A decision while no code is shown changes nothing.
            Decision::Match | Decision::ScriptedMatch | Decision::NoMatch => {
                self.output(Vec::new())
            }
        }
    }

    fn confirm_message(&mut self) -> Vec<u8> {
        let Some(est) = self.established() else {
            return Vec::new();
        };
        let mac = est.keys.identity_mac(self.role, &self.own_key);
        let signature = self
            .identity
            .sign(&signature_input(self.role, &est.keys.transcript_hash()))
            .to_bytes();
        self.seal(Body::Confirm { mac, signature }, Epoch::Session)
    }

    /// The key the peer must have used for a message of `epoch` and `kind` now, if any.
    fn peer_key(&self, epoch: Epoch, is_cancel: bool) -> Option<&TagKey> {
        let peer = self.role.peer();
        match (epoch, &self.state) {
            (Epoch::Session, _) => self.established().map(|est| est.keys.tag_key(peer)),
            (
                Epoch::Join,
                State::InitiatorCommitted { .. }
                | State::ResponderWaiting { .. }
                | State::ResponderAccepted { .. },
            ) => Some(self.join_keys.key(peer)),
            // The responder cancels under the join key until it has session keys, which the
            // initiator learns from its first session-epoch message.
            (Epoch::Join, State::Comparing(_) | State::AwaitingPeer(..))
                if self.role == Role::Initiator && is_cancel && !self.peer_in_session =>
            {
                Some(self.join_keys.key(peer))
            }
            (Epoch::Join, _) => None,
        }
    }

    /// Handles bytes received from the peer (one whole message).
    ///
    /// A message that does not decode as v2, does not carry a valid tag under the key the
    /// peer must use now, or replays an earlier one, is ignored and reported in
    /// [`Output::ignored`]: it changes nothing. The only exception is the responder's first
    /// message, which must come from the host the join code names: anything else ends the
    /// run ([`CancelReason::WrongJoinCode`], or the decoder's reason).
    pub fn receive(&mut self, bytes: &[u8], now_ms: u64) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        if now_ms >= self.deadline_ms {
            return self.cancel(CancelReason::Timeout);
        }
        let first = matches!(self.state, State::ResponderWaiting { .. });
        let frame = match Frame::decode(bytes) {
            Ok(f) => f,
            Err(error) if first => return self.cancel(CancelReason::from_decode_error(&error)),
            Err(error) => return self.ignore(Ignored::Unreadable { error }),
        };
        let header = frame.message();
        let is_cancel = matches!(header.body, Body::Cancel { .. });
        let authentic = self
            .peer_key(header.epoch, is_cancel)
            .is_some_and(|key| frame.verify(key));
        if !authentic || (!first && header.flow_id != self.flow_id) {
            if first {
                return self.cancel(CancelReason::WrongJoinCode);
            }
            // An earlier join-epoch message of this run, replayed after the switch to
            // session keys: authentic once, and reported as the replay it is.
            let replay = header.epoch == Epoch::Join
                && header.seq < self.recv_seq
                && header.flow_id == self.flow_id
                && frame.verify(self.join_keys.key(self.role.peer()));
            if replay {
                return self.ignore(Ignored::Replayed { seq: header.seq });
            }
            return self.ignore(Ignored::Unauthenticated);
        }
        let msg = frame.into_message();
        if msg.seq < self.recv_seq {
            return self.ignore(Ignored::Replayed { seq: msg.seq });
        }
        if msg.seq > self.recv_seq && !is_cancel {
            // Authentic, but a message in between is missing: the peer broke the protocol.
            // (A Cancel ends the run whatever this side missed.)
            return self.cancel(CancelReason::UnexpectedMessage);
        }
        self.recv_seq = self.recv_seq.saturating_add(1);
        if first {
            self.flow_id = msg.flow_id;
        }
        if msg.epoch == Epoch::Session {
            self.peer_in_session = true;
        }
        if let Body::Cancel { code } = msg.body {
            return self.cancel(CancelReason::from_peer_code(code));
        }
        self.deadline_ms = deadline(now_ms, &self.config);
        let state = std::mem::replace(&mut self.state, State::Transition);
        self.step(state, msg)
    }

    fn step(&mut self, state: State, msg: Message) -> Output {
        match (state, msg.body, msg.epoch) {
            (
                State::ResponderWaiting { secret },
                Body::Commit {
                    sas_bits,
                    identity,
                    commitment,
                    extensions,
                },
                Epoch::Join,
            ) => self.on_commit(secret, sas_bits, identity, commitment, extensions),
            (
                State::InitiatorCommitted {
                    secret,
                    commitment,
                    sent,
                },
                Body::Accept {
                    identity,
                    ephemeral,
                    extensions,
                },
                Epoch::Join,
            ) => {
                let public = X25519Public::from(&secret).to_bytes();
                let transcript = Transcript {
                    flow_id: self.flow_id,
                    sas_bits: self.config.sas_bits,
                    initiator: self.own_key,
                    responder: identity,
                    initiator_ephemeral: public,
                    responder_ephemeral: ephemeral,
                    commitment,
                    initiator_extensions: self.config.extensions.encode(),
                    responder_extensions: extensions.encode(),
                };
                let settled = CommitmentSettled::initiator_committed_first(sent);
                // The responder has no session keys yet: Reveal goes under the join key.
                let reveal = self.seal(Body::Reveal { ephemeral: public }, Epoch::Join);
                match establish(secret, &ephemeral, transcript, identity, settled) {
                    Some(est) => {
                        self.state = State::Comparing(Box::new(est));
                        self.output(vec![reveal])
                    }
                    None => self.cancel(CancelReason::NonContributoryKey),
                }
            }
            (
                State::ResponderAccepted {
                    secret,
                    peer,
                    commitment: received,
                    sas_bits,
                    peer_extensions,
                },
                Body::Reveal { ephemeral },
                Epoch::Join,
            ) => {
                let initiator_extensions = peer_extensions.encode();
                let recomputed = commitment(
                    &self.flow_id,
                    sas_bits,
                    &peer,
                    &ephemeral,
                    &initiator_extensions,
                );
                let Some(settled) = CommitmentSettled::check(&received, &recomputed) else {
                    return self.cancel(CancelReason::CommitmentMismatch);
                };
                let transcript = Transcript {
                    flow_id: self.flow_id,
                    sas_bits,
                    initiator: peer,
                    responder: self.own_key,
                    initiator_ephemeral: ephemeral,
                    responder_ephemeral: X25519Public::from(&secret).to_bytes(),
                    commitment: received,
                    initiator_extensions,
                    responder_extensions: self.config.extensions.encode(),
                };
                match establish(secret, &ephemeral, transcript, peer, settled) {
                    Some(est) => {
                        self.state = State::Comparing(Box::new(est));
                        self.output(Vec::new())
                    }
                    None => self.cancel(CancelReason::NonContributoryKey),
                }
            }
            (State::Comparing(mut est), Body::Confirm { mac, signature }, Epoch::Session)
                if est.peer_confirm.is_none() =>
            {
                let Some(proof) =
                    PeerConfirmed::verify(&est.keys, self.role.peer(), &est.peer, &mac, &signature)
                else {
                    return self.cancel(CancelReason::MacMismatch);
                };
                est.peer_confirm = Some(PeerConfirm {
                    proof,
                    mac,
                    signature,
                });
                self.state = State::Comparing(est);
                self.output(Vec::new())
            }
            (State::AwaitingPeer(est, user), Body::Confirm { mac, signature }, Epoch::Session) => {
                let Some(ok) =
                    PeerConfirmed::verify(&est.keys, self.role.peer(), &est.peer, &mac, &signature)
                else {
                    return self.cancel(CancelReason::MacMismatch);
                };
                self.state = State::Verified {
                    peer: est.peer,
                    proofs: VerifiedProofs::new(est.commitment, user, ok, &est.keys),
                };
                self.output(Vec::new())
            }
            #[cfg(test)]
            (State::Comparing(est), Body::Reveal { .. }, _)
                if self.config.no_commitment() && self.role == Role::Responder =>
            {
                // The broken variant already used the key sent in Commit.
                self.state = State::Comparing(est);
                self.output(Vec::new())
            }
            (state, _, _) => {
                self.state = state;
                self.cancel(CancelReason::UnexpectedMessage)
            }
        }
    }

    fn on_commit(
        &mut self,
        secret: StaticSecret,
        sas_bits: u8,
        peer: PublicKey,
        received: [u8; 32],
        peer_extensions: Extensions,
    ) -> Output {
        if sas_bits < self.config.sas_bits {
            self.state = State::ResponderWaiting { secret };
            return self.cancel(CancelReason::UnsupportedParameters);
        }
        let public = X25519Public::from(&secret).to_bytes();
        let accept = self.seal(
            Body::Accept {
                identity: self.own_key,
                ephemeral: public,
                extensions: self.config.extensions.clone(),
            },
            Epoch::Join,
        );
        #[cfg(test)]
        if self.config.no_commitment() {
            // Broken test-only variant: the "commitment" field is the initiator's key itself.
            let transcript = Transcript {
                flow_id: self.flow_id,
                sas_bits,
                initiator: peer,
                responder: self.own_key,
                initiator_ephemeral: received,
                responder_ephemeral: public,
                commitment: received,
                initiator_extensions: peer_extensions.encode(),
                responder_extensions: self.config.extensions.encode(),
            };
            let settled = CommitmentSettled::insecure_skipped();
            return match establish(secret, &received, transcript, peer, settled) {
                Some(est) => {
                    self.state = State::Comparing(Box::new(est));
                    self.output(vec![accept])
                }
                None => self.cancel(CancelReason::NonContributoryKey),
            };
        }
        self.state = State::ResponderAccepted {
            secret,
            peer,
            commitment: received,
            sas_bits,
            peer_extensions,
        };
        self.output(vec![accept])
    }
}

pub(super) fn deadline(now_ms: u64, config: &SasConfig) -> u64 {
    now_ms.saturating_add(config.timeout_ms)
}

/// X25519 with the contributory check, then the key schedule.
pub(super) fn establish(
    secret: StaticSecret,
    peer_ephemeral: &[u8; 32],
    transcript: Transcript,
    peer: PublicKey,
    commitment: CommitmentSettled,
) -> Option<Established> {
    let shared = secret.diffie_hellman(&X25519Public::from(*peer_ephemeral));
    if !shared.was_contributory() {
        return None;
    }
    let keys = SessionKeys::derive(shared.as_bytes(), &transcript);
    let sas = SasCode::from_bytes(keys.sas_bytes(), transcript.sas_bits);
    Some(Established {
        keys,
        peer,
        sas,
        commitment,
        transcript,
        ephemeral: secret,
        peer_confirm: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<SasSession>();
        assert_send_sync::<Output>();
        assert_send_sync::<JoinCode>();
    }

    /// A peer that holds the session keys (so its messages are authentic) but sends a
    /// Confirm whose MAC or signature is wrong: the run ends as `MacMismatch`.
    #[test]
    fn an_authentic_confirm_with_a_wrong_mac_or_signature_is_a_mac_mismatch() {
        let alice = Identity::from_bytes(&[3; 32]).unwrap();
        let bob = Identity::from_bytes(&[4; 32]).unwrap();
        for case in 0..3 {
            let (mut host, out) =
                SasSession::initiate_seeded(&alice, SasConfig::default(), &[5; 32], 0);
            let code = host.join_code("10.0.0.1:9".parse().unwrap()).unwrap();
            let mut joiner =
                SasSession::respond_seeded(&bob, SasConfig::default(), &code, &[6; 32], 0);
            let accept = joiner.receive(&out.send[0], 0).send.remove(0);
            let reveal = host.receive(&accept, 0).send.remove(0);
            joiner.receive(&reveal, 0);
            let good = joiner.decide(Decision::Match, 0).send.remove(0);
            let Body::Confirm { mac, signature } =
                Frame::decode(&good).unwrap().into_message().body
            else {
                panic!("not a confirm")
            };
            let (mac, signature) = match case {
                0 => ([0; 32], signature),
                1 => (mac, [0; 64]),
                _ => {
                    // The host's own MAC (a reflection, re-tagged by the joiner).
                    let State::Comparing(est) = &host.state else {
                        panic!()
                    };
                    (
                        est.keys.identity_mac(Role::Initiator, &alice.public_key()),
                        signature,
                    )
                }
            };
            let State::AwaitingPeer(est, _) = &joiner.state else {
                panic!("joiner not awaiting")
            };
            let bad = Message {
                flow_id: joiner.flow_id,
                seq: 1,
                epoch: Epoch::Session,
                body: Body::Confirm { mac, signature },
            }
            .encode(est.keys.tag_key(Role::Responder));
            let out = host.receive(&bad, 0);
            assert_eq!(
                out.phase,
                Phase::Cancelled {
                    reason: CancelReason::MacMismatch
                },
                "case {case}"
            );
        }
    }

    /// Found by mutation testing: an authentic message of the wrong kind after key
    /// agreement (a second Confirm, a second Reveal, sent under the session key with the
    /// next sequence number) ends the run; it is neither ignored nor taken.
    #[test]
    fn an_authentic_second_confirm_or_reveal_is_unexpected() {
        let alice = Identity::from_bytes(&[3; 32]).unwrap();
        let bob = Identity::from_bytes(&[4; 32]).unwrap();
        for case in 0..2 {
            let (mut host, out) =
                SasSession::initiate_seeded(&alice, SasConfig::default(), &[5; 32], 0);
            let code = host.join_code("10.0.0.1:9".parse().unwrap()).unwrap();
            let mut joiner =
                SasSession::respond_seeded(&bob, SasConfig::default(), &code, &[6; 32], 0);
            let accept = joiner.receive(&out.send[0], 0).send.remove(0);
            let reveal = host.receive(&accept, 0).send.remove(0);
            joiner.receive(&reveal, 0);
            let (sender, receiver, role, seq, body) = if case == 0 {
                // The joiner confirms twice (the host has not answered yet).
                let first = joiner.decide(Decision::Match, 0).send.remove(0);
                assert!(host.receive(&first, 0).ignored.is_none());
                let Body::Confirm { mac, signature } =
                    Frame::decode(&first).unwrap().into_message().body
                else {
                    panic!("not a confirm")
                };
                (
                    &joiner,
                    &mut host,
                    Role::Responder,
                    2,
                    Body::Confirm { mac, signature },
                )
            } else {
                // The host reveals again.
                (
                    &host,
                    &mut joiner,
                    Role::Initiator,
                    2,
                    Body::Reveal { ephemeral: [9; 32] },
                )
            };
            let key = sender.established().unwrap().keys.tag_key(role).clone();
            let again = Message {
                flow_id: sender.flow_id,
                seq,
                epoch: Epoch::Session,
                body,
            }
            .encode(&key);
            let out = receiver.receive(&again, 0);
            assert_eq!(
                out.phase,
                Phase::Cancelled {
                    reason: CancelReason::UnexpectedMessage
                },
                "case {case}"
            );
        }
    }

    #[test]
    fn debug_never_shows_session_secrets() {
        let alice = Identity::from_bytes(&[3; 32]).unwrap();
        let bob = Identity::from_bytes(&[4; 32]).unwrap();
        let (mut host, out) =
            SasSession::initiate_seeded(&alice, SasConfig::default(), &[5; 32], 0);
        let code = host.join_code("10.0.0.1:9".parse().unwrap()).unwrap();
        let mut joiner = SasSession::respond_seeded(&bob, SasConfig::default(), &code, &[6; 32], 0);
        let accept = joiner.receive(&out.send[0], 0).send.remove(0);
        let reveal = host.receive(&accept, 0).send.remove(0);
        joiner.receive(&reveal, 0);
        let State::Comparing(est) = &host.state else {
            panic!("not comparing")
        };
        let dbg = format!("{host:?} {joiner:?} {:?} {code:?}", est.keys);
        let mut secrets: Vec<Vec<u8>> = est
            .keys
            .secret_bytes_for_tests()
            .iter()
            .map(|s| s.to_vec())
            .collect();
        secrets.push(code.secret().as_bytes().to_vec());
        secrets.push(est.ephemeral.to_bytes().to_vec());
        for secret in secrets {
            let hex = hex::encode(&secret);
            assert!(!dbg.contains(&hex), "a secret is printed");
            assert!(
                !dbg.contains(&format!("{:?}", secret)),
                "a secret is printed"
            );
        }
        assert!(dbg.contains("SasSession") && dbg.contains("SessionKeys"));
    }
}
