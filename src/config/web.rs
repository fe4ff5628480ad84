//! `[web]`: the setup page's listener. Absent, there is no listener at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::ConfigError;

/// Where the token is kept: the service's state directory (`StateDirectory=eyeswitch`).
pub const DEFAULT_TOKEN_FILE: &str = "/var/lib/eyeswitch/web-token";
/// Where the press log is kept, beside the profile.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/eyeswitch";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// `host:port` to listen on, e.g. "0.0.0.0:8080" for a phone on the same network.
    pub listen: String,
    /// The access token's file, made (mode 0600) on first start.
    #[serde(default = "default_token_file")]
    pub token_file: PathBuf,
    /// Where the press log is kept.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
}

fn default_token_file() -> PathBuf {
    PathBuf::from(DEFAULT_TOKEN_FILE)
}

fn default_state_dir() -> PathBuf {
    PathBuf::from(DEFAULT_STATE_DIR)
}

impl WebConfig {
    /// The listen address; [`WebConfig::validate`] has checked it parses.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.listen.parse().ok()
    }

    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        if self.addr().is_none() {
            return Err(ConfigError::invalid(
                file,
                "web.listen",
                format!("{:?}", self.listen),
                "use an IP address and port such as \"0.0.0.0:8080\" (all networks) or \"127.0.0.1:8080\" (this machine only)",
            ));
        }
        absolute(file, "web.token_file", &self.token_file, DEFAULT_TOKEN_FILE)?;
        absolute(file, "web.state_dir", &self.state_dir, DEFAULT_STATE_DIR)
    }
}

/// The service's working directory is not the carer's, so paths must be absolute.
fn absolute(file: &str, key: &str, path: &Path, example: &str) -> Result<(), ConfigError> {
    if path.is_absolute() {
        return Ok(());
    }
    Err(ConfigError::invalid(
        file,
        key,
        format!("{:?}", path.display().to_string()),
        format!("use an absolute path such as \"{example}\""),
    ))
}
