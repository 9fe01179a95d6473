//! The property checked for every input; shared with the corpus replay test
//! (`verifier-core/tests/sas_fuzz_corpus.rs` includes this file).

use std::time::Instant;

use rand_core::{CryptoRng, RngCore};
use verifier_core::identity::Identity;
use verifier_core::sas::{Message, Phase, SasConfig, SasSession};

/// A fixed byte stream, so every run of an input behaves the same.
struct FixedRng(u8);

impl RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *b = self.0;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for FixedRng {}

/// Decoding never panics; whatever decodes re-encodes to the same bytes; a fresh responder
/// and a fresh initiator fed the bytes either move on or cancel, never panic.
pub fn check(data: &[u8]) {
    if let Ok(msg) = Message::decode(data) {
        assert_eq!(msg.encode(), data, "decode/encode must round-trip");
    }
    let mut rng = FixedRng(1);
    let identity = Identity::generate(&mut rng);
    let now = Instant::now();
    let mut responder = SasSession::respond(&identity, SasConfig::default(), None, now);
    let out = responder.receive(data, &mut rng, now);
    if Message::decode(data).is_err() {
        assert!(matches!(out.phase, Phase::Cancelled { .. }));
    }
    let (mut initiator, _) = SasSession::initiate(&identity, SasConfig::default(), &mut rng, now);
    let out = initiator.receive(data, &mut rng, now);
    // The initiator expects an Accept with its own flow id: arbitrary bytes never verify.
    assert!(!matches!(out.phase, Phase::Verified { .. }));
}
