//! Iris and eye-contour landmarks for both eyes (iris_landmark_left_and_right_cpu.pbtxt).

use std::path::Path;

use super::mesh::{project, Mesh};
use super::roi::eye_from_corners;
use crate::crop::{crop_into, Border, CropSpec, Sampling};
use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::{Model, ModelError};
use crate::models::{self, Precision};
use crate::offload::Offload;

/// The model's 64 × 64 input (`output_width/height: 64` in iris_landmark_cpu.pbtxt).
const INPUT_SIZE: usize = 64;
/// Largest supersampling grid; past 4 × 4 the area-resize stand-in changes nothing visible.
const MAX_SUPERSAMPLE: f32 = 4.0;
/// Eye-contour and brow points per eye (`num_landmarks: 71`).
pub const NUM_CONTOUR: usize = 71;
/// Iris points per eye, centre first (`num_landmarks: 5`).
pub const NUM_IRIS: usize = 5;

/// Which eye, on the subject's own side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Corners 33 → 133; MediaPipe's "left eye" (image left).
    Right,
    /// Corners 362 → 263; MediaPipe's "right eye" (image right), mirrored for the model.
    Left,
}

impl Side {
    /// Mesh indices of the corners whose line sets the eye ROI.
    pub fn corners(self) -> (usize, usize) {
        match self {
            Side::Right => (33, 133),
            Side::Left => (362, 263),
        }
    }
}

/// One eye's result, in image pixels.
#[derive(Debug, Clone, Copy)]
pub struct Eye {
    pub roi: RotatedRect,
    /// Centre first, then four boundary points, in the order of MediaPipe's 478-point layout.
    pub iris: [[f32; 3]; NUM_IRIS],
    /// The 71 contour and brow points, in model order.
    pub contour: [[f32; 3]; NUM_CONTOUR],
}

impl Default for Eye {
    fn default() -> Self {
        Eye {
            roi: RotatedRect::default(),
            iris: [[0.0; 3]; NUM_IRIS],
            contour: [[0.0; 3]; NUM_CONTOUR],
        }
    }
}

/// Runs the iris model on each eye of a mesh.
pub struct IrisModel {
    model: Model,
    input: Vec<f32>,
    /// A second copy of the model on its own thread, for the left eye, once
    /// [`IrisModel::offload_left_eye`] was called.
    left: Option<Offload>,
}

impl IrisModel {
    /// Loads the iris model from `models_dir`.
    pub fn load(models_dir: &Path, precision: Precision) -> Result<IrisModel, ModelError> {
        Ok(IrisModel {
            model: Model::load(models_dir, models::iris(precision))?,
            input: vec![0.0; INPUT_SIZE * INPUT_SIZE * 3],
            left: None,
        })
    }

    /// From now on, [`IrisModel::run_both`] runs the left eye on a thread of its own, so the
    /// two eyes take one model run's time on two cores instead of two.
    pub fn offload_left_eye(&mut self, models_dir: &Path) -> Result<(), ModelError> {
        self.left = Some(Offload::start(models_dir, *self.model.spec())?);
        Ok(())
    }

    /// The tensor the last run fed the model, so a benchmark can time the model alone on it.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// Computes one eye from the mesh's corner points.
    pub fn run(
        &mut self,
        img: RgbView<'_>,
        mesh: &Mesh,
        side: Side,
        out: &mut Eye,
    ) -> Result<(), ModelError> {
        let roi = eye_roi(mesh, side);
        crop_eye(img, &roi, side, &mut self.input);
        let outputs = self.model.run(&self.input)?;
        finish_eye(outputs.get(0)?, outputs.get(1)?, &roi, side, out);
        Ok(())
    }

    /// Computes both eyes, at once on two threads after [`IrisModel::offload_left_eye`].
    pub fn run_both(
        &mut self,
        img: RgbView<'_>,
        mesh: &Mesh,
        right: &mut Eye,
        left: &mut Eye,
    ) -> Result<(), ModelError> {
        let Some(mut offload) = self.left.take() else {
            self.run(img, mesh, Side::Right, right)?;
            return self.run(img, mesh, Side::Left, left);
        };
        let roi = eye_roi(mesh, Side::Left);
        crop_eye(img, &roi, Side::Left, &mut self.input);
        let submitted = offload.submit(&self.input);
        let right_done = submitted.and_then(|()| self.run(img, mesh, Side::Right, right));
        // Wait for the left eye even when the right one failed, so no job is left in flight.
        let left_done = offload.finish().map(|outputs| {
            finish_eye(outputs.get(0), outputs.get(1), &roi, Side::Left, left);
        });
        self.left = Some(offload);
        right_done.and(left_done)
    }
}

/// The eye ROI from the mesh's corner points (iris_landmark_left_and_right_cpu.pbtxt).
fn eye_roi(mesh: &Mesh, side: Side) -> RotatedRect {
    let (a, b) = side.corners();
    let (pa, pb) = (mesh.points[a], mesh.points[b]);
    eye_from_corners([pa[0], pa[1]], [pb[0], pb[1]])
}

/// Cuts the model's input for one eye out of the image.
fn crop_eye(img: RgbView<'_>, roi: &RotatedRect, side: Side, input: &mut [f32]) {
    // ImageCroppingCalculator (`border_mode: BORDER_REPLICATE`) then a FIT resize to 64 × 64
    // and TfLiteConverterCalculator (`zero_center: false`, so [0, 1]); the left eye is
    // mirrored (`FLIP_HORIZONTALLY: is_right_eye` in MediaPipe's image-side naming).
    let supersample = (roi.width / INPUT_SIZE as f32)
        .ceil()
        .clamp(1.0, MAX_SUPERSAMPLE) as u8;
    let spec = CropSpec {
        rect: *roi,
        out_width: INPUT_SIZE,
        out_height: INPUT_SIZE,
        border: Border::Replicate,
        sampling: Sampling::Centre { supersample },
        range: (0.0, 1.0),
        flip_horizontal: side == Side::Left,
    };
    crop_into(img, &spec, input);
}

/// Projects the model's contour and iris outputs back into the image.
fn finish_eye(contour: &[f32], iris: &[f32], roi: &RotatedRect, side: Side, out: &mut Eye) {
    let flip = side == Side::Left;
    out.roi = *roi;
    project(contour, roi, INPUT_SIZE as f32, flip, &mut out.contour);
    project(iris, roi, INPUT_SIZE as f32, flip, &mut out.iris);
    if flip {
        // Mirroring the eye also mirrors the order of the iris boundary points; swap them
        // back so both eyes follow the 478-point layout.
        out.iris.swap(1, 3);
    }
}
