//! Checking a scanned code against the key the scanner expects (`docs/qr-payloads.md` §7).

use super::classify::ScannedCode;
use super::payload::{Mode, Payload, PayloadError};
use crate::key::PublicKey;

/// A successful check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckMatch {
    /// An identity code for the expected key: "this is their key".
    Identity,
    /// A pairwise code for the expected key that also holds the fingerprint of my key:
    /// "this is their key, and they hold my correct key".
    Mutual,
}

/// Why a scanned code does not confirm the expected key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckMismatch {
    /// A verifier code that failed to decode.
    #[error("the code looks like a verifier code but is broken: {error}")]
    InvalidCode {
        /// The decoding failure.
        error: PayloadError,
    },
    /// A Signal safety-number code, not a verifier code.
    #[error("this is a Signal safety-number code, not a verifier code; compare it in Signal")]
    SignalCode,
    /// Not a verifier code at all.
    #[error("this QR code is not a verifier code")]
    Foreign,
    /// A verifier code that carries no key (a session join code).
    #[error(
        "this is a verifier {mode} code, which carries no key; show an identity or pairwise code"
    )]
    NoKey {
        /// The code's mode.
        mode: Mode,
    },
    /// The code is for another key than the expected one.
    #[error(
        "the code shows key {found}, not the expected key {expected}: this is not the person you expected, or their key changed"
    )]
    WrongKey {
        /// The key in the code.
        found: Box<PublicKey>,
        /// The key that was expected.
        expected: Box<PublicKey>,
    },
    /// A pairwise code whose fingerprint is not that of my key.
    #[error(
        "the code is from key {their_key}, but the key it holds for you is not your key: they hold a wrong key for you, or the code was made for someone else"
    )]
    WrongFingerprintOfMine {
        /// The (expected) key of the code's owner.
        their_key: Box<PublicKey>,
    },
}

impl CheckMismatch {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::InvalidCode`] has a number of its own; the wrapped [`PayloadError`] (`error`)
    /// gives its own number with [`code`](PayloadError::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::InvalidCode { .. } => 3301,
            Self::SignalCode => 3302,
            Self::Foreign => 3303,
            Self::NoKey { .. } => 3304,
            Self::WrongKey { .. } => 3305,
            Self::WrongFingerprintOfMine { .. } => 3306,
        }
    }
}

/// Checks a scanned code: does it show `expected`, and (pairwise) does its owner hold `my_key`?
///
/// Keys compare as typed keys; the fingerprint compares in constant time.
pub fn check(
    code: &ScannedCode,
    my_key: &PublicKey,
    expected: &PublicKey,
) -> Result<CheckMatch, CheckMismatch> {
    let payload = match code {
        ScannedCode::Verifier(p) => p,
        ScannedCode::InvalidVerifier(error) => {
            return Err(CheckMismatch::InvalidCode {
                error: error.clone(),
            });
        }
        ScannedCode::Signal(_) => return Err(CheckMismatch::SignalCode),
        ScannedCode::Foreign => return Err(CheckMismatch::Foreign),
    };
    check_payload(payload, my_key, expected)
}

/// Domain label of the QR payload digest recorded in receipts
/// (`docs/receipts.md`): BLAKE3 `derive_key` over the payload's encoding.
pub const RECEIPT_DIGEST_DOMAIN: &str = "verifier/v1/receipt-evidence/qr-payload";

/// Evidence for the trust engine from a scanned verifier code: the key it
/// shows (for a pairwise code, only if it holds the fingerprint of `my_key`),
/// with where the code came from. Which contact it is for is the engine's
/// question, never answered by the key alone.
pub fn scan_evidence(
    payload: &Payload,
    my_key: &PublicKey,
    source: crate::trust::QrSource,
) -> Result<(CheckMatch, crate::trust::Evidence), CheckMismatch> {
    let found = *payload.key().ok_or(CheckMismatch::NoKey {
        mode: payload.mode(),
    })?;
    let matched = check_payload(payload, my_key, &found)?;
    let mut h = blake3::Hasher::new_derive_key(RECEIPT_DIGEST_DOMAIN);
    h.update(&payload.encode());
    let evidence = crate::trust::Evidence::qr(
        found,
        source,
        super::payload::FORMAT_VERSION,
        *h.finalize().as_bytes(),
    );
    Ok((matched, evidence))
}

/// [`check`] for an already decoded verifier payload.
pub fn check_payload(
    payload: &Payload,
    my_key: &PublicKey,
    expected: &PublicKey,
) -> Result<CheckMatch, CheckMismatch> {
    let found = payload.key().ok_or(CheckMismatch::NoKey {
        mode: payload.mode(),
    })?;
    if found != expected {
        return Err(CheckMismatch::WrongKey {
            found: Box::new(*found),
            expected: Box::new(*expected),
        });
    }
    match payload {
        Payload::Pairwise(card) => {
            if card.peer_fingerprint.matches(my_key) {
                Ok(CheckMatch::Mutual)
            } else {
                Err(CheckMismatch::WrongFingerprintOfMine {
                    their_key: Box::new(*found),
                })
            }
        }
        Payload::Identity(_) => Ok(CheckMatch::Identity),
        Payload::Session(_) => Err(CheckMismatch::NoKey {
            mode: Mode::Session,
        }),
    }
}
