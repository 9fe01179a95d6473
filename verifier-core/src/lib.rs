//! # verifier-core
//!
//! End-to-end key verification that people actually do: pairwise safety
//! numbers, renderings as digits, words and emoji, and the parsing of what a
//! person typed back into bytes; QR payloads; the SAS protocol as a sans-IO
//! state machine; signed receipts; and the trust engine that decides what a
//! check proves for a named contact.
//!
//! ## Quick start
//!
//! Alice and Bob (identities from fixed seeds here; use
//! [`Identity::generate`](identity::Identity::generate) or
//! [`Identity::from_text`](identity::Identity::from_text) in an app) compare a
//! safety number, scan a QR code, run a SAS session in memory, and the trust
//! engine decides what that verifies:
//!
//! ```
//! use verifier_core::identity::Identity;
//! use verifier_core::qr::{self, CheckMatch, PairwiseCard, Payload};
//! use verifier_core::render::Bip39Language;
//! use verifier_core::safety_number::{Party, SafetyNumber};
//! use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
//! use verifier_core::trust::{self, ContactFacts, Intent, OwnKeys, QrSource};
//! let (alice, bob) = (Identity::from_bytes(&[1; 32])?, Identity::from_bytes(&[2; 32])?);
//! let (a, b) = (alice.public_key(), bob.public_key());
//!
//! // 1. The safety number is the same on both sides: 60 digits, or 18 words.
//! let number = SafetyNumber::new(&Party::new(&a), &Party::new(&b));
//! assert_eq!(number, SafetyNumber::new(&Party::new(&b), &Party::new(&a)));
//! println!("{} / {}", number.digits(), number.bip39_words(Bip39Language::English).join(" "));
//!
//! // 2. Bob shows a pairwise QR code; Alice decodes and checks what she scanned.
//! let bytes = Payload::Pairwise(PairwiseCard::new(b, &a)).encode();
//! let (matched, qr_evidence) = qr::scan_evidence(&Payload::decode(&bytes)?, &a, QrSource::Camera)?;
//! assert_eq!((matched, *qr_evidence.key()), (CheckMatch::Mutual, b));
//!
//! // 3. A SAS session in memory: messages go back and forth until both show a code.
//! let now = 0; // milliseconds on any monotonic clock
//! let (mut host, first) = SasSession::initiate(&alice, SasConfig::default(), now)?;
//! let code = host.join_code("192.168.1.20:47000".parse()?).ok_or("not a host")?;
//! let mut joiner = SasSession::respond(&bob, SasConfig::default(), &code, now)?;
//! let (mut to_joiner, mut to_host) = (first.send, Vec::new());
//! while !to_joiner.is_empty() || !to_host.is_empty() {
//!     for m in std::mem::take(&mut to_joiner) { to_host.extend(joiner.receive(&m, now).send); }
//!     for m in std::mem::take(&mut to_host) { to_joiner.extend(host.receive(&m, now).send); }
//! }
//! assert_eq!(host.phase(), joiner.phase()); // Phase::Compare: the same code on both screens
//! // Both people say "the codes match".
//! for m in host.decide(Decision::Match, now).send { joiner.receive(&m, now); }
//! for m in joiner.decide(Decision::Match, now).send { host.receive(&m, now); }
//! assert_eq!(host.phase(), Phase::Verified { peer: b });
//!
//! // 4. The trust engine: does this run verify Alice's contact "Bob"?
//! let approval = trust::decide(&ContactFacts::new("Bob", None), &OwnKeys::new(a),
//!     host.evidence().ok_or("not verified")?, Intent::Verify)?;
//! assert_eq!((approval.contact_name(), *approval.key()), ("Bob", b));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same as a program: `cargo run -p verifier-core --example quick_start`.
//! Formats are specified in the repository's `docs/` (safety numbers, renderings,
//! QR payloads, the SAS protocol, receipts, the trust rules).
//! Every error has a message for people (`Display`) and a stable number for programs
//! (`code()`; `number()` on [`trust::Refusal`]), listed in `docs/errors.md`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod contact_name;
pub mod identity;
pub mod key;
pub mod qr;
pub mod receipt;
pub mod render;
pub mod rotation;
pub mod safety_number;
pub mod sas;
pub mod signal;
pub mod trust;
mod wire;
