//! Fuzz target `qr_payload`. What it parses and the property it checks are in
//! `fuzz/src/qr_payload.rs` (`verifier_fuzz::qr_payload::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/qr_payload/`. Run: `cargo +nightly fuzz run qr_payload` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::qr_payload::check(data);
});
