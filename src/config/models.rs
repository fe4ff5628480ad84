//! `[models]`: where the ONNX files are and which precision each runs in.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;
pub use crate::models::{LandmarkModel, Precision, Precisions};

/// Fails when `precisions` ask for int8 on a model that has no int8 variant; `prefix` is
/// where the keys sit in `file` (`models.` in the config, nothing in a board profile).
pub(crate) fn check_int8_exists(
    file: &str,
    prefix: &str,
    precisions: &Precisions,
) -> Result<(), ConfigError> {
    match precisions.unavailable().next() {
        Some(model) => Err(ConfigError::invalid(
            file,
            format!("{prefix}precision.{model}"),
            "\"int8\"",
            "this model has no int8 variant that passes the accuracy bounds (models/README.md); use \"f32\"",
        )),
        None => Ok(()),
    }
}

/// Fails when `[models.precision]` asks for int8 on the iris pipeline's models while
/// `landmarks = "attention"`: those keys would then have no effect, and the attention mesh has
/// only f32.
pub(crate) fn check_int8_fits_landmarks(
    file: &str,
    models: &ModelsConfig,
) -> Result<(), ConfigError> {
    if models.landmarks() != LandmarkModel::Attention {
        return Ok(());
    }
    let asked = [
        ("face_landmark", models.precision.face_landmark),
        ("iris_landmark", models.precision.iris_landmark),
    ];
    match asked.iter().find(|(_, p)| *p == Some(Precision::Int8)) {
        Some((key, _)) => Err(ConfigError::invalid(
            file,
            format!("models.precision.{key}"),
            "\"int8\"",
            "this key is for the iris pipeline's models, and the landmark model is \"attention\" \
             (models.landmarks, which defaults to it), whose model has only f32: set \
             models.landmarks = \"iris\" to run int8, or drop the key",
        )),
        None => Ok(()),
    }
}

/// `[models.precision]`: a key left out takes the board profile's value, else f32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrecisionChoice {
    pub face_detector: Option<Precision>,
    pub face_landmark: Option<Precision>,
    pub iris_landmark: Option<Precision>,
}

impl PrecisionChoice {
    /// `p` for every model (f32 where a model has no int8 variant), as `--precision` asks.
    pub fn all(p: Precision) -> Self {
        let all = Precisions::all(p);
        Self {
            face_detector: Some(all.face_detector),
            face_landmark: Some(all.face_landmark),
            iris_landmark: Some(all.iris_landmark),
        }
    }

    /// The config's choice where it made one, else `defaults` (the board profile's).
    pub fn or(&self, defaults: Precisions) -> Precisions {
        Precisions {
            face_detector: self.face_detector.unwrap_or(defaults.face_detector),
            face_landmark: self.face_landmark.unwrap_or(defaults.face_landmark),
            iris_landmark: self.iris_landmark.unwrap_or(defaults.iris_landmark),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsConfig {
    /// Where the ONNX files are. Default: the usual search (see [`crate::models::default_dir`]);
    /// a directory named here must exist, it is never silently replaced by another.
    pub dir: Option<PathBuf>,
    /// Which model gives the landmarks (`attention` or `iris`). Default: iris.
    pub landmarks: Option<LandmarkModel>,
    pub precision: PrecisionChoice,
    /// Cores inference may use; 2 or more runs the two eyes' iris models at once. Default:
    /// the board profile's `threads`, else 1.
    pub threads: Option<u32>,
}

impl ModelsConfig {
    /// The landmark model: `landmarks`, else the default (attention).
    pub fn landmarks(&self) -> LandmarkModel {
        self.landmarks.unwrap_or_default()
    }

    /// The models directory: `dir` if set (an error if it is not a directory), else the usual
    /// search.
    pub fn resolve_dir(&self, file: &str) -> Result<PathBuf, ConfigError> {
        match &self.dir {
            Some(dir) if dir.is_dir() => Ok(dir.clone()),
            Some(dir) => Err(ConfigError::invalid(
                file,
                "models.dir",
                format!("{:?}", dir.display().to_string()),
                "it is not a directory; put the .onnx files there (scripts/convert-models makes \
                 them, the .deb installs them in /usr/share/eyeswitch/models), or drop the key \
                 (or --models) to search the usual places",
            )),
            None => Ok(crate::models::default_dir()),
        }
    }
}
