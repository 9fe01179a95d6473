//! The `Debug` output of every type that holds a secret is redacted: the identity seed, the
//! join secret, tag and MAC keys, the ephemeral key and the session that holds them never
//! appear in it, in any form `{:?}` prints bytes (hex, decimal lists).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verifier_core::identity::Identity;
use verifier_core::sas::hazmat::schedule::{JoinKeys, Role, TagKey};
use verifier_core::sas::{Decision, JoinCode, JoinSecret, SasConfig, SasSession};

/// Every way a secret could show up in `Debug` text.
fn forms(secret: &[u8]) -> Vec<String> {
    let mut out = vec![
        hex::encode(secret),
        hex::encode_upper(secret),
        format!("{secret:?}"),
        format!("{:?}", secret.to_vec()),
    ];
    // A run of four bytes is enough to spot a partial leak.
    for w in secret.windows(4) {
        out.push(format!("{w:?}").trim_matches(['[', ']']).to_owned());
    }
    out
}

fn assert_redacted(what: &str, debug: &str, secret: &[u8]) {
    for f in forms(secret) {
        assert!(
            !debug.contains(&f),
            "{what}: Debug shows the secret ({f}) in {debug}"
        );
    }
}

#[test]
fn identity_debug_shows_the_public_key_only() {
    let seed = [0x5a; 32];
    let id = Identity::from_bytes(&seed).unwrap();
    let dbg = format!("{id:?} {:#?}", id.clone());
    assert!(dbg.contains("redacted"));
    assert!(dbg.contains(&id.public_key().to_canonical_string()));
    assert_redacted("Identity", &dbg, &seed);
    assert!(!dbg.contains(&*id.to_text()));
}

#[test]
fn join_secret_and_code_are_redacted() {
    let bytes = [0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93];
    let secret = JoinSecret::from_bytes(bytes);
    let code = JoinCode::new("10.1.2.3:4567".parse().unwrap(), secret.clone());
    let dbg = format!("{secret:?} {code:?} {code:#?}");
    assert_redacted("JoinSecret/JoinCode", &dbg, &bytes);
    assert!(!dbg.contains(&code.to_text()));
    assert!(dbg.contains("10.1.2.3:4567"));
}

#[test]
fn tag_keys_are_redacted() {
    let keys = JoinKeys::derive(&[0x77; 8]);
    let dbg = format!("{keys:?} {:?}", keys.key(Role::Initiator));
    assert_eq!(dbg.matches("<redacted>").count(), 3);
    // A tag key's bytes cannot be read from outside; its tags show it is a real key.
    let k: &TagKey = keys.key(Role::Responder);
    assert_ne!(k.tag(b"a"), keys.key(Role::Initiator).tag(b"a"));
}

#[test]
fn sessions_in_every_phase_are_redacted() {
    let alice_seed = [0x11; 32];
    let bob_seed = [0x22; 32];
    let alice = Identity::from_bytes(&alice_seed).unwrap();
    let bob = Identity::from_bytes(&bob_seed).unwrap();
    let (mut host, out) = SasSession::initiate_seeded(&alice, SasConfig::default(), &[0x33; 32], 0);
    let code = host.join_code("10.0.0.1:1".parse().unwrap()).unwrap();
    let secret = *code.secret().as_bytes();
    let mut joiner = SasSession::respond_seeded(&bob, SasConfig::default(), &code, &[0x44; 32], 0);
    let mut seen = vec![format!("{host:?} {joiner:?}")];
    let accept = joiner.receive(&out.send[0], 0).send.remove(0);
    seen.push(format!("{host:?} {joiner:?}"));
    let reveal = host.receive(&accept, 0).send.remove(0);
    joiner.receive(&reveal, 0);
    seen.push(format!("{host:?} {joiner:?}"));
    let a = host.decide(Decision::Match, 0).send.remove(0);
    seen.push(format!("{host:?} {joiner:?}"));
    let b = joiner.decide(Decision::Match, 0).send.remove(0);
    host.receive(&b, 0);
    joiner.receive(&a, 0);
    seen.push(format!("{host:?} {joiner:?} {:?}", host.evidence()));
    for dbg in &seen {
        assert!(dbg.contains("SasSession"));
        assert_redacted("SasSession", dbg, &alice_seed);
        assert_redacted("SasSession", dbg, &bob_seed);
        assert_redacted("SasSession", dbg, &secret);
        assert!(!dbg.contains(&code.to_text()));
    }
}
