//! `verifier safety-number`

use std::path::PathBuf;

use serde_json::json;
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SafetyNumber};
use verifier_core::signal::{NumericFingerprint, SignalIdentityKey};

use crate::common::{CliError, CliResult, load_identity, parse_id_arg, print_json, read_key_arg};

/// Which safety-number scheme to compute.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Our scheme v1 (stretched BLAKE3, typed keys; docs/safety-numbers.md).
    Verifier,
    /// Byte-exact with Signal (keys: 66 hex chars of a 33-byte 0x05-prefixed Curve25519 key).
    Signal,
}

/// Which word list to show.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Words {
    /// BIP39 (11 bits per word; any of 10 languages with --lang).
    Bip39,
    /// The PGP word list (8 bits per word; suits reading aloud).
    Pgp,
}

/// Arguments of `verifier safety-number`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The contact's key: a file or a key string (any accepted form).
    #[arg(long, value_name = "KEY")]
    theirs: String,
    /// Your key (default: the public key of your identity).
    #[arg(long, value_name = "KEY", conflicts_with = "identity")]
    ours: Option<String>,
    /// Your identity file (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// Your stable identifier (UTF-8 text, or hex:… for raw bytes).
    #[arg(long, value_name = "ID")]
    ours_id: Option<String>,
    /// The contact's stable identifier (UTF-8 text, or hex:… for raw bytes).
    #[arg(long, value_name = "ID")]
    theirs_id: Option<String>,
    /// Scheme to compute.
    #[arg(long, value_enum, default_value_t = Scheme::Verifier)]
    scheme: Scheme,
    /// Hash iterations (signal scheme only; default 5200).
    #[arg(long, value_name = "N")]
    iterations: Option<u32>,
    /// Scannable-fingerprint version (signal scheme only).
    #[arg(long, value_name = "1|2", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
    signal_version: u32,
    /// Word list for the word rendering.
    #[arg(long, value_enum, default_value_t = Words::Bip39)]
    words: Words,
    /// Language of the BIP39 words (en, es, fr, it, pt, cs, ja, ko, zh-hans, zh-hant).
    #[arg(long, default_value = "en", value_name = "LANG")]
    lang: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

struct Output {
    scheme: &'static str,
    groups: Vec<String>,
    words: Vec<String>,
    scannable_hex: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let lang: Bip39Language = args
        .lang
        .parse()
        .map_err(|e| CliError::new(format!("--lang: {e}")))?;
    if args.words == Words::Pgp && args.lang != "en" {
        return Err(CliError::new(
            "--lang applies to BIP39 words only; the PGP word list is English",
        ));
    }
    let ours_id = args
        .ours_id
        .as_deref()
        .map(|s| parse_id_arg(s, "--ours-id"))
        .transpose()?;
    let theirs_id = args
        .theirs_id
        .as_deref()
        .map(|s| parse_id_arg(s, "--theirs-id"))
        .transpose()?;
    let out = match args.scheme {
        Scheme::Verifier => verifier_scheme(&args, lang, ours_id, theirs_id)?,
        Scheme::Signal => signal_scheme(&args, lang, ours_id, theirs_id)?,
    };
    let word_list = match args.words {
        Words::Bip39 => "bip39",
        Words::Pgp => "pgp",
    };
    if args.json {
        let mut obj = json!({
            "scheme": out.scheme,
            "digits": out.groups.concat(),
            "groups": out.groups,
            "words": out.words,
            "word_list": word_list,
            "lang": if args.words == Words::Bip39 { lang.code() } else { "en" },
        });
        if let (Some(h), Some(map)) = (out.scannable_hex, obj.as_object_mut()) {
            map.insert("scannable_hex".to_owned(), json!(h));
        }
        print_json(&obj);
        return Ok(0);
    }
    println!("Safety number ({}):", out.scheme);
    for row in out.groups.chunks(4) {
        println!("  {}", row.join(" "));
    }
    println!();
    println!("As words ({word_list}):");
    for row in out.words.chunks(6) {
        println!("  {}", row.join(" "));
    }
    if let Some(h) = out.scannable_hex {
        println!();
        println!("Scannable fingerprint (ours): {h}");
    }
    println!();
    println!(
        "Compare ALL of it with your contact; if any group differs, you are not talking to their real key."
    );
    Ok(0)
}

fn verifier_scheme(
    args: &Args,
    lang: Bip39Language,
    ours_id: Option<Vec<u8>>,
    theirs_id: Option<Vec<u8>>,
) -> CliResult<Output> {
    if args.iterations.is_some() {
        return Err(CliError::new(
            "--iterations applies to --scheme signal only: the verifier scheme's stretching is fixed by its version (docs/safety-numbers.md)",
        ));
    }
    let theirs = read_key_arg(&args.theirs, "--theirs")?;
    let ours = match &args.ours {
        Some(k) => read_key_arg(k, "--ours")?,
        None => load_identity(args.identity.as_deref())?.0.public_key(),
    };
    let ours_party = Party {
        key: &ours,
        id: ours_id.as_deref(),
    };
    let theirs_party = Party {
        key: &theirs,
        id: theirs_id.as_deref(),
    };
    let number = SafetyNumber::new(&ours_party, &theirs_party);
    let words = match args.words {
        Words::Bip39 => number.bip39_words(lang),
        Words::Pgp => number.pgp_words(),
    };
    Ok(Output {
        scheme: "verifier",
        groups: number.digit_groups(),
        words: words.into_iter().map(str::to_owned).collect(),
        scannable_hex: None,
    })
}

fn signal_scheme(
    args: &Args,
    lang: Bip39Language,
    ours_id: Option<Vec<u8>>,
    theirs_id: Option<Vec<u8>>,
) -> CliResult<Output> {
    let parse_key = |s: &str, what: &str| {
        let text = match std::path::Path::new(s).is_file() {
            true => std::fs::read_to_string(s)
                .map_err(|e| CliError::new(format!("{what}: cannot read {s}: {e}")))?
                .trim()
                .to_owned(),
            false => s.trim().to_owned(),
        };
        SignalIdentityKey::parse_hex(&text).map_err(|e| {
            CliError::new(format!(
                "{what}: the signal scheme needs 66 hex characters of a 33-byte 0x05-prefixed Curve25519 key: {e}"
            ))
        })
    };
    let theirs = parse_key(&args.theirs, "--theirs")?;
    let ours = match &args.ours {
        Some(k) => parse_key(k, "--ours")?,
        None => {
            return Err(CliError::new(
                "--scheme signal needs --ours with your 33-byte Signal identity key (66 hex characters); your verifier identity is an Ed25519 key, not a Signal key",
            ));
        }
    };
    let iterations = args
        .iterations
        .unwrap_or(verifier_core::signal::DEFAULT_ITERATIONS);
    let (ours_id, theirs_id) = (
        ours_id.as_deref().unwrap_or_default(),
        theirs_id.as_deref().unwrap_or_default(),
    );
    let fp = NumericFingerprint::new(
        args.signal_version,
        iterations,
        ours_id,
        &ours,
        theirs_id,
        &theirs,
    )
    .map_err(|e| CliError::new(format!("signal safety number: {e}")))?;
    let words = signal_words(
        iterations,
        (ours_id, &ours),
        (theirs_id, &theirs),
        args.words,
        lang,
    )?;
    let display = fp.display_string();
    let groups = display
        .as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Ok(Output {
        scheme: "signal",
        groups,
        words,
        scannable_hex: Some(hex::encode(fp.scannable().to_bytes())),
    })
}

/// Words for a Signal safety number (our extension, docs/signal-compat.md):
/// each party's hash, ordered like the digits, shown as 10 BIP39 words
/// (110 bits) or 13 PGP words (104 bits) per party; with 5200 iterations
/// (12.3 bits) both stay above 2^112 work per side.
fn signal_words(
    iterations: u32,
    ours: (&[u8], &SignalIdentityKey),
    theirs: (&[u8], &SignalIdentityKey),
    list: Words,
    lang: Bip39Language,
) -> CliResult<Vec<String>> {
    use verifier_core::render;
    use verifier_core::signal::{party_digits, party_hash};
    let hash = |(id, key): (&[u8], &SignalIdentityKey)| {
        party_hash(iterations, id, key)
            .map_err(|e| CliError::new(format!("signal safety number: {e}")))
    };
    let (a, b) = (hash(ours)?, hash(theirs)?);
    let (first, second) = if party_digits(&a) <= party_digits(&b) {
        (a, b)
    } else {
        (b, a)
    };
    let words = match list {
        Words::Bip39 => {
            let mut idx = Vec::with_capacity(20);
            for h in [&first, &second] {
                idx.extend(
                    render::bits::bytes_to_indices(h, render::bip39::BITS_PER_WORD, 10)
                        .map_err(|e| CliError::new(e.to_string()))?,
                );
            }
            render::bip39::words_from_indices(&idx, lang)
                .map_err(|e| CliError::new(e.to_string()))?
        }
        Words::Pgp => {
            let bytes: Vec<u8> = [first.get(..13), second.get(..13)]
                .into_iter()
                .flatten()
                .flatten()
                .copied()
                .collect();
            render::pgp::words_from_bytes(&bytes)
        }
    };
    Ok(words.into_iter().map(str::to_owned).collect())
}
