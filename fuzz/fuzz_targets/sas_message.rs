//! Fuzz target: the SAS message decoder and both state machines on arbitrary bytes.
//! Run: `cd fuzz && cargo fuzz run sas_message` (nightly, or RUSTC_BOOTSTRAP=1 on stable).
//! The corpus in `corpus/sas_message/` is replayed by `verifier-core/tests/sas_fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod check;

fuzz_target!(|data: &[u8]| {
    check::check(data);
});
