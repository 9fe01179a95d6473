//! Runs the `verifier` binary: keygen, show, safety-number; output and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn verifier(args: &[&str], identity_env: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verifier"));
    cmd.args(args);
    cmd.env_remove("VERIFIER_IDENTITY");
    if let Some(p) = identity_env {
        cmd.env("VERIFIER_IDENTITY", p);
    }
    // Keep the default data dir inside a temp dir so tests never touch the user's files.
    cmd.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("verifier-cli-test-no-data"),
    );
    cmd.output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object per command: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const RFC8032_PK: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

#[test]
fn keygen_show_roundtrip_and_refuses_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("me/identity");
    let id_s = id.to_str().unwrap();
    let out = verifier(&["keygen", "--identity", id_s, "--json"], None);
    let created = json(&out);
    let pk = created["public_key"].as_str().unwrap().to_owned();
    assert!(pk.starts_with("vk1-ed25519-"));

    let again = verifier(&["keygen", "--identity", id_s], None);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let shown = json(&verifier(&["show", "--identity", id_s, "--json"], None));
    assert_eq!(shown["public_key"].as_str().unwrap(), pk);
    assert_eq!(shown["fingerprint"]["groups"].as_array().unwrap().len(), 6);
    assert_eq!(shown["fingerprint"]["bip39"].as_array().unwrap().len(), 9);
    assert_eq!(shown["fingerprint"]["pgp"].as_array().unwrap().len(), 13);
    assert_eq!(shown["fingerprint"]["emoji"].as_array().unwrap().len(), 17);

    // The env var works too, and the printed key is accepted back as KEY.
    let shown_env = json(&verifier(&["show", "--json"], Some(&id)));
    assert_eq!(shown_env["public_key"], shown["public_key"]);
    let sn = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            &pk,
            "--ours",
            RFC8032_PK,
            "--json",
        ],
        None,
    ));
    assert_eq!(sn["digits"].as_str().unwrap().len(), 60);

    let forced = verifier(&["keygen", "--identity", id_s, "--force", "--json"], None);
    assert_ne!(json(&forced)["public_key"].as_str().unwrap(), pk);
}

#[test]
fn safety_number_is_symmetric_and_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let ka = json(&verifier(
        &["keygen", "--identity", a.to_str().unwrap(), "--json"],
        None,
    ));
    let kb = json(&verifier(
        &["keygen", "--identity", b.to_str().unwrap(), "--json"],
        None,
    ));
    let ka = ka["public_key"].as_str().unwrap();
    let kb = kb["public_key"].as_str().unwrap();
    let ab = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            kb,
            "--identity",
            a.to_str().unwrap(),
            "--json",
        ],
        None,
    ));
    let ba = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            ka,
            "--identity",
            b.to_str().unwrap(),
            "--json",
        ],
        None,
    ));
    assert_eq!(ab, ba);
    let digits = ab["digits"].as_str().unwrap();
    assert_eq!(digits.len(), 60);
    assert!(digits.bytes().all(|c| c.is_ascii_digit()));
    let groups: Vec<&str> = ab["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(groups.len(), 12);
    assert_eq!(groups.concat(), digits);
    assert_eq!(ab["words"].as_array().unwrap().len(), 18);

    // A key file works as KEY (the .pub line of OpenSSH too).
    let pubfile = dir.path().join("b.pub");
    let key = verifier_core::key::PublicKey::parse(kb).unwrap();
    std::fs::write(&pubfile, key.to_openssh("bob@host") + "\n").unwrap();
    let via_file = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            pubfile.to_str().unwrap(),
            "--identity",
            a.to_str().unwrap(),
            "--json",
        ],
        None,
    ));
    assert_eq!(via_file["digits"], ab["digits"]);

    // PGP words, other languages, identifiers.
    let pgp = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            kb,
            "--ours",
            ka,
            "--words",
            "pgp",
            "--json",
        ],
        None,
    ));
    assert_eq!(pgp["words"].as_array().unwrap().len(), 26);
    let fr = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            kb,
            "--ours",
            ka,
            "--lang",
            "fr",
            "--json",
        ],
        None,
    ));
    assert_eq!(fr["digits"], ab["digits"]);
    assert_ne!(fr["words"], ab["words"]);
    let with_id = json(&verifier(
        &[
            "safety-number",
            "--theirs",
            kb,
            "--ours",
            ka,
            "--theirs-id",
            "hex:00ff",
            "--json",
        ],
        None,
    ));
    assert_ne!(with_id["digits"], ab["digits"]);
}

#[test]
fn signal_scheme_matches_upstream_vector() {
    // libsignal fingerprint_test_v1 (tests/vectors/signal_vectors.json, upstream-v1-alice)
    let alice = "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
    let bob = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
    let out = json(&verifier(
        &[
            "safety-number",
            "--scheme",
            "signal",
            "--ours",
            alice,
            "--ours-id",
            "+14152222222",
            "--theirs",
            bob,
            "--theirs-id",
            "+14153333333",
            "--signal-version",
            "1",
            "--json",
        ],
        None,
    ));
    assert_eq!(
        out["digits"],
        "300354477692869396892869876765458257569162576843440918079131"
    );
    assert_eq!(
        out["scannable_hex"],
        "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d"
    );
}

#[test]
fn errors_are_specific_and_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = verifier(&["show", "--identity", missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("verifier keygen"), "{}", stderr(&out));

    let cases: &[(&[&str], &str)] = &[
        (
            &["safety-number", "--ours", RFC8032_PK, "--theirs", "zzz"],
            "neither a readable file nor a valid key",
        ),
        (
            &[
                "safety-number",
                "--ours",
                RFC8032_PK,
                "--theirs",
                &RFC8032_PK[..62],
            ],
            "wrong key length",
        ),
        (
            &[
                "safety-number",
                "--ours",
                RFC8032_PK,
                "--theirs",
                RFC8032_PK,
                "--iterations",
                "10",
            ],
            "--scheme signal only",
        ),
        (
            &[
                "safety-number",
                "--ours",
                RFC8032_PK,
                "--theirs",
                RFC8032_PK,
                "--lang",
                "xx",
            ],
            "--lang",
        ),
        (
            &[
                "safety-number",
                "--ours",
                RFC8032_PK,
                "--theirs",
                RFC8032_PK,
                "--theirs-id",
                "hex:0",
            ],
            "hex",
        ),
        (
            &[
                "safety-number",
                "--scheme",
                "signal",
                "--theirs",
                RFC8032_PK,
                "--ours",
                RFC8032_PK,
            ],
            "66 hex",
        ),
    ];
    for (args, needle) in cases {
        let out = verifier(args, None);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(
            stderr(&out).contains(needle),
            "{args:?}: expected `{needle}` in: {}",
            stderr(&out)
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?}: nothing on stdout on error"
        );
    }
}
