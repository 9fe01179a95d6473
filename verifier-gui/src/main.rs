//! The verifier desktop app.
#![forbid(unsafe_code)]
fn main() {}
