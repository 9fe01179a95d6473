//! Malformed, forged, replayed, out-of-order and tampered messages: the joiner's first
//! message must come from the host the join code names (else the join ends with a named
//! reason); after that, anything that is not an authentic next message is ignored and
//! reported, never acted on, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sas_common;

use sas_common::{Pair, decode, flow_id, identities, is_compare, rng, single};
use verifier_core::identity::Identity;
use verifier_core::sas::hazmat::schedule::{Role, commitment};
use verifier_core::sas::hazmat::wire::{Body, DecodeError, Epoch, Frame, Message};
use verifier_core::sas::{
    CancelReason, Decision, Extensions, Ignored, MAX_MESSAGE_LEN, Phase, SasConfig, SasSession,
};

fn cancelled(p: Phase) -> CancelReason {
    match p {
        Phase::Cancelled { reason } => reason,
        other => panic!("expected a cancelled run, got {other:?}"),
    }
}

/// A joiner fed `bytes` as its first message.
fn joiner_reason(p: &Pair, bob: &Identity, bytes: &[u8]) -> CancelReason {
    let mut j = SasSession::respond_seeded(bob, SasConfig::default(), &p.code, &[20; 32], 0);
    let out = j.receive(bytes, 0);
    // This side's reason always goes out as a Cancel message.
    let sent = decode(&single(out.clone()));
    assert!(matches!(sent.body, Body::Cancel { .. }));
    cancelled(out.phase)
}

fn ignored(out: &verifier_core::sas::Output) -> Ignored {
    assert!(out.send.is_empty(), "an ignored message is never answered");
    out.ignored.clone().expect("the message must be ignored")
}

#[test]
fn undecodable_first_messages_end_the_join_as_malformed() {
    let mut rng = rng(21);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let good = p.commit.clone();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("header only", good[..4].to_vec()),
        ("truncated tag", good[..good.len() - 1].to_vec()),
        ("trailing byte", [good.clone(), vec![0]].concat()),
        ("oversized", vec![2u8; MAX_MESSAGE_LEN + 1]),
        ("unknown kind", {
            let mut m = good.clone();
            m[1] = 0x77;
            m
        }),
        ("unknown epoch", {
            let mut m = good.clone();
            m[19] = 2;
            m
        }),
        ("body length lies", {
            let mut m = good.clone();
            m[21] = 0x10;
            m
        }),
        ("sas bits 0", {
            let mut m = good.clone();
            m[22] = 0;
            m
        }),
        ("sas bits 49", {
            let mut m = good.clone();
            m[22] = 49;
            m
        }),
        ("key type 2", {
            let mut m = good.clone();
            m[23] = 2;
            m
        }),
        ("key length 31", {
            let mut m = good.clone();
            m[24] = 31;
            m
        }),
        // y = 2 is not the y-coordinate of any Ed25519 point.
        ("invalid key point", {
            let mut m = good.clone();
            m[25..57].fill(0);
            m[25] = 2;
            m
        }),
        ("extension length lies", {
            let mut m = good.clone();
            m[89] = 1;
            m
        }),
    ];
    for (name, bytes) in cases {
        assert_eq!(
            joiner_reason(&p, &bob, &bytes),
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
    m[0] = 1;
    assert_eq!(
        joiner_reason(&p, &bob, &m),
        CancelReason::UnsupportedVersion
    );
    assert_eq!(
        Frame::decode(&m),
        Err(DecodeError::UnsupportedVersion { version: 1 })
    );
    // Even a message of another version with an unknown layout.
    assert_eq!(
        joiner_reason(&p, &bob, &[3, 0xff]),
        CancelReason::UnsupportedVersion
    );
}

#[test]
fn downgrade_rewriting_the_version_byte_is_refused() {
    // A man in the middle rewrites the version byte of each v2 message to 1 (the only older
    // version). There is no v1 code path: the joiner refuses a v1 first message, every later
    // rewritten message is ignored, and the genuine message still completes the run.
    let mut rng = rng(31);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let mut v1 = p.commit.clone();
    v1[0] = 1;
    assert_eq!(
        joiner_reason(&p, &bob, &v1),
        CancelReason::UnsupportedVersion
    );

    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
    let mut v1 = accept.clone();
    v1[0] = 1;
    let out = p.host.receive(&v1, p.now);
    assert!(matches!(
        ignored(&out),
        Ignored::Unreadable {
            error: DecodeError::UnsupportedVersion { version: 1 }
        }
    ));
    let reveal = single(p.host.receive(&accept, p.now));
    let mut v1 = reveal.clone();
    v1[0] = 1;
    assert!(matches!(
        ignored(&p.joiner.receive(&v1, p.now)),
        Ignored::Unreadable { .. }
    ));
    p.joiner.receive(&reveal, p.now);
    assert!(is_compare(&p.host.phase()));
    assert_eq!(p.host.phase(), p.joiner.phase());
}

#[test]
fn stripping_or_changing_the_rendering_extension_is_detected() {
    // The agreed rendering travels in the Commit, bound by the tag, the commitment and the
    // transcript: a man in the middle who knows the join code and re-tags a Commit without
    // it is caught by the commitment; one who does not know the code cannot re-tag at all.
    let mut rng = rng(32);
    let (alice, bob) = identities(&mut rng);
    let host_cfg = SasConfig::default()
        .with_rendering("words:bip39:ja")
        .unwrap();
    let p = Pair::with(&alice, &bob, &mut rng, host_cfg, SasConfig::default());
    let Body::Commit {
        sas_bits,
        identity,
        commitment: c,
        ..
    } = decode(&p.commit).body
    else {
        panic!()
    };
    let stripped = p.forge(
        Role::Initiator,
        0,
        Body::Commit {
            sas_bits,
            identity,
            commitment: c,
            extensions: Extensions::default(),
        },
    );
    let mut joiner =
        SasSession::respond_seeded(&bob, SasConfig::default(), &p.code, &[32; 32], p.now);
    let accept = single(joiner.receive(&stripped, p.now));
    let mut host = p.host;
    let reveal = single(host.receive(&accept, p.now));
    let out = joiner.receive(&reveal, p.now);
    assert_eq!(cancelled(out.phase), CancelReason::CommitmentMismatch);

    // Without the code: any changed byte fails the tag, so the joiner refuses the host.
    let p = Pair::with(
        &alice,
        &bob,
        &mut rng,
        SasConfig::default().with_rendering("emoji:de").unwrap(),
        SasConfig::default(),
    );
    let mut changed = p.commit.clone();
    let at = changed.len() - 32 - 2; // inside the rendering value "de"
    changed[at] = b'f';
    assert_eq!(
        joiner_reason(&p, &bob, &changed),
        CancelReason::WrongJoinCode
    );
}

#[test]
fn replays_are_ignored_and_reported() {
    let mut rng = rng(23);
    let (alice, bob) = identities(&mut rng);

    // A replayed Commit to the joiner.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.joiner.receive(&p.commit.clone(), p.now);
    let out = p.joiner.receive(&p.commit.clone(), p.now);
    assert_eq!(ignored(&out), Ignored::Replayed { seq: 0 });
    assert_eq!(out.phase, Phase::WaitingForPeer);

    // A replayed Accept to the host, after it already revealed.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
    p.host.receive(&accept, p.now);
    assert!(is_compare(&p.host.phase()));
    assert_eq!(
        ignored(&p.host.receive(&accept, p.now)),
        Ignored::Replayed { seq: 0 }
    );
    assert!(is_compare(&p.host.phase()));

    // A replayed Confirm.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    p.run_to_compare();
    let confirm = single(p.joiner.decide(Decision::Match, p.now));
    p.host.receive(&confirm, p.now);
    assert!(is_compare(&p.host.phase()));
    assert_eq!(
        ignored(&p.host.receive(&confirm, p.now)),
        Ignored::Replayed { seq: 1 }
    );
    // The run goes on to the end.
    let from_host = single(p.host.decide(Decision::Match, p.now));
    p.joiner.receive(&from_host, p.now);
    assert!(matches!(p.host.phase(), Phase::Verified { .. }));
    assert!(matches!(p.joiner.phase(), Phase::Verified { .. }));
}

#[test]
fn reflected_messages_are_ignored() {
    let mut rng = rng(33);
    let (alice, bob) = identities(&mut rng);
    // The joiner's own Accept sent back to it: tagged with the responder's key.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
    assert_eq!(
        ignored(&p.joiner.receive(&accept, p.now)),
        Ignored::Unauthenticated
    );
    // The host's own Commit and Confirm sent back to it.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    assert_eq!(
        ignored(&p.host.receive(&p.commit.clone(), p.now)),
        Ignored::Unauthenticated
    );
    p.run_to_compare();
    let host_confirm = single(p.host.decide(Decision::Match, p.now));
    assert_eq!(
        ignored(&p.host.receive(&host_confirm, p.now)),
        Ignored::Unauthenticated
    );
}

#[test]
fn authentic_messages_out_of_order_end_the_run() {
    // Someone who knows the join code (or a broken peer) sends a well-tagged message that
    // is not the next one expected: that is a protocol violation, and the run ends.
    let mut rng = rng(34);
    let (alice, bob) = identities(&mut rng);
    // A Reveal before the Commit.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let reveal = p.forge(Role::Initiator, 0, Body::Reveal { ephemeral: [9; 32] });
    p.joiner.receive(&reveal, p.now);
    assert_eq!(cancelled(p.joiner.phase()), CancelReason::UnexpectedMessage);
    // A Confirm before any code exists (under the join key).
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let confirm = p.forge(
        Role::Responder,
        0,
        Body::Confirm {
            mac: [0; 32],
            signature: [0; 64],
        },
    );
    p.host.receive(&confirm, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);
    // A message that skips a sequence number.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = decode(&single(p.joiner.receive(&p.commit.clone(), p.now)));
    let skipped = p.forge(Role::Responder, 1, accept.body);
    p.host.receive(&skipped, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::UnexpectedMessage);
}

#[test]
fn a_message_from_another_flow_is_ignored() {
    let mut rng = rng(24);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = decode(&single(p.joiner.receive(&p.commit.clone(), p.now)));
    let mut other = accept.clone();
    other.flow_id[0] ^= 0x80;
    let forged = other.encode(p.join_keys().key(Role::Responder));
    assert_eq!(
        ignored(&p.host.receive(&forged, p.now)),
        Ignored::Unauthenticated
    );
    assert_eq!(p.host.phase(), Phase::WaitingForPeer);
}

#[test]
fn forged_cancel_cannot_end_a_session() {
    let mut rng = rng(35);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let flow = flow_id(&p.commit);
    let stranger = |seq: u8, epoch: Epoch| {
        // A stranger who saw the flow id on the wire but does not know the join code.
        let key = verifier_core::sas::hazmat::schedule::JoinKeys::derive(&[0xee; 8]);
        Message {
            flow_id: flow,
            seq,
            epoch,
            body: Body::Cancel { code: 0x01 },
        }
        .encode(key.key(Role::Responder))
    };
    // Before any joiner: the host keeps waiting.
    assert_eq!(
        ignored(&p.host.receive(&stranger(0, Epoch::Join), p.now)),
        Ignored::Unauthenticated
    );
    p.run_to_compare();
    // While both compare: forged cancels to either side, under either epoch.
    for epoch in [Epoch::Join, Epoch::Session] {
        for seq in 0..3 {
            assert_eq!(
                ignored(&p.host.receive(&stranger(seq, epoch), p.now)),
                Ignored::Unauthenticated
            );
            let to_joiner = Message {
                flow_id: flow,
                seq,
                epoch,
                body: Body::Cancel { code: 0x01 },
            }
            .encode(
                verifier_core::sas::hazmat::schedule::JoinKeys::derive(&[1; 8])
                    .key(Role::Initiator),
            );
            assert_eq!(
                ignored(&p.joiner.receive(&to_joiner, p.now)),
                Ignored::Unauthenticated
            );
        }
    }
    // Once the joiner used its session keys, even someone who knows the join code cannot
    // cancel in its name, and never in the host's name.
    let confirm = single(p.joiner.decide(Decision::Match, p.now));
    p.host.receive(&confirm, p.now);
    let knows_code = p.forge(Role::Responder, 2, Body::Cancel { code: 0x01 });
    assert_eq!(
        ignored(&p.host.receive(&knows_code, p.now)),
        Ignored::Unauthenticated
    );
    let knows_code = p.forge(Role::Initiator, 2, Body::Cancel { code: 0x01 });
    assert_eq!(
        ignored(&p.joiner.receive(&knows_code, p.now)),
        Ignored::Unauthenticated
    );
    let from_host = single(p.host.decide(Decision::Match, p.now));
    p.joiner.receive(&from_host, p.now);
    assert!(matches!(p.host.phase(), Phase::Verified { .. }));
    assert!(matches!(p.joiner.phase(), Phase::Verified { .. }));
}

#[test]
fn a_reveal_that_does_not_match_the_commitment_is_caught() {
    // Only someone who knows the join code can tag a Reveal; the commitment still binds it.
    let mut rng = rng(25);
    let (alice, bob) = identities(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = single(p.joiner.receive(&p.commit.clone(), p.now));
    let reveal = decode(&single(p.host.receive(&accept, p.now)));
    let Body::Reveal { mut ephemeral } = reveal.body else {
        panic!()
    };
    ephemeral[5] ^= 1;
    let forged = p.forge(Role::Initiator, 1, Body::Reveal { ephemeral });
    let out = p.joiner.receive(&forged, p.now);
    assert_eq!(
        cancelled(out.phase.clone()),
        CancelReason::CommitmentMismatch
    );
    assert_eq!(decode(&single(out)).body, Body::Cancel { code: 0x03 });
}

#[test]
fn non_contributory_ephemeral_keys_are_rejected_on_both_sides() {
    let mut rng = rng(26);
    let (alice, bob) = identities(&mut rng);
    // Host side: a joiner answering with the all-zero (small-order) point.
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = p.forge(
        Role::Responder,
        0,
        Body::Accept {
            identity: bob.public_key(),
            ephemeral: [0; 32],
            extensions: Extensions::default(),
        },
    );
    p.host.receive(&accept, p.now);
    assert_eq!(cancelled(p.host.phase()), CancelReason::NonContributoryKey);

    // Joiner side: a host that committed to the small-order point u = 0.
    let p = Pair::new(&alice, &bob, &mut rng);
    let flow = flow_id(&p.commit);
    let mut j = SasSession::respond_seeded(&bob, SasConfig::default(), &p.code, &[26; 32], 0);
    let bad = [0u8; 32];
    let c = commitment(&flow, 48, &alice.public_key(), &bad, &[]);
    let commit = p.forge(
        Role::Initiator,
        0,
        Body::Commit {
            sas_bits: 48,
            identity: alice.public_key(),
            commitment: c,
            extensions: Extensions::default(),
        },
    );
    single(j.receive(&commit, 0));
    let reveal = p.forge(Role::Initiator, 1, Body::Reveal { ephemeral: bad });
    j.receive(&reveal, 0);
    assert_eq!(cancelled(j.phase()), CancelReason::NonContributoryKey);
}

#[test]
fn tampered_confirmations_are_ignored_and_the_genuine_one_still_counts() {
    let mut rng = rng(27);
    let (alice, bob) = identities(&mut rng);
    for at in [30usize, 60, 100] {
        let mut p = Pair::new(&alice, &bob, &mut rng);
        p.run_to_compare();
        let confirm = single(p.joiner.decide(Decision::Match, p.now));
        let mut bad = confirm.clone();
        bad[at] ^= 1; // MAC, signature
        assert_eq!(
            ignored(&p.host.receive(&bad, p.now)),
            Ignored::Unauthenticated,
            "byte {at}"
        );
        assert!(p.host.receive(&confirm, p.now).ignored.is_none());
        let from_host = single(p.host.decide(Decision::Match, p.now));
        p.joiner.receive(&from_host, p.now);
        assert!(matches!(p.host.phase(), Phase::Verified { .. }));
    }
}

#[test]
fn a_substituted_identity_key_changes_the_code() {
    // A man in the middle who knows the join code swaps the joiner's identity key.
    let mut rng = rng(28);
    let (alice, bob) = identities(&mut rng);
    let mallory = Identity::generate(&mut rng);
    let mut p = Pair::new(&alice, &bob, &mut rng);
    let accept = decode(&single(p.joiner.receive(&p.commit.clone(), p.now)));
    let Body::Accept { ephemeral, .. } = accept.body else {
        panic!()
    };
    let forged = p.forge(
        Role::Responder,
        0,
        Body::Accept {
            identity: mallory.public_key(),
            ephemeral,
            extensions: Extensions::default(),
        },
    );
    let reveal = single(p.host.receive(&forged, p.now));
    p.joiner.receive(&reveal, p.now);
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
        let out = p.host.receive(&bytes, p.now);
        assert!(out.send.is_empty());
        assert_eq!(cancelled(out.phase), CancelReason::UserCancelled);
    }
}

#[test]
fn every_single_bit_flip_of_every_message_is_caught() {
    // Flip each bit of each message of a run. The joiner refuses a changed first message;
    // every later changed message is ignored, and the genuine one then completes the run.
    let mut rng = rng(30);
    let (alice, bob) = identities(&mut rng);
    for step in 0..4 {
        let msg_len = {
            let mut p = Pair::new(&alice, &bob, &mut rng);
            message_at(&mut p, step).1.len()
        };
        for bit in 0..msg_len * 8 {
            let mut p = Pair::new(&alice, &bob, &mut rng);
            let (to_host, genuine) = message_at(&mut p, step);
            let mut bytes = genuine.clone();
            bytes[bit / 8] ^= 1 << (bit % 8);
            let receiver = if to_host { &mut p.host } else { &mut p.joiner };
            let out = receiver.receive(&bytes, p.now);
            if step == 0 {
                assert!(
                    matches!(out.phase, Phase::Cancelled { .. }),
                    "bit {bit}: changed first message accepted"
                );
                continue;
            }
            assert!(out.ignored.is_some(), "step {step} bit {bit}: {out:?}");
            assert!(out.send.is_empty());
            let again = receiver.receive(&genuine, p.now);
            assert!(again.ignored.is_none(), "step {step} bit {bit}: {again:?}");
        }
    }
}

/// The `step`-th message of an honest run (0 Commit, 1 Accept, 2 Reveal, 3 joiner's
/// Confirm), with its direction; the pair is advanced to just before it is delivered.
fn message_at(p: &mut Pair, step: usize) -> (bool, Vec<u8>) {
    let commit = p.commit.clone();
    if step == 0 {
        return (false, commit);
    }
    let accept = single(p.joiner.receive(&commit, p.now));
    if step == 1 {
        return (true, accept);
    }
    let reveal = single(p.host.receive(&accept, p.now));
    if step == 2 {
        return (false, reveal);
    }
    p.joiner.receive(&reveal, p.now);
    p.host.decide(Decision::Match, p.now);
    (true, single(p.joiner.decide(Decision::Match, p.now)))
}

#[test]
fn decoded_messages_round_trip() {
    let mut rng = rng(36);
    let (alice, bob) = identities(&mut rng);
    let p = Pair::new(&alice, &bob, &mut rng);
    let frame = Frame::decode(&p.commit).unwrap();
    assert!(frame.verify(p.join_keys().key(Role::Initiator)));
    assert!(!frame.verify(p.join_keys().key(Role::Responder)));
    let msg: Message = frame.into_message();
    assert_eq!(msg.encode(p.join_keys().key(Role::Initiator)), p.commit);
}
