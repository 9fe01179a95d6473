//! Errors of the trust store.

use std::path::PathBuf;

use verifier_core::contact_name::NameError;
use verifier_core::key::PublicKey;
use verifier_core::receipt::ReceiptError;
use verifier_core::trust::Refusal;

/// Why a trust-store operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
// `Refused` holds the engine's `Refusal` (typed keys are large); boxing it
// would only complicate matching on the reason.
#[allow(clippy::large_enum_variant)]
pub enum StoreError {
    /// No platform data directory could be determined.
    #[error(
        "cannot determine the platform data directory; pass --store PATH or set VERIFIER_STORE"
    )]
    NoDataDir,
    /// A file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an SQLite database at all.
    #[error(
        "{path} is not a trust store (not an SQLite database; it may be corrupt); it was left unchanged: restore a backup or move it away"
    )]
    NotADatabase {
        /// The path.
        path: PathBuf,
    },
    /// The file is shorter than an SQLite header.
    #[error(
        "{path} is truncated ({len} bytes); it was left unchanged: restore a backup or move it away"
    )]
    Truncated {
        /// The path.
        path: PathBuf,
        /// Its length in bytes.
        len: u64,
    },
    /// SQLite reports the database as damaged.
    #[error(
        "the trust store {path} is corrupt ({detail}); it was left unchanged: restore a backup or move it away"
    )]
    Corrupt {
        /// The path.
        path: PathBuf,
        /// What SQLite reported.
        detail: String,
    },
    /// An SQLite database of another application.
    #[error(
        "{path} is an SQLite database of another application, not a verifier trust store; it was left unchanged"
    )]
    NotAVerifierStore {
        /// The path.
        path: PathBuf,
    },
    /// The store was written by a newer version of verifier.
    #[error(
        "the trust store {path} has schema version {found}, newer than this build supports ({supported}); upgrade verifier (the file was not modified)"
    )]
    SchemaTooNew {
        /// The path.
        path: PathBuf,
        /// The schema version found.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// Another process held the database locked for longer than the busy timeout.
    #[error("the trust store {path} is locked by another process; try again")]
    Busy {
        /// The path.
        path: PathBuf,
    },
    /// No contact with that name.
    #[error("no contact named {name:?}; add it first (verifier contacts add NAME KEY)")]
    ContactNotFound {
        /// The name.
        name: String,
    },
    /// A contact with that name exists already.
    #[error("a contact named {name:?} exists already")]
    ContactExists {
        /// The name.
        name: String,
    },
    /// The stable identifier belongs to another contact.
    #[error("the identifier {stable_id:?} belongs to contact {owner:?} already")]
    StableIdTaken {
        /// The identifier.
        stable_id: String,
        /// The contact that has it.
        owner: String,
    },
    /// The key is not the contact's current key.
    #[error("{key} is not the current key of {contact:?}; record it with observe first")]
    KeyNotCurrent {
        /// The contact.
        contact: String,
        /// The key given.
        key: Box<PublicKey>,
    },
    /// There is no key change to accept.
    #[error("{contact:?} has no unacknowledged key change to accept")]
    NothingToAccept {
        /// The contact.
        contact: String,
    },
    /// The contact name breaks the naming rules (`docs/contact-names.md`).
    #[error(transparent)]
    InvalidName(#[from] NameError),
    /// The new name looks like an existing contact's name (same confusable
    /// skeleton, Unicode TR39); adding it needs an explicit override.
    #[error(
        "{name:?} looks like the existing contact {existing:?}; two contacts that look alike can be confused on screen. Choose another name, or confirm that it is a different person (--allow-lookalike)"
    )]
    Lookalike {
        /// The new name.
        name: String,
        /// The existing contact it looks like.
        existing: String,
    },
    /// A receipt names a contact that the store holds with another name or
    /// identifier (found by the other one): importing it would attach it to
    /// the wrong contact.
    #[error(
        "the receipt is about {receipt_name:?} (identifier {receipt_id:?}), but the matching contact here is {contact_name:?} (identifier {contact_id:?}); it was not imported"
    )]
    ReceiptContactMismatch {
        /// The contact name in the receipt.
        receipt_name: String,
        /// The identifier in the receipt.
        receipt_id: Option<String>,
        /// The contact's name here.
        contact_name: String,
        /// The contact's identifier here.
        contact_id: Option<String>,
    },
    /// The trust engine refused to record the verification.
    #[error("{refusal}")]
    Refused {
        /// Why, with a stable reason code (`refusal.code()`).
        refusal: Box<Refusal>,
    },
    /// The identity given to sign is not the current identity the store was asked to trust.
    #[error("the signing identity {signer} is not the current identity {current}")]
    SignerNotCurrent {
        /// The signing identity.
        signer: Box<PublicKey>,
        /// The current identity.
        current: Box<PublicKey>,
    },
    /// A receipt or label problem.
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    /// A row holds data this build cannot interpret.
    #[error("the trust store holds invalid data ({what}); it may be corrupt")]
    InvalidStoredData {
        /// What was invalid.
        what: &'static str,
    },
    /// Any other SQLite failure.
    #[error("trust store database error: {source}")]
    Sqlite {
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
}
