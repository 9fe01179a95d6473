//! The decoding engines behind the pipeline: rxing's port of the zxing-cpp QR reader
//! (fed with our own bit matrices) and quircs (a port of quirc, with its own threshold).

use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::common::{BitMatrix, DetectorRXingResult};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};

use crate::luma::LumaImage;

/// One symbol decoded by an engine, in the coordinates of the image it was given.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub bytes: Vec<u8>,
    /// The engine's text (charset from ECI or guessed), if it produced one.
    pub text: Option<String>,
    /// Corners as the engine reported them (order fixed up later).
    pub corners: [(f32, f32); 4],
}

/// Runs rxing's port of the zxing-cpp QR detector and decoder on a bit matrix (the loop of
/// its `QrReader::decode_multiple`, called directly: no bitmap copy, no result metadata).
/// Every symbol returned passed Reed–Solomon error correction. A panic inside the engine
/// counts as "nothing found".
pub(crate) fn rxing_detect(matrix: BitMatrix, try_harder: bool) -> Vec<Found> {
    let outcome = catch_unwind(AssertUnwindSafe(move || {
        let mut out = Vec::new();
        let mut patterns = FindFinderPatterns(&matrix, try_harder);
        let sets = GenerateFinderPatternSets(&mut patterns);
        let mut used = Vec::new();
        for set in sets {
            if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
                continue;
            }
            let Ok(detected) = SampleQR(&matrix, &set) else {
                continue;
            };
            let Ok(decoded) = Decode(detected.getBits()) else {
                continue;
            };
            if !decoded.isValid() {
                continue;
            }
            used.extend([set.bl, set.tl, set.tr]);
            let pts = detected.getPoints();
            let p = |i: usize| pts.get(i).map(|p| (p.x, p.y));
            if let (Some(a), Some(b), Some(c), Some(d)) = (p(0), p(1), p(2), p(3)) {
                out.push(Found {
                    bytes: decoded.content().bytes().to_vec(),
                    text: Some(decoded.text()),
                    corners: [a, b, c, d],
                });
            }
        }
        out
    }));
    outcome.unwrap_or_default()
}

/// Runs quircs (its own Otsu-style threshold) on a luma image. Only symbols whose error
/// correction succeeded are returned.
pub(crate) fn quirc_detect(quirc: &mut quircs::Quirc, img: &LumaImage) -> Vec<Found> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut out = Vec::new();
        for code in quirc.identify(w, h, img.pixels()).flatten() {
            if let Ok(data) = code.decode() {
                let c = code.corners;
                out.push(Found {
                    bytes: data.payload,
                    text: None,
                    corners: [
                        (c[0].x as f32, c[0].y as f32),
                        (c[1].x as f32, c[1].y as f32),
                        (c[2].x as f32, c[2].y as f32),
                        (c[3].x as f32, c[3].y as f32),
                    ],
                });
            }
        }
        out
    }));
    outcome.unwrap_or_default()
}
