//! `rotation`: the identity rotation decoders (binary and text) and the chain file parser.

use verifier_core::identity::Identity;
use verifier_core::rotation::{ROTATION_MAGIC, Rotation, RotationChain};

/// Never a panic; whatever decodes re-encodes to exactly the input (one encoding per
/// statement), in both forms; `decode` agrees with the form it picks; a parsed chain
/// re-parses from its text to the same chain.
pub fn check(data: &[u8]) -> bool {
    // Binary form.
    let binary = Rotation::from_bytes(data);
    if let Ok(r) = &binary {
        assert_eq!(r.as_bytes(), data, "binary decode/encode is not canonical");
        assert_ne!(r.old_key(), r.new_key());
        assert_eq!(Rotation::from_text(&r.to_text()).as_ref(), Ok(r));
    }
    let decoded = Rotation::decode(data);
    if data.starts_with(&ROTATION_MAGIC) {
        assert_eq!(decoded, binary);
    }
    let mut accepted = binary.is_ok();

    // Text form, and the chain file parser on the same text.
    let Ok(text) = std::str::from_utf8(data) else {
        return accepted;
    };
    let from_text = Rotation::from_text(text);
    if let Ok(r) = &from_text {
        accepted = true;
        assert_eq!(
            r.to_text(),
            text.trim(),
            "text decode/encode is not canonical"
        );
        assert_eq!(Rotation::from_bytes(r.as_bytes()).as_ref(), Ok(r));
        let chain = RotationChain::new(vec![r.clone()], r.new_key()).ok();
        assert_eq!(
            chain.map(|c| c.previous_identities().to_vec()),
            Some(vec![*r.old_key()])
        );
    }
    if !data.starts_with(&ROTATION_MAGIC) && decoded.is_ok() {
        assert_eq!(decoded, from_text);
    }
    let current = match &from_text {
        Ok(r) => *r.new_key(),
        Err(_) => match Identity::from_seed(&[7; 32]) {
            Ok(id) => id.public_key(),
            Err(_) => return accepted,
        },
    };
    if let Ok(chain) = RotationChain::parse(text, &current) {
        accepted = true;
        assert_eq!(chain.current(), &current);
        assert_eq!(RotationChain::parse(&chain.to_text(), &current), Ok(chain));
    }
    accepted
}
