//! The scan workers: a camera thread and a decoder thread.
//!
//! - The **camera thread** owns the [`CameraProvider`]: it lists cameras, opens
//!   one, and reads frames. A frame is handed to the decoder only when the
//!   decoder is idle; otherwise it is dropped (counted, never queued), so the
//!   preview and the results never lag behind the camera.
//! - The **decoder thread** owns a [`StreamScanner`] for camera frames and a
//!   [`Scanner`] for still images (files, dropped files, pasted images). It
//!   converts each frame to grey (for the scanner) and to a small colour
//!   preview, scans it, and sends both back.
//!
//! Every result goes to the UI over a channel followed by `request_repaint`.
//! Memory stays bounded: the next camera frame is handed to the decoder only
//! once the UI has taken the previous result, so at most one camera frame is
//! being decoded or waiting for the UI, and the newest frame wins.
//! The camera stops by itself when the scan screen has not been drawn for a
//! few passes (the user went to another screen), so the camera light does not
//! stay on behind their back; the screen reopens it when shown again.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use verifier_scan::{Code, LumaImage, Scanner, StreamScanner};

use super::camera::{CameraInfo, CameraProvider, Frame, FrameSource};
use super::frame;

/// The longest side of a preview image; larger frames are box-downscaled for display.
pub const PREVIEW_MAX_SIDE: u32 = 960;

/// Passes of the UI without the scan screen after which the camera is paused.
const PAUSE_AFTER_PASSES: u64 = 3;

/// A still image to scan.
pub enum StillImage {
    /// A file on disk (typed path, or a pasted path).
    Path(PathBuf),
    /// A file dropped on the window.
    Dropped(egui::DroppedFileHandle),
    /// An image pasted from the clipboard.
    Pasted(Arc<egui::ColorImage>),
}

impl StillImage {
    /// How the screen names it ("photo.png", "the pasted image").
    pub fn describe(&self) -> String {
        match self {
            StillImage::Path(p) => p.display().to_string(),
            StillImage::Dropped(f) => f.path().display().to_string(),
            StillImage::Pasted(_) => "the pasted image".to_owned(),
        }
    }

    /// The picture in grey (for the scanner) and its colour preview.
    fn load(&self) -> Result<(LumaImage, egui::ColorImage), String> {
        // Grey through the scanner's decoder (its errors name the file); the
        // colour preview is decoded separately, grey if that fails.
        let with_preview = |luma: LumaImage, bytes: Option<&[u8]>| {
            let preview = bytes
                .and_then(|b| frame::preview_of_encoded(b, PREVIEW_MAX_SIDE))
                .unwrap_or_else(|| grey_preview(&luma));
            (luma, preview)
        };
        match self {
            StillImage::Path(p) => {
                let luma = LumaImage::open(p).map_err(|e| e.to_string())?;
                Ok(with_preview(luma, std::fs::read(p).ok().as_deref()))
            }
            StillImage::Dropped(f) => {
                let bytes = f
                    .bytes()
                    .map_err(|e| format!("cannot read {}: {e}", f.path().display()))?;
                let luma = LumaImage::from_encoded(&bytes).map_err(|e| e.to_string())?;
                Ok(with_preview(luma, Some(&bytes)))
            }
            StillImage::Pasted(img) => {
                let [w, h] = img.size;
                let rgba: Vec<u8> = img
                    .pixels
                    .iter()
                    .flat_map(|c| c.to_srgba_unmultiplied())
                    .collect();
                let w = u32::try_from(w).map_err(|_| "the pasted image is too large".to_owned())?;
                let h = u32::try_from(h).map_err(|_| "the pasted image is too large".to_owned())?;
                let luma = LumaImage::from_rgba(w, h, &rgba).map_err(|e| e.to_string())?;
                Ok((luma, frame::preview_of(img, PREVIEW_MAX_SIDE)))
            }
        }
    }
}

/// A scanned picture: its preview and the codes found in it.
pub struct Decoded {
    /// A colour preview (at most [`PREVIEW_MAX_SIDE`] on its longer side).
    pub preview: egui::ColorImage,
    /// Width of the scanned image (code corners are in these coordinates).
    pub width: u32,
    /// Height of the scanned image.
    pub height: u32,
    /// The codes found, in the scanner's order.
    pub codes: Vec<Code>,
    /// Time spent converting and scanning, in milliseconds.
    pub decode_ms: f32,
}

/// What the workers report to the screen.
pub enum ScanEvent {
    /// The cameras present, or why they cannot be listed.
    Cameras(Result<Vec<CameraInfo>, String>),
    /// A camera is streaming.
    CameraOpened {
        /// Which one.
        index: u32,
    },
    /// A camera could not be opened, or failed while streaming.
    CameraFailed {
        /// Which one.
        index: u32,
        /// Why, in words.
        message: String,
    },
    /// The stream stopped.
    CameraStopped {
        /// Why.
        reason: StopReason,
        /// Frames dropped in this stream, because the decoder was busy.
        dropped: u64,
    },
    /// A camera frame was scanned.
    Frame {
        /// The frame and its codes.
        decoded: Decoded,
        /// Frames scanned since the camera was opened (0 for the first).
        index: u64,
        /// Frames dropped since the camera was opened, because the decoder was busy.
        dropped: u64,
    },
    /// A camera frame could not be converted (the stream goes on).
    FrameError {
        /// Why, in words.
        message: String,
    },
    /// A still image was scanned (or could not be read).
    Still {
        /// What it was ("photo.png", "the pasted image").
        source: String,
        /// The result.
        result: Result<Decoded, String>,
    },
}

/// Why a camera stream stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The user stopped it.
    Requested,
    /// The scan screen is no longer shown.
    Paused,
    /// The camera ended the stream.
    Ended,
}

enum Command {
    List,
    Open(u32),
    Stop,
}

enum DecodeJob {
    Frame {
        frame: Frame,
        index: u64,
        dropped: u64,
        generation: u64,
    },
    Still(StillImage),
}

/// The screen's handle on the camera and decoder threads.
pub struct ScanWorker {
    commands: Sender<Command>,
    stills: Sender<DecodeJob>,
    events: Receiver<ScanEvent>,
    shown_pass: Arc<AtomicU64>,
    /// Set while a camera frame is being decoded or its result waits for [`Self::poll`].
    busy: Arc<AtomicBool>,
}

impl ScanWorker {
    /// Starts both threads. The camera provider moves to the camera thread.
    pub fn start(ctx: &egui::Context, cameras: Box<dyn CameraProvider>) -> Self {
        let (commands, command_rx) = channel::<Command>();
        let (decode_tx, decode_rx) = channel::<DecodeJob>();
        let (event_tx, events) = channel::<ScanEvent>();
        let shown_pass = Arc::new(AtomicU64::new(ctx.cumulative_pass_nr()));
        let busy = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(AtomicU64::new(0));

        let camera = CameraThread {
            provider: cameras,
            commands: command_rx,
            decoder: decode_tx.clone(),
            events: event_tx.clone(),
            ctx: ctx.clone(),
            shown_pass: Arc::clone(&shown_pass),
            busy: Arc::clone(&busy),
            generation: Arc::clone(&generation),
        };
        let _ = std::thread::Builder::new()
            .name("camera".to_owned())
            .spawn(move || camera.run());

        let ctx2 = ctx.clone();
        let busy2 = Arc::clone(&busy);
        let _ = std::thread::Builder::new()
            .name("qr-decoder".to_owned())
            .spawn(move || decoder(decode_rx, event_tx, ctx2, busy2, generation));

        ScanWorker {
            commands,
            stills: decode_tx,
            events,
            shown_pass,
            busy,
        }
    }

    /// Called by the screen every time it is drawn (keeps the camera running).
    pub fn mark_shown(&self, ctx: &egui::Context) {
        self.shown_pass
            .store(ctx.cumulative_pass_nr(), Ordering::Relaxed);
    }

    /// Asks for the list of cameras (answered with [`ScanEvent::Cameras`]).
    pub fn list_cameras(&self) {
        let _ = self.commands.send(Command::List);
    }

    /// Opens a camera (answered with `CameraOpened` or `CameraFailed`), closing any open one.
    pub fn open_camera(&self, index: u32) {
        let _ = self.commands.send(Command::Open(index));
    }

    /// Stops the camera.
    pub fn stop_camera(&self) {
        let _ = self.commands.send(Command::Stop);
    }

    /// Scans a still image (answered with [`ScanEvent::Still`]).
    pub fn scan_still(&self, image: StillImage) {
        let _ = self.stills.send(DecodeJob::Still(image));
    }

    /// Everything reported since the last call. Taking a camera frame's result
    /// lets the camera thread hand the decoder its next frame.
    pub fn poll(&self) -> Vec<ScanEvent> {
        let events: Vec<ScanEvent> = self.events.try_iter().collect();
        if events
            .iter()
            .any(|e| matches!(e, ScanEvent::Frame { .. } | ScanEvent::FrameError { .. }))
        {
            self.busy.store(false, Ordering::Release);
        }
        events
    }
}

struct CameraThread {
    provider: Box<dyn CameraProvider>,
    commands: Receiver<Command>,
    decoder: Sender<DecodeJob>,
    events: Sender<ScanEvent>,
    ctx: egui::Context,
    shown_pass: Arc<AtomicU64>,
    busy: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
}

struct Stream {
    index: u32,
    source: Box<dyn FrameSource>,
    read: u64,
    sent: u64,
    dropped: u64,
}

impl CameraThread {
    fn send(&self, event: ScanEvent) -> bool {
        let ok = self.events.send(event).is_ok();
        self.ctx.request_repaint();
        ok
    }

    fn run(self) {
        let mut stream: Option<Stream> = None;
        loop {
            // Commands: block while idle, poll between frames while streaming.
            let command = if stream.is_some() {
                match self.commands.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else {
                match self.commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            };
            match command {
                Some(Command::List) => {
                    let list = self.provider.list();
                    if !self.send(ScanEvent::Cameras(list)) {
                        return;
                    }
                    continue;
                }
                Some(Command::Open(index)) => {
                    drop(stream.take());
                    self.generation.fetch_add(1, Ordering::Relaxed);
                    match self.provider.open(index) {
                        Ok(source) => {
                            stream = Some(Stream {
                                index,
                                source,
                                read: 0,
                                sent: 0,
                                dropped: 0,
                            });
                            self.send(ScanEvent::CameraOpened { index });
                        }
                        Err(message) => {
                            self.send(ScanEvent::CameraFailed { index, message });
                        }
                    }
                    continue;
                }
                Some(Command::Stop) => {
                    if let Some(s) = stream.take() {
                        self.generation.fetch_add(1, Ordering::Relaxed);
                        self.send(ScanEvent::CameraStopped {
                            reason: StopReason::Requested,
                            dropped: s.dropped,
                        });
                    }
                    continue;
                }
                None => {}
            }
            let Some(s) = stream.as_mut() else { continue };
            // The screen was left: stop the camera (the screen reopens it).
            let shown = self.shown_pass.load(Ordering::Relaxed);
            if self.ctx.cumulative_pass_nr() > shown + PAUSE_AFTER_PASSES {
                let dropped = s.dropped;
                stream = None;
                self.generation.fetch_add(1, Ordering::Relaxed);
                self.send(ScanEvent::CameraStopped {
                    reason: StopReason::Paused,
                    dropped,
                });
                continue;
            }
            match s.source.next_frame() {
                Ok(Some(frame)) => {
                    s.read += 1;
                    // Hand over only if the decoder is idle; otherwise drop the frame.
                    if self
                        .busy
                        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                        .is_ok()
                    {
                        let job = DecodeJob::Frame {
                            frame,
                            index: s.sent,
                            dropped: s.dropped,
                            generation: self.generation.load(Ordering::Relaxed),
                        };
                        if self.decoder.send(job).is_err() {
                            return;
                        }
                        s.sent += 1;
                    } else {
                        s.dropped += 1;
                    }
                }
                Ok(None) => {
                    let dropped = s.dropped;
                    stream = None;
                    self.generation.fetch_add(1, Ordering::Relaxed);
                    self.send(ScanEvent::CameraStopped {
                        reason: StopReason::Ended,
                        dropped,
                    });
                }
                Err(message) => {
                    let index = s.index;
                    stream = None;
                    self.generation.fetch_add(1, Ordering::Relaxed);
                    self.send(ScanEvent::CameraFailed { index, message });
                }
            }
        }
    }
}

/// A grey preview of `img`, box-downscaled so that its longer side is at most
/// [`PREVIEW_MAX_SIDE`] (for still pictures whose colour cannot be decoded).
fn grey_preview(img: &LumaImage) -> egui::ColorImage {
    let side = img.width().max(img.height());
    let factor = side.div_ceil(PREVIEW_MAX_SIDE).max(1);
    let small = if factor > 1 {
        img.downscaled(factor)
    } else {
        None
    };
    let shown = small.as_ref().unwrap_or(img);
    egui::ColorImage::from_gray(
        [shown.width() as usize, shown.height() as usize],
        shown.pixels(),
    )
}

/// With `VERIFIER_TRACE_SCAN=1`, the decoder prints its frame rate and mean
/// times to stderr every five seconds (for `bench/gui-metrics.sh`).
struct Trace {
    since: Instant,
    frames: u32,
    convert_ms: f32,
    scan_ms: f32,
}

impl Trace {
    fn from_env() -> Option<Self> {
        std::env::var_os("VERIFIER_TRACE_SCAN")
            .is_some_and(|v| v == "1")
            .then(|| Trace {
                since: Instant::now(),
                frames: 0,
                convert_ms: 0.0,
                scan_ms: 0.0,
            })
    }

    fn frame(&mut self, convert_ms: f32, scan_ms: f32) {
        self.frames += 1;
        self.convert_ms += convert_ms;
        self.scan_ms += scan_ms;
        let secs = self.since.elapsed().as_secs_f32();
        if secs >= 5.0 {
            let n = self.frames as f32;
            eprintln!(
                "scan: {:.1} frames/s decoded, convert {:.1} ms + scan {:.1} ms per frame",
                n / secs,
                self.convert_ms / n,
                self.scan_ms / n
            );
            *self = Trace {
                since: Instant::now(),
                frames: 0,
                convert_ms: 0.0,
                scan_ms: 0.0,
            };
        }
    }
}

fn ms_since(t: Instant) -> f32 {
    t.elapsed().as_secs_f32() * 1000.0
}

fn decoder(
    jobs: Receiver<DecodeJob>,
    events: Sender<ScanEvent>,
    ctx: egui::Context,
    busy: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
) {
    let mut stream = StreamScanner::new();
    let mut stream_generation = u64::MAX;
    let still_scanner = Scanner::new();
    let mut trace = Trace::from_env();
    let mut buffers = frame::FrameBuffers::default();
    loop {
        // When no frame has come for a second (the camera stopped), give the
        // frame buffers back.
        let job = match jobs.recv_timeout(Duration::from_secs(1)) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                buffers = frame::FrameBuffers::default();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let event = match job {
            DecodeJob::Frame {
                frame,
                index,
                dropped,
                generation: g,
            } => {
                if g != stream_generation {
                    stream.reset();
                    stream_generation = g;
                }
                let started = Instant::now();
                let converted = frame.convert_with(PREVIEW_MAX_SIDE, &mut buffers);
                drop(frame);
                let convert_ms = ms_since(started);
                let decoded = converted.map(|c| {
                    let codes = stream.scan_frame(&c.luma);
                    if let Some(t) = &mut trace {
                        t.frame(convert_ms, ms_since(started) - convert_ms);
                    }
                    let decoded = Decoded::new(&c.luma, c.preview, codes, started);
                    buffers.recycle(c.luma);
                    decoded
                });
                // A frame of a camera that was closed meanwhile is of no use.
                // Otherwise `busy` stays set until the UI has taken the result.
                if g != generation.load(Ordering::Relaxed) {
                    busy.store(false, Ordering::Release);
                    continue;
                }
                match decoded {
                    Ok(decoded) => ScanEvent::Frame {
                        decoded,
                        index,
                        dropped,
                    },
                    Err(e) => ScanEvent::FrameError {
                        message: format!("the camera sent a picture that cannot be read: {e}"),
                    },
                }
            }
            DecodeJob::Still(image) => {
                let source = image.describe();
                let started = Instant::now();
                let result = image.load().map(|(luma, preview)| {
                    let codes = still_scanner.scan(&luma);
                    Decoded::new(&luma, preview, codes, started)
                });
                ScanEvent::Still { source, result }
            }
        };
        if events.send(event).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

impl Decoded {
    /// The result of decoding `luma` (shown as `preview`), timed from `started`.
    fn new(
        luma: &LumaImage,
        preview: egui::ColorImage,
        codes: Vec<Code>,
        started: Instant,
    ) -> Self {
        Decoded {
            preview,
            width: luma.width(),
            height: luma.height(),
            codes,
            decode_ms: ms_since(started),
        }
    }
}
