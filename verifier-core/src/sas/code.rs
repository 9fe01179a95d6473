//! The short authentication string and its index-level renderings
//! (docs/sas-protocol.md, "Renderings of the SAS").
//!
//! The emoji and decimal mappings are Matrix's `m.sas.v1` mappings.

use super::schedule::SAS_BYTES_LEN;
use crate::render::{Bip39Language, SasEmoji, matrix_sas};

/// Bits shown by the 4 BIP39 words.
pub const WORD_BITS: u8 = 44;
/// Bits shown by the 7 emoji.
pub const EMOJI_BITS: u8 = 42;
/// Bits shown by the 3 decimals.
pub const DECIMAL_BITS: u8 = 39;

/// The SAS of one run: six bytes, of which the first `bits` vary.
///
/// ```
/// use verifier_core::sas::SasCode;
/// let code = SasCode::from_bytes([0x00, 0x01, 0x02, 0x03, 0x04, 0x05], 48);
/// assert_eq!(code.emoji_indices(), [0, 0, 4, 2, 0, 48, 16]);
/// assert_eq!(code.decimals(), [1000, 2032, 1386]);
/// assert_eq!(code.words(Default::default()).len(), 4);
/// assert_eq!(code.emoji()[5].description_en(), "Hammer");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SasCode {
    bytes: [u8; SAS_BYTES_LEN],
    bits: u8,
}

impl SasCode {
    /// Wraps SAS bytes; `bits` is the number of leading bits that vary (for display of the
    /// strength only: the bytes are used as given).
    pub fn from_bytes(bytes: [u8; SAS_BYTES_LEN], bits: u8) -> Self {
        Self { bytes, bits }
    }

    /// The six SAS bytes.
    pub fn bytes(&self) -> [u8; SAS_BYTES_LEN] {
        self.bytes
    }

    /// The number of bits that vary between runs.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    fn as_u64(&self) -> u64 {
        self.bytes
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    }

    /// Four 11-bit indices into the BIP39 English list (first 44 bits).
    pub fn word_indices(&self) -> [u16; 4] {
        let n = self.as_u64();
        // 48-bit number: word i is bits 47-11i .. 37-11i.
        core::array::from_fn(|i| ((n >> (37 - 11 * i)) & 0x7ff) as u16)
    }

    /// Seven 6-bit indices into the Matrix SAS emoji table (first 42 bits).
    pub fn emoji_indices(&self) -> [u8; 7] {
        matrix_sas::emoji_indices(&self.bytes)
    }

    /// Three 13-bit numbers plus 1000, in 1000..=9191 (first 39 bits), as in Matrix.
    pub fn decimals(&self) -> [u16; 3] {
        matrix_sas::decimals(&self.bytes)
    }

    /// The four words in `lang` (the same indices in every language).
    pub fn words(&self, lang: Bip39Language) -> Vec<&'static str> {
        // Indices are 11-bit values, so every one names a word.
        self.word_indices()
            .iter()
            .filter_map(|&i| lang.word(i))
            .collect()
    }

    /// The seven emoji (with their names in many languages).
    pub fn emoji(&self) -> Vec<SasEmoji> {
        // Indices are 6-bit values, so every one names an emoji.
        self.emoji_indices()
            .iter()
            .filter_map(|&i| SasEmoji::get(i))
            .collect()
    }
}
