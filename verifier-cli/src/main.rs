//! The `verifier` command-line tool: identities, safety numbers and (with the
//! other subcommands) QR codes, SAS sessions and the trust store, for scripts.
#![forbid(unsafe_code)]

mod cmd;
mod common;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Key verification that people actually do.
#[derive(Parser, Debug)]
#[command(name = "verifier", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create your identity key (refuses to replace one without --force).
    Keygen(cmd::keygen::Args),
    /// Show your public key and its fingerprint in every rendering.
    Show(cmd::show::Args),
    /// Compute the safety number you and a contact compare.
    SafetyNumber(cmd::safety_number::Args),
    /// The trust store: contacts, their keys, who you verified, key-change alerts.
    Contacts(cmd::contacts::Args),
    /// Export, check (offline) and import signed verification receipts.
    Receipt(cmd::receipt::Args),
    /// Verify a contact interactively: compare a short code over the network.
    Sas {
        #[command(subcommand)]
        command: cmd::sas::SasCommand,
    },
    /// Show your key as a QR code (identity, or pairwise with --for KEY).
    Qr(cmd::qr::Args),
    /// Read QR codes from images: verifier, Signal or foreign codes; check an expected key.
    Scan(cmd::scan::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(a) => cmd::keygen::run(a),
        Command::Show(a) => cmd::show::run(a),
        Command::SafetyNumber(a) => cmd::safety_number::run(a),
        Command::Contacts(a) => cmd::contacts::run(a),
        Command::Receipt(a) => cmd::receipt::run(a),
        Command::Sas { command } => cmd::sas::run(command),
        Command::Qr(a) => cmd::qr::run(a),
        Command::Scan(a) => cmd::scan::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
