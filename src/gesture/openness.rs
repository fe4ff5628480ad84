//! Per-eye openness relative to the user's own open baseline, with close/open hysteresis.

use super::baseline::Baseline;
use super::config::GestureConfig;

/// Both eyes' openness as fractions of their baselines, and their hysteresis states.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EyeRatios {
    /// Subject's right eye: openness / baseline.
    pub right: f32,
    /// Subject's left eye: openness / baseline.
    pub left: f32,
    /// Right eye below the close fraction and not yet back above the open fraction.
    pub right_closed: bool,
    /// Left eye, likewise.
    pub left_closed: bool,
}

impl EyeRatios {
    /// Mean of both ratios: the bilateral signal. Averaging halves independent landmark noise;
    /// on 18 px eyes one eye's contour alone often misses part of a real blink.
    pub fn mean(&self) -> f32 {
        (self.right + self.left) / 2.0
    }
}

/// One eye's baseline and hysteresis state.
#[derive(Debug, Clone)]
struct EyeLid {
    baseline: Baseline,
    closed: bool,
}

impl EyeLid {
    fn update(&mut self, openness: f32, learn: bool, close: f32, open: f32) -> Option<f32> {
        let ratio = self.baseline.value().map(|b| openness / b);
        if let Some(r) = ratio {
            if self.closed && r > open {
                self.closed = false;
            } else if !self.closed && r < close {
                self.closed = true;
            }
        }
        // Values that look closed this frame never train the baseline, so even a long sleep
        // cannot drag "open" down to "closed".
        if learn && ratio.is_none_or(|r| r >= close) {
            self.baseline.push(openness);
        }
        ratio.filter(|r| r.is_finite())
    }
}

/// Both eyes' baselines and states.
#[derive(Debug, Clone)]
pub struct OpennessTracker {
    close_fraction: f32,
    open_fraction: f32,
    right: EyeLid,
    left: EyeLid,
}

impl OpennessTracker {
    /// Empty baselines, both eyes open.
    pub fn new(cfg: &GestureConfig) -> Self {
        let lid = EyeLid {
            baseline: Baseline::new(
                cfg.baseline_window,
                cfg.baseline_min_samples,
                cfg.close_fraction,
            ),
            closed: false,
        };
        Self {
            close_fraction: cfg.close_fraction,
            open_fraction: cfg.open_fraction,
            right: lid.clone(),
            left: lid,
        }
    }

    /// Each eye's learned open baseline (right, left), `None` until it has its minimum samples:
    /// what the setup page draws the openness bars against.
    pub fn baselines(&self) -> (Option<f32>, Option<f32>) {
        (self.right.baseline.value(), self.left.baseline.value())
    }

    /// Feeds one frame. Values at or above the close fraction train the baselines when `learn`
    /// (the caller turns it off during a bilateral closure shorter than the maximum). `None` until
    /// both baselines have their minimum samples.
    pub fn update(&mut self, right: f32, left: f32, learn: bool) -> Option<EyeRatios> {
        let (close, open) = (self.close_fraction, self.open_fraction);
        let r = self.right.update(right, learn, close, open);
        let l = self.left.update(left, learn, close, open);
        Some(EyeRatios {
            right: r?,
            left: l?,
            right_closed: self.right.closed,
            left_closed: self.left.closed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker() -> OpennessTracker {
        let mut t = OpennessTracker::new(&GestureConfig::default());
        for _ in 0..20 {
            t.update(0.3, 0.3, true);
        }
        t
    }

    fn closed(t: &mut OpennessTracker, v: f32) -> Option<bool> {
        t.update(v, v, true)
            .map(|r| r.right_closed && r.left_closed)
    }

    #[test]
    fn hysteresis_between_close_and_open_fraction() {
        let mut t = tracker();
        // 0.5 of baseline, between close (0.45) and open (0.55): stays open.
        assert_eq!(closed(&mut t, 0.15), Some(false));
        // 0.4: closes.
        assert_eq!(closed(&mut t, 0.12), Some(true));
        // 0.5 again: stays closed, no chatter.
        assert_eq!(closed(&mut t, 0.15), Some(true));
        // 0.6: reopens.
        assert_eq!(closed(&mut t, 0.18), Some(false));
    }

    #[test]
    fn baseline_is_per_user_not_a_fixed_ear() {
        // A narrow-eyed user (open 0.15) is closed at 0.06, a wide-eyed one (open 0.35) at 0.14;
        // no single EAR constant serves both.
        for (open, shut) in [(0.15_f32, 0.06_f32), (0.35, 0.14)] {
            let mut t = OpennessTracker::new(&GestureConfig::default());
            for _ in 0..20 {
                t.update(open, open, true);
            }
            assert_eq!(
                closed(&mut t, shut),
                Some(true),
                "open {open} closed {shut}"
            );
        }
    }

    #[test]
    fn no_ratios_before_the_baseline_has_enough_samples() {
        let mut t = OpennessTracker::new(&GestureConfig::default());
        assert_eq!(t.update(0.3, 0.3, true), None);
    }

    #[test]
    fn closed_values_never_train_the_baseline() {
        let mut t = tracker();
        for _ in 0..200 {
            t.update(0.03, 0.03, true);
        }
        assert_eq!(closed(&mut t, 0.03), Some(true));
    }

    #[test]
    fn narrowed_lids_become_the_new_open() {
        let mut t = tracker();
        // Tired: the lids settle at half the old opening, inside the hysteresis band.
        for _ in 0..20 {
            t.update(0.15, 0.15, true);
        }
        let r = t.update(0.15, 0.15, true);
        assert!(r.is_some_and(|r| (r.right - 1.0).abs() < 1e-6), "{r:?}");
        // A blink from there is a closure again.
        assert_eq!(closed(&mut t, 0.05), Some(true));
    }
}
