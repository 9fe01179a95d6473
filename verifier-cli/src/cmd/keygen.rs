//! `verifier keygen`

use std::path::PathBuf;

use serde_json::json;
use verifier_core::identity::Identity;

use crate::common::{CliResult, identity_path, print_json};

/// Arguments of `verifier keygen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where to write the identity (default: platform data dir, or $VERIFIER_IDENTITY).
    #[arg(long, value_name = "PATH")]
    identity: Option<PathBuf>,
    /// Replace an existing identity (its key is lost; contacts will see a key change).
    #[arg(long)]
    force: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult<u8> {
    let path = identity_path(args.identity.as_deref())?;
    let id = Identity::generate(&mut rand_core::OsRng);
    id.save(&path, args.force)?;
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
    Ok(0)
}
