//! A bounded broadcast of events from the frame loop to the page's event streams and the press
//! log: a fixed ring every reader follows at its own pace. The frame loop never waits on it; a
//! reader that falls a whole ring behind skips to the oldest event still held.

use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use crate::event::Event;

/// Events held: several seconds of the busiest gestures, at most a few per frame.
pub const RING: usize = 256;

struct Ring {
    events: [Option<Event>; RING],
    /// Sequence number of the next event pushed; event `n` sits at `n % RING`.
    next: u64,
}

/// The shared ring.
pub struct EventRing {
    ring: Mutex<Ring>,
    pushed: Condvar,
}

impl Default for EventRing {
    fn default() -> Self {
        Self {
            ring: Mutex::new(Ring {
                events: [None; RING],
                next: 0,
            }),
            pushed: Condvar::new(),
        }
    }
}

impl EventRing {
    /// Appends `events` unless a reader holds the ring at this instant; never waits. Returns
    /// whether they were stored, so the caller keeps them for its next try.
    pub fn try_push(&self, events: &[Event]) -> bool {
        let mut ring = match self.ring.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return false,
        };
        for e in events {
            let at = (ring.next % RING as u64) as usize;
            ring.events[at] = Some(*e);
            ring.next += 1;
        }
        drop(ring);
        self.pushed.notify_all();
        true
    }

    /// The sequence number the next event will get: a new reader starts here.
    pub fn head(&self) -> u64 {
        self.lock().next
    }

    /// Events from sequence number `from` on, into `out`, waiting up to `wait` for one; returns
    /// the sequence number to ask for next.
    pub fn read(&self, from: u64, wait: Duration, out: &mut Vec<Event>) -> u64 {
        let mut ring = self.lock();
        if ring.next <= from {
            ring = match self.pushed.wait_timeout(ring, wait) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
        let from = from.max(ring.next.saturating_sub(RING as u64));
        for n in from..ring.next {
            if let Some(e) = ring.events[(n % RING as u64) as usize] {
                out.push(e);
            }
        }
        ring.next
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }
}
