//! Shared helpers for the SAS integration tests: an in-process pair of state machines, and
//! an attacker who knows the join code (so can tag join-epoch messages).
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use verifier_core::identity::Identity;
use verifier_core::sas::hazmat::schedule::{JoinKeys, Role};
use verifier_core::sas::hazmat::wire::{Body, Epoch, FlowId, Frame, Message};
use verifier_core::sas::{JoinCode, Output, Phase, SasConfig, SasSession};

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

pub fn identities(rng: &mut StdRng) -> (Identity, Identity) {
    (Identity::generate(rng), Identity::generate(rng))
}

/// Host and joiner, with the host's first message.
pub struct Pair {
    pub host: SasSession,
    pub joiner: SasSession,
    pub commit: Vec<u8>,
    pub code: JoinCode,
    pub now: u64,
}

impl Pair {
    pub fn new(alice: &Identity, bob: &Identity, rng: &mut StdRng) -> Self {
        Self::with(alice, bob, rng, SasConfig::default(), SasConfig::default())
    }

    pub fn with(
        alice: &Identity,
        bob: &Identity,
        rng: &mut StdRng,
        host_config: SasConfig,
        joiner_config: SasConfig,
    ) -> Self {
        let now = 1_000;
        let (host, out) = SasSession::initiate_seeded(alice, host_config, &rng.r#gen(), now);
        let code = host.join_code("127.0.0.1:47000".parse().unwrap()).unwrap();
        let joiner = SasSession::respond_seeded(bob, joiner_config, &code, &rng.r#gen(), now);
        let commit = single(out);
        Self {
            host,
            joiner,
            commit,
            code,
            now,
        }
    }

    /// Runs Commit → Accept → Reveal; both sides then compare.
    pub fn run_to_compare(&mut self) {
        let accept = single(self.joiner.receive(&self.commit.clone(), self.now));
        let reveal = single(self.host.receive(&accept, self.now));
        let out = self.joiner.receive(&reveal, self.now);
        assert!(out.send.is_empty() && out.ignored.is_none(), "{out:?}");
    }

    /// The join-epoch keys, as an attacker who saw the join code can derive them.
    pub fn join_keys(&self) -> JoinKeys {
        JoinKeys::derive(self.code.secret().as_bytes())
    }

    /// A message as `role` would send it under the join key: what an attacker who knows the
    /// join code can forge.
    pub fn forge(&self, role: Role, seq: u8, body: Body) -> Vec<u8> {
        Message {
            flow_id: flow_id(&self.commit),
            seq,
            epoch: Epoch::Join,
            body,
        }
        .encode(self.join_keys().key(role))
    }
}

/// The flow id of an encoded message.
pub fn flow_id(bytes: &[u8]) -> FlowId {
    Frame::decode(bytes).unwrap().message().flow_id
}

/// The decoded (unauthenticated) message.
pub fn decode(bytes: &[u8]) -> Message {
    Frame::decode(bytes).unwrap().into_message()
}

/// The one message an output must carry.
pub fn single(out: Output) -> Vec<u8> {
    assert_eq!(out.send.len(), 1, "expected exactly one message in {out:?}");
    out.send.into_iter().next().unwrap()
}

pub fn is_compare(p: &Phase) -> bool {
    matches!(p, Phase::Compare { .. })
}
