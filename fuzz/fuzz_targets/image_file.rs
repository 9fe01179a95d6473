//! Fuzz target `image_file`: image files (PNG, JPEG) through `verifier_scan`'s checked
//! entry point (`ImageHeader::read`, `LumaImage::from_encoded_with_limits`,
//! `Scanner::scan_encoded`). Property: `image_file_check.rs`, replayed with the corpus
//! `corpus/image_file/` by `verifier-scan/tests/fuzz_corpus.rs`.
//! Run: `cargo +nightly fuzz run image_file -- -rss_limit_mb=2048 -timeout=10` in `fuzz/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod image_file_check;

fuzz_target!(|data: &[u8]| {
    image_file_check::check(data);
});
