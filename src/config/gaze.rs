//! `[gaze]`: where the user's gaze profile (written by `eyeswitch calibrate`) is kept.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;

/// Where `calibrate` writes the profile and `run` reads it: the systemd unit's
/// `StateDirectory=eyeswitch`, the one place the service may write under `ProtectSystem=strict`.
pub const DEFAULT_PROFILE: &str = "/var/lib/eyeswitch/profile.toml";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GazeConfig {
    /// The calibrated profile; when the file is missing or unreadable the built-in default
    /// profile is used (see [`crate::profile`]).
    pub profile: PathBuf,
}

impl Default for GazeConfig {
    fn default() -> Self {
        Self {
            profile: PathBuf::from(DEFAULT_PROFILE),
        }
    }
}

impl GazeConfig {
    /// The profile path must be absolute: the service's working directory is not the carer's.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        if !self.profile.is_absolute() {
            return Err(ConfigError::invalid(
                file,
                "gaze.profile",
                format!("{:?}", self.profile.display().to_string()),
                format!("use an absolute path such as \"{DEFAULT_PROFILE}\""),
            ));
        }
        Ok(())
    }
}
