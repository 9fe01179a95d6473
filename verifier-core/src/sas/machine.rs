//! The sans-IO state machine of one SAS run (docs/sas-protocol.md, "Flow").

use std::time::{Duration, Instant};

use rand_core::CryptoRngCore;
use x25519_dalek::{EphemeralSecret, PublicKey as X25519Public};

use super::code::SasCode;
use super::keys::{Identity, PublicKey};
use super::proof::{CommitSent, CommitmentSettled, PeerConfirmed, UserConfirmed, VerifiedProofs};
use super::schedule::{
    LABEL_JOIN_CODE, Role, SessionKeys, Transcript, commitment, labelled_hash, signature_input,
};
use super::wire::{Body, DecodeError, FLOW_ID_LEN, FlowId, MAX_SAS_BITS, Message};
use crate::render::{Bip39Language, SasEmoji};
use crate::trust::{ComparedBy, Evidence};

/// The fewest SAS bits any configuration accepts.
pub const MIN_SAS_BITS: u8 = 20;
/// The default SAS length: all six bytes.
pub const DEFAULT_SAS_BITS: u8 = 48;
/// The default limit on each wait (for the peer or for a person).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// Length of the join-code binding of the first message.
pub const JOIN_BINDING_LEN: usize = 4;

/// The bytes of a join code that bind the initiator's first message.
pub type JoinBinding = [u8; JOIN_BINDING_LEN];

/// Parameters of a run.
///
/// ```
/// use verifier_core::sas::SasConfig;
/// let config = SasConfig::default().with_sas_bits(40).unwrap();
/// assert_eq!(config.sas_bits(), 40);
/// assert!(SasConfig::default().with_sas_bits(16).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct SasConfig {
    sas_bits: u8,
    timeout: Duration,
    #[cfg(test)]
    insecure_no_commitment: bool,
}

impl Default for SasConfig {
    fn default() -> Self {
        Self {
            sas_bits: DEFAULT_SAS_BITS,
            timeout: DEFAULT_TIMEOUT,
            #[cfg(test)]
            insecure_no_commitment: false,
        }
    }
}

/// A configuration that would make the SAS too weak or impossible.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SasConfigError {
    /// `sas_bits` outside `MIN_SAS_BITS..=48`.
    #[error("a SAS of {bits} bits is not allowed: choose {min} to {max} bits")]
    SasBitsOutOfRange {
        /// The value asked for.
        bits: u8,
        /// The minimum.
        min: u8,
        /// The maximum.
        max: u8,
    },
}

impl SasConfig {
    /// Sets the number of SAS bits (`20..=48`). The initiator sends this value; a responder
    /// accepts an initiator's value only if it is at least its own.
    pub fn with_sas_bits(mut self, bits: u8) -> Result<Self, SasConfigError> {
        if !(MIN_SAS_BITS..=MAX_SAS_BITS).contains(&bits) {
            return Err(SasConfigError::SasBitsOutOfRange {
                bits,
                min: MIN_SAS_BITS,
                max: MAX_SAS_BITS,
            });
        }
        self.sas_bits = bits;
        Ok(self)
    }

    /// Sets the limit on each wait (capped at one day).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.min(Duration::from_secs(86_400));
        self
    }

    /// The number of SAS bits.
    pub fn sas_bits(&self) -> u8 {
        self.sas_bits
    }

    /// The limit on each wait.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Test-only: any SAS length, and optionally the broken variant without commitment.
    #[cfg(test)]
    pub(crate) fn insecure_for_tests(bits: u8, no_commitment: bool) -> Self {
        Self {
            sas_bits: bits,
            timeout: DEFAULT_TIMEOUT,
            insecure_no_commitment: no_commitment,
        }
    }

    fn no_commitment(&self) -> bool {
        #[cfg(test)]
        {
            self.insecure_no_commitment
        }
        #[cfg(not(test))]
        {
            false
        }
    }
}

/// Why a run ended without verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancelReason {
    /// The person at this side said the codes differ.
    UserNoMatch,
    /// The person at the other side said the codes differ.
    PeerNoMatch,
    /// The peer's MAC or signature did not verify.
    MacMismatch,
    /// The revealed ephemeral key does not match the commitment.
    CommitmentMismatch,
    /// A message arrived that is not the next one expected (replay, out of order, other flow).
    UnexpectedMessage,
    /// A message could not be decoded (including oversized ones).
    MalformedMessage,
    /// The peer speaks another protocol version.
    UnsupportedVersion,
    /// A wait lasted longer than the configured timeout.
    Timeout,
    /// The person at this side cancelled.
    UserCancelled,
    /// The peer cancelled for a reason other than "no match".
    PeerCancelled,
    /// The first message is not the one the join code names.
    WrongJoinCode,
    /// The peer asked for a weaker SAS than this side accepts.
    UnsupportedParameters,
    /// An ephemeral key gave an all-zero (non-contributory) shared secret.
    NonContributoryKey,
    /// The connection closed before the run ended.
    ConnectionLost,
}

impl CancelReason {
    /// A stable snake_case name (used in the CLI's JSON events).
    pub fn name(self) -> &'static str {
        match self {
            Self::UserNoMatch => "user_no_match",
            Self::PeerNoMatch => "peer_no_match",
            Self::MacMismatch => "mac_mismatch",
            Self::CommitmentMismatch => "commitment_mismatch",
            Self::UnexpectedMessage => "unexpected_message",
            Self::MalformedMessage => "malformed_message",
            Self::UnsupportedVersion => "unsupported_version",
            Self::Timeout => "timeout",
            Self::UserCancelled => "user_cancelled",
            Self::PeerCancelled => "peer_cancelled",
            Self::WrongJoinCode => "wrong_join_code",
            Self::UnsupportedParameters => "unsupported_parameters",
            Self::NonContributoryKey => "non_contributory_key",
            Self::ConnectionLost => "connection_lost",
        }
    }

    /// The code this side sends in its Cancel message, or `None` when the reason came from
    /// the peer or the connection (nothing is sent then).
    pub fn wire_code(self) -> Option<u8> {
        Some(match self {
            Self::UserNoMatch => 0x01,
            Self::MacMismatch => 0x02,
            Self::CommitmentMismatch => 0x03,
            Self::UnexpectedMessage => 0x04,
            Self::MalformedMessage => 0x05,
            Self::UnsupportedVersion => 0x06,
            Self::Timeout => 0x07,
            Self::UserCancelled => 0x08,
            Self::WrongJoinCode => 0x09,
            Self::UnsupportedParameters => 0x0a,
            Self::NonContributoryKey => 0x0b,
            Self::PeerNoMatch | Self::PeerCancelled | Self::ConnectionLost => return None,
        })
    }

    /// How this side reads a Cancel code from the peer.
    pub fn from_peer_code(code: u8) -> Self {
        if code == 0x01 {
            Self::PeerNoMatch
        } else {
            Self::PeerCancelled
        }
    }

    fn from_decode_error(e: &DecodeError) -> Self {
        match e {
            DecodeError::UnsupportedVersion { .. } => Self::UnsupportedVersion,
            _ => Self::MalformedMessage,
        }
    }
}

impl core::fmt::Display for CancelReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let text = match self {
            Self::UserNoMatch => "you said the codes do not match",
            Self::PeerNoMatch => "the other person said the codes do not match",
            Self::MacMismatch => "the peer's confirmation did not verify (possible attack)",
            Self::CommitmentMismatch => "the peer's key does not match its commitment (attack)",
            Self::UnexpectedMessage => "a message arrived out of order or was replayed",
            Self::MalformedMessage => "a message could not be read",
            Self::UnsupportedVersion => "the peer speaks another protocol version",
            Self::Timeout => "the other side took too long",
            Self::UserCancelled => "you cancelled",
            Self::PeerCancelled => "the other side cancelled",
            Self::WrongJoinCode => "the host is not the one the join code names",
            Self::UnsupportedParameters => "the peer asked for a code that is too short",
            Self::NonContributoryKey => "the peer sent an invalid ephemeral key (attack)",
            Self::ConnectionLost => "the connection closed",
        };
        f.write_str(text)
    }
}

/// What the person answered after comparing the codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The codes are the same.
    Match,
    /// A script answered "match" without anyone comparing (e.g. `--yes`).
    /// The protocol runs as with [`Decision::Match`], but the run's
    /// [`evidence`](SasSession::evidence) says so and the trust engine never
    /// records it: with nobody comparing, a man in the middle always wins.
    ScriptedMatch,
    /// The codes differ.
    NoMatch,
    /// Stop the run.
    Cancel,
}

/// The coarse public phase of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Waiting for the peer's next message.
    WaitingForPeer,
    /// Both sides hold the SAS: show it and ask "do they match?" (people compare any one
    /// of the three renderings).
    Compare {
        /// Four BIP39 English words (44 bits); `sas.words(lang)` gives other languages.
        words: Vec<&'static str>,
        /// Seven Matrix SAS emoji (42 bits), each with its names.
        emoji: Vec<SasEmoji>,
        /// Three Matrix decimals, 1000..=9191 (39 bits).
        decimals: [u16; 3],
        /// The code itself (bytes, indices, number of bits that vary).
        sas: SasCode,
    },
    /// This person said "match"; waiting for the peer's confirmation.
    WaitingForPeerConfirmation,
    /// The peer's identity key is verified.
    Verified {
        /// The verified identity key of the peer.
        peer: PublicKey,
    },
    /// The run ended without verification.
    Cancelled {
        /// Why.
        reason: CancelReason,
    },
}

/// The result of one input: messages to send (in order) and the phase after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Encoded messages to send to the peer, in order.
    pub send: Vec<Vec<u8>>,
    /// The phase after this input.
    pub phase: Phase,
}

struct Established {
    keys: SessionKeys,
    peer: PublicKey,
    sas: SasCode,
    commitment: CommitmentSettled,
}

enum State {
    InitiatorCommitted {
        secret: EphemeralSecret,
        public: [u8; 32],
        commitment: [u8; 32],
        sent: CommitSent,
    },
    ResponderWaiting,
    ResponderAccepted {
        secret: EphemeralSecret,
        public: [u8; 32],
        peer: PublicKey,
        commitment: [u8; 32],
        sas_bits: u8,
    },
    Comparing(Box<Established>, Option<PeerConfirmed>),
    AwaitingPeer(Box<Established>, UserConfirmed),
    Verified {
        peer: PublicKey,
        proofs: VerifiedProofs,
    },
    Cancelled(CancelReason),
    /// Only while a transition is in progress.
    Transition,
}

/// One side of one SAS run. Holds no socket, thread or clock.
///
/// ```
/// use verifier_core::identity::Identity;
/// use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
/// let mut rng = rand_core::OsRng;
/// let now = std::time::Instant::now();
/// let (alice, bob) = (Identity::generate(&mut rng), Identity::generate(&mut rng));
/// let (mut host, first) = SasSession::initiate(&alice, SasConfig::default(), &mut rng, now);
/// let binding = Some(host.join_binding());
/// let mut joiner = SasSession::respond(&bob, SasConfig::default(), binding, now);
/// let mut to_joiner = first.send;
/// let mut to_host = Vec::new();
/// while !to_joiner.is_empty() || !to_host.is_empty() {
///     for m in std::mem::take(&mut to_joiner) {
///         to_host.extend(joiner.receive(&m, &mut rng, now).send);
///     }
///     for m in std::mem::take(&mut to_host) {
///         to_joiner.extend(host.receive(&m, &mut rng, now).send);
///     }
/// }
/// assert!(matches!(host.phase(), Phase::Compare { .. }));
/// assert_eq!(host.phase(), joiner.phase()); // the same code on both sides
/// let a = host.decide(Decision::Match, now).send;
/// let b = joiner.decide(Decision::Match, now).send;
/// for m in a { joiner.receive(&m, &mut rng, now); }
/// for m in b { host.receive(&m, &mut rng, now); }
/// assert_eq!(host.phase(), Phase::Verified { peer: bob.public_key() });
/// assert_eq!(joiner.phase(), Phase::Verified { peer: alice.public_key() });
/// ```
pub struct SasSession<'a> {
    identity: &'a Identity,
    own_key: PublicKey,
    role: Role,
    config: SasConfig,
    flow_id: FlowId,
    join_binding: Option<JoinBinding>,
    state: State,
    deadline: Instant,
}

impl core::fmt::Debug for SasSession<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SasSession")
            .field("role", &self.role)
            .field("own_key", &self.own_key)
            .field("phase", &self.phase())
            .finish_non_exhaustive()
    }
}

impl<'a> SasSession<'a> {
    /// Starts a run as the initiator (host). The returned output holds the Commit message,
    /// to send as soon as a peer connects; [`Self::join_binding`] goes into the join code.
    pub fn initiate<R: CryptoRngCore>(
        identity: &'a Identity,
        config: SasConfig,
        rng: &mut R,
        now: Instant,
    ) -> (Self, Output) {
        let own_key = identity.public_key();
        let mut flow_id = [0u8; FLOW_ID_LEN];
        rng.fill_bytes(&mut flow_id);
        let secret = EphemeralSecret::random_from_rng(&mut *rng);
        let public = X25519Public::from(&secret).to_bytes();
        let sas_bits = config.sas_bits;
        let commitment_value = if config.no_commitment() {
            public
        } else {
            commitment(&flow_id, sas_bits, &own_key, &public)
        };
        let first = Message {
            flow_id,
            body: Body::Commit {
                sas_bits,
                identity: own_key,
                commitment: commitment_value,
            },
        }
        .encode();
        let sent = CommitSent::commit_encoded();
        let binding = join_binding_of(&first);
        let session = Self {
            identity,
            own_key,
            role: Role::Initiator,
            deadline: deadline(now, &config),
            config,
            flow_id,
            join_binding: Some(binding),
            state: State::InitiatorCommitted {
                secret,
                public,
                commitment: commitment_value,
                sent,
            },
        };
        let phase = session.phase();
        (
            session,
            Output {
                send: vec![first],
                phase,
            },
        )
    }

    /// Starts a run as the responder (joiner). With `expected`, the first message must be the
    /// one the join code binds, else the run ends with [`CancelReason::WrongJoinCode`].
    pub fn respond(
        identity: &'a Identity,
        config: SasConfig,
        expected: Option<JoinBinding>,
        now: Instant,
    ) -> Self {
        Self {
            identity,
            own_key: identity.public_key(),
            role: Role::Responder,
            deadline: deadline(now, &config),
            config,
            flow_id: [0u8; FLOW_ID_LEN],
            join_binding: expected,
            state: State::ResponderWaiting,
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

    /// The join-code binding: of the own Commit (initiator) or the expected one (responder).
    pub fn join_binding(&self) -> JoinBinding {
        self.join_binding.unwrap_or([0u8; JOIN_BINDING_LEN])
    }

    /// When the current wait times out (the driver should call [`Self::tick`] then).
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The evidence of a verified run, for the trust engine: the peer's key,
    /// the protocol version, the transcript hash, and whether a person or a
    /// script answered "match" on this side. `None` unless the run is verified.
    pub fn evidence(&self) -> Option<Evidence> {
        match &self.state {
            State::Verified { peer, proofs } => Some(Evidence::sas(
                *peer,
                super::wire::PROTOCOL_VERSION,
                proofs.transcript_hash(),
                proofs.compared_by(),
            )),
            _ => None,
        }
    }

    /// The current public phase.
    pub fn phase(&self) -> Phase {
        match &self.state {
            State::InitiatorCommitted { .. }
            | State::ResponderWaiting
            | State::ResponderAccepted { .. }
            | State::Transition => Phase::WaitingForPeer,
            State::Comparing(est, _) => Phase::Compare {
                words: est.sas.words(Bip39Language::English),
                emoji: est.sas.emoji(),
                decimals: est.sas.decimals(),
                sas: est.sas,
            },
            State::AwaitingPeer(..) => Phase::WaitingForPeerConfirmation,
            State::Verified { peer, .. } => Phase::Verified { peer: *peer },
            State::Cancelled(reason) => Phase::Cancelled { reason: *reason },
        }
    }

    fn is_finished(&self) -> bool {
        matches!(self.state, State::Verified { .. } | State::Cancelled(_))
    }

    fn output(&self, send: Vec<Vec<u8>>) -> Output {
        Output {
            send,
            phase: self.phase(),
        }
    }

    /// Ends the run for `reason`, sending a Cancel when the reason is this side's.
    fn cancel(&mut self, reason: CancelReason) -> Output {
        self.state = State::Cancelled(reason);
        let send = reason
            .wire_code()
            .map(|code| {
                Message {
                    flow_id: self.flow_id,
                    body: Body::Cancel { code },
                }
                .encode()
            })
            .into_iter()
            .collect();
        self.output(send)
    }

    /// Checks the clock: cancels with [`CancelReason::Timeout`] once the deadline passed.
    pub fn tick(&mut self, now: Instant) -> Output {
        if !self.is_finished() && now >= self.deadline {
            return self.cancel(CancelReason::Timeout);
        }
        self.output(Vec::new())
    }

    /// The transport lost the connection.
    pub fn connection_lost(&mut self) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        self.cancel(CancelReason::ConnectionLost)
    }

    /// The transport received a frame it cannot deliver (larger than [`MAX_MESSAGE_LEN`] or
    /// empty): the run ends as [`CancelReason::MalformedMessage`], and the peer is told.
    ///
    /// [`MAX_MESSAGE_LEN`]: super::wire::MAX_MESSAGE_LEN
    pub fn reject_frame(&mut self) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        self.cancel(CancelReason::MalformedMessage)
    }

    /// The person's answer after comparing (or a cancel at any time).
    pub fn decide(&mut self, decision: Decision, now: Instant) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        if now >= self.deadline {
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
                let State::Comparing(est, peer_confirmed) =
                    std::mem::replace(&mut self.state, State::Transition)
                else {
                    return self.cancel(CancelReason::UnexpectedMessage);
                };
                let by = if decision == Decision::Match {
                    ComparedBy::Person
                } else {
                    ComparedBy::Script
                };
                let user = UserConfirmed::user_said_match(by);
                let confirm = self.confirm_message(&est.keys);
                self.deadline = deadline(now, &self.config);
                self.state = match peer_confirmed {
                    Some(peer_ok) => State::Verified {
                        peer: est.peer,
                        proofs: VerifiedProofs::new(est.commitment, user, peer_ok, &est.keys),
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

    fn confirm_message(&self, keys: &SessionKeys) -> Vec<u8> {
        let mac = keys.identity_mac(self.role, &self.own_key);
        let signature = self
            .identity
            .sign(&signature_input(self.role, &keys.transcript_hash()))
            .to_bytes();
        Message {
            flow_id: self.flow_id,
            body: Body::Confirm { mac, signature },
        }
        .encode()
    }

    /// Handles bytes received from the peer (one whole message).
    pub fn receive<R: CryptoRngCore>(&mut self, bytes: &[u8], rng: &mut R, now: Instant) -> Output {
        if self.is_finished() {
            return self.output(Vec::new());
        }
        if now >= self.deadline {
            return self.cancel(CancelReason::Timeout);
        }
        let msg = match Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => return self.cancel(CancelReason::from_decode_error(&e)),
        };
        let first = matches!(self.state, State::ResponderWaiting);
        if !first && msg.flow_id != self.flow_id {
            return self.cancel(CancelReason::UnexpectedMessage);
        }
        if let Body::Cancel { code } = msg.body {
            if first {
                self.flow_id = msg.flow_id;
            }
            return self.cancel(CancelReason::from_peer_code(code));
        }
        self.deadline = deadline(now, &self.config);
        let state = std::mem::replace(&mut self.state, State::Transition);
        match (state, msg.body) {
            (
                State::ResponderWaiting,
                Body::Commit {
                    sas_bits,
                    identity,
                    commitment,
                },
            ) => {
                self.flow_id = msg.flow_id;
                self.on_commit(bytes, sas_bits, identity, commitment, rng)
            }
            (
                State::InitiatorCommitted {
                    secret,
                    public,
                    commitment,
                    sent,
                },
                Body::Accept {
                    identity,
                    ephemeral,
                },
            ) => {
                let transcript = Transcript {
                    flow_id: self.flow_id,
                    sas_bits: self.config.sas_bits,
                    initiator: self.own_key,
                    responder: identity,
                    initiator_ephemeral: public,
                    responder_ephemeral: ephemeral,
                    commitment,
                };
                let Some(keys) = agree(secret, &ephemeral, &transcript) else {
                    return self.cancel(CancelReason::NonContributoryKey);
                };
                let settled = CommitmentSettled::initiator_committed_first(sent);
                self.establish(keys, identity, settled, transcript.sas_bits);
                let reveal = Message {
                    flow_id: self.flow_id,
                    body: Body::Reveal { ephemeral: public },
                };
                self.output(vec![reveal.encode()])
            }
            (
                State::ResponderAccepted {
                    secret,
                    public,
                    peer,
                    commitment: received,
                    sas_bits,
                },
                Body::Reveal { ephemeral },
            ) => {
                let recomputed = commitment(&self.flow_id, sas_bits, &peer, &ephemeral);
                let Some(settled) = CommitmentSettled::check(&received, &recomputed) else {
                    return self.cancel(CancelReason::CommitmentMismatch);
                };
                let transcript = Transcript {
                    flow_id: self.flow_id,
                    sas_bits,
                    initiator: peer,
                    responder: self.own_key,
                    initiator_ephemeral: ephemeral,
                    responder_ephemeral: public,
                    commitment: received,
                };
                let Some(keys) = agree(secret, &ephemeral, &transcript) else {
                    return self.cancel(CancelReason::NonContributoryKey);
                };
                self.establish(keys, peer, settled, sas_bits);
                self.output(Vec::new())
            }
            (State::Comparing(est, None), Body::Confirm { mac, signature }) => {
                let Some(ok) =
                    PeerConfirmed::verify(&est.keys, self.role.peer(), &est.peer, &mac, &signature)
                else {
                    return self.cancel(CancelReason::MacMismatch);
                };
                self.state = State::Comparing(est, Some(ok));
                self.output(Vec::new())
            }
            (State::AwaitingPeer(est, user), Body::Confirm { mac, signature }) => {
                let Some(ok) =
                    PeerConfirmed::verify(&est.keys, self.role.peer(), &est.peer, &mac, &signature)
                else {
                    return self.cancel(CancelReason::MacMismatch);
                };
                let est = *est;
                self.state = State::Verified {
                    peer: est.peer,
                    proofs: VerifiedProofs::new(est.commitment, user, ok, &est.keys),
                };
                self.output(Vec::new())
            }
            #[cfg(test)]
            (State::Comparing(est, confirmed), Body::Reveal { .. })
                if self.config.no_commitment() && self.role == Role::Responder =>
            {
                // The broken variant already used the key sent in Commit.
                self.state = State::Comparing(est, confirmed);
                self.output(Vec::new())
            }
            _ => self.cancel(CancelReason::UnexpectedMessage),
        }
    }

    fn on_commit<R: CryptoRngCore>(
        &mut self,
        bytes: &[u8],
        sas_bits: u8,
        peer: PublicKey,
        received: [u8; 32],
        rng: &mut R,
    ) -> Output {
        if let Some(expected) = self.join_binding {
            let actual = join_binding_of(bytes);
            if !bool::from(subtle::ConstantTimeEq::ct_eq(&actual[..], &expected[..])) {
                return self.cancel(CancelReason::WrongJoinCode);
            }
        }
        if sas_bits < self.config.sas_bits {
            return self.cancel(CancelReason::UnsupportedParameters);
        }
        let secret = EphemeralSecret::random_from_rng(&mut *rng);
        let public = X25519Public::from(&secret).to_bytes();
        let accept = Message {
            flow_id: self.flow_id,
            body: Body::Accept {
                identity: self.own_key,
                ephemeral: public,
            },
        }
        .encode();
        if self.config.no_commitment() {
            // Broken test-only variant: the "commitment" field is the initiator's key itself.
            #[cfg(test)]
            {
                let transcript = Transcript {
                    flow_id: self.flow_id,
                    sas_bits,
                    initiator: peer,
                    responder: self.own_key,
                    initiator_ephemeral: received,
                    responder_ephemeral: public,
                    commitment: received,
                };
                let Some(keys) = agree(secret, &received, &transcript) else {
                    return self.cancel(CancelReason::NonContributoryKey);
                };
                self.establish(keys, peer, CommitmentSettled::insecure_skipped(), sas_bits);
                return self.output(vec![accept]);
            }
        }
        self.state = State::ResponderAccepted {
            secret,
            public,
            peer,
            commitment: received,
            sas_bits,
        };
        self.output(vec![accept])
    }

    fn establish(
        &mut self,
        keys: SessionKeys,
        peer: PublicKey,
        commitment: CommitmentSettled,
        sas_bits: u8,
    ) {
        let sas = SasCode::from_bytes(keys.sas_bytes(), sas_bits);
        self.state = State::Comparing(
            Box::new(Established {
                keys,
                peer,
                sas,
                commitment,
            }),
            None,
        );
    }
}

fn deadline(now: Instant, config: &SasConfig) -> Instant {
    now.checked_add(config.timeout).unwrap_or(now)
}

/// X25519 with the contributory check, then the key schedule.
fn agree(secret: EphemeralSecret, peer: &[u8; 32], transcript: &Transcript) -> Option<SessionKeys> {
    let shared = secret.diffie_hellman(&X25519Public::from(*peer));
    if !shared.was_contributory() {
        return None;
    }
    Some(SessionKeys::derive(shared.as_bytes(), transcript))
}

/// The join-code binding of a first message: `H("verifier/v1/sas/join-code", msg)[..4]`.
pub fn join_binding_of(first_message: &[u8]) -> JoinBinding {
    let h = labelled_hash(LABEL_JOIN_CODE, &[first_message]);
    let mut out = [0u8; JOIN_BINDING_LEN];
    out.copy_from_slice(&h[..JOIN_BINDING_LEN]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn debug_never_shows_session_secrets() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let alice = Identity::generate(&mut rng);
        let bob = Identity::generate(&mut rng);
        let now = Instant::now();
        let (mut host, out) = SasSession::initiate(&alice, SasConfig::default(), &mut rng, now);
        let mut joiner = SasSession::respond(&bob, SasConfig::default(), None, now);
        let accept = joiner.receive(&out.send[0], &mut rng, now).send.remove(0);
        let reveal = host.receive(&accept, &mut rng, now).send.remove(0);
        joiner.receive(&reveal, &mut rng, now);
        let State::Comparing(est, _) = &host.state else {
            panic!("not comparing")
        };
        let dbg = format!("{host:?} {joiner:?} {:?}", est.keys);
        for secret in est.keys.secret_bytes_for_tests() {
            let hex = hex::encode(secret);
            assert!(!dbg.contains(&hex), "a MAC key is printed");
            assert!(
                !dbg.contains(&format!("{:?}", secret)),
                "a MAC key is printed"
            );
        }
        assert!(dbg.contains("SasSession") && dbg.contains("SessionKeys"));
    }
}
