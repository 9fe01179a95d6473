//! The verifier desktop app, as a library so that tests can drive it headless
//! with egui_kittest.
//!
//! Layout: [`settings`] is the persisted state (no secrets), [`identity`] loads
//! or creates the user's key and precomputes its renderings, [`views`] draws
//! screens, and [`app`] ties them together. [`screen`] (the screens) and
//! [`shared`] (what every screen may use) are their own modules, imported by
//! both the app and the views.
#![forbid(unsafe_code)]

pub mod app;
pub mod fonts;
pub mod identity;
pub mod qr_texture;
pub mod screen;
pub mod settings;
pub mod shared;
pub mod theme;
pub mod views;
pub mod workers;
