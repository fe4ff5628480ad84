//! One-eye closures: `wink` the moment one eye has been closed for the wink time while the other
//! stayed open.

use super::config::GestureConfig;
use super::openness::EyeRatios;
use super::sink::{ms, GestureSink};
use crate::event::{EventKind, Eye, Gesture};

/// One eye's wink in progress.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct OneEye {
    start: Option<u64>,
    fired: bool,
    overlong: bool,
}

impl OneEye {
    /// Feeds one frame.
    fn step(
        &mut self,
        eye: Eye,
        winking: bool,
        t: u64,
        cfg: &GestureConfig,
        sink: &mut impl GestureSink,
    ) {
        if !winking {
            self.reset(eye, sink);
            return;
        }
        let held = t.saturating_sub(*self.start.get_or_insert(t));
        if self.overlong {
            return;
        }
        if held > u64::from(cfg.max_closure_ms) {
            self.overlong = true;
            if self.fired {
                sink.end(gesture(eye));
            }
            return;
        }
        if !self.fired && held >= u64::from(cfg.wink_ms) {
            self.fired = true;
            sink.event(EventKind::Wink {
                eye,
                duration_ms: ms(held),
            });
            sink.start(gesture(eye));
        }
    }

    fn reset(&mut self, eye: Eye, sink: &mut impl GestureSink) {
        if self.fired && !self.overlong {
            sink.end(gesture(eye));
        }
        *self = Self::default();
    }
}

/// Detects winks of either eye.
#[derive(Debug, Clone)]
pub struct WinkDetector {
    cfg: GestureConfig,
    right: OneEye,
    left: OneEye,
}

impl WinkDetector {
    /// A detector with no eye closed.
    pub fn new(cfg: &GestureConfig) -> Self {
        Self {
            cfg: *cfg,
            right: OneEye::default(),
            left: OneEye::default(),
        }
    }

    /// Feeds one frame. An eye winks while it is closed (hysteresis state), the other eye's ratio
    /// is above the open fraction, and no bilateral closure is under way. The `wink` event fires
    /// when the wink time is reached, like `long_blink`, so the user gets feedback while holding;
    /// past the maximum closure it ends and nothing more fires until the eye reopens.
    pub fn update(
        &mut self,
        t: u64,
        eyes: &EyeRatios,
        bilateral: bool,
        sink: &mut impl GestureSink,
    ) {
        let open = self.cfg.open_fraction;
        let right = eyes.right_closed && eyes.left > open && !bilateral;
        let left = eyes.left_closed && eyes.right > open && !bilateral;
        self.right.step(Eye::Right, right, t, &self.cfg, sink);
        self.left.step(Eye::Left, left, t, &self.cfg, sink);
    }

    /// Face lost or not yet settled: winks in progress end.
    pub fn reset(&mut self, sink: &mut impl GestureSink) {
        self.right.reset(Eye::Right, sink);
        self.left.reset(Eye::Left, sink);
    }
}

fn gesture(eye: Eye) -> Gesture {
    match eye {
        Eye::Right => Gesture::WinkRight,
        Eye::Left => Gesture::WinkLeft,
    }
}
