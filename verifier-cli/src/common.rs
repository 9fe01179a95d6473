//! What every subcommand shares: locating the identity, reading KEY and ID
//! arguments, printing JSON, and errors with exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

use verifier_core::identity::{Identity, IdentityError};
use verifier_core::key::{KeyError, PublicKey};

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

/// Records a successful verification (QR scan, SAS session) in the trust store
/// when there is one: the store at `--store`, `$VERIFIER_STORE` or the default
/// path. With `contact`, that contact is used (created with `key` if new; a
/// different current key is observed first, so the store keeps the history);
/// without it, the contact whose current key is `key`, if any.
///
/// Returns the contact recorded, or `None` when there is no store or no contact.
pub fn record_verification(
    store_flag: Option<&Path>,
    contact: Option<&str>,
    key: &PublicKey,
    method: verifier_core::receipt::VerificationMethod,
    identity: &Identity,
) -> CliResult<Option<String>> {
    use verifier_core::receipt::Timestamp;
    use verifier_core::store::{Store, StoreError};
    let store_err = |e: StoreError| CliError::new(format!("trust store: {e}"));
    let path = match store_flag {
        Some(p) => p.to_owned(),
        None => Store::default_path().map_err(store_err)?,
    };
    if contact.is_none() && !path.exists() {
        return Ok(None);
    }
    let mut store = Store::open(&path).map_err(store_err)?;
    let now = Timestamp::now();
    let name = match contact {
        Some(name) => {
            match store.contact(name) {
                Ok(_) => {
                    store.observe_key(name, key, now).map_err(store_err)?;
                }
                Err(StoreError::ContactNotFound { .. }) => {
                    store
                        .add_contact_with_key(name, None, key, now)
                        .map_err(store_err)?;
                }
                Err(e) => return Err(store_err(e)),
            }
            name.to_owned()
        }
        None => {
            let found = store
                .list()
                .map_err(store_err)?
                .into_iter()
                .find(|c| c.current_key.as_ref() == Some(key));
            match found {
                Some(c) => c.name,
                None => return Ok(None),
            }
        }
    };
    store
        .mark_verified(&name, key, method, identity, now)
        .map_err(store_err)?;
    Ok(Some(name))
}
