//! The one harness over `tests/vectors/*.json`: one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "harness/keys.rs"]
mod keys;
#[path = "harness/qr_payload.rs"]
mod qr_payload;
#[path = "harness/receipt.rs"]
mod receipt;
#[path = "harness/rotation.rs"]
mod rotation;
#[path = "harness/safety_numbers.rs"]
mod safety_numbers;
#[path = "harness/sas_mapping.rs"]
mod sas_mapping;
#[path = "harness/sas_protocol.rs"]
mod sas_protocol;
#[path = "harness/signal.rs"]
mod signal;
