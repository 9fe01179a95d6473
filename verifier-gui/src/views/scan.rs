//! Scan screen (being built; see issue 6).

use crate::app::Shared;

/// Transient state of the screen.
pub struct ScanState {
    cameras: Option<Box<dyn crate::workers::camera::CameraProvider>>,
}

impl ScanState {
    /// A scan screen using these cameras.
    pub fn new(cameras: Box<dyn crate::workers::camera::CameraProvider>) -> Self {
        ScanState {
            cameras: Some(cameras),
        }
    }
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, _shared: &mut Shared, _state: &mut ScanState) {
    ui.heading("Scan");
    let _ = _state.cameras.as_ref();
}
