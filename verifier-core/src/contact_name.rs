//! Contact display names that cannot pose as one another on screen.
//!
//! The attack: a second contact whose name *displays* exactly like an existing
//! one ("alice" and "аlice" with a Cyrillic а, "grace" and "gr\u{200B}ace" with
//! a zero width space, "bob" and "bob "), so that a person confirms or trusts
//! the wrong key. Two layers stop it:
//!
//! 1. [`ContactName::parse`] refuses names that contain characters which are
//!    invisible, reorder the display, look like a space but are not one, or
//!    whose appearance is not defined at all. What is left is NFC-normalised,
//!    so canonically equivalent spellings ("Ren\u{E9}" and "Rene\u{301}") are
//!    one and the same name.
//! 2. [`find_lookalike`] compares the Unicode TR39 confusable skeleton
//!    (with letter case ignored) of a new name with the names already in use
//!    and reports an existing name that is different but looks the same.
//!    Harmless pairs such as "rn" and "m" are reported too; the caller shows
//!    the existing name and lets the person override explicitly.
//!
//! The Unicode data comes from `unicode-normalization` (NFC),
//! `unicode-properties` (General_Category, Emoji, Emoji_Component) and
//! `unicode-security` (TR39 skeleton and its Default_Ignorable_Code_Point
//! table), all on the same Unicode version ([`UNICODE_VERSION`]).

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;
use unicode_properties::{EmojiStatus, GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};

/// The longest contact name accepted, in UTF-8 bytes after NFC normalisation.
pub const MAX_NAME_BYTES: usize = 256;

/// The most nonspacing marks accepted in a row on one base character (TR39
/// section 5.4 recommends refusing longer runs: marks stacked that deep can
/// hide one another).
pub const MAX_NONSPACING_MARKS: usize = 4;

/// The Unicode version of the character properties these rules use
/// (major, minor, update).
pub const UNICODE_VERSION: (u64, u64, u64) = unicode_properties::UNICODE_VERSION;

/// A validated, NFC-normalised contact display name.
///
/// Construct it with [`ContactName::parse`] (or [`str::parse`]); the rules
/// are documented there. Two `ContactName`s are equal exactly when their
/// normalised text is byte-identical; use [`find_lookalike`] to find names
/// that differ but display the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContactName(String);

impl ContactName {
    /// Validates and NFC-normalises a contact display name.
    ///
    /// The input is NFC-normalised first; every rule below applies to the
    /// normalised text, and character positions in errors are 1-based
    /// positions (in characters, not bytes) in the normalised text, which is
    /// the input itself for anything typed on a usual keyboard.
    ///
    /// Refused, each with its own [`NameError`] variant:
    ///
    /// - the empty name ([`NameError::Empty`]) and names longer than
    ///   [`MAX_NAME_BYTES`] UTF-8 bytes ([`NameError::TooLong`]);
    /// - whitespace at the start or end ([`NameError::SurroundingWhitespace`]):
    ///   nothing is trimmed silently, so "bob" and "bob " cannot be two
    ///   contacts; and two spaces in a row ([`NameError::RepeatedSpace`]),
    ///   which display like one;
    /// - control characters, General_Category Cc ([`NameError::ControlCharacter`]);
    /// - the bidirectional controls U+061C, U+200E, U+200F, U+202A–U+202E and
    ///   U+2066–U+2069 ([`NameError::BidiControl`]), which make text display
    ///   in a different order than it is stored;
    /// - invisible characters ([`NameError::InvisibleCharacter`]): all of
    ///   General_Category Cf (zero width space, word joiner, byte order mark,
    ///   soft hyphen, tag characters…), every Default_Ignorable_Code_Point
    ///   (the Hangul fillers, combining grapheme joiner, variation selectors…)
    ///   and U+2800 BRAILLE PATTERN BLANK, which displays as an empty cell;
    /// - whitespace other than the plain space U+0020, General_Category Zs,
    ///   Zl and Zp ([`NameError::UnusualWhitespace`]): no-break space, the
    ///   typographic spaces U+2000–U+200A, ideographic space, line and
    ///   paragraph separators…;
    /// - private-use characters, Co ([`NameError::PrivateUse`]), whose
    ///   appearance depends on the font, and unassigned code points and
    ///   noncharacters, Cn ([`NameError::Unassigned`]), whose appearance is not
    ///   defined (a later Unicode version may assign them);
    /// - the same nonspacing mark twice in a row ([`NameError::RepeatedMark`]),
    ///   which many renderers draw on top of each other, and more than
    ///   [`MAX_NONSPACING_MARKS`] nonspacing marks in a row
    ///   ([`NameError::TooManyMarks`]), both as TR39 section 5.4 recommends.
    ///
    /// # Emoji
    ///
    /// Emoji are allowed, including emoji ZWJ sequences (👩‍💻, 👨‍👩‍👧) and
    /// emoji presentation sequences (❤️, 1️⃣). These use two characters that
    /// are otherwise refused as invisible, and are allowed only where emoji
    /// need them:
    ///
    /// - U+200D ZERO WIDTH JOINER only between two emoji: directly after an
    ///   emoji (optionally followed by one U+FE0F or one skin-tone modifier
    ///   U+1F3FB–U+1F3FF) and directly before an emoji. An "emoji" here is a
    ///   character with Emoji=Yes that is not only an emoji component: keycap
    ///   bases (digits, `#`, `*`), regional indicators and skin-tone modifiers
    ///   do not count, the hair components U+1F9B0–U+1F9B3 do. This is the
    ///   assigned part of Extended_Pictographic that emoji sequences use.
    /// - U+FE0F VARIATION SELECTOR-16 only directly after an emoji, or in a
    ///   keycap sequence (a digit, `#` or `*`, then U+FE0F, then U+20E3).
    ///   All other variation selectors (including U+FE0E) are refused.
    ///
    /// So a lone joiner ("gr\u{200D}ace") or one next to a letter is refused,
    /// and the joiner cannot hide a difference between two plain-text names.
    /// Between emoji it can still make "👩‍💻" (one glyph) and "👩💻" (two)
    /// differ only by an invisible character, as U+FE0F can for "😀️" and
    /// "😀"; the skeleton drops both characters, so [`find_lookalike`]
    /// reports such pairs. Tag sequences (the flags of England, Scotland and
    /// Wales) are refused: tag characters are invisible and can carry any
    /// hidden text.
    ///
    /// # Examples
    ///
    /// ```
    /// use verifier_core::contact_name::{ContactName, NameError};
    ///
    /// let decomposed = ContactName::parse("Rene\u{301}e")?;
    /// assert_eq!(decomposed.as_str(), "Ren\u{e9}e"); // NFC-normalised
    /// assert_eq!(decomposed, ContactName::parse("Ren\u{e9}e")?);
    ///
    /// assert!(ContactName::parse("👩\u{200d}💻 Dana").is_ok());
    ///
    /// let err = ContactName::parse("ecar\u{202e}g").unwrap_err();
    /// assert_eq!(err.kind(), "bidi_control");
    /// assert!(err.to_string().contains("U+202E RIGHT-TO-LEFT OVERRIDE at character 5"));
    ///
    /// assert!(matches!(ContactName::parse("bob "), Err(NameError::SurroundingWhitespace { .. })));
    /// # Ok::<(), NameError>(())
    /// ```
    pub fn parse(input: &str) -> Result<ContactName, NameError> {
        let name: String = input.nfc().collect();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(NameError::TooLong {
                len: name.len(),
                max: MAX_NAME_BYTES,
            });
        }
        let chars: Vec<char> = name.chars().collect();
        let mut marks = MarkRun::default();
        for (index, &c) in chars.iter().enumerate() {
            check_char(&chars, index, c)?;
            marks.check(index + 1, c)?;
        }
        Ok(ContactName(name))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised name, as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The lookalike key of this name: the Unicode TR39 confusable skeleton
    /// of the lowercased name, so that "Bob" and "bob" (and "Bob" and
    /// "b\u{43E}b" with a Cyrillic о) have the same key.
    ///
    /// This is the key to store and index. [`find_lookalike`] compares it and
    /// a second key, the lowercased skeleton of the name as written, which
    /// catches an uppercase letter shaped like a different lowercase one
    /// ("PayPaI" with a capital i against "paypal"); lowercasing first maps
    /// that I to an i and loses the resemblance. The key is for comparison
    /// only, never for display.
    pub fn skeleton(&self) -> String {
        skeleton_of_lowercase(&self.0)
    }
}

impl fmt::Display for ContactName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ContactName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ContactName {
    type Err = NameError;

    /// Same as [`ContactName::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContactName::parse(s)
    }
}

/// TR39 skeleton of the lowercased string: case differences never matter.
/// (Lowercasing after the skeleton would not do: the skeleton of "m" is
/// "rn", of "M" is "M", so "MALLORY" and "mallory" would differ.)
fn skeleton_of_lowercase(s: &str) -> String {
    unicode_security::skeleton(&s.to_lowercase()).collect()
}

/// Lowercased TR39 skeleton of the string as written: an uppercase letter is
/// compared by its own shape (the skeleton of "I" is "l").
fn lowercase_of_skeleton(s: &str) -> String {
    unicode_security::skeleton(s)
        .collect::<String>()
        .to_lowercase()
}

/// Finds an existing name that displays like `name` but is a different
/// string: the first one in `existing` that is not byte-identical to `name`
/// and whose skeleton (see [`ContactName::skeleton`]) equals that of `name`.
///
/// Two keys are compared, and a match of either is reported: the TR39
/// skeleton of the lowercased name ([`ContactName::skeleton`]: "Bob" and
/// "bob", "MALLORY" and "mallory") and the lowercased skeleton of the name as
/// written ("PayPaI" with a capital i and "paypal"). The existing names need
/// not be valid [`ContactName`]s, so names stored before these rules are
/// compared too.
///
/// TR39 also maps some harmless pairs together ("rn" and "m", "0" and "O"),
/// and letter case is ignored, so a match is a warning to show, not a
/// refusal: the caller shows the existing name and lets the person override
/// explicitly. An existing name byte-identical to `name` is the same contact
/// and is not reported.
///
/// ```
/// use verifier_core::contact_name::{find_lookalike, ContactName};
///
/// let new = ContactName::parse("\u{430}lice")?; // Cyrillic а
/// assert_eq!(find_lookalike(&new, ["bob", "alice"]), Some("alice"));
/// assert_eq!(find_lookalike(&new, ["bob", "\u{430}lice"]), None);
/// # Ok::<(), verifier_core::contact_name::NameError>(())
/// ```
pub fn find_lookalike<'a>(
    name: &ContactName,
    existing: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let by_lowercase = name.skeleton();
    let by_shape = lowercase_of_skeleton(name.as_str());
    existing.into_iter().find(|other| {
        *other != name.as_str()
            && (skeleton_of_lowercase(other) == by_lowercase
                || lowercase_of_skeleton(other) == by_shape)
    })
}

/// Why a string is not an acceptable contact name.
///
/// Positions are 1-based character positions in the NFC-normalised name;
/// [`NameError::kind`] gives a stable machine-readable name per variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    #[error("contact name is empty; type a name")]
    Empty,
    /// The name is longer than `max` UTF-8 bytes after NFC normalisation.
    #[error(
        "contact name is {len} bytes long (UTF-8, normalised), more than the {max} allowed; shorten it"
    )]
    TooLong {
        /// Length in UTF-8 bytes after NFC normalisation.
        len: usize,
        /// The limit, [`MAX_NAME_BYTES`].
        max: usize,
    },
    /// The name starts or ends with whitespace.
    #[error(
        "contact name {} with whitespace ({} at character {position}); remove it, so that a name with and without it cannot be two contacts",
        if *.position == 1 { "starts" } else { "ends" },
        CodePoint(*.codepoint)
    )]
    SurroundingWhitespace {
        /// Position of the whitespace character.
        position: usize,
        /// The whitespace character.
        codepoint: char,
    },
    /// Two spaces in a row, which display like one.
    #[error(
        "contact name has two spaces in a row at character {position}, which look like one space on screen; use a single space"
    )]
    RepeatedSpace {
        /// Position of the second space.
        position: usize,
    },
    /// A control character (General_Category Cc).
    #[error(
        "contact name contains the control character {} at character {position}, which does not display as text; remove it",
        CodePoint(*.codepoint)
    )]
    ControlCharacter {
        /// Position of the character.
        position: usize,
        /// The character.
        codepoint: char,
    },
    /// A bidirectional control character.
    #[error(
        "contact name contains {} at character {position}, which can make text display in a different order than it is stored; remove it",
        CodePoint(*.codepoint)
    )]
    BidiControl {
        /// Position of the character.
        position: usize,
        /// The character.
        codepoint: char,
    },
    /// An invisible or formatting character (General_Category Cf,
    /// Default_Ignorable_Code_Point, or a blank such as U+2800), or U+200D /
    /// U+FE0F outside the emoji sequences that need them.
    #[error(
        "contact name contains {} at character {position}, an invisible character that can make two names that look the same differ; remove it{}",
        CodePoint(*.codepoint),
        invisible_hint(*.codepoint)
    )]
    InvisibleCharacter {
        /// Position of the character.
        position: usize,
        /// The character.
        codepoint: char,
    },
    /// Whitespace other than the plain space U+0020 (General_Category Zs, Zl, Zp).
    #[error(
        "contact name contains {} at character {position}, a space or line break other than the plain space, which looks like a plain space or like nothing; use a plain space (U+0020) or remove it",
        CodePoint(*.codepoint)
    )]
    UnusualWhitespace {
        /// Position of the character.
        position: usize,
        /// The character.
        codepoint: char,
    },
    /// A private-use character (General_Category Co).
    #[error(
        "contact name contains the private-use character {} at character {position}, whose appearance depends on the font; remove it",
        CodePoint(*.codepoint)
    )]
    PrivateUse {
        /// Position of the character.
        position: usize,
        /// The character.
        codepoint: char,
    },
    /// An unassigned code point or a noncharacter (General_Category Cn).
    #[error(
        "contact name contains {} at character {position}, which is not an assigned character in Unicode {}.{} (or is a noncharacter) and has no defined appearance; remove it",
        CodePoint(*.codepoint),
        UNICODE_VERSION.0,
        UNICODE_VERSION.1
    )]
    Unassigned {
        /// Position of the code point.
        position: usize,
        /// The code point.
        codepoint: char,
    },
    /// The same nonspacing mark twice in a row.
    #[error(
        "contact name repeats the combining mark {} at character {position}; a doubled mark can display like a single one; remove the repeat",
        CodePoint(*.codepoint)
    )]
    RepeatedMark {
        /// Position of the character holding the repeat.
        position: usize,
        /// The repeated mark.
        codepoint: char,
    },
    /// More than `max` nonspacing marks in a row.
    #[error(
        "contact name has more than {max} combining marks in a row at character {position}; marks stacked that deep can hide one another; remove some"
    )]
    TooManyMarks {
        /// Position of the character holding the mark over the limit.
        position: usize,
        /// The limit, [`MAX_NONSPACING_MARKS`].
        max: usize,
    },
    /// U+0307 COMBINING DOT ABOVE on a letter that already shows a dot (i, j
    /// and other Soft_Dotted letters) or on dotless ı/ȷ: "i\u{307}" draws like
    /// "i" (Unicode TR39 section 5.4).
    #[error(
        "contact name has U+0307 COMBINING DOT ABOVE at character {position} on a letter that already looks dotted, so it displays like the plain letter; remove it"
    )]
    DotOnDottedLetter {
        /// Position of the U+0307.
        position: usize,
    },
}

impl NameError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::Empty => 6101,
            Self::TooLong { .. } => 6102,
            Self::SurroundingWhitespace { .. } => 6103,
            Self::RepeatedSpace { .. } => 6104,
            Self::ControlCharacter { .. } => 6105,
            Self::BidiControl { .. } => 6106,
            Self::InvisibleCharacter { .. } => 6107,
            Self::UnusualWhitespace { .. } => 6108,
            Self::PrivateUse { .. } => 6109,
            Self::Unassigned { .. } => 6110,
            Self::RepeatedMark { .. } => 6111,
            Self::TooManyMarks { .. } => 6112,
            Self::DotOnDottedLetter { .. } => 6113,
        }
    }

    /// A stable snake_case name of the variant, for machine-readable output
    /// (e.g. a JSON `error_kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            NameError::Empty => "empty",
            NameError::TooLong { .. } => "too_long",
            NameError::SurroundingWhitespace { .. } => "surrounding_whitespace",
            NameError::RepeatedSpace { .. } => "repeated_space",
            NameError::ControlCharacter { .. } => "control_character",
            NameError::BidiControl { .. } => "bidi_control",
            NameError::InvisibleCharacter { .. } => "invisible_character",
            NameError::UnusualWhitespace { .. } => "unusual_whitespace",
            NameError::PrivateUse { .. } => "private_use",
            NameError::Unassigned { .. } => "unassigned",
            NameError::RepeatedMark { .. } => "repeated_mark",
            NameError::TooManyMarks { .. } => "too_many_marks",
            NameError::DotOnDottedLetter { .. } => "dot_on_dotted_letter",
        }
    }

    /// The 1-based character position (in the normalised name) the error is
    /// about, if it is about one character.
    pub fn position(&self) -> Option<usize> {
        match self {
            NameError::Empty | NameError::TooLong { .. } => None,
            NameError::SurroundingWhitespace { position, .. }
            | NameError::RepeatedSpace { position }
            | NameError::ControlCharacter { position, .. }
            | NameError::BidiControl { position, .. }
            | NameError::InvisibleCharacter { position, .. }
            | NameError::UnusualWhitespace { position, .. }
            | NameError::PrivateUse { position, .. }
            | NameError::Unassigned { position, .. }
            | NameError::RepeatedMark { position, .. }
            | NameError::TooManyMarks { position, .. }
            | NameError::DotOnDottedLetter { position } => Some(*position),
        }
    }

    /// The refused character, if the error is about one.
    pub fn codepoint(&self) -> Option<char> {
        match self {
            NameError::SurroundingWhitespace { codepoint, .. }
            | NameError::ControlCharacter { codepoint, .. }
            | NameError::BidiControl { codepoint, .. }
            | NameError::InvisibleCharacter { codepoint, .. }
            | NameError::UnusualWhitespace { codepoint, .. }
            | NameError::PrivateUse { codepoint, .. }
            | NameError::Unassigned { codepoint, .. }
            | NameError::RepeatedMark { codepoint, .. } => Some(*codepoint),
            NameError::DotOnDottedLetter { .. } => Some('\u{307}'),
            NameError::Empty
            | NameError::TooLong { .. }
            | NameError::RepeatedSpace { .. }
            | NameError::TooManyMarks { .. } => None,
        }
    }
}

/// Displays a character as `U+XXXX`, followed by its Unicode name for the
/// characters these rules commonly refuse.
struct CodePoint(char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))?;
        let c = self.0;
        if let Some(name) = code_point_name(c) {
            write!(f, " {name}")?;
        } else if let Some(n) = variation_selector_number(c) {
            write!(f, " VARIATION SELECTOR-{n}")?;
        }
        Ok(())
    }
}

/// The Unicode name of the characters these rules most often refuse.
fn code_point_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{0}' => "NULL",
        '\u{9}' => "CHARACTER TABULATION",
        '\u{A}' => "LINE FEED",
        '\u{D}' => "CARRIAGE RETURN",
        '\u{1B}' => "ESCAPE",
        '\u{20}' => "SPACE",
        '\u{7F}' => "DELETE",
        '\u{85}' => "NEXT LINE",
        '\u{A0}' => "NO-BREAK SPACE",
        '\u{AD}' => "SOFT HYPHEN",
        '\u{34F}' => "COMBINING GRAPHEME JOINER",
        '\u{61C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{1680}' => "OGHAM SPACE MARK",
        '\u{180B}' => "MONGOLIAN FREE VARIATION SELECTOR ONE",
        '\u{180C}' => "MONGOLIAN FREE VARIATION SELECTOR TWO",
        '\u{180D}' => "MONGOLIAN FREE VARIATION SELECTOR THREE",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{180F}' => "MONGOLIAN FREE VARIATION SELECTOR FOUR",
        '\u{2000}' => "EN QUAD",
        '\u{2001}' => "EM QUAD",
        '\u{2002}' => "EN SPACE",
        '\u{2003}' => "EM SPACE",
        '\u{2004}' => "THREE-PER-EM SPACE",
        '\u{2005}' => "FOUR-PER-EM SPACE",
        '\u{2006}' => "SIX-PER-EM SPACE",
        '\u{2007}' => "FIGURE SPACE",
        '\u{2008}' => "PUNCTUATION SPACE",
        '\u{2009}' => "THIN SPACE",
        '\u{200A}' => "HAIR SPACE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        '\u{205F}' => "MEDIUM MATHEMATICAL SPACE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{2800}' => "BRAILLE PATTERN BLANK",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E007F}' => "CANCEL TAG",
        _ => return None,
    })
}

/// The number n of "VARIATION SELECTOR-n", for the 256 variation selectors.
fn variation_selector_number(c: char) -> Option<u32> {
    let cp = u32::from(c);
    match c {
        '\u{FE00}'..='\u{FE0F}' => Some(cp - 0xFE00 + 1),
        '\u{E0100}'..='\u{E01EF}' => Some(cp - 0xE0100 + 17),
        _ => None,
    }
}

/// A hint appended to the invisible-character message where that character
/// is allowed somewhere.
fn invisible_hint(c: char) -> &'static str {
    match c {
        '\u{200D}' => " (a zero width joiner is allowed only between two emoji)",
        '\u{FE0F}' => " (variation selector-16 is allowed only directly after an emoji)",
        _ => "",
    }
}

/// Bidi_Control=Yes: the characters that change the display order of text.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Default_Ignorable_Code_Point=Yes. `unicode-security` keeps the table but
/// does not export it; its TR39 `skeleton` drops exactly these characters
/// (after NFD, which maps no other character to only default-ignorables, and
/// no confusable prototype is empty), so a character is default-ignorable
/// exactly when its skeleton is empty. This keeps "refused as invisible" and
/// "ignored when comparing" the same set; a test checks it against the list
/// in DerivedCoreProperties.txt.
fn is_default_ignorable(c: char) -> bool {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf))
        .next()
        .is_none()
}

/// An emoji for the ZWJ and variation-selector rules: Emoji=Yes and not only
/// an emoji component (keycap bases, regional indicators and skin-tone
/// modifiers are components), except the hair components U+1F9B0–U+1F9B3,
/// which ZWJ sequences join like any emoji.
fn is_emoji(c: char) -> bool {
    c.is_emoji_char() && (!c.is_emoji_component() || matches!(c, '\u{1F9B0}'..='\u{1F9B3}'))
}

/// Emoji_Modifier=Yes: the skin-tone modifiers U+1F3FB–U+1F3FF.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c.emoji_status(),
        EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
    )
}

/// A keycap sequence base: a digit, `#` or `*`.
fn is_keycap_base(c: char) -> bool {
    c.is_ascii_digit() || c == '#' || c == '*'
}

const ZWJ: char = '\u{200D}';
const VS16: char = '\u{FE0F}';
const COMBINING_ENCLOSING_KEYCAP: char = '\u{20E3}';

/// Is the U+200D at `index` between two emoji? Before it: an emoji, possibly
/// followed by one U+FE0F or one skin-tone modifier; after it: an emoji.
fn zwj_joins_emoji(chars: &[char], index: usize) -> bool {
    let next_is_emoji = chars.get(index + 1).is_some_and(|&c| is_emoji(c));
    let before = index.checked_sub(1).and_then(|i| chars.get(i)).copied();
    let prev_is_emoji = match before {
        Some(c) if is_emoji(c) => true,
        Some(c) if c == VS16 || is_emoji_modifier(c) => index
            .checked_sub(2)
            .and_then(|i| chars.get(i))
            .is_some_and(|&c| is_emoji(c)),
        _ => false,
    };
    prev_is_emoji && next_is_emoji
}

/// Is the U+FE0F at `index` directly after an emoji, or in a keycap sequence?
fn vs16_follows_emoji(chars: &[char], index: usize) -> bool {
    let before = index.checked_sub(1).and_then(|i| chars.get(i)).copied();
    match before {
        Some(c) if is_emoji(c) => true,
        Some(c) if is_keycap_base(c) => chars.get(index + 1) == Some(&COMBINING_ENCLOSING_KEYCAP),
        _ => false,
    }
}

/// The per-character rules, for the character `c` at `chars[index]`.
/// Characters that display as nothing or as an empty cell although they are
/// neither default-ignorable nor spaces.
const BLANK_GLYPHS: [char; 3] = [
    '\u{2800}',  // BRAILLE PATTERN BLANK
    '\u{16FE4}', // KHITAN SMALL SCRIPT FILLER
    '\u{1D159}', // MUSICAL SYMBOL NULL NOTEHEAD
];

/// Letters on which U+0307 COMBINING DOT ABOVE adds nothing visible: the
/// Soft_Dotted letters (PropList.txt) and the dotless ı and ȷ.
const DOTTED_LOOKING: [char; 23] = [
    'i',
    'j',
    '\u{12F}',
    '\u{249}',
    '\u{268}',
    '\u{29D}',
    '\u{2B2}',
    '\u{3F3}',
    '\u{456}',
    '\u{458}',
    '\u{1D62}',
    '\u{1D96}',
    '\u{1DA4}',
    '\u{1DA8}',
    '\u{1E2D}',
    '\u{1ECB}',
    '\u{2071}',
    '\u{2148}',
    '\u{2149}',
    '\u{2C7C}',
    '\u{131}',
    '\u{237}',
    '\u{1DF1A}',
];

fn check_char(chars: &[char], index: usize, c: char) -> Result<(), NameError> {
    let position = index + 1;
    let codepoint = c;
    let category = c.general_category();
    let is_space_like = c.is_whitespace()
        || matches!(
            category,
            GeneralCategory::SpaceSeparator
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        );
    if is_space_like && (index == 0 || index + 1 == chars.len()) {
        return Err(NameError::SurroundingWhitespace {
            position,
            codepoint,
        });
    }
    if c == ' ' {
        if index > 0 && chars.get(index - 1) == Some(&' ') {
            return Err(NameError::RepeatedSpace { position });
        }
        return Ok(());
    }
    if category == GeneralCategory::Control {
        return Err(NameError::ControlCharacter {
            position,
            codepoint,
        });
    }
    if is_bidi_control(c) {
        return Err(NameError::BidiControl {
            position,
            codepoint,
        });
    }
    if c == ZWJ && zwj_joins_emoji(chars, index) || c == VS16 && vs16_follows_emoji(chars, index) {
        return Ok(());
    }
    if is_space_like {
        return Err(NameError::UnusualWhitespace {
            position,
            codepoint,
        });
    }
    if c == '\u{307}'
        && index > 0
        && chars
            .get(index - 1)
            .is_some_and(|p| DOTTED_LOOKING.contains(p))
    {
        return Err(NameError::DotOnDottedLetter { position });
    }
    if category == GeneralCategory::Format || is_default_ignorable(c) || BLANK_GLYPHS.contains(&c) {
        return Err(NameError::InvisibleCharacter {
            position,
            codepoint,
        });
    }
    match category {
        GeneralCategory::PrivateUse => Err(NameError::PrivateUse {
            position,
            codepoint,
        }),
        // Surrogates cannot occur in a `str`; refuse them as unassigned if
        // that ever changes.
        GeneralCategory::Unassigned | GeneralCategory::Surrogate => Err(NameError::Unassigned {
            position,
            codepoint,
        }),
        _ => Ok(()),
    }
}

/// The run of nonspacing marks (General_Category Mn) seen so far, counted in
/// the canonical decomposition (TR39 section 5.4 checks the NFD form: "é"
/// followed by U+0301 repeats U+0301).
#[derive(Default)]
struct MarkRun {
    len: usize,
    last: Option<char>,
}

impl MarkRun {
    fn check(&mut self, position: usize, c: char) -> Result<(), NameError> {
        let mut result = Ok(());
        decompose_canonical(c, |d| {
            if result.is_err() {
                return;
            }
            if d.general_category() != GeneralCategory::NonspacingMark {
                self.len = 0;
                self.last = None;
                return;
            }
            if self.last == Some(d) {
                result = Err(NameError::RepeatedMark {
                    position,
                    codepoint: d,
                });
                return;
            }
            self.len += 1;
            self.last = Some(d);
            if self.len > MAX_NONSPACING_MARKS {
                result = Err(NameError::TooManyMarks {
                    position,
                    max: MAX_NONSPACING_MARKS,
                });
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Default_Ignorable_Code_Point=Yes in DerivedCoreProperties.txt
    /// (unchanged from Unicode 15.1 to 18.0).
    const DEFAULT_IGNORABLE: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x061C, 0x061C),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF0, 0xFFF8),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF),
    ];

    fn all_chars() -> impl Iterator<Item = char> {
        (0..=0x10FFFF_u32).filter_map(char::from_u32)
    }

    #[test]
    fn skeleton_oracle_is_exactly_default_ignorable() {
        for c in all_chars() {
            let cp = u32::from(c);
            let listed = DEFAULT_IGNORABLE
                .iter()
                .any(|&(lo, hi)| (lo..=hi).contains(&cp));
            assert_eq!(is_default_ignorable(c), listed, "U+{cp:04X}");
        }
    }

    #[test]
    fn bidi_controls_are_the_bidi_control_property() {
        // Bidi_Control=Yes in PropList.txt: all are Cf and default-ignorable.
        let count = all_chars().filter(|&c| is_bidi_control(c)).count();
        assert_eq!(count, 12);
        for c in all_chars().filter(|&c| is_bidi_control(c)) {
            assert_eq!(c.general_category(), GeneralCategory::Format);
            assert!(is_default_ignorable(c));
        }
    }

    #[test]
    fn emoji_classification() {
        for c in [
            '\u{1F600}',
            '\u{2764}',
            '\u{A9}',
            '\u{1F469}',
            '\u{1F9B0}',
            '\u{1F9B3}',
        ] {
            assert!(is_emoji(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            '1',
            '#',
            '*',
            'a',
            '\u{1F1E6}',
            '\u{1F3FB}',
            '\u{20E3}',
            ZWJ,
            VS16,
        ] {
            assert!(!is_emoji(c), "U+{:04X}", u32::from(c));
        }
        let modifiers: Vec<char> = all_chars().filter(|&c| is_emoji_modifier(c)).collect();
        assert_eq!(modifiers, ('\u{1F3FB}'..='\u{1F3FF}').collect::<Vec<_>>());
    }

    #[test]
    fn code_point_display() {
        assert_eq!(
            CodePoint('\u{202E}').to_string(),
            "U+202E RIGHT-TO-LEFT OVERRIDE"
        );
        assert_eq!(CodePoint('\u{1F600}').to_string(), "U+1F600");
        assert_eq!(CodePoint('a').to_string(), "U+0061");
        assert_eq!(
            CodePoint('\u{FE0E}').to_string(),
            "U+FE0E VARIATION SELECTOR-15"
        );
        assert_eq!(
            CodePoint('\u{E01EF}').to_string(),
            "U+E01EF VARIATION SELECTOR-256"
        );
    }

    #[test]
    fn mark_run_counts_in_canonical_decomposition() {
        // "é" (precomposed) followed by U+0301 repeats U+0301.
        let err = ContactName::parse("Ren\u{E9}\u{301}e").unwrap_err();
        assert_eq!(
            err,
            NameError::RepeatedMark {
                position: 5,
                codepoint: '\u{301}'
            }
        );
    }
}
