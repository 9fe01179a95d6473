//! One contact's page: the key-change alert or the tampered alert (first,
//! when there is one), status, actions, records in the history only, keys with
//! first/last seen and fingerprints, history.
//!
//! A record (receipt) imported while the contact's key had changed lands in the
//! history only: it verifies nothing by itself. In the key-change alert the
//! person can use one, after seeing its method and date beside the old and new
//! key: the trust engine reviews it (`Store::review_receipt`, which refuses
//! e.g. a key this store saw retired) and records it with
//! `Intent::ConfirmKeyChange`.
//!
//! The keys, history and fingerprints are loaded by a job on the store worker
//! (fingerprints are stretched hashes: never computed on the UI thread) and
//! reloaded whenever the contact's summary in the store snapshot changes, or another
//! process (the CLI) changed the store (the worker notices and reloads the list).

use std::sync::mpsc::{Receiver, TryRecvError, channel};

use verifier_core::key::PublicKey;
use verifier_core::receipt::{ReceiptId, Timestamp, VerificationMethod};
use verifier_core::safety_number::{Party, SideFingerprint};
use verifier_core::trust::Intent;
use verifier_store::{ContactSummary, Event, EventKind, KeyRecord, TrustStatus};

use super::{fmt_time, method_note, method_text, ok_color, status_badge};
use crate::identity::IdentityState;
use crate::shared::Shared;
use crate::views::{alert_frame, record};

/// Job tag of loading the page.
pub const LOAD_TAG: &str = "contacts-detail-load";
/// Job tag of "Accept new key".
pub const ACCEPT_TAG: &str = "contacts-accept-key";
/// Job tag of "Forget".
pub const FORGET_TAG: &str = "contacts-forget";
/// Job tag of using a record from the history in the key-change flow.
pub const REVIEW_TAG: &str = "contacts-review-receipt";

/// A record imported into the history only (it verified nothing by itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryOnly {
    /// The receipt.
    pub id: ReceiptId,
    /// The key it is about.
    pub key: PublicKey,
    /// How that key was checked.
    pub method: VerificationMethod,
    /// When it was checked (the receipt's own time).
    pub verified_at: Timestamp,
    /// When it was imported here.
    pub imported_at: Timestamp,
}

/// A key with its fingerprint's digit groups.
#[derive(Clone, Debug)]
pub struct KeyView {
    /// What the store knows about it.
    pub record: KeyRecord,
    /// Its fingerprint as 6 groups of 5 digits.
    pub groups: Vec<String>,
}

/// Everything the page shows, loaded off the UI thread.
#[derive(Clone, Debug)]
pub struct Detail {
    /// The contact as it was when loaded.
    pub summary: ContactSummary,
    /// Every key seen, in the store's order.
    pub keys: Vec<KeyView>,
    /// The event history, oldest first.
    pub history: Vec<Event>,
    /// For a key change: fingerprint groups of the verified key and of the current key.
    pub change: Option<(Vec<String>, Vec<String>)>,
    /// Records in the history only, not used since.
    pub history_only: Vec<HistoryOnly>,
}

/// State of the page.
#[derive(Default)]
pub struct DetailState {
    detail: Option<Detail>,
    rx: Option<Receiver<Result<Detail, String>>>,
    load_error: Option<String>,
    confirm_forget: bool,
    forgetting: bool,
    accepted: bool,
    /// A history record was submitted for review (its result is shown).
    reviewing: bool,
    /// The store's count of outside changes when the page was last loaded.
    outside_changes: u64,
}

/// What the page asks of the list.
pub enum Outcome {
    /// Keep showing the page.
    Stay,
    /// Back to the list.
    Back,
    /// The contact was forgotten; back to the list.
    Forgotten,
    /// Open the "Verify …" page of this contact.
    Verify,
}

fn groups_of(key: &PublicKey) -> Vec<String> {
    SideFingerprint::compute(&Party::new(key)).digit_groups()
}

fn load(shared: &mut Shared, state: &mut DetailState, name: &str, ctx: &egui::Context) {
    let (tx, rx) = channel();
    state.rx = Some(rx);
    let name = name.to_owned();
    let ctx = ctx.clone();
    let own = match &shared.identity {
        IdentityState::Ready(me) => Some(me.own.clone()),
        IdentityState::Failed { .. } => None,
    };
    shared.store.submit(LOAD_TAG, move |store| {
        let loaded: Result<Detail, String> = (|| {
            let own = own.ok_or_else(|| {
                "your identity cannot be used, so the status cannot be read".to_owned()
            })?;
            let summary = store.contact(&name, &own).map_err(|e| e.to_string())?;
            let keys = store
                .keys(&name)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|record| KeyView {
                    groups: groups_of(&record.key),
                    record,
                })
                .collect();
            let history = store.history(&name).map_err(|e| e.to_string())?;
            let used: Vec<ReceiptId> = history
                .iter()
                .filter_map(|e| match &e.kind {
                    EventKind::Verified { receipt, .. } => Some(*receipt),
                    _ => None,
                })
                .collect();
            let mut history_only = Vec::new();
            for e in &history {
                if let EventKind::ReceiptImported {
                    key,
                    method,
                    receipt,
                    applied: false,
                } = &e.kind
                    && !used.contains(receipt)
                {
                    let verified_at = store
                        .receipt(receipt)
                        .map_err(|e| e.to_string())?
                        .map_or(e.at, |r| r.statement().verified_at());
                    history_only.push(HistoryOnly {
                        id: *receipt,
                        key: *key,
                        method: *method,
                        verified_at,
                        imported_at: e.at,
                    });
                }
            }
            let change = match (&summary.status, &summary.current_key) {
                (
                    TrustStatus::KeyChanged {
                        previous_verified_key,
                        ..
                    },
                    Some(current),
                ) => Some((groups_of(previous_verified_key), groups_of(current))),
                _ => None,
            };
            Ok(Detail {
                summary,
                keys,
                history,
                change,
                history_only,
            })
        })();
        let message = match &loaded {
            Ok(_) => Ok("loaded".to_owned()),
            Err(e) => Err(e.clone()),
        };
        let _ = tx.send(loaded);
        ctx.request_repaint();
        message
    });
}

/// Draws the page of `name`.
pub fn show(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut DetailState,
    name: &str,
) -> Outcome {
    if let Some(rx) = &state.rx {
        match rx.try_recv() {
            Ok(Ok(d)) => {
                state.detail = Some(d);
                state.load_error = None;
                state.rx = None;
            }
            Ok(Err(e)) => {
                state.load_error = Some(e);
                state.rx = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => state.rx = None,
        }
    }
    if state.forgetting {
        match shared.store.result(FORGET_TAG) {
            Some(Ok(_)) => return Outcome::Forgotten,
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {
                ui.label(format!("Forgetting {name}…"));
                return Outcome::Stay;
            }
        }
    }

    let snapshot_summary = shared.store.snapshot().contact(name).cloned();
    let Some(summary) = snapshot_summary else {
        if ui.button("Back to all contacts").clicked() {
            return Outcome::Back;
        }
        ui.label(format!(
            "There is no contact named {name} in the trust store."
        ));
        return Outcome::Stay;
    };
    // Another process changed the store: load again (keys and history may have changed
    // even when the summary did not), also after a load that failed.
    let outside = shared.store.outside_changes();
    if outside != state.outside_changes && state.rx.is_none() {
        state.load_error = None;
    }
    let stale = state.detail.as_ref().map(|d| &d.summary) != Some(&summary)
        || outside != state.outside_changes;
    if stale && state.rx.is_none() && state.load_error.is_none() {
        state.outside_changes = outside;
        load(shared, state, name, ui.ctx());
    }

    let mut outcome = Outcome::Stay;

    // A key change or a tampered entry is said FIRST, before anything else on the page.
    if let TrustStatus::KeyChanged { since, .. } = &summary.status {
        key_change_alert(ui, shared, state, &summary, *since);
        ui.add_space(10.0);
    }
    let tampered = matches!(summary.status, TrustStatus::Tampered { .. });
    if tampered {
        tampered_alert(ui, state, name);
        ui.add_space(10.0);
    }

    ui.horizontal(|ui| {
        if ui.button("Back to all contacts").clicked() {
            outcome = Outcome::Back;
        }
        ui.heading(name);
    });
    status_badge(ui, &summary.status, !tampered);
    if let Some(id) = &summary.stable_id {
        ui.label(format!("Identifier: {id}"));
    }
    if state.accepted && !matches!(summary.status, TrustStatus::KeyChanged { .. }) {
        match shared.store.result(ACCEPT_TAG) {
            Some(Ok(m)) => {
                ui.label(m);
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
    }
    if state.reviewing {
        match shared.store.result(REVIEW_TAG) {
            Some(Ok(m)) => {
                ui.colored_label(ok_color(ui), m);
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Not recorded: {e}"));
            }
            None => {
                ui.label("Checking the record…");
            }
        }
    }
    if let Some(e) = &state.load_error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Cannot load {name}: {e}"),
        );
    }

    ui.add_space(8.0);
    ui.horizontal_wrapped(|ui| {
        if !tampered
            && ui
                .button(egui::RichText::new(format!("Verify {name}…")).strong())
                .on_hover_text("Every way to check their key: camera, picture, safety number, typing back, live session")
                .clicked()
        {
            outcome = Outcome::Verify;
        }
        if summary.current_key.is_none() {
            ui.label("No key is recorded for this contact yet.");
        }
        if !state.confirm_forget && ui.button(format!("Forget {name}…")).clicked() {
            state.confirm_forget = true;
        }
    });
    if state.confirm_forget {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!(
                "Forget {name}? This deletes their keys, verifications and history from your trust store. If you add them again later, they start unverified and a key change can no longer be detected."
            ));
            ui.horizontal(|ui| {
                if ui.button(format!("Yes, forget {name}")).clicked() {
                    let n = name.to_owned();
                    shared.store.submit(FORGET_TAG, move |store| {
                        store
                            .forget(&n)
                            .map(|()| format!("{n} was forgotten."))
                            .map_err(|e| format!("Could not forget {n}: {e}."))
                    });
                    state.forgetting = true;
                    state.confirm_forget = false;
                }
                if ui.button("Cancel").clicked() {
                    state.confirm_forget = false;
                }
            });
        });
    }

    ui.add_space(12.0);
    match &state.detail {
        None => {
            ui.label("Loading keys and history…");
        }
        Some(d) => {
            if !d.history_only.is_empty() {
                history_only_section(ui, d);
                ui.add_space(12.0);
            }
            keys_section(ui, d);
            ui.add_space(12.0);
            history_section(ui, d);
        }
    }
    outcome
}

fn groups_row(ui: &mut egui::Ui, groups: &[String]) {
    ui.horizontal_wrapped(|ui| {
        for g in groups {
            ui.label(egui::RichText::new(g).monospace().size(20.0));
        }
    });
}

fn tampered_alert(ui: &mut egui::Ui, state: &mut DetailState, name: &str) {
    let red = ui.visuals().error_fg_color;
    alert_frame(ui, red, |ui| {
        ui.label(
            egui::RichText::new(format!("⚠ {name}'s entry was changed outside the app"))
                .heading()
                .color(red),
        );
        ui.label(record::TAMPERED_ADVICE);
        ui.label("Its recorded history does not hold together (a record was edited, moved from another contact, or signed by someone else), so nothing in it counts. Forgetting deletes the entry; then compare codes or scan their code again.");
        if !state.confirm_forget
            && ui
                .button(format!("Forget {name} to verify them again…"))
                .clicked()
        {
            state.confirm_forget = true;
        }
    });
}

/// The records in the history only, with method and date.
fn history_only_section(ui: &mut egui::Ui, d: &Detail) {
    ui.label(
        egui::RichText::new("Records in the history only")
            .strong()
            .size(18.0),
    );
    ui.label("Verifications imported (from a backup or another device) that did not count by themselves.");
    for r in &d.history_only {
        let current = d.summary.current_key == Some(r.key);
        ui.label(format!(
            "{} on {}, imported {} — {}",
            method_text(r.method),
            fmt_time(r.verified_at),
            fmt_time(r.imported_at),
            if current {
                "about the key in use now"
            } else {
                "about a key not in use now"
            }
        ));
    }
}

/// Queues: the engine reviews the record, then the key-change flow records it.
fn use_record(
    shared: &mut Shared,
    state: &mut DetailState,
    name: &str,
    record_of: &HistoryOnly,
    old: PublicKey,
    new: PublicKey,
) {
    let IdentityState::Ready(me) = &shared.identity else {
        return;
    };
    let (own, signer) = (me.own.clone(), std::sync::Arc::clone(&me.identity));
    let (n, id, method, at) = (
        name.to_owned(),
        record_of.id,
        record_of.method,
        record_of.verified_at,
    );
    state.reviewing = true;
    shared.store.submit(REVIEW_TAG, move |store| {
        let evidence = store
            .review_receipt(&n, &id, &own)
            .map_err(|e| record::store_error_text(&n, &e))?;
        let intent = Intent::ConfirmKeyChange { old, new };
        store
            .verify(&n, evidence, intent, &signer, &own, verifier_store::now())
            .map(|_| {
                format!(
                    "{n}'s new key is verified with your record ({}, {}); it replaces the key you had verified before.",
                    method_text(method),
                    fmt_time(at)
                )
            })
            .map_err(|e| record::store_error_text(&n, &e))
    });
}

fn key_change_alert(
    ui: &mut egui::Ui,
    shared: &mut Shared,
    state: &mut DetailState,
    summary: &ContactSummary,
    since: Timestamp,
) {
    let red = ui.visuals().error_fg_color;
    let name = &summary.name;
    alert_frame(ui, red, |ui| {
        ui.label(
            egui::RichText::new(format!("⚠ {name}'s key has changed"))
                .heading()
                .color(red),
        );
        ui.label(format!(
            "You verified {name}'s key, but since {} they use a different one. They may have a new phone or reinstalled their app — or someone may be intercepting your conversation and pretending to be them.",
            fmt_time(since)
        ));
        ui.label(egui::RichText::new(format!(
            "Do not trust messages from this key until you have verified {name} again: compare codes with them in person or over a call you are sure is theirs."
        )).strong());
        ui.add_space(6.0);
        let current_matches = state
            .detail
            .as_ref()
            .is_some_and(|d| d.summary.current_key == summary.current_key);
        match state.detail.as_ref().and_then(|d| d.change.as_ref()) {
            Some((old, new)) if current_matches => {
                ui.label(egui::RichText::new("Old key (the one you verified)").strong());
                groups_row(ui, old);
                ui.label(egui::RichText::new("New key (in use now)").strong());
                groups_row(ui, new);
            }
            _ => {
                ui.label("Computing the fingerprints of the old and new key…");
            }
        }
        // Records of the new key in the history only: usable here, after the
        // person saw them beside the old and new key.
        let usable: Vec<HistoryOnly> = state
            .detail
            .as_ref()
            .filter(|_| current_matches)
            .map(|d| {
                d.history_only
                    .iter()
                    .filter(|r| Some(r.key) == summary.current_key)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if let (
            false,
            TrustStatus::KeyChanged {
                previous_verified_key,
                ..
            },
            Some(new),
        ) = (usable.is_empty(), &summary.status, summary.current_key)
        {
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new("Your records of the new key (in the history only)").strong(),
            );
            for r in &usable {
                ui.label(format!(
                    "{} on {} (imported {})",
                    method_text(r.method),
                    fmt_time(r.verified_at),
                    fmt_time(r.imported_at)
                ));
                if ui
                    .button(format!(
                        "Use the record of {} to verify the new key",
                        fmt_time(r.verified_at)
                    ))
                    .clicked()
                {
                    use_record(shared, state, name, r, *previous_verified_key, new);
                }
            }
            ui.label("Use a record only if you remember checking this new key with them then; a record cannot bring back a key that a newer, verified key replaced.");
        }
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
                if ui
                    .button(egui::RichText::new(format!("Verify {name} again…")).strong())
                    .clicked()
                {
                    shared.requests.verify_contact = Some(name.clone());
                }
                if let Some(key) = summary.current_key
                    && ui.button("Accept new key").clicked()
                {
                    let n = name.clone();
                    let own = match &shared.identity {
                        IdentityState::Ready(me) => Some(me.own.clone()),
                        IdentityState::Failed { .. } => None,
                    };
                    shared.store.submit(ACCEPT_TAG, move |store| {
                        let own = own.ok_or_else(|| {
                            "your identity cannot be used, so nothing can be recorded".to_owned()
                        })?;
                        store
                            .accept_key(&n, &key, &own, verifier_store::now())
                            .map(|()| format!("You accepted {n}'s new key. {n} is unverified until you compare codes."))
                            .map_err(|e| format!("Could not accept the key: {e}."))
                    });
                    state.accepted = true;
                }
            });
        ui.label("Accepting only records that you know about the change; it does not verify the new key, and the contact stays unverified.");
        if state.accepted
            && let Some(Err(e)) = shared.store.result(ACCEPT_TAG)
        {
            ui.colored_label(red, e);
        }
    });
}

fn keys_section(ui: &mut egui::Ui, d: &Detail) {
    ui.label(egui::RichText::new("Keys").strong().size(18.0));
    if d.keys.is_empty() {
        ui.label("No key seen yet.");
    }
    let verified_key = match &d.summary.status {
        TrustStatus::KeyChanged {
            previous_verified_key,
            ..
        } => Some(*previous_verified_key),
        TrustStatus::Verified { .. } => d.summary.current_key,
        _ => None,
    };
    for (i, k) in d.keys.iter().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let mut tags = Vec::new();
            if k.record.current {
                tags.push("in use now");
            }
            if Some(k.record.key) == verified_key {
                tags.push("the key you verified");
            } else if k.record.ever_verified {
                tags.push("verified once");
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" — {}", tags.join(", "))
            };
            ui.label(egui::RichText::new(format!("Key {}{tags}", i + 1)).strong());
            ui.label(format!(
                "First seen {}, last seen {}",
                fmt_time(k.record.first_seen),
                fmt_time(k.record.last_seen)
            ));
            ui.label("Fingerprint:");
            groups_row(ui, &k.groups);
            ui.add(
                egui::Label::new(
                    egui::RichText::new(k.record.key.to_canonical_string()).monospace(),
                )
                .selectable(true),
            );
        });
    }
}

fn event_text(e: &EventKind) -> String {
    match e {
        EventKind::ContactAdded => "Contact added".to_owned(),
        EventKind::KeyFirstSeen { .. } => "First key seen".to_owned(),
        EventKind::KeyChanged { .. } => "Key changed".to_owned(),
        EventKind::Verified { method, .. } => match method_note(*method) {
            Some(_) => format!(
                "Verified ({}; weaker than an in-person camera scan)",
                method_text(*method)
            ),
            None => format!("Verified ({})", method_text(*method)),
        },
        EventKind::ReceiptImported {
            method,
            applied: true,
            ..
        } => {
            format!(
                "Verification imported from a receipt ({})",
                method_text(*method)
            )
        }
        EventKind::ReceiptImported { method, .. } => format!(
            "Receipt imported into the history only ({}); it verified nothing by itself",
            method_text(*method)
        ),
        EventKind::KeyAccepted { .. } => "New key accepted without verifying".to_owned(),
        other => other.name().to_owned(),
    }
}

fn history_section(ui: &mut egui::Ui, d: &Detail) {
    ui.label(egui::RichText::new("History").strong().size(18.0));
    let entry = |ui: &mut egui::Ui, e: &Event| {
        let text = event_text(&e.kind);
        if matches!(e.kind, EventKind::Verified { .. }) {
            ui.colored_label(ok_color(ui), text);
        } else if matches!(e.kind, EventKind::KeyChanged { .. }) {
            ui.colored_label(ui.visuals().error_fg_color, text);
        } else {
            ui.label(text);
        }
    };
    // A table when there is room; in a narrow window (large text) the time above each entry.
    if ui.available_width() < 560.0 {
        for e in &d.history {
            ui.add_space(4.0);
            ui.label(egui::RichText::new(fmt_time(e.at)).strong());
            entry(ui, e);
        }
        return;
    }
    egui::Grid::new("contact_history")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for e in &d.history {
                ui.label(fmt_time(e.at));
                entry(ui, e);
                ui.end_row();
            }
        });
}
