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
    #[error("{0}")]
    Parse(#[from] toml::de::Error),
    /// Could not be written as TOML.
    #[error("{0}")]
    Write(#[from] toml::ser::Error),
    /// A value that calibration cannot produce.
    #[error("{key} = {value} is out of range: allowed {allowed}")]
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
/// A look shifting the iris by less than this (half eye widths, i.e. 0.15 of the eye width, the
/// low end of a deliberate look) puts the threshold within 0.075 eye widths of the centre,
/// where mild looks and landmark noise cross it: calibration warns.
pub const WARN_OFFSET: f32 = 0.3;
/// The iris centre cannot pass the eye corner, one half eye width from the corner midpoint: a
/// threshold this far from the centre, or farther, is never crossed.
const REACH: f32 = 1.0;

/// The centre target's measurement, against which each direction is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centre {
    /// The profile with the centre pose and position, every threshold still on the centre.
    pose: GazeProfile,
    /// Smallest credible shift on each axis, from the centre jitter.
    need_x: f32,
    need_y: f32,
}

/// One direction's measured range, in half eye widths from the centre, toward the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectionRange {
    pub target: GazeRegion,
    /// Median shift toward the target.
    pub offset: f32,
    /// 10th and 90th percentiles of the shift: how steadily the look was held.
    pub low: f32,
    pub high: f32,
    /// Smallest shift accepted, from the centre jitter.
    pub needed: f32,
    /// The profile threshold: halfway between the centre and the median.
    pub threshold: f32,
}

impl DirectionRange {
    /// Accepted, but too close to the centre to be told apart reliably (see [`WARN_OFFSET`]).
    pub fn is_close(&self) -> bool {
        self.offset < WARN_OFFSET
    }
}

/// Measures the centre: median head pose and head-compensated iris position of the centre
/// samples, and their jitter.
pub fn measure_centre(samples: &[CalibrationSample]) -> Result<Centre, CalibrationError> {
    let centre = of(samples, GazeRegion::Center)?;
    let mut pose = GazeProfile {
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
    let c = points(&pose, &centre);
    let (cx, cy) = (median(c.iter().map(|p| p.0)), median(c.iter().map(|p| p.1)));
    pose = GazeProfile {
        centre_x: cx,
        centre_y: cy,
        left_x: cx,
        right_x: cx,
        up_y: cy,
        down_y: cy,
        ..pose
    };
    Ok(Centre {
        pose,
        need_x: separation(c.iter().map(|p| p.0), cx),
        need_y: separation(c.iter().map(|p| p.1), cy),
    })
}

impl Centre {
    /// Judges the samples of one direction (`target` must not be the centre): the median shift
    /// toward the target must stand clear of the centre jitter.
    pub fn direction(
        &self,
        samples: &[CalibrationSample],
        target: GazeRegion,
    ) -> Result<DirectionRange, CalibrationError> {
        let p = &self.pose;
        // `sign`: the direction the target must move the gaze on its axis.
        let (sign, horizontal) = match target {
            GazeRegion::Left => (1.0, true),
            GazeRegion::Right => (-1.0, true),
            GazeRegion::Up => (-1.0, false),
            GazeRegion::Down | GazeRegion::Center => (1.0, false),
        };
        let (centre, needed) = if horizontal {
            (p.centre_x, self.need_x)
        } else {
            (p.centre_y, self.need_y)
        };
        let mut shifts: Vec<f32> = points(p, &of(samples, target)?)
            .into_iter()
            .map(|q| (if horizontal { q.0 } else { q.1 } - centre) * sign)
            .collect();
        shifts.sort_by(f32::total_cmp);
        let offset = quantile(&shifts, 0.5);
        if target == GazeRegion::Center || offset < needed {
            return Err(CalibrationError::NotSeparated {
                target,
                offset,
                needed,
            });
        }
        Ok(DirectionRange {
            target,
            offset,
            low: quantile(&shifts, 0.1),
            high: quantile(&shifts, 0.9),
            needed,
            threshold: centre + sign * offset / 2.0,
        })
    }

    /// The profile: the measured centre, each measured direction's threshold, and for a
    /// direction not measured the `fallback` profile's distance from its own centre (so a
    /// direction the fallback cannot detect stays undetectable), or without a fallback a
    /// threshold beyond the eye corner: that direction is off.
    pub fn profile(
        &self,
        directions: &[DirectionRange],
        fallback: Option<&GazeProfile>,
    ) -> GazeProfile {
        let p = self.pose;
        let off = GazeProfile {
            left_x: REACH,
            right_x: -REACH,
            up_y: -REACH,
            down_y: REACH,
            centre_x: 0.0,
            centre_y: 0.0,
            ..p
        };
        let f = fallback.unwrap_or(&off);
        let measured = |target| {
            directions
                .iter()
                .find(|d| d.target == target)
                .map(|d| d.threshold)
        };
        GazeProfile {
            left_x: measured(GazeRegion::Left).unwrap_or(p.centre_x + (f.left_x - f.centre_x)),
            right_x: measured(GazeRegion::Right).unwrap_or(p.centre_x + (f.right_x - f.centre_x)),
            up_y: measured(GazeRegion::Up).unwrap_or(p.centre_y + (f.up_y - f.centre_y)),
            down_y: measured(GazeRegion::Down).unwrap_or(p.centre_y + (f.down_y - f.centre_y)),
            ..p
        }
    }
}

/// Derives a complete profile from samples of all five targets. The centre pose and position
/// are medians of the centre samples; each threshold lies halfway between the centre and that
/// target's median, on head-compensated positions, and each target must stand clear of the
/// centre jitter.
pub fn calibrate(samples: &[CalibrationSample]) -> Result<GazeProfile, CalibrationError> {
    let centre = measure_centre(samples)?;
    let mut directions = Vec::with_capacity(4);
    for target in [
        GazeRegion::Left,
        GazeRegion::Right,
        GazeRegion::Up,
        GazeRegion::Down,
    ] {
        directions.push(centre.direction(samples, target)?);
    }
    Ok(centre.profile(&directions, None))
}

/// The samples of one target, at least [`MIN_SAMPLES`] of them.
fn of(
    samples: &[CalibrationSample],
    target: GazeRegion,
) -> Result<Vec<CalibrationSample>, CalibrationError> {
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
}

/// Head-compensated gaze points of `set` under `pose`.
fn points(pose: &GazeProfile, set: &[CalibrationSample]) -> Vec<(f32, f32)> {
    set.iter()
        .map(|s| pose.gaze_point(s.iris, s.head))
        .collect()
}

impl GazeProfile {
    /// Whether a look toward `region` can ever cross its threshold: one at or beyond the eye
    /// corner ([`REACH`]) turns that direction off. The centre is always detectable.
    pub fn detects(&self, region: GazeRegion) -> bool {
        let reach = match region {
            GazeRegion::Center => return true,
            GazeRegion::Left => self.left_x - self.centre_x,
            GazeRegion::Right => self.centre_x - self.right_x,
            GazeRegion::Up => self.centre_y - self.up_y,
            GazeRegion::Down => self.down_y - self.centre_y,
        };
        reach < REACH
    }

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
    quantile(&v, 0.5)
}

/// The `q` quantile of sorted values (nearest rank; 0 when empty).
fn quantile(sorted: &[f32], q: f32) -> f32 {
    let i = ((sorted.len() as f32 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Smallest credible target shift given the centre jitter.
fn separation(values: impl Iterator<Item = f32>, centre: f32) -> f32 {
    let mad = median(values.map(|v| (v - centre).abs()));
    (SEPARATION_SIGMAS * MAD_TO_SIGMA * mad).max(MIN_SEPARATION)
}
