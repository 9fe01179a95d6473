//! Property tests over all renderings: bytes → rendering → typed text (with
//! random case, accent stripping, prefixes and separators) → parse → bytes,
//! and the first-wrong-position guarantee when one unit is altered.

use proptest::prelude::*;

use super::parse::{self, normalize_word};
use super::{Bip39Language, CompareError, ParseError, PgpParity, bip39, bits, digits, emoji, pgp};

/// A tiny deterministic generator for the per-word choices of one case.
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

const SEPARATORS: [&str; 9] = [" ", "  ", ", ", "-", "\n", "\u{3000}", "\t", " - ", "、"];

/// How a person might type `word`: maybe without accents, maybe only a
/// prefix that still identifies it (checked with `resolves`), in random case.
fn typed_word(word: &str, c: &mut Choices, resolves: impl Fn(&str) -> bool) -> String {
    let base: String = if c.coin() {
        normalize_word(word)
    } else {
        word.to_owned()
    };
    let chars: Vec<char> = base.chars().collect();
    let mut k = 1 + c.below(chars.len());
    let mut t: String = chars.iter().take(k).collect();
    while !resolves(&t) && k < chars.len() {
        k += 1;
        t = chars.iter().take(k).collect();
    }
    t.chars()
        .map(|ch| {
            if c.coin() {
                ch.to_uppercase().collect::<String>()
            } else {
                ch.to_lowercase().collect::<String>()
            }
        })
        .collect()
}

fn join(words: &[String], c: &mut Choices, allow_none: bool) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !(allow_none && c.coin()) {
            out.push_str(SEPARATORS[c.below(SEPARATORS.len())]);
        }
        out.push_str(w);
    }
    if c.coin() {
        out.insert_str(0, " \n");
    }
    out
}

fn language() -> impl Strategy<Value = Bip39Language> {
    proptest::sample::select(Bip39Language::ALL.to_vec())
}

fn bip39_typed(lang: Bip39Language, indices: &[u16], c: &mut Choices) -> String {
    let words: Vec<String> = indices
        .iter()
        .map(|&i| {
            let w = lang.word(i).unwrap();
            typed_word(w, c, |t| parse::parse_bip39(t, lang, 1) == Ok(vec![i]))
        })
        .collect();
    join(&words, c, lang.is_one_char_per_word())
}

fn pgp_typed(bytes: &[u8], c: &mut Choices) -> String {
    let words: Vec<String> = bytes
        .iter()
        .enumerate()
        .map(|(p, &b)| {
            let w = pgp::word_at(b, p);
            // resolve the prefix at a position of the same parity
            let check = |t: &str| {
                let pad = if p % 2 == 1 { "aardvark " } else { "" };
                parse::parse_pgp(&format!("{pad}{t}"), 1 + p % 2)
                    .map(|v| v.last().copied() == Some(b))
                    .unwrap_or(false)
            };
            typed_word(w, c, check)
        })
        .collect();
    join(&words, c, false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn bip39_round_trip_in_every_language(
        lang in language(),
        bytes in proptest::collection::vec(any::<u8>(), 0..34),
        seed in any::<u64>(),
    ) {
        let mut c = Choices(seed | 1);
        let count = bytes.len() * 8 / 11;
        let words = bip39::words_from_bytes(&bytes, count, lang).unwrap();
        let indices = bits::bytes_to_indices(&bytes, 11, count).unwrap();
        // the same indices in every language
        for other in Bip39Language::ALL {
            let w = bip39::words_from_bytes(&bytes, count, other).unwrap();
            prop_assert_eq!(parse::parse_bip39(&other.join(&w), other, count).unwrap(), indices.clone());
        }
        let typed = bip39_typed(lang, &indices, &mut c);
        let parsed = parse::parse_bip39(&typed, lang, count);
        prop_assert_eq!(parsed.as_ref(), Ok(&indices), "typed {:?} words {:?}", typed, words);
        prop_assert_eq!(parse::compare_bip39(&typed, lang, &indices), Ok(()));
        let back = bits::indices_to_bytes(&indices, 11).unwrap();
        let full = count * 11 / 8;
        prop_assert_eq!(&back[..full], &bytes[..full]);
    }

    #[test]
    fn bip39_first_wrong_position_is_named(
        lang in language(),
        raw in proptest::collection::vec(0u16..2048, 1..16),
        at in any::<proptest::sample::Index>(),
        delta in 1u16..2048,
        seed in any::<u64>(),
    ) {
        let mut c = Choices(seed | 1);
        let p = at.index(raw.len());
        let mut altered = raw.clone();
        altered[p] = (raw[p] + delta) % 2048;
        let typed = bip39_typed(lang, &altered, &mut c);
        prop_assert_eq!(parse::parse_bip39(&typed, lang, raw.len()), Ok(altered.clone()));
        let e = parse::compare_bip39(&typed, lang, &raw).unwrap_err();
        prop_assert!(matches!(e, CompareError::Mismatch { .. }), "{:?}", e);
        prop_assert_eq!(e.position(), p);
        // a word that is in no list, at position p
        let mut words: Vec<String> = raw.iter().map(|&i| lang.word(i).unwrap().to_owned()).collect();
        words[p] = "qqxqq".into();
        let e = parse::parse_bip39(&words.join(" "), lang, raw.len()).unwrap_err();
        prop_assert!(matches!(e, ParseError::UnknownWord { position, .. } if position == p), "{:?}", e);
        // a dropped word: the count is short (or a later word mismatches first)
        words.remove(p);
        let e = parse::parse_bip39(&words.join(" "), lang, raw.len()).unwrap_err();
        prop_assert_eq!(e, ParseError::TooFewWords { position: raw.len() - 1, expected: raw.len(), found: raw.len() - 1 });
    }

    #[test]
    fn pgp_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..40), seed in any::<u64>()) {
        let mut c = Choices(seed | 1);
        let typed = pgp_typed(&bytes, &mut c);
        prop_assert_eq!(parse::parse_pgp(&typed, bytes.len()), Ok(bytes.clone()), "typed {:?}", typed);
        prop_assert_eq!(parse::compare_pgp(&typed, &bytes), Ok(()));
    }

    #[test]
    fn pgp_first_wrong_position_is_named(
        bytes in proptest::collection::vec(any::<u8>(), 2..30),
        at in any::<proptest::sample::Index>(),
        delta in 1u8..=255,
    ) {
        let n = bytes.len();
        let p = at.index(n - 1); // p + 1 exists
        let words = |b: &[u8]| pgp::words_from_bytes(b).join(" ");
        // a changed byte
        let mut altered = bytes.clone();
        altered[p] = bytes[p].wrapping_add(delta);
        let e = parse::compare_pgp(&words(&altered), &bytes).unwrap_err();
        prop_assert!(matches!(e, CompareError::Mismatch { position, .. } if position == p), "{:?}", e);
        // two neighbours swapped: word p is from the wrong list
        let mut list = pgp::words_from_bytes(&bytes);
        list.swap(p, p + 1);
        let e = parse::parse_pgp(&list.join(" "), n).unwrap_err();
        let expected = PgpParity::of_position(p);
        prop_assert!(matches!(e, ParseError::WrongParity { position, expected: x, .. } if position == p && x == expected), "{:?}", e);
        // a dropped word: the next word lands on the wrong list
        let mut list = pgp::words_from_bytes(&bytes);
        list.remove(p);
        let e = parse::parse_pgp(&list.join(" "), n).unwrap_err();
        prop_assert!(matches!(e, ParseError::WrongParity { position, .. } if position == p), "{:?}", e);
        // a repeated word
        let mut list = pgp::words_from_bytes(&bytes);
        list.insert(p, list[p]);
        let e = parse::parse_pgp(&list.join(" "), n).unwrap_err();
        prop_assert!(matches!(e, ParseError::WrongParity { position, .. } if position == p + 1), "{:?}", e);
        // the last word dropped
        let list = pgp::words_from_bytes(&bytes[..n - 1]);
        prop_assert_eq!(
            parse::parse_pgp(&list.join(" "), n),
            Err(ParseError::TooFewWords { position: n - 1, expected: n, found: n - 1 })
        );
    }

    #[test]
    fn digits_round_trip_and_first_wrong_group(
        bytes in proptest::collection::vec(any::<u8>(), 5..61),
        seed in any::<u64>(),
        at in any::<proptest::sample::Index>(),
        delta in 1u32..100_000,
    ) {
        let mut c = Choices(seed | 1);
        let groups = bytes.len() / 5;
        let values = digits::digit_group_values(&bytes, groups).unwrap();
        let text = digits::digit_groups(&bytes, groups).unwrap();
        prop_assert!(text.iter().all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit())));
        // any spacing: separators at random places between digits
        let mut typed = String::new();
        for ch in text.concat().chars() {
            if c.below(4) == 0 {
                typed.push_str(SEPARATORS[c.below(SEPARATORS.len())]);
            }
            typed.push(ch);
        }
        prop_assert_eq!(digits::parse_digit_groups(&typed, groups), Ok(values.clone()));
        prop_assert_eq!(digits::compare_digit_groups(&typed, &values), Ok(()));
        let g = at.index(groups);
        let mut altered = values.clone();
        altered[g] = (values[g] + delta) % 100_000;
        let alt: Vec<String> = altered.iter().map(|&v| digits::format_group(v)).collect();
        let e = digits::compare_digit_groups(&alt.join(" "), &values).unwrap_err();
        prop_assert!(matches!(e, CompareError::Mismatch { position, .. } if position == g), "{:?}", e);
        let mut bad = text.clone();
        bad[g].replace_range(2..3, "o");
        prop_assert_eq!(
            digits::parse_digit_groups(&bad.join(" "), groups),
            Err(ParseError::InvalidDigit { position: g, character: 'o' })
        );
    }

    #[test]
    fn emoji_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..24), lang in proptest::sample::select(emoji::languages().to_vec())) {
        let count = bytes.len() * 8 / 6;
        let shown = emoji::emoji_from_bytes(&bytes, count).unwrap();
        let indices: Vec<u16> = shown.iter().map(|e| u16::from(e.index())).collect();
        prop_assert_eq!(&indices, &bits::bytes_to_indices(&bytes, 6, count).unwrap());
        let back = bits::indices_to_bytes(&indices, 6).unwrap();
        let full = count * 6 / 8;
        prop_assert_eq!(&back[..full], &bytes[..full]);
        for e in shown {
            prop_assert!(!e.description(lang).is_empty());
            prop_assert!(!e.emoji().is_empty());
        }
    }
}
