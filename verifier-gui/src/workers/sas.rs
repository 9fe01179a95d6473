//! The live-session worker: one thread per SAS run. It binds or connects, runs the
//! protocol (`verifier_core::sas`) over TCP (`verifier_net`), and reports every step to the
//! UI over a channel, waking it with `request_repaint`. The person's answers go to the
//! running [`Driver`] through its [`DecisionSender`].
//!
//! Nothing here blocks the UI thread: binding, accepting, connecting and the protocol all
//! happen on the worker. [`SasWorker::cancel`] (also run on drop) ends the run cleanly:
//! a host stops listening, a running session sends its Cancel(user_cancelled) and shuts the
//! connection down.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use verifier_core::identity::Identity;
use verifier_core::sas::{Decision, JoinCode, Output, Phase, SasConfig, SasSession};
use verifier_net::{Accepted, Clock, Connection, DecisionSender, Driver, Host};

/// How long the joiner tries to reach the host.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Which side this app plays.
#[derive(Clone, Debug)]
pub enum SasRole {
    /// Listen on this address (port 0 picks a free port) and show a join code.
    Host {
        /// Where to listen. An unspecified address (`0.0.0.0`) means the interface this
        /// machine uses on the LAN, not every interface.
        bind: SocketAddr,
    },
    /// Connect to the host a join code names.
    Join {
        /// The code the other person showed.
        code: JoinCode,
    },
}

/// What the worker reports to the UI, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SasEvent {
    /// Host: listening; show this code to the other person.
    Listening {
        /// The join code (names the address other machines reach this one at).
        code: JoinCode,
        /// Set when no LAN address was found and the code names this machine only.
        local_only: bool,
    },
    /// Joiner: trying to reach the host.
    Connecting {
        /// The host's address.
        addr: SocketAddr,
    },
    /// The run is verified: the evidence for the trust engine (after the
    /// verified phase).
    Evidence(Box<verifier_core::trust::Evidence>),
    /// A peer is connected; the protocol runs.
    Connected {
        /// The peer's address.
        peer: SocketAddr,
    },
    /// The protocol's phase changed.
    Phase(Phase),
    /// Something that was not the other person was kept away from the session: a
    /// connection the host closed, or a forged, replayed or unreadable message ignored.
    Ignored(String),
    /// The run could not start or its connection failed before the protocol ran.
    Failed(String),
}

/// The UI's handle on one run. Dropping it cancels the run.
pub struct SasWorker {
    rx: Receiver<SasEvent>,
    cancelled: Arc<AtomicBool>,
    decisions: Arc<Mutex<Option<DecisionSender>>>,
    finished: Arc<AtomicBool>,
}

impl core::fmt::Debug for SasWorker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SasWorker")
            .field("cancelled", &self.cancelled.load(Ordering::SeqCst))
            .field("finished", &self.finished.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

struct Reporter {
    tx: Sender<SasEvent>,
    ctx: egui::Context,
}

impl Reporter {
    fn send(&self, event: SasEvent) {
        let _ = self.tx.send(event);
        self.ctx.request_repaint();
    }
}

impl SasWorker {
    /// Starts a run on a new thread. `identity` signs this side's confirmation.
    pub fn start(
        ctx: &egui::Context,
        identity: Arc<Identity>,
        role: SasRole,
        config: SasConfig,
    ) -> Self {
        let (tx, rx) = channel();
        let cancelled = Arc::new(AtomicBool::new(false));
        let decisions = Arc::new(Mutex::new(None));
        let finished = Arc::new(AtomicBool::new(false));
        let worker = Run {
            report: Reporter {
                tx,
                ctx: ctx.clone(),
            },
            cancelled: Arc::clone(&cancelled),
            decisions: Arc::clone(&decisions),
        };
        let done = Arc::clone(&finished);
        let spawned = std::thread::Builder::new()
            .name("sas-session".to_owned())
            .spawn(move || {
                worker.run(&identity, role, config);
                done.store(true, Ordering::SeqCst);
            });
        let rx = match spawned {
            Ok(_) => rx,
            Err(e) => {
                // No thread: report through a channel of our own so the UI shows it.
                let (tx, rx) = channel();
                let _ = tx.send(SasEvent::Failed(format!(
                    "could not start the session thread: {e}"
                )));
                finished.store(true, Ordering::SeqCst);
                rx
            }
        };
        SasWorker {
            rx,
            cancelled,
            decisions,
            finished,
        }
    }

    /// The events that arrived since the last call (never blocks).
    pub fn poll(&self) -> Vec<SasEvent> {
        self.rx.try_iter().collect()
    }

    /// Hands the person's answer to the running session; false when no session runs.
    pub fn decide(&self, decision: Decision) -> bool {
        let guard = self
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().is_some_and(|d| d.send(decision))
    }

    /// Ends the run: stops listening or connecting, or cancels the running session (which
    /// tells the peer and shuts the connection down). Returns at once.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let guard = self
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = guard.as_ref() {
            d.send(Decision::Cancel);
        }
    }

    /// True once the worker thread has ended (its connection is closed).
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }
}

impl Drop for SasWorker {
    fn drop(&mut self) {
        self.cancel();
    }
}

struct Run {
    report: Reporter,
    cancelled: Arc<AtomicBool>,
    decisions: Arc<Mutex<Option<DecisionSender>>>,
}

impl Run {
    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    fn run(self, identity: &Identity, role: SasRole, config: SasConfig) {
        match role {
            SasRole::Host { bind } => self.host(identity, bind, config),
            SasRole::Join { code } => self.join(identity, code, config),
        }
    }

    fn host(self, identity: &Identity, bind: SocketAddr, config: SasConfig) {
        // The LAN interface only (loopback when there is none), unless an address is set.
        let (bind, no_lan) = if bind.ip().is_unspecified() {
            match verifier_net::likely_lan_ip(bind.is_ipv6()) {
                Some(ip) => (SocketAddr::new(ip, bind.port()), false),
                None => (
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bind.port()),
                    true,
                ),
            }
        } else {
            (bind, false)
        };
        let listener = match Host::bind(bind) {
            Ok(l) => l,
            Err(e) => return self.fail(format!("cannot listen on {bind}: {e}")),
        };
        let local = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => return self.fail(format!("cannot read the listening address: {e}")),
        };
        let local_only = no_lan || local.ip().is_loopback();
        let clock = Clock::new();
        let mut session = match SasSession::initiate(identity, config, clock.now_ms()) {
            Ok((session, _first)) => session,
            Err(e) => return self.fail(e.to_string()),
        };
        let Some(code) = session.join_code(local) else {
            return self.fail("internal error: the host has no join code".to_owned());
        };
        self.report.send(SasEvent::Listening { code, local_only });
        let accepted = listener.accept_joiner(
            &mut session,
            &clock,
            || self.is_cancelled(),
            |peer, why| {
                self.report.send(SasEvent::Ignored(format!(
                    "Closed a connection from {peer} that was not the other person: {why}."
                )))
            },
        );
        match accepted {
            Ok(Accepted::Joiner { conn, output }) => self.drive(conn, &mut session, &clock, output),
            Ok(Accepted::Ended(out)) => self.report.send(SasEvent::Phase(out.phase)),
            Ok(_) => self.fail("internal error: unknown outcome while waiting".to_owned()),
            Err(e) => self.fail(format!("waiting for the other person failed: {e}")),
        }
    }

    fn join(self, identity: &Identity, code: JoinCode, config: SasConfig) {
        let addr = code.addr();
        self.report.send(SasEvent::Connecting { addr });
        let conn = match Connection::connect(addr, CONNECT_TIMEOUT) {
            Ok(c) => c,
            Err(e) => {
                if self.is_cancelled() {
                    return self.report.send(SasEvent::Phase(cancelled_by_user()));
                }
                return self.fail(format!(
                    "cannot reach the other person's app at {addr}: {e}. Check the code, and that their app still shows it."
                ));
            }
        };
        if self.is_cancelled() {
            conn.shutdown();
            return self.report.send(SasEvent::Phase(cancelled_by_user()));
        }
        let clock = Clock::new();
        let mut session = match SasSession::respond(identity, config, &code, clock.now_ms()) {
            Ok(s) => s,
            Err(e) => return self.fail(e.to_string()),
        };
        let start = Output {
            send: Vec::new(),
            phase: session.phase(),
            ignored: None,
        };
        self.drive(conn, &mut session, &clock, start);
    }

    fn drive(self, conn: Connection, session: &mut SasSession, clock: &Clock, first: Output) {
        let peer = conn.peer_addr();
        let driver = match Driver::start(conn) {
            Ok(d) => d,
            Err(e) => return self.fail(e.to_string()),
        };
        {
            let mut slot = self
                .decisions
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *slot = Some(driver.decisions());
        }
        // A cancel that came before the sender was in place: deliver it now (the
        // Driver reads it after sending the first message).
        if self.is_cancelled() {
            driver.decisions().send(Decision::Cancel);
        }
        self.report.send(SasEvent::Connected { peer });
        let report = &self.report;
        driver.run(
            session,
            clock,
            first,
            |phase| report.send(SasEvent::Phase(phase.clone())),
            |why| report.send(SasEvent::Ignored(format!("{why}; the session goes on."))),
        );
        // The proof the trust engine needs: made by the session itself, only when
        // it is verified (after the person answered "match").
        if let Some(evidence) = session.evidence() {
            report.send(SasEvent::Evidence(Box::new(evidence)));
        }
        let mut slot = self
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *slot = None;
    }

    fn fail(self, message: String) {
        self.report.send(SasEvent::Failed(message));
    }
}

fn cancelled_by_user() -> Phase {
    Phase::Cancelled {
        reason: verifier_core::sas::CancelReason::UserCancelled,
    }
}
