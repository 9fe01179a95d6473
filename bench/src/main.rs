//! verifier-bench: runs verifier-scan and zxing-cpp (PyPI `zxing-cpp`, via
//! `bench/python/zxing_runner.py`) in the same run on the same pixels and prints tables.
//!
//! ```text
//! verifier-bench [--photos DIR]... [--synthetic N] [--camera N] [--python PYTHON]
//!                [--runner PATH] [--no-zxing] [--merge-all] [--rotations 0,90,180,270]
//! ```
//! `--photos DIR`: a folder of `NAME.png|jpg` + `NAME.txt` (expected text), or a folder of
//! such folders (one table row per folder). Every image is rotated by each rotation.
//! `--synthetic N`: N generated camera-like images per degradation category.
//! `--camera N`: N generated 1280×720 frames (a code moving into view, blur, noise) for the
//! per-frame time (single thread).

mod phone;
#[path = "../../verifier-scan/tests/common/synth.rs"]
#[allow(clippy::all)]
mod synth;
mod zxing;

use cpu_time::ThreadTime;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use synth::{Modules, Rng, Scene};
use verifier_scan::{DecodeLimits, LumaImage, Rotation, ScanOptions, Scanner, StreamScanner};

#[derive(Debug, Clone)]
enum Expect {
    /// The decoded text must equal this.
    Exact(String),
    /// Structured append: one symbol holds a non-empty part of this text.
    Part(String),
    /// The decoded bytes must equal these.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, Default)]
struct Outcome {
    ms: f64,
    texts: Vec<String>,
    bytes: Vec<Vec<u8>>,
    /// Our stage per code (empty for zxing-cpp).
    stages: Vec<String>,
}

#[derive(Debug, Clone)]
struct Job {
    /// The image (file path, or a generated image's name).
    name: String,
    set: String,
    group: String,
    rotation: u32,
    expect: Expect,
    ours: Outcome,
    theirs: Option<Outcome>,
}

struct Args {
    photos: Vec<PathBuf>,
    synthetic: usize,
    camera: usize,
    python: String,
    runner: PathBuf,
    zxing: bool,
    merge_all: bool,
    stages: bool,
    misses: bool,
    phone: usize,
    phone_seed: u64,
    phone_dump: Option<PathBuf>,
    /// Time every JPEG decoder and scale on the phone shots (and scan each result).
    decode_scales: bool,
    rotations: Vec<Rotation>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        photos: Vec::new(),
        synthetic: 30,
        camera: 120,
        python: "python3".into(),
        runner: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/zxing_runner.py"),
        zxing: true,
        merge_all: false,
        stages: false,
        misses: false,
        phone: 0,
        phone_seed: 0x9407_2026,
        phone_dump: None,
        decode_scales: false,
        rotations: Rotation::ALL.to_vec(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--photos" => a.photos.push(PathBuf::from(val()?)),
            "--synthetic" => a.synthetic = val()?.parse().map_err(|e| format!("{e}"))?,
            "--camera" => a.camera = val()?.parse().map_err(|e| format!("{e}"))?,
            "--python" => a.python = val()?,
            "--runner" => a.runner = PathBuf::from(val()?),
            "--no-zxing" => a.zxing = false,
            "--merge-all" => a.merge_all = true,
            "--stages" => a.stages = true,
            "--misses" => a.misses = true,
            "--phone" => a.phone = val()?.parse().map_err(|e| format!("{e}"))?,
            "--phone-dump" => a.phone_dump = Some(PathBuf::from(val()?)),
            "--decode-scales" => a.decode_scales = true,
            "--phone-seed" => a.phone_seed = val()?.parse().map_err(|e| format!("{e}"))?,
            "--rotations" => {
                a.rotations = val()?
                    .split(',')
                    .map(|r| match r.trim() {
                        "0" => Ok(Rotation::R0),
                        "90" => Ok(Rotation::R90),
                        "180" => Ok(Rotation::R180),
                        "270" => Ok(Rotation::R270),
                        o => Err(format!("bad rotation {o}")),
                    })
                    .collect::<Result<_, _>>()?
            }
            "-h" | "--help" => {
                return Err("usage: verifier-bench [--photos DIR]... [--synthetic N] [--camera N] \
                     [--python PY] [--runner PATH] [--no-zxing] [--merge-all] [--rotations 0,90,180,270] [--phone N] [--phone-seed S] [--phone-dump DIR] [--decode-scales] [--misses]"
                    .into());
            }
            o => return Err(format!("unknown argument {o}")),
        }
    }
    Ok(a)
}

fn write_pgm(path: &Path, img: &LumaImage) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(f, "P5\n{} {}\n255\n", img.width(), img.height())?;
    f.write_all(img.pixels())?;
    f.flush()
}

fn scan_timed(scanner: &Scanner, img: &LumaImage) -> Outcome {
    let t = ThreadTime::now();
    let codes = scanner.scan(img);
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    outcome(ms, codes)
}

/// `Scanner::scan_encoded` on an image file's bytes: decode (at reduced scale first for
/// large JPEGs) + scan, timed together.
fn scan_encoded_timed(scanner: &Scanner, bytes: &[u8]) -> Result<Outcome, String> {
    let t = ThreadTime::now();
    let codes = scanner
        .scan_encoded(bytes, &DecodeLimits::default())
        .map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    Ok(outcome(ms, codes))
}

fn outcome(ms: f64, codes: Vec<verifier_scan::Code>) -> Outcome {
    Outcome {
        ms,
        texts: codes.iter().map(|c| c.display_text.clone()).collect(),
        stages: codes
            .iter()
            .map(|c| {
                format!(
                    "{:?} /{}{}",
                    c.stage.method,
                    c.stage.downscale,
                    if c.stage.inverted { " inverted" } else { "" }
                )
            })
            .collect(),
        bytes: codes.into_iter().map(|c| c.bytes).collect(),
    }
}

/// (decoded, wrong): decoded when a code matches; wrong when codes came back but none matched.
fn judge(expect: &Expect, o: &Outcome) -> (bool, bool) {
    let ok = match expect {
        Expect::Exact(t) => o.texts.iter().any(|x| x == t),
        Expect::Part(t) => o
            .texts
            .iter()
            .any(|x| !x.is_empty() && t.contains(x.as_str())),
        Expect::Bytes(b) => o.bytes.iter().any(|x| x == b),
    };
    let returned = !(o.texts.is_empty() && o.bytes.is_empty());
    (ok, returned && !ok)
}

fn expected_for(img: &Path) -> Option<Expect> {
    let txt = img.with_extension("txt");
    if let Ok(t) = std::fs::read_to_string(&txt) {
        return Some(Expect::Exact(t));
    }
    // Structured append "01-02.png" -> "01.txt".
    let stem = img.file_stem()?.to_str()?;
    let (prefix, _) = stem.split_once('-')?;
    let merged = img.with_file_name(format!("{prefix}.txt"));
    std::fs::read_to_string(merged).ok().map(Expect::Part)
}

fn image_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    matches!(
                        p.extension()
                            .and_then(|e| e.to_str())
                            .map(str::to_ascii_lowercase)
                            .as_deref(),
                        Some("png" | "jpg" | "jpeg")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn photo_groups(root: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    subdirs.sort();
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut groups = Vec::new();
    let top = image_files(root);
    if !top.is_empty() {
        groups.push((name(root), top));
    }
    for d in subdirs {
        let files = image_files(&d);
        if !files.is_empty() {
            groups.push((name(&d), files));
        }
    }
    groups
}

fn modules_of(payload: &[u8]) -> Option<Modules> {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M).ok()?;
    let size = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some(Modules { size, dark })
}

const CATEGORIES: [&str; 10] = [
    "clean",
    "small",
    "blur",
    "noise",
    "low-contrast",
    "perspective",
    "glare",
    "shadow",
    "inverted",
    "combined",
];

/// One synthetic camera image of category `cat`.
fn synthetic_scene(cat: &str, rng: &mut Rng, modules: &Modules) -> Scene {
    let (w, h) = (640u32, 480u32);
    let n = modules.size as f32;
    let module_px = match cat {
        "small" => rng.range(1.4, 2.4),
        "blur" => rng.range(3.5, 6.0),
        _ => rng.range(2.5, 6.0),
    };
    let side = (n * module_px).min(420.0);
    let cx = rng.range(side * 0.75, w as f32 - side * 0.75);
    let cy = rng.range(side * 0.75, (h as f32 - side * 0.75).max(side * 0.75 + 1.0));
    let angle = rng.range(-180.0, 180.0);
    let mut s = Scene::new(w, h, synth::square(cx, cy, side, angle));
    s.background = rng.range(90.0, 220.0);
    s.noise = 3.0;
    let persp = |s: &mut Scene, rng: &mut Rng, amount: f32| {
        for p in s.quad.iter_mut() {
            p.0 += rng.range(-amount, amount) * side;
            p.1 += rng.range(-amount, amount) * side;
        }
    };
    match cat {
        "blur" => s.blur = rng.range(1.0, 3.0) as u32,
        "noise" => s.noise = rng.range(18.0, 35.0),
        "low-contrast" => {
            let mid = rng.range(90.0, 170.0);
            let half = rng.range(8.0, 18.0);
            s.dark = mid - half;
            s.light = mid + half;
            s.background = mid + half * 0.5;
        }
        "perspective" => persp(&mut s, rng, 0.18),
        "glare" => {
            let (gx, gy) = (
                cx + rng.range(-0.4, 0.4) * side,
                cy + rng.range(-0.4, 0.4) * side,
            );
            s.glare = Some((gx, gy, side * rng.range(0.15, 0.3), rng.range(120.0, 220.0)));
        }
        "shadow" => {
            s.gradient = rng.range(120.0, 200.0) * if rng.unit() < 0.5 { -1.0 } else { 1.0 }
        }
        "inverted" => {
            std::mem::swap(&mut s.dark, &mut s.light);
            s.background = rng.range(10.0, 60.0);
        }
        "combined" => {
            s.blur = 1;
            s.noise = 12.0;
            s.dark = 60.0;
            s.light = 170.0;
            s.gradient = 60.0;
            persp(&mut s, rng, 0.08);
        }
        _ => {}
    }
    s
}

/// Frame `i` of a camera sequence: a code slides in from the left, then stays, with blur/noise.
fn camera_frame(i: usize, rng: &mut Rng, modules: &Modules) -> Option<LumaImage> {
    let (w, h) = (1280u32, 720u32);
    let side = modules.size as f32 * 5.0;
    let t = (i % 60) as f32 / 20.0;
    let cx = -side + t.min(1.0) * (w as f32 / 2.0 + side) + rng.range(-6.0, 6.0);
    let cy = h as f32 / 2.0 + rng.range(-6.0, 6.0);
    let mut s = Scene::new(w, h, synth::square(cx, cy, side, rng.range(-8.0, 8.0)));
    s.blur = if t < 1.0 { 2 } else { (i % 3) as u32 };
    s.noise = rng.range(3.0, 10.0);
    s.background = 150.0;
    synth::render(modules, &s, rng).ok()
}

/// A 1280×720 camera frame with NO code: an illumination gradient, clutter (rectangles of
/// every size and grey level, thin text-like strokes, a few dark/light nested squares that
/// are not finder patterns), optional blur, sensor noise.
fn clutter_frame(rng: &mut Rng) -> Option<LumaImage> {
    let (w, h) = (1280usize, 720usize);
    let base = rng.range(90.0, 200.0);
    let grad = rng.range(-60.0, 60.0);
    let mut buf: Vec<f32> = (0..w * h)
        .map(|i| base + grad * ((i % w) as f32 / w as f32 - 0.5))
        .collect();
    let fill = |buf: &mut Vec<f32>, x0: f32, y0: f32, rw: f32, rh: f32, v: f32| {
        let (xa, ya) = (x0.max(0.0) as usize, y0.max(0.0) as usize);
        let (xb, yb) = (
            ((x0 + rw).max(0.0) as usize).min(w),
            ((y0 + rh).max(0.0) as usize).min(h),
        );
        for y in ya..yb {
            for x in xa..xb {
                buf[y * w + x] = v;
            }
        }
    };
    for _ in 0..40 {
        let (x, y) = (rng.range(-50.0, w as f32), rng.range(-50.0, h as f32));
        let (rw, rh) = (rng.range(4.0, 260.0), rng.range(4.0, 200.0));
        let v = rng.range(10.0, 245.0);
        fill(&mut buf, x, y, rw, rh, v);
    }
    // Text-like lines: short dark strokes on a light band.
    for _ in 0..6 {
        let (x0, y0) = (
            rng.range(0.0, w as f32 - 300.0),
            rng.range(0.0, h as f32 - 30.0),
        );
        fill(&mut buf, x0, y0, 300.0, 24.0, 225.0);
        let mut x = x0 + 4.0;
        while x < x0 + 290.0 {
            let sw = rng.range(1.5, 4.0);
            fill(
                &mut buf,
                x,
                y0 + rng.range(3.0, 8.0),
                sw,
                rng.range(8.0, 16.0),
                30.0,
            );
            x += sw + rng.range(1.0, 7.0);
        }
    }
    let noise = rng.range(2.0, 8.0);
    let pixels = buf
        .iter()
        .map(|&v| (v + noise * rng.gauss()).round().clamp(0.0, 255.0) as u8)
        .collect();
    LumaImage::new(w as u32, h as u32, pixels).ok()
}

/// One row of the 1280×720 timing table.
fn frame_row(
    name: &str,
    scan: &mut [f64],
    stream: &mut [f64],
    zx: &mut [f64],
    decoded: (usize, usize, Option<usize>),
) {
    let (ours, stream_ok, theirs) = decoded;
    let zx_cells = if zx.is_empty() {
        "– | – | –".to_owned()
    } else {
        format!(
            "{} | {:.2} | {:.2}",
            theirs.unwrap_or(0),
            percentile(zx, 0.5),
            percentile(zx, 0.95)
        )
    };
    println!(
        "| {name} | {} | {ours} | {:.2} | {:.2} | {stream_ok} | {:.2} | {:.2} | {zx_cells} |",
        scan.len(),
        percentile(scan, 0.5),
        percentile(scan, 0.95),
        percentile(stream, 0.5),
        percentile(stream, 0.95),
    );
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx.min(v.len() - 1)]
}

#[derive(Default)]
struct Tally {
    n: usize,
    ok: usize,
    wrong: usize,
    ms: Vec<f64>,
}

impl Tally {
    fn add(&mut self, e: &Expect, o: &Outcome) {
        let (ok, wrong) = judge(e, o);
        self.n += 1;
        self.ok += usize::from(ok);
        self.wrong += usize::from(wrong);
        self.ms.push(o.ms);
    }
    fn cells(&mut self) -> String {
        let med = percentile(&mut self.ms, 0.5);
        let p90 = percentile(&mut self.ms, 0.9);
        format!(
            "{}/{} ({:.1} %) | {} | {:.2} | {:.2}",
            self.ok,
            self.n,
            100.0 * self.ok as f64 / self.n.max(1) as f64,
            self.wrong,
            med,
            p90
        )
    }
}

/// Which stage found the first code of each image (ours).
fn print_stage_histogram(title: &str, jobs: &[Job]) {
    let mut h: BTreeMap<&str, usize> = BTreeMap::new();
    for j in jobs {
        if let Some(s) = j.ours.stages.first() {
            *h.entry(s.as_str()).or_default() += 1;
        }
    }
    let list: Vec<String> = h.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    println!("\n{title}: first code found by {}", list.join(", "));
}

fn print_table(
    title: &str,
    jobs: &[Job],
    theirs: &[Option<Outcome>],
    key: impl Fn(&Job) -> String,
) {
    let mut rows: BTreeMap<String, (Tally, Tally)> = BTreeMap::new();
    let mut total = (Tally::default(), Tally::default());
    for (j, t) in jobs.iter().zip(theirs) {
        let row = rows.entry(key(j)).or_default();
        row.0.add(&j.expect, &j.ours);
        total.0.add(&j.expect, &j.ours);
        if let Some(t) = t {
            row.1.add(&j.expect, t);
            total.1.add(&j.expect, t);
        }
    }
    println!("\n### {title}\n");
    println!(
        "| row | ours decoded | ours wrong | ours median ms | ours p90 ms | zxing-cpp decoded | zxing-cpp wrong | zxing-cpp median ms | zxing-cpp p90 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (k, (mut a, mut b)) in rows {
        println!("| {k} | {} | {} |", a.cells(), b.cells());
    }
    println!("| **all** | {} | {} |", total.0.cells(), total.1.cells());
}

/// Every image that exactly one of the two decoders read (with our stage / what we returned).
fn print_misses(jobs: &[Job]) {
    println!("\n### Images only one decoder read\n");
    for j in jobs {
        let Some(t) = &j.theirs else { continue };
        let (ours, ours_wrong) = judge(&j.expect, &j.ours);
        let (theirs, theirs_wrong) = judge(&j.expect, t);
        let tag = match (ours, theirs) {
            (false, true) => "zxing-cpp only",
            (true, false) => "ours only",
            _ if ours_wrong || theirs_wrong => "wrong",
            _ => continue,
        };
        println!(
            "{tag}: {} @{}° (ours {:.2} ms {:?}{}, zxing-cpp {:.2} ms{})",
            j.name,
            j.rotation,
            j.ours.ms,
            j.ours.stages,
            if ours_wrong { " WRONG" } else { "" },
            t.ms,
            if theirs_wrong { " WRONG" } else { "" },
        );
    }
}

/// One generated phone shot, decoded by both.
struct PhoneResult {
    category: &'static str,
    megapixels: f64,
    payloads: Vec<Vec<u8>>,
    /// JPEG file → grey pixels at full resolution (`LumaImage::from_encoded`; zxing-cpp is
    /// given these pixels, and so is our decoder alone).
    decode_ms: f64,
    /// Ours on the file: `Scanner::scan_encoded` (decode included).
    file: Outcome,
    /// Our decoder alone on the full-resolution pixels.
    ours: Outcome,
    theirs: Option<Outcome>,
}

/// (codes of the ground truth read, codes returned that are not in it).
fn count_read(payloads: &[Vec<u8>], o: &Outcome) -> (usize, usize) {
    let read = payloads.iter().filter(|p| o.bytes.contains(p)).count();
    let wrong = o.bytes.iter().filter(|b| !payloads.contains(b)).count();
    (read, wrong)
}

/// Per category: codes read, wrong codes, median / p90 ms per photo including the JPEG decode.
fn print_phone_table(shots: &[PhoneResult]) {
    #[derive(Default)]
    struct Row {
        images: usize,
        codes: usize,
        decode: Vec<f64>,
        read: [usize; 2],
        wrong: [usize; 2],
        ms: [Vec<f64>; 2],
        alone: [Vec<f64>; 2],
        alone_read: [usize; 2],
        mp: Vec<f64>,
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for s in shots {
        for key in [s.category.to_owned(), "**all**".to_owned()] {
            let r = rows.entry(key).or_default();
            r.images += 1;
            r.codes += s.payloads.len();
            r.decode.push(s.decode_ms);
            r.mp.push(s.megapixels);
            // Ours: the file through `scan_encoded`; zxing-cpp: the full-resolution decode
            // + its decoder. Then both decoders alone on the same full-resolution pixels.
            let (read, wrong) = count_read(&s.payloads, &s.file);
            r.read[0] += read;
            r.wrong[0] += wrong;
            r.ms[0].push(s.file.ms);
            r.alone[0].push(s.ours.ms);
            r.alone_read[0] += count_read(&s.payloads, &s.ours).0;
            if let Some(o) = &s.theirs {
                let (read, wrong) = count_read(&s.payloads, o);
                r.read[1] += read;
                r.wrong[1] += wrong;
                r.ms[1].push(s.decode_ms + o.ms);
                r.alone[1].push(o.ms);
                r.alone_read[1] += read;
            }
        }
    }
    println!(
        "\n### generated phone shots (2-12 MP colour JPEG), per category\n\n\
         ms per photo, file bytes to codes: ours = `Scanner::scan_encoded` (header check, \
         JPEG straight to grey, scan); zxing-cpp = the same grey decode \
         (`LumaImage::from_encoded`, its own column) + zxing-cpp. Then both decoders \
         alone on the same full-resolution pixels (ours: `Scanner::scan`).\n\n\
         | category | photos | MP median | codes | full JPEG decode median ms | ours read | ours wrong | ours median ms | ours p90 ms | zxing-cpp read | zxing-cpp wrong | zxing-cpp median ms | zxing-cpp p90 ms | alone: ours read | alone: ours median / p90 | alone: zxing-cpp median / p90 |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut all = None;
    for (k, mut r) in rows {
        let line = format!(
            "| {k} | {} | {:.1} | {} | {:.1} | {} | {} | {:.1} | {:.1} | {} | {} | {:.1} | {:.1} | {} | {:.1} / {:.1} | {:.1} / {:.1} |",
            r.images,
            percentile(&mut r.mp, 0.5),
            r.codes,
            percentile(&mut r.decode, 0.5),
            r.read[0],
            r.wrong[0],
            percentile(&mut r.ms[0], 0.5),
            percentile(&mut r.ms[0], 0.9),
            r.read[1],
            r.wrong[1],
            percentile(&mut r.ms[1], 0.5),
            percentile(&mut r.ms[1], 0.9),
            r.alone_read[0],
            percentile(&mut r.alone[0], 0.5),
            percentile(&mut r.alone[0], 0.9),
            percentile(&mut r.alone[1], 0.5),
            percentile(&mut r.alone[1], 0.9),
        );
        if k == "**all**" {
            all = Some(line);
        } else {
            println!("{line}");
        }
    }
    if let Some(l) = all {
        println!("{l}");
    }
}

/// Per JPEG decoder / scale: (decode ms, megapixels of the photo, codes read by
/// `Scanner::scan` on the result, codes in all).
type ScaleStats = BTreeMap<&'static str, (Vec<(f64, f64)>, usize, usize)>;

/// Decodes one phone shot with every decoder and scale, times each, and scans each result.
fn decode_scales(scanner: &Scanner, shot: &phone::Shot, stats: &mut ScaleStats) {
    let mp = f64::from(shot.width) * f64::from(shot.height) / 1e6;
    type Decode<'a> = Box<dyn Fn(&[u8]) -> Option<LumaImage> + 'a>;
    let methods: [(&'static str, Decode<'_>); 6] = [
        (
            "1 `image` (zune-jpeg to RGB, then grey; before)",
            Box::new(|b| {
                let img = image::load_from_memory_with_format(b, image::ImageFormat::Jpeg).ok()?;
                let g = img.into_luma8();
                let (w, h) = g.dimensions();
                LumaImage::new(w, h, g.into_raw()).ok()
            }),
        ),
        (
            "2 zune-jpeg straight to grey (`from_encoded`)",
            Box::new(|b| LumaImage::from_encoded(b).ok()),
        ),
        ("3 jpeg-decoder, full size", Box::new(|b| jpeg_scaled(b, 1))),
        (
            "4 jpeg-decoder, 1/2 (DCT domain)",
            Box::new(|b| jpeg_scaled(b, 2)),
        ),
        (
            "5 jpeg-decoder, 1/4 (DCT domain)",
            Box::new(|b| jpeg_scaled(b, 4)),
        ),
        (
            "6 jpeg-decoder, 1/8 (DCT domain)",
            Box::new(|b| jpeg_scaled(b, 8)),
        ),
    ];
    for (name, decode) in methods {
        let t = ThreadTime::now();
        let img = decode(&shot.jpeg);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let read = img.map_or(0, |img| {
            let codes = scanner.scan(&img);
            shot.payloads
                .iter()
                .filter(|p| codes.iter().any(|c| &c.bytes == *p))
                .count()
        });
        let e = stats.entry(name).or_default();
        e.0.push((ms, mp));
        e.1 += read;
        e.2 += shot.payloads.len();
    }
}

/// jpeg-decoder's DCT-domain scaling: 1/`d` of each side (rounded up), RGB, then grey.
fn jpeg_scaled(bytes: &[u8], d: u16) -> Option<LumaImage> {
    let mut dec = jpeg_decoder::Decoder::new(bytes);
    dec.read_info().ok()?;
    let info = dec.info()?;
    dec.scale(info.width.div_ceil(d), info.height.div_ceil(d))
        .ok()?;
    let data = dec.decode().ok()?;
    let info = dec.info()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => LumaImage::new(w, h, data).ok(),
        jpeg_decoder::PixelFormat::RGB24 => LumaImage::from_rgb(w, h, &data).ok(),
        _ => None,
    }
}

fn print_decode_scales(stats: &ScaleStats) {
    println!(
        "\n### JPEG decoders and scales on the phone shots (ms of thread CPU time; codes read by `Scanner::scan` on each result)\n\n\
         | decoder | median ms | p90 ms | 12 MP median ms | 2 MP median ms | codes read |\n|---|---|---|---|---|---|"
    );
    for (name, (ms, read, codes)) in stats {
        let mut all: Vec<f64> = ms.iter().map(|m| m.0).collect();
        let mut big: Vec<f64> = ms.iter().filter(|m| m.1 > 10.0).map(|m| m.0).collect();
        let mut small: Vec<f64> = ms.iter().filter(|m| m.1 < 2.5).map(|m| m.0).collect();
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {read}/{codes} |",
            percentile(&mut all, 0.5),
            percentile(&mut all, 0.9),
            percentile(&mut big, 0.5),
            percentile(&mut small, 0.5),
        );
    }
}

type StageStats = BTreeMap<String, (usize, usize, Vec<f64>)>;

/// Runs every stage alone on `img`: how often each finds `payload`, and its time.
fn stage_profile(scanner: &Scanner, img: &LumaImage, payload: &[u8], stats: &mut StageStats) {
    use verifier_scan::Method::*;
    for (m, f, inv) in [
        (LocalAverage, 1, false),
        (LocalAverage, 1, true),
        (LocalAverage, 2, false),
        (LocalAverage, 4, false),
        (LowContrast, 1, false),
        (LowContrast, 2, false),
        (Normalized, 1, false),
        (Normalized, 2, false),
        (GlobalThreshold, 1, false),
        (Quirc, 1, false),
        (Quirc, 2, false),
    ] {
        let t = ThreadTime::now();
        let codes = scanner.scan_stage(img, m, f, inv);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let e = stats
            .entry(format!("{m:?} /{f}{}", if inv { " inv" } else { "" }))
            .or_default();
        e.0 += 1;
        e.1 += usize::from(codes.iter().any(|c| c.bytes == payload));
        e.2.push(ms);
    }
}

fn print_stages(title: &str, stats: &StageStats) {
    println!("\n### {title}\n\n| stage | found | median ms | p95 ms |\n|---|---|---|---|");
    for (k, (n, ok, ms)) in stats {
        let mut ms = ms.clone();
        println!(
            "| {k} | {ok}/{n} | {:.2} | {:.2} |",
            percentile(&mut ms, 0.5),
            percentile(&mut ms, 0.95)
        );
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let tmp = std::env::temp_dir().join(format!("verifier-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let mut options = ScanOptions::default();
    if args.merge_all {
        options.early_exit = false;
    }
    let scanner = Scanner::with_options(options);
    let mut jobs: Vec<Job> = Vec::new();
    let pgm = tmp.join("image.pgm");
    let mut zx = if args.zxing {
        let r = zxing::Runner::start(&args.python, &args.runner)?;
        println!(
            "zxing-cpp {} (Python), verifier-scan; times are thread CPU time",
            r.version
        );
        Some(r)
    } else {
        None
    };
    // Scans one image with both decoders, back to back on the same pixels.
    let mut both = |img: &LumaImage| -> Result<(Outcome, Option<Outcome>), String> {
        let ours = scan_timed(&scanner, img);
        let theirs = match zx.as_mut() {
            Some(r) => {
                write_pgm(&pgm, img).map_err(|e| format!("cannot write {}: {e}", pgm.display()))?;
                Some(r.decode(&pgm)?)
            }
            None => None,
        };
        Ok((ours, theirs))
    };

    // Real photos (and the time to read and decode each file, shown apart).
    let mut file_ms: Vec<f64> = Vec::new();
    for root in &args.photos {
        let set = root
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (group, files) in photo_groups(root) {
            for f in files {
                let Some(expect) = expected_for(&f) else {
                    eprintln!("skipping {} (no expected text)", f.display());
                    continue;
                };
                let t = ThreadTime::now();
                let opened = LumaImage::open(&f);
                file_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                let img = match opened {
                    Ok(i) => i,
                    Err(e) => {
                        eprintln!("skipping: {e}");
                        continue;
                    }
                };
                for &rot in &args.rotations {
                    let r = img.rotated(rot);
                    let (ours, theirs) = both(&r)?;
                    jobs.push(Job {
                        name: f.display().to_string(),
                        set: set.clone(),
                        group: group.clone(),
                        rotation: rot.degrees(),
                        expect: expect.clone(),
                        ours,
                        theirs,
                    });
                }
            }
        }
    }

    // Generated phone shots (2-12 MP JPEGs), rendered now, decoded from the JPEG bytes.
    let mut shots: Vec<PhoneResult> = Vec::new();
    let mut scale_stats = ScaleStats::new();
    for cat in phone::CATEGORIES {
        for i in 0..args.phone {
            let Some(shot) = phone::shot(cat, i, args.phone_seed) else {
                eprintln!("cannot render phone shot {cat}/{i}");
                continue;
            };
            if let Some(dir) = &args.phone_dump {
                let file = dir.join(format!("{}.jpg", shot.name.replace('/', "-")));
                std::fs::write(&file, &shot.jpeg)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            }
            let t = ThreadTime::now();
            let img = LumaImage::from_encoded(&shot.jpeg).map_err(|e| e.to_string())?;
            let decode_ms = t.elapsed().as_secs_f64() * 1000.0;
            let (ours, theirs) = both(&img)?;
            drop(img);
            let file = scan_encoded_timed(&scanner, &shot.jpeg)?;
            if args.decode_scales {
                decode_scales(&scanner, &shot, &mut scale_stats);
            }
            if args.misses {
                let ours_n = count_read(&shot.payloads, &file).0;
                let theirs_n = theirs.as_ref().map(|t| count_read(&shot.payloads, t).0);
                println!(
                    "phone {}: {} codes, ours {ours_n} in {:.1} ms (file) {:?}, {:.1} ms (decoder alone), zxing-cpp {theirs_n:?} in {:.1} ms (+ decode {decode_ms:.1} ms)",
                    shot.name,
                    shot.payloads.len(),
                    file.ms,
                    file.stages,
                    ours.ms,
                    theirs.as_ref().map_or(f64::NAN, |t| t.ms),
                );
            }
            shots.push(PhoneResult {
                category: shot.category,
                megapixels: f64::from(shot.width) * f64::from(shot.height) / 1e6,
                payloads: shot.payloads,
                decode_ms,
                file,
                ours,
                theirs,
            });
        }
    }

    let mut stage_stats = BTreeMap::new();
    let mut cam_stage_stats = BTreeMap::new();
    // Synthetic camera set.
    let mut rng = Rng::new(0x5EED_2026);
    for cat in CATEGORIES {
        for _ in 0..args.synthetic {
            let len = 10 + (rng.next_u64() % 120) as usize;
            let payload = rng.bytes(len);
            let Some(modules) = modules_of(&payload) else {
                continue;
            };
            let scene = synthetic_scene(cat, &mut rng, &modules);
            let Ok(img) = synth::render(&modules, &scene, &mut rng) else {
                continue;
            };
            if args.stages {
                stage_profile(&scanner, &img, &payload, &mut stage_stats);
            }
            let (ours, theirs) = both(&img)?;
            jobs.push(Job {
                name: format!("synthetic/{cat}/{}", jobs.len()),
                set: "synthetic".into(),
                group: cat.into(),
                rotation: 0,
                expect: Expect::Bytes(payload),
                ours,
                theirs,
            });
        }
    }

    // Camera frames 1280x720: Scanner per frame, and StreamScanner over the sequence; then
    // the same number of frames without any code (clutter), through both as well.
    // Per frame kind: (Scanner ms, StreamScanner ms, zxing-cpp ms, ours ok, stream ok, zx ok).
    #[derive(Default)]
    struct FrameTimes {
        scan: Vec<f64>,
        stream: Vec<f64>,
        zx: Vec<f64>,
        ours_ok: usize,
        stream_ok: usize,
        zx_ok: usize,
    }
    let mut kinds: BTreeMap<&str, FrameTimes> = BTreeMap::new();
    let cam_payload = b"verifier camera frame \x00\xff\xc3 test".to_vec();
    if args.camera > 0 {
        let modules = modules_of(&cam_payload).ok_or("cannot render camera payload")?;
        let mut stream = StreamScanner::new();
        let mut stream_ok = 0usize;
        let mut first_hit = None;
        for i in 0..args.camera {
            let Some(frame) = camera_frame(i, &mut rng, &modules) else {
                continue;
            };
            let t = ThreadTime::now();
            let codes = stream.scan_frame(&frame);
            let stream_ms = t.elapsed().as_secs_f64() * 1000.0;
            let stream_hit = codes.iter().any(|c| c.bytes == cam_payload);
            if stream_hit {
                stream_ok += 1;
                first_hit.get_or_insert(i);
            }
            if args.stages {
                stage_profile(&scanner, &frame, &cam_payload, &mut cam_stage_stats);
            }
            let (ours, theirs) = both(&frame)?;
            let expect = Expect::Bytes(cam_payload.clone());
            // "code in view": the symbol has fully entered the frame (t >= 1).
            let kind = if (i % 60) >= 20 {
                "code in view"
            } else {
                "code entering (moving, blurred)"
            };
            let k = kinds.entry(kind).or_default();
            k.scan.push(ours.ms);
            k.stream.push(stream_ms);
            k.ours_ok += usize::from(judge(&expect, &ours).0);
            k.stream_ok += usize::from(stream_hit);
            if let Some(t) = &theirs {
                k.zx.push(t.ms);
                k.zx_ok += usize::from(judge(&expect, t).0);
            }
            jobs.push(Job {
                name: format!("camera/{i}"),
                set: "camera".into(),
                group: "1280x720".into(),
                rotation: 0,
                expect,
                ours,
                theirs,
            });
        }
        println!(
            "StreamScanner: {stream_ok}/{} frames decoded, first at frame {:?}",
            args.camera, first_hit
        );
        let mut stream = StreamScanner::new();
        for _ in 0..args.camera {
            let Some(frame) = clutter_frame(&mut rng) else {
                continue;
            };
            let t = ThreadTime::now();
            let codes = stream.scan_frame(&frame);
            let stream_ms = t.elapsed().as_secs_f64() * 1000.0;
            let (ours, theirs) = both(&frame)?;
            let k = kinds.entry("no code (clutter)").or_default();
            k.scan.push(ours.ms);
            k.stream.push(stream_ms);
            // "decoded" here counts frames where something (wrongly) came back.
            k.ours_ok += usize::from(!ours.bytes.is_empty());
            k.stream_ok += usize::from(!codes.is_empty());
            if let Some(t) = &theirs {
                k.zx.push(t.ms);
                k.zx_ok += usize::from(!t.bytes.is_empty());
            }
        }
    }

    drop(zx);
    let theirs: Vec<Option<Outcome>> = jobs.iter().map(|j| j.theirs.clone()).collect();

    let sel = |set: &str| -> (Vec<Job>, Vec<Option<Outcome>>) {
        jobs.iter()
            .zip(&theirs)
            .filter(|(j, _)| j.set == set)
            .map(|(j, t)| (j.clone(), t.clone()))
            .unzip()
    };
    let mut sets: Vec<String> = jobs.iter().map(|j| j.set.clone()).collect();
    sets.dedup();
    for set in sets {
        let (js, ts) = sel(&set);
        if set == "synthetic" {
            print_table(
                "synthetic camera set (640x480, per category)",
                &js,
                &ts,
                |j| j.group.clone(),
            );
            print_stage_histogram("synthetic", &js);
        } else if set == "camera" {
            print_table(
                "camera frames 1280x720 (Scanner::scan per frame)",
                &js,
                &ts,
                |j| j.group.clone(),
            );
            println!(
                "\n### 1280x720 frames: ms per frame, single thread (target p95 <= 10)\n\n\
                 \"decoded\" = frames whose code was read; for \"no code\" frames it counts frames \
                 where anything came back (should be 0).\n\n\
                 | frames | n | Scanner::scan decoded | Scanner::scan median | Scanner::scan p95 \
                 | StreamScanner decoded | StreamScanner median | StreamScanner p95 \
                 | zxing-cpp decoded | zxing-cpp median | zxing-cpp p95 |\n\
                 |---|---|---|---|---|---|---|---|---|---|---|"
            );
            for (name, k) in &mut kinds {
                let zx_ok = (!k.zx.is_empty()).then_some(k.zx_ok);
                frame_row(
                    name,
                    &mut k.scan,
                    &mut k.stream,
                    &mut k.zx,
                    (k.ours_ok, k.stream_ok, zx_ok),
                );
            }
        } else {
            print_table(
                &format!("{set}: per folder (all rotations)"),
                &js,
                &ts,
                |j| j.group.clone(),
            );
            print_table(
                &format!("{set}: per rotation (all folders)"),
                &js,
                &ts,
                |j| format!("{:>3}°", j.rotation),
            );
            print_stage_histogram(&set, &js);
        }
    }
    if !file_ms.is_empty() {
        println!(
            "\nphoto files: read + decode (not in the photo tables' times) median {:.2} ms, p90 {:.2} ms over {} files",
            percentile(&mut file_ms, 0.5),
            percentile(&mut file_ms, 0.9),
            file_ms.len()
        );
    }
    if !shots.is_empty() {
        print_phone_table(&shots);
        if args.decode_scales {
            print_decode_scales(&scale_stats);
        }
    }
    if args.misses {
        print_misses(&jobs);
    }
    if args.stages {
        print_stages("stages on the synthetic set", &stage_stats);
        print_stages("stages on the 1280x720 camera frames", &cam_stage_stats);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("verifier-bench: {e}");
        std::process::exit(1);
    }
}
