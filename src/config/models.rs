//! `[models]`: where the ONNX files are and which precision each runs in.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;
pub use crate::models::{Precision, Precisions};

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

/// `[models.precision]`: a key left out takes the board profile's value, else f32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrecisionChoice {
    pub face_detector: Option<Precision>,
    pub face_landmark: Option<Precision>,
    pub iris_landmark: Option<Precision>,
}

impl PrecisionChoice {
    /// The config's choice where it made one, else `defaults` (the board profile's).
    pub fn or(&self, defaults: Precisions) -> Precisions {
        Precisions {
            face_detector: self.face_detector.unwrap_or(defaults.face_detector),
            face_landmark: self.face_landmark.unwrap_or(defaults.face_landmark),
            iris_landmark: self.iris_landmark.unwrap_or(defaults.iris_landmark),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsConfig {
    pub dir: PathBuf,
    pub precision: PrecisionChoice,
    /// Cores inference may use; 2 or more runs the two eyes' iris models at once. Default:
    /// the board profile's `threads`, else 1.
    pub threads: Option<u32>,
}

impl Default for ModelsConfig {
    /// Where the .deb installs the models.
    fn default() -> Self {
        Self {
            dir: PathBuf::from("/usr/share/eyeswitch/models"),
            precision: PrecisionChoice::default(),
            threads: None,
        }
    }
}
