//! The model files: each present, its SHA-256 the one eyeswitch was built for, and which
//! matrix-multiply kernels tract picks for it on this CPU.

use std::path::Path;

use crate::doctor::Check;
use crate::inference::{Model, ModelError, ModelSpec};
use crate::models::{LandmarkModel, Precisions};

/// One check per model `run` would load from `dir`, each at its precision.
pub fn check(dir: &Path, precisions: &Precisions, landmarks: LandmarkModel) -> Vec<Check> {
    precisions
        .specs(landmarks)
        .iter()
        .map(|spec| check_one(dir, spec))
        .collect()
}

fn check_one(dir: &Path, spec: &ModelSpec) -> Check {
    let name = format!("model {}", spec.file);
    match Model::load(dir, *spec) {
        Ok(model) => Check::ok(
            name,
            format!(
                "{} matches its SHA-256; tract runs it with {}",
                dir.join(spec.file).display(),
                model.kernels().join(", ")
            ),
        ),
        Err(ModelError::Missing { path, .. }) => Check::fail(
            name,
            format!("{} is missing", path.display()),
            "run scripts/convert-models (scripts/quantize-models for .int8.onnx), or point [models] dir (or --models) at the directory that holds the .onnx files",
        ),
        Err(ModelError::Read { path, source }) => Check::fail(
            name,
            format!("cannot read {}: {source}", path.display()),
            "make the file readable by the user that runs eyeswitch",
        ),
        Err(ModelError::Checksum {
            path,
            found,
            expected,
        }) => Check::fail(
            name,
            format!("{} has SHA-256 {found}, expected {expected}", path.display()),
            "the file is corrupt or from another MediaPipe version: re-run scripts/convert-models or reinstall the package",
        ),
        Err(e) => Check::fail(
            name,
            e.to_string(),
            "re-run scripts/convert-models or reinstall the package",
        ),
    }
}
