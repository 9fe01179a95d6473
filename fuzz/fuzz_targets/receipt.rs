//! Fuzz target `receipt`. What it parses and the property it checks are in
//! `fuzz/src/receipt.rs` (`verifier_fuzz::receipt::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/receipt/`. Run: `cargo +nightly fuzz run receipt` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::receipt::check(data);
});
