//! The app's command-line arguments: bad ones are refused before any window opens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_verifier-gui"))
        .args(args)
        // No display: if an argument were accepted by mistake, the app fails to start
        // (exit 1) instead of opening a window.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_option() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for opt in [
        "--screen",
        "--contact",
        "--camera-images",
        "my-code",
        "settings",
    ] {
        assert!(out.contains(opt), "{opt} missing from:\n{out}");
    }
}

#[test]
fn bad_arguments_are_named_and_exit_2() {
    for (args, says) in [
        (&["--contact"][..], "--contact needs a contact name"),
        (&["--contact", " "][..], "--contact needs a contact name"),
        (&["--screen", "nowhere"][..], "--screen needs a screen name"),
        (
            &["--camera-images", "/nonexistent/dir"][..],
            "is not a folder",
        ),
        (&["--frobnicate"][..], "unknown argument `--frobnicate`"),
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
