//! Fuzz target `join_code`. What it parses and the property it checks are in
//! `fuzz/src/join_code.rs` (`verifier_fuzz::join_code::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/join_code/`. Run: `cargo +nightly fuzz run join_code` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::join_code::check(data);
});
