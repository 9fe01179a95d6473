//! Drives the Scan screen headless with fake cameras (still images and
//! sequences generated here from `QrMatrix`), image files, dropped files and
//! pasted images, and checks what lands in the trust store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::wait_until as wait_for;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{IdentityCard, Label, PairwiseCard, Payload, QrMatrix, SessionCode};
use verifier_core::receipt::VerificationMethod;
use verifier_core::sas::JoinCode;
use verifier_core::trust::OwnKeys;
use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::views::scan::CameraState;
use verifier_gui::workers::camera::{
    CameraInfo, CameraProvider, Frame, FrameSource, NoCameras, PixelFormat,
};
use verifier_store::IdentityFile as _;
use verifier_store::{EventKind, Store, TrustStatus};

// ---------- pictures ----------

/// A grey picture.
#[derive(Clone)]
struct Picture {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Picture {
    /// A light, slightly textured background (like a desk under a lamp).
    fn background(w: usize, h: usize, seed: u32) -> Self {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        let px = (0..w * h)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let x = i % w;
                (170 + (x * 40 / w) as u32 + (s % 12)) as u8
            })
            .collect();
        Picture { w, h, px }
    }

    /// Draws a QR code of `bytes` (with its quiet zone) with its top-left at (x, y),
    /// `module` pixels per module; parts outside the picture are clipped.
    fn draw_code(&mut self, bytes: &[u8], x: i64, y: i64, module: usize) -> (i64, i64, i64) {
        let m = QrMatrix::from_bytes(bytes).unwrap();
        let n = m.width_with_quiet_zone();
        let q = (n - m.width()) / 2;
        let side = (n * module) as i64;
        for py in 0..side {
            for px in 0..side {
                let (tx, ty) = (x + px, y + py);
                if tx < 0 || ty < 0 || tx >= self.w as i64 || ty >= self.h as i64 {
                    continue;
                }
                let (mx, my) = ((px as usize) / module, (py as usize) / module);
                let dark = mx >= q && my >= q && m.is_dark(mx - q, my - q);
                self.px[ty as usize * self.w + tx as usize] = if dark { 25 } else { 235 };
            }
        }
        (x, y, side)
    }

    /// Horizontal + vertical box blur of radius `r` (motion and focus blur).
    fn blur(&mut self, r: usize) {
        if r == 0 {
            return;
        }
        for pass in 0..2 {
            let src = self.px.clone();
            for y in 0..self.h {
                for x in 0..self.w {
                    let (mut sum, mut n) = (0u32, 0u32);
                    for d in 0..=2 * r {
                        let (sx, sy) = if pass == 0 {
                            ((x + d).checked_sub(r), Some(y))
                        } else {
                            (Some(x), (y + d).checked_sub(r))
                        };
                        if let (Some(sx), Some(sy)) = (sx, sy)
                            && sx < self.w
                            && sy < self.h
                        {
                            sum += u32::from(src[sy * self.w + sx]);
                            n += 1;
                        }
                    }
                    self.px[y * self.w + x] = (sum / n.max(1)) as u8;
                }
            }
        }
    }

    fn rgb_frame(&self) -> Frame {
        Frame {
            width: self.w as u32,
            height: self.h as u32,
            format: PixelFormat::Rgb8,
            data: self.px.iter().flat_map(|&v| [v, v, v]).collect(),
        }
    }

    fn yuyv_frame(&self) -> Frame {
        Frame {
            width: self.w as u32,
            height: self.h as u32,
            format: PixelFormat::Yuyv,
            data: self.px.iter().flat_map(|&v| [v, 128]).collect(),
        }
    }

    fn png(&self, path: &Path) {
        // A PNG via verifier-core's renderer would hold a bare code; write this
        // picture (code on a background) with a minimal PNG writer instead.
        std::fs::write(path, png_gray(self.w as u32, self.h as u32, &self.px)).unwrap();
    }

    fn color_image(&self) -> egui::ColorImage {
        egui::ColorImage::from_gray([self.w, self.h], &self.px)
    }
}

/// A valid 8-bit greyscale PNG (stored, uncompressed deflate blocks).
fn png_gray(w: u32, h: u32, px: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for row in px.chunks(w as usize) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        z.extend_from_slice(&(b.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(b.len() as u16)).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut bsum) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        bsum = (bsum + a) % 65_521;
    }
    z.extend_from_slice(&((bsum << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A 640×480 picture with the code in the middle.
fn picture_of(bytes: &[u8]) -> Picture {
    let mut p = Picture::background(640, 480, 7);
    let side = (QrMatrix::from_bytes(bytes).unwrap().width_with_quiet_zone() * 5) as i64;
    p.draw_code(bytes, (640 - side) / 2, (480 - side) / 2, 5);
    p
}

fn identity_code(key: PublicKey, name: Option<&str>) -> Vec<u8> {
    Payload::Identity(IdentityCard {
        key,
        display_name: name.map(|n| Label::new(n).unwrap()),
        stable_id: None,
    })
    .encode()
}

// ---------- fake cameras ----------

/// How a fake camera delivers its frames.
#[derive(Clone)]
enum Pace {
    /// Sleep this long before each frame; after the last, repeat it forever.
    Repeat(Duration),
    /// One frame every 2 ms (faster than any scan); end the stream after the last frame.
    FastThenEnd,
    /// One frame each time the test sends on the gate.
    Gated(Arc<Mutex<Option<Receiver<()>>>>),
}

struct FakeCameras {
    frames: Arc<Vec<Frame>>,
    pace: Pace,
    opens: Arc<AtomicUsize>,
    reads: Arc<AtomicUsize>,
    fail_open: Option<String>,
}

impl FakeCameras {
    fn new(frames: Vec<Frame>, pace: Pace) -> Self {
        FakeCameras {
            frames: Arc::new(frames),
            pace,
            opens: Arc::new(AtomicUsize::new(0)),
            reads: Arc::new(AtomicUsize::new(0)),
            fail_open: None,
        }
    }
}

struct FakeSource {
    frames: Arc<Vec<Frame>>,
    next: usize,
    pace: Pace,
    gate: Option<Receiver<()>>,
    reads: Arc<AtomicUsize>,
}

impl CameraProvider for FakeCameras {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        Ok(vec![CameraInfo {
            index: 0,
            name: "Test camera".to_owned(),
        }])
    }
    fn open(&self, _index: u32) -> Result<Box<dyn FrameSource>, String> {
        self.opens.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = &self.fail_open {
            return Err(e.clone());
        }
        let gate = match &self.pace {
            Pace::Gated(g) => g.lock().unwrap().take(),
            _ => None,
        };
        Ok(Box::new(FakeSource {
            frames: Arc::clone(&self.frames),
            next: 0,
            pace: self.pace.clone(),
            gate,
            reads: Arc::clone(&self.reads),
        }))
    }
}

impl FrameSource for FakeSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        match &self.pace {
            Pace::Repeat(d) => std::thread::sleep(*d),
            Pace::FastThenEnd => {
                if self.next >= self.frames.len() {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Pace::Gated(_) => {
                let gate = self.gate.as_ref().ok_or("gate already used")?;
                if gate.recv().is_err() {
                    return Ok(None);
                }
            }
        }
        let i = self.next.min(self.frames.len() - 1);
        self.next += 1;
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(Some(self.frames[i].clone()))
    }
}

// ---------- app and harness ----------

struct Setup {
    _dir: tempfile::TempDir,
    identity: PathBuf,
    store: PathBuf,
    me: PublicKey,
}

/// A saved identity and a store holding `contacts` (name, key).
fn setup(contacts: &[(&str, PublicKey)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("identity");
    let store = dir.path().join("store.sqlite3");
    let id = Identity::generate(&mut rand_core::OsRng);
    id.save(&identity, false).unwrap();
    let mut s = Store::open(&store).unwrap();
    for (name, key) in contacts {
        s.add_contact_with_key(name, None, key, verifier_store::now())
            .unwrap();
    }
    Setup {
        me: id.public_key(),
        _dir: dir,
        identity,
        store,
    }
}

fn app(s: &Setup, cameras: Box<dyn CameraProvider>) -> Harness<'static, VerifierApp> {
    let config = AppConfig {
        identity_path: s.identity.clone(),
        store_path: Some(s.store.clone()),
        cameras,
        file_picker: std::sync::Arc::new(verifier_gui::workers::file_picker::FixedPicker(None)),
    };
    let app = VerifierApp::new(config, Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1100.0, 1500.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    h.run();
    h
}

fn has_label(h: &Harness<'static, VerifierApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

fn has_text(h: &Harness<'static, VerifierApp>, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

fn status_of(h: &Harness<'static, VerifierApp>, name: &str) -> Option<TrustStatus> {
    h.state()
        .shared
        .store
        .snapshot()
        .contacts
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.status.clone())
}

fn go_to_scan(h: &mut Harness<'static, VerifierApp>) {
    h.get_by_label(Screen::Scan.label()).click();
    h.step();
}

fn type_path_and_open(h: &mut Harness<'static, VerifierApp>, path: &Path) {
    h.get_by_label("Image file").focus();
    h.step();
    // Select what was typed before, so the new path replaces it.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label("Image file")
        .type_text(path.to_str().unwrap());
    h.step();
    h.get_by_label("Open image").click();
    h.step();
}

/// Verifications recorded for `name` in the store file.
fn verifications(store: &Path, name: &str) -> usize {
    let s = Store::open(store).unwrap();
    s.history(name)
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Verified { .. }))
        .count()
}

// ---------- tests ----------

#[test]
fn matching_pairwise_code_on_camera_is_verified_in_two_actions() {
    let alice = Identity::generate(&mut rand_core::OsRng).public_key();
    let s = setup(&[("Alice", alice)]);
    // Alice shows the code she made for me: her key + the fingerprint of my key.
    let code = Payload::Pairwise(PairwiseCard::new(alice, &s.me)).encode();
    let frame = picture_of(&code).rgb_frame();
    let cams = FakeCameras::new(vec![frame], Pace::Repeat(Duration::from_millis(30)));
    let mut h = app(&s, Box::new(cams));
    let mut actions = 0;

    go_to_scan(&mut h); // action 1: the camera starts by itself
    actions += 1;
    wait_for(&mut h, "a match on the camera", |h| {
        has_label(h, "✔ Match: this is Alice's key")
    });
    assert!(has_text(&h, "Alice holds your correct key"), "mutual shown");
    assert!(has_label(&h, "Camera preview"));
    // The code is outlined where it is in the frame (centre of 640×480).
    let outline = h.state().scan.outlines()[0];
    let cx = outline.iter().map(|p| p.x).sum::<f32>() / 4.0;
    let cy = outline.iter().map(|p| p.y).sum::<f32>() / 4.0;
    assert!(
        (cx - 320.0).abs() < 20.0 && (cy - 240.0).abs() < 20.0,
        "outline at {cx},{cy}"
    );
    assert_eq!(status_of(&h, "Alice"), Some(TrustStatus::Unverified));

    // Nobody said whose code it is: the app found Alice, and the button names her.
    h.get_by_label("Yes, this is Alice — mark verified").click(); // action 2
    actions += 1;
    wait_for(&mut h, "Alice verified in the store", |h| {
        matches!(
            status_of(h, "Alice"),
            Some(TrustStatus::Verified {
                method: VerificationMethod::QrCamera,
                ..
            })
        )
    });
    wait_for(&mut h, "the confirmation", |h| {
        has_text(h, "Alice is verified (QR code scanned with the camera).")
    });
    assert!(
        actions <= 2,
        "{actions} user actions from launch to verified"
    );
    drop(h);
    assert_eq!(verifications(&s.store, "Alice"), 1);
}

#[test]
fn mismatching_code_is_red_and_records_nothing() {
    let alice = Identity::generate(&mut rand_core::OsRng).public_key();
    let mallory = Identity::generate(&mut rand_core::OsRng).public_key();
    let s = setup(&[("Alice", alice)]);
    // Someone shows a code that calls itself Alice but carries another key.
    let frame = picture_of(&identity_code(mallory, Some("Alice"))).yuyv_frame();
    let cams = FakeCameras::new(vec![frame], Pace::Repeat(Duration::from_millis(30)));
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "a mismatch", |h| {
        has_label(h, "⚠ Mismatch: this is not the key you have for Alice")
    });
    assert!(has_text(&h, "a key swap"), "explains a possible key swap");
    assert!(has_text(&h, "reinstalled"), "explains a reinstall");
    assert!(has_label(&h, "Nothing was recorded."));
    assert!(h.query_by_label("Mark verified").is_none());
    assert!(h.query_by_label("Add contact and mark verified").is_none());
    assert!(has_label(&h, &mallory.to_canonical_string()));
    assert!(has_label(&h, &alice.to_canonical_string()));
    for _ in 0..20 {
        h.step();
    }
    assert!(h.state().shared.store.is_idle());
    assert_eq!(status_of(&h, "Alice"), Some(TrustStatus::Unverified));
    drop(h);
    assert_eq!(verifications(&s.store, "Alice"), 0);
}

#[test]
fn code_of_another_key_is_a_mismatch_when_the_user_names_the_contact() {
    let alice = Identity::generate(&mut rand_core::OsRng).public_key();
    let other = Identity::generate(&mut rand_core::OsRng).public_key();
    let s = setup(&[("Alice", alice)]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.png");
    picture_of(&identity_code(other, None)).png(&file);
    let mut h = app(&s, Box::new(NoCameras));
    go_to_scan(&mut h);
    wait_for(&mut h, "the contact picker", |h| {
        has_label(h, "Whose code is it?")
    });
    h.get_by_label("Whose code is it?").click();
    wait_for(&mut h, "the contact list", |h| has_label(h, "Alice"));
    h.get_by_label("Alice").click();
    h.step();
    type_path_and_open(&mut h, &file);
    wait_for(&mut h, "a mismatch", |h| {
        has_label(h, "⚠ Mismatch: this is not the key you have for Alice")
    });
    assert!(has_text(&h, "You said this is Alice's code"));
    drop(h);
    assert_eq!(verifications(&s.store, "Alice"), 0);
}

#[derive(Debug)]
struct TestDrop(PathBuf);

impl egui::DroppedFile for TestDrop {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn foreign_and_signal_codes_are_named_by_every_picture_route() {
    let s = setup(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&s, Box::new(NoCameras));
    go_to_scan(&mut h);

    // Clipboard: a pasted screenshot of a web link.
    let link = picture_of(b"https://example.com/login");
    h.event(egui::Event::PasteImage(Arc::new(link.color_image())));
    wait_for(&mut h, "the web link named", |h| {
        has_label(h, "This is a web link, not a verifier code.")
    });
    assert!(has_label(&h, "https://example.com/login"));

    // Pasted text that is not a path is explained, not scanned.
    h.event(egui::Event::Paste("hello".to_owned()));
    h.step();
    h.step();
    assert!(has_text(&h, "The clipboard holds text, not a picture"));

    // Drag and drop: a Wi-Fi code (its password is not shown).
    let wifi = dir.path().join("wifi.png");
    picture_of(b"WIFI:S:home;T:WPA;P:hunter2;;").png(&wifi);
    h.input_mut().dropped_files.push(Arc::new(TestDrop(wifi)));
    wait_for(&mut h, "the Wi-Fi code named", |h| {
        has_label(h, "This is a Wi-Fi network code, not a verifier code.")
    });
    assert!(!has_text(&h, "hunter2"));

    // The path field: Signal's safety-number code.
    let mut signal = vec![0x08, 0x02, 0x12, 0x22, 0x0a, 0x20];
    signal.extend_from_slice(&[0x11; 32]);
    signal.extend_from_slice(&[0x1a, 0x22, 0x0a, 0x20]);
    signal.extend_from_slice(&[0x22; 32]);
    let signal_png = dir.path().join("signal.png");
    picture_of(&signal).png(&signal_png);
    type_path_and_open(&mut h, &signal_png);
    wait_for(&mut h, "the Signal code named", |h| {
        has_label(
            h,
            "This is a Signal safety-number code, not a verifier code",
        )
    });

    drop(h);
    assert!(
        Store::open(&s.store)
            .unwrap()
            .list(&OwnKeys::new(s.me))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn without_camera_the_screen_says_so_and_a_png_adds_a_verified_contact() {
    let s = setup(&[]);
    let dave = Identity::generate(&mut rand_core::OsRng).public_key();
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&s, Box::new(NoCameras));
    go_to_scan(&mut h);
    wait_for(&mut h, "the no-camera message", |h| {
        has_label(h, "No camera found.")
    });
    assert!(has_text(&h, "drop an image file on this window"));

    // A missing file is a clear error.
    type_path_and_open(&mut h, &dir.path().join("missing.png"));
    wait_for(&mut h, "an error for a missing file", |h| {
        has_text(h, "Cannot read")
    });

    // A PNG of a code rendered by verifier-core (module size 6).
    let file = dir.path().join("dave.png");
    let png = QrMatrix::for_payload(&Payload::Identity(IdentityCard {
        key: dave,
        display_name: Some(Label::new("Dave").unwrap()),
        stable_id: None,
    }))
    .unwrap()
    .to_png(6)
    .unwrap();
    std::fs::write(&file, png).unwrap();
    type_path_and_open(&mut h, &file);
    wait_for(&mut h, "the new-key offer", |h| {
        has_label(h, "New key: not one of your contacts")
    });
    assert!(has_label(&h, "Scanned picture"));
    // The name field is prefilled from the code.
    assert_eq!(h.get_by_label("Name").value().as_deref(), Some("Dave"));
    h.get_by_label("Add contact and mark verified").click();
    wait_for(&mut h, "Dave verified", |h| {
        matches!(
            status_of(h, "Dave"),
            Some(TrustStatus::Verified {
                method: VerificationMethod::QrImageFile,
                ..
            })
        )
    });
    // A picture proves nothing about who was in the room: recorded as such.
    wait_for(&mut h, "the confirmation", |h| {
        has_text(h, "Dave is verified (QR code read from an image file).")
    });
    wait_for(&mut h, "the match after adding", |h| {
        has_label(h, "✔ Match: this is Dave's key")
    });
    drop(h);
    let store = Store::open(&s.store).unwrap();
    assert_eq!(
        store
            .contact("Dave", &OwnKeys::new(s.me))
            .unwrap()
            .current_key,
        Some(dave)
    );
    assert_eq!(verifications(&s.store, "Dave"), 1);
}

#[test]
fn camera_that_fails_to_open_is_explained() {
    let s = setup(&[]);
    let mut cams = FakeCameras::new(Vec::new(), Pace::FastThenEnd);
    cams.fail_open = Some("device or resource busy".to_owned());
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "the camera error", |h| {
        has_text(h, "cannot be used: device or resource busy")
    });
    assert!(has_label(&h, "Start camera"));
    assert!(
        has_label(&h, "Image file"),
        "the file route stays available"
    );
}

#[test]
fn session_code_offers_to_join_the_live_session() {
    let s = setup(&[]);
    let jc = JoinCode::new(
        "127.0.0.1:47000".parse().unwrap(),
        verifier_core::sas::JoinSecret::from_bytes([9, 8, 7, 6, 5, 4, 3, 2]),
    );
    let code = Payload::Session(SessionCode::new(jc.to_bytes()).unwrap()).encode();
    let frame = picture_of(&code).rgb_frame();
    let cams = FakeCameras::new(vec![frame], Pace::Repeat(Duration::from_millis(30)));
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "the session offer", |h| {
        has_label(h, "Join this session")
    });
    h.get_by_label("Join this session").click();
    h.step();
    h.step();
    h.step();
    assert_eq!(h.state().screen, Screen::Sas);
    // The Live session screen took the scanned code into its join field.
    assert_eq!(h.state().shared.pending_join_code, None);
    assert_eq!(h.state().sas.code_input, jc.to_text());
    assert!(h.query_by_label("Join").is_some());
}

#[test]
fn code_moving_into_view_blurred_is_read_within_a_few_frames() {
    let s = setup(&[]);
    let erin = Identity::generate(&mut rand_core::OsRng).public_key();
    let code = identity_code(erin, Some("Erin"));
    let module = 4;
    let side = (QrMatrix::from_bytes(&code).unwrap().width_with_quiet_zone() * module) as i64;
    // Slides in from the left 70 px per frame (motion blur), then settles (slight blur).
    let mut frames = Vec::new();
    let mut first_in_view = None;
    for i in 0..14i64 {
        let x = (-side + 70 * i).min(240);
        let mut p = Picture::background(640, 480, i as u32 + 1);
        p.draw_code(&code, x, 140, module);
        let moving = x < 240;
        p.blur(if moving { 2 } else { 1 });
        if x >= 0 && first_in_view.is_none() {
            first_in_view = Some(i as u64);
        }
        frames.push(p.yuyv_frame());
    }
    let first_in_view = first_in_view.unwrap();
    let (gate_tx, gate_rx): (Sender<()>, Receiver<()>) = channel();
    let cams = FakeCameras::new(
        frames.clone(),
        Pace::Gated(Arc::new(Mutex::new(Some(gate_rx)))),
    );
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "the camera open", |h| {
        matches!(h.state().scan.camera, CameraState::Streaming(_))
    });
    // One frame at a time, each scanned before the next is sent (nothing dropped).
    for i in 0..frames.len() as u64 {
        gate_tx.send(()).unwrap();
        wait_for(&mut h, "the frame scanned", |h| {
            h.state().scan.stats.scanned > i
        });
        if h.state().scan.stats.first_code_at.is_some() {
            break;
        }
    }
    let st = h.state().scan.stats;
    assert_eq!(st.dropped, 0);
    let read_at = st.first_code_at.expect("the code was never read");
    assert!(
        read_at <= first_in_view + 4,
        "read at frame {read_at}, fully in view from frame {first_in_view}"
    );
    h.step();
    assert!(has_label(&h, "New key: not one of your contacts"));
}

#[test]
fn frames_are_dropped_not_queued_when_decoding_is_behind() {
    let s = setup(&[]);
    let busy = picture_of(&identity_code(
        Identity::generate(&mut rand_core::OsRng).public_key(),
        None,
    ))
    .rgb_frame();
    let n = 400;
    let cams = FakeCameras::new(vec![busy; n], Pace::FastThenEnd);
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "the stream to end", |h| {
        matches!(h.state().scan.camera, CameraState::Failed { .. })
    });
    let st = h.state().scan.stats;
    assert!(st.scanned >= 1);
    assert!(st.dropped > 0, "{st:?}");
    assert!(
        st.scanned + st.dropped <= n as u64 && st.scanned < n as u64,
        "{st:?}"
    );
    assert!(has_text(&h, "the camera stopped sending pictures"));
}

#[test]
fn camera_pauses_when_the_screen_is_left_and_resumes_on_return() {
    let s = setup(&[]);
    let frame = Picture::background(320, 240, 3).rgb_frame();
    let cams = FakeCameras::new(vec![frame], Pace::Repeat(Duration::from_millis(20)));
    let opens = Arc::clone(&cams.opens);
    let reads = Arc::clone(&cams.reads);
    let mut h = app(&s, Box::new(cams));
    go_to_scan(&mut h);
    wait_for(&mut h, "frames", |h| h.state().scan.stats.scanned > 0);
    h.get_by_label(Screen::MyCode.label()).click();
    // The camera is no longer read once the screen is gone (20 ms per frame).
    let mut last = (reads.load(Ordering::SeqCst), Instant::now());
    wait_for(&mut h, "the camera to stop", |_| {
        let now = reads.load(Ordering::SeqCst);
        if now != last.0 {
            last = (now, Instant::now());
        }
        last.1.elapsed() > Duration::from_millis(500)
    });
    assert_eq!(opens.load(Ordering::SeqCst), 1);
    go_to_scan(&mut h);
    wait_for(&mut h, "the camera reopened", |h| {
        matches!(h.state().scan.camera, CameraState::Streaming(_))
            && h.state().scan.stats.scanned > 0
    });
    assert_eq!(opens.load(Ordering::SeqCst), 2);
}
