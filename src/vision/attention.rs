//! The 478 refined landmarks from one model, as MediaPipe's refined graph makes them
//! (face_landmark_cpu.pbtxt with `with_attention: true`, then
//! tensors_to_face_landmarks_with_attention.pbtxt): the mesh, with the lips and both eyes'
//! points replaced by their region heads' (x, y), and both irises added.

use std::path::Path;

use super::iris::{Eye, Side, NUM_CONTOUR, NUM_IRIS};
use super::mesh::{crop_face, presence, project, Mesh, INPUT_SIZE};
use super::roi::eye_from_corners;
use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::{Model, ModelError};
use crate::models;

/// Mesh indices the lips head refines (`indexes_mapping` of refinement 1; z stays the mesh's).
const LIPS: [usize; 80] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409, 78,
    95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415, 76, 77,
    90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408, 62, 96, 89,
    179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
];

/// Mesh indices the eye head around 33/133 refines (MediaPipe's "left eye", the subject's
/// right; refinement 2). The order is the iris model's 71-point contour's, so both landmark
/// models fill [`Eye::contour`] alike.
const RIGHT_EYE: [usize; NUM_CONTOUR] = [
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24,
    23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233, 244,
    113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121,
    128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
];

/// Mesh indices the eye head around 362/263 refines (refinement 3), in the same order.
const LEFT_EYE: [usize; NUM_CONTOUR] = [
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339,
    254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451,
    452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346,
    347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417,
];

/// An iris's depth is the mean of its eye's first 16 contour points (lower and upper lid:
/// `assign_average` of refinements 4 and 5).
const IRIS_DEPTH_FROM: usize = 16;

/// Model outputs, in the order tf2onnx keeps from the .tflite.
const OUT_MESH: usize = 0;
const OUT_LIPS: usize = 1;
const OUT_RIGHT_EYE: usize = 2;
const OUT_LEFT_EYE: usize = 3;
const OUT_RIGHT_IRIS: usize = 4;
const OUT_LEFT_IRIS: usize = 5;
const OUT_PRESENCE: usize = 6;

/// Runs the attention mesh on a face ROI.
pub struct AttentionMesh {
    model: Model,
    input: Vec<f32>,
}

impl AttentionMesh {
    /// Loads the attention model from `models_dir` (f32: it has no int8 variant).
    pub fn load(models_dir: &Path) -> Result<AttentionMesh, ModelError> {
        Ok(AttentionMesh {
            model: Model::load(models_dir, models::ATTENTION)?,
            input: vec![0.0; INPUT_SIZE * INPUT_SIZE * 3],
        })
    }

    /// The tensor the last run fed the model, so a benchmark can time the model alone on it.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// Computes the refined mesh and both eyes inside `roi`. The caller decides what a low
    /// `mesh.presence` means, as for the mesh-only model.
    pub fn run(
        &mut self,
        img: RgbView<'_>,
        roi: &RotatedRect,
        mesh: &mut Mesh,
        right: &mut Eye,
        left: &mut Eye,
    ) -> Result<(), ModelError> {
        crop_face(img, roi, &mut self.input);
        let out = self.model.run(&self.input)?;
        mesh.presence = presence(out.get(OUT_PRESENCE)?[0]);
        let size = INPUT_SIZE as f32;
        project(out.get(OUT_MESH)?, roi, size, false, &mut mesh.points);
        refine(&mut mesh.points, out.get(OUT_LIPS)?, &LIPS, roi);
        refine(&mut mesh.points, out.get(OUT_RIGHT_EYE)?, &RIGHT_EYE, roi);
        refine(&mut mesh.points, out.get(OUT_LEFT_EYE)?, &LEFT_EYE, roi);
        fill_eye(
            mesh,
            out.get(OUT_RIGHT_IRIS)?,
            &RIGHT_EYE,
            Side::Right,
            roi,
            right,
        );
        fill_eye(
            mesh,
            out.get(OUT_LEFT_IRIS)?,
            &LEFT_EYE,
            Side::Left,
            roi,
            left,
        );
        Ok(())
    }
}

/// Model pixels → image pixels for a head's (x, y) points.
fn to_image<'a>(raw: &'a [f32], roi: &'a RotatedRect) -> impl Iterator<Item = [f32; 2]> + 'a {
    let size = INPUT_SIZE as f32;
    raw.chunks_exact(2)
        .map(move |p| roi.to_image(p[0] / size, p[1] / size))
}

/// Replaces the (x, y) of `points[indices]` by a head's, keeping the mesh's z.
fn refine(points: &mut [[f32; 3]], raw: &[f32], indices: &[usize], roi: &RotatedRect) {
    for (&i, [x, y]) in indices.iter().zip(to_image(raw, roi)) {
        points[i][0] = x;
        points[i][1] = y;
    }
}

/// One eye: its contour from the refined mesh, its iris from the head, the iris depth from
/// the lids' mean depth.
fn fill_eye(
    mesh: &Mesh,
    iris: &[f32],
    contour: &[usize; NUM_CONTOUR],
    side: Side,
    roi: &RotatedRect,
    out: &mut Eye,
) {
    for (c, &i) in out.contour.iter_mut().zip(contour) {
        *c = mesh.points[i];
    }
    let depth = contour[..IRIS_DEPTH_FROM]
        .iter()
        .map(|&i| mesh.points[i][2])
        .sum::<f32>()
        / IRIS_DEPTH_FROM as f32;
    for (p, [x, y]) in out.iris.iter_mut().zip(to_image(iris, roi)).take(NUM_IRIS) {
        *p = [x, y, depth];
    }
    // The ROI the iris model would have used, so both landmark models report one.
    let (a, b) = side.corners();
    let (pa, pb) = (mesh.points[a], mesh.points[b]);
    out.roi = eye_from_corners([pa[0], pa[1]], [pb[0], pb[1]]);
}
