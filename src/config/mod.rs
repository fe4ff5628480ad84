//! The TOML configuration: `/etc/eyeswitch/eyeswitch.toml` or the file given by `--config`.
//!
//! Every section has defaults, unknown keys are errors (a typo must not silently disable a
//! switch), and validation errors name the key, the bad value and what is allowed.

pub mod board;
pub mod camera;
pub mod display;
pub mod error;
pub mod gaze;
pub mod models;
pub mod outputs;
pub mod web;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::gesture::{self, FaceConfig, GestureConfig};

pub use board::Board;
pub use camera::CameraConfig;
pub use display::{DisplayConfig, DisplayKind};
pub use error::ConfigError;
pub use gaze::GazeConfig;
pub use models::{LandmarkModel, ModelsConfig, Precision, PrecisionChoice, Precisions};
pub use outputs::{GpioConfig, HidConfig, OutputsConfig, SerialConfig, StdoutConfig, SwitchConfig};
pub use web::WebConfig;

/// Where the config is read from when `--config` is not given.
pub const DEFAULT_PATH: &str = "/etc/eyeswitch/eyeswitch.toml";
/// The origin of [`Config::default`], as messages name it.
pub const BUILT_IN: &str = "built-in defaults";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Name of a board profile in `boards/`; `None` when running on a desktop.
    pub board: Option<String>,
    pub camera: CameraConfig,
    pub models: ModelsConfig,
    /// `[gesture]`: thresholds and times of the gesture rules (documented on the type).
    pub gesture: GestureConfig,
    /// `[face]`: face-presence hysteresis and guard times.
    pub face: FaceConfig,
    #[serde(rename = "switch")]
    pub switches: Vec<SwitchConfig>,
    pub outputs: OutputsConfig,
    pub display: DisplayConfig,
    /// `[gaze]`: where the calibrated gaze profile is.
    pub gaze: GazeConfig,
    /// `[web]`: the setup page; `None` (no section) means no listener.
    pub web: Option<WebConfig>,
    /// Where this config came from (a path, or "built-in defaults"), for messages.
    #[serde(skip)]
    pub origin: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            board: None,
            camera: CameraConfig::default(),
            models: ModelsConfig::default(),
            gesture: GestureConfig::default(),
            face: FaceConfig::default(),
            switches: outputs::default_switches(),
            outputs: OutputsConfig::default(),
            display: DisplayConfig::default(),
            gaze: GazeConfig::default(),
            web: None,
            origin: BUILT_IN.to_owned(),
        }
    }
}

impl Config {
    /// Reads, parses and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// The file at `path`, else /etc/eyeswitch/eyeswitch.toml if it exists, else the built-in
    /// defaults: what every command that takes `--config` reads.
    pub fn load_or_default(path: Option<&Path>) -> Result<Config, ConfigError> {
        let default = Path::new(DEFAULT_PATH);
        match path {
            Some(p) => Config::load(p),
            None if default.is_file() => Config::load(default),
            None => Ok(Config::default()),
        }
    }

    /// Parses and validates config text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| ConfigError::syntax(file, text, &e))?;
        config.origin = file.to_owned();
        config.validate(file)?;
        Ok(config)
    }

    /// The models directory (see [`ModelsConfig::resolve_dir`]).
    pub fn models_dir(&self) -> Result<PathBuf, ConfigError> {
        self.models.resolve_dir(&self.origin)
    }

    /// The board profile named by `board`, if any.
    pub fn board_profile(&self) -> Result<Option<Board>, ConfigError> {
        self.board.as_deref().map(Board::builtin).transpose()
    }

    /// Cores inference may use: `[models] threads`, else the board profile's, else 1.
    pub fn threads(&self) -> Result<u32, ConfigError> {
        Ok(match (self.models.threads, self.board_profile()?) {
            (Some(n), _) => n,
            (None, Some(board)) => board.threads,
            (None, None) => 1,
        })
    }

    /// Each model's precision: `[models.precision]`, else the board profile's, else f32.
    pub fn precisions(&self) -> Result<Precisions, ConfigError> {
        let board = self.board_profile()?;
        let defaults = board.map(|b| b.precision).unwrap_or_default();
        Ok(self.models.precision.or(defaults))
    }

    /// The gesture engine's settings: `[gesture]`, `[face]` and the `[[switch]]` mappings.
    pub fn engine_config(&self) -> gesture::Config {
        gesture::Config {
            gesture: self.gesture,
            face: self.face,
            switch: self.switches.iter().map(SwitchConfig::mapping).collect(),
        }
    }

    /// The one validation of a whole config: `run`, `doctor` and every other command reach it
    /// through [`Config::parse`], so the same file always gets the same verdict and message.
    fn validate(&self, file: &str) -> Result<(), ConfigError> {
        if let Some(name) = &self.board {
            if !board::board_names().any(|n| n == name) {
                return Err(board::unknown_board(file, "board", name));
            }
        }
        if let Some(n) = self
            .models
            .threads
            .filter(|n| !(1..=board::MAX_THREADS).contains(n))
        {
            return Err(ConfigError::invalid(
                file,
                "models.threads",
                n,
                format!("use a value from 1 to {}", board::MAX_THREADS),
            ));
        }
        models::check_int8_exists(file, "models.", &self.precisions()?)?;
        models::check_int8_fits_landmarks(file, &self.models)?;
        self.camera.validate(file, "camera")?;
        outputs::validate_switches(file, &self.switches)?;
        self.outputs.validate(file, &self.switches)?;
        self.display.validate(file)?;
        self.gaze.validate(file)?;
        if let Some(web) = &self.web {
            web.validate(file)?;
        }
        self.engine_config()
            .validate()
            .map_err(|e| gesture_error(file, e))
    }
}

/// The engine's own range check, in the config's error form (file, key, value, allowed).
fn gesture_error(file: &str, e: gesture::ConfigError) -> ConfigError {
    match e {
        gesture::ConfigError::OutOfRange {
            key,
            value,
            allowed,
        } => ConfigError::invalid(file, key, value, format!("use a value in {allowed}")),
        // Switch mappings were already checked by `outputs::validate_switches`, with the index.
        other => ConfigError::invalid(file, "switch", "", other.to_string()),
    }
}
