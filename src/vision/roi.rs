//! Regions of interest handed from one model to the next (DetectionsToRects +
//! RectTransformation, as the face_landmark and iris_landmark graphs configure them).

use super::detection::Detection;
use crate::geometry::{bounds, rect_from_bounds, rotation_to_horizontal, Point, RotatedRect};

/// `scale_x/scale_y: 1.5`, `square_long: true` (face_detection_front_detection_to_roi.pbtxt and
/// face_landmark_landmarks_to_roi.pbtxt).
const FACE_SCALE: f32 = 1.5;
/// `scale_x/scale_y: 2.3`, `square_long: true` (iris_landmark_landmarks_to_roi.pbtxt).
const EYE_SCALE: f32 = 2.3;
/// Mesh indices whose line sets the face ROI's rotation when tracking from landmarks
/// (`rotation_vector_start/end_keypoint_index: 33, 263`).
pub const FACE_ROTATION_LANDMARKS: (usize, usize) = (33, 263);

/// Face ROI for the mesh from a detection: its box, turned so the eye keypoints
/// (`rotation_vector_start/end_keypoint_index: 0, 1`) lie level.
pub fn face_from_detection(d: &Detection) -> RotatedRect {
    let rotation = rotation_to_horizontal(d.keypoints[0], d.keypoints[1]);
    rect_from_bounds(d.bbox, rotation).square_long_scaled(FACE_SCALE)
}

/// Face ROI for the next frame from this frame's mesh (face_landmark_landmarks_to_roi.pbtxt).
pub fn face_from_landmarks(mesh: &[[f32; 3]]) -> Option<RotatedRect> {
    let (a, b) = FACE_ROTATION_LANDMARKS;
    let (pa, pb) = (mesh.get(a)?, mesh.get(b)?);
    let b2 = bounds(mesh.iter().map(|p| [p[0], p[1]]))?;
    let rotation = rotation_to_horizontal([pa[0], pa[1]], [pb[0], pb[1]]);
    Some(rect_from_bounds(b2, rotation).square_long_scaled(FACE_SCALE))
}

/// Eye ROI for the iris model from the eye's two corners: centred on their midpoint, a
/// square of 2.3 × the larger side of their axis-aligned box, turned to the corner line.
pub fn eye_from_corners(from: Point, to: Point) -> RotatedRect {
    let b = [
        from[0].min(to[0]),
        from[1].min(to[1]),
        from[0].max(to[0]),
        from[1].max(to[1]),
    ];
    rect_from_bounds(b, rotation_to_horizontal(from, to)).square_long_scaled(EYE_SCALE)
}
