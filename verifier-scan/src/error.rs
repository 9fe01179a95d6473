//! Errors of image loading and conversion.

use std::path::PathBuf;

/// Why an image could not be loaded or converted into a [`crate::LumaImage`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The file could not be read from disk.
    #[error("cannot read image file {path}: {source}; check that the file exists and is readable")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are neither PNG nor JPEG.
    #[error(
        "{what} is not a PNG or JPEG image (first bytes {magic_hex}); convert it to PNG or JPEG"
    )]
    UnsupportedFormat {
        /// The file name, or "the buffer" for in-memory data.
        what: String,
        /// Hex of the first (up to 8) bytes, to help identify the format.
        magic_hex: String,
    },
    /// The bytes look like PNG or JPEG but are truncated or corrupt.
    #[error(
        "{what} is a {format} image that cannot be decoded ({reason}); the file is corrupt or truncated"
    )]
    Corrupt {
        /// The file name, or "the buffer" for in-memory data.
        what: String,
        /// "PNG" or "JPEG".
        format: &'static str,
        /// The decoder's description of the problem.
        reason: String,
    },
    /// Width or height is zero, or the image is larger than the scanner accepts.
    #[error("image size {width}x{height} is not supported: both sides must be 1..={max} pixels")]
    BadDimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Largest accepted side.
        max: u32,
    },
    /// A raw pixel buffer does not have the length its dimensions and format require.
    #[error(
        "{format} buffer for {width}x{height} must be {expected} bytes, got {actual}; check the frame format and size"
    )]
    BufferSize {
        /// Pixel format name ("luma", "RGB", "RGBA", "YUYV").
        format: &'static str,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Required length in bytes.
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// A YUYV frame must have an even width (two pixels share one chroma pair).
    #[error("YUYV frame width {width} is odd; YUYV (YUY2) frames have an even width")]
    OddYuyvWidth {
        /// The width given.
        width: u32,
    },
    /// The file's header declares more pixels than the decoding limit allows
    /// ([`crate::DecodeLimits::max_pixels`]); nothing was decoded or allocated for them.
    #[error(
        "{what} declares {width}x{height} pixels ({pixels} in all), more than the limit of {max_pixels}; scale the image down"
    )]
    TooManyPixels {
        /// The file name, or "the buffer" for in-memory data.
        what: String,
        /// Declared width in pixels.
        width: u32,
        /// Declared height in pixels.
        height: u32,
        /// `width * height`.
        pixels: u64,
        /// The limit in force.
        max_pixels: u64,
    },
}

impl ImageError {
    /// The stable number of this error (see `docs/errors.md`, range 8001–8099): use it to
    /// branch or to choose your own words; the `Display` text may change.
    pub fn code(&self) -> u16 {
        match self {
            Self::Io { .. } => 8001,
            Self::UnsupportedFormat { .. } => 8002,
            Self::Corrupt { .. } => 8003,
            Self::BadDimensions { .. } => 8004,
            Self::BufferSize { .. } => 8005,
            Self::OddYuyvWidth { .. } => 8006,
            Self::TooManyPixels { .. } => 8007,
        }
    }
}
