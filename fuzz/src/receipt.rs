//! `receipt`: the receipt decoder (`Receipt::decode`, versions 1 and 2) on arbitrary
//! bytes, and on the same bytes made into a validly signed receipt.

use verifier_core::identity::Identity;
use verifier_core::receipt::{Receipt, ReceiptId, ReceiptStatement, signature_domain};

/// Whatever decodes is exactly the input, has the id of the input, round-trips through
/// the text form and states only what its version can carry.
pub(crate) fn check_decoded(data: &[u8]) -> Option<Receipt> {
    let r = Receipt::from_bytes(data).ok()?;
    assert_eq!(r.as_bytes(), data);
    assert_eq!(r.id(), ReceiptId::of_bytes(data));
    assert_eq!(Some(&r.format_version()), data.get(4));
    assert_eq!(Receipt::from_text(&r.to_text()).ok().as_ref(), Some(&r));
    assert_eq!(Receipt::decode(data).ok().as_ref(), Some(&r));
    let st = r.statement();
    assert!(st.method().is_valid_in_version(r.format_version()));
    assert_eq!(st.evidence().is_some(), r.format_version() == 2);
    if let Some(e) = st.evidence() {
        let again = ReceiptStatement::new(
            *st.key(),
            st.contact_name(),
            st.contact_id(),
            st.verified_at(),
            st.method(),
            e.clone(),
        );
        assert_eq!(again.ok().as_ref(), Some(st));
    }
    Some(r)
}

/// Decoding never panics, on the input as it is and on the input made into a validly
/// signed receipt (its signer key replaced by a fixed identity's, a signature under the
/// label of its version byte appended), so the fuzzer reaches every check before the
/// signature. What decodes re-signs to exactly the same bytes: one encoding per statement.
///
/// Returns whether the input decoded as it is, and whether it decoded once signed.
pub fn check_both(data: &[u8]) -> (bool, bool) {
    let _ = Receipt::decode(data);
    let plain = check_decoded(data).is_some();

    let Some(me) = signer() else {
        return (plain, false);
    };
    let Some(body) = signed(data, &me) else {
        return (plain, false);
    };
    let Some(r) = check_decoded(&body) else {
        return (plain, false);
    };
    assert!(r.check_signer(&me.public_key()).is_ok());
    let again = Receipt::sign(&me, r.statement().clone());
    assert_eq!(
        again.as_bytes(),
        body.as_slice(),
        "decode then sign is not canonical"
    );
    (plain, true)
}

/// [`check_both`]; accepted means the input decoded as it is.
pub fn check(data: &[u8]) -> bool {
    check_both(data).0
}

/// The fixed identity the signed variant is signed with.
pub(crate) fn signer() -> Option<Identity> {
    Identity::from_seed(&[7; 32]).ok()
}

/// `data` made into a validly signed receipt body (see [`check_both`]), if long enough.
pub(crate) fn signed(data: &[u8], me: &Identity) -> Option<Vec<u8>> {
    if data.len() < 39 {
        return None;
    }
    let mut body = data.to_vec();
    body[5] = 0x01;
    body[6] = 32;
    body[7..39].copy_from_slice(me.public_key().as_bytes());
    let label = signature_domain(body[4]).unwrap_or("verifier/v2/receipt");
    let mut msg = vec![label.len() as u8];
    msg.extend_from_slice(label.as_bytes());
    msg.extend_from_slice(&body);
    body.extend_from_slice(&me.sign(&msg).to_bytes());
    Some(body)
}
