//! Camera frames and their two conversions: to grey at full resolution for the
//! QR scanner, and to a small colour image for the live preview.
//!
//! Both run on the decoder thread (never on the UI thread). A frame whose
//! buffer does not match its size and format is an error, never a panic. The
//! grey values themselves are computed by [`verifier_scan`] ([`colour_to_luma`],
//! [`verifier_scan::rgb_to_luma_in_place`]), the same as its own constructors.

use verifier_scan::{ColourOrder, LumaImage, colour_to_luma};

/// Pixel layout of a camera frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// 8-bit RGB, row-major, no padding.
    Rgb8,
    /// 8-bit BGR, row-major, no padding.
    Bgr8,
    /// 8-bit grey.
    Luma8,
    /// YUYV 4:2:2 (YUY2).
    Yuyv,
    /// NV12: a full-resolution Y plane followed by interleaved U/V at half resolution.
    Nv12,
    /// A JPEG-compressed frame (MJPEG).
    Mjpeg,
}

/// One frame from a camera.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Layout of `data`.
    pub format: PixelFormat,
    /// The pixels.
    pub data: Vec<u8>,
}

/// A frame converted for the scan screen.
pub struct Converted {
    /// Full-resolution grey, for the scanner.
    pub luma: LumaImage,
    /// Colour, box-downscaled so that its longer side is at most the asked size.
    pub preview: egui::ColorImage,
}

/// Buffers the decoder keeps from frame to frame, so that a stream of camera
/// frames does not allocate (and fragment the heap) anew for every frame: the
/// decoded MJPEG picture and the grey image.
#[derive(Default)]
pub struct FrameBuffers {
    decoded: Vec<u8>,
    luma: Vec<u8>,
    /// The last grey image was made over the decoded picture.
    luma_in_decoded: bool,
}

impl FrameBuffers {
    /// Takes back the grey image of a converted frame once it has been scanned.
    pub fn recycle(&mut self, luma: LumaImage) {
        let pixels = luma.into_pixels();
        // An MJPEG frame's grey image lives in its decoding buffer (see `convert_with`).
        if self.luma_in_decoded {
            self.decoded = pixels;
        } else {
            self.luma = pixels;
        }
    }
}

/// A frame's pixels, borrowed.
struct Raw<'a> {
    w: u32,
    h: u32,
    format: PixelFormat,
    data: &'a [u8],
}

impl Frame {
    /// The frame in 8-bit grey, as the QR scanner reads it.
    pub fn to_luma(&self) -> Result<LumaImage, String> {
        let mut bufs = FrameBuffers::default();
        let raw = self.raw(&mut bufs.decoded)?;
        raw.luma(Vec::new())
    }

    /// Grey for the scanner and a colour preview whose longer side is at most
    /// `max_side` pixels. An MJPEG frame is decoded once, to colour.
    pub fn convert(&self, max_side: u32) -> Result<Converted, String> {
        self.convert_with(max_side, &mut FrameBuffers::default())
    }

    /// As [`Frame::convert`], reusing `bufs` (give the grey image back with
    /// [`FrameBuffers::recycle`]).
    pub fn convert_with(
        &self,
        max_side: u32,
        bufs: &mut FrameBuffers,
    ) -> Result<Converted, String> {
        let luma_buf = std::mem::take(&mut bufs.luma);
        bufs.luma_in_decoded = false;
        let raw = self.raw(&mut bufs.decoded)?;
        let preview = raw.preview(max_side);
        if self.format == PixelFormat::Mjpeg && raw.format == PixelFormat::Rgb8 {
            // The grey image goes over the decoded picture: no second
            // full-size buffer.
            let (w, h) = (raw.w, raw.h);
            let mut pixels = std::mem::take(&mut bufs.decoded);
            verifier_scan::rgb_to_luma_in_place(&mut pixels);
            bufs.luma = luma_buf;
            bufs.luma_in_decoded = true;
            let luma = LumaImage::new(w, h, pixels).map_err(|e| e.to_string())?;
            return Ok(Converted { luma, preview });
        }
        // The grey conversion checks the buffer against the size and format.
        let luma = raw.luma(luma_buf)?;
        Ok(Converted { luma, preview })
    }

    /// The pixels, MJPEG decoded into `decoded`.
    fn raw<'a>(&'a self, decoded: &'a mut Vec<u8>) -> Result<Raw<'a>, String> {
        if self.format == PixelFormat::Mjpeg {
            let (w, h, format) = decode_mjpeg(&self.data, decoded)?;
            return Ok(Raw {
                w,
                h,
                format,
                data: decoded,
            });
        }
        Ok(Raw {
            w: self.width,
            h: self.height,
            format: self.format,
            data: &self.data,
        })
    }
}

impl Raw<'_> {
    /// The grey image, written into `out` (its old contents are dropped).
    fn luma(&self, mut out: Vec<u8>) -> Result<LumaImage, String> {
        let (w, h, d) = (self.w, self.h, self.data);
        let n = usize::try_from(u64::from(w) * u64::from(h))
            .map_err(|_| format!("a frame of {w}x{h} is too large"))?;
        let exact = |name: &str, bpp: usize| {
            if Some(d.len()) == n.checked_mul(bpp) {
                Ok(())
            } else {
                Err(format!(
                    "a {name} frame of {w}x{h} must have {} bytes, not {}",
                    n.saturating_mul(bpp),
                    d.len()
                ))
            }
        };
        out.clear();
        match self.format {
            PixelFormat::Rgb8 => {
                exact("RGB", 3)?;
                colour_to_luma(d, ColourOrder::Rgb, &mut out);
            }
            PixelFormat::Bgr8 => {
                exact("BGR", 3)?;
                colour_to_luma(d, ColourOrder::Bgr, &mut out);
            }
            PixelFormat::Luma8 => {
                exact("grey", 1)?;
                out.extend_from_slice(d);
            }
            PixelFormat::Yuyv => {
                if !w.is_multiple_of(2) {
                    return Err(format!("a YUYV frame must have an even width, not {w}"));
                }
                exact("YUYV", 2)?;
                out.extend(d.iter().step_by(2));
            }
            PixelFormat::Nv12 => {
                // The Y plane comes first and is exactly the luma image.
                let y_plane = d.get(..n).ok_or_else(|| {
                    format!("an NV12 frame of {w}x{h} has only {} bytes", d.len())
                })?;
                out.extend_from_slice(y_plane);
            }
            PixelFormat::Mjpeg => {
                return Err("an MJPEG frame must be decoded first".to_owned());
            }
        }
        LumaImage::new(w, h, out).map_err(|e| e.to_string())
    }

    /// The colour preview (the buffer is known to be large enough: `luma` passed;
    /// a missing sample reads as black, or as neutral chroma).
    fn preview(&self, max_side: u32) -> egui::ColorImage {
        let w = self.w as usize;
        let h = self.h as usize;
        let d = self.data;
        let at = |i: usize| d.get(i).copied().unwrap_or(0);
        let chroma = |i: usize| d.get(i).copied().unwrap_or(128);
        match self.format {
            PixelFormat::Rgb8 => downscale_packed(w, h, max_side, d, [0, 1, 2]),
            PixelFormat::Bgr8 => downscale_packed(w, h, max_side, d, [2, 1, 0]),
            PixelFormat::Luma8 => downscale_packed(w, h, max_side, d, [0, 0, 0]),
            // Not reached: MJPEG is decoded first.
            PixelFormat::Mjpeg => downscale(w, h, max_side, |_, _| [0, 0, 0]),
            PixelFormat::Yuyv => downscale(w, h, max_side, |x, y| {
                // Each pair of pixels shares one U and one V: Y0 U Y1 V.
                let pair = (y * w + (x & !1)) * 2;
                yuv_to_rgb(at((y * w + x) * 2), chroma(pair + 1), chroma(pair + 3))
            }),
            PixelFormat::Nv12 => {
                let chroma_row = w.div_ceil(2) * 2;
                downscale(w, h, max_side, |x, y| {
                    let uv = w * h + (y / 2) * chroma_row + (x / 2) * 2;
                    yuv_to_rgb(at(y * w + x), chroma(uv), chroma(uv + 1))
                })
            }
        }
    }
}

/// BT.601 full-range YCbCr to RGB (as in JPEG), in 8-bit fixed point. Cameras
/// that send limited-range video look slightly washed out, never clipped.
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let y = i32::from(y);
    let u = i32::from(u) - 128;
    let v = i32::from(v) - 128;
    let clamp = |c: i32| c.clamp(0, 255) as u8;
    [
        clamp(y + ((359 * v + 128) >> 8)),
        clamp(y - ((88 * u + 183 * v + 128) >> 8)),
        clamp(y + ((454 * u + 128) >> 8)),
    ]
}

/// The box-downscaling factor that brings the longer side to at most `max_side`.
fn factor(w: usize, h: usize, max_side: u32) -> usize {
    w.max(h).div_ceil((max_side as usize).max(1)).max(1)
}

/// As [`downscale`], for packed 8-bit pixels (grey, RGB or BGR) row by row,
/// which is several times faster. `order` gives the byte of red, green and
/// blue in a pixel (all 0 for grey); the pixel size is `order`'s largest + 1.
fn downscale_packed(
    w: usize,
    h: usize,
    max_side: u32,
    data: &[u8],
    order: [usize; 3],
) -> egui::ColorImage {
    let bpp = order.iter().max().copied().unwrap_or(0) + 1;
    let f = factor(w, h, max_side);
    let (pw, ph) = (w / f, h / f);
    if pw == 0 || ph == 0 || data.len() < w * h * bpp {
        // Tiny or short frames: the careful path.
        let at = |i: usize| data.get(i).copied().unwrap_or(0);
        return downscale(w, h, max_side, |x, y| {
            let i = (y * w + x) * bpp;
            [at(i + order[0]), at(i + order[1]), at(i + order[2])]
        });
    }
    let n = (f * f) as u32;
    let mut sums = vec![[0u32; 3]; pw];
    let mut pixels = Vec::with_capacity(pw * ph);
    for py in 0..ph {
        sums.iter_mut().for_each(|s| *s = [0; 3]);
        for y in py * f..(py + 1) * f {
            let row = data
                .get(y * w * bpp..(y * w + pw * f) * bpp)
                .unwrap_or_default();
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(f * bpp)) {
                if bpp == 3 {
                    for px in block.chunks_exact(3) {
                        if let [a, b, c] = px {
                            sum[0] += u32::from(*a);
                            sum[1] += u32::from(*b);
                            sum[2] += u32::from(*c);
                        }
                    }
                } else {
                    sum[0] += block.iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
        }
        let avg = |s: u32| ((s + n / 2) / n) as u8;
        pixels.extend(sums.iter().map(|s| {
            let c = |i: usize| avg(s.get(i).copied().unwrap_or(0));
            egui::Color32::from_rgb(c(order[0]), c(order[1]), c(order[2]))
        }));
    }
    egui::ColorImage::new([pw, ph], pixels)
}

/// A `w`×`h` picture given by `sample(x, y)`, averaged over square boxes so that
/// the longer side is at most `max_side`.
fn downscale(
    w: usize,
    h: usize,
    max_side: u32,
    sample: impl Fn(usize, usize) -> [u8; 3],
) -> egui::ColorImage {
    let factor = factor(w, h, max_side);
    let (pw, ph) = ((w / factor).max(1), (h / factor).max(1));
    let n = (factor * factor) as u32;
    let mut pixels = Vec::with_capacity(pw * ph);
    for py in 0..ph {
        for px in 0..pw {
            let mut sum = [0u32; 3];
            for dy in 0..factor {
                let y = (py * factor + dy).min(h.saturating_sub(1));
                for dx in 0..factor {
                    let x = (px * factor + dx).min(w.saturating_sub(1));
                    let [r, g, b] = sample(x, y);
                    sum[0] += u32::from(r);
                    sum[1] += u32::from(g);
                    sum[2] += u32::from(b);
                }
            }
            let avg = |s: u32| ((s + n / 2) / n) as u8;
            pixels.push(egui::Color32::from_rgb(
                avg(sum[0]),
                avg(sum[1]),
                avg(sum[2]),
            ));
        }
    }
    egui::ColorImage::new([pw, ph], pixels)
}

/// A colour picture (already in memory) downscaled for the preview.
pub fn preview_of(image: &egui::ColorImage, max_side: u32) -> egui::ColorImage {
    let [w, h] = image.size;
    downscale(w, h, max_side, |x, y| {
        let c = image
            .pixels
            .get(y * w + x)
            .copied()
            .unwrap_or(egui::Color32::BLACK);
        [c.r(), c.g(), c.b()]
    })
}

/// Decodes a PNG or JPEG file held in memory to a colour preview (for still
/// pictures; `None` when it cannot be decoded: the caller shows grey).
pub fn preview_of_encoded(bytes: &[u8], max_side: u32) -> Option<egui::ColorImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.limits(limits());
    let rgb = reader.decode().ok()?.into_rgb8();
    let (w, h) = rgb.dimensions();
    let raw = Raw {
        w,
        h,
        format: PixelFormat::Rgb8,
        data: rgb.as_raw(),
    };
    Some(raw.preview(max_side))
}

fn limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(verifier_scan::MAX_SIDE);
    limits.max_image_height = Some(verifier_scan::MAX_SIDE);
    limits
}

/// Decodes one MJPEG frame into `out` (RGB, or grey for a grey JPEG) and
/// returns its size and layout. Many webcams leave out the Huffman tables
/// (motion JPEG uses the standard ones); such a frame is marked as AVI1 motion
/// JPEG so that the decoder fills them in ([`verifier_scan::mjpeg_with_standard_tables`]).
fn decode_mjpeg(frame: &[u8], out: &mut Vec<u8>) -> Result<(u32, u32, PixelFormat), String> {
    use image::ImageDecoder;
    let bytes = verifier_scan::mjpeg_with_standard_tables(frame);
    let bad = |e: image::ImageError| format!("the MJPEG frame cannot be decoded: {e}");
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&*bytes)).map_err(bad)?;
    decoder.set_limits(limits()).map_err(bad)?;
    let (w, h) = decoder.dimensions();
    let format = match decoder.color_type() {
        image::ColorType::Rgb8 => PixelFormat::Rgb8,
        image::ColorType::L8 => PixelFormat::Luma8,
        other => {
            return Err(format!(
                "the MJPEG frame has an unusual colour layout ({other:?})"
            ));
        }
    };
    let len = usize::try_from(decoder.total_bytes())
        .map_err(|_| "the MJPEG frame is too large".to_owned())?;
    out.clear();
    out.resize(len, 0);
    decoder.read_image(out).map_err(bad)?;
    Ok((w, h, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: u32, h: u32, format: PixelFormat, data: Vec<u8>) -> Frame {
        Frame {
            width: w,
            height: h,
            format,
            data,
        }
    }

    /// The largest difference between the channels of any pixel (0: grey).
    fn colourfulness(img: &egui::ColorImage) -> u8 {
        img.pixels
            .iter()
            .map(|c| {
                let (r, g, b) = (c.r(), c.g(), c.b());
                r.max(g).max(b) - r.min(g).min(b)
            })
            .max()
            .unwrap_or(0)
    }

    fn close(a: egui::Color32, b: [u8; 3], tol: u8) -> bool {
        [a.r(), a.g(), a.b()]
            .iter()
            .zip(b)
            .all(|(x, y)| x.abs_diff(y) <= tol)
    }

    /// YUV (full-range BT.601) of an RGB colour, rounded.
    fn yuv(r: f32, g: f32, b: f32) -> [u8; 3] {
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        let u = 128.0 + (b - y) / 1.772;
        let v = 128.0 + (r - y) / 1.402;
        [y.round() as u8, u.round() as u8, v.round() as u8]
    }

    #[test]
    fn yuv_round_trips_primary_colours() {
        for rgb in [
            [220u8, 30, 40],
            [20, 200, 60],
            [30, 60, 230],
            [128, 128, 128],
        ] {
            let [y, u, v] = yuv(f32::from(rgb[0]), f32::from(rgb[1]), f32::from(rgb[2]));
            let back = yuv_to_rgb(y, u, v);
            for (a, b) in back.iter().zip(rgb) {
                assert!(a.abs_diff(b) <= 2, "{rgb:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn every_layout_shows_a_red_frame_in_red() {
        let (w, h) = (4u32, 2u32);
        let n = (w * h) as usize;
        let red = [200u8, 20, 30];
        let [y, u, v] = yuv(200.0, 20.0, 30.0);
        let mut nv12 = vec![y; n];
        nv12.extend([u, v].repeat(n / 4));
        for (format, data) in [
            (PixelFormat::Rgb8, red.repeat(n)),
            (PixelFormat::Bgr8, [30, 20, 200].repeat(n)),
            (PixelFormat::Yuyv, [y, u, y, v].repeat(n / 2)),
            (PixelFormat::Nv12, nv12),
        ] {
            let c = frame(w, h, format, data).convert(960).unwrap();
            assert_eq!(c.preview.size, [4, 2], "{format:?}");
            for p in &c.preview.pixels {
                assert!(close(*p, red, 3), "{format:?}: {p:?}");
            }
            // The scanner still gets grey at full size.
            assert_eq!((c.luma.width(), c.luma.height()), (w, h));
            assert!(c.luma.pixels().iter().all(|&l| l.abs_diff(y) <= 2));
        }
    }

    #[test]
    fn a_colour_jpeg_frame_decodes_to_colour() {
        // Left half blue, right half yellow, as a webcam's MJPEG frame.
        let (w, h) = (64u32, 32u32);
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                image::Rgb([20, 40, 220])
            } else {
                image::Rgb([230, 210, 20])
            }
        });
        let jpeg = jpeg_of(img);
        let c = frame(0, 0, PixelFormat::Mjpeg, jpeg).convert(960).unwrap();
        assert_eq!(c.preview.size, [64, 32]);
        let left = c.preview.pixels[16 * 64 + 8];
        let right = c.preview.pixels[16 * 64 + 56];
        assert!(close(left, [20, 40, 220], 12), "{left:?}");
        assert!(close(right, [230, 210, 20], 12), "{right:?}");
        assert!(colourfulness(&c.preview) > 150);
    }

    #[test]
    fn a_jpeg_without_huffman_tables_still_decodes() {
        // Cut the DHT segments out of a normal JPEG, as many webcams send it.
        let img = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 30]));
        let jpeg = jpeg_of(img);
        let mut stripped = vec![0xff, 0xd8];
        let mut i = 2;
        while jpeg[i] == 0xff && jpeg[i + 1] != 0xda {
            let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
            if jpeg[i + 1] != 0xc4 {
                stripped.extend_from_slice(&jpeg[i..i + 2 + len]);
            }
            i += 2 + len;
        }
        stripped.extend_from_slice(&jpeg[i..]);
        assert!(matches!(
            verifier_scan::mjpeg_with_standard_tables(&stripped),
            std::borrow::Cow::Owned(_)
        ));
        // The encoder used the standard tables, so the result is the same picture.
        let c = frame(0, 0, PixelFormat::Mjpeg, stripped).convert(960);
        let c = c.unwrap();
        assert!(close(c.preview.pixels[8 * 16 + 8], [200, 30, 30], 12));
    }

    #[test]
    fn large_frames_are_box_downscaled_to_the_preview_size() {
        // 1280x720 -> factor 2 -> 640x360; a 2x2 checker of black and white averages to grey.
        let (w, h) = (1280u32, 720u32);
        let data: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).map(move |x| if (x + y) % 2 == 0 { 0 } else { 255 }))
            .collect();
        let c = frame(w, h, PixelFormat::Luma8, data).convert(960).unwrap();
        assert_eq!(c.preview.size, [640, 360]);
        assert!(
            c.preview
                .pixels
                .iter()
                .all(|p| close(*p, [128, 128, 128], 1))
        );
        assert_eq!(c.luma.width(), 1280);
    }

    #[test]
    fn every_layout_converts_to_the_same_grey() {
        let grey = [10u8, 200, 90, 255];
        let rgb: Vec<u8> = grey.iter().flat_map(|&v| [v, v, v]).collect();
        let yuyv: Vec<u8> = grey.iter().flat_map(|&v| [v, 128]).collect();
        let mut nv12 = grey.to_vec();
        nv12.extend_from_slice(&[128, 128]);
        for (format, data) in [
            (PixelFormat::Luma8, grey.to_vec()),
            (PixelFormat::Rgb8, rgb.clone()),
            (PixelFormat::Bgr8, rgb),
            (PixelFormat::Yuyv, yuyv),
            (PixelFormat::Nv12, nv12),
        ] {
            let luma = frame(2, 2, format, data).to_luma().unwrap();
            assert_eq!(luma.pixels(), &grey, "{format:?}");
        }
    }

    #[test]
    fn bgr_is_not_read_as_rgb() {
        // Pure blue in BGR order is dark; read as RGB it would be pure red (brighter).
        let blue_bgr = frame(2, 2, PixelFormat::Bgr8, [255, 0, 0].repeat(4))
            .to_luma()
            .unwrap();
        let red_rgb = frame(2, 2, PixelFormat::Rgb8, [255, 0, 0].repeat(4))
            .to_luma()
            .unwrap();
        let blue_rgb = frame(2, 2, PixelFormat::Rgb8, [0, 0, 255].repeat(4))
            .to_luma()
            .unwrap();
        assert_eq!(blue_bgr.pixels(), blue_rgb.pixels());
        assert_ne!(blue_bgr.pixels(), red_rgb.pixels());
    }

    #[test]
    fn short_or_garbled_frames_are_errors_not_panics() {
        for (format, data) in [
            (PixelFormat::Luma8, vec![0; 3]),
            (PixelFormat::Rgb8, vec![0; 11]),
            (PixelFormat::Bgr8, vec![0; 10]),
            (PixelFormat::Yuyv, vec![0; 7]),
            (PixelFormat::Nv12, vec![0; 3]),
            (PixelFormat::Mjpeg, vec![0xff, 0xd8, 0x00]),
            (PixelFormat::Mjpeg, Vec::new()),
        ] {
            assert!(
                frame(2, 2, format, data).convert(960).is_err(),
                "{format:?}"
            );
        }
        // NV12 without its chroma plane: grey preview, no panic.
        let c = frame(2, 2, PixelFormat::Nv12, vec![90; 4])
            .convert(960)
            .unwrap();
        assert_eq!(colourfulness(&c.preview), 0);
    }

    fn jpeg_of(img: image::RgbImage) -> Vec<u8> {
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        jpeg
    }

    #[test]
    fn the_decoder_reuses_its_buffers_from_frame_to_frame() {
        let gradient = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
        });
        let jpeg = jpeg_of(gradient);
        let f = frame(0, 0, PixelFormat::Mjpeg, jpeg.clone());
        let mut bufs = FrameBuffers::default();
        let c = f.convert_with(960, &mut bufs).unwrap();
        let first = c.luma.pixels().as_ptr();
        bufs.recycle(c.luma);
        let c = f.convert_with(960, &mut bufs).unwrap();
        assert_eq!(c.luma.pixels().as_ptr(), first, "a new buffer per frame");
        // The grey image made over the decoded picture is the one of its RGB pixels.
        let rgb = image::load_from_memory(&jpeg).unwrap().into_rgb8();
        let expected = frame(64, 48, PixelFormat::Rgb8, rgb.into_raw())
            .to_luma()
            .unwrap();
        assert_eq!(c.luma.pixels(), expected.pixels());
        assert_eq!((c.luma.width(), c.luma.height()), (64, 48));
        // Other layouts reuse the grey buffer.
        let grey = frame(64, 48, PixelFormat::Luma8, vec![7; 64 * 48]);
        let c = grey.convert_with(960, &mut bufs).unwrap();
        let first = c.luma.pixels().as_ptr();
        bufs.recycle(c.luma);
        let c = grey.convert_with(960, &mut bufs).unwrap();
        assert_eq!(c.luma.pixels().as_ptr(), first);
    }

    #[test]
    fn a_pasted_picture_keeps_its_colour() {
        let img =
            egui::ColorImage::new([2000, 10], vec![egui::Color32::from_rgb(0, 180, 0); 20_000]);
        let p = preview_of(&img, 960);
        assert_eq!(p.size, [666, 3]);
        assert!(p.pixels.iter().all(|c| close(*c, [0, 180, 0], 0)));
    }
}
