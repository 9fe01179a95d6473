//! `verifier show`

use std::path::PathBuf;

use serde_json::json;
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SideFingerprint};

use crate::common::{CliError, CliResult, load_identity, print_json};

/// Arguments of `verifier show`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The identity file (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// Language of the BIP39 words and emoji names (en, es, fr, it, pt, cs, ja, ko, zh-hans, zh-hant).
    #[arg(long, default_value = "en", value_name = "LANG")]
    lang: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let lang: Bip39Language = args
        .lang
        .parse()
        .map_err(|e| CliError::new(format!("--lang: {e}")))?;
    let (id, path) = load_identity(args.identity.as_deref())?;
    let public = id.public_key();
    let fp = SideFingerprint::compute(&Party::new(&public));
    let groups = fp.digit_groups();
    let bip39 = fp.bip39_words(lang);
    let pgp = fp.pgp_words();
    let emoji = fp.emoji(lang.code());
    if args.json {
        print_json(&json!({
            "identity_path": path.display().to_string(),
            "public_key": public.to_canonical_string(),
            "key_type": public.key_type().name(),
            "openssh": public.to_openssh(""),
            "hex": public.to_hex(),
            "fingerprint": {
                "digits": groups.concat(),
                "groups": groups,
                "bip39": bip39,
                "bip39_lang": lang.code(),
                "pgp": pgp,
                "emoji": emoji.iter().map(|(e, n)| json!({"emoji": e, "name": n})).collect::<Vec<_>>(),
            },
        }));
        return Ok(0);
    }
    println!("Identity:    {}", path.display());
    println!("Public key:  {public}");
    println!("OpenSSH:     {}", public.to_openssh(""));
    println!();
    println!("Fingerprint of your key (compare all of it, never just a part):");
    println!("  digits:    {}", groups.join(" "));
    println!("  words:     {}", bip39.join(" "));
    println!("  PGP words: {}", pgp.join(" "));
    let emoji_line: Vec<String> = emoji.iter().map(|(e, n)| format!("{e} {n}")).collect();
    println!("  emoji:     {}", emoji_line.join(", "));
    Ok(0)
}
