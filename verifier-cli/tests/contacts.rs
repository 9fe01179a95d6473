//! Runs the `verifier` binary: contacts (trust store) and receipts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn store(&self) -> String {
        self.path("trust.sqlite3").to_str().unwrap().to_owned()
    }
    /// Runs verifier with the identity env var set to `me` and no store env var.
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_verifier"));
        cmd.args(args)
            .env("VERIFIER_IDENTITY", self.path("me"))
            .env_remove("VERIFIER_STORE")
            .env("XDG_DATA_HOME", self.path("xdg-data"));
        cmd.output().unwrap()
    }
    /// Creates an identity at `name` and returns its public key text.
    fn keygen(&self, name: &str) -> String {
        let p = self.path(name);
        let v = json_ok(&self.run(&["keygen", "--identity", p.to_str().unwrap(), "--json"]));
        v["public_key"].as_str().unwrap().to_owned()
    }
}

fn json_of(out: &Output) -> serde_json::Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON value per command: {text:?}"
    );
    serde_json::from_str(&text).unwrap()
}

fn json_ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(out)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn key_change_of_a_verified_contact_exits_3_until_reverified() {
    let env = Env::new();
    let me = env.keygen("me");
    let k1 = env.keygen("alice1");
    let k2 = env.keygen("alice2");
    let s = env.store();
    let s = s.as_str();

    let added = json_ok(&env.run(&[
        "contacts",
        "add",
        "Alice",
        &k1,
        "--id",
        "@alice:example.org",
        "--store",
        s,
        "--json",
    ]));
    assert_eq!(added["name"], "Alice");
    assert_eq!(added["status"], "unverified");
    assert_eq!(added["key"], k1.as_str());
    assert_eq!(added["id"], "@alice:example.org");

    // Observing the same key: exit 0, unchanged.
    let same = env.run(&["contacts", "observe", "Alice", &k1, "--store", s, "--json"]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(json_of(&same)["status"], "unchanged");

    let verified = json_ok(&env.run(&[
        "contacts", "verify", "Alice", "--key", &k1, "--store", s, "--json",
    ]));
    assert_eq!(verified["status"], "verified");
    assert_eq!(verified["method"], "manual");
    assert!(
        verified["receipt"]
            .as_str()
            .unwrap()
            .starts_with("verifier-receipt:")
    );

    let list = json_ok(&env.run(&["contacts", "list", "--store", s, "--json"]));
    assert_eq!(list[0]["name"], "Alice");
    assert_eq!(list[0]["status"], "verified");
    assert_eq!(list[0]["method"], "manual");

    // The switcheroo: exit 3 with "status":"key_changed".
    let changed = env.run(&["contacts", "observe", "Alice", &k2, "--store", s, "--json"]);
    assert_eq!(changed.status.code(), Some(3), "{}", stderr(&changed));
    let v = json_of(&changed);
    assert_eq!(v["status"], "key_changed");
    assert_eq!(v["trust"], "key_changed");
    assert_eq!(v["previous_key"], k1.as_str());
    assert_eq!(v["previous_was_verified"], true);
    // Human output says so loudly, and still exits 3.
    let again = env.run(&["contacts", "observe", "Alice", &k1, "--store", s]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stdout).contains("CHANGED"));
    let back = env.run(&["contacts", "observe", "Alice", &k2, "--store", s, "--json"]);
    assert_eq!(back.status.code(), Some(3));

    let list = json_ok(&env.run(&["contacts", "list", "--store", s, "--json"]));
    assert_eq!(list[0]["status"], "key_changed");
    assert_eq!(list[0]["previous_verified_key"], k1.as_str());

    let show = json_ok(&env.run(&["contacts", "show", "Alice", "--store", s, "--json"]));
    assert_eq!(show["status"], "key_changed");
    assert_eq!(show["keys"].as_array().unwrap().len(), 2);
    let events: Vec<&str> = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "contact_added",
            "key_first_seen",
            "verified",
            "key_changed",
            "key_changed",
            "key_changed"
        ]
    );

    // Verifying with a --key that is not current records nothing.
    let wrong = env.run(&["contacts", "verify", "Alice", "--key", &k1, "--store", s]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stderr(&wrong).contains("not the current key"),
        "{}",
        stderr(&wrong)
    );

    // The new key needs the key-change flow (exit 3 without it).
    let plain = env.run(&[
        "contacts", "verify", "Alice", "--key", &k2, "--store", s, "--json",
    ]);
    assert_eq!(plain.status.code(), Some(3));
    assert_eq!(json_of(&plain)["reason"], "key_changed_needs_confirmation");
    let re = json_ok(&env.run(&[
        "contacts",
        "verify",
        "Alice",
        "--key",
        &k2,
        "--replaces",
        &k1,
        "--store",
        s,
        "--json",
    ]));
    assert_eq!(re["key"], k2.as_str());
    assert_eq!(re["replaced"], k1.as_str());
    let list = json_ok(&env.run(&["contacts", "list", "--store", s, "--json"]));
    assert_eq!(list[0]["status"], "verified");
    assert_eq!(list[0]["method"], "manual");
    let _ = me;
}

#[test]
fn accepting_a_changed_key_leaves_it_unverified() {
    let env = Env::new();
    env.keygen("me");
    let (k1, k2) = (env.keygen("b1"), env.keygen("b2"));
    let s = env.store();
    let s = s.as_str();
    json_ok(&env.run(&["contacts", "add", "Bob", &k1, "--store", s, "--json"]));
    json_ok(&env.run(&[
        "contacts", "verify", "Bob", "--key", &k1, "--store", s, "--json",
    ]));
    assert_eq!(
        env.run(&["contacts", "observe", "Bob", &k2, "--store", s])
            .status
            .code(),
        Some(3)
    );
    let acc = json_ok(&env.run(&["contacts", "accept", "Bob", &k2, "--store", s, "--json"]));
    assert_eq!(acc["status"], "unverified");
    let list = json_ok(&env.run(&["contacts", "list", "--store", s, "--json"]));
    assert_eq!(list[0]["status"], "unverified");
    // Nothing left to accept.
    let none = env.run(&["contacts", "accept", "Bob", &k2, "--store", s]);
    assert_eq!(none.status.code(), Some(1));
    json_ok(&env.run(&["contacts", "forget", "Bob", "--store", s, "--json"]));
    let list = json_ok(&env.run(&["contacts", "list", "--store", s, "--json"]));
    assert_eq!(list, serde_json::json!([]));
}

#[test]
fn receipts_export_check_import() {
    let env = Env::new();
    let me = env.keygen("me");
    let other = env.keygen("other");
    let k = env.keygen("carol");
    let s = env.store();
    let s = s.as_str();
    json_ok(&env.run(&["contacts", "add", "Carol", &k, "--store", s, "--json"]));

    let none = env.run(&["receipt", "export", "Carol", "--out", "x", "--store", s]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("no verification"),
        "{}",
        stderr(&none)
    );

    json_ok(&env.run(&[
        "contacts", "verify", "Carol", "--key", &k, "--store", s, "--json",
    ]));
    let file = env.path("carol.receipt");
    let f = file.to_str().unwrap();
    let exported = json_ok(&env.run(&[
        "receipt", "export", "Carol", "--out", f, "--store", s, "--json",
    ]));
    // No silent overwrite.
    let again = env.run(&["receipt", "export", "Carol", "--out", f, "--store", s]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--force"));

    let checked = json_ok(&env.run(&["receipt", "check", f, "--signer", &me, "--json"]));
    assert_eq!(checked["valid"], true);
    assert_eq!(checked["signer"], me.as_str());
    assert_eq!(checked["signer_checked"], true);
    assert_eq!(checked["key"], k.as_str());
    assert_eq!(checked["key_type"], "ed25519");
    assert_eq!(checked["contact"], "Carol");
    assert_eq!(checked["method"], "manual");
    assert_eq!(checked["method_code"], 4);
    assert_eq!(checked["in_person"], false);
    assert_eq!(checked["version"], 2);
    assert_eq!(checked["evidence"]["scheme"], "full-key");
    assert_eq!(checked["evidence"]["scheme_version"], 1);
    assert_eq!(checked["evidence"]["digest"], serde_json::Value::Null);
    assert_eq!(checked["evidence"]["extensions"], serde_json::json!([]));
    assert_eq!(checked["receipt_id"], exported["receipt_id"]);
    let human = env.run(&["receipt", "check", f]);
    assert!(human.status.success());
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("--signer"));
    assert!(human.contains("format version 2"), "{human}");
    assert!(
        human.contains("evidence: compared full-key (scheme version 1)"),
        "{human}"
    );

    // Wrong signer.
    let wrong = env.run(&["receipt", "check", f, "--signer", &other, "--json"]);
    assert_eq!(wrong.status.code(), Some(1));
    let v = json_of(&wrong);
    assert_eq!(v["valid"], false);
    assert_eq!(v["error_kind"], "wrong_signer");

    // A tampered character inside the signature.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut chars: Vec<char> = text.trim_end().chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered = env.path("tampered.receipt");
    std::fs::write(&tampered, chars.iter().collect::<String>()).unwrap();
    let bad = env.run(&["receipt", "check", tampered.to_str().unwrap(), "--json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(json_of(&bad)["error_kind"], "bad_signature");
    let bad_human = env.run(&["receipt", "check", tampered.to_str().unwrap()]);
    assert_eq!(bad_human.status.code(), Some(1));
    assert!(stderr(&bad_human).contains("signature is invalid"));

    // Import into another store (another device of the same user).
    let s2 = env.path("second.sqlite3");
    let s2 = s2.to_str().unwrap();
    let imp = json_ok(&env.run(&["receipt", "import", f, "--store", s2, "--json"]));
    assert_eq!(imp["imported"], true);
    let list = json_ok(&env.run(&["contacts", "list", "--store", s2, "--json"]));
    assert_eq!(list[0]["name"], "Carol");
    assert_eq!(list[0]["status"], "verified");
    // Someone else's receipt is not imported.
    let other_id = env.path("other");
    let refused = env.run(&[
        "receipt",
        "import",
        f,
        "--store",
        s2,
        "--identity",
        other_id.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("not by your identity"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn store_from_env_errors_and_damaged_file() {
    let env = Env::new();
    let k = env.keygen("dave");
    let store = env.path("env-store.sqlite3");
    let run_env = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_verifier"));
        cmd.args(args)
            .env("VERIFIER_STORE", &store)
            .env("XDG_DATA_HOME", env.path("xdg-data"));
        cmd.output().unwrap()
    };
    // The default identity (statuses are read from receipts it signs).
    json_ok(&run_env(&["keygen", "--json"]));
    json_ok(&run_env(&["contacts", "add", "Dave", &k, "--json"]));
    assert!(store.exists());
    let list = json_ok(&run_env(&["contacts", "list", "--json"]));
    assert_eq!(list[0]["name"], "Dave");

    let dup = run_env(&["contacts", "add", "Dave", &k]);
    assert_eq!(dup.status.code(), Some(1));
    assert!(stderr(&dup).contains("exists already"));
    let missing = run_env(&["contacts", "observe", "Nobody", &k]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("add it first"),
        "{}",
        stderr(&missing)
    );
    let badkey = run_env(&["contacts", "observe", "Dave", "not-a-key"]);
    assert_eq!(badkey.status.code(), Some(1));

    // A damaged store: clear error, file left as it was.
    let junk = env.path("junk.sqlite3");
    std::fs::write(&junk, vec![0x42u8; 8192]).unwrap();
    let out = env.run(&["contacts", "list", "--store", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("left unchanged"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&junk).unwrap(), vec![0x42u8; 8192]);
}

#[test]
fn concurrent_cli_writers_all_succeed() {
    let env = Env::new();
    env.keygen("me");
    let keys: Vec<String> = (0..2).map(|i| env.keygen(&format!("k{i}"))).collect();
    let s = env.store();
    // Create the store first so both writers race on writes, not creation.
    json_ok(&env.run(&["contacts", "list", "--store", &s, "--json"]));
    let per_writer = 15;
    let handles: Vec<_> = (0..2)
        .map(|w| {
            let s = s.clone();
            let key = keys[w].clone();
            let exe = env!("CARGO_BIN_EXE_verifier");
            let xdg = env.path("xdg-data");
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let out = Command::new(exe)
                        .args(["contacts", "add", &format!("w{w}-{i}"), &key, "--store", &s])
                        .env("XDG_DATA_HOME", &xdg)
                        .env_remove("VERIFIER_STORE")
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let list = json_ok(&env.run(&["contacts", "list", "--store", &s, "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 2 * per_writer);
    let _ = Path::new(&s);
}

/// Receipts of both format versions from the reference vectors: the old version 1
/// still checks (method `qr`, no evidence); version 2 shows its evidence.
#[test]
fn receipt_check_shows_version_method_and_evidence_of_reference_receipts() {
    let env = Env::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let v1 = load("receipt_v1.json");
    let v2 = load("receipt_v2.json");
    let old = &v1["valid"][0];
    assert_eq!(old["method"], "qr");
    let file = env.path("old.receipt");
    std::fs::write(&file, old["text"].as_str().unwrap()).unwrap();
    let f = file.to_str().unwrap();
    let checked = json_ok(&env.run(&["receipt", "check", f, "--json"]));
    assert_eq!(checked["version"], 1);
    assert_eq!(checked["method"], "qr");
    assert_eq!(checked["in_person"], false);
    assert_eq!(checked["evidence"], serde_json::Value::Null);
    assert_eq!(checked["receipt_id"], old["receipt_id_hex"]);
    let human = env.run(&["receipt", "check", f]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("format version 1"), "{human}");
    assert!(human.contains("evidence: none"), "{human}");

    let with_ext = v2["valid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == "sas" && !c["extensions"].as_array().unwrap().is_empty())
        .unwrap();
    let file = env.path("new.receipt");
    std::fs::write(
        &file,
        hex::decode(with_ext["receipt_hex"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let checked = json_ok(&env.run(&["receipt", "check", f, "--json"]));
    assert_eq!(checked["version"], 2);
    assert_eq!(checked["method"], "sas");
    assert_eq!(checked["evidence"]["scheme"], with_ext["scheme"]);
    assert_eq!(checked["evidence"]["digest"], with_ext["digest_hex"]);
    assert_eq!(
        checked["evidence"]["extensions"][0]["value_hex"],
        with_ext["extensions"][0]["value_hex"]
    );
    assert_eq!(checked["receipt_id"], with_ext["receipt_id_hex"]);
    let human = env.run(&["receipt", "check", f]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("format version 2"), "{human}");
    assert!(human.contains("digest: "), "{human}");
    assert!(human.contains("extension 1: "), "{human}");
}
