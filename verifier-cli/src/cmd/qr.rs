//! `verifier qr`: show your key as a QR code (identity or pairwise mode; `docs/qr-payloads.md`).

use std::path::{Path, PathBuf};

use serde_json::json;
use verifier_core::qr::{
    IdentityCard, Label, Mode, PairwiseCard, Payload, QrMatrix, TerminalStyle,
};

use crate::common::{CliError, CliResult, load_identity, print_json, read_key_arg};

/// Which payload to show.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeArg {
    /// Your key (and optional name): "this is my key".
    Identity,
    /// Your key plus the fingerprint of the key you hold for the person scanning (needs --for).
    Pairwise,
}

/// Arguments of `verifier qr`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The identity file (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// The key you hold for the person who will scan (a key in any accepted form, or a file
    /// holding one). Implies --mode pairwise.
    #[arg(long = "for", value_name = "KEY")]
    for_key: Option<String>,
    /// Payload mode (default: pairwise with --for, else identity).
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// A display name to put in the code (shown to the scanner; never used to decide anything).
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
    /// A stable identifier to put in the code (e.g. a user name; shown, never decisive).
    #[arg(long, value_name = "TEXT")]
    stable_id: Option<String>,
    /// Write the code to FILE.png or FILE.svg (by extension).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Pixels per module in a PNG.
    #[arg(long, default_value_t = 8, value_name = "N")]
    module_px: u32,
    /// Print the code to the terminal (the default when neither --out nor --json is given).
    #[arg(long)]
    terminal: bool,
    /// Draw the dark modules with block characters (for terminals with a light background).
    #[arg(long)]
    dark_on_light: bool,
    /// Print one JSON object describing the code (payload bytes, mode, QR version).
    #[arg(long, conflicts_with = "terminal")]
    json: bool,
}

enum OutFormat {
    Png,
    Svg,
}

fn out_format(path: &Path) -> CliResult<OutFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => Ok(OutFormat::Png),
        Some("svg") => Ok(OutFormat::Svg),
        _ => Err(CliError::new(format!(
            "--out: {} must end in .png or .svg",
            path.display()
        ))),
    }
}

fn label(value: Option<&str>, flag: &str) -> CliResult<Option<Label>> {
    value
        .map(|v| Label::new(v).map_err(|e| CliError::new(format!("{flag}: {e}"))))
        .transpose()
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    // Check the cheap arguments before touching the identity.
    let format = args.out.as_deref().map(out_format).transpose()?;
    let mode = match (args.mode, &args.for_key) {
        (Some(ModeArg::Identity), Some(_)) => {
            return Err(CliError::new(
                "--for KEY makes a pairwise code; drop --for or use --mode pairwise",
            ));
        }
        (Some(ModeArg::Pairwise), None) => {
            return Err(CliError::new(
                "--mode pairwise needs --for KEY: the key you hold for the person who will scan",
            ));
        }
        (Some(m), _) => m,
        (None, Some(_)) => ModeArg::Pairwise,
        (None, None) => ModeArg::Identity,
    };
    let display_name = label(args.name.as_deref(), "--name")?;
    let stable_id = label(args.stable_id.as_deref(), "--stable-id")?;
    let peer = args
        .for_key
        .as_deref()
        .map(|k| read_key_arg(k, "--for"))
        .transpose()?;

    let (id, _) = load_identity(args.identity.as_deref())?;
    let key = id.public_key();
    let payload = match (mode, peer) {
        (ModeArg::Pairwise, Some(peer)) => Payload::Pairwise(PairwiseCard {
            display_name,
            stable_id,
            ..PairwiseCard::new(key, &peer)
        }),
        _ => Payload::Identity(IdentityCard {
            key,
            display_name,
            stable_id,
        }),
    };
    let matrix = QrMatrix::for_payload(&payload).map_err(|e| CliError::new(e.to_string()))?;

    if let (Some(path), Some(format)) = (&args.out, format) {
        let data = match format {
            OutFormat::Png => matrix
                .to_png(args.module_px)
                .map_err(|e| CliError::new(format!("--module-px: {e}")))?,
            OutFormat::Svg => matrix.to_svg().into_bytes(),
        };
        std::fs::write(path, data)
            .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))?;
    }

    let bytes = payload.encode();
    if args.json {
        print_json(&json!({
            "mode": payload.mode().name(),
            "public_key": key.to_canonical_string(),
            "peer_fingerprint_hex": peer_fingerprint_hex(&payload),
            "payload_hex": hex::encode(&bytes),
            "qr_version": matrix.version(),
            "ec_level": "Q",
            "modules": matrix.width(),
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        }));
        return Ok(0);
    }
    if args.terminal || args.out.is_none() {
        let style = if args.dark_on_light {
            TerminalStyle::DarkOnLight
        } else {
            TerminalStyle::LightOnDark
        };
        print!("{}", matrix.to_terminal(style));
        println!(
            "{} code for {key} (QR version {}, level Q)",
            match payload.mode() {
                Mode::Pairwise => "Pairwise",
                _ => "Identity",
            },
            matrix.version()
        );
    }
    if let Some(path) = &args.out {
        eprintln!("wrote {}", path.display());
    }
    Ok(0)
}

/// The peer-key fingerprint a pairwise code carries.
fn peer_fingerprint_hex(payload: &Payload) -> Option<String> {
    match payload {
        Payload::Pairwise(c) => Some(hex::encode(c.peer_fingerprint.as_bytes())),
        _ => None,
    }
}
