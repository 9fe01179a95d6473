//! Fuzz target `key_text`. What it parses and the property it checks are in
//! `fuzz/src/key_text.rs` (`verifier_fuzz::key_text::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/key_text/`. Run: `cargo +nightly fuzz run key_text` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::key_text::check(data);
});
