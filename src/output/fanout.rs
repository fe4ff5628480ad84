//! Sends each event to every output without ever blocking the sender.
//!
//! Each output gets a bounded queue and its own thread. A full queue drops the event and counts it.
//! A failing output is retried with exponential backoff while the others keep running.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::event::{Event, EventKind, SwitchAction};
use crate::output::{Output, OutputError};

/// How long [`FanOut::shutdown`] waits for the workers to release their switches. A worker's
/// device writes are bounded (serial write timeout, non-blocking HID), so this is generous.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How often shutdown checks whether the workers have finished.
const SHUTDOWN_POLL: Duration = Duration::from_millis(5);

/// Retry delays for a failing output: `first`, doubling up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 100 ms is quick enough to catch a replugged USB serial adapter; 5 s keeps an absent device
    /// from filling the log.
    fn default() -> Self {
        Self {
            first: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }
}

/// Queue depth and retry policy of one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSettings {
    /// Events buffered before new ones are dropped.
    pub capacity: usize,
    pub backoff: Backoff,
}

impl Default for QueueSettings {
    /// 64 events is several seconds of switch activity; beyond that the events are stale anyway.
    fn default() -> Self {
        Self {
            capacity: 64,
            backoff: Backoff::default(),
        }
    }
}

/// A snapshot of one output's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputCounters {
    pub name: String,
    /// Events the output accepted.
    pub delivered: u64,
    /// Events dropped because the queue was full (or the worker had stopped).
    pub dropped: u64,
    /// Events the output failed on or that arrived while it was failing.
    pub failed: u64,
}

/// State shared between the sender and one worker.
#[derive(Default)]
struct Shared {
    delivered: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    /// Set when a release was dropped, so the worker releases everything to avoid a stuck switch.
    resync: AtomicBool,
    stop: AtomicBool,
}

struct Worker {
    name: String,
    tx: Option<SyncSender<Event>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The set of running outputs.
#[derive(Default)]
pub struct FanOut {
    workers: Vec<Worker>,
}

impl FanOut {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `output` on its own thread with default queue settings.
    pub fn add(&mut self, output: impl Output + 'static) -> Result<(), OutputError> {
        self.add_with(output, QueueSettings::default())
    }

    /// Starts `output` on its own thread.
    pub fn add_with(
        &mut self,
        output: impl Output + 'static,
        settings: QueueSettings,
    ) -> Result<(), OutputError> {
        let name = output.name().to_owned();
        let (tx, rx) = mpsc::sync_channel(settings.capacity.max(1));
        let shared = Arc::new(Shared::default());
        let worker_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name(format!("out {name}"))
            .spawn(move || run(output, rx, &worker_shared, settings.backoff))
            .map_err(|source| OutputError::Spawn {
                output: name.clone(),
                source,
            })?;
        self.workers.push(Worker {
            name,
            tx: Some(tx),
            shared,
            thread: Some(thread),
        });
        Ok(())
    }

    /// Queues `event` for every output; never blocks.
    pub fn send(&self, event: &Event) {
        for worker in &self.workers {
            let Some(tx) = &worker.tx else { continue };
            match tx.try_send(*event) {
                Ok(()) => {}
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                    worker.shared.dropped.fetch_add(1, Ordering::Relaxed);
                    if is_release(event) {
                        worker.shared.resync.store(true, Ordering::Release);
                    }
                }
            }
        }
    }

    /// Counters of every output, in the order they were added.
    pub fn counters(&self) -> Vec<OutputCounters> {
        self.workers
            .iter()
            .map(|w| OutputCounters {
                name: w.name.clone(),
                delivered: w.shared.delivered.load(Ordering::Relaxed),
                dropped: w.shared.dropped.load(Ordering::Relaxed),
                failed: w.shared.failed.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Stops every worker after it has released all switches. Queued events are discarded:
    /// on a signal, releasing at once matters more than the events still waiting.
    pub fn shutdown(&mut self) {
        self.stop(true);
    }

    /// As [`FanOut::shutdown`], but each output first delivers the events already queued, so
    /// the last ones (the final release, `camera lost`) reach stdout and serial too.
    pub fn finish(&mut self) {
        self.stop(false);
    }

    fn stop(&mut self, discard: bool) {
        for worker in &mut self.workers {
            if discard {
                worker.shared.stop.store(true, Ordering::Release);
            }
            // Disconnected: the worker drains what is queued, then releases and ends.
            worker.tx = None;
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        for worker in &mut self.workers {
            let Some(thread) = worker.thread.take() else {
                continue;
            };
            while !thread.is_finished() && Instant::now() < deadline {
                thread::sleep(SHUTDOWN_POLL);
            }
            if !thread.is_finished() {
                log::error!(
                    "{}: did not stop within {SHUTDOWN_GRACE:?}; its switches may not be released",
                    worker.name
                );
            } else if thread.join().is_err() {
                log::error!("{}: its worker thread panicked", worker.name);
            }
        }
    }
}

impl Drop for FanOut {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn is_release(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::Switch {
            action: SwitchAction::Release,
            ..
        }
    )
}

/// When a failed output is next tried, and the delay that led there.
#[derive(Clone, Copy)]
struct Retry {
    at: Instant,
    delay: Duration,
}

impl Retry {
    fn first(backoff: Backoff) -> Self {
        Self {
            at: Instant::now() + backoff.first,
            delay: backoff.first,
        }
    }
}

/// The worker loop: deliver, and on failure retry with backoff; always release on exit.
fn run(mut output: impl Output, rx: Receiver<Event>, shared: &Shared, backoff: Backoff) {
    let mut retry = (!output.is_connected()).then(|| Retry::first(backoff));
    // A run that crashed or was killed by the watchdog may have left a key down on the host or
    // a line closed: every output starts by releasing everything (recovery does the same).
    if retry.is_none() {
        if let Err(e) = output.release_all() {
            log::warn!("{e}; retrying in {:?}", backoff.first);
            retry = Some(Retry::first(backoff));
        }
    }
    let mut wake: Option<Instant> = None;
    loop {
        let deadline = match (retry.map(|r| r.at), wake) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let received = match deadline {
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        if shared.stop.load(Ordering::Acquire) {
            break;
        }
        match received {
            Ok(event) if retry.is_some() => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                log::debug!(
                    "{}: failing, event at {} ms not sent",
                    output.name(),
                    event.t_ms
                );
            }
            Ok(event) => match output.send(&event) {
                Ok(()) => {
                    shared.delivered.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                    log::warn!("{e}; retrying in {:?}", backoff.first);
                    retry = Some(Retry::first(backoff));
                }
            },
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if retry.is_none() && shared.resync.swap(false, Ordering::AcqRel) {
            if let Err(e) = output.release_all() {
                log::warn!("{e}; retrying in {:?}", backoff.first);
                retry = Some(Retry::first(backoff));
            }
        }
        if let Some(r) = retry {
            if Instant::now() >= r.at {
                retry = attempt_recovery(&mut output, r, backoff);
            }
        }
        if retry.is_none() {
            wake = match output.poll(Instant::now()) {
                Ok(next) => next,
                Err(e) => {
                    log::warn!("{e}");
                    None
                }
            };
        }
    }
    if let Err(e) = output.release_all() {
        log::error!("{e}; switches of this output may still be closed");
    }
}

/// Reopens the output and releases everything; on failure, doubles the delay.
fn attempt_recovery(output: &mut impl Output, r: Retry, backoff: Backoff) -> Option<Retry> {
    match output.recover().and_then(|()| output.release_all()) {
        Ok(()) => {
            log::info!("{}: recovered", output.name());
            None
        }
        Err(e) => {
            let delay = (r.delay * 2).min(backoff.max);
            log::debug!("{e}; retrying in {delay:?}");
            Some(Retry {
                at: Instant::now() + delay,
                delay,
            })
        }
    }
}
