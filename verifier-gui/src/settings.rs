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

/// The smallest text size (egui's zoom factor).
pub const TEXT_SCALE_MIN: f32 = 1.0;
/// The largest text size.
pub const TEXT_SCALE_MAX: f32 = 3.0;
/// The text size moves in steps of this much (slider, − and + buttons).
pub const TEXT_SCALE_STEP: f32 = 0.25;

/// `scale` on the text-size scale: within [`TEXT_SCALE_MIN`]..=[`TEXT_SCALE_MAX`], on a
/// [`TEXT_SCALE_STEP`] (a value saved by an older version, such as 0.9 or 2.47, is moved to the
/// nearest step; not-a-number becomes 1.0).
pub fn text_scale_step(scale: f32) -> f32 {
    if !scale.is_finite() {
        return TEXT_SCALE_MIN;
    }
    let steps = ((scale - TEXT_SCALE_MIN) / TEXT_SCALE_STEP).round();
    (TEXT_SCALE_MIN + steps * TEXT_SCALE_STEP).clamp(TEXT_SCALE_MIN, TEXT_SCALE_MAX)
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

impl Settings {
    /// These settings with the text size on its scale (see [`text_scale_step`]).
    pub fn normalised(mut self) -> Settings {
        self.text_scale = text_scale_step(self.text_scale);
        self
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_scale_steps() {
        assert_eq!(text_scale_step(1.0), 1.0);
        assert_eq!(text_scale_step(0.75), 1.0);
        assert_eq!(text_scale_step(0.9), 1.0);
        assert_eq!(text_scale_step(1.13), 1.25);
        assert_eq!(text_scale_step(2.47), 2.5);
        assert_eq!(text_scale_step(3.0), 3.0);
        assert_eq!(text_scale_step(7.0), 3.0);
        assert_eq!(text_scale_step(f32::NAN), 1.0);
        assert_eq!(text_scale_step(f32::INFINITY), 1.0);
    }
}
