//! Durability under SIGKILL and concurrent writers in separate processes.
//!
//! The child processes are this same test binary, re-run with `--exact TEST`
//! and the environment variable `VERIFIER_STORE_TEST_CHILD` naming the
//! database: the test function then plays the child instead of the parent.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use verifier_core::identity::Identity;
use verifier_core::receipt::{ReceiptId, Timestamp};
use verifier_core::trust::{Evidence, Intent, OwnKeys};
use verifier_store::Store;

const CHILD_ENV: &str = "VERIFIER_STORE_TEST_CHILD";
const COUNT_ENV: &str = "VERIFIER_STORE_TEST_COUNT";
const KILLS: usize = 120;
const WRITES_PER_WRITER: u64 = 150;

/// Child: writes verifications until `limit` (or killed), printing
/// `ready` once the store is open and `id <hex>` after each returned call.
/// Each verification is of a new key of its own contact (after the first,
/// through the key-change flow).
fn child_writer(db: &str, limit: Option<u64>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut store = Store::open(db).unwrap();
    let me = Identity::generate(&mut rand_core::OsRng);
    let own = OwnKeys::new(me.public_key());
    let name = format!("writer-{}", std::process::id());
    let base = 1_700_000_000;
    store
        .add_contact(&name, None, Timestamp::from_unix_secs(base))
        .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut n = 0u64;
    let mut verified = None;
    while limit.is_none_or(|l| n < l) && Instant::now() < deadline {
        let now = Timestamp::from_unix_secs(base + n);
        let key = Identity::generate(&mut rand_core::OsRng).public_key();
        store.observe_key(&name, &key, now).unwrap();
        let intent = match verified {
            None => Intent::Verify,
            Some(old) => Intent::ConfirmKeyChange { old, new: key },
        };
        let evidence = Evidence::manual_assertion(key);
        let done = store
            .verify(&name, evidence, intent, &me, &own, now)
            .unwrap();
        verified = Some(key);
        writeln!(out, "id {}", done.receipt.id()).unwrap();
        out.flush().unwrap();
        n += 1;
    }
}

/// Runs a test of this binary as a child process writing to `db`.
fn spawn_child(test: &str, db: &Path, count: Option<u64>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match count {
        Some(c) => cmd.env(COUNT_ENV, c.to_string()),
        None => cmd.env_remove(COUNT_ENV),
    };
    cmd.spawn().unwrap()
}

/// Parses complete `id <hex>` lines.
fn ids_in(stdout: &str) -> Vec<ReceiptId> {
    stdout
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| l.trim_end().strip_prefix("id "))
        .map(|h| ReceiptId::from_hex(h).unwrap())
        .collect()
}

fn child_mode() -> Option<(String, Option<u64>)> {
    let db = std::env::var(CHILD_ENV).ok()?;
    let count = std::env::var(COUNT_ENV).ok().map(|c| c.parse().unwrap());
    Some((db, count))
}

/// A small xorshift generator; the seed is printed so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_returned() {
    if let Some((db, count)) = child_mode() {
        child_writer(&db, count);
        return;
    }
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("crash test seed (CRASH_SEED): {seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("trust.sqlite3");
    let started = Instant::now();
    let mut reported = Vec::new();
    let mut kills_while_writing = 0;
    let mut rounds_with_returns = 0;
    for round in 0..KILLS {
        let mut child = spawn_child(
            "sigkill_at_random_moments_loses_nothing_returned",
            &db,
            None,
        );
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (ready_tx, ready_rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut all = String::new();
            let mut ready = false;
            let mut r = BufReader::new(&mut stdout);
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                if line.ends_with("ready\n") {
                    ready = true;
                    let _ = ready_tx.send(());
                }
                all.push_str(&line);
                line.clear();
            }
            (all, ready)
        });
        let err_reader = thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        // One round in five kills at a random moment from the start (while
        // opening, creating or migrating); the others at a random moment
        // after the store is open, while verifications are being written.
        if round % 5 == 0 {
            thread::sleep(Duration::from_micros(rng.below(20_000)));
        } else {
            // A child that fails to open never says ready: its exit is checked below.
            let _ = ready_rx.recv_timeout(Duration::from_secs(20));
            thread::sleep(Duration::from_micros(rng.below(40_000)));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let (out, was_ready) = reader.join().unwrap();
        let err = err_reader.join().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "round {round}: the child ended by itself ({status}), stderr:\n{err}"
        );
        let ids = ids_in(&out);
        if was_ready {
            kills_while_writing += 1;
        }
        if !ids.is_empty() {
            rounds_with_returns += 1;
        }
        reported.extend(ids);
    }
    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    for id in &reported {
        assert!(
            store.receipt(id).unwrap().is_some(),
            "verification {id} was reported but is missing"
        );
    }
    let distinct: BTreeSet<_> = reported.iter().collect();
    assert_eq!(distinct.len(), reported.len());
    println!(
        "{KILLS} SIGKILLs ({kills_while_writing} in the write loop, {rounds_with_returns} after at least one returned write); {} returned verifications, all present; {:.1} s",
        reported.len(),
        started.elapsed().as_secs_f64()
    );
    // By construction four rounds in five kill inside the write loop.
    assert!(
        kills_while_writing >= KILLS * 3 / 4,
        "{kills_while_writing}"
    );
    assert!(!reported.is_empty(), "no write ever returned");
}

#[test]
fn two_writer_processes_at_once_both_succeed() {
    if let Some((db, count)) = child_mode() {
        child_writer(&db, count);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("trust.sqlite3");
    let children: Vec<Child> = (0..2)
        .map(|_| {
            spawn_child(
                "two_writer_processes_at_once_both_succeed",
                &db,
                Some(WRITES_PER_WRITER),
            )
        })
        .collect();
    let mut all = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let ids = ids_in(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(ids.len() as u64, WRITES_PER_WRITER);
        all.extend(ids);
    }
    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let contacts = store.names().unwrap();
    assert_eq!(contacts.len(), 2);
    for name in &contacts {
        assert_eq!(
            store.receipts(name).unwrap().len() as u64,
            WRITES_PER_WRITER
        );
    }
    for id in &all {
        assert!(store.receipt(id).unwrap().is_some(), "{id} lost");
    }
}
