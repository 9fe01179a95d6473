//! Scan screen: verify someone in person by scanning their verifier code.
//!
//! Pictures come from a camera (live preview, the detected code outlined), an
//! image file (path field), a file dropped on the window, or the clipboard
//! (Ctrl+V with an image, or with a file path). The first relevant code found
//! is assessed at once against the trust store ([`verdict::assess`]): the app
//! may identify whose key it is, but what the scan means for that contact is
//! the trust engine's answer. A match offers "Mark verified" (for the contact
//! the person chose) or "Yes, this is … — mark verified" (for the contact the
//! app identified: nothing is recorded until the person confirms it is them);
//! a contact whose key changed opens the key-change flow
//! ([`crate::views::key_change`]); a mismatch or a tampered entry is shown in
//! red and records nothing; an unknown key offers "Add contact"; other codes
//! are named. A picture (file, drop, paste) is recorded as "QR code read from
//! an image file", weaker than a camera scan, and the result says so.
//!
//! Nothing here blocks: cameras and decoding run in [`crate::workers::scan`],
//! store writes in the store worker.

pub mod verdict;

use std::path::PathBuf;
use std::sync::Arc;

use verifier_core::key::PublicKey;
use verifier_core::qr::{ScannedCode, classify, scan_evidence};
use verifier_core::receipt::VerificationMethod;
use verifier_core::trust::{Intent, QrSource, Refusal};
use verifier_store::TrustStatus;

use crate::identity::IdentityState;
use crate::screen::Screen;
use crate::shared::Shared;
use crate::views::contacts::{fmt_time, method_text};
use crate::views::key_change::{self, KeyChangeView};
use crate::views::record::{self, Failure, FailureSlot, LookalikeAnswer, NewContact};
use crate::workers::camera::{CameraInfo, CameraProvider};
use crate::workers::scan::{Decoded, ScanEvent, ScanWorker, StillImage, StopReason};
use verdict::{Foreign, Found, Mutual, Verdict};

/// Store job tag of "Mark verified" / "Add contact" on this screen.
pub const VERIFY_TAG: &str = "scan-verify";

/// The camera part of the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CameraState {
    /// Looking for cameras.
    Listing,
    /// Listing failed.
    ListFailed(String),
    /// No camera is open.
    Off,
    /// Opening this camera.
    Opening(u32),
    /// This camera is streaming.
    Streaming(u32),
    /// Stopped because the screen was left; reopened when it is shown again.
    Paused(u32),
    /// Opening or streaming failed.
    Failed {
        /// Which camera.
        index: u32,
        /// Why.
        message: String,
    },
}

/// The picture shown in the preview and the codes outlined on it.
struct Shown {
    width: u32,
    height: u32,
    outlines: Vec<[egui::Pos2; 4]>,
    from_camera: bool,
}

/// The code the result panel is about.
#[derive(Clone, Debug)]
pub struct Scanned {
    /// The code's raw bytes.
    pub bytes: Vec<u8>,
    /// Where it came from ("camera", a file name, "the pasted image").
    pub source: String,
    /// How it was read, as recorded when it is marked verified:
    /// [`VerificationMethod::QrCamera`] for the camera,
    /// [`VerificationMethod::QrImageFile`] for an opened, dropped or pasted picture.
    pub method: VerificationMethod,
    /// Other codes in the same picture.
    pub others: usize,
}

/// Frame statistics of the running camera.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FrameStats {
    /// Frames scanned since the camera opened.
    pub scanned: u64,
    /// Frames dropped because the decoder was busy.
    pub dropped: u64,
    /// Scan time of the last frame, in milliseconds.
    pub last_ms: f32,
    /// Number of the camera frame (0-based, counting dropped frames) in which a
    /// code was first found.
    pub first_code_at: Option<u64>,
}

/// Transient state of the screen.
pub struct ScanState {
    cameras: Option<Box<dyn CameraProvider>>,
    worker: Option<ScanWorker>,
    /// The cameras found (empty: none).
    pub camera_list: Vec<CameraInfo>,
    /// The camera part.
    pub camera: CameraState,
    selected_camera: Option<u32>,
    user_stopped: bool,
    texture: Option<egui::TextureHandle>,
    shown: Option<Shown>,
    /// The code the result is about.
    pub scanned: Option<Scanned>,
    /// Frame statistics of the running camera.
    pub stats: FrameStats,
    expected: Option<String>,
    path_input: String,
    still_message: Option<Result<String, String>>,
    frame_error: Option<String>,
    add_name: String,
    /// The contact a "Mark verified" job is about (to show its outcome).
    action_for: Option<String>,
    /// Why the last job recorded nothing, when the screen can offer a next step.
    failure: FailureSlot,
    /// The key-change panel (fingerprints of the pair shown).
    key_change: KeyChangeView,
    /// The person answered "Not now" in the key-change flow for this result.
    not_now: bool,
}

impl ScanState {
    /// A scan screen using these cameras.
    pub fn new(cameras: Box<dyn CameraProvider>) -> Self {
        ScanState {
            cameras: Some(cameras),
            worker: None,
            camera_list: Vec::new(),
            camera: CameraState::Listing,
            selected_camera: None,
            user_stopped: false,
            texture: None,
            shown: None,
            scanned: None,
            stats: FrameStats::default(),
            expected: None,
            path_input: String::new(),
            still_message: None,
            frame_error: None,
            add_name: String::new(),
            action_for: None,
            failure: FailureSlot::new(),
            key_change: KeyChangeView::default(),
            not_now: false,
        }
    }

    /// The outlines of the codes in the shown picture, in its pixel coordinates
    /// (corners clockwise, from the scanner).
    pub fn outlines(&self) -> &[[egui::Pos2; 4]] {
        self.shown.as_ref().map_or(&[], |s| s.outlines.as_slice())
    }

    /// Shows the picture's preview in the one preview texture (replaced in
    /// place, not reallocated per frame) and outlines its codes.
    fn set_preview(&mut self, ctx: &egui::Context, decoded: &mut Decoded, from_camera: bool) {
        let image = std::mem::take(&mut decoded.preview);
        match &mut self.texture {
            // Same size (every camera frame): overwrite the texture's pixels in place.
            Some(t) if t.size() == image.size => {
                t.set_partial([0, 0], image, egui::TextureOptions::LINEAR);
            }
            Some(t) => t.set(image, egui::TextureOptions::LINEAR),
            None => {
                self.texture =
                    Some(ctx.load_texture("scan-preview", image, egui::TextureOptions::LINEAR));
            }
        }
        self.shown = Some(Shown {
            width: decoded.width,
            height: decoded.height,
            outlines: decoded
                .codes
                .iter()
                .map(|c| c.corners.map(|p| egui::pos2(p.x, p.y)))
                .collect(),
            from_camera,
        });
    }

    /// Takes the most relevant code of a picture as the result (a camera frame
    /// replaces the result only when it shows a different code).
    fn take_codes(&mut self, decoded: &Decoded, source: &str, method: VerificationMethod) {
        let Some(best) = decoded
            .codes
            .iter()
            .min_by_key(|c| verdict::relevance(&c.bytes))
        else {
            return;
        };
        if self
            .scanned
            .as_ref()
            .is_some_and(|s| s.bytes == best.bytes && s.method == method)
        {
            return;
        }
        let v = verdict::assess(&best.bytes, None, &[], None);
        self.add_name = match &v {
            Verdict::NewKey { name, .. } => name.clone().unwrap_or_default(),
            _ => String::new(),
        };
        self.action_for = None;
        self.not_now = false;
        self.failure.clear();
        self.scanned = Some(Scanned {
            bytes: best.bytes.clone(),
            source: source.to_owned(),
            method,
            others: decoded.codes.len().saturating_sub(1),
        });
    }

    fn handle(&mut self, ctx: &egui::Context, event: ScanEvent) {
        match event {
            ScanEvent::Cameras(Ok(list)) => {
                self.camera_list = list;
                self.camera = CameraState::Off;
                let keep = self
                    .selected_camera
                    .filter(|i| self.camera_list.iter().any(|c| c.index == *i));
                self.selected_camera = keep.or(self.camera_list.first().map(|c| c.index));
                // Start the camera at once: scanning should need no extra click.
                if let (Some(i), false) = (self.selected_camera, self.user_stopped) {
                    self.open(i);
                }
            }
            ScanEvent::Cameras(Err(e)) => self.camera = CameraState::ListFailed(e),
            ScanEvent::CameraOpened { index } => {
                self.camera = CameraState::Streaming(index);
                self.stats = FrameStats::default();
                self.frame_error = None;
            }
            ScanEvent::CameraFailed { index, message } => {
                self.camera = CameraState::Failed { index, message };
            }
            ScanEvent::CameraStopped { reason, dropped } => {
                self.stats.dropped = self.stats.dropped.max(dropped);
                self.camera = match (reason, &self.camera) {
                    (StopReason::Paused, CameraState::Streaming(i)) => CameraState::Paused(*i),
                    (StopReason::Ended, CameraState::Streaming(i)) => CameraState::Failed {
                        index: *i,
                        message: "the camera stopped sending pictures".to_owned(),
                    },
                    _ => CameraState::Off,
                };
            }
            ScanEvent::Frame {
                mut decoded,
                index,
                dropped,
            } => {
                // Frames of a camera that was stopped meanwhile are ignored.
                if !matches!(self.camera, CameraState::Streaming(_)) {
                    return;
                }
                self.stats.scanned = index + 1;
                self.stats.dropped = dropped;
                self.stats.last_ms = decoded.decode_ms;
                if !decoded.codes.is_empty() && self.stats.first_code_at.is_none() {
                    self.stats.first_code_at = Some(index + dropped);
                }
                self.set_preview(ctx, &mut decoded, true);
                self.take_codes(&decoded, "camera", VerificationMethod::QrCamera);
            }
            ScanEvent::FrameError { message } => self.frame_error = Some(message),
            ScanEvent::Still { source, result } => match result {
                Ok(mut decoded) => {
                    self.set_preview(ctx, &mut decoded, false);
                    if decoded.codes.is_empty() {
                        self.scanned = None;
                        self.still_message = Some(Err(format!(
                            "No QR code found in {source}. The whole code must be in the picture, sharp, and not too small."
                        )));
                    } else {
                        self.still_message =
                            Some(Ok(format!("Read {source} in {:.0} ms.", decoded.decode_ms)));
                        // A new picture replaces the result even if it shows the same code.
                        self.scanned = None;
                        self.take_codes(&decoded, &source, VerificationMethod::QrImageFile);
                    }
                }
                Err(e) => self.still_message = Some(Err(format!("Cannot read {source}: {e}"))),
            },
        }
    }

    fn open(&mut self, index: u32) {
        if let Some(w) = &self.worker {
            w.open_camera(index);
            self.camera = CameraState::Opening(index);
        }
    }

    fn scan_still(&mut self, image: StillImage) {
        let Some(w) = &self.worker else { return };
        // A still picture replaces the live preview: stop the camera.
        if matches!(
            self.camera,
            CameraState::Streaming(_) | CameraState::Opening(_)
        ) {
            w.stop_camera();
            self.user_stopped = true;
        }
        self.still_message = Some(Ok(format!("Reading {}…", image.describe())));
        w.scan_still(image);
    }
}

fn camera_name(list: &[CameraInfo], index: u32) -> String {
    list.iter()
        .find(|c| c.index == index)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("camera {index}"))
}

/// A path from pasted text: a plain path or a `file://` URI of an existing file.
fn pasted_path(text: &str) -> Option<PathBuf> {
    let line = text.lines().next()?.trim();
    let raw = line.strip_prefix("file://").unwrap_or(line);
    let path = PathBuf::from(raw.replace("%20", " "));
    path.is_file().then_some(path)
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut ScanState) {
    let ctx = ui.ctx().clone();
    if state.worker.is_none()
        && let Some(cameras) = state.cameras.take()
    {
        let w = ScanWorker::start(&ctx, cameras);
        w.list_cameras();
        state.worker = Some(w);
    }
    let events = match &state.worker {
        Some(w) => {
            w.mark_shown(&ctx);
            w.poll()
        }
        None => Vec::new(),
    };
    for e in events {
        state.handle(&ctx, e);
    }
    if let CameraState::Paused(i) = state.camera {
        state.open(i);
    }
    input_routes(ui, state);

    ui.heading("Scan a verifier code");
    ui.label("Ask your contact to open “My code” in verifier and hold their screen in front of your camera. The app compares their whole key with the one you have — nothing to read out.");
    ui.add_space(6.0);

    camera_bar(ui, state);
    ui.add_space(6.0);
    expected_picker(ui, shared, state);
    ui.add_space(6.0);
    result_panel(ui, shared, state);
    ui.add_space(6.0);
    preview(ui, shared, state);
    ui.add_space(10.0);
    file_routes(ui, state);
}

/// Dropped files and clipboard paste.
fn input_routes(ui: &mut egui::Ui, state: &mut ScanState) {
    let typing = ui.ctx().egui_wants_keyboard_input();
    let (dropped, pasted_image, pasted_text) = ui.input(|i| {
        let mut image = None;
        let mut text = None;
        for e in &i.events {
            match e {
                egui::Event::PasteImage(img) => image = Some(Arc::clone(img)),
                egui::Event::Paste(t) if !typing => text = Some(t.clone()),
                _ => {}
            }
        }
        (i.raw.dropped_files.first().cloned(), image, text)
    });
    if let Some(file) = dropped {
        state.scan_still(StillImage::Dropped(file));
    } else if let Some(img) = pasted_image {
        state.scan_still(StillImage::Pasted(img));
    } else if let Some(text) = pasted_text {
        if let Some(path) = pasted_path(&text) {
            state.scan_still(StillImage::Path(path));
        } else if PublicKey::parse(text.trim()).is_ok() {
            state.still_message = Some(Err("You pasted a key in text form. Scanning needs their QR code: pasted text proves nothing about whose key it is. Add a key by text on the Contacts screen.".to_owned()));
        } else {
            state.still_message = Some(Err("The clipboard holds text, not a picture. Copy the picture itself (or an image file's path) and paste again.".to_owned()));
        }
    }
}

fn camera_bar(ui: &mut egui::Ui, state: &mut ScanState) {
    let mut open: Option<u32> = None;
    let mut stop = false;
    match state.camera.clone() {
        CameraState::Listing => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Looking for cameras…");
            });
            if cfg!(target_os = "macos") {
                ui.label("If macOS asks whether verifier may use the camera, answer there.");
            }
        }
        CameraState::ListFailed(e) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Cameras cannot be used: {e}"),
            );
            ui.label("You can still open an image file, drop one on this window, or paste a picture (Ctrl+V).");
        }
        _ if state.camera_list.is_empty() => {
            ui.label(egui::RichText::new("No camera found.").strong());
            ui.label("Open a picture of the code instead: type its path below, drop an image file on this window, or paste a screenshot (Ctrl+V).");
        }
        camera => {
            ui.horizontal(|ui| {
                let selected = state
                    .selected_camera
                    .or(state.camera_list.first().map(|c| c.index));
                let name = selected
                    .map(|i| camera_name(&state.camera_list, i))
                    .unwrap_or_default();
                egui::ComboBox::from_label("Camera")
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for c in &state.camera_list {
                            if ui
                                .selectable_label(selected == Some(c.index), &c.name)
                                .clicked()
                            {
                                state.selected_camera = Some(c.index);
                                open = Some(c.index);
                            }
                        }
                    });
                match &camera {
                    CameraState::Streaming(_) | CameraState::Opening(_) => {
                        if ui.button("Stop camera").clicked() {
                            stop = true;
                        }
                    }
                    _ => {
                        if ui.button("Start camera").clicked() {
                            open = selected;
                        }
                    }
                }
            });
            match &camera {
                CameraState::Opening(i) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(format!("Opening {}…", camera_name(&state.camera_list, *i)));
                    });
                }
                CameraState::Streaming(_) => {
                    let s = state.stats;
                    ui.label(
                        egui::RichText::new(format!(
                            "Scanning: {} frames read, {} skipped while busy, {:.0} ms per frame",
                            s.scanned, s.dropped, s.last_ms
                        ))
                        .small(),
                    );
                }
                CameraState::Failed { index, message } => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!(
                            "The camera “{}” cannot be used: {message}.",
                            camera_name(&state.camera_list, *index)
                        ),
                    );
                    ui.label("Close other programs that may be using it, check that you may use it (on Linux: the “video” group), then press Start camera. Or open a picture of the code below.");
                }
                _ => {}
            }
            if let Some(e) = &state.frame_error {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
        }
    }
    if stop {
        if let Some(w) = &state.worker {
            w.stop_camera();
        }
        state.user_stopped = true;
    }
    if let Some(i) = open {
        state.user_stopped = false;
        state.open(i);
    }
}

fn expected_picker(ui: &mut egui::Ui, shared: &Shared, state: &mut ScanState) {
    let contacts = &shared.store.snapshot().contacts;
    if contacts.is_empty() {
        state.expected = None;
        return;
    }
    if let Some(e) = &state.expected
        && !contacts.iter().any(|c| &c.name == e)
    {
        state.expected = None;
    }
    const ANYONE: &str = "Anyone (look the key up)";
    egui::ComboBox::from_label("Whose code is it?")
        .selected_text(state.expected.as_deref().unwrap_or(ANYONE))
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(state.expected.is_none(), ANYONE)
                .clicked()
            {
                state.expected = None;
            }
            for c in contacts {
                if ui
                    .selectable_label(state.expected.as_deref() == Some(&c.name), &c.name)
                    .clicked()
                {
                    state.expected = Some(c.name.clone());
                }
            }
        });
}

fn preview(ui: &mut egui::Ui, shared: &Shared, state: &ScanState) {
    let (Some(tex), Some(shown)) = (&state.texture, &state.shown) else {
        return;
    };
    let [tw, th] = tex.size();
    let max_w = ui.available_width().min(640.0);
    let scale = (max_w / tw.max(1) as f32).min(480.0 / th.max(1) as f32);
    let size = egui::vec2(tw as f32, th as f32) * scale;
    let alt = if shown.from_camera {
        "Camera preview"
    } else {
        "Scanned picture"
    };
    let resp = ui.add(egui::Image::new((tex.id(), size)).alt_text(alt));
    let rect = resp.rect;
    // The colour is the trust engine's answer: green only for a match.
    let verdict = state
        .scanned
        .as_ref()
        .map(|s| current_verdict(shared, state, s));
    let colour = match verdict {
        Some(v) if v.is_match() => egui::Color32::from_rgb(0, 200, 60),
        Some(v) if v.is_refused() => egui::Color32::from_rgb(230, 30, 30),
        _ => egui::Color32::from_rgb(250, 190, 0),
    };
    let sx = rect.width() / shown.width.max(1) as f32;
    let sy = rect.height() / shown.height.max(1) as f32;
    let painter = ui.painter_at(rect);
    for corners in &shown.outlines {
        let pts: Vec<egui::Pos2> = corners
            .iter()
            .map(|p| rect.min + egui::vec2(p.x * sx, p.y * sy))
            .collect();
        painter.add(egui::Shape::closed_line(
            pts,
            egui::Stroke::new(3.0, colour),
        ));
    }
}

fn file_routes(ui: &mut egui::Ui, state: &mut ScanState) {
    ui.separator();
    ui.label(egui::RichText::new("From a picture").strong());
    let mut go = false;
    ui.horizontal(|ui| {
        let label = ui.label("Image file");
        let resp = ui.add(
            egui::TextEdit::singleline(&mut state.path_input)
                // A fixed id: keyboard focus stays in the field when the camera
                // area above it changes size (cameras found, preview started).
                .id_salt("scan-image-file")
                .hint_text("/path/to/picture.png")
                .desired_width(360.0),
        );
        let resp = resp.labelled_by(label.id);
        if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            go = true;
        }
        if ui.button("Open image").clicked() {
            go = true;
        }
    });
    let path = state.path_input.trim().to_owned();
    if go {
        if path.is_empty() {
            state.still_message =
                Some(Err("Type the path of a PNG or JPEG file first.".to_owned()));
        } else {
            state.scan_still(StillImage::Path(PathBuf::from(path)));
        }
    }
    let hovering = ui.input(|i| !i.raw.hovered_files.is_empty());
    let hint = if hovering {
        egui::RichText::new("Drop the file to scan it").strong()
    } else {
        egui::RichText::new(
            "You can also drop a PNG or JPEG file on this window, or paste a picture with Ctrl+V.",
        )
    };
    ui.label(hint);
    match &state.still_message {
        Some(Ok(m)) => {
            ui.label(m);
        }
        Some(Err(m)) => {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        None => {}
    }
}

fn current_verdict(shared: &Shared, state: &ScanState, scanned: &Scanned) -> Verdict {
    let my_key = match &shared.identity {
        IdentityState::Ready(me) => Some(me.public),
        IdentityState::Failed { .. } => None,
    };
    verdict::assess(
        &scanned.bytes,
        my_key.as_ref(),
        &shared.store.snapshot().contacts,
        state.expected.as_deref(),
    )
}

fn framed(ui: &mut egui::Ui, colour: egui::Color32, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(colour.gamma_multiply(0.12))
        .stroke(egui::Stroke::new(2.0, colour))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui);
        });
}

fn key_line(ui: &mut egui::Ui, label: &str, key: &PublicKey) {
    ui.horizontal_wrapped(|ui| {
        ui.label(label);
        ui.add(
            egui::Label::new(egui::RichText::new(key.to_canonical_string()).monospace())
                .selectable(true),
        );
    });
}

/// `name` is the contact's name, or `None` for someone not yet in the contacts.
fn mutual_note(ui: &mut egui::Ui, mutual: Mutual, name: Option<&str>) {
    let (who, whose) = match name {
        Some(n) => (n.to_owned(), format!("{n}'s")),
        None => ("they".to_owned(), "their".to_owned()),
    };
    match mutual {
        Mutual::HoldsMyKey => {
            let verb = if name.is_some() { "holds" } else { "hold" };
            ui.label(format!(
                "✔ Mutual: the code also shows that {who} {verb} your correct key."
            ));
        }
        Mutual::HoldsWrongKey => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("⚠ But the key {whose} app holds for you is not your key (or the code was made for someone else). Ask {who} to scan your code too."),
            );
        }
        Mutual::NotClaimed | Mutual::Unknown => {}
    }
}

/// The signer and my key, or why verification cannot be recorded.
fn signer(shared: &Shared) -> Result<Arc<verifier_core::identity::Identity>, String> {
    match &shared.identity {
        IdentityState::Ready(me) => Ok(Arc::clone(&me.identity)),
        IdentityState::Failed { message, .. } => Err(format!(
            "your identity cannot be used ({message}), so nothing can be recorded"
        )),
    }
}

fn submit_verify(
    shared: &mut Shared,
    state: &mut ScanState,
    contact: String,
    key: PublicKey,
    add: Option<NewContact>,
    replaces: Option<PublicKey>,
) {
    let signer = match signer(shared) {
        Ok(s) => s,
        Err(e) => {
            state.still_message = Some(Err(e));
            return;
        }
    };
    let IdentityState::Ready(me) = &shared.identity else {
        state.still_message = Some(Err(
            "your identity cannot be used, so nothing can be recorded".to_owned(),
        ));
        return;
    };
    let own = me.own.clone();
    // The evidence comes from the code itself (core's check), with where it came
    // from: a picture (file, drop, paste) proves nothing about who was in the
    // room; only the camera is in person.
    let Some(scanned) = state.scanned.as_ref() else {
        return;
    };
    let source = if scanned.method == VerificationMethod::QrCamera {
        QrSource::Camera
    } else {
        QrSource::ImageFile
    };
    let evidence = match classify(&scanned.bytes) {
        ScannedCode::Verifier(p) => match scan_evidence(&p, &me.public, source) {
            Ok((_, e)) => e,
            Err(e) => {
                state.still_message = Some(Err(format!("not recorded: {e}")));
                return;
            }
        },
        _ => return,
    };
    if evidence.key() != &key {
        return;
    }
    // The key-change flow names the two keys the person was shown.
    let intent = match replaces {
        Some(old) => Intent::ConfirmKeyChange { old, new: key },
        None => Intent::Verify,
    };
    state.action_for = Some(contact.clone());
    state.failure.clear();
    let failure = state.failure.clone();
    shared.store.submit(VERIFY_TAG, move |store| {
        record::record(
            store,
            &contact,
            evidence,
            intent,
            add.as_ref(),
            &signer,
            &own,
            &failure,
        )
    });
}

/// The outcome of the last "mark verified" job, if there is one. True while it
/// runs or once it succeeded (the action buttons are then hidden).
fn action_outcome(ui: &mut egui::Ui, shared: &Shared, state: &ScanState) -> bool {
    if state.action_for.is_none() {
        return false;
    }
    match shared.store.result(VERIFY_TAG) {
        Some(Ok(m)) => {
            ui.label(egui::RichText::new(format!("✔ {m}")).strong());
            true
        }
        Some(Err(_)) if matches!(state.failure.get(), Some(Failure::Lookalike { .. })) => {
            // The question is asked by the panel that adds the contact.
            true
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Not recorded: {e}"));
            false
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Recording…");
            });
            true
        }
    }
}

/// Said on every result that would be recorded from a picture.
fn picture_note(ui: &mut egui::Ui, scanned: &Scanned) {
    if record::is_from_picture(scanned.method) {
        ui.colored_label(ui.visuals().warn_fg_color, key_change::IMAGE_FILE_NOTE);
    }
}

fn heading(ui: &mut egui::Ui, text: String, colour: Option<egui::Color32>) {
    let t = egui::RichText::new(text).strong().size(20.0);
    ui.label(match colour {
        Some(c) => t.color(c),
        None => t,
    });
}

/// The result for a code about one of the contacts: the trust engine's answer
/// decides what is shown.
#[allow(clippy::too_many_arguments)]
fn contact_result(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut ScanState,
    scanned: &Scanned,
    contact: String,
    key: PublicKey,
    stored: Option<PublicKey>,
    status: &TrustStatus,
    mutual: Mutual,
    found: Found,
    engine: Result<(), Refusal>,
) {
    let green = egui::Color32::from_rgb(0, 150, 50);
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    match engine {
        Ok(()) if stored.is_none() => {
            framed(ui, amber, |ui| {
                heading(ui, format!("{contact} has no key yet"), None);
                ui.label(format!("Save this key as {contact}'s and mark it verified — only if the person in front of you is {contact}."));
                mutual_note(ui, mutual, Some(&contact));
                key_line(ui, "Key:", &key);
                picture_note(ui, scanned);
                if !action_outcome(ui, shared, state)
                    && ui
                        .button(format!("Save key for {contact} and mark verified"))
                        .clicked()
                {
                    submit_verify(
                        shared,
                        state,
                        contact.clone(),
                        key,
                        Some(NewContact::default()),
                        None,
                    );
                }
            });
        }
        Ok(()) => {
            framed(ui, green, |ui| {
                heading(ui, format!("✔ Match: this is {contact}'s key"), Some(green));
                if found == Found::ByKey {
                    ui.label(format!(
                        "You did not say whose code this is. The whole key in the code equals the key you have for {contact}: mark it verified only if the person showing it is {contact}."
                    ));
                } else {
                    ui.label(format!(
                        "The whole key in the code equals the key you have for {contact}."
                    ));
                }
                mutual_note(ui, mutual, Some(&contact));
                key_line(ui, "Key:", &key);
                if let TrustStatus::Verified { since, method } = status {
                    ui.label(format!(
                        "Already verified ({}, {}).",
                        method_text(*method),
                        fmt_time(*since)
                    ));
                }
                picture_note(ui, scanned);
                // The app identified the contact: the button names them, so that the
                // person confirms who it is. Nothing is recorded by key alone.
                let label = if found == Found::ByKey {
                    format!("Yes, this is {contact} — mark verified")
                } else {
                    "Mark verified".to_owned()
                };
                if !action_outcome(ui, shared, state) && ui.button(label).clicked() {
                    submit_verify(shared, state, contact.clone(), key, None, None);
                }
            });
        }
        Err(Refusal::KeyChangedNeedsConfirmation { old, new }) => {
            if state.not_now {
                framed(ui, red, |ui| {
                    heading(ui, format!("⚠ {contact} has a new key"), Some(red));
                    ui.label(key_change::not_now_text(&contact));
                });
                return;
            }
            picture_note(ui, scanned);
            let busy = action_outcome(ui, shared, state);
            let checked = if found == Found::ByKey {
                format!(
                    "The code you scanned shows the key {contact} uses now — their new key, which you have not verified."
                )
            } else {
                "The code you scanned shows their new key.".to_owned()
            };
            let answer = key_change::panel(
                ui,
                &mut state.key_change,
                &contact,
                &old,
                &new,
                &checked,
                !busy,
            );
            match answer {
                Some(key_change::Answer::Confirm) => {
                    submit_verify(shared, state, contact.clone(), key, None, Some(old));
                }
                Some(key_change::Answer::NotNow) => state.not_now = true,
                None => {}
            }
        }
        Err(Refusal::Tampered { .. }) => {
            framed(ui, red, |ui| {
                heading(
                    ui,
                    format!("⚠ {contact}'s entry was changed outside the app"),
                    Some(red),
                );
                ui.label(record::TAMPERED_ADVICE);
                key_line(ui, "Key in the code:", &key);
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
        Err(Refusal::Mismatch { current, .. }) => {
            framed(ui, red, |ui| {
                heading(
                    ui,
                    format!("⚠ Mismatch: this is not the key you have for {contact}"),
                    Some(red),
                );
                let what = match found {
                    Found::Chosen => {
                        format!("You said this is {contact}'s code, but it shows a different key.")
                    }
                    Found::NamedInCode => format!(
                        "The code calls itself {contact}, but it shows a different key than the one you have for {contact}."
                    ),
                    Found::OldVerifiedKey => format!(
                        "The code shows the key you verified for {contact} earlier, but {contact} uses a different key now."
                    ),
                    Found::ByKey => format!(
                        "The code shows a different key than the one you have for {contact}."
                    ),
                };
                ui.label(what);
                ui.label(format!("This means one of two things: someone is passing off their key as {contact}'s (a key swap — do not trust it), or {contact} reinstalled verifier or set up a new device and really has a new key. Ask {contact} in person. Only if they confirm a new key, remove or update the old one on the Contacts screen and scan again."));
                key_line(ui, "Key in the code:", &key);
                key_line(ui, "Key you have:", &current);
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
        Err(other) => {
            framed(ui, red, |ui| {
                heading(ui, format!("Not for {contact}"), Some(red));
                ui.label(record::refusal_text(&contact, &other));
                ui.label(egui::RichText::new("Nothing was recorded.").strong());
            });
        }
    }
}

fn result_panel(ui: &mut egui::Ui, shared: &mut Shared, state: &mut ScanState) {
    let Some(scanned) = state.scanned.clone() else {
        return;
    };
    let v = current_verdict(shared, state, &scanned);
    let red = ui.visuals().error_fg_color;
    let amber = ui.visuals().warn_fg_color;
    let neutral = ui.visuals().weak_text_color();
    let mut clear = false;
    match v {
        Verdict::Contact {
            contact,
            key,
            stored,
            status,
            mutual,
            found,
            engine,
        } => {
            contact_result(
                ui, shared, state, &scanned, contact, key, stored, &status, mutual, found, engine,
            );
        }
        Verdict::NewKey {
            key,
            name: _,
            stable_id,
            mutual,
        } => {
            framed(ui, amber, |ui| {
                heading(ui, "New key: not one of your contacts".to_owned(), None);
                ui.label("Add the person in front of you as a contact with this key; it is recorded as verified by scanning.");
                mutual_note(ui, mutual, None);
                key_line(ui, "Key:", &key);
                picture_note(ui, &scanned);
                let mut add = false;
                ui.horizontal(|ui| {
                    let label = ui.label("Name");
                    ui.add(
                        egui::TextEdit::singleline(&mut state.add_name)
                            .hint_text("their name")
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                    let name = state.add_name.trim().to_owned();
                    let done = state.action_for.is_some()
                        && !matches!(shared.store.result(VERIFY_TAG), Some(Err(_)));
                    if !done
                        && ui
                            .add_enabled(
                                !name.is_empty(),
                                egui::Button::new("Add contact and mark verified"),
                            )
                            .clicked()
                    {
                        add = true;
                    }
                });
                action_outcome(ui, shared, state);
                let mut allow_lookalike = false;
                if state.action_for.is_some()
                    && matches!(shared.store.result(VERIFY_TAG), Some(Err(_)))
                    && let Some(Failure::Lookalike { name, existing }) = state.failure.get()
                {
                    match record::lookalike_prompt(ui, &name, &existing) {
                        Some(LookalikeAnswer::DifferentPerson) => {
                            add = true;
                            allow_lookalike = true;
                        }
                        Some(LookalikeAnswer::Cancel) => {
                            state.action_for = None;
                            state.failure.clear();
                        }
                        None => {}
                    }
                }
                if add {
                    let name = state.add_name.trim().to_owned();
                    let new = NewContact {
                        stable_id: stable_id.clone(),
                        allow_lookalike,
                    };
                    submit_verify(shared, state, name, key, Some(new), None);
                }
            });
        }
        Verdict::Session(Ok(code)) => {
            framed(ui, neutral, |ui| {
                heading(ui, "This is a live-session join code".to_owned(), None);
                ui.label(format!(
                    "Someone is hosting a live verification session at {}.",
                    code.addr()
                ));
                ui.label(egui::RichText::new(code.to_text()).monospace());
                if ui.button("Join this session").clicked() {
                    shared.pending_join_code = Some(code.to_text());
                    shared.go_to = Some(Screen::Sas);
                    clear = true;
                }
            });
        }
        Verdict::Session(Err(e)) => {
            framed(ui, red, |ui| {
                ui.label(egui::RichText::new("A damaged live-session code").strong());
                ui.label(format!("This is a verifier session code, but its join code cannot be read: {e}. Ask the host to show it again."));
            });
        }
        Verdict::Broken(e) => {
            framed(ui, red, |ui| {
                heading(ui, "A damaged verifier code".to_owned(), None);
                ui.label(format!("This looks like a verifier code but cannot be read: {e}. If it keeps happening, one of you may need to update verifier. Nothing was recorded."));
            });
        }
        Verdict::Signal => {
            framed(ui, neutral, |ui| {
                heading(
                    ui,
                    "This is a Signal safety-number code, not a verifier code".to_owned(),
                    None,
                );
                ui.label("Scan it from inside Signal (open the chat, then “View safety number”). To verify in verifier, ask for their verifier code.");
            });
        }
        Verdict::Foreign(f) => {
            framed(ui, neutral, |ui| {
                heading(ui, f.headline(), None);
                match &f {
                    Foreign::WebLink(url) => {
                        ui.add(
                            egui::Label::new(egui::RichText::new(url).monospace()).selectable(true),
                        );
                    }
                    Foreign::Text(t) => {
                        let shown: String = t.chars().take(200).collect();
                        ui.add(
                            egui::Label::new(egui::RichText::new(shown).monospace())
                                .selectable(true),
                        );
                    }
                    Foreign::Binary(n) => {
                        ui.label(format!("{n} bytes."));
                    }
                    _ => {}
                }
                ui.label("To verify someone, scan the code on their “My code” screen in verifier.");
            });
        }
    }
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(format!("From {}.", scanned.source)).small());
        if scanned.others > 0 {
            ui.label(
                egui::RichText::new(format!("{} more code(s) in the picture.", scanned.others))
                    .small(),
            );
        }
        if ui.button("Clear result").clicked() {
            clear = true;
        }
    });
    if clear {
        state.scanned = None;
        state.action_for = None;
        state.not_now = false;
        state.failure.clear();
    }
}
