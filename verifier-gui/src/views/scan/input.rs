//! Where pictures come from: the camera bar (pick, open, stop a camera), the
//! contact the person expects, the live preview with the detected code
//! outlined, image files, dropped files and the clipboard.

use std::path::PathBuf;
use std::sync::Arc;

use verifier_core::key::PublicKey;

use super::result::current_verdict;
use super::{CameraState, ScanState};
use crate::shared::Shared;
use crate::workers::camera::CameraInfo;
use crate::workers::file_picker::Picked;
use crate::workers::scan::StillImage;

/// Said when the file dialog gave no file (cancelled, or no dialog could be shown).
pub const NO_FILE_CHOSEN: &str = "No picture chosen. If no file dialog opened, type the picture's path below, drop the file on this window, or paste it (Ctrl+V).";

fn camera_name(list: &[CameraInfo], index: u32) -> String {
    list.iter()
        .find(|c| c.index == index)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("camera {index}"))
}

/// A path from pasted text: a plain path or a `file://` URI of an existing file.
fn pasted_path(text: &str) -> Option<PathBuf> {
    let line = text.lines().next()?.trim();
    let raw = line.strip_prefix("file://").unwrap_or(line);
    let path = PathBuf::from(raw.replace("%20", " "));
    path.is_file().then_some(path)
}

/// Dropped files and clipboard paste.
pub(super) fn input_routes(ui: &mut egui::Ui, state: &mut ScanState) {
    let typing = ui.ctx().egui_wants_keyboard_input();
    let (dropped, pasted_image, pasted_text) = ui.input(|i| {
        let mut image = None;
        let mut text = None;
        for e in &i.events {
            match e {
                egui::Event::PasteImage(img) => image = Some(Arc::clone(img)),
                egui::Event::Paste(t) if !typing => text = Some(t.clone()),
                _ => {}
            }
        }
        (i.raw.dropped_files.first().cloned(), image, text)
    });
    if let Some(file) = dropped {
        state.scan_still(StillImage::Dropped(file));
    } else if let Some(img) = pasted_image {
        state.scan_still(StillImage::Pasted(img));
    } else if let Some(text) = pasted_text {
        if let Some(path) = pasted_path(&text) {
            state.scan_still(StillImage::Path(path));
        } else if PublicKey::parse(text.trim()).is_ok() {
            state.still_message = Some(Err("You pasted a key in text form. Scanning needs their QR code: pasted text proves nothing about whose key it is. Add a key by text on the Contacts screen.".to_owned()));
        } else {
            state.still_message = Some(Err("The clipboard holds text, not a picture. Copy the picture itself (or an image file's path) and paste again.".to_owned()));
        }
    }
}

pub(super) fn camera_bar(ui: &mut egui::Ui, state: &mut ScanState) {
    let mut open: Option<u32> = None;
    let mut stop = false;
    match state.camera.clone() {
        CameraState::Listing => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Looking for cameras…");
            });
            if cfg!(target_os = "macos") {
                ui.label("If macOS asks whether verifier may use the camera, answer there.");
            }
        }
        CameraState::ListFailed(e) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Cameras cannot be used: {e}"),
            );
            ui.label("You can still open an image file, drop one on this window, or paste a picture (Ctrl+V).");
        }
        _ if state.camera_list.is_empty() => {
            ui.label(egui::RichText::new("No camera found.").strong());
            ui.label("Open a picture of the code instead: type its path below, drop an image file on this window, or paste a screenshot (Ctrl+V).");
        }
        camera => {
            ui.horizontal(|ui| {
                let selected = state
                    .selected_camera
                    .or(state.camera_list.first().map(|c| c.index));
                let name = selected
                    .map(|i| camera_name(&state.camera_list, i))
                    .unwrap_or_default();
                egui::ComboBox::from_label("Camera")
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for c in &state.camera_list {
                            if ui
                                .selectable_label(selected == Some(c.index), &c.name)
                                .clicked()
                            {
                                state.selected_camera = Some(c.index);
                                open = Some(c.index);
                            }
                        }
                    });
                match &camera {
                    CameraState::Streaming(_) | CameraState::Opening(_) => {
                        if ui.button("Stop camera").clicked() {
                            stop = true;
                        }
                    }
                    _ => {
                        if ui.button("Start camera").clicked() {
                            open = selected;
                        }
                    }
                }
            });
            match &camera {
                CameraState::Opening(i) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(format!("Opening {}…", camera_name(&state.camera_list, *i)));
                    });
                }
                CameraState::Streaming(_) => {
                    let s = state.stats;
                    ui.label(
                        egui::RichText::new(format!(
                            "Scanning: {} frames read, {} skipped while busy, {:.0} ms per frame",
                            s.scanned, s.dropped, s.last_ms
                        ))
                        .small(),
                    );
                }
                CameraState::Failed { index, message } => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!(
                            "The camera “{}” cannot be used: {message}.",
                            camera_name(&state.camera_list, *index)
                        ),
                    );
                    ui.label("Close other programs that may be using it, check that you may use it (on Linux: the “video” group), then press Start camera. Or open a picture of the code below.");
                }
                _ => {}
            }
            if let Some(e) = &state.frame_error {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
        }
    }
    if stop {
        if let Some(w) = &state.worker {
            w.stop_camera();
        }
        state.user_stopped = true;
    }
    if let Some(i) = open {
        state.user_stopped = false;
        state.open(i);
    }
}

pub(super) fn expected_picker(ui: &mut egui::Ui, shared: &Shared, state: &mut ScanState) {
    let contacts = &shared.store.snapshot().contacts;
    if contacts.is_empty() {
        state.expected = None;
        return;
    }
    if let Some(e) = &state.expected
        && !contacts.iter().any(|c| &c.name == e)
    {
        state.expected = None;
    }
    const ANYONE: &str = "Anyone (look the key up)";
    // The label above the list: beside it, a narrow window squeezes it into a tall column.
    let label = ui.label("Whose code is it?");
    egui::ComboBox::from_id_salt("scan_whose_code")
        .selected_text(state.expected.as_deref().unwrap_or(ANYONE))
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(state.expected.is_none(), ANYONE)
                .clicked()
            {
                state.expected = None;
            }
            for c in contacts {
                if ui
                    .selectable_label(state.expected.as_deref() == Some(&c.name), &c.name)
                    .clicked()
                {
                    state.expected = Some(c.name.clone());
                }
            }
        })
        .response
        .labelled_by(label.id);
}

pub(super) fn preview(ui: &mut egui::Ui, shared: &Shared, state: &ScanState) {
    let (Some(tex), Some(shown)) = (&state.texture, &state.shown) else {
        return;
    };
    let [tw, th] = tex.size();
    let max_w = ui.available_width().min(640.0);
    let scale = (max_w / tw.max(1) as f32).min(480.0 / th.max(1) as f32);
    let size = egui::vec2(tw as f32, th as f32) * scale;
    let alt = if shown.from_camera {
        "Camera preview"
    } else {
        "Scanned picture"
    };
    let resp = ui.add(egui::Image::new((tex.id(), size)).alt_text(alt));
    let rect = resp.rect;
    // The colour is the trust engine's answer: green only for a match.
    let verdict = state
        .scanned
        .as_ref()
        .map(|s| current_verdict(shared, state, s));
    let colour = match verdict {
        Some(v) if v.is_match() => egui::Color32::from_rgb(0, 200, 60),
        Some(v) if v.is_refused() => egui::Color32::from_rgb(230, 30, 30),
        _ => egui::Color32::from_rgb(250, 190, 0),
    };
    let sx = rect.width() / shown.width.max(1) as f32;
    let sy = rect.height() / shown.height.max(1) as f32;
    let painter = ui.painter_at(rect);
    for corners in &shown.outlines {
        let pts: Vec<egui::Pos2> = corners
            .iter()
            .map(|p| rect.min + egui::vec2(p.x * sx, p.y * sy))
            .collect();
        painter.add(egui::Shape::closed_line(
            pts,
            egui::Stroke::new(3.0, colour),
        ));
    }
}

pub(super) fn file_routes(ui: &mut egui::Ui, shared: &Shared, state: &mut ScanState) {
    ui.separator();
    ui.label(egui::RichText::new("From a picture").strong());
    match state.picker.poll() {
        Some(Picked::File(path)) => {
            state.path_input = path.display().to_string();
            state.scan_still(StillImage::Path(path));
        }
        Some(Picked::Nothing) => state.still_message = Some(Ok(NO_FILE_CHOSEN.to_owned())),
        None => {}
    }
    ui.horizontal_wrapped(|ui| {
        if state.picker.is_open() {
            ui.add_enabled(false, egui::Button::new("Choose a picture…"));
            ui.spinner();
            ui.label("Choose the picture in the file dialog.");
        } else if ui
            .button("Choose a picture…")
            .on_hover_text("Open the file dialog and choose a PNG or JPEG picture of their code")
            .clicked()
        {
            state
                .picker
                .open(ui.ctx(), std::sync::Arc::clone(&shared.file_picker));
        }
    });
    let mut go = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Image file");
        let resp = ui.add(
            egui::TextEdit::singleline(&mut state.path_input)
                // A fixed id: keyboard focus stays in the field when the camera
                // area above it changes size (cameras found, preview started).
                .id_salt("scan-image-file")
                .hint_text("/path/to/picture.png")
                .desired_width(360.0),
        );
        let resp = resp.labelled_by(label.id);
        if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            go = true;
        }
        if ui.button("Open image").clicked() {
            go = true;
        }
    });
    let path = state.path_input.trim().to_owned();
    if go {
        if path.is_empty() {
            state.still_message =
                Some(Err("Type the path of a PNG or JPEG file first.".to_owned()));
        } else {
            state.scan_still(StillImage::Path(PathBuf::from(path)));
        }
    }
    let hovering = ui.input(|i| !i.raw.hovered_files.is_empty());
    let hint = if hovering {
        egui::RichText::new("Drop the file to scan it").strong()
    } else {
        egui::RichText::new(
            "You can also drop a PNG or JPEG file on this window, or paste a picture with Ctrl+V.",
        )
    };
    ui.label(hint);
    match &state.still_message {
        Some(Ok(m)) => {
            ui.label(m);
        }
        Some(Err(m)) => {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        None => {}
    }
}
