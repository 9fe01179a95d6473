#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Scanner tests on codes rendered with the `qrcode` crate: binary payloads at several
//! module sizes and rotations, inverted, noisy, blurred, in perspective; a camera sequence
//! for the stream scanner; images without codes; unreadable files.

mod common;

use common::synth::{self, Modules, Rng, Scene};
use verifier_scan::{ImageError, LumaImage, Method, Rotation, ScanOptions, Scanner, StreamScanner};

fn modules(payload: &[u8]) -> Modules {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M).unwrap();
    let size = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Modules { size, dark }
}

/// A clean render: `module` pixels per module, 4-module quiet zone.
fn pure(m: &Modules, module: usize) -> LumaImage {
    let side = (m.size + 8) * module;
    let mut px = vec![255u8; side * side];
    for y in 0..m.size {
        for x in 0..m.size {
            if m.dark[y * m.size + x] {
                for dy in 0..module {
                    for dx in 0..module {
                        px[((y + 4) * module + dy) * side + (x + 4) * module + dx] = 0;
                    }
                }
            }
        }
    }
    LumaImage::new(side as u32, side as u32, px).unwrap()
}

/// Every byte value, including invalid UTF-8 and NUL.
fn binary_payload(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut p = vec![0x00, 0xff, 0xc3, 0x28, 0x80];
    p.extend(rng.bytes(len));
    p
}

fn scan_one(img: &LumaImage) -> Vec<Vec<u8>> {
    Scanner::new()
        .scan(img)
        .into_iter()
        .map(|c| c.bytes)
        .collect()
}

#[test]
fn binary_payloads_at_module_sizes_and_rotations() {
    let mut rng = Rng::new(1);
    for (len, module) in [(20, 2), (60, 3), (120, 4), (200, 6)] {
        let payload = binary_payload(&mut rng, len);
        let img = pure(&modules(&payload), module);
        for rot in Rotation::ALL {
            let codes = Scanner::new().scan(&img.rotated(rot));
            assert_eq!(codes.len(), 1, "len {len} module {module} rot {rot:?}");
            assert_eq!(codes[0].bytes, payload, "module {module} rot {rot:?}");
            assert_eq!(codes[0].text, None, "invalid UTF-8 has no text");
        }
    }
}

#[test]
fn utf8_payload_has_text() {
    let payload = "verifier: ключ ✓".as_bytes();
    let codes = Scanner::new().scan(&pure(&modules(payload), 3));
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text.as_deref(), Some("verifier: ключ ✓"));
    assert_eq!(codes[0].display_text, "verifier: ключ ✓");
}

#[test]
fn corners_are_cyclic_and_on_the_symbol() {
    let payload = b"corners".to_vec();
    let m = modules(&payload);
    let module = 4usize;
    let img = pure(&m, module);
    for rot in Rotation::ALL {
        let codes = Scanner::new().scan(&img.rotated(rot));
        assert_eq!(codes.len(), 1);
        let c = &codes[0].corners;
        let lo = (4 * module) as f32;
        let hi = ((4 + m.size) * module) as f32;
        for p in c {
            let near = |v: f32| {
                (v - lo).abs() <= 2.0 * module as f32 || (v - hi).abs() <= 2.0 * module as f32
            };
            assert!(
                near(p.x) && near(p.y),
                "corner {p:?} not at a symbol corner ({rot:?})"
            );
        }
        // Cyclic: consecutive corners are neighbours (one side apart), opposite ones a diagonal.
        let d = |a: usize, b: usize| ((c[a].x - c[b].x).powi(2) + (c[a].y - c[b].y).powi(2)).sqrt();
        let side = (m.size * module) as f32;
        for i in 0..4 {
            assert!(
                (d(i, (i + 1) % 4) - side).abs() < side * 0.2,
                "{rot:?}: {c:?}"
            );
        }
        assert!(
            d(0, 2) > side * 1.3 && d(1, 3) > side * 1.3,
            "{rot:?}: {c:?}"
        );
        // Clockwise on screen (y down): positive shoelace area.
        let area: f32 = (0..4)
            .map(|i| c[i].x * c[(i + 1) % 4].y - c[(i + 1) % 4].x * c[i].y)
            .sum();
        assert!(area > 0.0, "{rot:?}: not clockwise {c:?}");
    }
}

#[test]
fn inverted_code_is_read() {
    let payload = b"\x01\x02inverted\xfe".to_vec();
    let img = pure(&modules(&payload), 4).inverted();
    let codes = Scanner::new().scan(&img);
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].bytes, payload);
    assert!(codes[0].stage.inverted);
}

fn camera_image(payload: &[u8], seed: u64, f: impl Fn(&mut Scene, &mut Rng)) -> LumaImage {
    let mut rng = Rng::new(seed);
    let m = modules(payload);
    let side = m.size as f32 * 4.0;
    let mut scene = Scene::new(480, 400, synth::square(240.0, 200.0, side, 0.0));
    f(&mut scene, &mut rng);
    synth::render(&m, &scene, &mut rng).unwrap()
}

#[test]
fn degraded_camera_images_are_read() {
    let mut rng = Rng::new(7);
    let payload = binary_payload(&mut rng, 40);
    type Degrade = Box<dyn Fn(&mut Scene, &mut Rng)>;
    let cases: Vec<(&str, Degrade)> = vec![
        (
            "rotated 33 degrees",
            Box::new(|s, _| s.quad = synth::square(240.0, 200.0, 170.0, 33.0)),
        ),
        ("noise", Box::new(|s, _| s.noise = 25.0)),
        ("blur", Box::new(|s, _| s.blur = 1)),
        (
            "low contrast",
            Box::new(|s, _| {
                s.dark = 110.0;
                s.light = 140.0;
                s.background = 130.0;
            }),
        ),
        ("shadow", Box::new(|s, _| s.gradient = 160.0)),
        (
            "perspective",
            Box::new(|s, _| {
                s.quad = [
                    (150.0, 110.0),
                    (350.0, 130.0),
                    (330.0, 300.0),
                    (160.0, 280.0),
                ];
            }),
        ),
        (
            "blur + noise + low contrast",
            Box::new(|s, _| {
                s.blur = 1;
                s.noise = 8.0;
                s.dark = 70.0;
                s.light = 160.0;
            }),
        ),
    ];
    for (i, (name, f)) in cases.iter().enumerate() {
        let img = camera_image(&payload, 100 + i as u64, f);
        let got = scan_one(&img);
        assert_eq!(got, vec![payload.clone()], "{name}");
    }
}

#[test]
fn several_codes_in_one_image() {
    let payloads: Vec<Vec<u8>> = (0..3u8).map(|i| vec![i, 0xff, i, b'x', 0x00, i]).collect();
    let (w, h) = (600usize, 220usize);
    let mut px = vec![255u8; w * h];
    for (k, p) in payloads.iter().enumerate() {
        let img = pure(&modules(p), 5);
        let s = img.width() as usize;
        for y in 0..s {
            for x in 0..s {
                px[(y + 10) * w + k * 200 + x] = img.pixels()[y * s + x];
            }
        }
    }
    let img = LumaImage::new(w as u32, h as u32, px).unwrap();
    let mut got = scan_one(&img);
    got.sort();
    assert_eq!(got, payloads);
}

#[test]
fn no_code_gives_nothing() {
    let blank = LumaImage::new(320, 240, vec![200; 320 * 240]).unwrap();
    assert!(Scanner::new().scan(&blank).is_empty());
    let mut rng = Rng::new(3);
    let noise: Vec<u8> = (0..320 * 240).map(|_| rng.next_u64() as u8).collect();
    let noise = LumaImage::new(320, 240, noise).unwrap();
    assert!(Scanner::new().scan(&noise).is_empty());
    // Checkerboard of squares: edges everywhere, no finder patterns.
    let board: Vec<u8> = (0..320 * 240)
        .map(|i| {
            if ((i % 320) / 7 + (i / 320) / 7) % 2 == 0 {
                0
            } else {
                255
            }
        })
        .collect();
    let board = LumaImage::new(320, 240, board).unwrap();
    assert!(Scanner::new().scan(&board).is_empty());
    // Clutter: nested rectangles of every size and grey level, text-like strokes, noise.
    let (w, h) = (640usize, 480usize);
    let mut px = vec![170u8; w * h];
    for k in 0..60 {
        let (x0, y0) = (
            (rng.next_u64() % w as u64) as usize,
            (rng.next_u64() % h as u64) as usize,
        );
        let (rw, rh) = (
            2 + (rng.next_u64() % 150) as usize,
            2 + (rng.next_u64() % 120) as usize,
        );
        let v = if k % 3 == 0 {
            20
        } else {
            (rng.next_u64() % 256) as u8
        };
        for y in y0..(y0 + rh).min(h) {
            px[y * w + x0..y * w + (x0 + rw).min(w)].fill(v);
        }
    }
    for v in &mut px {
        *v = v.saturating_add((rng.next_u64() % 6) as u8);
    }
    let clutter = LumaImage::new(w as u32, h as u32, px).unwrap();
    assert!(Scanner::new().scan(&clutter).is_empty());
    let mut stream = StreamScanner::new();
    for _ in 0..8 {
        assert!(stream.scan_frame(&clutter).is_empty());
    }
}

#[test]
fn damaged_code_is_never_misread() {
    let payload = b"wrong text is worse than no text".to_vec();
    let m = modules(&payload);
    let mut rng = Rng::new(11);
    for round in 0..20 {
        let mut damaged = m.clone();
        // Flip a growing share of modules outside the finder patterns.
        let share = 0.02 + 0.02 * round as f32;
        for y in 0..m.size {
            for x in 0..m.size {
                let finder = (y < 8 && (x < 8 || x >= m.size - 8)) || (x < 8 && y >= m.size - 8);
                if !finder && rng.unit() < share {
                    let i = y * m.size + x;
                    damaged.dark[i] = !damaged.dark[i];
                }
            }
        }
        for code in Scanner::new().scan(&pure(&damaged, 4)) {
            assert_eq!(code.bytes, payload, "round {round}: misread");
        }
    }
}

#[test]
fn every_stage_reads_a_clean_code() {
    let payload = b"stage".to_vec();
    let img = pure(&modules(&payload), 6);
    let s = Scanner::new();
    for m in [
        Method::LocalAverage,
        Method::LowContrast,
        Method::Normalized,
        Method::GlobalThreshold,
        Method::Quirc,
    ] {
        let codes = s.scan_stage(&img, m, 1, false);
        assert_eq!(codes.len(), 1, "{m:?}");
        assert_eq!(codes[0].bytes, payload, "{m:?}");
        assert_eq!(codes[0].stage.method, m);
    }
    let codes = s.scan_stage(&img.inverted(), Method::LocalAverage, 2, true);
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].stage.downscale, 2);
}

#[test]
fn stream_reads_a_code_moving_into_view_within_a_few_frames() {
    let payload = b"\x00stream\xff\xfe".to_vec();
    let m = modules(&payload);
    let side = m.size as f32 * 5.0;
    let mut rng = Rng::new(5);
    let mut stream = StreamScanner::new();
    let (w, h) = (640u32, 480u32);
    let mut first = None;
    let mut tracked = 0;
    let in_view_at = 10;
    for i in 0..24 {
        // Enters from the left over 10 frames, then wobbles in place; always noisy.
        let t = (i as f32 / in_view_at as f32).min(1.0);
        let cx = -side / 2.0 + t * (w as f32 / 2.0 + side / 2.0) + rng.range(-3.0, 3.0);
        let mut scene = Scene::new(w, h, synth::square(cx, 240.0, side, rng.range(-5.0, 5.0)));
        scene.blur = if i < in_view_at { 2 } else { 1 };
        scene.noise = 6.0;
        scene.background = 150.0;
        let frame = synth::render(&m, &scene, &mut rng).unwrap();
        let codes = stream.scan_frame(&frame);
        for c in &codes {
            assert_eq!(c.bytes, payload, "frame {i}: misread");
        }
        if !codes.is_empty() {
            first.get_or_insert(i);
            if codes[0].stage.tracked_region {
                tracked += 1;
            }
        }
    }
    let first = first.expect("never read");
    assert!(first <= in_view_at + 4, "first read at frame {first}");
    assert!(tracked > 0, "the remembered region was never used");
    assert!(stream.region().is_some());
}

#[test]
fn conversions_from_camera_formats() {
    let payload = b"\x10yuyv\x80".to_vec();
    let img = pure(&modules(&payload), 4);
    let (w, h) = (img.width(), img.height());
    let rgb: Vec<u8> = img.pixels().iter().flat_map(|&v| [v, v, v]).collect();
    let rgba: Vec<u8> = img.pixels().iter().flat_map(|&v| [v, v, v, 7]).collect();
    assert_eq!(LumaImage::from_rgb(w, h, &rgb).unwrap(), img);
    assert_eq!(LumaImage::from_rgba(w, h, &rgba).unwrap(), img);
    // YUYV needs an even width: crop one column if needed.
    let img2 = img.crop(0, 0, w & !1, h).unwrap();
    let yuyv: Vec<u8> = img2.pixels().iter().flat_map(|&v| [v, 128]).collect();
    let from = LumaImage::from_yuyv(img2.width(), h, &yuyv).unwrap();
    assert_eq!(from, img2);
    assert_eq!(scan_one(&from), vec![payload.clone()]);
    // Wrong sizes are errors, not panics.
    assert!(matches!(
        LumaImage::from_rgb(w, h, &rgb[1..]),
        Err(ImageError::BufferSize { .. })
    ));
    assert!(matches!(
        LumaImage::from_yuyv(3, 1, &[0; 6]),
        Err(ImageError::OddYuyvWidth { width: 3 })
    ));
    assert!(matches!(
        LumaImage::new(0, 5, vec![]),
        Err(ImageError::BadDimensions { .. })
    ));
}

fn jpeg_bytes(img: &LumaImage) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    image::ImageEncoder::write_image(
        enc,
        img.pixels(),
        img.width(),
        img.height(),
        image::ExtendedColorType::L8,
    )
    .unwrap();
    out
}

/// Removes every DHT (0xFFC4) segment, as MJPEG webcams do.
fn strip_huffman_tables(jpeg: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xff);
        let marker = jpeg[i + 1];
        if marker == 0xda {
            out.extend_from_slice(&jpeg[i..]);
            break;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if marker != 0xc4 {
            out.extend_from_slice(&jpeg[i..i + 2 + len]);
        }
        i += 2 + len;
    }
    out
}

#[test]
fn mjpeg_frame_without_huffman_tables() {
    let payload = b"mjpeg\x00\x01".to_vec();
    let img = pure(&modules(&payload), 5);
    let jpeg = jpeg_bytes(&img);
    let mjpeg = strip_huffman_tables(&jpeg);
    assert!(mjpeg.len() < jpeg.len(), "no DHT removed");
    let frame = LumaImage::from_mjpeg(&mjpeg).unwrap();
    assert_eq!((frame.width(), frame.height()), (img.width(), img.height()));
    assert_eq!(scan_one(&frame), vec![payload.clone()]);
    assert_eq!(
        scan_one(&LumaImage::from_encoded(&jpeg).unwrap()),
        vec![payload]
    );
}

#[test]
fn png_file_in_tests_data() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let img = LumaImage::open(dir.join("binary-code.png")).unwrap();
    let codes = Scanner::new().scan(&img);
    assert_eq!(codes.len(), 1);
    let expected = std::fs::read(dir.join("binary-code.bin")).unwrap();
    assert_eq!(codes[0].bytes, expected);
}

#[test]
fn unreadable_files_give_specific_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    match LumaImage::open(dir.join("truncated.png")) {
        Err(ImageError::Corrupt { format, .. }) => assert_eq!(format, "PNG"),
        other => panic!("truncated PNG: {other:?}"),
    }
    match LumaImage::open(dir.join("binary-code.bin")) {
        Err(ImageError::UnsupportedFormat { .. }) => {}
        other => panic!("not an image: {other:?}"),
    }
    match LumaImage::open(dir.join("does-not-exist.png")) {
        Err(e @ ImageError::Io { .. }) => assert!(e.to_string().contains("does-not-exist.png")),
        other => panic!("missing file: {other:?}"),
    }
    let garbage_jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3];
    assert!(matches!(
        LumaImage::from_encoded(&garbage_jpeg),
        Err(ImageError::Corrupt { format: "JPEG", .. })
    ));
    assert!(matches!(
        LumaImage::from_mjpeg(&[]),
        Err(ImageError::Corrupt { .. })
    ));
}

/// Regenerates `tests/data/` (run with `--ignored` after changing it; the files are committed).
#[test]
#[ignore]
fn regenerate_test_data() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng::new(2026);
    let payload = binary_payload(&mut rng, 27);
    let img = pure(&modules(&payload), 3);
    let gray = image::GrayImage::from_raw(img.width(), img.height(), img.into_pixels()).unwrap();
    gray.save(dir.join("binary-code.png")).unwrap();
    std::fs::write(dir.join("binary-code.bin"), &payload).unwrap();
    let png = std::fs::read(dir.join("binary-code.png")).unwrap();
    std::fs::write(dir.join("truncated.png"), &png[..png.len() / 2]).unwrap();
}

#[test]
fn tiny_and_odd_sized_images_do_not_panic() {
    let s = Scanner::new();
    let mut stream = StreamScanner::new();
    for (w, h) in [
        (1, 1),
        (2, 3),
        (7, 300),
        (300, 7),
        (21, 21),
        (41, 40),
        (64, 1),
    ] {
        let img = LumaImage::new(w, h, vec![0; (w * h) as usize]).unwrap();
        assert!(s.scan(&img).is_empty(), "{w}x{h}");
        assert!(stream.scan_frame(&img).is_empty(), "{w}x{h}");
        for inv in [false, true] {
            for m in [Method::LocalAverage, Method::Normalized, Method::Quirc] {
                assert!(s.scan_stage(&img, m, 2, inv).is_empty(), "{w}x{h} {m:?}");
            }
        }
    }
}

/// A strongly slanted symbol (the right edge 1.4–1.6× the left, as a phone held at an angle
/// sees it): its finder patterns differ in size, and rxing's pattern-set test, which scales
/// distances by that size ratio, rejects the set (the true ~110° corner looks > 135°).
/// Found on the generated phone shots (`perspective/7` and `perspective/8`, seed 0x94072026),
/// which zxing-cpp read and we did not; every stage missed them except quirc, which the
/// evidence gate then kept shut.
#[test]
fn strongly_slanted_code_is_read() {
    let payload = b"https://example.org/slanted-symbol-0123456789".to_vec();
    let m = modules(&payload);
    for (k, quad) in [
        [
            (300.0, 260.0),
            (560.0, 190.0),
            (545.0, 540.0),
            (290.0, 470.0),
        ],
        [
            (260.0, 250.0),
            (560.0, 170.0),
            (560.0, 560.0),
            (260.0, 470.0),
        ],
        [
            (250.0, 200.0),
            (470.0, 230.0),
            (480.0, 460.0),
            (240.0, 520.0),
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let mut rng = Rng::new(40 + k as u64);
        let mut s = Scene::new(800, 700, quad);
        s.background = 110.0;
        s.noise = 2.0;
        let img = synth::render(&m, &s, &mut rng).unwrap();
        for rot in Rotation::ALL {
            let codes = scan_one(&img.rotated(rot));
            assert!(codes.contains(&payload), "quad {k} at {rot:?}: {codes:?}");
            let primary =
                Scanner::new().scan_stage(&img.rotated(rot), Method::LocalAverage, 1, false);
            assert!(
                primary.iter().any(|c| c.bytes == payload),
                "quad {k} at {rot:?}: not read by the primary stage"
            );
        }
    }
}

/// Pastes `img` into a canvas of width `w` at (`x`, `y`).
fn paste(canvas: &mut [u8], w: usize, img: &LumaImage, x: usize, y: usize) {
    let s = img.width() as usize;
    for (row, line) in img.pixels().chunks_exact(s).enumerate() {
        canvas[(y + row) * w + x..][..s].copy_from_slice(line);
    }
}

/// A 2400×1800 photo (4.3 MP): the primary pass starts at the 2× level (1200 px, at least
/// `start_side`), reads the code there and stops; corners are in full-resolution pixels.
#[test]
fn large_photo_is_read_at_reduced_scale_first() {
    let payload = b"large photo: the 2x level reads it".to_vec();
    let code = pure(&modules(&payload), 12);
    let (w, h) = (2400usize, 1800usize);
    let mut px = vec![190u8; w * h];
    paste(&mut px, w, &code, 900, 500);
    let img = LumaImage::new(w as u32, h as u32, px).unwrap();
    let codes = Scanner::new().scan(&img);
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(codes[0].bytes, payload);
    assert_eq!(codes[0].stage.downscale, 2);
    let c = codes[0].center();
    let mid = 900.0 + code.width() as f32 / 2.0;
    let mid_y = 500.0 + code.width() as f32 / 2.0;
    assert!(
        (c.x - mid).abs() < 12.0 && (c.y - mid_y).abs() < 12.0,
        "{c:?}"
    );
    // Without early exit the same single code comes back (merged across levels).
    let mut all = ScanOptions::default();
    all.early_exit = false;
    let merged = Scanner::with_options(all).scan(&img);
    assert_eq!(merged.len(), 1, "{merged:?}");
}

/// A large photo with codes of mixed sizes: three large codes read at the 2× level, and a
/// small one (2.5 px per module at full resolution, ~1.2 at 2×) that only the finer level
/// reads: with several codes found, the finer levels still run.
#[test]
fn large_photo_with_codes_of_mixed_sizes() {
    let payloads: Vec<Vec<u8>> = (0..4u8)
        .map(|i| format!("mixed sizes {i} 0123456789").into_bytes())
        .collect();
    let (w, h) = (2600usize, 1600usize);
    let mut px = vec![210u8; w * h];
    for (k, p) in payloads.iter().take(3).enumerate() {
        paste(&mut px, w, &pure(&modules(p), 14), 80 + k * 820, 120);
    }
    // 2.5 px per module: render at 5 and halve.
    let small = pure(&modules(&payloads[3]), 5).downscaled(2).unwrap();
    paste(&mut px, w, &small, 1200, 1300);
    let img = LumaImage::new(w as u32, h as u32, px).unwrap();
    let coarse = Scanner::new().scan_stage(&img, Method::LocalAverage, 2, false);
    assert_eq!(
        coarse.len(),
        3,
        "the 2x level reads the three large codes only"
    );
    let mut got = scan_one(&img);
    got.sort();
    assert_eq!(got, payloads);
}

/// The fallbacks' time budget: with a budget of 0 no fallback stage runs, so a faint code
/// that only the low-contrast fallback reads is not read; without a budget it is.
#[test]
fn zero_budget_runs_no_fallback() {
    let payload = b"faint: only the low-contrast stage".to_vec();
    let img = camera_image(&payload, 9, |s, _| {
        s.dark = 120.0;
        s.light = 133.0;
        s.background = 128.0;
        s.noise = 1.0;
    });
    let primary = Scanner::new().scan_stage(&img, Method::LocalAverage, 1, false);
    assert!(primary.is_empty(), "the primary stage should miss it");
    let mut none = ScanOptions::default();
    none.budget_ms_per_megapixel = None;
    let read = Scanner::with_options(none).scan(&img);
    assert!(read.iter().any(|c| c.bytes == payload), "{read:?}");
    let mut zero = ScanOptions::default();
    zero.budget_ms_per_megapixel = Some(0);
    assert!(Scanner::with_options(zero.clone()).scan(&img).is_empty());
    // The default budget (10 ms per megapixel, far more than this needs) reads it.
    assert!(scan_one(&img).contains(&payload));
    // The inverted passes count as fallbacks: a zero budget skips them too.
    let inverted = pure(&modules(&payload), 4).inverted();
    assert!(Scanner::with_options(zero).scan(&inverted).is_empty());
    assert!(scan_one(&inverted).contains(&payload));
}

/// Colour JPEG (quality 85) of a grey image, tinted so that the chroma planes are not flat.
fn colour_jpeg(img: &LumaImage) -> Vec<u8> {
    let rgb: Vec<u8> = img
        .pixels()
        .iter()
        .flat_map(|&v| [v.saturating_add(12), v, v.saturating_sub(10)])
        .collect();
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    image::ImageEncoder::write_image(
        enc,
        &rgb,
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

/// The two large photos of `tests/data/` (2400×1800 colour JPEGs): one code that the 2×
/// level reads, and (`mixed`) a large code plus a code of 2 px per module that only full
/// resolution reads. Their payloads are in `large-*.txt` (one per line).
fn large_photos() -> [(&'static str, LumaImage, Vec<Vec<u8>>); 2] {
    let (w, h) = (2400usize, 1800usize);
    let desk = |rng: &mut Rng| -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                (150 + (x * 40 / w) as i32 + (y * 30 / h) as i32 + (rng.next_u64() % 7) as i32)
                    as u8
            })
            .collect()
    };
    let mut rng = Rng::new(0x1a59e);
    let one = b"https://example.org/large-photo/0123456789".to_vec();
    let mut px = desk(&mut rng);
    paste(&mut px, w, &pure(&modules(&one), 12), 700, 500);
    let single = LumaImage::new(w as u32, h as u32, px).unwrap();
    let big = b"mixed: the large code".to_vec();
    let small = b"mixed: 2 px per module".to_vec();
    let mut px = desk(&mut rng);
    paste(&mut px, w, &pure(&modules(&big), 12), 200, 300);
    paste(&mut px, w, &pure(&modules(&small), 2), 1700, 1300);
    let mixed = LumaImage::new(w as u32, h as u32, px).unwrap();
    [
        ("large-photo", single, vec![one]),
        ("large-mixed", mixed, vec![big, small]),
    ]
}

/// Writes the large photos of `tests/data/` (run with `--ignored`; the files are committed).
#[test]
#[ignore]
fn regenerate_large_photos() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (name, img, payloads) in large_photos() {
        std::fs::write(dir.join(format!("{name}.jpg")), colour_jpeg(&img)).unwrap();
        let text: Vec<String> = payloads
            .iter()
            .map(|p| String::from_utf8(p.clone()).unwrap())
            .collect();
        std::fs::write(dir.join(format!("{name}.txt")), text.join("\n") + "\n").unwrap();
    }
}

fn data_file(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::read(dir.join(name)).unwrap()
}

fn expected_payloads(name: &str) -> Vec<Vec<u8>> {
    let text = String::from_utf8(data_file(name)).unwrap();
    let mut p: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    p.sort();
    p
}

/// `Scanner::scan_encoded` on the checked-in large colour JPEGs (decoded straight to grey):
/// the single code (read at the 2× level), both codes of the mixed photo (the small one
/// only at full resolution), corners in full-resolution pixels; the same as the `image`
/// crate's colour decode converted to grey and scanned.
#[test]
fn scan_encoded_reads_large_jpegs() {
    use verifier_scan::DecodeLimits;
    let s = Scanner::new();
    for name in ["large-photo", "large-mixed"] {
        let jpeg = data_file(&format!("{name}.jpg"));
        let expected = expected_payloads(&format!("{name}.txt"));
        let codes = s.scan_encoded(&jpeg, &DecodeLimits::default()).unwrap();
        let mut got: Vec<Vec<u8>> = codes.iter().map(|c| c.bytes.clone()).collect();
        got.sort();
        assert_eq!(got, expected, "{name}");
        let whole = LumaImage::from_encoded(&jpeg).unwrap();
        assert_eq!((whole.width(), whole.height()), (2400, 1800));
        // The grey decode equals the colour decode's luma up to rounding.
        let rgb = image::load_from_memory(&jpeg).unwrap().into_rgb8();
        let via_rgb = LumaImage::from_rgb(2400, 1800, rgb.as_raw()).unwrap();
        let diff = whole
            .pixels()
            .iter()
            .zip(via_rgb.pixels())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        assert!(diff <= 8, "{name}: grey decode differs by {diff}");
        let mut whole_got = scan_one(&whole);
        whole_got.sort();
        assert_eq!(whole_got, expected, "{name}: decoded whole");
        for c in &codes {
            let (x0, y0, x1, y1) = c.bounds();
            assert!(
                x0 >= 0.0 && y0 >= 0.0 && x1 <= 2400.0 && y1 <= 1800.0,
                "{c:?}"
            );
        }
        if name == "large-photo" {
            // 12 px per module, pasted at (700, 500) with a 4-module quiet zone.
            let (x0, y0, _, _) = codes[0].bounds();
            assert!(
                (x0 - 748.0).abs() < 8.0 && (y0 - 548.0).abs() < 8.0,
                "{:?}",
                codes[0]
            );
            assert!(codes[0].stage.downscale >= 2, "{:?}", codes[0].stage);
        }
    }
}

/// A header that declares 100 megapixels (10 000 × 10 000) and holds no pixel data is
/// refused from the header alone (no decoder runs, nothing allocated for the pixels),
/// as is one declaring more than the limit; a lower limit refuses smaller images.
#[test]
fn huge_declared_sizes_are_refused_from_the_header() {
    use verifier_scan::{DEFAULT_MAX_PIXELS, DecodeLimits, ImageHeader};
    let png_header = |w: u32, h: u32| {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        png.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 0]); // grey 8-bit, CRC (unchecked)
        png.extend_from_slice(b"\0\0\0\x10IDAT");
        png.extend_from_slice(&[0; 16]);
        png
    };
    let jpeg_header = |w: u16, h: u16| {
        let mut j = vec![0xff, 0xd8, 0xff, 0xc0, 0, 11, 8];
        j.extend_from_slice(&h.to_be_bytes());
        j.extend_from_slice(&w.to_be_bytes());
        j.extend_from_slice(&[1, 1, 0x11, 0]);
        j.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]);
        j.extend_from_slice(&[0; 64]);
        j.extend_from_slice(&[0xff, 0xd9]);
        j
    };
    let s = Scanner::new();
    let limits = DecodeLimits::default();
    assert_eq!(limits.max_pixels, DEFAULT_MAX_PIXELS);
    for (bytes, format) in [
        (png_header(10_000, 10_000), "PNG"),
        (jpeg_header(10_000, 10_000), "JPEG"),
    ] {
        let header = ImageHeader::read(&bytes, &limits);
        match &header {
            Err(
                e @ ImageError::Corrupt {
                    format: f, reason, ..
                },
            ) => {
                assert_eq!(*f, format);
                assert!(reason.contains("10000x10000"), "{reason}");
                assert_eq!(e.code(), 8003);
            }
            other => panic!("{format}: {other:?}"),
        }
        assert!(matches!(
            s.scan_encoded(&bytes, &limits),
            Err(ImageError::Corrupt { .. })
        ));
        assert!(matches!(
            LumaImage::from_encoded(&bytes),
            Err(ImageError::Corrupt { .. })
        ));
    }
    for bytes in [png_header(10_001, 10_000), jpeg_header(10_000, 10_001)] {
        match ImageHeader::read(&bytes, &limits) {
            Err(
                e @ ImageError::TooManyPixels {
                    width: 10_000 | 10_001,
                    pixels: 100_010_000,
                    ..
                },
            ) => {
                assert_eq!(e.code(), 8007);
                assert!(e.to_string().contains("100000000"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s.scan_encoded(&bytes, &limits),
            Err(ImageError::TooManyPixels { .. })
        ));
    }
    // A real file over a lower limit.
    let jpeg = data_file("large-photo.jpg");
    let small = DecodeLimits::default().with_max_pixels(4_000_000);
    assert!(matches!(
        s.scan_encoded(&jpeg, &small),
        Err(ImageError::TooManyPixels {
            width: 2400,
            height: 1800,
            ..
        })
    ));
    assert!(matches!(
        LumaImage::from_encoded_with_limits(&jpeg, &small),
        Err(ImageError::TooManyPixels { .. })
    ));
    let header = ImageHeader::read(&jpeg, &limits).unwrap();
    assert_eq!((header.width, header.height), (2400, 1800));
    // Not an image, truncated: typed errors from scan_encoded too.
    assert!(matches!(
        s.scan_encoded(b"GIF89a....", &limits),
        Err(ImageError::UnsupportedFormat { .. })
    ));
    assert!(matches!(
        s.scan_encoded(&jpeg[..jpeg.len() / 3], &limits),
        Ok(_) | Err(ImageError::Corrupt { .. })
    ));
}

/// Writes the JPEG seeds of the `image_file` fuzz corpus (run with `--ignored`; committed).
#[test]
#[ignore]
fn regenerate_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/image_file");
    let img = pure(&modules(b"fuzz seed"), 2);
    std::fs::write(dir.join("seed-jpeg-grey"), jpeg_bytes(&img)).unwrap();
    std::fs::write(dir.join("seed-jpeg-colour"), colour_jpeg(&img)).unwrap();
    let tiny = img.downscaled(4).unwrap();
    std::fs::write(dir.join("seed-jpeg-colour-tiny"), colour_jpeg(&tiny)).unwrap();
    let mjpeg = strip_huffman_tables(&jpeg_bytes(&tiny));
    std::fs::write(dir.join("seed-mjpeg-no-dht"), mjpeg).unwrap();
}
