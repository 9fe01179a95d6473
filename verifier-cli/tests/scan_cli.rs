//! `verifier scan`: verifier codes of every mode, a Signal code, a foreign code, an
//! image without a code, an unreadable file; `--expect` match and mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use verifier_core::qr::QrMatrix;

fn verifier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verifier"))
        .args(args)
        .env_remove("VERIFIER_IDENTITY")
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("verifier-cli-test-no-data"),
        )
        .output()
        .unwrap()
}

fn ok_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = verifier(&["keygen", "--identity", path.to_str().unwrap(), "--json"]);
    let key = ok_json(&out)["public_key"].as_str().unwrap().to_owned();
    (path, key)
}

fn png_of(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    let png = QrMatrix::from_bytes(bytes).unwrap().to_png(6).unwrap();
    std::fs::write(&path, png).unwrap();
    path
}

#[test]
fn identity_and_pairwise_codes_scan_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let (alice, alice_key) = keygen(dir.path(), "alice");
    let (bob, bob_key) = keygen(dir.path(), "bob");
    let (carol, _) = keygen(dir.path(), "carol");
    let s = |p: &Path| p.to_str().unwrap().to_owned();

    let id_png = dir.path().join("alice.png");
    let out = verifier(&["qr", "--identity", &s(&alice), "--out", &s(&id_png)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let scanned = ok_json(&verifier(&["scan", &s(&id_png), "--json"]));
    assert_eq!(scanned["file"], s(&id_png));
    assert!(scanned["decode_ms"].as_f64().unwrap() >= 0.0);
    let code = &scanned["codes"][0];
    assert_eq!(code["kind"], "verifier");
    assert_eq!(code["payload"]["mode"], "identity");
    assert_eq!(code["payload"]["key"], alice_key);
    assert_eq!(code["corners"].as_array().unwrap().len(), 4);
    assert!(code["bytes_hex"].as_str().unwrap().starts_with("56524659")); // "VRFY"

    // --expect: the right key matches, another key is exit 4 with the reason.
    assert!(
        verifier(&["scan", &s(&id_png), "--expect", &alice_key])
            .status
            .success()
    );
    let wrong = verifier(&["scan", &s(&id_png), "--expect", &bob_key]);
    assert_eq!(wrong.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("not the expected key"));

    // Pairwise: Alice's code for Bob confirms Alice to Bob, mutually; Carol is told it is not for her.
    let pw_png = dir.path().join("alice-for-bob.png");
    let out = verifier(&[
        "qr",
        "--identity",
        &s(&alice),
        "--for",
        &bob_key,
        "--out",
        &s(&pw_png),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mutual = ok_json(&verifier(&[
        "scan",
        &s(&pw_png),
        "--expect",
        &alice_key,
        "--identity",
        &s(&bob),
        "--json",
    ]));
    assert_eq!(mutual["codes"][0]["payload"]["mode"], "pairwise");
    assert_eq!(mutual["codes"][0]["expect"]["mutual"], true);
    let not_mine = verifier(&[
        "scan",
        &s(&pw_png),
        "--expect",
        &alice_key,
        "--identity",
        &s(&carol),
    ]);
    assert_eq!(not_mine.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&not_mine.stderr).contains("not your key"),
        "{}",
        String::from_utf8_lossy(&not_mine.stderr)
    );
}

#[test]
fn foreign_signal_blank_and_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_owned();

    let url = png_of(dir.path(), "url.png", b"https://example.org/wifi");
    let out = ok_json(&verifier(&["scan", &s(&url), "--json"]));
    assert_eq!(out["codes"][0]["kind"], "foreign");
    assert_eq!(out["codes"][0]["text"], "https://example.org/wifi");
    let human = verifier(&["scan", &s(&url)]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("foreign QR code"));
    // A foreign code never satisfies --expect.
    let key = verifier_core::identity::Identity::from_seed(&[3; 32])
        .unwrap()
        .public_key();
    let exp = verifier(&["scan", &s(&url), "--expect", &key.to_canonical_string()]);
    assert_eq!(exp.status.code(), Some(4));

    // libsignal's scannable fingerprint (tests/vectors/signal_vectors.json, upstream-v1-alice)
    let signal = hex::decode("080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d").unwrap();
    let sig = png_of(dir.path(), "signal.png", &signal);
    let out = ok_json(&verifier(&["scan", &s(&sig), "--json"]));
    assert_eq!(out["codes"][0]["kind"], "signal");
    assert!(
        out["codes"][0].get("text").is_none(),
        "binary payload has no text"
    );

    // An image without a code: exit 2, empty list.
    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(200, 150, image::Luma([255u8]))
        .save(&blank)
        .unwrap();
    let out = verifier(&["scan", &s(&blank), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["codes"].as_array().unwrap().len(), 0);

    // Not an image / missing file: exit 1 and a clear message.
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"this is not a png").unwrap();
    for bad in [s(&junk), s(&dir.path().join("missing.jpg"))] {
        let out = verifier(&["scan", &bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&bad) && err.contains("PNG or JPEG"), "{err}");
    }
}

#[test]
fn a_match_is_recorded_for_the_contact() {
    let dir = tempfile::tempdir().unwrap();
    let (alice, alice_key) = keygen(dir.path(), "alice");
    let (bob, _) = keygen(dir.path(), "bob");
    let store = dir.path().join("bob.sqlite3");
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let png = dir.path().join("alice.png");
    assert!(
        verifier(&["qr", "--identity", &s(&alice), "--out", &s(&png)])
            .status
            .success()
    );
    let out = verifier(&[
        "scan",
        &s(&png),
        "--expect",
        &alice_key,
        "--identity",
        &s(&bob),
        "--store",
        &s(&store),
        "--contact",
        "Alice",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Recorded in the trust store: Alice"));
    let shown = ok_json(&verifier(&[
        "contacts",
        "show",
        "Alice",
        "--json",
        "--store",
        &s(&store),
        "--identity",
        &s(&bob),
    ]));
    assert_eq!(shown["status"], "verified", "{shown}");
    // A picture proves nothing about who was in the room: recorded as such.
    assert_eq!(shown["method"], "qr-image", "{shown}");
    // A mismatch records nothing.
    let (carol, carol_key) = keygen(dir.path(), "carol");
    let _ = carol;
    let out = verifier(&[
        "scan",
        &s(&png),
        "--expect",
        &carol_key,
        "--identity",
        &s(&bob),
        "--store",
        &s(&store),
        "--contact",
        "Carol",
    ]);
    assert_eq!(out.status.code(), Some(4));
    let list = ok_json(&verifier(&[
        "contacts",
        "list",
        "--json",
        "--store",
        &s(&store),
        "--identity",
        &s(&bob),
    ]));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

#[test]
fn json_gives_the_text_of_codes_that_are_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    // "café" in ISO-8859-1: not UTF-8.
    let png = png_of(dir.path(), "latin1.png", b"caf\xe9 au lait");
    let v = ok_json(&verifier(&["scan", png.to_str().unwrap(), "--json"]));
    let code = &v["codes"][0];
    assert_eq!(code["bytes_hex"], hex_of(b"caf\xe9 au lait"));
    assert_eq!(code["text_is_utf8"], false);
    assert_eq!(code["text"], "café au lait", "{v}");
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
