//! The bundled emoji font (a Noto Emoji subset with the 64 SAS emoji), so both
//! ends of a comparison draw the same pictures.

use std::sync::Arc;

/// The font file (OFL-1.1; see `assets/README.md`).
pub const SAS_EMOJI_FONT: &[u8] = include_bytes!("../assets/NotoEmoji-VerifierSAS.ttf");

/// Name of the font in egui's font definitions.
pub const SAS_EMOJI_FONT_NAME: &str = "NotoEmoji-VerifierSAS";

/// Installs the bundled emoji font as the first fallback of both font
/// families (takes effect from the next frame).
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        SAS_EMOJI_FONT_NAME.to_owned(),
        Arc::new(egui::FontData::from_static(SAS_EMOJI_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        let at = list.len().min(1);
        list.insert(at, SAS_EMOJI_FONT_NAME.to_owned());
    }
    ctx.set_fonts(fonts);
}
