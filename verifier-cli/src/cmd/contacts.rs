//! `verifier contacts`: the trust store (who was verified, which keys were seen).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::receipt::{ReceiptId, VerificationMethod};
use verifier_core::trust::{Evidence, Intent, OwnKeys, Refusal};
use verifier_store::{
    ContactSummary, Event, EventKind, KeyRecord, ObserveOutcome, Store, StoreError, TrustStatus,
};

use crate::common::{CliError, CliResult, load_own, print_json, read_key_arg, refusal_message};

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
    /// Your identity file: statuses are read from receipts it signed (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH", global = true)]
    identity: Option<PathBuf>,
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
        /// Add the contact even though its name looks like an existing contact's
        /// (e.g. "rn" and "m", Latin and Cyrillic "a"): only if it is a different person.
        #[arg(long)]
        allow_lookalike: bool,
    },
    /// List contacts with their status (verified, unverified, key_changed).
    List,
    /// Show a contact's status, keys and history.
    Show {
        /// The contact.
        name: String,
    },
    /// Record that you checked the contact's key yourself (e.g. compared the
    /// full key with them); the trust engine decides, and a signed receipt is stored.
    /// After a key change, only the key-change flow (`--replaces OLD`) records the new key.
    #[command(group(clap::ArgGroup::new("checked").required(true).args(["key", "from_receipt"])))]
    Verify {
        /// The contact.
        name: String,
        /// The key you compared with the contact (a manual check of exactly this key).
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Key-change flow: the key you had verified before, as `contacts show` lists it.
        #[arg(long, value_name = "OLD_KEY")]
        replaces: Option<String>,
        /// Key-change flow with a receipt of yours in the contact's history (its id, from
        /// `contacts show`): you reviewed its method and date beside the old and new keys.
        #[arg(long, value_name = "RECEIPT_ID")]
        from_receipt: Option<String>,
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

/// Loads the user's identity and own keys for reading statuses.
fn own(flag: Option<&Path>) -> CliResult<(Identity, OwnKeys)> {
    load_own(flag).map_err(|e| {
        CliError::new(format!(
            "{}\nStatuses are read from receipts signed by your identity; create one with `verifier keygen` or pass --identity PATH.",
            e.message
        ))
    })
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let mut store = open_store(args.store.as_deref())?;
    let now = verifier_store::now();
    let json = args.json;
    let identity = args.identity.as_deref();
    match args.command {
        Sub::Add {
            name,
            key,
            id,
            allow_lookalike,
        } => {
            let key = read_key_arg(&key, "KEY")?;
            if allow_lookalike {
                store.add_contact_allowing_lookalike(&name, id.as_deref(), Some(&key), now)
            } else {
                store.add_contact_with_key(&name, id.as_deref(), &key, now)
            }
            .map_err(store_err)?;
            if json {
                let v = match load_own(identity) {
                    Ok((_, own)) => summary_json(&store.contact(&name, &own).map_err(store_err)?),
                    Err(_) => {
                        json!({"name": name, "id": id, "status": "unverified", "key": key.to_canonical_string()})
                    }
                };
                print_json(&v);
            } else {
                println!("Added {name} with key {key} (unverified).");
                println!(
                    "Compare the key with them (scan their code, a live session, or the full key), then record it:"
                );
                println!("  verifier contacts verify {name:?} --key KEY");
            }
            Ok(0)
        }
        Sub::List => {
            let (_, own) = own(identity)?;
            let all = store.list(&own).map_err(store_err)?;
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
            let (_, own) = own(identity)?;
            let c = store.contact(&name, &own).map_err(store_err)?;
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
            key,
            replaces,
            from_receipt,
        } => {
            let (me, own) = own(identity)?;
            let replaces = replaces
                .map(|k| read_key_arg(&k, "--replaces"))
                .transpose()?;
            let evidence = match (key, from_receipt) {
                (Some(k), _) => Evidence::manual_assertion(read_key_arg(&k, "--key")?),
                (None, Some(id)) => {
                    let id = ReceiptId::from_hex(&id).ok_or_else(|| {
                        CliError::new(format!(
                            "--from-receipt: `{id}` is not a receipt id (64 hex characters, as `contacts show` lists them)"
                        ))
                    })?;
                    let receipt = store.receipt(&id).map_err(store_err)?.ok_or_else(|| {
                        CliError::new(format!("no receipt {id} in the trust store"))
                    })?;
                    if !json {
                        let st = receipt.statement();
                        println!(
                            "Receipt {id}: {} verified {} ({}) on {}.",
                            st.contact_name(),
                            st.key(),
                            method_words(st.method()),
                            st.verified_at()
                        );
                    }
                    match store.review_receipt(&name, &id, &own) {
                        Ok(e) => e,
                        Err(StoreError::Refused { refusal }) => {
                            return refused(json, &name, &refusal);
                        }
                        Err(e) => return Err(store_err(e)),
                    }
                }
                (None, None) => {
                    return Err(CliError::new(
                        "say which key you checked: --key KEY (or --from-receipt ID in the key-change flow)",
                    ));
                }
            };
            let intent = match &replaces {
                Some(old) => Intent::ConfirmKeyChange {
                    old: *old,
                    new: *evidence.key(),
                },
                None => Intent::Verify,
            };
            let done = match store.verify(&name, evidence, intent, &me, &own, now) {
                Ok(done) => done,
                Err(StoreError::Refused { refusal }) => return refused(json, &name, &refusal),
                Err(e) => return Err(store_err(e)),
            };
            let st = done.receipt.statement();
            if json {
                print_json(&json!({
                    "name": done.contact,
                    "key": st.key().to_canonical_string(),
                    "status": "verified",
                    "method": st.method().name(),
                    "replaced": done.replaced.as_ref().map(PublicKey::to_canonical_string),
                    "verified_at": st.verified_at().to_rfc3339(),
                    "receipt_id": done.receipt.id().to_hex(),
                    "receipt": done.receipt.to_text(),
                }));
            } else {
                if let Some(old) = &done.replaced {
                    println!("Key change confirmed for {}:", done.contact);
                    println!("  before: {old}");
                    println!("  now:    {}", st.key());
                }
                println!(
                    "Verified {}: key {} ({}).",
                    done.contact,
                    st.key(),
                    method_words(st.method())
                );
                println!(
                    "Receipt {} stored; export it with `verifier receipt export`.",
                    done.receipt.id()
                );
            }
            Ok(0)
        }
        Sub::Observe { name, key } => {
            let key = read_key_arg(&key, "KEY")?;
            let outcome = store.observe_key(&name, &key, now).map_err(store_err)?;
            let trust = match load_own(identity) {
                Ok((_, own)) => Some(store.status(&name, &own).map_err(store_err)?),
                Err(_) => None,
            };
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
                    "trust": trust.as_ref().map(TrustStatus::name),
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
                // The key the person verified (for --replaces), also after several changes.
                if let (
                    Some(TrustStatus::KeyChanged {
                        previous_verified_key,
                        ..
                    }),
                    Some(map),
                ) = (&trust, v.as_object_mut())
                {
                    map.insert(
                        "previous_verified_key".into(),
                        json!(previous_verified_key.to_canonical_string()),
                    );
                }
                print_json(&v);
            } else {
                match &outcome {
                    ObserveOutcome::Unchanged => match &trust {
                        Some(t) => println!("{name}: key unchanged ({}).", status_label(t)),
                        None => println!("{name}: key unchanged."),
                    },
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
                        // The key the person verified, from the engine (it may be older than
                        // `before` when the key changed more than once).
                        let verified_before = match &trust {
                            Some(TrustStatus::KeyChanged {
                                previous_verified_key,
                                ..
                            }) => Some(*previous_verified_key),
                            _ if *was_verified => Some(*previous),
                            _ => None,
                        };
                        if let Some(old) = verified_before {
                            if old != *previous {
                                println!("  you had verified: {old}");
                            }
                            println!(
                                "A new phone or a reinstall changes the key; so does someone intercepting."
                            );
                            println!(
                                "Check the NEW key with {name} themselves, then record it with the key-change flow:"
                            );
                            println!(
                                "  verifier contacts verify {name:?} --key NEW --replaces {old}"
                            );
                            println!(
                                "or accept it knowingly WITHOUT verifying (verifier contacts accept)."
                            );
                        }
                    }
                    _ => println!("{name}: {status}"),
                }
            }
            Ok(code)
        }
        Sub::Accept { name, key } => {
            let (_, own) = own(identity)?;
            let key = read_key_arg(&key, "KEY")?;
            match store.accept_key(&name, &key, &own, now) {
                Ok(()) => {}
                Err(StoreError::Refused { refusal }) => return refused(json, &name, &refusal),
                Err(e) => return Err(store_err(e)),
            }
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

/// Reports a trust-engine refusal: exit 3 when the key changed and needs the
/// key-change flow, 1 otherwise.
fn refused(json: bool, name: &str, refusal: &Refusal) -> CliResult<u8> {
    let code = match refusal {
        Refusal::KeyChangedNeedsConfirmation { .. } => EXIT_KEY_CHANGED,
        _ => 1,
    };
    let message = refusal_message(name, refusal);
    if json {
        print_json(&json!({
            "name": name,
            "status": "not_recorded",
            "reason": refusal.code(),
            "message": message,
        }));
    } else {
        eprintln!("{message}");
    }
    Ok(code)
}

/// A method in words, for people.
pub fn method_words(m: VerificationMethod) -> &'static str {
    match m {
        VerificationMethod::QrCamera => "QR code scanned with a camera",
        VerificationMethod::QrImageFile => "QR code read from an image file",
        VerificationMethod::QrLegacy => "QR code scanned (source not recorded)",
        VerificationMethod::SasSession => "live session (SAS) compared",
        VerificationMethod::SafetyNumber => "safety number compared",
        VerificationMethod::WordsTypedBack => "words typed back",
        VerificationMethod::Manual => "checked manually",
        _ => "other",
    }
}

fn status_label(s: &TrustStatus) -> &'static str {
    match s {
        TrustStatus::Verified { .. } => "verified",
        TrustStatus::KeyChanged { .. } => "KEY CHANGED",
        TrustStatus::Tampered { .. } => "TAMPERED",
        TrustStatus::NewIdentity => "unverified (new identity)",
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
            TrustStatus::Tampered { problem } => {
                map.insert("problem".into(), json!(problem.name()));
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
        } => {
            put("key", json!(key.to_canonical_string()));
            put("method", json!(method.name()));
            put("receipt_id", json!(receipt.to_hex()));
        }
        EventKind::ReceiptImported {
            key,
            method,
            receipt,
            applied,
        } => {
            put("key", json!(key.to_canonical_string()));
            put("method", json!(method.name()));
            put("receipt_id", json!(receipt.to_hex()));
            put("applied", json!(applied));
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
            println!("Status:   verified ({}, {since})", method_words(*method));
        }
        TrustStatus::KeyChanged {
            previous_verified_key,
            since,
        } => {
            println!("Status:   KEY CHANGED since {since}");
            println!("          you had verified {previous_verified_key}");
            if let Some(k) = &c.current_key {
                println!("          new key:         {k}");
            }
            println!("          check the new key with them, then:");
            println!(
                "            verifier contacts verify {:?} --key NEW --replaces {previous_verified_key}",
                c.name
            );
            println!("          or accept it knowingly (verifier contacts accept)");
        }
        TrustStatus::Tampered { problem } => {
            println!(
                "Status:   TAMPERED: this entry was changed outside verifier ({}); it is not verified.",
                problem.name()
            );
            println!(
                "          Remove it with `verifier contacts forget {:?}` and verify again.",
                c.name
            );
        }
        TrustStatus::NewIdentity => {
            println!(
                "Status:   unverified (new identity): verified earlier by an identity of yours that was"
            );
            println!("          replaced without `verifier keygen --rotate`; check the key again.");
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
            EventKind::Verified {
                key,
                method,
                receipt,
            } => format!(
                "verified {key} ({}; receipt {receipt})",
                method_words(*method)
            ),
            EventKind::ReceiptImported {
                key,
                method,
                receipt,
                applied,
            } => format!(
                "imported receipt {receipt} for {key} ({}){}",
                method_words(*method),
                if *applied {
                    ""
                } else {
                    " - in the history only"
                }
            ),
            EventKind::KeyAccepted { key } => format!("accepted {key} without verifying"),
            _ => e.kind.name().to_owned(),
        };
        println!("  {}  {detail}", e.at);
    }
}
