//! Reopen delays for a lost camera: quick retries for a glitch, slow ones for an unplugged
//! camera, so a missing device does not spin a core.

use std::time::Duration;

/// First retry delay: a USB re-enumeration typically takes a few hundred ms.
const FIRST: Duration = Duration::from_millis(100);
/// Longest delay: a replugged camera is picked up within this time.
const CAP: Duration = Duration::from_secs(5);

/// Exponential backoff: 100 ms, doubling per failure up to 5 s; reset after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { next: FIRST }
    }
}

impl Backoff {
    pub fn new() -> Backoff {
        Backoff::default()
    }

    /// The delay before the next attempt; each call doubles the following one.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(CAP);
        delay
    }

    /// Call once a frame arrives again: the next loss starts from the short delay.
    pub fn reset(&mut self) {
        self.next = FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new();
        let ms: Vec<u128> = (0..9).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
        assert_eq!(b.next_delay(), Duration::from_millis(200));
    }
}
