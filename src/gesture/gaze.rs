//! Gaze regions: a per-user profile turns iris position and head pose into a region; a region
//! entered and held for the dwell time becomes a `gaze` event.

use serde::{Deserialize, Serialize};

use super::observation::{HeadPose, IrisPos};
use super::sink::{ms, GestureSink};
use crate::event::{EventKind, GazeRegion, Gesture};

/// Per-user gaze thresholds, from [`crate::gesture::calibration::calibrate`]. Coordinates are
/// head-compensated iris positions in half eye widths (x toward the subject's left, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GazeProfile {
    /// Iris shift per radian of head rotation ([`HEAD_GAIN`] unless edited).
    pub head_gain: f32,
    /// Head yaw while looking at the centre target, radians.
    pub centre_yaw: f32,
    /// Head pitch while looking at the centre target, radians.
    pub centre_pitch: f32,
    /// Compensated iris x while looking at the centre.
    pub centre_x: f32,
    /// Compensated iris y while looking at the centre.
    pub centre_y: f32,
    /// Looking left beyond this x (greater than `centre_x`).
    pub left_x: f32,
    /// Looking right beyond this x (less than `centre_x`).
    pub right_x: f32,
    /// Looking up beyond this y (less than `centre_y`).
    pub up_y: f32,
    /// Looking down beyond this y (greater than `centre_y`).
    pub down_y: f32,
}

/// Iris shift, in half eye widths, per radian of eye rotation: eyeball radius (~12 mm) over half
/// the eye opening width (~15 mm), adult anatomy. A head turn with the eyes kept on the target
/// rotates the eye by the same angle the other way, so this gain cancels it.
pub const HEAD_GAIN: f32 = 0.8;

/// The default profile's left/right threshold, in half eye widths from the centre: 0.175 of the
/// eye width, about 25° of eye rotation at [`HEAD_GAIN`]. A deliberate look to the side turns
/// the eye 25–40° and moves the iris 0.15–0.25 of the eye width or more (issue 14); a mild look,
/// under 0.1 of the eye width (0.2 here), stays centre. Measured on the shared videos (no
/// labelled looks): the compensated iris stays within 0.08 of its median for 90 % of frames and
/// within 0.25 at the extremes.
pub const DEFAULT_LOOK_X: f32 = 0.35;

/// Where the default profile puts the up and down thresholds: at the eye corner, out of reach,
/// so those directions are off ([`GazeProfile::detects`]). The iris rests at a different height
/// between the lids in every face, and a surprised or frowning face moves the lids (cap12
/// 101–125), so up and down need calibration.
const DEFAULT_OFF: f32 = 1.0;

impl GazeProfile {
    /// The profile used without calibration, from anatomy: the centre straight ahead of the
    /// camera (head pose zero, iris between the corners), left and right at
    /// [`DEFAULT_LOOK_X`], up and down off. The engine moves its centre to the face's own
    /// resting position as it learns it.
    pub fn default_uncalibrated() -> Self {
        Self {
            head_gain: HEAD_GAIN,
            centre_yaw: 0.0,
            centre_pitch: 0.0,
            centre_x: 0.0,
            centre_y: 0.0,
            left_x: DEFAULT_LOOK_X,
            right_x: -DEFAULT_LOOK_X,
            up_y: -DEFAULT_OFF,
            down_y: DEFAULT_OFF,
        }
    }

    /// The same thresholds around another horizontal centre.
    pub fn centred_at(&self, centre_x: f32) -> Self {
        let shift = centre_x - self.centre_x;
        Self {
            centre_x,
            left_x: self.left_x + shift,
            right_x: self.right_x + shift,
            ..*self
        }
    }

    /// Iris position corrected for head rotation away from the calibrated centre pose: turning the
    /// head left while looking at the same target moves the iris right within the eye.
    pub fn gaze_point(&self, iris: IrisPos, head: HeadPose) -> (f32, f32) {
        (
            iris.x + self.head_gain * (head.yaw - self.centre_yaw),
            iris.y - self.head_gain * (head.pitch - self.centre_pitch),
        )
    }

    /// The region the user looks at. When two thresholds are crossed, the one crossed by the
    /// larger fraction of its own centre-to-threshold distance wins. A direction the profile
    /// cannot detect is never the answer, even if a landmark slip crosses its threshold.
    pub fn classify(&self, iris: IrisPos, head: HeadPose) -> GazeRegion {
        let (x, y) = self.gaze_point(iris, head);
        let excess = [
            (
                GazeRegion::Left,
                (x - self.left_x) / (self.left_x - self.centre_x),
            ),
            (
                GazeRegion::Right,
                (self.right_x - x) / (self.centre_x - self.right_x),
            ),
            (
                GazeRegion::Up,
                (self.up_y - y) / (self.centre_y - self.up_y),
            ),
            (
                GazeRegion::Down,
                (y - self.down_y) / (self.down_y - self.centre_y),
            ),
        ];
        let mut best = (GazeRegion::Center, 0.0_f32);
        for (region, e) in excess {
            if e > best.1 && self.detects(region) {
                best = (region, e);
            }
        }
        best.0
    }
}

/// The switch gesture of a region; looking at the centre is not a gesture.
fn gesture(region: GazeRegion) -> Option<Gesture> {
    match region {
        GazeRegion::Center => None,
        GazeRegion::Left => Some(Gesture::GazeLeft),
        GazeRegion::Right => Some(Gesture::GazeRight),
        GazeRegion::Up => Some(Gesture::GazeUp),
        GazeRegion::Down => Some(Gesture::GazeDown),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Held {
    region: GazeRegion,
    since: u64,
    fired: bool,
}

/// Dwell timer over per-frame regions.
#[derive(Debug, Clone)]
pub struct GazeDetector {
    dwell_ms: u64,
    held: Option<Held>,
}

impl GazeDetector {
    /// No region held yet.
    pub fn new(dwell_ms: u32) -> Self {
        Self {
            dwell_ms: dwell_ms.into(),
            held: None,
        }
    }

    /// Feeds this frame's region; `None` (eyes closed, no iris) keeps the current region and its
    /// timer, so a natural blink during a dwell does not restart it.
    pub fn update(&mut self, t: u64, region: Option<GazeRegion>, sink: &mut impl GestureSink) {
        let Some(region) = region else { return };
        match self.held {
            Some(h) if h.region == region => {
                let held = t.saturating_sub(h.since);
                if !h.fired && held >= self.dwell_ms {
                    self.held = Some(Held { fired: true, ..h });
                    sink.event(EventKind::Gaze {
                        region,
                        held_ms: ms(held),
                    });
                    if let Some(g) = gesture(region) {
                        sink.start(g);
                    }
                }
            }
            _ => {
                self.reset(sink);
                self.held = Some(Held {
                    region,
                    since: t,
                    fired: false,
                });
            }
        }
    }

    /// Face lost or region left: a fired region ends.
    pub fn reset(&mut self, sink: &mut impl GestureSink) {
        if let Some(Held {
            region,
            fired: true,
            ..
        }) = self.held
        {
            if let Some(g) = gesture(region) {
                sink.end(g);
            }
        }
        self.held = None;
    }
}
