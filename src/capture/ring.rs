//! A fixed ring of frame buffers between the capture thread and the consumer.
//!
//! The producer never waits for the consumer: when every buffer is full it overwrites the
//! oldest unread frame and counts a drop. Buffers move between the lists (no copies under the
//! lock) and keep their capacity, so after each has held one frame nothing is allocated.

use super::{CaptureError, EncodedFrame, Encoding};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Fewest buffers that keep the producer from ever waiting: one being filled, one held by the
/// consumer, one queued.
pub const MIN_SLOTS: usize = 3;

/// One frame buffer, with its frame's metadata.
#[derive(Debug)]
pub struct Slot {
    pub data: Vec<u8>,
    pub encoding: Encoding,
    pub t_ms: u64,
    pub index: u64,
}

impl Slot {
    fn empty() -> Slot {
        Slot {
            // Room for any MJPEG frame from the start (untouched pages cost no memory), so a
            // frame larger than the ones before it does not grow a buffer in the hot loop.
            data: Vec::with_capacity(super::replay::FRAME_CAPACITY),
            encoding: Encoding::Jpeg,
            t_ms: 0,
            index: 0,
        }
    }

    /// Copies `frame` in, reusing this buffer's capacity.
    pub fn fill(&mut self, frame: &EncodedFrame<'_>) {
        self.data.clear();
        self.data.extend_from_slice(frame.data);
        self.encoding = frame.encoding;
        self.t_ms = frame.t_ms;
        self.index = frame.index;
    }

    pub fn frame(&self) -> EncodedFrame<'_> {
        EncodedFrame {
            data: &self.data,
            encoding: self.encoding,
            t_ms: self.t_ms,
            index: self.index,
        }
    }
}

#[derive(Debug)]
struct State {
    free: VecDeque<Slot>,
    /// Filled buffers, oldest first.
    ready: VecDeque<Slot>,
    dropped: u64,
    /// The producer has finished; `error` says why if it was not the end of the stream.
    closed: bool,
    error: Option<CaptureError>,
    /// The consumer has gone; the producer should stop.
    stopped: bool,
}

/// The shared ring.
#[derive(Debug)]
pub struct FrameRing {
    state: Mutex<State>,
    ready: Condvar,
}

impl FrameRing {
    /// A ring of `slots` buffers (at least [`MIN_SLOTS`]).
    pub fn new(slots: usize) -> FrameRing {
        let slots = slots.max(MIN_SLOTS);
        FrameRing {
            state: Mutex::new(State {
                free: (0..slots).map(|_| Slot::empty()).collect(),
                ready: VecDeque::with_capacity(slots),
                dropped: 0,
                closed: false,
                error: None,
                stopped: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Producer: a buffer to fill. Takes the oldest unread frame's buffer (a drop) if no
    /// buffer is free; `None` only if the consumer holds more buffers than it should.
    pub fn take(&self) -> Option<Slot> {
        let mut state = self.lock();
        if let Some(slot) = state.free.pop_front() {
            return Some(slot);
        }
        let oldest = state.ready.pop_front();
        state.dropped += 1;
        oldest
    }

    /// Producer: hands a filled buffer to the consumer.
    pub fn publish(&self, slot: Slot) {
        self.lock().ready.push_back(slot);
        self.ready.notify_one();
    }

    /// Producer: no more frames; `error` if the source failed rather than ended.
    pub fn close(&self, error: Option<CaptureError>) {
        let mut state = self.lock();
        state.closed = true;
        if state.error.is_none() {
            state.error = error;
        }
        drop(state);
        self.ready.notify_all();
    }

    /// Producer: whether the consumer asked it to stop.
    pub fn stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Consumer: the oldest unread frame, waiting for one; `None` once closed and drained.
    pub fn recv(&self) -> Result<Option<Slot>, CaptureError> {
        self.wait_for_frame(None)
    }

    /// Consumer: as [`FrameRing::recv`], but gives up after `timeout` with
    /// [`CaptureError::NoFrame`], so a stalled source never blocks the consumer for longer.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Slot>, CaptureError> {
        self.wait_for_frame(Some((Instant::now() + timeout, timeout)))
    }

    /// Waits for a frame or the end, forever or until `deadline` (with the timeout it came from).
    fn wait_for_frame(
        &self,
        deadline: Option<(Instant, Duration)>,
    ) -> Result<Option<Slot>, CaptureError> {
        let mut state = self.lock();
        loop {
            if let Some(slot) = state.ready.pop_front() {
                return Ok(Some(slot));
            }
            if state.closed {
                return state.error.take().map_or(Ok(None), Err);
            }
            // A poisoned lock is still usable: see [`FrameRing::lock`].
            state = match deadline {
                None => self
                    .ready
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
                Some((at, timeout)) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(CaptureError::NoFrame { waited: timeout });
                    }
                    self.ready
                        .wait_timeout(state, left)
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .0
                }
            };
        }
    }

    /// Consumer: returns a buffer once its frame is used.
    pub fn recycle(&self, slot: Slot) {
        self.lock().free.push_back(slot);
    }

    /// Consumer: asks the producer to stop.
    pub fn stop(&self) {
        self.lock().stopped = true;
    }

    /// Frames overwritten before the consumer read them.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// The state stays consistent even if a holder panicked (every update is one statement),
    /// so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(ring: &FrameRing, index: u64) {
        let mut slot = ring.take().expect("producer always gets a buffer");
        let data = [index as u8; 16];
        slot.fill(&EncodedFrame {
            data: &data,
            encoding: Encoding::Jpeg,
            t_ms: index,
            index,
        });
        ring.publish(slot);
    }

    #[test]
    fn overload_drops_the_oldest_and_counts() {
        let ring = FrameRing::new(4);
        for i in 0..10 {
            push(&ring, i);
        }
        assert_eq!(ring.dropped(), 6);
        ring.close(None);
        let mut got = Vec::new();
        while let Some(slot) = ring.recv().expect("no error") {
            got.push(slot.index);
            assert_eq!(slot.data, [slot.index as u8; 16]);
            ring.recycle(slot);
        }
        assert_eq!(got, [6, 7, 8, 9]);
    }

    #[test]
    fn a_held_buffer_never_blocks_the_producer() {
        let ring = FrameRing::new(MIN_SLOTS);
        push(&ring, 0);
        let held = ring.recv().expect("no error").expect("a frame");
        for i in 1..100 {
            push(&ring, i);
        }
        assert_eq!(held.index, 0);
        assert_eq!(ring.dropped(), 97);
        ring.recycle(held);
        assert_eq!(ring.recv().expect("no error").map(|s| s.index), Some(98));
    }

    #[test]
    fn recv_timeout_gives_up_then_still_receives() {
        let ring = FrameRing::new(4);
        let wait = Duration::from_millis(20);
        let t0 = Instant::now();
        assert!(matches!(
            ring.recv_timeout(wait),
            Err(CaptureError::NoFrame { .. })
        ));
        assert!(t0.elapsed() >= wait);
        push(&ring, 3);
        let got = ring.recv_timeout(wait).expect("no error").map(|s| s.index);
        assert_eq!(got, Some(3));
        ring.close(None);
        assert!(matches!(ring.recv_timeout(wait), Ok(None)));
    }

    #[test]
    fn close_reports_the_producer_error_after_draining() {
        let ring = FrameRing::new(4);
        push(&ring, 0);
        ring.close(Some(CaptureError::ThreadDied));
        assert!(matches!(ring.recv(), Ok(Some(_))));
        assert!(matches!(ring.recv(), Err(CaptureError::ThreadDied)));
    }
}
