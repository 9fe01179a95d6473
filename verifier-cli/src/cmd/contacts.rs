//! `verifier contacts`: the trust store (who was verified, which keys were seen).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use verifier_core::key::PublicKey;
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::store::{
    ContactSummary, Event, EventKind, KeyRecord, ObserveOutcome, Store, StoreError, TrustStatus,
};

use crate::common::{CliError, CliResult, load_identity, print_json, read_key_arg};

/// Exit code of `contacts observe` when the key differs from the one seen before.
pub const EXIT_KEY_CHANGED: u8 = 3;

/// Arguments of `verifier contacts`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
    /// The trust store (default: $VERIFIER_STORE, else the platform data dir).
    #[arg(long, value_name = "PATH", global = true)]
    store: Option<PathBuf>,
    /// Print JSON (one value on one line).
    #[arg(long, global = true)]
    json: bool,
}

/// How a key was verified, on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Scanned their QR code in person, with a camera (recorded as `qr-camera`).
    Qr,
    /// Completed a SAS (short code) session.
    Sas,
    /// Compared the safety number.
    Number,
    /// Compared the full key by other means.
    Manual,
}

impl From<Method> for VerificationMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Qr => VerificationMethod::QrCamera,
            Method::Sas => VerificationMethod::SasSession,
            Method::Number => VerificationMethod::SafetyNumber,
            Method::Manual => VerificationMethod::Manual,
        }
    }
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Add a contact with the key it uses now.
    Add {
        /// Display name (unique in the store).
        name: String,
        /// Their key: a file or a key string (any accepted form).
        key: String,
        /// A stable identifier (e.g. an account or phone number), unique in the store.
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// List contacts with their status (verified, unverified, key_changed).
    List,
    /// Show a contact's status, keys and history.
    Show {
        /// The contact.
        name: String,
    },
    /// Record that you verified the contact's current key; stores a signed receipt.
    Verify {
        /// The contact.
        name: String,
        /// How you verified it.
        #[arg(long, value_enum, default_value_t = Method::Manual)]
        method: Method,
        /// The key you compared; refused unless it is the contact's current key.
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Your identity file, which signs the receipt (default: platform data dir, or $VERIFIER_IDENTITY).
        #[arg(long, value_name = "PATH")]
        identity: Option<PathBuf>,
    },
    /// Record a key seen for the contact; exits 3 if it differs from the one seen before.
    Observe {
        /// The contact.
        name: String,
        /// The key seen: a file or a key string.
        key: String,
    },
    /// Accept a changed key WITHOUT verifying it: the contact becomes unverified.
    Accept {
        /// The contact.
        name: String,
        /// The new key, exactly as shown by `contacts show` (it must be the current key).
        key: String,
    },
    /// Delete a contact with its keys, verifications and history.
    Forget {
        /// The contact.
        name: String,
    },
}

/// Opens the store at `--store`, `$VERIFIER_STORE` or the platform data dir.
pub fn open_store(flag: Option<&Path>) -> CliResult<Store> {
    let path = match flag {
        Some(p) => p.to_owned(),
        None => Store::default_path().map_err(store_err)?,
    };
    Store::open(&path).map_err(store_err)
}

/// A store error as a CLI error (exit code 1).
pub fn store_err(e: StoreError) -> CliError {
    CliError::new(e.to_string())
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let mut store = open_store(args.store.as_deref())?;
    let now = Timestamp::now();
    let json = args.json;
    match args.command {
        Sub::Add { name, key, id } => {
            let key = read_key_arg(&key, "KEY")?;
            store
                .add_contact_with_key(&name, id.as_deref(), &key, now)
                .map_err(store_err)?;
            let c = store.contact(&name).map_err(store_err)?;
            if json {
                print_json(&summary_json(&c));
            } else {
                println!("Added {name} with key {key} (unverified).");
                println!(
                    "Compare keys with them, then: verifier contacts verify {name:?} --method …"
                );
            }
            Ok(0)
        }
        Sub::List => {
            let all = store.list().map_err(store_err)?;
            if json {
                print_json(&Value::Array(all.iter().map(summary_json).collect()));
            } else if all.is_empty() {
                println!("No contacts.");
            } else {
                for c in &all {
                    println!("{:<12} {}", status_label(&c.status), c.name);
                }
            }
            Ok(0)
        }
        Sub::Show { name } => {
            let c = store.contact(&name).map_err(store_err)?;
            let keys = store.keys(&name).map_err(store_err)?;
            let history = store.history(&name).map_err(store_err)?;
            if json {
                let mut v = summary_json(&c);
                if let Some(map) = v.as_object_mut() {
                    map.insert(
                        "keys".into(),
                        Value::Array(keys.iter().map(key_json).collect()),
                    );
                    map.insert(
                        "history".into(),
                        Value::Array(history.iter().map(event_json).collect()),
                    );
                }
                print_json(&v);
            } else {
                print_show(&c, &keys, &history);
            }
            Ok(0)
        }
        Sub::Verify {
            name,
            method,
            key,
            identity,
        } => {
            let (me, _) = load_identity(identity.as_deref())?;
            let current = store
                .contact(&name)
                .map_err(store_err)?
                .current_key
                .ok_or_else(|| {
                    CliError::new(format!(
                        "{name:?} has no key yet: record one with `verifier contacts observe`"
                    ))
                })?;
            if let Some(k) = key {
                let given = read_key_arg(&k, "--key")?;
                if given != current {
                    return Err(CliError::new(format!(
                        "--key {given} is not the current key of {name:?} ({current}); nothing was recorded"
                    )));
                }
            }
            let receipt = store
                .mark_verified(&name, &current, method.into(), &me, now)
                .map_err(store_err)?;
            if json {
                print_json(&json!({
                    "name": name,
                    "key": current.to_canonical_string(),
                    "status": "verified",
                    "method": VerificationMethod::from(method).name(),
                    "verified_at": now.to_rfc3339(),
                    "receipt_id": receipt.id().to_hex(),
                    "receipt": receipt.to_text(),
                }));
            } else {
                println!(
                    "Verified {name}: key {current} ({}).",
                    VerificationMethod::from(method)
                );
                println!(
                    "Receipt {} stored; export it with `verifier receipt export`.",
                    receipt.id()
                );
            }
            Ok(0)
        }
        Sub::Observe { name, key } => {
            let key = read_key_arg(&key, "KEY")?;
            let outcome = store.observe_key(&name, &key, now).map_err(store_err)?;
            let trust = store.status(&name).map_err(store_err)?;
            let (status, code) = match &outcome {
                ObserveOutcome::Unchanged => ("unchanged", 0),
                ObserveOutcome::FirstSeen => ("first_seen", 0),
                _ => ("key_changed", EXIT_KEY_CHANGED),
            };
            if json {
                let mut v = json!({
                    "name": name,
                    "key": key.to_canonical_string(),
                    "status": status,
                    "trust": trust.name(),
                });
                if let (
                    ObserveOutcome::Changed {
                        previous,
                        was_verified,
                    },
                    Some(map),
                ) = (&outcome, v.as_object_mut())
                {
                    map.insert("previous_key".into(), json!(previous.to_canonical_string()));
                    map.insert("previous_was_verified".into(), json!(was_verified));
                }
                print_json(&v);
            } else {
                match &outcome {
                    ObserveOutcome::Unchanged => {
                        println!("{name}: key unchanged ({}).", status_label(&trust))
                    }
                    ObserveOutcome::FirstSeen => {
                        println!("{name}: first key recorded (unverified).")
                    }
                    ObserveOutcome::Changed {
                        previous,
                        was_verified,
                    } => {
                        println!("WARNING: the key of {name} CHANGED.");
                        println!(
                            "  before: {previous}{}",
                            if *was_verified {
                                " (verified by you)"
                            } else {
                                ""
                            }
                        );
                        println!("  now:    {key}");
                        if matches!(trust, TrustStatus::KeyChanged { .. }) {
                            println!(
                                "Someone may be intercepting. Verify the new key with {name} in person"
                            );
                            println!(
                                "before trusting it (verifier contacts verify), or accept it knowingly"
                            );
                            println!("(verifier contacts accept).");
                        }
                    }
                    _ => println!("{name}: {status}"),
                }
            }
            Ok(code)
        }
        Sub::Accept { name, key } => {
            let key = read_key_arg(&key, "KEY")?;
            store.accept_key(&name, &key, now).map_err(store_err)?;
            if json {
                print_json(
                    &json!({"name": name, "key": key.to_canonical_string(), "status": "unverified"}),
                );
            } else {
                println!(
                    "Accepted the new key of {name} WITHOUT verification: {name} is now unverified."
                );
            }
            Ok(0)
        }
        Sub::Forget { name } => {
            store.forget(&name).map_err(store_err)?;
            if json {
                print_json(&json!({"name": name, "forgotten": true}));
            } else {
                println!("Forgot {name}.");
            }
            Ok(0)
        }
    }
}

fn status_label(s: &TrustStatus) -> &'static str {
    match s {
        TrustStatus::Verified { .. } => "verified",
        TrustStatus::KeyChanged { .. } => "KEY CHANGED",
        _ => "unverified",
    }
}

fn summary_json(c: &ContactSummary) -> Value {
    let mut v = json!({
        "name": c.name,
        "id": c.stable_id,
        "status": c.status.name(),
        "key": c.current_key.as_ref().map(PublicKey::to_canonical_string),
    });
    if let Some(map) = v.as_object_mut() {
        match &c.status {
            TrustStatus::Verified { since, method } => {
                map.insert("verified_since".into(), json!(since.to_rfc3339()));
                map.insert("method".into(), json!(method.name()));
            }
            TrustStatus::KeyChanged {
                previous_verified_key,
                since,
            } => {
                map.insert(
                    "previous_verified_key".into(),
                    json!(previous_verified_key.to_canonical_string()),
                );
                map.insert("changed_since".into(), json!(since.to_rfc3339()));
            }
            _ => {}
        }
    }
    v
}

fn key_json(k: &KeyRecord) -> Value {
    json!({
        "key": k.key.to_canonical_string(),
        "first_seen": k.first_seen.to_rfc3339(),
        "last_seen": k.last_seen.to_rfc3339(),
        "current": k.current,
        "ever_verified": k.ever_verified,
    })
}

fn event_json(e: &Event) -> Value {
    let mut v = json!({"at": e.at.to_rfc3339(), "event": e.kind.name()});
    let Some(map) = v.as_object_mut() else {
        return v;
    };
    let mut put = |k: &str, val: Value| {
        map.insert(k.to_owned(), val);
    };
    match &e.kind {
        EventKind::KeyFirstSeen { key } | EventKind::KeyAccepted { key } => {
            put("key", json!(key.to_canonical_string()));
        }
        EventKind::KeyChanged { from, to } => {
            put("from", json!(from.to_canonical_string()));
            put("key", json!(to.to_canonical_string()));
        }
        EventKind::Verified {
            key,
            method,
            receipt,
        }
        | EventKind::ReceiptImported {
            key,
            method,
            receipt,
        } => {
            put("key", json!(key.to_canonical_string()));
            put("method", json!(method.name()));
            put("receipt_id", json!(receipt.to_hex()));
        }
        _ => {}
    }
    v
}

fn print_show(c: &ContactSummary, keys: &[KeyRecord], history: &[Event]) {
    println!("Contact:  {}", c.name);
    if let Some(id) = &c.stable_id {
        println!("Id:       {id}");
    }
    match &c.status {
        TrustStatus::Verified { since, method } => {
            println!("Status:   verified ({method}, {since})");
        }
        TrustStatus::KeyChanged {
            previous_verified_key,
            since,
        } => {
            println!("Status:   KEY CHANGED since {since}");
            println!("          you had verified {previous_verified_key}");
            println!("          verify the new key in person, or accept it knowingly");
        }
        _ => println!("Status:   unverified"),
    }
    match &c.current_key {
        Some(k) => println!("Key:      {k}"),
        None => println!("Key:      (none seen yet)"),
    }
    println!();
    println!("Keys seen:");
    for k in keys {
        println!(
            "  {}{} first {} last {}{}",
            if k.current { "* " } else { "  " },
            k.key,
            k.first_seen,
            k.last_seen,
            if k.ever_verified { " (verified)" } else { "" }
        );
    }
    println!();
    println!("History:");
    for e in history {
        let detail = match &e.kind {
            EventKind::ContactAdded => "contact added".to_owned(),
            EventKind::KeyFirstSeen { key } => format!("first key {key}"),
            EventKind::KeyChanged { from, to } => format!("key changed {from} -> {to}"),
            EventKind::Verified { key, method, .. } => format!("verified {key} ({method})"),
            EventKind::ReceiptImported { key, method, .. } => {
                format!("imported receipt for {key} ({method})")
            }
            EventKind::KeyAccepted { key } => format!("accepted {key} without verifying"),
            _ => e.kind.name().to_owned(),
        };
        println!("  {}  {detail}", e.at);
    }
}
