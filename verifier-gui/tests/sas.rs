//! Live session (SAS) between two app instances in one test, over loopback: each app runs in
//! its own harness with its own identity and trust store; the join code is read from the
//! host's screen and typed into the joiner. Both harnesses are stepped in a loop (with a
//! time limit) while the session workers run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::receipt::{Timestamp, VerificationMethod};
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_core::sas::{CancelReason, JoinCode, Phase};
use verifier_core::trust::{Evidence, Intent, OwnKeys};
use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::views::sas::SasStatus;
use verifier_store::IdentityFile as _;
use verifier_store::{Store, TrustStatus};

const LIMIT: Duration = Duration::from_secs(30);

struct Side {
    h: Harness<'static, VerifierApp>,
    dir: PathBuf,
    key: PublicKey,
    /// User actions counted from the Live session screen.
    actions: u32,
}

impl Side {
    fn new(root: &Path, name: &str, settings: Settings) -> Self {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let config = AppConfig {
            identity_path: dir.join("identity"),
            store_path: Some(dir.join("store.sqlite3")),
            cameras: Box::new(verifier_gui::workers::camera::NoCameras),
            file_picker: std::sync::Arc::new(verifier_gui::workers::file_picker::FixedPicker(None)),
        };
        let mut app = VerifierApp::new(config, settings);
        app.sas.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let h = Harness::builder()
            .with_size(egui::vec2(1100.0, 1400.0))
            .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
        let key = Identity::load(&dir.join("identity")).unwrap().public_key();
        let mut side = Side {
            h,
            dir,
            key,
            actions: 0,
        };
        // The store worker has created the database (the test may open it too).
        wait_one(&mut side, "the trust store to load", |s| {
            s.h.state().shared.store.snapshot().loaded
        });
        side.settle();
        // Navigate to the screen (not counted: the count starts on the screen).
        side.h.get_by_label("Live session").click();
        side.settle();
        side
    }

    fn settle(&mut self) {
        for _ in 0..4 {
            self.h.step();
        }
    }

    fn click(&mut self, label: &str) {
        self.h.get_by_role_and_label(Role::Button, label).click();
        self.actions += 1;
        self.settle();
    }

    /// Focus a text field and type into it: one action (as pasting is).
    fn fill(&mut self, label: &str, text: &str) {
        self.h.get_by_role_and_label(Role::TextInput, label).focus();
        self.settle();
        self.h
            .get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
        self.actions += 1;
        self.settle();
    }

    fn status(&self) -> SasStatus {
        self.h.state().sas.status()
    }

    fn shows(&self, text: &str) -> bool {
        self.h.query_all_by_label_contains(text).next().is_some()
    }

    fn store(&self) -> Store {
        Store::open(self.dir.join("store.sqlite3")).unwrap()
    }

    /// This side's own keys, as the trust engine reads statuses with them.
    fn own(&self) -> OwnKeys {
        OwnKeys::new(self.key)
    }
}

/// Steps both apps until `done` holds, failing after [`LIMIT`] with what each side shows.
fn wait(a: &mut Side, b: &mut Side, what: &str, done: impl Fn(&Side, &Side) -> bool) {
    let end = Instant::now() + LIMIT;
    loop {
        a.h.step();
        b.h.step();
        if done(a, b) {
            return;
        }
        assert!(
            Instant::now() < end,
            "timed out waiting for {what}: host {:?}, joiner {:?}",
            a.status(),
            b.status()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_one(s: &mut Side, what: &str, done: impl Fn(&Side) -> bool) {
    let end = Instant::now() + LIMIT;
    loop {
        s.h.step();
        if done(s) {
            return;
        }
        assert!(
            Instant::now() < end,
            "timed out waiting for {what}: {:?}",
            s.status()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Host starts; returns the join code as shown on its screen.
fn host_starts(host: &mut Side) -> String {
    host.click("Start a session");
    wait_one(host, "the join code", |s| {
        s.h.state().sas.join_code_text().is_some()
    });
    let code = host.h.state().sas.join_code_text().unwrap();
    // The code is on the screen, big, as the other person reads it.
    host.h.get_by_label(&code);
    host.h
        .get_by_label(&format!("QR code of the join code {code}"));
    assert!(host.shows("Waiting for the other person to join"));
    code
}

fn compare_phase(s: &Side) -> Option<Phase> {
    s.h.state()
        .sas
        .phase()
        .filter(|p| matches!(p, Phase::Compare { .. }))
        .cloned()
}

#[test]
fn two_apps_verify_each_other_and_both_record_it() {
    let root = tempfile::tempdir().unwrap();
    let french = Settings {
        word_lang: "fr".to_owned(),
        emoji_lang: "fr".to_owned(),
        ..Settings::default()
    };
    let mut host = Side::new(root.path(), "host", french);
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());

    let code = host_starts(&mut host); // host: 1
    joiner.fill("Contact name (optional)", "Hannah"); // joiner: 1
    joiner.fill("Join code", &code.to_lowercase()); // joiner: 2 (case does not matter)
    joiner.click("Join"); // joiner: 3

    wait(&mut host, &mut joiner, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    let Some(Phase::Compare {
        sas,
        emoji,
        decimals,
        ..
    }) = compare_phase(&host)
    else {
        unreachable!()
    };
    assert_eq!(compare_phase(&host), compare_phase(&joiner), "same code");
    // Both show the host's word language, agreed inside the protocol (the joiner's own
    // setting is English); emoji with names in each side's language; decimals.
    let Some(Phase::Compare { rendering, .. }) = compare_phase(&joiner) else {
        unreachable!()
    };
    assert_eq!(rendering.as_deref(), Some("words:bip39:fr"));
    for w in sas.words(Bip39Language::French) {
        assert!(host.shows(w), "host shows French word {w}");
        assert!(joiner.shows(w), "joiner shows the host's French word {w}");
    }
    for e in &emoji {
        // The same emoji (or number) may appear twice in one code: count, don't expect one node.
        assert!(host.shows(e.emoji()), "host shows emoji {}", e.emoji());
        assert!(host.shows(e.description("fr")), "French emoji name");
        assert!(joiner.shows(e.description_en()), "English emoji name");
    }
    for d in decimals {
        assert!(host.shows(&d.to_string()), "host shows {d}");
        assert!(joiner.shows(&d.to_string()), "joiner shows {d}");
    }
    // Both answers are there with equal weight; neither is pre-selected.
    let yes = host
        .h
        .get_by_role_and_label(Role::Button, "They match")
        .rect();
    let no = host
        .h
        .get_by_role_and_label(Role::Button, "They don't match")
        .rect();
    assert_eq!(yes.size(), no.size(), "equal weight");
    assert!(
        !host
            .h
            .get_by_role_and_label(Role::Button, "They match")
            .is_focused()
    );

    host.click("They match"); // host: 2
    joiner.click("They match"); // joiner: 4
    wait(&mut host, &mut joiner, "both verified", |a, b| {
        matches!(a.status(), SasStatus::Verified(_)) && matches!(b.status(), SasStatus::Verified(_))
    });
    assert_eq!(host.status(), SasStatus::Verified(joiner.key));
    assert_eq!(joiner.status(), SasStatus::Verified(host.key));
    assert!(host.shows("Verified"));
    host.h.get_by_label(&joiner.key.to_canonical_string());
    joiner.h.get_by_label(&host.key.to_canonical_string());

    // The joiner named the contact before the session: recorded at once.
    wait_one(&mut joiner, "the joiner's record", |s| {
        s.shows("Saved: Hannah is verified")
    });
    // The host names it afterwards.
    host.fill("Contact name", "Jo"); // host: 3
    host.click("Save contact"); // host: 4
    wait_one(&mut host, "the host's record", |s| {
        s.shows("Saved: Jo is verified")
    });

    assert!(host.actions <= 4, "host used {} actions", host.actions);
    assert!(
        joiner.actions <= 4,
        "joiner used {} actions",
        joiner.actions
    );

    for (side, name, peer) in [(&host, "Jo", joiner.key), (&joiner, "Hannah", host.key)] {
        let store = side.store();
        let c = store.contact(name, &side.own()).unwrap();
        assert_eq!(c.current_key, Some(peer));
        assert!(
            matches!(
                c.status,
                TrustStatus::Verified {
                    method: VerificationMethod::SasSession,
                    ..
                }
            ),
            "{name}: {:?}",
            c.status
        );
        assert_eq!(store.list(&side.own()).unwrap().len(), 1);
    }

    // Both connections close once the run is over.
    wait(&mut host, &mut joiner, "the workers to end", |a, b| {
        a.h.state().sas.worker_finished() && b.h.state().sas.worker_finished()
    });
}

#[test]
fn they_dont_match_on_one_side_cancels_both_with_the_reason() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());
    let code = host_starts(&mut host);
    joiner.fill("Join code", &code);
    joiner.click("Join");
    wait(&mut host, &mut joiner, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    // The host already said "match"; the joiner's "no" still ends both runs.
    host.click("They match");
    wait_one(&mut host, "the host to wait", |s| {
        s.shows("Waiting for the other person to confirm")
    });
    joiner.click("They don't match");
    wait(&mut host, &mut joiner, "both cancelled", |a, b| {
        matches!(a.status(), SasStatus::Cancelled(_))
            && matches!(b.status(), SasStatus::Cancelled(_))
    });
    assert_eq!(
        host.status(),
        SasStatus::Cancelled(CancelReason::PeerNoMatch)
    );
    assert_eq!(
        joiner.status(),
        SasStatus::Cancelled(CancelReason::UserNoMatch)
    );
    assert!(host.shows("the other person said the codes don't match"));
    assert!(joiner.shows("you said the codes don't match"));
    assert!(host.shows("Not verified"));
    assert!(!host.shows("Save contact"));
    for side in [&host, &joiner] {
        assert!(
            side.store().list(&side.own()).unwrap().is_empty(),
            "nothing recorded"
        );
    }
}

#[test]
fn wrong_join_codes_give_clear_errors_and_record_nothing() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());
    let code = host_starts(&mut host);

    // A typo: caught by the checksum before any connection.
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let typo = (0..code.len())
        .filter(|&i| code.as_bytes()[i] != b'-')
        .find_map(|i| {
            let old = code.as_bytes()[i] as char;
            let new = alphabet.chars().find(|&c| c != old)?;
            let mut t = code.clone();
            t.replace_range(i..=i, &new.to_string());
            JoinCode::parse(&t).is_err().then_some(t)
        })
        .unwrap();
    joiner.fill("Join code", &typo);
    joiner.click("Join");
    assert!(
        joiner.shows("a character is mistyped"),
        "checksum error shown"
    );
    assert_eq!(joiner.status(), SasStatus::Idle, "no connection attempted");
    assert!(matches!(host.status(), SasStatus::Running));

    // A well-formed code with another secret at the same address: the joiner notices that
    // the host cannot prove it knows that code and stops; the host is not disturbed by the
    // stranger's connection and keeps waiting for the real joiner.
    let real: JoinCode = code.parse().unwrap();
    let mut other = *real.secret().as_bytes();
    other[0] ^= 0x01;
    let wrong = JoinCode::new(
        real.addr(),
        verifier_core::sas::JoinSecret::from_bytes(other),
    )
    .to_text();
    joiner
        .h
        .get_by_role_and_label(Role::TextInput, "Join code")
        .focus();
    joiner.settle();
    joiner
        .h
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    joiner.settle();
    joiner
        .h
        .get_by_role_and_label(Role::TextInput, "Join code")
        .type_text(&wrong);
    joiner.settle();
    assert_eq!(joiner.h.state().sas.code_input, wrong);
    joiner.click("Join");
    wait(
        &mut host,
        &mut joiner,
        "the joiner gave up, the host noted it",
        |a, b| matches!(b.status(), SasStatus::Cancelled(_)) && a.shows("not the other person"),
    );
    assert_eq!(
        joiner.status(),
        SasStatus::Cancelled(CancelReason::WrongJoinCode)
    );
    assert!(joiner.shows("the join code does not belong to the session"));
    assert!(
        matches!(host.status(), SasStatus::Running),
        "the host keeps waiting for the real joiner"
    );
    for side in [&host, &joiner] {
        assert!(
            side.store().list(&side.own()).unwrap().is_empty(),
            "nothing recorded"
        );
    }
}

#[test]
fn cancel_while_waiting_stops_listening_and_closing_the_app_cancels_the_peer() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let code: JoinCode = host_starts(&mut host).parse().unwrap();
    host.click("Cancel");
    assert_eq!(
        host.status(),
        SasStatus::Cancelled(CancelReason::UserCancelled)
    );
    assert!(host.shows("you cancelled the session"));
    wait_one(&mut host, "the listener to close", |s| {
        s.h.state().sas.worker_finished()
    });
    assert!(
        TcpStream::connect_timeout(&code.addr(), Duration::from_secs(2)).is_err(),
        "nobody listens after cancel"
    );

    // Mid-comparison, the joiner's app closes: the host learns it at once.
    host.click("Start again");
    let code = host_starts(&mut host);
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());
    joiner.fill("Join code", &code);
    joiner.click("Join");
    wait(&mut host, &mut joiner, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    // As eframe does when the window closes: on_exit, then the app is dropped.
    eframe::App::on_exit(joiner.h.state_mut(), None);
    assert_eq!(
        joiner.status(),
        SasStatus::Cancelled(CancelReason::UserCancelled)
    );
    drop(joiner);
    wait_one(&mut host, "the host to see the cancel", |s| {
        matches!(s.status(), SasStatus::Cancelled(_))
    });
    assert_eq!(
        host.status(),
        SasStatus::Cancelled(CancelReason::PeerCancelled)
    );
    assert!(host.shows("the other person's app cancelled the session"));
    wait_one(&mut host, "the host's worker to end", |s| {
        s.h.state().sas.worker_finished()
    });
}

/// The navigation entry of the Live session screen: its accessible label carries the
/// session's state ("Live session: needs your answer").
fn nav_label(s: &Side) -> String {
    s.h.query_all_by_label_contains("Live session")
        .map(|n| n.accesskit_node())
        .filter(|n| n.role() == Role::Button)
        .filter_map(|n| n.label())
        .next()
        .unwrap_or_default()
}

/// Clicks the navigation entry whose label starts with `entry`.
fn go(s: &mut Side, entry: &str) {
    s.h.query_all_by_label_contains(entry)
        .find(|n| {
            let n = n.accesskit_node();
            n.role() == Role::Button && n.label().is_some_and(|l| l.starts_with(entry))
        })
        .unwrap_or_else(|| panic!("no navigation entry {entry}"))
        .click();
    s.settle();
}

#[test]
fn a_session_survives_navigation_and_completes_on_both_sides() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());
    assert_eq!(
        nav_label(&host),
        "Live session",
        "no marker before a session"
    );

    // The host names the contact, starts, and goes to "My code" while waiting.
    host.fill("Contact name (optional)", "Jo");
    let code = host_starts(&mut host);
    go(&mut host, "My code");
    assert_eq!(nav_label(&host), "Live session: in progress");
    assert!(matches!(host.status(), SasStatus::Running));

    // The joiner joins; the host's run goes on on the other screen.
    joiner.fill("Contact name (optional)", "Hannah");
    joiner.fill("Join code", &code);
    joiner.click("Join");
    wait(&mut host, &mut joiner, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    assert_eq!(
        host.h.state().screen,
        Screen::MyCode,
        "the host stayed away"
    );
    assert_eq!(nav_label(&host), "Live session: needs your answer");
    // The joiner also wanders off and back mid-comparison.
    go(&mut joiner, "Contacts");
    assert_eq!(nav_label(&joiner), "Live session: needs your answer");
    go(&mut joiner, "Settings");
    go(&mut joiner, "Live session");
    assert!(compare_phase(&joiner).is_some(), "still comparing");

    // The host comes back through the marked entry, answers, and leaves again before the
    // other person answers: the result and its recording still happen.
    go(&mut host, "Live session: needs your answer");
    assert_eq!(host.h.state().screen, Screen::Sas);
    host.click("They match");
    wait_one(&mut host, "the host to wait", |s| {
        s.shows("Waiting for the other person to confirm")
    });
    go(&mut host, "Contacts");
    assert_eq!(nav_label(&host), "Live session: in progress");
    joiner.click("They match");
    wait(&mut host, &mut joiner, "both verified", |a, b| {
        matches!(a.status(), SasStatus::Verified(_)) && matches!(b.status(), SasStatus::Verified(_))
    });
    assert_eq!(host.status(), SasStatus::Verified(joiner.key));
    assert_eq!(joiner.status(), SasStatus::Verified(host.key));
    // Recorded while the host looks at Contacts: Jo appears there, verified.
    wait_one(&mut host, "Jo verified on the host's contact list", |s| {
        s.h.state()
            .shared
            .store
            .snapshot()
            .contacts
            .iter()
            .any(|c| c.name == "Jo" && matches!(c.status, TrustStatus::Verified { .. }))
    });
    assert_eq!(host.h.state().screen, Screen::Contacts);
    assert_eq!(nav_label(&host), "Live session: result ready");
    wait_one(&mut joiner, "the joiner's record", |s| {
        s.shows("Saved: Hannah is verified")
    });
    assert_eq!(
        nav_label(&joiner),
        "Live session",
        "seen on screen: no marker"
    );

    go(&mut host, "Live session: result ready");
    assert!(host.shows("Saved: Jo is verified"));
    assert_eq!(nav_label(&host), "Live session", "the result was seen");

    for (side, name, peer) in [(&host, "Jo", joiner.key), (&joiner, "Hannah", host.key)] {
        let store = side.store();
        let c = store.contact(name, &side.own()).unwrap();
        assert_eq!(c.current_key, Some(peer));
        assert!(
            matches!(
                c.status,
                TrustStatus::Verified {
                    method: VerificationMethod::SasSession,
                    ..
                }
            ),
            "{name}: {:?}",
            c.status
        );
    }
    wait(&mut host, &mut joiner, "the workers to end", |a, b| {
        a.h.state().sas.worker_finished() && b.h.state().sas.worker_finished()
    });
}

#[test]
fn the_marker_shows_a_running_session_and_a_timeout_reached_elsewhere() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    // Nobody joins: the host's wait times out while the person is on another screen.
    host.h.state_mut().sas.timeout = Duration::from_secs(2);
    host_starts(&mut host);
    assert_eq!(nav_label(&host), "Live session: in progress");
    go(&mut host, "Settings");
    assert_eq!(nav_label(&host), "Live session: in progress");
    wait_one(&mut host, "the timeout", |s| {
        matches!(s.status(), SasStatus::Cancelled(CancelReason::Timeout))
    });
    assert_eq!(host.h.state().screen, Screen::Settings);
    assert_eq!(nav_label(&host), "Live session: result ready");
    go(&mut host, "Live session");
    assert!(host.shows("nobody answered in time"));
    assert_eq!(nav_label(&host), "Live session");
    wait_one(&mut host, "the listener to close", |s| {
        s.h.state().sas.worker_finished()
    });
}

/// Hannah's key changed since the joiner verified her; a live session with her new key.
/// Before, the app recorded it under Hannah because her contact had that key, and cleared
/// the alert with a plain verification. Now the key picks nobody by itself (the person
/// confirms with a button that names Hannah), and the engine refuses a plain verification
/// of a changed key: the key-change flow shows the old and new key side by side, and only
/// "I checked the new key with Hannah" records it, with the session's evidence.
#[test]
fn a_contact_whose_key_changed_is_re_verified_through_the_key_change_flow() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let joiner = Side::new(root.path(), "joiner", Settings::default());
    let old = Identity::generate(&mut rand_core::OsRng).public_key();
    {
        let mut store = joiner.store();
        let me = Identity::load(&joiner.dir.join("identity")).unwrap();
        let t = Timestamp::from_unix_secs(1_700_000_000);
        store.add_contact_with_key("Hannah", None, &old, t).unwrap();
        store
            .verify(
                "Hannah",
                Evidence::manual_assertion(old),
                Intent::Verify,
                &me,
                &joiner.own(),
                t,
            )
            .unwrap();
        store.observe_key("Hannah", &host.key, t).unwrap();
        assert!(matches!(
            store.status("Hannah", &joiner.own()).unwrap(),
            TrustStatus::KeyChanged { .. }
        ));
    }
    // The joiner's store worker reads the contact list again after any job; a fresh app
    // loads it at start.
    drop(joiner);
    let mut joiner = Side::new(root.path(), "joiner", Settings::default());
    wait_one(&mut joiner, "the key-change banner", |s| {
        s.shows("Key changed: Hannah")
    });

    let code = host_starts(&mut host);
    joiner.fill("Join code", &code);
    joiner.click("Join");
    wait(&mut host, &mut joiner, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    host.click("They match");
    joiner.click("They match");
    wait(&mut host, &mut joiner, "both verified", |a, b| {
        matches!(a.status(), SasStatus::Verified(_)) && matches!(b.status(), SasStatus::Verified(_))
    });
    // No name typed: the app says whose key it is, and records nothing by itself.
    wait_one(&mut joiner, "the name question", |s| {
        s.shows("Save them as a contact")
    });
    assert!(joiner.shows("This is the key you have for your contact Hannah."));
    let still_changed = |s: &Side| {
        assert!(matches!(
            s.store().status("Hannah", &s.own()).unwrap(),
            TrustStatus::KeyChanged { .. }
        ));
    };
    still_changed(&joiner);
    joiner.click("Yes, this is Hannah — save");
    // The engine refuses a plain verification: the key-change flow, old and new side by side.
    wait_one(&mut joiner, "the key-change flow", |s| {
        s.shows("⚠ Hannah has a new key")
    });
    wait_one(&mut joiner, "the fingerprints", |s| {
        s.shows("Old key (the one you verified)")
    });
    joiner.h.get_by_label("New key (the key you checked now)");
    for k in [old, host.key] {
        for g in SideFingerprint::compute(&Party::new(&k)).digit_groups() {
            assert!(joiner.shows(&g), "fingerprint group {g} shown");
        }
    }
    assert!(joiner.shows("new phone"), "the harmless causes");
    assert!(joiner.shows("intercepting"), "the risk");
    joiner.h.get_by_role_and_label(Role::Button, "Not now");
    assert!(!joiner.shows("Saved:"));
    still_changed(&joiner);

    joiner.click("I checked the new key with Hannah — verify it");
    wait_one(&mut joiner, "the re-verification", |s| {
        s.shows("Saved: Hannah's new key is verified")
    });
    assert!(joiner.actions <= 5, "{} actions", joiner.actions);
    let store = joiner.store();
    assert!(matches!(
        store.status("Hannah", &joiner.own()).unwrap(),
        TrustStatus::Verified {
            method: VerificationMethod::SasSession,
            ..
        }
    ));
    assert_eq!(store.list(&joiner.own()).unwrap().len(), 1);
}

#[test]
fn a_join_code_scanned_during_a_session_waits_for_it_to_end() {
    let root = tempfile::tempdir().unwrap();
    let mut host = Side::new(root.path(), "host", Settings::default());
    let mut other = Side::new(root.path(), "other", Settings::default());
    let other_code = host_starts(&mut other);
    let own_code = host_starts(&mut host);
    // On the Scan screen, the person scans the other session's code mid-session.
    go(&mut host, "Scan");
    host.h.state_mut().shared.pending_join_code = Some(other_code.clone());
    go(&mut host, "Live session");
    assert_eq!(
        host.h.state().sas.join_code_text(),
        Some(own_code),
        "still running"
    );
    assert!(host.shows("You scanned a join code: it is kept"));
    host.click("Cancel");
    // The result stays until the person moves on; then the scanned code is filled in.
    assert!(host.shows("you cancelled the session"));
    assert!(host.shows("press \"Start again\""));
    host.click("Start again");
    assert_eq!(host.status(), SasStatus::Idle);
    assert_eq!(host.h.state().sas.code_input, other_code);
    host.click("Join");
    wait(&mut host, &mut other, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
}

/// The text in the text field labelled `label` ("" when empty).
fn field_text(s: &Side, label: &str) -> String {
    s.h.get_by_role_and_label(Role::TextInput, label)
        .value()
        .unwrap_or_default()
}

/// Attack: after a session with Carol, "Start again" kept "Carol" in the name field, so the
/// next session (with someone else) recorded that person's key as Carol's new verified key.
#[test]
fn start_again_forgets_previous_contact() {
    let root = tempfile::tempdir().unwrap();
    let mut carol = Side::new(root.path(), "carol", Settings::default());
    let mut me = Side::new(root.path(), "me", Settings::default());

    // A session with Carol, named before it: recorded under her name.
    let code = host_starts(&mut carol);
    me.fill("Contact name (optional)", "Carol");
    me.fill("Join code", &code);
    me.click("Join");
    wait(&mut carol, &mut me, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    carol.click("They match");
    me.click("They match");
    wait_one(&mut me, "Carol's record", |s| {
        s.shows("Saved: Carol is verified")
    });

    // Start again: the name (and the old join code) are gone.
    me.click("Start again");
    assert_eq!(me.status(), SasStatus::Idle);
    assert_eq!(me.h.state().sas.name, "");
    assert_eq!(field_text(&me, "Contact name (optional)"), "");
    assert_eq!(field_text(&me, "Join code"), "");
    assert!(!me.shows("Carol"), "Carol is not shown after Start again");

    // A session with someone else, nothing typed: the name is asked afresh, nothing is
    // recorded under Carol.
    let mut dave = Side::new(root.path(), "dave", Settings::default());
    let code = host_starts(&mut dave);
    me.fill("Join code", &code);
    me.click("Join");
    wait(&mut dave, &mut me, "both to compare", |a, b| {
        compare_phase(a).is_some() && compare_phase(b).is_some()
    });
    dave.click("They match");
    me.click("They match");
    wait(&mut dave, &mut me, "both verified", |a, b| {
        matches!(a.status(), SasStatus::Verified(_)) && matches!(b.status(), SasStatus::Verified(_))
    });
    assert_eq!(me.status(), SasStatus::Verified(dave.key));
    wait_one(&mut me, "the name question", |s| {
        s.shows("Save them as a contact")
    });
    assert_eq!(field_text(&me, "Contact name"), "");
    assert!(!me.shows("Carol"));
    let carol_unchanged = |me: &Side| {
        let store = me.store();
        let c = store.contact("Carol", &me.own()).unwrap();
        assert_eq!(c.current_key, Some(carol.key), "Carol's key is hers");
        assert!(
            matches!(c.status, TrustStatus::Verified { .. }),
            "{:?}",
            c.status
        );
        assert_eq!(
            store.keys("Carol").unwrap().len(),
            1,
            "no other key for Carol"
        );
    };
    carol_unchanged(&me);
    assert_eq!(
        me.store().list(&me.own()).unwrap().len(),
        1,
        "nothing recorded yet"
    );

    // Named now: recorded under that name only.
    me.fill("Contact name", "Dave");
    me.click("Save contact");
    wait_one(&mut me, "Dave's record", |s| {
        s.shows("Saved: Dave is verified")
    });
    carol_unchanged(&me);
    let store = me.store();
    assert_eq!(
        store.contact("Dave", &me.own()).unwrap().current_key,
        Some(dave.key)
    );
    assert_eq!(store.list(&me.own()).unwrap().len(), 2);

    // The other ways back to the start screen forget the name too: "Start again" after a
    // cancelled run, and "Back" after a run that could not start.
    me.click("Start again");
    me.fill("Contact name (optional)", "Carol");
    host_starts(&mut me);
    me.click("Cancel");
    assert!(me.shows("you cancelled the session"));
    me.click("Start again");
    assert_eq!(field_text(&me, "Contact name (optional)"), "");

    let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    me.h.state_mut().sas.bind = taken.local_addr().unwrap();
    me.fill("Contact name (optional)", "Carol");
    me.click("Start a session");
    wait_one(&mut me, "the failure to listen", |s| {
        matches!(s.status(), SasStatus::Failed(_))
    });
    me.click("Back");
    assert_eq!(me.status(), SasStatus::Idle);
    assert_eq!(field_text(&me, "Contact name (optional)"), "");
}
