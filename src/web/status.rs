//! What `GET /api/status` answers: the latest frame's face, eyes, gaze, distance, light, frame
//! rate, profile, tuning and calibration, kept by the frame loop in a latest-value slot.

use std::sync::{Mutex, TryLockError};

use serde_json::{json, Value};

use crate::display::{FixedText, StatusModel};
use crate::gesture::distance::Guidance;
use crate::gesture::{GazeProfile, GestureConfig, IrisPos, Observation};

/// How dark or bright the eye region is, from its mean luma and its clipped share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Light {
    /// Mean luma (0–255) around the eyes.
    pub mean: f32,
    /// Share of those pixels at 250 or more: lit so hard the lids' edges are lost.
    pub clipped: f32,
}

/// Mean luma under this and the lid edges drown in sensor noise.
const DARK_LUMA: f32 = 50.0;
/// More than this share clipped and the lid edges are lost in glare.
const CLIPPED_SHARE: f32 = 0.2;

impl Light {
    /// A hint a carer can act on.
    pub fn hint(&self) -> &'static str {
        if self.mean < DARK_LUMA {
            "too dark: light the face from the front"
        } else if self.clipped > CLIPPED_SHARE {
            "too bright: move the light or the camera out of the glare"
        } else {
            "good"
        }
    }
}

/// The calibration as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum CalibrationState {
    #[default]
    Idle,
    Running,
    Done,
    Failed,
}

impl CalibrationState {
    fn name(self) -> &'static str {
        match self {
            CalibrationState::Idle => "idle",
            CalibrationState::Running => "running",
            CalibrationState::Done => "done",
            CalibrationState::Failed => "failed",
        }
    }
}

/// One status, copied whole between threads (no allocation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WebStatus {
    pub model: StatusModel,
    pub observation: Observation,
    /// Each eye's learned open baseline (right, left).
    pub baselines: (Option<f32>, Option<f32>),
    pub light: Option<Light>,
    pub gesture: GestureConfig,
    /// The profile in use: `None` is the built-in default.
    pub profile: Option<GazeProfile>,
    pub calibration: CalibrationState,
    /// The flow's last line ("Look to your LEFT ...", "left: ok").
    pub calibration_line: FixedText<160>,
    /// Switch presses are held back while on (`POST /api/test`): gestures still light up.
    pub test_mode: bool,
}

impl WebStatus {
    pub fn new(gesture: GestureConfig, profile: Option<GazeProfile>) -> Self {
        Self {
            model: StatusModel::new(),
            observation: Observation::default(),
            baselines: (None, None),
            light: None,
            gesture,
            profile,
            calibration: CalibrationState::Idle,
            calibration_line: FixedText::new(),
            test_mode: false,
        }
    }

    /// The JSON object `GET /api/status` answers.
    pub fn to_json(&self) -> Value {
        let face = self.observation.face.map(|f| {
            let eye = |e: crate::gesture::EyeObservation, baseline: Option<f32>| {
                json!({
                    "openness": e.openness,
                    "baseline": baseline,
                    "ratio": baseline.filter(|b| *b > 0.0).map(|b| e.openness / b),
                    "iris": e.iris.map(|i| json!({"x": i.x, "y": i.y})),
                })
            };
            let both = f.right.iris.is_some() && f.left.iris.is_some();
            json!({
                "score": f.score,
                "right_eye": eye(f.right, self.baselines.0),
                "left_eye": eye(f.left, self.baselines.1),
                "both_eyes_tracked": both,
                "head_deg": {
                    "yaw": f.head.yaw.to_degrees(),
                    "pitch": f.head.pitch.to_degrees(),
                    "roll": f.head.roll.to_degrees(),
                },
                "distance_mm": f.distance_mm,
                "distance": f.distance_guidance.map(guidance),
            })
        });
        // The point and the regions in the profile's own (head-compensated) frame; without a
        // calibration, the default's regions around a centre at 0 (the engine's learned centre
        // shifts them a little).
        let profile = self
            .profile
            .unwrap_or_else(GazeProfile::default_uncalibrated);
        let gaze = self.observation.face.and_then(|f| {
            let iris = match (f.right.iris, f.left.iris) {
                (Some(r), Some(l)) => IrisPos {
                    x: (r.x + l.x) / 2.0,
                    y: (r.y + l.y) / 2.0,
                },
                (Some(one), None) | (None, Some(one)) => one,
                (None, None) => return None,
            };
            let (x, y) = profile.gaze_point(iris, f.head);
            Some(json!({"x": x, "y": y}))
        });
        json!({
            "t_ms": self.observation.t_ms,
            "frame": self.observation.frame,
            "fps": self.model.fps,
            "face_present": self.model.face_found,
            "face": face,
            "gaze": {
                "point": gaze,
                "region": self.model.gaze.map(|g| g.name()),
            },
            "light": self.light.map(|l| json!({"mean": l.mean, "clipped": l.clipped, "hint": l.hint()})),
            "close_fraction": self.gesture.close_fraction,
            "open_fraction": self.gesture.open_fraction,
            "gesture": self.gesture,
            "profile": {
                "calibrated": self.profile.is_some(),
                "regions": profile,
            },
            "calibration": {
                "state": self.calibration.name(),
                "line": self.calibration_line.as_str(),
            },
            "test_mode": self.test_mode,
            "last_event": self.model.last_event(),
        })
    }
}

fn guidance(g: Guidance) -> &'static str {
    match g {
        Guidance::TooClose => "too_close",
        Guidance::Ok => "good",
        Guidance::TooFar => "too_far",
    }
}

/// The latest status: the frame loop overwrites it when free, the server copies it out.
pub struct StatusSlot(Mutex<WebStatus>);

impl StatusSlot {
    pub fn new(status: WebStatus) -> Self {
        Self(Mutex::new(status))
    }

    /// Stores `status` unless a reader holds the slot at this instant; never waits.
    pub fn offer(&self, status: &WebStatus) {
        match self.0.try_lock() {
            Ok(mut guard) => *guard = *status,
            Err(TryLockError::Poisoned(p)) => *p.into_inner() = *status,
            Err(TryLockError::WouldBlock) => {}
        }
    }

    pub fn get(&self) -> WebStatus {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
