//! The property checked for every input; shared with the corpus replay test
//! (`verifier-core/tests/sas_fuzz_corpus.rs` includes this file).

use verifier_core::identity::Identity;
use verifier_core::sas::hazmat::schedule::{JoinKeys, Role};
use verifier_core::sas::hazmat::wire::Frame;
use verifier_core::sas::{JoinCode, JoinSecret, Phase, SasConfig, SasSession};

/// Decoding never panics; whatever decodes re-encodes to the same bytes. Fresh sessions fed
/// the bytes, raw and re-tagged under the join key (so that the fuzzer reaches the state
/// machine past authentication), move on, ignore them or cancel: never panic, never verify.
pub fn check(data: &[u8]) {
    if let Ok(frame) = Frame::decode(data) {
        let signed = frame.message().signed_bytes();
        assert_eq!(
            &data[..signed.len()],
            &signed[..],
            "decode/encode must round-trip"
        );
    }
    let identity = Identity::from_bytes(&[7; 32]).unwrap_or_else(|_| unreachable!());
    let secret = JoinSecret::from_bytes([9; 8]);
    let code = JoinCode::new(
        "127.0.0.1:1".parse().unwrap_or_else(|_| unreachable!()),
        secret,
    );
    let keys = JoinKeys::derive(code.secret().as_bytes());
    let tagged = |role: Role| {
        let mut v = data.to_vec();
        v.extend_from_slice(&keys.key(role).tag(data));
        v
    };
    for bytes in [data.to_vec(), tagged(Role::Initiator)] {
        let mut responder =
            SasSession::respond_seeded(&identity, SasConfig::default(), &code, &[1; 32], 0);
        let out = responder.receive(&bytes, 0);
        assert!(matches!(
            out.phase,
            Phase::Cancelled { .. } | Phase::WaitingForPeer
        ));
        if Frame::decode(&bytes).is_err() {
            assert!(matches!(out.phase, Phase::Cancelled { .. }));
        }
    }
    for bytes in [data.to_vec(), tagged(Role::Responder)] {
        let (mut initiator, _) =
            SasSession::initiate_seeded(&identity, SasConfig::default(), &[2; 32], 0);
        let out = initiator.receive(&bytes, 0);
        assert!(!matches!(out.phase, Phase::Verified { .. }));
        if out.ignored.is_some() {
            assert!(out.send.is_empty() && out.phase == Phase::WaitingForPeer);
        }
    }
}
