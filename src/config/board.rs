//! Board profiles (`boards/*.toml`): per-board defaults and advice, compiled into the binary.

use std::path::Path;

use serde::Deserialize;

use crate::config::camera::CameraConfig;
use crate::config::models::{Precision, Precisions};
use crate::config::ConfigError;

/// The profiles shipped in `boards/`, embedded so the binary needs no data files to find them.
const BUILTIN: [(&str, &str); 5] = [
    ("rpi4", include_str!("../../boards/rpi4.toml")),
    ("rpi5", include_str!("../../boards/rpi5.toml")),
    ("rpi-zero2w", include_str!("../../boards/rpi-zero2w.toml")),
    ("jetson-nano", include_str!("../../boards/jetson-nano.toml")),
    (
        "jetson-orin-nano",
        include_str!("../../boards/jetson-orin-nano.toml"),
    ),
];

/// Names of the built-in profiles, for `board = "..."`.
pub fn board_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// Targets eyeswitch is cross-built for (64-bit and 32-bit ARM Linux).
const TARGETS: [&str; 2] = ["aarch64-unknown-linux-gnu", "armv7-unknown-linux-gnueabihf"];

/// Inference threads; no supported board has more than 8 cores.
pub(crate) const MAX_THREADS: u32 = 8;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// Matches the file name without `.toml`.
    pub name: String,
    pub description: String,
    /// Rust target triple of the binary to build for it.
    pub target: String,
    /// Inference threads: the cores minus one left for capture and outputs.
    pub threads: u32,
    /// Things a user setting up this board needs to know, one sentence each.
    pub advice: Vec<String>,
    pub cpu: Cpu,
    pub gpio: BoardGpio,
    pub camera: CameraConfig,
    /// Default precision per model; int8 only where the CPU has SDOT.
    #[serde(default)]
    pub precision: Precisions,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cpu {
    /// Core name, e.g. `cortex-a72`.
    pub core: String,
    /// Whether the core has the dot-product instruction tract's int8 kernels need.
    pub sdot: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardGpio {
    pub chip: String,
    /// Suggested lines for switches 1, 2, ... in order.
    pub switch_lines: Vec<BoardLine>,
    pub feedback_line: Option<BoardLine>,
}

/// A GPIO line by its kernel name (as `gpioinfo` shows it) and offset on the chip.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardLine {
    pub name: String,
    pub offset: u32,
    /// The 40-pin header pin, for wiring.
    pub header_pin: u8,
}

impl Board {
    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Board, ConfigError> {
        let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) else {
            return Err(unknown_board("built-in board profiles", "board", name));
        };
        Board::parse(text, &format!("boards/{name}.toml"))
    }

    /// A profile from a file; its `name` must match the file name.
    pub fn load(path: &Path) -> Result<Board, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let board = Board::parse(&text, &path.display().to_string())?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if board.name != stem {
            return Err(ConfigError::invalid(
                &path.display().to_string(),
                "name",
                format!("{:?}", board.name),
                format!("use {stem:?}, the file name without .toml"),
            ));
        }
        Ok(board)
    }

    /// Parses and validates profile text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Board, ConfigError> {
        let board: Board = toml::from_str(text).map_err(|e| ConfigError::syntax(file, text, &e))?;
        board.validate(file)?;
        Ok(board)
    }

    fn validate(&self, file: &str) -> Result<(), ConfigError> {
        if !TARGETS.contains(&self.target.as_str()) {
            return Err(ConfigError::invalid(
                file,
                "target",
                format!("{:?}", self.target),
                format!("use one of {}", TARGETS.join(", ")),
            ));
        }
        if !(1..=MAX_THREADS).contains(&self.threads) {
            return Err(ConfigError::invalid(
                file,
                "threads",
                self.threads,
                format!("use a value from 1 to {MAX_THREADS}"),
            ));
        }
        for (model, precision) in self.precision.iter() {
            if precision == Precision::Int8 && !self.cpu.sdot {
                return Err(ConfigError::invalid(
                    file,
                    format!("precision.{model}"),
                    "\"int8\"",
                    format!(
                        "{} has no SDOT instruction, where int8 runs slower than f32; use \"f32\"",
                        self.cpu.core
                    ),
                ));
            }
        }
        crate::config::models::check_int8_exists(file, "", &self.precision)?;
        let mut offsets: Vec<u32> = self.gpio.switch_lines.iter().map(|l| l.offset).collect();
        offsets.extend(self.gpio.feedback_line.as_ref().map(|l| l.offset));
        for (i, offset) in offsets.iter().enumerate() {
            if offsets[..i].contains(offset) {
                return Err(ConfigError::invalid(
                    file,
                    "gpio line offset",
                    offset,
                    "each switch and the feedback line need their own line",
                ));
            }
        }
        self.camera.validate(file, "camera")
    }
}

/// The error for a board name that has no profile.
pub(crate) fn unknown_board(file: &str, key: &str, name: &str) -> ConfigError {
    let names: Vec<&str> = board_names().collect();
    ConfigError::invalid(
        file,
        key,
        format!("{name:?}"),
        format!("use one of {}", names.join(", ")),
    )
}
