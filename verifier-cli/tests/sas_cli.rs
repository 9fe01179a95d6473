//! Two `verifier` processes run the SAS protocol over loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use verifier_core::identity::Identity;
use verifier_store::IdentityFile as _;

const BIN: &str = env!("CARGO_BIN_EXE_verifier");

struct Side {
    child: Child,
    events: Vec<Value>,
}

fn identity(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let id = Identity::generate(&mut rand_core::OsRng);
    id.save(&path, false).unwrap();
    (path, id.public_key().to_canonical_string())
}

fn spawn(args: &[&str], answer: Option<&str>) -> Child {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--json", "--timeout", "60"])
        .args(if answer.is_none() {
            vec!["--yes"]
        } else {
            vec![]
        })
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("verifier-sas-test-no-data"),
        )
        .env_remove("VERIFIER_STORE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(a) = answer {
        stdin.write_all(a.as_bytes()).unwrap();
    }
    // Keep stdin open (dropping it would read as end of input = cancel) until exit.
    std::mem::forget(stdin);
    child
}

/// Starts the host and returns it with its join code (its first event).
fn start_host(
    id: &Path,
    answer: Option<&str>,
) -> (Child, BufReader<std::process::ChildStdout>, String) {
    let mut host = spawn(
        &[
            "sas",
            "host",
            "--identity",
            id.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
        ],
        answer,
    );
    let mut out = BufReader::new(host.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(
        line.starts_with(r#"{"event":"join_code","code":""#),
        "{line}"
    );
    let ev: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(ev["event"], "join_code", "{ev}");
    let code = ev["code"].as_str().unwrap().to_owned();
    (host, out, code)
}

fn finish(mut child: Child, stdout: impl Read) -> (Side, i32) {
    let mut text = String::new();
    BufReader::new(stdout).read_to_string(&mut text).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    for l in text.lines() {
        assert!(l.starts_with(r#"{"event":""#), "event name first: {l}");
    }
    let events = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?} (stderr {err})")))
        .collect();
    (Side { child, events }, status.code().unwrap_or(-1))
}

fn run_pair(
    host_answer: Option<&str>,
    join_answer: Option<&str>,
) -> ((Side, i32), (Side, i32), String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (a, a_key) = identity(dir.path(), "alice");
    let (b, b_key) = identity(dir.path(), "bob");
    let (host, host_out, code) = start_host(&a, host_answer);
    let mut joiner = spawn(
        &["sas", "join", &code, "--identity", b.to_str().unwrap()],
        join_answer,
    );
    let joiner_out = joiner.stdout.take().unwrap();
    let j = finish(joiner, joiner_out);
    let h = finish(host, host_out);
    (h, j, a_key, b_key)
}

fn last(side: &Side) -> &Value {
    side.events.last().unwrap()
}

#[test]
fn host_and_joiner_end_verified() {
    let ((host, hc), (joiner, jc), a_key, b_key) = run_pair(None, None);
    let compare = |s: &Side| {
        s.events
            .iter()
            .find(|e| e["event"] == "compare")
            .cloned()
            .unwrap()
    };
    let (hc_ev, jc_ev) = (compare(&host), compare(&joiner));
    assert_eq!(hc_ev, jc_ev, "both sides show the same code");
    assert_eq!(hc_ev["words"].as_array().unwrap().len(), 4);
    assert_eq!(hc_ev["emoji"].as_array().unwrap().len(), 7);
    assert_eq!(hc_ev["decimals"].as_array().unwrap().len(), 3);
    let verified = |s: &Side| {
        s.events
            .iter()
            .find(|e| e["event"] == "verified")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        verified(&host),
        serde_json::json!({"event": "verified", "peer_key": b_key})
    );
    assert_eq!(
        verified(&joiner),
        serde_json::json!({"event": "verified", "peer_key": a_key})
    );
    // Run with --yes: nobody compared, nothing is recorded, and the output says so.
    for side in [&host, &joiner] {
        assert_eq!(last(side)["event"], "not_recorded");
        assert_eq!(last(side)["reason"], "not_compared_by_person");
    }
    assert_eq!((hc, jc), (0, 0));
    drop((host.child, joiner.child));
}

#[test]
fn a_no_on_the_joiner_side_cancels_both() {
    let ((host, hc), (joiner, jc), ..) = run_pair(None, Some("n\n"));
    assert_eq!(
        last(&joiner),
        &serde_json::json!({"event": "cancelled", "reason": "user_no_match"})
    );
    assert_eq!(
        last(&host),
        &serde_json::json!({"event": "cancelled", "reason": "peer_no_match"})
    );
    assert_eq!((hc, jc), (1, 1));
}

#[test]
fn a_no_on_the_host_side_cancels_both() {
    // The joiner says yes first; the host answers no after re-asking once.
    let ((host, hc), (joiner, jc), ..) = run_pair(Some("maybe\nno\n"), None);
    assert_eq!(
        last(&host),
        &serde_json::json!({"event": "cancelled", "reason": "user_no_match"})
    );
    assert_eq!(
        last(&joiner),
        &serde_json::json!({"event": "cancelled", "reason": "peer_no_match"})
    );
    assert_eq!((hc, jc), (1, 1));
}

#[test]
fn a_wrong_join_secret_is_refused_and_the_host_keeps_listening() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = identity(dir.path(), "alice");
    let (b, _) = identity(dir.path(), "bob");
    let (host, host_out, code) = start_host(&a, None);
    // Same address, another secret: what a stranger who guesses would type.
    let parsed: verifier_core::sas::JoinCode = code.parse().unwrap();
    let mut secret = *parsed.secret().as_bytes();
    secret[3] ^= 0x10;
    let wrong = verifier_core::sas::JoinCode::new(
        parsed.addr(),
        verifier_core::sas::JoinSecret::from_bytes(secret),
    )
    .to_string();
    let mut intruder = spawn(
        &["sas", "join", &wrong, "--identity", b.to_str().unwrap()],
        None,
    );
    let intruder_out = intruder.stdout.take().unwrap();
    let (intruder, ic) = finish(intruder, intruder_out);
    assert_eq!(
        last(&intruder),
        &serde_json::json!({"event": "cancelled", "reason": "wrong_join_code"})
    );
    assert_eq!(ic, 1);
    // The host was not disturbed: the real joiner still verifies with it.
    let mut joiner = spawn(
        &["sas", "join", &code, "--identity", b.to_str().unwrap()],
        None,
    );
    let joiner_out = joiner.stdout.take().unwrap();
    let (joiner, jc) = finish(joiner, joiner_out);
    let (host, hc) = finish(host, host_out);
    assert_eq!(
        last(&joiner)["event"],
        "not_recorded",
        "{:?}",
        joiner.events
    );
    assert_eq!((hc, jc), (0, 0), "{:?}", host.events);
    assert!(
        host.events
            .iter()
            .any(|e| e["event"] == "ignored_connection"),
        "{:?}",
        host.events
    );
}

#[test]
fn a_v1_join_code_asks_to_update() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = identity(dir.path(), "bob");
    let out = Command::new(BIN)
        .args([
            "sas",
            "join",
            "2K0AG-08MPY-CDVMC-C5AKB-M",
            "--identity",
            b.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("older verifier") && err.contains("update"),
        "{err}"
    );
}

#[test]
fn a_mistyped_join_code_is_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = identity(dir.path(), "bob");
    let out = Command::new(BIN)
        .args([
            "sas",
            "join",
            "4K0AG-08MPY-CA18D-2MEJA-B9N7A-ME1",
            "--identity",
            b.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum"));
}

/// Alice hosts, Bob joins; each names the other with `--contact` and has a store.
/// `answer`: what both type at "do they match?" (`None`: `--yes`, nobody compares).
/// Returns both sides' events, exit codes, and `contacts show --json` of each store.
fn pair_with_contacts(answer: Option<&str>) -> [(Vec<Value>, i32, Value); 2] {
    let dir = tempfile::tempdir().unwrap();
    let (a, a_key) = identity(dir.path(), "alice");
    let (b, b_key) = identity(dir.path(), "bob");
    let (sa, sb) = (dir.path().join("a.sqlite3"), dir.path().join("b.sqlite3"));
    // Bob already knows Alice's key as a contact; Alice's store learns Bob now.
    let out = Command::new(BIN)
        .args([
            "contacts",
            "add",
            "Alice",
            &a_key,
            "--store",
            sb.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut host = spawn(
        &[
            "sas",
            "host",
            "--identity",
            a.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
            "--store",
            sa.to_str().unwrap(),
            "--contact",
            "Bob",
        ],
        answer,
    );
    let mut host_out = BufReader::new(host.stdout.take().unwrap());
    let mut line = String::new();
    host_out.read_line(&mut line).unwrap();
    let code = serde_json::from_str::<Value>(&line).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut joiner = spawn(
        &[
            "sas",
            "join",
            &code,
            "--identity",
            b.to_str().unwrap(),
            "--store",
            sb.to_str().unwrap(),
            "--contact",
            "Alice",
        ],
        answer,
    );
    let joiner_out = joiner.stdout.take().unwrap();
    let (j, jc) = finish(joiner, joiner_out);
    let (h, hc) = finish(host, host_out);
    let show = |store: &Path, name: &str, id: &Path| -> Value {
        let out = Command::new(BIN)
            .args([
                "contacts",
                "show",
                name,
                "--json",
                "--store",
                store.to_str().unwrap(),
                "--identity",
                id.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("no contact named") {
            return serde_json::json!({"status": "absent"});
        }
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"))
    };
    let (shown_a, shown_b) = (show(&sa, "Bob", &a), show(&sb, "Alice", &b));
    if shown_a["status"] != "absent" {
        assert!(shown_a.to_string().contains(b_key.as_str()), "{shown_a}");
    }
    assert!(shown_b.to_string().contains(a_key.as_str()), "{shown_b}");
    let out = [
        (h.events.clone(), hc, shown_a),
        (j.events.clone(), jc, shown_b),
    ];
    drop((h.child, j.child));
    out
}

#[test]
fn verified_sessions_are_recorded_in_each_trust_store() {
    let [host, joiner] = pair_with_contacts(Some("y\n"));
    for ((events, code, shown), name) in [(host, "Bob"), (joiner, "Alice")] {
        assert_eq!(code, 0);
        let last = events.last().unwrap();
        assert_eq!(last["event"], "recorded", "{last}");
        assert_eq!(last["contact"], name);
        assert_eq!(last["method"], "sas");
        assert_eq!(last["receipt_id"].as_str().unwrap().len(), 64);
        assert_eq!(shown["status"], "verified", "{shown}");
        assert_eq!(shown["method"], "sas", "{shown}");
    }
}

#[test]
fn attack4_scripted_yes_with_contact_is_not_recorded() {
    let [host, joiner] = pair_with_contacts(None);
    for (events, code, shown) in [host, joiner] {
        // The protocol ran to the end ...
        assert_eq!(code, 0);
        assert!(
            events.iter().any(|e| e["event"] == "verified"),
            "{events:?}"
        );
        // ... but nobody compared, so nothing was recorded, and the output says so.
        let last = events.last().unwrap();
        assert_eq!(last["event"], "not_recorded", "{last}");
        assert_eq!(last["reason"], "not_compared_by_person", "{last}");
        assert!(
            last["message"]
                .as_str()
                .unwrap()
                .contains("nobody compared"),
            "{last}"
        );
        // Alice's store did not know Bob: the refused check left no contact behind.
        // Bob's store knew Alice: she stays unverified.
        assert!(
            shown["status"] == "unverified" || shown["status"] == "absent",
            "{shown}"
        );
    }
}

#[test]
fn both_sides_show_the_hosts_word_language() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = identity(dir.path(), "alice");
    let (b, _) = identity(dir.path(), "bob");
    let mut host = spawn(
        &[
            "sas",
            "host",
            "--identity",
            a.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
            "--lang",
            "fr",
        ],
        None,
    );
    let mut host_out = BufReader::new(host.stdout.take().unwrap());
    let mut line = String::new();
    host_out.read_line(&mut line).unwrap();
    let code = serde_json::from_str::<Value>(&line).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut joiner = spawn(
        &["sas", "join", &code, "--identity", b.to_str().unwrap()],
        None,
    );
    let joiner_out = joiner.stdout.take().unwrap();
    let (joiner, jc) = finish(joiner, joiner_out);
    let (host, hc) = finish(host, host_out);
    assert_eq!((hc, jc), (0, 0));
    let compare = |s: &Side| {
        s.events
            .iter()
            .find(|e| e["event"] == "compare")
            .cloned()
            .unwrap()
    };
    let (h, j) = (compare(&host), compare(&joiner));
    assert_eq!(h["words_language"], "fr");
    assert_eq!(j["words_language"], "fr", "the joiner follows the host");
    assert_eq!(h["words"], j["words"]);
}
