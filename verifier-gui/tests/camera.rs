//! The live preview is in colour, end to end: coloured pictures played by the
//! image-sequence camera (`--camera-images`) go through the camera thread and
//! the decoder into the preview texture, and the scanner still reads the code
//! in them. Also: camera results are never queued while the UI does not take
//! them (memory stays bounded).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::wait_until as wait_for;

use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, TestRenderer};
use verifier_core::identity::Identity;
use verifier_core::qr::{IdentityCard, Label, Payload, QrMatrix};
use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::views::scan::CameraState;
use verifier_gui::workers::camera::{
    CameraInfo, CameraProvider, Frame, FrameSource, ImageSequence,
};
use verifier_gui::workers::scan::{ScanEvent, ScanWorker};
use verifier_store::IdentityFile as _;

/// A 1280×720 colour picture: a red-to-green gradient over a blue tint, with a
/// verifier identity code (dark blue on cream) in the middle.
fn coloured_picture(code: &[u8]) -> image::RgbImage {
    let (w, h) = (1280u32, 720u32);
    let mut img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (255 * x / w) as u8,
            (255 - 255 * x / w) as u8,
            (120 + 100 * y / h) as u8,
        ])
    });
    let m = QrMatrix::from_bytes(code).unwrap();
    let n = m.width_with_quiet_zone();
    let q = (n - m.width()) / 2;
    let module = 7u32;
    let side = n as u32 * module;
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    for py in 0..side {
        for px in 0..side {
            let (mx, my) = ((px / module) as usize, (py / module) as usize);
            let dark = mx >= q && my >= q && m.is_dark(mx - q, my - q);
            let c = if dark { [20, 30, 90] } else { [250, 245, 215] };
            img.put_pixel(x0 + px, y0 + py, image::Rgb(c));
        }
    }
    img
}

fn identity_code(name: &str) -> Vec<u8> {
    Payload::Identity(IdentityCard {
        key: Identity::generate(&mut rand_core::OsRng).public_key(),
        display_name: Some(Label::new(name).unwrap()),
        stable_id: None,
    })
    .encode()
}

/// The largest difference between the channels of any pixel (0: grey).
fn colourfulness(img: &egui::ColorImage) -> u8 {
    img.pixels
        .iter()
        .map(|c| {
            let (r, g, b) = (c.r(), c.g(), c.b());
            r.max(g).max(b) - r.min(g).min(b)
        })
        .max()
        .unwrap_or(0)
}

/// Keeps every colour image uploaded to a texture (what the GPU would show).
#[derive(Clone, Default)]
struct Uploads(Arc<Mutex<Vec<Upload>>>);

type Upload = (egui::TextureId, Arc<egui::ColorImage>);

impl TestRenderer for Uploads {
    fn handle_delta(&mut self, delta: &mut egui::TexturesDelta) {
        let mut seen = self.0.lock().unwrap();
        for (id, deltas) in &delta.set {
            for d in deltas {
                let egui::ImageData::Color(img) = &d.image;
                seen.push((*id, Arc::clone(img)));
            }
        }
        delta.set.clear();
        delta.free.clear();
    }
}

struct App {
    h: Harness<'static, VerifierApp>,
    uploads: Uploads,
    _dir: tempfile::TempDir,
}

fn app(cameras: Box<dyn CameraProvider>) -> App {
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("identity");
    Identity::generate(&mut rand_core::OsRng)
        .save(&identity, false)
        .unwrap();
    let config = AppConfig {
        identity_path: identity,
        store_path: Some(dir.path().join("store.sqlite3")),
        cameras,
        file_picker: std::sync::Arc::new(verifier_gui::workers::file_picker::FixedPicker(None)),
    };
    let uploads = Uploads::default();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 1500.0))
        .renderer(uploads.clone())
        .build_ui_state(
            |ui, app: &mut VerifierApp| app.show(ui),
            VerifierApp::new(config, Settings::default()),
        );
    h.run();
    h.get_by_label(Screen::Scan.label()).click();
    h.step();
    App {
        h,
        uploads,
        _dir: dir,
    }
}

/// The images uploaded to the preview texture so far.
fn preview_uploads(a: &App) -> Vec<Arc<egui::ColorImage>> {
    let tex = a.h.ctx.tex_manager();
    let tex = tex.read();
    let uploads = a.uploads.0.lock().unwrap();
    uploads
        .iter()
        .filter(|(id, _)| tex.meta(*id).is_some_and(|m| m.name == "scan-preview"))
        .map(|(_, img)| Arc::clone(img))
        .collect()
}

fn plays_in_colour(dir: &Path, file: &str) {
    let mut a = app(Box::new(ImageSequence::new(dir).with_fps(60)));
    let name = format!("Image sequence: {}", dir.display());
    wait_for(&mut a.h, "the image sequence to stream", |h| {
        matches!(h.state().scan.camera, CameraState::Streaming(0))
    });
    assert!(
        a.h.query_by_value(&name).is_some(),
        "{file}: camera not named"
    );
    wait_for(&mut a.h, "a code found in the sequence", |h| {
        h.state().scan.stats.first_code_at.is_some()
    });
    a.h.step();
    // The code is outlined and assessed.
    assert_eq!(a.h.state().scan.outlines().len(), 1, "{file}");
    assert!(
        a.h.query_by_label("New key: not one of your contacts")
            .is_some(),
        "{file}"
    );
    // The preview texture got coloured pictures at preview size (1280x720 -> 640x360).
    let previews = preview_uploads(&a);
    assert!(!previews.is_empty(), "{file}: no preview uploaded");
    for img in &previews {
        assert_eq!(img.size, [640, 360], "{file}");
        assert!(colourfulness(img) > 150, "{file}: the preview is grey");
    }
    // Left part of the gradient is green, right part red (not swapped, not grey).
    let img = previews.last().unwrap();
    let left = img.pixels[180 * 640 + 20];
    let right = img.pixels[180 * 640 + 620];
    assert!(left.g() > left.r() + 100, "{file}: left {left:?}");
    assert!(right.r() > right.g() + 100, "{file}: right {right:?}");
    // One texture, updated in place: every upload went to the same texture.
    let ids: std::collections::HashSet<_> = {
        let tex = a.h.ctx.tex_manager();
        let tex = tex.read();
        a.uploads
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(id, _)| tex.meta(*id).is_some_and(|m| m.name == "scan-preview"))
            .map(|(id, _)| *id)
            .collect()
    };
    assert_eq!(ids.len(), 1, "{file}: {ids:?}");
}

#[test]
fn jpeg_sequence_plays_as_mjpeg_in_colour_and_its_code_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let code = identity_code("Erin");
    coloured_picture(&code)
        .save_with_format(dir.path().join("frame-1.jpg"), image::ImageFormat::Jpeg)
        .unwrap();
    plays_in_colour(dir.path(), "jpeg");
}

#[test]
fn png_sequence_plays_in_colour_and_its_code_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let code = identity_code("Frank");
    coloured_picture(&code)
        .save_with_format(dir.path().join("a.png"), image::ImageFormat::Png)
        .unwrap();
    plays_in_colour(dir.path(), "png");
}

#[test]
fn an_empty_folder_is_explained_and_the_file_route_stays() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a picture").unwrap();
    let mut a = app(Box::new(ImageSequence::new(dir.path())));
    wait_for(&mut a.h, "the camera to fail", |h| {
        matches!(h.state().scan.camera, CameraState::Failed { .. })
    });
    assert!(
        a.h.query_all_by_label_contains("holds no .png, .jpg or .jpeg files")
            .next()
            .is_some()
    );
    assert!(a.h.query_by_label("Open image").is_some());
}

// ---------- the worker alone: bounded memory ----------

/// A camera that sends the same frame as fast as it is read.
struct Flood(Frame);

struct FloodSource(Frame);

impl CameraProvider for Flood {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        Ok(vec![CameraInfo {
            index: 0,
            name: "flood".to_owned(),
        }])
    }
    fn open(&self, _index: u32) -> Result<Box<dyn FrameSource>, String> {
        Ok(Box::new(FloodSource(self.0.clone())))
    }
}

impl FrameSource for FloodSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        std::thread::sleep(Duration::from_millis(1));
        Ok(Some(self.0.clone()))
    }
}

#[test]
fn camera_results_wait_for_the_ui_one_at_a_time() {
    let img = coloured_picture(&identity_code("Gus"));
    let frame = Frame {
        width: img.width(),
        height: img.height(),
        format: verifier_gui::workers::camera::PixelFormat::Rgb8,
        data: img.into_raw(),
    };
    let ctx = egui::Context::default();
    let w = ScanWorker::start(&ctx, Box::new(Flood(frame)));
    w.open_camera(0);
    let start = Instant::now();
    let mut frames = 0;
    while frames < 3 {
        assert!(start.elapsed() < Duration::from_secs(60), "no frames");
        // The UI is slow: it looks only every 300 ms, while the camera sends 1000 frames/s.
        std::thread::sleep(Duration::from_millis(300));
        w.mark_shown(&ctx);
        let events = w.poll();
        let n = events
            .iter()
            .filter(|e| matches!(e, ScanEvent::Frame { .. }))
            .count();
        assert!(n <= 1, "{n} camera results were queued");
        for e in events {
            if let ScanEvent::Frame {
                decoded, dropped, ..
            } = e
            {
                assert!(colourfulness(&decoded.preview) > 150);
                assert_eq!(decoded.codes.len(), 1);
                if frames > 0 {
                    assert!(dropped > 0, "frames were not dropped");
                }
                frames += 1;
            }
        }
    }
}
