//! Command-line front end: one module per subcommand.

pub mod bench;
pub mod calibrate;
pub mod detect;
pub mod doctor;
pub mod gadget;
pub mod replay;
pub mod run;

use std::path::PathBuf;

use crate::config::{Config, PrecisionChoice};
use crate::models::{LandmarkModel, Precision};

/// The global `--models`, `--precision` and `--threads` options, which override the config.
#[derive(Debug, Clone, Default)]
pub struct ModelArgs {
    pub dir: Option<PathBuf>,
    /// Which model gives the landmarks.
    pub landmark_model: Option<LandmarkModel>,
    /// One precision for every model (where a model has no int8 variant it stays f32).
    pub precision: Option<Precision>,
    /// Cores inference may use.
    pub threads: Option<u32>,
}

impl ModelArgs {
    /// `config` with these options in place of its own: the config then describes exactly the
    /// pipeline to build.
    pub fn apply(&self, mut config: Config) -> Config {
        if let Some(dir) = &self.dir {
            config.models.dir = Some(dir.clone());
        }
        if let Some(model) = self.landmark_model {
            config.models.landmarks = Some(model);
        }
        if let Some(p) = self.precision {
            config.models.precision = PrecisionChoice::all(p);
        }
        if let Some(n) = self.threads {
            config.models.threads = Some(n);
        }
        config
    }
}
