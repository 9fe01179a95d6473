//! The PGP word list: 8 bits per word, two lists by position.
//!
//! Byte `i` of a string is rendered with the **even** list (256 two-syllable
//! words) when `i` is even and with the **odd** list (256 three-syllable
//! words) when `i` is odd, so a swapped, dropped or repeated word shows up as
//! a word from the wrong list (see [`super::parse::parse_pgp`]). The lists are
//! embedded from `verifier-core/wordlists/pgp_even.txt` and `verifier-core/wordlists/pgp_odd.txt`
//! (derived from `verifier-core/wordlists/pgp_words.json`); the capitalisation of the
//! source is kept (`Algol`, `Zulu`).
//!
//! ```
//! use verifier_core::render::pgp;
//! assert_eq!(pgp::words_from_bytes(&[0x00, 0x00, 0xff, 0xff]),
//!            ["aardvark", "adroitness", "Zulu", "Yucatan"]);
//! ```

use std::fmt;
use std::sync::OnceLock;

use super::lexicon::Lexicon;

/// Bits carried by one PGP word.
pub const BITS_PER_WORD: u32 = 8;

const EVEN: &str = include_str!("../../wordlists/pgp_even.txt");
const ODD: &str = include_str!("../../wordlists/pgp_odd.txt");

/// Which of the two PGP lists a position uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PgpParity {
    /// Even positions (0, 2, 4, …): two-syllable words.
    Even,
    /// Odd positions (1, 3, 5, …): three-syllable words.
    Odd,
}

impl PgpParity {
    /// The list used at 0-based `position`.
    pub fn of_position(position: usize) -> Self {
        if position.is_multiple_of(2) {
            Self::Even
        } else {
            Self::Odd
        }
    }

    /// The other list.
    pub fn other(self) -> Self {
        match self {
            Self::Even => Self::Odd,
            Self::Odd => Self::Even,
        }
    }

    /// `"even"` or `"odd"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Even => "even",
            Self::Odd => "odd",
        }
    }
}

impl fmt::Display for PgpParity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn lexicon(parity: PgpParity) -> &'static Lexicon {
    static EVEN_LEX: OnceLock<Lexicon> = OnceLock::new();
    static ODD_LEX: OnceLock<Lexicon> = OnceLock::new();
    match parity {
        PgpParity::Even => EVEN_LEX.get_or_init(|| Lexicon::from_lines(EVEN)),
        PgpParity::Odd => ODD_LEX.get_or_init(|| Lexicon::from_lines(ODD)),
    }
}

/// The word for `byte` in the given list.
pub fn word(byte: u8, parity: PgpParity) -> &'static str {
    lexicon(parity)
        .display
        .get(usize::from(byte))
        .map_or("", String::as_str)
}

/// The word for `byte` at 0-based `position` in a string.
pub fn word_at(byte: u8, position: usize) -> &'static str {
    word(byte, PgpParity::of_position(position))
}

/// All 256 words of one list, in byte order.
pub fn words(parity: PgpParity) -> impl ExactSizeIterator<Item = &'static str> + Clone {
    lexicon(parity).display.iter().map(String::as_str)
}

/// One word per byte, alternating even/odd lists from the even list.
pub fn words_from_bytes(bytes: &[u8]) -> Vec<&'static str> {
    bytes
        .iter()
        .enumerate()
        .map(|(position, &b)| word_at(b, position))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_complete() {
        assert_eq!(words(PgpParity::Even).len(), 256);
        assert_eq!(words(PgpParity::Odd).len(), 256);
        assert!(words(PgpParity::Even).all(|w| !w.is_empty()));
        assert_eq!(word(0x01, PgpParity::Even), "absurd");
        assert_eq!(word(0x01, PgpParity::Odd), "adviser");
        assert_eq!(word_at(0xE5, 1), word(0xE5, PgpParity::Odd));
    }
}
