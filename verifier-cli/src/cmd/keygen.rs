//! `verifier keygen` (and `keygen --rotate`, in `keygen/rotate.rs`)

pub(crate) mod rotate;

use std::path::PathBuf;

use serde_json::json;
use verifier_core::identity::{Identity, IdentityError};
use verifier_store::IdentityFile as _;

use crate::common::{CliError, CliResult, identity_path, print_json};

/// Arguments of `verifier keygen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where to write the identity (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// Replace an existing identity without a rotation: its key is lost, and contacts
    /// verified with it read "unverified (new identity)" (prefer --rotate).
    #[arg(long, conflicts_with = "rotate")]
    force: bool,
    /// Replace the existing identity by a new one, signing a rotation with both keys so
    /// earlier verifications stay valid; the old identity file is kept as PATH.old-<secs>.
    #[arg(long)]
    rotate: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let path = identity_path(args.identity.as_deref())?;
    if args.rotate {
        return rotate::run(&path, args.json);
    }
    let replaced = args.force && path.exists();
    let id = Identity::generate(&mut rand_core::OsRng);
    id.save(&path, args.force).map_err(|e| match e {
        IdentityError::AlreadyExists { path } => CliError::new(format!(
            "{} already exists: refusing to overwrite an identity. Use `verifier keygen --rotate` \
             to replace it keeping your verifications valid, or --force to replace it without a \
             rotation (the old key is lost)",
            path.display()
        )),
        e => e.into(),
    })?;
    let public = id.public_key();
    if args.json {
        print_json(&json!({
            "identity_path": path.display().to_string(),
            "public_key": public.to_canonical_string(),
        }));
    } else {
        println!("Created identity {}", path.display());
        println!("Public key: {public}");
    }
    if replaced {
        eprintln!(
            "warning: replaced the identity at {} without a rotation; its key is lost. Contacts \
             you verified with it will read \"unverified (new identity)\" until you verify them \
             again. To replace an identity and keep earlier verifications valid, use \
             `verifier keygen --rotate` instead of --force.",
            path.display()
        );
        let chain = rotate::chain_path(&path);
        if chain.exists() {
            eprintln!(
                "note: {} records rotations up to the replaced identity and does not link to the \
                 new one; `verifier keygen --rotate` will refuse to extend it until you move it \
                 aside.",
                chain.display()
            );
        }
    }
    Ok(0)
}
