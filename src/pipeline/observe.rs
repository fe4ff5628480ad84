//! Turns a tracked face into the gesture engine's per-frame observation.

use crate::event::Eye as Side;
use crate::gesture::distance::{guidance, iris_diameter_px, Lens};
use crate::gesture::features::{
    eye_points_from_contour71, head_pose_from_mesh, iris_in_eye, openness,
};
use crate::gesture::{EyeObservation, FaceObservation, Observation};
use crate::vision::{Eye, Face};

/// The observation for one frame: openness from the iris model's eyelid contour (finer than
/// the mesh's), the iris centre in the eye's own frame, head pose from the mesh, and the
/// distance from the iris size in a frame `(width, height)` pixels seen through `lens`.
pub fn observe(
    face: Option<&Face>,
    t_ms: u64,
    frame: u64,
    (width, height): (usize, usize),
    lens: &Lens,
) -> Observation {
    Observation {
        t_ms,
        frame,
        face: face.and_then(|f| {
            let iris_px = mean_iris_px(f);
            Some(FaceObservation {
                score: f.mesh.presence,
                right: eye(&f.right_eye, Side::Right)?,
                left: eye(&f.left_eye, Side::Left)?,
                head: head_pose_from_mesh(&f.mesh.points)?,
                distance_mm: iris_px.and_then(|d| lens.distance_mm(d, width)),
                distance_guidance: iris_px.map(|d| guidance(d, height)),
            })
        }),
    }
}

/// Mean horizontal iris diameter of the eyes that have one: averaging halves the
/// foreshortening of one eye when the head is turned.
pub fn mean_iris_px(face: &Face) -> Option<f32> {
    match (
        iris_diameter_px(&face.right_eye.iris),
        iris_diameter_px(&face.left_eye.iris),
    ) {
        (Some(r), Some(l)) => Some((r + l) / 2.0),
        (one, None) | (None, one) => one,
    }
}

fn eye(eye: &Eye, side: Side) -> Option<EyeObservation> {
    let points = eye_points_from_contour71(&eye.contour)?;
    Some(EyeObservation {
        openness: openness(&points)?,
        iris: iris_in_eye(&points, side, eye.iris[0]),
    })
}
