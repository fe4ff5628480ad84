//! The MediaPipe models eyeswitch runs, in each precision, the two landmark pipelines they
//! make, and where to find them on disk.
//!
//! Checksums are those of the files `scripts/convert-models` and `scripts/quantize-models`
//! write; see models/README.md.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::inference::ModelSpec;

/// Numeric precision of one model's weights and kernels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// The converted model as MediaPipe ships it; the default.
    #[default]
    F32,
    /// Weights and activations quantised to 8 bits (`scripts/quantize-models`).
    Int8,
}

impl Precision {
    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> Result<Precision, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            _ => Err(format!("unknown precision {s:?}: use f32 or int8")),
        }
    }
}

/// Which model gives the landmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LandmarkModel {
    /// face_landmark_with_attention: 478 refined points from one model, as MediaPipe's own
    /// refined graph runs, in 0.58× the iris pipeline's time (PERFORMANCE.md): the default.
    #[default]
    Attention,
    /// face_landmark (468 points), then iris_landmark on each eye: the seed's pipeline, and the
    /// one with int8 models.
    Iris,
}

impl LandmarkModel {
    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LandmarkModel::Attention => "attention",
            LandmarkModel::Iris => "iris",
        }
    }
}

impl std::str::FromStr for LandmarkModel {
    type Err = String;

    fn from_str(s: &str) -> Result<LandmarkModel, String> {
        match s {
            "attention" => Ok(LandmarkModel::Attention),
            "iris" => Ok(LandmarkModel::Iris),
            _ => Err(format!(
                "unknown landmark model {s:?}: use attention or iris"
            )),
        }
    }
}

/// Precision per model, for the detector and the iris pipeline's two models (the attention
/// mesh has only f32).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Precisions {
    pub face_detector: Precision,
    pub face_landmark: Precision,
    pub iris_landmark: Precision,
}

impl Precisions {
    /// The same precision for every model that has it: int8 leaves a model without an int8
    /// variant (the detector) in f32.
    pub fn all(p: Precision) -> Precisions {
        let has = |int8: Option<ModelSpec>| match p {
            Precision::Int8 if int8.is_none() => Precision::F32,
            _ => p,
        };
        Precisions {
            face_detector: has(DETECTOR_INT8),
            face_landmark: has(MESH_INT8),
            iris_landmark: has(IRIS_INT8),
        }
    }

    /// `(key, precision)` for every model, in pipeline order.
    pub fn iter(&self) -> [(&'static str, Precision); 3] {
        [
            ("face_detector", self.face_detector),
            ("face_landmark", self.face_landmark),
            ("iris_landmark", self.iris_landmark),
        ]
    }

    /// The file spec of each model `landmarks` runs, at its precision, in pipeline order.
    pub fn specs(&self, landmarks: LandmarkModel) -> Vec<ModelSpec> {
        match landmarks {
            LandmarkModel::Attention => vec![detector(self.face_detector), ATTENTION],
            LandmarkModel::Iris => vec![
                detector(self.face_detector),
                mesh(self.face_landmark),
                iris(self.iris_landmark),
            ],
        }
    }

    /// The models asked for in int8 that have no int8 variant (it failed the parity bounds).
    pub fn unavailable(&self) -> impl Iterator<Item = &'static str> + '_ {
        let variants = [DETECTOR_INT8, MESH_INT8, IRIS_INT8];
        self.iter()
            .into_iter()
            .zip(variants)
            .filter(|((_, p), int8)| *p == Precision::Int8 && int8.is_none())
            .map(|((key, _), _)| key)
    }
}

/// The detector's file at precision `p` (f32 where no int8 variant exists).
pub fn detector(p: Precision) -> ModelSpec {
    pick(DETECTOR, DETECTOR_INT8, p)
}

/// The mesh model's file at precision `p` (f32 where no int8 variant exists).
pub fn mesh(p: Precision) -> ModelSpec {
    pick(MESH, MESH_INT8, p)
}

/// The iris model's file at precision `p` (f32 where no int8 variant exists).
pub fn iris(p: Precision) -> ModelSpec {
    pick(IRIS, IRIS_INT8, p)
}

/// `int8` when asked for and one exists; otherwise the f32 model.
fn pick(f32: ModelSpec, int8: Option<ModelSpec>, p: Precision) -> ModelSpec {
    match (p, int8) {
        (Precision::Int8, Some(spec)) => spec,
        _ => f32,
    }
}

/// BlazeFace short-range detector (face_detection_short_range.tflite).
pub const DETECTOR: ModelSpec = ModelSpec {
    file: "face_detection_short_range.onnx",
    sha256: "f2fa60b2cd18d7855d0e73eae3bd7bee4eb7a2dc6247e143680f834fc973202b",
    input: [1, 128, 128, 3],
    // regressors [1,896,16], classificators [1,896,1]
    outputs: &[896 * 16, 896],
};

/// 468-point face mesh (face_landmark.tflite, the mesh-only model).
pub const MESH: ModelSpec = ModelSpec {
    file: "face_landmark.onnx",
    sha256: "ec2240eb90a65fcb4328c67eba9858378225316e73c81ee6e8395cfc4a10dce0",
    input: [1, 192, 192, 3],
    // conv2d_21 [1,1,1,1404] = 468 × xyz, conv2d_31 [1,1,1,1] = face-presence logit
    outputs: &[468 * 3, 1],
};

/// 478-point attention mesh (face_landmark_with_attention.tflite): the mesh backbone with
/// region heads for the lips and each eye with its iris; MediaPipe's refined graph runs it.
pub const ATTENTION: ModelSpec = ModelSpec {
    file: "face_landmark_with_attention.onnx",
    sha256: "4e8f3c41d43b86729f8664fe06d240a3ec88147238b5deed9da3e3db260cf97a",
    input: [1, 192, 192, 3],
    // mesh [1,1,1,1404] = 468 × xyz, lips 80 × xy, left eye 71 × xy, right eye 71 × xy,
    // left iris 5 × xy, right iris 5 × xy (MediaPipe's left = the subject's right), and the
    // face-presence logit
    outputs: &[468 * 3, 80 * 2, 71 * 2, 71 * 2, 5 * 2, 5 * 2, 1],
};

/// Iris and eye-contour model (iris_landmark.tflite).
pub const IRIS: ModelSpec = ModelSpec {
    file: "iris_landmark.onnx",
    sha256: "a3fa502b2aeddd9d0063890eee45710ae47dfb97ac90d79f3f165e4210b3a0ae",
    input: [1, 64, 64, 3],
    // output_eyes_contours_and_brows [1,213] = 71 × xyz, output_iris [1,15] = 5 × xyz
    outputs: &[71 * 3, 5 * 3],
};

/// No int8 detector: every format tried moved the best face box by up to 7–46 px of 128 on
/// held-out frames, and all ran 3.5–8× slower than f32 (PERFORMANCE.md).
pub const DETECTOR_INT8: Option<ModelSpec> = None;

/// int8 mesh: `scripts/quantize-models --install mesh=qop-conv-pointwise` (QLinearConv on
/// the pointwise convolutions, the depthwise ones left f32: of the formats within the parity
/// bounds, the fastest in tract; see models/README.md).
pub const MESH_INT8: Option<ModelSpec> = Some(ModelSpec {
    file: "face_landmark.int8.onnx",
    sha256: "e4ffd15f648b6fbe3b5565f7b6751e8b2e2b563896d0654bc558d5672352ff73",
    ..MESH
});

/// int8 iris model: `scripts/quantize-models --install iris=qop-conv-pointwise`.
pub const IRIS_INT8: Option<ModelSpec> = Some(ModelSpec {
    file: "iris_landmark.int8.onnx",
    sha256: "69dcaae15b4eb0054c9beeee86ba3aa16c4e3540f790c7009de3f3d3bf78323d",
    ..IRIS
});

/// Finds the models directory when the user did not name one.
///
/// Order: `$EYESWITCH_MODELS`, `./models`, `models/` beside the executable,
/// `/usr/share/eyeswitch/models` (the .deb), then (debug builds only) the source tree.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("EYESWITCH_MODELS") {
        return PathBuf::from(d);
    }
    let has_models = |d: &Path| d.join(MESH.file).is_file();
    let mut candidates = vec![PathBuf::from("models")];
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        candidates.push(exe_dir.join("models"));
    }
    candidates.push(PathBuf::from("/usr/share/eyeswitch/models"));
    // The source tree, for `cargo run` and tests only: a release binary on a board must never
    // look for files on the machine that built it.
    if cfg!(debug_assertions) {
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
    }
    candidates
        .iter()
        .find(|d| has_models(d))
        .cloned()
        .unwrap_or_else(|| PathBuf::from("models"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_for_all_leaves_models_without_a_variant_in_f32() {
        let p = Precisions::all(Precision::Int8);
        assert_eq!(p.face_detector, Precision::F32);
        assert_eq!(p.face_landmark, Precision::Int8);
        assert_eq!(
            p.specs(LandmarkModel::Iris)[1].file,
            "face_landmark.int8.onnx"
        );
        assert_eq!(p.specs(LandmarkModel::Attention)[1].file, ATTENTION.file);
        assert_eq!(p.unavailable().count(), 0);
        let asked = Precisions {
            face_detector: Precision::Int8,
            ..p
        };
        assert_eq!(asked.unavailable().collect::<Vec<_>>(), ["face_detector"]);
    }
}
