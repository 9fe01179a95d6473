//! `signal_scannable`: Signal's scannable fingerprint (the protobuf in Signal's QR code,
//! `ScannableFingerprint::parse` and `compare`).

use verifier_core::signal::{SCANNABLE_FINGERPRINT_LEN, ScannableFingerprint};

/// What parses is exactly the canonical encoding of the code; comparing the input with
/// the parsed code succeeds (same version) and matches only crosswise: the code with its
/// two fingerprints swapped matches it. A code built from the input's bytes encodes and
/// parses back to itself.
pub fn check(data: &[u8]) -> bool {
    let parsed = ScannableFingerprint::parse(data);
    if let Ok(code) = &parsed {
        assert_eq!(code.to_bytes(), data, "parse/encode is not canonical");
        assert_eq!(
            ScannableFingerprint::parse(&code.to_bytes()).as_ref(),
            Ok(code)
        );
        let symmetric = code.local_fingerprint() == code.remote_fingerprint();
        assert_eq!(code.compare(data), Ok(symmetric));
        let swapped = ScannableFingerprint::new(
            code.version(),
            *code.remote_fingerprint(),
            *code.local_fingerprint(),
        );
        assert_eq!(swapped.compare(data), Ok(true));
        assert_eq!(swapped.compare_parsed(code), Ok(true));
    }

    let n = SCANNABLE_FINGERPRINT_LEN;
    if let (Some(v), Some(local), Some(remote)) = (
        data.get(..4),
        data.get(4..4 + n),
        data.get(4 + n..4 + 2 * n),
    ) {
        let mut version = [0u8; 4];
        version.copy_from_slice(v);
        let mut l = [0u8; SCANNABLE_FINGERPRINT_LEN];
        l.copy_from_slice(local);
        let mut r = [0u8; SCANNABLE_FINGERPRINT_LEN];
        r.copy_from_slice(remote);
        let code = ScannableFingerprint::new(u32::from_le_bytes(version), l, r);
        assert_eq!(
            ScannableFingerprint::parse(&code.to_bytes()).as_ref(),
            Ok(&code)
        );
    }
    parsed.is_ok()
}
