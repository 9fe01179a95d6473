//! The rows of the database as the rest of the crate reads and writes them:
//! the contact row, keys, events, and the conversions between SQL values and
//! the core's types (times, methods, keys). No trust decisions here.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};
use verifier_core::contact_name::ContactName;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::{ReceiptError, Timestamp, VerificationMethod};
use verifier_core::trust::Refusal;

use crate::StoreError;
use crate::schema::db_err;

/// A contact row.
pub(crate) struct ContactRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) stable_id: Option<String>,
    pub(crate) current_key_id: Option<i64>,
}

pub(crate) const CONTACT_COLUMNS: &str = "id, name, stable_id, current_key_id";

pub(crate) fn contact_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: r.get(0)?,
        name: r.get(1)?,
        stable_id: r.get(2)?,
        current_key_id: r.get(3)?,
    })
}

/// Runs a query and maps every row with `f`, with the store's error kinds.
pub(crate) fn query_all<T, P: rusqlite::Params>(
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
pub(crate) fn six_columns<A, B, C, D, E, F>(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(A, B, C, D, E, F)>
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

pub(crate) fn to_sql_time(t: Timestamp) -> Result<i64, StoreError> {
    i64::try_from(t.as_unix_secs()).map_err(|_| {
        StoreError::Receipt(ReceiptError::TimeOutOfRange {
            secs: t.as_unix_secs(),
            max: Timestamp::MAX.as_unix_secs(),
        })
    })
}

pub(crate) fn from_sql_time(v: i64) -> Result<Timestamp, StoreError> {
    u64::try_from(v)
        .map(Timestamp::from_unix_secs)
        .map_err(|_| StoreError::InvalidStoredData {
            what: "negative timestamp",
        })
}

pub(crate) fn method_from_sql(code: i64) -> Result<VerificationMethod, StoreError> {
    u8::try_from(code)
        .ok()
        .and_then(VerificationMethod::from_code)
        .ok_or(StoreError::InvalidStoredData {
            what: "unknown verification method code",
        })
}

pub(crate) fn key_from_sql(ty: i64, bytes: &[u8]) -> Result<PublicKey, StoreError> {
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

pub(crate) fn load_key(
    conn: &Connection,
    path: &Path,
    key_id: i64,
) -> Result<PublicKey, StoreError> {
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

/// A name as the store keeps it: NFC, checked against the naming rules.
pub(crate) fn normalise_name(name: &str) -> Result<String, StoreError> {
    let parsed = ContactName::parse(name)?;
    Ok(parsed.as_str().to_owned())
}

/// A name to look up: NFC-normalised, but not refused (a lookup of a name
/// that breaks the rules simply finds nothing).
pub(crate) fn lookup_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    name.nfc().collect()
}

pub(crate) fn refused(refusal: Refusal) -> StoreError {
    StoreError::Refused {
        refusal: Box::new(refusal),
    }
}

/// The contact with this name: its NFC form (as the store keeps names), else
/// the name exactly as given (contacts stored before names were normalised).
pub(crate) fn find_contact(conn: &Connection, name: &str) -> rusqlite::Result<Option<ContactRow>> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE name = ?1");
    if let Some(row) = conn
        .query_row(&sql, [lookup_name(name)], contact_from_row)
        .optional()?
    {
        return Ok(Some(row));
    }
    conn.query_row(&sql, [name], contact_from_row).optional()
}

pub(crate) fn require_contact(
    conn: &Connection,
    path: &Path,
    name: &str,
) -> Result<ContactRow, StoreError> {
    find_contact(conn, name)
        .map_err(|e| db_err(path, e))?
        .ok_or_else(|| StoreError::ContactNotFound {
            name: name.to_owned(),
        })
}

pub(crate) fn key_id_of(
    conn: &Connection,
    contact_id: i64,
    key: &PublicKey,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM keys WHERE contact_id = ?1 AND key_type = ?2 AND key_bytes = ?3",
        params![contact_id, key.key_type().code(), key.as_bytes().as_slice()],
        |r| r.get(0),
    )
    .optional()
}

/// The key's id if it is the contact's current key, else `KeyNotCurrent`.
pub(crate) fn require_current(
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
pub(crate) fn upsert_key(
    tx: &Connection,
    contact_id: i64,
    key: &PublicKey,
    at: i64,
) -> rusqlite::Result<i64> {
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

pub(crate) fn set_current(
    tx: &Connection,
    contact_id: i64,
    key_id: i64,
    at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE contacts SET current_key_id = ?2, current_since = ?3 WHERE id = ?1",
        params![contact_id, key_id, at],
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn add_event(
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
