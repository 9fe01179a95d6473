//! Word lists ready for matching what people type: display forms (NFC) and
//! normalised forms ([`normalize_word`]), and the lookup of one typed word.
//!
//! Its own module so that the lists (`bip39`, `pgp`) and the parser (`parse`)
//! depend on it, not on each other.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The normalisation applied to typed words and to list words before they
/// are compared: lower case, NFKD, combining marks removed except the
/// Japanese voicing marks U+3099 and U+309A, katakana folded to hiragana.
///
/// ```
/// use verifier_core::render::parse::normalize_word;
/// assert_eq!(normalize_word("ÉCOUTER"), "ecouter");
/// assert_eq!(normalize_word("Año"), "ano");
/// assert_eq!(normalize_word("ガム"), normalize_word("がむ"));
/// ```
pub fn normalize_word(word: &str) -> String {
    let lower = word.to_lowercase();
    lower
        .nfkd()
        .filter(|&c| !is_combining_mark(c) || c == '\u{3099}' || c == '\u{309A}')
        .map(|c| match c {
            // katakana ァ..ヶ → hiragana ぁ..ゖ
            '\u{30A1}'..='\u{30F6}' => char::from_u32(u32::from(c) - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A word list ready for matching: display forms and normalised forms.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub(crate) display: Vec<String>,
    normalized: Vec<String>,
}

/// How a typed word matched a [`Lexicon`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    Exact(usize),
    Prefix(usize),
    Ambiguous(usize),
    None,
}

impl Lexicon {
    /// Builds a lexicon from one word per line, shown in NFC.
    pub(crate) fn from_lines(text: &str) -> Self {
        let display: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|w| w.nfc().collect())
            .collect();
        let normalized = display.iter().map(|w| normalize_word(w)).collect();
        Self {
            display,
            normalized,
        }
    }

    /// Matches an already normalised word.
    pub(crate) fn lookup(&self, normalized: &str) -> Match {
        let mut prefix_of = 0usize;
        let mut first = 0usize;
        for (i, w) in self.normalized.iter().enumerate() {
            if w == normalized {
                return Match::Exact(i);
            }
            if w.starts_with(normalized) {
                if prefix_of == 0 {
                    first = i;
                }
                prefix_of += 1;
            }
        }
        match prefix_of {
            0 => Match::None,
            1 => Match::Prefix(first),
            n => Match::Ambiguous(n),
        }
    }
}
