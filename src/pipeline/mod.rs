//! The hot loop: decoded frame → tracking → landmarks → observation → gesture events.
//!
//! Everything here reuses buffers made at start-up; after the first frames it allocates
//! nothing of its own (tests/alloc/hot_loop_alloc.rs proves it).

mod observe;
mod tracker;

use std::time::{Duration, Instant};

pub use observe::observe;
pub use tracker::{StageTimes, Tracker};

use crate::capture::Frame;
use crate::event::Event;
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
}

impl Pipeline {
    pub fn new(tracker: Tracker, engine: Engine) -> Pipeline {
        Pipeline { tracker, engine }
    }

    /// Runs one frame through the models and the engine, handing each event to `emit`.
    pub fn process(
        &mut self,
        frame: &Frame<'_>,
        emit: &mut impl FnMut(Event),
    ) -> Result<FrameReport, ModelError> {
        let face = self.tracker.track(frame.image)?;
        let observation = observe(face, frame.t_ms, frame.index);
        let times = self.tracker.times();
        let t = Instant::now();
        self.engine.process(&observation, emit);
        Ok(FrameReport {
            observation,
            times,
            gestures: t.elapsed(),
        })
    }
}
