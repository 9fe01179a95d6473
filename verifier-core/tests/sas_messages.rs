//! Malformed, oversized, replayed, out-of-order and tampered messages end the run with a
//! named cancel reason, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sas_common;

use std::time::Instant;

use sas_common::{Pair, identities, is_compare, rng, single};
use verifier_core::sas::schedule::commitment;
use verifier_core::sas::wire::{Body, DecodeError, FLOW_ID_LEN};
use verifier_core::sas::{
    CancelReason, Decision, MAX_MESSAGE_LEN, Message, Phase, SasConfig, SasSession,
};

fn cancelled(p: Phase) -> CancelReason {
    match p {
        Phase::Cancelled { reason } => reason,
        other => panic!("expected a cancelled run, got {other:?}"),
    }
}

/// A joiner fed `bytes` as its first message.
fn joiner_reason(bytes: &[u8]) -> CancelReason {
    let mut rng = rng(20);
    let (_, bob) = identities(&mut rng);
    let mut j = SasSession::respond(&bob, SasConfig::default(), None, Instant::now());
    let out = j.receive(bytes, &mut rng, Instant::now());
    // This side's reason always goes out as a Cancel message.
    let sent = Message::decode(&single(out.clone())).unwrap();
    assert!(matches!(sent.body, Body::Cancel { .. }));
    cancelled(out.phase)
}

#[test]
fn undecodable_messages_are_malformed() {
    let mut rng = rng(21);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let good = p.commit.clone();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("header only", good[..4].to_vec()),
        ("truncated body", good[..good.len() - 1].to_vec()),
        ("trailing byte", [good.clone(), vec![0]].concat()),
        ("oversized", vec![1u8; MAX_MESSAGE_LEN + 1]),
        ("unknown kind", {
            let mut m = good.clone();
            m[1] = 0x77;
            m
        }),
        ("body length lies", {
            let mut m = good.clone();
            m[19] = 0x10;
            m
        }),
        ("sas bits 0", {
            let mut m = good.clone();
            m[20] = 0;
            m
        }),
        ("sas bits 49", {
            let mut m = good.clone();
            m[20] = 49;
            m
        }),
        ("key type 2", {
            let mut m = good.clone();
            m[21] = 2;
            m
        }),
        ("key length 31", {
            let mut m = good.clone();
            m[22] = 31;
            m
        }),
        // y = 2 is not the y-coordinate of any Ed25519 point.
        ("invalid key point", {
            let mut m = good.clone();
            m[23..55].fill(0);
            m[23] = 2;
            m
        }),
    ];
    for (name, bytes) in cases {
        assert_eq!(
            joiner_reason(&bytes),
            CancelReason::MalformedMessage,
            "{name}"
        );
    }
}

#[test]
fn another_version_is_unsupported_not_malformed() {
    let mut rng = rng(22);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let mut m = p.commit.clone();
    m[0] = 2;
    assert_eq!(joiner_reason(&m), CancelReason::UnsupportedVersion);
    assert_eq!(
        Message::decode(&m),
        Err(DecodeError::UnsupportedVersion { version: 2 })
    );
    // Even a version-2 message of unknown layout.
    assert_eq!(joiner_reason(&[2, 0xff]), CancelReason::UnsupportedVersion);
}

#[test]
fn replayed_and_out_of_order_messages_are_unexpected() {
    let mut rng = rng(23);
    let (alice, bob) = identities(&mut rng);

    // A replayed Commit.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.joiner.receive(&p.commit.clone(), &mut rng, p.now);
    p.joiner.receive(&p.commit.clone(), &mut rng, p.now);
    assert_eq!(cancelled(p.joiner.phase()), CancelReason::UnexpectedMessage);

    // The joiner's own Accept sent back to it; a Reveal before the Commit.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), &mut rng, p.now));
    p.joiner.receive(&accept, &mut rng, p.now);
    assert_eq!(cancelled(p.joiner.phase()), CancelReason::UnexpectedMessage);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let reveal = Message {
        flow_id: [0; FLOW_ID_LEN],
        body: Body::Reveal { ephemeral: [9; 32] },
    };
    p.joiner.receive(&reveal.encode(), &mut rng, p.now);
    assert_eq!(cancelled(p.joiner.phase()), CancelReason::UnexpectedMessage);

    // A replayed Accept to the host, after it already revealed.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), &mut rng, p.now));
    p.host.receive(&accept, &mut rng, p.now);
    assert!(is_compare(&p.host.phase()));
    p.host.receive(&accept, &mut rng, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);

    // A Confirm before any code exists.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let confirm = Message {
        flow_id: Message::decode(&p.commit).unwrap().flow_id,
        body: Body::Confirm {
            mac: [0; 32],
            signature: [0; 64],
        },
    };
    p.host.receive(&confirm.encode(), &mut rng, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);

    // A replayed Confirm.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare(&mut rng);
    let confirm = single(p.joiner.decide(Decision::Match, p.now));
    p.host.receive(&confirm, &mut rng, p.now);
    assert!(is_compare(&p.host.phase()));
    p.host.receive(&confirm, &mut rng, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);
}

#[test]
fn a_message_from_another_flow_is_unexpected() {
    let mut rng = rng(24);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let mut accept = single(p.joiner.receive(&p.commit.clone(), &mut rng, p.now));
    accept[2] ^= 0x80; // first byte of the flow id
    p.host.receive(&accept, &mut rng, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);
}

#[test]
fn a_reveal_that_does_not_match_the_commitment_is_caught() {
    let mut rng = rng(25);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), &mut rng, p.now));
    let reveal = Message::decode(&single(p.host.receive(&accept, &mut rng, p.now))).unwrap();
    let Body::Reveal { mut ephemeral } = reveal.body else {
        panic!()
    };
    ephemeral[5] ^= 1;
    let forged = Message {
        flow_id: reveal.flow_id,
        body: Body::Reveal { ephemeral },
    };
    let out = p.joiner.receive(&forged.encode(), &mut rng, p.now);
    assert_eq!(
        cancelled(out.phase.clone()),
        CancelReason::CommitmentMismatch
    );
    assert_eq!(
        Message::decode(&single(out)).unwrap().body,
        Body::Cancel { code: 0x03 }
    );
}

#[test]
fn non_contributory_ephemeral_keys_are_rejected_on_both_sides() {
    let mut rng = rng(26);
    let (alice, bob) = identities(&mut rng);
    // Host side: a joiner answering with the all-zero (small-order) point.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let flow_id = Message::decode(&p.commit).unwrap().flow_id;
    let accept = Message {
        flow_id,
        body: Body::Accept {
            identity: bob.public_key(),
            ephemeral: [0; 32],
        },
    };
    p.host.receive(&accept.encode(), &mut rng, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::NonContributoryKey);

    // Joiner side: a host that committed to the small-order point u = 0.
    let now = Instant::now();
    let mut j = SasSession::respond(&bob, SasConfig::default(), None, now);
    let bad = [0u8; 32];
    let c = commitment(&flow_id, 48, &alice.public_key(), &bad);
    let commit = Message {
        flow_id,
        body: Body::Commit {
            sas_bits: 48,
            identity: alice.public_key(),
            commitment: c,
        },
    };
    single(j.receive(&commit.encode(), &mut rng, now));
    let reveal = Message {
        flow_id,
        body: Body::Reveal { ephemeral: bad },
    };
    j.receive(&reveal.encode(), &mut rng, now);
    assert_eq!(cancelled(j.phase()), CancelReason::NonContributoryKey);
}

#[test]
fn tampered_or_reflected_confirmations_are_mac_mismatches() {
    let mut rng = rng(27);
    let (alice, bob) = identities(&mut rng);
    for tamper in 0..3 {
        let mut p = Pair::new(&alice, &bob, &mut rng);
        p.run_to_compare(&mut rng);
        let joiner_confirm = single(p.joiner.decide(Decision::Match, p.now));
        let host_confirm = single(p.host.decide(Decision::Match, p.now));
        let bytes = match tamper {
            0 => host_confirm, // reflection: the host's own Confirm
            1 => {
                let mut b = joiner_confirm;
                b[20] ^= 1; // MAC
                b
            }
            _ => {
                let mut b = joiner_confirm;
                b[60] ^= 1; // signature
                b
            }
        };
        let out = p.host.receive(&bytes, &mut rng, p.now);
        assert_eq!(
            cancelled(out.phase),
            CancelReason::MacMismatch,
            "case {tamper}"
        );
    }
}

#[test]
fn a_substituted_identity_key_changes_the_code() {
    let mut rng = rng(28);
    let (alice, bob) = identities(&mut rng);
    let mallory = verifier_core::identity::Identity::generate(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = Message::decode(&single(p.joiner.receive(
        &p.commit.clone(),
        &mut rng,
        p.now,
    )))
    .unwrap();
    let Body::Accept { ephemeral, .. } = accept.body else {
        panic!()
    };
    let forged = Message {
        flow_id: accept.flow_id,
        body: Body::Accept {
            identity: mallory.public_key(),
            ephemeral,
        },
    };
    let reveal = single(p.host.receive(&forged.encode(), &mut rng, p.now));
    p.joiner.receive(&reveal, &mut rng, p.now);
    assert!(is_compare(&p.host.phase()) && is_compare(&p.joiner.phase()));
    assert_ne!(
        p.host.phase(),
        p.joiner.phase(),
        "the SAS must bind both identity keys"
    );
}

#[test]
fn messages_after_the_end_change_nothing() {
    let mut rng = rng(29);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.host.decide(Decision::Cancel, p.now);
    for bytes in [vec![], p.commit.clone(), vec![0xff; 600]] {
        let out = p.host.receive(&bytes, &mut rng, p.now);
        assert!(out.send.is_empty());
        assert_eq!(cancelled(out.phase), CancelReason::UserCancelled);
    }
}

#[test]
fn every_single_bit_flip_of_every_message_ends_in_a_named_reason_or_is_harmless() {
    // Flip each bit of each message of a run; the run must never panic, and any flip the
    // receiver notices ends it with a reason (never a silent "verified" on a wrong code).
    let mut rng = rng(30);
    let (alice, bob) = identities(&mut rng);
    for step in 0..4 {
        let msg_len = {
            let mut p = Pair::new(&alice, &bob, &mut rng);
            message_at(&mut p, step, &mut rng).1.len()
        };
        for bit in 0..msg_len * 8 {
            let mut p = Pair::new(&alice, &bob, &mut rng);
            let (to_host, mut bytes) = message_at(&mut p, step, &mut rng);
            bytes[bit / 8] ^= 1 << (bit % 8);
            let receiver = if to_host { &mut p.host } else { &mut p.joiner };
            let out = receiver.receive(&bytes, &mut rng, p.now);
            if matches!(out.phase, Phase::Cancelled { .. }) {
                continue;
            }
            // Only a changed key in the Accept gets through, and then the codes differ.
            assert_eq!(
                step, 1,
                "step {step} bit {bit}: flip not detected ({:?})",
                out.phase
            );
            let reveal = single(out);
            p.joiner.receive(&reveal, &mut rng, p.now);
            assert!(is_compare(&p.host.phase()) && is_compare(&p.joiner.phase()));
            assert_ne!(
                p.host.phase(),
                p.joiner.phase(),
                "bit {bit}: same code after tampering"
            );
        }
    }
}

/// The `step`-th message of an honest run (0 Commit, 1 Accept, 2 Reveal, 3 joiner's
/// Confirm), with its direction; the pair is advanced to just before it is delivered.
fn message_at(p: &mut Pair<'_>, step: usize, rng: &mut rand::rngs::StdRng) -> (bool, Vec<u8>) {
    let commit = p.commit.clone();
    if step == 0 {
        return (false, commit);
    }
    let accept = single(p.joiner.receive(&commit, rng, p.now));
    if step == 1 {
        return (true, accept);
    }
    let reveal = single(p.host.receive(&accept, rng, p.now));
    if step == 2 {
        return (false, reveal);
    }
    p.joiner.receive(&reveal, rng, p.now);
    p.host.decide(Decision::Match, p.now);
    (true, single(p.joiner.decide(Decision::Match, p.now)))
}
