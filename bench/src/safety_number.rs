//! Safety-number benchmark: time to derive one safety number (both sides) for
//! scheme v1 and for the Signal-compatible scheme, plus the single-side cost.
//! Target (issue 2): one v1 derivation under 5 ms in release mode.
//!
//! `cargo run --release -p verifier-bench --bin safety-number-bench [-- ROUNDS]`
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::safety_number::{ITERATIONS, Party, SafetyNumber, SideFingerprint};
use verifier_core::signal::{DEFAULT_ITERATIONS, NumericFingerprint, SignalIdentityKey};

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).copied().map(ms).unwrap_or(f64::NAN)
    };
    (
        at(0.5),
        at(0.95),
        v.last().copied().map(ms).unwrap_or(f64::NAN),
    )
}

fn time<F: FnMut(usize)>(rounds: usize, mut f: F) -> Vec<Duration> {
    (0..rounds)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect()
}

fn key(i: usize) -> Result<PublicKey, String> {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    Identity::from_seed(&seed)
        .map(|id| id.public_key())
        .map_err(|e| e.to_string())
}

fn run() -> Result<(), String> {
    let rounds: usize = match std::env::args().nth(1) {
        Some(a) => a
            .parse()
            .map_err(|_| format!("ROUNDS must be a number, got `{a}`"))?,
        None => 200,
    };
    let keys: Vec<PublicKey> = (0..rounds + 1).map(key).collect::<Result<_, _>>()?;
    let mut sink = 0u8;

    let v1 = time(rounds, |i| {
        let n = SafetyNumber::new(
            &Party::with_id(&keys[i], b"alice"),
            &Party::new(&keys[i + 1]),
        );
        sink ^= n.sides()[0].as_bytes()[0];
    });
    let side = time(rounds, |i| {
        sink ^= SideFingerprint::compute(&Party::new(&keys[i])).as_bytes()[0];
    });
    let render = {
        let n = SafetyNumber::new(&Party::new(&keys[0]), &Party::new(&keys[1]));
        time(rounds, |_| {
            let w = n.bip39_words(verifier_core::render::Bip39Language::English);
            sink ^= w.len() as u8 ^ n.digits().len() as u8 ^ n.pgp_words().len() as u8;
        })
    };
    let skey = |i: usize| SignalIdentityKey::from_curve25519(*keys[i].as_bytes());
    let signal = time(rounds, |i| {
        if let Ok(fp) =
            NumericFingerprint::new(2, DEFAULT_ITERATIONS, b"+1", &skey(i), b"+2", &skey(i + 1))
        {
            sink ^= fp.display_string().as_bytes()[0];
        }
    });

    println!(
        "safety-number-bench: {rounds} rounds per row, release build = {}",
        !cfg!(debug_assertions)
    );
    println!();
    println!("| operation | median ms | p95 ms | max ms | target |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, v: Vec<Duration>, target: &str| {
        let (m, p, x) = stats(v);
        println!("| {name} | {m:.3} | {p:.3} | {x:.3} | {target} |");
        m
    };
    let median_v1 = row(
        &format!(
            "v1 safety number, both sides ({} BLAKE3 steps each)",
            ITERATIONS
        ),
        v1,
        "< 5 ms",
    );
    row("v1 one side (a key's fingerprint)", side, "");
    row("render digits + 18 BIP39 + 26 PGP words", render, "");
    row(
        &format!("Signal NumericFingerprint, both sides ({DEFAULT_ITERATIONS} SHA-512 each)"),
        signal,
        "",
    );
    println!();
    if median_v1 < 5.0 {
        println!("v1 target met: median {median_v1:.3} ms < 5 ms");
    } else {
        println!("v1 target NOT met: median {median_v1:.3} ms >= 5 ms");
    }
    std::hint::black_box(sink);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("safety-number-bench: {e}");
        std::process::exit(1);
    }
}
