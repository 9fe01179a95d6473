//! The 8-bit luma (grey) image the scanner works on, and conversions into it.

use std::path::Path;

use crate::decode::{self, DecodeLimits, ImageFormat, ImageHeader};
use crate::error::ImageError;

/// Largest accepted width or height, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// An 8-bit grey image, row-major, one byte per pixel, no padding.
///
/// ```
/// use verifier_scan::LumaImage;
/// let img = LumaImage::new(2, 1, vec![0, 255]).unwrap();
/// assert_eq!(img.get(1, 0), Some(255));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct LumaImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LumaImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// A clockwise rotation by a multiple of 90 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rotation {
    /// No rotation.
    R0,
    /// 90 degrees clockwise.
    R90,
    /// 180 degrees.
    R180,
    /// 270 degrees clockwise (90 counter-clockwise).
    R270,
}

impl Rotation {
    /// All four rotations, in order 0, 90, 180, 270.
    pub const ALL: [Rotation; 4] = [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270];

    /// The angle in degrees (0, 90, 180 or 270).
    pub fn degrees(self) -> u32 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }
}

fn check_dims(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::BadDimensions {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    Ok(())
}

fn expect_len(
    format: &'static str,
    width: u32,
    height: u32,
    bytes_per_pixel: usize,
    actual: usize,
) -> Result<(), ImageError> {
    check_dims(width, height)?;
    let expected = width as usize * height as usize * bytes_per_pixel;
    if actual != expected {
        return Err(ImageError::BufferSize {
            format,
            width,
            height,
            expected,
            actual,
        });
    }
    Ok(())
}

/// ITU-R BT.601 luma with integer weights (sum 256).
fn luma_of(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// The byte order of a packed 8-bit colour pixel, for [`colour_to_luma`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColourOrder {
    /// Red, green, blue: 3 bytes a pixel.
    Rgb,
    /// Blue, green, red: 3 bytes a pixel (many camera drivers).
    Bgr,
    /// Red, green, blue, alpha: 4 bytes a pixel; alpha is ignored.
    Rgba,
}

impl ColourOrder {
    /// How many bytes one pixel takes.
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            ColourOrder::Rgb | ColourOrder::Bgr => 3,
            ColourOrder::Rgba => 4,
        }
    }
}

/// Appends the grey value of every packed colour pixel of `pixels` to `out`:
/// ITU-R BT.601 luma with integer weights, the conversion every
/// [`LumaImage`] constructor uses. A trailing partial pixel is ignored; `out`
/// is not cleared first, so a caller can reuse its buffer from frame to frame.
///
/// ```
/// use verifier_scan::{ColourOrder, colour_to_luma};
/// let mut grey = Vec::new();
/// colour_to_luma(&[255, 255, 255, 0, 0, 255], ColourOrder::Rgb, &mut grey);
/// assert_eq!(grey, [255, 29]);
/// grey.clear();
/// colour_to_luma(&[255, 0, 0], ColourOrder::Bgr, &mut grey);
/// assert_eq!(grey, [29]);
/// ```
pub fn colour_to_luma(pixels: &[u8], order: ColourOrder, out: &mut Vec<u8>) {
    out.reserve(pixels.len() / order.bytes_per_pixel());
    match order {
        ColourOrder::Rgb => out.extend(pixels.chunks_exact(3).map(|p| match p {
            [r, g, b] => luma_of(*r, *g, *b),
            _ => 0,
        })),
        ColourOrder::Bgr => out.extend(pixels.chunks_exact(3).map(|p| match p {
            [b, g, r] => luma_of(*r, *g, *b),
            _ => 0,
        })),
        ColourOrder::Rgba => out.extend(pixels.chunks_exact(4).map(|p| match p {
            [r, g, b, _] => luma_of(*r, *g, *b),
            _ => 0,
        })),
    }
}

/// Replaces packed 8-bit RGB pixels with their grey values (one byte a pixel,
/// as [`colour_to_luma`] computes them) in the same buffer: a decoded camera
/// frame becomes the scanner's grey image without a second full-size buffer.
/// A trailing partial pixel is dropped.
///
/// ```
/// use verifier_scan::rgb_to_luma_in_place;
/// let mut data = vec![255, 255, 255, 0, 0, 255, 7];
/// rgb_to_luma_in_place(&mut data);
/// assert_eq!(data, [255, 29]);
/// ```
pub fn rgb_to_luma_in_place(data: &mut Vec<u8>) {
    let n = data.len() / 3;
    for i in 0..n {
        let j = 3 * i;
        if let (Some(&r), Some(&g), Some(&b)) = (data.get(j), data.get(j + 1), data.get(j + 2))
            && let Some(out) = data.get_mut(i)
        {
            // i <= j: the RGB bytes still to be read are never overwritten.
            *out = luma_of(r, g, b);
        }
    }
    data.truncate(n);
}

/// A motion-JPEG camera frame made decodable by an ordinary JPEG decoder.
///
/// Many webcams send MJPEG frames without Huffman tables (motion JPEG implies the
/// standard tables of ITU-T T.81 Annex K). Such a frame is returned with an
/// `APP0 "AVI1"` segment after its start marker, which tells the decoder to use
/// the standard tables; any other input (a complete JPEG, or not a JPEG at all)
/// is returned unchanged.
///
/// ```
/// use verifier_scan::mjpeg_with_standard_tables;
/// let without_tables = [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02];
/// let fixed = mjpeg_with_standard_tables(&without_tables);
/// assert_eq!(&fixed[..4], &[0xff, 0xd8, 0xff, 0xe0]);
/// assert_eq!(&fixed[6..11], b"AVI1\0");
/// let not_jpeg = b"PNG...";
/// assert_eq!(&*mjpeg_with_standard_tables(not_jpeg), not_jpeg);
/// ```
pub fn mjpeg_with_standard_tables(frame: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if frame.starts_with(&[0xff, 0xd8]) && !has_huffman_tables(frame) {
        let mut fixed = Vec::with_capacity(frame.len() + 9);
        fixed.extend_from_slice(&[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x07]);
        fixed.extend_from_slice(b"AVI1\0");
        fixed.extend_from_slice(frame.get(2..).unwrap_or_default());
        std::borrow::Cow::Owned(fixed)
    } else {
        std::borrow::Cow::Borrowed(frame)
    }
}

/// Whether a JPEG has a DHT (Huffman table) segment before its first scan.
fn has_huffman_tables(jpeg: &[u8]) -> bool {
    let mut i = 2usize;
    while let (Some(&0xff), Some(&marker)) = (jpeg.get(i), jpeg.get(i + 1)) {
        match marker {
            0xc4 => return true,
            0xda | 0xd9 => return false,
            0xff => i += 1,
            _ => {
                let len = match (jpeg.get(i + 2), jpeg.get(i + 3)) {
                    (Some(&a), Some(&b)) => usize::from(u16::from_be_bytes([a, b])),
                    _ => return false,
                };
                i += 2 + len;
            }
        }
    }
    false
}

fn describe_magic(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl LumaImage {
    /// Wraps a grey buffer of exactly `width * height` bytes.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, ImageError> {
        expect_len("luma", width, height, 1, pixels.len())?;
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Converts packed 8-bit RGB (3 bytes per pixel) to luma.
    pub fn from_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Self, ImageError> {
        expect_len("RGB", width, height, 3, rgb.len())?;
        let mut pixels = Vec::new();
        colour_to_luma(rgb, ColourOrder::Rgb, &mut pixels);
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Converts packed 8-bit RGBA (4 bytes per pixel) to luma; alpha is ignored
    /// (a transparent pixel keeps its colour).
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Self, ImageError> {
        expect_len("RGBA", width, height, 4, rgba.len())?;
        let mut pixels = Vec::new();
        colour_to_luma(rgba, ColourOrder::Rgba, &mut pixels);
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Takes the Y samples of a packed YUYV (YUY2: `Y0 U Y1 V`) camera frame.
    pub fn from_yuyv(width: u32, height: u32, yuyv: &[u8]) -> Result<Self, ImageError> {
        if !width.is_multiple_of(2) {
            return Err(ImageError::OddYuyvWidth { width });
        }
        expect_len("YUYV", width, height, 2, yuyv.len())?;
        let pixels = yuyv.iter().step_by(2).copied().collect();
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Decodes one MJPEG camera frame (a JPEG, possibly without Huffman tables,
    /// as many webcams send them), straight to grey.
    pub fn from_mjpeg(frame: &[u8]) -> Result<Self, ImageError> {
        let fixed = mjpeg_with_standard_tables(frame);
        let what = "the MJPEG frame";
        if ImageFormat::sniff(&fixed) != Some(ImageFormat::Jpeg) {
            return Err(ImageError::Corrupt {
                what: what.to_owned(),
                format: "JPEG",
                reason: format!(
                    "no start-of-image marker (first bytes {})",
                    describe_magic(frame)
                ),
            });
        }
        let header = ImageHeader::read_named(&fixed, &DecodeLimits::default(), what)?;
        decode::decode_full_checked(&fixed, &header, what)
    }

    /// Decodes a PNG or JPEG file held in memory (the format is detected from its first
    /// bytes) at full resolution, within the default [`DecodeLimits`] (100 megapixels).
    pub fn from_encoded(bytes: &[u8]) -> Result<Self, ImageError> {
        Self::from_encoded_with_limits(bytes, &DecodeLimits::default())
    }

    /// [`LumaImage::from_encoded`] within `limits`: the header's declared size is checked
    /// before anything is decoded ([`ImageError::TooManyPixels`]).
    pub fn from_encoded_with_limits(
        bytes: &[u8],
        limits: &DecodeLimits,
    ) -> Result<Self, ImageError> {
        decode::decode_full(bytes, limits, "the buffer")
    }

    /// Reads and decodes a PNG or JPEG file, within the default [`DecodeLimits`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ImageError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        decode::decode_full(
            &bytes,
            &DecodeLimits::default(),
            &path.display().to_string(),
        )
    }

    /// The general decoder (the `image` crate), for PNG and the JPEGs that
    /// [`decode::jpeg_luma`] does not take; the header was checked against the limits.
    pub(crate) fn decode_general(
        bytes: &[u8],
        header: &ImageHeader,
        what: &str,
    ) -> Result<Self, ImageError> {
        let (format, name) = match header.format {
            ImageFormat::Png => (image::ImageFormat::Png, "PNG"),
            _ => (image::ImageFormat::Jpeg, "JPEG"),
        };
        let corrupt = |reason: String| ImageError::Corrupt {
            what: what.to_owned(),
            format: name,
            reason,
        };
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(header.width);
        limits.max_image_height = Some(header.height);
        // The decoded image in its own format (at most 16-bit RGBA) and its grey copy.
        let pixels = u64::from(header.width) * u64::from(header.height);
        limits.max_alloc = Some(pixels.saturating_mul(9).max(1 << 20));
        reader.limits(limits);
        let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.decode()))
            .map_err(|_| corrupt("the decoder panicked".to_owned()))?
            .map_err(|e| match e {
                image::ImageError::Limits(l) => corrupt(format!("over the decoding limits: {l}")),
                other => corrupt(other.to_string()),
            })?;
        let luma = decoded.into_luma8();
        let (width, height) = luma.dimensions();
        Self::new(width, height, luma.into_raw())
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Gives the pixel buffer back.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    /// The pixel at (`x`, `y`), or `None` outside the image.
    pub fn get(&self, x: u32, y: u32) -> Option<u8> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels
            .get(y as usize * self.width as usize + x as usize)
            .copied()
    }

    /// A copy rotated clockwise by `rotation`.
    pub fn rotated(&self, rotation: Rotation) -> LumaImage {
        let (w, h) = (self.width as usize, self.height as usize);
        let src = &self.pixels;
        let at = |x: usize, y: usize| src.get(y * w + x).copied().unwrap_or(0);
        match rotation {
            Rotation::R0 => self.clone(),
            Rotation::R180 => {
                let mut p = src.clone();
                p.reverse();
                LumaImage {
                    width: self.width,
                    height: self.height,
                    pixels: p,
                }
            }
            Rotation::R90 => {
                // new image is h wide, w high; new(x', y') = old(y', h-1-x')
                let mut p = Vec::with_capacity(w * h);
                for ny in 0..w {
                    for nx in 0..h {
                        p.push(at(ny, h - 1 - nx));
                    }
                }
                LumaImage {
                    width: self.height,
                    height: self.width,
                    pixels: p,
                }
            }
            Rotation::R270 => {
                // new(x', y') = old(w-1-y', x')
                let mut p = Vec::with_capacity(w * h);
                for ny in 0..w {
                    for nx in 0..h {
                        p.push(at(w - 1 - ny, nx));
                    }
                }
                LumaImage {
                    width: self.height,
                    height: self.width,
                    pixels: p,
                }
            }
        }
    }

    /// A copy of the rectangle (`x`, `y`, `width`, `height`), clipped to the image;
    /// `None` when the clipped rectangle is empty.
    pub fn crop(&self, x: u32, y: u32, width: u32, height: u32) -> Option<LumaImage> {
        let x1 = x.saturating_add(width).min(self.width);
        let y1 = y.saturating_add(height).min(self.height);
        if x >= x1 || y >= y1 {
            return None;
        }
        let (cw, ch) = (x1 - x, y1 - y);
        let mut p = Vec::with_capacity(cw as usize * ch as usize);
        let w = self.width as usize;
        for row in y..y1 {
            let start = row as usize * w + x as usize;
            p.extend_from_slice(self.pixels.get(start..start + cw as usize)?);
        }
        Some(LumaImage {
            width: cw,
            height: ch,
            pixels: p,
        })
    }

    /// A copy shrunk by an integer `factor` (box filter: each output pixel is the mean
    /// of a `factor`×`factor` block). `None` if the result would be empty or `factor` is 0.
    pub fn downscaled(&self, factor: u32) -> Option<LumaImage> {
        if factor == 0 {
            return None;
        }
        if factor == 1 {
            return Some(self.clone());
        }
        let (nw, nh) = (self.width / factor, self.height / factor);
        if nw == 0 || nh == 0 {
            return None;
        }
        let f = factor as usize;
        let w = self.width as usize;
        if f == 2 {
            // The common pyramid step: 2×2 means with shifts (vectorizes; a division per
            // pixel cost more than the rest of the work).
            let mut out = Vec::with_capacity(nw as usize * nh as usize);
            for pair in self.pixels.chunks_exact(2 * w).take(nh as usize) {
                let (r0, r1) = pair.split_at(w);
                out.extend(
                    r0.chunks_exact(2)
                        .zip(r1.chunks_exact(2))
                        .take(nw as usize)
                        .map(|(a, b)| {
                            let s = u16::from(a[0])
                                + u16::from(a[1])
                                + u16::from(b[0])
                                + u16::from(b[1]);
                            ((s + 2) >> 2) as u8
                        }),
                );
            }
            return Some(LumaImage {
                width: nw,
                height: nh,
                pixels: out,
            });
        }
        let mut sums = vec![0u32; nw as usize];
        let mut out = Vec::with_capacity(nw as usize * nh as usize);
        let div = (f * f) as u32;
        for ny in 0..nh as usize {
            sums.iter_mut().for_each(|s| *s = 0);
            for dy in 0..f {
                let row_start = (ny * f + dy) * w;
                let row = self.pixels.get(row_start..row_start + nw as usize * f)?;
                for (s, chunk) in sums.iter_mut().zip(row.chunks_exact(f)) {
                    *s += chunk.iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
            out.extend(sums.iter().map(|&s| ((s + div / 2) / div) as u8));
        }
        Some(LumaImage {
            width: nw,
            height: nh,
            pixels: out,
        })
    }

    /// A copy with every pixel inverted (`255 - v`): light-on-dark becomes dark-on-light.
    pub fn inverted(&self) -> LumaImage {
        LumaImage {
            width: self.width,
            height: self.height,
            pixels: self.pixels.iter().map(|v| 255 - v).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn colour_to_luma_reads_each_byte_order_and_appends() {
        let colours = [[0u8, 0, 0], [255, 255, 255], [200, 20, 30], [10, 240, 90]];
        let rgb: Vec<u8> = colours.concat();
        let bgr: Vec<u8> = colours.iter().flat_map(|&[r, g, b]| [b, g, r]).collect();
        let rgba: Vec<u8> = colours.iter().flat_map(|&[r, g, b]| [r, g, b, 9]).collect();
        let expected: Vec<u8> = colours.iter().map(|&[r, g, b]| luma_of(r, g, b)).collect();
        assert_eq!(&expected[..2], &[0, 255]);
        for (data, order) in [
            (&rgb, ColourOrder::Rgb),
            (&bgr, ColourOrder::Bgr),
            (&rgba, ColourOrder::Rgba),
        ] {
            let mut out = vec![42];
            colour_to_luma(data, order, &mut out);
            assert_eq!(out[0], 42, "{order:?}: appended, not overwritten");
            assert_eq!(&out[1..], &expected[..], "{order:?}");
            // A trailing partial pixel is ignored.
            let mut out = Vec::new();
            colour_to_luma(&data[..data.len() - 1], order, &mut out);
            assert_eq!(out, &expected[..3], "{order:?}");
        }
        // The same values as the constructors.
        let img = LumaImage::from_rgb(2, 2, &rgb).unwrap();
        assert_eq!(img.pixels(), &expected[..]);
        assert_eq!(LumaImage::from_rgba(2, 2, &rgba).unwrap(), img);
    }

    #[test]
    fn rgb_to_luma_in_place_matches_the_copying_conversion() {
        let rgb: Vec<u8> = (0..3 * 1000).map(|i| (i * 37 % 256) as u8).collect();
        let mut expected = Vec::new();
        colour_to_luma(&rgb, ColourOrder::Rgb, &mut expected);
        let mut data = rgb.clone();
        rgb_to_luma_in_place(&mut data);
        assert_eq!(data, expected);
        let mut short = rgb[..5].to_vec();
        rgb_to_luma_in_place(&mut short);
        assert_eq!(short, &expected[..1]);
        let mut empty = Vec::new();
        rgb_to_luma_in_place(&mut empty);
        assert!(empty.is_empty());
    }
}
