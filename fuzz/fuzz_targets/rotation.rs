//! Fuzz target `rotation`. What it parses and the property it checks are in
//! `fuzz/src/rotation.rs` (`verifier_fuzz::rotation::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/rotation/`. Run: `cargo +nightly fuzz run rotation` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::rotation::check(data);
});
