//! Starts the verifier desktop app.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Theme;
use verifier_gui::workers::camera::ImageSequence;

fn usage() -> String {
    let names: Vec<&str> = Screen::ALL.iter().map(|s| s.name()).collect();
    format!(
        "usage: verifier-gui [--screen {}] [--contact NAME] [--camera-images DIR] [--text-scale N] [--theme light|dark]\n\n  --contact NAME       open Compare codes with this contact chosen (with --screen compare)\n  --camera-images DIR  use the PNG/JPEG files in DIR, played in a loop at 30 frames/s,\n                       as the only camera (for demonstrations and benchmarks)\n  --text-scale N       set the text size, 1.0 to 3.0 (saved as in Settings)\n  --theme light|dark   set the colour theme (saved as in Settings)\n\nEnvironment: VERIFIER_IDENTITY (identity file), VERIFIER_STORE (trust store),\nVERIFIER_TRACE_STARTUP=1 (print the time to the first frame), VERIFIER_TRACE_SCAN=1 (print decode rates).",
        names.join("|")
    )
}

fn main() -> ExitCode {
    let t0 = std::time::Instant::now();
    let trace = std::env::var_os("VERIFIER_TRACE_STARTUP").is_some_and(|v| v == "1");
    let mut start = Screen::MyCode;
    let mut camera_images: Option<std::path::PathBuf> = None;
    let mut contact: Option<String> = None;
    let mut text_scale: Option<f32> = None;
    let mut theme: Option<Theme> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--screen" => match args.next().as_deref().and_then(Screen::from_name) {
                Some(s) => start = s,
                None => {
                    eprintln!("error: --screen needs a screen name\n{}", usage());
                    return ExitCode::from(2);
                }
            },
            "--contact" => match args.next() {
                Some(name) if !name.trim().is_empty() => contact = Some(name),
                _ => {
                    eprintln!("error: --contact needs a contact name\n{}", usage());
                    return ExitCode::from(2);
                }
            },
            "--camera-images" => match args.next() {
                Some(dir) if std::path::Path::new(&dir).is_dir() => {
                    camera_images = Some(dir.into());
                }
                Some(dir) => {
                    eprintln!("error: --camera-images: {dir} is not a folder");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!(
                        "error: --camera-images needs a folder of PNG/JPEG files\n{}",
                        usage()
                    );
                    return ExitCode::from(2);
                }
            },
            "--text-scale" => match args.next().and_then(|v| v.parse::<f32>().ok()) {
                Some(v) if (1.0..=3.0).contains(&v) => text_scale = Some(v),
                _ => {
                    eprintln!(
                        "error: --text-scale needs a number from 1.0 to 3.0\n{}",
                        usage()
                    );
                    return ExitCode::from(2);
                }
            },
            "--theme" => match args.next().as_deref() {
                Some("light") => theme = Some(Theme::Light),
                Some("dark") => theme = Some(Theme::Dark),
                _ => {
                    eprintln!("error: --theme needs light or dark\n{}", usage());
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{}", usage());
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument `{other}`\n{}", usage());
                return ExitCode::from(2);
            }
        }
    }
    let mut config = match AppConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(dir) = camera_images {
        config.cameras = Box::new(ImageSequence::new(dir));
    }
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
        Box::new(move |cc| {
            let mut app = VerifierApp::from_creation_context(cc, config);
            app.screen = start;
            app.shared.compare_contact = contact;
            app.startup_trace = trace.then_some(t0);
            app.set_from_command_line(text_scale, theme);
            Ok(Box::new(app))
        }),
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
