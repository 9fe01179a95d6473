//! The properties the fuzz targets check, one module per target.
//!
//! Each fuzz target (`fuzz/fuzz_targets/<name>.rs`) is one line calling the function of the
//! same name listed in [`TARGETS`]; the corpus replay test
//! (`verifier-core/tests/fuzz_corpus.rs`) includes this file with `#[path]` and runs the
//! same functions on every file of `fuzz/corpus/<name>/`, so the two cannot diverge.
//! Only `verifier-core`'s public API is used (and `base64`, which the core depends on).
//!
//! Every function returns whether the input *as given* was accepted by the parser under
//! test (the replay test asserts each corpus holds accepted inputs); a failed property
//! panics (that is what the fuzzer reports as a crash).
//!
//! `sas_message` is not here: its property (`fuzz_targets/check.rs`) belongs to the SAS
//! code and is replayed by `verifier-core/tests/sas_fuzz_corpus.rs`.

pub mod contact_name;
pub mod identity_text;
pub mod join_code;
pub mod key_text;
pub mod qr_payload;
pub mod receipt;
pub mod receipt_text;
pub mod rotation;
pub mod signal_scannable;
pub mod typed_words;

/// A target's property: runs on any bytes, returns whether the input was accepted.
pub type Property = fn(&[u8]) -> bool;

/// Every target with its property, by the target's (and corpus directory's) name.
pub const TARGETS: &[(&str, Property)] = &[
    ("contact_name", contact_name::check),
    ("identity_text", identity_text::check),
    ("join_code", join_code::check),
    ("key_text", key_text::check),
    ("qr_payload", qr_payload::check),
    ("receipt", receipt::check),
    ("receipt_text", receipt_text::check),
    ("rotation", rotation::check),
    ("signal_scannable", signal_scannable::check),
    ("typed_words", typed_words::check),
];

/// Targets whose property lives elsewhere, with the test that replays their corpus.
pub const REPLAYED_ELSEWHERE: &[(&str, &str)] = &[
    ("sas_message", "verifier-core/tests/sas_fuzz_corpus.rs"),
    ("image_file", "verifier-scan/tests/fuzz_corpus.rs"),
];

/// The input as text: itself if UTF-8, else its lossy decoding (so mutations of
/// binary-looking inputs still reach the text parsers).
pub(crate) fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
