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

// Layout: `Store` (opening, the file) here; `contacts` (adding, observing
// and accepting keys, forgetting, reading contacts), `receipts` (verifications
// and receipts), `history` (events, and the facts the trust engine reads);
// `rows` (row helpers and SQL conversions), `schema` (creation and
// migrations), `types` (what the API returns), `error`, `watch`.

mod contacts;
mod error;
mod history;
mod identity_file;
mod receipts;
mod rows;
mod schema;
mod types;
mod watch;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use error::StoreError;
pub use identity_file::IdentityFile;
pub use schema::{APPLICATION_ID, BUSY_TIMEOUT, SCHEMA_VERSION};
pub use types::{
    ContactSummary, Event, EventKind, ImportOutcome, KeyRecord, ObserveOutcome, VerifyOutcome,
};

pub use verifier_core::trust::TrustStatus;

use schema::db_err;
use verifier_core::receipt::Timestamp;

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

    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = &self.path;
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_err(path, e))
    }
}
