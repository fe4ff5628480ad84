//! Bilateral closures: `blink` on reopening, `long_blink` the moment the hold time is reached,
//! `double_blink` for two short blinks in a row, and the fatigue/sleep maximum.
//!
//! A closure ends when the lids come back above the open fraction, or when they part: a blink
//! into narrowed eyes (a frown, a laugh, a squint against light) never climbs back above the open
//! fraction, so without the parting rule the narrowed eyes after it would stretch the blink into
//! a long blink, a press the person did not make.

use super::config::GestureConfig;
use super::openness::EyeRatios;
use super::sink::{ms, GestureSink};
use crate::event::{EventKind, Gesture};

/// How far above the lowest point of a closure (in fractions of the open baseline) the mean of
/// both eyes must rise for the lids to count as parted. Shut lids read within about 0.15 of
/// their lowest point from frame to frame (the shared blinks' closed frames: 0.03–0.16 with the
/// attention mesh, 0.14–0.29 with the iris model), while narrowed eyes after a blink read 0.3–0.4
/// above it (cap13 103–115, both models, and MediaPipe's own landmarks). A quarter of the open
/// gap showing is an eye that sees.
const PARTED_RISE: f32 = 0.25;
/// Consecutive frames the lids must stay parted: one frame's landmark slip must not cut a held
/// long blink short, which would lose the press.
const PARTED_FRAMES: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Closure {
    /// Not closed. `parted_peak` is set while the lids have not been above the open fraction
    /// since a closure ended by parting: the highest mean since then. A new closure must fall a
    /// parting's height below it, so the narrowed eyes' own jitter is not a string of blinks.
    Open { parted_peak: Option<f32> },
    Closed {
        start: u64,
        long_fired: bool,
        overlong: bool,
        /// The lowest mean of both eyes in this closure.
        low: f32,
        /// The first of the frames in a row that have been parted, and how many.
        parted: Option<(u64, u8)>,
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
            state: Closure::Open { parted_peak: None },
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
    /// the mean rises above the open fraction, or when the lids have parted (see
    /// [`PARTED_RISE`]). A parted closure ends at the first parted frame.
    pub fn update(&mut self, t: u64, eyes: &EyeRatios, sink: &mut impl GestureSink) {
        let (close, open) = (self.cfg.close_fraction, self.cfg.open_fraction);
        let mean = eyes.mean();
        let (start, long_fired, overlong, low, parted) = match self.state {
            Closure::Closed {
                start,
                long_fired,
                overlong,
                low,
                parted,
            } => (start, long_fired, overlong, low, parted),
            Closure::Open { parted_peak } => {
                let fell = parted_peak.is_none_or(|peak| mean <= peak - PARTED_RISE);
                self.state = if mean < close && eyes.right <= open && eyes.left <= open && fell {
                    Closure::Closed {
                        start: t,
                        long_fired: false,
                        overlong: false,
                        low: mean,
                        parted: None,
                    }
                } else {
                    Closure::Open {
                        parted_peak: parted_peak.filter(|_| mean <= open).map(|p| p.max(mean)),
                    }
                };
                return;
            }
        };
        if mean > open {
            self.state = Closure::Open { parted_peak: None };
            if !overlong {
                self.reopened(t, t.saturating_sub(start), long_fired, sink);
            }
            return;
        }
        let parted =
            (mean >= low + PARTED_RISE).then(|| parted.map_or((t, 1), |(at, n)| (at, n + 1)));
        if let Some((at, PARTED_FRAMES..)) = parted {
            self.state = Closure::Open {
                parted_peak: Some(mean),
            };
            if !overlong {
                self.reopened(at, at.saturating_sub(start), long_fired, sink);
            }
            return;
        }
        let low = low.min(mean);
        let held = t.saturating_sub(start);
        let (long_fired, overlong) = if overlong {
            (long_fired, true)
        } else if held > u64::from(self.cfg.max_closure_ms) {
            if long_fired {
                sink.end(Gesture::LongBlink);
            }
            (long_fired, true)
        } else if !long_fired && held >= u64::from(self.cfg.long_blink_ms) {
            sink.event(EventKind::LongBlink { held_ms: ms(held) });
            sink.start(Gesture::LongBlink);
            (true, false)
        } else {
            (long_fired, false)
        };
        self.state = Closure::Closed {
            start,
            long_fired,
            overlong,
            low,
            parted,
        };
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
        self.state = Closure::Open { parted_peak: None };
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
