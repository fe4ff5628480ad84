//! Turns a tracked face into the gesture engine's per-frame observation.

use crate::event::Eye as Side;
use crate::gesture::features::{
    eye_points_from_contour71, head_pose_from_mesh, iris_in_eye, openness,
};
use crate::gesture::{EyeObservation, FaceObservation, Observation};
use crate::vision::{Eye, Face};

/// The observation for one frame: openness from the iris model's eyelid contour (finer than
/// the mesh's), the iris centre in the eye's own frame, and head pose from the mesh.
pub fn observe(face: Option<&Face>, t_ms: u64, frame: u64) -> Observation {
    Observation {
        t_ms,
        frame,
        face: face.and_then(|f| {
            Some(FaceObservation {
                score: f.mesh.presence,
                right: eye(&f.right_eye, Side::Right)?,
                left: eye(&f.left_eye, Side::Left)?,
                head: head_pose_from_mesh(&f.mesh.points)?,
            })
        }),
    }
}

fn eye(eye: &Eye, side: Side) -> Option<EyeObservation> {
    let points = eye_points_from_contour71(&eye.contour)?;
    Some(EyeObservation {
        openness: openness(&points)?,
        iris: iris_in_eye(&points, side, eye.iris[0]),
    })
}
