//! Starts the verifier desktop app.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use verifier_gui::app::{AppConfig, VerifierApp};

fn main() -> ExitCode {
    let Some(identity_path) = verifier_gui::identity::default_identity_path() else {
        eprintln!("error: cannot find a data directory; set VERIFIER_IDENTITY to a file path");
        return ExitCode::from(1);
    };
    let config = AppConfig { identity_path };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("verifier")
            .with_inner_size([900.0, 720.0])
            .with_min_inner_size([480.0, 400.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "verifier",
        options,
        Box::new(move |cc| Ok(Box::new(VerifierApp::from_creation_context(cc, &config)))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the app could not start: {e}");
            eprintln!(
                "hint: it needs a display (X11 or Wayland) and OpenGL libraries; ./run installs them on Debian/Ubuntu"
            );
            ExitCode::from(1)
        }
    }
}
