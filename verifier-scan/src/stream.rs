//! Scanning a camera stream: look where the last code was first, spread the expensive
//! fallback stages over frames so that no single frame takes long.

use crate::luma::LumaImage;
use crate::scanner::{Code, Job, Method, Pyramid, Scanner, run_job};

/// Frames without a code after which the remembered region is forgotten.
const FORGET_AFTER: u32 = 15;

/// Number of horizontal bands a full-resolution job is split into on large frames.
const BANDS: u8 = 3;

/// Rows `(first, count)` of band `band` (0 = top … `BANDS - 1` = bottom): 45 % of the
/// height each, so that neighbouring bands overlap by 17.5 % of the height (a code up to
/// that tall, i.e. one too small for the downscaled levels, lies wholly inside one band).
fn band_rows(height: u32, band: u8) -> Option<(u32, u32)> {
    if band >= BANDS {
        return None;
    }
    let rows = height.saturating_mul(9) / 20;
    let step = (height - rows) / u32::from(BANDS - 1);
    Some((step * u32::from(band), rows))
}

/// Scans the frames of a camera stream.
///
/// Each frame: (1) if a code was seen recently, the region around it (with a margin) is
/// scanned first with the primary stages; (2) otherwise, or if that finds nothing, the
/// downscaled pyramid levels of the whole frame (cheap); (3) if still nothing, ONE more
/// expensive stage (full resolution, other thresholds, inverted, quirc), a different one each
/// frame, so that the time per frame stays bounded and a code in view is read within a few
/// frames.
///
/// ```
/// use verifier_scan::{LumaImage, StreamScanner};
/// let mut stream = StreamScanner::new();
/// let frame = LumaImage::new(64, 48, vec![128; 64 * 48]).unwrap();
/// assert!(stream.scan_frame(&frame).is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct StreamScanner {
    scanner: Scanner,
    region: Option<(u32, u32, u32, u32)>,
    misses: u32,
    next_fallback: usize,
}

impl StreamScanner {
    /// A stream scanner with the default pipeline.
    pub fn new() -> Self {
        Self::default()
    }

    /// A stream scanner around a configured [`Scanner`].
    pub fn with_scanner(scanner: Scanner) -> Self {
        Self {
            scanner,
            ..Self::default()
        }
    }

    /// Forgets the remembered region (e.g. when the camera changes).
    pub fn reset(&mut self) {
        self.region = None;
        self.misses = 0;
        self.next_fallback = 0;
    }

    /// The remembered region `(x, y, width, height)`, if a code was seen recently.
    pub fn region(&self) -> Option<(u32, u32, u32, u32)> {
        self.region
    }

    /// Scans one frame; returns the codes found in it.
    pub fn scan_frame(&mut self, frame: &LumaImage) -> Vec<Code> {
        let mut out = Vec::new();
        if let Some((x, y, w, h)) = self.region
            && let Some(crop) = frame.crop(x, y, w, h)
        {
            let mut pyramid = Pyramid::new(&crop);
            self.scanner.primary(&mut pyramid, &mut out, true, None);
            for code in &mut out {
                for p in &mut code.corners {
                    p.x += x as f32;
                    p.y += y as f32;
                }
            }
        }
        if out.is_empty() {
            let mut pyramid = Pyramid::new(frame);
            let levels = self.scanner.levels(frame);
            let coarse: Vec<u32> = levels.iter().copied().filter(|&f| f > 1).collect();
            if coarse.is_empty() {
                // Small frame: the whole primary pipeline is cheap.
                self.scanner.primary(&mut pyramid, &mut out, false, None);
            } else {
                for &f in &coarse {
                    run_job(
                        &mut pyramid,
                        Job::new(Method::LocalAverage, f, false),
                        false,
                        &mut out,
                    );
                }
            }
            if out.is_empty() {
                let jobs = self.rotating_jobs(&levels);
                if let Some(&(job, band)) = jobs.get(self.next_fallback % jobs.len().max(1)) {
                    match band.and_then(|b| band_rows(frame.height(), b)) {
                        Some((y0, rows)) => {
                            if let Some(crop) = frame.crop(0, y0, frame.width(), rows) {
                                let mut p = Pyramid::new(&crop);
                                run_job(&mut p, job, false, &mut out);
                                for code in &mut out {
                                    for pt in &mut code.corners {
                                        pt.y += y0 as f32;
                                    }
                                }
                            }
                        }
                        None => {
                            run_job(&mut pyramid, job, false, &mut out);
                        }
                    }
                }
                self.next_fallback = self.next_fallback.wrapping_add(1);
            }
        }
        self.remember(frame, &out);
        out
    }

    /// One of these runs per frame in which the cheap stages found nothing. Full-resolution
    /// jobs on large frames run on one of three overlapping horizontal bands per frame, to
    /// bound the time per frame.
    fn rotating_jobs(&self, levels: &[u32]) -> Vec<(Job, Option<u8>)> {
        let full = |method, inverted| Job::new(method, 1, inverted);
        let banded = levels.len() > 1;
        let mut jobs = Vec::new();
        let mut push_full = |job: Job| {
            if banded {
                jobs.extend((0..BANDS).map(|b| (job, Some(b))));
            } else {
                jobs.push((job, None));
            }
        };
        push_full(full(Method::LocalAverage, false));
        push_full(full(Method::GlobalThreshold, false));
        if self.scanner.options().fallbacks {
            push_full(full(Method::LowContrast, false));
            push_full(full(Method::Quirc, false));
            push_full(full(Method::LocalAverage, true));
        }
        if let Some(&f) = levels.get(1) {
            jobs.push((Job::new(Method::LowContrast, f, false), None));
            jobs.push((Job::new(Method::Normalized, f, false), None));
            jobs.push((Job::new(Method::LocalAverage, f, true), None));
        }
        jobs
    }

    fn remember(&mut self, frame: &LumaImage, codes: &[Code]) {
        if codes.is_empty() {
            self.misses += 1;
            if self.misses > FORGET_AFTER {
                self.region = None;
            }
            return;
        }
        self.misses = 0;
        self.next_fallback = 0;
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for c in codes {
            let (a, b, cc, d) = c.bounds();
            x0 = x0.min(a);
            y0 = y0.min(b);
            x1 = x1.max(cc);
            y1 = y1.max(d);
        }
        // Margin: half the size on each side, so a moving code stays inside.
        let mx = (x1 - x0) * 0.5 + 16.0;
        let my = (y1 - y0) * 0.5 + 16.0;
        let clamp = |v: f32, max: u32| v.max(0.0).min(max as f32) as u32;
        let (fw, fh) = (frame.width(), frame.height());
        let (rx0, ry0) = (clamp(x0 - mx, fw), clamp(y0 - my, fh));
        let (rx1, ry1) = (clamp(x1 + mx, fw), clamp(y1 + my, fh));
        self.region = if rx1 > rx0 && ry1 > ry0 {
            Some((rx0, ry0, rx1 - rx0, ry1 - ry0))
        } else {
            None
        };
    }
}
