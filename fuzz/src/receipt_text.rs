//! `receipt_text`: the receipt text form (`verifier-receipt:` + base64url), `decode` on
//! text input, and receipt ids typed as hex.

use verifier_core::receipt::{RECEIPT_MAGIC, RECEIPT_TEXT_PREFIX, Receipt, ReceiptId};

use super::receipt::{check_decoded, signed, signer};

/// What the text form accepts is exactly the canonical text of the receipt (up to
/// surrounding white space) and the same receipt as its binary form; `decode` agrees with
/// `from_text` on text input. The input's bytes made into a validly signed receipt go
/// through the text form (with white space around it) and come back equal. A receipt id
/// read from hex prints as the same hex, lowercased.
pub fn check(data: &[u8]) -> bool {
    let text = super::text_of(data);
    let from_text = Receipt::from_text(&text);
    if let Ok(r) = &from_text {
        assert_eq!(
            r.to_text(),
            text.trim(),
            "text decode/encode is not canonical"
        );
        assert_eq!(check_decoded(r.as_bytes()).as_ref(), Some(r));
    }
    if let Ok(t) = std::str::from_utf8(data)
        && !data.starts_with(&RECEIPT_MAGIC)
        && t.trim_start().starts_with(RECEIPT_TEXT_PREFIX)
    {
        let decoded = Receipt::decode(data);
        assert_eq!(
            decoded.as_ref().ok(),
            from_text.as_ref().ok(),
            "decode disagrees"
        );
        assert_eq!(
            decoded.as_ref().err().map(|e| e.kind()),
            from_text.as_ref().err().map(|e| e.kind())
        );
    }
    if let Some(id) = ReceiptId::from_hex(&text) {
        assert_eq!(id.to_hex(), text.trim().to_ascii_lowercase());
        assert_eq!(ReceiptId::from_hex(&id.to_string()), Some(id));
    }

    if let Some(me) = signer()
        && let Some(body) = signed(data, &me)
        && let Some(r) = check_decoded(&body)
    {
        let spaced = format!(" \t{}\r\n", r.to_text());
        assert_eq!(Receipt::from_text(&spaced).ok().as_ref(), Some(&r));
        assert_eq!(Receipt::decode(spaced.as_bytes()).ok().as_ref(), Some(&r));
    }
    from_text.is_ok()
}
