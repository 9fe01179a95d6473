//! Contact names: two contacts must not look identical on screen. Each test is
//! named after the attack it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use verifier_core::contact_name::{
    ContactName, MAX_NAME_BYTES, MAX_NONSPACING_MARKS, NameError, find_lookalike,
};

fn parse(s: &str) -> ContactName {
    ContactName::parse(s).unwrap_or_else(|e| panic!("{s:?} refused: {e}"))
}

fn refused(s: &str) -> NameError {
    match ContactName::parse(s) {
        Ok(n) => panic!("{s:?} accepted as {n:?}"),
        Err(e) => e,
    }
}

fn hex(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

// ---------------------------------------------------------------- invisible

#[test]
fn zero_width_space_lookalike_refused() {
    let err = refused("gr\u{200b}ace");
    assert_eq!(
        err,
        NameError::InvisibleCharacter {
            position: 3,
            codepoint: '\u{200b}'
        }
    );
    assert_eq!(err.kind(), "invisible_character");
    let msg = err.to_string();
    assert!(
        msg.contains("U+200B ZERO WIDTH SPACE at character 3"),
        "{msg}"
    );
    assert!(msg.contains("remove it"), "{msg}");
}

#[test]
fn invisible_character_lookalikes_refused() {
    let named = [
        ('\u{ad}', "SOFT HYPHEN"),
        ('\u{200b}', "ZERO WIDTH SPACE"),
        ('\u{200c}', "ZERO WIDTH NON-JOINER"),
        ('\u{200d}', "ZERO WIDTH JOINER"),
        ('\u{2060}', "WORD JOINER"),
        ('\u{feff}', "ZERO WIDTH NO-BREAK SPACE (byte order mark)"),
        ('\u{34f}', "COMBINING GRAPHEME JOINER"),
        ('\u{3164}', "HANGUL FILLER"),
        ('\u{ffa0}', "HALFWIDTH HANGUL FILLER"),
        ('\u{115f}', "HANGUL CHOSEONG FILLER"),
        ('\u{1160}', "HANGUL JUNGSEONG FILLER"),
        ('\u{180e}', "MONGOLIAN VOWEL SEPARATOR"),
        ('\u{2800}', "BRAILLE PATTERN BLANK"),
    ];
    for (c, name) in named {
        let err = refused(&format!("ab{c}cd"));
        assert_eq!(
            err,
            NameError::InvisibleCharacter {
                position: 3,
                codepoint: c
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{} {name} at character 3", hex(c))),
            "{msg}"
        );
    }
}

#[test]
fn default_ignorable_code_points_refused() {
    // The Default_Ignorable_Code_Point examples of the contact-name rules,
    // and everything in the ranges given.
    let ranges = [
        ('\u{ad}', '\u{ad}'),
        ('\u{34f}', '\u{34f}'),
        ('\u{115f}', '\u{1160}'),
        ('\u{17b4}', '\u{17b5}'),
        ('\u{180b}', '\u{180f}'),
        ('\u{200b}', '\u{200f}'),
        ('\u{2060}', '\u{206f}'),
        ('\u{3164}', '\u{3164}'),
        ('\u{fe00}', '\u{fe0f}'),
        ('\u{feff}', '\u{feff}'),
        ('\u{ffa0}', '\u{ffa0}'),
        ('\u{1bca0}', '\u{1bca3}'),
        ('\u{1d173}', '\u{1d17a}'),
        ('\u{e0000}', '\u{e0fff}'),
    ];
    for (lo, hi) in ranges {
        for c in lo..=hi {
            let err = refused(&format!("ab{c}cd"));
            assert!(
                matches!(err.kind(), "invisible_character" | "bidi_control"),
                "{}: {err}",
                hex(c)
            );
            assert_eq!(err.position(), Some(3));
            assert_eq!(err.codepoint(), Some(c));
        }
    }
}

#[test]
fn tag_characters_refused_even_in_flag_sequences() {
    // England's flag: U+1F3F4 then tag characters spelling "gbeng", then
    // CANCEL TAG. Tag characters are invisible and could carry any text.
    let err = refused("\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f} fan");
    assert_eq!(err.kind(), "invisible_character");
    assert_eq!(err.position(), Some(2));
}

// --------------------------------------------------------------------- bidi

#[test]
fn rtl_override_lookalike_refused() {
    // Stored "ecar<RLO>g", displayed "ecarg" reversed after the override.
    let err = refused("ecar\u{202e}g");
    assert_eq!(
        err,
        NameError::BidiControl {
            position: 5,
            codepoint: '\u{202e}'
        }
    );
    assert_eq!(err.kind(), "bidi_control");
    let msg = err.to_string();
    assert!(
        msg.contains("U+202E RIGHT-TO-LEFT OVERRIDE at character 5"),
        "{msg}"
    );
    assert!(
        msg.contains("display in a different order than it is stored"),
        "{msg}"
    );
}

#[test]
fn every_bidi_control_refused() {
    let controls = [
        ('\u{61c}', "ARABIC LETTER MARK"),
        ('\u{200e}', "LEFT-TO-RIGHT MARK"),
        ('\u{200f}', "RIGHT-TO-LEFT MARK"),
        ('\u{202a}', "LEFT-TO-RIGHT EMBEDDING"),
        ('\u{202b}', "RIGHT-TO-LEFT EMBEDDING"),
        ('\u{202c}', "POP DIRECTIONAL FORMATTING"),
        ('\u{202d}', "LEFT-TO-RIGHT OVERRIDE"),
        ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
        ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
        ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
        ('\u{2068}', "FIRST STRONG ISOLATE"),
        ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
    ];
    for (c, name) in controls {
        for (input, position) in [
            (format!("{c}alice"), 1),
            (format!("ali{c}ce"), 4),
            (format!("alice{c}"), 6),
        ] {
            let err = refused(&input);
            assert_eq!(
                err,
                NameError::BidiControl {
                    position,
                    codepoint: c
                },
                "{input:?}"
            );
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("{} {name} at character {position}", hex(c))),
                "{msg}"
            );
        }
    }
}

// --------------------------------------------------------------- whitespace

#[test]
fn trailing_space_refused() {
    let err = refused("bob ");
    assert_eq!(
        err,
        NameError::SurroundingWhitespace {
            position: 4,
            codepoint: ' '
        }
    );
    assert_eq!(err.kind(), "surrounding_whitespace");
    let msg = err.to_string();
    assert!(msg.contains("ends with whitespace"), "{msg}");
    assert!(msg.contains("U+0020 SPACE at character 4"), "{msg}");
}

#[test]
fn leading_space_refused() {
    let err = refused(" bob");
    assert_eq!(
        err,
        NameError::SurroundingWhitespace {
            position: 1,
            codepoint: ' '
        }
    );
    assert!(err.to_string().contains("starts with whitespace"));
}

#[test]
fn surrounding_whitespace_of_any_kind_refused() {
    for c in [
        '\t', '\n', '\r', '\u{a0}', '\u{2003}', '\u{3000}', '\u{2028}',
    ] {
        assert_eq!(
            refused(&format!("bob{c}")).kind(),
            "surrounding_whitespace",
            "{}",
            hex(c)
        );
        assert_eq!(
            refused(&format!("{c}bob")).kind(),
            "surrounding_whitespace",
            "{}",
            hex(c)
        );
    }
    assert_eq!(refused(" ").kind(), "surrounding_whitespace");
}

#[test]
fn double_space_lookalike_refused() {
    let err = refused("Bob  Smith");
    assert_eq!(err, NameError::RepeatedSpace { position: 5 });
    assert_eq!(err.kind(), "repeated_space");
    assert!(
        err.to_string()
            .contains("two spaces in a row at character 5")
    );
}

#[test]
fn nbsp_lookalike_refused() {
    let err = refused("Bob\u{a0}Smith");
    assert_eq!(
        err,
        NameError::UnusualWhitespace {
            position: 4,
            codepoint: '\u{a0}'
        }
    );
    assert_eq!(err.kind(), "unusual_whitespace");
    let msg = err.to_string();
    assert!(
        msg.contains("U+00A0 NO-BREAK SPACE at character 4"),
        "{msg}"
    );
    assert!(msg.contains("plain space (U+0020)"), "{msg}");
}

#[test]
fn unusual_space_lookalikes_refused() {
    let spaces = [
        '\u{1680}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
        '\u{2008}', '\u{2009}', '\u{200a}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{2028}',
        '\u{2029}',
    ];
    for c in spaces {
        assert_eq!(
            refused(&format!("Bob{c}Smith")),
            NameError::UnusualWhitespace {
                position: 4,
                codepoint: c
            }
        );
    }
    // EN QUAD and EM QUAD are canonically EN SPACE and EM SPACE: refused as
    // what they normalise to.
    assert_eq!(refused("Bob\u{2000}Smith").codepoint(), Some('\u{2002}'));
    assert_eq!(refused("Bob\u{2001}Smith").codepoint(), Some('\u{2003}'));
}

// ----------------------------------------------------------------- controls

#[test]
fn control_character_refused() {
    for (input, c, position) in [
        ("bob\u{0}x", '\u{0}', 4),
        ("a\u{1b}[31mb", '\u{1b}', 2),
        ("line\none", '\n', 5),
        ("a\u{7f}b", '\u{7f}', 2),
        ("a\u{85}b", '\u{85}', 2),
        ("a\u{9b}b", '\u{9b}', 2),
    ] {
        let err = refused(input);
        assert_eq!(
            err,
            NameError::ControlCharacter {
                position,
                codepoint: c
            }
        );
        assert_eq!(err.kind(), "control_character");
        assert!(err.to_string().contains(&hex(c)));
    }
}

// ------------------------------------------------------- private, unassigned

#[test]
fn private_use_character_refused() {
    for c in ['\u{e000}', '\u{f8ff}', '\u{f0000}', '\u{10fffd}'] {
        let err = refused(&format!("x{c}"));
        assert_eq!(
            err,
            NameError::PrivateUse {
                position: 2,
                codepoint: c
            }
        );
        assert_eq!(err.kind(), "private_use");
        assert!(err.to_string().contains(&hex(c)));
    }
}

#[test]
fn unassigned_and_noncharacter_refused() {
    for c in [
        '\u{378}',
        '\u{fdd0}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{10ffff}',
        '\u{2fffe}',
    ] {
        let err = refused(&format!("x{c}"));
        assert_eq!(
            err,
            NameError::Unassigned {
                position: 2,
                codepoint: c
            }
        );
        assert_eq!(err.kind(), "unassigned");
        assert!(err.to_string().contains(&hex(c)));
    }
}

/// Every code point, in the middle of a name: what is accepted is never a
/// control, format, private-use, unassigned, separator (other than U+0020) or
/// whitespace character.
#[test]
fn no_invisible_or_undefined_character_accepted_anywhere() {
    let mut accepted = 0_u32;
    for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
        let input = format!("a{c}b");
        let Ok(name) = ContactName::parse(&input) else {
            continue;
        };
        accepted += 1;
        for n in name.as_str().chars() {
            let gc = n.general_category();
            let undisplayable = matches!(
                gc,
                GeneralCategory::Control
                    | GeneralCategory::Format
                    | GeneralCategory::PrivateUse
                    | GeneralCategory::Unassigned
                    | GeneralCategory::Surrogate
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            );
            let odd_space =
                n != ' ' && (n.is_whitespace() || gc == GeneralCategory::SpaceSeparator);
            let ignored_by_skeleton = unicode_security::skeleton(&n.to_string()).next().is_none();
            assert!(
                !undisplayable && !odd_space && !ignored_by_skeleton,
                "{} accepted in {input:?} ({gc:?})",
                hex(n)
            );
        }
    }
    // Sanity: most assigned characters are ordinary and accepted.
    assert!(accepted > 100_000, "only {accepted} accepted");
}

// ----------------------------------------------------------- normalisation

#[test]
fn nfc_and_nfd_forms_are_one_name() {
    let composed = parse("Ren\u{e9}");
    let decomposed = parse("Rene\u{301}");
    assert_eq!(composed, decomposed);
    assert_eq!(decomposed.as_str(), "Ren\u{e9}");
    assert_eq!(composed.skeleton(), decomposed.skeleton());
    // Hangul: conjoining jamo and the precomposed syllable.
    assert_eq!(parse("\u{1112}\u{1161}\u{11ab}"), parse("\u{d55c}"));
}

#[test]
fn empty_refused() {
    let err = refused("");
    assert_eq!(err, NameError::Empty);
    assert_eq!(err.kind(), "empty");
    assert!(err.to_string().contains("empty"));
}

#[test]
fn overlong_name_refused() {
    assert_eq!(parse(&"a".repeat(MAX_NAME_BYTES)).as_str().len(), 256);
    let err = refused(&"a".repeat(MAX_NAME_BYTES + 1));
    assert_eq!(err, NameError::TooLong { len: 257, max: 256 });
    assert_eq!(err.kind(), "too_long");
    assert!(err.to_string().contains("257 bytes"));
    // The limit counts the normalised form: 384 bytes of NFD are 256 of NFC.
    let nfd = "e\u{301}".repeat(128);
    assert_eq!(nfd.len(), 384);
    assert_eq!(parse(&nfd).as_str().len(), 256);
    assert_eq!(
        refused(&"\u{e9}".repeat(129)),
        NameError::TooLong { len: 258, max: 256 }
    );
}

// ---------------------------------------------------------- combining marks

#[test]
fn doubled_combining_mark_lookalike_refused() {
    // Many renderers draw the second acute on top of the first.
    let err = refused("Rene\u{301}\u{301}e");
    assert_eq!(
        err,
        NameError::RepeatedMark {
            position: 5,
            codepoint: '\u{301}'
        }
    );
    assert_eq!(err.kind(), "repeated_mark");
    assert!(err.to_string().contains("U+0301 at character 5"));
}

#[test]
fn stacked_combining_marks_refused() {
    // Four different marks on one letter: allowed (TR39's limit).
    let four = "a\u{300}\u{301}\u{302}\u{303}";
    assert_eq!(four.chars().count(), 1 + MAX_NONSPACING_MARKS);
    parse(four);
    let err = refused("xa\u{300}\u{301}\u{302}\u{303}\u{304}");
    assert_eq!(
        err,
        NameError::TooManyMarks {
            position: 6,
            max: MAX_NONSPACING_MARKS
        }
    );
    assert_eq!(err.kind(), "too_many_marks");
}

// -------------------------------------------------------------------- emoji

#[test]
fn emoji_zwj_sequence_allowed() {
    for name in [
        "\u{1f469}\u{200d}\u{1f4bb} Dana", // 👩‍💻 technologist
        "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}", // 👨‍👩‍👧‍👦 family
        "\u{1f469}\u{1f3fd}\u{200d}\u{1f4bb} Dana", // 👩🏽‍💻 with skin tone
        "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308} club", // 🏳️‍🌈 rainbow flag
        "\u{1f469}\u{200d}\u{2764}\u{fe0f}\u{200d}\u{1f48b}\u{200d}\u{1f468}", // 👩‍❤️‍💋‍👨 kiss
        "\u{1f468}\u{200d}\u{1f9b0} Red",  // 👨‍🦰 red hair
        "\u{1f3f4}\u{200d}\u{2620}\u{fe0f} Pirate", // 🏴‍☠️
        "\u{2764}\u{fe0f} Mum",            // ❤️
        "Flat 1\u{fe0f}\u{20e3}",          // keycap 1️⃣
        "\u{1f1fa}\u{1f1e6} Olena",        // 🇺🇦 flag
        "\u{1f44d}\u{1f3fb}",              // 👍🏻
        "\u{1f600}",
    ] {
        let n = parse(name);
        assert_eq!(n.as_str(), name);
    }
}

#[test]
fn lone_zwj_refused() {
    for (input, position) in [
        ("gr\u{200d}ace", 3),
        ("\u{200d}", 1),
        ("a\u{200d}\u{1f469}", 2),                 // letter before
        ("\u{1f469}\u{200d}a", 2),                 // letter after
        ("\u{1f469}\u{200d}", 2),                  // at the end
        ("\u{1f469}\u{200d}\u{200d}\u{1f4bb}", 2), // doubled
        ("\u{1f469}\u{200d} \u{1f4bb}", 2),        // space after
        ("1\u{200d}2", 2),                         // keycap bases are not emoji
        ("\u{1f1fa}\u{200d}\u{1f1e6}", 2),         // nor regional indicators
    ] {
        let err = refused(input);
        assert_eq!(
            err,
            NameError::InvisibleCharacter {
                position,
                codepoint: '\u{200d}'
            },
            "{input:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("U+200D ZERO WIDTH JOINER"), "{msg}");
        assert!(msg.contains("allowed only between two emoji"), "{msg}");
    }
}

#[test]
fn stray_variation_selector_refused() {
    for (input, c, position) in [
        ("bob\u{fe0f}", '\u{fe0f}', 4),              // after a letter
        ("1\u{fe0f}", '\u{fe0f}', 2),                // keycap base without keycap
        ("\u{2764}\u{fe0f}\u{fe0f}", '\u{fe0f}', 3), // doubled
        ("\u{2764}\u{fe0e}", '\u{fe0e}', 2),         // text presentation
        ("\u{845b}\u{e0100}", '\u{e0100}', 2),       // ideographic variation
        ("\u{1820}\u{180b}", '\u{180b}', 2),         // Mongolian FVS1
    ] {
        let err = refused(input);
        assert_eq!(
            err,
            NameError::InvisibleCharacter {
                position,
                codepoint: c
            },
            "{input:?}"
        );
        assert!(err.to_string().contains("VARIATION SELECTOR"), "{err}");
    }
    assert!(
        refused("bob\u{fe0f}")
            .to_string()
            .contains("allowed only directly after an emoji")
    );
}

#[test]
fn emoji_presentation_lookalike_is_reported() {
    // The allowed invisible characters can still make two emoji names differ
    // unseen; the skeleton ignores them, so the pair is reported.
    let grin = parse("\u{1f600}\u{fe0f} Dana");
    assert_eq!(
        find_lookalike(&grin, ["\u{1f600} Dana"]),
        Some("\u{1f600} Dana")
    );
    let joined = parse("\u{1f469}\u{200d}\u{1f4bb} Dana");
    assert_eq!(
        find_lookalike(&joined, ["\u{1f469}\u{1f4bb} Dana"]),
        Some("\u{1f469}\u{1f4bb} Dana")
    );
}

// --------------------------------------------------------------- lookalikes

#[test]
fn cyrillic_lookalike_is_reported() {
    let cyrillic = parse("\u{430}lice"); // Cyrillic а
    assert_ne!(cyrillic.as_str(), "alice");
    assert_eq!(find_lookalike(&cyrillic, ["bob", "alice"]), Some("alice"));
    // And the other way round.
    let latin = parse("alice");
    assert_eq!(find_lookalike(&latin, ["\u{430}lice"]), Some("\u{430}lice"));
}

#[test]
fn mixed_script_lookalikes_are_reported() {
    for (new, old) in [
        ("\u{440}aypal", "paypal"), // Cyrillic р
        ("\u{391}lice", "Alice"),   // Greek Α
        ("b0b", "bob"),             // digit zero
        ("\u{1d41a}lice", "alice"), // mathematical bold a
        ("\u{ff41}lice", "alice"),  // fullwidth a
    ] {
        assert_eq!(find_lookalike(&parse(new), [old]), Some(old), "{new:?}");
    }
}

#[test]
fn case_lookalike_is_reported() {
    for (new, old) in [
        ("Bob", "bob"),
        ("bob", "BOB"),
        ("MALLORY", "mallory"),
        ("Zo\u{eb}", "ZO\u{cb}"),
        (
            "\u{3a3}\u{3c9}\u{3ba}\u{3c1}\u{3ac}\u{3c4}\u{3b7}\u{3c2}",
            "\u{3c3}\u{3c9}\u{3ba}\u{3c1}\u{3ac}\u{3c4}\u{3b7}\u{3c2}",
        ),
    ] {
        let n = parse(new);
        assert_eq!(find_lookalike(&n, [old]), Some(old), "{new:?} vs {old:?}");
    }
    assert_eq!(parse("Bob").skeleton(), parse("bob").skeleton());
}

#[test]
fn capital_i_lookalike_of_small_l_is_reported() {
    // "PayPaI" ends with a capital i, which many fonts draw as a small L.
    let n = parse("PayPaI");
    assert_eq!(find_lookalike(&n, ["PayPal"]), Some("PayPal"));
    assert_eq!(find_lookalike(&n, ["paypal"]), Some("paypal"));
    assert_eq!(find_lookalike(&parse("Ian"), ["lan"]), Some("lan"));
}

#[test]
fn different_names_are_not_lookalikes() {
    let alice = parse("alice");
    assert_eq!(
        find_lookalike(&alice, ["bob", "alicia", "alice2", "Alice Smith", "al ice"]),
        None
    );
    assert_eq!(find_lookalike(&parse("Zo\u{eb}"), ["Zoe"]), None);
    assert_eq!(find_lookalike(&parse("Anna"), Vec::<&str>::new()), None);
}

#[test]
fn same_name_is_not_its_own_lookalike() {
    let alice = parse("alice");
    assert_eq!(find_lookalike(&alice, ["alice"]), None);
    // The first lookalike in order is reported, skipping the identical one.
    assert_eq!(
        find_lookalike(&alice, ["alice", "bob", "ALICE", "\u{430}lice"]),
        Some("ALICE")
    );
}

#[test]
fn stored_nfd_name_is_a_lookalike_of_its_nfc_form() {
    // Names stored before these rules may be in any form; they display
    // exactly like the normalised name, so they are reported.
    let n = parse("Ren\u{e9}");
    assert_eq!(find_lookalike(&n, ["Rene\u{301}"]), Some("Rene\u{301}"));
    // Even one with an invisible character in it.
    assert_eq!(
        find_lookalike(&parse("grace"), ["gr\u{200b}ace"]),
        Some("gr\u{200b}ace")
    );
}

// ------------------------------------------------------ names people have

#[test]
fn real_names_in_many_scripts_accepted() {
    for name in [
        "Alice",
        "O'Brien",
        "Anne-Marie",
        "Dr. J. Smith (work)",
        "Bj\u{f6}rk Gu\u{f0}mundsd\u{f3}ttir",
        "Nguy\u{1ec5}n V\u{103}n An",
        "\u{674e}\u{5c0f}\u{9f99}",            // 李小龙
        "\u{645}\u{62d}\u{645}\u{62f}",        // محمد
        "\u{5d9}\u{5e9}\u{5e8}\u{5d0}\u{5dc}", // ישראל
        "\u{41e}\u{43b}\u{44c}\u{433}\u{430}", // Ольга
        "\u{3a3}\u{3c9}\u{3ba}\u{3c1}\u{3ac}\u{3c4}\u{3b7}\u{3c2}", // Σωκράτης
        "\u{915}\u{94d}\u{937}\u{924}\u{94d}\u{930}\u{93f}\u{92f}", // क्षत्रिय
        "\u{d55c}\u{ac15}",                    // 한강
        "\u{3084}\u{307e}\u{3060} \u{592a}\u{90ce}", // やまだ 太郎
    ] {
        let n = parse(name);
        assert_eq!(n.as_str(), name);
        assert_eq!(n.to_string(), name);
        assert_eq!(AsRef::<str>::as_ref(&n), name);
        assert_eq!(name.parse::<ContactName>().unwrap(), n);
    }
}

// ----------------------------------------------------------------- messages

#[test]
fn error_kinds_are_distinct_snake_case() {
    let errors = [
        refused(""),
        refused(&"a".repeat(300)),
        refused("bob "),
        refused("a  b"),
        refused("a\u{0}b"),
        refused("a\u{202e}b"),
        refused("a\u{200b}b"),
        refused("a\u{a0}b"),
        refused("a\u{e000}b"),
        refused("a\u{378}b"),
        refused("a\u{301}\u{301}"),
        refused("a\u{300}\u{301}\u{302}\u{303}\u{304}"),
    ];
    let mut kinds: Vec<&str> = errors.iter().map(NameError::kind).collect();
    for k in &kinds {
        assert!(k.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{k}");
    }
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), errors.len());
    for e in &errors {
        let msg = e.to_string();
        assert!(msg.starts_with("contact name "), "{msg}");
        if let (Some(c), Some(p)) = (e.codepoint(), e.position()) {
            assert!(msg.contains(&hex(c)), "{msg}");
            assert!(msg.contains(&format!("at character {p}")), "{msg}");
        }
    }
}

// ---------------------------------------------------------------- proptest

/// Characters that exercise every rule: letters, marks, spaces, emoji and
/// their joiners, invisibles, bidi controls, private use, unassigned.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'b', 'l', 'I', 'm', 'r', 'n', 'e', '0', '1', '#', ' ', ' ', '-', '\'',
            '\u{430}', '\u{3c3}', '\u{e9}', '\u{301}', '\u{300}', '\u{323}', '\u{302}',
        ]),
        2 => prop::sample::select(vec![
            '\u{1f469}', '\u{1f4bb}', '\u{2764}', '\u{1f3fd}', '\u{1f9b0}', '\u{1f1fa}',
            '\u{200d}', '\u{fe0f}', '\u{fe0e}', '\u{20e3}',
        ]),
        1 => prop::sample::select(vec![
            '\u{200b}', '\u{202e}', '\u{2066}', '\u{a0}', '\u{3000}', '\u{2028}', '\t', '\u{0}',
            '\u{ad}', '\u{3164}', '\u{e000}', '\u{378}', '\u{ffff}', '\u{e0067}', '\u{2800}',
            '\u{1112}', '\u{1161}', '\u{11ab}',
        ]),
        1 => any::<char>(),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics_and_is_idempotent(s in any::<String>()) {
        check_roundtrip(&s)?;
    }

    #[test]
    fn parse_never_panics_and_is_idempotent_on_tricky_text(
        chars in prop::collection::vec(tricky_char(), 0..24)
    ) {
        let s: String = chars.into_iter().collect();
        check_roundtrip(&s)?;
    }
}

fn check_roundtrip(s: &str) -> Result<(), TestCaseError> {
    match ContactName::parse(s) {
        Ok(name) => {
            let again = ContactName::parse(name.as_str());
            prop_assert_eq!(again.as_ref(), Ok(&name));
            prop_assert!(!name.as_str().is_empty());
            prop_assert!(name.as_str().len() <= MAX_NAME_BYTES);
            prop_assert_eq!(find_lookalike(&name, [name.as_str()]), None);
            prop_assert_eq!(name.skeleton(), name.skeleton());
        }
        Err(e) => {
            prop_assert!(!e.kind().is_empty());
            prop_assert!(!e.to_string().is_empty());
            if let Some(p) = e.position() {
                prop_assert!(p >= 1);
            }
        }
    }
    Ok(())
}
