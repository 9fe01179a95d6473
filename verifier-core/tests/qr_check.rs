//! Classifying scanned codes and checking them against an expected key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use verifier_core::key::{KeyType, PublicKey};
use verifier_core::qr::{
    CheckMatch, CheckMismatch, IdentityCard, Label, Mode, PairwiseCard, Payload, PayloadError,
    ScannedCode, SessionCode, check, classify,
};
use verifier_core::signal::ScannableFingerprint;

fn key(seed: u8) -> PublicKey {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    PublicKey::from_bytes(KeyType::Ed25519, sk.verifying_key().as_bytes()).unwrap()
}

fn identity_code(seed: u8) -> Vec<u8> {
    Payload::Identity(IdentityCard {
        key: key(seed),
        display_name: Some(Label::new("Alice").unwrap()),
        stable_id: None,
    })
    .encode()
}

fn signal_bytes(version: u8, local: [u8; 32], remote: [u8; 32]) -> Vec<u8> {
    let mut v = vec![0x08, version, 0x12, 0x22, 0x0a, 0x20];
    v.extend_from_slice(&local);
    v.extend_from_slice(&[0x1a, 0x22, 0x0a, 0x20]);
    v.extend_from_slice(&remote);
    v
}

const ME: u8 = 10;
const ALICE: u8 = 20;
const MALLORY: u8 = 30;

#[test]
fn identity_code_for_expected_key_matches() {
    let code = classify(&identity_code(ALICE));
    assert_eq!(
        check(&code, &key(ME), &key(ALICE)),
        Ok(CheckMatch::Identity)
    );
}

#[test]
fn identity_code_for_other_key_is_wrong_key() {
    let code = classify(&identity_code(MALLORY));
    assert_eq!(
        check(&code, &key(ME), &key(ALICE)),
        Err(CheckMismatch::WrongKey {
            found: Box::new(key(MALLORY)),
            expected: Box::new(key(ALICE))
        })
    );
}

#[test]
fn pairwise_code_holding_my_key_is_mutual() {
    let bytes = Payload::Pairwise(PairwiseCard::new(key(ALICE), &key(ME))).encode();
    assert_eq!(
        check(&classify(&bytes), &key(ME), &key(ALICE)),
        Ok(CheckMatch::Mutual)
    );
}

#[test]
fn pairwise_code_holding_a_wrong_key_for_me_is_reported() {
    // Alice holds Mallory's key believing it is mine.
    let bytes = Payload::Pairwise(PairwiseCard::new(key(ALICE), &key(MALLORY))).encode();
    assert_eq!(
        check(&classify(&bytes), &key(ME), &key(ALICE)),
        Err(CheckMismatch::WrongFingerprintOfMine {
            their_key: Box::new(key(ALICE))
        })
    );
}

#[test]
fn pairwise_code_of_another_key_reports_the_key_first() {
    let bytes = Payload::Pairwise(PairwiseCard::new(key(MALLORY), &key(MALLORY))).encode();
    assert!(matches!(
        check(&classify(&bytes), &key(ME), &key(ALICE)),
        Err(CheckMismatch::WrongKey { .. })
    ));
}

#[test]
fn session_code_has_no_key() {
    let bytes = Payload::Session(SessionCode::new(vec![1; 20]).unwrap()).encode();
    assert_eq!(
        check(&classify(&bytes), &key(ME), &key(ALICE)),
        Err(CheckMismatch::NoKey {
            mode: Mode::Session
        })
    );
}

#[test]
fn foreign_signal_and_broken_codes() {
    assert_eq!(classify(b"https://example.org/"), ScannedCode::Foreign);
    assert_eq!(
        check(&classify(b"hello"), &key(ME), &key(ALICE)),
        Err(CheckMismatch::Foreign)
    );
    let mut broken = identity_code(ALICE);
    broken[4] = 7;
    assert_eq!(
        classify(&broken),
        ScannedCode::InvalidVerifier(PayloadError::UnknownVersion { version: 7 })
    );
    assert_eq!(
        check(&classify(&broken), &key(ME), &key(ALICE)),
        Err(CheckMismatch::InvalidCode {
            error: PayloadError::UnknownVersion { version: 7 }
        })
    );
    let signal = signal_bytes(2, [1; 32], [2; 32]);
    assert_eq!(
        classify(&signal),
        ScannedCode::Signal(ScannableFingerprint::new(2, [1; 32], [2; 32]))
    );
    assert_eq!(
        check(&classify(&signal), &key(ME), &key(ALICE)),
        Err(CheckMismatch::SignalCode)
    );
}

#[test]
fn kinds_for_scan_json() {
    assert_eq!(classify(&identity_code(ALICE)).kind(), "verifier");
    assert_eq!(classify(b"VRFY\x02").kind(), "verifier");
    assert_eq!(
        classify(&signal_bytes(2, [0; 32], [1; 32])).kind(),
        "signal"
    );
    assert_eq!(classify(b"WIFI:S:x;;").kind(), "foreign");
}

#[test]
fn near_signal_codes_are_foreign() {
    let good = signal_bytes(1, [3; 32], [4; 32]);
    assert!(matches!(classify(&good), ScannedCode::Signal(_)));
    for cut in 1..good.len() {
        assert_eq!(classify(&good[..cut]), ScannedCode::Foreign, "cut {cut}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(classify(&longer), ScannedCode::Foreign);
}

#[test]
fn mismatch_messages_say_what_is_wrong() {
    let m = CheckMismatch::WrongFingerprintOfMine {
        their_key: Box::new(key(ALICE)),
    };
    assert!(m.to_string().contains("not your key"));
    let m = CheckMismatch::WrongKey {
        found: Box::new(key(MALLORY)),
        expected: Box::new(key(ALICE)),
    };
    let s = m.to_string();
    assert!(s.contains(&key(MALLORY).to_canonical_string()));
    assert!(s.contains(&key(ALICE).to_canonical_string()));
}
