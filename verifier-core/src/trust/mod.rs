//! The trust engine: the one place that turns the outcome of a check into a
//! decision for a *named* contact.
//!
//! It is pure (no I/O, no clock, no strings for people): the store hands over
//! what it knows about one contact ([`ContactFacts`]: its key history and the
//! receipts recorded for it, in the store's order), the caller hands over the
//! [`Evidence`] of a check and what the person wants ([`Intent`]); the engine
//! answers with an [`Approval`] (which only it can make, and which the store
//! needs to record anything) or a [`Refusal`] with a stable reason code. The
//! status of a contact ([`assess`]) comes from signatures: a contact is
//! verified only while a receipt for its current key verifies under the user's
//! own identity and names this contact.
//!
//! Rules (each has a test named after the attack it stops, in
//! `tests/attacks.rs`; `docs/threat-model.md` lists them):
//!
//! - a contact is never credited by key alone: every decision is for a named
//!   contact, and the checked key must be that contact's current key;
//! - a contact whose key changed is verified again only through the key-change
//!   flow ([`Intent::ConfirmKeyChange`]), which names the old and the new key
//!   the person was shown;
//! - scripted answers ([`ComparedBy::Script`]) are never recorded;
//! - an imported receipt never clears a key-change alert: it lands in the
//!   history ([`ImportDecision::HistoryOnly`]); the alert clears only when the
//!   person reviews it in the key-change flow ([`review_receipt`]), and a
//!   receipt for a key this store saw retired is refused;
//! - a receipt that does not verify, is signed by a key that was never the
//!   user's, names another contact, or contradicts the key history makes the
//!   contact [`TrustStatus::Tampered`], never verified.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::receipt::{Receipt, Timestamp};
//! use verifier_core::trust::{self, ContactFacts, Evidence, Intent, LogEntry, LogKind, OwnKeys, TrustStatus};
//!
//! let me = Identity::from_seed(&[1; 32])?;
//! let bob = Identity::from_seed(&[2; 32])?.public_key();
//! let own = OwnKeys::new(me.public_key());
//! let t = Timestamp::from_unix_secs(1_700_000_000);
//! let mut facts = ContactFacts::new("Bob", None);
//! facts.push(LogEntry::new(t, LogKind::KeySeen { key: bob }));
//! assert_eq!(trust::assess(&facts, &own).status, TrustStatus::Unverified);
//!
//! // The person compared the full key with Bob: the engine approves, the store
//! // (here: by hand) signs and records the receipt.
//! let approval = trust::decide(&facts, &own, Evidence::manual_assertion(bob), Intent::Verify)?;
//! let receipt = Receipt::sign(&me, approval.statement(t)?);
//! facts.push(LogEntry::new(t, LogKind::Verified { receipt: Some(receipt.as_bytes().to_vec()) }));
//! assert!(matches!(trust::assess(&facts, &own).status, TrustStatus::Verified { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// A typed key is large (it keeps the decompressed point); refusals and tamper
// reasons carry keys and are short-lived, so boxing would only complicate
// matching.
#![allow(clippy::result_large_err)]

// Layout: `facts` (what the engine reads), `status` (the status it reads from
// a history: replay and `assess`), `decide` (approvals, refusals, imports, the
// key-change flow with a stored receipt), `evidence` (what a check produces).
// Everything public is re-exported here.

mod decide;
mod evidence;
mod facts;
mod status;

pub use decide::{
    Approval, HistoryOnlyReason, ImportDecision, Intent, Record, Refusal, decide, decide_import,
    preview, review_receipt,
};
pub use evidence::{ComparedBy, Evidence, QrSource};
pub use facts::{ContactFacts, LogEntry, LogKind, OwnKeys};
pub use status::{Assessment, Tamper, TrustStatus, assess};

#[cfg(test)]
mod tests;
