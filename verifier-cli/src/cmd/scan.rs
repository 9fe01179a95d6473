//! `verifier scan IMAGE... [--expect KEY] [--identity PATH] [--json]`
//!
//! Exit codes: 0 when a code was found (with `--expect`: when a verifier code
//! for that key was found and, for pairwise codes, it holds our correct key);
//! 2 when no code was found; 4 when `--expect` did not match; 1 on errors
//! (unreadable image, bad arguments).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Value, json};
use verifier_core::key::PublicKey;
use verifier_core::qr::{self, CheckMatch, Payload, ScannedCode};
use verifier_core::sas::JoinCode;
use verifier_scan::{LumaImage, Scanner};

use verifier_core::trust::{Evidence, QrSource};

use crate::common::{
    CliError, CliResult, NO_CONTACT_MESSAGE, Recorded, load_identity, load_own, print_json,
    read_key_arg, record_check,
};

/// Arguments of `verifier scan`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// PNG or JPEG images to scan.
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<PathBuf>,
    /// Succeed only if a verifier code for this key is found (KEY: file or key string).
    #[arg(long, value_name = "KEY")]
    expect: Option<String>,
    /// Your identity (needed to check pairwise codes; default: platform data dir or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// With --expect: record the match for this contact in the trust store (created if new),
    /// as "QR code read from an image file". Without it nothing is recorded: a matching key
    /// alone never credits a contact.
    #[arg(long, value_name = "NAME", requires = "expect")]
    contact: Option<String>,
    /// Key-change flow: the key you had verified for the contact before (as `contacts show`
    /// lists it); the scanned code must show the contact's new key.
    #[arg(long, value_name = "OLD_KEY", requires = "contact")]
    replaces: Option<String>,
    /// The trust store (default: $VERIFIER_STORE, else the platform data dir).
    #[arg(long, value_name = "PATH")]
    store: Option<PathBuf>,
    /// One JSON object per image.
    #[arg(long)]
    json: bool,
}

fn payload_json(p: &Payload) -> Value {
    let mut obj = json!({ "mode": p.mode().name() });
    if let Some(map) = obj.as_object_mut() {
        if let Some(k) = p.key() {
            map.insert("key".into(), json!(k.to_canonical_string()));
            map.insert("key_type".into(), json!(k.key_type().name()));
        }
        if let Some(n) = p.display_name() {
            map.insert("display_name".into(), json!(n.as_str()));
        }
        if let Some(s) = p.stable_id() {
            map.insert("stable_id".into(), json!(s.as_str()));
        }
        match p {
            Payload::Pairwise(card) => {
                map.insert(
                    "peer_fingerprint_hex".into(),
                    json!(hex::encode(card.peer_fingerprint.as_bytes())),
                );
            }
            Payload::Session(code) => {
                map.insert("join_code_hex".into(), json!(hex::encode(code.as_bytes())));
                if let Ok(jc) = JoinCode::from_bytes(code.as_bytes()) {
                    map.insert("join_code".into(), json!(jc.to_text()));
                }
            }
            _ => {}
        }
    }
    obj
}

fn describe(code: &ScannedCode) -> String {
    match code {
        ScannedCode::Verifier(p) => match p.key() {
            Some(k) => format!("verifier {} code for {k}", p.mode().name()),
            None => format!("verifier {} code", p.mode().name()),
        },
        ScannedCode::InvalidVerifier(e) => format!("broken verifier code: {e}"),
        ScannedCode::Signal(_) => "Signal safety-number code".to_owned(),
        ScannedCode::Foreign => "foreign QR code (not a verifier code)".to_owned(),
        _ => "unknown code".to_owned(),
    }
}

/// Hands the evidence of the match to the trust engine for the named contact
/// (a failure to record is reported; the scan result itself stands).
fn record_match(args: &Args, evidence: Evidence) {
    let replaces = match args
        .replaces
        .as_deref()
        .map(|k| read_key_arg(k, "--replaces"))
    {
        Some(Err(e)) => {
            eprintln!("warning: matched, but not recorded: {}", e.message);
            return;
        }
        Some(Ok(k)) => Some(k),
        None => None,
    };
    let (identity, own) = if args.contact.is_some() {
        match load_own(args.identity.as_deref()) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("warning: matched, but not recorded: {}", e.message);
                return;
            }
        }
    } else {
        // Under --json the output stays one object per image; people get the note.
        if !args.json {
            report_not_recorded(args, "no_contact", NO_CONTACT_MESSAGE);
        }
        return;
    };
    match record_check(
        args.store.as_deref(),
        args.contact.as_deref(),
        evidence,
        replaces.as_ref(),
        &identity,
        &own,
    ) {
        Ok(Recorded::Yes { contact, receipt }) => {
            if args.json {
                print_json(
                    &json!({"event": "recorded", "contact": contact, "method": "qr-image", "receipt_id": receipt}),
                );
            } else {
                println!(
                    "Recorded in the trust store: {contact} verified by a QR code read from an image file"
                );
                println!(
                    "(weaker than a camera scan in person: a picture proves nothing about who was in the room)."
                );
            }
        }
        Ok(Recorded::No { code, message }) => report_not_recorded(args, code, &message),
        Err(e) => eprintln!("warning: matched, but not recorded: {}", e.message),
    }
}

fn report_not_recorded(args: &Args, code: &str, message: &str) {
    if args.json {
        print_json(&json!({"event": "not_recorded", "reason": code, "message": message}));
    } else {
        eprintln!("{message}");
    }
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let expect: Option<PublicKey> = args
        .expect
        .as_deref()
        .map(|k| read_key_arg(k, "--expect"))
        .transpose()?;
    // Our key is needed only to check pairwise codes; load it lazily.
    let mut my_key: Option<Result<PublicKey, String>> = None;
    let scanner = Scanner::new();
    let mut found_any = false;
    let mut matched = false;
    let mut mismatches: Vec<String> = Vec::new();
    let mut evidence: Option<Evidence> = None;
    let mut unreadable = Vec::new();
    for path in &args.images {
        let start = Instant::now();
        let image = match LumaImage::open(path) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                unreadable.push(path.display().to_string());
                continue;
            }
        };
        let codes = scanner.scan(&image);
        let decode_ms = start.elapsed().as_secs_f64() * 1000.0;
        found_any |= !codes.is_empty();
        let mut codes_json = Vec::new();
        for code in &codes {
            let scanned = qr::classify(&code.bytes);
            let mut c = json!({
                "bytes_hex": hex::encode(&code.bytes),
                "corners": code.corners.iter().map(|p| json!([p.x, p.y])).collect::<Vec<_>>(),
                "kind": scanned.kind(),
            });
            if let Some(map) = c.as_object_mut() {
                // The text as a person reads it: UTF-8, else (for codes meant as text,
                // not our binary payloads or Signal's) the charset the symbol declares
                // (ECI) or the one the decoder recognises (e.g. Shift_JIS, Latin-1).
                let binary_format = matches!(
                    scanned,
                    ScannedCode::Verifier(_)
                        | ScannedCode::InvalidVerifier(_)
                        | ScannedCode::Signal(_)
                );
                match (&code.text, binary_format) {
                    (Some(t), _) => {
                        map.insert("text".into(), json!(t));
                        map.insert("text_is_utf8".into(), json!(true));
                    }
                    (None, false) => {
                        map.insert("text".into(), json!(code.display_text));
                        map.insert("text_is_utf8".into(), json!(false));
                    }
                    (None, true) => {}
                }
                match &scanned {
                    ScannedCode::Verifier(p) => {
                        map.insert("payload".into(), payload_json(p));
                    }
                    ScannedCode::InvalidVerifier(e) => {
                        map.insert("error".into(), json!(e.to_string()));
                    }
                    _ => {}
                }
            }
            if let Some(expected) = &expect {
                let needs_me = matches!(&scanned, ScannedCode::Verifier(Payload::Pairwise(_)));
                let me = if needs_me {
                    let r = my_key.get_or_insert_with(|| {
                        load_identity(args.identity.as_deref())
                            .map(|(id, _)| id.public_key())
                            .map_err(|e| e.message)
                    });
                    match r {
                        Ok(k) => Some(*k),
                        Err(e) => {
                            mismatches.push(format!(
                                "{}: a pairwise code needs your identity to check: {e}",
                                path.display()
                            ));
                            None
                        }
                    }
                } else {
                    // Identity codes do not involve our key; any key works for the check.
                    Some(*expected)
                };
                if let Some(me) = me {
                    let result = qr::check(&scanned, &me, expected);
                    let entry = match &result {
                        Ok(CheckMatch::Mutual) => json!({"match": true, "mutual": true}),
                        Ok(_) => json!({"match": true, "mutual": false}),
                        Err(e) => json!({"match": false, "reason": e.to_string()}),
                    };
                    match result {
                        Ok(_) => {
                            matched = true;
                            if let (None, ScannedCode::Verifier(p)) = (&evidence, &scanned) {
                                evidence = qr::scan_evidence(p, &me, QrSource::ImageFile)
                                    .ok()
                                    .map(|(_, e)| e);
                            }
                        }
                        Err(e) => mismatches.push(format!("{}: {e}", path.display())),
                    }
                    if let Some(map) = c.as_object_mut() {
                        map.insert("expect".into(), entry);
                    }
                }
            }
            codes_json.push((c, describe(&scanned)));
        }
        if args.json {
            print_json(&json!({
                "file": path.display().to_string(),
                "decode_ms": (decode_ms * 100.0).round() / 100.0,
                "codes": codes_json.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
            }));
        } else if codes_json.is_empty() {
            println!("{}: no QR code found ({decode_ms:.1} ms)", path.display());
        } else {
            for (c, what) in &codes_json {
                let text = c["text"]
                    .as_str()
                    .map(|t| format!(" — {t:?}"))
                    .unwrap_or_default();
                let shown = if c["kind"] == "foreign" {
                    text
                } else {
                    String::new()
                };
                println!("{}: {what}{shown}", path.display());
            }
        }
    }
    if !unreadable.is_empty() {
        return Err(CliError::new(format!(
            "could not read {} (PNG or JPEG expected)",
            unreadable.join(", ")
        )));
    }
    if let Some(expected) = &expect {
        if matched {
            if !args.json {
                println!("Match: the code shows {expected}.");
            }
            if let Some(evidence) = evidence {
                record_match(&args, evidence);
            }
            return Ok(0);
        }
        let why = if !found_any {
            "no QR code found".to_owned()
        } else if mismatches.is_empty() {
            "no verifier code in the image(s)".to_owned()
        } else {
            mismatches.join("; ")
        };
        return Err(CliError::with_code(
            format!("the expected key {expected} was not confirmed: {why}"),
            4,
        ));
    }
    Ok(if found_any { 0 } else { 2 })
}
