//! Contacts and their keys: adding (naming rules, lookalikes), observing a
//! key (the key-change alert), accepting a changed key, forgetting, and
//! reading contacts, statuses and keys.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};
use verifier_core::contact_name::{ContactName, find_lookalike};
use verifier_core::key::PublicKey;
use verifier_core::receipt::{LabelField, Timestamp, validate_label};
use verifier_core::trust::{self, OwnKeys, Refusal};

use crate::history::facts_of;
use crate::rows::{
    CONTACT_COLUMNS, ContactRow, add_event, contact_from_row, find_contact, from_sql_time,
    key_from_sql, load_key, normalise_name, query_all, refused, require_contact, require_current,
    set_current, six_columns, to_sql_time, upsert_key,
};
use crate::schema::db_err;
use crate::{ContactSummary, KeyRecord, ObserveOutcome, Store, StoreError, TrustStatus};

impl Store {
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
}

/// Adds a contact inside the caller's write transaction; returns its stored (NFC) name.
pub(crate) fn add_in(
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

/// The body of [`Store::observe_key`], inside the caller's transaction.
pub(crate) fn observe_in(
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
