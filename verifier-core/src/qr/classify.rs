//! What a scanned QR code is: ours, Signal's, or foreign (`docs/qr-payloads.md` §5).

use super::payload::{MAGIC, Payload, PayloadError};
use crate::signal::ScannableFingerprint;

/// A scanned QR code, classified by its raw bytes.
// One value per scanned code: the size of the decoded payload does not matter here.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScannedCode {
    /// A verifier code that decoded.
    Verifier(Payload),
    /// A verifier code (it starts with the magic) that failed to decode.
    InvalidVerifier(PayloadError),
    /// Signal's scannable safety-number fingerprint (compare it with
    /// [`ScannableFingerprint::compare_parsed`]).
    Signal(ScannableFingerprint),
    /// Any other QR code.
    Foreign,
}

impl ScannedCode {
    /// The `"kind"` of `verifier scan --json`: `"verifier"` (also for a verifier code that
    /// failed to decode: report its error next to it), `"signal"` or `"foreign"`.
    pub fn kind(&self) -> &'static str {
        match self {
            ScannedCode::Verifier(_) | ScannedCode::InvalidVerifier(_) => "verifier",
            ScannedCode::Signal(_) => "signal",
            ScannedCode::Foreign => "foreign",
        }
    }
}

/// Classifies raw QR bytes.
///
/// ```
/// use verifier_core::qr::{classify, ScannedCode};
/// assert_eq!(classify(b"https://example.com"), ScannedCode::Foreign);
/// assert!(matches!(classify(b"VRFY\x09"), ScannedCode::InvalidVerifier(_)));
/// ```
pub fn classify(bytes: &[u8]) -> ScannedCode {
    if bytes.starts_with(&MAGIC) {
        return match Payload::decode(bytes) {
            Ok(p) => ScannedCode::Verifier(p),
            Err(e) => ScannedCode::InvalidVerifier(e),
        };
    }
    match ScannableFingerprint::parse(bytes) {
        Ok(s) => ScannedCode::Signal(s),
        Err(_) => ScannedCode::Foreign,
    }
}
