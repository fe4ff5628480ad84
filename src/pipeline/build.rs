//! The one way every command (`run`, `replay`, `bench`, `doctor`'s checks aside) gets a pipeline:
//! from a validated [`Config`], so they all run the same models, precisions and gesture rules.

use crate::config::{Config, ConfigError};
use crate::gesture::{self, Engine};
use crate::inference::ModelError;
use crate::pipeline::{Pipeline, Tracker};
use crate::vision::Landmarker;

/// Why a pipeline could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("{file}: {source}")]
    Gesture {
        file: String,
        source: gesture::ConfigError,
    },
}

/// Loads the models `config` names, at its precisions and threads, and its gesture engine.
pub fn build(config: &Config) -> Result<Pipeline, BuildError> {
    let dir = config.models_dir()?;
    let mut landmarker = Landmarker::load(&dir, &config.precisions()?, config.models.landmarks())?;
    landmarker.use_threads(&dir, config.threads()?)?;
    let engine = Engine::new(&config.engine_config()).map_err(|source| BuildError::Gesture {
        file: config.origin.clone(),
        source,
    })?;
    let mut pipeline = Pipeline::new(Tracker::new(landmarker), engine);
    pipeline.set_lens(crate::gesture::distance::Lens {
        hfov_deg: config.camera.hfov_deg,
    });
    // A missing or corrupt profile falls back to the default: it never stops a start.
    pipeline.set_gaze_profile(crate::profile::load_or_default(&config.gaze.profile).profile);
    Ok(pipeline)
}
