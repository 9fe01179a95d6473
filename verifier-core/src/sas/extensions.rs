//! Authenticated extension fields of Commit and Accept (docs/sas-protocol.md, "Extensions").
//!
//! Encoded as `u8 type ‖ u8 len ‖ value` records in strictly increasing type order, at most
//! [`MAX_EXTENSIONS_LEN`] bytes in all. The initiator's extensions enter its commitment and
//! both sides' extensions enter the transcript hash, so a man in the middle who changes one
//! changes the SAS.

/// The most bytes of encoded extensions one message carries.
pub const MAX_EXTENSIONS_LEN: usize = 128;
/// The longest rendering tag.
pub const MAX_RENDERING_LEN: usize = 32;
/// Extension type: the rendering the sender shows (the initiator's is the agreed one).
pub const EXT_RENDERING: u8 = 0x01;

use crate::render::Bip39Language;

const WORDS_PREFIX: &str = "words:bip39:";

/// The rendering tag for the SAS words in a BIP39 language: `words:bip39:<code>`.
///
/// ```
/// use verifier_core::render::Bip39Language;
/// use verifier_core::sas::{words_language, words_rendering};
/// assert_eq!(words_rendering(Bip39Language::French), "words:bip39:fr");
/// assert_eq!(words_language("words:bip39:fr"), Some(Bip39Language::French));
/// assert_eq!(words_language("emoji:fr"), None);
/// ```
pub fn words_rendering(lang: Bip39Language) -> String {
    format!("{WORDS_PREFIX}{}", lang.code())
}

/// The BIP39 language a rendering tag names, if it is a `words:bip39:<code>` tag.
pub fn words_language(tag: &str) -> Option<Bip39Language> {
    tag.strip_prefix(WORDS_PREFIX)?.parse().ok()
}

/// The extension fields of one message. Unknown types are kept (and authenticated) but not
/// interpreted, so later versions can add fields without a new protocol version.
///
/// ```
/// use verifier_core::sas::Extensions;
/// let ext = Extensions::default().with_rendering("words:bip39:fr").unwrap();
/// assert_eq!(ext.rendering(), Some("words:bip39:fr"));
/// assert_eq!(Extensions::decode(&ext.encode()).unwrap(), ext);
/// assert!(Extensions::default().with_rendering("wörds").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Extensions {
    records: Vec<(u8, Vec<u8>)>,
}

/// Why extension bytes or values are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtensionError {
    /// More than [`MAX_EXTENSIONS_LEN`] bytes.
    #[error("SAS extensions are {len} bytes; at most {max} are allowed")]
    TooLong {
        /// Bytes found.
        len: usize,
        /// The maximum.
        max: usize,
    },
    /// A record runs past the end.
    #[error("SAS extension record of type 0x{ext_type:02x} is truncated")]
    Truncated {
        /// The record's type.
        ext_type: u8,
    },
    /// Types not in strictly increasing order (a repeated type included).
    #[error("SAS extension 0x{ext_type:02x} is out of order or repeated")]
    NotCanonical {
        /// The record's type.
        ext_type: u8,
    },
    /// A rendering tag that is empty, too long, or not printable ASCII.
    #[error(
        "a rendering tag must be 1 to {max} printable ASCII characters (letters, digits, ':', '-', '_', '.')"
    )]
    BadRendering {
        /// The maximum length.
        max: usize,
    },
}

impl ExtensionError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::TooLong { .. } => 4301,
            Self::Truncated { .. } => 4302,
            Self::NotCanonical { .. } => 4303,
            Self::BadRendering { .. } => 4304,
        }
    }
}

fn rendering_ok(tag: &[u8]) -> bool {
    !tag.is_empty()
        && tag.len() <= MAX_RENDERING_LEN
        && tag
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_' | b'.'))
}

impl Extensions {
    /// Adds (or replaces) the rendering tag, e.g. `words:bip39:en` or `emoji:fr`.
    pub fn with_rendering(mut self, tag: &str) -> Result<Self, ExtensionError> {
        if !rendering_ok(tag.as_bytes()) {
            return Err(ExtensionError::BadRendering {
                max: MAX_RENDERING_LEN,
            });
        }
        self.set(EXT_RENDERING, tag.as_bytes().to_vec());
        Ok(self)
    }

    fn set(&mut self, ext_type: u8, value: Vec<u8>) {
        match self.records.binary_search_by_key(&ext_type, |(t, _)| *t) {
            Ok(i) => self.records[i].1 = value,
            Err(i) => self.records.insert(i, (ext_type, value)),
        }
    }

    /// The rendering tag, when present and well formed.
    pub fn rendering(&self) -> Option<&str> {
        self.get(EXT_RENDERING)
            .filter(|v| rendering_ok(v))
            .and_then(|v| core::str::from_utf8(v).ok())
    }

    /// The raw value of an extension type.
    pub fn get(&self, ext_type: u8) -> Option<&[u8]> {
        self.records
            .iter()
            .find(|(t, _)| *t == ext_type)
            .map(|(_, v)| v.as_slice())
    }

    /// `true` when no record is present.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The canonical encoding (records in type order).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, v) in &self.records {
            out.push(*t);
            // Values are at most MAX_EXTENSIONS_LEN bytes (checked when added or decoded).
            out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(v);
        }
        out
    }

    /// Reads the canonical encoding; anything else is refused.
    pub fn decode(bytes: &[u8]) -> Result<Self, ExtensionError> {
        if bytes.len() > MAX_EXTENSIONS_LEN {
            return Err(ExtensionError::TooLong {
                len: bytes.len(),
                max: MAX_EXTENSIONS_LEN,
            });
        }
        let mut records: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut rest = bytes;
        while let Some((&ext_type, after)) = rest.split_first() {
            let Some((&len, after)) = after.split_first() else {
                return Err(ExtensionError::Truncated { ext_type });
            };
            let len = usize::from(len);
            if after.len() < len {
                return Err(ExtensionError::Truncated { ext_type });
            }
            if records.last().is_some_and(|(t, _)| *t >= ext_type) {
                return Err(ExtensionError::NotCanonical { ext_type });
            }
            let (value, after) = after.split_at(len);
            if ext_type == EXT_RENDERING && !rendering_ok(value) {
                return Err(ExtensionError::BadRendering {
                    max: MAX_RENDERING_LEN,
                });
            }
            records.push((ext_type, value.to_vec()));
            rest = after;
        }
        Ok(Self { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_canonical_and_truncated_encodings_are_refused() {
        assert_eq!(
            Extensions::decode(&[0x02, 0, 0x01, 1, b'a']),
            Err(ExtensionError::NotCanonical { ext_type: 1 })
        );
        assert_eq!(
            Extensions::decode(&[0x05, 0, 0x05, 0]),
            Err(ExtensionError::NotCanonical { ext_type: 5 })
        );
        assert_eq!(
            Extensions::decode(&[0x05, 3, 1]),
            Err(ExtensionError::Truncated { ext_type: 5 })
        );
        assert_eq!(
            Extensions::decode(&[0x05]),
            Err(ExtensionError::Truncated { ext_type: 5 })
        );
        assert!(matches!(
            Extensions::decode(&[0x01, 1, b' ']),
            Err(ExtensionError::BadRendering { .. })
        ));
        assert!(matches!(
            Extensions::decode(&[0u8; 129]),
            Err(ExtensionError::TooLong { len: 129, .. })
        ));
    }

    #[test]
    fn unknown_types_are_kept_in_order() {
        let bytes = [0x01, 2, b'e', b'n', 0x09, 1, 0xff];
        let ext = Extensions::decode(&bytes).unwrap();
        assert_eq!(ext.get(9), Some(&[0xff][..]));
        assert_eq!(ext.encode(), bytes);
        assert_eq!(ext.rendering(), Some("en"));
    }
}
