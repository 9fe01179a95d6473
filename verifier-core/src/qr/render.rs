//! Rendering a payload as a QR symbol: PNG, SVG and terminal text (`docs/qr-payloads.md` §1, §6).
//!
//! Byte mode only (one segment, no ECI), error-correction level Q, the smallest version that
//! fits, a 4-module quiet zone in every rendering.

use std::fmt::Write as _;
use std::io::Cursor;

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

use super::payload::Payload;

/// Width of the light border around the symbol, in modules, in every rendering.
pub const QUIET_ZONE: usize = 4;

/// Largest PNG side in pixels that [`QrMatrix::to_png`] will produce.
pub const MAX_PNG_SIDE: u32 = 16_384;

/// Why a QR symbol could not be built or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrRenderError {
    /// The bytes do not fit a version-40 symbol at level Q.
    #[error("{len} bytes do not fit in a QR code at error-correction level Q")]
    TooLong {
        /// Payload length in bytes.
        len: usize,
    },
    /// The QR encoder failed for another reason.
    #[error("the QR encoder failed: {reason}")]
    Encoder {
        /// The encoder's message.
        reason: String,
    },
    /// The module size is zero or makes an image larger than [`MAX_PNG_SIDE`].
    #[error("a module size of {module_px} px gives an image side of {side} px; use 1..={max} px")]
    ModuleSize {
        /// Requested pixels per module.
        module_px: u32,
        /// Resulting image side (0 when the module size is 0).
        side: u64,
        /// Largest allowed module size for this symbol.
        max: u32,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed: {reason}")]
    Png {
        /// The encoder's message.
        reason: String,
    },
}

impl QrRenderError {
    /// A stable number for this error (docs/errors.md).
    pub fn code(&self) -> u16 {
        match self {
            Self::TooLong { .. } => 3201,
            Self::Encoder { .. } => 3202,
            Self::ModuleSize { .. } => 3203,
            Self::Png { .. } => 3204,
        }
    }
}

/// Terminal colour convention for [`QrMatrix::to_terminal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TerminalStyle {
    /// Block characters draw the light modules: right for light-on-dark terminals (the common
    /// default, and the convention of `qrencode -t UTF8`).
    #[default]
    LightOnDark,
    /// Block characters draw the dark modules: right for dark-on-light terminals.
    DarkOnLight,
}

/// A QR symbol as a square grid of modules (`true` = dark), without the quiet zone.
///
/// ```
/// use verifier_core::qr::{QrMatrix, Payload, SessionCode};
/// let p = Payload::Session(SessionCode::new(vec![42; 10]).unwrap());
/// let m = QrMatrix::for_payload(&p).unwrap();
/// // 19 payload bytes: more than version 1 holds at level Q (11), within version 2 (20).
/// assert_eq!(m.version(), 2);
/// assert_eq!(m.width(), 25);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    version: u8,
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// The symbol for a verifier payload.
    pub fn for_payload(payload: &Payload) -> Result<Self, QrRenderError> {
        Self::from_bytes(&payload.encode())
    }

    /// The symbol for arbitrary bytes: one byte-mode segment, no ECI, level Q, smallest version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, QrRenderError> {
        for version in 1..=40u8 {
            let mut bits = Bits::new(Version::Normal(i16::from(version)));
            let fits =
                bits.push_byte_data(bytes).is_ok() && bits.push_terminator(EcLevel::Q).is_ok();
            if !fits {
                continue;
            }
            let code = QrCode::with_bits(bits, EcLevel::Q).map_err(|e| QrRenderError::Encoder {
                reason: e.to_string(),
            })?;
            let width = code.width();
            let dark = code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            return Ok(Self {
                version,
                width,
                dark,
            });
        }
        Err(QrRenderError::TooLong { len: bytes.len() })
    }

    /// The QR version (1–40).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side including the quiet zone on both sides.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at (`x`, `y`) is dark; anything outside the symbol is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width
            && y < self.width
            && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// Whether the module at (`x`, `y`) of the symbol *with* quiet zone is dark.
    fn is_dark_q(&self, x: usize, y: usize) -> bool {
        match (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    /// An 8-bit greyscale PNG with `module_px` pixels per module and the quiet zone.
    pub fn to_png(&self, module_px: u32) -> Result<Vec<u8>, QrRenderError> {
        let img = self.to_luma(module_px)?;
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| QrRenderError::Png {
                reason: e.to_string(),
            })?;
        Ok(out.into_inner())
    }

    /// The greyscale image [`to_png`](Self::to_png) encodes (0 = dark, 255 = light).
    pub fn to_luma(&self, module_px: u32) -> Result<image::GrayImage, QrRenderError> {
        let modules = self.width_with_quiet_zone() as u64;
        let side = modules * u64::from(module_px);
        let max = u32::try_from(u64::from(MAX_PNG_SIDE) / modules.max(1)).unwrap_or(u32::MAX);
        if module_px == 0 || side > u64::from(MAX_PNG_SIDE) {
            return Err(QrRenderError::ModuleSize {
                module_px,
                side,
                max,
            });
        }
        // side <= MAX_PNG_SIDE, so it fits u32.
        let side = side as u32;
        let px = module_px as usize;
        Ok(image::GrayImage::from_fn(side, side, |x, y| {
            let dark = self.is_dark_q(x as usize / px, y as usize / px);
            image::Luma([if dark { 0 } else { 255 }])
        }))
    }

    /// An SVG document: a white background and one path of dark unit squares, in module units.
    pub fn to_svg(&self) -> String {
        let n = self.width_with_quiet_zone();
        let mut path = String::new();
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
                }
            }
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {n} {n}\" \
             width=\"{w}\" height=\"{w}\" shape-rendering=\"crispEdges\">\n\
             <rect width=\"{n}\" height=\"{n}\" fill=\"#ffffff\"/>\n\
             <path fill=\"#000000\" d=\"{path}\"/>\n\
             </svg>\n",
            w = n * 8
        )
    }

    /// Terminal text: two module rows per line in Unicode half blocks, with the quiet zone.
    pub fn to_terminal(&self, style: TerminalStyle) -> String {
        let n = self.width_with_quiet_zone();
        let ink = |x: usize, y: usize| match style {
            TerminalStyle::LightOnDark => !self.is_dark_q(x, y),
            TerminalStyle::DarkOnLight => self.is_dark_q(x, y),
        };
        let mut out = String::with_capacity((n + 1) * n.div_ceil(2) * 3);
        for row in (0..n).step_by(2) {
            for x in 0..n {
                let top = ink(x, row);
                // Below the last row (odd n only) counts as quiet zone.
                let bottom = if row + 1 < n {
                    ink(x, row + 1)
                } else {
                    ink(n, n)
                };
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}
