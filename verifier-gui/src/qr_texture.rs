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

    /// Draws the code `side` points wide (rounded down to whole pixels per module).
    pub fn show(&self, ui: &mut egui::Ui, side: f32, alt_text: &str) -> egui::Response {
        let per_module = (side / self.modules.max(1) as f32).floor().max(2.0);
        let size = egui::vec2(per_module, per_module) * self.modules as f32;
        ui.add(egui::Image::new((self.texture.id(), size)).alt_text(alt_text))
    }
}
