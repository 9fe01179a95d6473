//! WCAG 2.2 AA contrast of both themes, computed from the theme's own colours
//! (`verifier_gui::theme`: egui visuals and the app's status palette): every text colour
//! on every background it can be drawn on needs 4.5:1 (1.4.3; all text is held to the
//! normal-text bar, large text included), the boundaries of controls 3:1 (1.4.11), and the
//! keyboard focus indicator 3:1 against what is around it and against the unfocused look,
//! at least 2 pixels thick (2.4.13's measure, kept here as the bar).
//!
//! Disabled controls are exempt in WCAG and not checked; separators are decoration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use egui::{Color32, Visuals};
use verifier_gui::theme::{self, Palette};

const TEXT: f64 = 4.5;
const COMPONENT: f64 = 3.0;

/// sRGB channel to linear light (WCAG 2.2 relative luminance).
fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(c: Color32) -> f64 {
    0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
}

/// `fg` (premultiplied, possibly translucent or additive) painted over the opaque `bg`.
fn over(fg: Color32, bg: Color32) -> Color32 {
    let keep = 1.0 - f32::from(fg.a()) / 255.0;
    let ch = |f: u8, b: u8| (f32::from(f) + f32::from(b) * keep).round().min(255.0) as u8;
    Color32::from_rgb(ch(fg.r(), bg.r()), ch(fg.g(), bg.g()), ch(fg.b(), bg.b()))
}

/// The WCAG contrast ratio of `fg` drawn on `bg`.
fn ratio(fg: Color32, bg: Color32) -> f64 {
    let (a, b) = (luminance(over(fg, bg)), luminance(bg));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

struct Check {
    what: String,
    ratio: f64,
    min: f64,
}

fn need(out: &mut Vec<Check>, what: String, fg: Color32, bg: Color32, min: f64) {
    out.push(Check {
        what,
        ratio: ratio(fg, bg),
        min,
    });
}

/// All the pairs the theme makes, and the bar each must meet.
fn checks(v: &Visuals, p: &Palette) -> Vec<Check> {
    let mut out = Vec::new();
    let page = v.panel_fill;
    // Backgrounds that text of any kind is drawn on.
    let grounds = [
        ("panel", page),
        ("window", v.window_fill),
        ("striped row", over(v.faint_bg_color, page)),
        ("text field", v.text_edit_bg_color()),
        ("extreme background", v.extreme_bg_color),
        ("code background", v.code_bg_color),
    ];
    // Every text colour of the theme: egui's and the app's statuses.
    let mut inks = vec![
        ("text", v.text_color()),
        ("weak text", v.weak_text_color()),
        ("strong text", v.strong_text_color()),
        ("error text", v.error_fg_color),
        ("warning text", v.warn_fg_color),
        ("hyperlink", v.hyperlink_color),
    ];
    inks.extend(p.statuses());
    for (g, bg) in grounds {
        for (i, fg) in &inks {
            need(&mut out, format!("{i} on {g}"), *fg, bg, TEXT);
        }
    }
    // Alert boxes: tinted with their colour, framed in it, holding text of that colour and body text.
    for (name, c) in p.statuses() {
        let bg = theme::tint(v, c);
        for (i, fg) in [
            (name, c),
            ("text", v.text_color()),
            ("strong text", v.strong_text_color()),
            ("weak text", v.weak_text_color()),
        ] {
            need(&mut out, format!("{i} on the {name} alert"), fg, bg, TEXT);
        }
        need(
            &mut out,
            format!("{name} alert frame vs panel"),
            c,
            page,
            COMPONENT,
        );
    }
    // Widgets in each state: text on their fill and on the page (frameless buttons, labels of
    // checkboxes), check marks and handles on their box, and a visible boundary.
    let w = &v.widgets;
    let states = [
        ("non-interactive", &w.noninteractive),
        ("inactive", &w.inactive),
        ("hovered", &w.hovered),
        ("active/focused", &w.active),
        ("open", &w.open),
    ];
    for (s, wv) in states {
        need(
            &mut out,
            format!("{s} widget text on its fill"),
            wv.fg_stroke.color,
            over(wv.weak_bg_fill, page),
            TEXT,
        );
        need(
            &mut out,
            format!("{s} widget text on the panel"),
            wv.fg_stroke.color,
            page,
            TEXT,
        );
    }
    let boundary = |fill: Color32, stroke: egui::Stroke| {
        let f = ratio(fill, page);
        if stroke.width > 0.0 {
            f.max(ratio(stroke.color, page))
        } else {
            f
        }
    };
    for (s, wv) in &states[1..] {
        out.push(Check {
            what: format!("{s} button boundary vs panel"),
            ratio: boundary(wv.weak_bg_fill, wv.bg_stroke),
            min: COMPONENT,
        });
        out.push(Check {
            what: format!("{s} checkbox/radio box boundary vs panel"),
            ratio: boundary(wv.bg_fill, wv.bg_stroke),
            min: COMPONENT,
        });
        out.push(Check {
            what: format!("{s} check mark / slider handle on its box"),
            ratio: ratio(wv.fg_stroke.color, over(wv.bg_fill, page)),
            min: COMPONENT,
        });
    }
    need(
        &mut out,
        "slider rail vs panel".into(),
        w.inactive.bg_fill,
        page,
        COMPONENT,
    );
    need(
        &mut out,
        "selected item text".into(),
        v.selection.stroke.color,
        v.selection.bg_fill,
        TEXT,
    );
    need(
        &mut out,
        "text field text".into(),
        w.inactive.fg_stroke.color,
        v.text_edit_bg_color(),
        TEXT,
    );
    need(
        &mut out,
        "selected text in a field".into(),
        w.inactive.fg_stroke.color,
        over(v.selection.bg_fill, v.text_edit_bg_color()),
        TEXT,
    );
    need(
        &mut out,
        "text cursor".into(),
        v.text_cursor.stroke.color,
        v.text_edit_bg_color(),
        COMPONENT,
    );
    for (s, wv) in [("inactive", &w.inactive), ("hovered", &w.hovered)] {
        out.push(Check {
            what: format!("{s} text field boundary vs panel"),
            ratio: boundary(v.text_edit_bg_color(), wv.bg_stroke),
            min: COMPONENT,
        });
    }
    // Focus: buttons, checkboxes and sliders take the active style; text fields the selection stroke.
    for (what, ring, inside) in [
        (
            "focus ring of a button",
            w.active.bg_stroke,
            over(w.active.weak_bg_fill, page),
        ),
        (
            "focus ring of a text field",
            v.selection.stroke,
            v.text_edit_bg_color(),
        ),
    ] {
        need(
            &mut out,
            format!("{what} vs panel"),
            ring.color,
            page,
            COMPONENT,
        );
        need(
            &mut out,
            format!("{what} vs the control's fill"),
            ring.color,
            inside,
            COMPONENT,
        );
        need(
            &mut out,
            format!("{what} vs the unfocused boundary"),
            ring.color,
            w.inactive.bg_stroke.color,
            COMPONENT,
        );
        out.push(Check {
            what: format!("{what}: width in pixels"),
            ratio: f64::from(ring.width),
            min: 2.0,
        });
    }
    out
}

fn failures(v: &Visuals, p: &Palette) -> Vec<String> {
    checks(v, p)
        .into_iter()
        .filter(|c| c.ratio < c.min)
        .map(|c| format!("{}: {:.2} < {}", c.what, c.ratio, c.min))
        .collect()
}

#[test]
fn both_themes_meet_wcag_aa() {
    let mut bad = Vec::new();
    for dark in [false, true] {
        let name = if dark { "dark" } else { "light" };
        let (v, p) = (theme::visuals(dark), Palette::of(dark));
        assert_eq!(v.dark_mode, dark);
        let all = checks(&v, &p);
        assert!(all.len() > 100, "{name}: {} pairs checked", all.len());
        let mut worst: Vec<&Check> = all.iter().collect();
        worst.sort_by(|a, b| (a.ratio / a.min).total_cmp(&(b.ratio / b.min)));
        for c in worst.iter().take(8) {
            println!("{name}: {:.2}:1 (bar {}) {}", c.ratio, c.min, c.what);
        }
        bad.extend(failures(&v, &p).into_iter().map(|f| format!("{name}: {f}")));
    }
    assert!(bad.is_empty(), "below WCAG 2.2 AA:\n{}", bad.join("\n"));
}

/// The theme's status colours are the ones the visuals use for errors, warnings and weak text.
#[test]
fn the_palette_is_the_visuals_colours() {
    for dark in [false, true] {
        let (v, p) = (theme::visuals(dark), Palette::of(dark));
        assert_eq!(v.error_fg_color, p.error);
        assert_eq!(v.warn_fg_color, p.warn);
        assert_eq!(v.weak_text_color(), p.unverified);
    }
}

/// The check has teeth: egui's own themes fail it where the issue measured problems
/// (light text fields against the page, light red text, translucent weak text).
#[test]
fn egui_default_themes_fail_the_check() {
    // egui's visuals with the status colours the app used before this theme.
    let before = |v: &Visuals, ok: Color32| Palette {
        ok,
        error: v.error_fg_color,
        warn: v.warn_fg_color,
        unverified: v.weak_text_color(),
    };
    let (lv, dv) = (Visuals::light(), Visuals::dark());
    let (lp, dp) = (
        before(&lv, Color32::from_rgb(20, 120, 40)),
        before(&dv, Color32::from_rgb(110, 210, 120)),
    );
    for (name, v, p) in [("light", &lv, &lp), ("dark", &dv, &dp)] {
        let mut all = checks(v, p);
        all.sort_by(|a, b| (a.ratio / a.min).total_cmp(&(b.ratio / b.min)));
        for c in all.iter().take(12) {
            println!(
                "egui default {name}: {:.2}:1 (bar {}) {}",
                c.ratio, c.min, c.what
            );
        }
    }
    let light = failures(&lv, &lp);
    for part in [
        "inactive text field boundary vs panel",
        "error text on panel",
        "weak text on panel",
        "focus ring of a button: width",
    ] {
        assert!(
            light.iter().any(|f| f.starts_with(part)),
            "{part} not caught: {light:?}"
        );
    }
    let dark = failures(&dv, &dp);
    for part in ["weak text on panel", "inactive button boundary vs panel"] {
        assert!(
            dark.iter().any(|f| f.starts_with(part)),
            "{part} not caught: {dark:?}"
        );
    }
}

/// The arithmetic against WCAG's own reference values.
#[test]
fn contrast_arithmetic() {
    assert!((ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
    assert!((ratio(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-9);
    // #767676 on white is the well-known 4.54:1.
    assert!((ratio(Color32::from_gray(0x76), Color32::WHITE) - 4.54).abs() < 0.01);
    // Half-transparent black over white is #808080-ish (gamma-space blending, as egui does).
    assert_eq!(
        over(Color32::from_black_alpha(128), Color32::WHITE),
        Color32::from_gray(127)
    );
}
