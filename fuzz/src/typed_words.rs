//! `typed_words`: what a person types back: BIP39 words in the ten languages
//! (`parse::parse_bip39`, `compare_bip39`), PGP words (`parse_pgp`, `compare_pgp`) and
//! digit groups (`digits::parse_digit_groups`, `compare_digit_groups`). Emoji are never
//! typed back (there is no emoji parser): their rendering's index round trip is checked.
//!
//! Input layout: byte 0 picks the language, byte 1 the word/group count (0..=24), the
//! rest is the typed text (and, for the rendering checks, the bytes to render).

use verifier_core::render::parse::{compare_bip39, compare_pgp, parse_bip39, parse_pgp};
use verifier_core::render::{
    Bip39Language, CompareError, ParseError, bip39, bits, digits, emoji, pgp,
};

/// A failed parse fails the comparison with any expected value too: with the same
/// error, or with a mismatch at an earlier position.
fn compare_fails_too(parse: &ParseError, compare: Result<(), CompareError>) {
    match compare {
        Err(CompareError::Parse(e)) => assert_eq!(&e, parse),
        Err(CompareError::Mismatch { position, .. }) => assert!(position < parse.position()),
        Err(e) => assert!(e.position() <= parse.position(), "{e:?} after {parse:?}"),
        Ok(()) => panic!("compare accepted what parse refused: {parse:?}"),
    }
}

/// What parses has the expected count of in-range values, its rendering parses back to
/// the same values, the comparison with those values succeeds and with one value
/// changed fails at exactly that position; what fails to parse fails to compare. Bytes
/// rendered as words, digit groups and emoji come back as the same bytes or values.
pub fn check(data: &[u8]) -> bool {
    let langs = Bip39Language::all();
    let lang = langs[usize::from(data.first().copied().unwrap_or(0)) % langs.len()];
    let count = usize::from(data.get(1).copied().unwrap_or(0) % 25);
    let rest = data.get(2..).unwrap_or_default();
    let typed = super::text_of(rest);
    let mut accepted = false;

    // BIP39 words.
    match parse_bip39(&typed, lang, count) {
        Ok(ix) => {
            accepted = true;
            assert_eq!(ix.len(), count);
            let words = bip39::words_from_indices(&ix, lang);
            let rendered = words.map(|w| lang.join(&w));
            assert_eq!(
                rendered.as_ref().map(|r| parse_bip39(r, lang, count)),
                Ok(Ok(ix.clone()))
            );
            assert_eq!(compare_bip39(&typed, lang, &ix), Ok(()));
            if let Some(p) = ix.len().checked_sub(1) {
                let mut other = ix.clone();
                other[p] = (other[p] + 1) % 2048;
                let got = compare_bip39(&typed, lang, &other);
                assert!(
                    matches!(got, Err(CompareError::Mismatch { position, .. }) if position == p)
                );
            }
        }
        Err(e) => compare_fails_too(&e, compare_bip39(&typed, lang, &vec![0; count])),
    }

    // PGP words.
    match parse_pgp(&typed, count) {
        Ok(bytes) => {
            accepted = true;
            assert_eq!(bytes.len(), count);
            let rendered = pgp::words_from_bytes(&bytes).join(" ");
            assert_eq!(parse_pgp(&rendered, count), Ok(bytes.clone()));
            assert_eq!(compare_pgp(&typed, &bytes), Ok(()));
            if let Some(p) = bytes.len().checked_sub(1) {
                let mut other = bytes.clone();
                other[p] = other[p].wrapping_add(1);
                let got = compare_pgp(&typed, &other);
                assert!(
                    matches!(got, Err(CompareError::Mismatch { position, .. }) if position == p)
                );
            }
        }
        Err(e) => compare_fails_too(&e, compare_pgp(&typed, &vec![0; count])),
    }

    // Digit groups.
    match digits::parse_digit_groups(&typed, count) {
        Ok(values) => {
            accepted = true;
            assert_eq!(values.len(), count);
            assert!(values.iter().all(|&v| u64::from(v) < digits::GROUP_MODULUS));
            let rendered: Vec<String> = values.iter().map(|&v| digits::format_group(v)).collect();
            assert_eq!(
                digits::parse_digit_groups(&rendered.join(" "), count),
                Ok(values.clone())
            );
            assert_eq!(
                digits::parse_digit_groups(&rendered.concat(), count),
                Ok(values.clone())
            );
            assert_eq!(digits::compare_digit_groups(&typed, &values), Ok(()));
        }
        Err(e) => compare_fails_too(&e, digits::compare_digit_groups(&typed, &vec![0; count])),
    }

    // Rendering of the bytes: words, PGP words, digit groups and emoji come back.
    if let Ok(ix) = bits::bytes_to_indices(rest, 11, count) {
        let words = bip39::words_from_bytes(rest, count, lang);
        let rendered = words.map(|w| lang.join(&w));
        assert_eq!(
            rendered.map(|r| parse_bip39(&r, lang, count)),
            Ok(Ok(ix.clone()))
        );
        let packed = bits::indices_to_bytes(&ix, 11);
        assert_eq!(
            packed.map(|p| bits::bytes_to_indices(&p, 11, count)),
            Ok(Ok(ix))
        );
    }
    // PGP words of (at most) the first 64 bytes: each word is a lookup in a 256-word list.
    let shown = rest.get(..64).unwrap_or(rest);
    let pgp_rendered = pgp::words_from_bytes(shown).join("  ");
    assert_eq!(parse_pgp(&pgp_rendered, shown.len()), Ok(shown.to_vec()));
    if let Ok(values) = digits::digit_group_values(rest, count) {
        let rendered = digits::digit_groups(rest, count).map(|g| g.join("-"));
        assert_eq!(
            rendered.map(|r| digits::parse_digit_groups(&r, count)),
            Ok(Ok(values))
        );
    }
    if let Ok(ix) = bits::bytes_to_indices(rest, 6, count) {
        let shown = emoji::emoji_from_bytes(rest, count);
        let back: Result<Vec<u16>, _> =
            shown.map(|e| e.iter().map(|e| u16::from(e.index())).collect());
        assert_eq!(back, Ok(ix));
    }
    accepted
}
