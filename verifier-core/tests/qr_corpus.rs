//! Replays every file of the cargo-fuzz corpus (`fuzz/corpus/qr_payload/`) through the same
//! checks as the fuzz target: no panic, canonical re-encoding, `classify` agrees with `decode`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use verifier_core::qr::{MAGIC, Payload, ScannedCode, classify};

#[test]
fn fuzz_corpus_replays() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/qr_payload");
    let mut files = 0;
    let (mut ok, mut err) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let decoded = Payload::decode(&data);
        match &decoded {
            Ok(p) => {
                assert_eq!(p.encode(), data, "{}: not canonical", path.display());
                ok += 1;
            }
            Err(_) => err += 1,
        }
        match classify(&data) {
            ScannedCode::Verifier(p) => assert_eq!(Ok(p), decoded, "{}", path.display()),
            ScannedCode::InvalidVerifier(e) => assert_eq!(Err(e), decoded, "{}", path.display()),
            _ => assert!(!data.starts_with(&MAGIC), "{}", path.display()),
        }
        files += 1;
    }
    // The corpus holds the vector seeds plus what the fuzzer found: both outcomes occur.
    assert!(
        files >= 40,
        "only {files} corpus files in {}",
        dir.display()
    );
    assert!(ok >= 5 && err >= 30, "{ok} decoded, {err} refused");
}
