//! Compare-and-enter: reading what the user typed (the other person's words or
//! digits), completing prefixes, and finding the first unit that differs.
//!
//! The check itself is `verifier_core::render::parse::compare_bip39` /
//! `render::digits::compare_digit_groups`; this module only decides which of
//! the two applies and turns the result into words for the screen.

use verifier_core::render::Bip39Language;
use verifier_core::render::digits::compare_digit_groups;
use verifier_core::render::parse::{
    CompareError, ParseError, compare_bip39, is_separator, parse_bip39,
};
use verifier_core::safety_number::SafetyNumber;

/// What the typed text is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// BIP39 words of the chosen language.
    Words,
    /// Digit groups.
    Digits,
}

impl Kind {
    /// "word" or "group".
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Words => "Word",
            Kind::Digits => "Group",
        }
    }
}

/// Digits when every non-separator character is a digit (any script), words
/// otherwise; `None` for empty input.
pub fn kind_of(typed: &str) -> Option<Kind> {
    let mut chars = typed.chars().filter(|c| !is_separator(*c)).peekable();
    chars.peek()?;
    if chars.all(|c| c.is_numeric()) {
        Some(Kind::Digits)
    } else {
        Some(Kind::Words)
    }
}

/// How one typed word completes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    /// The word it is (exact, or the one word it is a prefix of).
    Word(&'static str),
    /// The beginning of this many words: more letters are needed.
    Ambiguous(usize),
    /// In no word of the list.
    Unknown,
}

/// Each typed word with its completion, in order.
pub fn completions(typed: &str, lang: Bip39Language) -> Vec<(String, Completion)> {
    let runs = typed.split(is_separator).filter(|w| !w.is_empty());
    let tokens: Vec<String> = if lang.is_one_char_per_word() {
        runs.flat_map(|r| r.chars().map(String::from)).collect()
    } else {
        runs.map(str::to_owned).collect()
    };
    tokens
        .into_iter()
        .map(|t| {
            let c = match parse_bip39(&t, lang, 1) {
                Ok(ix) => match ix.first().and_then(|i| lang.word(*i)) {
                    Some(w) => Completion::Word(w),
                    None => Completion::Unknown,
                },
                Err(ParseError::AmbiguousPrefix { matches, .. }) => Completion::Ambiguous(matches),
                Err(_) => Completion::Unknown,
            };
            (t, c)
        })
        .collect()
}

/// The first difference found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrong {
    /// Words or digits.
    pub kind: Kind,
    /// 0-based position of the first wrong word or group.
    pub position: usize,
    /// How many units the code has.
    pub total: usize,
    /// What to tell the user.
    pub message: String,
}

/// Checks `typed` against `number` (words in `lang`, or digits).
/// `Ok(kind)` when everything matches.
pub fn check(typed: &str, lang: Bip39Language, number: &SafetyNumber) -> Result<Kind, Wrong> {
    let kind = kind_of(typed).unwrap_or(Kind::Words);
    let (result, total, expected): (Result<(), CompareError>, usize, Vec<String>) = match kind {
        Kind::Words => {
            let ix = number.bip39_indices();
            let words = number
                .bip39_words(lang)
                .into_iter()
                .map(str::to_owned)
                .collect();
            (compare_bip39(typed, lang, &ix), ix.len(), words)
        }
        Kind::Digits => {
            let groups = number.digit_groups();
            let values: Vec<u32> = groups.iter().filter_map(|g| g.parse().ok()).collect();
            (compare_digit_groups(typed, &values), values.len(), groups)
        }
    };
    let err = match result {
        Ok(()) => return Ok(kind),
        Err(e) => e,
    };
    let position = err.position();
    let n = position + 1;
    let unit = kind.unit();
    let message = match &err {
        CompareError::Mismatch { typed, .. } => {
            let shown = expected.get(position).cloned().unwrap_or_default();
            let completed = match (kind, completions(typed, lang).first()) {
                (Kind::Words, Some((_, Completion::Word(w)))) if !w.eq_ignore_ascii_case(typed) => {
                    format!(" (read as “{w}”)")
                }
                _ => String::new(),
            };
            format!(
                "{unit} {n} of {total} is different: you typed “{typed}”{completed}, your screen shows “{shown}”."
            )
        }
        CompareError::Parse(p) => format!("{unit} {n} of {total}: {p}."),
        other => format!("{unit} {n} of {total}: {other}."),
    };
    Err(Wrong {
        kind,
        position,
        total,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier_core::identity::Identity;
    use verifier_core::safety_number::Party;

    fn number() -> SafetyNumber {
        let a = Identity::from_seed(&[1; 32]).unwrap().public_key();
        let b = Identity::from_seed(&[2; 32]).unwrap().public_key();
        SafetyNumber::new(&Party::new(&a), &Party::new(&b))
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of("  "), None);
        assert_eq!(kind_of("12345 67-890"), Some(Kind::Digits));
        assert_eq!(kind_of("１２３"), Some(Kind::Digits));
        assert_eq!(kind_of("abandon 1"), Some(Kind::Words));
    }

    #[test]
    fn completes_unique_prefixes_only() {
        let c = completions("aban, ac zzzz", Bip39Language::English);
        assert_eq!(c[0], ("aban".to_owned(), Completion::Word("abandon")));
        assert!(matches!(c[1].1, Completion::Ambiguous(n) if n > 1));
        assert_eq!(c[2].1, Completion::Unknown);
    }

    #[test]
    fn full_match_in_words_and_digits() {
        let n = number();
        let words = n.bip39_words(Bip39Language::English).join(" ");
        assert_eq!(check(&words, Bip39Language::English, &n), Ok(Kind::Words));
        let prefixes: Vec<String> = n
            .bip39_words(Bip39Language::English)
            .iter()
            .map(|w| w.chars().take(4).collect())
            .collect();
        assert_eq!(
            check(&prefixes.join(" "), Bip39Language::English, &n),
            Ok(Kind::Words)
        );
        assert_eq!(
            check(&n.digits(), Bip39Language::English, &n),
            Ok(Kind::Digits)
        );
    }

    #[test]
    fn names_first_wrong_unit() {
        let n = number();
        let mut words = n.bip39_words(Bip39Language::English);
        let other = if words[6] == "zoo" { "abandon" } else { "zoo" };
        words[6] = other;
        words[10] = "zoo";
        let e = check(&words.join(" "), Bip39Language::English, &n).unwrap_err();
        assert_eq!(e.position, 6);
        assert!(
            e.message.starts_with("Word 7 of 18 is different"),
            "{}",
            e.message
        );

        let mut digits: Vec<String> = n.digit_groups();
        digits[3] = if digits[3] == "00000" {
            "11111".into()
        } else {
            "00000".into()
        };
        let e = check(&digits.join(" "), Bip39Language::English, &n).unwrap_err();
        assert_eq!((e.kind, e.position, e.total), (Kind::Digits, 3, 12));
        assert!(e.message.starts_with("Group 4 of 12"), "{}", e.message);
    }
}
