//! The 468-point face mesh inside a face ROI (face_landmark_cpu.pbtxt, mesh-only model).

use std::path::Path;

use crate::crop::{crop_into, Border, CropSpec, Sampling};
use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::{Model, ModelError};
use crate::models::{self, Precision};

/// Points the mesh model gives (`num_landmarks: 468` in tensors_to_face_landmarks.pbtxt).
pub const NUM_MESH: usize = 468;
/// `output_tensor_width/height: 192` in face_landmark_cpu.pbtxt (both face models).
pub const INPUT_SIZE: usize = 192;
/// `threshold: 0.5` of the ThresholdingCalculator on the face-presence score.
pub const MIN_PRESENCE: f32 = 0.5;

/// One mesh: landmarks in image pixels (`z` in pixels too, scaled like x) and the model's
/// face-presence probability.
#[derive(Debug, Clone, Copy)]
pub struct Mesh {
    pub presence: f32,
    pub points: [[f32; 3]; NUM_MESH],
}

impl Default for Mesh {
    fn default() -> Self {
        Mesh {
            presence: 0.0,
            points: [[0.0; 3]; NUM_MESH],
        }
    }
}

/// Runs the mesh model on a face ROI.
pub struct FaceMesh {
    model: Model,
    input: Vec<f32>,
}

impl FaceMesh {
    /// Loads the mesh model from `models_dir`.
    pub fn load(models_dir: &Path, precision: Precision) -> Result<FaceMesh, ModelError> {
        Ok(FaceMesh {
            model: Model::load(models_dir, models::mesh(precision))?,
            input: vec![0.0; INPUT_SIZE * INPUT_SIZE * 3],
        })
    }

    /// The tensor the last run fed the model, so a benchmark can time the model alone on it.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// Computes the mesh inside `roi` into `out`. The caller decides what a low
    /// `out.presence` means (MediaPipe drops the face below [`MIN_PRESENCE`]).
    pub fn run(
        &mut self,
        img: RgbView<'_>,
        roi: &RotatedRect,
        out: &mut Mesh,
    ) -> Result<(), ModelError> {
        crop_face(img, roi, &mut self.input);
        let outputs = self.model.run(&self.input)?;
        let raw = outputs.get(0)?;
        out.presence = presence(outputs.get(1)?[0]);
        project(raw, roi, INPUT_SIZE as f32, false, &mut out.points);
        Ok(())
    }
}

/// Cuts a face model's input out of the image: ImageToTensorCalculator in
/// face_landmark_cpu.pbtxt (default BORDER_REPLICATE, `output_tensor_float_range` [0, 1]), the
/// same for the mesh-only and the attention model.
pub fn crop_face(img: RgbView<'_>, roi: &RotatedRect, input: &mut [f32]) {
    crop_into(img, &face_crop(roi), input);
}

/// The crop [`crop_face`] makes of `roi`.
pub fn face_crop(roi: &RotatedRect) -> CropSpec {
    CropSpec {
        rect: *roi,
        out_width: INPUT_SIZE,
        out_height: INPUT_SIZE,
        border: Border::Replicate,
        sampling: Sampling::Corner,
        range: (0.0, 1.0),
        flip_horizontal: false,
    }
}

/// The face-presence probability from its logit (TensorsToFloatsCalculator with
/// `activation: SIGMOID`).
pub fn presence(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}

/// TensorsToLandmarks + LandmarkProjection: model pixels → image pixels. `z` is divided by
/// the input width and scaled by the ROI width, as x is. `flip` undoes a mirrored input.
pub fn project(raw: &[f32], roi: &RotatedRect, input_size: f32, flip: bool, out: &mut [[f32; 3]]) {
    for (p, r) in out.iter_mut().zip(raw.chunks_exact(3)) {
        let x = if flip { input_size - r[0] } else { r[0] };
        let [ix, iy] = roi.to_image(x / input_size, r[1] / input_size);
        *p = [ix, iy, r[2] / input_size * roi.width];
    }
}
