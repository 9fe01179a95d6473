//! Saving a run in progress and resuming it later (docs/sas-protocol.md, "Saved sessions").
//!
//! A host app may be suspended mid-run (a phone app sent to the background). The saved
//! bytes hold the run's secrets, so they are sealed with XChaCha20-Poly1305 under a key
//! derived from the identity's secret: only the same identity opens them, and any change is
//! refused. Resuming re-derives every key and re-runs every check (commitment, contributory
//! key exchange, the peer's MAC and signature) instead of trusting stored results.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use x25519_dalek::{PublicKey as X25519Public, StaticSecret};
use zeroize::Zeroizing;

use super::config::SasConfig;
use super::extensions::Extensions;
use super::join_code::JoinSecret;
use super::keys::{Identity, KeyType, PublicKey};
use super::machine::{Established, PeerConfirm, SasError, SasSession, State, establish, os_seed};
use super::proof::{CommitSent, CommitmentSettled, PeerConfirmed, UserConfirmed};
use super::schedule::{
    JOIN_SECRET_LEN, JoinKeys, LABEL_SAVED_SESSION_KEY, Prk, Role, Transcript, commitment,
    typed_key,
};
use super::wire::FLOW_ID_LEN;
use crate::trust::ComparedBy;

/// The first bytes of a saved session.
const MAGIC: &[u8; 4] = b"vsas";
/// The format version of saved sessions this code writes and reads.
pub const SAVED_SESSION_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const AAD_LABEL: &str = "verifier/v2/sas/saved-session";

const ST_INITIATOR_COMMITTED: u8 = 1;
const ST_RESPONDER_WAITING: u8 = 2;
const ST_RESPONDER_ACCEPTED: u8 = 3;
const ST_COMPARING: u8 = 4;
const ST_AWAITING_PEER: u8 = 5;

fn cipher(identity: &Identity) -> XChaCha20Poly1305 {
    let seed = identity.to_bytes();
    let prk = Prk::extract(LABEL_SAVED_SESSION_KEY.as_bytes(), &seed[..]);
    let key = prk.expand::<32>("xchacha20poly1305");
    XChaCha20Poly1305::new((&*key).into())
}

fn aad() -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    out.extend_from_slice(MAGIC);
    out.push(SAVED_SESSION_VERSION);
    out.extend_from_slice(AAD_LABEL.as_bytes());
    out
}

fn damaged(what: &'static str) -> SasError {
    SasError::SavedSessionDamaged { what }
}

fn push_ext(out: &mut Vec<u8>, ext: &[u8]) {
    out.push(u8::try_from(ext.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(ext);
}

fn push_transcript(out: &mut Vec<u8>, t: &Transcript) {
    out.extend_from_slice(&typed_key(&t.initiator));
    out.extend_from_slice(&typed_key(&t.responder));
    out.extend_from_slice(&t.initiator_ephemeral);
    out.extend_from_slice(&t.responder_ephemeral);
    out.extend_from_slice(&t.commitment);
    out.push(t.sas_bits);
    push_ext(out, &t.initiator_extensions);
    push_ext(out, &t.responder_extensions);
}

impl SasSession {
    /// Saves the run so that [`Self::resume`] can continue it, e.g. while a host app is
    /// suspended. The bytes are sealed for this identity (XChaCha20-Poly1305 under a key
    /// derived from its secret) and hold the run's secrets: keep them only until the run
    /// resumes. The time left on the current wait is saved, not a deadline, so `now_ms`
    /// need not come from the clock the resumed session will use.
    ///
    /// A finished run is refused ([`SasError::Finished`]).
    pub fn save(&self, now_ms: u64) -> Result<Zeroizing<Vec<u8>>, SasError> {
        let mut plain = Zeroizing::new(Vec::with_capacity(400));
        let state_code = match &self.state {
            State::InitiatorCommitted { .. } => ST_INITIATOR_COMMITTED,
            State::ResponderWaiting { .. } => ST_RESPONDER_WAITING,
            State::ResponderAccepted { .. } => ST_RESPONDER_ACCEPTED,
            State::Comparing(_) => ST_COMPARING,
            State::AwaitingPeer(..) => ST_AWAITING_PEER,
            State::Verified { .. } => return Err(SasError::Finished { phase: "verified" }),
            State::Cancelled(_) | State::Transition => {
                return Err(SasError::Finished { phase: "cancelled" });
            }
        };
        plain.push(match self.role {
            Role::Initiator => 1,
            Role::Responder => 2,
        });
        plain.push(state_code);
        plain.push(self.config.sas_bits);
        plain.extend_from_slice(&self.config.timeout_ms.to_be_bytes());
        plain.extend_from_slice(&self.deadline_ms.saturating_sub(now_ms).to_be_bytes());
        plain.extend_from_slice(&self.flow_id);
        plain.extend_from_slice(self.join_secret.as_bytes());
        plain.push(self.send_seq);
        plain.push(self.recv_seq);
        plain.push(u8::from(self.peer_in_session));
        push_ext(&mut plain, &self.config.extensions.encode());
        match &self.state {
            State::InitiatorCommitted {
                secret, commitment, ..
            } => {
                plain.extend_from_slice(&*Zeroizing::new(secret.to_bytes()));
                plain.extend_from_slice(commitment);
            }
            State::ResponderWaiting { secret } => {
                plain.extend_from_slice(&*Zeroizing::new(secret.to_bytes()));
            }
            State::ResponderAccepted {
                secret,
                peer,
                commitment,
                sas_bits,
                peer_extensions,
            } => {
                plain.extend_from_slice(&*Zeroizing::new(secret.to_bytes()));
                plain.extend_from_slice(&typed_key(peer));
                plain.extend_from_slice(commitment);
                plain.push(*sas_bits);
                push_ext(&mut plain, &peer_extensions.encode());
            }
            State::Comparing(est) | State::AwaitingPeer(est, _) => {
                plain.extend_from_slice(&*Zeroizing::new(est.ephemeral.to_bytes()));
                push_transcript(&mut plain, &est.transcript);
                match &est.peer_confirm {
                    Some(c) => {
                        plain.push(1);
                        plain.extend_from_slice(&c.mac);
                        plain.extend_from_slice(&c.signature);
                    }
                    None => plain.push(0),
                }
                if let State::AwaitingPeer(_, user) = &self.state {
                    plain.push(match user.by() {
                        ComparedBy::Person => 1,
                        ComparedBy::Script => 2,
                    });
                }
            }
            State::Verified { .. } | State::Cancelled(_) | State::Transition => {}
        }
        let seed = os_seed()?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&seed[..NONCE_LEN]);
        let aad = aad();
        let sealed = cipher(&self.identity)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| damaged("the run could not be sealed"))?;
        let mut out = Zeroizing::new(Vec::with_capacity(
            MAGIC.len() + 1 + NONCE_LEN + sealed.len(),
        ));
        out.extend_from_slice(MAGIC);
        out.push(SAVED_SESSION_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Resumes a run saved by [`Self::save`] with the same identity. The wait that was in
    /// progress continues from `now_ms` with the time it had left.
    ///
    /// ```
    /// use verifier_core::identity::Identity;
    /// use verifier_core::sas::{SasConfig, SasSession};
    /// let alice = Identity::from_bytes(&[1; 32])?;
    /// let (host, first) = SasSession::initiate(&alice, SasConfig::default(), 1_000)?;
    /// let saved = host.save(61_000)?; // a minute later the app is suspended
    /// let resumed = SasSession::resume(&alice, &saved, 5)?; // a new process, a new clock
    /// assert_eq!(resumed.first_message(), host.first_message());
    /// assert_eq!(resumed.deadline_ms(), 5 + 240_000);
    /// assert!(SasSession::resume(&Identity::from_bytes(&[2; 32])?, &saved, 5).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resume(identity: &Identity, saved: &[u8], now_ms: u64) -> Result<Self, SasError> {
        let header_len = MAGIC.len() + 1;
        if saved.len() < header_len + NONCE_LEN || &saved[..MAGIC.len()] != MAGIC {
            return Err(SasError::SavedSessionInvalid);
        }
        let version = saved[MAGIC.len()];
        if version != SAVED_SESSION_VERSION {
            return Err(SasError::SavedSessionVersion {
                version,
                supported: SAVED_SESSION_VERSION,
            });
        }
        let nonce = &saved[header_len..header_len + NONCE_LEN];
        let aad = aad();
        let plain = Zeroizing::new(
            cipher(identity)
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: &saved[header_len + NONCE_LEN..],
                        aad: &aad,
                    },
                )
                .map_err(|_| SasError::SavedSessionInvalid)?,
        );
        restore(identity, &plain, now_ms)
    }
}

type Reader<'a> = crate::wire::Reader<'a, SasError>;

/// The saved bytes end inside `field`.
fn ends_early(field: &'static str) -> SasError {
    SasError::SavedSessionDamaged { what: field }
}

/// `u8 len ‖ extensions`, checked to be canonical.
fn read_ext(r: &mut Reader<'_>) -> Result<Vec<u8>, SasError> {
    let len = usize::from(r.u8("it ends inside an extension length")?);
    let v = r.take(len, "it ends inside an extension field")?;
    Extensions::decode(v).map_err(|_| damaged("an extension field"))?;
    Ok(v.to_vec())
}

/// `typed(K)`: type code ‖ 32 key bytes.
fn read_key(r: &mut Reader<'_>) -> Result<PublicKey, SasError> {
    let typed: [u8; 33] = r.array("it ends inside a key")?;
    if typed[0] != KeyType::Ed25519.code() {
        return Err(damaged("a key type"));
    }
    PublicKey::from_bytes(KeyType::Ed25519, &typed[1..]).map_err(|_| damaged("a key"))
}

fn read_secret(r: &mut Reader<'_>) -> Result<StaticSecret, SasError> {
    let bytes = Zeroizing::new(r.array::<32>("it ends inside the ephemeral secret")?);
    Ok(StaticSecret::from(*bytes))
}

fn restore(identity: &Identity, plain: &[u8], now_ms: u64) -> Result<SasSession, SasError> {
    let mut r = Reader::new(plain, ends_early);
    let role = match r.u8("it ends inside the role")? {
        1 => Role::Initiator,
        2 => Role::Responder,
        _ => return Err(damaged("the role")),
    };
    let state_code = r.u8("it ends inside the state")?;
    let sas_bits = r.u8("it ends inside the SAS length")?;
    let mut config = SasConfig::default()
        .with_sas_bits(sas_bits)
        .map_err(|_| damaged("the SAS length"))?;
    config = config.with_timeout_ms(r.u64("it ends inside the time limit")?);
    let remaining = r.u64("it ends inside the time left")?;
    let flow_id: [u8; FLOW_ID_LEN] = r.array("it ends inside the flow id")?;
    let join_secret =
        JoinSecret::from_bytes(r.array::<JOIN_SECRET_LEN>("it ends inside the join secret")?);
    let send_seq = r.u8("it ends inside the send sequence")?;
    let recv_seq = r.u8("it ends inside the receive sequence")?;
    let peer_in_session = match r.u8("it ends inside a flag")? {
        0 => false,
        1 => true,
        _ => return Err(damaged("a flag")),
    };
    config.extensions =
        Extensions::decode(&read_ext(&mut r)?).map_err(|_| damaged("an extension"))?;
    let secret = read_secret(&mut r)?;
    let own_key = identity.public_key();
    let own_public = X25519Public::from(&secret).to_bytes();
    let state = match (role, state_code) {
        (Role::Initiator, ST_INITIATOR_COMMITTED) => {
            let stored: [u8; 32] = r.array("it ends inside the commitment")?;
            let recomputed = commitment(
                &flow_id,
                config.sas_bits,
                &own_key,
                &own_public,
                &config.extensions.encode(),
            );
            if CommitmentSettled::check(&stored, &recomputed).is_none() {
                return Err(damaged("the commitment"));
            }
            State::InitiatorCommitted {
                secret,
                commitment: stored,
                sent: CommitSent::restored_from_sealed_save(),
            }
        }
        (Role::Responder, ST_RESPONDER_WAITING) => State::ResponderWaiting { secret },
        (Role::Responder, ST_RESPONDER_ACCEPTED) => {
            let peer = read_key(&mut r)?;
            let commitment: [u8; 32] = r.array("it ends inside the commitment")?;
            let bits = r.u8("it ends inside the SAS length")?;
            let peer_extensions =
                Extensions::decode(&read_ext(&mut r)?).map_err(|_| damaged("an extension"))?;
            State::ResponderAccepted {
                secret,
                peer,
                commitment,
                sas_bits: bits,
                peer_extensions,
            }
        }
        (_, ST_COMPARING | ST_AWAITING_PEER) => {
            let transcript = Transcript {
                flow_id,
                initiator: read_key(&mut r)?,
                responder: read_key(&mut r)?,
                initiator_ephemeral: r.array("it ends inside an ephemeral key")?,
                responder_ephemeral: r.array("it ends inside an ephemeral key")?,
                commitment: r.array("it ends inside the commitment")?,
                sas_bits: r.u8("it ends inside the SAS length")?,
                initiator_extensions: read_ext(&mut r)?,
                responder_extensions: read_ext(&mut r)?,
            };
            let est = restore_established(role, &own_key, &own_public, secret, transcript)?;
            let mut est = Box::new(est);
            if r.u8("it ends inside a flag")? == 1 {
                let mac: [u8; 32] = r.array("it ends inside the peer's MAC")?;
                let signature: [u8; 64] = r.array("it ends inside the peer's signature")?;
                let proof =
                    PeerConfirmed::verify(&est.keys, role.peer(), &est.peer, &mac, &signature)
                        .ok_or(damaged("the peer's confirmation"))?;
                est.peer_confirm = Some(PeerConfirm {
                    proof,
                    mac,
                    signature,
                });
            }
            if state_code == ST_COMPARING {
                State::Comparing(est)
            } else {
                if est.peer_confirm.is_some() {
                    return Err(damaged("the state"));
                }
                let by = match r.u8("it ends inside who compared")? {
                    1 => ComparedBy::Person,
                    2 => ComparedBy::Script,
                    _ => return Err(damaged("who compared")),
                };
                State::AwaitingPeer(est, UserConfirmed::user_said_match(by))
            }
        }
        _ => return Err(damaged("the state")),
    };
    if r.pos() != plain.len() {
        return Err(damaged("bytes after the end"));
    }
    Ok(SasSession {
        identity: identity.clone(),
        own_key,
        role,
        deadline_ms: now_ms.saturating_add(remaining.min(config.timeout_ms)),
        join_keys: JoinKeys::derive(join_secret.as_bytes()),
        config,
        flow_id,
        join_secret,
        send_seq,
        recv_seq,
        peer_in_session,
        state,
    })
}

/// Re-derives the keys of a run after key agreement and re-checks what led there.
fn restore_established(
    role: Role,
    own_key: &PublicKey,
    own_public: &[u8; 32],
    secret: StaticSecret,
    transcript: Transcript,
) -> Result<Established, SasError> {
    let recomputed = commitment(
        &transcript.flow_id,
        transcript.sas_bits,
        &transcript.initiator,
        &transcript.initiator_ephemeral,
        &transcript.initiator_extensions,
    );
    let (own_slot, own_eph, peer, peer_eph) = match role {
        Role::Initiator => (
            transcript.initiator,
            transcript.initiator_ephemeral,
            transcript.responder,
            transcript.responder_ephemeral,
        ),
        Role::Responder => (
            transcript.responder,
            transcript.responder_ephemeral,
            transcript.initiator,
            transcript.initiator_ephemeral,
        ),
    };
    if own_slot != *own_key || own_eph != *own_public {
        return Err(damaged("the run is not this identity's"));
    }
    let settled = match role {
        Role::Responder => CommitmentSettled::check(&transcript.commitment, &recomputed)
            .ok_or(damaged("the commitment"))?,
        Role::Initiator => {
            CommitmentSettled::check(&transcript.commitment, &recomputed)
                .ok_or(damaged("the commitment"))?;
            CommitmentSettled::restored_initiator(CommitSent::restored_from_sealed_save())
        }
    };
    establish(secret, &peer_eph, transcript, peer, settled)
        .ok_or(damaged("the key exchange is not contributory"))
}
