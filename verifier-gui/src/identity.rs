//! Loading or creating the user's identity, and its precomputed renderings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use verifier_core::identity::{Identity, IdentityError};
use verifier_core::key::PublicKey;
use verifier_core::rotation::RotationChain;
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_core::trust::OwnKeys;
use verifier_store::IdentityFile as _;

/// The user's identity as the app shows it (the secret stays in [`Identity`]).
pub struct MyIdentity {
    /// Where it is stored.
    pub path: PathBuf,
    /// The public key.
    pub public: PublicKey,
    /// Its fingerprint (computed once).
    pub fingerprint: SideFingerprint,
    /// True when this run created it.
    pub created_now: bool,
    /// The secret identity (for signing receipts and SAS sessions).
    pub identity: Arc<Identity>,
    /// The keys the trust engine accepts as the user's: this identity and the
    /// earlier ones linked to it by `<path>.rotations` (`verifier keygen --rotate`).
    pub own: OwnKeys,
    /// Why the rotation chain beside the identity could not be used, if so
    /// (earlier verifications then read "unverified (new identity)").
    pub rotation_problem: Option<String>,
}

/// The user's own keys for the trust engine: `identity` and the earlier
/// identities of the rotation chain `<path>.rotations`, if there is one.
pub fn own_keys(path: &Path, identity: &Identity) -> (OwnKeys, Option<String>) {
    let own = OwnKeys::new(identity.public_key());
    let mut chain_path = path.as_os_str().to_owned();
    chain_path.push(".rotations");
    let chain_path = PathBuf::from(chain_path);
    match std::fs::read_to_string(&chain_path) {
        Ok(text) => match RotationChain::parse(&text, &identity.public_key()) {
            Ok(chain) => (own.with_rotation_chain(&chain), None),
            Err(e) => (
                own,
                Some(format!(
                    "the identity rotation chain {} is invalid ({e}); verifications made by earlier identities are not counted",
                    chain_path.display()
                )),
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (own, None),
        Err(e) => (
            own,
            Some(format!("cannot read {}: {e}", chain_path.display())),
        ),
    }
}

/// The outcome of opening the identity at start-up.
pub enum IdentityState {
    /// Loaded or created.
    Ready(Box<MyIdentity>),
    /// An identity file exists but cannot be used; it is left untouched.
    Failed {
        /// Where.
        path: PathBuf,
        /// Why, in words.
        message: String,
    },
}

/// The default identity path: `$VERIFIER_IDENTITY`, else the platform data dir.
pub fn default_identity_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VERIFIER_IDENTITY").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("verifier").join("identity"))
}

/// Loads the identity at `path`, creating one if none exists. A damaged file
/// is reported and never overwritten.
pub fn load_or_create(path: &Path) -> IdentityState {
    let (identity, created_now) = match Identity::load(path) {
        Ok(id) => (id, false),
        Err(IdentityError::NotFound { .. }) => {
            let id = Identity::generate(&mut rand_core::OsRng);
            if let Err(e) = id.save(path, false) {
                return IdentityState::Failed {
                    path: path.to_owned(),
                    message: format!("could not create a new identity: {e}"),
                };
            }
            (id, true)
        }
        Err(e) => {
            return IdentityState::Failed {
                path: path.to_owned(),
                message: e.to_string(),
            };
        }
    };
    let public = identity.public_key();
    let fingerprint = SideFingerprint::compute(&Party::new(&public));
    let (own, rotation_problem) = own_keys(path, &identity);
    IdentityState::Ready(Box::new(MyIdentity {
        path: path.to_owned(),
        public,
        fingerprint,
        created_now,
        identity: Arc::new(identity),
        own,
        rotation_problem,
    }))
}
