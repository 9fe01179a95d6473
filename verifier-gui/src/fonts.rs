//! Bundled fonts: the SAS emoji (a Noto Emoji subset with the 64 table emoji),
//! so both ends of a comparison draw the same pictures, and the characters of
//! the Japanese, Korean and Chinese BIP39 word lists (a Noto Sans CJK subset).

use std::sync::Arc;

/// The font file (OFL-1.1; see `assets/README.md`).
pub const SAS_EMOJI_FONT: &[u8] = include_bytes!("../assets/NotoEmoji-VerifierSAS.ttf");

/// Name of the font in egui's font definitions.
pub const SAS_EMOJI_FONT_NAME: &str = "NotoEmoji-VerifierSAS";

/// The CJK word-list font (OFL-1.1; see `assets/README.md`).
pub const CJK_WORDS_FONT: &[u8] = include_bytes!("../assets/NotoSansCJK-VerifierWords.otf");

/// Name of the CJK font in egui's font definitions.
pub const CJK_WORDS_FONT_NAME: &str = "NotoSansCJK-VerifierWords";

/// Installs the bundled fonts as the first fallbacks of both font families
/// (takes effect from the next frame).
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    for (name, data) in [
        (SAS_EMOJI_FONT_NAME, SAS_EMOJI_FONT),
        (CJK_WORDS_FONT_NAME, CJK_WORDS_FONT),
    ] {
        fonts
            .font_data
            .insert(name.to_owned(), Arc::new(egui::FontData::from_static(data)));
    }
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        let at = list.len().min(1);
        list.insert(at, CJK_WORDS_FONT_NAME.to_owned());
        list.insert(at, SAS_EMOJI_FONT_NAME.to_owned());
    }
    ctx.set_fonts(fonts);
}
