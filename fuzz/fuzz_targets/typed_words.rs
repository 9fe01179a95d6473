//! Fuzz target `typed_words`. What it parses and the property it checks are in
//! `fuzz/src/typed_words.rs` (`verifier_fuzz::typed_words::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/typed_words/`. Run: `cargo +nightly fuzz run typed_words` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::typed_words::check(data);
});
