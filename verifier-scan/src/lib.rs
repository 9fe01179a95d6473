//! QR code scanner for photos and camera streams.
//!
//! [`LumaImage`] holds a grey image (from RGB/RGBA/YUYV/MJPEG camera frames or PNG/JPEG
//! files); [`Scanner::scan`] returns every QR code in it ([`Code`]: raw bytes, text when
//! UTF-8, corners, the stage that found it); [`StreamScanner`] scans camera frames and looks
//! first where the last code was. Only codes whose Reed–Solomon error correction succeeded
//! are returned. The pipeline is described in `docs/scanner.md`.
//!
//! ```
//! use verifier_scan::{LumaImage, Scanner};
//! // Render a code with binary content (4 px per module, 4-module quiet zone)...
//! let payload = b"\x00verifier\xff";
//! let code = qrcode::QrCode::new(payload).unwrap();
//! let (n, m) = (code.width(), 4);
//! let side = (n + 8) * m;
//! let mut px = vec![255u8; side * side];
//! for (i, c) in code.to_colors().iter().enumerate() {
//!     if *c == qrcode::Color::Dark {
//!         let (x, y) = (i % n + 4, i / n + 4);
//!         for dy in 0..m {
//!             px[(y * m + dy) * side + x * m..][..m].fill(0);
//!         }
//!     }
//! }
//! let img = LumaImage::new(side as u32, side as u32, px).unwrap();
//! // ...and read it back: exact bytes, no text (not UTF-8), four cyclic corners.
//! let codes = Scanner::new().scan(&img);
//! assert_eq!(codes.len(), 1);
//! assert_eq!(codes[0].bytes, payload);
//! assert_eq!(codes[0].text, None);
//! // An image without a code gives nothing.
//! let blank = LumaImage::new(100, 100, vec![255; 100 * 100]).unwrap();
//! assert!(Scanner::new().scan(&blank).is_empty());
//! ```

#![warn(missing_docs)]

mod binarize;
mod decode;
mod engine;
mod error;
mod luma;
mod scanner;
mod stream;

pub use decode::{DEFAULT_MAX_PIXELS, DecodeLimits, ImageFormat, ImageHeader};
pub use error::ImageError;
pub use luma::{
    ColourOrder, LumaImage, MAX_SIDE, Rotation, colour_to_luma, mjpeg_with_standard_tables,
    rgb_to_luma_in_place,
};
pub use scanner::{Code, Method, Point, ScanOptions, Scanner, Stage};
pub use stream::StreamScanner;
