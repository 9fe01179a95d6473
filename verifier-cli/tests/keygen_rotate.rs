//! Runs `verifier keygen --rotate`: the chain file it writes, the kept old identity,
//! finishing interrupted rotations, and the `--force` warning.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::receipt::Timestamp;
use verifier_core::rotation::{Rotation, RotationChain};
use verifier_store::IdentityFile as _;

fn verifier(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_verifier"));
    cmd.args(args);
    cmd.env_remove("VERIFIER_IDENTITY");
    // Keep the default data dir inside a temp dir so tests never touch the user's files.
    cmd.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("verifier-cli-test-no-data"),
    );
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        stderr(out)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(&text).unwrap()
}

fn key(v: &serde_json::Value) -> PublicKey {
    PublicKey::parse(v.as_str().unwrap()).unwrap()
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", p.display()))
}

fn keygen(id: &Path) -> PublicKey {
    key(&json(&verifier(&[
        "keygen",
        "--identity",
        id.to_str().unwrap(),
        "--json",
    ]))["public_key"])
}

fn rotate(id: &Path) -> serde_json::Value {
    json(&verifier(&[
        "keygen",
        "--identity",
        id.to_str().unwrap(),
        "--rotate",
        "--json",
    ]))
}

fn chain(id: &Path, current: &PublicKey) -> RotationChain {
    let text = std::fs::read_to_string(with_suffix(id, ".rotations")).unwrap();
    RotationChain::parse(&text, current).unwrap()
}

/// Names in the identity's folder, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn rotate_links_old_to_new_and_keeps_the_old_identity() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("me/identity");
    let first = keygen(&id);

    let out = rotate(&id);
    assert_eq!(key(&out["old_public_key"]), first);
    let second = key(&out["new_public_key"]);
    assert_ne!(second, first);
    assert_eq!(key(&out["public_key"]), second);
    assert_eq!(out["resumed"], false);
    assert_eq!(
        out["rotations_path"].as_str().unwrap(),
        with_suffix(&id, ".rotations").to_str().unwrap()
    );

    // The chain file is accepted, with the old key as previous identity and the new
    // identity as current.
    let c = chain(&id, &second);
    assert_eq!(c.previous_identities(), &[first]);
    assert_eq!(c.current(), &second);
    assert!(c.is_own_identity(&first));
    let printed = Rotation::from_text(out["rotation"].as_str().unwrap()).unwrap();
    assert_eq!(c.rotations(), std::slice::from_ref(&printed));
    assert_eq!(
        out["rotated_at_unix"].as_u64().unwrap(),
        printed.at().as_unix_secs()
    );

    // The identity file holds the new identity; the old one still exists.
    assert_eq!(Identity::load(&id).unwrap().public_key(), second);
    let old_path = PathBuf::from(out["old_identity_path"].as_str().unwrap());
    assert_eq!(
        old_path,
        with_suffix(&id, &format!(".old-{}", printed.at().as_unix_secs()))
    );
    assert_eq!(Identity::load(&old_path).unwrap().public_key(), first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for p in [&id, &old_path] {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    // `show` now shows the new key.
    let shown = json(&verifier(&[
        "show",
        "--identity",
        id.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(key(&shown["public_key"]), second);

    // A second rotation extends the chain; both old identities are kept, under distinct
    // names even within the same second.
    let out2 = rotate(&id);
    assert_eq!(key(&out2["old_public_key"]), second);
    let third = key(&out2["new_public_key"]);
    let c = chain(&id, &third);
    assert_eq!(c.previous_identities(), &[first, second]);
    let old_path2 = PathBuf::from(out2["old_identity_path"].as_str().unwrap());
    assert_ne!(old_path2, old_path);
    assert_eq!(Identity::load(&old_path).unwrap().public_key(), first);
    assert_eq!(Identity::load(&old_path2).unwrap().public_key(), second);
    let text = std::fs::read_to_string(with_suffix(&id, ".rotations")).unwrap();
    assert!(text.starts_with("# "), "{text}");

    // Nothing else is left behind: no pending identity, no temporary files.
    let names = files(id.parent().unwrap());
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.contains(&"identity".to_owned()));
    assert!(names.contains(&"identity.rotations".to_owned()));
}

#[test]
fn rotate_human_output_names_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    let first = keygen(&id);
    let out = verifier(&["keygen", "--identity", id.to_str().unwrap(), "--rotate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let second = Identity::load(&id).unwrap().public_key();
    assert!(text.contains(&format!("Old public key: {first}")), "{text}");
    assert!(
        text.contains(&format!("New public key: {second}")),
        "{text}"
    );
}

#[test]
fn rotate_without_an_identity_fails() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    let out = verifier(&["keygen", "--identity", id.to_str().unwrap(), "--rotate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("verifier keygen"), "{}", stderr(&out));
    assert!(files(dir.path()).is_empty());
}

#[test]
fn rotate_and_force_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    keygen(&id);
    let out = verifier(&[
        "keygen",
        "--identity",
        id.to_str().unwrap(),
        "--rotate",
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn overwrite_refusal_and_force_warning_suggest_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    let id_s = id.to_str().unwrap();
    let first = keygen(&id);

    let refused = verifier(&["keygen", "--identity", id_s]);
    assert_eq!(refused.status.code(), Some(1));
    for word in ["--rotate", "--force"] {
        assert!(stderr(&refused).contains(word), "{}", stderr(&refused));
    }

    // First creation with --force (nothing replaced): no warning.
    let fresh = dir.path().join("fresh");
    let out = verifier(&["keygen", "--identity", fresh.to_str().unwrap(), "--force"]);
    assert!(out.status.success());
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // Rotate, then replace with --force: warned, and the chain no longer applies.
    rotate(&id);
    let forced = verifier(&["keygen", "--identity", id_s, "--force", "--json"]);
    let replaced = key(&json(&forced)["public_key"]);
    let warning = stderr(&forced);
    assert!(warning.contains("unverified (new identity)"), "{warning}");
    assert!(warning.contains("--rotate"), "{warning}");
    assert!(warning.contains("identity.rotations"), "{warning}");
    let text = std::fs::read_to_string(with_suffix(&id, ".rotations")).unwrap();
    assert!(RotationChain::parse(&text, &replaced).is_err());

    // A rotation now refuses to extend a chain that ends at another identity.
    let refused = verifier(&["keygen", "--identity", id_s, "--rotate"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("move"), "{}", stderr(&refused));
    assert_eq!(Identity::load(&id).unwrap().public_key(), replaced);
    assert!(!with_suffix(&id, ".next").exists());
    assert_eq!(
        std::fs::read_to_string(with_suffix(&id, ".rotations")).unwrap(),
        text
    );
    // The old identity of the earlier rotation is still there.
    assert!(
        files(dir.path())
            .iter()
            .any(|n| n.starts_with("identity.old-")),
        "{:?}",
        files(dir.path())
    );
    let _ = first;
}

#[test]
fn rotation_interrupted_after_the_chain_write_is_finished() {
    // State after a crash between steps 3 and 4: the chain ends at the pending new
    // identity, the identity file still holds the old one.
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    let old = Identity::from_seed(&[1; 32]).unwrap();
    let new = Identity::from_seed(&[2; 32]).unwrap();
    old.save(&id, false).unwrap();
    new.save(&with_suffix(&id, ".next"), false).unwrap();
    let r = Rotation::sign(&old, &new, Timestamp::from_unix_secs(1_700_000_000)).unwrap();
    let text = format!("{}\n", r.to_text());
    std::fs::write(with_suffix(&id, ".rotations"), &text).unwrap();

    let out = rotate(&id);
    assert_eq!(out["resumed"], true);
    assert_eq!(key(&out["old_public_key"]), old.public_key());
    assert_eq!(key(&out["new_public_key"]), new.public_key());
    assert_eq!(out["rotation"].as_str().unwrap(), r.to_text());
    // No second rotation: the chain is unchanged.
    assert_eq!(
        std::fs::read_to_string(with_suffix(&id, ".rotations")).unwrap(),
        text
    );
    assert_eq!(Identity::load(&id).unwrap().public_key(), new.public_key());
    let kept = with_suffix(&id, ".old-1700000000");
    assert_eq!(
        Identity::load(&kept).unwrap().public_key(),
        old.public_key()
    );
    assert!(!with_suffix(&id, ".next").exists());
    assert_eq!(
        chain(&id, &new.public_key()).previous_identities(),
        &[old.public_key()]
    );

    // Crash between steps 4 and 5 (the old identity already kept): finished the same way.
    let newer = Identity::from_seed(&[3; 32]).unwrap();
    newer.save(&with_suffix(&id, ".next"), false).unwrap();
    let r2 = Rotation::sign(&new, &newer, Timestamp::from_unix_secs(1_700_000_100)).unwrap();
    std::fs::write(
        with_suffix(&id, ".rotations"),
        format!("{text}{}\n", r2.to_text()),
    )
    .unwrap();
    std::fs::hard_link(&id, with_suffix(&id, ".old-1700000100")).unwrap();
    let out = rotate(&id);
    assert_eq!(out["resumed"], true);
    assert_eq!(
        out["old_identity_path"].as_str().unwrap(),
        with_suffix(&id, ".old-1700000100").to_str().unwrap()
    );
    assert_eq!(
        Identity::load(&id).unwrap().public_key(),
        newer.public_key()
    );
    assert_eq!(files(dir.path()).len(), 4, "{:?}", files(dir.path()));
}

#[test]
fn rotation_interrupted_before_the_chain_write_uses_the_pending_identity() {
    // State after a crash between steps 2 and 3: a pending new identity nothing refers to.
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity");
    let old = Identity::from_seed(&[1; 32]).unwrap();
    let pending = Identity::from_seed(&[2; 32]).unwrap();
    old.save(&id, false).unwrap();
    pending.save(&with_suffix(&id, ".next"), false).unwrap();

    let out = rotate(&id);
    assert_eq!(out["resumed"], false);
    assert_eq!(key(&out["new_public_key"]), pending.public_key());
    assert_eq!(
        Identity::load(&id).unwrap().public_key(),
        pending.public_key()
    );
    let c = chain(&id, &pending.public_key());
    assert_eq!(c.previous_identities(), &[old.public_key()]);
    assert!(!with_suffix(&id, ".next").exists());
}
