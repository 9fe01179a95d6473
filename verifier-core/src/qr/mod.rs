//! QR codes for verification: versioned payloads, classification of scanned codes, the check
//! behind `verifier scan --expect`, and (feature `qr-render`) rendering to PNG, SVG and terminal.
//!
//! The format is specified in `docs/qr-payloads.md`.
//!
//! ```
//! use verifier_core::qr::{classify, Payload, ScannedCode, SessionCode};
//! let shown = Payload::Session(SessionCode::new(b"join".to_vec()).unwrap());
//! let scanned = classify(&shown.encode());
//! assert_eq!(scanned, ScannedCode::Verifier(shown));
//! ```

mod check;
mod classify;
mod fingerprint;
mod payload;
#[cfg(feature = "qr-render")]
mod render;

pub use check::{
    CheckMatch, CheckMismatch, RECEIPT_DIGEST_DOMAIN, check, check_payload, scan_evidence,
};
pub use classify::{ScannedCode, classify};
pub use fingerprint::{FINGERPRINT_DOMAIN, PairwiseFingerprint};
pub use payload::{
    FORMAT_VERSION, Field, IdentityCard, Label, MAGIC, MAX_JOIN_CODE_LEN, MAX_LABEL_LEN, Mode,
    PairwiseCard, Payload, PayloadError, SessionCode, ValueError,
};
#[cfg(feature = "qr-render")]
pub use render::{MAX_PNG_SIDE, QUIET_ZONE, QrMatrix, QrRenderError, TerminalStyle};
