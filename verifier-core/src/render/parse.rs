//! Parsing what a person typed back, and comparing it with what was expected.
//!
//! The rules (also in `docs/renderings.md`):
//!
//! * **Separators**: any Unicode white space (including the ideographic space
//!   U+3000 used between Japanese words and new lines), commas, semicolons,
//!   colons, full stops, slashes, vertical bars, underscores, dashes and
//!   hyphens, and their full-width/ideographic forms (、。，・ …). For the two
//!   Chinese lists, where every word is one character, each character of a
//!   run is a word of its own, so no separator is needed.
//! * **Normalisation** ([`normalize_word`]): lower case, Unicode NFKD,
//!   combining marks removed (so accents are optional) except the Japanese
//!   voicing marks U+3099/U+309A (which tell different words apart), and
//!   katakana folded to hiragana.
//! * **Matching** of one word against a list: an exact (normalised) match
//!   wins; otherwise a prefix of exactly one word is that word (in English
//!   BIP39 the first four letters are always enough); a prefix of several
//!   words is [`ParseError::AmbiguousPrefix`]; anything else is
//!   [`ParseError::UnknownWord`].
//! * **PGP words** are looked up in the list of their position (even/odd);
//!   a word of the other list is [`ParseError::WrongParity`], which is what a
//!   swapped, dropped or repeated word looks like.
//! * The error names the 0-based position of the **first** wrong word.
//!
//! ```
//! use verifier_core::render::{Bip39Language, ParseError, parse};
//!
//! // prefixes, case and a missing accent are all fine
//! let ix = parse::parse_bip39("ABAN, abili-ecoute", Bip39Language::English, 3);
//! assert_eq!(ix, Err(ParseError::UnknownWord { position: 2, word: "ecoute".into() }));
//! let ix = parse::parse_bip39("écouter  ABRI", Bip39Language::French, 2)?;
//! let ix2 = parse::parse_bip39("ecou abri", Bip39Language::French, 2)?;
//! assert_eq!(ix, ix2);
//! # Ok::<(), ParseError>(())
//! ```

use super::bip39::{self, Bip39Language};
use super::lexicon::Match;
pub use super::lexicon::normalize_word;
use super::pgp::{self, PgpParity};

/// Why typed input could not be read back.
///
/// Every variant names the 0-based `position` of the first word (or digit
/// group) that is wrong; [`ParseError::position`] returns it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The word is in no list and is no prefix of any word.
    #[error("word {} ({word:?}) is not in the word list; check its spelling", position + 1)]
    UnknownWord {
        /// 0-based position of the word.
        position: usize,
        /// The word as typed.
        word: String,
    },
    /// The typed text is the beginning of several words.
    #[error("word {} ({word:?}) is the beginning of {matches} words; type more letters", position + 1)]
    AmbiguousPrefix {
        /// 0-based position of the word.
        position: usize,
        /// The word as typed.
        word: String,
        /// How many words start with it.
        matches: usize,
    },
    /// A PGP word from the other (even/odd) list: a word was swapped, dropped
    /// or repeated here.
    #[error(
        "word {} ({word:?}) belongs to the {found} list, but an {expected} word was expected here; a word was probably swapped, dropped or repeated",
        position + 1
    )]
    WrongParity {
        /// 0-based position of the word.
        position: usize,
        /// The word as typed.
        word: String,
        /// The list this position uses.
        expected: PgpParity,
        /// The list the word belongs to.
        found: PgpParity,
    },
    /// Fewer words than expected; `position` is the first missing one.
    #[error("only {found} of {expected} words were given; the words from number {} on are missing", position + 1)]
    TooFewWords {
        /// 0-based position of the first missing word (= `found`).
        position: usize,
        /// How many words are needed.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// More words than expected; `position` is the first extra one.
    #[error("{found} words were given but only {expected} are expected; remove the extra words")]
    TooManyWords {
        /// 0-based position of the first extra word (= `expected`).
        position: usize,
        /// How many words are needed.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// A character that is neither a digit nor a separator, in a digit group.
    #[error("group {} contains {character:?}, which is not a digit; type only digits and spaces", position + 1)]
    InvalidDigit {
        /// 0-based position of the group the character falls in.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// Fewer digits than expected; `position` is the first incomplete group.
    #[error("only {found} of {expected} digits were given; group {} is incomplete", position + 1)]
    TooFewDigits {
        /// 0-based position of the first incomplete group.
        position: usize,
        /// How many digits are needed.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// More digits than expected; `position` is the first extra group.
    #[error("{found} digits were given but only {expected} are expected; remove the extra digits")]
    TooManyDigits {
        /// 0-based position of the first extra group.
        position: usize,
        /// How many digits are needed.
        expected: usize,
        /// How many were given.
        found: usize,
    },
}

impl ParseError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::UnknownWord { .. } => 2101,
            Self::AmbiguousPrefix { .. } => 2102,
            Self::WrongParity { .. } => 2103,
            Self::TooFewWords { .. } => 2104,
            Self::TooManyWords { .. } => 2105,
            Self::InvalidDigit { .. } => 2106,
            Self::TooFewDigits { .. } => 2107,
            Self::TooManyDigits { .. } => 2108,
        }
    }

    /// The 0-based position of the first wrong word or digit group.
    pub fn position(&self) -> usize {
        match self {
            Self::UnknownWord { position, .. }
            | Self::AmbiguousPrefix { position, .. }
            | Self::WrongParity { position, .. }
            | Self::TooFewWords { position, .. }
            | Self::TooManyWords { position, .. }
            | Self::InvalidDigit { position, .. }
            | Self::TooFewDigits { position, .. }
            | Self::TooManyDigits { position, .. } => *position,
        }
    }
}

/// The result of comparing typed input with the expected code, when they differ.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The typed unit was read fine but is not the expected one.
    #[error("word {} ({typed:?}) does not match; the codes differ here, or it was misheard", position + 1)]
    Mismatch {
        /// 0-based position of the first differing word or digit group.
        position: usize,
        /// The word or group as typed.
        typed: String,
    },
    /// The typed input could not be read at this position.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

impl CompareError {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::Parse`] has a number of its own; the wrapped [`ParseError`] gives its own
    /// number with [`code`](ParseError::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::Mismatch { .. } => 2201,
            Self::Parse(_) => 2202,
        }
    }

    /// The 0-based position of the first word or digit group that differs.
    pub fn position(&self) -> usize {
        match self {
            Self::Mismatch { position, .. } => *position,
            Self::Parse(e) => e.position(),
        }
    }
}

/// True for the characters that separate typed words.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';' | ':' | '.' | '/' | '|' | '_' | '-' | '\u{2010}'
                ..='\u{2015}'
                    | '\u{2212}'
                    | '\u{3001}'
                    | '\u{3002}'
                    | '\u{30FB}'
                    | '\u{FF0C}'
                    | '\u{FF0D}'
                    | '\u{FF0E}'
                    | '\u{FF0F}'
                    | '\u{FF1A}'
                    | '\u{FF1B}'
                    | '\u{FF5C}'
                    | '\u{FF3F}'
                    | '\u{FF61}'
                    | '\u{FF64}'
                    | '\u{FF65}'
        )
}

/// Splits typed text into words. With `per_char`, every character of a run
/// is its own word (the Chinese lists).
pub(crate) fn tokenize(typed: &str, per_char: bool) -> Vec<&str> {
    let runs = typed.split(is_separator).filter(|w| !w.is_empty());
    if per_char {
        runs.flat_map(|run| {
            run.char_indices()
                .map(move |(i, c)| run.get(i..i + c.len_utf8()).unwrap_or(run))
        })
        .collect()
    } else {
        runs.collect()
    }
}

/// Resolves one typed word against a BIP39 list.
fn resolve_bip39(word: &str, lang: Bip39Language, position: usize) -> Result<u16, ParseError> {
    let lexicon = bip39::lexicon(lang);
    match lexicon.lookup(&normalize_word(word)) {
        Match::Exact(i) | Match::Prefix(i) => Ok(i as u16),
        Match::Ambiguous(matches) => Err(ParseError::AmbiguousPrefix {
            position,
            word: word.to_owned(),
            matches,
        }),
        Match::None => Err(ParseError::UnknownWord {
            position,
            word: word.to_owned(),
        }),
    }
}

/// Resolves one typed word against the PGP list of its position.
fn resolve_pgp(word: &str, position: usize) -> Result<u8, ParseError> {
    let expected = PgpParity::of_position(position);
    let found = expected.other();
    let norm = normalize_word(word);
    let own = pgp::lexicon(expected).lookup(&norm);
    let other = pgp::lexicon(found).lookup(&norm);
    let wrong = || ParseError::WrongParity {
        position,
        word: word.to_owned(),
        expected,
        found,
    };
    match (own, other) {
        (Match::Exact(i), _) => Ok(i as u8),
        (_, Match::Exact(_)) => Err(wrong()),
        (Match::Prefix(i), _) => Ok(i as u8),
        (Match::Ambiguous(matches), _) => Err(ParseError::AmbiguousPrefix {
            position,
            word: word.to_owned(),
            matches,
        }),
        (Match::None, Match::Prefix(_)) => Err(wrong()),
        (Match::None, Match::Ambiguous(_) | Match::None) => Err(ParseError::UnknownWord {
            position,
            word: word.to_owned(),
        }),
    }
}

/// Walks the typed words, resolving each and calling `check` on it; the
/// first failure (in position order) wins, then the word count is checked.
fn walk<T, E: From<ParseError>>(
    tokens: &[&str],
    expected_count: usize,
    mut resolve: impl FnMut(&str, usize) -> Result<T, ParseError>,
    mut check: impl FnMut(usize, &str, &T) -> Result<(), E>,
) -> Result<Vec<T>, E> {
    let mut out = Vec::with_capacity(expected_count.min(tokens.len()));
    for (position, word) in tokens.iter().enumerate() {
        if position >= expected_count {
            return Err(ParseError::TooManyWords {
                position,
                expected: expected_count,
                found: tokens.len(),
            }
            .into());
        }
        let value = resolve(word, position)?;
        check(position, word, &value)?;
        out.push(value);
    }
    if tokens.len() < expected_count {
        return Err(ParseError::TooFewWords {
            position: tokens.len(),
            expected: expected_count,
            found: tokens.len(),
        }
        .into());
    }
    Ok(out)
}

/// Parses typed BIP39 words of `lang` into `expected_count` word indices.
///
/// Turn the indices into bytes with [`super::bits::indices_to_bytes`] (11
/// bits each).
pub fn parse_bip39(
    typed: &str,
    lang: Bip39Language,
    expected_count: usize,
) -> Result<Vec<u16>, ParseError> {
    let tokens = tokenize(typed, lang.is_one_char_per_word());
    walk(
        &tokens,
        expected_count,
        |w, p| resolve_bip39(w, lang, p),
        |_, _, _| Ok::<(), ParseError>(()),
    )
}

/// Parses typed PGP words into `expected_count` bytes (byte `i` from the
/// even list when `i` is even, from the odd list when `i` is odd).
pub fn parse_pgp(typed: &str, expected_count: usize) -> Result<Vec<u8>, ParseError> {
    let tokens = tokenize(typed, false);
    walk(&tokens, expected_count, resolve_pgp, |_, _, _| {
        Ok::<(), ParseError>(())
    })
}

/// Compares typed BIP39 words of `lang` with the expected indices.
///
/// Returns the first position, in order, at which the input is unreadable
/// or differs; the word count is checked after all given words matched.
/// This is for the "type what they read to you" screen: the code compared
/// is public, so the comparison need not be constant-time.
pub fn compare_bip39(
    typed: &str,
    lang: Bip39Language,
    expected: &[u16],
) -> Result<(), CompareError> {
    let tokens = tokenize(typed, lang.is_one_char_per_word());
    walk(
        &tokens,
        expected.len(),
        |w, p| resolve_bip39(w, lang, p),
        |position, word, value| mismatch(position, word, expected.get(position) == Some(value)),
    )
    .map(|_| ())
}

/// Compares typed PGP words with the expected bytes; see [`compare_bip39`].
pub fn compare_pgp(typed: &str, expected: &[u8]) -> Result<(), CompareError> {
    let tokens = tokenize(typed, false);
    walk(
        &tokens,
        expected.len(),
        resolve_pgp,
        |position, word, value| mismatch(position, word, expected.get(position) == Some(value)),
    )
    .map(|_| ())
}

fn mismatch(position: usize, word: &str, equal: bool) -> Result<(), CompareError> {
    if equal {
        Ok(())
    } else {
        Err(CompareError::Mismatch {
            position,
            typed: word.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer() {
        assert_eq!(
            tokenize(" a,b--c\n\td\u{3000}e、f ", false),
            vec!["a", "b", "c", "d", "e", "f"]
        );
        assert_eq!(tokenize("的一 是", true), vec!["的", "一", "是"]);
        assert!(tokenize(" ,;-\n", false).is_empty());
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_word("Zulu"), "zulu");
        assert_eq!(normalize_word("ÁBACO"), "abaco");
        assert_eq!(normalize_word("ｚｕｌｕ"), "zulu");
        // voicing marks are kept: か and が stay different
        assert_ne!(normalize_word("か"), normalize_word("が"));
        assert_eq!(normalize_word("ガ"), normalize_word("が"));
    }

    #[test]
    fn exact_match_wins_over_prefix() {
        // "act" is a word and the prefix of action, actor, actress, actual
        let ix = parse_bip39("act ac", Bip39Language::English, 2);
        assert_eq!(
            ix,
            Err(ParseError::AmbiguousPrefix {
                position: 1,
                word: "ac".into(),
                matches: 14
            })
        );
        let ix = parse_bip39("act actu acti", Bip39Language::English, 3).unwrap();
        assert_eq!(ix, vec![19, 23, 20]);
    }
}
