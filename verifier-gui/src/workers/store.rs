//! The trust-store worker: a thread owns the SQLite database; the UI sends it
//! jobs and reads the latest snapshot of the contact list.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use verifier_core::store::{ContactSummary, Store, TrustStatus};

/// A unit of work for the store thread. Returns a message for the UI (Ok or Err).
pub type Job = Box<dyn FnOnce(&mut Store) -> Result<String, String> + Send>;

enum Request {
    Context(egui::Context),
    Run { tag: String, job: Job },
}

enum Reply {
    Snapshot(Snapshot),
    /// A job's result together with the contact list after it, so the UI
    /// never sees the result (or "idle") with the list from before the job.
    Done {
        tag: String,
        result: Result<String, String>,
        snapshot: Option<Snapshot>,
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

/// The UI's handle on the store worker.
pub struct StoreClient {
    tx: Sender<Request>,
    rx: Receiver<Reply>,
    snapshot: Snapshot,
    pending: usize,
    results: Vec<(String, Result<String, String>)>,
    has_context: bool,
}

impl StoreClient {
    /// Starts the worker; it opens the store at `path` (or reports why it cannot).
    pub fn start(path: Option<PathBuf>) -> Self {
        let (tx, worker_rx) = channel::<Request>();
        let (worker_tx, rx) = channel::<Reply>();
        std::thread::Builder::new()
            .name("trust-store".to_owned())
            .spawn(move || worker(path, worker_rx, worker_tx))
            .map_err(|e| e.to_string())
            .ok();
        StoreClient {
            tx,
            rx,
            snapshot: Snapshot::default(),
            pending: 1, // the initial load
            results: Vec::new(),
            has_context: false,
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
                Reply::Done {
                    tag,
                    result,
                    snapshot,
                } => {
                    if let Some(s) = snapshot {
                        self.snapshot = s;
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

    /// True when no job is outstanding (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.pending == 0
    }
}

fn snapshot(store: &Store) -> Snapshot {
    match store.list() {
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

fn worker(path: Option<PathBuf>, rx: Receiver<Request>, tx: Sender<Reply>) {
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
    if let Some(s) = &store {
        let _ = tx.send(Reply::Snapshot(snapshot(s)));
    }
    let wake = |ctx: &Option<egui::Context>| {
        if let Some(c) = ctx {
            c.request_repaint();
        }
    };
    while let Ok(req) = rx.recv() {
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
                let _ = tx.send(Reply::Done {
                    tag,
                    result,
                    snapshot: store.as_ref().map(snapshot),
                });
                wake(&ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier_core::receipt::Timestamp;

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
        let mut client = StoreClient::start(Some(dir.path().join("store.sqlite3")));
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
}
