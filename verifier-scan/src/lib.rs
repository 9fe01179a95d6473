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
//! let img = LumaImage::new(100, 100, vec![255; 100 * 100]).unwrap();
//! let codes = Scanner::new().scan(&img);
//! assert!(codes.is_empty());
//! ```

#![warn(missing_docs)]

mod binarize;
mod engine;
mod error;
mod luma;
mod scanner;
mod stream;

pub use error::ImageError;
pub use luma::{LumaImage, MAX_SIDE, Rotation};
pub use scanner::{Code, Method, Point, ScanOptions, Scanner, Stage};
pub use stream::StreamScanner;
