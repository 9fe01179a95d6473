//! The app: screens, settings and the eframe glue.

use std::path::PathBuf;

use crate::identity::{IdentityState, load_or_create};
use crate::settings::{STORAGE_KEY, Settings, Theme};
use crate::views;

/// How the app is started (paths can be overridden for tests).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Where the identity lives.
    pub identity_path: PathBuf,
}

/// The app's state.
pub struct VerifierApp {
    /// Persisted settings.
    pub settings: Settings,
    /// The user's identity.
    pub identity: IdentityState,
    /// Transient UI state of the "My code" screen.
    pub my_code: views::my_code::MyCodeState,
}

impl VerifierApp {
    /// Opens (or creates) the identity and starts with the given settings.
    pub fn new(config: &AppConfig, settings: Settings) -> Self {
        VerifierApp {
            settings,
            identity: load_or_create(&config.identity_path),
            my_code: views::my_code::MyCodeState::default(),
        }
    }

    /// Builds the app from eframe's creation context (restores settings).
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, config: &AppConfig) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, STORAGE_KEY))
            .unwrap_or_default();
        Self::new(config, settings)
    }

    /// Draws one frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        apply_settings(ui.ctx(), &self.settings);
        egui::CentralPanel::default().show_inside(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                views::my_code::show(ui, &self.identity, &mut self.settings, &mut self.my_code);
            });
        });
    }
}

fn apply_settings(ctx: &egui::Context, s: &Settings) {
    let pref = match s.theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(pref);
    let scale = s.text_scale.clamp(0.75, 2.5);
    if (ctx.zoom_factor() - scale).abs() > f32::EPSILON {
        ctx.set_zoom_factor(scale);
    }
}

impl eframe::App for VerifierApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.settings);
    }
}
