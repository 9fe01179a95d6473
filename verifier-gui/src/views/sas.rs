//! Live session screen (being built; see issue 6).

use crate::app::Shared;

/// Transient state of the screen.
#[derive(Default)]
pub struct SasState {}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, _shared: &mut Shared, _state: &mut SasState) {
    ui.heading("Live session");
}
