//! Damaged, foreign and newer-schema database files are refused with a clear
//! error and are never modified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use verifier_core::identity::Identity;
use verifier_core::receipt::Timestamp;
use verifier_core::trust::{Evidence, Intent, OwnKeys};
use verifier_store::{Store, StoreError};

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix_secs(1_700_000_000 + s)
}

/// A closed store with enough rows to span many pages.
fn populated(dir: &Path) -> PathBuf {
    let path = dir.join("trust.sqlite3");
    let mut s = Store::open(&path).unwrap();
    let me = Identity::generate(&mut rand_core::OsRng);
    let own = OwnKeys::new(me.public_key());
    for i in 0..60 {
        let name = format!("contact {i:03} with a longer name to fill pages");
        let k = Identity::generate(&mut rand_core::OsRng).public_key();
        s.add_contact(&name, None, t(i)).unwrap();
        s.observe_key(&name, &k, t(i)).unwrap();
        let e = Evidence::manual_assertion(k);
        s.verify(&name, e, Intent::Verify, &me, &own, t(i)).unwrap();
    }
    drop(s); // the last connection checkpoints the WAL into the file
    assert!(!path.with_extension("sqlite3-wal").exists());
    path
}

fn snapshot(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn assert_untouched(path: &Path, before: &[u8]) {
    assert_eq!(snapshot(path), before, "the refused file was modified");
}

#[test]
fn garbage_file_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trust.sqlite3");
    let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("left unchanged"), "{msg}");
    assert_untouched(&path, &junk);
}

#[test]
fn short_file_is_reported_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(dir.path());
    let full = snapshot(&path);
    std::fs::write(&path, &full[..60]).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::Truncated { len: 60, .. }),
        "{err:?}"
    );
    assert_untouched(&path, &full[..60]);
}

#[test]
fn truncated_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(dir.path());
    let full = snapshot(&path);
    assert!(full.len() >= 8 * 4096, "store too small: {}", full.len());
    for cut in [full.len() / 2, full.len() - 4096, 4096 + 100] {
        let part = &full[..cut];
        std::fs::write(&path, part).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { .. }),
            "cut {cut}: {err:?}"
        );
        assert!(err.to_string().contains("corrupt"), "{err}");
        assert_untouched(&path, part);
    }
}

#[test]
fn corrupted_pages_are_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(dir.path());
    let mut bytes = snapshot(&path);
    // Overwrite the middle of the file (table/index b-tree pages).
    let mid = bytes.len() / 2;
    for (i, b) in bytes[mid - 2048..mid + 2048].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31) ^ 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_untouched(&path, &bytes);
}

#[test]
fn newer_schema_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(dir.path());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = snapshot(&path);
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::SchemaTooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, 99);
            assert_eq!(*supported, verifier_store::SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("upgrade"), "{err}");
    assert_untouched(&path, &before);
}

#[test]
fn another_applications_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let before = snapshot(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NotAVerifierStore { .. }),
        "{err:?}"
    );
    assert_untouched(&path, &before);
}

#[test]
fn empty_file_is_refused_as_truncated_and_kept() {
    // A new store is linked into place complete, so an empty file at the path
    // is damage (a truncated store), never silently a new, empty trust store.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite3");
    std::fs::write(&path, b"").unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::Truncated { len: 0, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("restore a backup"), "{err}");
    assert_untouched(&path, b"");
}

#[test]
fn missing_directory_becomes_a_new_complete_store() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a").join("b").join("trust.sqlite3");
    let mut s = Store::open(&nested).unwrap();
    // The file is a complete database from the moment it exists.
    let head = std::fs::read(&nested).unwrap();
    assert!(
        head.starts_with(b"SQLite format 3\0"),
        "{} bytes",
        head.len()
    );
    s.add_contact("A", None, t(0)).unwrap();
    drop(s);
    // No temporary files are left beside it.
    let names: Vec<String> = std::fs::read_dir(nested.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".creating-")), "{names:?}");
    // And an existing good store opens again with its data.
    let s = Store::open(&nested).unwrap();
    assert_eq!(s.names().unwrap(), ["A"]);
}

#[test]
fn many_openers_of_a_new_store_at_once_all_succeed() {
    // Creation races: every opener either links the new store into place or
    // finds it there, and none gets `Busy` from a journal-mode change.
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.sqlite3");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let threads: Vec<_> = (0..6)
            .map(|i| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut s = Store::open(&path)
                        .unwrap_or_else(|e| panic!("round {round}, opener {i}: {e:?}"));
                    s.add_contact(&format!("C{i}"), None, t(0)).unwrap();
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        assert_eq!(Store::open(&path).unwrap().names().unwrap().len(), 6);
    }
}
