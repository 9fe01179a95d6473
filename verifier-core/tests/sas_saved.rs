//! A run saved in any phase and resumed (in a "new process" with a new clock) goes on to
//! the same end; a saved run opens only with its own identity and only unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sas_common;

use sas_common::{Pair, identities, rng, single};
use verifier_core::identity::Identity;
use verifier_core::sas::{Decision, Phase, SasError, SasSession};

/// Saves and resumes `s` at a new clock origin, and checks that the copy looks the same.
fn round_trip(s: &SasSession, id: &Identity, now: u64) -> SasSession {
    let saved = s.save(now).unwrap();
    let resumed = SasSession::resume(id, &saved, 7).unwrap();
    assert_eq!(resumed.phase(), s.phase());
    assert_eq!(resumed.role(), s.role());
    assert_eq!(resumed.flow_id(), s.flow_id());
    assert_eq!(resumed.deadline_ms(), 7 + (s.deadline_ms() - now));
    resumed
}

#[test]
fn a_run_saved_at_every_step_ends_verified() {
    let mut rng = rng(40);
    let (alice, bob) = identities(&mut rng);
    for save_at in 0..6 {
        let mut p = Pair::new(&alice, &bob, &mut rng);
        let now = p.now;
        let step = |p: &mut Pair, at: usize| {
            if at == save_at {
                p.host = round_trip(&p.host, &alice, now);
                p.joiner = round_trip(&p.joiner, &bob, now);
                p.now = 7;
            }
        };
        step(&mut p, 0);
        let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
        step(&mut p, 1);
        let reveal = single(p.host.receive(&accept, p.now));
        step(&mut p, 2);
        p.joiner.receive(&reveal, p.now);
        step(&mut p, 3);
        let from_joiner = single(p.joiner.decide(Decision::Match, p.now));
        step(&mut p, 4);
        p.host.receive(&from_joiner, p.now);
        step(&mut p, 5);
        let from_host = single(p.host.decide(Decision::Match, p.now));
        p.joiner.receive(&from_host, p.now);
        assert_eq!(
            p.host.phase(),
            Phase::Verified {
                peer: bob.public_key()
            },
            "saved at {save_at}"
        );
        assert_eq!(
            p.joiner.phase(),
            Phase::Verified {
                peer: alice.public_key()
            }
        );
        assert!(p.host.evidence().is_some() && p.joiner.evidence().is_some());
    }
}

#[test]
fn a_saved_run_opens_only_with_its_identity_and_unchanged() {
    let mut rng = rng(41);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let saved = p.host.save(p.now).unwrap();
    assert_eq!(
        SasSession::resume(&bob, &saved, 0).unwrap_err(),
        SasError::SavedSessionInvalid
    );
    for i in 0..saved.len() {
        let mut bad = saved.to_vec();
        bad[i] ^= 0x20;
        let err = SasSession::resume(&alice, &bad, 0).unwrap_err();
        assert!(
            matches!(
                err,
                SasError::SavedSessionInvalid | SasError::SavedSessionVersion { .. }
            ),
            "byte {i}: {err}"
        );
    }
    assert_eq!(
        SasSession::resume(&alice, &saved[..saved.len() - 1], 0).unwrap_err(),
        SasError::SavedSessionInvalid
    );
    assert_eq!(
        SasSession::resume(&alice, b"", 0).unwrap_err(),
        SasError::SavedSessionInvalid
    );
    // Two saves of the same state differ (fresh nonce), and both open.
    let again = p.host.save(p.now).unwrap();
    assert_ne!(*saved, *again);
    SasSession::resume(&alice, &again, 0).unwrap();
}

#[test]
fn a_finished_run_cannot_be_saved() {
    let mut rng = rng(42);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.host.decide(Decision::Cancel, p.now);
    let err = p.host.save(p.now).unwrap_err();
    assert_eq!(err, SasError::Finished { phase: "cancelled" });
    assert_eq!(err.code(), 4402);
}

#[test]
fn a_resumed_run_keeps_its_time_limit() {
    let mut rng = rng(43);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let limit = p.host.config().timeout_ms();
    // Saved with 1 s left: the resumed run times out 1 s after it resumes.
    let saved = p.host.save(p.now + limit - 1_000).unwrap();
    let mut resumed = SasSession::resume(&alice, &saved, 50).unwrap();
    assert_eq!(resumed.tick(1_049).phase, Phase::WaitingForPeer);
    assert!(matches!(resumed.tick(1_050).phase, Phase::Cancelled { .. }));
    // Saved after its deadline: resumes with no time left.
    let saved = p.host.save(p.now + limit + 5).unwrap();
    let mut resumed = SasSession::resume(&alice, &saved, 50).unwrap();
    assert!(matches!(resumed.tick(50).phase, Phase::Cancelled { .. }));
}
