//! Replays the cargo-fuzz corpus of the SAS message decoder (`fuzz/corpus/sas_message/`)
//! through the same check the fuzz target runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../fuzz/fuzz_targets/check.rs"]
mod check;

#[test]
fn fuzz_corpus_replays_without_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sas_message");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        check::check(&bytes);
        count += 1;
    }
    // Seeds for every message kind plus what fuzzing found.
    assert!(count >= 5, "only {count} corpus files in {}", dir.display());
}
