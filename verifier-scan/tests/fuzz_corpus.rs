//! Replays the cargo-fuzz corpus of the image-file entry point (`fuzz/corpus/image_file/`)
//! through the property the fuzz target checks (`fuzz/fuzz_targets/image_file_check.rs`,
//! included here, so the two cannot diverge).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../fuzz/fuzz_targets/image_file_check.rs"]
mod image_file_check;

#[test]
fn image_file_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/image_file");
    let (mut accepted, mut refused) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if image_file_check::check(&bytes) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // A corpus that never decodes, or never refuses, has rotted.
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} decoded, {refused} refused in {}",
        dir.display()
    );
}
