//! Choosing a picture with the system's file dialog, off the UI thread.
//!
//! The dialog is the desktop's own (through [`rfd`]: the XDG desktop portal on
//! Linux, the native dialogs on Windows and macOS). A dialog call blocks until
//! the person chooses, so it runs on a thread of its own and its answer comes
//! back over a channel ([`PickerHandle::poll`]), waking the UI.
//!
//! Where no dialog can be shown (no portal, a bare X server), the dialog
//! answers like a cancel: the screen then says so and keeps its fallbacks —
//! typing the path, dropping the file on the window, pasting it.
//!
//! Tests replace the dialog with their own [`FilePicker`] (see
//! [`crate::app::AppConfig`]).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// The file extensions offered in the dialog (what the scanner reads).
pub const PICTURE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// Something that asks the person for a picture file. Called on a worker
/// thread, never on the UI thread: it may block until the person answers.
pub trait FilePicker: Send + Sync {
    /// The chosen file, or `None` when the person cancelled (or no dialog
    /// could be shown).
    fn pick_picture(&self) -> Option<PathBuf>;
}

/// The desktop's own file dialog.
pub struct SystemPicker;

impl FilePicker for SystemPicker {
    fn pick_picture(&self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Open a picture of the code")
            .add_filter("Pictures (PNG, JPEG)", &PICTURE_EXTENSIONS)
            .pick_file()
    }
}

/// A picker that always answers with the same file (tests, or `None`: "cancelled").
pub struct FixedPicker(pub Option<PathBuf>);

impl FilePicker for FixedPicker {
    fn pick_picture(&self) -> Option<PathBuf> {
        self.0.clone()
    }
}

/// What a dialog answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// The person chose this file.
    File(PathBuf),
    /// No file: cancelled, or no dialog could be shown.
    Nothing,
}

/// One dialog open (or none): starts it and takes its answer.
#[derive(Default)]
pub struct PickerHandle {
    waiting: Option<Receiver<Option<PathBuf>>>,
}

impl PickerHandle {
    /// Whether a dialog is open (its answer not in yet).
    pub fn is_open(&self) -> bool {
        self.waiting.is_some()
    }

    /// Opens the dialog of `picker` on a thread of its own, unless one is open.
    /// The UI (`ctx`) is woken when it answers. Where no thread can be
    /// started, the answer is "nothing" at once (the sender is dropped with the
    /// thread's closure; the fallbacks stay).
    pub fn open(&mut self, ctx: &egui::Context, picker: std::sync::Arc<dyn FilePicker>) {
        if self.waiting.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        // A failed spawn drops the closure and its sender: `poll` then answers Nothing.
        let _ = std::thread::Builder::new()
            .name("file-dialog".to_owned())
            .spawn(move || {
                let _ = tx.send(picker.pick_picture());
                ctx.request_repaint();
            });
        self.waiting = Some(rx);
    }

    /// The dialog's answer, once it is in (then the handle is free again).
    pub fn poll(&mut self) -> Option<Picked> {
        let rx = self.waiting.as_ref()?;
        let answer = match rx.try_recv() {
            Ok(Some(path)) => Picked::File(path),
            Ok(None) | Err(TryRecvError::Disconnected) => Picked::Nothing,
            Err(TryRecvError::Empty) => return None,
        };
        self.waiting = None;
        Some(answer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn wait(h: &mut PickerHandle) -> Picked {
        let t0 = Instant::now();
        loop {
            if let Some(p) = h.poll() {
                return p;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "no answer");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_chosen_file_comes_back_and_the_handle_is_free_again() {
        let ctx = egui::Context::default();
        let mut h = PickerHandle::default();
        h.open(&ctx, Arc::new(FixedPicker(Some("/tmp/a.png".into()))));
        assert!(h.is_open());
        assert_eq!(wait(&mut h), Picked::File("/tmp/a.png".into()));
        assert!(!h.is_open());
        assert_eq!(h.poll(), None);
    }

    #[test]
    fn a_cancelled_dialog_answers_nothing() {
        let ctx = egui::Context::default();
        let mut h = PickerHandle::default();
        h.open(&ctx, Arc::new(FixedPicker(None)));
        assert_eq!(wait(&mut h), Picked::Nothing);
    }
}
