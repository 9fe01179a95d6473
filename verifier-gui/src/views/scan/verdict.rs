//! What a scanned code means for the user: a pure function of the code's bytes,
//! the user's key and the contact list, so it is tested without a window.
//!
//! The app may *identify* whose key a code shows (the contact whose current key
//! it is, or the contact the code names), but that is information only: what
//! the scan means for that contact — a match, a mismatch, the key-change flow,
//! a tampered entry — is the trust engine's answer ([`trust::preview`]), and
//! recording always names the contact (the one the person chose, or the
//! identified one after the person confirms with a button that names them).
//!
//! Only keys decide (`verifier_core::qr::check`). The labels a code carries
//! (display name, stable identifier) are used for one thing only: to warn when
//! a code *names* a contact but shows another key than the one stored for them.
//! A label never makes anything match.

use verifier_core::key::PublicKey;
use verifier_core::qr::{CheckMatch, CheckMismatch, Payload, ScannedCode, check, classify};
use verifier_core::sas::JoinCode;
use verifier_core::trust::{self, Refusal};
use verifier_store::{ContactSummary, TrustStatus};

/// Whether the code's owner holds the scanner's key (pairwise codes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutual {
    /// An identity code: it says nothing about which key they hold for me.
    NotClaimed,
    /// A pairwise code holding the fingerprint of my key: they hold my correct key.
    HoldsMyKey,
    /// A pairwise code holding another fingerprint: they hold a wrong key for me,
    /// or the code was made for someone else.
    HoldsWrongKey,
    /// My identity is not available, so this cannot be checked.
    Unknown,
}

/// How the contact a code is about was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The person said whose code it is ("Whose code is it?").
    Chosen,
    /// The app found the contact whose current key the code shows. Only
    /// information: nothing is recorded until the person confirms it is them.
    ByKey,
    /// The code shows the key the person verified for this contact before
    /// the contact's key changed.
    OldVerifiedKey,
    /// The code names this contact (display name or identifier).
    NamedInCode,
}

/// A QR code that is not ours, named for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Foreign {
    /// `http://` or `https://`.
    WebLink(String),
    /// `WIFI:` network credentials.
    Wifi,
    /// A vCard or MeCard.
    ContactCard,
    /// `mailto:`.
    Email,
    /// `tel:`.
    Phone,
    /// `sms:` / `smsto:`.
    TextMessage,
    /// `geo:`.
    Location,
    /// `otpauth://` two-factor set-up.
    OneTimePassword,
    /// A payment URI (`bitcoin:`, `ethereum:`, …).
    Payment,
    /// A calendar event.
    CalendarEvent,
    /// Some other text.
    Text(String),
    /// Bytes that are not text.
    Binary(usize),
}

impl Foreign {
    /// One sentence naming the code.
    pub fn headline(&self) -> String {
        let what = match self {
            Foreign::WebLink(_) => "a web link",
            Foreign::Wifi => "a Wi-Fi network code",
            Foreign::ContactCard => "a contact card (address book entry)",
            Foreign::Email => "an e-mail address",
            Foreign::Phone => "a phone number",
            Foreign::TextMessage => "a text-message (SMS) code",
            Foreign::Location => "a map location",
            Foreign::OneTimePassword => "a two-factor (one-time password) set-up code",
            Foreign::Payment => "a payment address",
            Foreign::CalendarEvent => "a calendar event",
            Foreign::Text(_) => "a QR code with plain text",
            Foreign::Binary(_) => "a QR code with binary data",
        };
        format!("This is {what}, not a verifier code.")
    }
}

/// Names a foreign code from its bytes.
pub fn foreign_kind(bytes: &[u8]) -> Foreign {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Foreign::Binary(bytes.len());
    };
    let t = text.trim();
    let lower = t.get(..t.len().min(16)).unwrap_or("").to_ascii_lowercase();
    let has = |p: &str| lower.starts_with(p);
    if has("http://") || has("https://") {
        Foreign::WebLink(t.to_owned())
    } else if has("wifi:") {
        Foreign::Wifi
    } else if has("begin:vcard") || has("mecard:") {
        Foreign::ContactCard
    } else if has("mailto:") || has("matmsg:") {
        Foreign::Email
    } else if has("tel:") {
        Foreign::Phone
    } else if has("sms:") || has("smsto:") {
        Foreign::TextMessage
    } else if has("geo:") {
        Foreign::Location
    } else if has("otpauth://") || has("otpauth-migr") {
        Foreign::OneTimePassword
    } else if has("bitcoin:") || has("ethereum:") || has("lightning:") || has("litecoin:") {
        Foreign::Payment
    } else if has("begin:vevent") || has("begin:vcalend") {
        Foreign::CalendarEvent
    } else {
        Foreign::Text(t.to_owned())
    }
}

/// What a scanned code means.
#[derive(Clone, Debug, PartialEq, Eq)]
// One value per shown result; boxing the keys would only complicate matching.
#[allow(clippy::large_enum_variant)]
pub enum Verdict {
    /// The code is about one of the contacts.
    Contact {
        /// The contact.
        contact: String,
        /// The key in the code.
        key: PublicKey,
        /// The contact's current key (none if they have no key yet).
        stored: Option<PublicKey>,
        /// Their status before this scan.
        status: TrustStatus,
        /// Whether they hold my key.
        mutual: Mutual,
        /// How the contact was found.
        found: Found,
        /// What the trust engine would answer to verifying `contact` with
        /// `key` ([`trust::preview`]): `Ok` (a match, or their first key),
        /// or a mismatch, the key-change flow, a tampered entry.
        engine: Result<(), Refusal>,
    },
    /// A key that belongs to no contact.
    NewKey {
        /// The key.
        key: PublicKey,
        /// The display name in the code.
        name: Option<String>,
        /// The stable identifier in the code.
        stable_id: Option<String>,
        /// Whether they hold my key.
        mutual: Mutual,
    },
    /// A live-session join code (or why it cannot be read).
    Session(Result<JoinCode, String>),
    /// A verifier code that failed to decode.
    Broken(String),
    /// A Signal safety-number code.
    Signal,
    /// Someone else's QR code.
    Foreign(Foreign),
}

impl Verdict {
    /// True when the engine says the code's key is the contact's current key
    /// and would verify it (shown green).
    pub fn is_match(&self) -> bool {
        matches!(
            self,
            Verdict::Contact {
                stored: Some(_),
                engine: Ok(()),
                ..
            }
        )
    }

    /// True when the engine says this code must not be taken for the contact
    /// (a mismatch or a tampered entry: shown red).
    pub fn is_refused(&self) -> bool {
        matches!(
            self,
            Verdict::Contact {
                engine: Err(Refusal::Mismatch { .. } | Refusal::Tampered { .. }),
                ..
            }
        )
    }
}

/// How relevant a code is when a picture holds several: verifier codes first.
pub fn relevance(bytes: &[u8]) -> u8 {
    match classify(bytes) {
        ScannedCode::Verifier(_) => 0,
        ScannedCode::InvalidVerifier(_) => 1,
        ScannedCode::Signal(_) => 2,
        _ => 3,
    }
}

fn mutual(code: &ScannedCode, my_key: Option<&PublicKey>, key: &PublicKey) -> Mutual {
    let Some(me) = my_key else {
        return Mutual::Unknown;
    };
    match check(code, me, key) {
        Ok(CheckMatch::Mutual) => Mutual::HoldsMyKey,
        Err(CheckMismatch::WrongFingerprintOfMine { .. }) => Mutual::HoldsWrongKey,
        _ => Mutual::NotClaimed,
    }
}

fn label_eq(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Assesses a scanned code.
///
/// `expected` is the contact the user said the code belongs to (if any);
/// `my_key` is the user's key (for pairwise codes).
pub fn assess(
    bytes: &[u8],
    my_key: Option<&PublicKey>,
    contacts: &[ContactSummary],
    expected: Option<&str>,
) -> Verdict {
    let code = classify(bytes);
    let payload = match &code {
        ScannedCode::Verifier(p) => p,
        ScannedCode::InvalidVerifier(e) => return Verdict::Broken(e.to_string()),
        ScannedCode::Signal(_) => return Verdict::Signal,
        _ => return Verdict::Foreign(foreign_kind(bytes)),
    };
    let key = match payload {
        Payload::Session(s) => {
            return Verdict::Session(JoinCode::from_bytes(s.as_bytes()).map_err(|e| e.to_string()));
        }
        other => match other.key() {
            Some(k) => *k,
            None => return Verdict::Broken("the code carries no key".to_owned()),
        },
    };
    let mutual_info = mutual(&code, my_key, &key);
    let about = |c: &ContactSummary, found: Found| Verdict::Contact {
        contact: c.name.clone(),
        key,
        stored: c.current_key,
        status: c.status.clone(),
        mutual: mutual_info,
        found,
        engine: trust::preview(&c.status, c.current_key.as_ref(), &key),
    };

    // The user said whose code this is: exactly `verifier scan --contact`.
    if let Some(name) = expected
        && let Some(c) = contacts.iter().find(|c| c.name == name)
    {
        return about(c, Found::Chosen);
    }

    // Whose current key is it? (Information: the person confirms before anything is recorded.)
    if let Some(c) = contacts.iter().find(|c| c.current_key == Some(key)) {
        return about(c, Found::ByKey);
    }
    // The key they had when the user verified them, but they use another one now.
    if let Some(c) = contacts.iter().find(|c| {
        matches!(&c.status, TrustStatus::KeyChanged { previous_verified_key, .. } if *previous_verified_key == key)
    }) {
        return about(c, Found::OldVerifiedKey);
    }
    // The code names a contact we know under another key: never offer to add it as new.
    let name = payload.display_name().map(|l| l.as_str().to_owned());
    let stable_id = payload.stable_id().map(|l| l.as_str().to_owned());
    let named = contacts.iter().find(|c| {
        let by_id = matches!((&c.stable_id, &stable_id), (Some(a), Some(b)) if a == b);
        let by_name = name.as_deref().is_some_and(|n| label_eq(n, &c.name));
        by_id || by_name
    });
    if let Some(c) = named {
        return about(c, Found::NamedInCode);
    }
    Verdict::NewKey {
        key,
        name,
        stable_id,
        mutual: mutual_info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier_core::identity::Identity;
    use verifier_core::qr::{IdentityCard, Label, PairwiseCard, SessionCode};
    use verifier_core::receipt::VerificationMethod;
    use verifier_core::trust::Tamper;

    fn key() -> PublicKey {
        Identity::generate(&mut rand_core::OsRng).public_key()
    }

    fn contact(name: &str, k: Option<PublicKey>, status: TrustStatus) -> ContactSummary {
        ContactSummary {
            name: name.to_owned(),
            stable_id: None,
            current_key: k,
            status,
        }
    }

    fn identity_code(k: PublicKey, name: Option<&str>) -> Vec<u8> {
        Payload::Identity(IdentityCard {
            key: k,
            display_name: name.map(|n| Label::new(n).unwrap()),
            stable_id: None,
        })
        .encode()
    }

    #[test]
    fn identity_code_of_a_contact_is_identified_only_by_key() {
        let (me, alice, bob) = (key(), key(), key());
        let contacts = vec![
            contact("Alice", Some(alice), TrustStatus::Unverified),
            contact("Bob", Some(bob), TrustStatus::Unverified),
        ];
        // Even if the code claims to be "Bob", Alice's key is Alice.
        let v = assess(
            &identity_code(alice, Some("Bob")),
            Some(&me),
            &contacts,
            None,
        );
        assert!(
            matches!(&v, Verdict::Contact { contact, mutual: Mutual::NotClaimed, found: Found::ByKey, engine: Ok(()), .. } if contact == "Alice"),
            "{v:?}"
        );
        assert!(v.is_match());
    }

    #[test]
    fn pairwise_code_reports_whether_they_hold_my_key() {
        let (me, other, alice) = (key(), key(), key());
        let contacts = vec![contact("Alice", Some(alice), TrustStatus::Unverified)];
        let good = Payload::Pairwise(PairwiseCard::new(alice, &me)).encode();
        let bad = Payload::Pairwise(PairwiseCard::new(alice, &other)).encode();
        let mutual_of = |v: Verdict| match v {
            Verdict::Contact { mutual, .. } => mutual,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            mutual_of(assess(&good, Some(&me), &contacts, None)),
            Mutual::HoldsMyKey
        );
        assert_eq!(
            mutual_of(assess(&bad, Some(&me), &contacts, None)),
            Mutual::HoldsWrongKey
        );
        assert_eq!(
            mutual_of(assess(&good, None, &contacts, None)),
            Mutual::Unknown
        );
    }

    #[test]
    fn the_engine_answers_for_the_contact_found() {
        let (me, alice, mallory, old, new) = (key(), key(), key(), key(), key());
        let contacts = vec![
            contact("Alice", Some(alice), TrustStatus::Unverified),
            contact(
                "Carol",
                Some(new),
                TrustStatus::KeyChanged {
                    previous_verified_key: old,
                    since: verifier_store::now(),
                },
            ),
        ];
        // The user said it is Alice's code.
        let v = assess(
            &identity_code(mallory, None),
            Some(&me),
            &contacts,
            Some("Alice"),
        );
        assert!(
            matches!(&v, Verdict::Contact { found: Found::Chosen, engine: Err(Refusal::Mismatch { current, checked }), .. }
                if *current == alice && *checked == mallory),
            "{v:?}"
        );
        assert!(v.is_refused() && !v.is_match());
        // The code says it is Alice (case and spaces ignored).
        let v = assess(
            &identity_code(mallory, Some(" alice")),
            Some(&me),
            &contacts,
            None,
        );
        assert!(
            matches!(&v, Verdict::Contact { contact, found: Found::NamedInCode, stored: Some(s), engine: Err(Refusal::Mismatch { .. }), .. }
                if contact == "Alice" && *s == alice),
            "{v:?}"
        );
        // Carol's old verified key.
        let v = assess(&identity_code(old, None), Some(&me), &contacts, None);
        assert!(
            matches!(&v, Verdict::Contact { contact, found: Found::OldVerifiedKey, engine: Err(Refusal::Mismatch { .. }), .. } if contact == "Carol"),
            "{v:?}"
        );
        // Carol's new key: never a match, the key-change flow (found by key or chosen).
        for expected in [None, Some("Carol")] {
            let v = assess(&identity_code(new, None), Some(&me), &contacts, expected);
            assert!(
                matches!(&v, Verdict::Contact { contact, engine: Err(Refusal::KeyChangedNeedsConfirmation { old: o, new: n }), .. }
                    if contact == "Carol" && *o == old && *n == new),
                "{v:?}"
            );
            assert!(!v.is_match() && !v.is_refused());
        }
    }

    #[test]
    fn tampered_contact_is_never_a_match() {
        let (me, k) = (key(), key());
        let contacts = vec![contact(
            "Mallory",
            Some(k),
            TrustStatus::Tampered {
                problem: Tamper::InconsistentHistory,
            },
        )];
        let v = assess(&identity_code(k, None), Some(&me), &contacts, None);
        assert!(
            matches!(
                &v,
                Verdict::Contact {
                    engine: Err(Refusal::Tampered { .. }),
                    ..
                }
            ),
            "{v:?}"
        );
        assert!(v.is_refused() && !v.is_match());
    }

    #[test]
    fn unknown_key_is_new_and_keyless_contact_gets_first_key() {
        let (me, dave) = (key(), key());
        let verified = TrustStatus::Verified {
            since: verifier_store::now(),
            method: VerificationMethod::QrCamera,
        };
        let contacts = vec![
            contact("Erin", None, TrustStatus::Unverified),
            contact("Frank", Some(key()), verified),
        ];
        let v = assess(
            &identity_code(dave, Some("Dave")),
            Some(&me),
            &contacts,
            None,
        );
        assert!(
            matches!(&v, Verdict::NewKey { name: Some(n), key, .. } if n == "Dave" && *key == dave)
        );
        let v = assess(
            &identity_code(dave, Some("Erin")),
            Some(&me),
            &contacts,
            None,
        );
        assert!(
            matches!(&v, Verdict::Contact { contact, stored: None, found: Found::NamedInCode, engine: Ok(()), .. } if contact == "Erin"),
            "{v:?}"
        );
        assert!(!v.is_match(), "a first key is not a match");
    }

    #[test]
    fn other_codes_are_named() {
        let me = key();
        assert_eq!(
            assess(b"https://example.com/x", Some(&me), &[], None),
            Verdict::Foreign(Foreign::WebLink("https://example.com/x".to_owned()))
        );
        assert_eq!(
            assess(b"WIFI:S:home;T:WPA;P:secret;;", Some(&me), &[], None),
            Verdict::Foreign(Foreign::Wifi)
        );
        assert_eq!(
            assess(&[0xff, 0x00, 0x12], Some(&me), &[], None),
            Verdict::Foreign(Foreign::Binary(3))
        );
        assert!(matches!(
            assess(b"VRFY\x09", Some(&me), &[], None),
            Verdict::Broken(_)
        ));
        let jc = JoinCode::new(
            "127.0.0.1:4000".parse().unwrap(),
            verifier_core::sas::JoinSecret::from_bytes([7; 8]),
        );
        let session = Payload::Session(SessionCode::new(jc.to_bytes()).unwrap()).encode();
        assert_eq!(
            assess(&session, Some(&me), &[], None),
            Verdict::Session(Ok(jc))
        );
        let bad_session = Payload::Session(SessionCode::new(vec![0x99]).unwrap()).encode();
        assert!(matches!(
            assess(&bad_session, Some(&me), &[], None),
            Verdict::Session(Err(_))
        ));
    }
}
