//! Live session: verify someone who is online at the same time by comparing a short code
//! (SAS protocol, `docs/sas-protocol.md`). One person starts a session and gives the join
//! code to the other, who types or pastes it; both apps then show the same words, emoji and
//! numbers if nobody is in between. Each person answers "They match" or "They don't match"
//! (equal weight, no default); both see the result, and a verified key is recorded in the
//! trust store under the contact name the person gives (before or after the session). A key
//! never picks a contact by itself: when the peer's key is a contact's, the app says so and
//! offers a button that names them. If that contact's key changed since it was verified, the
//! trust engine refuses a plain verification and the screen shows the key-change flow
//! ([`crate::views::key_change`]) with the session's evidence.
//!
//! The network runs on [`crate::workers::sas`]; this screen only draws and forwards answers.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use verifier_core::identity::Identity;
use verifier_core::key::PublicKey;
use verifier_core::qr::{Payload, SessionCode};

use verifier_core::render::Bip39Language;
use verifier_core::sas::{CancelReason, Decision, JoinCode, Phase, SasConfig};
use verifier_core::trust::{Evidence, Intent, Refusal};

use crate::identity::IdentityState;
use crate::qr_texture::QrImage;
use crate::shared::Shared;
use crate::views::key_change::{self, KeyChangeView};
use crate::views::record::{self, Failure, FailureSlot, LookalikeAnswer, NewContact};
use crate::workers::sas::{SasEvent, SasRole, SasWorker};

/// Transient state of the screen.
pub struct SasState {
    /// Where a host listens (unspecified = the LAN interface, a free port, by default;
    /// tests use loopback).
    pub bind: SocketAddr,
    /// How long each wait may last (for the peer, or for a person's answer).
    pub timeout: Duration,
    /// The contact name, typed before the session or after it (or found for the peer's
    /// key). It belongs to one session: "Start again" and "Back" clear it.
    pub name: String,
    /// The join code as typed.
    pub code_input: String,
    /// Why the typed join code cannot be used.
    pub code_error: Option<String>,
    run: Option<Run>,
    /// Numbers the store jobs that record a result; never reset, so that a new run never
    /// picks up the result of an earlier run's job.
    record_seq: u64,
}

impl Default for SasState {
    fn default() -> Self {
        SasState {
            bind: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
            timeout: Duration::from_millis(SasConfig::default().timeout_ms()),
            name: String::new(),
            code_input: String::new(),
            code_error: None,
            run: None,
            record_seq: 0,
        }
    }
}

/// One run as the screen knows it.
struct Run {
    worker: SasWorker,
    join_code: Option<JoinCode>,
    local_only: bool,
    connecting: Option<SocketAddr>,
    connected: bool,
    phase: Option<Phase>,
    /// The verified run's evidence for the trust engine.
    evidence: Option<Evidence>,
    failed: Option<String>,
    /// What was kept away from the session (strangers' connections, forged messages).
    ignored: Vec<String>,
    record: Record,
    copied: bool,
    /// The join code as a QR code ("session" payload), rendered once.
    qr: Option<Result<QrImage, String>>,
    /// The result (or failure) was drawn on this screen.
    result_seen: bool,
    /// The key-change panel (fingerprints of the pair shown).
    key_change: KeyChangeView,
}

/// Recording a verified key in the trust store.
#[derive(Clone, Debug, PartialEq, Eq)]
// Short-lived; boxing the keys would only complicate matching.
#[allow(clippy::large_enum_variant)]
enum Record {
    /// Not verified (yet).
    NotApplicable,
    /// Verified, but no name is known: ask for one.
    AskName,
    /// Submitted to the store worker (for the contact `name`).
    Saving {
        tag: String,
        name: String,
        failure: FailureSlot,
    },
    /// The engine refused a plain verification: the contact's key changed. The key-change
    /// flow asks the person to confirm the new key.
    KeyChange {
        name: String,
        old: PublicKey,
        new: PublicKey,
    },
    /// The name looks like an existing contact's: is it a different person?
    Lookalike {
        /// The name as typed.
        name: String,
        /// The name as the store would keep it.
        shown: String,
        existing: String,
    },
    /// "Not now" in the key-change flow: nothing recorded.
    NotNow { name: String },
    /// The store's answer.
    Done(Result<String, String>),
}

/// What the screen shows, coarsely (for tests and for the navigation).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SasStatus {
    /// No run: the start screen.
    Idle,
    /// A run is in progress (listening, connecting, comparing, waiting).
    Running,
    /// Verified the peer's key.
    Verified(PublicKey),
    /// Ended without verification.
    Cancelled(CancelReason),
    /// Could not start or connect.
    Failed(String),
}

impl SasState {
    /// The join code this app shows as host, in its typed form.
    pub fn join_code_text(&self) -> Option<String> {
        self.run
            .as_ref()
            .and_then(|r| r.join_code.as_ref())
            .map(|c| c.to_text())
    }

    /// The protocol phase of the current run, if it started.
    pub fn phase(&self) -> Option<&Phase> {
        self.run.as_ref().and_then(|r| r.phase.as_ref())
    }

    /// Where the run stands.
    pub fn status(&self) -> SasStatus {
        let Some(run) = &self.run else {
            return SasStatus::Idle;
        };
        if let Some(f) = &run.failed {
            return SasStatus::Failed(f.clone());
        }
        match &run.phase {
            Some(Phase::Verified { peer }) => SasStatus::Verified(*peer),
            Some(Phase::Cancelled { reason }) => SasStatus::Cancelled(*reason),
            _ => SasStatus::Running,
        }
    }

    /// True when the worker thread of the last run has ended (its socket is closed).
    pub fn worker_finished(&self) -> bool {
        self.run.as_ref().is_none_or(|r| r.worker.is_finished())
    }

    /// What the navigation shows next to "Live session" while the person is elsewhere:
    /// a run in progress, one waiting for the person's answer (compare the code, or name
    /// the verified contact), or a result not yet seen. `None` when there is nothing to say.
    pub fn nav_marker(&self) -> Option<NavMarker> {
        let run = self.run.as_ref()?;
        if run.failed.is_some() {
            return (!run.result_seen).then_some(NavMarker::ResultReady);
        }
        match &run.phase {
            Some(Phase::Compare { .. }) => Some(NavMarker::NeedsAnswer),
            Some(Phase::Verified { .. }) => match run.record {
                Record::AskName
                | Record::Done(Err(_))
                | Record::KeyChange { .. }
                | Record::Lookalike { .. } => Some(NavMarker::NeedsAnswer),
                _ => (!run.result_seen).then_some(NavMarker::ResultReady),
            },
            Some(Phase::Cancelled { .. }) => (!run.result_seen).then_some(NavMarker::ResultReady),
            _ => Some(NavMarker::InProgress),
        }
    }

    /// Takes the worker's news and the store's answers. The app calls this every frame,
    /// whatever screen is shown: a run goes on while the person looks at another screen
    /// (timeouts, the peer's answers and recording a verified key all still happen).
    /// `on_screen`: the Live session screen is shown this frame (its result is then seen).
    pub fn update(&mut self, shared: &mut Shared, on_screen: bool) {
        let identity = match &shared.identity {
            IdentityState::Ready(me) => Some(Arc::clone(&me.identity)),
            IdentityState::Failed { .. } => None,
        };
        let Some(run) = &mut self.run else { return };
        for event in run.worker.poll() {
            // The session's evidence comes right after its "verified" phase: it belongs to
            // that result (and to nothing else: not to a run cancelled here meanwhile).
            if let SasEvent::Evidence(e) = &event {
                if matches!(run.phase, Some(Phase::Verified { .. })) && run.failed.is_none() {
                    run.evidence = Some((**e).clone());
                }
                continue;
            }
            if !run.in_progress() {
                continue; // cancelled here; late news of the worker changes nothing
            }
            match event {
                SasEvent::Listening { code, local_only } => {
                    run.join_code = Some(code);
                    run.local_only = local_only;
                }
                SasEvent::Connecting { addr } => run.connecting = Some(addr),
                SasEvent::Connected { .. } => run.connected = true,
                SasEvent::Phase(phase) => run.phase = Some(phase),
                SasEvent::Evidence(_) => {}
                SasEvent::Failed(message) => run.failed = Some(message),
                SasEvent::Ignored(what) => run.ignored.push(what),
            }
        }
        if let (Some(Phase::Verified { .. }), Some(evidence)) = (&run.phase, &run.evidence)
            && run.record == Record::NotApplicable
            && let Some(identity) = identity
        {
            // The contact is the one the person named (before the session or now);
            // a key alone never picks a contact.
            let name = self.name.trim().to_owned();
            if name.is_empty() {
                run.record = Record::AskName;
            } else {
                self.record_seq += 1;
                run.record = submit_record(
                    shared,
                    self.record_seq,
                    name,
                    evidence.clone(),
                    &identity,
                    Intent::Verify,
                    NewContact::default(),
                );
            }
        }
        if let Record::Saving { tag, name, failure } = &run.record
            && let Some(result) = shared.store.result(tag)
        {
            // The engine's reason, read structurally: a key change opens the key-change
            // flow with this session's evidence; a lookalike name asks the person.
            run.record = match (result, failure.get()) {
                (
                    Err(_),
                    Some(Failure::Refused(Refusal::KeyChangedNeedsConfirmation { old, new })),
                ) => Record::KeyChange {
                    name: name.clone(),
                    old,
                    new,
                },
                (
                    Err(_),
                    Some(Failure::Lookalike {
                        name: shown,
                        existing,
                    }),
                ) => Record::Lookalike {
                    name: name.clone(),
                    shown,
                    existing,
                },
                (result, _) => Record::Done(result.clone()),
            };
        }
        if on_screen && !run.in_progress() {
            run.result_seen = true;
        }
    }

    /// Leaves a finished, cancelled or failed run for the start screen ("Start again",
    /// "Back"). Everything of that run is forgotten, above all the contact name: the next
    /// session is with whoever joins it, and must not be recorded under the previous
    /// person's name unless the person types it again. The worker is dropped (which
    /// cancels it if it still runs).
    pub fn start_again(&mut self) {
        self.run = None;
        self.name.clear();
        self.code_input.clear();
        self.code_error = None;
    }

    /// Called when the app closes: a run in progress is cancelled (the peer is told, the
    /// connection closed). Waits at most `grace` for the worker to send the cancel.
    pub fn close(&mut self, grace: Duration) {
        let Some(run) = &mut self.run else { return };
        if run.in_progress() {
            run.cancel_now();
        }
        let end = std::time::Instant::now() + grace;
        while !run.worker.is_finished() && std::time::Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The state of a live session, as the navigation shows it (see [`SasState::nav_marker`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NavMarker {
    /// Listening, connecting, or waiting for the other person.
    InProgress,
    /// The person must answer: compare the code, or name the verified contact.
    NeedsAnswer,
    /// The run ended while the person was on another screen.
    ResultReady,
}

impl NavMarker {
    /// The words shown after "Live session" (and read by screen readers).
    pub fn text(self) -> &'static str {
        match self {
            NavMarker::InProgress => "in progress",
            NavMarker::NeedsAnswer => "needs your answer",
            NavMarker::ResultReady => "result ready",
        }
    }
}

impl Run {
    fn start(
        ctx: &egui::Context,
        identity: Arc<Identity>,
        role: SasRole,
        timeout: Duration,
        words: Bip39Language,
    ) -> Self {
        let config = SasConfig::default()
            .with_timeout_ms(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX))
            .with_words(words);
        Run {
            worker: SasWorker::start(ctx, identity, role, config),
            join_code: None,
            local_only: false,
            connecting: None,
            connected: false,
            phase: None,
            evidence: None,
            failed: None,
            ignored: Vec::new(),
            record: Record::NotApplicable,
            copied: false,
            qr: None,
            result_seen: false,
            key_change: KeyChangeView::default(),
        }
    }

    fn in_progress(&self) -> bool {
        self.failed.is_none()
            && !matches!(
                self.phase,
                Some(Phase::Verified { .. } | Phase::Cancelled { .. })
            )
    }

    /// Cancels and shows the result at once; the worker finishes in the background.
    fn cancel_now(&mut self) {
        self.worker.cancel();
        self.phase = Some(Phase::Cancelled {
            reason: CancelReason::UserCancelled,
        });
    }
}

/// Draws the screen.
pub fn show(ui: &mut egui::Ui, shared: &mut Shared, state: &mut SasState) {
    ui.heading("Live session");
    let identity = match &shared.identity {
        IdentityState::Ready(me) => Arc::clone(&me.identity),
        IdentityState::Failed { message, .. } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Your identity cannot be used ({message}); see \"My code\"."),
            );
            return;
        }
    };
    // A join code scanned on the Scan screen: fill it in, ready to join. While a run is
    // shown (running, or its result) the code waits: it is not lost, and no result is
    // hidden by it.
    if state.run.is_none()
        && let Some(code) = shared.pending_join_code.take()
    {
        state.code_input = code;
        state.code_error = None;
    }
    // "Verify Bob → Start a live session": the name is filled in when no run is shown.
    // While a run is shown the request is dropped, never kept for a later run: a name
    // left waiting would credit whoever the next session is with.
    if let Some(name) = shared.requests.sas_name.take()
        && state.run.is_none()
    {
        state.name = name;
    }
    if let Some(run) = &state.run
        && shared.pending_join_code.is_some()
    {
        let note = if run.in_progress() {
            "You scanned a join code: it is kept for when this session ends (or cancel this one to join that session)."
        } else {
            "You scanned a join code: press \"Start again\" (or \"Back\") to join that session."
        };
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if state.run.is_none() {
        start_view(ui, state, identity, word_language(shared));
    } else {
        run_view(ui, shared, state, &identity);
    }
}

fn start_view(
    ui: &mut egui::Ui,
    state: &mut SasState,
    identity: Arc<Identity>,
    words: Bip39Language,
) {
    ui.label("Verify someone who is online now, on another computer: one of you starts a session, the other joins with its code. Then you both compare a short code on your screens — side by side, or read aloud over a call you trust.");
    ui.add_space(10.0);

    ui.horizontal(|ui| {
        let label = ui.label("Contact name (optional)");
        ui.add(
            egui::TextEdit::singleline(&mut state.name)
                .hint_text("e.g. Alice — or name them afterwards")
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    });
    ui.add_space(12.0);

    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(egui::RichText::new("Start a session").strong().size(18.0));
        ui.label("You get a join code to give to the other person.");
        if ui
            .add(egui::Button::new(
                egui::RichText::new("Start a session").size(18.0),
            ))
            .clicked()
        {
            state.code_error = None;
            let role = SasRole::Host { bind: state.bind };
            state.run = Some(Run::start(
                ui.ctx(),
                identity.clone(),
                role,
                state.timeout,
                words,
            ));
        }
    });
    ui.add_space(12.0);

    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(egui::RichText::new("Join a session").strong().size(18.0));
        ui.label("Type or paste the code the other person's app shows.");
        let mut join = false;
        ui.horizontal(|ui| {
            let label = ui.label("Join code");
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut state.code_input)
                        .hint_text("XXXXX-XXXXX-XXXXX-XXXXX-X")
                        .font(egui::TextStyle::Monospace)
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
            if resp.changed() {
                state.code_error = None;
            }
            if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                join = true;
            }
            if ui
                .add(egui::Button::new(egui::RichText::new("Join").size(18.0)))
                .clicked()
            {
                join = true;
            }
        });
        if join {
            match JoinCode::parse(&state.code_input) {
                Ok(code) => {
                    state.code_error = None;
                    let role = SasRole::Join { code };
                    state.run = Some(Run::start(ui.ctx(), identity, role, state.timeout, words));
                }
                Err(e) => state.code_error = Some(format!("This join code cannot be used: {e}.")),
            }
        }
        if let Some(err) = &state.code_error {
            ui.colored_label(ui.visuals().error_fg_color, err);
        }
    });
}

fn run_view(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut SasState,
    identity: &Arc<Identity>,
) {
    let Some(run) = &mut state.run else { return };
    ui.add_space(6.0);
    if let Some(message) = run.failed.clone() {
        result_frame(ui, false, |ui| {
            ui.label(
                egui::RichText::new("✖ The session could not start")
                    .strong()
                    .size(22.0),
            );
            ui.label(message);
        });
        if ui.button("Back").clicked() {
            state.start_again();
        }
        return;
    }
    match run.phase.clone() {
        Some(Phase::Compare {
            sas,
            emoji,
            decimals,
            rendering,
            ..
        }) => {
            // Both screens show the host's word language (agreed inside the protocol).
            let lang = rendering
                .as_deref()
                .and_then(verifier_core::sas::words_language)
                .unwrap_or_else(|| shared.settings.word_lang.parse().unwrap_or_default());
            compare_view(
                ui,
                run,
                &sas.words(lang),
                lang,
                &emoji,
                decimals,
                &shared.settings.emoji_lang,
            );
        }
        Some(Phase::WaitingForPeerConfirmation) => {
            ui.label(egui::RichText::new("You said they match.").size(18.0));
            ui.label("Waiting for the other person to confirm…");
            cancel_button(ui, run);
        }
        Some(Phase::Verified { peer }) => {
            verified_view(ui, shared, state, identity, peer);
        }
        Some(Phase::Cancelled { reason }) => {
            result_frame(ui, false, |ui| {
                ui.label(egui::RichText::new("✖ Not verified").strong().size(22.0));
                ui.label(format!("Not verified: {}.", reason_in_words(reason)));
                if let Some(advice) = advice(reason) {
                    ui.label(advice);
                }
            });
            if ui.button("Start again").clicked() {
                state.start_again();
            }
        }
        _ => waiting_view(ui, run),
    }
}

fn waiting_view(ui: &mut egui::Ui, run: &mut Run) {
    if run.connected {
        ui.label("Connected. Setting up the comparison…");
    } else if let Some(code) = run.join_code.clone() {
        ui.label("Your join code");
        let text = code.to_text();
        // Big, but never wider than the window (large text sizes).
        let size = super::fit::size_to_fit(ui, &text, egui::FontFamily::Monospace, 40.0);
        ui.add(
            egui::Label::new(egui::RichText::new(&text).monospace().size(size).strong())
                .selectable(true),
        );
        ui.horizontal(|ui| {
            if ui.button("Copy code").clicked() {
                ui.ctx().copy_text(text.clone());
                run.copied = true;
            }
            if run.copied {
                ui.label("✔ copied");
            }
        });
        ui.label("Read or send this code to the other person: they choose \"Join a session\" and type it (or scan the QR code).");
        let qr = run.qr.get_or_insert_with(|| {
            SessionCode::new(code.to_bytes())
                .map_err(|e| e.to_string())
                .and_then(|s| QrImage::new(ui.ctx(), "sas-join-code-qr", &Payload::Session(s)))
        });
        match qr {
            Ok(img) => {
                img.show(ui, 220.0, &format!("QR code of the join code {text}"));
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("No QR code: {e}"));
            }
        }
        if run.local_only {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "No network address was found: this code only works on this computer.",
            );
        }
        ui.add_space(8.0);
        ui.label("Waiting for the other person to join…");
    } else if let Some(addr) = run.connecting {
        ui.label(format!("Connecting to {addr}…"));
    } else {
        ui.label("Starting…");
    }
    cancel_button(ui, run);
}

/// The words this side proposes: the word-language setting.
fn word_language(shared: &Shared) -> Bip39Language {
    shared.settings.word_lang.parse().unwrap_or_default()
}

/// What was kept away from the session, as a quiet note.
fn ignored_note(ui: &mut egui::Ui, run: &Run) {
    if let Some(last) = run.ignored.last() {
        let n = run.ignored.len();
        let text = if n == 1 {
            format!("⚠ {last}")
        } else {
            format!("⚠ {last} ({n} ignored in all)")
        };
        ui.label(egui::RichText::new(text).small());
    }
}

fn cancel_button(ui: &mut egui::Ui, run: &mut Run) {
    ignored_note(ui, run);
    ui.add_space(8.0);
    if ui.button("Cancel").clicked() {
        run.cancel_now();
    }
}

fn compare_view(
    ui: &mut egui::Ui,
    run: &mut Run,
    words: &[&str],
    lang: Bip39Language,
    emoji: &[verifier_core::render::SasEmoji],
    decimals: [u16; 3],
    emoji_lang: &str,
) {
    ui.label(
        egui::RichText::new("Compare with the other screen")
            .strong()
            .size(20.0),
    );
    ui.label("Check that the other person's screen shows exactly the same words, emoji and numbers — all of them, not just the first and last.");
    ui.add_space(8.0);

    ui.label(format!("Words ({})", lang.name()));
    ui.horizontal_wrapped(|ui| {
        for w in words {
            ui.label(egui::RichText::new(*w).size(28.0).strong());
            ui.add_space(12.0);
        }
    });
    if lang != Bip39Language::English {
        ui.label(
            egui::RichText::new("The host's word language: the other screen shows the same words.")
                .small(),
        );
    }
    ui.add_space(8.0);

    ui.label("Emoji");
    let cells: Vec<(&str, &str)> = emoji
        .iter()
        .map(|e| (e.emoji(), e.description(emoji_lang)))
        .collect();
    super::fit::emoji_cells(ui, &cells, 40.0, egui::TextStyle::Body);
    ui.add_space(8.0);

    ui.label("Numbers");
    ui.horizontal_wrapped(|ui| {
        for d in decimals {
            ui.label(egui::RichText::new(d.to_string()).size(28.0).monospace());
            ui.add_space(12.0);
        }
    });
    ui.add_space(14.0);

    ui.label(
        egui::RichText::new("Do they match exactly?")
            .strong()
            .size(18.0),
    );
    // Equal weight: the same size and style, side by side; neither has focus by default.
    let size = egui::vec2(220.0, 48.0);
    ui.horizontal_wrapped(|ui| {
        if ui
            .add(egui::Button::new(egui::RichText::new("They match").size(20.0)).min_size(size))
            .clicked()
        {
            run.worker.decide(Decision::Match);
        }
        ui.add_space(16.0);
        if ui
            .add(
                egui::Button::new(egui::RichText::new("They don't match").size(20.0))
                    .min_size(size),
            )
            .clicked()
        {
            run.worker.decide(Decision::NoMatch);
        }
    });
    cancel_button(ui, run);
}

fn verified_view(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut SasState,
    identity: &Arc<Identity>,
    peer: PublicKey,
) {
    let Some(run) = &mut state.run else { return };
    result_frame(ui, true, |ui| {
        ui.label(egui::RichText::new("✔ Verified").strong().size(22.0));
        ui.label("You both confirmed the same code. The other person's key is:");
        ui.add(
            egui::Label::new(egui::RichText::new(peer.to_canonical_string()).monospace())
                .selectable(true),
        );
    });
    ui.add_space(8.0);
    // What to submit this frame: name, intent, new-contact options.
    let mut save: Option<(String, Intent, NewContact)> = None;
    match run.record.clone() {
        Record::AskName | Record::Done(Err(_)) => {
            if let Record::Done(Err(e)) = &run.record {
                ui.colored_label(ui.visuals().error_fg_color, format!("Not saved: {e}"));
            }
            // The app may say whose key this is; only the person names the contact.
            let known: Vec<String> = shared
                .store
                .snapshot()
                .contacts
                .iter()
                .filter(|c| c.current_key == Some(peer))
                .map(|c| c.name.clone())
                .collect();
            for name in &known {
                ui.label(format!("This is the key you have for your contact {name}."));
                if ui.button(format!("Yes, this is {name} — save")).clicked() {
                    state.name = name.clone();
                    save = Some((name.clone(), Intent::Verify, NewContact::default()));
                }
            }
            ui.label("Save them as a contact so the app remembers this key:");
            ui.horizontal(|ui| {
                let label = ui.label("Contact name");
                let resp = ui
                    .add(egui::TextEdit::singleline(&mut state.name).hint_text("e.g. Alice"))
                    .labelled_by(label.id);
                let typed = state.name.trim().to_owned();
                let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let clicked = ui
                    .add_enabled(!typed.is_empty(), egui::Button::new("Save contact"))
                    .clicked();
                if (enter || clicked) && !typed.is_empty() {
                    save = Some((typed, Intent::Verify, NewContact::default()));
                }
            });
        }
        Record::KeyChange { name, old, new } => {
            let answer = key_change::panel(
                ui,
                &mut run.key_change,
                &name,
                &old,
                &new,
                "The live session checked their new key: you both saw the same code.",
                true,
            );
            match answer {
                Some(key_change::Answer::Confirm) => {
                    let intent = Intent::ConfirmKeyChange { old, new };
                    save = Some((name, intent, NewContact::default()));
                }
                Some(key_change::Answer::NotNow) => run.record = Record::NotNow { name },
                None => {}
            }
        }
        Record::Lookalike {
            name,
            shown,
            existing,
        } => match record::lookalike_prompt(ui, &shown, &existing) {
            Some(LookalikeAnswer::DifferentPerson) => {
                let new = NewContact {
                    stable_id: None,
                    allow_lookalike: true,
                };
                save = Some((name, Intent::Verify, new));
            }
            Some(LookalikeAnswer::Cancel) => run.record = Record::AskName,
            None => {}
        },
        Record::NotNow { name } => {
            ui.label(key_change::not_now_text(&name));
        }
        Record::Saving { .. } => {
            ui.label("Saving…");
        }
        Record::Done(Ok(message)) => {
            ui.colored_label(ok_color(ui), message);
        }
        Record::NotApplicable => {}
    }
    if let Some((name, intent, new)) = save
        && let Some(evidence) = run.evidence.clone()
    {
        state.record_seq += 1;
        run.record = submit_record(
            shared,
            state.record_seq,
            name,
            evidence,
            identity,
            intent,
            new,
        );
    }
    ui.add_space(8.0);
    if ui.button("Start again").clicked() {
        state.start_again();
    }
}

fn submit_record(
    shared: &mut Shared,
    seq: u64,
    name: String,
    evidence: Evidence,
    identity: &Arc<Identity>,
    intent: Intent,
    new: NewContact,
) -> Record {
    let tag = format!("sas-record-{seq}");
    let identity = Arc::clone(identity);
    let IdentityState::Ready(me) = &shared.identity else {
        return Record::Done(Err(
            "Your identity cannot be used, so nothing can be recorded.".to_owned(),
        ));
    };
    let own = me.own.clone();
    let failure = FailureSlot::new();
    let slot = failure.clone();
    let contact = name.clone();
    shared.store.submit(tag.clone(), move |store| {
        record::record(
            store,
            &contact,
            evidence,
            intent,
            Some(&new),
            &identity,
            &own,
            &slot,
        )
        .map(|m| format!("Saved: {m}"))
    });
    Record::Saving { tag, name, failure }
}

fn result_frame(ui: &mut egui::Ui, ok: bool, add: impl FnOnce(&mut egui::Ui)) {
    let color = if ok {
        ok_color(ui)
    } else {
        ui.visuals().error_fg_color
    };
    egui::Frame::new()
        .fill(crate::theme::tint(ui.visuals(), color))
        .stroke(egui::Stroke::new(2.0, color))
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.visuals_mut().override_text_color = Some(color);
            add(ui);
        });
}

fn ok_color(ui: &egui::Ui) -> egui::Color32 {
    crate::theme::ok(ui)
}

/// Why a run ended, in plain words (lower case, to follow "Not verified: ").
pub fn reason_in_words(reason: CancelReason) -> String {
    match reason {
        CancelReason::UserNoMatch => "you said the codes don't match".to_owned(),
        CancelReason::PeerNoMatch => "the other person said the codes don't match".to_owned(),
        CancelReason::UserCancelled => "you cancelled the session".to_owned(),
        CancelReason::PeerCancelled => "the other person's app cancelled the session".to_owned(),
        CancelReason::WrongJoinCode => {
            "the join code does not belong to the session this computer reached".to_owned()
        }
        CancelReason::Timeout => "nobody answered in time".to_owned(),
        CancelReason::ConnectionLost => {
            "the connection closed before the end (the other app quit or the network dropped)"
                .to_owned()
        }
        CancelReason::MacMismatch => {
            "the other side's confirmation did not check out — someone may be intercepting the connection".to_owned()
        }
        CancelReason::CommitmentMismatch | CancelReason::NonContributoryKey => {
            "the other side broke the protocol's rules — someone may be intercepting the connection".to_owned()
        }
        CancelReason::UnsupportedVersion => {
            "the other app speaks another version of the protocol; update both apps".to_owned()
        }
        other => other.to_string(),
    }
}

fn advice(reason: CancelReason) -> Option<&'static str> {
    match reason {
        CancelReason::UserNoMatch | CancelReason::PeerNoMatch => Some(
            "Different codes mean someone may be intercepting the connection. Nothing was recorded; do not trust this key. Try again, ideally on another network or side by side.",
        ),
        CancelReason::WrongJoinCode => Some(
            "Ask for the code the other person's app shows now and type it again. Nothing was recorded.",
        ),
        _ => Some("Nothing was recorded. Start a new session to try again."),
    }
}
