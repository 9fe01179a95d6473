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
//!
//! Layout: the screen's state and the order it is drawn in here; where
//! pictures come from (camera bar, files, paste, preview) in `input`; what a
//! scanned code means and the actions it offers in `result`; the assessment
//! itself in [`verdict`].

pub mod verdict;

mod input;
mod result;

use verifier_core::receipt::VerificationMethod;

use crate::shared::Shared;
use crate::views::key_change::KeyChangeView;
use crate::views::record::FailureSlot;
use crate::workers::camera::{CameraInfo, CameraProvider};
use crate::workers::scan::{Decoded, ScanEvent, ScanWorker, StillImage, StopReason};
use input::{camera_bar, expected_picker, file_routes, input_routes, preview};
use result::result_panel;
use verdict::Verdict;

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
    /// The file dialog, while it is open.
    picker: crate::workers::file_picker::PickerHandle,
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
            picker: Default::default(),
        }
    }

    /// The contact whose code is expected ("Whose code is it?"; `None`: anyone).
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
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
    // What another screen asked for ("Verify Bob": whose code, or a picture chosen there).
    if let Some(name) = shared.requests.scan_expected.take() {
        state.expected = Some(name);
    }
    if let Some(path) = shared.requests.scan_file.take() {
        state.path_input = path.display().to_string();
        state.scan_still(StillImage::Path(path));
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
    file_routes(ui, shared, state);
}
