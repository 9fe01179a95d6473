//! Camera access behind a trait, so tests can feed still images or sequences.
//!
//! The real implementation is [`NokhwaCameras`] (V4L2 on Linux, AVFoundation on
//! macOS, Media Foundation on Windows). Listing and opening cameras, and reading
//! frames, block: they are only ever called on the camera worker thread
//! ([`crate::workers::scan`]), never on the UI thread.
//!
//! [`ImageSequence`] plays the pictures of a folder as if they came from a
//! camera (`verifier-gui --camera-images DIR`), for benchmarks and demonstrations
//! on machines without a webcam.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use super::frame::{Frame, PixelFormat};

/// A camera the user can pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CameraInfo {
    /// Index to open it with.
    pub index: u32,
    /// Human-readable name.
    pub name: String,
}

/// A running stream of frames. `Ok(None)` means the stream ended.
pub trait FrameSource: Send {
    /// Blocks until the next frame (called on the camera worker thread only).
    fn next_frame(&mut self) -> Result<Option<Frame>, String>;
}

/// Lists and opens cameras.
pub trait CameraProvider: Send {
    /// The cameras present (an empty list when there are none).
    fn list(&self) -> Result<Vec<CameraInfo>, String>;
    /// Opens one for streaming.
    fn open(&self, index: u32) -> Result<Box<dyn FrameSource>, String>;
}

/// A provider with no cameras (machines without a webcam).
pub struct NoCameras;

impl CameraProvider for NoCameras {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        Ok(Vec::new())
    }
    fn open(&self, _index: u32) -> Result<Box<dyn FrameSource>, String> {
        Err("no camera found".to_owned())
    }
}

/// The system's cameras, through nokhwa.
pub fn system_cameras() -> Box<dyn CameraProvider> {
    Box::new(NokhwaCameras)
}

/// The operating system's cameras through nokhwa's native backend.
pub struct NokhwaCameras;

/// The frame layouts we convert ourselves (no decoding inside nokhwa).
const NOKHWA_FORMATS: [nokhwa::utils::FrameFormat; 6] = [
    nokhwa::utils::FrameFormat::MJPEG,
    nokhwa::utils::FrameFormat::YUYV,
    nokhwa::utils::FrameFormat::NV12,
    nokhwa::utils::FrameFormat::GRAY,
    nokhwa::utils::FrameFormat::RAWRGB,
    nokhwa::utils::FrameFormat::RAWBGR,
];

fn pixel_format(f: nokhwa::utils::FrameFormat) -> PixelFormat {
    use nokhwa::utils::FrameFormat;
    match f {
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::GRAY => PixelFormat::Luma8,
        FrameFormat::RAWRGB => PixelFormat::Rgb8,
        FrameFormat::RAWBGR => PixelFormat::Bgr8,
    }
}

/// How well a camera mode suits QR scanning: at least 15 frames per second, then
/// the resolution closest to 1280×720 (enough pixels per module at arm's length,
/// and a 720p frame scans in a few milliseconds), then the higher frame rate.
fn mode_score(f: &nokhwa::utils::CameraFormat) -> (bool, u64, u32) {
    let dw = i64::from(f.width()) - 1280;
    let dh = i64::from(f.height()) - 720;
    let dist = (dw * dw + dh * dh).unsigned_abs();
    (f.frame_rate() < 15, dist, u32::MAX - f.frame_rate())
}

/// On macOS, asks for permission to use the camera (the system shows its
/// question the first time) and waits for the answer. This runs on the camera
/// worker thread, so the window stays responsive while the question is open.
/// Untested here: we cannot build for macOS.
#[cfg(target_os = "macos")]
fn camera_permission() -> Result<(), String> {
    if nokhwa::nokhwa_check() {
        return Ok(());
    }
    let (tx, rx) = std::sync::mpsc::channel::<bool>();
    nokhwa::nokhwa_initialize(move |granted| {
        let _ = tx.send(granted);
    });
    match rx.recv() {
        Ok(true) => Ok(()),
        _ => Err("macOS does not allow verifier to use the camera. Allow it in System Settings → Privacy & Security → Camera, then restart verifier".to_owned()),
    }
}

/// Other systems ask no permission question (on Linux, access to /dev/video*
/// decides; opening reports it).
#[cfg(not(target_os = "macos"))]
fn camera_permission() -> Result<(), String> {
    Ok(())
}

impl CameraProvider for NokhwaCameras {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        camera_permission()?;
        let cams = nokhwa::query(nokhwa::utils::ApiBackend::Auto)
            .map_err(|e| format!("cannot list the cameras: {e}"))?;
        Ok(cams
            .iter()
            .enumerate()
            .map(|(i, c)| CameraInfo {
                index: match c.index() {
                    nokhwa::utils::CameraIndex::Index(n) => *n,
                    nokhwa::utils::CameraIndex::String(_) => u32::try_from(i).unwrap_or(0),
                },
                name: c.human_name(),
            })
            .collect())
    }

    fn open(&self, index: u32) -> Result<Box<dyn FrameSource>, String> {
        camera_permission()?;
        // nokhwa's `Camera` is not `Send`: it lives on a thread of its own for its
        // whole life, and frames come out of it over a channel.
        let (opened_tx, opened_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let (frames_tx, frames) = std::sync::mpsc::sync_channel::<Result<Frame, String>>(1);
        std::thread::Builder::new()
            .name(format!("camera-{index}"))
            .spawn(move || {
                let mut camera = match open_nokhwa(index) {
                    Ok(c) => {
                        let _ = opened_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                loop {
                    let frame = camera
                        .frame()
                        .map_err(|e| format!("the camera stopped sending pictures: {e}"))
                        .map(|buffer| {
                            let res = buffer.resolution();
                            Frame {
                                width: res.width(),
                                height: res.height(),
                                format: pixel_format(buffer.source_frame_format()),
                                data: buffer.buffer().to_vec(),
                            }
                        });
                    let failed = frame.is_err();
                    // The receiver is gone when the stream was closed.
                    if frames_tx.send(frame).is_err() || failed {
                        break;
                    }
                }
                let _ = camera.stop_stream();
            })
            .map_err(|e| format!("cannot start the camera thread: {e}"))?;
        match opened_rx.recv() {
            Ok(Ok(())) => Ok(Box::new(NokhwaSource { frames })),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the camera thread stopped while opening the camera".to_owned()),
        }
    }
}

fn open_nokhwa(index: u32) -> Result<nokhwa::Camera, String> {
    use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
    let request = RequestedFormat::with_formats(
        RequestedFormatType::AbsoluteHighestFrameRate,
        &NOKHWA_FORMATS,
    );
    let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), request)
        .map_err(|e| format!("cannot open the camera: {e}"))?;
    // Pick the mode ourselves; if the camera refuses it, keep the one it chose.
    if let Ok(modes) = camera.compatible_camera_formats()
        && let Some(best) = modes
            .iter()
            .filter(|m| NOKHWA_FORMATS.contains(&m.format()))
            .min_by_key(|m| mode_score(m))
    {
        let _ = camera.set_camera_requset(RequestedFormat::with_formats(
            RequestedFormatType::Exact(*best),
            &NOKHWA_FORMATS,
        ));
    }
    camera
        .open_stream()
        .map_err(|e| format!("cannot start the camera stream: {e}"))?;
    Ok(camera)
}

/// Frames from a camera thread; dropping it closes the camera.
struct NokhwaSource {
    frames: std::sync::mpsc::Receiver<Result<Frame, String>>,
}

impl FrameSource for NokhwaSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        match self.frames.recv() {
            Ok(frame) => frame.map(Some),
            Err(_) => Ok(None),
        }
    }
}

/// A camera made of the PNG and JPEG files of a folder, played in name order in
/// a loop at about 30 frames per second, each at its own size. JPEG files come
/// out as MJPEG frames (as most webcams send them), PNG files as RGB. Files are
/// read from disk frame by frame, so memory does not grow with their number.
pub struct ImageSequence {
    dir: PathBuf,
    interval: Duration,
}

impl ImageSequence {
    /// Plays the pictures in `dir` at 30 frames per second.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ImageSequence {
            dir: dir.into(),
            interval: Duration::from_micros(33_333),
        }
    }

    /// Plays at `fps` frames per second instead (at least 1).
    pub fn with_fps(mut self, fps: u32) -> Self {
        self.interval = Duration::from_secs(1) / fps.max(1);
        self
    }

    /// The pictures in the folder, sorted by name.
    fn files(&self) -> Result<Vec<PathBuf>, String> {
        let dir = &self.dir;
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| picture_kind(p).is_some())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(format!(
                "the folder {} holds no .png, .jpg or .jpeg files",
                dir.display()
            ));
        }
        Ok(files)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PictureKind {
    Png,
    Jpeg,
}

fn picture_kind(path: &Path) -> Option<PictureKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some(PictureKind::Png),
        "jpg" | "jpeg" => Some(PictureKind::Jpeg),
        _ => None,
    }
}

impl CameraProvider for ImageSequence {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        Ok(vec![CameraInfo {
            index: 0,
            name: format!("Image sequence: {}", self.dir.display()),
        }])
    }

    fn open(&self, index: u32) -> Result<Box<dyn FrameSource>, String> {
        if index != 0 {
            return Err(format!("no camera {index}: the image sequence is camera 0"));
        }
        let files = self.files()?;
        Ok(Box::new(SequenceSource {
            files,
            next: 0,
            interval: self.interval,
            due: Instant::now(),
        }))
    }
}

struct SequenceSource {
    files: Vec<PathBuf>,
    next: usize,
    interval: Duration,
    due: Instant,
}

impl SequenceSource {
    fn read(path: &Path) -> Result<Frame, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let bad = |e: image::ImageError| format!("cannot decode {}: {e}", path.display());
        match picture_kind(path) {
            Some(PictureKind::Jpeg) => {
                let (width, height) = image::ImageReader::with_format(
                    std::io::Cursor::new(&bytes),
                    image::ImageFormat::Jpeg,
                )
                .into_dimensions()
                .map_err(bad)?;
                Ok(Frame {
                    width,
                    height,
                    format: PixelFormat::Mjpeg,
                    data: bytes,
                })
            }
            _ => {
                let rgb = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                    .map_err(bad)?
                    .into_rgb8();
                let (width, height) = rgb.dimensions();
                Ok(Frame {
                    width,
                    height,
                    format: PixelFormat::Rgb8,
                    data: rgb.into_raw(),
                })
            }
        }
    }
}

impl FrameSource for SequenceSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        // Keep the pace; after a stall, start counting again from now.
        let now = Instant::now();
        if let Some(wait) = self.due.checked_duration_since(now) {
            std::thread::sleep(wait);
        } else if now.duration_since(self.due) > self.interval {
            self.due = now;
        }
        self.due += self.interval;
        let path = self
            .files
            .get(self.next)
            .ok_or_else(|| "the image sequence is empty".to_owned())?;
        self.next = (self.next + 1) % self.files.len();
        Self::read(path).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_cameras_answer_without_panicking() {
        // On machines without a webcam (CI) the list is empty and opening fails
        // with a message; with a webcam, the first one opens or says why not.
        let cams = system_cameras();
        if let Ok(list) = cams.list() {
            match list.first() {
                None => match cams.open(0) {
                    Err(e) => assert!(e.contains("camera"), "{e}"),
                    Ok(_) => panic!("opened a camera that is not listed"),
                },
                Some(c) => {
                    if let Ok(mut s) = cams.open(c.index) {
                        let _ = s.next_frame();
                    }
                }
            }
        }
    }

    #[test]
    fn image_sequence_plays_its_pictures_in_name_order_in_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let red = image::RgbImage::from_pixel(8, 4, image::Rgb([220, 20, 20]));
        let blue = image::RgbImage::from_pixel(6, 2, image::Rgb([20, 20, 220]));
        red.save_with_format(dir.path().join("b.png"), image::ImageFormat::Png)
            .unwrap();
        blue.save_with_format(dir.path().join("a.JPG"), image::ImageFormat::Jpeg)
            .unwrap();
        std::fs::write(dir.path().join("c.txt"), "skip me").unwrap();
        let cams = ImageSequence::new(dir.path()).with_fps(1000);
        let list = cams.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].name,
            format!("Image sequence: {}", dir.path().display())
        );
        assert!(cams.open(1).is_err());
        let mut src = cams.open(0).unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let f = src.next_frame().unwrap().unwrap();
            let c = f.convert(960).unwrap();
            let p = c.preview.pixels[0];
            seen.push((f.format, f.width, f.height, p.r() > p.b()));
        }
        let jpeg = (PixelFormat::Mjpeg, 6, 2, false);
        let png = (PixelFormat::Rgb8, 8, 4, true);
        assert_eq!(seen, [jpeg, png, jpeg, png]);
    }

    #[test]
    fn image_sequence_without_pictures_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let e = ImageSequence::new(dir.path()).open(0).err().unwrap();
        assert!(e.contains("holds no .png, .jpg or .jpeg files"), "{e}");
        let e = ImageSequence::new(dir.path().join("missing"))
            .open(0)
            .err()
            .unwrap();
        assert!(e.contains("cannot read the folder"), "{e}");
        // A file that is not what its name says is an error, not a panic.
        std::fs::write(dir.path().join("x.jpg"), b"not a jpeg").unwrap();
        let mut src = ImageSequence::new(dir.path()).open(0).unwrap();
        assert!(src.next_frame().is_err());
    }

    #[test]
    fn no_cameras_lists_nothing_and_cannot_open() {
        assert!(NoCameras.list().unwrap().is_empty());
        assert!(NoCameras.open(0).is_err());
    }
}
