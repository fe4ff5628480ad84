//! Blink, wink and gaze-region engine (issue 3). Pure and deterministic: no I/O, no clock.
//!
//! Data flow: landmarks → [`features`] (openness, iris in the eye frame, head pose) →
//! [`Observation`] → [`Engine::process`] → [`crate::event::Event`]s, switch edges included.
//! The engine learns each eye's open baseline online and judges closures as fractions of it.

mod baseline;
mod blink;
mod calibration;
pub mod calibration_flow;
mod calibration_step;
mod config;
mod dip;
pub mod distance;
mod engine;
mod face;
pub mod features;
mod gaze;
mod gaze_centre;
mod observation;
mod openness;
mod sink;
mod switch_map;
mod wink;

pub use baseline::BASELINE_CAPACITY;
pub use calibration::{
    calibrate, measure_centre, CalibrationError, CalibrationSample, Centre, DirectionRange,
    ProfileError, MIN_SAMPLES, WARN_OFFSET,
};
pub use calibration_flow::{GuidedCalibration, Progress};
pub use calibration_step::{screen_step, CalibrationSession, Screened, StepError, StepRejected};
pub use config::{
    can_follow, Config, ConfigError, FaceConfig, GestureConfig, SwitchMapping, SwitchMode,
    MAX_MAPPINGS, PULSE_RANGE,
};
pub use engine::Engine;
pub use gaze::{GazeProfile, DEFAULT_LOOK_X, HEAD_GAIN};
pub use gaze_centre::CENTRE_LIMIT;
pub use observation::{EyeObservation, FaceObservation, HeadPose, IrisPos, Observation};
