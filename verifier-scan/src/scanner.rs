//! The scanning pipeline: pyramid levels, binarizations, inversion, fallbacks, merging.

use crate::binarize::{Binarization, Binary, binarize, noise_sigma, normalize_contrast};
use crate::decode::{self, DecodeLimits};
use crate::engine::{Evidence, Found, quirc_detect, rxing_detect};
use crate::error::ImageError;
use crate::luma::LumaImage;

/// A point in image pixel coordinates (x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position in pixels.
    pub x: f32,
    /// Vertical position in pixels.
    pub y: f32,
}

/// The method of the pipeline stage that found a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Local-average threshold (8×8 blocks, 5×5 neighbourhood) + zxing-cpp-style detector.
    LocalAverage,
    /// Local-average threshold that also splits faint blocks (low-contrast images).
    LowContrast,
    /// Local min/max contrast normalisation, then the local-average threshold.
    Normalized,
    /// One global (Otsu) threshold + zxing-cpp-style detector.
    GlobalThreshold,
    /// The quirc detector (different finder-pattern search and grid fitting).
    Quirc,
}

/// Which stage of the pipeline found a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stage {
    /// Binarization / engine used.
    pub method: Method,
    /// Pyramid level: the image was shrunk by this factor (1 = full resolution).
    pub downscale: u32,
    /// The image was inverted first (light modules on a dark background).
    pub inverted: bool,
    /// Found in the region where a [`crate::StreamScanner`] saw a code in an earlier frame.
    pub tracked_region: bool,
}

/// One decoded QR code. Its error correction succeeded: the bytes are what was encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The payload bytes, exactly as encoded (byte-mode payloads may hold any byte values).
    pub bytes: Vec<u8>,
    /// The payload as text, when the bytes are valid UTF-8.
    pub text: Option<String>,
    /// The payload as a human would read it: UTF-8 when valid, else the charset the symbol
    /// declares (ECI) or the one the engine guesses (e.g. Shift_JIS), else ISO-8859-1.
    pub display_text: String,
    /// The four corners of the symbol in cyclic (clockwise on screen) order.
    pub corners: [Point; 4],
    /// The stage that found it.
    pub stage: Stage,
}

impl Code {
    /// The centre of the symbol (mean of its corners).
    pub fn center(&self) -> Point {
        let (sx, sy) = self
            .corners
            .iter()
            .fold((0.0, 0.0), |(sx, sy), p| (sx + p.x, sy + p.y));
        Point {
            x: sx / 4.0,
            y: sy / 4.0,
        }
    }

    /// Axis-aligned bounding box `(min_x, min_y, max_x, max_y)` of the corners.
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        self.corners.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
        )
    }
}

/// Pipeline settings. The defaults are what the benchmark measures.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Stop after the first stage that finds a code (full resolution first, then the
    /// downscaled pyramid levels, then inverted, then the fallbacks); when a level finds
    /// several codes, the other pyramid levels still run. `false` runs the whole
    /// primary pass (every level) and every fallback and merges all results (slower).
    pub early_exit: bool,
    /// Pyramid levels stop when the longer side of the next level would be below this.
    pub min_pyramid_side: u32,
    /// Run the fallback stages (low contrast, normalised, global threshold, quirc).
    pub fallbacks: bool,
    /// On large photos the primary pass starts at the coarsest pyramid level whose longer
    /// side is still at least this (a cheap pass that reads the codes of most phone
    /// photos), then goes to the finer levels down to full resolution, then the coarser
    /// ones. Images whose longer side is below twice this start at full resolution.
    pub start_side: u32,
    /// Time budget for the fallback stages, in milliseconds of the calling thread's CPU time
    /// per megapixel of the image (images below one megapixel count as one): no fallback
    /// stage (the inverted passes included) is started that would end past it, judging by
    /// the slowest stage of the scan so far at the same pyramid level. The primary pass in
    /// normal polarity always runs whole. `None`: no budget. Debug builds (unoptimised, about 20× slower) use 20×
    /// the budget, so that they take the same decisions as release builds.
    pub budget_ms_per_megapixel: Option<u32>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            early_exit: true,
            min_pyramid_side: 280,
            fallbacks: true,
            start_side: 1000,
            budget_ms_per_megapixel: Some(10),
        }
    }
}

/// Finds and decodes every QR code in an image.
///
/// ```
/// use verifier_scan::{LumaImage, Scanner};
/// let blank = LumaImage::new(64, 64, vec![255; 64 * 64]).unwrap();
/// assert!(Scanner::new().scan(&blank).is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    options: ScanOptions,
}

/// One unit of pipeline work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Job {
    pub method: Method,
    pub downscale: u32,
    pub inverted: bool,
    /// Low contrast only: flat-block range 3 even on noisy images (noise binarizes into
    /// speckles: slow to search, so only run when there is evidence of a code).
    pub speckle: bool,
}

impl Job {
    pub(crate) fn new(method: Method, downscale: u32, inverted: bool) -> Self {
        Job {
            method,
            downscale,
            inverted,
            speckle: false,
        }
    }
}

impl Scanner {
    /// A scanner with the default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scanner with the given options.
    pub fn with_options(options: ScanOptions) -> Self {
        Self { options }
    }

    /// The options in use.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// The pyramid factors for an image of this size: 1, 2, 4, … while the longer side
    /// stays at least `min_pyramid_side`.
    pub(crate) fn levels(&self, img: &LumaImage) -> Vec<u32> {
        self.levels_of(img.width(), img.height())
    }

    /// [`Scanner::levels`] for an image of `width` × `height`.
    pub(crate) fn levels_of(&self, width: u32, height: u32) -> Vec<u32> {
        let mut levels = vec![1u32];
        let long = width.max(height);
        let mut f = 2u32;
        while long / f >= self.options.min_pyramid_side && width.min(height) / f >= 21 {
            levels.push(f);
            f *= 2;
        }
        levels
    }

    /// The pyramid factors in the order the primary pass tries them: from the coarsest
    /// level whose longer side is at least `start_side` down to full resolution, then the
    /// coarser levels.
    pub(crate) fn primary_order(&self, width: u32, height: u32) -> Vec<u32> {
        let levels = self.levels_of(width, height);
        let long = width.max(height);
        let start = levels
            .iter()
            .rposition(|&f| long / f >= self.options.start_side)
            .unwrap_or(0);
        let (fine, coarse) = levels.split_at((start + 1).min(levels.len()));
        fine.iter().rev().chain(coarse).copied().collect()
    }

    /// The fallback jobs, cheapest and most productive first: `(ungated, gated)`. The gated
    /// ones (slower) only run when some stage before them found a finder pattern.
    /// On a large photo (see `start_side`) they run at the level the primary pass started
    /// at, then the full-resolution ones follow (within the budget).
    pub(crate) fn fallback_jobs(&self, width: u32, height: u32) -> (Vec<Job>, Vec<Job>) {
        let levels = self.levels_of(width, height);
        let base = self
            .primary_order(width, height)
            .first()
            .copied()
            .unwrap_or(1);
        let second = levels.iter().copied().find(|&f| f > base);
        let ungated = vec![
            Job::new(Method::GlobalThreshold, base, false),
            Job::new(Method::LowContrast, base, false),
        ];
        // Cheapest first (the budget may stop the list): the coarser level's stages, then
        // normalised, the low-contrast inverted pass, quirc, and the slow speckle pass.
        let mut jobs = Vec::new();
        if let Some(f) = second {
            jobs.push(Job::new(Method::Normalized, f, false));
            jobs.push(Job::new(Method::Quirc, f, false));
        }
        jobs.push(Job::new(Method::Normalized, base, false));
        jobs.push(Job::new(Method::LowContrast, base, true));
        jobs.push(Job::new(Method::Quirc, base, false));
        jobs.push(Job {
            speckle: true,
            ..Job::new(Method::LowContrast, base, false)
        });
        if base > 1 {
            jobs.push(Job::new(Method::GlobalThreshold, 1, false));
            jobs.push(Job::new(Method::LowContrast, 1, false));
            jobs.push(Job::new(Method::Normalized, 1, false));
            jobs.push(Job::new(Method::Quirc, 1, false));
        }
        (ungated, jobs)
    }

    /// The fallbacks' time budget for `img` (see [`ScanOptions::budget_ms_per_megapixel`]).
    fn budget(&self, width: u32, height: u32) -> Option<std::time::Duration> {
        let per_mp = self.options.budget_ms_per_megapixel?;
        let mp = (f64::from(width) * f64::from(height) / 1e6).max(1.0);
        let debug = if cfg!(debug_assertions) { 20.0 } else { 1.0 };
        let ms = f64::from(per_mp) * mp * debug;
        ms.is_finite()
            .then(|| std::time::Duration::from_secs_f64(ms.max(0.0) / 1000.0))
    }

    /// Every QR code found in `img`, without duplicates.
    pub fn scan(&self, img: &LumaImage) -> Vec<Code> {
        self.scan_pyramid(Pyramid::new(img))
    }

    /// Decodes a PNG or JPEG file held in memory and returns every QR code in it:
    /// [`Scanner::scan`] on [`LumaImage::from_encoded_with_limits`]. The declared size is
    /// checked against `limits` before anything is decoded; JPEG is decoded straight to
    /// grey (luma only: the chroma planes are entropy-decoded but not transformed,
    /// upsampled or converted). Corners are in pixels of the image.
    ///
    /// ```
    /// use verifier_scan::{DecodeLimits, ImageError, Scanner};
    /// let err = Scanner::new().scan_encoded(b"GIF89a", &DecodeLimits::default()).unwrap_err();
    /// assert!(matches!(err, ImageError::UnsupportedFormat { .. }));
    /// ```
    pub fn scan_encoded(
        &self,
        bytes: &[u8],
        limits: &DecodeLimits,
    ) -> Result<Vec<Code>, ImageError> {
        let img = decode::decode_full(bytes, limits, "the buffer")?;
        Ok(self.scan(&img))
    }

    fn scan_pyramid(&self, mut pyramid: Pyramid<'_>) -> Vec<Code> {
        let (width, height) = (pyramid.width, pyramid.height);
        let budget = self
            .budget(width, height)
            .map(|b| (cpu_time::ThreadTime::now(), b));
        let mut out = Vec::new();
        self.primary(&mut pyramid, &mut out, false, budget.as_ref());
        if (out.is_empty() || !self.options.early_exit) && self.options.fallbacks {
            let (ungated, gated) = self.fallback_jobs(width, height);
            let cheap = ungated.len();
            for (i, job) in ungated.into_iter().chain(gated).enumerate() {
                // The gate: past the cheap fallbacks, an image in which no binarization so
                // far showed a single finder pattern (1:1:3:1:1 rings) holds no code the
                // slower stages could read. (Without early exit every stage runs.)
                if i >= cheap && self.options.early_exit && !gate_open(&pyramid.evidence, &job) {
                    continue;
                }
                if job_over_budget(budget.as_ref(), &pyramid, &job) {
                    break;
                }
                run_job(&mut pyramid, job, false, &mut out);
                if !out.is_empty() && self.options.early_exit {
                    break;
                }
            }
        }
        out
    }

    /// Runs one stage of the pipeline alone: `method` at pyramid level `downscale`
    /// (1 = full resolution), on the inverted image if `inverted`. For diagnostics and
    /// benchmarks; [`Scanner::scan`] is what applications want.
    pub fn scan_stage(
        &self,
        img: &LumaImage,
        method: Method,
        downscale: u32,
        inverted: bool,
    ) -> Vec<Code> {
        let mut out = Vec::new();
        let mut pyramid = Pyramid::new(img);
        run_job(
            &mut pyramid,
            Job::new(method, downscale.max(1), inverted),
            false,
            &mut out,
        );
        out
    }

    /// The primary stages: local average at full resolution, then at each pyramid level,
    /// then the same on the inverted image. With `early_exit`, stops after the first of
    /// these that finds exactly one code (after finding several, the remaining pyramid
    /// levels still run: many-codes images often mix sizes).
    /// The inverted passes count as fallbacks for the `budget` (scan start, budget).
    pub(crate) fn primary(
        &self,
        pyramid: &mut Pyramid<'_>,
        out: &mut Vec<Code>,
        tracked: bool,
        budget: Option<&(cpu_time::ThreadTime, std::time::Duration)>,
    ) {
        let levels = self.primary_order(pyramid.width, pyramid.height);
        let coarse_first = levels.first().is_some_and(|&f| f > 1);
        for inverted in [false, true] {
            for &f in &levels {
                if inverted && over_budget(budget, pyramid, f) {
                    return;
                }
                let (seen, before) = (pyramid.evidence.unexplained, out.len());
                let decoded = run_job(
                    pyramid,
                    Job::new(Method::LocalAverage, f, inverted),
                    tracked,
                    out,
                );
                if !self.options.early_exit {
                    continue;
                }
                if coarse_first {
                    // A large photo, read at reduced scale first: done unless this level
                    // saw at least three finder patterns outside the codes it decoded
                    // (perhaps another code, too small for this level).
                    // Several codes: a many-codes photo, often of mixed sizes; go on while
                    // a level still adds codes.
                    let unexplained = pyramid.evidence.unexplained - seen;
                    let added = out.len() - before;
                    if decoded > 0 && unexplained < 3 && (decoded < 2 || added == 0) {
                        return;
                    }
                } else if out.len() == 1 {
                    // One code: done. Several: a many-codes image; the next level may hold
                    // codes too large or too blurred for this one, so keep going.
                    return;
                }
            }
            if !out.is_empty() {
                return;
            }
        }
    }
}

/// Lazily built downscaled copies of one image.
pub(crate) struct Pyramid<'a> {
    base: &'a LumaImage,
    /// Full-resolution size.
    pub width: u32,
    pub height: u32,
    levels: Vec<(u32, LumaImage)>,
    quirc: Option<quircs::Quirc>,
    /// Estimated noise σ per level.
    sigmas: Vec<(u32, f32)>,
    /// The primary local-average binarization per level, kept for the inverted job.
    binaries: Vec<(u32, Binary)>,
    /// What the rxing stages run so far saw (evidence of a code).
    pub evidence: Evidence,
    /// Per level: the CPU time of the slowest binarizing job (all but quirc) run so far at
    /// it (to predict what the next one will cost).
    slowest: Vec<(u32, std::time::Duration)>,
}

impl<'a> Pyramid<'a> {
    pub fn new(base: &'a LumaImage) -> Self {
        Self {
            base,
            width: base.width(),
            height: base.height(),
            levels: Vec::new(),
            quirc: None,
            sigmas: Vec::new(),
            binaries: Vec::new(),
            evidence: Evidence::default(),
            slowest: Vec::new(),
        }
    }

    /// Pixels of level `f` (at least 1).
    fn pixels(&self, f: u32) -> f64 {
        let f = f64::from(f.max(1));
        (f64::from(self.width) * f64::from(self.height) / (f * f)).max(1.0)
    }

    /// The CPU time a job at level `f` is predicted to take: the slowest job so far at that
    /// level, else the slowest at the finest level run so far, scaled by the pixel count.
    pub fn predicted(&self, f: u32) -> std::time::Duration {
        if let Some(&(_, t)) = self.slowest.iter().find(|(g, _)| *g == f) {
            return t;
        }
        match self.slowest.iter().min_by_key(|(g, _)| *g) {
            Some(&(g, t)) => t.mul_f64(self.pixels(f) / self.pixels(g)),
            None => std::time::Duration::ZERO,
        }
    }

    /// The noise σ of level `f` (0 if the level cannot be built).
    fn sigma(&mut self, f: u32) -> f32 {
        if let Some(&(_, s)) = self.sigmas.iter().find(|(g, _)| *g == f) {
            return s;
        }
        let s = self.level(f).map(noise_sigma).unwrap_or(0.0);
        self.sigmas.push((f, s));
        s
    }

    fn take_binary(&mut self, f: u32) -> Option<Binary> {
        let i = self.binaries.iter().position(|(g, _)| *g == f)?;
        Some(self.binaries.swap_remove(i).1)
    }

    fn keep_binary(&mut self, f: u32, bin: Binary) {
        self.binaries.push((f, bin));
    }

    fn level(&mut self, f: u32) -> Option<&LumaImage> {
        if f <= 1 {
            return Some(self.base);
        }
        if let Some(i) = self.levels.iter().position(|(g, _)| *g == f) {
            return self.levels.get(i).map(|(_, img)| img);
        }
        // Even levels from the level of half their factor, by the fast 2× step (building 4×
        // straight from a 12 MP image with the general box filter cost ~7 ms; two 2× steps
        // cost a fraction, and the 2× level is then there for the next job).
        if f.is_multiple_of(2) && f > 2 {
            let img = self.level(f / 2)?.downscaled(2)?;
            self.levels.push((f, img));
            return self.levels.last().map(|(_, img)| img);
        }
        // Build from the largest existing level that divides f.
        let from_level = self
            .levels
            .iter()
            .filter(|(g, _)| f.is_multiple_of(*g))
            .max_by_key(|(g, _)| *g)
            .map(|(g, img)| (*g, img.downscaled(f / *g)));
        let img = match from_level {
            Some((_, img)) => img?,
            None => self.base.downscaled(f)?,
        };
        self.levels.push((f, img));
        self.levels.last().map(|(_, img)| img)
    }
}

/// Whether a job at level `f` would end past the budget (scan start, budget), judging by
/// the slowest job run so far at that level.
fn over_budget(
    budget: Option<&(cpu_time::ThreadTime, std::time::Duration)>,
    pyramid: &Pyramid<'_>,
    f: u32,
) -> bool {
    budget.is_some_and(|(start, b)| start.elapsed() + pyramid.predicted(f) > *b)
}

/// Like [`over_budget`] for `job`; the speckle pass (noise binarized into speckles that the
/// finder search crawls through) costs about 3× the slowest other stage (measured on noisy
/// 1280×720 frames: 6.5 ms where the normalised stage took 2.7).
fn job_over_budget(
    budget: Option<&(cpu_time::ThreadTime, std::time::Duration)>,
    pyramid: &Pyramid<'_>,
    job: &Job,
) -> bool {
    let weight = if job.speckle { 3 } else { 1 };
    budget
        .is_some_and(|(start, b)| start.elapsed() + pyramid.predicted(job.downscale) * weight > *b)
}

/// Whether gated fallback `job` may run given what the stages before it saw. The other
/// binarizations (normalised, low-contrast inverted) need at least one finder pattern seen by
/// some stage: they may reveal the missing ones. The stages that re-read a located symbol
/// differently — quirc (its own grid fitting) and the speckle pass (slowest: noise binarizes
/// into speckles) — need a whole set of three in QR geometry, i.e. a symbol that was located
/// but whose modules were misread.
fn gate_open(e: &Evidence, job: &Job) -> bool {
    if job.speckle || job.method == Method::Quirc {
        e.sets > 0
    } else {
        e.patterns > 0
    }
}

/// Flat-block range of the primary local-average stage: ZXing's 24, raised on noisy images
/// (5 σ, at most 80) so that pure noise does not binarize into speckles (slow to search,
/// never a code).
fn primary_min_range(sigma: f32) -> f32 {
    (5.0 * sigma).clamp(24.0, 80.0)
}

/// Runs one job; returns how many symbols the engine decoded (duplicates of codes already in
/// `out` included).
pub(crate) fn run_job(
    pyramid: &mut Pyramid<'_>,
    job: Job,
    tracked: bool,
    out: &mut Vec<Code>,
) -> usize {
    let started = cpu_time::ThreadTime::now();
    let decoded = run_job_untimed(pyramid, job, tracked, out);
    let took = started.elapsed();
    // Quirc (its own threshold and flood fill) costs what the binarizing stages do not.
    if job.method == Method::Quirc {
        return decoded;
    }
    match pyramid
        .slowest
        .iter_mut()
        .find(|(f, _)| *f == job.downscale)
    {
        Some((_, t)) => *t = (*t).max(took),
        None => pyramid.slowest.push((job.downscale, took)),
    }
    decoded
}

fn run_job_untimed(
    pyramid: &mut Pyramid<'_>,
    job: Job,
    tracked: bool,
    out: &mut Vec<Code>,
) -> usize {
    let stage = Stage {
        method: job.method,
        downscale: job.downscale,
        inverted: job.inverted,
        tracked_region: tracked,
    };
    let found = match job.method {
        Method::Quirc => {
            let mut quirc = pyramid.quirc.take().unwrap_or_default();
            let found = match pyramid.level(job.downscale) {
                Some(img) if job.inverted => quirc_detect(&mut quirc, &img.inverted()),
                Some(img) => quirc_detect(&mut quirc, img),
                None => Vec::new(),
            };
            pyramid.quirc = Some(quirc);
            found
        }
        Method::LocalAverage => {
            // The inverted job reuses the normal job's binarization of the same level.
            let cached = pyramid.take_binary(job.downscale);
            let bin = match cached {
                Some(bin) => Some(bin),
                None => {
                    let min_range = primary_min_range(pyramid.sigma(job.downscale)) as u8;
                    pyramid
                        .level(job.downscale)
                        .and_then(|img| binarize(img, Binarization::LocalAverage { min_range }))
                }
            };
            let Some(mut bin) = bin else {
                return 0;
            };
            if job.inverted {
                bin.invert();
            }
            let found = rxing_detect(&bin, &mut pyramid.evidence);
            if !job.inverted {
                pyramid.keep_binary(job.downscale, bin);
            }
            found
        }
        method => {
            let sigma = pyramid.sigma(job.downscale);
            let Some(img) = pyramid.level(job.downscale) else {
                return 0;
            };
            let bin = match method {
                Method::LowContrast => {
                    // Flat-block range for faint codes: 3 grey levels, but at least 6 σ so
                    // that an 8×8 block of pure noise stays flat (its range is about 5 σ).
                    // When that is no lower than the primary stage's range, this stage would
                    // only repeat it: skip. The `speckle` job uses 3 regardless.
                    let noise_range = (6.0 * sigma).max(3.0);
                    let range = if job.speckle { 3.0 } else { noise_range };
                    if (job.speckle && noise_range <= 3.0)
                        || (!job.speckle && range >= primary_min_range(sigma))
                    {
                        // Same binarization as the plain low-contrast / the primary stage.
                        return 0;
                    }
                    binarize(
                        img,
                        Binarization::LocalAverage {
                            min_range: range as u8,
                        },
                    )
                }
                // Neighbourhoods (40×40 px) whose range noise explains (≤ 8 σ) are left
                // flat instead of being stretched into speckles.
                Method::Normalized => normalize_contrast(img, 8.0 * sigma)
                    .and_then(|n| binarize(&n, Binarization::LocalAverage { min_range: 24 })),
                _ => binarize(img, Binarization::Otsu),
            };
            let Some(mut bin) = bin else {
                return 0;
            };
            if job.inverted {
                bin.invert();
            }
            rxing_detect(&bin, &mut pyramid.evidence)
        }
    };
    let scale = job.downscale as f32;
    let decoded = found.len();
    for f in found {
        push_unique(out, to_code(f, scale, stage));
    }
    decoded
}

fn to_code(f: Found, scale: f32, stage: Stage) -> Code {
    // Box-downscaled pixel (i, j) covers original pixels [i*s, (i+1)*s).
    let map = |(x, y): (f32, f32)| Point {
        x: x * scale,
        y: y * scale,
    };
    let corners = cyclic(f.corners.map(map));
    let text = String::from_utf8(f.bytes.clone()).ok();
    let display_text = match (&text, f.text) {
        (Some(t), _) => t.clone(),
        (None, Some(engine)) if !engine.is_empty() => engine,
        _ => f.bytes.iter().map(|&b| char::from(b)).collect(),
    };
    Code {
        bytes: f.bytes,
        text,
        display_text,
        corners,
        stage,
    }
}

/// Puts four corners in cyclic order (clockwise on screen, y down), keeping the first.
fn cyclic(pts: [Point; 4]) -> [Point; 4] {
    let cx = pts.iter().map(|p| p.x).sum::<f32>() / 4.0;
    let cy = pts.iter().map(|p| p.y).sum::<f32>() / 4.0;
    let angle = |p: &Point| (p.y - cy).atan2(p.x - cx);
    let a0 = angle(&pts[0]);
    let mut sorted = pts;
    sorted.sort_by(|a, b| {
        let da = (angle(a) - a0).rem_euclid(std::f32::consts::TAU);
        let db = (angle(b) - a0).rem_euclid(std::f32::consts::TAU);
        da.total_cmp(&db)
    });
    sorted
}

/// Adds `code` unless the same payload was already found at (about) the same place.
pub(crate) fn push_unique(out: &mut Vec<Code>, code: Code) {
    let c = code.center();
    let dup = out.iter().any(|o| {
        if o.bytes != code.bytes {
            return false;
        }
        let (x0, y0, x1, y1) = o.bounds();
        let oc = o.center();
        let r = ((x1 - x0).max(y1 - y0) * 0.5).max(4.0);
        (oc.x - c.x).abs() <= r && (oc.y - c.y).abs() <= r
    });
    if !dup {
        out.push(code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A code rendered at `module` px per module with a 4-module quiet zone, grey levels
    /// `dark`/`light`, plus uniform noise of ±`noise`; `damage` flips that share of the
    /// modules outside the finder patterns.
    fn render(
        payload: &[u8],
        module: usize,
        dark: u8,
        light: u8,
        noise: u8,
        damage: f32,
    ) -> LumaImage {
        let code = qrcode::QrCode::new(payload).unwrap();
        let n = code.width();
        let mut colors = code.to_colors();
        let mut seed = 0x9e37_79b9_u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (i, c) in colors.iter_mut().enumerate() {
            let (x, y) = (i % n, i / n);
            let finder = (y < 8 && (x < 8 || x >= n - 8)) || (x < 8 && y >= n - 8);
            if !finder && (rnd() % 1000) as f32 / 1000.0 < damage {
                *c = if *c == qrcode::Color::Dark {
                    qrcode::Color::Light
                } else {
                    qrcode::Color::Dark
                };
            }
        }
        let side = (n + 8) * module;
        let mut px = vec![light; side * side];
        for (i, c) in colors.iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (x, y) = (i % n + 4, i / n + 4);
                for dy in 0..module {
                    px[(y * module + dy) * side + x * module..][..module].fill(dark);
                }
            }
        }
        if noise > 0 {
            let span = 2 * u64::from(noise) + 1;
            for v in &mut px {
                let d = (rnd() % span) as i16 - i16::from(noise);
                *v = (i16::from(*v) + d).clamp(0, 255) as u8;
            }
        }
        LumaImage::new(side as u32, side as u32, px).unwrap()
    }

    /// What `scan` has seen when it reaches the gated fallbacks: codes found so far and
    /// the evidence.
    fn at_gate(img: &LumaImage) -> (Vec<Code>, Evidence) {
        let s = Scanner::new();
        let mut p = Pyramid::new(img);
        let mut out = Vec::new();
        s.primary(&mut p, &mut out, false, None);
        let (ungated, _) = s.fallback_jobs(img.width(), img.height());
        for job in ungated {
            if out.is_empty() {
                run_job(&mut p, job, false, &mut out);
            }
        }
        (out, p.evidence)
    }

    /// A located but unreadable code (data modules damaged, finder patterns intact) opens
    /// the gate for every slow fallback, including the speckle pass.
    #[test]
    fn gate_opens_for_a_located_unreadable_code() {
        for (module, dark, light, noise) in [(4, 0, 255, 0), (3, 90, 170, 20), (2, 40, 220, 5)] {
            let img = render(
                b"gate: located but unreadable",
                module,
                dark,
                light,
                noise,
                0.45,
            );
            let (found, ev) = at_gate(&img);
            assert!(
                found.is_empty(),
                "damaged code should not decode ({module} px)"
            );
            let speckle = Job {
                speckle: true,
                ..Job::new(Method::LowContrast, 1, false)
            };
            assert!(
                gate_open(&ev, &Job::new(Method::Quirc, 1, false)),
                "{module} px: {ev:?}"
            );
            assert!(gate_open(&ev, &speckle), "{module} px: {ev:?}");
        }
    }

    /// Faint, small and noisy readable codes are read; where the cheap stages miss one, the
    /// gate is open for the slow ones.
    #[test]
    fn gate_never_hides_a_visible_code() {
        let payload = b"\x00gate\xff";
        for (module, dark, light, noise) in [
            (3, 120, 136, 2),
            (2, 100, 120, 0),
            (2, 60, 200, 25),
            (5, 128, 140, 1),
            (1, 0, 255, 0),
        ] {
            let img = render(payload, module, dark, light, noise, 0.0);
            let (found, ev) = at_gate(&img);
            assert!(
                !found.is_empty() || ev.patterns > 0,
                "{module} px, {dark}/{light} ±{noise}: gate shut on a code"
            );
            if module >= 2 {
                let codes = Scanner::new().scan(&img);
                assert!(
                    codes.iter().any(|c| c.bytes == payload),
                    "{module} px, {dark}/{light} ±{noise}: not read"
                );
            }
        }
    }

    /// No code, no finder pattern: the gate stays shut and nothing is returned.
    #[test]
    fn gate_stays_shut_without_finder_patterns() {
        let blank = LumaImage::new(400, 300, vec![180; 400 * 300]).unwrap();
        let mut seed = 5u64;
        let noise: Vec<u8> = (0..400 * 300)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        let noise = LumaImage::new(400, 300, noise).unwrap();
        for img in [blank, noise] {
            let (found, ev) = at_gate(&img);
            assert!(found.is_empty());
            assert_eq!(ev.patterns, 0, "{ev:?}");
            assert!(Scanner::new().scan(&img).is_empty());
        }
    }

    /// The pyramid's 2× step (shift-based) equals the general box filter.
    #[test]
    fn fast_2x_downscale_matches_box_filter() {
        let (w, h) = (37usize, 23usize);
        let px: Vec<u8> = (0..w * h).map(|i| ((i * 7919) % 256) as u8).collect();
        let img = LumaImage::new(w as u32, h as u32, px.clone()).unwrap();
        let d = img.downscaled(2).unwrap();
        assert_eq!((d.width(), d.height()), (18, 11));
        for y in 0..11 {
            for x in 0..18 {
                let s: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| u32::from(px[(2 * y + dy) * w + 2 * x + dx]))
                    .sum();
                assert_eq!(d.get(x as u32, y as u32), Some(((s + 2) / 4) as u8));
            }
        }
    }
}
