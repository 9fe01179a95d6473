//! QR codes as egui images: rendered once, uploaded as a texture, drawn with
//! nearest-neighbour sampling so modules stay sharp at any size.

use verifier_core::qr::{Payload, QrMatrix};

/// A QR code ready to draw.
pub struct QrImage {
    texture: egui::TextureHandle,
    modules: usize,
}

impl QrImage {
    /// Renders `payload` (one pixel per module; scaled when drawn).
    pub fn new(ctx: &egui::Context, name: &str, payload: &Payload) -> Result<Self, String> {
        let matrix = QrMatrix::for_payload(payload).map_err(|e| e.to_string())?;
        Ok(Self::from_matrix(ctx, name, &matrix))
    }

    /// Uploads an already encoded matrix.
    pub fn from_matrix(ctx: &egui::Context, name: &str, matrix: &QrMatrix) -> Self {
        let n = matrix.width_with_quiet_zone();
        let q = n.saturating_sub(matrix.width()) / 2;
        let mut pixels = Vec::with_capacity(n * n);
        for y in 0..n {
            for x in 0..n {
                let dark = match (x.checked_sub(q), y.checked_sub(q)) {
                    (Some(x), Some(y)) => matrix.is_dark(x, y),
                    _ => false,
                };
                pixels.push(if dark {
                    egui::Color32::BLACK
                } else {
                    egui::Color32::WHITE
                });
            }
        }
        let image = egui::ColorImage::new([n, n], pixels);
        let texture = ctx.load_texture(name, image, egui::TextureOptions::NEAREST);
        QrImage {
            texture,
            modules: n,
        }
    }

    /// Draws the code at most `side` points wide, smaller when the space is narrower or the
    /// window lower (large text sizes): always whole, with a whole number of screen pixels
    /// per module (at least 2) so it stays sharp and scannable.
    pub fn show(&self, ui: &mut egui::Ui, side: f32, alt_text: &str) -> egui::Response {
        let size = fitted_side(
            side,
            ui.available_width(),
            ui.ctx().content_rect().height() * 0.8,
            ui.ctx().pixels_per_point(),
            self.modules,
        );
        ui.add(egui::Image::new((self.texture.id(), egui::Vec2::splat(size))).alt_text(alt_text))
    }
}

/// The side, in points, of a code of `modules` modules drawn at most `side` points and within
/// `width` × `height` points, at `ppp` pixels per point: whole pixels per module, at least 2.
pub fn fitted_side(side: f32, width: f32, height: f32, ppp: f32, modules: usize) -> f32 {
    let n = modules.max(1) as f32;
    let ppp = if ppp.is_finite() && ppp > 0.0 {
        ppp
    } else {
        1.0
    };
    let points = side.min(width).min(height).max(0.0);
    let per_module = (points * ppp / n).floor().max(2.0);
    per_module * n / ppp
}

#[cfg(test)]
mod tests {
    use super::fitted_side;

    #[test]
    fn the_code_shrinks_to_the_space_in_whole_pixels() {
        // 300 points at 1.0×, 49 modules: 6 px per module.
        assert_eq!(fitted_side(300.0, 800.0, 800.0, 1.0, 49), 294.0);
        // At 3.0× in a 270-point-wide column: 16 px per module, 784 px = 261.3 points.
        let s = fitted_side(300.0, 270.0, 800.0, 3.0, 49);
        assert!(s <= 270.0 && (s * 3.0 / 49.0).fract() == 0.0, "{s}");
        // Never below 2 px per module.
        assert_eq!(fitted_side(300.0, 10.0, 800.0, 1.0, 49), 98.0);
    }
}
