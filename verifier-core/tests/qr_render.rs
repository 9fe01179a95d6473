//! Rendered codes of every mode scanned back (rqrr) from PNG at several module sizes and
//! rotations; SVG and terminal renderings checked module by module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use image::GrayImage;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::qr::{
    IdentityCard, Label, PairwiseCard, Payload, QUIET_ZONE, QrMatrix, QrRenderError, SessionCode,
    TerminalStyle,
};

fn key(seed: u8) -> PublicKey {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    PublicKey::from_bytes(KeyType::Ed25519, sk.verifying_key().as_bytes()).unwrap()
}

fn payloads() -> Vec<Payload> {
    let long = Label::new("Ä".repeat(32)).unwrap();
    vec![
        Payload::Identity(IdentityCard {
            key: key(1),
            display_name: None,
            stable_id: None,
        }),
        Payload::Identity(IdentityCard {
            key: key(2),
            display_name: Some(long.clone()),
            stable_id: Some(Label::new("@alice:example.org").unwrap()),
        }),
        Payload::Pairwise(PairwiseCard::new(key(3), &key(4))),
        Payload::Pairwise(PairwiseCard {
            display_name: Some(long.clone()),
            stable_id: Some(long),
            ..PairwiseCard::new(key(5), &key(6))
        }),
        // 0xC3 and other high bytes: must survive as raw bytes
        Payload::Session(SessionCode::new(vec![0xc3; 64]).unwrap()),
        Payload::Session(SessionCode::new((0..=63u8).collect::<Vec<_>>()).unwrap()),
    ]
}

/// Every code rqrr finds in the image, as raw bytes.
fn scan(img: &GrayImage) -> Vec<Vec<u8>> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| {
            let mut out = Vec::new();
            g.decode_to(&mut out).expect("decodes");
            out
        })
        .collect()
}

fn rotate(img: &GrayImage, quarter_turns: u32) -> GrayImage {
    match quarter_turns % 4 {
        0 => img.clone(),
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        _ => image::imageops::rotate270(img),
    }
}

#[test]
fn every_mode_scans_back_from_png_at_several_sizes_and_rotations() {
    for payload in payloads() {
        let bytes = payload.encode();
        let m = QrMatrix::for_payload(&payload).unwrap();
        for module_px in [2, 3, 5, 8] {
            let png = m.to_png(module_px).unwrap();
            let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
                .unwrap()
                .to_luma8();
            let side = (m.width() as u32 + 2 * QUIET_ZONE as u32) * module_px;
            assert_eq!((img.width(), img.height()), (side, side));
            for turns in 0..4 {
                let found = scan(&rotate(&img, turns));
                assert_eq!(
                    found,
                    vec![bytes.clone()],
                    "{:?} at {module_px} px, {turns} quarter turns",
                    payload.mode()
                );
                assert_eq!(Payload::decode(&found[0]).unwrap(), payload);
            }
        }
    }
}

#[test]
fn smallest_version_at_level_q() {
    // capacities at Q in byte mode: v3 32, v4 46, v6 74, v7 86 bytes
    let v = |p: &Payload| QrMatrix::for_payload(p).unwrap().version();
    let p = payloads();
    assert_eq!(p[0].encode().len(), 42);
    assert_eq!(v(&p[0]), 4);
    assert_eq!(p[2].encode().len(), 76);
    assert_eq!(v(&p[2]), 7);
    assert_eq!(QrMatrix::from_bytes(&[0; 32]).unwrap().version(), 3);
    assert_eq!(QrMatrix::from_bytes(&[0; 33]).unwrap().version(), 4);
    assert_eq!(QrMatrix::from_bytes(&[0; 1663]).unwrap().version(), 40);
    assert_eq!(
        QrMatrix::from_bytes(&[0; 1664]),
        Err(QrRenderError::TooLong { len: 1664 })
    );
}

#[test]
fn bad_module_sizes_are_errors() {
    let m = QrMatrix::for_payload(&payloads()[0]).unwrap();
    assert!(matches!(
        m.to_png(0),
        Err(QrRenderError::ModuleSize { module_px: 0, .. })
    ));
    assert!(matches!(
        m.to_png(10_000),
        Err(QrRenderError::ModuleSize { .. })
    ));
}

#[test]
fn svg_draws_exactly_the_dark_modules() {
    let m = QrMatrix::for_payload(&payloads()[2]).unwrap();
    let svg = m.to_svg();
    let n = m.width() + 2 * QUIET_ZONE;
    assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut drawn = std::collections::HashSet::new();
    for sq in d.split('M').filter(|s| !s.is_empty()) {
        let xy = sq.strip_suffix("h1v1h-1z").unwrap();
        let (x, y) = xy.split_once(',').unwrap();
        drawn.insert((x.parse::<usize>().unwrap(), y.parse::<usize>().unwrap()));
    }
    for y in 0..n {
        for x in 0..n {
            let dark =
                x >= QUIET_ZONE && y >= QUIET_ZONE && m.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
            assert_eq!(drawn.contains(&(x, y)), dark, "module ({x},{y})");
        }
    }
}

/// Reads terminal text back into modules (true = block drawn).
fn terminal_modules(text: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

#[test]
fn terminal_rendering_has_quiet_zone_and_every_module() {
    let m = QrMatrix::for_payload(&payloads()[0]).unwrap();
    let n = m.width() + 2 * QUIET_ZONE;
    for style in [TerminalStyle::LightOnDark, TerminalStyle::DarkOnLight] {
        let text = m.to_terminal(style);
        assert_eq!(text.lines().count(), n.div_ceil(2));
        let rows = terminal_modules(&text);
        for (y, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), n);
            for (x, &ink) in row.iter().enumerate() {
                let inside = (QUIET_ZONE..QUIET_ZONE + m.width()).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + m.width()).contains(&y);
                let dark = inside && m.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
                let expected = match style {
                    TerminalStyle::LightOnDark => !dark,
                    _ => dark,
                };
                assert_eq!(ink, expected, "{style:?} module ({x},{y})");
            }
        }
    }
}

#[test]
fn terminal_rendering_scans_back() {
    // Paint the terminal text as a dark-on-light image, as a light-on-dark terminal shows it.
    let m = QrMatrix::for_payload(&payloads()[2]).unwrap();
    let rows = terminal_modules(&m.to_terminal(TerminalStyle::LightOnDark));
    let px = 4;
    let n = rows[0].len() as u32;
    let img = GrayImage::from_fn(n * px, rows.len() as u32 * px, |x, y| {
        let ink = rows[(y / px) as usize][(x / px) as usize];
        image::Luma([if ink { 255 } else { 0 }])
    });
    assert_eq!(scan(&img), vec![payloads()[2].encode()]);
}
