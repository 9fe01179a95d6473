//! Compare codes screen (being built; see issue 6).

use crate::app::Shared;

/// Transient state of the screen.
#[derive(Default)]
pub struct CompareState {}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, _shared: &mut Shared, _state: &mut CompareState) {
    ui.heading("Compare codes");
}
