//! The guided calibration, step by step, as `eyeswitch calibrate` on the camera and the setup
//! page both run it: a prompt per target, frames counted from [`REACTION_MS`] after it for the
//! step time, and up to [`ATTEMPTS`] tries per step. Clock-free: frame times drive it.

use super::calibration::CalibrationError;
use super::calibration_step::{CalibrationSession, StepError};
use super::gaze::GazeProfile;
use super::observation::Observation;
use crate::event::GazeRegion;

/// The order the person is asked to look in; the centre first, as the others are measured
/// from it.
pub const TARGETS: [GazeRegion; 5] = [
    GazeRegion::Center,
    GazeRegion::Left,
    GazeRegion::Right,
    GazeRegion::Up,
    GazeRegion::Down,
];
/// Time after a prompt before frames count: reading or hearing it and moving the eyes takes
/// about half a second (a saccade alone starts 200 ms after a cue); 700 ms leaves margin.
pub const REACTION_MS: u64 = 700;
/// Attempts per step before that direction is left uncalibrated.
pub const ATTEMPTS: usize = 3;
/// Frames a step may hold: 10 s at 60 fps, so steps never grow the buffer.
const MAX_STEP_FRAMES: usize = 600;

/// What one frame changed in the flow, for the terminal or the page to say.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A new step (or a new attempt at one) begins: show its prompt.
    Prompt { target: GazeRegion, attempt: usize },
    /// The step was accepted.
    Accepted { target: GazeRegion },
    /// The step was rejected, with why in words a carer can act on.
    Rejected {
        target: GazeRegion,
        attempt: usize,
        why: String,
    },
    /// A direction failed every attempt and is left uncalibrated.
    Skipped { target: GazeRegion },
    /// Every step is done: the profile to save.
    Done(GazeProfile),
    /// The centre failed every attempt: no profile.
    Failed(String),
}

impl Progress {
    /// The line a person reads for it (the terminal, the status screen's first words, the page).
    pub fn line(&self) -> String {
        match self {
            Progress::Prompt { target, attempt: 1 } => format!("{} ...", prompt(*target)),
            Progress::Prompt { target, attempt } => {
                format!("{} ... (attempt {attempt} of {ATTEMPTS})", prompt(*target))
            }
            Progress::Accepted { target } => format!("{}: ok", name(*target)),
            Progress::Rejected {
                target,
                attempt,
                why,
            } => format!("{}: {why} (attempt {attempt} of {ATTEMPTS})", name(*target)),
            Progress::Skipped { target } => format!(
                "{}: left uncalibrated after {ATTEMPTS} attempts",
                name(*target)
            ),
            Progress::Done(_) => "calibration done".into(),
            Progress::Failed(why) => format!("calibration failed: {why}"),
        }
    }
}

/// A target's name in the flow's lines: "centre" for the centre, as `--steps` spells it.
pub fn name(target: GazeRegion) -> &'static str {
    match target {
        GazeRegion::Center => "centre",
        other => other.name(),
    }
}

/// A guided calibration in progress.
#[derive(Debug, Clone)]
pub struct GuidedCalibration {
    session: CalibrationSession,
    fallback: Option<GazeProfile>,
    step_ms: u64,
    target: usize,
    attempt: usize,
    /// Frame time of the step's first frame.
    start: Option<u64>,
    taken: Vec<Observation>,
    finished: bool,
}

impl GuidedCalibration {
    /// `close_fraction` as [`CalibrationSession::new`]; directions left uncalibrated keep
    /// `fallback`'s reach (the default profile), recentred on this user.
    pub fn new(close_fraction: f32, step_ms: u32, fallback: Option<GazeProfile>) -> Self {
        Self {
            session: CalibrationSession::new(close_fraction),
            fallback,
            step_ms: u64::from(step_ms),
            target: 0,
            attempt: 1,
            start: None,
            taken: Vec::with_capacity(MAX_STEP_FRAMES),
            finished: false,
        }
    }

    /// The first prompt.
    pub fn begin(&self) -> Progress {
        Progress::Prompt {
            target: TARGETS[0],
            attempt: 1,
        }
    }

    /// The target being looked at now, `None` once finished.
    pub fn target(&self) -> Option<GazeRegion> {
        (!self.finished).then(|| TARGETS[self.target])
    }

    /// The session's measurements so far (for a summary).
    pub fn session(&self) -> &CalibrationSession {
        &self.session
    }

    /// Feeds one frame's observation; each change of step is reported in order.
    pub fn feed(&mut self, observation: &Observation, report: &mut impl FnMut(Progress)) {
        if self.finished {
            return;
        }
        let since = observation
            .t_ms
            .saturating_sub(*self.start.get_or_insert(observation.t_ms));
        if since < REACTION_MS + self.step_ms {
            if since >= REACTION_MS && self.taken.len() < MAX_STEP_FRAMES {
                self.taken.push(*observation);
            }
            return;
        }
        let target = TARGETS[self.target];
        let outcome = self.session.step(target, &self.taken);
        self.taken.clear();
        self.start = None;
        match outcome {
            Ok(_) => {
                report(Progress::Accepted { target });
                self.next(report);
            }
            Err(e) => {
                report(Progress::Rejected {
                    target,
                    attempt: self.attempt,
                    why: explain(&e),
                });
                if self.attempt < ATTEMPTS {
                    self.attempt += 1;
                    report(Progress::Prompt {
                        target,
                        attempt: self.attempt,
                    });
                } else if target == GazeRegion::Center {
                    self.finished = true;
                    report(Progress::Failed(format!(
                        "the centre step failed {ATTEMPTS} times; no profile was written"
                    )));
                } else {
                    report(Progress::Skipped { target });
                    self.next(report);
                }
            }
        }
    }

    fn next(&mut self, report: &mut impl FnMut(Progress)) {
        self.attempt = 1;
        self.target += 1;
        match TARGETS.get(self.target) {
            Some(&target) => report(Progress::Prompt { target, attempt: 1 }),
            None => {
                self.finished = true;
                self.target = TARGETS.len() - 1;
                match self.session.profile(self.fallback.as_ref()) {
                    Some(profile) => report(Progress::Done(profile)),
                    None => report(Progress::Failed("the centre was not measured".into())),
                }
            }
        }
    }
}

/// What the person is asked, on the terminal, the status screen (one 21-character line) and
/// the setup page.
pub fn prompt(target: GazeRegion) -> &'static str {
    match target {
        GazeRegion::Center => "Look at the camera",
        GazeRegion::Left => "Look to your LEFT",
        GazeRegion::Right => "Look to your RIGHT",
        GazeRegion::Up => "Look UP",
        GazeRegion::Down => "Look DOWN",
    }
}

/// A step's failure in words a carer can act on.
pub fn explain(e: &StepError) -> String {
    match e {
        StepError::Calibration(CalibrationError::NotSeparated { offset, needed, .. }) => format!(
            "the eyes moved {offset:.2} half eye widths toward the target, need {needed:.2}: \
             look farther to that side, keeping the head still"
        ),
        other => other.to_string(),
    }
}
