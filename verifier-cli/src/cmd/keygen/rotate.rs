//! `verifier keygen --rotate`: replace the identity by a new one and link them with a
//! rotation signed by both (`docs/identity-rotation.md`).
//!
//! Files, for the identity file `P`:
//!
//! * `P`: the current identity;
//! * `P.rotations`: the chain file, one rotation per line, oldest first, ending at `P`;
//! * `P.old-<T>`: each earlier identity (`T` = Unix seconds of the rotation that retired
//!   it; `P.old-<T>-2`, … when that name holds another key). Never deleted;
//! * `P.next`: only during a rotation, the new identity before it is in place.
//!
//! Order of the steps, chosen so that a crash at any point loses nothing and leaves a
//! state that the next `keygen --rotate` completes or redoes:
//!
//! 1. load `P` and the chain (absent = empty; it must end at `P`);
//! 2. generate the new identity and save it to `P.next` (0600, synced, never
//!    overwritten). Crash: `P` and the chain are unchanged; the next run uses `P.next`
//!    (which nothing refers to yet) as the new identity;
//! 3. sign the rotation and write the chain with it appended (temporary file, fsync,
//!    rename over `P.rotations`, fsync of the folder). From here on the rotation exists;
//!    crash: the chain ends at `P.next` while `P` is the old identity, and the next run
//!    only finishes steps 4 and 5 (no second rotation);
//! 4. keep the old identity as `P.old-<T>`: a hard link to `P`, so `P` always holds an
//!    identity (renaming it away would leave no identity at `P` until step 5);
//! 5. rename `P.next` over `P` (atomic), fsync of the folder.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use verifier_core::identity::{Identity, IdentityError};
use verifier_core::receipt::Timestamp;
use verifier_core::rotation::{Rotation, RotationChain, RotationError};
use verifier_store::IdentityFile as _;

use crate::common::{CliError, CliResult, print_json};

/// First line of a chain file written by `keygen --rotate`.
const CHAIN_HEADER: &str =
    "# verifier identity rotations, oldest first (docs/identity-rotation.md)\n";

/// The chain file of the identity file `identity`: `<identity>.rotations`.
pub fn chain_path(identity: &Path) -> PathBuf {
    suffixed(identity, ".rotations")
}

/// Where the new identity waits during a rotation: `<identity>.next`.
fn next_path(identity: &Path) -> PathBuf {
    suffixed(identity, ".next")
}

/// `path` with `suffix` appended to its file name.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = OsString::from(path.as_os_str());
    s.push(suffix);
    PathBuf::from(s)
}

fn rotation_error(e: RotationError) -> CliError {
    CliError::new(format!("identity rotation: {e}"))
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> CliError {
    CliError::new(format!("cannot {what} {}: {e}", path.display()))
}

/// What a rotation did.
struct Outcome {
    old: Identity,
    new: Identity,
    rotation: Rotation,
    chain_path: PathBuf,
    old_path: PathBuf,
    /// An interrupted rotation was finished (its rotation was already in the chain).
    resumed: bool,
}

/// Runs `keygen --rotate` for the identity at `path` and prints the result.
pub fn run(path: &Path, json: bool) -> CliResult<u8> {
    let o = rotate(path)?;
    let (old, new) = (o.old.public_key(), o.new.public_key());
    if json {
        print_json(&json!({
            "identity_path": path.display().to_string(),
            "public_key": new.to_canonical_string(),
            "old_public_key": old.to_canonical_string(),
            "new_public_key": new.to_canonical_string(),
            "rotation": o.rotation.to_text(),
            "rotated_at": o.rotation.at().to_rfc3339(),
            "rotated_at_unix": o.rotation.at().as_unix_secs(),
            "rotations_path": o.chain_path.display().to_string(),
            "old_identity_path": o.old_path.display().to_string(),
            "resumed": o.resumed,
        }));
    } else {
        if o.resumed {
            println!("Finished an interrupted rotation of {}", path.display());
        } else {
            println!("Rotated identity {}", path.display());
        }
        println!("Old public key: {old}");
        println!("New public key: {new}");
        println!("Rotation recorded in {}", o.chain_path.display());
        println!("Old identity kept as {}", o.old_path.display());
    }
    Ok(0)
}

fn rotate(path: &Path) -> CliResult<Outcome> {
    let chain_path = chain_path(path);
    let next_path = next_path(path);

    // Step 1.
    let old = Identity::load(path)?;
    let chain_text = match std::fs::read_to_string(&chain_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_error("read the rotation chain", &chain_path, &e)),
    };
    let pending = match Identity::load(&next_path) {
        Ok(id) => Some(id),
        Err(IdentityError::NotFound { .. }) => None,
        Err(e) => {
            return Err(CliError::new(format!(
                "{e}\n(this is the new identity of an interrupted rotation)"
            )));
        }
    };

    let (new, rotation, resumed) = match RotationChain::parse(&chain_text, &old.public_key()) {
        Ok(chain) => {
            // Step 2. A `P.next` left by a run interrupted before step 3 is referred to
            // by nothing: it becomes the new identity.
            let new = match pending {
                Some(id) => id,
                None => {
                    let id = Identity::generate(&mut rand_core::OsRng);
                    id.save(&next_path, false)?;
                    sync_parent(&next_path)?;
                    id
                }
            };
            // Step 3.
            let rotation =
                Rotation::sign(&old, &new, verifier_store::now()).map_err(rotation_error)?;
            let mut rotations = chain.rotations().to_vec();
            rotations.push(rotation.clone());
            // The extended chain must still be one (a reused `P.next` could repeat a key).
            RotationChain::new(rotations, &new.public_key()).map_err(rotation_error)?;
            let mut text = if chain_text.trim().is_empty() {
                CHAIN_HEADER.to_owned()
            } else {
                chain_text
            };
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&rotation.to_text());
            text.push('\n');
            write_atomically(&chain_path, text.as_bytes())?;
            (new, rotation, false)
        }
        Err(e) => {
            // Interrupted after step 3: the chain ends at `P.next` and its last rotation
            // retires `P`. Anything else is not ours to guess.
            let finished = pending.and_then(|p| {
                let chain = RotationChain::parse(&chain_text, &p.public_key()).ok()?;
                let last = chain.rotations().last()?.clone();
                (last.old_key() == &old.public_key()).then_some((p, last))
            });
            match finished {
                Some((new, rotation)) => (new, rotation, true),
                None => {
                    return Err(CliError::new(format!(
                        "{}: {e}\nRefusing to rotate: the rotation chain does not end at your \
                         identity {}. If you replaced the identity with --force, the chain \
                         belongs to the replaced one: move {} aside and run again.",
                        chain_path.display(),
                        old.public_key(),
                        chain_path.display()
                    )));
                }
            }
        }
    };

    // Step 4.
    let old_path = keep_old(path, &old, rotation.at())?;
    // Step 5.
    std::fs::rename(&next_path, path)
        .map_err(|e| io_error("move the new identity into place at", path, &e))?;
    sync_parent(path)?;

    Ok(Outcome {
        old,
        new,
        rotation,
        chain_path,
        old_path,
        resumed,
    })
}

/// Keeps the identity file `path` (holding `old`) as `<path>.old-<secs>`, as a hard link.
/// A name that already holds `old` (an interrupted run) is reused; one holding anything
/// else is skipped for `<path>.old-<secs>-2`, `-3`, …
fn keep_old(path: &Path, old: &Identity, at: Timestamp) -> CliResult<PathBuf> {
    let secs = at.as_unix_secs();
    for n in 1..=1000u32 {
        let candidate = if n == 1 {
            suffixed(path, &format!(".old-{secs}"))
        } else {
            suffixed(path, &format!(".old-{secs}-{n}"))
        };
        match std::fs::hard_link(path, &candidate) {
            Ok(()) => {
                sync_parent(&candidate)?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holds_old =
                    Identity::load(&candidate).is_ok_and(|id| id.public_key() == old.public_key());
                if holds_old {
                    return Ok(candidate);
                }
            }
            Err(e) => return Err(io_error("keep the old identity as", &candidate, &e)),
        }
    }
    Err(CliError::new(format!(
        "cannot keep the old identity: {} and 999 numbered variants exist",
        suffixed(path, &format!(".old-{secs}")).display()
    )))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced,
/// renamed over `path`, then the folder synced.
fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rotations".to_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error("write the rotation chain", path, &e));
    }
    sync_parent(path)
}

/// Makes a rename or link in the folder of `path` durable (Unix; elsewhere a no-op).
fn sync_parent(path: &Path) -> CliResult<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error("sync the folder", dir, &e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
