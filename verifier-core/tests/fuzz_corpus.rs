//! Replays every file of every cargo-fuzz corpus (`fuzz/corpus/<target>/`) through the
//! property its fuzz target checks. The properties are the fuzz crate's own code
//! (`fuzz/src/`, included here), so the replay and the targets cannot diverge.
//!
//! Fails if a target has no corpus directory or an empty one, if a corpus directory
//! belongs to no known target, or if a corpus holds no accepted or no refused input
//! (a corpus that never reaches the parser's success path, or only it, has rotted).
//! `sas_message` is replayed by `sas_fuzz_corpus.rs` (its property is the SAS code's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

#[test]
fn every_corpus_directory_belongs_to_a_target() {
    let known: BTreeSet<&str> = fuzz::TARGETS
        .iter()
        .map(|(name, _)| *name)
        .chain(fuzz::REPLAYED_ELSEWHERE.iter().map(|(name, _)| *name))
        .collect();
    let root = corpus_root();
    for entry in std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        assert!(
            known.contains(name.as_str()),
            "{}: no fuzz target property for this corpus (add it to fuzz/src/lib.rs TARGETS)",
            entry.path().display()
        );
    }
    // Every fuzz target of fuzz/Cargo.toml is known here (so none is left unreplayed).
    let manifest = std::fs::read_to_string(root.join("../Cargo.toml")).unwrap();
    for line in manifest.lines() {
        if let Some(name) = line
            .strip_prefix("name = \"")
            .and_then(|l| l.strip_suffix('"'))
            && name != "verifier-fuzz"
        {
            assert!(
                known.contains(name),
                "fuzz target {name} has no replayed corpus"
            );
        }
    }
}

#[test]
fn fuzz_corpora_replay() {
    let root = corpus_root();
    for (name, property) in fuzz::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()));
        let (mut accepted, mut refused) = (0usize, 0usize);
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let ok = std::panic::catch_unwind(|| property(&data))
                .unwrap_or_else(|_| panic!("{name}: property fails on {}", path.display()));
            if ok {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(accepted + refused > 0, "corpus {} is empty", dir.display());
        assert!(
            accepted > 0,
            "{name}: no input of {} is accepted",
            dir.display()
        );
        assert!(
            refused > 0,
            "{name}: no input of {} is refused",
            dir.display()
        );
        eprintln!("{name}: {accepted} accepted, {refused} refused");
    }
}
