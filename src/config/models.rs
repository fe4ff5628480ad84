//! `[models]`: where the ONNX files are and which precision each runs in.

use std::path::PathBuf;

use serde::Deserialize;

/// Numeric precision of one model's weights and kernels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Exact; the default, because int8 is only faster on cores with the SDOT instruction.
    #[default]
    F32,
    Int8,
}

/// Precision per model; the three models of the landmark pipeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Precisions {
    pub face_detector: Precision,
    pub face_landmark: Precision,
    pub iris_landmark: Precision,
}

impl Precisions {
    /// `(key, precision)` for every model, for validation messages.
    pub fn iter(&self) -> [(&'static str, Precision); 3] {
        [
            ("face_detector", self.face_detector),
            ("face_landmark", self.face_landmark),
            ("iris_landmark", self.iris_landmark),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsConfig {
    pub dir: PathBuf,
    pub precision: Precisions,
}

impl Default for ModelsConfig {
    /// Where the .deb installs the models.
    fn default() -> Self {
        Self {
            dir: PathBuf::from("/usr/share/eyeswitch/models"),
            precision: Precisions::default(),
        }
    }
}
