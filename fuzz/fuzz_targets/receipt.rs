//! Fuzz target: the receipt decoder (`Receipt::decode`, versions 1 and 2) on arbitrary
//! bytes, and on the same bytes made into a validly signed receipt.
//! Run: `cd fuzz && cargo fuzz run receipt` (nightly, or RUSTC_BOOTSTRAP=1 on stable).
//! The corpus in `corpus/receipt/` is replayed by `verifier-core/tests/receipt_fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod receipt_check;

fuzz_target!(|data: &[u8]| {
    let _ = receipt_check::check(data);
});
