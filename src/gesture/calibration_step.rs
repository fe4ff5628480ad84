//! One calibration step: the frames taken while the user looked at one target are screened
//! before they become samples, so a step where the face was lost or the eyes were shut is
//! repeated instead of giving a wrong profile.

use super::calibration::{
    measure_centre, CalibrationError, CalibrationSample, Centre, DirectionRange, MIN_SAMPLES,
};
use super::gaze::GazeProfile;
use super::observation::{IrisPos, Observation};
use crate::event::GazeRegion;

/// Why a step's frames were rejected; the step should be done again.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepRejected {
    #[error("the face was lost in {lost} of {frames} frames; keep the face in view and still")]
    FaceLost { lost: usize, frames: usize },
    #[error(
        "the eyes were closed in {closed} of {frames} frames; keep them open (a blink is fine)"
    )]
    EyesClosed { closed: usize, frames: usize },
    #[error("the eyes look closed (openness {openness:.2}); open them and look at the centre")]
    NotOpen { openness: f32 },
    #[error("only {got} usable frames, need at least {need}; hold the look longer")]
    TooFew { got: usize, need: usize },
}

/// The screened step: its samples, and the open-eye openness the later steps are judged by.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub samples: Vec<CalibrationSample>,
    pub open_reference: f32,
}

/// A natural blink lasts 100–400 ms and comes every 3–4 s, so it closes the eyes in at most
/// about a fifth of a 2 s step; more closed frames mean shut or squinting eyes.
const MAX_CLOSED_SHARE: f32 = 0.25;
/// Open eyes measure 0.15–0.35 (lid gap over eye width) across faces and closed ones 0.10 or
/// less (shared reference photos): a centre step below this was not done with open eyes.
const MIN_OPEN_OPENNESS: f32 = 0.12;
/// The open reference is the upper quartile of the centre step's openness: above the blinks,
/// below a momentary widening.
const OPEN_QUANTILE: f32 = 0.75;

/// Screens one step's frames. `open_reference` is the centre step's (`None` for the centre
/// step itself, which measures it); a frame whose mean openness is under `close_fraction` of it
/// is a blink and is left out. Any frame without a face rejects the step: a face that moved out
/// of view, or was reacquired, did not hold the look.
pub fn screen_step(
    target: GazeRegion,
    frames: &[Observation],
    open_reference: Option<f32>,
    close_fraction: f32,
) -> Result<Screened, StepRejected> {
    let lost = frames.iter().filter(|o| o.face.is_none()).count();
    if lost > 0 {
        return Err(StepRejected::FaceLost {
            lost,
            frames: frames.len(),
        });
    }
    let faces: Vec<_> = frames.iter().filter_map(|o| o.face).collect();
    let openness: Vec<f32> = faces
        .iter()
        .map(|f| (f.right.openness + f.left.openness) / 2.0)
        .collect();
    let reference = match open_reference {
        Some(r) => r,
        None => {
            let mut sorted = openness.clone();
            sorted.sort_by(f32::total_cmp);
            let i = ((sorted.len() as f32 * OPEN_QUANTILE) as usize)
                .min(sorted.len().saturating_sub(1));
            let r = sorted.get(i).copied().unwrap_or(0.0);
            if r.is_nan() || r < MIN_OPEN_OPENNESS {
                return Err(StepRejected::NotOpen { openness: r });
            }
            r
        }
    };
    let open = |o: f32| o >= close_fraction * reference;
    let closed = openness.iter().filter(|o| !open(**o)).count();
    if closed as f32 > MAX_CLOSED_SHARE * frames.len() as f32 {
        return Err(StepRejected::EyesClosed {
            closed,
            frames: frames.len(),
        });
    }
    let samples: Vec<_> = faces
        .iter()
        .zip(&openness)
        .filter(|(_, o)| open(**o))
        .filter_map(|(f, _)| {
            let iris = match (f.right.iris, f.left.iris) {
                (Some(r), Some(l)) => IrisPos {
                    x: (r.x + l.x) / 2.0,
                    y: (r.y + l.y) / 2.0,
                },
                (Some(one), None) | (None, Some(one)) => one,
                (None, None) => return None,
            };
            Some(CalibrationSample {
                target,
                iris,
                head: f.head,
            })
        })
        .collect();
    if samples.len() < MIN_SAMPLES {
        return Err(StepRejected::TooFew {
            got: samples.len(),
            need: MIN_SAMPLES,
        });
    }
    Ok(Screened {
        samples,
        open_reference: reference,
    })
}

/// Why a step did not count.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    #[error("{0}")]
    Rejected(#[from] StepRejected),
    #[error("{0}")]
    Calibration(#[from] CalibrationError),
    #[error("the centre step must come first: the other directions are measured from it")]
    CentreFirst,
}

/// A calibration in progress: the centre first, then any of the four directions, each step
/// screened and judged as it ends so that a failed step can be repeated at once.
#[derive(Debug, Clone)]
pub struct CalibrationSession {
    close_fraction: f32,
    open_reference: Option<f32>,
    centre: Option<Centre>,
    directions: Vec<DirectionRange>,
}

impl CalibrationSession {
    /// `close_fraction`: `[gesture] close_fraction`, so a frame counts as a blink here exactly
    /// when the engine would call the eyes closed.
    pub fn new(close_fraction: f32) -> Self {
        Self {
            close_fraction,
            open_reference: None,
            centre: None,
            directions: Vec::with_capacity(4),
        }
    }

    /// Takes one finished step. The centre gives `Ok(None)`; a direction gives its measured
    /// range, replacing an earlier measurement of the same direction.
    pub fn step(
        &mut self,
        target: GazeRegion,
        frames: &[Observation],
    ) -> Result<Option<DirectionRange>, StepError> {
        let reference = match (target, &self.centre) {
            (GazeRegion::Center, _) => None,
            (_, None) => return Err(StepError::CentreFirst),
            (_, Some(_)) => self.open_reference,
        };
        let screened = screen_step(target, frames, reference, self.close_fraction)?;
        if target == GazeRegion::Center {
            self.centre = Some(measure_centre(&screened.samples)?);
            self.open_reference = Some(screened.open_reference);
            self.directions.clear();
            return Ok(None);
        }
        let centre = self.centre.as_ref().ok_or(StepError::CentreFirst)?;
        let range = centre.direction(&screened.samples, target)?;
        self.directions.retain(|d| d.target != target);
        self.directions.push(range);
        Ok(Some(range))
    }

    /// The directions measured so far.
    pub fn directions(&self) -> &[DirectionRange] {
        &self.directions
    }

    /// The profile, once the centre is measured; directions not measured keep `fallback`'s
    /// distance from its centre, or are off without one (see [`Centre::profile`]).
    pub fn profile(&self, fallback: Option<&GazeProfile>) -> Option<GazeProfile> {
        self.centre
            .as_ref()
            .map(|c| c.profile(&self.directions, fallback))
    }
}
