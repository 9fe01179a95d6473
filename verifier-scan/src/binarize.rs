//! Luma → black/white bit matrices: local-average (hybrid) and global (Otsu) thresholds.

use rxing::common::{BitArray, BitMatrix};

use crate::luma::LumaImage;

const BLOCK: usize = 8;

/// How a luma image is turned into black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binarization {
    /// Local average over 5×5 blocks of 8×8 pixels (ZXing's "hybrid" binarizer); blocks whose
    /// dynamic range is below `min_range` count as flat.
    LocalAverage { min_range: u8 },
    /// One global threshold chosen by Otsu's method.
    Otsu,
}

/// Rows whose run lengths [`Binary`] keeps: every `FINDER_ROW_STEP`-th row, starting at
/// `FINDER_ROW_STEP - 1` (the rows rxing's finder search visits when trying harder: a finder
/// pattern's 3-module centre is at least 3 pixels tall).
pub(crate) const FINDER_ROW_STEP: usize = 3;

/// A binarized image: the bit matrix (dark = set) and, for the rows the finder-pattern search
/// visits, their run lengths, made while binarizing (cheaper than reading them back).
pub(crate) struct Binary {
    pub matrix: BitMatrix,
    /// Run lengths of all kept rows, concatenated. Each row in rxing's `PatternRow` layout:
    /// light run first (0 when the row starts dark), alternating, ending with a light run
    /// (0 when the row ends dark).
    runs: Vec<u16>,
    /// Per kept row: (y, start index in `runs`, end index).
    rows: Vec<(u32, usize, usize)>,
}

impl Binary {
    /// The kept rows as `(y, run lengths)`.
    pub fn pattern_rows(&self) -> impl Iterator<Item = (u32, &[u16])> {
        self.rows
            .iter()
            .filter_map(|&(y, a, b)| Some((y, self.runs.get(a..b)?)))
    }

    /// Swaps dark and light: the matrix is flipped and the run rows follow.
    pub fn invert(&mut self) {
        self.matrix.flip_self();
        let mut runs = Vec::with_capacity(self.runs.len() + 2 * self.rows.len());
        for row in &mut self.rows {
            let old = self.runs.get(row.1..row.2).unwrap_or_default();
            let start = runs.len();
            // Old light runs become dark: prepend and append an empty light run, then drop a
            // leading / trailing pair of empty runs.
            let (mut a, mut b) = (0usize, old.len());
            let lead_empty = old.first() == Some(&0);
            let trail_empty = old.last() == Some(&0) && old.len() > 1;
            if lead_empty {
                a = 1;
            } else {
                runs.push(0);
            }
            if trail_empty {
                b -= 1;
            }
            runs.extend_from_slice(old.get(a..b).unwrap_or_default());
            if !trail_empty {
                runs.push(0);
            }
            *row = (row.0, start, runs.len());
        }
        self.runs = runs;
    }
}

/// Appends the run lengths of one row (bit i of `words` = pixel i is dark, `width` pixels) in
/// `PatternRow` layout.
fn push_runs(words: &[usize], width: usize, runs: &mut Vec<u16>) {
    let start = runs.len();
    let word_bits = usize::BITS as usize;
    let mut last = 0usize; // start of the current run
    let mut prev_msb = 0usize; // colour of the pixel before this word (light at the start)
    for (i, &w) in words.iter().enumerate() {
        // Bit x set where pixel x differs from pixel x - 1.
        let mut t = w ^ ((w << 1) | prev_msb);
        prev_msb = w >> (word_bits - 1);
        while t != 0 {
            let x = i * word_bits + t.trailing_zeros() as usize;
            if x >= width {
                break;
            }
            runs.push((x - last).min(usize::from(u16::MAX)) as u16);
            last = x;
            t &= t - 1;
        }
    }
    runs.push((width - last).min(usize::from(u16::MAX)) as u16);
    // The row ended dark: close it with an empty light run.
    if (runs.len() - start).is_multiple_of(2) {
        runs.push(0);
    }
}

/// Binarizes `img`; black (dark) pixels are set bits. `None` only if the image is empty.
pub(crate) fn binarize(img: &LumaImage, how: Binarization) -> Option<Binary> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    match how {
        Binarization::LocalAverage { min_range } if w >= BLOCK * 5 && h >= BLOCK * 5 => {
            local_average(img, min_range)
        }
        _ => {
            let t = otsu_threshold(img.pixels());
            threshold_global(img, t)
        }
    }
}

/// Estimated standard deviation of pixel noise, in grey levels: the median absolute
/// difference of horizontal neighbour pairs (every 16th row), which edges barely move, divided by
/// 0.954 (the ratio for Gaussian noise).
pub(crate) fn noise_sigma(img: &LumaImage) -> f32 {
    let w = img.width() as usize;
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for row in img.pixels().chunks_exact(w).step_by(16) {
        for pair in row.chunks_exact(2) {
            if let [a, b] = pair {
                if let Some(c) = hist.get_mut(usize::from(a.abs_diff(*b))) {
                    *c += 1;
                }
                n += 1;
            }
        }
    }
    let mut acc = 0u32;
    for (d, &c) in hist.iter().enumerate() {
        acc += c;
        if acc * 2 >= n {
            return d as f32 / 0.954;
        }
    }
    0.0
}

fn threshold_global(img: &LumaImage, t: u8) -> Option<Binary> {
    let row = vec![t; (img.width() as usize).div_ceil(BLOCK)];
    threshold_rows(img, |_| &row)
}

/// Otsu's threshold over the 256-bin histogram (the returned value is the last "dark" level).
pub(crate) fn otsu_threshold(pixels: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in pixels {
        if let Some(h) = hist.get_mut(v as usize) {
            *h += 1;
        }
    }
    let total: u64 = hist.iter().sum();
    let sum_all: u64 = hist.iter().enumerate().map(|(i, &c)| i as u64 * c).sum();
    let (mut w0, mut sum0) = (0u64, 0u64);
    let (mut best, mut best_t) = (0f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c;
        sum0 += t as u64 * c;
        let w1 = total - w0;
        if w0 == 0 || w1 == 0 {
            continue;
        }
        let m0 = sum0 as f64 / w0 as f64;
        let m1 = (sum_all - sum0) as f64 / w1 as f64;
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

fn local_average(img: &LumaImage, min_range: u8) -> Option<Binary> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.pixels();
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    // Per-block black point. For each band of 8 rows: per-column sum/min/max over the band
    // (element-wise, vectorizes), then per 8-column group. The last (partial) block row and
    // column reuse the 8 pixels ending at the border.
    let mut black = vec![0u32; bw * bh];
    let mut csum = vec![0u16; w];
    let mut cmin = vec![255u8; w];
    let mut cmax = vec![0u8; w];
    for by in 0..bh {
        let y0 = (by * BLOCK).min(h - BLOCK);
        csum.iter_mut().for_each(|v| *v = 0);
        cmin.iter_mut().for_each(|v| *v = 255);
        cmax.iter_mut().for_each(|v| *v = 0);
        for yy in y0..y0 + BLOCK {
            let row = px.get(yy * w..(yy + 1) * w)?;
            for (((s, mn), mx), &v) in csum
                .iter_mut()
                .zip(cmin.iter_mut())
                .zip(cmax.iter_mut())
                .zip(row)
            {
                *s += u16::from(v);
                *mn = (*mn).min(v);
                *mx = (*mx).max(v);
            }
        }
        for bx in 0..bw {
            let x0 = (bx * BLOCK).min(w - BLOCK);
            let sum: u32 = csum
                .get(x0..x0 + BLOCK)?
                .iter()
                .map(|&v| u32::from(v))
                .sum();
            let min = cmin.get(x0..x0 + BLOCK)?.iter().copied().min().unwrap_or(0);
            let max = cmax.get(x0..x0 + BLOCK)?.iter().copied().max().unwrap_or(0);
            let mut avg = sum >> 6;
            if max - min <= min_range {
                // Flat block: assume background unless the neighbours say otherwise.
                avg = u32::from(min) / 2;
                if by > 0 && bx > 0 {
                    let up = black[(by - 1) * bw + bx];
                    let left = black[by * bw + bx - 1];
                    let ul = black[(by - 1) * bw + bx - 1];
                    let nb = (up + 2 * left + ul) / 4;
                    if u32::from(min) < nb {
                        avg = nb;
                    }
                }
            }
            black[by * bw + bx] = avg;
        }
    }
    // Column-wise 5-block sums, then row-wise, via a summed-area table over blocks.
    let mut sat = vec![0u32; (bw + 1) * (bh + 1)];
    for by in 0..bh {
        let mut row_sum = 0u32;
        for bx in 0..bw {
            row_sum += black[by * bw + bx];
            sat[(by + 1) * (bw + 1) + bx + 1] = sat[by * (bw + 1) + bx + 1] + row_sum;
        }
    }
    // Threshold per block: mean of the 5x5 neighbourhood of block black points.
    let mut thr = vec![0u8; bw * bh];
    for by in 0..bh {
        let cy = by.clamp(2, bh.saturating_sub(3).max(2));
        let (ya, yb) = (cy.saturating_sub(2), (cy + 3).min(bh));
        for bx in 0..bw {
            let cx = bx.clamp(2, bw.saturating_sub(3).max(2));
            let (xa, xb) = (cx.saturating_sub(2), (cx + 3).min(bw));
            let s = sat[yb * (bw + 1) + xb] + sat[ya * (bw + 1) + xa]
                - sat[ya * (bw + 1) + xb]
                - sat[yb * (bw + 1) + xa];
            let n = ((yb - ya) * (xb - xa)) as u32;
            // Interior blocks: 25 neighbours (a constant divisor compiles to a multiply).
            let mean = if n == 25 { s / 25 } else { s / n.max(1) };
            thr[by * bw + bx] = mean.min(255) as u8;
        }
    }
    threshold_rows(img, |y| {
        let by = (y / BLOCK).min(bh - 1);
        thr.get(by * bw..(by + 1) * bw).unwrap_or_default()
    })
}

/// Builds the bit matrix row by row, eight pixels at a time; `thresholds(y)` gives one
/// threshold per 8-pixel run of row y (the last one is reused past its end).
fn threshold_rows<'t>(img: &LumaImage, thresholds: impl Fn(usize) -> &'t [u8]) -> Option<Binary> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut m = BitMatrix::new(w as u32, h as u32).ok()?;
    let word_bits = usize::BITS as usize;
    let mut row_bits = BitArray::with_size(w);
    let mut words = vec![0usize; w.div_ceil(word_bits)];
    // Per-pixel thresholds of the current row, and the 0/1 "dark" mask (padded to 8).
    let padded = w.div_ceil(BLOCK) * BLOCK;
    let mut tpx = vec![0u8; padded];
    let mut mask = vec![0u8; padded];
    let mut last_thr: Option<&[u8]> = None;
    let mut runs = Vec::new();
    let mut rows = Vec::with_capacity(h / FINDER_ROW_STEP + 1);
    for (y, row) in img.pixels().chunks_exact(w).enumerate() {
        let thr = thresholds(y);
        if last_thr != Some(thr) {
            let fill = thr.last().copied().unwrap_or(127);
            for (ci, run) in tpx.chunks_exact_mut(BLOCK).enumerate() {
                let t = thr.get(ci).copied().unwrap_or(fill);
                run.iter_mut().for_each(|v| *v = t);
            }
            last_thr = Some(thr);
        }
        for ((m, &v), &t) in mask.iter_mut().zip(row).zip(tpx.iter()) {
            *m = u8::from(v <= t);
        }
        // Pack: one word of bits from `word_bits` mask bytes, built in a register.
        for (word, chunk) in words.iter_mut().zip(mask.chunks(word_bits)) {
            let mut acc = 0usize;
            for (k, run) in chunk.chunks_exact(BLOCK).enumerate() {
                let mut b = [0u8; BLOCK];
                b.copy_from_slice(run);
                // Gather the low bit of each byte into one byte (bit i = pixel i).
                let bits =
                    (u64::from_le_bytes(b).wrapping_mul(0x0102_0408_1020_4080) >> 56) as usize;
                acc |= bits << (k * BLOCK);
            }
            *word = acc;
        }
        row_bits.clear();
        for (i, &word) in words.iter().enumerate() {
            if word != 0 {
                row_bits.setBulk(i * word_bits, word);
            }
        }
        m.setRow(y as u32, &row_bits);
        if y % FINDER_ROW_STEP == FINDER_ROW_STEP - 1 {
            let start = runs.len();
            push_runs(&words, w, &mut runs);
            rows.push((y as u32, start, runs.len()));
        }
    }
    Some(Binary {
        matrix: m,
        runs,
        rows,
    })
}

/// Local contrast normalisation: each pixel is stretched by the min/max of its
/// neighbourhood (blocks of `BLOCK`×`BLOCK` pixels, 5×5 blocks around), so that faint,
/// unevenly lit codes span the full grey range before binarization.
pub(crate) fn normalize_contrast(img: &LumaImage, min_range: f32) -> Option<LumaImage> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < BLOCK || h < BLOCK {
        return Some(img.clone());
    }
    let px = img.pixels();
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    let mut bmin = vec![255u8; bw * bh];
    let mut bmax = vec![0u8; bw * bh];
    for by in 0..bh {
        let y0 = (by * BLOCK).min(h - BLOCK);
        for bx in 0..bw {
            let x0 = (bx * BLOCK).min(w - BLOCK);
            let (mut mn, mut mx) = (255u8, 0u8);
            for yy in y0..y0 + BLOCK {
                for &v in px.get(yy * w + x0..yy * w + x0 + BLOCK)? {
                    mn = mn.min(v);
                    mx = mx.max(v);
                }
            }
            bmin[by * bw + bx] = mn;
            bmax[by * bw + bx] = mx;
        }
    }
    // 5x5 block neighbourhood min/max.
    let mut nmin = vec![255u8; bw * bh];
    let mut nmax = vec![0u8; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut mn, mut mx) = (255u8, 0u8);
            for yy in by.saturating_sub(2)..(by + 3).min(bh) {
                for xx in bx.saturating_sub(2)..(bx + 3).min(bw) {
                    mn = mn.min(bmin[yy * bw + xx]);
                    mx = mx.max(bmax[yy * bw + xx]);
                }
            }
            nmin[by * bw + bx] = mn;
            nmax[by * bw + bx] = mx;
        }
    }
    // Per block: offset and 16.16 fixed-point gain that map [min, max] onto [0, 255].
    let gain: Vec<(u8, u32)> = nmin
        .iter()
        .zip(&nmax)
        .map(|(&mn, &mx)| {
            let range = mx.saturating_sub(mn);
            if f32::from(range) < min_range {
                // Only noise here: leave it flat (light) rather than stretch the noise.
                (0, 0)
            } else {
                (mn, (255u32 << 16) / u32::from(range).max(8))
            }
        })
        .collect();
    let mut out = vec![0u8; w * h];
    for (y, (orow, irow)) in out.chunks_exact_mut(w).zip(px.chunks_exact(w)).enumerate() {
        let by = (y / BLOCK).min(bh - 1);
        let grow = gain.get(by * bw..(by + 1) * bw).unwrap_or_default();
        for (bx, (o8, i8)) in orow.chunks_mut(BLOCK).zip(irow.chunks(BLOCK)).enumerate() {
            let (mn, g) = grow.get(bx).copied().unwrap_or((0, 1 << 16));
            if g == 0 {
                o8.fill(255);
                continue;
            }
            for (o, &v) in o8.iter_mut().zip(i8) {
                *o = ((u32::from(v.saturating_sub(mn)) * g) >> 16).min(255) as u8;
            }
        }
    }
    LumaImage::new(w as u32, h as u32, out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::cpp_essentials::{GetPatternRowTP, PatternRow};

    /// Our run rows equal what rxing reads back from the bit matrix, also after inversion.
    #[test]
    fn run_rows_match_rxing_pattern_rows() {
        let mut seed = 0x1234_5678_u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (w, h) in [
            (1, 3),
            (7, 6),
            (63, 9),
            (64, 9),
            (65, 12),
            (130, 40),
            (200, 48),
        ] {
            // Blocky random content with runs of every length, including all-dark and
            // all-light rows and rows starting / ending dark.
            let mut px = vec![0u8; w * h];
            for y in 0..h {
                let mode = rnd() % 4;
                let mut v = (rnd() % 2) as u8 * 255;
                for x in 0..w {
                    if mode >= 2 && rnd() % 5 == 0 {
                        v = 255 - v;
                    }
                    px[y * w + x] = if mode == 0 {
                        0
                    } else if mode == 1 {
                        255
                    } else {
                        v
                    };
                }
            }
            let img = LumaImage::new(w as u32, h as u32, px).unwrap();
            let mut bin = binarize(&img, Binarization::Otsu).unwrap();
            for pass in 0..2 {
                let rows: Vec<(u32, Vec<u16>)> =
                    bin.pattern_rows().map(|(y, r)| (y, r.to_vec())).collect();
                assert_eq!(rows.len(), h / FINDER_ROW_STEP);
                for (y, runs) in rows {
                    let mut expected = PatternRow::default();
                    GetPatternRowTP(&bin.matrix, y, &mut expected, false);
                    let expected: Vec<u16> = expected.into_iter().collect();
                    assert_eq!(runs, expected, "{w}x{h} row {y} pass {pass}");
                }
                bin.invert();
            }
        }
    }
}
