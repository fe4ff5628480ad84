//! Configuration errors: each names the file, and the key, value and allowed values or the line.

use std::io;
use std::ops::Range;
use std::path::PathBuf;

/// Why a config file or board profile was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}; create it (see config/eyeswitch.example.toml) or pass another file with --config", path.display())]
    Read { path: PathBuf, source: io::Error },
    /// TOML syntax, an unknown key, or a value of the wrong type or variant.
    #[error("{file}:{line}:{column}: {message}\n    {snippet}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
        snippet: String,
    },
    /// A well-formed value that eyeswitch does not accept.
    #[error("{file}: {key} = {value} is not allowed: {allowed}")]
    Invalid {
        file: String,
        key: String,
        value: String,
        allowed: String,
    },
}

impl ConfigError {
    /// Wraps a `toml` error with the file name and the 1-based line and column it points at.
    pub(crate) fn syntax(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let (line, column, snippet) = match err.span() {
            Some(span) => locate(text, span),
            None => (1, 1, String::new()),
        };
        let mut message = err.message().trim_end().to_owned();
        // A bad value's message names only the value: add the key it was given for.
        if let Some((section, key)) = key_at(text, line) {
            if !message.contains(&format!("`{key}`")) {
                let dotted = if section.is_empty() {
                    key
                } else {
                    format!("{section}.{key}")
                };
                message = format!("{dotted}: {message}");
            }
        }
        ConfigError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
            snippet,
        }
    }

    pub(crate) fn invalid(
        file: &str,
        key: impl Into<String>,
        value: impl std::fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            file: file.to_owned(),
            key: key.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

/// The `[section]` (dotted, `[[array]]` brackets dropped) and key of the `key = value` on the
/// 1-based `line`, if that line is one.
fn key_at(text: &str, line: usize) -> Option<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let this = lines.get(line.checked_sub(1)?)?;
    let (key, _) = this.split_once('=')?;
    let key = key.trim().trim_matches('"').to_owned();
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let section = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned())
        .unwrap_or_default();
    Some((section, key))
}

/// Line, column and the text of the line where `span` starts.
fn locate(text: &str, span: Range<usize>) -> (usize, usize, String) {
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let snippet = text[line_start..]
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    (line, column, snippet)
}
