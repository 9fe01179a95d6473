//! The decoding engines behind the pipeline: rxing's port of the zxing-cpp QR reader
//! (fed with our own bit matrices) and quircs (a port of quirc, with its own threshold).

use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::Point;
use rxing::common::DetectorRXingResult;
use rxing::common::cpp_essentials::{
    ConcentricPattern, FindLeftGuardBy, FixedPattern, IsPattern, LocateConcentricPattern,
    PatternRow, PatternType, PatternView,
};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FinderPatternSet, GenerateFinderPatternSets, SampleQR};

use crate::binarize::Binary;
use crate::luma::LumaImage;

/// What the finder-pattern searches of a scan saw, decoded or not: evidence that there is
/// a code in the image.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Evidence {
    /// Finder patterns (1:1:3:1:1 concentric rings) found, summed over stages.
    pub patterns: usize,
    /// Sets of three finder patterns with a plausible QR geometry, summed over stages.
    pub sets: usize,
    /// Finder patterns that belong to no decoded symbol (neither one of its three finder
    /// patterns nor inside it), summed over stages: perhaps another code.
    pub unexplained: usize,
}

/// One symbol decoded by an engine, in the coordinates of the image it was given.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub bytes: Vec<u8>,
    /// The engine's text (charset from ECI or guessed), if it produced one.
    pub text: Option<String>,
    /// Corners as the engine reported them (order fixed up later).
    pub corners: [(f32, f32); 4],
}

/// The finder pattern's 1:1:3:1:1 module widths (dark, light, dark, light, dark).
const FINDER: FixedPattern<5, 7, false> = FixedPattern::new([1, 1, 3, 1, 1]);

/// One 1:1:3:1:1 candidate starting at the view's current bar (rxing's private `FindPattern`).
fn find_pattern(view: PatternView<'_>) -> Option<PatternView<'_>> {
    FindLeftGuardBy::<5, _>(view, 5, |view: &PatternView, space: Option<f32>| {
        // Fast plausibility test first, then the full ratio test.
        if view[2] < 2 as PatternType * std::cmp::max(view[0], view[4])
            || view[2] < std::cmp::max(view[1], view[3])
        {
            return false;
        }
        IsPattern::<true, 5, 7, false>(view, &FINDER, space, 0.1, 0.0) != 0.0
    })
    .ok()
}

/// rxing's `FindFinderPatterns` (trying harder: every third row), on the run-length rows
/// made during binarization instead of reading each row back out of the bit matrix.
fn find_finder_patterns(bin: &Binary) -> Vec<ConcentricPattern> {
    let mut res: Vec<ConcentricPattern> = Vec::new();
    for (y, runs) in bin.pattern_rows() {
        let row = PatternRow::new(runs.to_vec());
        let mut next = PatternView::new(&row);
        while let Some(found) = find_pattern(next) {
            next = found;
            if !next.isValid() {
                break;
            }
            let p = Point::new(
                next.pixelsInFront() as f32
                    + next[0] as f32
                    + next[1] as f32
                    + next[2] as f32 / 2.0,
                y as f32 + 0.5,
            );
            // Not inside an already found pattern.
            if !res
                .iter()
                .any(|old| Point::distance(p, old.p) < (old.size as f32) / 2.0)
            {
                let range = next.iter().map(i32::from).sum::<i32>() * 3;
                if let Some(pattern) =
                    LocateConcentricPattern::<true, 5, 7>(&bin.matrix, &FINDER.into(), p, range)
                {
                    res.push(pattern);
                }
            }
            next.skipPair();
            next.skipPair();
            next.extend();
        }
    }
    res
}

/// Most sets of three finder patterns tried after rxing's own (`GenerateFinderPatternSets`).
const MAX_EXTRA_SETS: usize = 16;

/// Finder-pattern sets that rxing's `GenerateFinderPatternSets` rejects on strongly slanted
/// symbols. It scales each distance by the size ratio of its two patterns (a coarse
/// compensation for perspective foreshortening); on a symbol tilted so that one finder
/// pattern is 1.3× the size of another, that scaling inflates the hypotenuse and the
/// true ~110° corner at the top-left pattern reads as > 135°, so the set is dropped. Here the
/// same tests (sizes within 2×, legs within 2×, 45°–135° corner, 21–177 modules) are made on
/// the true distances. Only sets rxing did not produce are returned, at most
/// [`MAX_EXTRA_SETS`]; `patterns` must be sorted by size (rxing sorts them).
fn perspective_sets(
    patterns: &[ConcentricPattern],
    known: &[FinderPatternSet],
) -> Vec<FinderPatternSet> {
    let mut out = Vec::new();
    let n = patterns.len();
    let cos_upper = (45f64).to_radians().cos();
    let cos_lower = (135f64).to_radians().cos();
    let d2 = |a: &ConcentricPattern, b: &ConcentricPattern| {
        let (dx, dy) = (f64::from(a.p.x - b.p.x), f64::from(a.p.y - b.p.y));
        dx * dx + dy * dy
    };
    let same = |s: &FinderPatternSet, t: [&ConcentricPattern; 3]| {
        t.iter().all(|p| s.bl == **p || s.tl == **p || s.tr == **p)
    };
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let (Some(pi), Some(pj), Some(pk)) =
                    (patterns.get(i), patterns.get(j), patterns.get(k))
                else {
                    continue;
                };
                if pk.size > pi.size * 2 {
                    break;
                }
                // B is the corner opposite the longest side.
                let (ab, bc, ac) = (d2(pi, pj), d2(pj, pk), d2(pi, pk));
                let (mut a, b, mut c) = if ac >= ab && ac >= bc {
                    (pi, pj, pk)
                } else if bc >= ab && bc >= ac {
                    (pj, pi, pk)
                } else {
                    (pi, pk, pj)
                };
                let (dab2, dbc2, dac2) = (d2(a, b), d2(b, c), d2(a, c));
                let (dab, dbc) = (dab2.sqrt(), dbc2.sqrt());
                if dab > 2.0 * dbc || dbc > 2.0 * dab {
                    continue;
                }
                let module = f64::from(a.size + b.size + c.size) / 21.0;
                let modules = (dab + dbc) / (2.0 * module) + 7.0;
                if !(21.0 * 0.9..=177.0 * 1.5).contains(&modules) {
                    continue;
                }
                let cos = (dab2 + dbc2 - dac2) / (2.0 * dab * dbc);
                if cos.is_nan() || cos > cos_upper || cos < cos_lower {
                    continue;
                }
                if known.iter().chain(&out).any(|s| same(s, [a, b, c])) {
                    continue;
                }
                if ConcentricPattern::cross(*c - *b, *a - *b) < 0.0 {
                    std::mem::swap(&mut a, &mut c);
                }
                out.push(FinderPatternSet {
                    bl: *a,
                    tl: *b,
                    tr: *c,
                });
                if out.len() >= MAX_EXTRA_SETS {
                    return out;
                }
            }
        }
    }
    out
}

/// Runs rxing's port of the zxing-cpp QR detector and decoder on a binarized image (the loop
/// of its `QrReader::decode_multiple`, called directly: no bitmap copy, no result metadata).
/// Every symbol returned passed Reed–Solomon error correction. A panic inside the engine
/// counts as "nothing found".
/// `evidence` is updated with the finder patterns and pattern sets found (decoded or not).
pub(crate) fn rxing_detect(bin: &Binary, evidence: &mut Evidence) -> Vec<Found> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut out = Vec::new();
        let mut patterns = find_finder_patterns(bin);
        evidence.patterns += patterns.len();
        let matrix = &bin.matrix;
        let mut sets = GenerateFinderPatternSets(&mut patterns);
        let extra = perspective_sets(&patterns, &sets);
        sets.extend(extra);
        evidence.sets += sets.len();
        let mut used = Vec::new();
        let mut boxes: Vec<(f32, f32, f32, f32)> = Vec::new();
        for set in sets {
            if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
                continue;
            }
            let Ok(detected) = SampleQR(matrix, &set) else {
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
            boxes.push(pts.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
            ));
            let p = |i: usize| pts.get(i).map(|p| (p.x, p.y));
            if let (Some(a), Some(b), Some(c), Some(d)) = (p(0), p(1), p(2), p(3)) {
                out.push(Found {
                    bytes: decoded.content().bytes().to_vec(),
                    text: Some(decoded.text()),
                    corners: [a, b, c, d],
                });
            }
        }
        evidence.unexplained += patterns
            .iter()
            .filter(|p| {
                !used.contains(*p)
                    && !boxes.iter().any(|&(x0, y0, x1, y1)| {
                        p.p.x >= x0 && p.p.x <= x1 && p.p.y >= y0 && p.p.y <= y1
                    })
            })
            .count();
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
