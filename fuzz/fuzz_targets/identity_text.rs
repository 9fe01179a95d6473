//! Fuzz target `identity_text`. What it parses and the property it checks are in
//! `fuzz/src/identity_text.rs` (`verifier_fuzz::identity_text::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/identity_text/`. Run: `cargo +nightly fuzz run identity_text` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::identity_text::check(data);
});
