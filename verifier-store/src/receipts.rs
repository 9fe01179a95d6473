//! Verifications and receipts: the trust engine's decision on a check and
//! the signed receipt recorded with it, imported receipts, the key-change flow
//! with a receipt from the history, and reading stored receipts.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};
use verifier_core::contact_name::{ContactName, find_lookalike};
use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::receipt::{Receipt, ReceiptId, Timestamp};
use verifier_core::trust::{self, Evidence, ImportDecision, Intent, OwnKeys, Record, Refusal};

use crate::contacts::{add_in, observe_in};
use crate::history::facts_of;
use crate::rows::{
    CONTACT_COLUMNS, ContactRow, add_event, contact_from_row, find_contact, normalise_name,
    query_all, refused, require_contact, require_current, to_sql_time, upsert_key,
};
use crate::schema::db_err;
use crate::{ImportOutcome, Store, StoreError, VerifyOutcome};

impl Store {
    /// `own` with the earlier identities that signed this store's own
    /// verifications added (see [`OwnKeys::with_former`]).
    pub(crate) fn own_with_former(
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
