//! The trust store: who was verified, which keys were seen, and alerts when a
//! verified contact's key changes.
//!
//! An SQLite database (bundled SQLite, WAL mode, one transaction per change,
//! a busy timeout so that the CLI and the app can write at once, a versioned
//! schema). The API is sans-clock: every change takes the current time as a
//! [`Timestamp`]. Layout and rules: `docs/trust-store.md`.
//!
//! A changed key of a verified contact stays [`TrustStatus::KeyChanged`] until
//! the new key is verified ([`Store::mark_verified`]) or explicitly accepted
//! ([`Store::accept_key`]); it never becomes "verified" by itself.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::{Timestamp, VerificationMethod};
//! use verifier_core::store::{ObserveOutcome, Store, TrustStatus};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path().join("trust.sqlite3"))?;
//! let me = Identity::generate(&mut rand_core::OsRng);
//! let alice_key = Identity::generate(&mut rand_core::OsRng).public_key();
//! let t = Timestamp::from_unix_secs(1_700_000_000);
//!
//! store.add_contact("Alice", None, t)?;
//! assert_eq!(store.observe_key("Alice", &alice_key, t)?, ObserveOutcome::FirstSeen);
//! let receipt = store.mark_verified("Alice", &alice_key, VerificationMethod::QrScan, &me, t)?;
//! assert!(matches!(store.status("Alice")?, TrustStatus::Verified { .. }));
//!
//! // The server swaps Alice's key: the store remembers and says so.
//! let evil = Identity::generate(&mut rand_core::OsRng).public_key();
//! let outcome = store.observe_key("Alice", &evil, t)?;
//! assert!(matches!(outcome, ObserveOutcome::Changed { was_verified: true, .. }));
//! assert!(matches!(store.status("Alice")?, TrustStatus::KeyChanged { .. }));
//! assert_eq!(store.receipt(&receipt.id())?, Some(receipt));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod schema;
mod types;
mod watch;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};

pub use error::StoreError;
pub use schema::{APPLICATION_ID, BUSY_TIMEOUT, SCHEMA_VERSION};
pub use types::{
    ContactSummary, Event, EventKind, ImportOutcome, KeyRecord, ObserveOutcome, TrustStatus,
};

use crate::identity::Identity;
use crate::key::{KeyType, PublicKey};
use crate::receipt::{
    LabelField, Receipt, ReceiptError, ReceiptId, ReceiptStatement, Timestamp, VerificationMethod,
    validate_label,
};
use schema::db_err;

/// The environment variable that overrides the store location.
pub const STORE_ENV: &str = "VERIFIER_STORE";

/// The file name of the store inside the platform data directory.
pub const STORE_FILE_NAME: &str = "trust-store.sqlite3";

/// An open trust store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A contact row.
struct ContactRow {
    id: i64,
    name: String,
    stable_id: Option<String>,
    current_key_id: Option<i64>,
    current_since: Option<i64>,
    trusted_key_id: Option<i64>,
    changed_at: Option<i64>,
}

const CONTACT_COLUMNS: &str =
    "id, name, stable_id, current_key_id, current_since, trusted_key_id, changed_at";

fn contact_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: r.get(0)?,
        name: r.get(1)?,
        stable_id: r.get(2)?,
        current_key_id: r.get(3)?,
        current_since: r.get(4)?,
        trusted_key_id: r.get(5)?,
        changed_at: r.get(6)?,
    })
}

/// Runs a query and maps every row with `f`, with the store's error kinds.
fn query_all<T, P: rusqlite::Params>(
    conn: &Connection,
    path: &Path,
    sql: &str,
    params: P,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let err = |e| db_err(path, e);
    let mut stmt = conn.prepare(sql).map_err(err)?;
    stmt.query_map(params, f)
        .and_then(|r| r.collect())
        .map_err(err)
}

/// The first six columns of a row as a tuple.
fn six_columns<A, B, C, D, E, F>(r: &rusqlite::Row<'_>) -> rusqlite::Result<(A, B, C, D, E, F)>
where
    A: rusqlite::types::FromSql,
    B: rusqlite::types::FromSql,
    C: rusqlite::types::FromSql,
    D: rusqlite::types::FromSql,
    E: rusqlite::types::FromSql,
    F: rusqlite::types::FromSql,
{
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_sql_time(t: Timestamp) -> Result<i64, StoreError> {
    i64::try_from(t.as_unix_secs()).map_err(|_| {
        StoreError::Receipt(ReceiptError::TimeOutOfRange {
            secs: t.as_unix_secs(),
            max: Timestamp::MAX.as_unix_secs(),
        })
    })
}

fn from_sql_time(v: i64) -> Result<Timestamp, StoreError> {
    u64::try_from(v)
        .map(Timestamp::from_unix_secs)
        .map_err(|_| StoreError::InvalidStoredData {
            what: "negative timestamp",
        })
}

fn method_from_sql(code: i64) -> Result<VerificationMethod, StoreError> {
    u8::try_from(code)
        .ok()
        .and_then(VerificationMethod::from_code)
        .ok_or(StoreError::InvalidStoredData {
            what: "unknown verification method code",
        })
}

impl Store {
    /// The store location: `$VERIFIER_STORE` if set and not empty, else
    /// `<platform data dir>/verifier/trust-store.sqlite3`.
    pub fn default_path() -> Result<PathBuf, StoreError> {
        if let Some(p) = std::env::var_os(STORE_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        dirs::data_dir()
            .map(|d| d.join("verifier").join(STORE_FILE_NAME))
            .ok_or(StoreError::NoDataDir)
    }

    /// Opens the store at `path`, creating it (and its directory) if absent.
    ///
    /// An existing file is checked before anything is written to it: a file
    /// that is not an SQLite database, is truncated or damaged, belongs to
    /// another application, or has a newer schema version is refused with a
    /// specific error and left unchanged.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let conn = schema::open(&path)?;
        Ok(Self { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs SQLite's full `PRAGMA integrity_check`; `Ok(())` if it says `ok`.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| db_err(&self.path, e))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| db_err(&self.path, e))?;
        if lines.len() == 1 && lines.first().is_some_and(|l| l == "ok") {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: lines.join("; "),
            })
        }
    }

    fn write_tx(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = &self.path;
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_err(path, e))
    }

    /// Adds a contact (no key yet; record one with [`Store::observe_key`]).
    pub fn add_contact(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.add(name, stable_id, None, now).map(|_| ())
    }

    /// Adds a contact together with the key it uses now, in one transaction
    /// (the key is recorded as first seen, unverified).
    pub fn add_contact_with_key(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        key: &PublicKey,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.add(name, stable_id, Some(key), now).map(|_| ())
    }

    fn add(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        key: Option<&PublicKey>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        validate_label(LabelField::ContactName, name)?;
        if let Some(id) = stable_id {
            validate_label(LabelField::ContactId, id)?;
        }
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        if find_contact(&tx, name).map_err(err)?.is_some() {
            return Err(StoreError::ContactExists {
                name: name.to_owned(),
            });
        }
        if let Some(id) = stable_id {
            let owner: Option<String> = tx
                .query_row(
                    "SELECT name FROM contacts WHERE stable_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if let Some(owner) = owner {
                return Err(StoreError::StableIdTaken {
                    stable_id: id.to_owned(),
                    owner,
                });
            }
        }
        tx.execute(
            "INSERT INTO contacts (name, stable_id, created_at) VALUES (?1, ?2, ?3)",
            params![name, stable_id, at],
        )
        .map_err(err)?;
        let cid = tx.last_insert_rowid();
        add_event(&tx, cid, at, "contact_added", None, None, None, None).map_err(err)?;
        if let Some(key) = key {
            let row = require_contact(&tx, &path, name)?;
            observe_in(&tx, &path, &row, key, at)?;
        }
        tx.commit().map_err(err)
    }

    /// Records that `key` was seen for `contact` (e.g. announced by a server)
    /// and reports whether it differs from the current key.
    pub fn observe_key(
        &mut self,
        contact: &str,
        key: &PublicKey,
        now: Timestamp,
    ) -> Result<ObserveOutcome, StoreError> {
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = require_contact(&tx, &path, contact)?;
        let outcome = observe_in(&tx, &path, &row, key, at)?;
        tx.commit().map_err(err)?;
        Ok(outcome)
    }

    /// Records that the user verified `key` (which must be the contact's
    /// current key) by `method`, and returns the receipt, signed by `signer`,
    /// that is stored with it.
    pub fn mark_verified(
        &mut self,
        contact: &str,
        key: &PublicKey,
        method: VerificationMethod,
        signer: &Identity,
        now: Timestamp,
    ) -> Result<Receipt, StoreError> {
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = require_contact(&tx, &path, contact)?;
        let key_id = require_current(&tx, &path, &row, key)?;
        let statement =
            ReceiptStatement::new(*key, &row.name, row.stable_id.as_deref(), now, method)?;
        let receipt = Receipt::sign(signer, statement);
        record_verification(&tx, &row, key_id, &receipt, at, false).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(receipt)
    }

    /// Imports a receipt (e.g. from a backup or another device of the same
    /// user). It must be signed by `expected_signer`; its key must be the
    /// contact's current key, or become it if the contact has no key yet.
    /// A missing contact is created from the receipt's name and identifier.
    pub fn import_receipt(
        &mut self,
        receipt: &Receipt,
        expected_signer: &PublicKey,
        now: Timestamp,
    ) -> Result<ImportOutcome, StoreError> {
        receipt.check_signer(expected_signer)?;
        let at = to_sql_time(now)?;
        let st = receipt.statement();
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let exists: bool = tx
            .query_row(
                "SELECT count(*) FROM verifications WHERE receipt_id = ?1",
                [receipt.id().as_bytes().as_slice()],
                |r| r.get::<_, i64>(0),
            )
            .map_err(err)?
            > 0;
        if exists {
            return Ok(ImportOutcome::AlreadyPresent);
        }
        let by_id = match st.contact_id() {
            Some(id) => tx
                .query_row(
                    &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE stable_id = ?1"),
                    [id],
                    contact_from_row,
                )
                .optional()
                .map_err(err)?,
            None => None,
        };
        let found = match by_id {
            Some(r) => Some(r),
            None => find_contact(&tx, st.contact_name()).map_err(err)?,
        };
        let row = match found {
            Some(r) => {
                if let (Some(theirs), Some(ours)) = (st.contact_id(), r.stable_id.as_deref())
                    && theirs != ours
                {
                    return Err(StoreError::StableIdTaken {
                        stable_id: ours.to_owned(),
                        owner: r.name,
                    });
                }
                r
            }
            None => {
                tx.execute(
                    "INSERT INTO contacts (name, stable_id, created_at) VALUES (?1, ?2, ?3)",
                    params![st.contact_name(), st.contact_id(), at],
                )
                .map_err(err)?;
                let cid = tx.last_insert_rowid();
                add_event(&tx, cid, at, "contact_added", None, None, None, None).map_err(err)?;
                require_contact(&tx, &path, st.contact_name())?
            }
        };
        let key_id = if row.current_key_id.is_none() {
            let kid = upsert_key(&tx, row.id, st.key(), at).map_err(err)?;
            set_current(&tx, row.id, kid, at).map_err(err)?;
            add_event(
                &tx,
                row.id,
                at,
                "key_first_seen",
                Some(kid),
                None,
                None,
                None,
            )
            .map_err(err)?;
            kid
        } else {
            require_current(&tx, &path, &row, st.key())?
        };
        record_verification(&tx, &row, key_id, receipt, at, true).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(ImportOutcome::Imported)
    }

    /// Acknowledges a changed key without verifying it: the contact goes from
    /// [`TrustStatus::KeyChanged`] to [`TrustStatus::Unverified`]. `key` must
    /// be the current key (so the user accepts exactly what they were shown).
    pub fn accept_key(
        &mut self,
        contact: &str,
        key: &PublicKey,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = require_contact(&tx, &path, contact)?;
        let key_id = require_current(&tx, &path, &row, key)?;
        match row.trusted_key_id {
            Some(t) if t != key_id => {}
            _ => {
                return Err(StoreError::NothingToAccept { contact: row.name });
            }
        }
        tx.execute(
            "UPDATE contacts SET trusted_key_id = NULL, changed_at = NULL WHERE id = ?1",
            [row.id],
        )
        .map_err(err)?;
        add_event(
            &tx,
            row.id,
            at,
            "key_accepted",
            Some(key_id),
            None,
            None,
            None,
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Deletes a contact with its keys, verifications and history.
    pub fn forget(&mut self, contact: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = require_contact(&tx, &path, contact)?;
        tx.execute("DELETE FROM events WHERE contact_id = ?1", [row.id])
            .map_err(err)?;
        tx.execute("DELETE FROM verifications WHERE contact_id = ?1", [row.id])
            .map_err(err)?;
        tx.execute("DELETE FROM keys WHERE contact_id = ?1", [row.id])
            .map_err(err)?;
        tx.execute("DELETE FROM contacts WHERE id = ?1", [row.id])
            .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// The contact's trust state.
    pub fn status(&self, contact: &str) -> Result<TrustStatus, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        status_of(&self.conn, &self.path, &row)
    }

    /// One contact's summary.
    pub fn contact(&self, contact: &str) -> Result<ContactSummary, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        summary_of(&self.conn, &self.path, row)
    }

    /// All contacts, by name.
    pub fn list(&self) -> Result<Vec<ContactSummary>, StoreError> {
        let rows = query_all(
            &self.conn,
            &self.path,
            &format!("SELECT {CONTACT_COLUMNS} FROM contacts ORDER BY name"),
            [],
            contact_from_row,
        )?;
        rows.into_iter()
            .map(|row| summary_of(&self.conn, &self.path, row))
            .collect()
    }

    /// The keys seen for a contact, oldest first.
    pub fn keys(&self, contact: &str) -> Result<Vec<KeyRecord>, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let raw: Vec<(i64, i64, Vec<u8>, i64, i64, bool)> = query_all(
            &self.conn,
            &self.path,
            "SELECT k.id, k.key_type, k.key_bytes, k.first_seen, k.last_seen,
                    EXISTS (SELECT 1 FROM verifications v WHERE v.key_id = k.id)
             FROM keys k WHERE k.contact_id = ?1 ORDER BY k.first_seen, k.id",
            [row.id],
            six_columns,
        )?;
        raw.into_iter()
            .map(|(id, ty, bytes, first, last, verified)| {
                Ok(KeyRecord {
                    key: key_from_sql(ty, &bytes)?,
                    first_seen: from_sql_time(first)?,
                    last_seen: from_sql_time(last)?,
                    current: row.current_key_id == Some(id),
                    ever_verified: verified,
                })
            })
            .collect()
    }

    /// The contact's history, oldest first.
    pub fn history(&self, contact: &str) -> Result<Vec<Event>, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        type Raw = (
            i64,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<Vec<u8>>,
        );
        let raw: Vec<Raw> = query_all(
            &self.conn,
            &self.path,
            "SELECT at, kind, key_id, from_key_id, method, receipt_id
             FROM events WHERE contact_id = ?1 ORDER BY id",
            [row.id],
            six_columns,
        )?;
        let bad = StoreError::InvalidStoredData {
            what: "incomplete history event",
        };
        let mut out = Vec::with_capacity(raw.len());
        for (at, kind, key_id, from_key_id, method, receipt_id) in raw {
            let key = |id: Option<i64>| -> Result<PublicKey, StoreError> {
                load_key(
                    &self.conn,
                    &self.path,
                    id.ok_or(StoreError::InvalidStoredData {
                        what: "history event without key",
                    })?,
                )
            };
            let receipt = || -> Result<ReceiptId, StoreError> {
                receipt_id
                    .as_deref()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(ReceiptId::from_array)
                    .ok_or(StoreError::InvalidStoredData {
                        what: "history event without receipt id",
                    })
            };
            let method = || method_from_sql(method.unwrap_or(0));
            let kind = match kind.as_str() {
                "contact_added" => EventKind::ContactAdded,
                "key_first_seen" => EventKind::KeyFirstSeen { key: key(key_id)? },
                "key_changed" => EventKind::KeyChanged {
                    from: key(from_key_id)?,
                    to: key(key_id)?,
                },
                "verified" => EventKind::Verified {
                    key: key(key_id)?,
                    method: method()?,
                    receipt: receipt()?,
                },
                "receipt_imported" => EventKind::ReceiptImported {
                    key: key(key_id)?,
                    method: method()?,
                    receipt: receipt()?,
                },
                "key_accepted" => EventKind::KeyAccepted { key: key(key_id)? },
                _ => return Err(bad),
            };
            out.push(Event {
                at: from_sql_time(at)?,
                kind,
            });
        }
        Ok(out)
    }

    /// The receipts stored for a contact, newest verification first.
    pub fn receipts(&self, contact: &str) -> Result<Vec<Receipt>, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let raw: Vec<Vec<u8>> = query_all(
            &self.conn,
            &self.path,
            "SELECT receipt FROM verifications WHERE contact_id = ?1
             ORDER BY verified_at DESC, id DESC",
            [row.id],
            |r| r.get(0),
        )?;
        raw.iter()
            .map(|b| Receipt::from_bytes(b).map_err(StoreError::from))
            .collect()
    }

    /// The stored receipt with this id, if any.
    pub fn receipt(&self, id: &ReceiptId) -> Result<Option<Receipt>, StoreError> {
        let raw: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT receipt FROM verifications WHERE receipt_id = ?1",
                [id.as_bytes().as_slice()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| db_err(&self.path, e))?;
        raw.map(|b| Receipt::from_bytes(&b).map_err(StoreError::from))
            .transpose()
    }
}

/// The body of [`Store::observe_key`], inside the caller's transaction.
fn observe_in(
    tx: &Connection,
    path: &Path,
    row: &ContactRow,
    key: &PublicKey,
    at: i64,
) -> Result<ObserveOutcome, StoreError> {
    let err = |e| db_err(path, e);
    let key_id = upsert_key(tx, row.id, key, at).map_err(err)?;
    let outcome = match row.current_key_id {
        None => {
            set_current(tx, row.id, key_id, at).map_err(err)?;
            add_event(
                tx,
                row.id,
                at,
                "key_first_seen",
                Some(key_id),
                None,
                None,
                None,
            )
            .map_err(err)?;
            ObserveOutcome::FirstSeen
        }
        Some(cur) if cur == key_id => ObserveOutcome::Unchanged,
        Some(cur) => {
            let previous = load_key(tx, path, cur)?;
            set_current(tx, row.id, key_id, at).map_err(err)?;
            if let Some(trusted) = row.trusted_key_id {
                let changed_at = if trusted == key_id {
                    None
                } else {
                    Some(row.changed_at.unwrap_or(at))
                };
                tx.execute(
                    "UPDATE contacts SET changed_at = ?2 WHERE id = ?1",
                    params![row.id, changed_at],
                )
                .map_err(err)?;
            }
            add_event(
                tx,
                row.id,
                at,
                "key_changed",
                Some(key_id),
                Some(cur),
                None,
                None,
            )
            .map_err(err)?;
            ObserveOutcome::Changed {
                previous,
                was_verified: row.trusted_key_id == Some(cur),
            }
        }
    };
    Ok(outcome)
}

fn find_contact(conn: &Connection, name: &str) -> rusqlite::Result<Option<ContactRow>> {
    conn.query_row(
        &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE name = ?1"),
        [name],
        contact_from_row,
    )
    .optional()
}

fn require_contact(conn: &Connection, path: &Path, name: &str) -> Result<ContactRow, StoreError> {
    find_contact(conn, name)
        .map_err(|e| db_err(path, e))?
        .ok_or_else(|| StoreError::ContactNotFound {
            name: name.to_owned(),
        })
}

fn key_id_of(conn: &Connection, contact_id: i64, key: &PublicKey) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM keys WHERE contact_id = ?1 AND key_type = ?2 AND key_bytes = ?3",
        params![contact_id, key.key_type().code(), key.as_bytes().as_slice()],
        |r| r.get(0),
    )
    .optional()
}

/// The key's id if it is the contact's current key, else `KeyNotCurrent`.
fn require_current(
    conn: &Connection,
    path: &Path,
    row: &ContactRow,
    key: &PublicKey,
) -> Result<i64, StoreError> {
    let id = key_id_of(conn, row.id, key).map_err(|e| db_err(path, e))?;
    match (id, row.current_key_id) {
        (Some(id), Some(cur)) if id == cur => Ok(id),
        _ => Err(StoreError::KeyNotCurrent {
            contact: row.name.clone(),
            key: Box::new(*key),
        }),
    }
}

/// Inserts the key or updates its `last_seen`; returns its id.
fn upsert_key(tx: &Connection, contact_id: i64, key: &PublicKey, at: i64) -> rusqlite::Result<i64> {
    if let Some(id) = key_id_of(tx, contact_id, key)? {
        tx.execute(
            "UPDATE keys SET last_seen = max(last_seen, ?2) WHERE id = ?1",
            params![id, at],
        )?;
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO keys (contact_id, key_type, key_bytes, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            contact_id,
            key.key_type().code(),
            key.as_bytes().as_slice(),
            at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn set_current(tx: &Connection, contact_id: i64, key_id: i64, at: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE contacts SET current_key_id = ?2, current_since = ?3 WHERE id = ?1",
        params![contact_id, key_id, at],
    )?;
    Ok(())
}

fn record_verification(
    tx: &Connection,
    row: &ContactRow,
    key_id: i64,
    receipt: &Receipt,
    at: i64,
    imported: bool,
) -> rusqlite::Result<()> {
    let st = receipt.statement();
    // The statement's time was range-checked when it was made.
    let verified_at = i64::try_from(st.verified_at().as_unix_secs()).unwrap_or(i64::MAX);
    let id = receipt.id();
    let method = st.method().code();
    tx.execute(
        "INSERT OR IGNORE INTO verifications
            (contact_id, key_id, method, verified_at, recorded_at, imported, receipt_id, receipt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.id,
            key_id,
            method,
            verified_at,
            at,
            imported,
            id.as_bytes().as_slice(),
            receipt.as_bytes()
        ],
    )?;
    tx.execute(
        "UPDATE contacts SET trusted_key_id = ?2, changed_at = NULL WHERE id = ?1",
        params![row.id, key_id],
    )?;
    let (kind, event_at) = if imported {
        ("receipt_imported", at)
    } else {
        ("verified", verified_at)
    };
    add_event(
        tx,
        row.id,
        event_at,
        kind,
        Some(key_id),
        None,
        Some(method),
        Some(id.as_bytes()),
    )
}

#[allow(clippy::too_many_arguments)]
fn add_event(
    tx: &Connection,
    contact_id: i64,
    at: i64,
    kind: &str,
    key_id: Option<i64>,
    from_key_id: Option<i64>,
    method: Option<u8>,
    receipt_id: Option<&[u8; 32]>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO events (contact_id, at, kind, key_id, from_key_id, method, receipt_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            contact_id,
            at,
            kind,
            key_id,
            from_key_id,
            method,
            receipt_id.map(|r| r.as_slice())
        ],
    )?;
    Ok(())
}

fn key_from_sql(ty: i64, bytes: &[u8]) -> Result<PublicKey, StoreError> {
    let bad = StoreError::InvalidStoredData {
        what: "invalid stored key",
    };
    let ty = u8::try_from(ty)
        .ok()
        .and_then(|c| KeyType::from_code(c).ok())
        .ok_or(StoreError::InvalidStoredData {
            what: "unknown stored key type",
        })?;
    PublicKey::from_bytes(ty, bytes).map_err(|_| bad)
}

fn load_key(conn: &Connection, path: &Path, key_id: i64) -> Result<PublicKey, StoreError> {
    let (ty, bytes): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT key_type, key_bytes FROM keys WHERE id = ?1",
            [key_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| db_err(path, e))?
        .ok_or(StoreError::InvalidStoredData {
            what: "reference to a missing key",
        })?;
    key_from_sql(ty, &bytes)
}

fn status_of(conn: &Connection, path: &Path, row: &ContactRow) -> Result<TrustStatus, StoreError> {
    let Some(trusted) = row.trusted_key_id else {
        return Ok(TrustStatus::Unverified);
    };
    if row.current_key_id == Some(trusted) {
        let (method, at): (i64, i64) = conn
            .query_row(
                "SELECT method, verified_at FROM verifications WHERE key_id = ?1
                 ORDER BY verified_at DESC, id DESC LIMIT 1",
                [trusted],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| db_err(path, e))?
            .ok_or(StoreError::InvalidStoredData {
                what: "verified key without a verification",
            })?;
        return Ok(TrustStatus::Verified {
            since: from_sql_time(at)?,
            method: method_from_sql(method)?,
        });
    }
    let since = row
        .changed_at
        .or(row.current_since)
        .ok_or(StoreError::InvalidStoredData {
            what: "key change without a time",
        })?;
    Ok(TrustStatus::KeyChanged {
        previous_verified_key: load_key(conn, path, trusted)?,
        since: from_sql_time(since)?,
    })
}

fn summary_of(
    conn: &Connection,
    path: &Path,
    row: ContactRow,
) -> Result<ContactSummary, StoreError> {
    let status = status_of(conn, path, &row)?;
    let current_key = row
        .current_key_id
        .map(|id| load_key(conn, path, id))
        .transpose()?;
    Ok(ContactSummary {
        name: row.name,
        stable_id: row.stable_id,
        current_key,
        status,
    })
}
