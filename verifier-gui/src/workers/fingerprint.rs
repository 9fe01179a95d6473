//! The fingerprint worker: side fingerprints of keys (stretched hashes, see
//! [`SideFingerprint::compute`]) computed on a thread of its own, never on the
//! UI thread.
//!
//! A screen asks for the fingerprints of some keys ([`FingerprintWorker::request`])
//! and takes the answers as they come ([`FingerprintWorker::poll`]), keeping
//! the one it still wants. Only the newest request waiting is computed: a
//! screen that asked again no longer wants the older answer. The thread ends
//! when the worker is dropped. Where no thread can be started, the
//! fingerprints are computed at the request rather than never shown.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use verifier_core::key::PublicKey;
use verifier_core::safety_number::{Party, SideFingerprint};

/// The fingerprints of the keys of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprints {
    /// The keys asked for, in the order asked.
    pub keys: Vec<PublicKey>,
    /// Their side fingerprints, in the same order.
    pub fingerprints: Vec<SideFingerprint>,
}

impl Fingerprints {
    /// Computes the fingerprints of `keys` here and now (on the worker thread).
    fn compute(keys: Vec<PublicKey>) -> Self {
        let fingerprints = keys
            .iter()
            .map(|k| SideFingerprint::compute(&Party::new(k)))
            .collect();
        Fingerprints { keys, fingerprints }
    }
}

/// A screen's handle on its fingerprint thread.
pub struct FingerprintWorker {
    /// Requests to the thread; `None` once there is no thread.
    jobs: Option<Sender<Vec<PublicKey>>>,
    results: Receiver<Fingerprints>,
    /// The last request not answered yet.
    pending: Option<Vec<PublicKey>>,
    /// Answers computed without the thread, for the next [`Self::poll`].
    ready: Vec<Fingerprints>,
}

impl FingerprintWorker {
    /// Starts the thread; it wakes the UI (`ctx`) whenever an answer is ready.
    pub fn start(ctx: &egui::Context) -> Self {
        let (jobs, job_rx) = channel::<Vec<PublicKey>>();
        let (result_tx, results) = channel::<Fingerprints>();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("fingerprints".to_owned())
            .spawn(move || run(job_rx, result_tx, ctx));
        FingerprintWorker {
            jobs: spawned.is_ok().then_some(jobs),
            results,
            pending: None,
            ready: Vec::new(),
        }
    }

    /// Asks for the fingerprints of `keys` (answered by [`Self::poll`]).
    pub fn request(&mut self, keys: Vec<PublicKey>) {
        let keys = match &self.jobs {
            Some(tx) => match tx.send(keys.clone()) {
                Ok(()) => {
                    self.pending = Some(keys);
                    return;
                }
                Err(unsent) => unsent.0,
            },
            None => keys,
        };
        // No thread: compute here rather than show nothing.
        self.jobs = None;
        self.ready.push(Fingerprints::compute(keys));
    }

    /// The answers ready since the last call, oldest first.
    pub fn poll(&mut self) -> Vec<Fingerprints> {
        let mut out = std::mem::take(&mut self.ready);
        loop {
            match self.results.try_recv() {
                Ok(done) => {
                    if self.pending.as_ref() == Some(&done.keys) {
                        self.pending = None;
                    }
                    out.push(done);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // The thread is gone: the request it left unanswered is computed here.
                    self.jobs = None;
                    if let Some(keys) = self.pending.take() {
                        out.push(Fingerprints::compute(keys));
                    }
                    break;
                }
            }
        }
        out
    }
}

/// The thread: answers the newest request waiting, until the worker is dropped.
fn run(jobs: Receiver<Vec<PublicKey>>, results: Sender<Fingerprints>, ctx: egui::Context) {
    while let Ok(mut keys) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            keys = newer;
        }
        if results.send(Fingerprints::compute(keys)).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verifier_core::identity::Identity;

    fn key(seed: u8) -> PublicKey {
        Identity::from_seed(&[seed; 32]).unwrap().public_key()
    }

    fn wait(worker: &mut FingerprintWorker) -> Vec<Fingerprints> {
        for _ in 0..2000 {
            let got = worker.poll();
            if !got.is_empty() {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Vec::new()
    }

    #[test]
    fn answers_on_its_thread_in_the_order_asked() {
        let ctx = egui::Context::default();
        let mut worker = FingerprintWorker::start(&ctx);
        let (a, b) = (key(1), key(2));
        worker.request(vec![a, b]);
        let got = wait(&mut worker);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].keys, vec![a, b]);
        assert_eq!(
            got[0].fingerprints,
            vec![
                SideFingerprint::compute(&Party::new(&a)),
                SideFingerprint::compute(&Party::new(&b)),
            ]
        );
        assert!(worker.poll().is_empty());
    }

    #[test]
    fn without_a_thread_the_answer_is_computed_at_the_request() {
        let (_, results) = channel();
        let mut worker = FingerprintWorker {
            jobs: None,
            results,
            pending: None,
            ready: Vec::new(),
        };
        let a = key(3);
        worker.request(vec![a]);
        let got = worker.poll();
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].fingerprints,
            vec![SideFingerprint::compute(&Party::new(&a))]
        );
    }
}
