//! Runs `examples/quick_start.rs` (built by cargo for this test) and checks that it
//! reaches every step: the example stays working and in CI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn quick_start_example_runs_to_verified() {
    // Integration tests live in target/<profile>/deps; examples in target/<profile>/examples.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let example: PathBuf = profile_dir
        .join("examples")
        .join(format!("quick_start{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} missing: cargo builds examples for `cargo test`",
        example.display()
    );
    let out = Command::new(&example).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "quick_start failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "1. Safety number",
        "2. QR code",
        "Alice's check: Mutual",
        "3. SAS session",
        "Verified",
        "4. Trust engine",
        "verified: contact \"Bob\"",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
}
