//! The trust-store worker: a thread owns the SQLite database; the UI sends it
//! jobs and reads the latest snapshot of the contact list.
//!
//! Other processes (the CLI, another window) write to the same database. While
//! idle, the worker asks SQLite about once every [`WATCH_INTERVAL`] whether another
//! connection committed a change ([`Store::data_version`]) and, if so, sends the UI a
//! fresh contact list: a key change recorded elsewhere shows without a restart. The
//! wait is a blocking receive with a timeout on the job channel, so an idle app
//! uses no CPU between checks.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use verifier_core::trust::OwnKeys;
use verifier_store::{ContactSummary, Store, TrustStatus};

/// How often the worker checks whether another process changed the store.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// A unit of work for the store thread. Returns a message for the UI (Ok or Err).
pub type Job = Box<dyn FnOnce(&mut Store) -> Result<String, String> + Send>;

enum Request {
    Context(egui::Context),
    Run { tag: String, job: Job },
}

enum Reply {
    Snapshot(Snapshot),
    /// The list reloaded because another connection changed the store.
    Changed(Snapshot),
    /// A job's result together with the contact list after it, so the UI
    /// never sees the result (or "idle") with the list from before the job.
    Done {
        tag: String,
        result: Result<String, String>,
        snapshot: Option<Snapshot>,
        /// Another connection changed the store since the last list was sent.
        outside: bool,
    },
}

/// What the UI knows about the store.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Every contact with its status, sorted: key changes first, then by name.
    pub contacts: Vec<ContactSummary>,
    /// Why the store cannot be used (shown on screens that need it).
    pub error: Option<String>,
    /// Whether the first load finished.
    pub loaded: bool,
}

impl Snapshot {
    /// The contact with exactly this name, if the list has one.
    pub fn contact(&self, name: &str) -> Option<&ContactSummary> {
        self.contacts.iter().find(|c| c.name == name)
    }
}

/// The UI's handle on the store worker.
pub struct StoreClient {
    tx: Sender<Request>,
    rx: Receiver<Reply>,
    snapshot: Snapshot,
    pending: usize,
    results: Vec<(String, Result<String, String>)>,
    has_context: bool,
    outside_changes: u64,
}

impl StoreClient {
    /// Starts the worker; it opens the store at `path` (or reports why it cannot).
    /// `own`: the user's keys, against which every status is read from the
    /// signed receipts (`None`: the identity cannot be used, so no status can be read).
    pub fn start(path: Option<PathBuf>, own: Option<OwnKeys>) -> Self {
        let (tx, worker_rx) = channel::<Request>();
        let (worker_tx, rx) = channel::<Reply>();
        std::thread::Builder::new()
            .name("trust-store".to_owned())
            .spawn(move || worker(path, own, worker_rx, worker_tx))
            .map_err(|e| e.to_string())
            .ok();
        StoreClient {
            tx,
            rx,
            snapshot: Snapshot::default(),
            pending: 1, // the initial load
            results: Vec::new(),
            has_context: false,
            outside_changes: 0,
        }
    }

    /// Takes what the worker sent since the last frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if !self.has_context {
            self.has_context = self.tx.send(Request::Context(ctx.clone())).is_ok();
        }
        while let Ok(reply) = self.rx.try_recv() {
            match reply {
                Reply::Snapshot(s) => {
                    if !self.snapshot.loaded {
                        self.pending = self.pending.saturating_sub(1);
                    }
                    self.snapshot = s;
                }
                Reply::Changed(s) => {
                    self.outside_changes += 1;
                    self.snapshot = s;
                }
                Reply::Done {
                    tag,
                    result,
                    snapshot,
                    outside,
                } => {
                    if let Some(s) = snapshot {
                        self.snapshot = s;
                    }
                    if outside {
                        self.outside_changes += 1;
                    }
                    self.pending = self.pending.saturating_sub(1);
                    self.results.retain(|(t, _)| *t != tag);
                    self.results.push((tag, result));
                }
            }
        }
    }

    /// Queues a job; its result is available under `tag` once done, and the
    /// contact list is refreshed after it.
    pub fn submit(
        &mut self,
        tag: impl Into<String>,
        job: impl FnOnce(&mut Store) -> Result<String, String> + Send + 'static,
    ) {
        let tag = tag.into();
        self.results.retain(|(t, _)| *t != tag);
        if self
            .tx
            .send(Request::Run {
                tag: tag.clone(),
                job: Box::new(job),
            })
            .is_ok()
        {
            self.pending += 1;
        } else {
            self.results
                .push((tag, Err("the trust-store worker has stopped".to_owned())));
        }
    }

    /// The result of the last job with this tag, if it finished.
    pub fn result(&self, tag: &str) -> Option<&Result<String, String>> {
        self.results.iter().find(|(t, _)| t == tag).map(|(_, r)| r)
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Contacts whose key changed away from a verified key.
    pub fn key_changed_count(&self) -> usize {
        self.snapshot
            .contacts
            .iter()
            .filter(|c| matches!(c.status, TrustStatus::KeyChanged { .. }))
            .count()
    }

    /// How many times the list was reloaded because another process (or another
    /// connection) changed the store. Screens that loaded more than the list (a
    /// contact's keys and history) load again when this changes.
    pub fn outside_changes(&self) -> u64 {
        self.outside_changes
    }

    /// True when no job is outstanding (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.pending == 0
    }
}

fn snapshot(store: &Store, own: Option<&OwnKeys>) -> Snapshot {
    let Some(own) = own else {
        return Snapshot {
            contacts: Vec::new(),
            error: Some(
                "your identity cannot be used, so no contact's status can be read (statuses come from receipts your identity signed)"
                    .to_owned(),
            ),
            loaded: true,
        };
    };
    match store.list(own) {
        Ok(mut contacts) => {
            contacts.sort_by_key(|c| {
                (
                    !matches!(c.status, TrustStatus::KeyChanged { .. }),
                    c.name.to_lowercase(),
                )
            });
            Snapshot {
                contacts,
                error: None,
                loaded: true,
            }
        }
        Err(e) => Snapshot {
            contacts: Vec::new(),
            error: Some(e.to_string()),
            loaded: true,
        },
    }
}

fn worker(path: Option<PathBuf>, own: Option<OwnKeys>, rx: Receiver<Request>, tx: Sender<Reply>) {
    let mut ctx: Option<egui::Context> = None;
    let opened = match &path {
        Some(p) => Store::open(p).map_err(|e| e.to_string()),
        None => Err("no data directory for the trust store; set VERIFIER_STORE".to_owned()),
    };
    let mut store = match opened {
        Ok(s) => Some(s),
        Err(error) => {
            let _ = tx.send(Reply::Snapshot(Snapshot {
                contacts: Vec::new(),
                error: Some(error),
                loaded: true,
            }));
            None
        }
    };
    // The data version that the last list sent to the UI reflects (read before the list).
    let mut seen = store.as_ref().and_then(|s| s.data_version().ok());
    if let Some(s) = &store {
        let _ = tx.send(Reply::Snapshot(snapshot(s, own.as_ref())));
    }
    let wake = |ctx: &Option<egui::Context>| {
        if let Some(c) = ctx {
            c.request_repaint();
        }
    };
    let mut next_check = Instant::now() + WATCH_INTERVAL;
    loop {
        // Blocks until a job comes or it is time to check: never a busy loop. Without a
        // store there is nothing to watch (`Duration::MAX`: a plain blocking receive).
        let wait = match &store {
            Some(_) => next_check.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        };
        let req = match rx.recv_timeout(wait) {
            Ok(req) => Some(req),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Checked on time even while jobs keep coming.
        if Instant::now() >= next_check {
            next_check = Instant::now() + WATCH_INTERVAL;
            if let Some(s) = &store
                && let Ok(v) = s.data_version()
                && seen != Some(v)
            {
                seen = Some(v);
                let _ = tx.send(Reply::Changed(snapshot(s, own.as_ref())));
                wake(&ctx);
            }
        }
        let Some(req) = req else { continue };
        match req {
            Request::Context(c) => {
                c.request_repaint();
                ctx = Some(c);
            }
            Request::Run { tag, job } => {
                let result = match store.as_mut() {
                    Some(s) => job(s),
                    None => Err("the trust store is not available".to_owned()),
                };
                // The list sent with the result includes every outside change so far.
                let mut outside = false;
                if let Some(v) = store.as_ref().and_then(|s| s.data_version().ok()) {
                    outside = seen.is_some_and(|old| old != v);
                    seen = Some(v);
                }
                let _ = tx.send(Reply::Done {
                    tag,
                    result,
                    snapshot: store.as_ref().map(|s| snapshot(s, own.as_ref())),
                    outside,
                });
                wake(&ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier_core::identity::Identity;
    use verifier_core::receipt::Timestamp;

    fn own() -> Option<OwnKeys> {
        let me = Identity::from_seed(&[1; 32]).unwrap();
        Some(OwnKeys::new(me.public_key()))
    }

    fn wait_idle(client: &mut StoreClient, ctx: &egui::Context) {
        let start = std::time::Instant::now();
        loop {
            client.poll(ctx);
            if client.is_idle() {
                return;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "store worker still busy after 30 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn once_idle_the_list_includes_every_finished_job() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = egui::Context::default();
        let mut client = StoreClient::start(Some(dir.path().join("store.sqlite3")), own());
        wait_idle(&mut client, &ctx);
        for i in 0..20 {
            let name = format!("C{i}");
            let job_name = name.clone();
            client.submit("add", move |s| {
                s.add_contact(&job_name, None, Timestamp::from_unix_secs(1))
                    .map(|_| String::new())
                    .map_err(|e| e.to_string())
            });
            wait_idle(&mut client, &ctx);
            assert_eq!(client.result("add"), Some(&Ok(String::new())));
            assert!(
                client.snapshot().contacts.iter().any(|c| c.name == name),
                "job {i} finished but the list does not have {name}"
            );
        }
    }

    #[test]
    fn a_change_by_another_connection_arrives_without_a_job() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite3");
        let ctx = egui::Context::default();
        let mut client = StoreClient::start(Some(path.clone()), own());
        wait_idle(&mut client, &ctx);
        assert_eq!(client.outside_changes(), 0);
        let mut other = Store::open(&path).unwrap();
        other
            .add_contact("Carol", None, Timestamp::from_unix_secs(1))
            .unwrap();
        let start = std::time::Instant::now();
        while !client.snapshot().contacts.iter().any(|c| c.name == "Carol") {
            assert!(
                start.elapsed() < 3 * WATCH_INTERVAL,
                "the outside change did not arrive"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
            client.poll(&ctx);
        }
        let seen = client.outside_changes();
        assert!(seen >= 1, "counted as an outside change");
        assert!(client.is_idle(), "a reload is not a job");
        // Nothing more changed: no further reload.
        std::thread::sleep(2 * WATCH_INTERVAL);
        client.poll(&ctx);
        assert_eq!(client.outside_changes(), seen);
    }
}
