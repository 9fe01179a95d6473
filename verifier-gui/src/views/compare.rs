//! Compare codes: the pairwise safety number with a contact, read over a call
//! or side by side, or typed back ("type what they read to you") and checked
//! by the app.
//!
//! A contact whose key changed since the person verified it is compared in
//! the key-change flow ([`crate::views::key_change`]): the old and the new key
//! side by side, and after "They match" the person confirms that they checked
//! the new key with the contact; it is recorded with
//! `Intent::ConfirmKeyChange`. Whether the contact can be verified at all (a
//! key change, a tampered entry) is the trust engine's answer
//! ([`verifier_core::trust::preview`]), not the screen's.
//!
//! The whole code is always shown — 12 groups of 5 digits and 18 words, every
//! unit the same size — never a shortened form. "They match" / "They don't
//! match" have equal weight and neither is focused or styled as the default.
//! The contact's side fingerprint (a stretched hash) is computed by the
//! fingerprint worker ([`crate::workers::fingerprint`]), never on the UI thread.

pub mod enter;

use verifier_core::key::PublicKey;

use verifier_core::render::Bip39Language;
use verifier_core::safety_number::{Comparison, Party, SafetyNumber, SideFingerprint};
use verifier_core::trust::{self, Evidence, Intent, Refusal};
use verifier_store::TrustStatus;

use crate::identity::IdentityState;
use crate::screen::Screen;
use crate::shared::Shared;
use crate::views::alert_frame;
use crate::views::contacts::{ok_color, status_text};
use crate::views::key_change::{self, KeyChangeView};
use crate::views::record::{self, FailureSlot, NewContact};
use crate::workers::fingerprint::FingerprintWorker;

/// Shown instead of the person's own code while they type back what they hear.
pub const HIDDEN_CODE: &str = "Your code is hidden while you type what they read to you. It appears when you press Check, so that you check what you hear, not what you see.";

/// Job tag of recording a verification from this screen.
pub const VERIFY_TAG: &str = "compare-verify";

/// How the user compares (defined with the requests other screens leave, so
/// "Verify Bob → type back the words" can open this screen in that mode).
pub use crate::shared::CompareMode as Mode;

/// What the user answered.
#[derive(Clone, Debug, PartialEq, Eq)]
// Short-lived; boxing the keys would only complicate matching.
#[allow(clippy::large_enum_variant)]
enum Decision {
    /// Recording "verified" (the job's result tells how it went).
    Match,
    /// The codes differ: nothing recorded.
    NoMatch,
    /// The codes match and the contact's key changed: the key-change flow
    /// asks the person to confirm the new key (nothing recorded yet).
    KeyChange {
        /// What the comparison proved.
        evidence: Evidence,
        /// The previously verified key shown.
        old: PublicKey,
        /// The new key shown (compared).
        new: PublicKey,
    },
    /// "Not now" in the key-change flow: nothing recorded.
    NotNow,
}

/// Transient state of the screen.
#[derive(Default)]
pub struct CompareState {
    /// The contact compared with (by name), unless a key is pasted.
    pub contact: Option<String>,
    /// Compare with a pasted key instead of a contact.
    pub use_pasted: bool,
    /// The pasted key.
    pub pasted_key: String,
    /// The name to save a pasted key under.
    pub pasted_name: String,
    /// How the user compares.
    pub mode: Mode,
    /// What the user typed (compare-and-enter).
    pub typed: String,
    /// The typed text as it was when "Check" was pressed.
    checked: Option<String>,
    decision: Option<Decision>,
    /// Why "They match" could not be recorded (before submitting).
    record_error: Option<String>,
    /// The key the screen was last drawn for (a change resets the answers).
    shown_key: Option<PublicKey>,
    fingerprint: Option<(PublicKey, SideFingerprint)>,
    /// The key whose fingerprint was asked for and is not in yet.
    computing: Option<PublicKey>,
    /// Computes side fingerprints off the UI thread (started on first use).
    worker: Option<FingerprintWorker>,
    /// The key-change panel (fingerprints of the pair shown).
    key_change: KeyChangeView,
}

impl CompareState {
    fn reset_answers(&mut self) {
        self.typed.clear();
        self.checked = None;
        self.decision = None;
        self.record_error = None;
    }

    /// The contact's side fingerprint, once computed (asks the fingerprint
    /// worker for it, started on first use).
    fn side_of(&mut self, key: &PublicKey, ctx: &egui::Context) -> Option<SideFingerprint> {
        if let Some((k, fp)) = &self.fingerprint
            && k == key
        {
            return Some(*fp);
        }
        let worker = self
            .worker
            .get_or_insert_with(|| FingerprintWorker::start(ctx));
        if self.computing != Some(*key) {
            worker.request(vec![*key]);
            self.computing = Some(*key);
        }
        for done in worker.poll() {
            // An answer for a key no longer shown is dropped.
            if let ([k], [fp]) = (done.keys.as_slice(), done.fingerprints.as_slice())
                && k == key
            {
                self.fingerprint = Some((*key, *fp));
                self.computing = None;
            }
        }
        self.fingerprint.filter(|(k, _)| k == key).map(|(_, fp)| fp)
    }
}

/// Who is being compared with, for this frame.
struct Target {
    /// Contact name (for a pasted key: the name typed, possibly empty).
    name: String,
    key: PublicKey,
    /// The contact's status, if the name is a contact's.
    status: Option<TrustStatus>,
    /// The contact's current key, if the name is a contact's.
    stored: Option<PublicKey>,
    pasted: bool,
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut CompareState) {
    if let Some(name) = shared.compare_contact.take() {
        state.contact = Some(name);
        state.use_pasted = false;
        state.reset_answers();
    }
    if let Some(mode) = shared.requests.compare_mode.take() {
        state.mode = mode;
        state.reset_answers();
    }
    ui.heading("Compare codes");
    ui.label("Compare this safety number with your contact, side by side or over a call where you recognise their voice. Both of you see the same code. In person, scanning each other's QR code is faster and safer.");
    ui.add_space(8.0);

    let me = match &shared.identity {
        IdentityState::Ready(me) => me,
        IdentityState::Failed { message, .. } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Your identity cannot be used ({message}); see \"My code\"."),
            );
            return;
        }
    };
    let my_side = me.fingerprint;
    let my_key = me.public;
    let identity = me.identity.clone();

    let Some(target) = pick_target(ui, shared, state, &my_key) else {
        state.shown_key = None;
        return;
    };
    if state.shown_key != Some(target.key) {
        state.shown_key = Some(target.key);
        state.reset_answers();
    }

    // What verifying this contact with this key would meet is the engine's answer.
    let engine = match &target.status {
        Some(st) => trust::preview(st, target.stored.as_ref(), &target.key),
        None => Ok(()),
    };
    let mut key_change_pair = None;
    match &engine {
        Err(Refusal::KeyChangedNeedsConfirmation { old, new }) => {
            key_change_pair = Some((*old, *new));
            let checked = format!(
                "The safety number below is made with their new key: compare all of it with {}.",
                target.name
            );
            key_change::panel(
                ui,
                &mut state.key_change,
                &target.name,
                old,
                new,
                &checked,
                false,
            );
        }
        Err(Refusal::Tampered { .. }) => {
            let red = ui.visuals().error_fg_color;
            ui.label(
                egui::RichText::new(format!(
                    "⚠ {}'s entry was changed outside the app",
                    target.name
                ))
                .strong()
                .color(red),
            );
            ui.colored_label(red, record::TAMPERED_ADVICE);
            return;
        }
        Err(other) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("⚠ {}", record::refusal_text(&target.name, other)),
            );
        }
        Ok(()) => {
            if let Some(s @ TrustStatus::Verified { .. }) = &target.status {
                ui.label(format!("{}: {}", target.name, status_text(s)));
            }
        }
    }

    let Some(their_side) = state.side_of(&target.key, ui.ctx()) else {
        ui.label("Computing the safety number…");
        return;
    };
    let number = SafetyNumber::from_sides(my_side, their_side);

    ui.add_space(8.0);
    ui.horizontal_wrapped(|ui| {
        ui.label("How are you comparing?");
        let before = state.mode;
        ui.radio_value(&mut state.mode, Mode::Read, "Read and compare");
        ui.radio_value(&mut state.mode, Mode::Type, "Type what they read to you");
        if state.mode != before {
            state.reset_answers();
        }
    });

    let lang: Bip39Language = shared.settings.word_lang.parse().unwrap_or_default();
    // Typing back: the answer field comes before the code, so it stays in place
    // when the code below it hides (while typing) or appears (once checked).
    let typed_back = (state.mode == Mode::Type).then(|| {
        ui.add_space(6.0);
        type_mode(ui, state, &target, lang, &number)
    });
    // The answer is in once the text typed is the text checked.
    let answered = state.mode == Mode::Type
        && state
            .checked
            .as_ref()
            .is_some_and(|t| *t == state.typed && !t.trim().is_empty());
    let highlight = match (state.mode, &state.checked) {
        (Mode::Type, Some(t)) if answered => enter::check(t, lang, &number).err(),
        _ => None,
    };
    // In "type what they read" mode the person's own code stays hidden until the
    // answer is in: they check what they hear, not what they see, and there is
    // nothing on screen to copy into the answer. The code is never selectable.
    let hidden = state.mode == Mode::Type && !answered;

    ui.add_space(8.0);
    ui.label(egui::RichText::new("Safety number").strong().size(18.0));
    if hidden {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(HIDDEN_CODE).strong());
        });
    } else {
        ui.label("Compare every group — not just the first or the last ones.");
        ui.add_space(4.0);
        ui.label("Digits (12 groups of 5)");
        let digit_hl = highlight
            .as_ref()
            .filter(|w| w.kind == enter::Kind::Digits)
            .map(|w| w.position);
        unit_grid(
            ui,
            "compare_digits",
            &number.digit_groups(),
            4,
            digit_hl,
            true,
        );
    }

    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label(if hidden { "Words" } else { "Words (18)" });
        egui::ComboBox::from_label("Word language")
            .selected_text(lang.name())
            .show_ui(ui, |ui| {
                for l in Bip39Language::ALL {
                    if ui.selectable_label(l == lang, l.name()).clicked() {
                        shared.settings.word_lang = l.code().to_owned();
                    }
                }
            });
    });
    let lang: Bip39Language = shared.settings.word_lang.parse().unwrap_or_default();
    ui.label("Both of you must pick the same language: the same code gives different words in different languages.");
    if !hidden {
        let words: Vec<String> = number
            .bip39_words(lang)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let word_hl = highlight
            .as_ref()
            .filter(|w| w.kind == enter::Kind::Words)
            .map(|w| w.position);
        unit_grid(ui, "compare_words", &words, 6, word_hl, false);
    }
    ui.add_space(12.0);

    let job = match typed_back {
        Some(job) => job,
        None => read_mode(ui, state, &target),
    };
    if job {
        record(
            shared,
            state,
            &target,
            identity.clone(),
            lang,
            key_change_pair,
        );
    }
    outcome(ui, shared, state, &target, identity);
}

/// The contact picker (or pasted key). `None` when nothing to compare yet.
fn pick_target(
    ui: &mut egui::Ui,
    shared: &Shared,
    state: &mut CompareState,
    my_key: &PublicKey,
) -> Option<Target> {
    let contacts: Vec<_> = shared
        .store
        .snapshot()
        .contacts
        .iter()
        .filter(|c| c.current_key.is_some())
        .cloned()
        .collect();
    let selected_text = if state.use_pasted {
        "A pasted key".to_owned()
    } else {
        state
            .contact
            .clone()
            .unwrap_or_else(|| "Choose a contact".to_owned())
    };
    egui::ComboBox::from_label("Contact")
        .selected_text(selected_text)
        .show_ui(ui, |ui| {
            for c in &contacts {
                let sel = !state.use_pasted && state.contact.as_deref() == Some(c.name.as_str());
                if ui.selectable_label(sel, &c.name).clicked() {
                    state.contact = Some(c.name.clone());
                    state.use_pasted = false;
                }
            }
            if ui
                .selectable_label(state.use_pasted, "Paste a key instead")
                .clicked()
            {
                state.use_pasted = true;
            }
        });

    if state.use_pasted {
        let mut parsed = None;
        egui::Grid::new("compare_paste")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let l = ui.label("Their key");
                ui.add(
                    egui::TextEdit::singleline(&mut state.pasted_key)
                        .hint_text("vk1-…, an OpenSSH line, 64 hex digits or base64")
                        .desired_width(520.0),
                )
                .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Save as");
                ui.add(
                    egui::TextEdit::singleline(&mut state.pasted_name)
                        .hint_text("Their name (needed to record a match)")
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
                ui.end_row();
            });
        let text = state.pasted_key.trim();
        if text.is_empty() {
            ui.label("Paste their key to see your safety number with it.");
        } else {
            match PublicKey::parse(text) {
                Ok(k) if k == *my_key => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        "That is your own key; paste your contact's key.",
                    );
                }
                Ok(k) => parsed = Some(k),
                Err(e) => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("That is not a valid key: {e}."),
                    );
                }
            }
        }
        let key = parsed?;
        let name = state.pasted_name.trim().to_owned();
        // A name that is already a contact's: the engine answers for that contact.
        let known = shared.store.snapshot().contact(&name).cloned();
        return Some(Target {
            name,
            key,
            status: known.as_ref().map(|c| c.status.clone()),
            stored: known.and_then(|c| c.current_key),
            pasted: true,
        });
    }

    let Some(name) = state.contact.clone() else {
        if contacts.is_empty() {
            ui.label("No contact with a key yet: add one on the Contacts screen, or paste a key.");
        }
        return None;
    };
    let Some(c) = contacts.iter().find(|c| c.name == name) else {
        if shared.store.snapshot().loaded {
            ui.label(format!("{name} has no key in the trust store."));
        } else {
            ui.label("Loading the trust store…");
        }
        return None;
    };
    let key = c.current_key?;
    Some(Target {
        name,
        key,
        status: Some(c.status.clone()),
        stored: Some(key),
        pasted: false,
    })
}

/// A grid of equally sized units, each row preceded by the 1-based positions
/// of its units; the unit at `highlight` is marked (first wrong one).
fn unit_grid(
    ui: &mut egui::Ui,
    id: &str,
    units: &[String],
    columns: usize,
    highlight: Option<usize>,
    monospace: bool,
) {
    let red = ui.visuals().error_fg_color;
    let weak = ui.visuals().weak_text_color();
    // Fewer columns when the text is large (rows stay full: 12 = 4×3 = 3×4 = 2×6…).
    let family = if monospace {
        egui::FontFamily::Monospace
    } else {
        egui::FontFamily::Proportional
    };
    let columns = super::fit::columns(ui, units, &egui::FontId::new(24.0, family), 22.0, columns);
    egui::Grid::new(id)
        .num_columns(columns)
        .spacing([22.0, 2.0])
        .show(ui, |ui| {
            for (row, chunk) in units.chunks(columns.max(1)).enumerate() {
                let first = row * columns.max(1);
                for i in 0..chunk.len() {
                    let n = first + i + 1;
                    let text = egui::RichText::new(format!("{n}")).small();
                    ui.label(if highlight == Some(n - 1) {
                        text.color(red).strong()
                    } else {
                        text.color(weak)
                    });
                }
                ui.end_row();
                for (i, u) in chunk.iter().enumerate() {
                    let mut t = egui::RichText::new(u).size(24.0);
                    if monospace {
                        t = t.monospace();
                    }
                    if highlight == Some(first + i) {
                        t = t
                            .underline()
                            .color(red)
                            .background_color(crate::theme::tint(ui.visuals(), red));
                    }
                    // Not selectable: nothing of the code can be copied (into the answer).
                    ui.add(egui::Label::new(t).selectable(false));
                }
                ui.end_row();
            }
        });
}

/// "They match" / "They don't match". True when "They match" was pressed.
fn read_mode(ui: &mut egui::Ui, state: &mut CompareState, target: &Target) -> bool {
    ui.label("Read the whole code to each other (or compare it side by side): all 12 groups, or all 18 words. Then answer honestly — if anything differs, it does not match.");
    if state.decision.is_some() {
        return false;
    }
    let mut matched = false;
    ui.label(
        egui::RichText::new(format!(
            "Does {} see exactly the same code?",
            display_name(target)
        ))
        .strong(),
    );
    ui.horizontal_wrapped(|ui| {
        // Equal weight: same size, same (non-primary) style, nothing focused.
        let size = [220.0, 44.0];
        if ui
            .add_sized(
                size,
                egui::Button::new(egui::RichText::new("They match").size(18.0)),
            )
            .clicked()
        {
            matched = true;
        }
        if ui
            .add_sized(
                size,
                egui::Button::new(egui::RichText::new("They don't match").size(18.0)),
            )
            .clicked()
        {
            state.decision = Some(Decision::NoMatch);
        }
    });
    matched
}

/// Compare-and-enter. True when "Mark verified" was pressed after a full match.
fn type_mode(
    ui: &mut egui::Ui,
    state: &mut CompareState,
    target: &Target,
    lang: Bip39Language,
    number: &SafetyNumber,
) -> bool {
    ui.label(format!(
        "Ask {} to read their code to you — words or digits — and type it here. Prefixes are enough for words (the app completes them). The app checks every word and shows the first one that differs.",
        display_name(target)
    ));
    let mut check = false;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("What they read to you");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut state.typed)
                    // A fixed id: focus stays in the field when the code above it
                    // hides (editing the answer) or appears (checked).
                    .id_salt("compare-typed-back")
                    .hint_text("Their words or digits, in order")
                    .desired_width(560.0),
            )
            .labelled_by(l.id);
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            check = true;
        }
        if ui.button("Check").clicked() {
            check = true;
        }
    });
    if check {
        state.checked = Some(state.typed.clone());
        state.decision = None;
    }

    if enter::kind_of(&state.typed) == Some(enter::Kind::Words) {
        let comps = enter::completions(&state.typed, lang);
        ui.horizontal_wrapped(|ui| {
            for (i, (typed, c)) in comps.iter().enumerate() {
                let text = match c {
                    enter::Completion::Word(w) => format!("{}. {w}", i + 1),
                    enter::Completion::Ambiguous(n) => {
                        format!("{}. {typed}… ({n} words: type more)", i + 1)
                    }
                    enter::Completion::Unknown => format!("{}. {typed}?", i + 1),
                };
                let rt = egui::RichText::new(text);
                ui.label(if matches!(c, enter::Completion::Word(_)) {
                    rt
                } else {
                    rt.color(ui.visuals().warn_fg_color)
                });
            }
        });
    }

    let Some(checked) = state.checked.clone().filter(|c| *c == state.typed) else {
        return false;
    };
    if checked.trim().is_empty() {
        ui.label("Type what they read to you first.");
        return false;
    }
    match enter::check(&checked, lang, number) {
        Ok(kind) => {
            let what = match kind {
                enter::Kind::Words => "All 18 words match your screen.",
                enter::Kind::Digits => "All 12 groups match your screen.",
            };
            ui.colored_label(
                ok_color(ui),
                egui::RichText::new(format!("✔ {what}")).strong(),
            );
            if state.decision.is_none() {
                return ui.button("Mark verified").clicked();
            }
        }
        Err(w) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                egui::RichText::new(format!("⚠ {}", w.message)).strong(),
            );
            ui.label("If they misread or you mistyped, correct it and check again. If it really differs, the codes do not match: someone may be intercepting, so do not mark them verified.");
            if w.kind == enter::Kind::Words {
                ui.label("Check that both of you picked the same word language.");
            }
        }
    }
    false
}

fn display_name(t: &Target) -> &str {
    if t.name.is_empty() {
        "your contact"
    } else {
        &t.name
    }
}

/// Queues "verified by safety number" for the target; for a contact whose key
/// changed (`key_change`: the old and new key shown), asks first.
fn record(
    shared: &mut Shared,
    state: &mut CompareState,
    target: &Target,
    identity: std::sync::Arc<verifier_core::identity::Identity>,
    lang: Bip39Language,
    key_change: Option<(PublicKey, PublicKey)>,
) {
    state.record_error = None;
    if target.name.is_empty() {
        state.record_error =
            Some("Type a name in \"Save as\" so the verification can be recorded.".to_owned());
        return;
    }
    let IdentityState::Ready(me) = &shared.identity else {
        state.record_error =
            Some("Your identity cannot be used, so nothing can be recorded.".to_owned());
        return;
    };
    let key = target.key;
    let comparison = Comparison::new(&Party::new(&me.public), &Party::new(&key));
    // The evidence says what the person did: typed back what the other read out
    // (checked by the core), or read and compared.
    let evidence = match (state.mode, state.checked.as_deref()) {
        (Mode::Type, Some(typed)) => {
            let checked = match enter::kind_of(typed) {
                Some(enter::Kind::Digits) => comparison.check_typed_back_digits(typed),
                _ => comparison.check_typed_back_words(typed, lang),
            };
            match checked {
                Ok(e) => e,
                Err(e) => {
                    state.record_error = Some(format!("What you typed does not match: {e}."));
                    return;
                }
            }
        }
        _ => comparison.confirm_compared(),
    };
    match key_change {
        Some((old, new)) => state.decision = Some(Decision::KeyChange { evidence, old, new }),
        None => submit(shared, state, target, identity, evidence, Intent::Verify),
    }
}

/// Submits the recording job.
fn submit(
    shared: &mut Shared,
    state: &mut CompareState,
    target: &Target,
    identity: std::sync::Arc<verifier_core::identity::Identity>,
    evidence: Evidence,
    intent: Intent,
) {
    let IdentityState::Ready(me) = &shared.identity else {
        state.record_error =
            Some("Your identity cannot be used, so nothing can be recorded.".to_owned());
        return;
    };
    let own = me.own.clone();
    let name = target.name.clone();
    let create = target.pasted.then(NewContact::default);
    state.decision = Some(Decision::Match);
    shared.store.submit(VERIFY_TAG, move |store| {
        record::record(
            store,
            &name,
            evidence,
            intent,
            create.as_ref(),
            &identity,
            &own,
            &FailureSlot::new(),
        )
        .map(|m| format!("✔ {m}"))
    });
}

/// What happened after the answer.
fn outcome(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut CompareState,
    target: &Target,
    identity: std::sync::Arc<verifier_core::identity::Identity>,
) {
    if let Some(e) = &state.record_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    match state.decision.clone() {
        None => {}
        Some(Decision::KeyChange { evidence, old, new }) => {
            let name = display_name(target).to_owned();
            ui.label(
                egui::RichText::new(format!(
                    "The codes match: this is the safety number of {name}'s new key. Did {name} confirm the new key?"
                ))
                .strong(),
            );
            match key_change::buttons(ui, &name) {
                Some(key_change::Answer::Confirm) => {
                    let intent = Intent::ConfirmKeyChange { old, new };
                    submit(shared, state, target, identity, evidence, intent);
                }
                Some(key_change::Answer::NotNow) => state.decision = Some(Decision::NotNow),
                None => {}
            }
        }
        Some(Decision::NotNow) => {
            ui.label(key_change::not_now_text(display_name(target)));
        }
        Some(Decision::Match) => match shared.store.result(VERIFY_TAG) {
            None => {
                ui.label("Recording the verification…");
            }
            Some(Ok(m)) => {
                ui.colored_label(ok_color(ui), egui::RichText::new(m).strong().size(18.0));
                if ui.button("Back to contacts").clicked() {
                    shared.go_to = Some(Screen::Contacts);
                }
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        },
        Some(Decision::NoMatch) => {
            let red = ui.visuals().error_fg_color;
            alert_frame(ui, red, |ui| {
                ui.label(
                    egui::RichText::new("The codes do not match — nothing was recorded")
                        .strong()
                        .color(red),
                );
                ui.label(format!(
                    "You and {} are not seeing the same keys. Someone may be intercepting your conversation and posing as each of you (a man-in-the-middle), or one of you uses a different key than the other expects.",
                    display_name(target)
                ));
                ui.label("Do not trust messages from this key. First check that you compared the same thing (same language, every group); then, if possible, meet and scan each other's QR code.");
            });
        }
    }
    if state.decision.is_some() && ui.button("Compare again").clicked() {
        state.reset_answers();
    }
}
