//! The stable error numbers (`code()`, `number()`) against the table in `docs/errors.md`.
//!
//! Three checks: the table itself (every code unique, one range of 100 per type); one value of
//! every variant, built here, whose number is the table's entry for (type, variant) and every
//! row of the table built by some value; and every `=> NNNN` arm of the numbering methods in the
//! sources is a row of the table (so a new variant with a new number needs its row).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use verifier_core::contact_name::NameError;
use verifier_core::identity::{Identity, IdentityError, IdentityTextError};
use verifier_core::key::{KeyError, KeyType, PublicKey};
use verifier_core::qr::{CheckMismatch, Field, Mode, PayloadError, ValueError};
use verifier_core::receipt::{LabelField, ReceiptError, VerificationMethod};
use verifier_core::render::{Bip39Language, CompareError, ParseError, PgpParity, RenderError};
use verifier_core::rotation::{KeyRole, RotationError};
use verifier_core::sas::hazmat::wire::{Frame, MessageKind};
use verifier_core::sas::{
    CancelReason, DecodeError, ExtensionError, JoinCode, JoinCodeError, SasConfig, SasConfigError,
    SasError,
};
use verifier_core::signal::{
    FingerprintSide, ScannableCompareError, ScannableParseError, SignalFingerprintError,
    SignalKeyError,
};
use verifier_core::trust::{HistoryOnlyReason, Refusal, Tamper};

/// The variant column of a struct error (one number for the type).
const NO_VARIANT: &str = "—";

/// One row of the table: (type, variant) → code.
type Table = BTreeMap<(String, String), u16>;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads the rows of the table headed `| code | enum | variant | meaning |`. Rows whose
/// meaning starts with "Removed" (a variant that no longer exists) only keep their code taken.
fn table() -> Table {
    let path = manifest_dir().join("../docs/errors.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut lines = text
        .lines()
        .skip_while(|l| l.replace(' ', "") != "|code|enum|variant|meaning|");
    assert!(lines.next().is_some(), "docs/errors.md has no code table");
    let mut rows = Table::new();
    let mut codes = BTreeSet::new();
    for line in lines.take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue; // the separator line
        }
        assert_eq!(cells.len(), 4, "row {line:?} does not have 4 cells");
        let code: u16 = cells[0]
            .parse()
            .unwrap_or_else(|_| panic!("code in {line:?}"));
        let ty = cells[1].trim_matches('`').to_owned();
        let variant = cells[2].trim_matches('`').to_owned();
        assert!(!cells[3].is_empty(), "row {code} has no meaning");
        assert!(codes.insert(code), "code {code} appears twice in the table");
        if cells[3].starts_with("Removed") {
            continue;
        }
        assert!(
            rows.insert((ty.clone(), variant.clone()), code).is_none(),
            "{ty}::{variant} appears twice in the table"
        );
    }
    assert!(!rows.is_empty(), "the code table is empty");
    rows
}

/// A value's type (last path segment), variant (from `Debug`) and number.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    ty: String,
    variant: String,
    code: u16,
}

fn entry<T: Debug>(value: &T, code: u16) -> Entry {
    let ty = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap()
        .to_owned();
    let debug = format!("{value:?}");
    let mut variant: String = debug
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if variant == ty {
        variant = NO_VARIANT.to_owned();
    }
    Entry { ty, variant, code }
}

/// Pushes one entry per value, numbered by `$method`.
macro_rules! push {
    ($out:ident, $method:ident: $($value:expr),+ $(,)?) => {
        $( { let value = $value; let code = value.$method(); $out.push(entry(&value, code)); } )+
    };
}

fn key(seed: u8) -> PublicKey {
    Identity::from_seed(&[seed; 32]).unwrap().public_key()
}

fn bkey(seed: u8) -> Box<PublicKey> {
    Box::new(key(seed))
}

fn path() -> PathBuf {
    PathBuf::from("identity")
}

/// One value of every variant of every numbered type.
fn entries() -> Vec<Entry> {
    let ed = KeyType::Ed25519;
    let s = String::new;
    let mut out = Vec::new();

    // 1xxx keys and identity
    push!(out, code:
        KeyError::Empty,
        KeyError::UnrecognizedFormat { len: 1 },
        KeyError::UnknownKeyType { found: s() },
        KeyError::UnsupportedVersion { found: s() },
        KeyError::WrongLength { key_type: ed, expected: 32, found: 1 },
        KeyError::BadChecksum,
        KeyError::InvalidEncoding { encoding: "hex", detail: s() },
        KeyError::MalformedSsh { detail: s() },
        KeyError::NotOnCurve { key_type: ed },
        KeyError::NonCanonical { key_type: ed },
        KeyError::LowOrder { key_type: ed },
        KeyError::MixedOrder { key_type: ed },
    );
    push!(out, code:
        IdentityError::AlreadyExists { path: path() },
        IdentityError::NotFound { path: path() },
        IdentityError::Io { path: path(), source: std::io::Error::other("x") },
        IdentityError::NotAnIdentityFile { path: path(), found: s() },
        IdentityError::Malformed { path: path(), line: 1, reason: s() },
        IdentityError::UnsupportedKeyType { path: path(), found: s() },
        IdentityError::PublicKeyMismatch { path: path() },
        IdentityError::InsecurePermissions { path: path(), mode: 0o644 },
        IdentityError::Key(KeyError::Empty),
    );
    push!(out, code: verifier_core::identity::RandomnessError { reason: s() });
    push!(out, code:
        IdentityTextError::NotAnIdentity { found: s() },
        IdentityTextError::Malformed { line: 1, reason: s() },
        IdentityTextError::UnsupportedKeyType { found: s() },
        IdentityTextError::PublicKeyMismatch,
        IdentityTextError::Key(KeyError::Empty),
    );

    // 2xxx renderings and parsing
    push!(out, code:
        RenderError::UnsupportedBitWidth { bits: 0 },
        RenderError::NotEnoughBits { needed: 2, available: 1 },
        RenderError::IndexOutOfRange { position: 0, index: 9, limit: 8 },
    );
    let (even, odd) = (PgpParity::Even, PgpParity::Odd);
    push!(out, code:
        ParseError::UnknownWord { position: 0, word: s() },
        ParseError::AmbiguousPrefix { position: 0, word: s(), matches: 2 },
        ParseError::WrongParity { position: 0, word: s(), expected: even, found: odd },
        ParseError::TooFewWords { position: 1, expected: 2, found: 1 },
        ParseError::TooManyWords { position: 2, expected: 2, found: 3 },
        ParseError::InvalidDigit { position: 0, character: 'x' },
        ParseError::TooFewDigits { position: 1, expected: 2, found: 1 },
        ParseError::TooManyDigits { position: 2, expected: 2, found: 3 },
    );
    push!(out, code:
        CompareError::Mismatch { position: 0, typed: s() },
        CompareError::Parse(ParseError::UnknownWord { position: 0, word: s() }),
    );
    push!(out, code: "klingon".parse::<Bip39Language>().unwrap_err());

    // 3xxx QR
    let (f, m) = (Field::Key, Mode::Identity);
    push!(out, code:
        PayloadError::NotOurs,
        PayloadError::UnknownVersion { version: 9 },
        PayloadError::UnknownMode { mode: 9 },
        PayloadError::Truncated { offset: 0, needed: 1, available: 0 },
        PayloadError::TrailingBytes { count: 1 },
        PayloadError::UnknownField { code: 9 },
        PayloadError::DuplicateField { field: f },
        PayloadError::FieldOutOfOrder { field: Field::Key, after: Field::StableId },
        PayloadError::FieldNotAllowed { field: f, mode: m },
        PayloadError::MissingField { field: f, mode: m },
        PayloadError::OversizedField { field: f, len: 2, max: 1 },
        PayloadError::UndersizedField { field: f, len: 1, min: 2 },
        PayloadError::BadKeyType { code: 9 },
        PayloadError::KeyLength { key_type: ed, len: 1, expected: 32 },
        PayloadError::InvalidPoint { key_type: ed },
        PayloadError::InvalidText { field: f },
        PayloadError::ForbiddenCharacter { field: f, ch: '\u{7}' },
    );
    push!(out, code:
        ValueError::Empty,
        ValueError::TooLong { len: 2, max: 1 },
        ValueError::ForbiddenCharacter { ch: '\u{7}' },
    );
    #[cfg(feature = "qr-render")]
    {
        use verifier_core::qr::QrRenderError;
        push!(out, code:
            QrRenderError::TooLong { len: 9999 },
            QrRenderError::Encoder { reason: s() },
            QrRenderError::ModuleSize { module_px: 0, side: 0, max: 1 },
            QrRenderError::Png { reason: s() },
        );
    }
    push!(out, code:
        CheckMismatch::InvalidCode { error: PayloadError::NotOurs },
        CheckMismatch::SignalCode,
        CheckMismatch::Foreign,
        CheckMismatch::NoKey { mode: Mode::Session },
        CheckMismatch::WrongKey { found: bkey(1), expected: bkey(2) },
        CheckMismatch::WrongFingerprintOfMine { their_key: bkey(1) },
    );

    // 4xxx SAS
    push!(out, code:
        SasConfigError::SasBitsOutOfRange { bits: 1, min: 20, max: 48 },
        SasConfigError::Extension(ExtensionError::BadRendering { max: 32 }),
    );
    push!(out, code:
        DecodeError::TooLong { len: 513, max: 512 },
        DecodeError::Truncated { len: 0, needed: 1 },
        DecodeError::UnsupportedVersion { version: 1 },
        DecodeError::UnknownKind { kind: 0xff },
        DecodeError::UnknownEpoch { epoch: 2 },
        DecodeError::LengthMismatch { declared: 2, actual: 1 },
        DecodeError::BadBodyLength { kind: MessageKind::Commit, expected: 2, actual: 1 },
        DecodeError::UnknownKeyType { code: 9 },
        DecodeError::BadKeyLength { len: 1 },
        DecodeError::InvalidKey,
        DecodeError::BadSasBits { bits: 1 },
        DecodeError::Extensions(ExtensionError::Truncated { ext_type: 1 }),
    );
    push!(out, code:
        JoinCodeError::Empty,
        JoinCodeError::BadCharacter { ch: 'U', position: 0 },
        JoinCodeError::BadLength { len: 1, expected: "24", unit: "characters" },
        JoinCodeError::OldVersion,
        JoinCodeError::UnknownFormat { header: 0xff },
        JoinCodeError::Checksum,
    );
    push!(out, code:
        ExtensionError::TooLong { len: 129, max: 128 },
        ExtensionError::Truncated { ext_type: 1 },
        ExtensionError::NotCanonical { ext_type: 1 },
        ExtensionError::BadRendering { max: 32 },
    );
    push!(out, code:
        SasError::Randomness { reason: s() },
        SasError::Finished { phase: "verified" },
        SasError::SavedSessionInvalid,
        SasError::SavedSessionDamaged { what: "x" },
        SasError::SavedSessionVersion { version: 9, supported: 1 },
    );
    push!(out, code:
        CancelReason::UserNoMatch,
        CancelReason::PeerNoMatch,
        CancelReason::MacMismatch,
        CancelReason::CommitmentMismatch,
        CancelReason::UnexpectedMessage,
        CancelReason::MalformedMessage,
        CancelReason::UnsupportedVersion,
        CancelReason::Timeout,
        CancelReason::UserCancelled,
        CancelReason::PeerCancelled,
        CancelReason::WrongJoinCode,
        CancelReason::UnsupportedParameters,
        CancelReason::NonContributoryKey,
        CancelReason::ConnectionLost,
    );

    // 5xxx receipts and rotation
    let (signer, name) = ("signer", LabelField::ContactName);
    push!(out, code:
        ReceiptError::Truncated { field: "magic" },
        ReceiptError::NotAReceipt,
        ReceiptError::UnsupportedVersion { found: 9, supported: 2 },
        ReceiptError::UnsupportedKeyType { role: signer, code: 9 },
        ReceiptError::InvalidKeyLength { role: signer, found: 1, expected: 32 },
        ReceiptError::InvalidKey { role: signer },
        ReceiptError::InvalidLabel { field: name, reason: "empty" },
        ReceiptError::UnknownMethod { code: 99 },
        ReceiptError::UnknownMethodName { name: s() },
        ReceiptError::LegacyMethod { method: VerificationMethod::QrLegacy },
        ReceiptError::UnknownScheme { code: 99 },
        ReceiptError::InvalidDigestLength { len: 1 },
        ReceiptError::InvalidExtension { reason: "x" },
        ReceiptError::TimeOutOfRange { secs: u64::MAX, max: 1 },
        ReceiptError::TrailingBytes { count: 1 },
        ReceiptError::InvalidText { reason: "x" },
        ReceiptError::BadSignature,
        ReceiptError::WrongSigner { expected: bkey(1), found: bkey(2) },
    );
    let old = KeyRole::Old;
    push!(out, code:
        RotationError::Truncated { field: "magic" },
        RotationError::NotARotation,
        RotationError::UnsupportedVersion { found: 9, supported: 1 },
        RotationError::UnsupportedKeyType { role: old, code: 9 },
        RotationError::InvalidKeyLength { role: old, found: 1, expected: 32 },
        RotationError::InvalidKey { role: old },
        RotationError::TrailingBytes { count: 1 },
        RotationError::TimeOutOfRange { secs: u64::MAX, max: 1 },
        RotationError::SameKey { key: bkey(1) },
        RotationError::InvalidText { reason: "x" },
        RotationError::BadSignature { role: old },
        RotationError::ChainBroken { index: 1, expected: bkey(1), found: bkey(2) },
        RotationError::ChainCycle { index: 1, key: bkey(1) },
        RotationError::ChainDoesNotEndAtCurrent { found: bkey(1), current: bkey(2) },
        RotationError::InvalidChainLine {
            line: 1,
            source: Box::new(RotationError::NotARotation),
        },
    );

    // 6xxx trust and names
    let (k1, k2) = (key(1), key(2));
    push!(out, number:
        Refusal::UnknownContact { name: s() },
        Refusal::Tampered { problem: Tamper::MissingReceipt },
        Refusal::NotComparedByPerson,
        Refusal::Mismatch { current: k1, checked: k2 },
        Refusal::KeyChangedNeedsConfirmation { old: k1, new: k2 },
        Refusal::StaleKeyChange { shown_old: k1, shown_new: k2, old: k2, new: k1 },
        Refusal::NoKeyChange,
        Refusal::NotYourReceipt { signer: k1 },
        Refusal::RetiredKey { key: k1, replaced_by: k2 },
        Refusal::ReceiptNotInHistory,
        Refusal::ReceiptNotForCurrentKey { key: k1 },
    );
    push!(out, code:
        NameError::Empty,
        NameError::TooLong { len: 2, max: 1 },
        NameError::SurroundingWhitespace { position: 1, codepoint: ' ' },
        NameError::RepeatedSpace { position: 2 },
        NameError::ControlCharacter { position: 1, codepoint: '\u{7}' },
        NameError::BidiControl { position: 1, codepoint: '\u{202e}' },
        NameError::InvisibleCharacter { position: 1, codepoint: '\u{200b}' },
        NameError::UnusualWhitespace { position: 1, codepoint: '\u{a0}' },
        NameError::PrivateUse { position: 1, codepoint: '\u{e000}' },
        NameError::Unassigned { position: 1, codepoint: '\u{378}' },
        NameError::RepeatedMark { position: 2, codepoint: '\u{301}' },
        NameError::TooManyMarks { position: 5, max: 4 },
        NameError::DotOnDottedLetter { position: 2 },
    );
    push!(out, number:
        HistoryOnlyReason::KeyChangeAlert { old: k1, new: k2 },
        HistoryOnlyReason::NotCurrentKey { current: k1 },
        HistoryOnlyReason::RetiredKey { replaced_by: k2 },
    );

    // 7xxx Signal
    push!(out, code:
        ScannableParseError::Empty,
        ScannableParseError::Truncated { offset: 0 },
        ScannableParseError::InvalidVarint { offset: 0 },
        ScannableParseError::UnexpectedField { offset: 0, field: 9, wire_type: 0, expected: "x" },
        ScannableParseError::MissingVersion,
        ScannableParseError::VersionOutOfRange { value: u64::MAX },
        ScannableParseError::MissingFingerprint { side: FingerprintSide::Local },
        ScannableParseError::WrongFingerprintLength { side: FingerprintSide::Remote, len: 1 },
        ScannableParseError::TrailingBytes { offset: 1, count: 1 },
    );
    push!(out, code:
        ScannableCompareError::VersionMismatch { theirs: 1, ours: 2 },
        ScannableCompareError::Parse(ScannableParseError::Empty),
    );
    push!(out, code:
        SignalKeyError::WrongLength { len: 1 },
        SignalKeyError::WrongPrefix { prefix: 0 },
        SignalKeyError::WrongHexLength { len: 1 },
        SignalKeyError::InvalidHexChar { position: 0, found: 'x' },
    );
    push!(out, code:
        SignalFingerprintError::UnsupportedVersion { version: 9 },
        SignalFingerprintError::IterationsOutOfRange { iterations: 0 },
    );
    out
}

/// Types that exist only with a crate feature that is off in this build.
fn feature_gated(ty: &str) -> bool {
    ty == "QrRenderError" && !cfg!(feature = "qr-render")
}

#[test]
fn the_table_is_well_formed() {
    let table = table();
    // One range of 100 per type, and no two types in the same range.
    let mut range_of: BTreeMap<&str, u16> = BTreeMap::new();
    let mut type_of: BTreeMap<u16, &str> = BTreeMap::new();
    for ((ty, variant), &code) in &table {
        assert!(
            (1001..8000).contains(&code),
            "{ty}::{variant}: code {code} outside 1001..8000"
        );
        assert_ne!(
            code % 100,
            0,
            "{ty}::{variant}: code {code} is a range start (x00)"
        );
        let range = code / 100;
        let first = *range_of.entry(ty).or_insert(range);
        assert_eq!(
            first, range,
            "{ty} has codes in two ranges of 100 ({first}xx and {range}xx)"
        );
        let owner = *type_of.entry(range).or_insert(ty);
        assert_eq!(owner, ty, "{owner} and {ty} share the range {range}xx");
    }
}

#[test]
fn every_variant_has_the_code_in_the_table() {
    let table = table();
    let entries = entries();
    let mut built = BTreeSet::new();
    for e in &entries {
        assert!(
            built.insert((e.ty.clone(), e.variant.clone())),
            "{}::{} built twice in this test",
            e.ty,
            e.variant
        );
        let Some(&expected) = table.get(&(e.ty.clone(), e.variant.clone())) else {
            panic!(
                "{}::{} (code {}) is missing from docs/errors.md",
                e.ty, e.variant, e.code
            );
        };
        assert_eq!(
            e.code, expected,
            "{}::{}: code() differs from docs/errors.md",
            e.ty, e.variant
        );
    }
    for (ty, variant) in table.keys() {
        if feature_gated(ty) {
            continue;
        }
        assert!(
            built.contains(&(ty.clone(), variant.clone())),
            "docs/errors.md lists {ty}::{variant}, which this test does not build (a removed \
             variant, a typo, or a new row without a value here)"
        );
    }
}

/// The values the public API returns carry the same numbers as the variants built above.
#[test]
fn errors_from_the_api_have_their_codes() {
    let table = table();
    let code_of = |ty: &str, variant: &str| table[&(ty.to_owned(), variant.to_owned())];
    let e = JoinCode::parse("").unwrap_err();
    assert_eq!(
        (e.clone(), e.code()),
        (JoinCodeError::Empty, code_of("JoinCodeError", "Empty"))
    );
    let e = SasConfig::default().with_sas_bits(1).unwrap_err();
    assert_eq!(e.code(), code_of("SasConfigError", "SasBitsOutOfRange"));
    let e = SasConfig::default().with_rendering("").unwrap_err();
    assert_eq!(e.code(), code_of("SasConfigError", "Extension"));
    let SasConfigError::Extension(inner) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(inner.code(), code_of("ExtensionError", "BadRendering"));
    let e = Frame::decode(&[]).unwrap_err();
    assert_eq!(e.code(), code_of("DecodeError", "Truncated"));
    let e = PublicKey::parse("").unwrap_err();
    assert_eq!(e.code(), code_of("KeyError", "Empty"));
    let e = "klingon".parse::<Bip39Language>().unwrap_err();
    assert_eq!(e.code(), code_of("UnknownLanguage", NO_VARIANT));
}

/// The `=> NNNN` arms of every numbering method in `src/`, by the `impl` they are in.
fn source_arms() -> Vec<(String, String, u16)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&manifest_dir().join("src"), &mut files);
    let mut arms = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut ty = "";
        let mut inside = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("impl ") {
                ty = rest.split([' ', '<']).next().unwrap_or("");
            }
            let t = line.trim();
            if t.starts_with("pub fn code(") && t.contains(") -> u16")
                || t.starts_with("pub fn number(") && t.contains(") -> u16")
            {
                inside = true;
            } else if inside && line == "    }" {
                inside = false;
            } else if inside && let Some((lhs, rhs)) = t.split_once(" => ") {
                let variant = lhs.trim_start_matches("Self::");
                let variant = variant.split([' ', '(', '{']).next().unwrap_or("");
                let code = rhs.trim_end_matches(',').parse().unwrap_or_else(|_| {
                    panic!(
                        "{}: arm {t:?} is not `Self::Variant => NUMBER,`",
                        file.display()
                    )
                });
                arms.push((ty.to_owned(), variant.to_owned(), code));
            }
        }
    }
    arms
}

#[test]
fn every_code_in_the_source_is_in_the_table() {
    let table = table();
    let arms = source_arms();
    assert!(
        arms.len() > 100,
        "found only {} numbered arms in src/",
        arms.len()
    );
    for (ty, variant, code) in &arms {
        assert_eq!(
            table.get(&(ty.clone(), variant.clone())),
            Some(code),
            "src/ numbers {ty}::{variant} {code}; docs/errors.md does not (add or fix its row)"
        );
    }
    let in_source: BTreeSet<_> = arms
        .iter()
        .map(|(t, v, _)| (t.clone(), v.clone()))
        .collect();
    for (ty, variant) in table.keys() {
        if variant != NO_VARIANT {
            assert!(
                in_source.contains(&(ty.clone(), variant.clone())),
                "docs/errors.md lists {ty}::{variant}, which no numbering method in src/ has"
            );
        }
    }
}
