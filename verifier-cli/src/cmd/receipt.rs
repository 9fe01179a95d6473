//! `verifier receipt`: export, check (offline) and import signed verification receipts.

use std::io::Write as _;
use std::path::PathBuf;

use serde_json::{Value, json};
use verifier_core::receipt::{Receipt, ReceiptError, ReceiptEvidence};
use verifier_core::trust::HistoryOnlyReason;
use verifier_store::{ImportOutcome, StoreError};

use crate::cmd::contacts::{method_words, open_store, store_err};
use crate::common::{CliError, CliResult, load_own, print_json, read_key_arg, refusal_message};

/// Arguments of `verifier receipt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
    /// Print JSON (one object on one line).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Write the newest receipt of a contact's verification to a file.
    Export {
        /// The contact.
        name: String,
        /// Output file (text form, one line).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        /// The trust store (default: $VERIFIER_STORE, else the platform data dir).
        #[arg(long, value_name = "PATH")]
        store: Option<PathBuf>,
        /// Your identity file: the receipt that counts is the one it signed (default: platform data dir, or $VERIFIER_IDENTITY).
        #[arg(long, value_name = "PATH")]
        identity: Option<PathBuf>,
    },
    /// Check a receipt offline: format, version, key types and signature; shows
    /// the method and the evidence (what was compared).
    Check {
        /// The receipt file (text or binary form).
        file: PathBuf,
        /// Also require that this key signed it (a file or a key string).
        #[arg(long, value_name = "KEY")]
        signer: Option<String>,
    },
    /// Import a receipt signed by your own identity into the trust store.
    Import {
        /// The receipt file (text or binary form).
        file: PathBuf,
        /// Your identity file (default: platform data dir, or $VERIFIER_IDENTITY).
        #[arg(long, value_name = "PATH")]
        identity: Option<PathBuf>,
        /// The trust store (default: $VERIFIER_STORE, else the platform data dir).
        #[arg(long, value_name = "PATH")]
        store: Option<PathBuf>,
    },
}

/// The evidence as JSON: `null` for a version 1 receipt (which records none).
fn evidence_json(e: Option<&ReceiptEvidence>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => json!({
            "scheme": e.scheme().name(),
            "scheme_code": e.scheme().code(),
            "scheme_version": e.scheme_version(),
            "digest": e.digest().map(hex::encode),
            "extensions": e
                .extensions()
                .iter()
                .map(|(kind, value)| json!({ "kind": kind, "value_hex": hex::encode(value) }))
                .collect::<Vec<_>>(),
        }),
    }
}

/// The evidence as indented text lines.
fn print_evidence(version: u8, e: Option<&ReceiptEvidence>) {
    let Some(e) = e else {
        println!("  evidence: none (format version {version} records no evidence)");
        return;
    };
    println!(
        "  evidence: compared {} (scheme version {})",
        e.scheme(),
        e.scheme_version()
    );
    match e.digest() {
        Some(d) => println!("  digest: {}", hex::encode(d)),
        None => println!("  digest: none"),
    }
    for (kind, value) in e.extensions() {
        println!(
            "  extension {kind}: {} ({} bytes)",
            hex::encode(value),
            value.len()
        );
    }
}

fn read_receipt(file: &PathBuf) -> CliResult<Result<Receipt, ReceiptError>> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", file.display())))?;
    Ok(Receipt::decode(&bytes))
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let json = args.json;
    match args.command {
        Sub::Export {
            name,
            out,
            force,
            store,
            identity,
        } => {
            let (_, own) = load_own(identity.as_deref())?;
            let store = open_store(store.as_deref())?;
            // The receipt behind the verification that counts now, never one
            // kept in the history only.
            let receipt = store
                .verified_receipt(&name, &own)
                .map_err(store_err)?
                .ok_or_else(|| {
                    CliError::new(format!(
                        "{name:?} has no verification to export: verify first (verifier contacts verify)"
                    ))
                })?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true);
            if force {
                opts.create(true).truncate(true);
            } else {
                opts.create_new(true);
            }
            let mut f = opts.open(&out).map_err(|e| {
                let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
                    " (pass --force to replace it)"
                } else {
                    ""
                };
                CliError::new(format!("cannot write {}: {e}{hint}", out.display()))
            })?;
            writeln!(f, "{}", receipt.to_text())
                .and_then(|()| f.sync_all())
                .map_err(|e| CliError::new(format!("cannot write {}: {e}", out.display())))?;
            if json {
                print_json(&json!({
                    "name": name,
                    "file": out.display().to_string(),
                    "receipt_id": receipt.id().to_hex(),
                }));
            } else {
                println!(
                    "Wrote receipt {} for {name} to {}.",
                    receipt.id(),
                    out.display()
                );
            }
            Ok(0)
        }
        Sub::Check { file, signer } => {
            let expected = signer
                .as_deref()
                .map(|s| read_key_arg(s, "--signer"))
                .transpose()?;
            let checked = read_receipt(&file)?.and_then(|r| {
                if let Some(k) = &expected {
                    r.check_signer(k)?;
                }
                Ok(r)
            });
            match checked {
                Ok(r) => {
                    let st = r.statement();
                    let method = st.method();
                    if json {
                        print_json(&json!({
                            "valid": true,
                            "version": r.format_version(),
                            "receipt_id": r.id().to_hex(),
                            "signer": r.signer().to_canonical_string(),
                            "signer_checked": expected.is_some(),
                            "key": st.key().to_canonical_string(),
                            "key_type": st.key().key_type().name(),
                            "contact": st.contact_name(),
                            "contact_id": st.contact_id(),
                            "verified_at": st.verified_at().to_rfc3339(),
                            "verified_at_unix": st.verified_at().as_unix_secs(),
                            "method": method.name(),
                            "method_code": method.code(),
                            "method_description": method.description(),
                            "in_person": method.is_in_person(),
                            "evidence": evidence_json(st.evidence()),
                        }));
                    } else {
                        println!(
                            "Valid receipt, format version {} (signature checked):",
                            r.format_version()
                        );
                        println!("  identity {}", r.signer());
                        println!("  verified key {}", st.key());
                        match st.contact_id() {
                            Some(id) => {
                                println!("  of contact {:?} (id {id:?})", st.contact_name())
                            }
                            None => println!("  of contact {:?}", st.contact_name()),
                        }
                        println!(
                            "  at {} by {method} ({})",
                            st.verified_at(),
                            method.description()
                        );
                        print_evidence(r.format_version(), st.evidence());
                        if expected.is_none() {
                            println!(
                                "The signer was not compared with anyone: pass --signer KEY to require a specific identity."
                            );
                        }
                    }
                    Ok(0)
                }
                Err(e) => {
                    if json {
                        print_json(&json!({
                            "valid": false,
                            "error_kind": e.kind(),
                            "error": e.to_string(),
                        }));
                        Ok(1)
                    } else {
                        Err(CliError::new(format!("{}: {e}", file.display())))
                    }
                }
            }
        }
        Sub::Import {
            file,
            identity,
            store,
        } => {
            let (_, own) = load_own(identity.as_deref())?;
            let receipt = read_receipt(&file)?
                .map_err(|e| CliError::new(format!("{}: {e}", file.display())))?;
            let mut store = open_store(store.as_deref())?;
            let name = receipt.statement().contact_name().to_owned();
            let outcome = match store.import_receipt(&receipt, &own, verifier_store::now()) {
                Ok(o) => o,
                Err(StoreError::Refused { refusal }) => {
                    return Err(CliError::new(format!(
                        "{}: not imported: {}",
                        file.display(),
                        refusal_message(&name, &refusal)
                    )));
                }
                Err(e) => return Err(store_err(e)),
            };
            let st = receipt.statement();
            let (status, reason) = match &outcome {
                ImportOutcome::Imported => ("imported", None),
                ImportOutcome::HistoryOnly { reason } => ("history_only", Some(reason)),
                _ => ("already_present", None),
            };
            if json {
                print_json(&json!({
                    "name": name,
                    "receipt_id": receipt.id().to_hex(),
                    "imported": status != "already_present",
                    "status": status,
                    "reason": reason.map(|r| r.code()),
                }));
            } else {
                match reason {
                    None if status == "imported" => {
                        println!("Imported the verification of {name} ({}).", receipt.id())
                    }
                    None => println!("Receipt {} is already in the store.", receipt.id()),
                    Some(HistoryOnlyReason::KeyChangeAlert { old, new }) => {
                        println!(
                            "The key of {name} CHANGED; this receipt does not clear the alert by itself."
                        );
                        println!("  verified before: {old}");
                        println!("  new key:         {new}");
                        println!(
                            "  the receipt:     {} by {} on {}, signed by you (on this or another device)",
                            st.key(),
                            method_words(st.method()),
                            st.verified_at()
                        );
                        println!(
                            "It was stored in {name}'s history. If you trust that check of the NEW key, confirm the key change:"
                        );
                        println!(
                            "  verifier contacts verify {name:?} --from-receipt {} --replaces {old}",
                            receipt.id()
                        );
                    }
                    Some(HistoryOnlyReason::NotCurrentKey { current }) => {
                        println!(
                            "The receipt is about {}, which is not the current key of {name} ({current}); it was stored in the history only.",
                            st.key()
                        );
                    }
                    Some(_) => println!("The receipt was stored in the history only."),
                }
            }
            Ok(0)
        }
    }
}
