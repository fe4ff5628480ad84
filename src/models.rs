//! The three MediaPipe models eyeswitch runs, and where to find them on disk.
//!
//! Checksums are those of the files `scripts/convert-models` writes; see models/README.md.

use std::path::{Path, PathBuf};

use crate::inference::ModelSpec;

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

/// Every model the pipeline loads, for checks that cover them all.
pub const ALL: [ModelSpec; 3] = [DETECTOR, MESH, IRIS];

/// Finds the models directory when the user did not name one.
///
/// Order: `$EYESWITCH_MODELS`, `./models`, `models/` beside the executable,
/// `/usr/share/eyeswitch/models` (the .deb), then the source tree this binary was built from.
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
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
    candidates
        .iter()
        .find(|d| has_models(d))
        .cloned()
        .unwrap_or_else(|| PathBuf::from("models"))
}
