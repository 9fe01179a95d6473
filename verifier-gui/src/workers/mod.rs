//! Background work. Nothing here runs on the UI thread: each worker owns its
//! resource (database, camera, socket), receives requests over a channel and
//! sends results back, waking the UI with `request_repaint`.

pub mod camera;
pub mod file_picker;
pub mod fingerprint;
pub mod frame;
pub mod sas;
pub mod scan;
pub mod store;
