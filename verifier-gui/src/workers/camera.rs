//! Camera access behind a trait, so tests can feed still images or sequences.

/// Pixel layout of a camera frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// 8-bit RGB, row-major, no padding.
    Rgb8,
    /// 8-bit grey.
    Luma8,
    /// YUYV 4:2:2 (YUY2).
    Yuyv,
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

/// The system's cameras.
pub fn system_cameras() -> Box<dyn CameraProvider> {
    Box::new(NoCameras)
}
