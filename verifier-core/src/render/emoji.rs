//! The Matrix SAS emoji table: 64 emoji, 6 bits each, with names in 33
//! languages.
//!
//! Embedded from `verifier-core/wordlists/sas_emoji.tsv`, derived from
//! `verifier-core/wordlists/sas_emoji.json` (matrix-spec `data-definitions/sas-emoji.json`).
//! A name missing in a language falls back to English; an unknown language
//! gives English.
//!
//! ```
//! use verifier_core::render::emoji::SasEmoji;
//!
//! let dog = SasEmoji::get(0).ok_or("no emoji 0")?;
//! assert_eq!(dog.emoji(), "🐶");
//! assert_eq!(dog.description("en"), "Dog");
//! assert_eq!(dog.description("de"), "Hund");
//! assert_eq!(dog.description("zh-hans"), "狗");
//! assert_eq!(dog.description("szl"), "Dog"); // no translation: English
//! assert!(SasEmoji::get(64).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::OnceLock;

use super::RenderError;
use super::bits;

/// Bits carried by one emoji.
pub const BITS_PER_EMOJI: u32 = 6;

/// Entries in the table (`2^6`).
pub const EMOJI_COUNT: usize = 64;

const TABLE_TSV: &str = include_str!("../../wordlists/sas_emoji.tsv");

#[derive(Debug)]
struct Row {
    emoji: &'static str,
    unicode: &'static str,
    english: &'static str,
    /// One cell per language of [`Table::languages`]; empty = missing.
    translations: Vec<&'static str>,
}

#[derive(Debug)]
struct Table {
    /// Language codes as in the source (`ar`, …, `nb_NO`, `pt_BR`, `zh_Hans`).
    languages: Vec<&'static str>,
    /// `en` followed by `languages`.
    all_codes: Vec<&'static str>,
    rows: Vec<Row>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut lines = TABLE_TSV.lines();
        // header: number, emoji, unicode, en, <languages…>
        let languages: Vec<&'static str> = lines
            .next()
            .map(|h| h.split('\t').skip(4).collect())
            .unwrap_or_default();
        let all_codes = std::iter::once("en")
            .chain(languages.iter().copied())
            .collect();
        let rows = lines
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut cells = line.split('\t').skip(1);
                Row {
                    emoji: cells.next().unwrap_or_default(),
                    unicode: cells.next().unwrap_or_default(),
                    english: cells.next().unwrap_or_default(),
                    translations: cells.collect(),
                }
            })
            .collect();
        Table {
            languages,
            all_codes,
            rows,
        }
    })
}

/// The column of the language `code` in the table, if any: exact code
/// (case-insensitive, `-` = `_`), else the base language (`pt-PT` → `pt`),
/// else the first regional variant of the base (`nb` → `nb_NO`, `zh` →
/// `zh_Hans`).
fn column(code: &str) -> Option<usize> {
    let key = code.trim().to_ascii_lowercase().replace('-', "_");
    let langs = &table().languages;
    let find = |k: &str| langs.iter().position(|l| l.eq_ignore_ascii_case(k));
    let base = key.split('_').next().unwrap_or_default();
    find(&key).or_else(|| find(base)).or_else(|| {
        langs.iter().position(|l| {
            l.split('_')
                .next()
                .is_some_and(|b| b.eq_ignore_ascii_case(base))
        })
    })
}

/// One entry of the emoji table.
#[derive(Debug, Clone, Copy)]
pub struct SasEmoji {
    index: u8,
    row: &'static Row,
}

impl PartialEq for SasEmoji {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}

impl Eq for SasEmoji {}

impl SasEmoji {
    /// The entry for `index`, or `None` if `index >= 64`.
    pub fn get(index: u8) -> Option<SasEmoji> {
        table()
            .rows
            .get(usize::from(index))
            .map(|row| SasEmoji { index, row })
    }

    /// The 6-bit index, 0..64.
    pub fn index(&self) -> u8 {
        self.index
    }

    /// The emoji itself (seven entries end in U+FE0F, the emoji
    /// presentation selector).
    pub fn emoji(&self) -> &'static str {
        self.row.emoji
    }

    /// The code points as written in the source, e.g. `U+2601U+FE0F`.
    pub fn unicode(&self) -> &'static str {
        self.row.unicode
    }

    /// The English name, e.g. `"Thumbs Up"`.
    pub fn description_en(&self) -> &'static str {
        self.row.english
    }

    /// The name in language `lang` (codes as in [`languages`]; `-`/`_`
    /// and case do not matter), or `None` if there is no translation.
    /// `en` gives the English name.
    pub fn translated_description(&self, lang: &str) -> Option<&'static str> {
        if lang.trim().eq_ignore_ascii_case("en") {
            return Some(self.row.english);
        }
        column(lang)
            .and_then(|c| self.row.translations.get(c).copied())
            .filter(|d| !d.is_empty())
    }

    /// The name in language `lang`, falling back to English when the
    /// language or this entry's translation is missing.
    pub fn description(&self, lang: &str) -> &'static str {
        self.translated_description(lang)
            .unwrap_or(self.row.english)
    }
}

/// The language codes of the table: `en` first, then the 32 translations as
/// the source spells them (`ar`, `bg`, …, `nb_NO`, `pt_BR`, `zh_Hans`, …).
pub fn languages() -> &'static [&'static str] {
    &table().all_codes
}

/// The entries for `indices`; errors on the first index ≥ 64.
pub fn emoji_from_indices(indices: &[u16]) -> Result<Vec<SasEmoji>, RenderError> {
    indices
        .iter()
        .enumerate()
        .map(|(position, &index)| {
            u8::try_from(index)
                .ok()
                .and_then(SasEmoji::get)
                .ok_or(RenderError::IndexOutOfRange {
                    position,
                    index,
                    limit: EMOJI_COUNT as u32,
                })
        })
        .collect()
}

/// The first `count` emoji (6 bits each, big-endian) of `bytes`.
pub fn emoji_from_bytes(bytes: &[u8], count: usize) -> Result<Vec<SasEmoji>, RenderError> {
    let indices = bits::bytes_to_indices(bytes, BITS_PER_EMOJI, count)?;
    emoji_from_indices(&indices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        assert_eq!(table().rows.len(), EMOJI_COUNT);
        assert_eq!(languages().len(), 33);
        for row in &table().rows {
            assert_eq!(row.translations.len(), 32);
            assert!(!row.emoji.is_empty() && !row.english.is_empty());
        }
    }

    #[test]
    fn fallbacks() {
        let e = SasEmoji::get(1).unwrap();
        assert_eq!(e.description("pt-BR"), "Gato");
        assert_eq!(e.description("NB"), "Katt");
        assert_eq!(e.description("xx"), "Cat");
        assert_eq!(e.translated_description("xx"), None);
        assert_eq!(e.translated_description("szl"), None);
        assert_eq!(e.description("fr-CA"), "Chat");
        let thumbs = SasEmoji::get(36).unwrap();
        assert_eq!(thumbs.description_en(), "Thumbs Up");
        assert_eq!(SasEmoji::get(21).unwrap().emoji(), "\u{2601}\u{FE0F}");
        assert_eq!(
            emoji_from_indices(&[0, 64]),
            Err(RenderError::IndexOutOfRange {
                position: 1,
                index: 64,
                limit: 64
            })
        );
    }
}
