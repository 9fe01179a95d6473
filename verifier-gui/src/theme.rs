//! The app's two themes: egui's light and dark visuals with colours chosen to meet
//! WCAG 2.2 AA (4.5:1 for text, 3:1 for the boundaries of controls and the keyboard focus
//! indicator), plus the app's own status colours (verified, key changed, warning,
//! unverified) and text sizes.
//!
//! `tests/contrast.rs` computes the contrast of every text/background pair these colours
//! make and fails below the bar: change a colour here and that test says whether it still reads.

use egui::{Color32, Stroke, TextStyle, Visuals};

/// The smallest size, in logical pixels at text size 1.0×, of key, fingerprint and code text.
pub const MIN_CODE_TEXT: f32 = 12.0;

/// The size of [`egui::TextStyle::Small`] (egui's default, 9 px, is too small to read).
pub const SMALL_TEXT: f32 = 12.0;

/// How strongly an alert box is tinted with its colour (see [`tint`]).
pub const TINT: f32 = 0.12;

/// The app's own colours beside egui's visuals, for one theme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// Verified, matches, saved.
    pub ok: Color32,
    /// Key changed, codes do not match, errors (also the visuals' `error_fg_color`).
    pub error: Color32,
    /// Needs attention (also the visuals' `warn_fg_color`).
    pub warn: Color32,
    /// Unverified, secondary text (also the visuals' weak text colour).
    pub unverified: Color32,
}

impl Palette {
    /// The palette of the dark (`true`) or light theme.
    pub fn of(dark: bool) -> Palette {
        if dark {
            Palette {
                ok: Color32::from_rgb(110, 210, 120),
                error: Color32::from_rgb(255, 125, 125),
                warn: Color32::from_rgb(255, 165, 50),
                unverified: Color32::from_gray(160),
            }
        } else {
            Palette {
                ok: Color32::from_rgb(15, 105, 35),
                error: Color32::from_rgb(175, 0, 0),
                warn: Color32::from_rgb(145, 70, 0),
                unverified: Color32::from_gray(92),
            }
        }
    }

    /// The palette matching `visuals` (by its `dark_mode`).
    pub fn for_visuals(visuals: &Visuals) -> Palette {
        Palette::of(visuals.dark_mode)
    }

    /// Every status colour with its name (for the contrast test).
    pub fn statuses(&self) -> [(&'static str, Color32); 4] {
        [
            ("ok", self.ok),
            ("error", self.error),
            ("warn", self.warn),
            ("unverified", self.unverified),
        ]
    }
}

/// The visuals of the dark (`true`) or light theme.
pub fn visuals(dark: bool) -> Visuals {
    let p = Palette::of(dark);
    let mut v = if dark {
        Visuals::dark()
    } else {
        Visuals::light()
    };
    let gray = Color32::from_gray;
    let w = &mut v.widgets;
    if dark {
        w.noninteractive.fg_stroke.color = gray(205);
        // Checkbox and radio boxes, slider rails: visible against the page.
        w.inactive.bg_fill = gray(110);
        w.inactive.bg_stroke = Stroke::new(1.0, gray(125));
        w.inactive.fg_stroke.color = gray(225);
        w.hovered.bg_fill = gray(125);
        w.hovered.bg_stroke = Stroke::new(1.0, gray(175));
        w.open.bg_stroke = Stroke::new(1.0, gray(125));
        v.code_bg_color = gray(40);
        v.selection.stroke = Stroke::new(2.0, Color32::from_rgb(220, 235, 255));
        v.hyperlink_color = Color32::from_rgb(120, 185, 255);
    } else {
        w.noninteractive.fg_stroke.color = gray(35);
        w.inactive.bg_fill = gray(135);
        w.inactive.bg_stroke = Stroke::new(1.0, gray(140));
        w.inactive.fg_stroke.color = gray(25);
        w.hovered.bg_fill = gray(120);
        w.hovered.bg_stroke = Stroke::new(1.0, gray(80));
        w.open.bg_stroke = Stroke::new(1.0, gray(140));
        v.code_bg_color = gray(232);
        v.selection.stroke = Stroke::new(2.0, Color32::from_rgb(0, 60, 100));
        v.hyperlink_color = Color32::from_rgb(0, 85, 175);
    }
    // The keyboard focus (egui draws focused controls in the "active" style): a 2-pixel ring
    // in the text colour's extreme, not a 1-pixel hairline.
    let focus = if dark { Color32::WHITE } else { Color32::BLACK };
    v.widgets.active.bg_stroke = Stroke::new(2.0, focus);
    v.text_cursor.stroke.width = 2.0;
    v.weak_text_color = Some(p.unverified);
    v.error_fg_color = p.error;
    v.warn_fg_color = p.warn;
    v
}

/// Installs both themes and the app's text sizes (egui picks the one the theme preference asks for).
pub fn install(ctx: &egui::Context) {
    for (theme, dark) in [(egui::Theme::Dark, true), (egui::Theme::Light, false)] {
        ctx.style_mut_of(theme, |style| {
            style.visuals = visuals(dark);
            if let Some(small) = style.text_styles.get_mut(&TextStyle::Small) {
                small.size = SMALL_TEXT;
            }
        });
    }
}

/// The colour of "verified" in `ui`'s theme.
pub fn ok(ui: &egui::Ui) -> Color32 {
    Palette::for_visuals(ui.visuals()).ok
}

/// The colour of "unverified" (and other secondary text) in `ui`'s theme.
pub fn unverified(ui: &egui::Ui) -> Color32 {
    ui.visuals().weak_text_color()
}

/// `colour` laid over the page at [`TINT`] strength, as an opaque colour: the background
/// of an alert box drawn in `colour`.
pub fn tint(visuals: &Visuals, colour: Color32) -> Color32 {
    mix(visuals.panel_fill, colour, TINT)
}

/// `a` moved towards `b` by `t` (0..=1), channel by channel in gamma space (as egui blends).
pub fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let ch = |x: u8, y: u8| -> u8 {
        let v = f32::from(x) + (f32::from(y) - f32::from(x)) * t.clamp(0.0, 1.0);
        // In 0..=255 by construction.
        v.round().clamp(0.0, 255.0) as u8
    };
    Color32::from_rgb(ch(a.r(), b.r()), ch(a.g(), b.g()), ch(a.b(), b.b()))
}
