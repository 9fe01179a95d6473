//! Helpers shared by the GUI flow tests: temp identity + store, a harness,
//! and waiting for work that finishes on worker threads.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{IdentityCard, Payload, scan_evidence};
use verifier_core::receipt::{Receipt, Timestamp};
use verifier_core::safety_number::{Comparison, Party};
use verifier_core::trust::{Evidence, Intent, OwnKeys, QrSource};
use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_store::IdentityFile as _;
use verifier_store::Store;

/// Temp paths of one test run.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub identity_path: PathBuf,
    pub store_path: PathBuf,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let identity_path = dir.path().join("identity");
        let store_path = dir.path().join("store.sqlite3");
        Env {
            dir,
            identity_path,
            store_path,
        }
    }

    pub fn config(&self) -> AppConfig {
        AppConfig {
            identity_path: self.identity_path.clone(),
            store_path: Some(self.store_path.clone()),
            cameras: Box::new(verifier_gui::workers::camera::NoCameras),
            file_picker: std::sync::Arc::new(verifier_gui::workers::file_picker::FixedPicker(None)),
        }
    }

    /// Opens the test's store (a second connection, as the CLI would).
    pub fn store(&self) -> Store {
        Store::open(&self.store_path).unwrap()
    }

    /// The app's identity (created by the app on start, or by the test before).
    pub fn identity(&self) -> Identity {
        Identity::load(&self.identity_path).unwrap()
    }

    /// Creates the identity before the app starts.
    pub fn create_identity(&self) -> Identity {
        let id = Identity::generate(&mut rand_core::OsRng);
        id.save(&self.identity_path, false).unwrap();
        id
    }

    /// The app's own keys, as the trust engine reads statuses with them.
    pub fn own(&self) -> OwnKeys {
        OwnKeys::new(self.identity().public_key())
    }

    /// Records in the test's store that the app's identity verified `key` for
    /// `name` with `evidence` at `at` (as the CLI would, through the engine).
    pub fn verify(&self, name: &str, evidence: Evidence, at: Timestamp) -> Receipt {
        let me = self.identity();
        let own = OwnKeys::new(me.public_key());
        self.store()
            .verify(name, evidence, Intent::Verify, &me, &own, at)
            .unwrap()
            .receipt
    }
}

/// The evidence of scanning `key`'s identity code from `source` (as the Scan screen makes it).
pub fn qr_evidence(key: PublicKey, me: &PublicKey, source: QrSource) -> Evidence {
    let payload = Payload::Identity(IdentityCard {
        key,
        display_name: None,
        stable_id: None,
    });
    scan_evidence(&payload, me, source).unwrap().1
}

/// The evidence of comparing the safety number of `me` and `key` (as Compare codes makes it).
pub fn safety_number_evidence(me: &PublicKey, key: &PublicKey) -> Evidence {
    Comparison::new(&Party::new(me), &Party::new(key)).confirm_compared()
}

pub fn key(seed: u8) -> PublicKey {
    Identity::from_seed(&[seed; 32]).unwrap().public_key()
}

pub fn start(env: &Env, screen: Screen) -> Harness<'static, VerifierApp> {
    let app = VerifierApp::new(env.config(), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 2600.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    h.state_mut().screen = screen;
    // First frame installs fonts; wait for the first store snapshot.
    wait_until(&mut h, "the trust store to load", |h| {
        h.state().shared.store.snapshot().loaded
    });
    h
}

/// Steps the harness until `done` holds (at most 60 s: the test machine may be loaded).
pub fn wait_until(
    h: &mut Harness<'static, VerifierApp>,
    what: &str,
    mut done: impl FnMut(&Harness<'static, VerifierApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if done(h) {
            return;
        }
        if start.elapsed() >= Duration::from_secs(60) {
            panic!(
                "timed out after 60 s waiting for {what}; shown: {:?}",
                shown_labels(h)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The labels on screen (for failure messages).
pub fn shown_labels(h: &Harness<'static, VerifierApp>) -> Vec<String> {
    use egui_kittest::kittest::NodeT as _;
    h.root()
        .children_recursive()
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Steps until the store worker has no job outstanding.
pub fn wait_idle(h: &mut Harness<'static, VerifierApp>) {
    wait_until(h, "the trust-store worker to be idle", |h| {
        h.state().shared.store.is_idle()
    });
    h.step();
}

/// Steps until a node with this exact label exists.
pub fn wait_for_label(h: &mut Harness<'static, VerifierApp>, label: &str) {
    use egui_kittest::kittest::Queryable as _;
    let owned = label.to_owned();
    wait_until(h, &format!("a node labelled {label:?}"), move |h| {
        h.query_all_by_label(&owned).count() > 0
    });
}

/// Steps until a node whose label contains this exists.
pub fn wait_for_label_contains(h: &mut Harness<'static, VerifierApp>, part: &str) {
    use egui_kittest::kittest::Queryable as _;
    let owned = part.to_owned();
    wait_until(
        h,
        &format!("a node whose label contains {part:?}"),
        move |h| h.query_all_by_label_contains(&owned).count() > 0,
    );
}

/// Types `text` into the text field labelled `label` (replacing its content).
pub fn type_into(h: &mut Harness<'static, VerifierApp>, label: &str, text: &str) {
    use egui_kittest::kittest::Queryable as _;
    h.get_by_label(label).click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
    h.step();
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

/// A store with one contact of each state: Alice verified, Carol unverified, Dave verified
/// and then seen with a new key (key changed). Creates the identity; call before the app starts.
pub fn seed_contacts(env: &Env) {
    let t = Timestamp::from_unix_secs(1_700_000_000);
    let me = env.create_identity();
    let mut store = env.store();
    for (name, seed) in [("Alice", 5), ("Carol", 8), ("Dave", 6)] {
        store
            .add_contact_with_key(name, None, &key(seed), t)
            .unwrap();
    }
    for (name, seed) in [("Alice", 5), ("Dave", 6)] {
        let e = qr_evidence(key(seed), &me.public_key(), QrSource::Camera);
        env.verify(name, e, t);
    }
    store.observe_key("Dave", &key(7), t).unwrap();
}

/// Shows every screen in turn, and the pages inside them (a contact's page, comparing with a
/// contact whose key changed, in both modes, a live session's join code), calling `check` on
/// each with its name. Expects the contacts of [`seed_contacts`].
pub fn visit_every_screen(
    h: &mut Harness<'static, VerifierApp>,
    mut check: impl FnMut(&mut Harness<'static, VerifierApp>, &str),
) {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;
    for screen in Screen::ALL {
        h.state_mut().screen = screen;
        h.run_steps(4);
        check(h, screen.name());
    }
    h.state_mut().screen = Screen::Contacts;
    h.state_mut().contacts.selected = Some("Dave".to_owned());
    h.run_steps(2);
    wait_for_label_contains(h, "Fingerprint");
    h.run_steps(2);
    check(h, "Dave's page");
    h.state_mut().contacts.verifying = true;
    h.run_steps(2);
    wait_for_label(h, "Verify Dave");
    wait_for_label(h, "Old key (the one you verified)");
    h.run_steps(2);
    check(h, "Verify Dave (key changed)");
    h.state_mut().contacts.verifying = false;
    h.state_mut().contacts.selected = None;

    h.state_mut().shared.compare_contact = Some("Dave".to_owned());
    h.state_mut().screen = Screen::Compare;
    h.run_steps(2);
    wait_for_label(h, "Safety number");
    h.run_steps(2);
    check(h, "compare (read)");
    h.get_by_label("Type what they read to you")
        .click_accesskit();
    h.run_steps(4);
    check(h, "compare (type)");

    h.state_mut().sas.bind = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    h.state_mut().screen = Screen::Sas;
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Start a session")
        .click_accesskit();
    wait_until(h, "the join code", |h| {
        h.state().sas.join_code_text().is_some()
    });
    h.run_steps(2);
    check(h, "live session (join code)");
    h.state_mut().sas.close(Duration::from_millis(200));
    h.run_steps(2);
}
