//! `identity_text`: the identity (secret key) text form (`Identity::from_text`, also what
//! `Identity::load` reads) and the 32-byte seed form (`Identity::from_bytes`).

use verifier_core::identity::Identity;

/// Both identities hold the same secret and public key.
fn same(a: &Identity, b: &Identity) -> bool {
    a.public_key() == b.public_key() && *a.to_bytes() == *b.to_bytes()
}

/// What the text form accepts has a public key derived from its secret and comes back
/// equal from its own text. An identity built from the input's first 32 bytes comes
/// back equal from its seed and from its text, also with CRLF line ends, comments and
/// blank lines added, and its public key in another accepted form.
pub fn check(data: &[u8]) -> bool {
    let text = super::text_of(data);
    let parsed = Identity::from_text(&text);
    if let Ok(id) = &parsed {
        let again = Identity::from_text(&id.to_text());
        assert!(
            again.is_ok_and(|a| same(&a, id)),
            "text form does not round-trip"
        );
        let seed = id.to_bytes();
        assert!(Identity::from_seed(&seed).is_ok_and(|a| same(&a, id)));
    }

    if let Some(raw) = data.get(..32) {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(raw);
        if let Ok(id) = Identity::from_bytes(&seed) {
            assert_eq!(*id.to_bytes(), seed);
            let own = id.to_text();
            let crlf = own.replace('\n', "\r\n");
            let commented = own.replacen('\n', "\n# a comment\n\n", 1);
            let hex_public = own.replace(
                &id.public_key().to_canonical_string(),
                &id.public_key().to_hex(),
            );
            for t in [own.as_str(), &crlf, &commented, &hex_public] {
                let back = Identity::from_text(t);
                assert!(back.is_ok_and(|a| same(&a, &id)), "{:?}", t.lines().next());
            }
            // The text with its secret swapped for another valid seed is refused.
            if let Ok(other) = Identity::from_bytes(&seed.map(|b| b ^ 0x55))
                && other.public_key() != id.public_key()
            {
                let mut lines: Vec<String> = own.lines().map(str::to_owned).collect();
                if let (Some(secret), Some(other_secret)) =
                    (lines.get_mut(2), other.to_text().lines().nth(2))
                {
                    *secret = other_secret.to_owned();
                }
                assert!(Identity::from_text(&lines.join("\n")).is_err());
            }
        }
    }
    parsed.is_ok()
}
