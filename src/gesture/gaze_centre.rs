//! The default profile's centre, learned online: where this face's iris rests (head-compensated)
//! while the person looks about the centre. Iris rest positions between the eye corners differ
//! between faces (on the shared videos the medians lie 0.2 half eye widths apart), which would
//! make one fixed centre too eager on one side and too lazy on the other.
//!
//! A held look never moves it: only frames that read as centre are sampled, the centre is a
//! median over many seconds, and it may drift at most [`CENTRE_LIMIT`] from straight ahead.
//! Fixed storage: no allocation after construction.

use super::gaze::GazeProfile;

/// Samples kept: at [`SAMPLE_MS`] apart, 16 s of looking about the centre.
const CAPACITY: usize = 64;
/// Time between samples, so that seconds, not frames, make the median at any frame rate.
const SAMPLE_MS: u64 = 250;
/// Samples needed before the learned centre replaces straight ahead: 2 s of centre frames.
const MIN_SAMPLES: usize = 8;
/// Farthest the centre may move from straight ahead, in half eye widths (0.1 of the eye width,
/// a mild look): farther means the person is not looking near the camera, and the thresholds
/// must not follow them there.
pub const CENTRE_LIMIT: f32 = 0.2;

/// Running median of the compensated iris x of centre frames.
#[derive(Debug, Clone)]
pub struct CentreTracker {
    ring: [f32; CAPACITY],
    len: usize,
    next: usize,
    last_sample: Option<u64>,
    centre: f32,
}

impl CentreTracker {
    /// Straight ahead, nothing learned.
    pub fn new() -> Self {
        Self {
            ring: [0.0; CAPACITY],
            len: 0,
            next: 0,
            last_sample: None,
            centre: 0.0,
        }
    }

    /// `base` moved to the learned centre.
    pub fn profile(&self, base: &GazeProfile) -> GazeProfile {
        base.centred_at(self.centre)
    }

    /// Offers one open-eyed frame that read as centre, with its compensated iris x.
    pub fn learn(&mut self, t: u64, x: f32) {
        if !x.is_finite() || self.last_sample.is_some_and(|s| t < s + SAMPLE_MS) {
            return;
        }
        self.last_sample = Some(t);
        self.ring[self.next] = x;
        self.next = (self.next + 1) % CAPACITY;
        self.len = (self.len + 1).min(CAPACITY);
        if self.len >= MIN_SAMPLES {
            let mut scratch = self.ring;
            let values = &mut scratch[..self.len];
            let (_, median, _) = values.select_nth_unstable_by(self.len / 2, f32::total_cmp);
            self.centre = median.clamp(-CENTRE_LIMIT, CENTRE_LIMIT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fed(values: impl IntoIterator<Item = f32>) -> CentreTracker {
        let mut c = CentreTracker::new();
        for (i, x) in values.into_iter().enumerate() {
            c.learn(i as u64 * SAMPLE_MS, x);
        }
        c
    }

    #[test]
    fn straight_ahead_until_enough_samples() {
        assert_eq!(fed([0.1; MIN_SAMPLES - 1]).centre, 0.0);
        assert_eq!(fed([0.1; MIN_SAMPLES]).centre, 0.1);
    }

    #[test]
    fn samples_closer_than_the_interval_count_once() {
        let mut c = CentreTracker::new();
        for t in 0..100 {
            c.learn(t, 0.1);
        }
        assert_eq!(c.len, 1);
    }

    #[test]
    fn median_ignores_a_minority_and_the_limit_holds() {
        let mostly = [0.05; 40].into_iter().chain([0.3; 20]);
        assert_eq!(fed(mostly).centre, 0.05);
        assert_eq!(fed([0.5; 20]).centre, CENTRE_LIMIT);
        assert_eq!(fed([-0.5; 20]).centre, -CENTRE_LIMIT);
    }
}
