//! The verifier desktop app, as a library so that tests can drive it headless
//! with egui_kittest.
//!
//! Layout: [`settings`] is the persisted state (no secrets), [`identity`] loads
//! or creates the user's key and precomputes its renderings, [`views`] draws
//! screens, and [`app`] ties them together.
#![forbid(unsafe_code)]

pub mod app;
pub mod fonts;
pub mod identity;
pub mod qr_texture;
pub mod settings;
pub mod views;
pub mod workers;
