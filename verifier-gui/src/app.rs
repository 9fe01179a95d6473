//! The app: navigation between screens, shared context, and the eframe glue.
//!
//! State is split three ways (see the module docs of each):
//! - persisted: [`Settings`] (no secrets), restored by eframe;
//! - view state: one `…State` struct per screen, drawn by [`views`];
//! - background work: [`workers`] (trust store, camera, scanner, network), which
//!   talk to the UI over channels and call `request_repaint` when they have news.

use std::path::PathBuf;

use crate::identity::{IdentityState, load_or_create};
pub use crate::screen::Screen;
use crate::settings::{STORAGE_KEY, Settings, Theme};
pub use crate::shared::Shared;
use crate::views;
use crate::workers;

/// Below this width (in points) the navigation moves from the left side to the top.
pub const NARROW: f32 = 640.0;

/// How the app is started (paths and devices can be overridden for tests).
pub struct AppConfig {
    /// Where the identity lives.
    pub identity_path: PathBuf,
    /// Where the trust store lives.
    pub store_path: Option<PathBuf>,
    /// Where camera frames come from.
    pub cameras: Box<dyn workers::camera::CameraProvider>,
    /// The file dialog that picks a picture (the desktop's own in a real run).
    pub file_picker: std::sync::Arc<dyn workers::file_picker::FilePicker>,
}

impl AppConfig {
    /// The configuration for a real run: default paths, real cameras.
    pub fn from_env() -> Result<Self, String> {
        let identity_path = crate::identity::default_identity_path().ok_or_else(|| {
            "cannot find a data directory; set VERIFIER_IDENTITY to a file path".to_owned()
        })?;
        let store_path = match std::env::var_os("VERIFIER_STORE").filter(|v| !v.is_empty()) {
            Some(p) => Some(PathBuf::from(p)),
            None => verifier_store::Store::default_path().ok(),
        };
        Ok(AppConfig {
            identity_path,
            store_path,
            cameras: workers::camera::system_cameras(),
            file_picker: std::sync::Arc::new(workers::file_picker::SystemPicker),
        })
    }
}

/// The app's state.
pub struct VerifierApp {
    /// Shared context.
    pub shared: Shared,
    /// The current screen.
    pub screen: Screen,
    /// "My code" screen.
    pub my_code: views::my_code::MyCodeState,
    /// Contacts screen.
    pub contacts: views::contacts::ContactsState,
    /// Scan screen.
    pub scan: views::scan::ScanState,
    /// Compare screen.
    pub compare: views::compare::CompareState,
    /// Live SAS screen.
    pub sas: views::sas::SasState,
    /// Settings screen.
    pub settings_view: views::settings::SettingsState,
    /// The settings as last written to storage (see [`VerifierApp::persist`]).
    persisted: Settings,
    fonts_installed: bool,
    /// When set, the time of the first drawn frame is printed to stderr
    /// (`VERIFIER_TRACE_STARTUP=1`; used by `bench/gui-metrics.sh`).
    pub startup_trace: Option<std::time::Instant>,
}

impl VerifierApp {
    /// Opens (or creates) the identity, starts the store worker, and shows "My code".
    pub fn new(config: AppConfig, settings: Settings) -> Self {
        let settings = settings.normalised();
        let identity = load_or_create(&config.identity_path);
        let own = match &identity {
            IdentityState::Ready(me) => Some(me.own.clone()),
            IdentityState::Failed { .. } => None,
        };
        let store = workers::store::StoreClient::start(config.store_path.clone(), own);
        VerifierApp {
            persisted: settings.clone(),
            settings_view: views::settings::SettingsState::default(),
            shared: Shared {
                settings,
                identity,
                store,
                go_to: None,
                pending_join_code: None,
                compare_contact: None,
                requests: Default::default(),
                file_picker: config.file_picker,
            },
            screen: Screen::MyCode,
            my_code: views::my_code::MyCodeState::default(),
            contacts: views::contacts::ContactsState::default(),
            scan: views::scan::ScanState::new(config.cameras),
            compare: views::compare::CompareState::default(),
            sas: views::sas::SasState::default(),
            fonts_installed: false,
            startup_trace: None,
        }
    }

    /// Builds the app from eframe's creation context (restores settings).
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, config: AppConfig) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, STORAGE_KEY))
            .unwrap_or_default();
        Self::new(config, settings)
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if !self.fonts_installed {
            // Fonts apply from the next frame: draw nothing with emoji until then.
            crate::fonts::install(ui.ctx());
            crate::theme::install(ui.ctx());
            self.fonts_installed = true;
            ui.ctx().request_repaint();
            return;
        }
        apply_settings(ui.ctx(), &self.shared.settings);
        self.shared.store.poll(ui.ctx());
        // A picture dropped on the window or pasted (Ctrl+V) is scanned whatever screen is
        // shown: the Scan screen opens in this same frame and takes it from the input.
        if self.screen != Screen::Scan && picture_arrived(ui.ctx()) {
            self.screen = Screen::Scan;
        }
        // A live session runs on whatever screen is shown: its news is taken every frame.
        self.sas
            .update(&mut self.shared, self.screen == Screen::Sas);
        // Narrow windows (large text sizes) get the navigation as a wrapped row on top,
        // leaving the whole width to the screen.
        if ui.available_width() < NARROW {
            egui::Panel::top("nav_top").resizable(false).show(ui, |ui| {
                ui.add_space(4.0);
                ui.horizontal_wrapped(|ui| self.nav(ui, true));
                ui.add_space(4.0);
            });
        } else {
            egui::Panel::left("nav").resizable(false).show(ui, |ui| {
                ui.add_space(8.0);
                ui.heading("verifier");
                ui.add_space(8.0);
                self.nav(ui, false);
            });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            // The banner scrolls with the screen: at a large text size it is tall, and a fixed
            // banner would leave no room for the screen itself.
            egui::ScrollArea::vertical().show(ui, |ui| {
                views::key_change_banner(ui, &mut self.shared);
                self.screen_ui(ui);
            });
        });
        if let Some(s) = self.shared.go_to.take() {
            self.screen = s;
        }
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) {
        match self.screen {
            Screen::MyCode => views::my_code::show(ui, &mut self.shared, &mut self.my_code),
            Screen::Contacts => views::contacts::show(ui, &mut self.shared, &mut self.contacts),
            Screen::Scan => views::scan::show(ui, &mut self.shared, &mut self.scan),
            Screen::Compare => views::compare::show(ui, &mut self.shared, &mut self.compare),
            Screen::Sas => views::sas::show(ui, &mut self.shared, &mut self.sas),
            Screen::Settings => {
                views::settings::show(ui, &mut self.shared, &mut self.settings_view)
            }
        }
    }
}

impl VerifierApp {
    /// The navigation entries, one per screen;
    /// `compact`: short entries (the navigation on top, in a narrow window).
    fn nav(&mut self, ui: &mut egui::Ui, compact: bool) {
        for s in Screen::ALL {
            let label = s.label();
            let changed = self.shared.store.key_changed_count();
            let marker = (s == Screen::Sas).then(|| self.sas.nav_marker()).flatten();
            let resp = match marker {
                None if s == Screen::Contacts && changed > 0 => {
                    // Shown "Contacts ⚠ 2"; read as "Contacts: 2 keys changed".
                    let keys = if changed == 1 { "key" } else { "keys" };
                    ui.selectable_label(self.screen == s, format!("{label} ⚠ {changed}"))
                        .accessible_name(format!("{label}: {changed} {keys} changed"))
                }
                None => ui.selectable_label(self.screen == s, label),
                Some(m) => {
                    // Visible "• needs your answer"; read as "Live session: needs your answer".
                    // In the narrow row on top only the dot is shown (the name says it all).
                    let shown = if compact {
                        format!("{label} •")
                    } else {
                        format!("{label}\n• {}", m.text())
                    };
                    let text = egui::RichText::new(shown);
                    let text = if m == views::sas::NavMarker::NeedsAnswer {
                        text.strong().color(ui.visuals().warn_fg_color)
                    } else {
                        text
                    };
                    ui.selectable_label(self.screen == s, text)
                        .accessible_name(format!("{label}: {}", m.text()))
                }
            };
            if resp.clicked() {
                self.screen = s;
            }
        }
    }

    /// Sets the text size and theme given on the command line (saved like a choice in Settings).
    pub fn set_from_command_line(&mut self, text_scale: Option<f32>, theme: Option<Theme>) {
        if let Some(t) = text_scale {
            self.shared.settings.text_scale = crate::settings::text_scale_step(t);
        }
        if let Some(t) = theme {
            self.shared.settings.theme = t;
        }
    }

    /// Writes the settings to `storage` when they changed since last written, and flushes it:
    /// a choice survives the app being closed (or killed) right after. eframe's file storage
    /// writes the file on a thread of its own, so the UI thread does no file I/O.
    pub fn persist(&mut self, storage: &mut dyn eframe::Storage) {
        if self.shared.settings != self.persisted {
            eframe::set_value(storage, STORAGE_KEY, &self.shared.settings);
            storage.flush();
            self.persisted = self.shared.settings.clone();
        }
    }
}

/// Whether a picture was dropped on the window (a PNG or JPEG file) or pasted
/// as an image this frame. Other dropped files (receipts on the Contacts
/// screen) are left to the screen shown.
fn picture_arrived(ctx: &egui::Context) -> bool {
    ctx.input(|i| {
        let dropped = i.raw.dropped_files.iter().any(|f| {
            f.path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| {
                    workers::file_picker::PICTURE_EXTENSIONS
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(e))
                })
        });
        let pasted = i
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::PasteImage(_)));
        dropped || pasted
    })
}

fn apply_settings(ctx: &egui::Context, s: &Settings) {
    let pref = match s.theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(pref);
    let scale = crate::settings::text_scale_step(s.text_scale);
    if (ctx.zoom_factor() - scale).abs() > f32::EPSILON {
        ctx.set_zoom_factor(scale);
    }
}

impl eframe::App for VerifierApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.show(ui);
        if let Some(storage) = frame.storage_mut() {
            self.persist(storage);
        }
        if self.fonts_installed
            && let Some(t0) = self.startup_trace.take()
        {
            eprintln!(
                "startup: first full frame after {:.1} ms",
                t0.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.shared.settings);
        self.persisted = self.shared.settings.clone();
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A live session still running ends with the app: the peer is told (bounded wait so
        // the cancel message leaves before the process does).
        self.sas.close(std::time::Duration::from_millis(500));
    }
}
