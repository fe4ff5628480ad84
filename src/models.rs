//! The three MediaPipe models eyeswitch runs, in each precision, and where to find them on disk.
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

/// Precision per model, for the three models of the landmark pipeline.
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

    /// The file spec of each model at its precision, in pipeline order.
    pub fn specs(&self) -> [ModelSpec; 3] {
        [
            detector(self.face_detector),
            mesh(self.face_landmark),
            iris(self.iris_landmark),
        ]
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
    sha256: "444d33bb90b50399d7d45780a6e7c955a23404b382a980e932c8724853911591",
    input: [1, 128, 128, 3],
    // regressors [1,896,16], classificators [1,896,1]
    outputs: &[896 * 16, 896],
};

/// 468-point face mesh (face_landmark.tflite, the mesh-only model).
pub const MESH: ModelSpec = ModelSpec {
    file: "face_landmark.onnx",
    sha256: "7bbee425b4a6b1c4fd5629ab123eecb83bfa29a94e50a7f5bd77b3c36c1d27c7",
    input: [1, 192, 192, 3],
    // conv2d_21 [1,1,1,1404] = 468 × xyz, conv2d_31 [1,1,1,1] = face-presence logit
    outputs: &[468 * 3, 1],
};

/// Iris and eye-contour model (iris_landmark.tflite).
pub const IRIS: ModelSpec = ModelSpec {
    file: "iris_landmark.onnx",
    sha256: "6233c5ab672c98bffb832cf20e0ae4a48c8ea78f4804c2a4b322731e4e456998",
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
    sha256: "2b21126518d6a8130d1ffe73cd03006dad9a0a4e66ae7cb759715ef14f51c95e",
    ..MESH
});

/// int8 iris model: `scripts/quantize-models --install iris=qop-conv-pointwise`.
pub const IRIS_INT8: Option<ModelSpec> = Some(ModelSpec {
    file: "iris_landmark.int8.onnx",
    sha256: "5ca6b36146a4952eb26ad464e2fab9ebf1bd9a91ce60610231ad628b488180e9",
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
        assert_eq!(p.specs()[1].file, "face_landmark.int8.onnx");
        assert_eq!(p.unavailable().count(), 0);
        let asked = Precisions {
            face_detector: Precision::Int8,
            ..p
        };
        assert_eq!(asked.unavailable().collect::<Vec<_>>(), ["face_detector"]);
    }
}
