//! What every screen may use ([`Shared`]): settings, identity, trust store,
//! and the requests one screen leaves for another.
//!
//! Its own module so that the views and the app both import it (the views
//! never import from [`crate::app`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::identity::IdentityState;
use crate::screen::Screen;
use crate::settings::Settings;
use crate::workers;
use crate::workers::file_picker::FilePicker;

/// How the Compare screen compares (chosen there, or asked for by another screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CompareMode {
    /// Both read the code (side by side or aloud) and answer.
    #[default]
    Read,
    /// The user types what the other person reads; the app checks.
    Type,
}

/// What one screen asks another to do when it is shown next. Each screen takes
/// (`Option::take`) what is meant for it.
#[derive(Debug, Default)]
pub struct Requests {
    /// Contacts: open this contact's "Verify …" page.
    pub verify_contact: Option<String>,
    /// Scan: the contact whose code is expected (the "Whose code is it?" choice).
    pub scan_expected: Option<String>,
    /// Scan: read this picture file (chosen in the file dialog on another screen).
    pub scan_file: Option<PathBuf>,
    /// Compare: how to compare (with [`Shared::compare_contact`]).
    pub compare_mode: Option<CompareMode>,
    /// Live session: the contact name to fill in.
    pub sas_name: Option<String>,
}

/// What every screen may use: settings, identity, trust store.
pub struct Shared {
    /// Persisted settings.
    pub settings: Settings,
    /// The user's identity.
    pub identity: IdentityState,
    /// The trust store (a worker thread owns the database).
    pub store: workers::store::StoreClient,
    /// Screen to switch to after this frame (a screen may ask for another).
    pub go_to: Option<Screen>,
    /// A live-session join code (text form) scanned on the Scan screen, for the
    /// Live session screen to join; that screen takes it (`Option::take`).
    pub pending_join_code: Option<String>,
    /// Contact to preselect on the Compare screen (set by the Contacts screen).
    pub compare_contact: Option<String>,
    /// What one screen asks of another (see [`Requests`]).
    pub requests: Requests,
    /// The desktop's file dialog (tests put their own).
    pub file_picker: Arc<dyn FilePicker>,
}
