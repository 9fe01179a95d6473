//! Synthetic camera images of QR codes: a module grid projected onto a canvas through a
//! homography (rotation, perspective, scale), then blur, noise, contrast and glare.
//! Shared by the verifier-scan tests and the verifier-bench binary (included by path).
//! Needs no dependency beyond `verifier_scan::LumaImage`; deterministic for a given seed.

#![allow(dead_code)]

use verifier_scan::LumaImage;

/// A small deterministic PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    /// Standard normal (Box–Muller).
    pub fn gauss(&mut self) -> f32 {
        let u1 = self.unit().max(1e-7);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
    /// Random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A QR symbol as a square grid of modules (true = dark).
#[derive(Debug, Clone)]
pub struct Modules {
    pub size: usize,
    pub dark: Vec<bool>,
}

/// What to draw and how to degrade it.
#[derive(Debug, Clone)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Where the symbol's four corners (without quiet zone) land, clockwise from top-left.
    pub quad: [(f32, f32); 4],
    /// Grey of dark modules and of light modules / background.
    pub dark: f32,
    pub light: f32,
    /// Background grey (outside the quiet zone).
    pub background: f32,
    /// Quiet zone width in modules.
    pub quiet: f32,
    /// Box blur radius in pixels (3 passes ≈ Gaussian), 0 = none.
    pub blur: u32,
    /// Gaussian noise standard deviation in grey levels.
    pub noise: f32,
    /// Glare spot: centre x, y, radius, added brightness.
    pub glare: Option<(f32, f32, f32, f32)>,
    /// Linear illumination gradient across the image (added grey from left to right).
    pub gradient: f32,
}

impl Scene {
    /// A plain scene: black on white, no degradation.
    pub fn new(width: u32, height: u32, quad: [(f32, f32); 4]) -> Self {
        Scene {
            width,
            height,
            quad,
            dark: 20.0,
            light: 235.0,
            background: 200.0,
            quiet: 4.0,
            blur: 0,
            noise: 0.0,
            glare: None,
            gradient: 0.0,
        }
    }
}

/// The quad of a square of side `side` centred at (`cx`, `cy`), rotated by `deg` degrees.
pub fn square(cx: f32, cy: f32, side: f32, deg: f32) -> [(f32, f32); 4] {
    let (s, c) = deg.to_radians().sin_cos();
    let h = side / 2.0;
    [(-h, -h), (h, -h), (h, h), (-h, h)].map(|(x, y)| (cx + x * c - y * s, cy + x * s + y * c))
}

/// Homography mapping the unit square (0,0),(1,0),(1,1),(0,1) to `q` (row-major 3×3).
pub fn square_to_quad(q: &[(f32, f32); 4]) -> [f64; 9] {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q.map(|(x, y)| (f64::from(x), f64::from(y)));
    let dx3 = x0 - x1 + x2 - x3;
    let dy3 = y0 - y1 + y2 - y3;
    if dx3.abs() < 1e-12 && dy3.abs() < 1e-12 {
        return [x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0.0, 0.0, 1.0];
    }
    let (dx1, dx2, dy1, dy2) = (x1 - x2, x3 - x2, y1 - y2, y3 - y2);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    [
        x1 - x0 + g * x1,
        x3 - x0 + h * x3,
        x0,
        y1 - y0 + g * y1,
        y3 - y0 + h * y3,
        y0,
        g,
        h,
        1.0,
    ]
}

pub fn invert3(m: &[f64; 9]) -> [f64; 9] {
    let [a, b, c, d, e, f, g, h, i] = *m;
    let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    let k = 1.0 / det;
    [
        (e * i - f * h) * k,
        (c * h - b * i) * k,
        (b * f - c * e) * k,
        (f * g - d * i) * k,
        (a * i - c * g) * k,
        (c * d - a * f) * k,
        (d * h - e * g) * k,
        (b * g - a * h) * k,
        (a * e - b * d) * k,
    ]
}

/// Renders `modules` into `scene` (2×2 supersampling), then blur, glare, noise.
pub fn render(
    modules: &Modules,
    scene: &Scene,
    rng: &mut Rng,
) -> Result<LumaImage, verifier_scan::ImageError> {
    let (w, h) = (scene.width as usize, scene.height as usize);
    let inv = invert3(&square_to_quad(&scene.quad));
    let n = modules.size as f64;
    let q = f64::from(scene.quiet) / n;
    let mut buf = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (px, py) = (x as f64 + sx, y as f64 + sy);
                let z = inv[6] * px + inv[7] * py + inv[8];
                let u = (inv[0] * px + inv[1] * py + inv[2]) / z;
                let v = (inv[3] * px + inv[4] * py + inv[5]) / z;
                acc += if u >= -q && u < 1.0 + q && v >= -q && v < 1.0 + q {
                    let (mx, my) = ((u * n).floor(), (v * n).floor());
                    let inside = mx >= 0.0 && my >= 0.0 && mx < n && my < n;
                    let dark = inside
                        && modules
                            .dark
                            .get(my as usize * modules.size + mx as usize)
                            .copied()
                            .unwrap_or(false);
                    if dark { scene.dark } else { scene.light }
                } else {
                    scene.background
                };
            }
            buf[y * w + x] = acc / 4.0 + scene.gradient * (x as f32 / w as f32 - 0.5);
        }
    }
    if scene.blur > 0 {
        for _ in 0..3 {
            box_blur(&mut buf, w, h, scene.blur as usize);
        }
    }
    if let Some((gx, gy, gr, gs)) = scene.glare {
        for y in 0..h {
            for x in 0..w {
                let d2 = (x as f32 - gx).powi(2) + (y as f32 - gy).powi(2);
                buf[y * w + x] += gs * (-d2 / (gr * gr)).exp();
            }
        }
    }
    let pixels = buf
        .iter()
        .map(|&v| {
            let v = if scene.noise > 0.0 {
                v + scene.noise * rng.gauss()
            } else {
                v
            };
            v.round().clamp(0.0, 255.0) as u8
        })
        .collect();
    LumaImage::new(scene.width, scene.height, pixels)
}

fn box_blur(buf: &mut [f32], w: usize, h: usize, r: usize) {
    let mut tmp = vec![0f32; buf.len()];
    let norm = 1.0 / (2 * r + 1) as f32;
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for k in 0..=2 * r {
                let xx = (x + k).saturating_sub(r).min(w - 1);
                s += buf[y * w + xx];
            }
            tmp[y * w + x] = s * norm;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for k in 0..=2 * r {
                let yy = (y + k).saturating_sub(r).min(h - 1);
                s += tmp[yy * w + x];
            }
            buf[y * w + x] = s * norm;
        }
    }
}
