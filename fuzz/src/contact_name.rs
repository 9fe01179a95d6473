//! `contact_name`: contact names typed by a person or read from a scanned code or a
//! receipt (`ContactName::parse`).

use unicode_normalization::UnicodeNormalization as _;
use verifier_core::contact_name::ContactName;

/// What parses is NFC and parses again to itself (parsing is idempotent), with the same
/// lookalike key.
pub fn check(data: &[u8]) -> bool {
    let text = super::text_of(data);
    let parsed = ContactName::parse(&text);
    if let Ok(name) = &parsed {
        let nfc: String = name.as_str().nfc().collect();
        assert_eq!(nfc, name.as_str(), "parsed name is not NFC");
        let nfc_input: String = text.nfc().collect();
        assert_eq!(
            name.as_str(),
            nfc_input,
            "parse changed more than the normal form"
        );
        let again = ContactName::parse(name.as_str());
        assert_eq!(again.as_ref(), Ok(name), "parse is not idempotent");
        assert_eq!(again.map(|n| n.skeleton()), Ok(name.skeleton()));
    }
    parsed.is_ok()
}
