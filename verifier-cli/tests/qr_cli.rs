//! Runs `verifier qr`: PNG/SVG/terminal output scanned back, modes, JSON, and argument errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use verifier_core::key::PublicKey;
use verifier_core::qr::{CheckMatch, Payload, check_payload};

fn verifier(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verifier"));
    cmd.args(args);
    cmd.env_remove("VERIFIER_IDENTITY");
    cmd.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("verifier-cli-test-no-data"),
    );
    cmd.output().unwrap()
}

fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn failure(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Creates an identity and returns its path and public key.
fn keygen(dir: &Path, name: &str) -> (String, PublicKey) {
    let path = dir.join(name);
    let p = path.to_str().unwrap().to_owned();
    let out = ok_stdout(&verifier(&["keygen", "--identity", &p, "--json"]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let key = PublicKey::parse(v["public_key"].as_str().unwrap()).unwrap();
    (p, key)
}

fn scan_png(path: &Path) -> Vec<Vec<u8>> {
    let img = image::open(path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| {
            let mut out = Vec::new();
            g.decode_to(&mut out).unwrap();
            out
        })
        .collect()
}

#[test]
fn identity_png_scans_back_to_my_key() {
    let dir = tempfile::tempdir().unwrap();
    let (id, me) = keygen(dir.path(), "me");
    let png = dir.path().join("me.png");
    let out = verifier(&[
        "qr",
        "--identity",
        &id,
        "--name",
        "Alice",
        "--out",
        png.to_str().unwrap(),
        "--module-px",
        "4",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let codes = scan_png(&png);
    assert_eq!(codes.len(), 1);
    let p = Payload::decode(&codes[0]).unwrap();
    assert_eq!(p.key(), Some(&me));
    assert_eq!(p.display_name().unwrap().as_str(), "Alice");
    assert_eq!(check_payload(&p, &me, &me), Ok(CheckMatch::Identity));
}

#[test]
fn pairwise_png_proves_both_directions() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_id, alice) = keygen(dir.path(), "alice");
    let (_, bob) = keygen(dir.path(), "bob");
    let png = dir.path().join("for-bob.PNG");
    let bob_text = bob.to_canonical_string();
    let out = verifier(&[
        "qr",
        "--identity",
        &alice_id,
        "--for",
        &bob_text,
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let codes = scan_png(&png);
    let p = Payload::decode(&codes[0]).unwrap();
    // Bob scans: Alice's key, and Alice holds Bob's key.
    assert_eq!(check_payload(&p, &bob, &alice), Ok(CheckMatch::Mutual));
    // Someone else scanning it learns that it was not made for them.
    assert!(check_payload(&p, &alice, &alice).is_err());
}

#[test]
fn svg_and_json_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (id, me) = keygen(dir.path(), "me");
    let (_, peer) = keygen(dir.path(), "peer");
    let svg = dir.path().join("code.svg");
    let peer_file = dir.path().join("peer.pub");
    std::fs::write(&peer_file, format!("{}\n", peer.to_canonical_string())).unwrap();
    let out = ok_stdout(&verifier(&[
        "qr",
        "--identity",
        &id,
        "--for",
        peer_file.to_str().unwrap(),
        "--out",
        svg.to_str().unwrap(),
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["mode"], "pairwise");
    assert_eq!(v["ec_level"], "Q");
    assert_eq!(v["qr_version"], 7);
    let bytes = hex::decode(v["payload_hex"].as_str().unwrap()).unwrap();
    let p = Payload::decode(&bytes).unwrap();
    assert_eq!(check_payload(&p, &peer, &me), Ok(CheckMatch::Mutual));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<?xml")
            && text.contains("<svg")
            && text.contains("viewBox=\"0 0 53 53\"")
    );
}

#[test]
fn terminal_is_the_default_output() {
    let dir = tempfile::tempdir().unwrap();
    let (id, me) = keygen(dir.path(), "me");
    let text = ok_stdout(&verifier(&["qr", "--identity", &id]));
    let lines: Vec<&str> = text.lines().collect();
    // version 4: 33 modules + 8 quiet = 41 columns, 21 lines, then the caption
    assert_eq!(lines.len(), 22, "{text}");
    assert!(lines[..21].iter().all(|l| l.chars().count() == 41));
    assert!(lines[0].chars().all(|c| c == '█'), "quiet zone drawn light");
    assert!(lines[21].contains(&me.to_canonical_string()));
    let dark = ok_stdout(&verifier(&["qr", "--identity", &id, "--dark-on-light"]));
    assert!(dark.lines().next().unwrap().chars().all(|c| c == ' '));
}

#[test]
fn argument_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (id, me) = keygen(dir.path(), "me");
    let me_text = me.to_canonical_string();
    let e = failure(&verifier(&["qr", "--identity", &id, "--mode", "pairwise"]));
    assert!(e.contains("--for"), "{e}");
    let e = failure(&verifier(&[
        "qr",
        "--identity",
        &id,
        "--mode",
        "identity",
        "--for",
        &me_text,
    ]));
    assert!(e.contains("pairwise"), "{e}");
    let e = failure(&verifier(&["qr", "--identity", &id, "--out", "x.jpg"]));
    assert!(e.contains(".png or .svg"), "{e}");
    let e = failure(&verifier(&["qr", "--identity", &id, "--for", "not-a-key"]));
    assert!(e.contains("--for"), "{e}");
    let e = failure(&verifier(&["qr", "--identity", &id, "--name", "a\u{7}b"]));
    assert!(e.contains("--name") && e.contains("U+0007"), "{e}");
    let png = dir.path().join("x.png");
    let e = failure(&verifier(&[
        "qr",
        "--identity",
        &id,
        "--out",
        png.to_str().unwrap(),
        "--module-px",
        "0",
    ]));
    assert!(e.contains("module"), "{e}");
    let missing = dir.path().join("nobody");
    let out = verifier(&["qr", "--identity", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}
