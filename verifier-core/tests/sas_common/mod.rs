//! Shared helpers for the SAS integration tests: an in-process pair of state machines.
#![allow(dead_code)]

use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use verifier_core::identity::Identity;
use verifier_core::sas::{Output, Phase, SasConfig, SasSession};

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

pub fn identities(rng: &mut StdRng) -> (Identity, Identity) {
    (Identity::generate(rng), Identity::generate(rng))
}

/// Host and joiner, with the messages in flight.
pub struct Pair<'a> {
    pub host: SasSession<'a>,
    pub joiner: SasSession<'a>,
    pub commit: Vec<u8>,
    pub now: Instant,
}

impl<'a> Pair<'a> {
    pub fn new(alice: &'a Identity, bob: &'a Identity, rng: &mut StdRng) -> Self {
        let now = Instant::now();
        let (host, out) = SasSession::initiate(alice, SasConfig::default(), rng, now);
        let joiner = SasSession::respond(bob, SasConfig::default(), Some(host.join_binding()), now);
        let commit = single(out);
        Self {
            host,
            joiner,
            commit,
            now,
        }
    }

    /// Runs Commit → Accept → Reveal; both sides then compare.
    pub fn run_to_compare(&mut self, rng: &mut StdRng) {
        let accept = single(self.joiner.receive(&self.commit.clone(), rng, self.now));
        let reveal = single(self.host.receive(&accept, rng, self.now));
        let out = self.joiner.receive(&reveal, rng, self.now);
        assert!(out.send.is_empty());
    }
}

/// The one message an output must carry.
pub fn single(out: Output) -> Vec<u8> {
    assert_eq!(out.send.len(), 1, "expected exactly one message in {out:?}");
    out.send.into_iter().next().unwrap()
}

pub fn is_compare(p: &Phase) -> bool {
    matches!(p, Phase::Compare { .. })
}
