//! Blink, wink and gaze-region engine (issue 3). Pure and deterministic: no I/O, no clock.
//!
//! Data flow: landmarks → [`features`] (openness, iris in the eye frame, head pose) →
//! [`Observation`] → [`Engine::process`] → [`crate::event::Event`]s, switch edges included.
//! The engine learns each eye's open baseline online and judges closures as fractions of it.

mod baseline;
mod blink;
mod calibration;
mod config;
mod engine;
mod face;
pub mod features;
mod gaze;
mod observation;
mod openness;
mod sink;
mod switch_map;
mod wink;

pub use baseline::BASELINE_CAPACITY;
pub use calibration::{calibrate, CalibrationError, CalibrationSample, ProfileError, MIN_SAMPLES};
pub use config::{
    can_follow, Config, ConfigError, FaceConfig, GestureConfig, SwitchMapping, SwitchMode,
    MAX_MAPPINGS, PULSE_RANGE,
};
pub use engine::Engine;
pub use gaze::{GazeProfile, HEAD_GAIN};
pub use observation::{EyeObservation, FaceObservation, HeadPose, IrisPos, Observation};
