//! A contact's history: the events as the app shows them ([`Store::history`])
//! and as the trust engine reads them ([`Store::facts`]).

use std::path::Path;

use rusqlite::Connection;
use verifier_core::key::PublicKey;
use verifier_core::receipt::ReceiptId;
use verifier_core::trust::{ContactFacts, LogEntry, LogKind};

use crate::rows::{
    ContactRow, from_sql_time, load_key, method_from_sql, query_all, require_contact,
};
use crate::{Event, EventKind, Store, StoreError};

impl Store {
    /// The contact's recorded history as the trust engine reads it.
    pub fn facts(&self, contact: &str) -> Result<ContactFacts, StoreError> {
        let row = require_contact(&self.conn, &self.path, contact)?;
        facts_of(&self.conn, &self.path, &row)
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
pub(crate) fn facts_of(
    conn: &Connection,
    path: &Path,
    row: &ContactRow,
) -> Result<ContactFacts, StoreError> {
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
