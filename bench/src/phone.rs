//! A generator of realistic phone shots of QR codes, with ground truth: 2–12 megapixel
//! colour JPEGs of one or several printed codes (a sheet of paper with a quiet zone) on a
//! cluttered background, through a simple camera model: perspective, rotation, vignetting
//! and an illumination gradient, exposure (gain, clipping), optical blur, sensor noise,
//! white balance, JPEG quality. Deterministic for a given seed; nothing is stored on disk:
//! the bench renders the set each run.
//!
//! Categories (one degradation pushed hard, the others at everyday levels):
//! `frontal`, `perspective`, `rotation`, `blur`, `noise`, `jpeg`, `exposure`, `small`,
//! `multi` (2–5 codes of mixed sizes), `combined`.

use crate::synth::{Rng, invert3, square, square_to_quad};

/// Sizes (width × height, landscape) of the shots: 2, 3, 5, 8 and 12 megapixels.
pub const SIZES: [(u32, u32); 5] = [
    (1632, 1224),
    (2048, 1536),
    (2592, 1944),
    (3264, 2448),
    (4032, 3024),
];

/// The categories of the generated set.
pub const CATEGORIES: [&str; 10] = [
    "frontal",
    "perspective",
    "rotation",
    "blur",
    "noise",
    "jpeg",
    "exposure",
    "small",
    "multi",
    "combined",
];

/// One generated phone shot.
pub struct Shot {
    /// `category/index/WxH`.
    pub name: String,
    pub category: &'static str,
    pub width: u32,
    pub height: u32,
    /// The JPEG file (colour).
    pub jpeg: Vec<u8>,
    /// The payload of every code in the shot.
    pub payloads: Vec<Vec<u8>>,
}

/// A symbol's modules (true = dark) and side in modules.
fn modules(payload: &[u8], ec: qrcode::EcLevel) -> Option<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(payload, ec).ok()?;
    let n = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((n, dark))
}

/// A realistic payload: a URL, a vCard-like text or a key-verification string.
fn payload(rng: &mut Rng) -> Vec<u8> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let word = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(ALNUM[(rng.next_u64() % ALNUM.len() as u64) as usize]))
            .collect()
    };
    let kind = rng.next_u64() % 3;
    let len = 8 + (rng.next_u64() % 90) as usize;
    let s = match kind {
        0 => format!("https://example.org/{}", word(rng, len)),
        1 => format!(
            "BEGIN:VCARD\nFN:{}\nTEL:+{}\nEND:VCARD",
            word(rng, 8 + len / 4),
            rng.next_u64() % 1_000_000_000_000
        ),
        _ => format!("verifier:v1:{}", word(rng, len)),
    };
    s.into_bytes()
}

/// One code to draw: where its symbol corners land, its paper margin, its greys.
struct Placed {
    n: usize,
    dark: Vec<bool>,
    quad: [(f32, f32); 4],
    /// Paper around the symbol, in modules (≥ the 4-module quiet zone).
    margin: f32,
    ink: f32,
    paper: f32,
}

/// Parameters of one shot, drawn from the category.
struct Camera {
    blur_modules: f32,
    noise: f32,
    quality: u8,
    gain: f32,
    perspective: f32,
    any_angle: bool,
}

fn camera(cat: &str, rng: &mut Rng) -> Camera {
    let mut c = Camera {
        blur_modules: rng.range(0.0, 0.12),
        noise: rng.range(1.5, 4.0),
        quality: rng.range(72.0, 93.0) as u8,
        gain: rng.range(0.85, 1.15),
        perspective: 0.04,
        any_angle: false,
    };
    match cat {
        "perspective" => c.perspective = rng.range(0.12, 0.22),
        "rotation" => c.any_angle = true,
        "blur" => c.blur_modules = rng.range(0.22, 0.4),
        "noise" => c.noise = rng.range(9.0, 18.0),
        "jpeg" => c.quality = rng.range(12.0, 30.0) as u8,
        "exposure" => {
            c.gain = if rng.unit() < 0.5 {
                rng.range(0.35, 0.55)
            } else {
                rng.range(1.5, 2.1)
            }
        }
        "combined" => {
            c.perspective = 0.1;
            c.any_angle = true;
            c.blur_modules = 0.2;
            c.noise = 7.0;
            c.quality = 45;
            c.gain = if rng.unit() < 0.5 { 0.6 } else { 1.4 };
        }
        _ => {}
    }
    c
}

/// Renders shot `index` of category `cat`; the seed and index fix everything.
pub fn shot(cat: &'static str, index: usize, seed: u64) -> Option<Shot> {
    let cat_no = CATEGORIES.iter().position(|c| *c == cat)? as u64;
    let mut rng = Rng::new(seed ^ (cat_no << 40) ^ (index as u64).wrapping_mul(0x9E37_79B9));
    let (mut w, mut h) = SIZES[index % SIZES.len()];
    if rng.unit() < 0.3 {
        std::mem::swap(&mut w, &mut h);
    }
    let cam = camera(cat, &mut rng);
    let short = w.min(h) as f32;
    let count = if cat == "multi" {
        2 + (rng.next_u64() % 4) as usize
    } else {
        1
    };
    // Grid cells for several codes, so that they do not overlap.
    let cols = if count == 1 { 1 } else { 3 };
    let rows = count.div_ceil(cols);
    let (cell_w, cell_h) = (w as f32 / cols as f32, h as f32 / rows as f32);
    let mut placed = Vec::new();
    let mut payloads = Vec::new();
    for k in 0..count {
        let ec = [
            qrcode::EcLevel::L,
            qrcode::EcLevel::M,
            qrcode::EcLevel::Q,
            qrcode::EcLevel::H,
        ][(rng.next_u64() % 4) as usize];
        let p = payload(&mut rng);
        let (n, dark) = modules(&p, ec)?;
        let cell = cell_w.min(cell_h);
        let margin = rng.range(4.0, 10.0);
        // Symbol side in pixels.
        let side = match cat {
            // 2.5–5 px per module.
            "small" => n as f32 * rng.range(2.5, 5.0),
            "multi" => cell * rng.range(0.25, 0.55),
            _ => short * rng.range(0.18, 0.5),
        }
        .max(n as f32 * 2.5);
        let room = side * (1.0 + 2.0 * margin / n as f32) * 0.75;
        let (col, row) = ((k % cols) as f32, (k / cols) as f32);
        let (x0, y0) = (col * cell_w, row * cell_h);
        let cx = x0 + rng.range(room.min(cell_w / 2.0), (cell_w - room).max(cell_w / 2.0));
        let cy = y0 + rng.range(room.min(cell_h / 2.0), (cell_h - room).max(cell_h / 2.0));
        let angle = if cam.any_angle {
            rng.range(-180.0, 180.0)
        } else {
            rng.range(-12.0, 12.0)
        };
        let mut quad = square(cx, cy, side, angle);
        for p in quad.iter_mut() {
            p.0 += rng.range(-cam.perspective, cam.perspective) * side;
            p.1 += rng.range(-cam.perspective, cam.perspective) * side;
        }
        placed.push(Placed {
            n,
            dark,
            quad,
            margin,
            ink: rng.range(10.0, 60.0),
            paper: rng.range(185.0, 245.0),
        });
        payloads.push(p);
    }
    let mut buf = background(w as usize, h as usize, &mut rng);
    for p in &placed {
        draw(&mut buf, w as usize, h as usize, p);
    }
    // Lighting: vignetting and a gradient, times the exposure gain.
    let (gx, gy) = (rng.range(-0.25, 0.25), rng.range(-0.25, 0.25));
    let vignette = rng.range(0.1, 0.35);
    let (wf, hf) = (w as f32, h as f32);
    for (i, v) in buf.iter_mut().enumerate() {
        let (x, y) = (
            (i % w as usize) as f32 / wf - 0.5,
            (i / w as usize) as f32 / hf - 0.5,
        );
        let light = (1.0 - vignette * (x * x + y * y) * 2.0) * (1.0 + gx * x + gy * y);
        *v *= light * cam.gain;
    }
    // Optical blur relative to the module size of the first code.
    let module_px = placed
        .iter()
        .map(|p| side_of(&p.quad) / p.n as f32)
        .fold(f32::MAX, f32::min);
    let r = (cam.blur_modules * module_px).round() as usize;
    if r > 0 {
        for _ in 0..3 {
            box_blur(&mut buf, w as usize, h as usize, r);
        }
    }
    // Sensor noise, white balance, JPEG.
    let tint = [rng.range(0.9, 1.1), 1.0, rng.range(0.85, 1.1)];
    let mut rgb = Vec::with_capacity(buf.len() * 3);
    for &v in &buf {
        let n = cam.noise * rng.gauss();
        for t in tint {
            rgb.push((v * t + n).round().clamp(0.0, 255.0) as u8);
        }
    }
    let mut jpeg = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, cam.quality);
    image::ImageEncoder::write_image(enc, &rgb, w, h, image::ExtendedColorType::Rgb8).ok()?;
    Some(Shot {
        name: format!("{cat}/{index}/{w}x{h}"),
        category: cat,
        width: w,
        height: h,
        jpeg,
        payloads,
    })
}

fn side_of(q: &[(f32, f32); 4]) -> f32 {
    let d = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    (d(q[0], q[1]) + d(q[1], q[2]) + d(q[2], q[3]) + d(q[3], q[0])) / 4.0
}

/// A desk: a base grey, a smooth gradient and rectangles of other greys (objects, paper).
fn background(w: usize, h: usize, rng: &mut Rng) -> Vec<f32> {
    let base = rng.range(60.0, 190.0);
    let (ax, ay) = (rng.range(-40.0, 40.0), rng.range(-40.0, 40.0));
    let mut buf: Vec<f32> = (0..w * h)
        .map(|i| {
            base + ax * ((i % w) as f32 / w as f32 - 0.5) + ay * ((i / w) as f32 / h as f32 - 0.5)
        })
        .collect();
    for _ in 0..12 {
        let (x0, y0) = (
            rng.range(-0.2, 1.0) * w as f32,
            rng.range(-0.2, 1.0) * h as f32,
        );
        let (rw, rh) = (
            rng.range(0.02, 0.4) * w as f32,
            rng.range(0.02, 0.4) * h as f32,
        );
        let v = rng.range(20.0, 240.0);
        let (xa, ya) = (x0.max(0.0) as usize, y0.max(0.0) as usize);
        let (xb, yb) = (
            ((x0 + rw).max(0.0) as usize).min(w),
            ((y0 + rh).max(0.0) as usize).min(h),
        );
        for y in ya..yb {
            buf[y * w + xa.min(xb)..y * w + xb].fill(v);
        }
    }
    buf
}

/// Draws one code on its sheet of paper (2×2 supersampled), only over its bounding box.
fn draw(buf: &mut [f32], w: usize, h: usize, p: &Placed) {
    let inv = invert3(&square_to_quad(&p.quad));
    let n = p.n as f64;
    let q = f64::from(p.margin) / n;
    // The paper's corners, to bound the loop.
    let m = square_to_quad(&p.quad);
    let map = |u: f64, v: f64| {
        let z = m[6] * u + m[7] * v + m[8];
        (
            (m[0] * u + m[1] * v + m[2]) / z,
            (m[3] * u + m[4] * v + m[5]) / z,
        )
    };
    let corners = [
        map(-q, -q),
        map(1.0 + q, -q),
        map(1.0 + q, 1.0 + q),
        map(-q, 1.0 + q),
    ];
    let x0 = corners
        .iter()
        .map(|c| c.0)
        .fold(f64::MAX, f64::min)
        .max(0.0) as usize;
    let x1 = (corners
        .iter()
        .map(|c| c.0)
        .fold(f64::MIN, f64::max)
        .max(0.0) as usize
        + 1)
    .min(w);
    let y0 = corners
        .iter()
        .map(|c| c.1)
        .fold(f64::MAX, f64::min)
        .max(0.0) as usize;
    let y1 = (corners
        .iter()
        .map(|c| c.1)
        .fold(f64::MIN, f64::max)
        .max(0.0) as usize
        + 1)
    .min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            let mut acc = 0.0;
            let mut hits = 0;
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (px, py) = (x as f64 + sx, y as f64 + sy);
                let z = inv[6] * px + inv[7] * py + inv[8];
                let u = (inv[0] * px + inv[1] * py + inv[2]) / z;
                let v = (inv[3] * px + inv[4] * py + inv[5]) / z;
                if u >= -q && u < 1.0 + q && v >= -q && v < 1.0 + q {
                    hits += 1;
                    let (mx, my) = ((u * n).floor(), (v * n).floor());
                    let inside = mx >= 0.0 && my >= 0.0 && mx < n && my < n;
                    let dark = inside
                        && p.dark
                            .get(my as usize * p.n + mx as usize)
                            .copied()
                            .unwrap_or(false);
                    acc += if dark { p.ink } else { p.paper };
                }
            }
            if hits > 0 {
                let i = y * w + x;
                buf[i] = (acc + buf[i] * (4 - hits) as f32) / 4.0;
            }
        }
    }
}

/// One box-blur pass of radius `r` (running sums: cost independent of `r`).
fn box_blur(buf: &mut [f32], w: usize, h: usize, r: usize) {
    let norm = 1.0 / (2 * r + 1) as f32;
    let mut line = vec![0f32; w.max(h)];
    for y in 0..h {
        let row = &mut buf[y * w..(y + 1) * w];
        line[..w].copy_from_slice(row);
        let at = |i: isize| line[i.clamp(0, w as isize - 1) as usize];
        let mut s: f32 = (-(r as isize)..=r as isize).map(at).sum();
        for (x, out) in row.iter_mut().enumerate() {
            *out = s * norm;
            s += at(x as isize + r as isize + 1) - at(x as isize - r as isize);
        }
    }
    for x in 0..w {
        for y in 0..h {
            line[y] = buf[y * w + x];
        }
        let at = |i: isize| line[i.clamp(0, h as isize - 1) as usize];
        let mut s: f32 = (-(r as isize)..=r as isize).map(at).sum();
        for y in 0..h {
            buf[y * w + x] = s * norm;
            s += at(y as isize + r as isize + 1) - at(y as isize - r as isize);
        }
    }
}
