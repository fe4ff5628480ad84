//! Pure landmark features: eye openness, iris position in the eye frame, head pose.
//!
//! Landmarks are `[x_px, y_px, z]` as the mesh and iris models give them (z in the same scale as x).
//! Every function returns `None` on too-short input or a degenerate (zero-width, non-finite) eye,
//! so a bad frame is never mistaken for a closed eye.

use super::observation::{HeadPose, IrisPos};
use crate::event::Eye;

/// One landmark: image pixels x, y and relative depth z.
pub type Landmark = [f32; 3];

/// The four eye-contour points the engine needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EyePoints {
    /// Outer corner: mesh 33 (right eye) or 263 (left eye).
    pub outer: Landmark,
    /// Inner corner: mesh 133 or 362.
    pub inner: Landmark,
    /// Upper-lid middle: mesh 159 or 386.
    pub upper: Landmark,
    /// Lower-lid middle: mesh 145 or 374.
    pub lower: Landmark,
}

/// Iris-model contour indices (same for both eyes; the model sees the left eye mirrored):
/// 0 = outer corner (33/263), 8 = inner corner (133/362), 12 = upper-lid middle (159/386),
/// 4 = lower-lid middle (145/374). From MediaPipe's `update_face_landmarks_calculator.cc` table.
const CONTOUR_OUTER: usize = 0;
/// See [`CONTOUR_OUTER`].
const CONTOUR_INNER: usize = 8;
/// See [`CONTOUR_OUTER`].
const CONTOUR_UPPER: usize = 12;
/// See [`CONTOUR_OUTER`].
const CONTOUR_LOWER: usize = 4;
/// The iris model emits 71 contour points per eye.
const CONTOUR_LEN: usize = 71;

/// Mesh indices (outer, inner, upper, lower) of the subject's right eye in the 468/478 layout.
const MESH_RIGHT_EYE: [usize; 4] = [33, 133, 159, 145];
/// Mesh indices (outer, inner, upper, lower) of the subject's left eye.
const MESH_LEFT_EYE: [usize; 4] = [263, 362, 386, 374];
/// The mesh-only model has 468 points; the refined layout adds 10 iris points.
const MESH_LEN: usize = 468;
/// Refined-layout iris centres: 468 for the right eye, 473 for the left (MediaPipe 478 layout).
const MESH_IRIS_RIGHT: usize = 468;
/// See [`MESH_IRIS_RIGHT`].
const MESH_IRIS_LEFT: usize = 473;
/// The 478 layout: mesh plus two 5-point irises.
const REFINED_LEN: usize = 478;
/// Face sides (subject's right 234, left 454), forehead 10 and chin 152: the widest and tallest
/// stable mesh points, so their depth difference gives the largest, least noisy angle.
const MESH_SIDE_RIGHT: usize = 234;
/// See [`MESH_SIDE_RIGHT`].
const MESH_SIDE_LEFT: usize = 454;
/// See [`MESH_SIDE_RIGHT`].
const MESH_FOREHEAD: usize = 10;
/// See [`MESH_SIDE_RIGHT`].
const MESH_CHIN: usize = 152;

/// Eye points from one eye's 71-point iris-model contour.
pub fn eye_points_from_contour71(contour: &[Landmark]) -> Option<EyePoints> {
    if contour.len() < CONTOUR_LEN {
        return None;
    }
    Some(EyePoints {
        outer: contour[CONTOUR_OUTER],
        inner: contour[CONTOUR_INNER],
        upper: contour[CONTOUR_UPPER],
        lower: contour[CONTOUR_LOWER],
    })
}

/// Eye points from a 468- or 478-point mesh.
pub fn eye_points_from_mesh(landmarks: &[Landmark], eye: Eye) -> Option<EyePoints> {
    if landmarks.len() < MESH_LEN {
        return None;
    }
    let [outer, inner, upper, lower] = match eye {
        Eye::Right => MESH_RIGHT_EYE,
        Eye::Left => MESH_LEFT_EYE,
    };
    Some(EyePoints {
        outer: landmarks[outer],
        inner: landmarks[inner],
        upper: landmarks[upper],
        lower: landmarks[lower],
    })
}

/// Iris centre of the 478 layout (`None` for the 468-point mesh).
pub fn iris_centre_from_mesh(landmarks: &[Landmark], eye: Eye) -> Option<Landmark> {
    if landmarks.len() < REFINED_LEN {
        return None;
    }
    Some(match eye {
        Eye::Right => landmarks[MESH_IRIS_RIGHT],
        Eye::Left => landmarks[MESH_IRIS_LEFT],
    })
}

/// Lid gap (upper-lid middle to lower-lid middle) over eye width (corner to corner), in the image
/// plane. Scale-free, so it does not change with distance to the camera.
pub fn openness(eye: &EyePoints) -> Option<f32> {
    let width = dist2(eye.outer, eye.inner);
    let value = dist2(eye.upper, eye.lower) / width;
    (width > 0.0 && value.is_finite()).then_some(value)
}

/// Openness of one eye from its 71-point iris-model contour.
pub fn openness_from_contour71(contour: &[Landmark]) -> Option<f32> {
    openness(&eye_points_from_contour71(contour)?)
}

/// Openness of one eye from a 468- or 478-point mesh.
pub fn openness_from_mesh(landmarks: &[Landmark], eye: Eye) -> Option<f32> {
    openness(&eye_points_from_mesh(landmarks, eye)?)
}

/// Iris centre in the eye frame: origin at the corner midpoint, x along the corner line toward the
/// subject's left, y perpendicular (down), both in half eye widths. The frame follows the corners,
/// so head roll is compensated by construction. The lids are deliberately not the vertical
/// reference: widening the eyes or frowning moves the lids, not the iris, and would read as gaze.
pub fn iris_in_eye(eye: &EyePoints, side: Eye, iris: Landmark) -> Option<IrisPos> {
    // Both eyes' x axis points to image right, which is the subject's left.
    let (from, to) = match side {
        Eye::Right => (eye.outer, eye.inner),
        Eye::Left => (eye.inner, eye.outer),
    };
    let (ux, uy) = (to[0] - from[0], to[1] - from[1]);
    let width = ux.hypot(uy);
    if width.is_nan() || width <= 0.0 {
        return None;
    }
    let half = width / 2.0;
    let (ux, uy) = (ux / width, uy / width);
    let dx = iris[0] - (from[0] + to[0]) / 2.0;
    let dy = iris[1] - (from[1] + to[1]) / 2.0;
    let pos = IrisPos {
        x: (dx * ux + dy * uy) / half,
        y: (-dx * uy + dy * ux) / half,
    };
    (pos.x.is_finite() && pos.y.is_finite()).then_some(pos)
}

/// Head pose from the mesh: yaw is the depth slope of the face-side line 234→454, pitch the depth
/// slope of the forehead→chin line 10→152, roll the image angle of the eye-corner line 33→263.
/// Depth slopes need no face model and no camera intrinsics. Pitch is not zero for an upright face
/// (the forehead-chin line leans); gaze compensation uses differences from the calibrated pose.
pub fn head_pose_from_mesh(landmarks: &[Landmark]) -> Option<HeadPose> {
    if landmarks.len() < MESH_LEN {
        return None;
    }
    let (side_r, side_l) = (landmarks[MESH_SIDE_RIGHT], landmarks[MESH_SIDE_LEFT]);
    let (top, chin) = (landmarks[MESH_FOREHEAD], landmarks[MESH_CHIN]);
    let (right_eye, left_eye) = (landmarks[MESH_RIGHT_EYE[0]], landmarks[MESH_LEFT_EYE[0]]);
    let pose = HeadPose {
        // Turning left pushes the subject's left side (454) away from the camera: z grows.
        yaw: (side_l[2] - side_r[2]).atan2(side_l[0] - side_r[0]),
        // Lifting the chin pushes the forehead away and the chin toward the camera.
        pitch: (top[2] - chin[2]).atan2(chin[1] - top[1]),
        roll: (left_eye[1] - right_eye[1]).atan2(left_eye[0] - right_eye[0]),
    };
    (pose.yaw.is_finite() && pose.pitch.is_finite() && pose.roll.is_finite()).then_some(pose)
}

/// Image-plane distance; z is ignored because it is a relative, noisier estimate.
fn dist2(a: Landmark, b: Landmark) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}
