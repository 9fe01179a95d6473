//! Text size: at every setting from 1.0 to 3.0 every screen still lays out in the app's
//! 900×720 window — nothing runs off the right edge (rows of words, groups and emoji break
//! instead, the navigation moves to the top, the QR code shrinks), long screens scroll, and
//! every control can be scrolled into view.
//!
//! The harness works in points: a 900×720-pixel window at text scale 3.0 (egui's zoom
//! factor) is 300×240 points, so the app runs with `text_scale = 3.0` in a harness of that
//! many points — exactly the layout a real window of that size gets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_gui_a/mod.rs"]
mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::{Env, key};
use verifier_core::receipt::Timestamp;
use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Party, SafetyNumber};
use verifier_core::sas::Phase;
use verifier_core::trust::QrSource;
use verifier_gui::app::{Screen, VerifierApp};
use verifier_gui::settings::Settings;
use verifier_gui::views::sas::SasStatus;

const SCALE: f32 = 3.0;
const WINDOW: egui::Vec2 = egui::vec2(900.0, 720.0);

fn scaled_app(env: &Env) -> Harness<'static, VerifierApp> {
    app_at(env, SCALE)
}

fn app_at(env: &Env, scale: f32) -> Harness<'static, VerifierApp> {
    let settings = Settings {
        text_scale: scale,
        ..Settings::default()
    };
    let mut app = VerifierApp::new(env.config(), settings);
    app.sas.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let mut h = Harness::builder()
        .with_size(WINDOW / scale)
        .build_ui_state(|ui, app: &mut VerifierApp| app.show(ui), app);
    wait(&mut h, "the trust store to load", |h| {
        h.state().shared.store.snapshot().loaded
    });
    assert!(
        (h.ctx.pixels_per_point() - scale).abs() < 1e-3,
        "the text scale is applied"
    );
    h
}

fn wait(
    h: &mut Harness<'static, VerifierApp>,
    what: &str,
    mut done: impl FnMut(&Harness<'static, VerifierApp>) -> bool,
) {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every node of the screen lies within the window's width (in points); the screen's
/// content is taller than the window only inside a scroll area.
fn assert_fits(h: &Harness<'static, VerifierApp>, what: &str) {
    let ppp = f64::from(h.ctx.pixels_per_point());
    let width = f64::from(WINDOW.x) / ppp;
    let mut over = Vec::new();
    let mut nodes = 0;
    for n in h.root().children_recursive() {
        let a = n.accesskit_node();
        if a.role() == Role::TextRun {
            continue; // drawn inside its label, which is checked
        }
        let Some(b) = a.bounding_box() else { continue };
        nodes += 1;
        let (x0, x1) = (b.x0 / ppp, b.x1 / ppp);
        if x0 < -0.5 || x1 > width + 0.5 {
            let text = a.label().or_else(|| a.value().map(|v| v.to_string()));
            over.push(format!("{:?} {text:?} x {x0:.0}..{x1:.0}", a.role()));
        }
    }
    assert!(nodes > 10, "{what}: the screen has content");
    // The navigation (not scrolled) stays inside the window's height.
    let height = f64::from(WINDOW.y) / ppp;
    for screen in Screen::ALL {
        let entry = h
            .query_all_by_label_contains(screen.label())
            .map(|n| n.accesskit_node())
            .find(|n| n.role() == Role::Button)
            .and_then(|n| n.bounding_box())
            .unwrap_or_else(|| panic!("{what}: no navigation entry {}", screen.label()));
        assert!(
            entry.y1 / ppp <= height + 0.5,
            "{what}: the navigation entry {} is below the window ({:.0}..{:.0} of {height:.0})",
            screen.label(),
            entry.y0 / ppp,
            entry.y1 / ppp
        );
    }
    assert!(
        over.is_empty(),
        "{what}: {} nodes run past the window's {width} points:\n{}",
        over.len(),
        over.join("\n")
    );
}

fn show(h: &mut Harness<'static, VerifierApp>, screen: Screen) {
    h.state_mut().screen = screen;
    h.run_steps(4);
}

#[test]
fn at_the_largest_text_size_every_screen_fits_the_window() {
    let env = Env::new();
    let t = Timestamp::from_unix_secs(1_700_000_000);
    // Dave was verified, then his key changed: the red banner and alert are shown too.
    {
        let me = env.create_identity();
        let mut store = env.store();
        store
            .add_contact_with_key("Dave", None, &key(6), t)
            .unwrap();
        let e = support::qr_evidence(key(6), &me.public_key(), QrSource::Camera);
        env.verify("Dave", e, t);
        store.observe_key("Dave", &key(7), t).unwrap();
    }
    let mut h = scaled_app(&env);
    for screen in [
        Screen::MyCode,
        Screen::Contacts,
        Screen::Scan,
        Screen::Settings,
        Screen::Sas,
    ] {
        show(&mut h, screen);
        assert_fits(&h, screen.name());
    }

    // A contact's page.
    show(&mut h, Screen::Contacts);
    h.get_by_role_and_label(Role::Button, "Dave")
        .click_accesskit();
    h.run_steps(4);
    // The old and new fingerprints come from the fingerprint worker: the final layout.
    wait(&mut h, "the key-change fingerprints", |h| {
        h.query_all_by_label_contains("Computing the fingerprints")
            .next()
            .is_none()
    });
    h.run_steps(2);
    assert_fits(&h, "Dave's page");

    // Compare: all 12 groups and 18 words, fewer per row, every one still shown.
    h.state_mut().shared.compare_contact = Some("Dave".to_owned());
    show(&mut h, Screen::Compare);
    let me = env.identity().public_key();
    let number = SafetyNumber::new(&Party::new(&me), &Party::new(&key(7)));
    let groups = number.digit_groups();
    let words = number.bip39_words(Bip39Language::English);
    // The contact's side comes from the fingerprint worker; a grid may take a frame more
    // to lay out: wait until every unit is there, then check the layout.
    wait(&mut h, "the whole safety number", |h| {
        groups
            .iter()
            .map(String::as_str)
            .chain(words.iter().copied())
            .all(|u| h.query_all_by_label(u).next().is_some())
    });
    assert_fits(&h, "compare (read)");
    for u in groups
        .iter()
        .map(String::as_str)
        .chain(words.iter().copied())
    {
        assert!(h.query_all_by_label(u).next().is_some(), "{u} shown");
    }
    // Every group equally prominent: one height.
    let hs: Vec<f32> = groups
        .iter()
        .flat_map(|g| {
            h.query_all_by_label(g)
                .map(|n| n.rect().height())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(hs.windows(2).all(|w| (w[0] - w[1]).abs() < 0.5), "{hs:?}");

    // Compare-and-enter with a wrong word: the result fits too.
    h.get_by_label("Type what they read to you")
        .click_accesskit();
    h.run_steps(2);
    h.get_by_label("What they read to you").focus();
    h.run_steps(2);
    let wrong = if words[0] == "abandon" {
        "zoo"
    } else {
        "abandon"
    };
    h.get_by_label("What they read to you")
        .type_text(&[wrong; 18].join(" "));
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(4);
    h.get_by_label_contains("Word 1 of 18 is different");
    assert_fits(&h, "compare (type)");
}

#[test]
fn at_the_largest_text_size_a_live_session_fits_the_window() {
    let (host_env, joiner_env) = (Env::new(), Env::new());
    let mut host = scaled_app(&host_env);
    let mut joiner = scaled_app(&joiner_env);
    show(&mut host, Screen::Sas);
    show(&mut joiner, Screen::Sas);

    host.get_by_role_and_label(Role::Button, "Start a session")
        .click_accesskit();
    wait(&mut host, "the join code", |h| {
        h.state().sas.join_code_text().is_some()
    });
    host.run_steps(2);
    let code = host.state().sas.join_code_text().unwrap();
    host.get_by_label(&code);
    assert_fits(&host, "the host's join code");

    joiner.get_by_label("Join code").focus();
    joiner.run_steps(2);
    joiner.get_by_label("Join code").type_text(&code);
    joiner.run_steps(2);
    joiner.key_press(egui::Key::Enter);
    let end = Instant::now() + Duration::from_secs(20);
    let comparing = |h: &Harness<'static, VerifierApp>| {
        matches!(h.state().sas.phase(), Some(Phase::Compare { .. }))
    };
    while !(comparing(&host) && comparing(&joiner)) {
        assert!(
            Instant::now() < end,
            "timed out waiting for both to compare"
        );
        host.step();
        joiner.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    host.run_steps(2);
    let Some(Phase::Compare { sas, emoji, .. }) = host.state().sas.phase().cloned() else {
        unreachable!()
    };
    for w in sas.words(Bip39Language::English) {
        assert!(host.query_all_by_label(w).next().is_some(), "word {w}");
    }
    for e in &emoji {
        assert!(host.query_all_by_label(e.emoji()).next().is_some());
        assert!(host.query_all_by_label(e.description_en()).next().is_some());
    }
    assert_fits(&host, "the words, emoji and numbers to compare");
    // Both answers are still there, the same size.
    let yes = host
        .get_by_role_and_label(Role::Button, "They match")
        .rect();
    let no = host
        .get_by_role_and_label(Role::Button, "They don't match")
        .rect();
    assert_eq!(yes.size(), no.size());

    host.get_by_role_and_label(Role::Button, "They match")
        .click_accesskit();
    joiner
        .get_by_role_and_label(Role::Button, "They match")
        .click_accesskit();
    let end = Instant::now() + Duration::from_secs(20);
    let verified = |h: &Harness<'static, VerifierApp>| {
        matches!(h.state().sas.status(), SasStatus::Verified(_))
    };
    while !(verified(&host) && verified(&joiner)) {
        assert!(Instant::now() < end, "timed out waiting for both verified");
        host.step();
        joiner.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    host.run_steps(2);
    assert_fits(&host, "the verified result");
}

/// The controls a person operates.
fn interactive(role: Role) -> bool {
    matches!(
        role,
        Role::Button
            | Role::CheckBox
            | Role::RadioButton
            | Role::TextInput
            | Role::MultilineTextInput
            | Role::SearchInput
            | Role::Slider
            | Role::SpinButton
            | Role::Link
            | Role::ComboBox
            | Role::Tab
            | Role::MenuItem
    )
}

/// Every control of the screen can be scrolled (by accessibility or keyboard focus, as
/// egui does) until it lies wholly inside the window.
fn assert_reachable(h: &mut Harness<'static, VerifierApp>, what: &str) {
    let ppp = f64::from(h.ctx.pixels_per_point());
    let (width, height) = (f64::from(WINDOW.x) / ppp, f64::from(WINDOW.y) / ppp);
    let ids: Vec<_> = h
        .root()
        .children_recursive()
        .filter(|n| interactive(n.accesskit_node().role()))
        .map(|n| n.accesskit_node().id())
        .collect();
    assert!(!ids.is_empty(), "{what}: has controls");
    let mut unreachable = Vec::new();
    for id in ids {
        // (label, x0, x1, y0, y1) in points, when the control is still there.
        let find = |h: &Harness<'static, VerifierApp>| {
            h.root()
                .children_recursive()
                .find(|n| n.accesskit_node().id() == id)
                .and_then(|n| {
                    let a = n.accesskit_node();
                    let b = a.bounding_box()?;
                    Some((a.label(), b.x0 / ppp, b.x1 / ppp, b.y0 / ppp, b.y1 / ppp))
                })
        };
        if let Some(n) = h
            .root()
            .children_recursive()
            .find(|n| n.accesskit_node().id() == id)
        {
            n.scroll_to_me();
        } else {
            continue;
        }
        h.run_steps(3);
        let Some((label, x0, x1, y0, y1)) = find(h) else {
            continue;
        };
        if x0 < -0.5 || x1 > width + 0.5 || y0 < -0.5 || y1 > height + 0.5 {
            unreachable.push(format!(
                "{label:?} at x {x0:.0}..{x1:.0}, y {y0:.0}..{y1:.0}"
            ));
        }
    }
    assert!(
        unreachable.is_empty(),
        "{what}: controls that cannot be brought into the {width:.0}×{height:.0} window:\n{}",
        unreachable.join("\n")
    );
}

/// At 1.0, 2.0 and 3.0 in the 900×720 window: on every screen and page nothing runs past
/// the right edge, and every control can be scrolled into view.
#[test]
fn at_every_text_size_every_screen_fits_and_every_control_is_reachable() {
    for scale in [1.0, 2.0, 3.0] {
        let env = Env::new();
        support::seed_contacts(&env);
        let mut h = app_at(&env, scale);
        support::visit_every_screen(&mut h, |h, screen| {
            let what = format!("{screen} at {scale}×");
            h.run_steps(2);
            assert_fits(h, &what);
            assert_reachable(h, &what);
        });
    }
}
