//! # verifier-core
//!
//! End-to-end key verification that people actually do: pairwise safety
//! numbers, renderings as digits, words and emoji, and the parsing of what a
//! person typed back into bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod identity;
pub mod key;
pub mod qr;
pub mod receipt;
pub mod render;
pub mod rotation;
pub mod safety_number;
pub mod sas;
pub mod signal;
#[cfg(feature = "store")]
pub mod store;
