//! Opening the database safely and migrating its schema.
//!
//! Nothing is written to an existing file before it has been checked: the
//! SQLite header, the application id, the schema version (a newer one is
//! refused) and `PRAGMA quick_check`. A damaged file is reported, never
//! re-created or overwritten.
//!
//! A new store is built complete (schema committed, in WAL mode) under a
//! temporary name in the same directory and then linked into place, so a file
//! at the store's path always starts with an SQLite header: an empty file there
//! can only be damage (a truncation) and is refused, not taken for a new store.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::StoreError;

/// `PRAGMA application_id` of a trust store: ASCII "VRFY".
pub const APPLICATION_ID: i32 = 0x5652_4659;

/// How long a writer waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations; `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1.
    "
    CREATE TABLE contacts (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        stable_id      TEXT UNIQUE,
        created_at     INTEGER NOT NULL,
        current_key_id INTEGER,
        current_since  INTEGER,
        trusted_key_id INTEGER,
        changed_at     INTEGER
    );
    CREATE TABLE keys (
        id         INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        key_type   INTEGER NOT NULL,
        key_bytes  BLOB NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen  INTEGER NOT NULL,
        UNIQUE (contact_id, key_type, key_bytes)
    );
    CREATE TABLE verifications (
        id          INTEGER PRIMARY KEY,
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        key_id      INTEGER NOT NULL REFERENCES keys(id) ON DELETE CASCADE,
        method      INTEGER NOT NULL,
        verified_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        imported    INTEGER NOT NULL,
        receipt_id  BLOB NOT NULL UNIQUE,
        receipt     BLOB NOT NULL
    );
    CREATE INDEX verifications_contact ON verifications (contact_id, verified_at);
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        key_id      INTEGER REFERENCES keys(id) ON DELETE CASCADE,
        from_key_id INTEGER REFERENCES keys(id) ON DELETE CASCADE,
        method      INTEGER,
        receipt_id  BLOB
    );
    CREATE INDEX events_contact ON events (contact_id, id);
    ",
    // Version 2: imported receipts may land in the history without counting
    // (the trust engine's `ImportDecision::HistoryOnly`); earlier imports counted.
    "
    ALTER TABLE verifications ADD COLUMN applied INTEGER NOT NULL DEFAULT 1;
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Maps an SQLite error to the store's error kinds.
pub(crate) fn db_err(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            path: path.to_owned(),
        },
        _ => StoreError::Sqlite { source: e },
    }
}

/// Reads the first bytes of an existing file; `Ok(false)` if it does not exist.
fn check_existing_file(path: &Path) -> Result<bool, StoreError> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StoreError::Io {
                action: "open",
                path: path.to_owned(),
                source: e,
            });
        }
    };
    let io = |source| StoreError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let len = f.metadata().map_err(io)?.len();
    if len < 100 {
        return Err(StoreError::Truncated {
            path: path.to_owned(),
            len,
        });
    }
    let mut header = [0u8; 16];
    f.read_exact(&mut header).map_err(io)?;
    if &header != b"SQLite format 3\0" {
        return Err(StoreError::NotADatabase {
            path: path.to_owned(),
        });
    }
    Ok(true)
}

/// Creates a complete, empty store at `path` without ever leaving a partial
/// file there: the schema is committed in a temporary file in the same
/// directory, which is then hard-linked to `path` (failing if another process
/// created the store first, which is fine) and removed.
fn create_new(path: &Path) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(
        || std::ffi::OsString::from("store"),
        std::ffi::OsStr::to_owned,
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut tmp_name = name;
    tmp_name.push(format!(".creating-{}-{nanos}", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = build_and_link(&tmp, path);
    // Best effort: the temporary name is gone after a successful link too.
    let _ = std::fs::remove_file(&tmp);
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut side = tmp.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(Path::new(&side));
    }
    result
}

fn build_and_link(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    let err = |e| db_err(tmp, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    {
        let conn = Connection::open_with_flags(tmp, flags).map_err(err)?;
        // WAL is recorded in the file header, so opening the linked store needs no
        // journal-mode change (which would need an exclusive lock while another
        // process may be opening the same new store).
        set_wal(&conn, tmp)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        let conn = migrate(conn, tmp)?;
        conn.close().map_err(|(_, e)| err(e))?;
    }
    match std::fs::hard_link(tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(source) => {
            // File systems without hard links: rename, unless it appeared meanwhile.
            if path.exists() {
                return Ok(());
            }
            std::fs::rename(tmp, path).map_err(|_| StoreError::Io {
                action: "create",
                path: path.to_owned(),
                source,
            })?;
        }
    }
    sync_dir(path);
    Ok(())
}

/// Makes the new directory entry durable (best effort; not possible everywhere).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Switches to (or confirms) write-ahead logging, which the store requires.
///
/// SQLite answers a journal-mode change that needs another process's lock with
/// `SQLITE_BUSY` at once, without its busy handler, so this retries for up to
/// [`BUSY_TIMEOUT`]. (Stores we create are in WAL mode from the start, so this
/// only matters for a file switched to another mode from outside.)
fn set_wal(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let start = std::time::Instant::now();
    let mode: String = loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Ok(mode) => break mode,
            Err(e) => match db_err(path, e) {
                StoreError::Busy { .. } if start.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => return Err(other),
            },
        }
    };
    if mode.eq_ignore_ascii_case("wal") {
        Ok(())
    } else {
        Err(StoreError::Sqlite {
            source: rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stayed {mode}, WAL is required"
            )),
        })
    }
}

/// Opens (creating if needed), checks and migrates the database at `path`.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
            action: "create the directory",
            path: parent.to_owned(),
            source,
        })?;
    }
    if !check_existing_file(path)? {
        create_new(path)?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let err = |e| db_err(path, e);
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;

    {
        // Read-only checks first: nothing is written to a file we refuse.
        check_identity_and_version(&conn, path)?;
        let result: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(err)?;
        if result != "ok" {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                detail: result,
            });
        }
    }

    set_wal(&conn, path)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(err)?;
    migrate(conn, path)
}

fn check_identity_and_version(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let err = |e| db_err(path, e);
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(err)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    if app_id != APPLICATION_ID && app_id != 0 {
        return Err(StoreError::NotAVerifierStore {
            path: path.to_owned(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if app_id == 0 {
        // Either brand new (no tables) or somebody else's database.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        if tables > 0 {
            return Err(StoreError::NotAVerifierStore {
                path: path.to_owned(),
            });
        }
    }
    Ok(())
}

fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let err = |e| db_err(path, e);
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    if current == SCHEMA_VERSION {
        return Ok(conn);
    }
    {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // Re-check under the write lock: another process may have migrated.
        check_identity_and_version(&tx, path)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        let start = usize::try_from(version).map_err(|_| StoreError::InvalidStoredData {
            what: "negative schema version",
        })?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(err)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(conn)
}
