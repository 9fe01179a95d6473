//! Camera access behind a trait, so tests can feed still images or sequences.
//!
//! The real implementation is [`NokhwaCameras`] (V4L2 on Linux, AVFoundation on
//! macOS, Media Foundation on Windows). Listing and opening cameras, and reading
//! frames, block: they are only ever called on the camera worker thread
//! ([`crate::workers::scan`]), never on the UI thread.

use verifier_scan::LumaImage;

/// Pixel layout of a camera frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// 8-bit RGB, row-major, no padding.
    Rgb8,
    /// 8-bit BGR, row-major, no padding.
    Bgr8,
    /// 8-bit grey.
    Luma8,
    /// YUYV 4:2:2 (YUY2).
    Yuyv,
    /// NV12: a full-resolution Y plane followed by interleaved U/V at half resolution.
    Nv12,
    /// A JPEG-compressed frame (MJPEG).
    Mjpeg,
}

/// One frame from a camera.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Layout of `data`.
    pub format: PixelFormat,
    /// The pixels.
    pub data: Vec<u8>,
}

impl Frame {
    /// The frame in 8-bit grey, as the QR scanner reads it. A frame whose buffer
    /// does not match its size and format is an error, never a panic.
    pub fn to_luma(&self) -> Result<LumaImage, String> {
        let (w, h) = (self.width, self.height);
        let result = match self.format {
            PixelFormat::Rgb8 => LumaImage::from_rgb(w, h, &self.data),
            PixelFormat::Bgr8 => {
                if !self.data.len().is_multiple_of(3) {
                    return Err(format!(
                        "a BGR frame of {w}x{h} has {} bytes, not a multiple of 3",
                        self.data.len()
                    ));
                }
                let rgb: Vec<u8> = self
                    .data
                    .chunks_exact(3)
                    .flat_map(|p| match p {
                        [b, g, r] => [*r, *g, *b],
                        _ => [0, 0, 0],
                    })
                    .collect();
                LumaImage::from_rgb(w, h, &rgb)
            }
            PixelFormat::Luma8 => LumaImage::new(w, h, self.data.clone()),
            PixelFormat::Yuyv => LumaImage::from_yuyv(w, h, &self.data),
            PixelFormat::Nv12 => {
                // The Y plane comes first and is exactly the luma image.
                let n = u64::from(w) * u64::from(h);
                let y_plane = usize::try_from(n)
                    .ok()
                    .and_then(|n| self.data.get(..n))
                    .ok_or_else(|| {
                        format!(
                            "an NV12 frame of {w}x{h} has only {} bytes",
                            self.data.len()
                        )
                    })?;
                LumaImage::new(w, h, y_plane.to_vec())
            }
            PixelFormat::Mjpeg => LumaImage::from_mjpeg(&self.data),
        };
        result.map_err(|e| e.to_string())
    }
}

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

impl CameraProvider for NokhwaCameras {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(format: PixelFormat, data: Vec<u8>) -> Frame {
        Frame {
            width: 2,
            height: 2,
            format,
            data,
        }
    }

    #[test]
    fn every_layout_converts_to_the_same_grey() {
        let grey = [10u8, 200, 90, 255];
        let rgb: Vec<u8> = grey.iter().flat_map(|&v| [v, v, v]).collect();
        let yuyv: Vec<u8> = grey.iter().flat_map(|&v| [v, 128]).collect();
        let mut nv12 = grey.to_vec();
        nv12.extend_from_slice(&[128, 128]);
        for (format, data) in [
            (PixelFormat::Luma8, grey.to_vec()),
            (PixelFormat::Rgb8, rgb.clone()),
            (PixelFormat::Bgr8, rgb),
            (PixelFormat::Yuyv, yuyv),
            (PixelFormat::Nv12, nv12),
        ] {
            let luma = frame(format, data).to_luma().unwrap();
            assert_eq!(luma.pixels(), &grey, "{format:?}");
        }
    }

    #[test]
    fn bgr_is_not_read_as_rgb() {
        // Pure blue in BGR order is dark; read as RGB it would be pure red (brighter).
        let blue_bgr = frame(PixelFormat::Bgr8, [255, 0, 0].repeat(4))
            .to_luma()
            .unwrap();
        let red_rgb = frame(PixelFormat::Rgb8, [255, 0, 0].repeat(4))
            .to_luma()
            .unwrap();
        let blue_rgb = frame(PixelFormat::Rgb8, [0, 0, 255].repeat(4))
            .to_luma()
            .unwrap();
        assert_eq!(blue_bgr.pixels(), blue_rgb.pixels());
        assert_ne!(blue_bgr.pixels(), red_rgb.pixels());
    }

    #[test]
    fn short_or_garbled_frames_are_errors() {
        for (format, data) in [
            (PixelFormat::Luma8, vec![0; 3]),
            (PixelFormat::Rgb8, vec![0; 11]),
            (PixelFormat::Bgr8, vec![0; 10]),
            (PixelFormat::Yuyv, vec![0; 7]),
            (PixelFormat::Nv12, vec![0; 3]),
            (PixelFormat::Mjpeg, vec![0xff, 0xd8, 0x00]),
        ] {
            assert!(frame(format, data).to_luma().is_err(), "{format:?}");
        }
    }

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
    fn no_cameras_lists_nothing_and_cannot_open() {
        assert!(NoCameras.list().unwrap().is_empty());
        assert!(NoCameras.open(0).is_err());
    }
}
