//! Command-line front end: one module per subcommand.

pub mod bench;
pub mod detect;
pub mod doctor;
pub mod gadget;
pub mod replay;
pub mod run;

use std::path::PathBuf;

use crate::config::Config;
use crate::models::{Precision, Precisions};

/// The global `--models`, `--precision` and `--threads` options, which override the config.
#[derive(Debug, Clone, Default)]
pub struct ModelArgs {
    pub dir: Option<PathBuf>,
    /// One precision for every model (where a model has no int8 variant it stays f32).
    pub precision: Option<Precision>,
    /// Cores inference may use.
    pub threads: Option<u32>,
}

impl ModelArgs {
    /// The models directory: `--models`, else `[models] dir` if it exists, else the usual
    /// search (see [`crate::models::default_dir`]).
    pub fn dir_for(&self, config: &Config) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| {
            if config.models.dir.is_dir() {
                config.models.dir.clone()
            } else {
                crate::models::default_dir()
            }
        })
    }

    /// Cores inference may use: `--threads`, else the config's (see [`Config::threads`]).
    pub fn threads_for(&self, config: &Config) -> Result<u32, crate::config::ConfigError> {
        match self.threads {
            Some(n) => Ok(n),
            None => config.threads(),
        }
    }

    /// Each model's precision: `--precision`, else the config's (see [`Config::precisions`]).
    pub fn precisions_for(
        &self,
        config: &Config,
    ) -> Result<Precisions, crate::config::ConfigError> {
        match self.precision {
            Some(p) => Ok(Precisions::all(p)),
            None => config.precisions(),
        }
    }
}
