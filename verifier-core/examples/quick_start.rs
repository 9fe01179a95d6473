//! The crate docs' quick start as a program: two parties compare a safety number, scan a QR
//! code, run a SAS session in memory, and the trust engine decides what that verifies.
//!
//! ```sh
//! cargo run -p verifier-core --example quick_start
//! ```
//!
//! It prints each step; `tests/quick_start.rs` runs it and checks the output.

use std::error::Error;

use verifier_core::identity::Identity;
use verifier_core::qr::{self, PairwiseCard, Payload};
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SafetyNumber};
use verifier_core::sas::{Decision, Phase, SasConfig, SasSession};
use verifier_core::trust::{self, ContactFacts, Intent, OwnKeys, QrSource};

fn main() -> Result<(), Box<dyn Error>> {
    // Fixed seeds keep the output reproducible; an app uses `Identity::generate` once and
    // keeps `Identity::to_text()` (or `to_bytes()`) in its secret storage.
    let alice = Identity::from_bytes(&[1; 32])?;
    let bob = Identity::from_bytes(&[2; 32])?;
    let (a, b) = (alice.public_key(), bob.public_key());
    println!("Alice: {a}");
    println!("Bob:   {b}");

    // 1. Safety number: the same on both sides, whoever computes it.
    let number = SafetyNumber::new(&Party::new(&a), &Party::new(&b));
    if number != SafetyNumber::new(&Party::new(&b), &Party::new(&a)) {
        return Err("the safety number differs between the two sides".into());
    }
    println!("\n1. Safety number");
    println!("   digits: {}", number.digit_groups().join(" "));
    println!(
        "   words:  {}",
        number.bip39_words(Bip39Language::English).join(" ")
    );

    // 2. QR: Bob shows a pairwise code (his key + the fingerprint of the key he holds for
    //    Alice); Alice decodes the scanned bytes and checks them.
    let bytes = Payload::Pairwise(PairwiseCard::new(b, &a)).encode();
    let scanned = Payload::decode(&bytes)?;
    let (matched, qr_evidence) = qr::scan_evidence(&scanned, &a, QrSource::Camera)?;
    println!("\n2. QR code");
    println!("   payload: {} bytes, {}", bytes.len(), hex(&bytes[..8]));
    println!(
        "   Alice's check: {matched:?} (the code shows {}; Bob holds Alice's correct key)",
        qr_evidence.key()
    );

    // 3. SAS session in memory: the two state machines exchange messages until both show
    //    the same short code, then both people answer "match".
    //    Time is a monotonic count of milliseconds (any origin); the join code carries the
    //    host's address and the run's secret.
    let now = 0;
    let (mut host, first) = SasSession::initiate(&alice, SasConfig::default(), now)?;
    let code = host
        .join_code("192.168.1.20:47000".parse()?)
        .ok_or("the host has a join code")?;
    let mut joiner = SasSession::respond(&bob, SasConfig::default(), &code, now)?;
    let (mut to_joiner, mut to_host) = (first.send, Vec::new());
    let mut messages = 0;
    while !to_joiner.is_empty() || !to_host.is_empty() {
        for m in std::mem::take(&mut to_joiner) {
            messages += 1;
            to_host.extend(joiner.receive(&m, now).send);
        }
        for m in std::mem::take(&mut to_host) {
            messages += 1;
            to_joiner.extend(host.receive(&m, now).send);
        }
    }
    println!("\n3. SAS session ({messages} messages)");
    let Phase::Compare {
        words, decimals, ..
    } = host.phase()
    else {
        return Err(format!("expected a code to compare, got {:?}", host.phase()).into());
    };
    if joiner.phase() != host.phase() {
        return Err("the two sides show different codes".into());
    }
    println!(
        "   both screens show: {} (or {decimals:?}, or seven emoji)",
        words.join(" ")
    );
    for m in host.decide(Decision::Match, now).send {
        joiner.receive(&m, now);
    }
    for m in joiner.decide(Decision::Match, now).send {
        host.receive(&m, now);
    }
    println!("   Alice: {:?}", host.phase());
    println!("   Bob:   {:?}", joiner.phase());
    if host.phase() != (Phase::Verified { peer: b }) {
        return Err("Alice's session did not end verified".into());
    }

    // 4. Trust engine: what does the run verify for Alice's contact named "Bob"?
    let evidence = host.evidence().ok_or("no evidence from a verified run")?;
    let approval = trust::decide(
        &ContactFacts::new("Bob", None),
        &OwnKeys::new(a),
        evidence,
        Intent::Verify,
    )?;
    println!("\n4. Trust engine");
    println!(
        "   verified: contact {:?} has key {} (method {:?}, first key: {})",
        approval.contact_name(),
        approval.key(),
        approval.method(),
        approval.is_first_key()
    );
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
