//! What every subcommand shares: locating the identity, reading KEY and ID
//! arguments, printing JSON, and errors with exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

use verifier_core::identity::{Identity, IdentityError};
use verifier_core::key::{KeyError, PublicKey};
use verifier_core::rotation::RotationChain;
use verifier_core::trust::{Evidence, Intent, OwnKeys, Refusal};
use verifier_store::IdentityFile as _;

/// Environment variable that overrides the default identity path.
pub const IDENTITY_ENV: &str = "VERIFIER_IDENTITY";

/// A failure to report: a message for stderr and the process exit code.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong and what to do about it.
    pub message: String,
    /// The exit code (1 for ordinary errors; specific commands use others).
    pub code: u8,
}

impl CliError {
    /// An ordinary error (exit code 1).
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }

    /// An error with a specific exit code.
    pub fn with_code(message: impl Into<String>, code: u8) -> Self {
        CliError {
            message: message.into(),
            code,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<IdentityError> for CliError {
    fn from(e: IdentityError) -> Self {
        CliError::new(e.to_string())
    }
}

/// Result type of the subcommands.
pub type CliResult<T = ()> = Result<T, CliError>;

/// The identity path: `--identity`, else `$VERIFIER_IDENTITY`, else the platform data dir.
pub fn identity_path(flag: Option<&Path>) -> CliResult<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os(IDENTITY_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("verifier").join("identity"))
        .ok_or_else(|| {
            CliError::new(
                "cannot find a data directory for the identity: pass --identity PATH or set VERIFIER_IDENTITY",
            )
        })
}

/// Loads the identity at `--identity` / `$VERIFIER_IDENTITY` / the default path.
pub fn load_identity(flag: Option<&Path>) -> CliResult<(Identity, PathBuf)> {
    let path = identity_path(flag)?;
    let id = Identity::load(&path)?;
    Ok((id, path))
}

/// Reads a KEY argument: a path to a file holding a key (public-key text, an
/// OpenSSH `.pub` line, or an identity file), or a key string in any accepted form.
pub fn read_key_arg(arg: &str, what: &str) -> CliResult<PublicKey> {
    // What the person typed is what gets checked: text that is a key is that
    // key, even if a file of that name exists (a planted file must not swap it).
    if let Ok(key) = PublicKey::parse(arg) {
        return Ok(key);
    }
    let path = Path::new(arg);
    if !arg.is_empty() && path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("{what}: cannot read {arg}: {e}")))?;
        if text.starts_with(verifier_core::identity::FILE_HEADER) {
            return Ok(Identity::load(path)?.public_key());
        }
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or_default();
        return PublicKey::parse(line).map_err(|e| {
            CliError::new(format!("{what}: the file {arg} holds no usable key: {e}"))
        });
    }
    PublicKey::parse(arg).map_err(|e| key_arg_error(what, arg, &e))
}

fn key_arg_error(what: &str, arg: &str, e: &KeyError) -> CliError {
    let shown: String = arg.chars().take(80).collect();
    CliError::new(format!(
        "{what}: `{shown}` is neither a readable file nor a valid key: {e}"
    ))
}

/// Parses an ID argument: UTF-8 text, or `hex:…` for raw bytes.
pub fn parse_id_arg(arg: &str, what: &str) -> CliResult<Vec<u8>> {
    match arg.strip_prefix("hex:") {
        Some(h) => hex::decode(h).map_err(|e| {
            CliError::new(format!(
                "{what}: `hex:` must be followed by an even number of hex digits ({e})"
            ))
        }),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

/// Prints one JSON object on a line.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

/// The user's own identity keys for the trust engine: the identity and the
/// earlier identities linked to it by the rotation chain beside the identity
/// file (`<identity>.rotations`, written by `verifier keygen --rotate`).
pub fn own_keys(identity: &Identity, identity_path: Option<&Path>) -> CliResult<OwnKeys> {
    let own = OwnKeys::new(identity.public_key());
    let Some(path) = identity_path else {
        return Ok(own);
    };
    let chain_path = crate::cmd::keygen::rotate::chain_path(path);
    let text = match std::fs::read_to_string(&chain_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(own),
        Err(e) => {
            return Err(CliError::new(format!(
                "cannot read the identity rotation chain {}: {e}",
                chain_path.display()
            )));
        }
    };
    match RotationChain::parse(&text, &identity.public_key()) {
        Ok(chain) => Ok(own.with_rotation_chain(&chain)),
        // A chain for an earlier identity (e.g. after `keygen --force`) links nothing
        // to this one: verifications made before read "unverified (new identity)".
        Err(e @ verifier_core::rotation::RotationError::ChainDoesNotEndAtCurrent { .. }) => {
            eprintln!(
                "warning: the identity rotation chain {} does not end at your identity ({e}); verifications made by earlier identities are not counted",
                chain_path.display()
            );
            Ok(own)
        }
        Err(e) => Err(CliError::new(format!(
            "the identity rotation chain {} is invalid ({e}); earlier verifications cannot be vouched for until it is fixed or moved away",
            chain_path.display()
        ))),
    }
}

/// Loads the identity and the user's own keys (see [`own_keys`]).
pub fn load_own(flag: Option<&Path>) -> CliResult<(Identity, OwnKeys)> {
    let (id, path) = load_identity(flag)?;
    let own = own_keys(&id, Some(&path))?;
    Ok((id, own))
}

/// Why a check without `--contact` is not recorded.
pub const NO_CONTACT_MESSAGE: &str = "Not recorded in the trust store: a check is recorded only for a contact you name (--contact NAME); a matching key alone never credits anyone.";

/// Where a check ended in the trust store.
#[derive(Debug)]
pub enum Recorded {
    /// The trust engine approved; the receipt is stored.
    Yes {
        /// The contact, as stored.
        contact: String,
        /// The receipt id.
        receipt: String,
    },
    /// Nothing was recorded, with the reason for people and its code.
    No {
        /// Stable reason code (JSON `reason`).
        code: &'static str,
        /// What happened and what to do.
        message: String,
    },
}

/// Hands the evidence of a check to the trust engine for the contact the
/// user named, and records what it decides. Nothing is credited by key
/// alone: without `contact`, nothing is recorded. A contact not in the store
/// is created with the checked key (refused if the name looks like an
/// existing contact's). `replaces`: the key-change flow, naming the
/// previously verified key the user saw beside the new one.
pub fn record_check(
    store_flag: Option<&Path>,
    contact: Option<&str>,
    evidence: Evidence,
    replaces: Option<&PublicKey>,
    identity: &Identity,
    own: &OwnKeys,
) -> CliResult<Recorded> {
    use verifier_store::{Store, StoreError};
    let store_err = |e: StoreError| CliError::new(format!("trust store: {e}"));
    let Some(name) = contact else {
        return Ok(Recorded::No {
            code: "no_contact",
            message: NO_CONTACT_MESSAGE.to_owned(),
        });
    };
    let path = match store_flag {
        Some(p) => p.to_owned(),
        None => Store::default_path().map_err(store_err)?,
    };
    let mut store = Store::open(&path).map_err(store_err)?;
    let now = verifier_store::now();
    let checked = *evidence.key();
    let intent = match replaces {
        Some(old) => Intent::ConfirmKeyChange {
            old: *old,
            new: checked,
        },
        None => Intent::Verify,
    };
    // A contact not in the store is added with the checked key in the same
    // transaction: a refused check leaves nothing behind.
    match store.verify_or_add(name, None, evidence, intent, identity, own, now) {
        Ok(done) => Ok(Recorded::Yes {
            contact: done.contact,
            receipt: done.receipt.id().to_hex(),
        }),
        Err(StoreError::Refused { refusal }) => Ok(Recorded::No {
            code: refusal.code(),
            message: refusal_message(name, &refusal),
        }),
        Err(e) => Err(store_err(e)),
    }
}

/// The words for a trust-engine refusal about `name`: what happened and what to do.
pub fn refusal_message(name: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::KeyChangedNeedsConfirmation { old, new } => format!(
            "NOT RECORDED: the key of {name} CHANGED since you verified it.\n  \
             verified before: {old}\n  \
             new key:         {new}\n\
             What you checked is the NEW key. A new phone or a reinstall changes the key; so does someone \
             intercepting. If you checked the new key with {name} themselves, record it with the key-change \
             flow: repeat the command with --replaces {old}\n\
             If you are not sure, do nothing: {name} stays marked KEY CHANGED."
        ),
        Refusal::Mismatch { current, checked } => format!(
            "NOT RECORDED: the key you checked ({checked}) is not the current key of {name} ({current}). \
             It is someone else's key, or {name}'s key changed: record the key announced for {name} with \
             `verifier contacts observe {name:?} KEY` first, then check it."
        ),
        Refusal::NotComparedByPerson => {
            "Not recorded: nobody compared (scripted answer). A man in the middle would pass a check nobody looks at.".to_owned()
        }
        Refusal::Tampered { problem } => format!(
            "NOT RECORDED: the trust store entry of {name} was changed outside verifier ({}); it cannot be trusted. \
             Remove it with `verifier contacts forget {name:?}` and verify {name} again.",
            problem.name()
        ),
        Refusal::StaleKeyChange {
            shown_old,
            old,
            new,
            ..
        } => format!(
            "NOT RECORDED: --replaces {shown_old} is not the key you had verified for {name}. \
             {name}'s key changed from {old} to {new}; check again with `verifier contacts show {name:?}`."
        ),
        Refusal::NoKeyChange => format!(
            "NOT RECORDED: {name} has no key change to confirm; --replaces and --from-receipt are only for the key-change flow (verify the current key with --key)."
        ),
        Refusal::RetiredKey { key, replaced_by } => format!(
            "NOT RECORDED: {key} is an old key of {name}: it was replaced by {replaced_by}, which you verified \
             after it. An old receipt cannot bring a retired key back (it may be stolen); check the key with {name} again."
        ),
        other => format!("NOT RECORDED: {other}."),
    }
}
