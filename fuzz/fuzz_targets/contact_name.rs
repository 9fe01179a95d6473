//! Fuzz target `contact_name`. What it parses and the property it checks are in
//! `fuzz/src/contact_name.rs` (`verifier_fuzz::contact_name::check`), shared with the corpus replay
//! test `verifier-core/tests/fuzz_corpus.rs`, which runs it on every file of
//! `fuzz/corpus/contact_name/`. Run: `cargo +nightly fuzz run contact_name` in `fuzz/`
//! (see `docs/fuzzing.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    verifier_fuzz::contact_name::check(data);
});
