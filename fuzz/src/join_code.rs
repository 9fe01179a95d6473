//! `join_code`: the join code people type (`JoinCode::parse`). Only `parse` and
//! `to_string` of the SAS module are used (its API is being rewritten elsewhere).

use verifier_core::sas::JoinCode;

/// What parses prints as a code that parses back to the same code.
pub fn check(data: &[u8]) -> bool {
    let text = super::text_of(data);
    let parsed = JoinCode::parse(&text);
    if let Ok(code) = &parsed {
        let again = JoinCode::parse(&code.to_string());
        assert_eq!(again.as_ref(), Ok(code), "join code does not round-trip");
    }
    parsed.is_ok()
}
