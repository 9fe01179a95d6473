//! The identity file: saving and loading the user's secret identity (format in
//! `docs/keys.md`, "Identity (secret key) file"). The core has the text form
//! ([`Identity::to_text`], [`Identity::from_text`]) and touches no file; this module
//! does the file system part.
//!
//! A file is written with mode 0600 (Unix), atomically (a temporary file, synced, then
//! linked into place), and never overwritten unless asked. It is read into buffers that are
//! wiped when dropped (sized from the file's length, so no reallocation leaves a copy
//! behind), and refused when group or others can read it.
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_store::IdentityFile as _;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("identity");
//! let id = Identity::generate(&mut rand_core::OsRng);
//! id.save(&path, false)?;
//! assert!(id.save(&path, false).is_err()); // refuses to overwrite
//! let loaded = Identity::load(&path)?;
//! assert_eq!(loaded.public_key(), id.public_key());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{Read as _, Write as _};
use std::path::Path;

use verifier_core::identity::{Identity, IdentityError};
use zeroize::Zeroizing;

/// Saving and loading an [`Identity`] as a file (bring it into scope to call
/// `identity.save(path, overwrite)` and `Identity::load(path)`).
pub trait IdentityFile: Sized {
    /// Writes the identity to `path` with mode 0600, atomically.
    ///
    /// Refuses to replace an existing file unless `overwrite` is true.
    fn save(&self, path: &Path, overwrite: bool) -> Result<(), IdentityError>;

    /// Reads an identity file written by [`IdentityFile::save`].
    ///
    /// On Unix, a file readable by group or others is refused.
    fn load(path: &Path) -> Result<Self, IdentityError>;
}

/// The whole file in a zeroizing buffer allocated once (at most 64 KiB: an identity file
/// is about 150 bytes).
fn read_secret_file(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    const MAX: u64 = 64 * 1024;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len().min(MAX);
    let mut buf = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1));
    (&mut file).take(MAX).read_to_end(&mut buf)?;
    Ok(buf)
}

impl IdentityFile for Identity {
    /// Writes the identity to `path` with mode 0600, atomically.
    ///
    /// Refuses to replace an existing file unless `overwrite` is true.
    fn save(&self, path: &Path, overwrite: bool) -> Result<(), IdentityError> {
        let io = |source| IdentityError::Io {
            path: path.to_owned(),
            source,
        };
        if !overwrite && path.exists() {
            return Err(IdentityError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = self.to_text();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "identity".to_owned());
        let tmp = path.with_file_name(format!(".{file_name}.tmp{}", std::process::id()));
        let result = (|| {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            drop(f);
            if overwrite {
                std::fs::rename(&tmp, path)
            } else {
                // hard_link fails if the target appeared meanwhile: no clobbering race.
                let r = std::fs::hard_link(&tmp, path);
                let _ = std::fs::remove_file(&tmp);
                r
            }
        })();
        match result {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Err(IdentityError::AlreadyExists {
                        path: path.to_owned(),
                    })
                } else {
                    Err(io(e))
                }
            }
        }
    }

    /// Reads an identity file written by [`IdentityFile::save`].
    ///
    /// On Unix, a file readable by group or others is refused.
    fn load(path: &Path) -> Result<Identity, IdentityError> {
        let p = || path.to_owned();
        let bytes = match read_secret_file(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(IdentityError::NotFound { path: p() });
            }
            Err(e) => {
                return Err(IdentityError::Io {
                    path: p(),
                    source: e,
                });
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let meta = std::fs::metadata(path).map_err(|e| IdentityError::Io {
                path: p(),
                source: e,
            })?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(IdentityError::InsecurePermissions { path: p(), mode });
            }
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| IdentityError::Malformed {
            path: p(),
            line: 0,
            reason: "the file is not UTF-8 text".to_owned(),
        })?;
        Identity::from_text(text).map_err(|e| e.in_file(path))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fixed() -> Identity {
        Identity::from_seed(&[7u8; 32]).unwrap()
    }

    #[test]
    fn the_file_is_the_text_form() {
        let id = fixed();
        let dir = tempfile::tempdir().unwrap();
        id.save(&dir.path().join("id"), false).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("id")).unwrap(),
            id.to_text().as_str()
        );
    }

    #[test]
    fn save_load_roundtrip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/identity");
        let id = fixed();
        id.save(&path, false).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(
            id.save(&path, false),
            Err(IdentityError::AlreadyExists { .. })
        ));
        let other = Identity::from_seed(&[8u8; 32]).unwrap();
        other.save(&path, true).unwrap();
        assert_eq!(
            Identity::load(&path).unwrap().public_key(),
            other.public_key()
        );
        // no temp files left behind
        assert_eq!(
            std::fs::read_dir(dir.path().join("sub")).unwrap().count(),
            1
        );
    }

    #[test]
    fn load_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity");
        assert!(matches!(
            Identity::load(&path),
            Err(IdentityError::NotFound { .. })
        ));
        let write = |text: &str| {
            std::fs::write(&path, text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        };
        write("hello\n");
        assert!(matches!(
            Identity::load(&path),
            Err(IdentityError::NotAnIdentityFile { .. })
        ));
        let good = fixed();
        good.save(&dir.path().join("good"), false).unwrap();
        let text = std::fs::read_to_string(dir.path().join("good")).unwrap();
        write(&text.replace("type: ed25519", "type: rsa"));
        assert!(matches!(
            Identity::load(&path),
            Err(IdentityError::UnsupportedKeyType { .. })
        ));
        let other_pub = Identity::from_seed(&[9u8; 32]).unwrap().public_key();
        let swapped: String = text
            .lines()
            .map(|l| {
                if l.starts_with("public:") {
                    format!("public: {other_pub}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        write(&swapped);
        assert!(matches!(
            Identity::load(&path),
            Err(IdentityError::PublicKeyMismatch { .. })
        ));
        write(&text.replace("secret: ", "secret: !!"));
        assert!(matches!(
            Identity::load(&path),
            Err(IdentityError::Malformed { line: 3, .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::write(&path, &text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                Identity::load(&path),
                Err(IdentityError::InsecurePermissions { mode: 0o644, .. })
            ));
        }
    }
}
