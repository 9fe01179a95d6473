//! Unit and property tests of the Signal-compatible scheme. The byte-exact vectors
//! (libsignal's and the independent Python reference's) are in `tests/harness/signal.rs`.

use proptest::prelude::*;

use super::*;

const ALICE: &str = "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
const BOB: &str = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
const ALICE_V1: &str = "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";

fn key(hex: &str) -> SignalIdentityKey {
    hex.parse().unwrap()
}

fn pair(version: u32, iterations: u32) -> (NumericFingerprint, NumericFingerprint) {
    let (a, b) = (key(ALICE), key(BOB));
    let ours = NumericFingerprint::new(version, iterations, b"alice", &a, b"bob", &b).unwrap();
    let theirs = NumericFingerprint::new(version, iterations, b"bob", &b, b"alice", &a).unwrap();
    (ours, theirs)
}

fn alice_code() -> ScannableFingerprint {
    ScannableFingerprint::parse(&hex::decode(ALICE_V1).unwrap()).unwrap()
}

// --- keys --------------------------------------------------------------------------

#[test]
fn key_errors_are_specific() {
    assert_eq!(
        SignalIdentityKey::from_bytes(&[0x05; 32]),
        Err(SignalKeyError::WrongLength { len: 32 })
    );
    assert_eq!(
        SignalIdentityKey::from_bytes(&[0x05; 34]),
        Err(SignalKeyError::WrongLength { len: 34 })
    );
    assert_eq!(
        SignalIdentityKey::from_bytes(&[]),
        Err(SignalKeyError::WrongLength { len: 0 })
    );
    let mut bytes = [0x11u8; 33];
    assert_eq!(
        SignalIdentityKey::from_bytes(&bytes),
        Err(SignalKeyError::WrongPrefix { prefix: 0x11 })
    );
    bytes[0] = 0x05;
    assert_eq!(
        SignalIdentityKey::from_bytes(&bytes).unwrap().as_bytes(),
        &bytes
    );
    assert_eq!(
        SignalIdentityKey::parse_hex(&ALICE[2..]),
        Err(SignalKeyError::WrongHexLength { len: 64 })
    );
    assert_eq!(
        SignalIdentityKey::parse_hex(&format!("{ALICE}00")),
        Err(SignalKeyError::WrongHexLength { len: 68 })
    );
    let bad = format!("{}g{}", &ALICE[..10], &ALICE[11..]);
    assert_eq!(
        SignalIdentityKey::parse_hex(&bad),
        Err(SignalKeyError::InvalidHexChar {
            position: 10,
            found: 'g'
        })
    );
    // Multi-byte characters are counted as characters, never sliced.
    let accented = format!("{}é{}", &ALICE[..10], &ALICE[11..]);
    assert_eq!(
        SignalIdentityKey::parse_hex(&accented),
        Err(SignalKeyError::InvalidHexChar {
            position: 10,
            found: 'é'
        })
    );
    let wrong_type = format!("06{}", &ALICE[2..]);
    assert_eq!(
        SignalIdentityKey::parse_hex(&wrong_type),
        Err(SignalKeyError::WrongPrefix { prefix: 0x06 })
    );
}

#[test]
fn key_text_forms_round_trip() {
    let k = key(ALICE);
    assert_eq!(k.to_string(), ALICE);
    assert_eq!(key(&format!("  {}\n", ALICE.to_uppercase())), k);
    assert_eq!(SignalIdentityKey::from_curve25519(k.curve25519_bytes()), k);
    assert_eq!(format!("{k:?}"), format!("SignalIdentityKey({ALICE})"));
    // Every error message says what to do, not only what is wrong.
    let msg = SignalKeyError::WrongPrefix { prefix: 0x06 }.to_string();
    assert!(msg.contains("0x06") && msg.contains("0x05"), "{msg}");
}

// --- fingerprint parameters -------------------------------------------------------------

#[test]
fn parameter_errors_are_specific() {
    let (a, b) = (key(ALICE), key(BOB));
    for iterations in [0, 1, MAX_ITERATIONS + 1, u32::MAX] {
        assert_eq!(
            NumericFingerprint::new(1, iterations, b"", &a, b"", &b),
            Err(SignalFingerprintError::IterationsOutOfRange { iterations })
        );
        assert_eq!(
            party_hash(iterations, b"", &a),
            Err(SignalFingerprintError::IterationsOutOfRange { iterations })
        );
    }
    for version in [0, 3, u32::MAX] {
        assert_eq!(
            NumericFingerprint::new(version, 5200, b"", &a, b"", &b),
            Err(SignalFingerprintError::UnsupportedVersion { version })
        );
    }
    assert!(NumericFingerprint::new(2, MIN_ITERATIONS, b"", &a, b"", &b).is_ok());
}

#[test]
fn digits_keep_leading_zeros_and_reduce_mod_100000() {
    let mut hash = [0u8; 64];
    assert_eq!(party_digits(&hash), "0".repeat(30));
    // 0xffffffffff = 1099511627775 -> 27775 ; 0x0000000001 -> 00001
    hash[..5].copy_from_slice(&[0xff; 5]);
    hash[9] = 1;
    assert_eq!(&party_digits(&hash)[..10], "2777500001");
    // Bytes beyond the first 30 do not count.
    hash[30..].fill(0xaa);
    assert_eq!(&party_digits(&hash)[10..], "0".repeat(20));
}

#[test]
fn party_hash_is_iterated_as_documented() {
    use sha2::{Digest, Sha512};
    let k = key(ALICE);
    let mut h: [u8; 64] = Sha512::new()
        .chain_update([0u8, 0])
        .chain_update(k.as_bytes())
        .chain_update(b"id")
        .chain_update(k.as_bytes())
        .finalize()
        .into();
    h = Sha512::new()
        .chain_update(h)
        .chain_update(k.as_bytes())
        .finalize()
        .into();
    assert_eq!(party_hash(2, b"id", &k).unwrap(), h);
    assert_ne!(party_hash(3, b"id", &k).unwrap(), h);
}

#[test]
fn version_changes_only_the_version_byte() {
    let (v1, v1_peer) = pair(1, 16);
    let (v2, v2_peer) = pair(2, 16);
    assert_eq!(v1.display_string(), v2.display_string());
    assert_eq!(v1.display_string(), v1_peer.display_string());
    assert_eq!(v1.to_string(), v1.display_string());
    assert_eq!((v1.version(), v2.version(), v1.iterations()), (1, 2, 16));
    let (b1, b2) = (v1.scannable().to_bytes(), v2.scannable().to_bytes());
    assert_eq!((b1[1], b2[1]), (1, 2));
    assert_eq!(b1[2..], b2[2..]);
    assert_eq!(
        v1.scannable().compare(&v2_peer.scannable().to_bytes()),
        Err(ScannableCompareError::VersionMismatch { theirs: 2, ours: 1 })
    );
    assert_eq!(
        v2.scannable().compare_parsed(v1_peer.scannable()),
        Err(ScannableCompareError::VersionMismatch { theirs: 1, ours: 2 })
    );
}

// --- scannable codes -----------------------------------------------------------------------

#[test]
fn compare_errors_are_specific() {
    let alice = alice_code();
    let bob_v2 = "080212220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df";
    let bob_v2 = hex::decode(bob_v2).unwrap();
    assert_eq!(
        alice.compare(&bob_v2),
        Err(ScannableCompareError::VersionMismatch { theirs: 2, ours: 1 })
    );
    let bob_v1 = {
        let mut b = bob_v2.clone();
        b[1] = 1;
        b
    };
    assert_eq!(alice.compare(&bob_v1), Ok(true));
    assert_eq!(alice.compare(&alice.to_bytes()), Ok(false));
    assert_eq!(
        alice.compare(&[]),
        Err(ScannableCompareError::Parse(ScannableParseError::Empty))
    );
    let msg = ScannableCompareError::VersionMismatch { theirs: 2, ours: 1 }.to_string();
    assert!(
        msg.contains("version 2") && msg.contains("version 1"),
        "{msg}"
    );
}

fn code_bytes() -> Vec<u8> {
    hex::decode(ALICE_V1).unwrap()
}

fn parse_err(bytes: &[u8]) -> ScannableParseError {
    ScannableFingerprint::parse(bytes).unwrap_err()
}

#[test]
fn parse_errors_are_specific() {
    use FingerprintSide::{Local, Remote};
    use ScannableParseError as E;
    let good = code_bytes();
    assert_eq!(good.len(), 74);
    assert_eq!(parse_err(&[]), E::Empty);
    // Truncated anywhere: in the version, a length, a body.
    assert_eq!(parse_err(&good[..1]), E::Truncated { offset: 1 });
    assert_eq!(parse_err(&good[..3]), E::Truncated { offset: 3 });
    assert_eq!(parse_err(&good[..20]), E::Truncated { offset: 3 });
    assert_eq!(parse_err(&good[..40]), E::Truncated { offset: 39 });
    assert_eq!(parse_err(&good[..73]), E::Truncated { offset: 39 });
    assert_eq!(
        parse_err(&good[..38]),
        E::MissingFingerprint { side: Remote }
    );
    assert_eq!(parse_err(&good[..2]), E::MissingFingerprint { side: Local });
    // Trailing bytes after the code, and inside a fingerprint message.
    let mut long = good.clone();
    long.extend_from_slice(&[0x20, 0x01]);
    assert_eq!(
        parse_err(&long),
        E::TrailingBytes {
            offset: 74,
            count: 2
        }
    );
    // Local body of 36 bytes: the 34-byte content field, then an extra field 4.
    let mut inner = good[..2].to_vec();
    inner.extend_from_slice(&[0x12, 0x24]);
    inner.extend_from_slice(&good[4..38]);
    inner.extend_from_slice(&[0x20, 0x01]);
    inner.extend_from_slice(&good[38..]);
    assert!(matches!(
        parse_err(&inner),
        E::TrailingBytes {
            offset: 38,
            count: 2
        }
    ));
    // Wrong fingerprint length (33-byte content, as in the obsolete 2016 format).
    let mut wrong = good[..2].to_vec();
    wrong.extend_from_slice(&[0x12, 0x23, 0x0a, 0x21]);
    wrong.extend_from_slice(&[0x05; 33]);
    wrong.extend_from_slice(&good[38..]);
    assert_eq!(
        parse_err(&wrong),
        E::WrongFingerprintLength {
            side: Local,
            len: 33
        }
    );
    // Empty fingerprint message and zero-length content.
    assert_eq!(
        parse_err(&[0x08, 0x01, 0x12, 0x00, 0x1a, 0x00]),
        E::MissingFingerprint { side: Local }
    );
    assert_eq!(
        parse_err(&[0x08, 0x01, 0x12, 0x02, 0x0a, 0x00, 0x1a, 0x00]),
        E::WrongFingerprintLength {
            side: Local,
            len: 0
        }
    );
    // Missing version (proto3-era encoding): parse refuses, compare reads it as 0.
    assert_eq!(parse_err(&good[2..]), E::MissingVersion);
    assert_eq!(
        alice_code().compare(&good[2..]),
        Err(ScannableCompareError::VersionMismatch { theirs: 0, ours: 1 })
    );
    // Field order, repetition, unknown fields, wrong wire types.
    let mut swapped = good[..2].to_vec();
    swapped.extend_from_slice(&good[38..]);
    swapped.extend_from_slice(&good[2..38]);
    assert!(matches!(
        parse_err(&swapped),
        E::UnexpectedField {
            offset: 2,
            field: 3,
            wire_type: 2,
            ..
        }
    ));
    let mut twice = good[..38].to_vec();
    twice.extend_from_slice(&good[2..38]);
    assert!(matches!(
        parse_err(&twice),
        E::UnexpectedField {
            offset: 38,
            field: 2,
            ..
        }
    ));
    assert!(matches!(
        parse_err(&[0x0d, 0x01, 0x00, 0x00, 0x00]),
        E::UnexpectedField {
            offset: 0,
            field: 1,
            wire_type: 5,
            ..
        }
    ));
    assert!(matches!(
        parse_err(&[0x20, 0x01]),
        E::UnexpectedField {
            field: 4,
            wire_type: 0,
            ..
        }
    ));
    let mut content_tag = good.clone();
    content_tag[4] = 0x12;
    assert!(matches!(
        parse_err(&content_tag),
        E::UnexpectedField {
            offset: 4,
            field: 2,
            ..
        }
    ));
    // Varints: non-minimal, overlong, overflowing; version beyond 32 bits.
    assert_eq!(parse_err(&[0x88, 0x00]), E::InvalidVarint { offset: 0 });
    let mut nonminimal_version = vec![0x08, 0x81, 0x00];
    nonminimal_version.extend_from_slice(&good[2..]);
    assert_eq!(
        parse_err(&nonminimal_version),
        E::InvalidVarint { offset: 1 }
    );
    assert_eq!(
        parse_err(&[
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
        ]),
        E::InvalidVarint { offset: 1 }
    );
    assert_eq!(
        parse_err(&[
            0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01
        ]),
        E::InvalidVarint { offset: 1 }
    );
    let mut big = vec![0x08, 0x80, 0x80, 0x80, 0x80, 0x10];
    big.extend_from_slice(&good[2..]);
    assert_eq!(parse_err(&big), E::VersionOutOfRange { value: 1 << 32 });
    // A huge declared length is "truncated", never an allocation or overflow.
    let mut huge = vec![
        0x08, 0x01, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ];
    huge.extend_from_slice(&[0; 8]);
    assert_eq!(parse_err(&huge), E::Truncated { offset: 3 });
}

#[test]
fn large_versions_encode_as_multibyte_varints() {
    let code = ScannableFingerprint::new(300, [1; 32], [2; 32]);
    let bytes = code.to_bytes();
    assert_eq!(&bytes[..3], &[0x08, 0xac, 0x02]);
    assert_eq!(ScannableFingerprint::parse(&bytes).unwrap(), code);
    let max = ScannableFingerprint::new(u32::MAX, [1; 32], [2; 32]);
    assert_eq!(ScannableFingerprint::parse(&max.to_bytes()).unwrap(), max);
}

// --- properties ---------------------------------------------------------------------------

fn arb_key() -> impl Strategy<Value = SignalIdentityKey> {
    any::<[u8; 32]>().prop_map(SignalIdentityKey::from_curve25519)
}

fn arb_id() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..40)
}

fn fp(
    v: u32,
    it: u32,
    lid: &[u8],
    lk: &SignalIdentityKey,
    rid: &[u8],
    rk: &SignalIdentityKey,
) -> NumericFingerprint {
    NumericFingerprint::new(v, it, lid, lk, rid, rk).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn display_is_order_independent_and_peer_code_matches(
        a in arb_key(), b in arb_key(), aid in arb_id(), bid in arb_id(),
        version in 1u32..=2, iterations in 2u32..12,
    ) {
        let ours = fp(version, iterations, &aid, &a, &bid, &b);
        let theirs = fp(version, iterations, &bid, &b, &aid, &a);
        prop_assert_eq!(ours.display_string(), theirs.display_string());
        prop_assert_eq!(ours.display_string().len(), DISPLAY_DIGITS);
        prop_assert!(ours.display_string().bytes().all(|c| c.is_ascii_digit()));
        prop_assert_eq!(ours.local_digits(), theirs.remote_digits());
        // The peer's code matches from both sides; our own code does not.
        prop_assert_eq!(ours.scannable().compare(&theirs.scannable().to_bytes()), Ok(true));
        prop_assert_eq!(theirs.scannable().compare(&ours.scannable().to_bytes()), Ok(true));
        prop_assert_eq!(ours.scannable().compare_parsed(theirs.scannable()), Ok(true));
        if (&a, &aid) != (&b, &bid) {
            prop_assert_eq!(ours.scannable().compare(&ours.scannable().to_bytes()), Ok(false));
        }
        // The other version is an error, not a "no".
        let other = 3 - version;
        let theirs_other = fp(other, iterations, &bid, &b, &aid, &a);
        prop_assert_eq!(
            ours.scannable().compare(&theirs_other.scannable().to_bytes()),
            Err(ScannableCompareError::VersionMismatch { theirs: other, ours: version })
        );
    }

    #[test]
    fn any_key_or_id_change_changes_the_number(
        a in arb_key(), b in arb_key(), aid in arb_id(), bid in arb_id(),
        which in 0usize..4, pos in any::<prop::sample::Index>(), flip in 1u8..=255,
        iterations in 2u32..6,
    ) {
        let base = fp(1, iterations, &aid, &a, &bid, &b);
        let (mut a2, mut b2, mut aid2, mut bid2) = (*a.as_bytes(), *b.as_bytes(), aid.clone(), bid.clone());
        match which {
            // Keys: change one of the 32 Curve25519 bytes (the type byte is fixed).
            0 => a2[1 + pos.index(32)] ^= flip,
            1 => b2[1 + pos.index(32)] ^= flip,
            // Identifiers: change a byte, or append one if empty.
            2 => if aid2.is_empty() { aid2.push(flip) } else { let i = pos.index(aid2.len()); aid2[i] ^= flip },
            _ => if bid2.is_empty() { bid2.push(flip) } else { let i = pos.index(bid2.len()); bid2[i] ^= flip },
        }
        let a2 = SignalIdentityKey::from_bytes(&a2).unwrap();
        let b2 = SignalIdentityKey::from_bytes(&b2).unwrap();
        let changed = fp(1, iterations, &aid2, &a2, &bid2, &b2);
        prop_assert_ne!(base.display_string(), changed.display_string());
        prop_assert_ne!(base.scannable().to_bytes(), changed.scannable().to_bytes());
        // The peer of the changed pair does not match our code.
        let changed_peer = fp(1, iterations, &bid2, &b2, &aid2, &a2);
        prop_assert_eq!(base.scannable().compare(&changed_peer.scannable().to_bytes()), Ok(false));
    }

    #[test]
    fn an_altered_fingerprint_byte_is_rejected(
        local in any::<[u8; 32]>(), remote in any::<[u8; 32]>(), version in 1u32..=2,
        pos in 0usize..64, flip in 1u8..=255,
    ) {
        let ours = ScannableFingerprint::new(version, local, remote);
        let peer = ScannableFingerprint::new(version, remote, local);
        let mut bytes = peer.to_bytes();
        prop_assert_eq!(ours.compare(&bytes), Ok(true));
        // Fingerprint bytes sit at 6..38 and 42..74.
        let at = if pos < 32 { 6 + pos } else { 42 + pos - 32 };
        bytes[at] ^= flip;
        prop_assert_eq!(ours.compare(&bytes), Ok(false));
    }

}

proptest! {
    // Parsing is cheap: many more cases for the fuzz-style properties.
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn parser_never_panics_and_accepts_only_canonical_codes(
        bytes in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        if let Ok(code) = ScannableFingerprint::parse(&bytes) {
            prop_assert_eq!(code.to_bytes(), bytes.clone());
        }
        let _ = alice_code().compare(&bytes);
    }

    #[test]
    fn mutated_codes_never_panic(
        local in any::<[u8; 32]>(), remote in any::<[u8; 32]>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        let code = ScannableFingerprint::new(1, local, remote);
        let mut bytes = code.to_bytes();
        for (pos, value, op) in edits {
            let i = pos.index(bytes.len() + 1);
            match op {
                0 => { if let Some(b) = bytes.get_mut(i) { *b = value } }
                1 => bytes.insert(i, value),
                2 => { if i < bytes.len() { bytes.remove(i); } }
                _ => bytes.truncate(i),
            }
        }
        match ScannableFingerprint::parse(&bytes) {
            Ok(parsed) => prop_assert_eq!(parsed.to_bytes(), bytes.clone()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = code.compare(&bytes);
    }
}
