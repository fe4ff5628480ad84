//! The TOML configuration: `/etc/eyeswitch/eyeswitch.toml` or the file given by `--config`.
//!
//! Every section has defaults, unknown keys are errors (a typo must not silently disable a
//! switch), and validation errors name the key, the bad value and what is allowed.

pub mod board;
pub mod camera;
pub mod display;
pub mod error;
pub mod models;
pub mod outputs;

use std::path::Path;

use serde::Deserialize;

pub use board::Board;
pub use camera::{CameraConfig, PixelFormat};
pub use display::{DisplayConfig, DisplayKind};
pub use error::ConfigError;
pub use models::{ModelsConfig, Precision, PrecisionChoice, Precisions};
pub use outputs::{GpioConfig, HidConfig, OutputsConfig, SerialConfig, StdoutConfig, SwitchConfig};

/// Where the config is read from when `--config` is not given.
pub const DEFAULT_PATH: &str = "/etc/eyeswitch/eyeswitch.toml";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Name of a board profile in `boards/`; `None` when running on a desktop.
    pub board: Option<String>,
    pub camera: CameraConfig,
    pub models: ModelsConfig,
    /// Gesture timings, passed through to the gesture engine, which owns their meaning.
    pub gesture: toml::Table,
    #[serde(rename = "switch")]
    pub switches: Vec<SwitchConfig>,
    pub outputs: OutputsConfig,
    pub display: DisplayConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            board: None,
            camera: CameraConfig::default(),
            models: ModelsConfig::default(),
            gesture: toml::Table::new(),
            switches: outputs::default_switches(),
            outputs: OutputsConfig::default(),
            display: DisplayConfig::default(),
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

    /// Parses and validates config text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::syntax(file, text, &e))?;
        config.validate(file)?;
        Ok(config)
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
        self.camera.validate(file, "camera")?;
        outputs::validate_switches(file, &self.switches)?;
        self.outputs.validate(file, &self.switches)?;
        self.display.validate(file)
    }
}
