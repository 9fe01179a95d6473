//! Fuzz target `signal_scannable`. What it parses and the property it checks are in
//! `fuzz/src/signal_scannable.rs` (`verifier_fuzz::signal_scannable::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/signal_scannable/`. Run: `cargo +nightly fuzz run signal_scannable` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::signal_scannable::check(data);
});
