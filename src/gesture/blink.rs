//! Bilateral closures: `blink` on reopening, `long_blink` the moment the hold time is reached,
//! `double_blink` for two short blinks in a row, and the fatigue/sleep maximum.

use super::config::GestureConfig;
use super::openness::EyeRatios;
use super::sink::{ms, GestureSink};
use crate::event::{EventKind, Gesture};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Closure {
    Open,
    Closed {
        start: u64,
        long_fired: bool,
        overlong: bool,
    },
}

/// Detects blinks, long blinks and double blinks from both eyes' ratios.
#[derive(Debug, Clone)]
pub struct BlinkDetector {
    cfg: GestureConfig,
    state: Closure,
    /// End time of the last short blink that has not yet paired into a double blink.
    last_short_blink_end: Option<u64>,
}

impl BlinkDetector {
    /// A detector with both eyes open.
    pub fn new(cfg: &GestureConfig) -> Self {
        Self {
            cfg: *cfg,
            state: Closure::Open,
            last_short_blink_end: None,
        }
    }

    /// True while both eyes are closed.
    pub fn in_closure(&self) -> bool {
        matches!(self.state, Closure::Closed { .. })
    }

    /// Baselines may learn unless a closure shorter than the maximum is under way. Past the
    /// maximum they learn again, so lids that settled in the hysteresis band (fatigue) become the
    /// new "open" and end the closure instead of blocking the engine for good.
    pub fn baseline_may_learn(&self) -> bool {
        !matches!(
            self.state,
            Closure::Closed {
                overlong: false,
                ..
            }
        )
    }

    /// Feeds one frame. Both eyes are closed when their mean ratio is under the close fraction
    /// and neither is above the open fraction (so a wink never reads as a blink); they reopen when
    /// the mean rises above the open fraction.
    pub fn update(&mut self, t: u64, eyes: &EyeRatios, sink: &mut impl GestureSink) {
        let (close, open) = (self.cfg.close_fraction, self.cfg.open_fraction);
        let Closure::Closed {
            start,
            long_fired,
            overlong,
        } = self.state
        else {
            if eyes.mean() < close && eyes.right <= open && eyes.left <= open {
                self.state = Closure::Closed {
                    start: t,
                    long_fired: false,
                    overlong: false,
                };
            }
            return;
        };
        let held = t.saturating_sub(start);
        if eyes.mean() > open {
            self.state = Closure::Open;
            if !overlong {
                self.reopened(t, held, long_fired, sink);
            }
            return;
        }
        if overlong {
            return;
        }
        if held > u64::from(self.cfg.max_closure_ms) {
            self.state = Closure::Closed {
                start,
                long_fired,
                overlong: true,
            };
            if long_fired {
                sink.end(Gesture::LongBlink);
            }
            return;
        }
        if !long_fired && held >= u64::from(self.cfg.long_blink_ms) {
            self.state = Closure::Closed {
                start,
                long_fired: true,
                overlong,
            };
            sink.event(EventKind::LongBlink { held_ms: ms(held) });
            sink.start(Gesture::LongBlink);
        }
    }

    /// Face lost or not yet settled: a closure in progress is dropped (no blink), a held long
    /// blink ends, and no double blink pairs across the gap.
    pub fn reset(&mut self, sink: &mut impl GestureSink) {
        if let Closure::Closed {
            long_fired: true,
            overlong: false,
            ..
        } = self.state
        {
            sink.end(Gesture::LongBlink);
        }
        self.state = Closure::Open;
        self.last_short_blink_end = None;
    }

    fn reopened(&mut self, t: u64, held: u64, long_fired: bool, sink: &mut impl GestureSink) {
        sink.event(EventKind::Blink {
            duration_ms: ms(held),
        });
        if long_fired {
            sink.end(Gesture::LongBlink);
            self.last_short_blink_end = None;
            return;
        }
        match self.last_short_blink_end {
            Some(prev) if t.saturating_sub(prev) <= u64::from(self.cfg.double_blink_ms) => {
                sink.event(EventKind::DoubleBlink {
                    interval_ms: ms(t.saturating_sub(prev)),
                });
                sink.start(Gesture::DoubleBlink);
                sink.end(Gesture::DoubleBlink);
                self.last_short_blink_end = None;
            }
            _ => self.last_short_blink_end = Some(t),
        }
    }
}
