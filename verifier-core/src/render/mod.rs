//! Renderings of bytes for people, and the parsing of what people type back.
//!
//! Every function here is pure and never panics on any input. The layers:
//!
//! * [`bits`]: a big-endian bit reader/writer, bytes ⇄ fixed-width indices;
//! * [`bip39`]: the ten BIP39 word lists (11 bits per word, the same index in
//!   every language);
//! * [`pgp`]: the PGP word list (8 bits per word, even/odd list by position);
//! * [`emoji`]: the 64-entry Matrix SAS emoji table with its translated names;
//! * [`digits`]: groups of five decimal digits (5 bytes big-endian mod 100000);
//! * [`parse`]: the tolerant parser and the compare helper for typed input;
//! * [`matrix_sas`]: the Matrix `m.sas.v1` mapping of 6 SAS bytes to 7 emoji
//!   and 3 decimals.
//!
//! The format of every rendering and the parsing rules are written down in
//! `docs/renderings.md`.
//!
//! ```
//! use verifier_core::render::{Bip39Language, bip39, bits, parse};
//!
//! let bytes = [0x5a; 11]; // 88 bits = 8 words of 11 bits
//! let words = bip39::words_from_bytes(&bytes, 8, Bip39Language::English)?;
//! let typed = words.join(" ").to_uppercase();
//! let indices = parse::parse_bip39(&typed, Bip39Language::English, 8)?;
//! assert_eq!(bits::indices_to_bytes(&indices, bip39::BITS_PER_WORD)?, bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bip39;
pub mod bits;
pub mod digits;
pub mod emoji;
mod lexicon;
pub mod matrix_sas;
pub mod parse;
pub mod pgp;

#[cfg(test)]
mod proptests;

pub use bip39::{Bip39Language, UnknownLanguage};
pub use emoji::SasEmoji;
pub use parse::{CompareError, ParseError};
pub use pgp::PgpParity;

/// What can go wrong when turning bytes or indices into a rendering.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The requested index width is not supported.
    #[error("an index must be 1 to 16 bits wide, not {bits}; use a supported width")]
    UnsupportedBitWidth {
        /// The width that was asked for.
        bits: u32,
    },
    /// The input has fewer bits than the rendering needs.
    #[error(
        "the rendering needs {needed} bits but the input has only {available}; pass more bytes or ask for fewer units"
    )]
    NotEnoughBits {
        /// Bits needed (`count × bits`), saturated at `usize::MAX`.
        needed: usize,
        /// Bits available (`8 × bytes`).
        available: usize,
    },
    /// An index does not fit in the width (or the list) it is rendered with.
    #[error("index {index} at position {position} is out of range (it must be below {limit})")]
    IndexOutOfRange {
        /// 0-based position of the offending index.
        position: usize,
        /// The index.
        index: u16,
        /// The exclusive upper bound.
        limit: u32,
    },
}

impl RenderError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::UnsupportedBitWidth { .. } => 2001,
            Self::NotEnoughBits { .. } => 2002,
            Self::IndexOutOfRange { .. } => 2003,
        }
    }
}
