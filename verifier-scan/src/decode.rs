//! Image files (PNG, JPEG) into luma: the format sniffed, the declared size checked against
//! [`DecodeLimits`] before anything is decoded, JPEG decoded straight to grey.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::ImageError;
use crate::luma::{LumaImage, MAX_SIDE};

/// Largest number of pixels an image file may declare by default (100 megapixels).
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

/// Limits on what an image file may make the decoder do.
///
/// ```
/// use verifier_scan::DecodeLimits;
/// assert_eq!(DecodeLimits::default().max_pixels, 100_000_000);
/// assert_eq!(DecodeLimits::default().with_max_pixels(4_000_000).max_pixels, 4_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Largest `width * height` a file's header may declare; a larger one is refused with
    /// [`ImageError::TooManyPixels`] before any pixel is decoded or allocated. Each side is
    /// also limited to [`MAX_SIDE`].
    pub max_pixels: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

impl DecodeLimits {
    /// These limits with another pixel limit.
    pub fn with_max_pixels(mut self, max_pixels: u64) -> Self {
        self.max_pixels = max_pixels;
        self
    }
}

/// The format of an image file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// PNG (`\x89PNG\r\n\x1a\n`).
    Png,
    /// JPEG (`FF D8 FF`).
    Jpeg,
}

impl ImageFormat {
    /// The format of `bytes`, or `None` when they are neither PNG nor JPEG.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// "PNG" or "JPEG".
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
        }
    }
}

/// What an image file's header says, read without decoding any pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageHeader {
    /// The file's format.
    pub format: ImageFormat,
    /// Declared width in pixels.
    pub width: u32,
    /// Declared height in pixels.
    pub height: u32,
}

impl ImageHeader {
    /// Reads the format and the declared size of a PNG or JPEG file and checks them
    /// against `limits` (each side 1..=[`MAX_SIDE`], at most `limits.max_pixels` in all).
    /// Reads only the header: a file declaring 10 000 × 10 000 pixels is refused in
    /// microseconds, nothing allocated for its pixels.
    ///
    /// ```
    /// use verifier_scan::{DecodeLimits, ImageError, ImageHeader};
    /// // A PNG signature and an IHDR chunk declaring 20 000 x 10 000 pixels, nothing else.
    /// let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    /// png.extend_from_slice(&20_000u32.to_be_bytes());
    /// png.extend_from_slice(&10_000u32.to_be_bytes());
    /// let err = ImageHeader::read(&png, &DecodeLimits::default()).unwrap_err();
    /// assert!(matches!(err, ImageError::BadDimensions { .. }));
    /// ```
    pub fn read(bytes: &[u8], limits: &DecodeLimits) -> Result<Self, ImageError> {
        Self::read_named(bytes, limits, "the buffer")
    }

    pub(crate) fn read_named(
        bytes: &[u8],
        limits: &DecodeLimits,
        what: &str,
    ) -> Result<Self, ImageError> {
        let Some(format) = ImageFormat::sniff(bytes) else {
            return Err(ImageError::UnsupportedFormat {
                what: what.to_owned(),
                magic_hex: bytes.iter().take(8).map(|b| format!("{b:02x}")).collect(),
            });
        };
        let corrupt = |reason: &str| ImageError::Corrupt {
            what: what.to_owned(),
            format: format.name(),
            reason: reason.to_owned(),
        };
        let (width, height) = match format {
            ImageFormat::Png => png_size(bytes).ok_or_else(|| corrupt("no IHDR chunk"))?,
            ImageFormat::Jpeg => {
                jpeg_size(bytes).ok_or_else(|| corrupt("no frame header (SOF) before the data"))?
            }
        };
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(ImageError::BadDimensions {
                width,
                height,
                max: MAX_SIDE,
            });
        }
        let pixels = u64::from(width) * u64::from(height);
        // Compressed data too short for the declared size (a crafted or truncated header):
        // refused before a decoder allocates the pixels. The bounds hold for every valid
        // file: a Huffman-coded JPEG spends at least one bit on each 8×8 block's DC
        // difference (4:2:0 chroma: one block per 16×16 pixels; any sampling: one per
        // 32×32 at most), and deflate (PNG) expands at most 1032:1.
        let needed = match format {
            ImageFormat::Jpeg => pixels / (32 * 32) / 8,
            ImageFormat::Png => pixels / 8 / 1032,
        };
        let data = match format {
            ImageFormat::Jpeg => jpeg_data_len(bytes),
            ImageFormat::Png => png_data_len(bytes),
        };
        if pixels <= limits.max_pixels && data < needed {
            return Err(corrupt(&format!(
                "declares {width}x{height} pixels but holds {data} bytes of image data, \
                 fewer than the {needed} any such image needs: truncated or crafted"
            )));
        }
        if pixels > limits.max_pixels {
            return Err(ImageError::TooManyPixels {
                what: what.to_owned(),
                width,
                height,
                pixels,
                max_pixels: limits.max_pixels,
            });
        }
        Ok(Self {
            format,
            width,
            height,
        })
    }
}

/// Bytes from the first JPEG scan (SOS) to the end, 0 without one.
fn jpeg_data_len(bytes: &[u8]) -> u64 {
    let mut i = 2usize;
    while let (Some(&0xff), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) {
        match marker {
            0xda => return (bytes.len() - i) as u64,
            0xd9 => return 0,
            0xff => i += 1,
            0x01 | 0xd0..=0xd7 => i += 2,
            _ => match (bytes.get(i + 2), bytes.get(i + 3)) {
                (Some(&a), Some(&b)) => i += 2 + usize::from(u16::from_be_bytes([a, b])).max(2),
                _ => return 0,
            },
        }
    }
    0
}

/// Total length of a PNG's IDAT chunks (as declared, capped by what is there).
fn png_data_len(bytes: &[u8]) -> u64 {
    let (mut i, mut total) = (8usize, 0u64);
    while let Some(head) = bytes.get(i..i + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if &head[4..8] == b"IDAT" {
            total += len.min(bytes.len().saturating_sub(i + 8)) as u64;
        }
        if &head[4..8] == b"IEND" {
            break;
        }
        i = i.saturating_add(12).saturating_add(len);
    }
    total
}

/// Width and height from a PNG's IHDR chunk (which must come first).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |r: std::ops::Range<usize>| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(r)?.try_into().ok()?))
    };
    Some((be(16..20)?, be(20..24)?))
}

/// Width and height from a JPEG's first frame header (SOF0–SOF15 but DHT, JPG, DAC), read by
/// walking the marker segments; `None` when a scan or the end comes first.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2usize;
    loop {
        if *bytes.get(i)? != 0xff {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        match marker {
            0xff => i += 1, // fill byte
            0x01 | 0xd0..=0xd7 => i += 2,
            0xd9 | 0xda => return None,
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                let h = u16::from_be_bytes([*bytes.get(i + 5)?, *bytes.get(i + 6)?]);
                let w = u16::from_be_bytes([*bytes.get(i + 7)?, *bytes.get(i + 8)?]);
                return Some((u32::from(w), u32::from(h)));
            }
            _ => {
                let len = u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]);
                if len < 2 {
                    return None;
                }
                i += 2 + usize::from(len);
            }
        }
    }
}

/// Runs a decoder, turning a panic inside it (hostile input) into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err("the decoder panicked".to_owned()))
}

/// Decodes a JPEG at full resolution straight to grey (zune-jpeg asked for luma only: the
/// chroma planes are entropy-decoded but neither transformed, upsampled nor converted).
/// `None` when zune-jpeg would not give one grey byte a pixel (CMYK and other rare colour
/// spaces): the caller then takes the general path.
pub(crate) fn jpeg_luma(
    bytes: &[u8],
    header: &ImageHeader,
    what: &str,
) -> Result<Option<LumaImage>, ImageError> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let corrupt = |reason: String| ImageError::Corrupt {
        what: what.to_owned(),
        format: "JPEG",
        reason,
    };
    let decoded = guarded(|| {
        let options = DecoderOptions::default()
            .set_strict_mode(false)
            .set_max_width(header.width as usize)
            .set_max_height(header.height as usize)
            .jpeg_set_out_colorspace(ColorSpace::Luma);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        decoder.decode_headers().map_err(|e| e.to_string())?;
        if decoder.output_colorspace() != Some(ColorSpace::Luma) {
            return Ok(None);
        }
        let pixels = decoder.decode().map_err(|e| e.to_string())?;
        let (w, h) = decoder.dimensions().ok_or("no dimensions")?;
        Ok(Some((w, h, pixels)))
    })
    .map_err(corrupt)?;
    let Some((w, h, pixels)) = decoded else {
        return Ok(None);
    };
    let (w, h) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    if (w, h) != (header.width, header.height) || pixels.len() != w as usize * h as usize {
        return Ok(None);
    }
    LumaImage::new(w, h, pixels).map(Some)
}

/// Decodes a PNG or JPEG at full resolution to grey, within `limits` (the header is checked
/// first).
pub(crate) fn decode_full(
    bytes: &[u8],
    limits: &DecodeLimits,
    what: &str,
) -> Result<LumaImage, ImageError> {
    let header = ImageHeader::read_named(bytes, limits, what)?;
    decode_full_checked(bytes, &header, what)
}

/// [`decode_full`] after the header was read and checked.
pub(crate) fn decode_full_checked(
    bytes: &[u8],
    header: &ImageHeader,
    what: &str,
) -> Result<LumaImage, ImageError> {
    if header.format == ImageFormat::Jpeg
        && let Some(img) = jpeg_luma(bytes, header, what)?
    {
        return Ok(img);
    }
    LumaImage::decode_general(bytes, header, what)
}
