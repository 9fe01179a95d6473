//! Persisted settings. Never holds secrets.

use serde::{Deserialize, Serialize};

/// Key under which eframe persists the settings.
pub const STORAGE_KEY: &str = "verifier-settings-v1";

/// Colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What the user chose; persisted between runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// BIP39 word language code (en, es, …).
    pub word_lang: String,
    /// Language of emoji names.
    pub emoji_lang: String,
    /// Colour theme.
    pub theme: Theme,
    /// Text scale factor (1.0 = normal).
    pub text_scale: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            word_lang: "en".to_owned(),
            emoji_lang: "en".to_owned(),
            theme: Theme::System,
            text_scale: 1.0,
        }
    }
}
