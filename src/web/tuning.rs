//! `POST /api/config`: the page's `[gesture]` timings and `[[switch]]` mappings merged into the
//! config file `run` was started with, judged by [`Config::parse`] exactly as the file would be,
//! and saved atomically. (The file is rewritten from its parsed form, so comments are lost.)

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::config::Config;

/// Why a tuning was not saved; the message is the page's to show.
#[derive(Debug, thiserror::Error)]
pub enum TuningError {
    /// The body is not a JSON object with `gesture` and/or `switch`.
    #[error("{0}")]
    Body(String),
    /// The merged config was refused, with the config file's own message.
    #[error("{0}")]
    Invalid(String),
    #[error("run was started without a config file (--config), so there is nowhere to save settings; start it with --config FILE")]
    NoFile,
    #[error("cannot save {}: {source}", path.display())]
    Save {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Merges `body` into the file at `path`, validates and saves it; the new config on success.
pub fn apply(path: Option<&Path>, body: &str) -> Result<Config, TuningError> {
    let path = path.ok_or(TuningError::NoFile)?;
    let save = |source| TuningError::Save {
        path: path.to_owned(),
        source,
    };
    let text = fs::read_to_string(path).map_err(save)?;
    let merged = merge(&text, body)?;
    let config = Config::parse(&merged, &path.display().to_string())
        .map_err(|e| TuningError::Invalid(e.to_string()))?;
    let tmp = path.with_extension("toml.tmp");
    fs::write(&tmp, &merged).map_err(save)?;
    fs::rename(&tmp, path).map_err(save)?;
    Ok(config)
}

/// The config text with `[gesture]` and `[[switch]]` replaced by the body's.
fn merge(text: &str, body: &str) -> Result<String, TuningError> {
    let mut table: toml::Table = toml::from_str(text)
        .map_err(|e| TuningError::Invalid(format!("the config file does not parse: {e}")))?;
    let body: Value = serde_json::from_str(body)
        .map_err(|e| TuningError::Body(format!("the request is not JSON: {e}")))?;
    let Value::Object(body) = body else {
        return Err(TuningError::Body("the request is not a JSON object".into()));
    };
    for (key, value) in body {
        let name = match key.as_str() {
            "gesture" => "gesture",
            "switch" => "switch",
            other => {
                return Err(TuningError::Body(format!(
                    "{other:?}: only \"gesture\" and \"switch\" can be changed here"
                )))
            }
        };
        let value =
            toml::Value::try_from(&value).map_err(|e| TuningError::Body(format!("{name}: {e}")))?;
        table.insert(name.to_owned(), value);
    }
    toml::to_string(&table).map_err(|e| TuningError::Body(e.to_string()))
}
