//! The user's own secret identity: an Ed25519 signing key, its text and byte
//! forms, and the errors of its file (the file itself is `verifier_store`'s).
//!
//! The text form ([`Identity::to_text`], [`Identity::from_text`]) is the body of
//! the secret file (format in `docs/keys.md`); neither function touches a file:
//!
//! ```text
//! verifier-identity v1
//! type: ed25519
//! secret: <base64 of the 32-byte seed>
//! public: vk1-ed25519-…
//! ```
//!
//! The core touches no file: `verifier_store::IdentityFile` saves the text with
//! mode 0600 (Unix), atomically, never overwriting unless asked, and loads it
//! into zeroizing buffers, refusing a file others can read; its errors are
//! [`IdentityError`]. The secret is zeroized when dropped and never appears in
//! `Debug` output or in error messages.
//!
//! ```
//! use verifier_core::identity::Identity;
//! let id = Identity::from_bytes(&[7; 32])?;
//! let text = id.to_text(); // Zeroizing<String>: wiped when dropped
//! assert!(text.starts_with("verifier-identity v1\n"));
//! assert_eq!(Identity::from_text(&text)?.public_key(), id.public_key());
//! assert_eq!(*Identity::from_bytes(&id.to_bytes())?.to_bytes(), [7; 32]);
//! assert!(!format!("{id:?}").contains(&text[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use zeroize::Zeroizing;

use crate::key::{KeyError, KeyType, PublicKey};

/// First line of an identity file (format version 1).
pub const FILE_HEADER: &str = "verifier-identity v1";

/// Why an identity file could not be saved or loaded (by `verifier_store::IdentityFile`;
/// the core itself does no I/O).
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The file already exists and overwriting was not requested.
    #[error("{} already exists: refusing to overwrite an identity (use --force to replace it; the old key is lost)", path.display())]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// The file does not exist.
    #[error("no identity at {}: create one with `verifier keygen`", path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("cannot access identity file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not an identity file of a version we know.
    #[error("{} is not a verifier identity file (first line must be `{FILE_HEADER}`, found `{found}`)", path.display())]
    NotAnIdentityFile {
        /// The file.
        path: PathBuf,
        /// The first line found (truncated to 40 characters).
        found: String,
    },
    /// A line of the file is malformed.
    #[error("{} line {line}: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file names a key type this toolkit does not know.
    #[error("{}: unsupported identity key type `{found}`", path.display())]
    UnsupportedKeyType {
        /// The file.
        path: PathBuf,
        /// The type found.
        found: String,
    },
    /// The stored public key does not belong to the stored secret: the file is damaged.
    #[error("{}: the public key does not match the secret key; the file is damaged — restore it from a backup", path.display())]
    PublicKeyMismatch {
        /// The file.
        path: PathBuf,
    },
    /// Other users can read the secret file.
    #[error("{}: permissions {mode:o} let other users read your secret key; run `chmod 600 {}`", path.display(), path.display())]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// The file's permission bits.
        mode: u32,
    },
    /// The public key derived from the secret was refused (never expected).
    #[error("derived public key refused: {0}")]
    Key(#[from] KeyError),
}

impl IdentityError {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::Key`] has a number of its own; the wrapped [`KeyError`] gives its own
    /// number with [`code`](KeyError::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::AlreadyExists { .. } => 1101,
            Self::NotFound { .. } => 1102,
            Self::Io { .. } => 1103,
            Self::NotAnIdentityFile { .. } => 1104,
            Self::Malformed { .. } => 1105,
            Self::UnsupportedKeyType { .. } => 1106,
            Self::PublicKeyMismatch { .. } => 1107,
            Self::InsecurePermissions { .. } => 1108,
            Self::Key(_) => 1109,
        }
    }
}

/// Why an identity text ([`Identity::from_text`]) could not be read.
///
/// Messages never quote the secret: a first line that is not a known header is
/// not shown (it may be a pasted secret).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityTextError {
    /// The text does not start with [`FILE_HEADER`].
    #[error("not a verifier identity (first line must be `{FILE_HEADER}`, found `{found}`)")]
    NotAnIdentity {
        /// The first line if it is a `verifier-identity` header of another version
        /// (truncated to 40 characters), otherwise a placeholder.
        found: String,
    },
    /// A line is malformed, or a field is missing (line 0).
    #[error("line {line}: {reason}")]
    Malformed {
        /// 1-based line number; 0 for a missing field.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The text names a key type this toolkit does not know.
    #[error("unsupported identity key type `{found}`")]
    UnsupportedKeyType {
        /// The type found.
        found: String,
    },
    /// The public key does not belong to the secret: the text is damaged.
    #[error("the public key does not match the secret key; the identity is damaged")]
    PublicKeyMismatch,
    /// The public key derived from the secret was refused (never expected).
    #[error("derived public key refused: {0}")]
    Key(#[from] KeyError),
}

impl IdentityTextError {
    /// A stable number for this error (docs/errors.md).
    ///
    /// [`Self::Key`] has a number of its own; the wrapped [`KeyError`] gives its own
    /// number with [`code`](KeyError::code).
    pub fn code(&self) -> u16 {
        match self {
            Self::NotAnIdentity { .. } => 1201,
            Self::Malformed { .. } => 1202,
            Self::UnsupportedKeyType { .. } => 1203,
            Self::PublicKeyMismatch => 1204,
            Self::Key(_) => 1205,
        }
    }

    /// The same error for the identity file at `path`.
    pub fn in_file(self, path: &Path) -> IdentityError {
        let path = path.to_owned();
        match self {
            Self::NotAnIdentity { found } => IdentityError::NotAnIdentityFile { path, found },
            Self::Malformed { line, reason } => IdentityError::Malformed { path, line, reason },
            Self::UnsupportedKeyType { found } => IdentityError::UnsupportedKeyType { path, found },
            Self::PublicKeyMismatch => IdentityError::PublicKeyMismatch { path },
            Self::Key(e) => IdentityError::Key(e),
        }
    }
}

/// The user's secret Ed25519 identity. Zeroized on drop; `Debug` shows only the public key.
///
/// `Clone` copies the secret (each copy is zeroized on drop): owned handles such as a
/// [`SasSession`](crate::sas::SasSession) keep their own copy.
#[derive(Clone)]
pub struct Identity {
    signing: SigningKey,
    public: PublicKey,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("public", &self.public)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The operating system's random number generator failed ([`Identity::random`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system's random number generator failed: {reason}; try again")]
pub struct RandomnessError {
    /// What the generator reported.
    pub reason: String,
}

/// 32 bytes from the operating system's generator, in a buffer wiped when dropped (the
/// one place the core draws OS randomness: identities and SAS runs).
pub(crate) fn os_seed() -> Result<Zeroizing<[u8; 32]>, RandomnessError> {
    use rand_core::RngCore as _;
    let mut seed = Zeroizing::new([0u8; 32]);
    rand_core::OsRng
        .try_fill_bytes(seed.as_mut())
        .map_err(|e| RandomnessError {
            reason: e.to_string(),
        })?;
    Ok(seed)
}

impl RandomnessError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        1301
    }
}

impl Identity {
    /// Generates a fresh identity from the operating system's random number generator
    /// (in a browser: the JS crypto API). For a given seed use [`Identity::from_bytes`].
    ///
    /// ```
    /// let id = verifier_core::identity::Identity::random()?;
    /// assert_ne!(id.public_key(), verifier_core::identity::Identity::random()?.public_key());
    /// # Ok::<(), verifier_core::identity::RandomnessError>(())
    /// ```
    pub fn random() -> Result<Self, RandomnessError> {
        loop {
            // A key from a random seed is never refused; draw again if it ever were.
            let seed = os_seed()?;
            if let Ok(id) = Self::from_seed(&seed) {
                return Ok(id);
            }
        }
    }

    /// Generates a fresh identity from a cryptographic RNG the caller provides (tests,
    /// or a platform generator); [`Identity::random`] uses the operating system's.
    pub fn generate<R: rand_core::CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(seed.as_mut());
        // A generated key is never rejected, but avoid a panic path anyway:
        // on the astronomically unlikely rejection, draw again.
        loop {
            if let Ok(id) = Self::from_seed(&seed) {
                return id;
            }
            rng.fill_bytes(seed.as_mut());
        }
    }

    /// Builds the identity from its 32-byte secret seed (RFC 8032).
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, KeyError> {
        let signing = SigningKey::from_bytes(seed);
        let public = PublicKey::from_verifying_key(&signing.verifying_key())?;
        Ok(Identity { signing, public })
    }

    /// Builds the identity from its 32-byte secret seed; the same as
    /// [`Identity::from_seed`], the inverse of [`Identity::to_bytes`].
    pub fn from_bytes(seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::from_seed(seed)
    }

    /// The 32-byte secret seed (RFC 8032), in a buffer wiped when dropped.
    ///
    /// Whoever holds these bytes holds the identity: store them as a secret.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// The text form of the identity: exactly the contents of its file
    /// (`docs/keys.md`, "Identity (secret key) file"; written by
    /// `verifier_store::IdentityFile`), in a buffer wiped when dropped. It
    /// contains the secret.
    pub fn to_text(&self) -> Zeroizing<String> {
        let seed = self.to_bytes();
        let secret_b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(*seed));
        Zeroizing::new(format!(
            "{FILE_HEADER}\ntype: {}\nsecret: {}\npublic: {}\n",
            self.public.key_type().name(),
            secret_b64.as_str(),
            self.public.to_canonical_string()
        ))
    }

    /// Reads the text form written by [`Identity::to_text`] (or an identity
    /// file's contents); the public key is recomputed and must match.
    pub fn from_text(text: &str) -> Result<Self, IdentityTextError> {
        Self::parse_text(text)
    }

    /// The public half, typed.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Signs a message with the identity key.
    pub fn sign(&self, msg: &[u8]) -> ed25519_dalek::Signature {
        self.signing.sign(msg)
    }

    fn parse_text(text: &str) -> Result<Self, IdentityTextError> {
        let mut lines = text.lines().enumerate();
        let header = lines.next().map(|(_, l)| l.trim_end()).unwrap_or_default();
        if header != FILE_HEADER {
            // Quote only what is clearly a header: anything else may be a secret.
            let found = if header.starts_with("verifier-identity") {
                header.chars().take(40).collect()
            } else {
                "<another first line, not shown>".to_owned()
            };
            return Err(IdentityTextError::NotAnIdentity { found });
        }
        let mut key_type = None;
        let mut secret: Option<Zeroizing<Vec<u8>>> = None;
        let mut public = None;
        for (i, line) in lines {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let malformed = |reason: String| IdentityTextError::Malformed {
                line: line_no,
                reason,
            };
            let (field, value) = line
                .split_once(':')
                .ok_or_else(|| malformed("expected `field: value`".to_owned()))?;
            let value = value.trim();
            let dup = |name: &str| malformed(format!("field `{name}` appears twice"));
            match field.trim() {
                "type" => {
                    if key_type.is_some() {
                        return Err(dup("type"));
                    }
                    key_type = Some(KeyType::from_name(value).map_err(|_| {
                        IdentityTextError::UnsupportedKeyType {
                            found: value.to_owned(),
                        }
                    })?);
                }
                "secret" => {
                    if secret.is_some() {
                        return Err(dup("secret"));
                    }
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(value)
                        .map_err(|_| malformed("secret is not valid base64".to_owned()))?;
                    let bytes = Zeroizing::new(bytes);
                    if bytes.len() != 32 {
                        return Err(malformed(format!(
                            "secret must be 32 bytes, found {}",
                            bytes.len()
                        )));
                    }
                    secret = Some(bytes);
                }
                "public" => {
                    if public.is_some() {
                        return Err(dup("public"));
                    }
                    public = Some(
                        PublicKey::parse(value)
                            .map_err(|e| malformed(format!("public key: {e}")))?,
                    );
                }
                other => return Err(malformed(format!("unknown field `{other}`"))),
            }
        }
        let missing = |name: &str| IdentityTextError::Malformed {
            line: 0,
            reason: format!("missing field `{name}`"),
        };
        let _key_type = key_type.ok_or_else(|| missing("type"))?;
        let secret = secret.ok_or_else(|| missing("secret"))?;
        let public = public.ok_or_else(|| missing("public"))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&secret);
        let id = Self::from_seed(&seed)?;
        if id.public != public {
            return Err(IdentityTextError::PublicKeyMismatch);
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Identity {
        Identity::from_seed(&[7u8; 32]).unwrap()
    }

    #[test]
    fn debug_never_shows_secret() {
        let id = fixed();
        let dbg = format!("{id:?}");
        let seed_b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(!dbg.contains(&seed_b64));
        assert!(!dbg.contains(&hex::encode([7u8; 32])));
        assert!(!dbg.contains("7, 7, 7"));
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn text_and_bytes_roundtrip() {
        let id = fixed();
        assert_eq!(*id.to_bytes(), [7u8; 32]);
        assert_eq!(
            Identity::from_bytes(&id.to_bytes()).unwrap().public_key(),
            id.public_key()
        );
        let text = id.to_text();
        let seed_b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert_eq!(
            text.as_str(),
            format!(
                "verifier-identity v1\ntype: ed25519\nsecret: {seed_b64}\npublic: {}\n",
                id.public_key().to_canonical_string()
            )
        );
        assert_eq!(*Identity::from_text(&text).unwrap().to_bytes(), [7u8; 32]);
    }

    #[test]
    fn text_errors_never_show_the_secret() {
        let seed_b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let text = fixed().to_text();
        let broken = [
            seed_b64.clone(),
            format!("secret: {seed_b64}"),
            text.replace("verifier-identity v1", &seed_b64),
            text.replace("type: ed25519", "type: rsa"),
            text.replace("public: ", "public: x"),
            format!("{}\nsecret {seed_b64}\n", FILE_HEADER),
            text.replace("secret: ", "secret: !!"),
        ];
        for b in &broken {
            let e = Identity::from_text(b).unwrap_err();
            for shown in [e.to_string(), format!("{e:?}")] {
                assert!(!shown.contains(&seed_b64[..8]), "{shown}");
            }
        }
        assert!(matches!(
            Identity::from_text("verifier-identity v2\n"),
            Err(IdentityTextError::NotAnIdentity { found }) if found == "verifier-identity v2"
        ));
        assert!(matches!(
            Identity::from_text(&text.replace("type: ed25519\n", "")),
            Err(IdentityTextError::Malformed { line: 0, .. })
        ));
        let other_pub = Identity::from_seed(&[9u8; 32]).unwrap().public_key();
        let swapped = text.replace(
            &fixed().public_key().to_canonical_string(),
            &other_pub.to_canonical_string(),
        );
        assert_eq!(
            Identity::from_text(&swapped).unwrap_err(),
            IdentityTextError::PublicKeyMismatch
        );
    }
}
