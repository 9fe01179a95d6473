//! Measures which QR error-correction level reads best for our payload sizes, at a fixed
//! displayed size (a higher level means a larger version, so smaller modules).
//!
//! ```sh
//! cargo run --release -p verifier-core --features qr-render --example qr_ec_level
//! ```
//!
//! Conditions (each with `TRIALS` random trials, decoded with rqrr; a trial counts only when
//! the exact payload bytes come back):
//! * `small`: the whole code (with quiet zone) rendered at `SMALL_PX` pixels, area-averaged;
//! * `glare`: at 240 px, a white disc of radius 13 % of the side at a random place;
//! * `smudge`: at 240 px, a black disc of radius 9 % of the side at a random place (finder
//!   patterns included: a code whose finder is hit can be unreadable at any level);
//! * `noisy`: at 160 px, box blur (radius 1) and uniform noise ±50 grey levels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::qr::{IdentityCard, PairwiseCard, Payload};

const TRIALS: u32 = 300;
const SMALL_PX: u32 = 100;

/// xorshift64*: deterministic, good enough for placing discs and noise.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn key(seed: u8) -> PublicKey {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    PublicKey::from_bytes(KeyType::Ed25519, sk.verifying_key().as_bytes()).unwrap()
}

/// Module grid (dark = true) with a 4-module quiet zone, smallest version at `level`.
fn symbol(bytes: &[u8], level: EcLevel) -> (i16, usize, Vec<bool>) {
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        if bits.push_byte_data(bytes).is_err() || bits.push_terminator(level).is_err() {
            continue;
        }
        let code = QrCode::with_bits(bits, level).unwrap();
        let w = code.width();
        let n = w + 8;
        let colors = code.to_colors();
        let mut grid = vec![false; n * n];
        for y in 0..w {
            for x in 0..w {
                grid[(y + 4) * n + x + 4] = colors[y * w + x] == Color::Dark;
            }
        }
        return (v, n, grid);
    }
    panic!("too long");
}

/// Renders the grid at `side` pixels, 4×4 supersampled (area average), as f64 grey 0..255.
fn render(n: usize, grid: &[bool], side: u32) -> Vec<f64> {
    let s = side as usize;
    let mut img = vec![0.0; s * s];
    for y in 0..s {
        for x in 0..s {
            let mut sum = 0.0;
            for sy in 0..4 {
                for sx in 0..4 {
                    let fx = (x as f64 + (sx as f64 + 0.5) / 4.0) * n as f64 / s as f64;
                    let fy = (y as f64 + (sy as f64 + 0.5) / 4.0) * n as f64 / s as f64;
                    let dark = grid[(fy as usize).min(n - 1) * n + (fx as usize).min(n - 1)];
                    sum += if dark { 0.0 } else { 255.0 };
                }
            }
            img[y * s + x] = sum / 16.0;
        }
    }
    img
}

fn disc(img: &mut [f64], side: u32, cx: f64, cy: f64, r: f64, value: f64) {
    let s = side as usize;
    for y in 0..s {
        for x in 0..s {
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            if dx * dx + dy * dy <= r * r {
                img[y * s + x] = value;
            }
        }
    }
}

fn blur(img: &[f64], side: u32) -> Vec<f64> {
    let s = side as i64;
    let mut out = vec![0.0; img.len()];
    for y in 0..s {
        for x in 0..s {
            let (mut sum, mut cnt) = (0.0, 0.0);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (xx, yy) = (x + dx, y + dy);
                    if (0..s).contains(&xx) && (0..s).contains(&yy) {
                        sum += img[(yy * s + xx) as usize];
                        cnt += 1.0;
                    }
                }
            }
            out[(y * s + x) as usize] = sum / cnt;
        }
    }
    out
}

fn decodes(img: &[f64], side: u32, want: &[u8]) -> bool {
    let s = side as usize;
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(s, s, |x, y| {
        img[y * s + x].clamp(0.0, 255.0) as u8
    });
    prepared.detect_grids().into_iter().any(|g| {
        let mut out = Vec::new();
        g.decode_to(&mut out).is_ok() && out == want
    })
}

fn rate(bytes: &[u8], n: usize, grid: &[bool], condition: &str, rng: &mut Rng) -> f64 {
    let mut ok = 0;
    for _ in 0..TRIALS {
        let (side, img) = match condition {
            "small" => {
                // jitter the size a little so module phase varies
                let side = SMALL_PX + (rng.next() % 9) as u32;
                (side, render(n, grid, side))
            }
            "glare" | "smudge" => {
                let side = 240;
                let mut img = render(n, grid, side);
                let (r, v) = if condition == "glare" {
                    (0.13, 255.0)
                } else {
                    (0.09, 0.0)
                };
                let (cx, cy) = (rng.unit() * 240.0, rng.unit() * 240.0);
                disc(&mut img, side, cx, cy, r * 240.0, v);
                (side, img)
            }
            _ => {
                let side = 160;
                let mut img = blur(&render(n, grid, side), side);
                for p in img.iter_mut() {
                    *p += (rng.unit() - 0.5) * 100.0;
                }
                (side, img)
            }
        };
        if decodes(&img, side, bytes) {
            ok += 1;
        }
    }
    100.0 * f64::from(ok) / f64::from(TRIALS)
}

fn main() {
    let payloads = [
        (
            "identity",
            Payload::Identity(IdentityCard {
                key: key(1),
                display_name: None,
                stable_id: None,
            }),
        ),
        (
            "pairwise",
            Payload::Pairwise(PairwiseCard::new(key(2), &key(3))),
        ),
    ];
    let conditions = ["small", "glare", "smudge", "noisy"];
    println!(
        "decode rate (%) with rqrr, {TRIALS} trials per cell; same displayed size for every level"
    );
    println!(
        "| payload | bytes | level | version | modules | {} |",
        conditions.join(" | ")
    );
    println!("|---|---|---|---|---|{}", "---|".repeat(conditions.len()));
    for (name, p) in &payloads {
        let bytes = p.encode();
        for (level_name, level) in [
            ("L", EcLevel::L),
            ("M", EcLevel::M),
            ("Q", EcLevel::Q),
            ("H", EcLevel::H),
        ] {
            let (v, n, grid) = symbol(&bytes, level);
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
            let cells: Vec<String> = conditions
                .iter()
                .map(|c| format!("{:.1}", rate(&bytes, n, &grid, c, &mut rng)))
                .collect();
            println!(
                "| {name} | {} | {level_name} | {v} | {} | {} |",
                bytes.len(),
                n - 8,
                cells.join(" | ")
            );
        }
    }
}
