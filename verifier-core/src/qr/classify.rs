//! What a scanned QR code is: ours, Signal's, or foreign (`docs/qr-payloads.md` §5).

use super::payload::{MAGIC, Payload, PayloadError};

/// A scanned QR code, classified by its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScannedCode {
    /// A verifier code that decoded.
    Verifier(Payload),
    /// A verifier code (it starts with the magic) that failed to decode.
    InvalidVerifier(PayloadError),
    /// Signal's scannable safety-number fingerprint.
    Signal(SignalCode),
    /// Any other QR code.
    Foreign,
}

/// Signal's scannable fingerprint (libsignal `CombinedFingerprints`), recognised by its structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalCode {
    /// The scannable-format version.
    pub version: u32,
    /// The shower's own fingerprint (`localFingerprint.content`).
    pub local: [u8; 32],
    /// The fingerprint the shower holds for the scanner (`remoteFingerprint.content`).
    pub remote: [u8; 32],
}

impl SignalCode {
    /// Recognises the exact protobuf layout libsignal writes:
    /// `08 <version varint> 12 22 0a 20 <32 bytes> 1a 22 0a 20 <32 bytes>`.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let rest = bytes.strip_prefix(&[0x08])?;
        let (version, rest) = varint_u32(rest)?;
        let rest = rest.strip_prefix(&[0x12, 0x22, 0x0a, 0x20])?;
        let (local, rest) = rest.split_first_chunk::<32>()?;
        let rest = rest.strip_prefix(&[0x1a, 0x22, 0x0a, 0x20])?;
        let (remote, rest) = rest.split_first_chunk::<32>()?;
        rest.is_empty().then_some(Self {
            version,
            local: *local,
            remote: *remote,
        })
    }
}

/// A protobuf varint of at most 5 bytes that fits a `u32`, in its shortest form.
fn varint_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && b == 0 {
                return None; // not the shortest form
            }
            let v = u32::try_from(value).ok()?;
            return Some((v, bytes.get(i + 1..)?));
        }
    }
    None
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
    match SignalCode::parse(bytes) {
        Some(s) => ScannedCode::Signal(s),
        None => ScannedCode::Foreign,
    }
}
