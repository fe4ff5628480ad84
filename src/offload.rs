//! One model on a thread of its own, so a second core runs it while the caller's thread runs
//! another model: the two eyes' iris runs of a frame overlap instead of queueing.
//!
//! The input and outputs travel through buffers made at start-up and swapped, never
//! reallocated, so the hot loop stays allocation-free on both threads.

use std::path::Path;
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::alloc_count;
use crate::inference::{Model, ModelError, ModelSpec};

/// Where a job is; the caller and the worker take turns on the buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// The buffers are the caller's: no job, or the last job's outputs to read.
    Caller,
    /// The input is the worker's to run.
    Worker,
    /// The worker is to stop.
    Stop,
}

struct Job {
    turn: Turn,
    input: Vec<f32>,
    outputs: Vec<Vec<f32>>,
    error: Option<ModelError>,
}

struct Shared {
    job: Mutex<Job>,
    changed: Condvar,
}

/// A model loaded and run on its own thread.
pub struct Offload {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    file: &'static str,
}

/// Why the worker is gone: it panicked, so its mutex is poisoned.
fn worker_lost(file: &'static str) -> ModelError {
    ModelError::Run {
        file,
        source: tract_onnx::prelude::TractError::msg("the model's worker thread stopped"),
    }
}

impl Offload {
    /// Loads `dir/spec.file` on a new thread; returns once it is loaded (or failed to).
    pub fn start(dir: &Path, spec: ModelSpec) -> Result<Offload, ModelError> {
        let len = spec.input.iter().product();
        let shared = Arc::new(Shared {
            job: Mutex::new(Job {
                turn: Turn::Caller,
                input: vec![0.0; len],
                outputs: spec.outputs.iter().map(|n| vec![0.0; *n]).collect(),
                error: None,
            }),
            changed: Condvar::new(),
        });
        let (loaded_tx, loaded_rx) = mpsc::sync_channel(1);
        let dir = dir.to_path_buf();
        let worker_shared = Arc::clone(&shared);
        // The bench and the hot-loop tests count the worker's allocations with the caller's.
        let tracked = alloc_count::is_tracked();
        let thread = std::thread::Builder::new()
            .name(format!("offload {}", spec.file))
            .spawn(move || {
                let _tracking = tracked.then(alloc_count::track_this_thread);
                match Model::load(&dir, spec) {
                    Ok(model) => {
                        // A send fails only when `start` has already given up on us.
                        if loaded_tx.send(Ok(())).is_ok() {
                            serve(model, &worker_shared, len);
                        }
                    }
                    Err(e) => {
                        let _ = loaded_tx.send(Err(e));
                    }
                }
            })
            .map_err(|source| ModelError::Thread {
                file: spec.file,
                source,
            })?;
        let lost = || worker_lost(spec.file);
        loaded_rx.recv().map_err(|_| lost())??;
        Ok(Offload {
            shared,
            thread: Some(thread),
            file: spec.file,
        })
    }

    /// Hands `input` to the worker and returns at once; [`Offload::finish`] waits for it.
    pub fn submit(&mut self, input: &[f32]) -> Result<(), ModelError> {
        let file = self.file;
        // A job still running (its caller returned early on an error) finishes first.
        let mut job = self
            .shared
            .changed
            .wait_while(self.lock()?, |j| j.turn == Turn::Worker)
            .map_err(|_| worker_lost(file))?;
        if input.len() != job.input.len() {
            return Err(ModelError::InputLength {
                file: self.file,
                got: input.len(),
                want: job.input.len(),
            });
        }
        job.input.copy_from_slice(input);
        job.turn = Turn::Worker;
        drop(job);
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Waits for the job [`Offload::submit`] handed over; the outputs are borrowed until the
    /// next submit.
    pub fn finish(&mut self) -> Result<OffloadOutputs<'_>, ModelError> {
        let file = self.file;
        let job = self.lock()?;
        let mut job = self
            .shared
            .changed
            .wait_while(job, |j| j.turn == Turn::Worker)
            .map_err(|_| worker_lost(file))?;
        if let Some(e) = job.error.take() {
            return Err(e);
        }
        Ok(OffloadOutputs { job })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Job>, ModelError> {
        self.shared.job.lock().map_err(|_| worker_lost(self.file))
    }
}

impl Drop for Offload {
    fn drop(&mut self) {
        if let Ok(mut job) = self.shared.job.lock() {
            job.turn = Turn::Stop;
        }
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The worker's loop: run each submitted input, without holding the lock while it runs.
fn serve(mut model: Model, shared: &Shared, len: usize) {
    let mut input = vec![0.0; len];
    let Ok(mut job) = shared.job.lock() else {
        return;
    };
    loop {
        job = match shared.changed.wait_while(job, |j| j.turn == Turn::Caller) {
            Ok(job) => job,
            Err(_) => return,
        };
        if job.turn == Turn::Stop {
            return;
        }
        std::mem::swap(&mut input, &mut job.input);
        drop(job);
        let result = model.run(&input);
        job = match shared.job.lock() {
            Ok(job) => job,
            Err(_) => return,
        };
        // Dropped while this job ran: the caller is gone, and `Stop` must not be overwritten.
        if job.turn == Turn::Stop {
            return;
        }
        std::mem::swap(&mut input, &mut job.input);
        let copied = result.and_then(|outputs| {
            for (ix, out) in job.outputs.iter_mut().enumerate() {
                // Sizes were checked against the spec when the model loaded.
                out.copy_from_slice(outputs.get(ix)?);
            }
            Ok(())
        });
        job.error = copied.err();
        job.turn = Turn::Caller;
        shared.changed.notify_all();
    }
}

/// The outputs of the last job, flat, in model order.
pub struct OffloadOutputs<'a> {
    job: MutexGuard<'a, Job>,
}

impl OffloadOutputs<'_> {
    /// Output `ix`; an index past the model's outputs gives an empty slice.
    pub fn get(&self, ix: usize) -> &[f32] {
        self.job.outputs.get(ix).map_or(&[], Vec::as_slice)
    }
}
