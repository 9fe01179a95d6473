//! What a scanned code means for the user: a pure function of the code's bytes,
//! the user's key and the contact list, so it is tested without a window.
//!
//! Only keys and fingerprints decide a match (`verifier_core::qr::check`). The
//! labels a code carries (display name, stable identifier) are used for one
//! thing only: to warn when a code *names* a contact but shows another key than
//! the one stored for them. A label never makes anything match.

use verifier_core::key::PublicKey;
use verifier_core::qr::{CheckMatch, CheckMismatch, Payload, ScannedCode, check, classify};
use verifier_core::sas::JoinCode;
use verifier_core::store::{ContactSummary, TrustStatus};

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

/// Why a code is a mismatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MismatchWhy {
    /// The user said whose code it is, and it shows another key.
    NotExpectedKey,
    /// The code names a contact (display name or identifier) but shows another key.
    NamedContactOtherKey,
    /// The code shows the key the user verified for this contact before, but the
    /// contact uses another key now.
    OldVerifiedKey,
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
    /// The code shows the current key of a contact.
    Match {
        /// The contact.
        contact: String,
        /// Their key (as in the code and in the store).
        key: PublicKey,
        /// Whether they hold my key.
        mutual: Mutual,
        /// Their status before this scan.
        status: TrustStatus,
    },
    /// The code shows another key than the one stored for a contact.
    Mismatch {
        /// The contact.
        contact: String,
        /// The key in the code.
        found: PublicKey,
        /// The key stored for the contact (none if they have no key yet).
        stored: Option<PublicKey>,
        /// Why it is a mismatch.
        why: MismatchWhy,
    },
    /// A contact without a key yet, and a code for them (the user said whose code it is,
    /// or the code names them).
    FirstKey {
        /// The contact.
        contact: String,
        /// The key in the code.
        key: PublicKey,
        /// Whether they hold my key.
        mutual: Mutual,
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
    /// True for the results that are about a verifier key (shown green or red).
    pub fn is_match(&self) -> bool {
        matches!(self, Verdict::Match { .. })
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
    let matched = |c: &ContactSummary| Verdict::Match {
        contact: c.name.clone(),
        key,
        mutual: mutual_info,
        status: c.status.clone(),
    };

    // The user said whose code this is: exactly `verifier scan --expect`.
    if let Some(name) = expected
        && let Some(c) = contacts.iter().find(|c| c.name == name)
    {
        return match &c.current_key {
            Some(stored) if *stored == key => matched(c),
            Some(stored) => Verdict::Mismatch {
                contact: c.name.clone(),
                found: key,
                stored: Some(*stored),
                why: MismatchWhy::NotExpectedKey,
            },
            None => Verdict::FirstKey {
                contact: c.name.clone(),
                key,
                mutual: mutual_info,
            },
        };
    }

    // Whose current key is it?
    if let Some(c) = contacts.iter().find(|c| c.current_key == Some(key)) {
        return matched(c);
    }
    // The key they had when the user verified them, but they use another one now.
    if let Some(c) = contacts.iter().find(|c| {
        matches!(&c.status, TrustStatus::KeyChanged { previous_verified_key, .. } if *previous_verified_key == key)
    }) {
        return Verdict::Mismatch {
            contact: c.name.clone(),
            found: key,
            stored: c.current_key,
            why: MismatchWhy::OldVerifiedKey,
        };
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
        return match &c.current_key {
            Some(stored) => Verdict::Mismatch {
                contact: c.name.clone(),
                found: key,
                stored: Some(*stored),
                why: MismatchWhy::NamedContactOtherKey,
            },
            None => Verdict::FirstKey {
                contact: c.name.clone(),
                key,
                mutual: mutual_info,
            },
        };
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
    use verifier_core::receipt::{Timestamp, VerificationMethod};

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
    fn identity_code_of_a_contact_matches_and_only_by_key() {
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
            matches!(&v, Verdict::Match { contact, mutual: Mutual::NotClaimed, .. } if contact == "Alice"),
            "{v:?}"
        );
    }

    #[test]
    fn pairwise_code_reports_whether_they_hold_my_key() {
        let (me, other, alice) = (key(), key(), key());
        let contacts = vec![contact("Alice", Some(alice), TrustStatus::Unverified)];
        let good = Payload::Pairwise(PairwiseCard::new(alice, &me)).encode();
        let bad = Payload::Pairwise(PairwiseCard::new(alice, &other)).encode();
        assert!(matches!(
            assess(&good, Some(&me), &contacts, None),
            Verdict::Match {
                mutual: Mutual::HoldsMyKey,
                ..
            }
        ));
        assert!(matches!(
            assess(&bad, Some(&me), &contacts, None),
            Verdict::Match {
                mutual: Mutual::HoldsWrongKey,
                ..
            }
        ));
        assert!(matches!(
            assess(&good, None, &contacts, None),
            Verdict::Match {
                mutual: Mutual::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn mismatches_name_the_contact() {
        let (me, alice, mallory, old) = (key(), key(), key(), key());
        let contacts = vec![
            contact("Alice", Some(alice), TrustStatus::Unverified),
            contact(
                "Carol",
                Some(key()),
                TrustStatus::KeyChanged {
                    previous_verified_key: old,
                    since: Timestamp::now(),
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
        assert!(matches!(
            v,
            Verdict::Mismatch {
                why: MismatchWhy::NotExpectedKey,
                ..
            }
        ));
        // The code says it is Alice (case and spaces ignored).
        let v = assess(
            &identity_code(mallory, Some(" alice")),
            Some(&me),
            &contacts,
            None,
        );
        assert!(matches!(
            &v,
            Verdict::Mismatch { contact, why: MismatchWhy::NamedContactOtherKey, stored: Some(s), .. }
                if contact == "Alice" && *s == alice
        ));
        // Carol's old verified key.
        let v = assess(&identity_code(old, None), Some(&me), &contacts, None);
        assert!(matches!(
            &v,
            Verdict::Mismatch { contact, why: MismatchWhy::OldVerifiedKey, .. } if contact == "Carol"
        ));
    }

    #[test]
    fn unknown_key_is_new_and_keyless_contact_gets_first_key() {
        let (me, dave) = (key(), key());
        let verified = TrustStatus::Verified {
            since: Timestamp::now(),
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
        assert!(matches!(&v, Verdict::FirstKey { contact, .. } if contact == "Erin"));
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
        let jc = JoinCode::new("127.0.0.1:4000".parse().unwrap(), [7; 4]);
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
