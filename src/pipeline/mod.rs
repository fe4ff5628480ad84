//! The hot loop: decoded frame → tracking → landmarks → observation → gesture events.
//!
//! Everything here reuses buffers made at start-up; after the first frames it allocates
//! nothing of its own (tests/alloc/hot_loop_alloc.rs proves it).

mod build;
mod observe;
mod tracker;

use std::time::{Duration, Instant};

pub use build::{build, BuildError};
pub use observe::{mean_iris_px, observe};
pub use tracker::{StageTimes, Tracker};

use crate::capture::Frame;
use crate::event::Event;
use crate::gesture::distance::Lens;
use crate::gesture::{Engine, Observation};
use crate::inference::ModelError;

/// What one frame produced, besides its events.
#[derive(Debug, Clone, Copy)]
pub struct FrameReport {
    pub observation: Observation,
    pub times: StageTimes,
    /// Time in the gesture engine.
    pub gestures: Duration,
}

/// Tracker and gesture engine, frame by frame.
pub struct Pipeline {
    tracker: Tracker,
    engine: Engine,
    /// The camera's lens, for the distance from the iris size.
    lens: Lens,
}

impl Pipeline {
    pub fn new(tracker: Tracker, engine: Engine) -> Pipeline {
        Pipeline {
            tracker,
            engine,
            lens: Lens::default(),
        }
    }

    /// Runs one frame through the models and the engine, handing each event to `emit`.
    pub fn process(
        &mut self,
        frame: &Frame<'_>,
        emit: &mut impl FnMut(Event),
    ) -> Result<FrameReport, ModelError> {
        let face = self.tracker.track(frame.image)?;
        let size = (frame.image.width, frame.image.height);
        let observation = observe(face, frame.t_ms, frame.index, size, &self.lens);
        let times = self.tracker.times();
        let t = Instant::now();
        self.engine.process(&observation, emit);
        Ok(FrameReport {
            observation,
            times,
            gestures: t.elapsed(),
        })
    }

    /// The camera's field of view (`[camera] hfov_deg`), for `distance_mm`.
    pub fn set_lens(&mut self, lens: Lens) {
        self.lens = lens;
    }

    /// The user's gaze profile, `None` for the engine's default (see
    /// [`crate::profile::load_or_default`]).
    pub fn set_gaze_profile(&mut self, profile: Option<crate::gesture::GazeProfile>) {
        self.engine.set_gaze_profile(profile);
    }

    /// New engine settings between frames (see [`Engine::reconfigure`]).
    pub fn reconfigure(
        &mut self,
        config: &crate::gesture::Config,
        t: u64,
        frame: u64,
        emit: &mut impl FnMut(Event),
    ) -> Result<(), crate::gesture::ConfigError> {
        self.engine.reconfigure(config, t, frame, emit)
    }

    /// Each eye's learned open baseline (right, left).
    pub fn baselines(&self) -> (Option<f32>, Option<f32>) {
        self.engine.baselines()
    }

    /// The face the last frame found, with its landmarks (for the setup page's preview).
    pub fn last_face(&self) -> Option<&crate::vision::Face> {
        self.tracker.last_face()
    }

    /// No frame came: releases the pulses due by stream time `t` (see [`Engine::tick`]).
    pub fn tick(&mut self, t: u64, frame: u64, emit: &mut impl FnMut(Event)) {
        self.engine.tick(t, frame, emit);
    }

    /// The camera is lost: switches released, gestures dropped (see [`Engine::camera_lost`]),
    /// and the tracked face forgotten, since the next frame may show the face anywhere.
    pub fn camera_lost(&mut self, t: u64, frame: u64, emit: &mut impl FnMut(Event)) {
        self.engine.camera_lost(t, frame, emit);
        self.tracker.reset();
    }
}
