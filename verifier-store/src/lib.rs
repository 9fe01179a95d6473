//! The trust store: who was verified, which keys were seen, and alerts when a
//! verified contact's key changes.
//!
//! An SQLite database (bundled SQLite, WAL mode, one transaction per change,
//! a busy timeout so that the CLI and the app can write at once, a versioned
//! schema). The API is sans-clock: every change takes the current time as a
//! [`Timestamp`]. Layout and rules: `docs/trust-store.md`.
//!
//! The store decides nothing about trust itself: it hands each contact's
//! recorded history to the trust engine ([`verifier_core::trust`]) and persists what
//! the engine decides, inside one transaction. A status is read from the
//! signed receipts every time (an edited row reads as
//! [`TrustStatus::Tampered`], never as verified).
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::Timestamp;
//! use verifier_store::{ObserveOutcome, Store, StoreError};
//! use verifier_core::trust::{Evidence, Intent, OwnKeys, Refusal, TrustStatus};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path().join("trust.sqlite3"))?;
//! let me = Identity::generate(&mut rand_core::OsRng);
//! let own = OwnKeys::new(me.public_key());
//! let alice_key = Identity::generate(&mut rand_core::OsRng).public_key();
//! let t = Timestamp::from_unix_secs(1_700_000_000);
//!
//! store.add_contact_with_key("Alice", None, &alice_key, t)?;
//! // The person compared Alice's full key: evidence for exactly that key.
//! let done = store.verify("Alice", Evidence::manual_assertion(alice_key), Intent::Verify, &me, &own, t)?;
//! assert!(matches!(store.status("Alice", &own)?, TrustStatus::Verified { .. }));
//!
//! // The server swaps Alice's key: the store remembers and says so.
//! let evil = Identity::generate(&mut rand_core::OsRng).public_key();
//! let outcome = store.observe_key("Alice", &evil, t)?;
//! assert!(matches!(outcome, ObserveOutcome::Changed { was_verified: true, .. }));
//! assert!(matches!(store.status("Alice", &own)?, TrustStatus::KeyChanged { .. }));
//! // A plain "verify" of the new key is refused: only the key-change flow may.
//! let again = store.verify("Alice", Evidence::manual_assertion(evil), Intent::Verify, &me, &own, t);
//! assert!(matches!(again, Err(StoreError::Refused { refusal }) if matches!(*refusal, Refusal::KeyChangedNeedsConfirmation { .. })));
//! assert_eq!(store.receipt(&done.receipt.id())?, Some(done.receipt));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// `StoreError::Refused` carries the engine's `Refusal`, whose typed keys are
// large (they keep the decompressed point); errors are short-lived and
// boxing would only complicate matching (as for the engine's own types).

mod error;
mod schema;
mod types;
mod watch;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};

pub use error::StoreError;
pub use schema::{APPLICATION_ID, BUSY_TIMEOUT, SCHEMA_VERSION};
pub use types::{
    ContactSummary, Event, EventKind, ImportOutcome, KeyRecord, ObserveOutcome, VerifyOutcome,
};

pub use verifier_core::trust::TrustStatus;

use schema::db_err;
use verifier_core::contact_name::{ContactName, find_lookalike};
use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::{
    LabelField, Receipt, ReceiptError, ReceiptId, Timestamp, VerificationMethod, validate_label,
};
use verifier_core::trust::{
    self, ContactFacts, Evidence, ImportDecision, Intent, LogEntry, LogKind, OwnKeys, Record,
    Refusal,
};

/// The current system time as a [`Timestamp`] (clamped to the epoch if the
/// clock is before it). The core reads no clock; binaries pass this.
pub fn now() -> Timestamp {
    Timestamp::from_unix_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    )
}

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
}

const CONTACT_COLUMNS: &str = "id, name, stable_id, current_key_id";

fn contact_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: r.get(0)?,
        name: r.get(1)?,
        stable_id: r.get(2)?,
        current_key_id: r.get(3)?,
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

/// A name as the store keeps it: NFC, checked against the naming rules.
fn normalise_name(name: &str) -> Result<String, StoreError> {
    let parsed = ContactName::parse(name)?;
    Ok(parsed.as_str().to_owned())
}

/// A name to look up: NFC-normalised, but not refused (a lookup of a name
/// that breaks the rules simply finds nothing).
fn lookup_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    name.nfc().collect()
}

fn refused(refusal: Refusal) -> StoreError {
    StoreError::Refused {
        refusal: Box::new(refusal),
    }
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
    ///
    /// The name is NFC-normalised and checked against the naming rules
    /// (`docs/contact-names.md`: no bidi controls, zero-width or other
    /// invisible characters); a name that looks like an existing contact's
    /// ([`StoreError::Lookalike`]) needs
    /// [`Store::add_contact_allowing_lookalike`].
    pub fn add_contact(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.add(name, stable_id, None, false, now)
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
        self.add(name, stable_id, Some(key), false, now)
    }

    /// [`Store::add_contact_with_key`] (or without a key) for a name that
    /// looks like an existing contact's, after the person confirmed that it
    /// is a different contact.
    pub fn add_contact_allowing_lookalike(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        key: Option<&PublicKey>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.add(name, stable_id, key, true, now)
    }

    /// The existing contact whose name looks like `name` (same confusable
    /// skeleton), if any; errors if `name` breaks the naming rules.
    pub fn lookalike_of(&self, name: &str) -> Result<Option<String>, StoreError> {
        let parsed = ContactName::parse(name)?;
        let names: Vec<String> = query_all(
            &self.conn,
            &self.path,
            "SELECT name FROM contacts",
            [],
            |r| r.get(0),
        )?;
        Ok(find_lookalike(&parsed, names.iter().map(String::as_str)).map(str::to_owned))
    }

    fn add(
        &mut self,
        name: &str,
        stable_id: Option<&str>,
        key: Option<&PublicKey>,
        allow_lookalike: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        add_in(&tx, &path, name, stable_id, key, allow_lookalike, at)?;
        tx.commit().map_err(err)
    }
}

/// Adds a contact inside the caller's write transaction; returns its stored (NFC) name.
fn add_in(
    tx: &Connection,
    path: &Path,
    name: &str,
    stable_id: Option<&str>,
    key: Option<&PublicKey>,
    allow_lookalike: bool,
    at: i64,
) -> Result<String, StoreError> {
    let err = |e| db_err(path, e);
    let name = normalise_name(name)?;
    if let Some(id) = stable_id {
        validate_label(LabelField::ContactId, id)?;
    }
    if find_contact(tx, &name).map_err(err)?.is_some() {
        return Err(StoreError::ContactExists { name });
    }
    // Inside the write transaction: two writers cannot add two lookalikes at once.
    if !allow_lookalike {
        let parsed = ContactName::parse(&name)?;
        let names: Vec<String> =
            query_all(tx, path, "SELECT name FROM contacts", [], |r| r.get(0))?;
        if let Some(existing) = find_lookalike(&parsed, names.iter().map(String::as_str)) {
            return Err(StoreError::Lookalike {
                name,
                existing: existing.to_owned(),
            });
        }
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
    add_event(tx, cid, at, "contact_added", None, None, None, None).map_err(err)?;
    if let Some(key) = key {
        let row = require_contact(tx, path, &name)?;
        observe_in(tx, path, &row, key, at)?;
    }
    Ok(name)
}

impl Store {
    /// Records that `key` was seen for `contact` (e.g. announced by a server)
    /// and reports whether it differs from the current key. Observing never
    /// verifies anything; a changed key of a verified contact raises the
    /// key-change alert ([`TrustStatus::KeyChanged`]).
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

    /// The contact's recorded history as the trust engine reads it.
    pub fn facts(&self, contact: &str) -> Result<ContactFacts, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        facts_of(&self.conn, &self.path, &row)
    }

    /// `own` with the earlier identities that signed this store's own
    /// verifications added (see [`OwnKeys::with_former`]).
    fn own_with_former(
        conn: &Connection,
        path: &Path,
        own: &OwnKeys,
    ) -> Result<OwnKeys, StoreError> {
        // The signer field of every receipt made here (bytes 5..39 of both
        // receipt versions: type, length, key). Only a classification hint:
        // every receipt is checked in full when a status is read.
        let raw: Vec<Vec<u8>> = query_all(
            conn,
            path,
            "SELECT DISTINCT substr(receipt, 6, 34) FROM verifications WHERE imported = 0",
            [],
            |r| r.get(0),
        )?;
        let signers = raw.iter().filter_map(|b| match b.as_slice() {
            [ty, 32, key @ ..] => KeyType::from_code(*ty)
                .ok()
                .and_then(|t| PublicKey::from_bytes(t, key).ok()),
            _ => None,
        });
        Ok(own.clone().with_former(signers))
    }

    /// Asks the trust engine whether `evidence` verifies `contact` and, if it
    /// approves, records the verification (a receipt signed by `signer`)
    /// in the same transaction. A refusal is [`StoreError::Refused`] with the
    /// engine's reason; nothing is written then.
    ///
    /// `own` are the user's identity keys (its current key must be
    /// `signer`'s).
    pub fn verify(
        &mut self,
        contact: &str,
        evidence: Evidence,
        intent: Intent,
        signer: &Identity,
        own: &OwnKeys,
        now: Timestamp,
    ) -> Result<VerifyOutcome, StoreError> {
        self.verify_in(contact, None, evidence, intent, signer, own, now)
    }

    /// `create`: add a missing contact (with this stable id) in the transaction.
    #[allow(clippy::too_many_arguments)]
    fn verify_in(
        &mut self,
        contact: &str,
        create: Option<Option<&str>>,
        evidence: Evidence,
        intent: Intent,
        signer: &Identity,
        own: &OwnKeys,
        now: Timestamp,
    ) -> Result<VerifyOutcome, StoreError> {
        if &signer.public_key() != own.current() {
            return Err(StoreError::SignerNotCurrent {
                signer: Box::new(signer.public_key()),
                current: Box::new(*own.current()),
            });
        }
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = match (find_contact(&tx, contact).map_err(err)?, create) {
            (Some(row), _) => row,
            (None, Some(stable_id)) => {
                let name = add_in(
                    &tx,
                    &path,
                    contact,
                    stable_id,
                    Some(evidence.key()),
                    false,
                    at,
                )?;
                require_contact(&tx, &path, &name)?
            }
            (None, None) => {
                return Err(refused(Refusal::UnknownContact {
                    name: contact.to_owned(),
                }));
            }
        };
        let own = Self::own_with_former(&tx, &path, own)?;
        let facts = facts_of(&tx, &path, &row)?;
        let approval = trust::decide(&facts, &own, evidence, intent).map_err(refused)?;
        let key = *approval.key();
        let row = if approval.is_first_key() {
            observe_in(&tx, &path, &row, &key, at)?;
            require_contact(&tx, &path, &row.name)?
        } else {
            row
        };
        let key_id = require_current(&tx, &path, &row, &key)?;
        let receipt = match approval.record() {
            Record::SignNew => {
                let receipt = Receipt::sign(signer, approval.statement(now)?);
                record_verification(&tx, &row, key_id, &receipt, at, Recorded::Local)
                    .map_err(err)?;
                receipt
            }
            Record::ApplyStored { id } => {
                let receipt =
                    load_receipt(&tx, &path, id)?.ok_or(refused(Refusal::ReceiptNotInHistory))?;
                let method = receipt.statement().method().code();
                add_event(
                    &tx,
                    row.id,
                    at,
                    "verified",
                    Some(key_id),
                    None,
                    Some(method),
                    Some(id.as_bytes()),
                )
                .map_err(err)?;
                receipt
            }
            // A newer engine's way of recording that this store does not know.
            _ => {
                return Err(StoreError::InvalidStoredData {
                    what: "an approval this version of the store cannot record",
                });
            }
        };
        tx.commit().map_err(err)?;
        Ok(VerifyOutcome {
            contact: row.name,
            receipt,
            first_key: approval.is_first_key(),
            replaced: approval.replaces().copied(),
        })
    }

    /// [`Store::verify`] for a contact that may not exist yet: a missing
    /// contact is added with the checked key (naming rules and the lookalike
    /// check apply) in the same transaction, so a refusal leaves nothing
    /// behind.
    #[allow(clippy::too_many_arguments)]
    pub fn verify_or_add(
        &mut self,
        contact: &str,
        stable_id: Option<&str>,
        evidence: Evidence,
        intent: Intent,
        signer: &Identity,
        own: &OwnKeys,
        now: Timestamp,
    ) -> Result<VerifyOutcome, StoreError> {
        self.verify_in(contact, Some(stable_id), evidence, intent, signer, own, now)
    }

    /// The receipt behind the contact's verification as the trust engine
    /// reads it now (the one to export), if any.
    pub fn verified_receipt(
        &self,
        contact: &str,
        own: &OwnKeys,
    ) -> Result<Option<Receipt>, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let own = Self::own_with_former(&self.conn, &self.path, own)?;
        let facts = facts_of(&self.conn, &self.path, &row)?;
        match trust::assess(&facts, &own).verified_receipt {
            Some(id) => load_receipt(&self.conn, &self.path, &id),
            None => Ok(None),
        }
    }

    /// The key-change flow with a receipt from the contact's history: after
    /// the person reviewed it (its method and date beside the old and new
    /// keys), the evidence it gives for [`Store::verify`] with
    /// [`Intent::ConfirmKeyChange`]. Refused for a key that this store saw
    /// retired ([`Refusal::RetiredKey`]).
    pub fn review_receipt(
        &self,
        contact: &str,
        id: &ReceiptId,
        own: &OwnKeys,
    ) -> Result<Evidence, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let own = Self::own_with_former(&self.conn, &self.path, own)?;
        let facts = facts_of(&self.conn, &self.path, &row)?;
        trust::review_receipt(&facts, &own, id).map_err(refused)
    }

    /// Imports a receipt (e.g. from a backup or another device of the same
    /// user). It must be signed by the user's identity (`own`). The contact
    /// is found by stable id, else by name, else created with the receipt's
    /// key. Whether it counts is the trust engine's decision
    /// ([`trust::decide_import`]): it never clears a key-change alert by
    /// itself, it then lands in the history only.
    pub fn import_receipt(
        &mut self,
        receipt: &Receipt,
        own: &OwnKeys,
        now: Timestamp,
    ) -> Result<ImportOutcome, StoreError> {
        let at = to_sql_time(now)?;
        let st = receipt.statement();
        let name = normalise_name(st.contact_name())?;
        if !own.is_own(receipt.signer()) {
            return Err(refused(Refusal::NotYourReceipt {
                signer: *receipt.signer(),
            }));
        }
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
            None => find_contact(&tx, &name).map_err(err)?,
        };
        if let Some(r) = &found
            && (r.name != name || r.stable_id.as_deref() != st.contact_id())
        {
            return Err(StoreError::ReceiptContactMismatch {
                receipt_name: st.contact_name().to_owned(),
                receipt_id: st.contact_id().map(str::to_owned),
                contact_name: r.name.clone(),
                contact_id: r.stable_id.clone(),
            });
        }
        let own = Self::own_with_former(&tx, &path, own)?;
        let facts = found
            .as_ref()
            .map(|r| facts_of(&tx, &path, r))
            .transpose()?;
        let decision = trust::decide_import(facts.as_ref(), &own, receipt).map_err(refused)?;
        let row = match found {
            Some(r) => r,
            None => {
                // A new contact from a receipt follows the naming rules like any other.
                let parsed = ContactName::parse(&name)?;
                let names: Vec<String> =
                    query_all(&tx, &path, "SELECT name FROM contacts", [], |r| r.get(0))?;
                if let Some(existing) = find_lookalike(&parsed, names.iter().map(String::as_str)) {
                    return Err(StoreError::Lookalike {
                        name,
                        existing: existing.to_owned(),
                    });
                }
                tx.execute(
                    "INSERT INTO contacts (name, stable_id, created_at) VALUES (?1, ?2, ?3)",
                    params![name, st.contact_id(), at],
                )
                .map_err(err)?;
                let cid = tx.last_insert_rowid();
                add_event(&tx, cid, at, "contact_added", None, None, None, None).map_err(err)?;
                require_contact(&tx, &path, &name)?
            }
        };
        let applied = matches!(decision, ImportDecision::Apply);
        let key_id = if row.current_key_id.is_none() {
            observe_in(&tx, &path, &row, st.key(), at)?;
            let row = require_contact(&tx, &path, &row.name)?;
            require_current(&tx, &path, &row, st.key())?
        } else {
            upsert_key(&tx, row.id, st.key(), at).map_err(err)?
        };
        let how = if applied {
            Recorded::ImportedApplied
        } else {
            Recorded::ImportedHistoryOnly
        };
        record_verification(&tx, &row, key_id, receipt, at, how).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(match decision {
            ImportDecision::HistoryOnly { reason } => ImportOutcome::HistoryOnly { reason },
            _ => ImportOutcome::Imported,
        })
    }

    /// Acknowledges a changed key without verifying it: the contact goes from
    /// [`TrustStatus::KeyChanged`] to [`TrustStatus::Unverified`]. `key` must
    /// be the current key (so the user accepts exactly what they were shown).
    pub fn accept_key(
        &mut self,
        contact: &str,
        key: &PublicKey,
        own: &OwnKeys,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let at = to_sql_time(now)?;
        let path = self.path.clone();
        let err = |e| db_err(&path, e);
        let tx = self.write_tx()?;
        let row = require_contact(&tx, &path, contact)?;
        let key_id = require_current(&tx, &path, &row, key)?;
        let own = Self::own_with_former(&tx, &path, own)?;
        let facts = facts_of(&tx, &path, &row)?;
        match trust::assess(&facts, &own).status {
            TrustStatus::KeyChanged { .. } | TrustStatus::NewIdentity => {}
            TrustStatus::Tampered { problem } => {
                return Err(refused(Refusal::Tampered { problem }));
            }
            _ => return Err(StoreError::NothingToAccept { contact: row.name }),
        }
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

    /// The contact's trust state, read by the trust engine from the signed
    /// receipts under `own`.
    pub fn status(&self, contact: &str, own: &OwnKeys) -> Result<TrustStatus, StoreError> {
        Ok(self.contact(contact, own)?.status)
    }

    /// One contact's summary.
    pub fn contact(&self, contact: &str, own: &OwnKeys) -> Result<ContactSummary, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let own = Self::own_with_former(&self.conn, &self.path, own)?;
        summary_of(&self.conn, &self.path, row, &own)
    }

    /// All contacts, by name.
    pub fn list(&self, own: &OwnKeys) -> Result<Vec<ContactSummary>, StoreError> {
        let rows = query_all(
            &self.conn,
            &self.path,
            &format!("SELECT {CONTACT_COLUMNS} FROM contacts ORDER BY name"),
            [],
            contact_from_row,
        )?;
        let own = Self::own_with_former(&self.conn, &self.path, own)?;
        rows.into_iter()
            .map(|row| summary_of(&self.conn, &self.path, row, &own))
            .collect()
    }

    /// The contact names, sorted.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        query_all(
            &self.conn,
            &self.path,
            "SELECT name FROM contacts ORDER BY name",
            [],
            |r| r.get(0),
        )
    }

    /// The keys seen for a contact, oldest first.
    pub fn keys(&self, contact: &str) -> Result<Vec<KeyRecord>, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        let raw: Vec<(i64, i64, Vec<u8>, i64, i64, bool)> = query_all(
            &self.conn,
            &self.path,
            "SELECT k.id, k.key_type, k.key_bytes, k.first_seen, k.last_seen,
                    EXISTS (SELECT 1 FROM verifications v WHERE v.key_id = k.id AND v.applied = 1)
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
        let raw = raw_events(&self.conn, &self.path, row.id)?;
        let bad = StoreError::InvalidStoredData {
            what: "incomplete history event",
        };
        let mut out = Vec::with_capacity(raw.len());
        for ev in raw {
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
                ev.receipt_id.ok_or(StoreError::InvalidStoredData {
                    what: "history event without receipt id",
                })
            };
            let method = || method_from_sql(ev.method.unwrap_or(0));
            let kind = match ev.kind.as_str() {
                "contact_added" => EventKind::ContactAdded,
                "key_first_seen" => EventKind::KeyFirstSeen {
                    key: key(ev.key_id)?,
                },
                "key_changed" => EventKind::KeyChanged {
                    from: key(ev.from_key_id)?,
                    to: key(ev.key_id)?,
                },
                "verified" => EventKind::Verified {
                    key: key(ev.key_id)?,
                    method: method()?,
                    receipt: receipt()?,
                },
                "receipt_imported" => EventKind::ReceiptImported {
                    key: key(ev.key_id)?,
                    method: method()?,
                    receipt: receipt()?,
                    applied: ev.applied.unwrap_or(false),
                },
                "key_accepted" => EventKind::KeyAccepted {
                    key: key(ev.key_id)?,
                },
                _ => return Err(bad),
            };
            out.push(Event {
                at: from_sql_time(ev.at)?,
                kind,
            });
        }
        Ok(out)
    }

    /// The receipts stored for a contact, newest verification first. A stored
    /// receipt that no longer decodes is an error (the contact reads as
    /// tampered).
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
        load_receipt(&self.conn, &self.path, id)
    }
}

fn load_receipt(
    conn: &Connection,
    path: &Path,
    id: &ReceiptId,
) -> Result<Option<Receipt>, StoreError> {
    let raw: Option<Vec<u8>> = conn
        .query_row(
            "SELECT receipt FROM verifications WHERE receipt_id = ?1",
            [id.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| db_err(path, e))?;
    raw.map(|b| Receipt::from_bytes(&b).map_err(StoreError::from))
        .transpose()
}

/// One row of `events`, with the receipt it refers to.
struct RawEvent {
    at: i64,
    kind: String,
    key_id: Option<i64>,
    from_key_id: Option<i64>,
    method: Option<i64>,
    receipt_id: Option<ReceiptId>,
    receipt: Option<Vec<u8>>,
    applied: Option<bool>,
}

fn raw_events(
    conn: &Connection,
    path: &Path,
    contact_id: i64,
) -> Result<Vec<RawEvent>, StoreError> {
    query_all(
        conn,
        path,
        "SELECT e.at, e.kind, e.key_id, e.from_key_id, e.method, e.receipt_id, v.receipt, v.applied
         FROM events e LEFT JOIN verifications v
           ON v.receipt_id = e.receipt_id AND v.contact_id = e.contact_id
         WHERE e.contact_id = ?1 ORDER BY e.id",
        [contact_id],
        |r| {
            let rid: Option<Vec<u8>> = r.get(5)?;
            Ok(RawEvent {
                at: r.get(0)?,
                kind: r.get(1)?,
                key_id: r.get(2)?,
                from_key_id: r.get(3)?,
                method: r.get(4)?,
                receipt_id: rid
                    .as_deref()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(ReceiptId::from_array),
                receipt: r.get(6)?,
                applied: r.get::<_, Option<i64>>(7)?.map(|v| v != 0),
            })
        },
    )
}

/// The contact's history as the trust engine reads it.
fn facts_of(conn: &Connection, path: &Path, row: &ContactRow) -> Result<ContactFacts, StoreError> {
    let mut facts = ContactFacts::new(&row.name, row.stable_id.as_deref());
    for ev in raw_events(conn, path, row.id)? {
        let at = from_sql_time(ev.at)?;
        let key = |id: Option<i64>| -> Result<PublicKey, StoreError> {
            load_key(
                conn,
                path,
                id.ok_or(StoreError::InvalidStoredData {
                    what: "history event without key",
                })?,
            )
        };
        let kind = match ev.kind.as_str() {
            "key_first_seen" | "key_changed" => LogKind::KeySeen {
                key: key(ev.key_id)?,
            },
            "verified" => LogKind::Verified {
                receipt: ev.receipt,
            },
            "receipt_imported" => LogKind::ReceiptImported {
                receipt: ev.receipt,
                applied: ev.applied.unwrap_or(false),
            },
            "key_accepted" => LogKind::KeyAccepted {
                key: key(ev.key_id)?,
            },
            "contact_added" => continue,
            other => LogKind::Unrecognised {
                what: other.to_owned(),
            },
        };
        facts.log.push(LogEntry::new(at, kind));
    }
    facts.current_key = row
        .current_key_id
        .map(|id| load_key(conn, path, id))
        .transpose()?;
    Ok(facts)
}

/// The key id of the latest verification that counts in the history (from
/// the rows, without checking signatures: for the informational
/// `was_verified` of an observation only; statuses always come from
/// [`trust::assess`]).
fn last_verified_key_id(conn: &Connection, contact_id: i64) -> rusqlite::Result<Option<i64>> {
    let row: Option<(String, Option<i64>)> = conn
        .query_row(
            "SELECT e.kind, e.key_id FROM events e
             LEFT JOIN verifications v ON v.receipt_id = e.receipt_id
             WHERE e.contact_id = ?1
               AND (e.kind IN ('verified', 'key_accepted')
                    OR (e.kind = 'receipt_imported' AND v.applied = 1))
             ORDER BY e.id DESC LIMIT 1",
            [contact_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((kind, key_id)) if kind != "key_accepted" => key_id,
        _ => None,
    })
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
            let was_verified = last_verified_key_id(tx, row.id).map_err(err)? == Some(cur);
            set_current(tx, row.id, key_id, at).map_err(err)?;
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
                was_verified,
            }
        }
    };
    Ok(outcome)
}

/// The contact with this name: its NFC form (as the store keeps names), else
/// the name exactly as given (contacts stored before names were normalised).
fn find_contact(conn: &Connection, name: &str) -> rusqlite::Result<Option<ContactRow>> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE name = ?1");
    if let Some(row) = conn
        .query_row(&sql, [lookup_name(name)], contact_from_row)
        .optional()?
    {
        return Ok(Some(row));
    }
    conn.query_row(&sql, [name], contact_from_row).optional()
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

/// How a receipt came to be recorded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recorded {
    /// Signed here after the trust engine approved a check.
    Local,
    /// Imported, and the engine let it count.
    ImportedApplied,
    /// Imported into the history only.
    ImportedHistoryOnly,
}

fn record_verification(
    tx: &Connection,
    row: &ContactRow,
    key_id: i64,
    receipt: &Receipt,
    at: i64,
    how: Recorded,
) -> rusqlite::Result<()> {
    let st = receipt.statement();
    // The statement's time was range-checked when it was made.
    let verified_at = i64::try_from(st.verified_at().as_unix_secs()).unwrap_or(i64::MAX);
    let id = receipt.id();
    let method = st.method().code();
    let imported = how != Recorded::Local;
    let applied = how != Recorded::ImportedHistoryOnly;
    tx.execute(
        "INSERT OR IGNORE INTO verifications
            (contact_id, key_id, method, verified_at, recorded_at, imported, receipt_id, receipt, applied)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            row.id,
            key_id,
            method,
            verified_at,
            at,
            imported,
            id.as_bytes().as_slice(),
            receipt.as_bytes(),
            applied
        ],
    )?;
    // Kept up to date for readers of schema version 1; statuses never read it.
    if applied {
        tx.execute(
            "UPDATE contacts SET trusted_key_id = ?2, changed_at = NULL WHERE id = ?1",
            params![row.id, key_id],
        )?;
    }
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

fn summary_of(
    conn: &Connection,
    path: &Path,
    row: ContactRow,
    own: &OwnKeys,
) -> Result<ContactSummary, StoreError> {
    let facts = facts_of(conn, path, &row)?;
    let assessment = trust::assess(&facts, own);
    Ok(ContactSummary {
        name: row.name,
        stable_id: row.stable_id,
        current_key: facts.current_key,
        status: assessment.status,
    })
}
