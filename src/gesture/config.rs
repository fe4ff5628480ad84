//! Engine configuration: serde structs with documented defaults and a range-checking `validate()`.

use serde::{Deserialize, Serialize};

use super::baseline::BASELINE_CAPACITY;
use crate::event::Gesture;

/// A configuration value outside what the engine supports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `key = value` is outside `allowed`.
    #[error("{key} = {value} is out of range: allowed {allowed}")]
    OutOfRange {
        key: &'static str,
        value: String,
        allowed: String,
    },
    /// The same gesture is mapped twice, so which switch it drives would be ambiguous.
    #[error("switch.gesture = {gesture:?} is mapped more than once: allowed once per gesture")]
    DuplicateGesture { gesture: Gesture },
    /// `follow` needs a gesture that lasts; a double blink is instantaneous.
    #[error("switch.mode = \"follow\" is not allowed for gesture {gesture:?}: it has no duration; use \"pulse\"")]
    FollowNotLasting { gesture: Gesture },
}

/// Everything the engine can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Thresholds and times of the gesture rules.
    pub gesture: GestureConfig,
    /// Face-presence hysteresis.
    pub face: FaceConfig,
    /// Gesture → switch mappings.
    pub switch: Vec<SwitchMapping>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            gesture: GestureConfig::default(),
            face: FaceConfig::default(),
            switch: vec![SwitchMapping::default()],
        }
    }
}

/// Gesture thresholds. Openness thresholds are fractions of the user's own open baseline, never
/// absolute EAR values (open eyes measure 0.15–0.35 across faces).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GestureConfig {
    /// An eye closes when its openness falls below this fraction of its baseline; both eyes are
    /// closed when the mean of their fractions does. Default 0.45. On the reference videos (both
    /// landmark sources) every labelled blink reaches 0.10–0.34, while half-lowered lids (cap12
    /// 774–776) stay at 0.67 or more and the ambiguous partial (cap13 427) at 0.45–0.52. The low
    /// iris-model blinks (0.34 on 18 px eyes) bound it from below; the partial from above.
    pub close_fraction: f32,
    /// A closed eye reopens when its openness rises above this fraction. Default 0.55: above the
    /// close fraction for hysteresis, but below the 0.57–0.6 of a frown right after a blink (cap13
    /// 103–115), so the frown does not stretch the blink into a long blink. At 0.6 it would.
    pub open_fraction: f32,
    /// Open frames kept for the baseline (their lower quartile). Default 64: about 2.5 s at
    /// 25 fps, long enough that a run of blinks is a small minority, short enough to follow
    /// fatigue and lighting. At 32 the cap13 frown already becomes the baseline's "open".
    pub baseline_window: usize,
    /// Open frames needed before closures are judged. Default 8: about 300 ms, well under the
    /// ~1 s between a face appearing and its first blink in the reference clips.
    pub baseline_min_samples: usize,
    /// Closure time that makes a long blink. Default 500 ms (issue 3): natural blinks last
    /// 100–400 ms. Alias `acceptance_time_ms`, the switch-access name for how long an action
    /// must last before it counts.
    #[serde(alias = "acceptance_time_ms")]
    pub long_blink_ms: u32,
    /// One-eye closure time that makes a wink. Default 500 ms, for the same reason as
    /// `long_blink_ms`, and because one eye often lags the other by a frame in a natural blink.
    pub wink_ms: u32,
    /// Longest time from the end of one blink to the end of the next that is a double blink.
    /// Default 800 ms: two deliberate 200 ms blinks with a 300–400 ms gap fit; spontaneous blinks
    /// come every 3–4 s on average.
    pub double_blink_ms: u32,
    /// A closure longer than this is fatigue or sleep: it releases any held switch, presses
    /// nothing more and is not reported as a blink; the baselines learn again from lids that are
    /// not closed, so lids that settled lower become the new "open". Default 5000 ms (issue 3).
    pub max_closure_ms: u32,
    /// After a press, no further press for this long. Default 1000 ms (issue 3): one gesture, or a
    /// quick repeat, must not speak twice. Aliases `release_time_ms` and `ignore_repeat_ms`, the
    /// switch-access names for this guard.
    #[serde(alias = "release_time_ms", alias = "ignore_repeat_ms")]
    pub refractory_ms: u32,
    /// A gaze region must be held this long to count. Default 600 ms (issue 3): longer than a
    /// saccade plus a glance. Alias `hold_time_ms`, the switch-access name for a dwell.
    #[serde(alias = "hold_time_ms")]
    pub gaze_dwell_ms: u32,
}

impl Default for GestureConfig {
    fn default() -> Self {
        Self {
            close_fraction: 0.45,
            open_fraction: 0.55,
            baseline_window: 64,
            baseline_min_samples: 8,
            long_blink_ms: 500,
            wink_ms: 500,
            double_blink_ms: 800,
            max_closure_ms: 5000,
            refractory_ms: 1000,
            gaze_dwell_ms: 600,
        }
    }
}

/// Face-presence hysteresis and the guard time after (re)acquisition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceConfig {
    /// A face counts as found at this presence score or more. Default 0.5: MediaPipe's own
    /// default `min_tracking_confidence`.
    pub enter_score: f32,
    /// A found face counts as lost below this score. Default 0.3: a band under `enter_score` so a
    /// score hovering at 0.5 does not flicker.
    pub exit_score: f32,
    /// A face must be present this long before gestures count and `face present=true` is sent.
    /// Default 300 ms: the "few hundred ms" of issue 3; landmarks of a face entering the frame are
    /// unreliable and can look like closed eyes.
    pub settle_ms: u32,
    /// A face must be missing this long before `face present=false` is sent (gestures stop at
    /// once). Default 200 ms: hides a dropped frame or two from the user.
    pub lost_ms: u32,
}

impl Default for FaceConfig {
    fn default() -> Self {
        Self {
            enter_score: 0.5,
            exit_score: 0.3,
            settle_ms: 300,
            lost_ms: 200,
        }
    }
}

/// How a mapped switch follows its gesture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchMode {
    /// Press when the gesture fires, release `pulse_ms` later.
    Pulse,
    /// Press when the gesture fires, release when it ends.
    Follow,
}

/// One gesture → switch mapping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SwitchMapping {
    /// The gesture that presses the switch.
    pub gesture: Gesture,
    /// Switch number, 1-based as on switch interfaces.
    pub switch: u8,
    /// Pulse or follow.
    pub mode: SwitchMode,
    /// Pulse length (ignored for `follow`). Default 200 ms (issue 3).
    pub pulse_ms: u32,
}

impl Default for SwitchMapping {
    /// Issue 3's default: a long blink pulses switch 1 for 200 ms.
    fn default() -> Self {
        Self {
            gesture: Gesture::LongBlink,
            switch: 1,
            mode: SwitchMode::Pulse,
            pulse_ms: 200,
        }
    }
}

/// Whether `gesture` lasts, so a `follow` switch can be held for as long as it does; a double
/// blink is over the moment it is recognised.
pub fn can_follow(gesture: Gesture) -> bool {
    gesture != Gesture::DoubleBlink
}

/// Most mappings the engine holds: one per gesture, since duplicates are rejected.
pub const MAX_MAPPINGS: usize = 8;

/// Hold and wink times (issue 3: configurable 100–2000 ms).
const HOLD_RANGE: (u32, u32) = (100, 2000);
/// Pulses shorter than 50 ms can fall between the polls of switch-scanning software; longer than
/// 2 s they look like a held switch.
pub const PULSE_RANGE: (u32, u32) = (50, 2000);
/// Double-blink window: under 200 ms two blinks cannot both complete; over 2 s unrelated
/// spontaneous blinks would pair up.
const DOUBLE_RANGE: (u32, u32) = (200, 2000);
/// Maximum closure: at least 1 s (above any natural blink), at most 30 s.
const MAX_CLOSURE_RANGE: (u32, u32) = (1000, 30_000);
/// Refractory time: 0 disables it; beyond 10 s the switch feels broken.
const REFRACTORY_RANGE: (u32, u32) = (0, 10_000);
/// Gaze dwell: 100 ms is about one fixation; beyond 5 s nobody holds still.
const DWELL_RANGE: (u32, u32) = (100, 5000);
/// Face guard times: up to 2 s, beyond which the switch feels dead after every glance away.
const FACE_MS_RANGE: (u32, u32) = (0, 2000);
/// Smallest baseline window: fewer frames and one blink can be the majority.
const MIN_BASELINE_WINDOW: usize = 8;

impl Config {
    /// Checks every value; the error names the key, the bad value and what is allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let g = &self.gesture;
        within("gesture.close_fraction", g.close_fraction, (0.1, 0.9))?;
        within(
            "gesture.open_fraction",
            g.open_fraction,
            (g.close_fraction, 0.95),
        )?;
        if g.open_fraction <= g.close_fraction {
            return Err(out_of_range(
                "gesture.open_fraction",
                g.open_fraction,
                format!("more than gesture.close_fraction ({})", g.close_fraction),
            ));
        }
        let window = (MIN_BASELINE_WINDOW, BASELINE_CAPACITY);
        within("gesture.baseline_window", g.baseline_window, window)?;
        within(
            "gesture.baseline_min_samples",
            g.baseline_min_samples,
            (1, g.baseline_window),
        )?;
        within("gesture.long_blink_ms", g.long_blink_ms, HOLD_RANGE)?;
        within("gesture.wink_ms", g.wink_ms, HOLD_RANGE)?;
        within("gesture.double_blink_ms", g.double_blink_ms, DOUBLE_RANGE)?;
        let longest_hold = g.long_blink_ms.max(g.wink_ms).max(MAX_CLOSURE_RANGE.0);
        within(
            "gesture.max_closure_ms",
            g.max_closure_ms,
            (longest_hold, MAX_CLOSURE_RANGE.1),
        )?;
        within("gesture.refractory_ms", g.refractory_ms, REFRACTORY_RANGE)?;
        within("gesture.gaze_dwell_ms", g.gaze_dwell_ms, DWELL_RANGE)?;

        let f = &self.face;
        within("face.enter_score", f.enter_score, (0.0, 1.0))?;
        within("face.exit_score", f.exit_score, (0.0, f.enter_score))?;
        within("face.settle_ms", f.settle_ms, FACE_MS_RANGE)?;
        within("face.lost_ms", f.lost_ms, FACE_MS_RANGE)?;

        within(
            "switch (number of mappings)",
            self.switch.len(),
            (0, MAX_MAPPINGS),
        )?;
        for (i, m) in self.switch.iter().enumerate() {
            within("switch.switch", m.switch, (1, u8::MAX))?;
            if m.mode == SwitchMode::Pulse {
                within("switch.pulse_ms", m.pulse_ms, PULSE_RANGE)?;
            }
            if m.mode == SwitchMode::Follow && !can_follow(m.gesture) {
                return Err(ConfigError::FollowNotLasting { gesture: m.gesture });
            }
            if self.switch[..i].iter().any(|o| o.gesture == m.gesture) {
                return Err(ConfigError::DuplicateGesture { gesture: m.gesture });
            }
        }
        Ok(())
    }
}

fn out_of_range(key: &'static str, value: impl ToString, allowed: String) -> ConfigError {
    ConfigError::OutOfRange {
        key,
        value: value.to_string(),
        allowed,
    }
}

fn within<T: PartialOrd + Copy + std::fmt::Display>(
    key: &'static str,
    value: T,
    (lo, hi): (T, T),
) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(key, value, format!("{lo}..={hi}")))
    }
}
