//! How many user actions it takes, from launch (the app opens on "My code") to
//! the contact recorded as verified in the trust store, for each way of
//! verifying. Printed as a table and held to the targets: at most 2 for a QR
//! code (camera or a picture), at most 4 for a live session.
//!
//! Run: `cargo test -p verifier-gui --test action_counts -- --nocapture`
//!
//! What counts as one action: a click (or a tap on a button), one file
//! dropped on the window, a choice in the file dialog, and one text entry —
//! typing into one field, with the Enter that ends it. Waiting (for the camera,
//! the other person, the network) costs nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{PairwiseCard, Payload, QrMatrix};
use verifier_core::receipt::VerificationMethod;
use verifier_gui::app::{AppConfig, Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::views::sas::SasStatus;
use verifier_gui::workers::camera::{
    CameraInfo, CameraProvider, Frame, FrameSource, NoCameras, PixelFormat,
};
use verifier_gui::workers::file_picker::{FilePicker, FixedPicker};
use verifier_store::IdentityFile as _;
use verifier_store::{Store, TrustStatus};

const LIMIT: Duration = Duration::from_secs(30);

fn report(path: &str, actions: u32, target: u32) {
    println!(
        "{path:<58} {actions:>2} actions (target ≤ {target}) {}",
        if actions <= target { "ok" } else { "OVER" }
    );
    assert!(
        actions <= target,
        "{path}: {actions} actions, target ≤ {target}"
    );
}

/// One app, counting what its user does.
struct User {
    h: Harness<'static, VerifierApp>,
    dir: PathBuf,
    key: PublicKey,
    actions: u32,
}

impl User {
    /// An identity, a store with `contacts`, the app started on "My code".
    fn new(
        root: &Path,
        who: &str,
        contacts: &[(&str, PublicKey)],
        cameras: Box<dyn CameraProvider>,
        picker: Arc<dyn FilePicker>,
    ) -> Self {
        Self::with_identity(
            root,
            who,
            Identity::generate(&mut rand_core::OsRng),
            contacts,
            cameras,
            picker,
        )
    }

    fn with_identity(
        root: &Path,
        who: &str,
        identity: Identity,
        contacts: &[(&str, PublicKey)],
        cameras: Box<dyn CameraProvider>,
        picker: Arc<dyn FilePicker>,
    ) -> Self {
        let dir = root.join(who);
        std::fs::create_dir_all(&dir).unwrap();
        identity.save(&dir.join("identity"), false).unwrap();
        let mut store = Store::open(dir.join("store.sqlite3")).unwrap();
        for (name, key) in contacts {
            store
                .add_contact_with_key(name, None, key, verifier_store::now())
                .unwrap();
        }
        drop(store);
        let config = AppConfig {
            identity_path: dir.join("identity"),
            store_path: Some(dir.join("store.sqlite3")),
            cameras,
            file_picker: picker,
        };
        let mut app = VerifierApp::new(config, Settings::default());
        app.sas.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let h = Harness::builder()
            .with_size(egui::vec2(1100.0, 1400.0))
            .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
        let mut user = User {
            h,
            dir,
            key: identity.public_key(),
            actions: 0,
        };
        user.wait("the trust store to load", |u| {
            u.h.state().shared.store.snapshot().loaded
        });
        assert_eq!(user.h.state().screen, Screen::MyCode, "launch screen");
        user
    }

    fn settle(&mut self) {
        for _ in 0..4 {
            self.h.step();
        }
    }

    fn wait(&mut self, what: &str, done: impl Fn(&User) -> bool) {
        let end = Instant::now() + LIMIT;
        while !done(self) {
            if Instant::now() >= end {
                use egui_kittest::kittest::NodeT as _;
                let shown: Vec<String> = self
                    .h
                    .root()
                    .children_recursive()
                    .filter_map(|n| n.accesskit_node().label())
                    .collect();
                panic!("timed out waiting for {what}; shown: {shown:?}");
            }
            self.h.step();
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// One click on the button (or navigation entry) `label`.
    fn click(&mut self, label: &str) {
        self.wait(&format!("the button {label}"), |u| {
            u.h.query_by_role_and_label(Role::Button, label).is_some()
                || u.h.query_by_label(label).is_some()
        });
        // Through AccessKit (the widget itself, as a screen reader or keyboard would):
        // a pointer click at the node's last position could miss when the layout moves
        // in between (the camera list arriving on the Scan screen).
        match self.h.query_by_role_and_label(Role::Button, label) {
            Some(b) => b.click_accesskit(),
            None => self.h.get_by_label(label).click_accesskit(),
        }
        self.actions += 1;
        self.settle();
    }

    /// One text entry: the field focused, the text typed, Enter.
    fn enter_text(&mut self, field: &str, text: &str) {
        self.wait(&format!("the field {field}"), |u| {
            u.h.query_by_role_and_label(Role::TextInput, field)
                .is_some()
        });
        self.h.get_by_role_and_label(Role::TextInput, field).focus();
        self.h.step();
        self.h
            .get_by_role_and_label(Role::TextInput, field)
            .type_text(text);
        self.h.step();
        self.h.key_press(egui::Key::Enter);
        self.actions += 1;
        self.settle();
    }

    /// One file dropped on the window.
    fn drop_file(&mut self, path: &Path) {
        self.h
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.to_owned())));
        self.actions += 1;
        self.settle();
    }

    fn status(&self, name: &str) -> Option<TrustStatus> {
        Store::open(self.dir.join("store.sqlite3"))
            .ok()?
            .contact(name, &verifier_core::trust::OwnKeys::new(self.key))
            .ok()
            .map(|c| c.status)
    }

    fn wait_verified(&mut self, name: &str, method: VerificationMethod) {
        self.wait(&format!("{name} verified by {method:?}"), |u| {
            matches!(u.status(name), Some(TrustStatus::Verified { method: m, .. }) if m == method)
        });
    }
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// A camera that shows one picture (grey, 8 bits) forever.
struct OneFrame(Frame);

impl CameraProvider for OneFrame {
    fn list(&self) -> Result<Vec<CameraInfo>, String> {
        Ok(vec![CameraInfo {
            index: 0,
            name: "Test camera".to_owned(),
        }])
    }
    fn open(&self, _index: u32) -> Result<Box<dyn FrameSource>, String> {
        Ok(Box::new(Repeat(self.0.clone())))
    }
}

struct Repeat(Frame);

impl FrameSource for Repeat {
    fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        std::thread::sleep(Duration::from_millis(30));
        Ok(Some(self.0.clone()))
    }
}

/// The code on a white 640×480 picture, as a camera frame.
fn frame_of(code: &[u8]) -> Frame {
    let m = QrMatrix::from_bytes(code).unwrap();
    let (w, h, px) = (640usize, 480usize, 5usize);
    let side = m.width_with_quiet_zone() * px;
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    let mut data = vec![255u8; w * h * 3];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / px, y / px);
            let quiet = (m.width_with_quiet_zone() - m.width()) / 2;
            let dark = mx >= quiet
                && my >= quiet
                && mx - quiet < m.width()
                && my - quiet < m.width()
                && m.is_dark(mx - quiet, my - quiet);
            if dark {
                let i = ((y0 + y) * w + x0 + x) * 3;
                data[i..i + 3].fill(20);
            }
        }
    }
    Frame {
        format: PixelFormat::Rgb8,
        width: w as u32,
        height: h as u32,
        data,
    }
}

/// The pairwise code `owner` shows to `viewer`, as a PNG file.
fn code_png(dir: &Path, owner: PublicKey, viewer: &PublicKey) -> PathBuf {
    let code = Payload::Pairwise(PairwiseCard::new(owner, viewer)).encode();
    let png = QrMatrix::from_bytes(&code).unwrap().to_png(6).unwrap();
    let path = dir.join("their-code.png");
    std::fs::write(&path, png).unwrap();
    path
}

#[test]
fn qr_camera_scan_takes_two_actions() {
    let root = tempfile::tempdir().unwrap();
    let alice = Identity::generate(&mut rand_core::OsRng);
    // Alice shows the code she made for me.
    let mine = Identity::generate(&mut rand_core::OsRng);
    let code =
        Payload::Pairwise(PairwiseCard::new(alice.public_key(), &mine.public_key())).encode();
    let mut me = User::with_identity(
        root.path(),
        "me",
        mine,
        &[("Alice", alice.public_key())],
        Box::new(OneFrame(frame_of(&code))),
        Arc::new(FixedPicker(None)),
    );
    me.click(Screen::Scan.label()); // the camera starts by itself
    me.click("Yes, this is Alice — mark verified");
    me.wait_verified("Alice", VerificationMethod::QrCamera);
    report("QR code, camera (known contact)", me.actions, 2);
}

#[test]
fn qr_picture_dropped_on_any_screen_takes_two_actions() {
    let root = tempfile::tempdir().unwrap();
    let alice = Identity::generate(&mut rand_core::OsRng);
    let mut me = User::new(
        root.path(),
        "me",
        &[("Alice", alice.public_key())],
        Box::new(NoCameras),
        Arc::new(FixedPicker(None)),
    );
    let png = code_png(root.path(), alice.public_key(), &me.key);
    // Dropped on "My code": the Scan screen opens and reads it.
    me.drop_file(&png);
    me.click("Yes, this is Alice — mark verified");
    me.wait_verified("Alice", VerificationMethod::QrImageFile);
    report(
        "QR code, picture dropped on the window (known contact)",
        me.actions,
        2,
    );
}

#[test]
fn qr_picture_from_the_file_dialog() {
    let root = tempfile::tempdir().unwrap();
    let alice = Identity::generate(&mut rand_core::OsRng);
    let png = root.path().join("their-code.png");
    let mut me = User::new(
        root.path(),
        "me",
        &[("Alice", alice.public_key())],
        Box::new(NoCameras),
        Arc::new(FixedPicker(Some(png.clone()))),
    );
    code_png(root.path(), alice.public_key(), &me.key);
    me.click(Screen::Scan.label());
    me.click("Choose a picture…");
    me.actions += 1; // the choice in the dialog
    me.click("Yes, this is Alice — mark verified");
    me.wait_verified("Alice", VerificationMethod::QrImageFile);
    // Opening a dialog and choosing in it are two steps more than a drop: no target of 2.
    report(
        "QR code, picture chosen in the file dialog (known contact)",
        me.actions,
        4,
    );
}

/// Both apps step until `done`.
fn wait_both(a: &mut User, b: &mut User, what: &str, done: impl Fn(&User, &User) -> bool) {
    let end = Instant::now() + LIMIT;
    while !done(a, b) {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        a.h.step();
        b.h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn comparing(u: &User) -> bool {
    u.h.query_by_role_and_label(Role::Button, "They match")
        .is_some()
}

#[test]
fn live_session_takes_four_actions_on_each_side() {
    let root = tempfile::tempdir().unwrap();
    // The joiner has the host as an (unverified) contact; the host meets a new contact.
    let mut host = User::new(
        root.path(),
        "host",
        &[],
        Box::new(NoCameras),
        Arc::new(FixedPicker(None)),
    );
    let mut joiner = User::new(
        root.path(),
        "joiner",
        &[("Hana", host.key)],
        Box::new(NoCameras),
        Arc::new(FixedPicker(None)),
    );
    host.click(Screen::Sas.label());
    host.click("Start a session");
    host.wait("the join code", |u| {
        u.h.state().sas.join_code_text().is_some()
    });
    let code = host.h.state().sas.join_code_text().unwrap();
    joiner.click(Screen::Sas.label());
    joiner.enter_text("Join code", &code);
    wait_both(&mut host, &mut joiner, "both to compare", |a, b| {
        comparing(a) && comparing(b)
    });
    host.click("They match");
    joiner.click("They match");
    wait_both(&mut host, &mut joiner, "both verified", |a, b| {
        matches!(a.h.state().sas.status(), SasStatus::Verified(_))
            && matches!(b.h.state().sas.status(), SasStatus::Verified(_))
    });
    // The joiner knows the host's key as Hana's: one click names her (the key alone never does).
    joiner.click("Yes, this is Hana — save");
    // The host names a new contact.
    host.enter_text("Contact name", "Jo");
    host.wait_verified("Jo", VerificationMethod::SasSession);
    joiner.wait_verified("Hana", VerificationMethod::SasSession);
    report("Live session, host (new contact)", host.actions, 4);
    report("Live session, joiner (known contact)", joiner.actions, 4);
}
