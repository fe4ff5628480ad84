//! BlazeFace short-range face detection over a whole frame (face_detection_short_range.pbtxt).

use std::path::Path;

use super::anchors::{short_range_anchors, Anchor, INPUT_SIZE, NUM_ANCHORS};
use super::detection::{weighted_nms, Detection, NUM_KEYPOINTS};
use crate::crop::{crop_into, Border, CropSpec, Sampling};
use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::{Model, ModelError};
use crate::models::{self, Precision};

/// `min_score_thresh: 0.5` in face_detection_short_range.pbtxt.
pub const MIN_SCORE: f32 = 0.5;
/// `min_suppression_threshold: 0.3` of the NonMaxSuppressionCalculator in face_detection.pbtxt.
const NMS_IOU: f32 = 0.3;
/// `score_clipping_thresh: 100.0` in face_detection.pbtxt.
const SCORE_CLIP: f32 = 100.0;
/// `x_scale`, `y_scale`, `w_scale`, `h_scale: 128.0` in face_detection_short_range.pbtxt.
const COORD_SCALE: f32 = 128.0;
/// `num_coords: 16`: box (4) then 6 keypoints × (x, y).
const NUM_COORDS: usize = 16;

/// Finds faces in a whole frame.
pub struct FaceDetector {
    model: Model,
    anchors: Vec<Anchor>,
    input: Vec<f32>,
    candidates: Vec<Detection>,
}

impl FaceDetector {
    /// Loads the detector model from `models_dir`.
    pub fn load(models_dir: &Path, precision: Precision) -> Result<FaceDetector, ModelError> {
        Ok(FaceDetector {
            model: Model::load(models_dir, models::detector(precision))?,
            anchors: short_range_anchors(),
            input: vec![0.0; INPUT_SIZE * INPUT_SIZE * 3],
            candidates: Vec::with_capacity(NUM_ANCHORS),
        })
    }

    /// The tensor the last run fed the model, so a benchmark can time the model alone on it.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// Detects faces in `img`; clears `out` and fills it with faces in image pixels, best first.
    pub fn detect(&mut self, img: RgbView<'_>, out: &mut Vec<Detection>) -> Result<(), ModelError> {
        out.clear();
        // ImageToTensorCalculator with `keep_aspect_ratio: true`: the frame is letterboxed into
        // a square on its long side, padded with black (`border_mode: BORDER_ZERO`), and
        // scaled to `output_tensor_float_range` [-1, 1].
        let side = img.width.max(img.height) as f32;
        let letterbox = RotatedRect {
            cx: img.width as f32 / 2.0,
            cy: img.height as f32 / 2.0,
            width: side,
            height: side,
            rotation: 0.0,
        };
        let spec = CropSpec {
            rect: letterbox,
            out_width: INPUT_SIZE,
            out_height: INPUT_SIZE,
            border: Border::Zero,
            sampling: Sampling::Corner,
            range: (-1.0, 1.0),
            flip_horizontal: false,
        };
        crop_into(img, &spec, &mut self.input);
        let outputs = self.model.run(&self.input)?;
        let boxes = outputs.get(0)?;
        let scores = outputs.get(1)?;
        self.candidates.clear();
        for (i, anchor) in self.anchors.iter().enumerate() {
            let score = sigmoid(scores[i].clamp(-SCORE_CLIP, SCORE_CLIP));
            if score < MIN_SCORE {
                continue;
            }
            let raw = &boxes[i * NUM_COORDS..(i + 1) * NUM_COORDS];
            self.candidates
                .push(decode(raw, *anchor, score, &letterbox));
        }
        weighted_nms(&mut self.candidates, NMS_IOU, out);
        Ok(())
    }
}

/// TensorsToDetectionsCalculator with `reverse_output_order: true` (x before y) and unit
/// anchors, followed by DetectionProjectionCalculator back into image pixels.
fn decode(raw: &[f32], a: Anchor, score: f32, letterbox: &RotatedRect) -> Detection {
    let to_px = |x: f32, y: f32| letterbox.to_image(x, y);
    let cx = raw[0] / COORD_SCALE + a.x;
    let cy = raw[1] / COORD_SCALE + a.y;
    let w = raw[2] / COORD_SCALE;
    let h = raw[3] / COORD_SCALE;
    let p0 = to_px(cx - w / 2.0, cy - h / 2.0);
    let p1 = to_px(cx + w / 2.0, cy + h / 2.0);
    let mut keypoints = [[0.0; 2]; NUM_KEYPOINTS];
    for (k, kp) in keypoints.iter_mut().enumerate() {
        *kp = to_px(
            raw[4 + 2 * k] / COORD_SCALE + a.x,
            raw[5 + 2 * k] / COORD_SCALE + a.y,
        );
    }
    Detection {
        score,
        bbox: [p0[0], p0[1], p1[0], p1[1]],
        keypoints,
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
