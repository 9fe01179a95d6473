//! The screens of the app and their names, labels and navigation order.
//!
//! Its own module so that the views and the app both import it (the views
//! never import from [`crate::app`]).

/// The screens, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Screen {
    /// My key, QR code and fingerprint.
    #[default]
    MyCode,
    /// Everyone in the trust store.
    Contacts,
    /// Scan a contact's QR code (camera, file, paste).
    Scan,
    /// Compare a safety number (side by side or over a call).
    Compare,
    /// Live SAS session with another machine.
    Sas,
    /// Settings.
    Settings,
}

impl Screen {
    /// All screens, in navigation order.
    pub const ALL: [Screen; 6] = [
        Screen::MyCode,
        Screen::Contacts,
        Screen::Scan,
        Screen::Compare,
        Screen::Sas,
        Screen::Settings,
    ];

    /// The screen with this short name (`my-code`, `contacts`, `scan`, `compare`, `sas`, `settings`).
    pub fn from_name(name: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Short name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Screen::MyCode => "my-code",
            Screen::Contacts => "contacts",
            Screen::Scan => "scan",
            Screen::Compare => "compare",
            Screen::Sas => "sas",
            Screen::Settings => "settings",
        }
    }

    /// The label in the navigation (also its accessibility label).
    pub fn label(self) -> &'static str {
        match self {
            Screen::MyCode => "My code",
            Screen::Contacts => "Contacts",
            Screen::Scan => "Scan",
            Screen::Compare => "Compare codes",
            Screen::Sas => "Live session",
            Screen::Settings => "Settings",
        }
    }
}
