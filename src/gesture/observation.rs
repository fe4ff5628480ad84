//! What the engine is fed each frame: plain numbers, already measured from the landmarks.

use super::distance::Guidance;

/// Iris centre in the eye's own frame (see [`crate::gesture::features::iris_in_eye`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IrisPos {
    /// Along the corner line, in half eye widths from the corner midpoint; positive toward the
    /// subject's left (image right).
    pub x: f32,
    /// Across the corner line, in half eye widths; positive downward.
    pub y: f32,
}

/// Head rotation in radians (see [`crate::gesture::features::head_pose_from_mesh`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HeadPose {
    /// Positive when the subject turns toward their own left.
    pub yaw: f32,
    /// Positive when the subject lifts the chin.
    pub pitch: f32,
    /// Positive when the subject's left eye is lower in the image than the right.
    pub roll: f32,
}

/// One eye in one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EyeObservation {
    /// Lid gap over eye width, from [`crate::gesture::features::openness`].
    pub openness: f32,
    /// Iris centre, when the landmark layout has one.
    pub iris: Option<IrisPos>,
}

/// A face found in one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaceObservation {
    /// Face-presence score of the landmark model, 0..=1.
    pub score: f32,
    /// The subject's right eye (mesh corners 33/133).
    pub right: EyeObservation,
    /// The subject's left eye (mesh corners 362/263).
    pub left: EyeObservation,
    /// Head rotation, used to compensate gaze.
    pub head: HeadPose,
    /// Eye-to-camera distance from the iris size, millimetres (see
    /// [`crate::gesture::distance`]); guidance for the user, the engine does not use it.
    pub distance_mm: Option<f32>,
    /// Whether the iris is large enough, and the face small enough, for accurate landmarks.
    pub distance_guidance: Option<Guidance>,
}

/// Everything the engine knows about one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Observation {
    /// Frame time in milliseconds since the stream started; the engine's only clock.
    pub t_ms: u64,
    /// Frame index, copied into events.
    pub frame: u64,
    /// The face, or `None` when no face was found.
    pub face: Option<FaceObservation>,
}
