//! Replays the cargo-fuzz corpus of the receipt decoder (`fuzz/corpus/receipt/`) through
//! the same check the fuzz target runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../fuzz/fuzz_targets/receipt_check.rs"]
mod receipt_check;

#[test]
fn fuzz_corpus_replays_without_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/receipt");
    let (mut count, mut plain, mut signed) = (0, 0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let (p, s) = receipt_check::check(&bytes);
        count += 1;
        plain += usize::from(p);
        signed += usize::from(s);
    }
    // Seeds: every vector receipt of both versions, whole and without its signature.
    // The 13 valid vector receipts decode as they are; their bodies, signed, decode too.
    assert!(
        count >= 100,
        "only {count} corpus files in {}",
        dir.display()
    );
    assert!(plain >= 13, "only {plain} corpus files decode");
    assert!(
        signed >= 13,
        "only {signed} corpus files decode once signed"
    );
}
