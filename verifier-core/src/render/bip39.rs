//! The ten BIP39 word lists: 2048 words each, 11 bits per word.
//!
//! The lists are embedded from `verifier-core/wordlists/bip39/` (byte-identical to
//! bitcoin/bips `bip-0039/`). A rendering maps an index to a word; the same
//! index gives the word at the same line in every language, so switching the
//! language changes the spelling, never the value. Words are returned in
//! Unicode NFC (the files are NFKD, as upstream), which displays well.
//!
//! ```
//! use verifier_core::render::{Bip39Language, bip39};
//!
//! let en = bip39::words_from_indices(&[0, 2047], Bip39Language::English)?;
//! assert_eq!(en, ["abandon", "zoo"]);
//! let es = bip39::words_from_indices(&[0, 2047], Bip39Language::Spanish)?;
//! assert_eq!(es, ["ábaco", "zurdo"]);
//! assert_eq!("zh-hans".parse::<Bip39Language>(), Ok(Bip39Language::ChineseSimplified));
//! # Ok::<(), verifier_core::render::RenderError>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::RenderError;
use super::bits;
use super::lexicon::Lexicon;

/// Bits carried by one BIP39 word.
pub const BITS_PER_WORD: u32 = 11;

/// Words in every BIP39 list (`2^11`).
pub const WORDS_PER_LIST: usize = 2048;

/// One of the ten BIP39 languages (the default is English).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Bip39Language {
    /// English (`en`).
    #[default]
    English,
    /// Spanish (`es`).
    Spanish,
    /// French (`fr`).
    French,
    /// Italian (`it`).
    Italian,
    /// Portuguese (`pt`).
    Portuguese,
    /// Czech (`cs`).
    Czech,
    /// Japanese (`ja`); words are joined with the ideographic space U+3000.
    Japanese,
    /// Korean (`ko`).
    Korean,
    /// Chinese, simplified characters (`zh-hans`); one character per word.
    ChineseSimplified,
    /// Chinese, traditional characters (`zh-hant`); one character per word.
    ChineseTraditional,
}

/// The `ALL` order is the order of the embedded files below.
const FILES: [&str; 10] = [
    include_str!("../../wordlists/bip39/english.txt"),
    include_str!("../../wordlists/bip39/spanish.txt"),
    include_str!("../../wordlists/bip39/french.txt"),
    include_str!("../../wordlists/bip39/italian.txt"),
    include_str!("../../wordlists/bip39/portuguese.txt"),
    include_str!("../../wordlists/bip39/czech.txt"),
    include_str!("../../wordlists/bip39/japanese.txt"),
    include_str!("../../wordlists/bip39/korean.txt"),
    include_str!("../../wordlists/bip39/chinese_simplified.txt"),
    include_str!("../../wordlists/bip39/chinese_traditional.txt"),
];

static LEXICONS: [OnceLock<Lexicon>; 10] = [const { OnceLock::new() }; 10];

/// The parsed list of a language, built on first use.
pub(crate) fn lexicon(lang: Bip39Language) -> &'static Lexicon {
    let i = lang.slot();
    let text = FILES.get(i).copied().unwrap_or_default();
    match LEXICONS.get(i) {
        Some(cell) => cell.get_or_init(|| Lexicon::from_lines(text)),
        None => empty_lexicon(),
    }
}

fn empty_lexicon() -> &'static Lexicon {
    static EMPTY: OnceLock<Lexicon> = OnceLock::new();
    EMPTY.get_or_init(|| Lexicon::from_lines(""))
}

impl Bip39Language {
    /// All ten languages, in a stable order.
    pub const ALL: [Bip39Language; 10] = [
        Self::English,
        Self::Spanish,
        Self::French,
        Self::Italian,
        Self::Portuguese,
        Self::Czech,
        Self::Japanese,
        Self::Korean,
        Self::ChineseSimplified,
        Self::ChineseTraditional,
    ];

    /// All ten languages, in a stable order (the same as [`Self::ALL`]).
    pub fn all() -> &'static [Bip39Language] {
        &Self::ALL
    }

    fn slot(self) -> usize {
        match self {
            Self::English => 0,
            Self::Spanish => 1,
            Self::French => 2,
            Self::Italian => 3,
            Self::Portuguese => 4,
            Self::Czech => 5,
            Self::Japanese => 6,
            Self::Korean => 7,
            Self::ChineseSimplified => 8,
            Self::ChineseTraditional => 9,
        }
    }

    /// The stable code: `en`, `es`, `fr`, `it`, `pt`, `cs`, `ja`, `ko`,
    /// `zh-hans`, `zh-hant`. [`FromStr`] accepts it back.
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
            Self::French => "fr",
            Self::Italian => "it",
            Self::Portuguese => "pt",
            Self::Czech => "cs",
            Self::Japanese => "ja",
            Self::Korean => "ko",
            Self::ChineseSimplified => "zh-hans",
            Self::ChineseTraditional => "zh-hant",
        }
    }

    /// The English name of the language, e.g. `"Chinese (Simplified)"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::Spanish => "Spanish",
            Self::French => "French",
            Self::Italian => "Italian",
            Self::Portuguese => "Portuguese",
            Self::Czech => "Czech",
            Self::Japanese => "Japanese",
            Self::Korean => "Korean",
            Self::ChineseSimplified => "Chinese (Simplified)",
            Self::ChineseTraditional => "Chinese (Traditional)",
        }
    }

    /// The name of the language in itself, e.g. `"Español"`, `"日本語"`.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::Spanish => "Español",
            Self::French => "Français",
            Self::Italian => "Italiano",
            Self::Portuguese => "Português",
            Self::Czech => "Čeština",
            Self::Japanese => "日本語",
            Self::Korean => "한국어",
            Self::ChineseSimplified => "简体中文",
            Self::ChineseTraditional => "繁體中文",
        }
    }

    /// The file name of the list under `verifier-core/wordlists/bip39/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::English => "english.txt",
            Self::Spanish => "spanish.txt",
            Self::French => "french.txt",
            Self::Italian => "italian.txt",
            Self::Portuguese => "portuguese.txt",
            Self::Czech => "czech.txt",
            Self::Japanese => "japanese.txt",
            Self::Korean => "korean.txt",
            Self::ChineseSimplified => "chinese_simplified.txt",
            Self::ChineseTraditional => "chinese_traditional.txt",
        }
    }

    /// The separator to join words with: the ideographic space U+3000 for
    /// Japanese (as BIP39 specifies), a space otherwise.
    pub fn separator(self) -> &'static str {
        match self {
            Self::Japanese => "\u{3000}",
            _ => " ",
        }
    }

    /// True for the Chinese lists, whose words are single characters; the
    /// parser then also accepts the characters without separators.
    pub fn is_one_char_per_word(self) -> bool {
        matches!(self, Self::ChineseSimplified | Self::ChineseTraditional)
    }

    /// The word for `index` (in NFC), or `None` if `index >= 2048`.
    pub fn word(self, index: u16) -> Option<&'static str> {
        lexicon(self)
            .display
            .get(usize::from(index))
            .map(String::as_str)
    }

    /// All 2048 words in index order (in NFC).
    pub fn words(self) -> impl ExactSizeIterator<Item = &'static str> + Clone {
        lexicon(self).display.iter().map(String::as_str)
    }

    /// Joins rendered words with [`Self::separator`].
    pub fn join(self, words: &[&str]) -> String {
        words.join(self.separator())
    }
}

impl fmt::Display for Bip39Language {
    /// Writes the stable code, e.g. `zh-hans`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text is not a BIP39 language code or name.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown word-list language {given:?}; use one of en, es, fr, it, pt, cs, ja, ko, zh-hans, zh-hant"
)]
pub struct UnknownLanguage {
    /// The text that was given.
    pub given: String,
}

impl UnknownLanguage {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        2301
    }
}

impl FromStr for Bip39Language {
    type Err = UnknownLanguage;

    /// Accepts the code (`en`, `zh-hans`, …) or the English name
    /// (`english`, `chinese-simplified`, …), case-insensitive, with `_` and
    /// `-` interchangeable; `zh-cn`/`zh-tw` and `zh`(= simplified) too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let lang = match key.as_str() {
            "en" | "english" => Self::English,
            "es" | "spanish" => Self::Spanish,
            "fr" | "french" => Self::French,
            "it" | "italian" => Self::Italian,
            "pt" | "portuguese" => Self::Portuguese,
            "cs" | "czech" => Self::Czech,
            "ja" | "japanese" => Self::Japanese,
            "ko" | "korean" => Self::Korean,
            "zh" | "zh-hans" | "zh-cn" | "chinese-simplified" => Self::ChineseSimplified,
            "zh-hant" | "zh-tw" | "chinese-traditional" => Self::ChineseTraditional,
            _ => {
                return Err(UnknownLanguage {
                    given: s.to_owned(),
                });
            }
        };
        Ok(lang)
    }
}

/// The words for `indices` in `lang`; errors on the first index ≥ 2048.
pub fn words_from_indices(
    indices: &[u16],
    lang: Bip39Language,
) -> Result<Vec<&'static str>, RenderError> {
    indices
        .iter()
        .enumerate()
        .map(|(position, &index)| {
            lang.word(index).ok_or(RenderError::IndexOutOfRange {
                position,
                index,
                limit: WORDS_PER_LIST as u32,
            })
        })
        .collect()
}

/// The first `count` words (11 bits each, big-endian) of `bytes` in `lang`.
pub fn words_from_bytes(
    bytes: &[u8],
    count: usize,
    lang: Bip39Language,
) -> Result<Vec<&'static str>, RenderError> {
    let indices = bits::bytes_to_indices(bytes, BITS_PER_WORD, count)?;
    words_from_indices(&indices, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for lang in Bip39Language::all() {
            assert_eq!(lang.code().parse::<Bip39Language>(), Ok(*lang));
            assert_eq!(lang.to_string().parse::<Bip39Language>(), Ok(*lang));
            assert_eq!(
                lang.name()
                    .replace(" (", "-")
                    .replace(')', "")
                    .parse::<Bip39Language>(),
                Ok(*lang)
            );
            assert_eq!(lang.words().len(), WORDS_PER_LIST);
        }
        assert_eq!("ZH_Hant".parse(), Ok(Bip39Language::ChineseTraditional));
        assert!("klingon".parse::<Bip39Language>().is_err());
        let codes: std::collections::BTreeSet<_> =
            Bip39Language::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes.len(), 10);
    }

    #[test]
    fn known_words() {
        assert_eq!(Bip39Language::English.word(0), Some("abandon"));
        assert_eq!(Bip39Language::English.word(2047), Some("zoo"));
        assert_eq!(Bip39Language::English.word(2048), None);
        assert_eq!(Bip39Language::Japanese.word(0), Some("あいこくしん"));
        assert_eq!(Bip39Language::ChineseSimplified.word(0), Some("的"));
        assert_eq!(Bip39Language::French.word(0), Some("abaisser"));
        assert_eq!(
            words_from_indices(&[1, 5000], Bip39Language::Czech),
            Err(RenderError::IndexOutOfRange {
                position: 1,
                index: 5000,
                limit: 2048
            })
        );
    }

    #[test]
    fn words_are_nfc() {
        use unicode_normalization::UnicodeNormalization;
        for lang in Bip39Language::all() {
            for w in lang.words() {
                assert_eq!(w.nfc().collect::<String>(), w);
            }
        }
        // "ábaco" is one precomposed character first
        assert_eq!(
            Bip39Language::Spanish.word(0).map(|w| w.chars().count()),
            Some(5)
        );
    }
}
