//! Gaze calibration: samples taken while the user looks at the centre, left, right, up and down
//! targets become a per-user [`GazeProfile`], stored as TOML. Runs once, off the hot loop.

use super::gaze::{GazeProfile, HEAD_GAIN};
use super::observation::{HeadPose, IrisPos};
use crate::event::GazeRegion;

/// One frame taken while the user looked at `target`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationSample {
    /// The target shown to the user.
    pub target: GazeRegion,
    /// Iris position (mean of both eyes) in the eye frame.
    pub iris: IrisPos,
    /// Head pose in the same frame.
    pub head: HeadPose,
}

/// Why samples could not become a profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    /// Too few frames for one target.
    #[error("calibration: {got} samples for target {target:?}, need at least {need}")]
    TooFewSamples {
        target: GazeRegion,
        got: usize,
        need: usize,
    },
    /// Looking toward `target` did not move the gaze clearly away from the centre.
    #[error("calibration: target {target:?} moved the gaze by {offset:.3}, need at least {needed:.3} in that direction")]
    NotSeparated {
        target: GazeRegion,
        offset: f32,
        needed: f32,
    },
}

/// Why a stored profile could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Not valid TOML, or not a profile.
    #[error("gaze profile: {0}")]
    Parse(#[from] toml::de::Error),
    /// Could not be written as TOML.
    #[error("gaze profile: {0}")]
    Write(#[from] toml::ser::Error),
    /// A value that calibration cannot produce.
    #[error("gaze profile: {key} = {value} is out of range: allowed {allowed}")]
    OutOfRange {
        key: &'static str,
        value: f32,
        allowed: &'static str,
    },
}

/// At least 5 frames per target: 200 ms at 25 fps, enough for a median to reject a saccade.
pub const MIN_SAMPLES: usize = 5;
/// Smallest accepted centre-to-target shift, in half eye widths: 0.05 is half a pixel on a
/// 20 px eye, the landmark noise floor.
const MIN_SEPARATION: f32 = 0.05;
/// A target must also lie 3 robust standard deviations of the centre jitter away.
const SEPARATION_SIGMAS: f32 = 3.0;
/// Median absolute deviation to standard deviation, for normally distributed noise.
const MAD_TO_SIGMA: f32 = 1.4826;

/// Derives a profile. The centre pose and position are medians of the centre samples; each
/// threshold lies halfway between the centre and that target's median, on head-compensated
/// positions, and each target must stand clear of the centre jitter.
pub fn calibrate(samples: &[CalibrationSample]) -> Result<GazeProfile, CalibrationError> {
    let of = |target| -> Result<Vec<CalibrationSample>, CalibrationError> {
        let v: Vec<_> = samples
            .iter()
            .filter(|s| s.target == target)
            .copied()
            .collect();
        if v.len() < MIN_SAMPLES {
            return Err(CalibrationError::TooFewSamples {
                target,
                got: v.len(),
                need: MIN_SAMPLES,
            });
        }
        Ok(v)
    };
    let centre = of(GazeRegion::Center)?;
    let pose = GazeProfile {
        head_gain: HEAD_GAIN,
        centre_yaw: median(centre.iter().map(|s| s.head.yaw)),
        centre_pitch: median(centre.iter().map(|s| s.head.pitch)),
        centre_x: 0.0,
        centre_y: 0.0,
        left_x: 0.0,
        right_x: 0.0,
        up_y: 0.0,
        down_y: 0.0,
    };
    let points = |set: &[CalibrationSample]| -> Vec<(f32, f32)> {
        set.iter()
            .map(|s| pose.gaze_point(s.iris, s.head))
            .collect()
    };
    let c = points(&centre);
    let cx = median(c.iter().map(|p| p.0));
    let cy = median(c.iter().map(|p| p.1));
    let need_x = separation(c.iter().map(|p| p.0), cx);
    let need_y = separation(c.iter().map(|p| p.1), cy);

    // `sign`: the direction the target must move the gaze; `horizontal`: which axis.
    let threshold = |target, sign: f32, horizontal: bool| -> Result<f32, CalibrationError> {
        let p = points(&of(target)?);
        let (value, centre, needed) = if horizontal {
            (median(p.iter().map(|q| q.0)), cx, need_x)
        } else {
            (median(p.iter().map(|q| q.1)), cy, need_y)
        };
        let offset = (value - centre) * sign;
        if offset < needed {
            return Err(CalibrationError::NotSeparated {
                target,
                offset,
                needed,
            });
        }
        Ok((value + centre) / 2.0)
    };
    Ok(GazeProfile {
        centre_x: cx,
        centre_y: cy,
        left_x: threshold(GazeRegion::Left, 1.0, true)?,
        right_x: threshold(GazeRegion::Right, -1.0, true)?,
        up_y: threshold(GazeRegion::Up, -1.0, false)?,
        down_y: threshold(GazeRegion::Down, 1.0, false)?,
        ..pose
    })
}

impl GazeProfile {
    /// The profile as a TOML document.
    pub fn to_toml(&self) -> Result<String, ProfileError> {
        Ok(toml::to_string(self)?)
    }

    /// Reads and checks a profile written by [`GazeProfile::to_toml`] (or by hand).
    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        let p: Self = toml::from_str(text)?;
        p.validate()?;
        Ok(p)
    }

    /// Every value finite, each threshold on its own side of the centre, gain within 0..=2
    /// (anatomy gives ~0.8; more than twice that is not a human eye).
    pub fn validate(&self) -> Result<(), ProfileError> {
        let bad = |key, value, allowed| {
            Err(ProfileError::OutOfRange {
                key,
                value,
                allowed,
            })
        };
        let named = [
            ("head_gain", self.head_gain),
            ("centre_yaw", self.centre_yaw),
            ("centre_pitch", self.centre_pitch),
            ("centre_x", self.centre_x),
            ("centre_y", self.centre_y),
            ("left_x", self.left_x),
            ("right_x", self.right_x),
            ("up_y", self.up_y),
            ("down_y", self.down_y),
        ];
        if let Some((key, v)) = named.into_iter().find(|(_, v)| !v.is_finite()) {
            return bad(key, v, "a finite number");
        }
        if !(0.0..=2.0).contains(&self.head_gain) {
            return bad("head_gain", self.head_gain, "0..=2");
        }
        if self.left_x <= self.centre_x {
            return bad("left_x", self.left_x, "more than centre_x");
        }
        if self.right_x >= self.centre_x {
            return bad("right_x", self.right_x, "less than centre_x");
        }
        if self.up_y >= self.centre_y {
            return bad("up_y", self.up_y, "less than centre_y");
        }
        if self.down_y <= self.centre_y {
            return bad("down_y", self.down_y, "more than centre_y");
        }
        Ok(())
    }
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut v: Vec<f32> = values.collect();
    v.sort_by(f32::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Smallest credible target shift given the centre jitter.
fn separation(values: impl Iterator<Item = f32>, centre: f32) -> f32 {
    let mad = median(values.map(|v| (v - centre).abs()));
    (SEPARATION_SIGMAS * MAD_TO_SIGMA * mad).max(MIN_SEPARATION)
}
