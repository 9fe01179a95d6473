//! Unit tests of the receipt format, signing and evidence.

use super::encoding::push_evidence;
use super::evidence::{EXT_TOO_LONG, EXT_TOO_MANY, EXT_UNORDERED};
use super::signed::signed_message;
use super::*;
use crate::identity::Identity;

fn identity(seed: u8) -> Identity {
    Identity::from_seed(&[seed; 32]).unwrap()
}

fn evidence() -> ReceiptEvidence {
    ReceiptEvidence::new(ComparedScheme::Sas, 1)
        .with_digest([0xab; 32])
        .with_extension(7, b"head".to_vec())
        .unwrap()
}

fn statement(id: Option<&str>, method: VerificationMethod, e: ReceiptEvidence) -> ReceiptStatement {
    ReceiptStatement::new(
        identity(9).public_key(),
        "Alice Example",
        id,
        Timestamp::from_unix_secs(1_700_000_000),
        method,
        e,
    )
    .unwrap()
}

fn sample(signer: &Identity, id: Option<&str>) -> Receipt {
    Receipt::sign(
        signer,
        statement(id, VerificationMethod::SasSession, evidence()),
    )
}

/// A version 1 statement, as decoded from an old receipt.
fn v1_statement(method: VerificationMethod) -> ReceiptStatement {
    ReceiptStatement::build(
        identity(9).public_key(),
        "Alice Example",
        None,
        Timestamp::from_unix_secs(1_700_000_000),
        method,
        None,
    )
    .unwrap()
}

/// `body` signed by `signer` with the label of `version`.
fn signed(signer: &Identity, version: u8, body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&signer.sign(&signed_message(version, body)).to_bytes());
    out
}

/// The body of a signed receipt.
fn body_of(r: &Receipt) -> Vec<u8> {
    r.as_bytes()[..r.as_bytes().len() - SIGNATURE_LEN].to_vec()
}

#[test]
fn round_trip_binary_and_text() {
    let me = identity(1);
    let evidences = [
        ReceiptEvidence::new(ComparedScheme::FullKey, 1),
        ReceiptEvidence::new(ComparedScheme::QrPayload, 2).with_digest([1; 32]),
        evidence(),
        ReceiptEvidence::new(ComparedScheme::SignalSafetyNumber, 0)
            .with_extension(0xffff, vec![0; MAX_EXTENSION_BYTES])
            .unwrap()
            .with_extension(0, Vec::new())
            .unwrap(),
    ];
    for m in VerificationMethod::CURRENT {
        for id in [None, Some("@alice:example.org")] {
            for e in &evidences {
                let r = Receipt::sign(&me, statement(id, m, e.clone()));
                assert_eq!(r.as_bytes()[4], 2);
                assert_eq!(r.format_version(), 2);
                let b = Receipt::from_bytes(r.as_bytes()).unwrap();
                assert_eq!(b, r);
                let t = Receipt::from_text(&format!("  {}\n", r.to_text())).unwrap();
                assert_eq!(t, r);
                assert_eq!(Receipt::decode(r.as_bytes()).unwrap(), r);
                assert_eq!(Receipt::decode(r.to_text().as_bytes()).unwrap(), r);
                assert_eq!(t.statement().contact_id(), id);
                assert_eq!(t.statement().method(), m);
                assert_eq!(t.statement().evidence(), Some(e));
                t.check_signer(&me.public_key()).unwrap();
            }
        }
    }
}

#[test]
fn version_1_receipts_are_still_read() {
    let me = identity(1);
    for m in [
        VerificationMethod::QrLegacy,
        VerificationMethod::SasSession,
        VerificationMethod::SafetyNumber,
        VerificationMethod::Manual,
    ] {
        let r = Receipt::sign(&me, v1_statement(m));
        assert_eq!(r.as_bytes()[4], 1);
        assert_eq!(r.format_version(), 1);
        let back = Receipt::from_bytes(r.as_bytes()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.statement().method(), m);
        assert_eq!(back.statement().evidence(), None);
        let mut h = blake3::Hasher::new_derive_key(RECEIPT_ID_DOMAIN);
        h.update(r.as_bytes());
        assert_eq!(r.id().as_bytes(), h.finalize().as_bytes());
    }
    // Codes 5 to 7 do not exist in version 1.
    for m in [
        VerificationMethod::QrCamera,
        VerificationMethod::QrImageFile,
        VerificationMethod::WordsTypedBack,
    ] {
        let mut body = body_of(&Receipt::sign(
            &me,
            v1_statement(VerificationMethod::Manual),
        ));
        let last = body.len() - 1;
        body[last] = m.code();
        assert!(matches!(
            Receipt::from_bytes(&signed(&me, 1, &body)),
            Err(ReceiptError::UnknownMethod { code }) if code == m.code()
        ));
    }
}

#[test]
fn ids_use_the_label_of_the_version() {
    let r = sample(&identity(1), None);
    let mut h = blake3::Hasher::new_derive_key(RECEIPT_ID_DOMAIN_V2);
    h.update(r.as_bytes());
    assert_eq!(r.id().as_bytes(), h.finalize().as_bytes());
    assert_eq!(signature_domain(1), Some(RECEIPT_SIGNATURE_DOMAIN));
    assert_eq!(signature_domain(2), Some(RECEIPT_SIGNATURE_DOMAIN_V2));
    assert_eq!(id_domain(2), Some(RECEIPT_ID_DOMAIN_V2));
    assert_eq!(signature_domain(3), None);
}

#[test]
fn legacy_method_is_refused_for_new_statements() {
    let e = ReceiptStatement::new(
        identity(3).public_key(),
        "a",
        None,
        Timestamp::from_unix_secs(0),
        VerificationMethod::QrLegacy,
        ReceiptEvidence::new(ComparedScheme::QrPayload, 1),
    )
    .unwrap_err();
    assert!(matches!(
        e,
        ReceiptError::LegacyMethod {
            method: VerificationMethod::QrLegacy
        }
    ));
    assert_eq!(e.kind(), "legacy_method");
    // Nor can a version 2 receipt carry code 1.
    let me = identity(1);
    let mut body = body_of(&sample(&me, None));
    let at = body.len() - evidence_len(&evidence()) - 1;
    assert_eq!(body[at], VerificationMethod::SasSession.code());
    for code in [0, 1, 8, 0xff] {
        body[at] = code;
        assert!(matches!(
            Receipt::from_bytes(&signed(&me, 2, &body)),
            Err(ReceiptError::UnknownMethod { code: c }) if c == code
        ));
    }
}

fn evidence_len(e: &ReceiptEvidence) -> usize {
    let mut v = Vec::new();
    push_evidence(&mut v, e);
    v.len()
}

#[test]
fn evidence_extensions_are_sorted_unique_and_bounded() {
    let e = ReceiptEvidence::new(ComparedScheme::FullKey, 1)
        .with_extension(9, vec![9])
        .unwrap()
        .with_extension(1, vec![1])
        .unwrap()
        .with_extension(5, vec![])
        .unwrap();
    let kinds: Vec<u16> = e.extensions().iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [1, 5, 9]);
    assert!(matches!(
        e.clone().with_extension(5, vec![1]),
        Err(ReceiptError::InvalidExtension { .. })
    ));
    assert!(matches!(
        e.clone()
            .with_extension(6, vec![0; MAX_EXTENSION_BYTES + 1]),
        Err(ReceiptError::InvalidExtension { .. })
    ));
    let mut full = ReceiptEvidence::new(ComparedScheme::FullKey, 1);
    for k in 0..MAX_EXTENSIONS as u16 {
        full = full.with_extension(k * 3, vec![]).unwrap();
    }
    assert!(matches!(
        full.with_extension(1, vec![]),
        Err(ReceiptError::InvalidExtension { .. })
    ));
    assert_eq!(e.scheme(), ComparedScheme::FullKey);
    assert_eq!(e.scheme_version(), 1);
    assert_eq!(e.digest(), None);
}

#[test]
fn evidence_decoding_errors() {
    let me = identity(1);
    let r = Receipt::sign(
        &me,
        statement(
            None,
            VerificationMethod::QrCamera,
            ReceiptEvidence::new(ComparedScheme::QrPayload, 1),
        ),
    );
    // The body ends: method, scheme, scheme version, digest length 0, count 0.
    let base = body_of(&r);
    let n = base.len();
    assert_eq!(base[n - 5..], [5, 1, 1, 0, 0]);
    let head = &base[..n - 4];
    let with = |tail: &[u8]| {
        let mut b = head.to_vec();
        b.extend_from_slice(tail);
        Receipt::from_bytes(&signed(&me, 2, &b))
    };
    assert!(with(&[4, 1, 0, 0]).is_ok());
    assert!(matches!(
        with(&[5, 1, 0, 0]),
        Err(ReceiptError::UnknownScheme { code: 5 })
    ));
    assert!(matches!(
        with(&[0xff, 1, 0, 0]),
        Err(ReceiptError::UnknownScheme { code: 0xff })
    ));
    for len in [1u8, 31, 33, 0xff] {
        let mut t = vec![1, 1, len];
        t.extend_from_slice(&[0; 40]);
        assert!(matches!(
            with(&t),
            Err(ReceiptError::InvalidDigestLength { len: l }) if l == len
        ));
    }
    let mut t = vec![1, 1, 32];
    t.extend_from_slice(&[7; 32]);
    t.push(0);
    assert_eq!(
        with(&t).unwrap().statement().evidence().unwrap().digest(),
        Some(&[7; 32])
    );
    // 17 extensions.
    let mut t = vec![1, 1, 0, 17];
    for k in 0..17u16 {
        t.extend_from_slice(&k.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
    }
    assert!(matches!(
        with(&t),
        Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_TOO_MANY
    ));
    // Equal and decreasing kinds.
    for kinds in [[3u16, 3], [4, 3]] {
        let mut t = vec![1, 1, 0, 2];
        for k in kinds {
            t.extend_from_slice(&k.to_be_bytes());
            t.extend_from_slice(&[0, 1, 0xee]);
        }
        assert!(matches!(
            with(&t),
            Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_UNORDERED
        ));
    }
    // A value of 1025 bytes.
    let mut t = vec![1, 1, 0, 1, 0, 1, 0x04, 0x01];
    t.extend_from_slice(&[0; 1025]);
    assert!(matches!(
        with(&t),
        Err(ReceiptError::InvalidExtension { reason }) if reason == EXT_TOO_LONG
    ));
    // 1024 bytes is fine.
    let mut t = vec![1, 1, 0, 1, 0, 1, 0x04, 0x00];
    t.extend_from_slice(&[0; 1024]);
    assert_eq!(
        with(&t)
            .unwrap()
            .statement()
            .evidence()
            .unwrap()
            .extensions(),
        &[(1, vec![0; 1024])]
    );
    for e in [
        ReceiptError::UnknownScheme { code: 9 },
        ReceiptError::InvalidDigestLength { len: 1 },
        ReceiptError::InvalidExtension {
            reason: EXT_TOO_MANY,
        },
    ] {
        assert!(!e.kind().is_empty());
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn versions_cannot_be_swapped() {
    let me = identity(1);
    // A version 2 receipt with its version byte set to 1, and the other way round.
    let v2 = sample(&me, None);
    let mut b = v2.as_bytes().to_vec();
    b[4] = 1;
    assert!(Receipt::from_bytes(&b).is_err());
    for m in [VerificationMethod::SasSession, VerificationMethod::Manual] {
        let v1 = Receipt::sign(&me, v1_statement(m));
        let mut b = v1.as_bytes().to_vec();
        b[4] = 2;
        assert!(Receipt::from_bytes(&b).is_err());
    }
    // A signature moved between versions: a version 1 receipt turned into a
    // well-formed version 2 body (version byte 2, minimal evidence) keeps
    // its signature, which does not verify under the version 2 label.
    let v1 = Receipt::sign(&me, v1_statement(VerificationMethod::Manual));
    let sig = &v1.as_bytes()[v1.as_bytes().len() - SIGNATURE_LEN..];
    let mut body = body_of(&v1);
    body[4] = 2;
    body.extend_from_slice(&[0, 1, 0, 0]);
    let mut moved = body.clone();
    moved.extend_from_slice(sig);
    assert!(matches!(
        Receipt::from_bytes(&moved),
        Err(ReceiptError::BadSignature)
    ));
    // The same body signed for version 2 is fine: only the signature was wrong.
    assert!(Receipt::from_bytes(&signed(&me, 2, &body)).is_ok());
    // A version 1 body signed with the version 2 label, and the other way round.
    assert!(matches!(
        Receipt::from_bytes(&signed(&me, 2, &body_of(&v1))),
        Err(ReceiptError::BadSignature)
    ));
    assert!(matches!(
        Receipt::from_bytes(&signed(&me, 1, &body)),
        Err(ReceiptError::BadSignature)
    ));
    // A version 2 receipt stripped of its evidence, version byte 1, own signature.
    let v2 = Receipt::sign(
        &me,
        statement(
            None,
            VerificationMethod::Manual,
            ReceiptEvidence::new(ComparedScheme::FullKey, 1),
        ),
    );
    let sig = &v2.as_bytes()[v2.as_bytes().len() - SIGNATURE_LEN..];
    let mut body = body_of(&v2);
    body.truncate(body.len() - 4);
    body[4] = 1;
    body.extend_from_slice(sig);
    assert!(matches!(
        Receipt::from_bytes(&body),
        Err(ReceiptError::BadSignature)
    ));
}

#[test]
fn every_flipped_bit_is_rejected() {
    for r in [
        sample(&identity(1), Some("x")),
        Receipt::sign(&identity(1), v1_statement(VerificationMethod::QrLegacy)),
    ] {
        let bytes = r.as_bytes().to_vec();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut t = bytes.clone();
                t[i] ^= 1 << bit;
                assert!(
                    Receipt::from_bytes(&t).is_err(),
                    "byte {i} bit {bit} accepted"
                );
            }
        }
    }
}

#[test]
fn every_truncation_is_rejected_and_trailing_bytes_too() {
    let r = sample(&identity(1), None);
    let bytes = r.as_bytes();
    for n in 0..bytes.len() {
        assert!(
            Receipt::from_bytes(&bytes[..n]).is_err(),
            "prefix {n} accepted"
        );
    }
    let mut long = bytes.to_vec();
    long.push(0);
    assert!(matches!(
        Receipt::from_bytes(&long),
        Err(ReceiptError::TrailingBytes { count: 1 })
    ));
}

#[test]
fn specific_errors() {
    let me = identity(1);
    let r = sample(&me, None);
    for version in [0, 3, 0xff] {
        let mut v = r.as_bytes().to_vec();
        v[4] = version;
        assert!(matches!(
            Receipt::from_bytes(&v),
            Err(ReceiptError::UnsupportedVersion {
                found,
                supported: 2
            }) if found == version
        ));
    }
    let mut v = r.as_bytes().to_vec();
    v[5] = 0x07;
    assert!(matches!(
        Receipt::from_bytes(&v),
        Err(ReceiptError::UnsupportedKeyType {
            role: "signer",
            code: 7
        })
    ));
    let mut v = r.as_bytes().to_vec();
    v[5 + 34] = 0x02;
    assert!(matches!(
        Receipt::from_bytes(&v),
        Err(ReceiptError::UnsupportedKeyType {
            role: "subject",
            code: 2
        })
    ));
    let mut v = r.as_bytes().to_vec();
    v[0] = b'X';
    assert!(matches!(
        Receipt::from_bytes(&v),
        Err(ReceiptError::NotAReceipt)
    ));
    // Last byte of the signature.
    let mut v = r.as_bytes().to_vec();
    let last = v.len() - 1;
    v[last] ^= 0x01;
    assert!(matches!(
        Receipt::from_bytes(&v),
        Err(ReceiptError::BadSignature)
    ));
    // Signer key swapped for another valid key: the signature no longer checks.
    let other = identity(2).public_key();
    let mut v = r.as_bytes().to_vec();
    v[7..39].copy_from_slice(other.as_bytes());
    assert!(matches!(
        Receipt::from_bytes(&v),
        Err(ReceiptError::BadSignature)
    ));
    // Validly signed by someone else.
    let theirs = sample(&identity(2), None);
    assert!(matches!(
        theirs.check_signer(&me.public_key()),
        Err(ReceiptError::WrongSigner { .. })
    ));
    assert!(matches!(
        Receipt::from_text("verifier-receipt:***"),
        Err(ReceiptError::InvalidText { .. })
    ));
    assert!(matches!(
        Receipt::decode(b"hello"),
        Err(ReceiptError::NotAReceipt)
    ));
}

#[test]
fn labels_are_validated() {
    let k = identity(3).public_key();
    let t = Timestamp::from_unix_secs(0);
    let m = VerificationMethod::Manual;
    let e = || ReceiptEvidence::new(ComparedScheme::FullKey, 1);
    assert!(ReceiptStatement::new(k, "", None, t, m, e()).is_err());
    assert!(ReceiptStatement::new(k, "a\u{1b}[31m", None, t, m, e()).is_err());
    assert!(ReceiptStatement::new(k, &"a".repeat(257), None, t, m, e()).is_err());
    assert!(ReceiptStatement::new(k, &"a".repeat(256), None, t, m, e()).is_ok());
    assert!(ReceiptStatement::new(k, "a", Some(""), t, m, e()).is_err());
    assert!(
        ReceiptStatement::new(k, "a", None, Timestamp::from_unix_secs(u64::MAX), m, e()).is_err()
    );
}

#[test]
fn methods_schemes_and_time() {
    for m in VerificationMethod::ALL {
        assert_eq!(VerificationMethod::from_code(m.code()), Some(m));
        assert_eq!(m.name().parse::<VerificationMethod>().unwrap(), m);
        assert!(!m.description().is_empty());
        assert_eq!(m.is_valid_in_version(2), !m.is_legacy());
    }
    assert_eq!(
        VerificationMethod::ALL.map(VerificationMethod::code),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        VerificationMethod::CURRENT.map(VerificationMethod::code),
        [2, 3, 4, 5, 6, 7]
    );
    let in_person: Vec<_> = VerificationMethod::ALL
        .into_iter()
        .filter(|m| m.is_in_person())
        .collect();
    assert_eq!(
        in_person,
        [
            VerificationMethod::SasSession,
            VerificationMethod::SafetyNumber,
            VerificationMethod::QrCamera,
            VerificationMethod::WordsTypedBack
        ]
    );
    assert!(VerificationMethod::from_code(0).is_none());
    assert!(VerificationMethod::from_code(8).is_none());
    assert!("email".parse::<VerificationMethod>().is_err());
    for s in ComparedScheme::ALL {
        assert_eq!(ComparedScheme::from_code(s.code()), Some(s));
        assert_eq!(ComparedScheme::from_name(s.name()), Some(s));
        assert_eq!(s.to_string(), s.name());
    }
    assert_eq!(
        ComparedScheme::ALL.map(ComparedScheme::code),
        [0, 1, 2, 3, 4]
    );
    assert!(ComparedScheme::from_code(5).is_none());
    assert_eq!(
        Timestamp::from_unix_secs(0).to_rfc3339(),
        "1970-01-01T00:00:00Z"
    );
    assert_eq!(
        Timestamp::from_unix_secs(1_700_000_000).to_rfc3339(),
        "2023-11-14T22:13:20Z"
    );
    assert_eq!(
        Timestamp::from_unix_secs(951_868_800).to_rfc3339(),
        "2000-03-01T00:00:00Z"
    );
}
