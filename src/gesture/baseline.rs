//! Per-eye open baseline: the lower quartile of the most recent open-eye openness values.
//!
//! A quantile ignores the few half-closed frames at the edges of blinks; the window forgets, so
//! the baseline follows slow changes (fatigue, pose, lighting). Values that are closed next to
//! the window's upper range are left out, so a stream that starts with the eyes shut gets an
//! open baseline within a few frames of them opening. Fixed storage: no allocation after
//! construction.

/// Largest baseline window the engine supports (`gesture.baseline_window`): over 8 s at 30 fps.
pub const BASELINE_CAPACITY: usize = 256;

/// The baseline quantile. The lower quartile rather than the median: moments of wide-open eyes
/// (surprise, raised brows) must not become "normal", or a frown right after them reads as half
/// closed (cap13, frames 30–120). Blink edges that slip into the window are far fewer than a
/// quarter of it, even in a burst of deliberate blinks.
const QUANTILE: f32 = 0.25;

/// The window's reference for "open": its 90th percentile. A tenth of the window (6 frames of
/// the default 64) of open eyes is enough to outvote eyes that were shut when the stream began,
/// while a lone wide-open or mis-tracked frame is not.
const OPEN_REFERENCE: f32 = 0.9;

/// Ring buffer of recent open-eye openness values.
#[derive(Debug, Clone)]
pub struct Baseline {
    ring: [f32; BASELINE_CAPACITY],
    window: usize,
    len: usize,
    next: usize,
    min_samples: usize,
    /// Values under this fraction of the open reference are closed eyes, not "open".
    closed_below: f32,
    value: Option<f32>,
}

impl Baseline {
    /// `window` and `min_samples` are validated by the config (`min_samples <= window <= capacity`);
    /// `closed_below` is the close fraction.
    pub fn new(window: usize, min_samples: usize, closed_below: f32) -> Self {
        Self {
            ring: [0.0; BASELINE_CAPACITY],
            window: window.clamp(1, BASELINE_CAPACITY),
            len: 0,
            next: 0,
            min_samples: min_samples.max(1),
            closed_below,
            value: None,
        }
    }

    /// Adds one open-eye value and refreshes the baseline.
    pub fn push(&mut self, openness: f32) {
        self.ring[self.next] = openness;
        self.next = (self.next + 1) % self.window;
        self.len = (self.len + 1).min(self.window);
        if self.len >= self.min_samples {
            let mut scratch = [0.0_f32; BASELINE_CAPACITY];
            let values = &mut scratch[..self.len];
            values.copy_from_slice(&self.ring[..self.len]);
            let reference = quantile(values, OPEN_REFERENCE);
            let floor = reference * self.closed_below;
            let mut open = 0;
            for i in 0..values.len() {
                if values[i] >= floor {
                    values[open] = values[i];
                    open += 1;
                }
            }
            // The reference itself is always kept, so `open` is at least 1.
            self.value = Some(quantile(&mut values[..open], QUANTILE));
        }
    }

    /// The baseline, once `min_samples` open values have been seen.
    pub fn value(&self) -> Option<f32> {
        self.value
    }
}

/// The `q` quantile of `values` (reordered). Truncation picks the lower neighbour: the index of
/// the quantile, never past the end.
fn quantile(values: &mut [f32], q: f32) -> f32 {
    let rank = ((values.len() as f32 * q) as usize).min(values.len().saturating_sub(1));
    let (_, v, _) = values.select_nth_unstable_by(rank, f32::total_cmp);
    *v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_min_samples_then_gives_lower_quartile() {
        let mut b = Baseline::new(8, 3, 0.45);
        b.push(0.3);
        b.push(0.2);
        assert_eq!(b.value(), None);
        b.push(0.25);
        assert_eq!(b.value(), Some(0.2));
        b.push(0.35);
        assert_eq!(b.value(), Some(0.25));
    }

    #[test]
    fn forgets_values_older_than_the_window() {
        let mut b = Baseline::new(4, 1, 0.45);
        for _ in 0..4 {
            b.push(0.3);
        }
        for _ in 0..4 {
            b.push(0.2);
        }
        assert_eq!(b.value(), Some(0.2));
    }

    #[test]
    fn ignores_blink_edges_and_wide_eyed_moments() {
        let mut b = Baseline::new(12, 1, 0.45);
        for v in [
            0.3, 0.3, 0.3, 0.05, 0.3, 0.3, 0.42, 0.42, 0.42, 0.3, 0.3, 0.3,
        ] {
            b.push(v);
        }
        assert_eq!(b.value(), Some(0.3));
    }

    #[test]
    fn eyes_shut_at_the_start_do_not_become_open() {
        let mut b = Baseline::new(64, 8, 0.45);
        for _ in 0..20 {
            b.push(0.05);
        }
        assert_eq!(b.value(), Some(0.05), "nothing better seen yet");
        for _ in 0..7 {
            b.push(0.3);
        }
        assert_eq!(
            b.value(),
            Some(0.3),
            "a tenth of the window open outvotes the shut start"
        );
    }
}
