//! Face presence with score hysteresis, a settle time before gestures count, and a debounced
//! `face` event.

use super::config::FaceConfig;
use super::sink::GestureSink;
use crate::event::EventKind;

/// Whether this frame's face may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceGate {
    /// A face is present now (score hysteresis): its eyes may train the baselines.
    pub present: bool,
    /// Present for at least the settle time: gestures may be produced.
    pub settled: bool,
}

/// Face-presence state.
#[derive(Debug, Clone)]
pub struct FacePresence {
    cfg: FaceConfig,
    present: bool,
    /// Time of the last change of `present`; `None` before the first frame.
    since: Option<u64>,
    reported: bool,
}

impl FacePresence {
    /// Starts with no face and nothing reported, so a stream without a face emits nothing.
    pub fn new(cfg: &FaceConfig) -> Self {
        Self {
            cfg: *cfg,
            present: false,
            since: None,
            reported: false,
        }
    }

    /// Feeds one frame's presence score (0 when no face was found).
    pub fn update(&mut self, t: u64, score: f32, sink: &mut impl GestureSink) -> FaceGate {
        let threshold = if self.present {
            self.cfg.exit_score
        } else {
            self.cfg.enter_score
        };
        let present = score >= threshold;
        if present != self.present || self.since.is_none() {
            self.present = present;
            self.since = Some(t);
        }
        let for_ms = t.saturating_sub(self.since.unwrap_or(t));
        let settled = present && for_ms >= u64::from(self.cfg.settle_ms);
        if settled && !self.reported {
            self.reported = true;
            sink.event(EventKind::Face {
                present: true,
                score,
            });
        } else if !present && self.reported && for_ms >= u64::from(self.cfg.lost_ms) {
            self.reported = false;
            sink.event(EventKind::Face {
                present: false,
                score,
            });
        }
        FaceGate { present, settled }
    }
}
