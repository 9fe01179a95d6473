//! Layout that follows the text size: at a large text scale the window holds few points,
//! so rows of codes (words, groups, emoji) choose how many units fit per row instead of
//! running off the right edge. Every unit keeps its size: only the row breaks move.

/// How many columns of `units` (drawn with `font`, `spacing` apart) fit the available width:
/// the largest divisor of `units.len()` not above `preferred`, so every row is full.
pub fn columns(
    ui: &egui::Ui,
    units: &[String],
    font: &egui::FontId,
    spacing: f32,
    preferred: usize,
) -> usize {
    let widest = units
        .iter()
        .map(|u| text_width(ui, u, font))
        .fold(0.0_f32, f32::max);
    let avail = ui.available_width();
    let n = units.len().max(1);
    (1..=preferred.clamp(1, n))
        .rev()
        .filter(|c| n.is_multiple_of(*c))
        .find(|&c| c as f32 * (widest + spacing) <= avail + spacing)
        .unwrap_or(1)
}

/// The width of `text` on one line.
pub fn text_width(ui: &egui::Ui, text: &str, font: &egui::FontId) -> f32 {
    text_size(ui, text, font).x
}

fn text_size(ui: &egui::Ui, text: &str, font: &egui::FontId) -> egui::Vec2 {
    ui.painter()
        .layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::PLACEHOLDER)
        .size()
}

/// The largest size up to `max` at which `text` fits the available width on one line, but
/// never below [`crate::theme::MIN_CODE_TEXT`] (narrower than that, the text wraps).
pub fn size_to_fit(ui: &egui::Ui, text: &str, family: egui::FontFamily, max: f32) -> f32 {
    let w = text_width(ui, text, &egui::FontId::new(max, family));
    let avail = ui.available_width();
    if w <= avail || w <= 0.0 {
        max
    } else {
        (max * avail / w).floor().max(crate::theme::MIN_CODE_TEXT)
    }
}

/// Emoji with their names under them, as many per row as fit (rows wrap).
pub fn emoji_cells(
    ui: &mut egui::Ui,
    items: &[(&str, &str)],
    emoji_size: f32,
    name_style: egui::TextStyle,
) {
    let name_font = name_style.resolve(ui.style());
    let emoji_font = egui::FontId::proportional(emoji_size);
    let gap = ui.spacing().item_spacing;
    ui.horizontal_wrapped(|ui| {
        for (emoji, name) in items {
            let e = text_size(ui, emoji, &emoji_font);
            let n = text_size(ui, name, &name_font);
            let (w, h) = (e.x.max(n.x), e.y + n.y + gap.y);
            // A known size lets the wrapped row start a new line when the cell does not fit.
            ui.allocate_ui(egui::vec2(w, h), |ui| {
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new(*emoji).size(emoji_size));
                    ui.label(egui::RichText::new(*name).text_style(name_style.clone()));
                });
            });
        }
    });
}
