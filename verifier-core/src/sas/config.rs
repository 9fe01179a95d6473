//! Parameters of a SAS run.

use super::extensions::{ExtensionError, Extensions};
use super::wire::MAX_SAS_BITS;

/// The fewest SAS bits any configuration accepts.
pub const MIN_SAS_BITS: u8 = 20;
/// The default SAS length: all six bytes.
pub const DEFAULT_SAS_BITS: u8 = 48;
/// The default limit on each wait (for the peer or for a person), in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 300_000;
/// The longest allowed wait: one day.
pub const MAX_TIMEOUT_MS: u64 = 86_400_000;

/// Parameters of a run.
///
/// ```
/// use verifier_core::sas::SasConfig;
/// let config = SasConfig::default().with_sas_bits(40).unwrap();
/// assert_eq!(config.sas_bits(), 40);
/// assert!(SasConfig::default().with_sas_bits(16).is_err());
/// let config = config.with_rendering("words:bip39:fr").unwrap();
/// assert_eq!(config.rendering(), Some("words:bip39:fr"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SasConfig {
    pub(super) sas_bits: u8,
    pub(super) timeout_ms: u64,
    pub(super) extensions: Extensions,
    #[cfg(test)]
    pub(super) insecure_no_commitment: bool,
}

impl Default for SasConfig {
    fn default() -> Self {
        Self {
            sas_bits: DEFAULT_SAS_BITS,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            extensions: Extensions::default(),
            #[cfg(test)]
            insecure_no_commitment: false,
        }
    }
}

/// A configuration that would make the SAS too weak or impossible.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SasConfigError {
    /// `sas_bits` outside `MIN_SAS_BITS..=48`.
    #[error("a SAS of {bits} bits is not allowed: choose {min} to {max} bits")]
    SasBitsOutOfRange {
        /// The value asked for.
        bits: u8,
        /// The minimum.
        min: u8,
        /// The maximum.
        max: u8,
    },
    /// An extension value that cannot be sent.
    #[error("{0}")]
    Extension(#[from] ExtensionError),
}

impl SasConfigError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::SasBitsOutOfRange { .. } => 4001,
            Self::Extension(_) => 4002,
        }
    }
}

impl SasConfig {
    /// Sets the number of SAS bits (`20..=48`). The initiator sends this value; a responder
    /// accepts an initiator's value only if it is at least its own.
    pub fn with_sas_bits(mut self, bits: u8) -> Result<Self, SasConfigError> {
        if !(MIN_SAS_BITS..=MAX_SAS_BITS).contains(&bits) {
            return Err(SasConfigError::SasBitsOutOfRange {
                bits,
                min: MIN_SAS_BITS,
                max: MAX_SAS_BITS,
            });
        }
        self.sas_bits = bits;
        Ok(self)
    }

    /// Sets the limit on each wait in milliseconds (capped at one day).
    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.timeout_ms = timeout_ms.min(MAX_TIMEOUT_MS);
        self
    }

    /// Sets the rendering this side shows (sent, authenticated, in the first message). The
    /// initiator's rendering is the one both sides show: see
    /// [`Phase::Compare`](super::Phase::Compare)'s `rendering`. A tag is 1 to 32 characters
    /// of `A-Z a-z 0-9 : - _ .`, e.g. `words:bip39:fr` (docs/sas-protocol.md, "Extensions").
    pub fn with_rendering(mut self, tag: &str) -> Result<Self, SasConfigError> {
        self.extensions = self.extensions.with_rendering(tag)?;
        Ok(self)
    }

    /// Sets the rendering to the SAS words in `lang` (`words:bip39:<code>`, see
    /// [`words_rendering`](super::words_rendering)).
    pub fn with_words(mut self, lang: crate::render::Bip39Language) -> Self {
        // A language code always makes a valid tag, so this keeps the old value only in
        // theory.
        if let Ok(ext) = self
            .extensions
            .clone()
            .with_rendering(&super::words_rendering(lang))
        {
            self.extensions = ext;
        }
        self
    }

    /// The number of SAS bits.
    pub fn sas_bits(&self) -> u8 {
        self.sas_bits
    }

    /// The limit on each wait, in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// The rendering this side sends, if set.
    pub fn rendering(&self) -> Option<&str> {
        self.extensions.rendering()
    }

    /// The extensions this side sends.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Test-only: any SAS length, and optionally the broken variant without commitment.
    #[cfg(test)]
    pub(crate) fn insecure_for_tests(bits: u8, no_commitment: bool) -> Self {
        Self {
            sas_bits: bits,
            insecure_no_commitment: no_commitment,
            ..Self::default()
        }
    }

    pub(super) fn no_commitment(&self) -> bool {
        #[cfg(test)]
        {
            self.insecure_no_commitment
        }
        #[cfg(not(test))]
        {
            false
        }
    }
}
