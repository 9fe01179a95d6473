//! Fuzzes the QR payload decoder and the scanned-code classifier: never a panic, and
//! whatever decodes re-encodes to exactly the input (one encoding per payload).
//! The corpus in `fuzz/corpus/qr_payload/` is replayed by `verifier-core/tests/qr_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verifier_core::qr::{Payload, ScannedCode, classify};

fuzz_target!(|data: &[u8]| {
    let decoded = Payload::decode(data);
    if let Ok(p) = &decoded {
        assert_eq!(p.encode(), data, "decode/encode is not canonical");
    }
    match classify(data) {
        ScannedCode::Verifier(p) => assert_eq!(Ok(p), decoded),
        ScannedCode::InvalidVerifier(e) => assert_eq!(Err(e), decoded),
        _ => assert!(!data.starts_with(b"VRFY")),
    }
});
