//! Two in-process state machines run the SAS protocol to its ends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sas_common;

use sas_common::{Pair, decode, identities, is_compare, rng, single};
use verifier_core::sas::hazmat::wire::{Body, Epoch};
use verifier_core::sas::{
    CancelReason, Decision, Ignored, JoinCode, JoinSecret, Phase, SasConfig, SasSession,
};

#[test]
fn both_sides_see_the_same_code_and_end_verified() {
    let mut rng = rng(1);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    assert_eq!(p.host.phase(), Phase::WaitingForPeer);
    assert_eq!(p.joiner.phase(), Phase::WaitingForPeer);
    p.run_to_compare();
    assert!(is_compare(&p.host.phase()));
    assert_eq!(
        p.host.phase(),
        p.joiner.phase(),
        "both sides must show the same SAS"
    );

    let from_host = single(p.host.decide(Decision::Match, p.now));
    assert_eq!(p.host.phase(), Phase::WaitingForPeerConfirmation);
    let from_joiner = single(p.joiner.decide(Decision::Match, p.now));
    assert_eq!(p.joiner.phase(), Phase::WaitingForPeerConfirmation);
    assert!(p.joiner.receive(&from_host, p.now).send.is_empty());
    assert!(p.host.receive(&from_joiner, p.now).send.is_empty());
    assert_eq!(
        p.host.phase(),
        Phase::Verified {
            peer: bob.public_key()
        }
    );
    assert_eq!(
        p.joiner.phase(),
        Phase::Verified {
            peer: alice.public_key()
        }
    );
}

#[test]
fn peer_confirmation_before_own_decision_is_kept_until_the_user_confirms() {
    let mut rng = rng(2);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let from_joiner = single(p.joiner.decide(Decision::Match, p.now));
    // The host has not answered yet: it stays in Compare, not verified.
    let out = p.host.receive(&from_joiner, p.now);
    assert!(is_compare(&out.phase));
    let from_host = single(p.host.decide(Decision::Match, p.now));
    assert_eq!(
        p.host.phase(),
        Phase::Verified {
            peer: bob.public_key()
        }
    );
    p.joiner.receive(&from_host, p.now);
    assert_eq!(
        p.joiner.phase(),
        Phase::Verified {
            peer: alice.public_key()
        }
    );
}

#[test]
fn no_match_on_either_side_cancels_both_with_the_right_reasons() {
    for host_says_no in [true, false] {
        let mut rng = rng(3);
        let (alice, bob) = identities(&mut rng);
        let mut p = Pair::new(&alice, &bob, &mut rng);
        p.run_to_compare();
        let (no, other) = if host_says_no {
            (&mut p.host, &mut p.joiner)
        } else {
            (&mut p.joiner, &mut p.host)
        };
        // The other person already said "match".
        let confirm = single(other.decide(Decision::Match, p.now));
        let cancel = single(no.decide(Decision::NoMatch, p.now));
        assert_eq!(
            no.phase(),
            Phase::Cancelled {
                reason: CancelReason::UserNoMatch
            }
        );
        // The confirmation arriving late changes nothing for the side that said no.
        assert!(no.receive(&confirm, p.now).send.is_empty());
        assert_eq!(
            no.phase(),
            Phase::Cancelled {
                reason: CancelReason::UserNoMatch
            }
        );
        other.receive(&cancel, p.now);
        assert_eq!(
            other.phase(),
            Phase::Cancelled {
                reason: CancelReason::PeerNoMatch
            }
        );
    }
}

#[test]
fn user_cancel_works_in_every_phase_and_is_sent() {
    let mut rng = rng(4);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let cancel = single(p.host.decide(Decision::Cancel, p.now));
    assert_eq!(
        p.host.phase(),
        Phase::Cancelled {
            reason: CancelReason::UserCancelled
        }
    );
    p.joiner.receive(&cancel, p.now);
    assert_eq!(
        p.joiner.phase(),
        Phase::Cancelled {
            reason: CancelReason::PeerCancelled
        }
    );
}

#[test]
fn a_decision_before_the_code_is_shown_does_nothing() {
    let mut rng = rng(5);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    assert!(p.host.decide(Decision::Match, p.now).send.is_empty());
    assert_eq!(p.host.phase(), Phase::WaitingForPeer);
    p.run_to_compare();
    assert!(is_compare(&p.host.phase()));
}

#[test]
fn waits_time_out_and_tell_the_peer() {
    let mut rng = rng(6);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let later = p.now + SasConfig::default().timeout_ms() + 1_000;
    assert!(is_compare(&p.host.tick(p.now + 1_000).phase));
    let cancel = single(p.host.tick(later));
    assert_eq!(
        p.host.phase(),
        Phase::Cancelled {
            reason: CancelReason::Timeout
        }
    );
    let msg = decode(&cancel);
    assert_eq!(msg.body, Body::Cancel { code: 0x07 });
    assert_eq!(msg.epoch, Epoch::Session);
    // A message arriving after the deadline is too late as well.
    let out = p.joiner.receive(&cancel, later);
    assert_eq!(
        out.phase,
        Phase::Cancelled {
            reason: CancelReason::Timeout
        }
    );
}

#[test]
fn connection_loss_ends_the_run() {
    let mut rng = rng(7);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let out = p.joiner.connection_lost();
    assert!(out.send.is_empty());
    assert_eq!(
        out.phase,
        Phase::Cancelled {
            reason: CancelReason::ConnectionLost
        }
    );
}

#[test]
fn a_wrong_join_code_fails_cleanly() {
    let mut rng = rng(8);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let mut secret = *p.code.secret().as_bytes();
    secret[0] ^= 1;
    let code = JoinCode::new(p.code.addr(), JoinSecret::from_bytes(secret));
    let mut joiner = SasSession::respond_seeded(&bob, SasConfig::default(), &code, &[8; 32], 0);
    let reply = single(joiner.receive(&p.commit, 0));
    assert_eq!(
        joiner.phase(),
        Phase::Cancelled {
            reason: CancelReason::WrongJoinCode
        }
    );
    assert_eq!(decode(&reply).body, Body::Cancel { code: 0x09 });
}

#[test]
fn a_responder_refuses_a_shorter_code_than_it_requires() {
    let mut rng = rng(9);
    let (alice, bob) = identities(&mut rng);
    let weak = SasConfig::default().with_sas_bits(20).unwrap();
    let mut p = Pair::with(&alice, &bob, &mut rng, weak, SasConfig::default());
    let cancel = single(p.joiner.receive(&p.commit.clone(), p.now));
    assert_eq!(
        p.joiner.phase(),
        Phase::Cancelled {
            reason: CancelReason::UnsupportedParameters
        }
    );
    // The host is told, under the join key (the joiner has no session keys yet).
    p.host.receive(&cancel, p.now);
    assert_eq!(
        p.host.phase(),
        Phase::Cancelled {
            reason: CancelReason::PeerCancelled
        }
    );
}

#[test]
fn a_short_code_configuration_truncates_the_sas() {
    let mut rng = rng(10);
    let (alice, bob) = identities(&mut rng);
    let cfg = SasConfig::default().with_sas_bits(20).unwrap();
    let mut p = Pair::with(&alice, &bob, &mut rng, cfg.clone(), cfg);
    p.run_to_compare();
    let Phase::Compare { sas, .. } = p.joiner.phase() else {
        panic!("not comparing")
    };
    assert_eq!(sas.bits(), 20);
    assert_eq!(sas.bytes()[2] & 0x0f, 0);
    assert_eq!(&sas.bytes()[3..], &[0, 0, 0]);
    assert_eq!(p.host.phase(), p.joiner.phase());
}

#[test]
fn both_sides_show_the_initiators_rendering() {
    let mut rng = rng(13);
    let (alice, bob) = identities(&mut rng);
    let host = SasConfig::default()
        .with_rendering("words:bip39:fr")
        .unwrap();
    let joiner = SasConfig::default().with_rendering("emoji:en").unwrap();
    let mut p = Pair::with(&alice, &bob, &mut rng, host, joiner);
    p.run_to_compare();
    for side in [&p.host, &p.joiner] {
        let Phase::Compare { rendering, .. } = side.phase() else {
            panic!("not comparing")
        };
        assert_eq!(rendering.as_deref(), Some("words:bip39:fr"));
        assert_eq!(side.agreed_rendering().as_deref(), Some("words:bip39:fr"));
    }
    assert_eq!(p.host.phase(), p.joiner.phase());
}

#[test]
fn sas_configuration_never_goes_below_20_bits() {
    for bits in [0u8, 8, 16, 19, 49, 255] {
        assert!(SasConfig::default().with_sas_bits(bits).is_err(), "{bits}");
    }
    for bits in [20u8, 39, 44, 48] {
        assert_eq!(
            SasConfig::default().with_sas_bits(bits).unwrap().sas_bits(),
            bits
        );
    }
}

#[test]
fn different_runs_give_different_codes() {
    let mut rng = rng(11);
    let (alice, bob) = identities(&mut rng);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let mut p = Pair::new(&alice, &bob, &mut rng);
        p.run_to_compare();
        let Phase::Compare { sas, .. } = p.host.phase() else {
            panic!()
        };
        seen.insert(sas.bytes());
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn debug_output_shows_no_secret_material() {
    let mut rng = rng(12);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let dbg = format!("{:?} {:?}", p.host, p.joiner);
    assert!(dbg.contains("SasSession"));
    assert!(!dbg.to_lowercase().contains("secret"));
    assert!(!dbg.contains("keys"));
    assert!(!dbg.contains(&p.code.to_text()));
    let _ = Ignored::Unauthenticated; // the reason type is public
}

/// Found by mutation testing (docs/mutation-testing.md): accessors, the evidence's
/// "who compared", a "no match" before any code, the responder's early cancel, and
/// nothing after the end.
#[test]
fn accessors_report_the_run() {
    let mut rng = rng(14);
    let (alice, bob) = identities(&mut rng);
    let cfg = SasConfig::default().with_rendering("emoji:de").unwrap();
    let mut p = Pair::with(&alice, &bob, &mut rng, cfg, SasConfig::default());
    assert_eq!(p.host.config().rendering(), Some("emoji:de"));
    assert_eq!(p.host.flow_id(), sas_common::flow_id(&p.commit));
    assert_eq!(p.host.first_message(), Some(p.commit.clone()));
    assert_eq!(p.joiner.first_message(), None);
    p.run_to_compare();
    assert_eq!(p.joiner.flow_id(), p.host.flow_id());
    assert_eq!(
        p.host.first_message(),
        None,
        "only while waiting for a joiner"
    );
}

#[test]
fn the_evidence_says_who_answered() {
    use verifier_core::trust::ComparedBy;
    for (answer, by) in [
        (Decision::Match, ComparedBy::Person),
        (Decision::ScriptedMatch, ComparedBy::Script),
    ] {
        let mut rng = rng(15);
        let (alice, bob) = identities(&mut rng);
        let mut p = Pair::new(&alice, &bob, &mut rng);
        p.run_to_compare();
        let a = single(p.host.decide(answer, p.now));
        let b = single(p.joiner.decide(Decision::Match, p.now));
        p.joiner.receive(&a, p.now);
        p.host.receive(&b, p.now);
        assert_eq!(p.host.evidence().unwrap().compared_by(), by, "{answer:?}");
        assert_eq!(
            p.joiner.evidence().unwrap().compared_by(),
            ComparedBy::Person
        );
    }
}

#[test]
fn no_match_before_the_code_is_shown_does_nothing() {
    let mut rng = rng(16);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    assert!(p.host.decide(Decision::NoMatch, p.now).send.is_empty());
    assert_eq!(p.host.phase(), Phase::WaitingForPeer);
    p.run_to_compare();
    assert!(is_compare(&p.host.phase()));
}

#[test]
fn the_responder_can_cancel_before_it_has_session_keys() {
    // The joiner's person cancels after its Accept, before the Reveal arrived: its Cancel
    // goes under the join key, and the host (which already has session keys) takes it.
    let mut rng = rng(17);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
    let _reveal = single(p.host.receive(&accept, p.now));
    assert!(is_compare(&p.host.phase()));
    let cancel = single(p.joiner.decide(Decision::Cancel, p.now));
    assert_eq!(decode(&cancel).epoch, Epoch::Join);
    let out = p.host.receive(&cancel, p.now);
    assert!(out.ignored.is_none());
    assert_eq!(
        out.phase,
        Phase::Cancelled {
            reason: CancelReason::PeerCancelled
        }
    );
}

#[test]
fn nothing_counts_after_the_end() {
    let mut rng = rng(18);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let a = single(p.host.decide(Decision::Match, p.now));
    let b = single(p.joiner.decide(Decision::Match, p.now));
    p.joiner.receive(&a, p.now);
    p.host.receive(&b, p.now);
    assert!(matches!(p.host.phase(), Phase::Verified { .. }));
    for out in [
        p.host.receive(&b, p.now),
        p.host.decide(Decision::NoMatch, p.now),
        p.host.decide(Decision::Cancel, p.now),
        p.host.tick(u64::MAX),
        p.host.connection_lost(),
        p.host.reject_frame(),
    ] {
        assert!(out.send.is_empty() && out.ignored.is_none(), "{out:?}");
        assert!(matches!(out.phase, Phase::Verified { .. }));
    }
}
