//! `qr_payload`: the QR payload decoder and the scanned-code classifier.

use verifier_core::qr::{MAGIC, Payload, ScannedCode, classify};

/// Never a panic; whatever decodes re-encodes to exactly the input (one encoding per
/// payload); `classify` agrees with `decode`, and only calls `VRFY…` codes ours.
pub fn check(data: &[u8]) -> bool {
    let decoded = Payload::decode(data);
    if let Ok(p) = &decoded {
        assert_eq!(p.encode(), data, "decode/encode is not canonical");
        assert_eq!(Payload::decode(&p.encode()).as_ref(), Ok(p));
    }
    match classify(data) {
        ScannedCode::Verifier(p) => assert_eq!(Ok(p), decoded),
        ScannedCode::InvalidVerifier(e) => assert_eq!(Err(e), decoded),
        _ => assert!(!data.starts_with(&MAGIC)),
    }
    decoded.is_ok()
}
