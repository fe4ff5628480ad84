//! Runs an [`EncodedSource`] on its own thread, handing frames over through a [`FrameRing`].
//!
//! A camera delivers frames at its own pace; if inference falls behind, the oldest frame is
//! dropped (and counted) so the consumer always gets the freshest one and the driver's own
//! buffers are never starved.

use super::ring::{FrameRing, Slot};
use super::{CaptureError, EncodedFrame, EncodedSource};
use crate::alloc_count;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Default ring size: enough to absorb a slow frame or two without adding much latency.
pub const DEFAULT_SLOTS: usize = 4;

/// The consumer's end of a capture thread; itself an [`EncodedSource`].
///
/// Dropping it asks the thread to stop and detaches it (a camera being reopened may take
/// seconds to notice); [`CaptureThread::stop`] waits for it instead.
#[derive(Debug)]
pub struct CaptureThread {
    ring: Arc<FrameRing>,
    /// The frame the consumer is reading; recycled on the next call.
    current: Option<Slot>,
    handle: Option<JoinHandle<()>>,
    /// Longest wait for a frame before [`CaptureError::NoFrame`]; forever when `None`.
    timeout: Option<Duration>,
}

impl CaptureThread {
    /// Starts `source` on a thread named `capture`, with [`DEFAULT_SLOTS`] buffers.
    pub fn spawn<S: EncodedSource + Send + 'static>(
        source: S,
    ) -> Result<CaptureThread, CaptureError> {
        CaptureThread::with_slots(source, DEFAULT_SLOTS)
    }

    /// As [`CaptureThread::spawn`], with `slots` buffers (raised to 3 if fewer: one being
    /// filled, one being read, one queued).
    pub fn with_slots<S: EncodedSource + Send + 'static>(
        source: S,
        slots: usize,
    ) -> Result<CaptureThread, CaptureError> {
        let ring = Arc::new(FrameRing::new(slots));
        let producer = Arc::clone(&ring);
        // The capture thread belongs to its starter's hot loop: count it if the starter is counted.
        let tracked = alloc_count::is_tracked();
        let handle = std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || {
                let _tracking = tracked.then(alloc_count::track_this_thread);
                produce(source, &producer)
            })
            .map_err(CaptureError::Spawn)?;
        Ok(CaptureThread {
            ring,
            current: None,
            handle: Some(handle),
            timeout: None,
        })
    }

    /// Waits at most `timeout` for each frame, then returns [`CaptureError::NoFrame`] (and
    /// waits again on the next call): the consumer stays in control while the camera stalls.
    pub fn with_timeout(mut self, timeout: Duration) -> CaptureThread {
        self.timeout = Some(timeout);
        self
    }

    /// Frames dropped because the consumer fell behind.
    pub fn dropped(&self) -> u64 {
        self.ring.dropped()
    }

    /// Stops the thread and waits for it to finish its current frame.
    pub fn stop(mut self) {
        self.ring.stop();
        if let Some(handle) = self.handle.take() {
            // A panic on the capture thread was already reported by the panic hook.
            let _ = handle.join();
        }
    }
}

impl EncodedSource for CaptureThread {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        if let Some(slot) = self.current.take() {
            self.ring.recycle(slot);
        }
        self.current = match self.timeout {
            Some(timeout) => self.ring.recv_timeout(timeout)?,
            None => self.ring.recv()?,
        };
        Ok(self.current.as_ref().map(Slot::frame))
    }
}

impl Drop for CaptureThread {
    fn drop(&mut self) {
        self.ring.stop();
    }
}

/// The capture thread's loop: copy each frame into a ring buffer until the end or a stop.
fn produce<S: EncodedSource>(mut source: S, ring: &FrameRing) {
    // Closes the ring even if the source panics, so the consumer never waits forever.
    struct CloseOnExit<'a>(&'a FrameRing);
    impl Drop for CloseOnExit<'_> {
        fn drop(&mut self) {
            let died = std::thread::panicking().then_some(CaptureError::ThreadDied);
            self.0.close(died);
        }
    }
    let guard = CloseOnExit(ring);
    while !ring.stopped() {
        match source.next_encoded() {
            Ok(Some(frame)) => {
                if let Some(mut slot) = ring.take() {
                    slot.fill(&frame);
                    ring.publish(slot);
                }
            }
            Ok(None) => break,
            Err(e) => {
                ring.close(Some(e));
                break;
            }
        }
    }
    drop(guard);
}
