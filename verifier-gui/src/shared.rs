//! What every screen may use ([`Shared`]): settings, identity, trust store,
//! and the requests one screen leaves for another.
//!
//! Its own module so that the views and the app both import it (the views
//! never import from [`crate::app`]).

use crate::identity::IdentityState;
use crate::screen::Screen;
use crate::settings::Settings;
use crate::workers;

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
}
