//! `key_text`: public keys typed or pasted as text (`PublicKey::parse`: the canonical
//! `vk1-…` form, OpenSSH lines, hex, base64 in four alphabets) and Signal identity keys
//! typed as hex (`SignalIdentityKey::parse_hex`).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use verifier_core::identity::Identity;
use verifier_core::key::{KeyType, PublicKey};
use verifier_core::signal::SignalIdentityKey;

/// Every text form of `key` (with `comment` on the OpenSSH line and white space around
/// some) parses back to `key`.
fn every_form_parses_back(key: &PublicKey, comment: &str) {
    let canonical = key.to_canonical_string();
    let forms = [
        canonical.clone(),
        canonical.to_ascii_uppercase(),
        format!("\n {canonical}\t"),
        key.to_hex(),
        key.to_hex().to_ascii_uppercase(),
        key.to_openssh(""),
        key.to_openssh(comment),
        format!("  {}\r\n", key.to_openssh(comment)),
        STANDARD.encode(key.as_bytes()),
        STANDARD_NO_PAD.encode(key.as_bytes()),
        URL_SAFE.encode(key.as_bytes()),
        URL_SAFE_NO_PAD.encode(key.as_bytes()),
    ];
    for form in forms {
        assert_eq!(PublicKey::parse(&form).as_ref(), Ok(key), "form {form:?}");
    }
    assert_eq!(
        PublicKey::from_bytes(key.key_type(), key.as_bytes()).as_ref(),
        Ok(key)
    );
}

/// What parses is a valid key whose every form parses back to it, and the input is the
/// one encoding of that key in the form it used: the canonical text and hex up to case,
/// the OpenSSH blob exactly, base64 exactly in one of the four alphabets. A key built
/// from the input's first 32 bytes (or derived from them as a seed) parses back from
/// every form. Signal keys read from hex print as the same hex, lowercased.
pub fn check(data: &[u8]) -> bool {
    let text = super::text_of(data);
    let parsed = PublicKey::parse(&text);
    if let Ok(key) = &parsed {
        assert_eq!(key.key_type(), KeyType::Ed25519);
        every_form_parses_back(key, "fuzz");
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let first = t.split_whitespace().next().unwrap_or_default();
        if lower.starts_with("vk1-") && lower.len() == key.to_canonical_string().len() {
            assert_eq!(
                key.to_canonical_string(),
                lower,
                "canonical text not unique"
            );
        } else if first == "ssh-ed25519" {
            let blob = key.to_openssh("");
            assert_eq!(blob.split_whitespace().nth(1), t.split_whitespace().nth(1));
        } else if t.len() == 64 {
            assert_eq!(key.to_hex(), lower, "hex not unique");
        } else {
            let b = key.as_bytes();
            let encodings = [
                STANDARD.encode(b),
                STANDARD_NO_PAD.encode(b),
                URL_SAFE.encode(b),
                URL_SAFE_NO_PAD.encode(b),
            ];
            assert!(
                encodings.iter().any(|e| e == t),
                "base64 {t:?} not canonical"
            );
        }
    }

    if let Some(raw) = data.get(..32) {
        let comment = super::text_of(data.get(32..).unwrap_or_default());
        let comment = comment.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Ok(key) = PublicKey::from_bytes(KeyType::Ed25519, raw) {
            every_form_parses_back(&key, &comment);
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(raw);
        if let Ok(id) = Identity::from_seed(&seed) {
            every_form_parses_back(&id.public_key(), &comment);
        }
    }

    let signal = SignalIdentityKey::parse_hex(&text);
    if let Ok(k) = &signal {
        assert_eq!(k.to_hex(), text.trim().to_ascii_lowercase());
        assert_eq!(SignalIdentityKey::parse_hex(&k.to_string()).as_ref(), Ok(k));
        assert_eq!(SignalIdentityKey::from_bytes(k.as_bytes()).as_ref(), Ok(k));
    }
    if let Some(raw) = data.get(..32) {
        let mut public = [0u8; 32];
        public.copy_from_slice(raw);
        let k = SignalIdentityKey::from_curve25519(public);
        assert_eq!(SignalIdentityKey::parse_hex(&k.to_hex()), Ok(k));
        assert_eq!(
            SignalIdentityKey::parse_hex(&k.to_hex().to_uppercase()),
            Ok(k)
        );
        assert_eq!(k.curve25519_bytes(), public);
    }
    parsed.is_ok() || signal.is_ok()
}
