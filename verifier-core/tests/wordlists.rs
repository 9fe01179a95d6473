//! Pins every file in `verifier-core/wordlists/` and checks the properties the renderings
//! rely on (see `docs/renderings.md` and `verifier-core/wordlists/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;
use verifier_core::render::emoji::{self, SasEmoji};
use verifier_core::render::parse::{is_separator, normalize_word};
use verifier_core::render::{Bip39Language, PgpParity, pgp};

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("wordlists")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn sha256_hex(rel: &str) -> String {
    let bytes = std::fs::read(path(rel)).unwrap();
    hex::encode(Sha256::digest(bytes))
}

fn lines(rel: &str) -> Vec<String> {
    let text = read(rel);
    assert!(text.ends_with('\n'), "{rel}: no final newline");
    assert!(!text.contains('\r'), "{rel}: CR in file");
    text.lines().map(str::to_owned).collect()
}

/// (language, file, SHA-256 of the file). The BIP39 hashes are the ones
/// published in bitcoin/bips `bip-0039/bip-0039-wordlists.md` (and checked by
/// the `bip39` crate), so these files are byte-identical to upstream.
const BIP39_FILES: [(Bip39Language, &str, &str); 10] = [
    (
        Bip39Language::English,
        "bip39/english.txt",
        "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda",
    ),
    (
        Bip39Language::Spanish,
        "bip39/spanish.txt",
        "46846a5a0139d1e3cb77293e521c2865f7bcdb82c44e8d0a06a2cd0ecba48c0b",
    ),
    (
        Bip39Language::French,
        "bip39/french.txt",
        "ebc3959ab7801a1df6bac4fa7d970652f1df76b683cd2f4003c941c63d517e59",
    ),
    (
        Bip39Language::Italian,
        "bip39/italian.txt",
        "d392c49fdb700a24cd1fceb237c1f65dcc128f6b34a8aacb58b59384b5c648c2",
    ),
    (
        Bip39Language::Portuguese,
        "bip39/portuguese.txt",
        "2685e9c194c82ae67e10ba59d9ea5345a23dc093e92276fc5361f6667d79cd3f",
    ),
    (
        Bip39Language::Czech,
        "bip39/czech.txt",
        "7e80e161c3e93d9554c2efb78d4e3cebf8fc727e9c52e03b83b94406bdcc95fc",
    ),
    (
        Bip39Language::Japanese,
        "bip39/japanese.txt",
        "2eed0aef492291e061633d7ad8117f1a2b03eb80a29d0e4e3117ac2528d05ffd",
    ),
    (
        Bip39Language::Korean,
        "bip39/korean.txt",
        "9e95f86c167de88f450f0aaf89e87f6624a57f973c67b516e338e8e8b8897f60",
    ),
    (
        Bip39Language::ChineseSimplified,
        "bip39/chinese_simplified.txt",
        "5c5942792bd8340cb8b27cd592f1015edf56a8c5b26276ee18a482428e7c5726",
    ),
    (
        Bip39Language::ChineseTraditional,
        "bip39/chinese_traditional.txt",
        "417b26b3d8500a4ae3d59717d7011952db6fc2fb84b807f3f94ac734e89c1b5f",
    ),
];

/// Files copied from `/work/shared/reference/` (with their provenance
/// blocks) and the plain-text files derived from them, which the library
/// embeds.
const OTHER_FILES: [(&str, &str); 5] = [
    (
        "pgp_words.json",
        "018583395370d891c1c60ffbb341391bf0f30c2748d2787ec4825110ec11dd29",
    ),
    (
        "sas_emoji.json",
        "417c9e37a122877939c0aa0d76336f1840f3c9732270fbacd71b658f7d0d2091",
    ),
    (
        "pgp_even.txt",
        "37a65f88512467edd12a1ab3eeb5f4328230e86711a8efde6333361ce10f4fcf",
    ),
    (
        "pgp_odd.txt",
        "c2f23c2233d4d7291107e8f796c374d0cb1fb30c1391bcb4f6480243de8ebf5a",
    ),
    (
        "sas_emoji.tsv",
        "38cdf37cf260b50b4a3bef1c93d47db45bb4cf306f70912e87c7789d2c192527",
    ),
];

#[test]
fn every_file_has_its_pinned_hash() {
    for (_, file, hash) in BIP39_FILES {
        assert_eq!(sha256_hex(file), hash, "{file}");
    }
    for (file, hash) in OTHER_FILES {
        assert_eq!(sha256_hex(file), hash, "{file}");
    }
}

#[test]
fn bip39_lists_have_2048_unique_words_matching_the_library() {
    for (lang, file, _) in BIP39_FILES {
        let words = lines(file);
        assert_eq!(words.len(), 2048, "{file}");
        assert_eq!(words.iter().collect::<HashSet<_>>().len(), 2048, "{file}");
        let normalized: HashSet<String> = words.iter().map(|w| normalize_word(w)).collect();
        assert_eq!(normalized.len(), 2048, "{file}: normalisation merges words");
        for (i, w) in words.iter().enumerate() {
            assert!(!w.is_empty() && w.trim() == w, "{file}:{i}");
            // upstream stores NFKD
            assert_eq!(&w.nfkd().collect::<String>(), w, "{file}:{i} not NFKD");
            assert!(!w.chars().any(is_separator), "{file}:{i} has a separator");
            let nfc: String = w.nfc().collect();
            assert_eq!(lang.word(i as u16), Some(nfc.as_str()), "{file}:{i}");
        }
        assert_eq!(lang.word(2048), None);
    }
}

#[test]
fn bip39_english_is_unique_in_its_first_four_letters() {
    let words = lines("bip39/english.txt");
    let prefixes: HashSet<String> = words.iter().map(|w| w.chars().take(4).collect()).collect();
    assert_eq!(prefixes.len(), 2048);
    assert!(words.iter().all(|w| w.is_ascii() && w.len() >= 3));
}

#[test]
fn pgp_lists_are_complete_and_disjoint() {
    let json: serde_json::Value = serde_json::from_str(&read("pgp_words.json")).unwrap();
    assert!(json["source"]["primary"]["repository"].is_string());
    for (key, file, parity) in [
        ("even", "pgp_even.txt", PgpParity::Even),
        ("odd", "pgp_odd.txt", PgpParity::Odd),
    ] {
        let from_json: Vec<String> = json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let words = lines(file);
        assert_eq!(words, from_json, "{file} differs from pgp_words.json");
        assert_eq!(words.len(), 256);
        let lib: Vec<&str> = pgp::words(parity).collect();
        assert_eq!(lib, words);
        let normalized: HashSet<String> = words.iter().map(|w| normalize_word(w)).collect();
        assert_eq!(normalized.len(), 256, "{file}");
        assert!(words.iter().all(|w| !w.chars().any(is_separator)));
    }
    let even: HashSet<String> = lines("pgp_even.txt")
        .iter()
        .map(|w| normalize_word(w))
        .collect();
    let odd: HashSet<String> = lines("pgp_odd.txt")
        .iter()
        .map(|w| normalize_word(w))
        .collect();
    assert!(even.is_disjoint(&odd));
}

#[test]
fn emoji_table_matches_its_source_and_the_library() {
    let json: serde_json::Value = serde_json::from_str(&read("sas_emoji.json")).unwrap();
    assert!(json["source"]["repository"].is_string());
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 64);
    let tsv = lines("sas_emoji.tsv");
    assert_eq!(tsv.len(), 65);
    let header: Vec<&str> = tsv[0].split('\t').collect();
    assert_eq!(&header[..4], ["number", "emoji", "unicode", "en"]);
    let langs = &header[4..];
    assert_eq!(langs.len(), 32);
    assert_eq!(emoji::languages().len(), 33);
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    let mut emojis = HashSet::new();
    let mut names = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry["number"].as_u64(), Some(i as u64));
        let e = SasEmoji::get(i as u8).unwrap();
        assert_eq!(e.index(), i as u8);
        assert_eq!(e.emoji(), entry["emoji"].as_str().unwrap());
        assert_eq!(e.unicode(), entry["unicode"].as_str().unwrap());
        assert_eq!(e.description_en(), entry["description"].as_str().unwrap());
        // the unicode field spells the emoji's code points
        let spelled: String = e
            .emoji()
            .chars()
            .map(|c| format!("U+{:X}", c as u32))
            .collect();
        assert_eq!(spelled, e.unicode().replace(' ', ""));
        emojis.insert(e.emoji());
        names.insert(e.description_en().to_lowercase());
        let row: Vec<&str> = tsv[i + 1].split('\t').collect();
        assert_eq!(row.len(), 36, "tsv row {i}");
        let tr = entry["translated_descriptions"].as_object().unwrap();
        assert_eq!(tr.len(), 32);
        for (col, lang) in langs.iter().enumerate() {
            match tr[*lang].as_str() {
                Some(t) => {
                    assert_eq!(row[4 + col], t);
                    assert_eq!(e.translated_description(lang), Some(t));
                    assert_eq!(e.description(lang), t);
                }
                None => {
                    assert!(tr[*lang].is_null());
                    assert_eq!(row[4 + col], "");
                    assert_eq!(e.translated_description(lang), None);
                    assert_eq!(e.description(lang), e.description_en());
                    *missing.entry(lang).or_default() += 1;
                }
            }
        }
    }
    assert_eq!(emojis.len(), 64);
    assert_eq!(names.len(), 64);
    assert!(SasEmoji::get(64).is_none());
    // the four incomplete translations, as the source notes say
    let want: BTreeMap<&str, usize> = [("si", 60), ("sq", 1), ("szl", 64), ("tzm", 38)].into();
    assert_eq!(missing, want);
}

/// True if the optimal-string-alignment (restricted Damerau–Levenshtein)
/// distance of `a` and `b` is at most 1. For the threshold 1 this is the
/// same as the unrestricted Damerau–Levenshtein distance: one insertion,
/// deletion, substitution or transposition of two adjacent characters.
fn within_one(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) else {
                return true;
            };
            // one substitution, or one transposition of neighbours
            a[i + 1..] == b[i + 1..]
                || (i + 1 < a.len()
                    && a[i] == b[i + 1]
                    && a[i + 1] == b[i]
                    && a[i + 2..] == b[i + 2..])
        }
        1 => {
            let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

#[test]
fn within_one_is_the_damerau_levenshtein_threshold() {
    let c = |s: &str| s.chars().collect::<Vec<_>>();
    assert!(within_one(&c("act"), &c("art")));
    assert!(within_one(&c("able"), &c("cable")));
    assert!(within_one(&c("kukla"), &c("kulka")));
    assert!(within_one(&c("abc"), &c("abc")));
    assert!(!within_one(&c("abc"), &c("bca")));
    assert!(!within_one(&c("abcd"), &c("ab")));
    assert!(within_one(&c("tuile"), &c("tulie")));
    assert!(!within_one(&c("abcd"), &c("badc")));
    assert!(!within_one(&c("abcd"), &c("axcy")));
    assert!(within_one(&c("tuile"), &c("utile")));
}

/// All pairs (i < j) of a list closer than distance 2 after normalisation,
/// written as "word_i word_j" (NFC) lines.
fn close_pairs(words: &[String]) -> Vec<String> {
    let norm: Vec<Vec<char>> = words
        .iter()
        .map(|w| normalize_word(w).chars().collect())
        .collect();
    let mut out = Vec::new();
    for i in 0..norm.len() {
        for j in i + 1..norm.len() {
            if within_one(&norm[i], &norm[j]) {
                let a: String = words[i].nfc().collect();
                let b: String = words[j].nfc().collect();
                out.push(format!("{a} {b}"));
            }
        }
    }
    out
}

/// Measured: no BIP39 list except the Chinese ones is free of pairs closer
/// than Damerau–Levenshtein 2, so the exact exception sets are pinned in
/// `verifier-core/wordlists/close_pairs/<language>.txt` (and their sizes here).
#[test]
fn bip39_close_pairs_are_exactly_the_pinned_exceptions() {
    let expected_sizes: BTreeMap<&str, usize> = [
        ("english", 812),
        ("spanish", 742),
        ("french", 2),
        ("italian", 22),
        ("portuguese", 4),
        ("czech", 5),
        ("japanese", 2844),
        ("korean", 706),
    ]
    .into();
    for (lang, file, _) in BIP39_FILES {
        let words = lines(file);
        let pairs = close_pairs(&words);
        if lang.is_one_char_per_word() {
            // one-character words: every two words differ by one substitution
            assert!(words.iter().all(|w| w.chars().count() == 1));
            assert_eq!(pairs.len(), 2048 * 2047 / 2, "{file}");
            continue;
        }
        let name = file.trim_start_matches("bip39/").trim_end_matches(".txt");
        let pinned = lines(&format!("close_pairs/{name}.txt"));
        let got: BTreeSet<&String> = pairs.iter().collect();
        let want: BTreeSet<&String> = pinned.iter().collect();
        let new: Vec<_> = got.difference(&want).collect();
        let gone: Vec<_> = want.difference(&got).collect();
        assert!(
            new.is_empty() && gone.is_empty(),
            "{file}: new {new:?}, gone {gone:?}"
        );
        assert_eq!(pairs, pinned, "{file}: order");
        assert_eq!(Some(&pairs.len()), expected_sizes.get(name), "{file}");
    }
}

#[test]
fn the_small_exception_sets_are_these() {
    let c = |name: &str| lines(&format!("close_pairs/{name}.txt"));
    assert_eq!(c("french"), ["cirer crier", "tuile utile"]);
    assert_eq!(
        c("portuguese"),
        [
            "acalmar aclamar",
            "acusador causador",
            "perfeito prefeito",
            "tiragem triagem"
        ]
    );
    assert_eq!(
        c("czech"),
        [
            "dopad odpad",
            "dopis odpis",
            "dopustit odpustit",
            "kukla kulka",
            "sunout usnout"
        ]
    );
}

#[test]
fn pgp_lists_have_no_close_pairs_within_a_list_and_one_across() {
    let even = lines("pgp_even.txt");
    let odd = lines("pgp_odd.txt");
    assert!(close_pairs(&even).is_empty());
    assert!(close_pairs(&odd).is_empty());
    let mut both = even.clone();
    both.extend(odd);
    assert_eq!(close_pairs(&both), ["revenge revenue"]);
    assert!(even.contains(&"revenge".to_owned()));
}
